package runbook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docWith is a document with its own parameters and steps, for the
// cases the shared header does not fit.
func docWith(params, steps string) string {
	return "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nparameters:\n" + params + "mainSteps:\n" + steps
}

// roleDoc is a document whose assumeRole is role, with a String
// parameter S, an Integer N, a StringList L and a parameter of an
// unknown type U.
func roleDoc(role string) string {
	return "schemaVersion: '0.3'\nassumeRole: '" + role + "'\nparameters:\n  S: {type: String}\n  N: {type: Integer}\n  L: {type: StringList}\n  U: {type: Float}\nmainSteps:\n" + napYAML
}

// TestNameRulesExact covers the names of steps and variables,
// ^[a-zA-Z0-9_]+$, at each end of each range of characters, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
func TestNameRulesExact(t *testing.T) {
	var bad strings.Builder
	var badWant []string
	for i, c := range []string{"`", "{", "@", "[", "/", ":", "-", "^"} {
		fmt.Fprintf(&bad, "- {name: 'x%sy', action: 'aws:sleep', inputs: {Duration: PT1S}}\n", c)
		badWant = append(badWant, fmt.Sprintf("error step-name mainSteps[%d].name", i))
	}
	cases := []exactCase{
		{name: "every edge character", steps: "- {name: azAZ09_, action: 'aws:sleep', inputs: {Duration: PT1S}}\n- {name: z, action: 'aws:sleep', inputs: {Duration: PT1S}}\n- {name: Z9, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"},
		{name: "a character beside each range", steps: bad.String(), want: badWant},
		{name: "unnamed step", steps: "- {action: 'aws:sleep', inputs: {Duration: PT1S}}\n",
			want: []string{"error step-name mainSteps[0].name"}},
		{name: "variable name", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nvariables: {a_Z9: {type: String}, 'b-c': {type: String}}\nmainSteps:\n" + napYAML,
			want: []string{"error parameter variables.b-c"}},
		// A repeated name keeps the path and action of its own step.
		{name: "repeated name of another action", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT1S}}\n- {name: a, action: 'aws:deleteImage', inputs: {}}\n",
			want: []string{"error duplicate-name mainSteps[1].name", "error required-input mainSteps[1].inputs.ImageId"}},
		// A flow target names a step of the same list, also when a loop
		// earlier holds a step of that name.
		{name: "jump to a name a loop repeats", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: x, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n" +
			"- {name: a, action: 'aws:sleep', nextStep: x, inputs: {Duration: PT1S}}\n- {name: x, action: 'aws:sleep', inputs: {Duration: PT1S}}\n",
			want: []string{"error duplicate-name mainSteps[2].name"}},
		{name: "duplicate variable", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nvariables: {V: {type: String}}\nmainSteps:\n" + napYAML},
		{name: "variable of a console type", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nvariables: {V: {type: 'AWS::EC2::Instance::Id'}}\nmainSteps:\n" + napYAML,
			want: []string{"error parameter variables.V.type"}},
		{name: "variable default of its type", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nvariables: {V: {type: StringList, default: [a]}}\nmainSteps:\n" + napYAML},
	}
	checkExactCases(t, cases)
}

// TestAssumeRoleExact covers assumeRole: a role ARN, a String parameter,
// or an ARN built from global variables and String parameters, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
func TestAssumeRoleExact(t *testing.T) {
	cases := []exactCase{
		{name: "role ARN", doc: roleDoc("arn:aws:iam::123456789012:role/R"), want: []string{"error parameter parameters.U.type"}},
		{name: "role ARN with a path", doc: roleDoc("arn:aws-cn:iam::123456789012:role/ops/R"), want: []string{"error parameter parameters.U.type"}},
		{name: "ARN of another service", doc: roleDoc("arn:aws:s3::123456789012:role/R"),
			want: []string{"error assume-role assumeRole", "error parameter parameters.U.type"}},
		{name: "ARN with a Region", doc: roleDoc("arn:aws:iam:us-east-1:123456789012:role/R"),
			want: []string{"error assume-role assumeRole", "error parameter parameters.U.type"}},
		{name: "String parameter", doc: roleDoc("{{ S }}"), want: []string{"error parameter parameters.U.type"}},
		{name: "parameter of an unknown type", doc: roleDoc("{{ U }}"), want: []string{"error parameter parameters.U.type"}},
		{name: "Integer parameter", doc: roleDoc("{{ N }}"),
			want: []string{"error type-mismatch assumeRole", "error parameter parameters.U.type"}},
		{name: "whole global", doc: roleDoc("{{ global:ACCOUNT_ID }}"),
			want: []string{"error assume-role assumeRole", "error parameter parameters.U.type"}},
		{name: "ARN of globals", doc: roleDoc("arn:{{ global:AWS_PARTITION }}:iam::{{ global:ACCOUNT_ID }}:role/R"),
			want: []string{"error parameter parameters.U.type"}},
		{name: "ARN with a String parameter", doc: roleDoc("arn:aws:iam::{{ global:ACCOUNT_ID }}:role/{{ S }}"),
			want: []string{"error parameter parameters.U.type"}},
		{name: "ARN with a parameter of an unknown type", doc: roleDoc("arn:aws:iam::{{ global:ACCOUNT_ID }}:role/{{ U }}"),
			want: []string{"error parameter parameters.U.type"}},
		{name: "ARN with an Integer parameter", doc: roleDoc("arn:aws:iam::{{ global:ACCOUNT_ID }}:role/{{ N }}"),
			want: []string{"error type-mismatch assumeRole", "error parameter parameters.U.type"}},
		{name: "ARN with a StringList parameter", doc: roleDoc("arn:aws:iam::{{ L }}:role/R"),
			want: []string{"error type-mismatch assumeRole", "error parameter parameters.U.type"}},
		{name: "ARN with a variable", doc: roleDoc("arn:aws:iam::123456789012:role/{{ variable:V }}"),
			want: []string{"error unresolved-reference assumeRole", "error assume-role assumeRole", "error parameter parameters.U.type"}},
		{name: "ARN of another service with globals", doc: roleDoc("arn:aws:s3::{{ global:ACCOUNT_ID }}:role/R"),
			want: []string{"error assume-role assumeRole", "error parameter parameters.U.type"}},
	}
	checkExactCases(t, cases)
}

// TestParameterRulesExact covers the parameters section, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
func TestParameterRulesExact(t *testing.T) {
	params := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  P%d: {type: String}\n", i)
		}
		return b.String()
	}
	p := func(def string) string { return docWith("  P: "+def+"\n", napYAML) }
	cases := []exactCase{
		{name: "200 parameters", doc: docWith(params(MaxParameters), napYAML)},
		{name: "201 parameters", doc: docWith(params(MaxParameters+1), napYAML), want: []string{"error limit parameters"}},
		{name: "displayType textfield", doc: p("{type: String, displayType: textfield}")},
		{name: "displayType textarea", doc: p("{type: String, displayType: textarea}")},
		{name: "displayType other", doc: p("{type: String, displayType: box}"), want: []string{"error not-allowed-value parameters.P.displayType"}},
		{name: "minItems 0 and maxItems 0", doc: p("{type: StringList, minItems: 0, maxItems: 0}")},
		{name: "negative minItems", doc: p("{type: StringList, minItems: -1}"), want: []string{"error parameter parameters.P.minItems"}},
		{name: "negative maxItems", doc: p("{type: StringList, maxItems: -1}"), want: []string{"error parameter parameters.P.maxItems"}},
		{name: "minItems equal to maxItems", doc: p("{type: StringList, minItems: 2, maxItems: 2}")},
		{name: "minItems above maxItems", doc: p("{type: StringList, minItems: 3, maxItems: 2}"), want: []string{"error parameter parameters.P.minItems"}},
		{name: "negative minChars", doc: p("{type: String, minChars: -1}"), want: []string{"error parameter parameters.P.minChars"}},
		{name: "negative maxChars", doc: p("{type: String, maxChars: -1}"), want: []string{"error parameter parameters.P.maxChars"}},
		{name: "minChars equal to maxChars", doc: p("{type: String, minChars: 0, maxChars: 0}")},
		{name: "minChars above maxChars", doc: p("{type: String, minChars: 1, maxChars: 0}"), want: []string{"error parameter parameters.P.minChars"}},
		{name: "allowedValues of a String", doc: p("{type: String, allowedValues: [a, 1]}"), want: []string{"error type-mismatch parameters.P.allowedValues[1]"}},
		{name: "allowedValues of a StringList", doc: p("{type: StringList, allowedValues: [a, [b]]}"), want: []string{"error type-mismatch parameters.P.allowedValues[1]"}},
		{name: "allowedValues of a MapList", doc: p("{type: MapList, allowedValues: [{a: b}, c]}"), want: []string{"error type-mismatch parameters.P.allowedValues[1]"}},
		// Defaults of each type.
		{name: "Boolean default true", doc: p("{type: Boolean, default: true}")},
		{name: "Boolean default 'true'", doc: p("{type: Boolean, default: 'true'}")},
		{name: "Boolean default 'false'", doc: p("{type: Boolean, default: 'false'}")},
		{name: "Boolean default 'yes'", doc: p("{type: Boolean, default: 'yes'}"), want: []string{"error type-mismatch parameters.P.default"}},
		{name: "Integer default '3'", doc: p("{type: Integer, default: '3'}")},
		{name: "Integer default 'x'", doc: p("{type: Integer, default: 'x'}"), want: []string{"error type-mismatch parameters.P.default"}},
		{name: "String default a number", doc: p("{type: String, default: 3}"), want: []string{"error type-mismatch parameters.P.default"}},
		{name: "StringList default", doc: p("{type: StringList, default: [a]}")},
		{name: "StringList default with a number", doc: p("{type: StringList, default: [a, 1]}"), want: []string{"error type-mismatch parameters.P.default"}},
		{name: "StringMap default", doc: p("{type: StringMap, default: {a: b}}")},
		{name: "StringMap default a list", doc: p("{type: StringMap, default: [a]}"), want: []string{"error type-mismatch parameters.P.default"}},
		{name: "MapList default", doc: p("{type: MapList, default: [{a: b}]}")},
		{name: "MapList default with a string", doc: p("{type: MapList, default: [{a: b}, c]}"), want: []string{"error type-mismatch parameters.P.default"}},
		{name: "default with a reference", doc: p("{type: Integer, default: '{{ global:ACCOUNT_ID }}'}")},
		// A list default is allowed when each of its items is.
		{name: "empty list default with allowedValues", doc: p("{type: StringList, default: [], allowedValues: [a, b]}"), want: []string{"error not-allowed-value parameters.P.default"}},
		{name: "list default with an item not allowed", doc: p("{type: StringList, default: [a, c], allowedValues: [a, b]}"), want: []string{"error not-allowed-value parameters.P.default"}},
		{name: "list default of allowed items", doc: p("{type: StringList, default: [b, a], allowedValues: [a, b]}")},
		// Item counts, lengths and patterns of defaults.
		{name: "default items at minItems", doc: p("{type: StringList, minItems: 2, default: [a, b]}")},
		{name: "default items below minItems", doc: p("{type: StringList, minItems: 2, default: [a]}"), want: []string{"error parameter parameters.P.default"}},
		{name: "default items at maxItems", doc: p("{type: StringList, maxItems: 2, default: [a, b]}")},
		{name: "default length at minChars", doc: p("{type: String, minChars: 3, default: abc}")},
		{name: "default below minChars", doc: p("{type: String, minChars: 3, default: ab}"), want: []string{"error parameter parameters.P.default"}},
		{name: "empty default below minChars", doc: p("{type: String, minChars: 3, default: ''}")},
		{name: "default length at maxChars", doc: p("{type: String, maxChars: 3, default: abc}")},
		{name: "default above maxChars", doc: p("{type: String, maxChars: 3, default: abcd}"), want: []string{"error parameter parameters.P.default"}},
		{name: "list item above maxChars", doc: p("{type: StringList, maxChars: 1, default: [a, bc]}"), want: []string{"error parameter parameters.P.default"}},
		{name: "default matching the pattern", doc: p("{type: String, allowedPattern: '^a+$', default: aa}")},
		{name: "default missing the pattern", doc: p("{type: String, allowedPattern: '^a+$', default: ab}"), want: []string{"error parameter parameters.P.default"}},
		{name: "empty default and a pattern", doc: p("{type: String, allowedPattern: '^a+$', default: ''}")},
	}
	checkExactCases(t, cases)
}

// TestStepFieldRulesExact covers maxAttempts, timeoutSeconds, isEnd and
// isCritical, literal or from a parameter, and the flow fields, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
func TestStepFieldRulesExact(t *testing.T) {
	step := func(fields string) string {
		return "- {name: a, action: 'aws:sleep', " + fields + ", inputs: {Duration: PT1S}}\n" + napYAML
	}
	cases := []exactCase{
		{name: "maxAttempts 1", steps: step("maxAttempts: 1")},
		{name: "maxAttempts 0", steps: step("maxAttempts: 0"), want: []string{"error limit mainSteps[0].maxAttempts"}},
		{name: "timeoutSeconds 1", steps: step("timeoutSeconds: 1")},
		{name: "timeoutSeconds 0", steps: step("timeoutSeconds: 0"), want: []string{"error limit mainSteps[0].timeoutSeconds"}},
		{name: "maxAttempts from an Integer", steps: step("maxAttempts: '{{ Count }}'")},
		{name: "maxAttempts from a String", steps: step("maxAttempts: '{{ Id }}'")},
		{name: "maxAttempts from a Boolean", steps: step("maxAttempts: '{{ Flag }}'"), want: []string{"error type-mismatch mainSteps[0].maxAttempts"}},
		{name: "maxAttempts from nothing declared", steps: step("maxAttempts: '{{ Nope }}'"), want: []string{"error unresolved-reference mainSteps[0].maxAttempts"}},
		{name: "timeoutSeconds from a StringList", steps: step("timeoutSeconds: '{{ Ids }}'"), want: []string{"error type-mismatch mainSteps[0].timeoutSeconds"}},
		{name: "isEnd from a Boolean", steps: step("isEnd: '{{ Flag }}'")},
		{name: "isEnd from an Integer", steps: step("isEnd: '{{ Count }}'"), want: []string{"error type-mismatch mainSteps[0].isEnd"}},
		{name: "isCritical from a Boolean", steps: step("isCritical: '{{ Flag }}'")},
		{name: "isCritical from an Integer", steps: step("isCritical: '{{ Count }}'"), want: []string{"error type-mismatch mainSteps[0].isCritical"}},
		{name: "onFailure Abort", steps: step("onFailure: Abort")},
		{name: "onFailure Continue", steps: step("onFailure: Continue")},
		{name: "onFailure step", steps: step("onFailure: 'step:nap'")},
		{name: "onFailure unknown step", steps: step("onFailure: 'step:nope'"), want: []string{"error unknown-step mainSteps[0].onFailure"}},
		{name: "onCancel Abort", steps: step("onCancel: Abort")},
		{name: "onCancel unknown step", steps: step("onCancel: 'step:nope'"), want: []string{"error unknown-step mainSteps[0].onCancel"}},
		{name: "onCancel Continue", steps: step("onCancel: Continue"), want: []string{"error flow-value mainSteps[0].onCancel"}},
		{name: "onCancel to a sleep", steps: step("onCancel: 'step:nap'"), want: []string{"error on-cancel-target mainSteps[0].onCancel"}},
		{name: "nextStep unknown", steps: step("nextStep: nope"), want: []string{"error unknown-step mainSteps[0].nextStep", "warning unreachable-step mainSteps[1]"}},
	}
	checkExactCases(t, cases)
}

// TestReachabilityExact covers which steps a run may reach: the next
// step, nextStep, isEnd, branch choices and Default, onFailure and
// onCancel jumps, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-branch.html
func TestReachabilityExact(t *testing.T) {
	sleep := func(name, fields string) string {
		return "- {name: " + name + ", action: 'aws:sleep'" + fields + ", inputs: {Duration: PT1S}}\n"
	}
	api := func(name string) string {
		return "- {name: " + name + ", action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances}}\n"
	}
	cases := []exactCase{
		{name: "in order", steps: sleep("a", "") + sleep("b", "") + sleep("c", "")},
		{name: "nextStep skips one", steps: sleep("a", ", nextStep: c") + sleep("b", "") + sleep("c", ""),
			want: []string{"warning unreachable-step mainSteps[1]"}},
		{name: "nextStep skips one with repeated names", steps: sleep("a", ", nextStep: c") + sleep("b", "") + sleep("c", "") +
			"- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: c, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n",
			want: []string{"warning unreachable-step mainSteps[1]", "error duplicate-name mainSteps[3].inputs.Steps[0].name"}},
		{name: "isEnd", steps: sleep("a", ", isEnd: true") + sleep("b", ""),
			want: []string{"warning unreachable-step mainSteps[1]"}},
		{name: "isEnd false", steps: sleep("a", ", isEnd: false") + sleep("b", "")},
		{name: "onFailure jump", steps: sleep("a", ", isEnd: true, onFailure: 'step:c'") + sleep("b", "") + sleep("c", ""),
			want: []string{"warning unreachable-step mainSteps[1]"}},
		{name: "onCancel jump", steps: sleep("a", ", isEnd: true, onCancel: 'step:c'") + sleep("b", "") + api("c"),
			want: []string{"warning unreachable-step mainSteps[1]"}},
		{name: "branch without Default goes on", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: c, Variable: '{{ Id }}', StringEquals: x}]}}\n" +
			sleep("next", ", isEnd: true") + sleep("c", "")},
		{name: "branch with Default does not", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: c, Variable: '{{ Id }}', StringEquals: x}], Default: c}}\n" +
			sleep("next", "") + sleep("c", ""),
			want: []string{"warning unreachable-step mainSteps[1]"}},
		{name: "branch in the middle without Default", steps: sleep("a", "") + "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: a, Variable: '{{ Id }}', StringEquals: x}]}}\n" +
			sleep("c", "")},
		{name: "branch last without Default", steps: sleep("a", "") + "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: a, Variable: '{{ Id }}', StringEquals: x}]}}\n"},
		{name: "in a loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: x, action: 'aws:sleep', isEnd: true, inputs: {Duration: PT1S}}, {name: y, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n",
			want: []string{"warning unreachable-step mainSteps[0].inputs.Steps[1]"}},
		{name: "loop without steps", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: []}}\n",
			want: []string{"error required-input mainSteps[0].inputs.Steps"}},
	}
	checkExactCases(t, cases)
}

// TestInputRulesExact covers the kinds of inputs and what references may
// fill them, per the input tables of
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
func TestInputRulesExact(t *testing.T) {
	params := "  Ids: {type: StringList}\n  One: {type: StringList, maxItems: 1}\n  Two: {type: StringList, maxItems: 2}\n  Id: {type: String}\n  Count: {type: Integer}\n  Flag: {type: Boolean}\n  Tags: {type: MapList}\n  Payload: {type: StringMap}\n  State: {type: String, allowedValues: [running, stopped]}\n"
	vars := "variables:\n  Counter: {type: Integer, default: 0}\n"
	doc := func(steps string) string {
		return strings.Replace(docWith(params, steps), "mainSteps:\n", vars+"mainSteps:\n", 1)
	}
	change := func(inputs string) string {
		return doc("- {name: a, action: 'aws:changeInstanceState', inputs: {DesiredState: stopped, " + inputs + "}}\n")
	}
	image := func(id string) string {
		return doc("- {name: a, action: 'aws:deleteImage', inputs: {ImageId: " + id + "}}\n")
	}
	run := func(inputs string) string {
		return doc("- {name: a, action: 'aws:runInstances', inputs: {ImageId: ami-1, " + inputs + "}}\n")
	}
	auto := func(inputs string) string {
		return doc("- {name: a, action: 'aws:executeAutomation', inputs: {DocumentName: d, " + inputs + "}}\n")
	}
	cases := []exactCase{
		// String inputs take String, Integer and Boolean values.
		{name: "String into a string", doc: image("'{{ Id }}'")},
		{name: "Integer into a string", doc: image("'{{ Count }}'")},
		{name: "Boolean into a string", doc: image("'{{ Flag }}'")},
		{name: "StringMap into a string", doc: image("'{{ Payload }}'"), want: []string{"error type-mismatch mainSteps[0].inputs.ImageId"}},
		{name: "list literal into a string", doc: image("[a]"), want: []string{"error type-mismatch mainSteps[0].inputs.ImageId"}},
		{name: "nothing declared into a string", doc: image("'{{ Nope }}'"), want: []string{"error unresolved-reference mainSteps[0].inputs.ImageId"}},
		// A StringList into a string fails when it holds more than one.
		{name: "StringList of at most one into a string", doc: image("'{{ One }}'")},
		{name: "StringList of at most two into a string", doc: image("'{{ Two }}'"), want: []string{"warning type-mismatch mainSteps[0].inputs.ImageId"}},
		{name: "StringList into a string", doc: image("'{{ Ids }}'"), want: []string{"warning type-mismatch mainSteps[0].inputs.ImageId"}},
		{name: "StringList output into a string", doc: doc("- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ launch.InstanceIds }}'}}\n"),
			want: []string{"warning type-mismatch mainSteps[1].inputs.ImageId"}},
		// StringList inputs: a list reference, or a list whose items are
		// strings or list references AWS expands.
		{name: "StringList into a list", doc: change("InstanceIds: '{{ Ids }}'")},
		{name: "String into a list", doc: change("InstanceIds: '{{ Id }}'"), want: []string{"error type-mismatch mainSteps[0].inputs.InstanceIds"}},
		{name: "Integer variable into a list", doc: change("InstanceIds: '{{ variable:Counter }}'"), want: []string{"error type-mismatch mainSteps[0].inputs.InstanceIds"}},
		{name: "StringList as a list item", doc: change("InstanceIds: ['{{ Ids }}', i-1]")},
		{name: "number as a list item", doc: change("InstanceIds: [i-1, 5]"), want: []string{"error type-mismatch mainSteps[0].inputs.InstanceIds[1]"}},
		{name: "StringMap as a list item", doc: change("InstanceIds: [i-1, '{{ Payload }}']"), want: []string{"error type-mismatch mainSteps[0].inputs.InstanceIds[1]"}},
		// Integer and Boolean inputs.
		{name: "Integer into an integer", doc: run("MaxInstanceCount: '{{ Count }}'")},
		{name: "literal integer", doc: run("MaxInstanceCount: 2")},
		{name: "String into an integer", doc: run("MaxInstanceCount: '{{ Id }}'"), want: []string{"error type-mismatch mainSteps[0].inputs.MaxInstanceCount"}},
		{name: "text into an integer", doc: run("MaxInstanceCount: many"), want: []string{"error type-mismatch mainSteps[0].inputs.MaxInstanceCount"}},
		{name: "Boolean into a boolean", doc: run("Monitoring: '{{ Flag }}'")},
		{name: "literal boolean", doc: run("Monitoring: true")},
		{name: "Integer into a boolean", doc: run("Monitoring: '{{ Count }}'"), want: []string{"error type-mismatch mainSteps[0].inputs.Monitoring"}},
		{name: "text into a boolean", doc: run("Monitoring: maybe"), want: []string{"error type-mismatch mainSteps[0].inputs.Monitoring"}},
		// Map and map-list inputs.
		{name: "StringMap into a map", doc: auto("RuntimeParameters: '{{ Payload }}'")},
		{name: "literal map", doc: auto("RuntimeParameters: {a: [b]}")},
		{name: "StringList into a map", doc: auto("RuntimeParameters: '{{ Ids }}'"), want: []string{"error type-mismatch mainSteps[0].inputs.RuntimeParameters"}},
		{name: "list into a map", doc: auto("RuntimeParameters: [a]"), want: []string{"error type-mismatch mainSteps[0].inputs.RuntimeParameters"}},
		{name: "MapList into a map list", doc: auto("Tags: '{{ Tags }}'")},
		{name: "StringMap into a map list", doc: auto("Tags: '{{ Payload }}'"), want: []string{"error type-mismatch mainSteps[0].inputs.Tags"}},
		{name: "MapList as a map list item", doc: auto("Tags: ['{{ Tags }}', {Key: k, Value: v}]")},
		{name: "string as a map list item", doc: auto("Tags: [{Key: k, Value: v}, k]"), want: []string{"error type-mismatch mainSteps[0].inputs.Tags[1]"}},
		{name: "text into a map list", doc: auto("Tags: k"), want: []string{"error type-mismatch mainSteps[0].inputs.Tags"}},
		// Inputs of any kind take anything.
		{name: "StringList into an input of any kind", doc: doc("- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, Payload: '{{ Ids }}'}}\n")},
		// Allowed values, literal or through a parameter's own.
		{name: "allowed value", doc: change("InstanceIds: '{{ Ids }}'")},
		{name: "value not allowed", doc: doc("- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: paused}}\n"),
			want: []string{"error not-allowed-value mainSteps[0].inputs.DesiredState"}},
		{name: "value from a parameter of allowed values", doc: doc("- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: '{{ State }}'}}\n")},
		{name: "allowed item of a list", doc: doc("- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', Capabilities: [CAPABILITY_IAM, '{{ Id }}']}}\n")},
		{name: "item of a list not allowed", doc: doc("- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', Capabilities: [CAPABILITY_ALL]}}\n"),
			want: []string{"error not-allowed-value mainSteps[0].inputs.Capabilities[0]"}},
		// Every parameter of an API call is checked, not just the first.
		{name: "API parameters", doc: doc("- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances, InstanceIds: '{{ Ids }}', DryRun: '{{ Nope }}', Filters: [{Name: x, Values: ['{{ variable:Nope }}']}]}}\n"),
			want: []string{"error unresolved-reference mainSteps[0].inputs.DryRun", "error unresolved-reference mainSteps[0].inputs.Filters[0].Values[0]"}},
		{name: "API parameters of a property action", doc: doc("- {name: a, action: 'aws:waitForAwsResourceProperty', inputs: {Service: ec2, Api: DescribeInstances, InstanceIds: '{{ Ids }}', PropertySelector: $.x, DesiredValues: [a], MaxResults: '{{ Nope }}'}}\n"),
			want: []string{"error unresolved-reference mainSteps[0].inputs.MaxResults"}},
		{name: "unknown input", doc: image("ami-1, Extra: '{{ Nope }}'"),
			want: []string{"error unknown-input mainSteps[0].inputs.Extra", "error unresolved-reference mainSteps[0].inputs.Extra"}},
		{name: "required input", doc: doc("- {name: a, action: 'aws:deleteImage', inputs: {}}\n"), want: []string{"error required-input mainSteps[0].inputs.ImageId"}},
		{name: "Steps, LoopCondition and Choices are not inputs to type", doc: doc("- {name: l, action: 'aws:loop', inputs: {MaxIterations: 2, LoopCondition: {Variable: '{{ Id }}', StringEquals: x}, Steps: [{name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: c, Variable: '{{ Id }}', StringEquals: x}]}}, {name: c, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n")},
	}
	checkExactCases(t, cases)
}

// TestReferenceRulesExact covers what references resolve to: earlier
// steps' outputs, a loop's own outputs inside it, variables and globals.
func TestReferenceRulesExact(t *testing.T) {
	cases := []exactCase{
		{name: "earlier output inside a loop", steps: "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\n" +
			"- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: stop, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ launch.InstanceIds }}', DesiredState: stopped}}, {name: del, action: 'aws:deleteImage', inputs: {ImageId: '{{ launch.InstanceIds }}'}}]}}\n",
			want: []string{"warning type-mismatch mainSteps[1].inputs.Steps[1].inputs.ImageId"}},
		{name: "Integer iterator value", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [1, 2], IteratorDataType: Integer, Steps: [{name: r, action: 'aws:runInstances', inputs: {ImageId: ami-1, MaxInstanceCount: '{{ l.CurrentIteratorValue }}'}}]}}\n"},
		{name: "String iterator value", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: r, action: 'aws:runInstances', inputs: {ImageId: ami-1, MaxInstanceCount: '{{ l.CurrentIteratorValue }}'}}]}}\n",
			want: []string{"error type-mismatch mainSteps[0].inputs.Steps[0].inputs.MaxInstanceCount"}},
		{name: "Boolean iterator value", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [true], IteratorDataType: Boolean, Steps: [{name: r, action: 'aws:runInstances', inputs: {ImageId: ami-1, Monitoring: '{{ l.CurrentIteratorValue }}'}}]}}\n"},
		{name: "StringMap iterator value", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: '{{ Tags }}', IteratorDataType: StringMap, Steps: [{name: r, action: 'aws:runInstances', inputs: {ImageId: ami-1, Placement: '{{ l.CurrentIteratorValue }}'}}]}}\n"},
		{name: "unknown loop output", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: r, action: 'aws:deleteImage', inputs: {ImageId: '{{ l.Nope }}'}}]}}\n",
			want: []string{"error unresolved-reference mainSteps[0].inputs.Steps[0].inputs.ImageId"}},
		{name: "loop outputs after the loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], " + loopSteps + "}}\n- {name: r, action: 'aws:deleteImage', inputs: {ImageId: '{{ l.CurrentIteration }}'}}\n",
			want: []string{"error unresolved-reference mainSteps[1].inputs.ImageId"}},
		{name: "output of a step with outputs", steps: "- {name: find, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: Id, Selector: $.x, Type: String}]}\n- {name: r, action: 'aws:deleteImage', inputs: {ImageId: '{{ find.Id }}'}}\n"},
		{name: "variable declared", steps: "- {name: r, action: 'aws:deleteImage', inputs: {ImageId: '{{ variable:Counter }}'}}\n"},
		{name: "automation execution ID", steps: "- {name: r, action: 'aws:deleteImage', inputs: {ImageId: '{{ automation:EXECUTION_ID }}'}}\n"},
		{name: "ssm reference in an input", steps: "- {name: r, action: 'aws:deleteImage', inputs: {ImageId: '{{ssm:/a}}'}}\n",
			want: []string{"error ssm-reference mainSteps[0].inputs.ImageId"}},
		{name: "document outputs", doc: exactHeader + "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\noutputs: [launch.InstanceIds, .InstanceIds, launch., launch.Nope, nope.X]\n",
			want: []string{"error output outputs[1]", "error output outputs[2]", "error unresolved-reference outputs[3]", "error unresolved-reference outputs[4]"}},
	}
	checkExactCases(t, cases)
}

// TestOutputRulesExact covers a step's own outputs.
func TestOutputRulesExact(t *testing.T) {
	api := func(outputs string) string {
		return "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [" + outputs + "]}\n"
	}
	cases := []exactCase{
		{name: "named outputs", steps: api("{Name: A, Selector: $.a, Type: String}, {Name: B, Selector: $.b, Type: MapList}")},
		{name: "unnamed output", steps: api("{Selector: $.a, Type: String}"), want: []string{"error output mainSteps[0].outputs[0].Name"}},
		{name: "repeated output", steps: api("{Name: A, Selector: $.a, Type: String}, {Name: A, Selector: $.b, Type: String}"),
			want: []string{"error duplicate-name mainSteps[0].outputs[1].Name"}},
		{name: "output name with a dash", steps: api("{Name: a-b, Selector: $.a, Type: String}"), want: []string{"error output mainSteps[0].outputs[0].Name"}},
	}
	checkExactCases(t, cases)
}

// TestContentSizeLimit checks the 64 KB limit at its edge, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
func TestContentSizeLimit(t *testing.T) {
	withDescription := func(n int) *Document {
		doc, err := Parse([]byte("schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\ndescription: " + strings.Repeat("x", n) + "\nmainSteps:\n" + napYAML))
		require.NoError(t, err)
		return doc
	}
	n := 1000 + MaxContentBytes - len(withDescription(1000).CompactJSON())
	at := withDescription(n)
	require.Len(t, at.CompactJSON(), MaxContentBytes)
	assert.Empty(t, at.Validate().Problems())
	over := withDescription(n + 1)
	var codes []string
	for _, p := range over.Validate().Problems() {
		codes = append(codes, p.Code)
	}
	assert.Equal(t, []string{CodeContentSize}, codes)
}

// TestProblemDetails checks what problems say is allowed and why, where
// the code and path alone do not tell the rules apart.
func TestProblemDetails(t *testing.T) {
	for _, tc := range []struct {
		name, doc, code, path string
		allowed, message      string
	}{
		{name: "no parameters declared", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nmainSteps:\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ Ami }}'}}\n",
			code: CodeReference, path: "mainSteps[0].inputs.ImageId", allowed: "no parameters are declared"},
		{name: "parameters declared", doc: docWith("  B: {type: String}\n  A: {type: String}\n", "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ Ami }}'}}\n"),
			code: CodeReference, path: "mainSteps[0].inputs.ImageId", allowed: "declared parameters: B, A"},
		{name: "sibling steps", doc: exactHeader + "- {name: b, action: 'aws:sleep', nextStep: nope, inputs: {Duration: PT1S}}\n" + napYAML + napYAML,
			code: CodeUnknownStep, path: "mainSteps[0].nextStep", allowed: "steps: b, nap"},
		{name: "step that runs later", doc: exactHeader + "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ find.Id }}'}}\n- {name: find, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: Id, Selector: $.x, Type: String}]}\n",
			code: CodeReference, path: "mainSteps[0].inputs.ImageId", allowed: "outputs of steps that run earlier", message: `step "find" does not run before this one`},
		{name: "no such step", doc: exactHeader + "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ find.Id }}'}}\n",
			code: CodeReference, path: "mainSteps[0].inputs.ImageId", allowed: "outputs of earlier steps", message: `no step named "find"`},
		{name: "step without outputs", doc: exactHeader + napYAML + "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ nap.Id }}'}}\n",
			code: CodeReference, path: "mainSteps[1].inputs.ImageId", allowed: "step nap has no outputs"},
		{name: "step with outputs", doc: exactHeader + "- {name: find, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: Id, Selector: $.x, Type: String}, {Name: All, Selector: $.y, Type: StringList}]}\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ find.Nope }}'}}\n",
			code: CodeReference, path: "mainSteps[1].inputs.ImageId", allowed: "outputs: All, Id"},
		{name: "article for Integer", doc: docWith("  P: {type: Integer, default: x}\n", napYAML),
			code: CodeType, path: "parameters.P.default", allowed: "an Integer value"},
		{name: "article for String", doc: docWith("  P: {type: String, default: [x]}\n", napYAML),
			code: CodeType, path: "parameters.P.default", allowed: "a String value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.doc))
			require.NoError(t, err)
			var found []Problem
			for _, p := range doc.Validate().Problems() {
				if p.Code == tc.code && p.Path == tc.path {
					found = append(found, p)
				}
			}
			require.Len(t, found, 1, "want one %s at %s", tc.code, tc.path)
			assert.Equal(t, tc.allowed, found[0].Allowed)
			if tc.message != "" {
				assert.Equal(t, tc.message, found[0].Message)
			}
		})
	}
}

// TestEscapedReferenceInJSON checks that a reference spelt with JSON
// escapes is resolved like any other.
func TestEscapedReferenceInJSON(t *testing.T) {
	src := `{"schemaVersion": "0.3", "assumeRole": "arn:aws:iam::123456789012:role/R", "mainSteps": [` +
		`{"name": "a", "action": "aws:deleteImage", "inputs": {"ImageId": "\u007b\u007b Nope }}"}}]}`
	assert.ElementsMatch(t, []string{"error unresolved-reference mainSteps[0].inputs.ImageId"}, problemKeys(t, src))
}
