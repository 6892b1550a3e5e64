package runbook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exactHeader declares what the exact-problem cases reference. The limits
// and input rules checked against it are those of the Automation actions
// reference:
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
const exactHeader = `schemaVersion: '0.3'
assumeRole: arn:aws:iam::123456789012:role/AutomationServiceRole
parameters:
  Ids: {type: StringList}
  Id: {type: String}
  Count: {type: Integer, default: 2}
  Flag: {type: Boolean, default: true}
  Tags: {type: MapList, default: []}
  Payload: {type: StringMap, default: {}}
variables:
  Counter: {type: Integer, default: 0}
files:
  script.py: {checksums: {sha256: 0123abcd}}
mainSteps:
`

// exactCase is a document and every problem validation must report for
// it, as "error CODE PATH" or "warning CODE PATH": a missing problem and
// an extra one both fail.
type exactCase struct {
	name string
	// steps are appended to exactHeader; doc replaces the whole document.
	steps string
	doc   string
	opts  func(*ValidateOptions)
	want  []string
}

func (c exactCase) source() string {
	if c.doc != "" {
		return c.doc
	}
	return exactHeader + c.steps
}

// problemKeys validates src and lists its problems as "SEVERITY CODE PATH".
func problemKeys(t *testing.T, src string, opts ...func(*ValidateOptions)) []string {
	t.Helper()
	doc, err := Parse([]byte(src))
	require.NoError(t, err)
	r := doc.Validate(opts...)
	var out []string
	for _, p := range r.Errors {
		out = append(out, "error "+p.Code+" "+p.Path)
	}
	for _, p := range r.Warnings {
		out = append(out, "warning "+p.Code+" "+p.Path)
	}
	return out
}

func checkExactCases(t *testing.T, cases []exactCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []func(*ValidateOptions)
			if c.opts != nil {
				opts = append(opts, c.opts)
			}
			assert.ElementsMatch(t, c.want, problemKeys(t, c.source(), opts...))
		})
	}
}

// listOf returns a YAML flow list of n distinct plain strings.
func listOf(prefix string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return "[" + strings.Join(items, ", ") + "]"
}

const napYAML = "- {name: nap, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"

// loopSteps is an aws:loop's Steps with one harmless step.
const loopSteps = "Steps: [{name: inner, action: 'aws:sleep', inputs: {Duration: PT1S}}]"

func TestActionRulesExact(t *testing.T) {
	cases := []exactCase{
		// aws:sleep: Duration (ISO 8601, at most 7 days) or Timestamp.
		{name: "sleep duration malformed", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: soon}}\n",
			want: []string{"error duration mainSteps[0].inputs.Duration"}},
		{name: "sleep exactly seven days", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: P7D}}\n"},
		{name: "sleep a second over seven days", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: P7DT1S}}\n",
			want: []string{"error limit mainSteps[0].inputs.Duration"}},
		{name: "sleep duration from a parameter", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: '{{ Id }}'}}\n"},
		{name: "sleep timestamp ok", steps: "- {name: a, action: 'aws:sleep', inputs: {Timestamp: '2026-01-02T15:04:05Z'}}\n"},
		{name: "sleep timestamp malformed", steps: "- {name: a, action: 'aws:sleep', inputs: {Timestamp: tomorrow}}\n",
			want: []string{"error duration mainSteps[0].inputs.Timestamp"}},
		{name: "sleep timestamp from a parameter", steps: "- {name: a, action: 'aws:sleep', inputs: {Timestamp: '{{ Id }}'}}\n"},

		// aws:executeScript stops after 600 s; Python needs a Handler.
		{name: "executeScript without timeout", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Script: x}}\n"},
		{name: "executeScript 600 s exactly", steps: "- {name: a, action: 'aws:executeScript', timeoutSeconds: 600, inputs: {Runtime: python3.11, Handler: h, Script: x}}\n"},
		{name: "executeScript 601 s", steps: "- {name: a, action: 'aws:executeScript', timeoutSeconds: 601, inputs: {Runtime: python3.11, Handler: h, Script: x}}\n",
			want: []string{"warning limit mainSteps[0].timeoutSeconds"}},
		{name: "executeScript retired runtime", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.8, Handler: h, Script: x}}\n",
			want: []string{"error retired-runtime mainSteps[0].inputs.Runtime"}},
		{name: "executeScript attachment from a parameter", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Attachment: '{{ Id }}'}}\n"},
		{name: "executeScript neither Script nor Attachment", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h}}\n",
			want: []string{"error required-input mainSteps[0].inputs"}},

		// aws:invokeLambdaFunction stops after 300 s.
		{name: "lambda without timeout", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f}}\n"},
		{name: "lambda 300 s exactly", steps: "- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: 300, inputs: {FunctionName: f}}\n"},
		{name: "lambda 301 s", steps: "- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: 301, inputs: {FunctionName: f}}\n",
			want: []string{"warning limit mainSteps[0].timeoutSeconds"}},
		{name: "lambda Payload and InputPayload", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, Payload: '{}', InputPayload: {k: v}}}\n",
			want: []string{"error exclusive-inputs mainSteps[0].inputs.InputPayload"}},

		// aws:pause waits at most 30 days.
		{name: "pause without timeout", steps: "- {name: a, action: 'aws:pause', inputs: {}}\n"},
		{name: "pause 30 days exactly", steps: "- {name: a, action: 'aws:pause', timeoutSeconds: 2592000, inputs: {}}\n"},
		{name: "pause a second over 30 days", steps: "- {name: a, action: 'aws:pause', timeoutSeconds: 2592001, inputs: {}}\n",
			want: []string{"error limit mainSteps[0].timeoutSeconds"}},

		// aws:createStack, aws:runCommand, aws:executeAutomation,
		// aws:runInstances: exclusive and paired inputs.
		{name: "createStack OnFailure and DisableRollback", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', OnFailure: DELETE, DisableRollback: true}}\n",
			want: []string{"error exclusive-inputs mainSteps[0].inputs.DisableRollback"}},
		{name: "createStack template only", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateBody: '{}'}}\n"},
		{name: "runCommand neither InstanceIds nor Targets", steps: "- {name: a, action: 'aws:runCommand', inputs: {DocumentName: d}}\n",
			want: []string{"error required-input mainSteps[0].inputs"}},
		{name: "executeAutomation Targets and TargetMaps", steps: "- {name: a, action: 'aws:executeAutomation', inputs: {DocumentName: Child, TargetParameterName: Id, Targets: [{Key: 'tag:a', Values: [b]}], TargetMaps: [{Id: [i-1]}]}}\n",
			want: []string{"error exclusive-inputs mainSteps[0].inputs.TargetMaps"}},
		{name: "executeAutomation Targets with TargetParameterName", steps: "- {name: a, action: 'aws:executeAutomation', inputs: {DocumentName: Child, TargetParameterName: Id, Targets: [{Key: 'tag:a', Values: [b]}]}}\n"},
		{name: "executeAutomation without Targets", steps: "- {name: a, action: 'aws:executeAutomation', inputs: {DocumentName: Child}}\n"},
		{name: "runInstances equal counts", steps: "- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, MinInstanceCount: 2, MaxInstanceCount: 2}}\n"},
		{name: "runInstances min above max", steps: "- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, MinInstanceCount: 3, MaxInstanceCount: 2}}\n",
			want: []string{"error limit mainSteps[0].inputs.MinInstanceCount"}},
		{name: "runInstances min below max", steps: "- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, MinInstanceCount: 1, MaxInstanceCount: 2}}\n"},
		{name: "runInstances profile ARN and name", steps: "- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, IamInstanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/p', IamInstanceProfileName: p}}\n",
			want: []string{"error exclusive-inputs mainSteps[0].inputs.IamInstanceProfileName"}},

		// aws:approve: 1 to 10 approvers, MinRequiredApprovals from 1 to
		// their number.
		{name: "approve no approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [], MinRequiredApprovals: 1}}\n",
			want: []string{"error required-input mainSteps[0].inputs.Approvers"}},
		{name: "approve 10 approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: " + listOf("u", 10) + "}}\n"},
		{name: "approve 11 approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: " + listOf("u", 11) + "}}\n",
			want: []string{"error limit mainSteps[0].inputs.Approvers"}},
		{name: "approve as many approvals as approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u1, u2], MinRequiredApprovals: 2}}\n"},
		{name: "approve one approval", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u1, u2], MinRequiredApprovals: 1}}\n"},
		{name: "approve more approvals than approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u1, u2], MinRequiredApprovals: 3}}\n",
			want: []string{"error limit mainSteps[0].inputs.MinRequiredApprovals"}},
		{name: "approve zero approvals", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u1, u2], MinRequiredApprovals: 0}}\n",
			want: []string{"error limit mainSteps[0].inputs.MinRequiredApprovals"}},
		{name: "approve approvers from a parameter", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: '{{ Ids }}', MinRequiredApprovals: 5}}\n"},

		// aws:updateVariable: Name is variable:NAME of a declared variable,
		// Value of its type.
		{name: "updateVariable literal of the type", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: 'variable:Counter', Value: 5}}\n"},
		{name: "updateVariable literal of another type", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: 'variable:Counter', Value: [1]}}\n",
			want: []string{"error type-mismatch mainSteps[0].inputs.Value"}},
		{name: "updateVariable from a parameter", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: 'variable:Counter', Value: '{{ Count }}'}}\n"},
		{name: "updateVariable name without prefix", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: Counter, Value: 5}}\n",
			want: []string{"error unresolved-reference mainSteps[0].inputs.Name"}},
		{name: "updateVariable undeclared", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: 'variable:Nope', Value: [1]}}\n",
			want: []string{"error unresolved-reference mainSteps[0].inputs.Name"}},

		// aws:executeAwsApi and the property actions: Service, Api and
		// PropertySelector may not be blank.
		{name: "executeAwsApi blank Service", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: '  ', Api: DescribeInstances}}\n",
			want: []string{"error required-input mainSteps[0].inputs.Service"}},
		{name: "executeAwsApi empty Api", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: ''}}\n",
			want: []string{"error required-input mainSteps[0].inputs.Api"}},
		{name: "executeAwsApi named", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances}}\n"},
		{name: "assert blank selector", steps: "- {name: a, action: 'aws:assertAwsResourceProperty', inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: ' ', DesiredValues: [ok]}}\n",
			want: []string{"error required-input mainSteps[0].inputs.PropertySelector"}},
		{name: "wait blank selector", steps: "- {name: a, action: 'aws:waitForAwsResourceProperty', inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: '', DesiredValues: [ok]}}\n",
			want: []string{"error required-input mainSteps[0].inputs.PropertySelector"}},
		{name: "wait selector", steps: "- {name: a, action: 'aws:waitForAwsResourceProperty', inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: '$.State', DesiredValues: [ok]}}\n"},
	}
	checkExactCases(t, cases)
}

// TestBranchRulesExact covers aws:branch choices and jumps, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-branch.html
func TestBranchRulesExact(t *testing.T) {
	branch := func(choices string) string {
		return "- {name: b, action: 'aws:branch', inputs: {Choices: [" + choices + "]}}\n" + napYAML
	}
	cases := []exactCase{
		{name: "leaf", steps: branch("{NextStep: nap, Variable: '{{ Id }}', StringEquals: x}")},
		{name: "And", steps: branch("{NextStep: nap, And: [{Variable: '{{ Id }}', StringEquals: x}, {Variable: '{{ Count }}', NumericEquals: 2}]}")},
		{name: "Or", steps: branch("{NextStep: nap, Or: [{Variable: '{{ Id }}', StringEquals: x}]}")},
		{name: "Not", steps: branch("{NextStep: nap, Not: {Variable: '{{ Flag }}', BooleanEquals: true}}")},
		{name: "no form", steps: branch("{NextStep: nap}"),
			want: []string{"error exclusive-inputs mainSteps[0].inputs.Choices[0]"}},
		{name: "And and Not", steps: branch("{NextStep: nap, And: [{Variable: '{{ Id }}', StringEquals: x}], Not: {Variable: '{{ Id }}', StringEquals: y}}"),
			want: []string{"error exclusive-inputs mainSteps[0].inputs.Choices[0]"}},
		{name: "Or and Not", steps: branch("{NextStep: nap, Or: [{Variable: '{{ Id }}', StringEquals: x}], Not: {Variable: '{{ Id }}', StringEquals: y}}"),
			want: []string{"error exclusive-inputs mainSteps[0].inputs.Choices[0]"}},
		{name: "leaf and Not", steps: branch("{NextStep: nap, Variable: '{{ Id }}', StringEquals: x, Not: {Variable: '{{ Id }}', StringEquals: y}}"),
			want: []string{"error exclusive-inputs mainSteps[0].inputs.Choices[0]"}},
		{name: "empty And", steps: branch("{NextStep: nap, And: []}"),
			want: []string{"error required-input mainSteps[0].inputs.Choices[0].And"}},
		{name: "empty Or", steps: branch("{NextStep: nap, Or: []}"),
			want: []string{"error required-input mainSteps[0].inputs.Choices[0].Or"}},
		{name: "nested NextStep", steps: branch("{NextStep: nap, Or: [{NextStep: nap, Variable: '{{ Id }}', StringEquals: x}]}"),
			want: []string{"error flow-value mainSteps[0].inputs.Choices[0].Or[0].NextStep"}},
		{name: "Not without operator", steps: branch("{NextStep: nap, Not: {Variable: '{{ Id }}'}}"),
			want: []string{"error required-input mainSteps[0].inputs.Choices[0].Not"}},
		{name: "Not of an unresolved variable", steps: branch("{NextStep: nap, Not: {Variable: '{{ Nope }}', StringEquals: x}}"),
			want: []string{"error unresolved-reference mainSteps[0].inputs.Choices[0].Not.Variable"}},
		{name: "operator without Variable", steps: branch("{NextStep: nap, StringEquals: x}"),
			want: []string{"error required-input mainSteps[0].inputs.Choices[0].Variable"}},
		{name: "Variable without operator", steps: branch("{NextStep: nap, Variable: '{{ Id }}'}"),
			want: []string{"error required-input mainSteps[0].inputs.Choices[0]"}},
		{name: "numeric operand as text", steps: branch("{NextStep: nap, Variable: '{{ Count }}', NumericEquals: '2.5'}")},
		{name: "numeric operand as number", steps: branch("{NextStep: nap, Variable: '{{ Count }}', NumericLesser: 3}")},
		{name: "numeric operand not a number", steps: branch("{NextStep: nap, Variable: '{{ Count }}', NumericGreaterOrEquals: many}"),
			want: []string{"error type-mismatch mainSteps[0].inputs.Choices[0].NumericGreaterOrEquals"}},
		{name: "numeric operand a list", steps: branch("{NextStep: nap, Variable: '{{ Count }}', NumericEquals: [1]}"),
			want: []string{"error type-mismatch mainSteps[0].inputs.Choices[0].NumericEquals"}},
		{name: "numeric operand from a parameter", steps: branch("{NextStep: nap, Variable: '{{ Count }}', NumericEquals: '{{ Count }}'}")},
		{name: "boolean operand", steps: branch("{NextStep: nap, Variable: '{{ Flag }}', BooleanEquals: false}")},
		{name: "boolean operand not a boolean", steps: branch("{NextStep: nap, Variable: '{{ Flag }}', BooleanEquals: 'yes'}"),
			want: []string{"error type-mismatch mainSteps[0].inputs.Choices[0].BooleanEquals"}},
		{name: "string operand a number", steps: branch("{NextStep: nap, Variable: '{{ Id }}', StringEquals: 5}"),
			want: []string{"error type-mismatch mainSteps[0].inputs.Choices[0].StringEquals"}},
		{name: "string operand from a parameter", steps: branch("{NextStep: nap, Variable: '{{ Id }}', Contains: '{{ Id }}'}")},
		{name: "operand unresolved", steps: branch("{NextStep: nap, Variable: '{{ Id }}', StringEquals: '{{ Nope }}'}"),
			want: []string{"error unresolved-reference mainSteps[0].inputs.Choices[0].StringEquals"}},
		{name: "Default known", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Id }}', StringEquals: x}], Default: nap}}\n" + napYAML},
		{name: "Default unknown", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Id }}', StringEquals: x}], Default: nope}}\n" + napYAML,
			want: []string{"error unknown-step mainSteps[0].inputs.Default"}},
		{name: "NextStep missing", steps: branch("{Variable: '{{ Id }}', StringEquals: x}"),
			want: []string{"error required-input mainSteps[0].inputs.Choices[0].NextStep"}},
		{name: "no choices", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: []}}\n" + napYAML,
			want: []string{"error required-input mainSteps[0].inputs.Choices"}},
		// A top-level branch cannot jump into a loop: the step is known
		// but not one of its siblings.
		{name: "top-level jump into a loop", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: inner, Variable: '{{ Id }}', StringEquals: x}], Default: l}}\n" +
			"- {name: l, action: 'aws:loop', inputs: {Iterators: [a], " + loopSteps + "}}\n",
			want: []string{"error unknown-step mainSteps[0].inputs.Choices[0].NextStep"}},
		// From inside a loop, a jump out of it is a warning.
		{name: "jump out of a loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: pick, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Id }}', StringEquals: x}], Default: inner}}, {name: inner, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n" + napYAML,
			want: []string{"warning loop-exit mainSteps[0].inputs.Steps[0].inputs.Choices[0].NextStep"}},
		{name: "jump nowhere from a loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: pick, action: 'aws:branch', inputs: {Choices: [{NextStep: nope, Variable: '{{ Id }}', StringEquals: x}], Default: inner}}, {name: inner, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n",
			want: []string{"error unknown-step mainSteps[0].inputs.Steps[0].inputs.Choices[0].NextStep"}},
	}
	checkExactCases(t, cases)
}

// TestLoopRulesExact covers aws:loop, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-loop.html
func TestLoopRulesExact(t *testing.T) {
	loop := func(inputs string) string {
		return "- {name: l, action: 'aws:loop', inputs: {" + inputs + ", " + loopSteps + "}}\n"
	}
	cases := []exactCase{
		{name: "neither Iterators nor LoopCondition", steps: loop("MaxIterations: 3"),
			want: []string{"error required-input mainSteps[0].inputs"}},
		{name: "100 iterators", steps: loop("Iterators: " + listOf("v", 100))},
		{name: "101 iterators", steps: loop("Iterators: " + listOf("v", 101)),
			want: []string{"error limit mainSteps[0].inputs.Iterators"}},
		{name: "iterators from a StringList", steps: loop("Iterators: '{{ Ids }}'")},
		{name: "iterators from a MapList", steps: loop("Iterators: '{{ Tags }}'")},
		{name: "iterators from a String", steps: loop("Iterators: '{{ Id }}'"),
			want: []string{"error type-mismatch mainSteps[0].inputs.Iterators"}},
		{name: "iterators from a StringMap", steps: loop("Iterators: '{{ Payload }}'"),
			want: []string{"error type-mismatch mainSteps[0].inputs.Iterators"}},
		{name: "iterators from nothing declared", steps: loop("Iterators: '{{ Nope }}'"),
			want: []string{"error unresolved-reference mainSteps[0].inputs.Iterators"}},
		{name: "iterators a plain string", steps: loop("Iterators: abc"),
			want: []string{"error type-mismatch mainSteps[0].inputs.Iterators"}},
		{name: "MaxIterations 0", steps: loop("Iterators: [a], MaxIterations: 0"),
			want: []string{"error limit mainSteps[0].inputs.MaxIterations"}},
		{name: "MaxIterations 1", steps: loop("Iterators: [a], MaxIterations: 1")},
		{name: "MaxIterations 100", steps: loop("Iterators: [a], MaxIterations: 100")},
		{name: "MaxIterations 101", steps: loop("Iterators: [a], MaxIterations: 101"),
			want: []string{"error limit mainSteps[0].inputs.MaxIterations"}},
		{name: "LoopCondition", steps: loop("LoopCondition: {Variable: '{{ inner.Output }}', StringEquals: x}"),
			want: []string{"error unresolved-reference mainSteps[0].inputs.LoopCondition.Variable"}},
		{name: "LoopCondition reads a step of the loop", steps: "- {name: l, action: 'aws:loop', inputs: {MaxIterations: 3, LoopCondition: {Variable: '{{ check.Status }}', StringEquals: x}, Steps: [{name: check, action: 'aws:executeAutomation', inputs: {DocumentName: Child}}]}}\n"},
		{name: "LoopCondition with a NextStep", steps: loop("LoopCondition: {NextStep: inner, Variable: '{{ Id }}', StringEquals: x}"),
			want: []string{"error flow-value mainSteps[0].inputs.LoopCondition.NextStep"}},
		{name: "LoopCondition and Iterators", steps: loop("Iterators: [a], LoopCondition: {Variable: '{{ Id }}', StringEquals: x}"),
			want: []string{"error exclusive-inputs mainSteps[0].inputs.LoopCondition"}},
		// A loop without a name is recorded apart from the named steps.
		{name: "unnamed loop", steps: "- {action: 'aws:loop', inputs: {Iterators: [a], " + loopSteps + "}}\n",
			want: []string{"error step-name mainSteps[0].name"}},
		// A loop that repeats a step's name still offers its own
		// iteration outputs to its steps.
		{name: "loop repeating a name", steps: "- {name: l, action: 'aws:sleep', inputs: {Duration: PT1S}}\n" +
			"- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: use, action: 'aws:deleteImage', inputs: {ImageId: '{{ l.CurrentIteratorValue }}'}}]}}\n",
			want: []string{"error duplicate-name mainSteps[1].name"}},
		// An inner loop's outputs end with it; the outer loop's go on.
		{name: "nested loops", steps: "- {name: outer, action: 'aws:loop', inputs: {Iterators: [a], Steps: [" +
			"{name: l2, action: 'aws:loop', inputs: {Iterators: [b], Steps: [{name: both, action: 'aws:deleteImage', inputs: {ImageId: '{{ outer.CurrentIteratorValue }}-{{ l2.CurrentIteratorValue }}'}}]}}, " +
			"{name: after, action: 'aws:deleteImage', inputs: {ImageId: '{{ l2.CurrentIteratorValue }}'}}, " +
			"{name: still, action: 'aws:deleteImage', inputs: {ImageId: '{{ outer.CurrentIteratorValue }}'}}]}}\n",
			want: []string{"error unresolved-reference mainSteps[0].inputs.Steps[1].inputs.ImageId"}},
	}
	checkExactCases(t, cases)
}

// TestLoopIterationBound checks the iterations MaxDuration counts: the
// fewer of MaxIterations (default 100) and the literal Iterators.
func TestLoopIterationBound(t *testing.T) {
	for _, tc := range []struct {
		name, inputs, want string
	}{
		{name: "MaxIterations 0 is the default", inputs: "Iterators: [a, b], MaxIterations: 0", want: "(2 iterations of 1s; 2 iterators)"},
		{name: "MaxIterations equal to the iterators", inputs: "Iterators: [a, b], MaxIterations: 2", want: "(2 iterations of 1s; MaxIterations 2)"},
		{name: "MaxIterations below the iterators", inputs: "Iterators: [a, b, c], MaxIterations: 2", want: "(2 iterations of 1s; MaxIterations 2)"},
		{name: "fewer iterators", inputs: "Iterators: [a], MaxIterations: 2", want: "(1 iterations of 1s; 1 iterators)"},
		{name: "no bound but the default", inputs: "LoopCondition: {Variable: '{{ Id }}', StringEquals: x}", want: "(100 iterations of 1s; MaxIterations defaults to 100)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte(exactHeader + "- {name: l, action: 'aws:loop', inputs: {" + tc.inputs + ", " + loopSteps + "}}\n"))
			require.NoError(t, err)
			b := doc.MaxDuration()
			require.False(t, b.Unbounded)
			assert.Contains(t, strings.Join(b.Reasons, "\n"), tc.want)
		})
	}
}
