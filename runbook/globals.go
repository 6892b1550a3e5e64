package runbook

import (
	"strings"
	"time"
)

// Globals are the values of the automation system variables
// ({{ global:ACCOUNT_ID }} and the like) for one account and Region, so
// that text built from them, such as an assumeRole of
// arn:{{ global:AWS_PARTITION }}:iam::{{ global:ACCOUNT_ID }}:role/Name,
// can be resolved before a run. A zero field is unknown and its reference
// is left as written.
type Globals struct {
	Partition string // aws, aws-cn, aws-us-gov
	AccountID string
	Region    string
	// Now gives DATE (2006-01-02) and DATE_TIME (2006-01-02_15.04.05),
	// in UTC as Automation writes them.
	Now time.Time
}

// sampleGlobals fills references when checking the shape of text built
// from them; a parameter becomes digits, which fit an account ID and a
// role name alike.
var sampleGlobals = Globals{Partition: "aws", AccountID: "123456789012", Region: "us-east-1",
	Now: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}

func (g Globals) value(r Reference) string {
	if r.Kind != RefGlobal {
		return "123456789012"
	}
	v, _ := g.lookup(r.Name)
	return v
}

func (g Globals) lookup(name string) (string, bool) {
	var v string
	switch name {
	case GlobalAccountID:
		v = g.AccountID
	case GlobalRegion:
		v = g.Region
	case GlobalPartition:
		v = g.Partition
	case GlobalDate:
		if !g.Now.IsZero() {
			v = g.Now.UTC().Format("2006-01-02")
		}
	case GlobalDateTime:
		if !g.Now.IsZero() {
			v = g.Now.UTC().Format("2006-01-02_15.04.05")
		}
	}
	return v, v != ""
}

// Expand replaces every {{ global:NAME }} reference of s whose value g
// knows. It reports whether s is left without any reference.
func (g Globals) Expand(s string) (string, bool) {
	if !strings.Contains(s, "{{") {
		return s, true
	}
	var b strings.Builder
	rest := s
	for _, r := range ParseReferences(s) {
		i := strings.Index(rest, r.Text)
		b.WriteString(rest[:i])
		if v, ok := g.lookup(r.Name); ok && r.Kind == RefGlobal {
			b.WriteString(v)
		} else {
			b.WriteString(r.Text)
		}
		rest = rest[i+len(r.Text):]
	}
	b.WriteString(rest)
	out := b.String()
	return out, len(ParseReferences(out)) == 0
}

// ResolveAssumeRole returns the document's assumeRole with the global
// variables g knows filled in, and whether the result is a role ARN with
// no reference left, ready for derivation and planning.
func (d *Document) ResolveAssumeRole(g Globals) (string, bool) {
	role, complete := g.Expand(d.AssumeRole)
	return role, complete && isRoleARN(role)
}
