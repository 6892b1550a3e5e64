package ssmlocal

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// The EC2 handlers read the SDK's input structs (ec2.CreateTagsInput, ...)
// and answer its output structs. What every mutating call does besides its
// own act is written once, in ec2Change: take the lock, look up and check
// what the call names, stop a dry run there, act, and persist.

// ec2Change is a mutating EC2 call once its input is read.
type ec2Change[T, Out any] struct {
	// replay, when set, returns the answer of an earlier call with the
	// same ClientToken, or nil; a replay is answered even to a dry run.
	replay func() *Out
	// find looks up and checks what the call acts on, with EC2's errors
	// for an unknown, malformed or busy resource; a dry run that passes
	// it is refused with DryRunOperation.
	find func(now time.Time) (T, error)
	// apply acts on what find returned.
	apply func(v T, now time.Time) (*Out, error)
	// readOnly marks a call that changes nothing to persist.
	readOnly bool
}

// run runs the call under s.mu (written).
func (ch ec2Change[T, Out]) run(s *Server, dryRun *bool) (*Out, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch.replay != nil {
		if out := ch.replay(); out != nil {
			return out, nil
		}
	}
	now := s.clock.Now().UTC()
	v, err := ch.find(now)
	if err != nil {
		return nil, err
	}
	if aws.ToBool(dryRun) {
		return nil, errDryRun
	}
	out, err := ch.apply(v, now)
	if err != nil {
		return nil, err
	}
	if !ch.readOnly {
		s.changed()
	}
	return out, nil
}

// required refuses an empty required member as EC2 does.
func required(name, value string) error {
	if value == "" {
		return apiErr("MissingParameter", "The request must contain the parameter %s", name)
	}
	return nil
}

// ec2TagsIn reads a request's tags, checking each as EC2 does.
func ec2TagsIn(list []ec2types.Tag) ([]tag, error) {
	var out []tag
	for _, t := range list {
		tg := tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)}
		if err := checkEC2Tag(tg); err != nil {
			return nil, err
		}
		out = append(out, tg)
	}
	return out, nil
}

// requestTags reads a request's tags unchecked, for authorization, which
// runs before the handler checks them.
func requestTags(list []ec2types.Tag) []tag {
	out := make([]tag, 0, len(list))
	for _, t := range list {
		out = append(out, tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

// ec2TagList is tags as the SDK's; nil when there are none, so the member
// is left out.
func ec2TagList(tags []tag) []ec2types.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]ec2types.Tag, len(tags))
	for i, t := range tags {
		out[i] = ec2types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)}
	}
	return out
}

// tagSpecs reads the tags of TagSpecifications for resource type want;
// other taggable types of the operation are accepted and ignored.
func tagSpecs(specs []ec2types.TagSpecification, want string, also ...string) ([]tag, error) {
	var out []tag
	for _, sp := range specs {
		rt := string(sp.ResourceType)
		tags, err := ec2TagsIn(sp.Tags)
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

// specTags is tagSpecs for authorization: unchecked, nil when unreadable.
func specTags(specs []ec2types.TagSpecification, want string, also ...string) []tag {
	tags, _ := tagSpecs(specs, want, also...)
	return tags
}

// one is the single id a member names, or none.
func one(id *string) []string {
	if aws.ToString(id) == "" {
		return nil
	}
	return []string{*id}
}

// regional is the condition context of every EC2 target: its Region.
func regional(region string) map[string][]string {
	return map[string][]string{"ec2:Region": {region}}
}

// newResourceTarget is the target of a resource a call creates: "*" of its
// type, with the request's tags.
func newResourceTarget(arn, region string, tags []tag) authTarget {
	return authTarget{resource: arn, context: requestTagContext(tags, regional(region))}
}

// ec2Return is the answer of the calls EC2 answers with
// <return>true</return>, a member the SDK's outputs of them
// (ec2.CreateTagsOutput, ...) leave out.
type ec2Return struct{ Return *bool }

func returnedTrue() *ec2Return { return &ec2Return{Return: aws.Bool(true)} }

// renamed gives a handler the member from as to when the request has no
// member to: EC2's query names a few list members apart from the model
// (DescribeSnapshots' Owner.N is OwnerIds), and the query shape takes the
// name other operations give the same query name (DescribeImages' Owners).
func renamed(from, to string, h handlerFunc) handlerFunc {
	return func(s *Server, ctx context.Context, c *call, in map[string]any) (map[string]any, error) {
		if v, ok := in[from]; ok {
			if _, have := in[to]; !have {
				in = maps.Clone(in)
				in[to] = v
				delete(in, from)
			}
		}
		return h(s, ctx, c, in)
	}
}
