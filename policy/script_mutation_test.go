//go:build cgo

package policy

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestForRunbookScriptScalarArgumentNote checks that a scalar argument
// bound to a free parameter through InputPayload is reported under its own
// input path, as a scalar and not as the first item of a list.
func TestForRunbookScriptScalarArgumentNote(t *testing.T) {
	tests := []struct {
		name     string
		params   string
		body     string
		payload  map[string]any
		action   string
		resource []string
		note     string
	}{
		{
			name:     "scalar",
			params:   `{"ParamName":{"type":"String"}}`,
			body:     "boto3.client('ssm').get_parameter(Name=events['Name'])",
			payload:  map[string]any{"Name": "{{ ParamName }}"},
			action:   "ssm:GetParameter",
			resource: []string{"arn:aws:ssm:us-east-1:111122223333:parameter/*"},
			note:     `note: sc.inputs.Name: "{{ ParamName }}" is not fixed by the runbook, so it stands as "*" in the resource ARNs`,
		},
		{
			name:     "list",
			params:   `{"ParamName":{"type":"String"}}`,
			body:     "boto3.client('ssm').get_parameters(Names=[events['Name']])",
			payload:  map[string]any{"Name": "{{ ParamName }}"},
			action:   "ssm:GetParameters",
			resource: []string{"arn:aws:ssm:us-east-1:111122223333:parameter/*"},
			note:     `note: sc.inputs.Names[0]: "{{ ParamName }}" is not fixed by the runbook, so it stands as "*" in the resource ARNs`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "import boto3\n\n\ndef handler(events, context):\n    " + tt.body + "\n"
			d, err := ForRunbook(scriptRunbook(t, tt.params, map[string]any{"Script": src, "InputPayload": tt.payload}), testScope)
			require.NoError(t, err)
			assert.Equal(t, []string{tt.action}, d.Actions())
			assert.Equal(t, tt.resource, resourcesOf(d.Policy, tt.action))
			var b bytes.Buffer
			require.NoError(t, d.Explain(&b))
			assert.Contains(t, b.String(), tt.note+"\n")
		})
	}
}
