package runbook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkRuleCases runs validation rule cases: no errors when a case names
// no code, otherwise the problem at its path.
func checkRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse([]byte(c.source()))
			require.NoError(t, err)
			var opts []func(*ValidateOptions)
			if c.opts != nil {
				opts = append(opts, c.opts)
			}
			r := doc.Validate(opts...)
			if c.code == "" {
				require.Empty(t, r.Errors, "want no errors")
				return
			}
			list := r.Errors
			if c.warn {
				list = r.Warnings
			}
			require.True(t, hasProblem(list, c.code, c.path), "want %s at %q; got errors %v warnings %v", c.code, c.path, r.Errors, r.Warnings)
			if !c.warn {
				require.Error(t, r.Err())
			}
		})
	}
}

// TestOnCancelTargets covers every action onCancel may not jump to, and
// ones it may.
func TestOnCancelTargets(t *testing.T) {
	targets := map[string]string{
		"aws:approve":      "{Approvers: [u]}",
		"aws:copyImage":    "{SourceImageId: ami-1, SourceRegion: us-east-1, ImageName: n}",
		"aws:createImage":  "{InstanceId: i-1, ImageName: n}",
		"aws:createStack":  "{StackName: s, TemplateURL: 'https://x'}",
		"aws:createTags":   "{ResourceIds: [i-1], Tags: [{Key: k, Value: v}]}",
		"aws:pause":        "{}",
		"aws:runInstances": "{ImageId: ami-1}",
		"aws:sleep":        "{Duration: PT1S}",
	}
	allowed := map[string]string{
		"aws:executeAwsApi":       "{Service: ec2, Api: DescribeInstances}",
		"aws:deleteStack":         "{StackName: s}",
		"aws:changeInstanceState": "{InstanceIds: [i-1], DesiredState: stopped}",
		"aws:deleteImage":         "{ImageId: ami-1}",
	}
	var cases []ruleCase
	add := func(action, inputs, code string) {
		cases = append(cases, ruleCase{
			name: "onCancel to " + action,
			steps: "- {name: a, action: 'aws:sleep', onCancel: 'step:t', inputs: {Duration: PT1S}}\n" +
				"- {name: t, action: '" + action + "', inputs: " + inputs + "}\n",
			code: code, path: "mainSteps[0].onCancel",
		})
	}
	for a, in := range targets {
		add(a, in, CodeOnCancel)
	}
	for a, in := range allowed {
		add(a, in, "")
	}
	require.Len(t, onCancelForbidden, len(targets), "every forbidden target is covered")
	checkRuleCases(t, cases)
}

// TestReservedDocumentNames covers every reserved prefix the Automation
// API refuses.
func TestReservedDocumentNames(t *testing.T) {
	var cases []ruleCase
	for _, n := range []string{"aws-Mine", "AWS-Mine", "AWSEC2-Patch", "AWSConfigRemediation-Fix", "AWSSupport-Help", "Amazon.Tool", "amazonthing", "AMZN_x"} {
		cases = append(cases, ruleCase{name: n, steps: sleepStep, opts: named(n), code: CodeDocumentName})
	}
	for _, n := range []string{"MyAWS-Runbook", "Restart-EC2InstanceDemo", "abc", "a.b-c_d", strings.Repeat("x", 128)} {
		cases = append(cases, ruleCase{name: n, steps: sleepStep, opts: named(n)})
	}
	cases = append(cases, ruleCase{name: "129 chars", steps: sleepStep, opts: named(strings.Repeat("x", 129)), code: CodeDocumentName})
	checkRuleCases(t, cases)
}

// TestUserOutputsNeverReusePredefinedNames checks every action's predefined
// outputs, and that a fresh name is accepted.
func TestUserOutputsNeverReusePredefinedNames(t *testing.T) {
	var cases []ruleCase
	for _, a := range Actions() {
		for _, o := range PredefinedOutputs(a) {
			cases = append(cases, ruleCase{
				name:  a + " " + o.Name,
				steps: fmt.Sprintf("- {name: s, action: '%s', inputs: {}, outputs: [{Name: %s, Selector: '$.x', Type: String}]}\n", a, o.Name),
				code:  CodeOutput, path: "mainSteps[0].outputs[0].Name",
			})
		}
	}
	require.NotEmpty(t, cases)
	cases = append(cases, ruleCase{name: "fresh name",
		steps: "- {name: s, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: Mine, Selector: '$.x', Type: String}]}\n"})
	checkRuleCases(t, cases)
}

// TestEncodeNoHTMLEscaping: markup in text is written as is, in both
// formats, and parses back unchanged.
func TestEncodeNoHTMLEscaping(t *testing.T) {
	for _, f := range []Format{JSON, YAML} {
		t.Run(f.String(), func(t *testing.T) {
			doc := mustParse(t, "{\"schemaVersion\":\"0.3\",\"description\":\"<b>&</b> 'x' \\u2028\",\"mainSteps\":[{\"name\":\"a\",\"action\":\"aws:sleep\",\"inputs\":{\"Duration\":\"PT1S\"}}]}")
			out, err := doc.Encode(f)
			require.NoError(t, err)
			require.Contains(t, string(out), "<b>&</b>")
			require.NotContains(t, string(out), `\u003c`)
			require.NotContains(t, string(out), `\u0026`)
			again, err := Parse(out)
			require.NoError(t, err)
			require.Equal(t, "<b>&</b> 'x' \u2028", again.Description)
		})
	}
}

// TestRequiredInputs lists each action's required inputs as the Automation
// actions reference documents them; a step without them is refused, and
// the golden runbook, which sets them all, is valid.
func TestRequiredInputs(t *testing.T) {
	required := map[string][]string{
		"aws:approve":                    {"Approvers"},
		"aws:assertAwsResourceProperty":  {"Service", "Api", "PropertySelector", "DesiredValues"},
		"aws:branch":                     {"Choices"},
		"aws:changeInstanceState":        {"InstanceIds", "DesiredState"},
		"aws:copyImage":                  {"SourceImageId", "SourceRegion", "ImageName"},
		"aws:createImage":                {"InstanceId", "ImageName"},
		"aws:createStack":                {"StackName"},
		"aws:createTags":                 {"ResourceIds", "Tags"},
		"aws:deleteImage":                {"ImageId"},
		"aws:deleteStack":                {"StackName"},
		"aws:executeAutomation":          {"DocumentName"},
		"aws:executeAwsApi":              {"Service", "Api"},
		"aws:executeScript":              {"Runtime"},
		"aws:executeStateMachine":        {"stateMachineArn"},
		"aws:invokeLambdaFunction":       {"FunctionName"},
		"aws:invokeWebhook":              {"IntegrationName"},
		"aws:loop":                       {"Steps"},
		"aws:runCommand":                 {"DocumentName"},
		"aws:runInstances":               {"ImageId"},
		"aws:updateVariable":             {"Name", "Value"},
		"aws:waitForAwsResourceProperty": {"Service", "Api", "PropertySelector", "DesiredValues"},
	}
	var cases []ruleCase
	for action, inputs := range required {
		for _, in := range inputs {
			cases = append(cases, ruleCase{name: action + " " + in,
				steps: "- {name: s, action: '" + action + "', inputs: {}}\n",
				code:  CodeRequiredInput, path: "mainSteps[0].inputs." + in})
		}
	}
	checkRuleCases(t, cases)
	t.Run("golden runbook sets them all", func(t *testing.T) {
		_, err := everyAction().Build()
		require.NoError(t, err)
	})
}

// TestExclusiveInputs covers the pairs of inputs of which at most one may
// be set, beyond those in TestValidationRules.
func TestExclusiveInputs(t *testing.T) {
	checkRuleCases(t, []ruleCase{
		{name: "Payload alone", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, Payload: '{}'}}\n"},
		{name: "Payload and InputPayload", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, Payload: '{}', InputPayload: {a: b}}}\n",
			code: CodeExclusive, path: "mainSteps[0].inputs.InputPayload"},
		{name: "OnFailure alone", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', OnFailure: DELETE}}\n"},
		{name: "OnFailure and DisableRollback", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', OnFailure: DELETE, DisableRollback: true}}\n",
			code: CodeExclusive, path: "mainSteps[0].inputs.DisableRollback"},
		{name: "Timestamp alone", steps: "- {name: a, action: 'aws:sleep', inputs: {Timestamp: '2026-01-01T00:00:00Z'}}\n"},
		{name: "LoopCondition alone", steps: "- {name: l, action: 'aws:loop', inputs: {MaxIterations: 3, LoopCondition: {Variable: '{{ Id }}', StringEquals: x}, Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n"},
		{name: "loop needs Iterators or LoopCondition", steps: "- {name: l, action: 'aws:loop', inputs: {Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n",
			code: CodeRequiredInput, path: "mainSteps[0].inputs"},
		{name: "runCommand needs InstanceIds or Targets", steps: "- {name: a, action: 'aws:runCommand', inputs: {DocumentName: d}}\n",
			code: CodeRequiredInput, path: "mainSteps[0].inputs"},
	})
}

// TestParameterTypeDefaults covers every parameter type with a default of
// its shape and one of another shape.
func TestParameterTypeDefaults(t *testing.T) {
	types := []struct {
		typ       ParameterType
		good, bad string
	}{
		{TypeString, "x", "[x]"},
		{TypeStringList, "[a, b]", "a"},
		{TypeInteger, "3", "three"},
		{TypeBoolean, "false", "'no'"},
		{TypeMapList, "[{a: b}]", "{a: b}"},
		{TypeStringMap, "{a: b}", "[a]"},
		{TypeInstanceID, "i-0123", "[i-0123]"},
		{TypeInstanceIDs, "[i-0123]", "i-0123"},
		{TypeRoleARN, "arn:aws:iam::123456789012:role/R", "[r]"},
		{TypeRoleARNs, "['arn:aws:iam::123456789012:role/R']", "r"},
		{TypeBucketName, "my-bucket", "[b]"},
		{TypeBucketNames, "[my-bucket]", "b"},
	}
	var cases []ruleCase
	for _, tt := range types {
		cases = append(cases,
			ruleCase{name: string(tt.typ) + " ok", doc: paramDoc("{type: '" + string(tt.typ) + "', default: " + tt.good + "}")},
			ruleCase{name: string(tt.typ) + " mismatch", doc: paramDoc("{type: '" + string(tt.typ) + "', default: " + tt.bad + "}"), code: CodeType, path: "parameters.P.default"})
	}
	checkRuleCases(t, cases)
}
