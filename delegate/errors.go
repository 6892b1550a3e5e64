package delegate

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// Sentinel kinds of planning problems, matched with errors.Is against a
// *PlanError or one of its problems.
var (
	// ErrConflict: the runbook or the inputs contradict the mode, such as a
	// literal assumeRole planned in runtime mode.
	ErrConflict = errors.New("conflict")
	// ErrNeedsInput: the plan cannot be made without more input, such as the
	// content of an existing document whose role policy must be derived.
	ErrNeedsInput = errors.New("needs input")
	// ErrInvalidInput: an account, Region, ARN or name is malformed.
	ErrInvalidInput = errors.New("invalid input")
	// ErrInvalidOutput: something the plan produces fails validation
	// (runbook validation, policy lint).
	ErrInvalidOutput = errors.New("invalid output")
	// ErrModeRefused: the mode cannot serve this runbook, such as caller mode
	// for a run that may last longer than 12 hours.
	ErrModeRefused = errors.New("mode refused")
)

// Problem is one reason a plan cannot be made.
type Problem struct {
	// Field names what is wrong: an input ("account", "roleArn") or a wire
	// path of the document ("parameters.AutomationAssumeRole.type").
	Field string
	// Message says what is wrong and, when it can, what would be accepted.
	Message string
	// Kind is one of the sentinel errors of this package.
	Kind error
	// Err is the underlying error, such as a *runbook.ValidationError.
	Err error
}

// Error renders as every field error does: "field: message".
func (p *Problem) Error() string {
	return field.Error{Path: p.Field, Detail: p.Message}.Error()
}

// Is matches the problem's Kind.
func (p *Problem) Is(target error) bool { return p.Kind != nil && target == p.Kind }

// Unwrap returns the underlying error.
func (p *Problem) Unwrap() error { return p.Err }

// CallerModeError refuses caller mode for a runbook that may outlive the
// caller's 12-hour temporary session. It matches ErrModeRefused.
type CallerModeError struct {
	// Bound is the worst-case duration; meaningless when Unbounded.
	Bound time.Duration
	// Unbounded is set when no bound exists, such as with aws:pause.
	Unbounded bool
	// Reasons explain the bound step by step, then the unbounded causes.
	Reasons []string
	// Cause names the step that decides: the first step with no bound, or
	// the heaviest step on the longest path (runbook.DurationBound.Cause).
	Cause string
}

func (e *CallerModeError) Error() string {
	var b strings.Builder
	b.WriteString("caller mode refused: ")
	if e.Unbounded {
		b.WriteString("the runbook's duration is unbounded")
	} else {
		fmt.Fprintf(&b, "the runbook may run for %s", e.Bound)
	}
	if r := e.reason(); r != "" {
		b.WriteString(" (")
		b.WriteString(r)
		b.WriteString(")")
	}
	fmt.Fprintf(&b, ", longer than the caller's %s session; use a service role (embedded or runtime mode)", CallerSessionLimit)
	return b.String()
}

// Is matches ErrModeRefused.
func (e *CallerModeError) Is(target error) bool { return target == ErrModeRefused }

// PlanError holds every problem found while planning.
type PlanError struct {
	Problems []error
}

func (e *PlanError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "delegate: cannot plan: " + strings.Join(msgs, "; ")
}

// Unwrap returns each problem, so errors.Is and errors.As see them all.
func (e *PlanError) Unwrap() []error { return append([]error(nil), e.Problems...) }

// problems collects planning problems.
type problems struct{ list []error }

func (ps *problems) add(kind error, field, format string, args ...any) {
	ps.list = append(ps.list, &Problem{Field: field, Message: fmt.Sprintf(format, args...), Kind: kind})
}

func (ps *problems) wrap(kind error, field string, err error) {
	ps.list = append(ps.list, &Problem{Field: field, Message: err.Error(), Kind: kind, Err: err})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &PlanError{Problems: ps.list}
}

// reason explains the bound: the step that decides it, or else the
// unbounded causes, listed last, or the steps' shares.
func (e *CallerModeError) reason() string {
	if e.Cause != "" {
		return e.Cause
	}
	rs := e.Reasons
	if len(rs) == 0 {
		return ""
	}
	if e.Unbounded {
		return rs[len(rs)-1]
	}
	if len(rs) > 3 {
		return strings.Join(rs[:3], "; ") + fmt.Sprintf("; and %d more steps", len(rs)-3)
	}
	return strings.Join(rs, "; ")
}
