package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// TestForRunbookDesiredStateUnresolvedSources: a DesiredState from a
// document variable or from text around a reference is not fixed, and the
// unresolved detail names where it comes from.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-changestate.html
func TestForRunbookDesiredStateUnresolvedSources(t *testing.T) {
	tests := []struct {
		name, state, detail string
	}{
		{"document variable", "{{ variable:Target }}", "DesiredState comes from variable Target, so"},
		{"text around a parameter", "x{{ State }}", "DesiredState comes from the expression x{{ State }}, so"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `{"schemaVersion":"0.3","assumeRole":"arn:aws:iam::111122223333:role/R",` +
				`"parameters":{"State":{"type":"String","default":"stopped"}},` +
				`"variables":{"Target":{"type":"String","default":"stopped"}},` +
				`"mainSteps":[{"name":"change","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"` + tt.state + `"}}]}`
			doc, err := runbook.Parse([]byte(src))
			require.NoError(t, err)
			d, err := ForRunbook(doc, testScope)
			var ue *UnderivableError
			require.ErrorAs(t, err, &ue)
			require.Len(t, ue.Unresolved, 1)
			assert.Equal(t, "change", ue.Unresolved[0].Step)
			assert.Contains(t, ue.Unresolved[0].Detail, tt.detail)
			for _, a := range d.Actions() {
				assert.NotContains(t, []string{"ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances"}, a)
			}
		})
	}
}
