package field

import (
	"fmt"
	"strings"
)

// Severity tells an error from a warning.
type Severity int

// The severities of an [Error].
const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MaxValueLength is how much of a Value [Error.Error] shows.
const MaxValueLength = 80

// Error is one problem with a field.
type Error struct {
	// Code identifies the rule; stable across releases.
	Code string
	// Path is the rendered wire path; "" for the whole input.
	Path string
	// Value is the offending value, when there is one.
	Value string
	// Allowed says what would be accepted, when that can be said.
	Allowed string
	// Detail says what is wrong.
	Detail   string
	Severity Severity
}

// New returns an error-level problem at path.
func New(code string, path *Path, value, allowed, detail string) Error {
	return Error{Code: code, Path: path.String(), Value: value, Allowed: allowed, Detail: detail}
}

// Warning returns a warning-level problem at path.
func Warning(code string, path *Path, value, allowed, detail string) Error {
	e := New(code, path, value, allowed, detail)
	e.Severity = SeverityWarning
	return e
}

// Error renders "path: [warning: ]detail (got value); allowed: allowed",
// leaving out what is empty and cutting the value to MaxValueLength bytes.
func (e Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(e.Detail)
	if e.Value != "" {
		b.WriteString(" (got ")
		b.WriteString(Truncate(e.Value, MaxValueLength))
		b.WriteString(")")
	}
	if e.Allowed != "" {
		b.WriteString("; allowed: ")
		b.WriteString(e.Allowed)
	}
	return b.String()
}

// Truncate cuts s to n bytes and marks the cut with an ellipsis.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// List is a list of problems in the order found.
type List []Error

// Add appends e.
func (l *List) Add(e Error) { *l = append(*l, e) }

// Errorf appends an error-level problem with a formatted detail.
func (l *List) Errorf(code string, path *Path, format string, args ...any) {
	l.Add(New(code, path, "", "", fmt.Sprintf(format, args...)))
}

// Warnf appends a warning-level problem with a formatted detail.
func (l *List) Warnf(code string, path *Path, format string, args ...any) {
	l.Add(Warning(code, path, "", "", fmt.Sprintf(format, args...)))
}

// Filter returns the problems of severity s, nil when there are none.
func (l List) Filter(s Severity) List {
	var out List
	for _, e := range l {
		if e.Severity == s {
			out = append(out, e)
		}
	}
	return out
}

// Errors returns the error-level problems.
func (l List) Errors() List { return l.Filter(SeverityError) }

// Warnings returns the warning-level problems.
func (l List) Warnings() List { return l.Filter(SeverityWarning) }
