package runbook

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problemList renders problems as "CODE PATH" for exact comparison.
func problemList(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code+" "+p.Path)
	}
	return out
}

// TestValidateEdges holds action limits at both sides of their edge and
// checks every error and warning reported, so that a limit moved by one or
// an extra warning at the edge is caught. The limits come from the
// Automation action reference
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html).
func TestValidateEdges(t *testing.T) {
	loopOf := func(inputs string) string {
		return "- {name: l, action: 'aws:loop', inputs: {" + inputs + ", Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n"
	}
	for _, c := range []struct {
		name     string
		steps    string
		errors   []string
		warnings []string
	}{
		{name: "executeScript at 600 s", steps: "- {name: a, action: 'aws:executeScript', timeoutSeconds: 600, inputs: {Runtime: python3.11, Handler: h, Script: x}}\n"},
		{name: "executeScript at 601 s", steps: "- {name: a, action: 'aws:executeScript', timeoutSeconds: 601, inputs: {Runtime: python3.11, Handler: h, Script: x}}\n",
			warnings: []string{CodeLimit + " mainSteps[0].timeoutSeconds"}},
		{name: "invokeLambdaFunction at 300 s", steps: "- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: 300, inputs: {FunctionName: f}}\n"},
		{name: "invokeLambdaFunction at 301 s", steps: "- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: 301, inputs: {FunctionName: f}}\n",
			warnings: []string{CodeLimit + " mainSteps[0].timeoutSeconds"}},
		{name: "pause for exactly 30 days", steps: "- {name: a, action: 'aws:pause', timeoutSeconds: 2592000, inputs: {}}\n"},
		{name: "pause one second over 30 days", steps: "- {name: a, action: 'aws:pause', timeoutSeconds: 2592001, inputs: {}}\n",
			errors: []string{CodeLimit + " mainSteps[0].timeoutSeconds"}},
		{name: "one approval of one approver", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u], MinRequiredApprovals: 1}}\n"},
		{name: "no approval required", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u], MinRequiredApprovals: 0}}\n",
			errors: []string{CodeLimit + " mainSteps[0].inputs.MinRequiredApprovals"}},
		{name: "two approvals of one approver", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u], MinRequiredApprovals: 2}}\n",
			errors: []string{CodeLimit + " mainSteps[0].inputs.MinRequiredApprovals"}},
		{name: "no approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: []}}\n",
			errors: []string{CodeRequiredInput + " mainSteps[0].inputs.Approvers"}},
		{name: "MaxIterations 1", steps: loopOf("LoopCondition: {Variable: '{{ Id }}', StringEquals: x}, MaxIterations: 1")},
		{name: "MaxIterations 100", steps: loopOf("LoopCondition: {Variable: '{{ Id }}', StringEquals: x}, MaxIterations: 100")},
		{name: "MaxIterations 0", steps: loopOf("LoopCondition: {Variable: '{{ Id }}', StringEquals: x}, MaxIterations: 0"),
			errors: []string{CodeLimit + " mainSteps[0].inputs.MaxIterations"}},
		{name: "Iterators and LoopCondition", steps: loopOf("Iterators: [a], LoopCondition: {Variable: '{{ Id }}', StringEquals: x}"),
			errors: []string{CodeExclusive + " mainSteps[0].inputs.LoopCondition"}},
		{name: "neither Iterators nor LoopCondition", steps: loopOf("MaxIterations: 2"),
			errors: []string{CodeRequiredInput + " mainSteps[0].inputs"}},
		{name: "Iterators not a list", steps: loopOf("Iterators: a"),
			errors: []string{CodeType + " mainSteps[0].inputs.Iterators"}},
		{name: "Iterators from a string parameter", steps: loopOf("Iterators: '{{ Id }}'"),
			errors: []string{CodeType + " mainSteps[0].inputs.Iterators"}},
		{name: "Iterators from a list parameter", steps: loopOf("Iterators: '{{ Ids }}'")},
		{name: "as many instances at least as at most", steps: "- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, MinInstanceCount: 2, MaxInstanceCount: 2}}\n"},
		{name: "more instances at least than at most", steps: "- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, MinInstanceCount: 3, MaxInstanceCount: 2}}\n",
			errors: []string{CodeLimit + " mainSteps[0].inputs.MinInstanceCount"}},
		{name: "instance profile by ARN and name", steps: "- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, IamInstanceProfileArn: arn, IamInstanceProfileName: n}}\n",
			errors: []string{CodeExclusive + " mainSteps[0].inputs.IamInstanceProfileName"}},
		{name: "Targets without TargetParameterName", steps: "- {name: a, action: 'aws:executeAutomation', inputs: {DocumentName: Child, Targets: [{Key: 'tag:a', Values: [b]}]}}\n",
			errors: []string{CodeRequiredInput + " mainSteps[0].inputs.TargetParameterName"}},
		{name: "Payload and InputPayload", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, Payload: '{}', InputPayload: {a: b}}}\n",
			errors: []string{CodeExclusive + " mainSteps[0].inputs.InputPayload"}},
		{name: "Python script without Handler", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Script: x}}\n",
			errors: []string{CodeRequiredInput + " mainSteps[0].inputs.Handler"}},
		{name: "PowerShell script without Handler", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: PowerShell 7.4, Script: x}}\n"},
		{name: "neither Script nor Attachment", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h}}\n",
			errors: []string{CodeRequiredInput + " mainSteps[0].inputs"}},
		{name: "declared attachment", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Attachment: script.py}}\n"},
		{name: "undeclared attachment", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Attachment: other.py}}\n",
			errors: []string{CodeReference + " mainSteps[0].inputs.Attachment"}},
		{name: "empty Api", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: ' '}}\n",
			errors: []string{CodeRequiredInput + " mainSteps[0].inputs.Api"}},
		{name: "empty PropertySelector", steps: "- {name: a, action: 'aws:waitForAwsResourceProperty', inputs: {Service: ec2, Api: DescribeImages, PropertySelector: '', DesiredValues: [a]}}\n",
			errors: []string{CodeRequiredInput + " mainSteps[0].inputs.PropertySelector"}},
		// Every API parameter is checked, not only the first.
		{name: "reference in a later API parameter", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances, DryRun: false, MaxResults: 5, InstanceIds: ['{{ Nope }}']}}\n",
			errors: []string{CodeReference + " mainSteps[0].inputs.InstanceIds[0]"}},
		{name: "references in two API parameters", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances, Filters: [{Name: x, Values: ['{{ Nope }}']}], InstanceIds: ['{{ Gone }}']}}\n",
			errors: []string{CodeReference + " mainSteps[0].inputs.Filters[0].Values[0]", CodeReference + " mainSteps[0].inputs.InstanceIds[0]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse([]byte(header + c.steps))
			require.NoError(t, err)
			r := doc.Validate()
			assert.ElementsMatch(t, c.errors, problemList(r.Errors), "errors %v", r.Errors)
			var warnings []string
			for _, w := range problemList(r.Warnings) {
				// Unused parameters of the shared header are not what is tested.
				if !strings.Contains(w, "parameters.") {
					warnings = append(warnings, w)
				}
			}
			assert.ElementsMatch(t, c.warnings, warnings, "warnings %v", r.Warnings)
		})
	}
}
