package runbook

import (
	"testing"
)

// TestEnumThroughParameterExact covers inputs of allowed values filled
// from a parameter: every value the parameter allows must be one the
// input allows, since any of them may be passed at start. The inputs and
// their values are those of
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-changestate.html
// and
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-createstack.html
func TestEnumThroughParameterExact(t *testing.T) {
	params := "  Ids: {type: StringList}\n" +
		"  Known: {type: String, allowedValues: [running, stopped]}\n" +
		"  Wider: {type: String, allowedValues: [running, paused, hibernated]}\n" +
		"  Free: {type: String}\n" +
		"  Cap: {type: String, allowedValues: [CAPABILITY_IAM, CAPABILITY_ALL]}\n"
	change := func(state string) string {
		return docWith(params, "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: "+state+"}}\n")
	}
	cases := []exactCase{
		{name: "parameter allowing only allowed values", doc: change("'{{ Known }}'")},
		{name: "parameter allowing values the input does not", doc: change("'{{ Wider }}'"),
			want: []string{"error not-allowed-value mainSteps[0].inputs.DesiredState", "error not-allowed-value mainSteps[0].inputs.DesiredState"}},
		// Without allowed values the value is only known at start.
		{name: "parameter of any value", doc: change("'{{ Free }}'")},
		{name: "parameter not declared", doc: change("'{{ Nope }}'"),
			want: []string{"error unresolved-reference mainSteps[0].inputs.DesiredState"}},
		// An output is only known at run time.
		{name: "step output", doc: docWith(params, "- {name: find, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances}, outputs: [{Name: State, Selector: $.s, Type: String}]}\n"+
			"- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: '{{ find.State }}'}}\n")},
		{name: "list item from a parameter allowing a value the input does not", doc: docWith(params, "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', Capabilities: [CAPABILITY_IAM, '{{ Cap }}']}}\n"),
			want: []string{"error not-allowed-value mainSteps[0].inputs.Capabilities[1]"}},
		{name: "escaped literal not allowed", doc: `{"schemaVersion": "0.3", "assumeRole": "arn:aws:iam::123456789012:role/R", "mainSteps": [` +
			`{"name": "a", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": ["i-1"], "DesiredState": "\u0070aused"}}]}`,
			want: []string{"error not-allowed-value mainSteps[0].inputs.DesiredState"}},
		{name: "escaped literal allowed", doc: `{"schemaVersion": "0.3", "assumeRole": "arn:aws:iam::123456789012:role/R", "mainSteps": [` +
			`{"name": "a", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": ["i-1"], "DesiredState": "\u0073topped"}}]}`},
	}
	checkExactCases(t, cases)
}

// TestRequiredInputsOfExecuteScriptExact covers the required inputs of
// aws:executeScript: Runtime always, Handler only for Python, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html
func TestRequiredInputsOfExecuteScriptExact(t *testing.T) {
	cases := []exactCase{
		{name: "no Runtime", steps: "- {name: a, action: 'aws:executeScript', inputs: {Handler: h, Script: x}}\n",
			want: []string{"error required-input mainSteps[0].inputs.Runtime"}},
		{name: "PowerShell without Handler", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: PowerShell 7.4, Script: x}}\n"},
		{name: "Python without Handler", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Script: x}}\n",
			want: []string{"error required-input mainSteps[0].inputs.Handler"}},
	}
	checkExactCases(t, cases)
}
