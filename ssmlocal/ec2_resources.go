package ssmlocal

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
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
func readFilters(list []ec2types.Filter, known func(name string) bool) ([]ec2Filter, error) {
	var fs []ec2Filter
	for _, f := range list {
		name := aws.ToString(f.Name)
		if !known(name) {
			return nil, apiErr("InvalidParameterValue", "The filter '%s' is invalid", name)
		}
		fs = append(fs, ec2Filter{name, f.Values})
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

// resourceTargets authorizes each resource ids names (none: "*"), with
// its tags and the request's tags (CreateTags, DeleteTags). Unknown ids
// are authorized without tags; the handler reports them.
func (s *Server) resourceTargets(c *call, ids []string, request []tag) []authTarget {
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
		if request != nil {
			ctx = requestTagContext(request, ctx)
		}
		ctx["ec2:Region"] = []string{c.regionNm}
		out = append(out, authTarget{resource: s.ec2ResourceARN(c.region.Name, id), context: ctx})
	}
	return out
}

// idTargets is the target function of a call on the resources one member
// of its input names.
func idTargets[In any](ids func(in *In) []string) func(s *Server, c *call, in *In) []authTarget {
	return func(s *Server, c *call, in *In) []authTarget {
		return s.resourceTargets(c, ids(in), nil)
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

// tagRow is one tag of one resource, as DescribeTags lists it.
type tagRow struct {
	id, kind string
	t        tag
	all      []tag
}

// ec2DescribeTags lists the tags of every resource, filtered by key,
// value, resource-id and resource-type, in resource then key order.
func (s *Server) ec2DescribeTags(_ context.Context, c *call, in *ec2.DescribeTagsInput) (*ec2.DescribeTagsOutput, error) {
	req := describeRequest{filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken}
	page, next, err := describeEC2(s, c, req, describeSpec[tagRow, ec2types.TagDescription]{
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
		shape: shapeEach(func(r tagRow, _ time.Time) ec2types.TagDescription {
			return ec2types.TagDescription{Key: aws.String(r.t.Key), Value: aws.String(r.t.Value), ResourceId: aws.String(r.id), ResourceType: ec2types.ResourceType(r.kind)}
		}),
	})
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeTagsOutput{Tags: page, NextToken: next}, nil
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

// tagDeletion is one tag DeleteTags names: a key alone deletes it
// whatever its value.
type tagDeletion struct {
	key, value string
	anyValue   bool
}

// ec2DeleteTags deletes tags: a key alone deletes it whatever its value, a
// key with a value only when the value matches (an empty value only an
// empty one), and no Tags member deletes every tag.
func (s *Server) ec2DeleteTags(_ context.Context, c *call, in *ec2.DeleteTagsInput) (*ec2Return, error) {
	if len(in.Resources) == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter resourceIdSet")
	}
	var dels []tagDeletion
	for _, t := range in.Tags {
		k := aws.ToString(t.Key)
		if k == "" {
			return nil, apiErr("InvalidParameterValue", "Tag key must not be empty")
		}
		dels = append(dels, tagDeletion{key: k, value: aws.ToString(t.Value), anyValue: t.Value == nil})
	}
	return ec2Change[[]ec2Resource, ec2Return]{
		find: func(time.Time) ([]ec2Resource, error) {
			return namedEach(s.ec2ResourceNamed)(c.region, in.Resources)
		},
		apply: func(res []ec2Resource, _ time.Time) (*ec2Return, error) {
			for _, r := range res {
				if in.Tags == nil {
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
			return returnedTrue(), nil
		},
	}.run(s, in.DryRun)
}

// settled reports whether a transition started at since is over at now.
func settled(now, since time.Time, d time.Duration) bool { return now.Sub(since) >= d }
