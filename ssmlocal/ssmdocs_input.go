package ssmlocal

import (
	"context"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Helpers the typed document, tag and Automation handlers share.

// checkedDocTags converts a document's request tags and checks them as
// EC2's tags are checked: a key of 1 to 128 characters outside the aws:
// prefix, a value of at most 256.
func checkedDocTags(in []types.Tag) ([]tag, error) {
	tags := ssmTags(in)
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, apiErr("InvalidParameterValue", "Tag key must be 1 to 128 characters and tag value at most 256 characters: %q", t.Key)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, apiErr("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	return tags, nil
}

// docTagList is a document's tags in the SDK's type: never nil, so a
// document without tags still lists an empty TagList.
func docTagList(tags []tag) []types.Tag {
	out := make([]types.Tag, len(tags))
	for i, t := range tags {
		out[i] = types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)}
	}
	return out
}

// docTarget authorizes a document operation on the document a member of
// its input names (a document ARN gives its name), with the document's
// type and tags.
func docTarget[In any](nameOf func(*In) *string) func(s *Server, c *call, in *In) []authTarget {
	return func(s *Server, c *call, in *In) []authTarget {
		name := plainDocName(aws.ToString(nameOf(in)))
		return on(s.docARN(c.region.Name, name), documentContext(c.region, name))
	}
}

// plainDocName is the name a document member gives: a document's ARN
// gives the name in it.
func plainDocName(name string) string {
	if m := docARNPattern.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return name
}

// withShape runs prep on a request's shape before h decodes it: for the
// members a protocol spells otherwise than the SDK's field names, and for
// the values steps pass more loosely than the wire.
func withShape(prep func(in map[string]any), h handlerFunc) handlerFunc {
	return func(s *Server, ctx context.Context, c *call, in map[string]any) (map[string]any, error) {
		prep(in)
		return h(s, ctx, c, in)
	}
}

// authOnShape is authOnInput for an operation whose handler runs prep on
// the request's shape before decoding it: the targets read the input as
// the handler will, from a copy of the shape.
func authOnShape[In any](action string, prep func(in map[string]any), targets func(s *Server, c *call, in *In) []authTarget) authSpec {
	spec := authOnInput(action, targets)
	decoded := spec.targets
	spec.targets = func(s *Server, c *call, in map[string]any) []authTarget {
		in = maps.Clone(in)
		prep(in)
		return decoded(s, c, in)
	}
	return spec
}
