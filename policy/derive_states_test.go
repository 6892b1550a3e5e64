package policy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForRunbookDesiredStateFromInputs(t *testing.T) {
	const pick = `{"name":"pick","action":"aws:executeAwsApi","inputs":{"Service":"ssm","Api":"GetParameter","Name":"/ops/state"},"outputs":[{"Name":"State","Selector":"$.Parameter.Value","Type":"String"}]}`
	change := func(state string) string {
		return `{"name":"change","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"` + state + `"}}`
	}
	tests := []struct {
		name     string
		params   string
		steps    []string
		declared map[string][]string
		want     []string // state-changing actions granted
		detail   string   // unresolved detail, when the states are unknown
	}{
		{name: "parameter allowedValues without terminated",
			params: `{"State":{"type":"String","allowedValues":["running","stopped"]}}`,
			steps:  []string{change("{{ State }}")},
			want:   []string{"ec2:StartInstances", "ec2:StopInstances"}},
		{name: "parameter allowedValues with terminated",
			params: `{"State":{"type":"String","allowedValues":["terminated"]}}`,
			steps:  []string{change("{{ State }}")},
			want:   []string{"ec2:TerminateInstances"}},
		{name: "parameter without allowedValues",
			params: `{"State":{"type":"String","default":"stopped"}}`,
			steps:  []string{change("{{ State }}")},
			detail: `DesiredState comes from parameter State, which has no allowedValues`},
		{name: "step output",
			steps:  []string{pick, change("{{ pick.State }}")},
			detail: `DesiredState comes from the output pick.State`},
		{name: "step output declared",
			steps:    []string{pick, change("{{ pick.State }}")},
			declared: map[string][]string{"change": {"stopped"}},
			want:     []string{"ec2:StopInstances"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw []json.RawMessage
			for _, s := range tt.steps {
				raw = append(raw, json.RawMessage(s))
			}
			steps, err := json.Marshal(raw)
			require.NoError(t, err)
			d, err := ForRunbook(runbookJSON(t, tt.params, string(steps)), testScope, func(o *RunbookOptions) { o.DesiredStates = tt.declared })
			var got []string
			for _, a := range d.Actions() {
				switch a {
				case "ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances":
					got = append(got, a)
				}
			}
			assert.Equal(t, tt.want, got)
			assertCatalogActions(t, d)
			if tt.detail == "" {
				require.NoError(t, err)
				return
			}
			var ue *UnderivableError
			require.ErrorAs(t, err, &ue)
			require.Len(t, ue.Unresolved, 1)
			assert.Equal(t, "change", ue.Unresolved[0].Step)
			assert.Contains(t, ue.Unresolved[0].Detail, tt.detail)
			assert.Contains(t, ue.Unresolved[0].Detail, `DesiredStates["change"]`)
		})
	}
}
