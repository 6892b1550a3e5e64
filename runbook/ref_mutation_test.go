package runbook

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParseReferencesExact lists the references found in strings, with
// their kinds, names and text as written, per the forms of
// https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
// and
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-variables.html
func TestParseReferencesExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []Reference
	}{
		{name: "none", in: "plain"},
		{name: "unterminated", in: "{{ a "},
		{name: "closing before opening", in: "a }} {{ b }}",
			want: []Reference{{Kind: RefParameter, Name: "b", Text: "{{ b }}"}}},
		{name: "at the start", in: "{{ a }}x",
			want: []Reference{{Kind: RefParameter, Name: "a", Text: "{{ a }}"}}},
		{name: "one after another", in: "{{a}}{{ s.Out }}-{{ global:REGION }}",
			want: []Reference{
				{Kind: RefParameter, Name: "a", Text: "{{a}}"},
				{Kind: RefStepOutput, Name: "s", Output: "Out", Text: "{{ s.Out }}"},
				{Kind: RefGlobal, Name: "REGION", Text: "{{ global:REGION }}"},
			}},
		{name: "empty", in: "x{{}}y",
			want: []Reference{{Kind: RefInvalid, Text: "{{}}"}}},
		{name: "empty then one", in: "{{}}{{ b }}",
			want: []Reference{{Kind: RefInvalid, Text: "{{}}"}, {Kind: RefParameter, Name: "b", Text: "{{ b }}"}}},
		{name: "braces inside", in: "{{{{}}",
			want: []Reference{{Kind: RefInvalid, Name: "{{", Text: "{{{{}}"}}},
		{name: "prefix without a name", in: "{{ global: }}",
			want: []Reference{{Kind: RefInvalid, Name: "global:", Text: "{{ global: }}"}}},
		{name: "unknown prefix", in: "{{ x:y }}",
			want: []Reference{{Kind: RefInvalid, Name: "x:y", Text: "{{ x:y }}"}}},
		{name: "output without a step", in: "{{ .a }}",
			want: []Reference{{Kind: RefInvalid, Name: ".a", Text: "{{ .a }}"}}},
		{name: "step without an output", in: "{{ a. }}",
			want: []Reference{{Kind: RefInvalid, Name: "a.", Text: "{{ a. }}"}}},
		{name: "blank inside", in: "{{ a b }}",
			want: []Reference{{Kind: RefInvalid, Name: "a b", Text: "{{ a b }}"}}},
		{name: "automation, variable and Parameter Store", in: "{{ automation:EXECUTION_ID }}/{{ variable:V }}/{{ssm:/p}}/{{ssm-secure:/q}}",
			want: []Reference{
				{Kind: RefAutomation, Name: "EXECUTION_ID", Text: "{{ automation:EXECUTION_ID }}"},
				{Kind: RefVariable, Name: "V", Text: "{{ variable:V }}"},
				{Kind: RefSSMParameter, Name: "/p", Text: "{{ssm:/p}}"},
				{Kind: RefSSMParameter, Name: "/q", Text: "{{ssm-secure:/q}}"},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ParseReferences(tc.in))
		})
	}
}

// TestZeroReferenceHasNoKind checks that the Reference returned with false
// is no kind of reference: the kinds start at one.
func TestZeroReferenceHasNoKind(t *testing.T) {
	for _, k := range []RefKind{RefParameter, RefStepOutput, RefGlobal, RefAutomation, RefVariable, RefSSMParameter, RefInvalid} {
		assert.NotZero(t, k, "%s", k)
		assert.NotEmpty(t, k.String())
	}
	assert.Empty(t, RefKind(0).String())
	ref, ok := WholeReference("plain")
	assert.False(t, ok)
	assert.Empty(t, ref.Kind.String())
}

// TestReferenceStringOfEachKind checks the canonical form written for
// each kind, which parses back to the same reference.
func TestReferenceStringOfEachKind(t *testing.T) {
	for _, tc := range []struct {
		ref  Reference
		want string
	}{
		{Reference{Kind: RefParameter, Name: "P"}, "{{ P }}"},
		{Reference{Kind: RefStepOutput, Name: "s", Output: "O"}, "{{ s.O }}"},
		{Reference{Kind: RefGlobal, Name: GlobalRegion}, "{{ global:REGION }}"},
		{Reference{Kind: RefAutomation, Name: AutomationExecutionID}, "{{ automation:EXECUTION_ID }}"},
		{Reference{Kind: RefVariable, Name: "V"}, "{{ variable:V }}"},
		{Reference{Kind: RefSSMParameter, Name: "/p"}, "{{ssm:/p}}"},
		{Reference{Kind: RefInvalid, Name: "a b", Text: "{{ a b }}"}, "{{ a b }}"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.ref.String())
			back, ok := WholeReference(tc.want)
			assert.True(t, ok)
			tc.ref.Text = tc.want
			assert.Equal(t, tc.ref, back)
		})
	}
}
