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
