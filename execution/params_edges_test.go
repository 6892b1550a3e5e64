package execution_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// TestStartParameterLimitsAtTheirEdge accepts values exactly at a
// parameter's minItems, maxItems, minChars and maxChars: AWS's limits are
// inclusive (https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html).
func TestStartParameterLimitsAtTheirEdge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string][]string
	}{
		{"minItems", map[string][]string{"InstanceId": {"i-1"}}},
		{"maxItems", map[string][]string{"InstanceId": {"i-1", "i-2", "i-3"}}},
		{"minChars zero", map[string][]string{"InstanceId": {"i-1"}, "Comment": {""}}},
		{"maxChars", map[string][]string{"InstanceId": {"i-1"}, "Comment": {"ten chars!"}}},
		{"maxChars counts characters, not bytes", map[string][]string{"InstanceId": {"i-1"}, "Comment": {"ééééééééé."}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execution.NewStartInput("Doc", withDoc, execution.WithParameters(tc.params))
			assert.NoError(t, err)
		})
	}
}
