package runbook

import (
	"strings"
)

// RefKind says what a {{ }} reference points at.
type RefKind int

// The kinds of reference an Automation document may use.
const (
	// RefParameter is a document parameter: {{ InstanceId }}.
	RefParameter RefKind = iota + 1
	// RefStepOutput is an output of an earlier step: {{ launch.InstanceIds }}.
	RefStepOutput
	// RefGlobal is a global variable: {{ global:ACCOUNT_ID }}.
	RefGlobal
	// RefAutomation is an automation variable: {{ automation:EXECUTION_ID }}.
	RefAutomation
	// RefVariable is a document variable: {{ variable:Counter }}.
	RefVariable
	// RefSSMParameter is a Parameter Store value: {{ssm:/app/ami}}, allowed in
	// parameter defaults only.
	RefSSMParameter
	// RefInvalid is text between {{ and }} that is no reference.
	RefInvalid
)

var refKindNames = map[RefKind]string{
	RefParameter: "parameter", RefStepOutput: "step output", RefGlobal: "global variable",
	RefAutomation: "automation variable", RefVariable: "variable", RefSSMParameter: "ssm parameter",
	RefInvalid: "invalid reference",
}

func (k RefKind) String() string { return refKindNames[k] }

// The global and automation variables Automation defines.
const (
	GlobalAccountID       = "ACCOUNT_ID"
	GlobalRegion          = "REGION"
	GlobalPartition       = "AWS_PARTITION"
	GlobalDate            = "DATE"
	GlobalDateTime        = "DATE_TIME"
	AutomationExecutionID = "EXECUTION_ID"
)

// Reference is one {{ }} expression.
type Reference struct {
	Kind RefKind
	// Name is the parameter, variable, global or SSM parameter name, or the
	// step name of a step output.
	Name string
	// Output is the output name of a RefStepOutput.
	Output string
	// Text is the expression as written, braces included.
	Text string
}

// String returns the canonical form of the reference, "{{ X }}".
func (r Reference) String() string {
	switch r.Kind {
	case RefStepOutput:
		return "{{ " + r.Name + "." + r.Output + " }}"
	case RefGlobal:
		return "{{ global:" + r.Name + " }}"
	case RefAutomation:
		return "{{ automation:" + r.Name + " }}"
	case RefVariable:
		return "{{ variable:" + r.Name + " }}"
	case RefSSMParameter:
		return "{{ssm:" + r.Name + "}}"
	case RefInvalid:
		return r.Text
	}
	return "{{ " + r.Name + " }}"
}

// Value returns the reference as a string [Value].
func (r Reference) Value() Value { return String(r.String()) }

// Param returns a reference to the document parameter name, as a value. Used
// as a whole input value it keeps the parameter's type: a StringList
// parameter fills a list input.
func Param(name string) Value { return concatString("{{ ", name, " }}") }

// StepOutput returns a reference to output of the earlier step named step.
func StepOutput(step, output string) Value {
	return concatString("{{ ", step, ".", output, " }}")
}

// Global returns a reference to a global variable such as [GlobalAccountID].
func Global(name string) Value { return concatString("{{ global:", name, " }}") }

// Automation returns a reference to an automation variable such as
// [AutomationExecutionID].
func Automation(name string) Value { return concatString("{{ automation:", name, " }}") }

// Var returns a reference to the document variable name.
func Var(name string) Value { return concatString("{{ variable:", name, " }}") }

// CurrentIteratorValue returns the value of the current iteration of the
// aws:loop step named loop.
func CurrentIteratorValue(loop string) Value { return StepOutput(loop, "CurrentIteratorValue") }

// ParseReferences returns every {{ }} reference in s, in order.
func ParseReferences(s string) []Reference {
	var out []Reference
	eachReference(s, func(r Reference) { out = append(out, r) })
	return out
}

// eachReference calls fn with every {{ }} reference in s, in order.
func eachReference(s string, fn func(Reference)) {
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			return
		}
		text := s[i : i+2+j+2]
		fn(parseRef(text, s[i+2:i+2+j]))
		s = s[i+2+j+2:]
	}
}

// WholeReference returns the reference when s is exactly one reference
// (surrounding blanks allowed), which keeps the referenced value's type.
func WholeReference(s string) (Reference, bool) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{{") || !strings.HasSuffix(t, "}}") {
		return Reference{}, false
	}
	// The first reference must span t: "{{", then the first "}}" at its end.
	j := strings.Index(t[2:], "}}")
	if j < 0 || 2+j+2 != len(t) {
		return Reference{}, false
	}
	return parseRef(t, t[2:2+j]), true
}

// Ref returns the reference when the value is a string made of exactly one
// reference.
func (v Value) Ref() (Reference, bool) {
	if !mayHoldRef(v) {
		return Reference{}, false // spare unquoting a plain string
	}
	s, ok := v.AsString()
	if !ok {
		return Reference{}, false
	}
	return WholeReference(s)
}

// References returns every reference in every string of the value.
func (v Value) References() []Reference {
	var out []Reference
	v.Walk(func(_, s string) {
		if strings.Contains(s, "{{") {
			out = append(out, ParseReferences(s)...)
		}
	})
	return out
}

func parseRef(text, inner string) Reference {
	e := strings.TrimSpace(inner)
	r := Reference{Text: text}
	if e == "" || strings.ContainsAny(e, " \t\n{}") {
		r.Kind, r.Name = RefInvalid, e
		return r
	}
	if p, rest, ok := strings.Cut(e, ":"); ok {
		r.Name = rest
		switch p {
		case "global":
			r.Kind = RefGlobal
		case "automation":
			r.Kind = RefAutomation
		case "variable":
			r.Kind = RefVariable
		case "ssm", "ssm-secure":
			r.Kind = RefSSMParameter
		default:
			r.Kind, r.Name = RefInvalid, e
		}
		if rest == "" {
			r.Kind, r.Name = RefInvalid, e
		}
		return r
	}
	if step, out, ok := strings.Cut(e, "."); ok {
		if step == "" || out == "" {
			r.Kind, r.Name = RefInvalid, e
			return r
		}
		r.Kind, r.Name, r.Output = RefStepOutput, step, out
		return r
	}
	r.Kind, r.Name = RefParameter, e
	return r
}
