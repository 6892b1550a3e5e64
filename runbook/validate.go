package runbook

import (
	"errors"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// Severity tells an error from a warning: SeverityError or
// SeverityWarning, whose String is "error" or "warning". It is
// policy.Severity too.
type Severity = field.Severity

// The severities of a [Problem].
const (
	SeverityError   = field.SeverityError
	SeverityWarning = field.SeverityWarning
)

// Problem is one finding of validation.
type Problem struct {
	// Path is the wire path of the offending field, such as
	// "mainSteps[1].inputs.DesiredState".
	Path string
	// Value is the offending value as JSON text, when there is one.
	Value string
	// Message says what is wrong.
	Message string
	// Allowed says what would be accepted, when that can be said.
	Allowed  string
	Severity Severity
	// Code identifies the rule, such as [CodeEnum]; stable across releases.
	Code string
}

func (p Problem) Error() string { return p.field().Error() }

func (p Problem) field() field.Error {
	return field.Error{Code: p.Code, Path: p.Path, Value: p.Value, Allowed: p.Allowed, Detail: p.Message, Severity: p.Severity}
}

// problemsOf wraps field errors as Problems, nil when there are none.
func problemsOf(list field.List) []Problem {
	if len(list) == 0 {
		return nil
	}
	out := make([]Problem, len(list))
	for i, e := range list {
		out[i] = problemOf(e)
	}
	return out
}

// problemOf wraps a field error as a Problem.
func problemOf(e field.Error) Problem {
	return Problem{Code: e.Code, Path: e.Path, Value: e.Value, Allowed: e.Allowed, Message: e.Detail, Severity: e.Severity}
}

// ValidationError holds every error-level problem of a document.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "runbook: invalid document: " + strings.Join(msgs, "; ")
}

// Unwrap returns each problem, so errors.As finds a Problem.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Report is the result of validation.
type Report struct {
	Errors   []Problem
	Warnings []Problem
}

// Err returns a *ValidationError with the errors, or nil.
func (r Report) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	return &ValidationError{Problems: append([]Problem(nil), r.Errors...)}
}

// Problems returns errors then warnings.
func (r Report) Problems() []Problem {
	return append(append([]Problem(nil), r.Errors...), r.Warnings...)
}

// ValidateOptions tune [Document.Validate].
type ValidateOptions struct {
	// Name is the document name, checked against SSM's naming rules when set.
	Name string
}

// AsValidationError reports whether err holds a *ValidationError.
func AsValidationError(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

// Validate checks the document and reports every problem with its wire path.
func (d *Document) Validate(optFns ...func(*ValidateOptions)) Report {
	var o ValidateOptions
	for _, fn := range optFns {
		fn(&o)
	}
	v := &validator{doc: d, opts: o}
	v.run()
	return v.report()
}

// validateSized is Validate for a document whose compact JSON is known to
// be size bytes long, which spares encoding it again.
func (d *Document) validateSized(size int, optFns ...func(*ValidateOptions)) Report {
	var o ValidateOptions
	for _, fn := range optFns {
		fn(&o)
	}
	v := &validator{doc: d, opts: o, size: size}
	v.run()
	return v.report()
}

type validator struct {
	doc      *Document
	opts     ValidateOptions
	problems field.List

	params   map[string]*Parameter
	vars     map[string]*Variable
	files    map[string]bool
	allSteps map[string]*stepInfo // every step by name, loops included
	size     int                  // length of the compact JSON when known, else 0

	stepLists map[*Step]string // see stepList
	// namesRepeat is set when a step repeats a name or has none, which
	// the lookups through allSteps alone cannot tell apart.
	namesRepeat bool
	members     memberBuf  // for checkInputs
	infoSlab    []stepInfo // see newInfo
}

func (v *validator) run() {
	d := v.doc
	if d.SchemaVersion != SchemaVersion {
		v.fail(CodeSchemaVersion, field.NewPath("schemaVersion"), quote(d.SchemaVersion), "0.3", "unsupported schema version")
	}
	if len(d.MainSteps) == 0 {
		v.fail(CodeNoSteps, field.NewPath("mainSteps"), "", "one or more steps", "a runbook needs at least one step in mainSteps")
	}
	v.rules()
}

func quote(s string) string { return string(mustMarshal(s)) }
