package runbook_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// A flow field "step:" names no step, also in a runbook where a step has
// no name (whose lookup key is the empty name).
func TestValidateFlowToEmptyStepName(t *testing.T) {
	for _, field := range []string{"onFailure", "onCancel"} {
		t.Run(field, func(t *testing.T) {
			doc, err := runbook.Parse([]byte(`schemaVersion: '0.3'
mainSteps:
  - action: aws:sleep
    ` + field + `: 'step:'
    inputs: {Duration: PT1S}
`))
			require.NoError(t, err)
			var codes []string
			for _, p := range doc.Validate().Errors {
				codes = append(codes, p.Code+" "+p.Path)
			}
			assert.Contains(t, codes, runbook.CodeUnknownStep+" mainSteps[0]."+field)
		})
	}
}
