package ssmlocal

import (
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// describeSpec is what one EC2 Describe call has of its own; describeEC2
// does the rest the same way for every resource. T is the simulated
// resource, E the SDK's type a page lists.
type describeSpec[T, E any] struct {
	// set is the id set's name in EC2's refusal of ids with MaxResults
	// ("volumeSet"); "" when the call takes both.
	set string
	// keep, when not nil, keeps only some resources.
	keep func(v T, now time.Time) bool
	// filter reports whether a filter name is accepted.
	filter func(name string) bool
	// lo and hi bound MaxResults.
	lo, hi int64
	// instanceOrder checks as DescribeInstances does: ids with MaxResults
	// before MaxResults' bounds, and filter names after the ids.
	instanceOrder bool
	// named looks up the ids with the call's NotFound error; all lists
	// every resource of the Region.
	named func(r *region, ids []string) ([]T, error)
	all   func(r *region) []T
	// compare orders the resources; keepNamed leaves named ones in the
	// order asked for.
	compare   func(a, b T) int
	keepNamed bool
	// values gives a resource's values for each filter name.
	values func(v T, now time.Time) func(name string) []string
	// shape renders a page; never nil, so an empty page is an empty list.
	shape func(r *region, page []T, now time.Time) []E
}

// describeRequest is the members every Describe call reads.
type describeRequest struct {
	ids        []string
	filters    []ec2types.Filter
	maxResults *int32
	nextToken  *string
}

// describeEC2 runs a Describe call: it checks Filters and paging, resolves
// the ids or lists the Region's resources, filters, sorts and pages them,
// and shapes the page; the token is nil on the last page.
func describeEC2[T, E any](s *Server, c *call, req describeRequest, spec describeSpec[T, E]) ([]E, *string, error) {
	var fs []ec2Filter
	var err error
	if !spec.instanceOrder {
		if fs, err = readFilters(req.filters, spec.filter); err != nil {
			return nil, nil, err
		}
	}
	maxResults, err := describePage(req, spec)
	if err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []T
	if len(req.ids) > 0 {
		if list, err = spec.named(c.region, req.ids); err != nil {
			return nil, nil, err
		}
	} else {
		list = spec.all(c.region)
	}
	if len(req.ids) == 0 || !spec.keepNamed {
		slices.SortFunc(list, spec.compare)
	}
	if spec.instanceOrder {
		if fs, err = readFilters(req.filters, spec.filter); err != nil {
			return nil, nil, err
		}
	}
	now := s.clock.Now()
	var shown []T
	for _, v := range list {
		if matchFilters(fs, spec.values(v, now)) && (spec.keep == nil || spec.keep(v, now)) {
			shown = append(shown, v)
		}
	}
	page, token, err := paginate(shown, maxResults, aws.ToString(req.nextToken))
	if err != nil {
		return nil, nil, err
	}
	var next *string
	if token != "" {
		next = &token
	}
	return spec.shape(c.region, page, now), next, nil
}

// describePage checks MaxResults, refusing it with ids where the call
// does: before its bounds in DescribeInstances' order, after them in the
// others'.
func describePage[T, E any](req describeRequest, spec describeSpec[T, E]) (int, error) {
	maxResults := int64(aws.ToInt32(req.maxResults))
	combined := func() error {
		if spec.set != "" && maxResults != 0 && len(req.ids) > 0 {
			return apiErr("InvalidParameterCombination", "The parameter %s cannot be used with the parameter maxResults", spec.set)
		}
		return nil
	}
	if spec.instanceOrder {
		if err := combined(); err != nil {
			return 0, err
		}
	}
	if maxResults != 0 && (maxResults < spec.lo || maxResults > spec.hi) {
		return 0, apiErr("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between %d and %d.", maxResults, spec.lo, spec.hi)
	}
	return int(maxResults), combined()
}

// namedEach looks up ids one by one, stopping at the first error.
func namedEach[T any](lookup func(r *region, id string) (T, error)) func(r *region, ids []string) ([]T, error) {
	return func(r *region, ids []string) ([]T, error) {
		out := make([]T, 0, len(ids))
		for _, id := range ids {
			v, err := lookup(r, id)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
}

// shapeEach renders a page one resource at a time.
func shapeEach[T, E any](shape func(v T, now time.Time) E) func(r *region, page []T, now time.Time) []E {
	return func(_ *region, page []T, now time.Time) []E {
		out := make([]E, len(page))
		for n, v := range page {
			out[n] = shape(v, now)
		}
		return out
	}
}

// mapValues lists a map's values, in no order.
func mapValues[T any](m map[string]T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// byTimeThenID orders resources by when they were made, then by id.
func byTimeThenID(at, bt time.Time, aid, bid string) int {
	if c := at.Compare(bt); c != 0 {
		return c
	}
	return strings.Compare(aid, bid)
}
