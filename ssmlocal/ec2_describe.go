package ssmlocal

import (
	"slices"
	"strings"
	"time"
)

// describeSpec is what one EC2 Describe call has of its own; describeEC2
// does the rest the same way for every resource.
type describeSpec[T any] struct {
	// idsKey is the member naming resources ("VolumeIds"); "" when the
	// call takes none.
	idsKey string
	// set is the id set's name in EC2's refusal of ids with MaxResults
	// ("volumeSet"); "" when the call takes both.
	set string
	// read reads the call's other members, before Filters; the predicate
	// it returns, when not nil, keeps only some resources.
	read func(in map[string]any) (func(v T, now time.Time) bool, error)
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
	// key names the result list; shape renders a page of it.
	key   string
	shape func(r *region, page []T, now time.Time) []any
}

// describeEC2 runs a Describe call: it reads ids, Filters and paging,
// resolves the ids or lists the Region's resources, filters, sorts and
// pages them, and shapes the page.
func describeEC2[T any](s *Server, c *call, in map[string]any, spec describeSpec[T]) (map[string]any, error) {
	var ids []string
	var err error
	if spec.idsKey != "" {
		if ids, err = strList(in, spec.idsKey); err != nil {
			return nil, err
		}
	}
	var keep func(T, time.Time) bool
	if spec.read != nil {
		if keep, err = spec.read(in); err != nil {
			return nil, err
		}
	}
	var fs []ec2Filter
	if spec.instanceOrder {
		_, err = objects(in, "Filters")
	} else {
		fs, err = readFilters(in, spec.filter)
	}
	if err != nil {
		return nil, err
	}
	maxResults, next, err := readDescribePage(in, spec, len(ids) > 0)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []T
	if len(ids) > 0 {
		if list, err = spec.named(c.region, ids); err != nil {
			return nil, err
		}
	} else {
		list = spec.all(c.region)
	}
	if len(ids) == 0 || !spec.keepNamed {
		slices.SortFunc(list, spec.compare)
	}
	if spec.instanceOrder {
		if fs, err = readFilters(in, spec.filter); err != nil {
			return nil, err
		}
	}
	now := s.clock.Now()
	var shown []T
	for _, v := range list {
		if matchFilters(fs, spec.values(v, now)) && (keep == nil || keep(v, now)) {
			shown = append(shown, v)
		}
	}
	page, token, err := paginate(shown, maxResults, next)
	if err != nil {
		return nil, err
	}
	out := map[string]any{spec.key: spec.shape(c.region, page, now)}
	if token != "" {
		out["NextToken"] = token
	}
	return out, nil
}

// readDescribePage reads MaxResults and NextToken, refusing MaxResults
// with ids where the call does.
func readDescribePage[T any](in map[string]any, spec describeSpec[T], named bool) (int, string, error) {
	combined := func(maxResults int64) error {
		if spec.set != "" && maxResults != 0 && named {
			return apiErr("InvalidParameterCombination", "The parameter %s cannot be used with the parameter maxResults", spec.set)
		}
		return nil
	}
	if !spec.instanceOrder {
		maxResults, next, err := readPage(in, spec.lo, spec.hi)
		if err != nil {
			return 0, "", err
		}
		return maxResults, next, combined(int64(maxResults))
	}
	maxResults, err := integer(in, "MaxResults", 0)
	if err != nil {
		return 0, "", err
	}
	next, err := str(in, "NextToken")
	if err != nil {
		return 0, "", err
	}
	if err := combined(maxResults); err != nil {
		return 0, "", err
	}
	if maxResults != 0 && (maxResults < spec.lo || maxResults > spec.hi) {
		return 0, "", apiErr("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between %d and %d.", maxResults, spec.lo, spec.hi)
	}
	return int(maxResults), next, nil
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
func shapeEach[T any](shape func(v T, now time.Time) map[string]any) func(r *region, page []T, now time.Time) []any {
	return func(_ *region, page []T, now time.Time) []any {
		out := make([]any, len(page))
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
