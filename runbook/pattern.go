package runbook

import (
	"errors"
	"fmt"
	"regexp"
)

// ErrUncheckablePattern reports an allowedPattern that Go's RE2 engine
// cannot compile. AWS evaluates patterns with Java's engine, which has
// constructs RE2 lacks (lookaround, backreferences, possessive
// quantifiers), so such a pattern may be valid on AWS and still be
// impossible to check offline.
//
// The rule, the same everywhere in this module:
//   - validation accepts the document with a warning (AWS accepts it);
//   - a client-side check before a start (package execution, delegate
//     plans) skips the pattern and leaves the decision to the service;
//   - the local endpoint, which stands in for the service, refuses the
//     start: it cannot decide what AWS would, and accepting would let a
//     value through that AWS may reject.
var ErrUncheckablePattern = errors.New("allowedPattern cannot be checked with RE2")

// PatternError is an allowedPattern that RE2 cannot compile; it matches
// ErrUncheckablePattern.
type PatternError struct {
	Pattern string
	Err     error
}

func (e *PatternError) Error() string {
	p := e.Pattern
	if len(p) > 128 {
		return fmt.Sprintf("allowedPattern %s… (%d bytes) cannot be checked here: %v", quote(p[:128]), len(p), e.Err)
	}
	return fmt.Sprintf("allowedPattern %s cannot be checked here: %v", quote(p), e.Err)
}

func (e *PatternError) Is(target error) bool { return target == ErrUncheckablePattern }

func (e *PatternError) Unwrap() error { return e.Err }

// CompilePattern compiles a parameter's allowedPattern. An empty pattern
// returns nil and no error. A pattern RE2 cannot compile returns a
// *PatternError; see ErrUncheckablePattern for what callers do with it.
func CompilePattern(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		return nil, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, &PatternError{Pattern: pattern, Err: err}
	}
	return re, nil
}
