package ssmlocal

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EC2 resources besides instances (images, snapshots, volumes) share the
// filter, tag and paging code here with instances: one implementation of
// EC2's filter matching, of its tags and of DescribeTags/DeleteTags. The
// Describe calls themselves all run through describeEC2.

var (
	snapshotIDPattern = regexp.MustCompile(`^snap-[0-9a-f]{8}([0-9a-f]{9})?$`)
	volumeIDPattern   = regexp.MustCompile(`^vol-[0-9a-f]{8}([0-9a-f]{9})?$`)
)

// ec2Filter is one member of a Describe call's Filters.
type ec2Filter struct {
	name   string
	values []string
}

// readFilters reads Filters, refusing a name known does not accept.
func readFilters(in map[string]any, known func(name string) bool) ([]ec2Filter, error) {
	list, err := objects(in, "Filters")
	if err != nil {
		return nil, err
	}
	var fs []ec2Filter
	for _, f := range list {
		name, err := str(f, "Name")
		if err != nil {
			return nil, err
		}
		vals, err := strList(f, "Values")
		if err != nil {
			return nil, err
		}
		if !known(name) {
			return nil, apiErr("InvalidParameterValue", "The filter '%s' is invalid", name)
		}
		fs = append(fs, ec2Filter{name, vals})
	}
	return fs, nil
}

// matchFilters reports whether a resource passes every filter (any value
// of one filter matches); values gives the resource's values for a filter
// name.
func matchFilters(fs []ec2Filter, values func(name string) []string) bool {
	for _, f := range fs {
		if !anyMatch(values(f.name), f.values) {
			return false
		}
	}
	return true
}

// tagFilterValues gives the values of the tag filters every EC2 resource
// takes: tag-key, and tag:Key (the values of that key); ok is false for
// any other name.
func tagFilterValues(tags []tag, name string) (have []string, ok bool) {
	switch {
	case name == "tag-key":
		for _, t := range tags {
			have = append(have, t.Key)
		}
		return have, true
	case strings.HasPrefix(name, "tag:"):
		key := strings.TrimPrefix(name, "tag:")
		for _, t := range tags {
			if t.Key == key {
				have = append(have, t.Value)
			}
		}
		return have, true
	}
	return nil, false
}

func isTagFilter(name string) bool { return name == "tag-key" || strings.HasPrefix(name, "tag:") }

// optTags renders tags as EC2's Tag list; nil when there are none, so the
// member is left out.
func optTags(tags []tag) []any {
	if len(tags) == 0 {
		return nil
	}
	return tagShapes(tags)
}

// readPage reads MaxResults (between lo and hi when set) and NextToken.
func readPage(in map[string]any, lo, hi int64) (int, string, error) {
	maxResults, err := integer(in, "MaxResults", 0)
	if err != nil {
		return 0, "", err
	}
	if maxResults != 0 && (maxResults < lo || maxResults > hi) {
		return 0, "", apiErr("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between %d and %d.", maxResults, lo, hi)
	}
	next, err := str(in, "NextToken")
	return int(maxResults), next, err
}

// ec2Resource is a taggable EC2 resource found by its id.
type ec2Resource struct {
	id, kind string
	tags     *[]tag
}

// ec2ResourceNamed finds a taggable resource, with EC2's errors for an
// unknown or malformed id. The caller holds s.mu.
func (s *Server) ec2ResourceNamed(r *region, id string) (ec2Resource, error) {
	switch {
	case strings.HasPrefix(id, "i-"):
		insts, err := s.instancesNamed(r, []string{id})
		if err != nil {
			return ec2Resource{}, err
		}
		return ec2Resource{id, "instance", &insts[0].Tags}, nil
	case strings.HasPrefix(id, "ami-"):
		im, err := s.imageNamed(r, id)
		if err != nil {
			return ec2Resource{}, err
		}
		return ec2Resource{id, "image", &im.Tags}, nil
	case strings.HasPrefix(id, "snap-"):
		sn, err := snapshotNamed(r, id)
		if err != nil {
			return ec2Resource{}, err
		}
		return ec2Resource{id, "snapshot", &sn.Tags}, nil
	case strings.HasPrefix(id, "vol-"):
		v, err := s.volumeNamed(r, id)
		if err != nil {
			return ec2Resource{}, err
		}
		return ec2Resource{id, "volume", &v.Tags}, nil
	}
	return ec2Resource{}, apiErr("InvalidID", "The ID '%s' is not valid: only instances, images, snapshots and volumes are simulated by the local endpoint", id)
}

// ec2ResourceARN is a resource's ARN: images and snapshots have no
// account in theirs.
func (s *Server) ec2ResourceARN(region, id string) string {
	switch {
	case strings.HasPrefix(id, "ami-"):
		return s.ec2ImageARN(region, id)
	case strings.HasPrefix(id, "snap-"):
		return s.ec2SnapshotARN(region, id)
	case strings.HasPrefix(id, "vol-"):
		return s.arn("ec2", region, "volume/"+id)
	}
	return s.instanceARN(region, id)
}

// resourceTargets authorizes each resource a member names, with its tags;
// withRequestTags adds the request's Tags (CreateTags, DeleteTags). Unknown
// ids are authorized without tags; the handler reports them.
func resourceTargets(key string, withRequestTags bool) func(s *Server, c *call, in map[string]any) []authTarget {
	return func(s *Server, c *call, in map[string]any) []authTarget {
		ids, _ := strList(in, key)
		if len(ids) == 0 {
			if id := member(in, key); id != "" {
				ids = []string{id}
			}
		}
		var tags []tag
		if withRequestTags {
			tl, _ := objects(in, "Tags")
			tags, _ = tagPairs(tl, nil)
		}
		if len(ids) == 0 {
			ids = []string{"*"}
		}
		out := make([]authTarget, 0, len(ids))
		for _, id := range ids {
			var have []tag
			if res, err := s.ec2ResourceNamed(c.region, id); err == nil {
				have = *res.tags
			}
			ctx := resourceTagContext(have, "ec2")
			if withRequestTags {
				ctx = requestTagContext(tags, ctx)
			}
			ctx["ec2:Region"] = []string{c.regionNm}
			out = append(out, authTarget{resource: s.ec2ResourceARN(c.region.Name, id), context: ctx})
		}
		return out
	}
}

// authorizeCreateTags makes the ec2:CreateTags decision a create with
// TagSpecifications needs (ec2:CreateAction is the create). The caller
// holds s.mu.
func (s *Server) authorizeCreateTags(c *call, resource string, tags []tag) error {
	if len(tags) == 0 {
		return nil
	}
	ctx := requestTagContext(tags, map[string][]string{"ec2:CreateAction": {c.api}, "ec2:Region": {c.regionNm}})
	return c.authorize("ec2:CreateTags", resource, ctx)
}

// tagSpecs reads the tags of TagSpecifications for resource type want;
// other taggable types of the operation are accepted and ignored.
func tagSpecs(in map[string]any, want string, also ...string) ([]tag, error) {
	specs, err := objects(in, "TagSpecifications")
	if err != nil {
		return nil, err
	}
	var out []tag
	for _, sp := range specs {
		rt, _ := str(sp, "ResourceType")
		tl, err := objects(sp, "Tags")
		if err != nil {
			return nil, err
		}
		tags, err := readEC2Tags(tl)
		if err != nil {
			return nil, err
		}
		switch {
		case rt == want:
			out = mergeTags(out, tags)
		case slices.Contains(also, rt):
		default:
			return nil, apiErr("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", rt)
		}
	}
	if len(out) > 50 {
		return nil, apiErr("TagLimitExceeded", "The maximum number of tags for a resource is 50")
	}
	return out, nil
}

// tagRow is one tag of one resource, as DescribeTags lists it.
type tagRow struct {
	id, kind string
	t        tag
	all      []tag
}

// ec2DescribeTags lists the tags of every resource, filtered by key,
// value, resource-id and resource-type, in resource then key order.
func (s *Server) ec2DescribeTags(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	return describeEC2(s, c, in, describeSpec[tagRow]{
		lo: 5, hi: 1000,
		filter: func(n string) bool {
			return n == "key" || n == "value" || n == "resource-id" || n == "resource-type" || isTagFilter(n)
		},
		all: s.tagRows,
		compare: func(a, b tagRow) int {
			if c := strings.Compare(a.id, b.id); c != 0 {
				return c
			}
			return strings.Compare(a.t.Key, b.t.Key)
		},
		values: func(r tagRow, _ time.Time) func(name string) []string {
			return func(name string) []string {
				switch name {
				case "key":
					return []string{r.t.Key}
				case "value":
					return []string{r.t.Value}
				case "resource-id":
					return []string{r.id}
				case "resource-type":
					return []string{r.kind}
				}
				have, _ := tagFilterValues(r.all, name)
				return have
			}
		},
		key: "Tags",
		shape: shapeEach(func(r tagRow, _ time.Time) map[string]any {
			return map[string]any{"Key": r.t.Key, "Value": r.t.Value, "ResourceId": r.id, "ResourceType": r.kind}
		}),
	})
}

// tagRows lists every tag of the Region's resources, in no order.
func (s *Server) tagRows(r *region) []tagRow {
	var rows []tagRow
	add := func(id, kind string, tags []tag) {
		for _, t := range tags {
			rows = append(rows, tagRow{id, kind, t, tags})
		}
	}
	for _, i := range r.Instances {
		if !s.gone(i) {
			add(i.ID, "instance", i.Tags)
		}
	}
	for _, im := range r.Images {
		add(im.ID, "image", im.Tags)
	}
	for _, sn := range r.Snapshots {
		add(sn.ID, "snapshot", sn.Tags)
	}
	for _, v := range r.Volumes {
		add(v.ID, "volume", v.Tags)
	}
	return rows
}

// ec2DeleteTags deletes tags: a key alone deletes it whatever its value, a
// key with a value only when the value matches (an empty value only an
// empty one), and no Tags member deletes every tag.
func (s *Server) ec2DeleteTags(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ids, err := strList(in, "Resources")
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter resourceIdSet")
	}
	tl, err := objects(in, "Tags")
	if err != nil {
		return nil, err
	}
	type del struct {
		key, value string
		anyValue   bool
	}
	var dels []del
	for _, t := range tl {
		k, err := str(t, "Key")
		if err != nil {
			return nil, err
		}
		if k == "" {
			return nil, apiErr("InvalidParameterValue", "Tag key must not be empty")
		}
		v, hasValue := t["Value"]
		if !hasValue || v == nil {
			dels = append(dels, del{key: k, anyValue: true})
			continue
		}
		vs, err := str(t, "Value")
		if err != nil {
			return nil, err
		}
		dels = append(dels, del{key: k, value: vs})
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := namedEach(s.ec2ResourceNamed)(c.region, ids)
	if err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	for _, r := range res {
		if _, ok := in["Tags"]; !ok {
			*r.tags = nil
			continue
		}
		*r.tags = slices.DeleteFunc(*r.tags, func(t tag) bool {
			for _, d := range dels {
				if d.key == t.Key && (d.anyValue || d.value == t.Value) {
					return true
				}
			}
			return false
		})
	}
	s.changed()
	return map[string]any{"Return": true}, nil
}

// settled reports whether a transition started at since is over at now.
func settled(now, since time.Time, d time.Duration) bool { return now.Sub(since) >= d }
