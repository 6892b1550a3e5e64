package arn

import (
	"errors"
	"fmt"
	"strings"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ErrInvalid is matched (errors.Is) by Parse's errors.
var ErrInvalid = errors.New("invalid ARN")

// Parse parses "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"; the
// partition, service and resource must not be empty.
func Parse(s string) (ARN, error) {
	parts, ok := Split(s, false)
	if !ok || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, fmt.Errorf("%w: %q is not arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", ErrInvalid, s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// Split splits an ARN or ARN pattern at its first five colons; the sixth
// part keeps any further colons. With vars, a colon inside ${...} does not
// split. ok is false when there are fewer than five colons.
func Split(s string, vars bool) (parts [6]string, ok bool) {
	n, start, depth := 0, 0, 0
	for i := 0; i < len(s) && n < 5; i++ {
		switch {
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case vars && s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			parts[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return parts, false
	}
	parts[5] = s[start:]
	return parts, true
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// cut returns the index of the separator after the resource type, or -1
// when the resource has no type (no '/' or ':', or one in first place).
func (a ARN) cut() int {
	if i := strings.IndexAny(a.Resource, "/:"); i > 0 {
		return i
	}
	return -1
}

// ResourceType is the resource part up to its first '/' or ':' ("role" of
// "role/path/Name"), or "" when the resource is a bare ID.
func (a ARN) ResourceType() string {
	return a.Resource[:max(a.cut(), 0)]
}

// ResourceID is the resource part after its type and separator
// ("path/Name" of "role/path/Name"), or the whole resource when it has no
// type.
func (a ARN) ResourceID() string {
	return a.Resource[a.cut()+1:]
}

// Name is the resource part after its last '/' ("Name" of
// "role/path/Name"): the name of an IAM entity without its path.
func (a ARN) Name() string {
	return a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
}
