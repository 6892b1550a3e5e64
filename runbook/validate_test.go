package runbook

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// header declares what the rule cases reference.
const header = `schemaVersion: '0.3'
assumeRole: arn:aws:iam::123456789012:role/AutomationServiceRole
parameters:
  Ids: {type: StringList}
  Id: {type: String}
  Count: {type: Integer, default: 2}
  Flag: {type: Boolean, default: true}
  Tags: {type: MapList, default: []}
  Payload: {type: StringMap, default: {}}
  State: {type: String, allowedValues: [running, stopped]}
  BadState: {type: String, allowedValues: [running, rebooted]}
variables:
  Counter: {type: Integer, default: 0}
files:
  script.py: {checksums: {sha256: 0123abcd}}
mainSteps:
`

type ruleCase struct {
	name string
	// steps are appended to header; doc replaces the whole document.
	steps string
	doc   string
	opts  func(*ValidateOptions)
	// code and path of the expected error; empty code means no error.
	code, path string
	warn       bool
}

func (c ruleCase) source() string {
	if c.doc != "" {
		return c.doc
	}
	return header + c.steps
}

const sleepStep = "- {name: nap, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"

func TestValidationRules(t *testing.T) {
	big := strings.Repeat("x", MaxContentBytes)
	manyParams := "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nparameters:\n"
	for i := 0; i < MaxParameters+1; i++ {
		manyParams += fmt.Sprintf("  P%d: {type: String}\n", i)
	}
	manyParams += "mainSteps:\n" + sleepStep
	approvers := func(n int) string {
		var a []string
		for i := 0; i < n; i++ {
			a = append(a, fmt.Sprintf("user%d", i))
		}
		return "[" + strings.Join(a, ", ") + "]"
	}
	iterators := func(n int) string {
		var a []string
		for i := 0; i < n; i++ {
			a = append(a, fmt.Sprintf("v%d", i))
		}
		return "[" + strings.Join(a, ", ") + "]"
	}
	cases := []ruleCase{
		// document
		{name: "schema version ok", steps: sleepStep},
		{name: "schema version wrong", doc: "schemaVersion: '0.2'\nmainSteps:\n" + sleepStep, code: CodeSchemaVersion, path: "schemaVersion"},
		{name: "no steps", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nmainSteps: []\n", code: CodeNoSteps, path: "mainSteps"},
		{name: "no mainSteps key", doc: "schemaVersion: '0.3'\nparameters: {A: {type: String}}\n", code: CodeNoSteps, path: "mainSteps"},
		{name: "assumeRole placeholder", doc: "schemaVersion: '0.3'\nassumeRole: AssumeRoleARN\nmainSteps:\n" + sleepStep, code: CodeAssumeRole, path: "assumeRole"},
		{name: "assumeRole parameter", doc: "schemaVersion: '0.3'\nassumeRole: '{{ Role }}'\nparameters: {Role: {type: 'AWS::IAM::Role::Arn'}}\nmainSteps:\n" + sleepStep},
		{name: "assumeRole undeclared", doc: "schemaVersion: '0.3'\nassumeRole: '{{ Role }}'\nmainSteps:\n" + sleepStep, code: CodeReference, path: "assumeRole"},
		{name: "assumeRole list parameter", doc: "schemaVersion: '0.3'\nassumeRole: '{{ Role }}'\nparameters: {Role: {type: StringList}}\nmainSteps:\n" + sleepStep, code: CodeType, path: "assumeRole"},
		{name: "no assumeRole warns", doc: "schemaVersion: '0.3'\nmainSteps:\n" + sleepStep, code: CodeNoAssumeRole, path: "assumeRole", warn: true},
		{name: "content size ok", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\ndescription: " + big[:60000] + "\nmainSteps:\n" + sleepStep},
		{name: "content too large", doc: "schemaVersion: '0.3'\ndescription: " + big + "\nmainSteps:\n" + sleepStep, code: CodeContentSize, path: ""},
		{name: "document name ok", steps: sleepStep, opts: named("Restart-EC2InstanceDemo")},
		{name: "document name short", steps: sleepStep, opts: named("ab"), code: CodeDocumentName},
		{name: "document name chars", steps: sleepStep, opts: named("restart ec2"), code: CodeDocumentName},
		{name: "document name aws prefix", steps: sleepStep, opts: named("AWS-Mine"), code: CodeDocumentName},
		{name: "document name amazon prefix", steps: sleepStep, opts: named("AmazonThing"), code: CodeDocumentName},
		{name: "document name amzn prefix", steps: sleepStep, opts: named("amzn.tool"), code: CodeDocumentName},
		{name: "document name AWSSupport prefix", steps: sleepStep, opts: named("AWSSupport-Mine"), code: CodeDocumentName},

		// step names and flow
		{name: "step name invalid", steps: "- {name: stop-1, action: 'aws:sleep', inputs: {Duration: PT1S}}\n", code: CodeStepName, path: "mainSteps[0].name"},
		{name: "step name duplicate", steps: sleepStep + sleepStep, code: CodeDuplicateName, path: "mainSteps[1].name"},
		{name: "step name duplicate in loop", steps: "- {name: loop, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: loop, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n",
			code: CodeDuplicateName, path: "mainSteps[0].inputs.Steps[0].name"},
		{name: "step name invalid in loop", steps: "- {name: loop, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: 'a b', action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n",
			code: CodeStepName, path: "mainSteps[0].inputs.Steps[0].name"},
		{name: "nextStep ok", steps: "- {name: a, action: 'aws:sleep', nextStep: nap, inputs: {Duration: PT1S}}\n" + sleepStep},
		{name: "nextStep unknown", steps: "- {name: a, action: 'aws:sleep', nextStep: nope, inputs: {Duration: PT1S}}\n", code: CodeUnknownStep, path: "mainSteps[0].nextStep"},
		{name: "onFailure step ok", steps: "- {name: a, action: 'aws:sleep', onFailure: 'step:nap', inputs: {Duration: PT1S}}\n" + sleepStep},
		{name: "onFailure step unknown", steps: "- {name: a, action: 'aws:sleep', onFailure: 'step:nope', inputs: {Duration: PT1S}}\n", code: CodeUnknownStep, path: "mainSteps[0].onFailure"},
		{name: "onFailure bad value", steps: "- {name: a, action: 'aws:sleep', onFailure: Retry, inputs: {Duration: PT1S}}\n", code: CodeFlow, path: "mainSteps[0].onFailure"},
		{name: "onCancel ok", steps: "- {name: a, action: 'aws:sleep', onCancel: 'step:cleanup', inputs: {Duration: PT1S}}\n- {name: cleanup, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances}}\n"},
		{name: "onCancel to sleep", steps: "- {name: a, action: 'aws:sleep', onCancel: 'step:nap', inputs: {Duration: PT1S}}\n" + sleepStep, code: CodeOnCancel, path: "mainSteps[0].onCancel"},
		{name: "onCancel to approve", steps: "- {name: a, action: 'aws:sleep', onCancel: 'step:ok', inputs: {Duration: PT1S}}\n- {name: ok, action: 'aws:approve', inputs: {Approvers: [u]}}\n", code: CodeOnCancel, path: "mainSteps[0].onCancel"},
		{name: "onCancel Continue", steps: "- {name: a, action: 'aws:sleep', onCancel: Continue, inputs: {Duration: PT1S}}\n", code: CodeFlow, path: "mainSteps[0].onCancel"},
		{name: "loop step cannot jump out", steps: sleepStep + "- {name: loop, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: in, action: 'aws:sleep', nextStep: nap, inputs: {Duration: PT1S}}]}}\n",
			code: CodeUnknownStep, path: "mainSteps[1].inputs.Steps[0].nextStep"},
		{name: "maxAttempts zero", steps: "- {name: a, action: 'aws:sleep', maxAttempts: 0, inputs: {Duration: PT1S}}\n", code: CodeLimit, path: "mainSteps[0].maxAttempts"},

		// branch
		{name: "branch ok", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Id }}', StringEquals: x}], Default: nap}}\n" + sleepStep},
		{name: "branch NextStep unknown", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nope, Variable: '{{ Id }}', StringEquals: x}]}}\n" + sleepStep,
			code: CodeUnknownStep, path: "mainSteps[0].inputs.Choices[0].NextStep"},
		{name: "branch NextStep missing", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{Variable: '{{ Id }}', StringEquals: x}]}}\n" + sleepStep,
			code: CodeRequiredInput, path: "mainSteps[0].inputs.Choices[0].NextStep"},
		{name: "branch Default unknown", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Id }}', StringEquals: x}], Default: nope}}\n" + sleepStep,
			code: CodeUnknownStep, path: "mainSteps[0].inputs.Default"},
		{name: "branch nested ok", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, And: [{Variable: '{{ Count }}', NumericGreater: 1}, {Not: {Variable: '{{ Flag }}', BooleanEquals: false}}]}]}}\n" + sleepStep},
		{name: "branch numeric operand", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Count }}', NumericGreater: many}]}}\n" + sleepStep,
			code: CodeType, path: "mainSteps[0].inputs.Choices[0].NumericGreater"},
		{name: "branch boolean operand", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Flag }}', BooleanEquals: 3}]}}\n" + sleepStep,
			code: CodeType, path: "mainSteps[0].inputs.Choices[0].BooleanEquals"},
		{name: "branch two forms", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Id }}', StringEquals: x, Or: [{Variable: '{{ Id }}', StringEquals: y}]}]}}\n" + sleepStep,
			code: CodeExclusive, path: "mainSteps[0].inputs.Choices[0]"},
		{name: "branch no choices", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: []}}\n" + sleepStep, code: CodeRequiredInput, path: "mainSteps[0].inputs.Choices"},

		// document outputs
		{name: "outputs ok", steps: "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\n", doc: "", code: ""},
		{name: "outputs unknown step", doc: header + sleepStep + "outputs: [nope.X]\n", code: CodeReference, path: "outputs[0]"},
		{name: "outputs unknown output", doc: header + "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\noutputs: [launch.Nope]\n", code: CodeReference, path: "outputs[0]"},
		{name: "outputs predefined ok", doc: header + "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\noutputs: [launch.InstanceIds]\n"},
		{name: "outputs malformed", doc: header + sleepStep + "outputs: [nap]\n", code: CodeOutput, path: "outputs[0]"},

		// actions and inputs
		{name: "unknown action", steps: "- {name: a, action: 'aws:teleport', inputs: {To: moon}}\n", code: CodeUnknownAction, path: "mainSteps[0].action"},
		{name: "unknown input", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT1S, Bogus: 1}}\n", code: CodeUnknownInput, path: "mainSteps[0].inputs.Bogus"},
		{name: "api parameters are not unknown", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances, InstanceIds: '{{ Ids }}'}}\n"},
		{name: "required input", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}'}}\n", code: CodeRequiredInput, path: "mainSteps[0].inputs.DesiredState"},
		{name: "api Service required", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Api: DescribeInstances}}\n", code: CodeRequiredInput, path: "mainSteps[0].inputs.Service"},
		{name: "selector without $ as AWS accepts", steps: "- {name: a, action: 'aws:assertAwsResourceProperty', inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: State, DesiredValues: [ok]}}\n"},

		// enums
		{name: "DesiredState ok", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: running}}\n"},
		{name: "DesiredState bad", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: rebooted}}\n", code: CodeEnum, path: "mainSteps[0].inputs.DesiredState"},
		{name: "DesiredState parameter ok", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: '{{ State }}'}}\n"},
		{name: "DesiredState parameter allows more", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: '{{ BadState }}'}}\n", code: CodeEnum, path: "mainSteps[0].inputs.DesiredState"},
		{name: "InvocationType bad", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, InvocationType: Async}}\n", code: CodeEnum, path: "mainSteps[0].inputs.InvocationType"},
		{name: "LogType bad", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, LogType: Full}}\n", code: CodeEnum, path: "mainSteps[0].inputs.LogType"},
		{name: "LogType ok", steps: "- {name: a, action: 'aws:invokeLambdaFunction', inputs: {FunctionName: f, LogType: Tail, InvocationType: RequestResponse}}\n"},
		{name: "ResourceType bad", steps: "- {name: a, action: 'aws:createTags', inputs: {ResourceIds: [i-1], Tags: [{Key: k, Value: v}], ResourceType: S3}}\n", code: CodeEnum, path: "mainSteps[0].inputs.ResourceType"},
		{name: "Capabilities bad item", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', Capabilities: [CAPABILITY_IAM, CAPABILITY_ALL]}}\n", code: CodeEnum, path: "mainSteps[0].inputs.Capabilities[1]"},
		{name: "createStack OnFailure bad", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateURL: 'https://x', OnFailure: KEEP}}\n", code: CodeEnum, path: "mainSteps[0].inputs.OnFailure"},
		{name: "DocumentHashType bad", steps: "- {name: a, action: 'aws:runCommand', inputs: {DocumentName: AWS-RunShellScript, InstanceIds: [i-1], DocumentHashType: Md5}}\n", code: CodeEnum, path: "mainSteps[0].inputs.DocumentHashType"},
		{name: "IteratorDataType bad", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [1], IteratorDataType: Float, Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n", code: CodeEnum, path: "mainSteps[0].inputs.IteratorDataType"},

		// exclusive inputs
		{name: "TemplateBody and TemplateURL", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateBody: '{}', TemplateURL: 'https://x'}}\n", code: CodeExclusive, path: "mainSteps[0].inputs.TemplateURL"},
		{name: "neither template", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s}}\n", code: CodeRequiredInput, path: "mainSteps[0].inputs"},
		{name: "StackPolicyBody and URL", steps: "- {name: a, action: 'aws:createStack', inputs: {StackName: s, TemplateBody: '{}', StackPolicyBody: '{}', StackPolicyURL: 'https://x'}}\n", code: CodeExclusive, path: "mainSteps[0].inputs.StackPolicyURL"},
		{name: "Duration and Timestamp", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT1S, Timestamp: '2026-01-01T00:00:00Z'}}\n", code: CodeExclusive, path: "mainSteps[0].inputs.Timestamp"},
		{name: "sleep needs one", steps: "- {name: a, action: 'aws:sleep', inputs: {}}\n", code: CodeRequiredInput, path: "mainSteps[0].inputs"},
		{name: "InstanceIds and Targets", steps: "- {name: a, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1], Targets: [{Key: 'tag:a', Values: [b]}]}}\n", code: CodeExclusive, path: "mainSteps[0].inputs.Targets"},
		{name: "runCommand Targets ok", steps: "- {name: a, action: 'aws:runCommand', inputs: {DocumentName: d, Targets: [{Key: 'tag:a', Values: [b]}]}}\n"},
		{name: "Iterators and LoopCondition", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], LoopCondition: {Variable: '{{ Id }}', StringEquals: x}, Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n",
			code: CodeExclusive, path: "mainSteps[0].inputs.LoopCondition"},
		{name: "Script and Attachment", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Script: 'def h(e, c): pass', Attachment: script.py}}\n",
			code: CodeExclusive, path: "mainSteps[0].inputs.Attachment"},
		{name: "Attachment declared", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Attachment: script.py}}\n"},
		{name: "Attachment undeclared", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Attachment: other.py}}\n", code: CodeReference, path: "mainSteps[0].inputs.Attachment"},
		{name: "python needs Handler", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Script: x}}\n", code: CodeRequiredInput, path: "mainSteps[0].inputs.Handler"},
		{name: "PowerShell without Handler", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: PowerShell 7.4, Script: Write-Output 1}}\n"},
		{name: "Targets needs TargetParameterName", steps: "- {name: a, action: 'aws:executeAutomation', inputs: {DocumentName: Child, Targets: [{Key: 'tag:a', Values: [b]}]}}\n", code: CodeRequiredInput, path: "mainSteps[0].inputs.TargetParameterName"},

		// types
		{name: "StringList parameter into InstanceIds", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: stopped}}\n"},
		{name: "String parameter into InstanceIds", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Id }}', DesiredState: stopped}}\n", code: CodeType, path: "mainSteps[0].inputs.InstanceIds"},
		{name: "String parameter in an InstanceIds list", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: ['{{ Id }}'], DesiredState: stopped}}\n"},
		{name: "plain string into InstanceIds", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: i-1, DesiredState: stopped}}\n", code: CodeType, path: "mainSteps[0].inputs.InstanceIds"},
		{name: "list output into InstanceIds", steps: "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\n- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ launch.InstanceIds }}', DesiredState: stopped}}\n"},
		{name: "list into a string input", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ Ids }}'}}\n", code: CodeType, path: "mainSteps[0].inputs.ImageId", warn: true},
		{name: "Boolean parameter into CheckStateOnly", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: stopped, CheckStateOnly: '{{ Flag }}'}}\n"},
		{name: "String parameter into CheckStateOnly", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: stopped, CheckStateOnly: '{{ Id }}'}}\n", code: CodeType, path: "mainSteps[0].inputs.CheckStateOnly"},
		{name: "integer input", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u], MinRequiredApprovals: one}}\n", code: CodeType, path: "mainSteps[0].inputs.MinRequiredApprovals"},
		{name: "map input from StringMap", steps: "- {name: a, action: 'aws:executeAutomation', timeoutSeconds: 60, inputs: {DocumentName: Child, RuntimeParameters: '{{ Payload }}'}}\n"},
		{name: "map input from list", steps: "- {name: a, action: 'aws:executeAutomation', inputs: {DocumentName: Child, RuntimeParameters: [a]}}\n", code: CodeType, path: "mainSteps[0].inputs.RuntimeParameters"},
		{name: "MapList from parameter", steps: "- {name: a, action: 'aws:createTags', inputs: {ResourceIds: '{{ Ids }}', Tags: '{{ Tags }}'}}\n"},
		{name: "MapList item not a map", steps: "- {name: a, action: 'aws:createTags', inputs: {ResourceIds: '{{ Ids }}', Tags: [k=v]}}\n", code: CodeType, path: "mainSteps[0].inputs.Tags[0]"},

		// durations
		{name: "Duration ok", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: P1DT2H30M}}\n"},
		{name: "Duration not ISO", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: 10 minutes}}\n", code: CodeDuration, path: "mainSteps[0].inputs.Duration"},
		{name: "Duration over 7 days", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: P8D}}\n", code: CodeLimit, path: "mainSteps[0].inputs.Duration"},
		{name: "Timestamp ok", steps: "- {name: a, action: 'aws:sleep', inputs: {Timestamp: '2026-01-02T15:04:05Z'}}\n"},
		{name: "Timestamp bad", steps: "- {name: a, action: 'aws:sleep', inputs: {Timestamp: tomorrow}}\n", code: CodeDuration, path: "mainSteps[0].inputs.Timestamp"},

		// references
		{name: "undeclared parameter", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ Ami }}'}}\n", code: CodeReference, path: "mainSteps[0].inputs.ImageId"},
		{name: "reference inside text", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: 'ami-{{ Nope }}'}}\n", code: CodeReference, path: "mainSteps[0].inputs.ImageId"},
		{name: "reference in nested API parameter", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances, Filters: [{Name: x, Values: ['{{ Nope }}']}]}}\n",
			code: CodeReference, path: "mainSteps[0].inputs.Filters[0].Values[0]"},
		{name: "later step output", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ launch.InstanceIds }}', DesiredState: stopped}}\n- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\n",
			code: CodeReference, path: "mainSteps[0].inputs.InstanceIds"},
		{name: "unknown output", steps: "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}}\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ launch.ImageId }}'}}\n",
			code: CodeReference, path: "mainSteps[1].inputs.ImageId"},
		{name: "user output", steps: "- {name: find, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: ImageId, Selector: '$.Images[0].ImageId', Type: String}]}\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ find.ImageId }}'}}\n"},
		{name: "iterator value inside loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: '{{ Ids }}', Steps: [{name: in, action: 'aws:deleteImage', inputs: {ImageId: '{{ l.CurrentIteratorValue }}'}}]}}\n"},
		{name: "iterator value outside loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: '{{ Ids }}', Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ l.CurrentIteratorValue }}'}}\n",
			code: CodeReference, path: "mainSteps[1].inputs.ImageId"},
		{name: "loop condition reads inner step", steps: "- {name: l, action: 'aws:loop', inputs: {MaxIterations: 5, LoopCondition: {Variable: '{{ check.State }}', StringEquals: pending}, Steps: [{name: check, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: State, Selector: '$.Images[0].State', Type: String}]}]}}\n"},
		{name: "Iterators from a String parameter", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: '{{ Id }}', Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n", code: CodeType, path: "mainSteps[0].inputs.Iterators"},
		{name: "globals ok", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ global:ACCOUNT_ID }}-{{ global:REGION }}-{{ global:AWS_PARTITION }}-{{ global:DATE }}-{{ global:DATE_TIME }}-{{ automation:EXECUTION_ID }}'}}\n"},
		{name: "unknown global", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ global:ZONE }}'}}\n", code: CodeReference, path: "mainSteps[0].inputs.ImageId"},
		{name: "unknown automation variable", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ automation:ID }}'}}\n", code: CodeReference, path: "mainSteps[0].inputs.ImageId"},
		{name: "variable ok", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: 'variable:Counter', Value: '{{ variable:Counter }}'}}\n"},
		{name: "variable undeclared", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ variable:Nope }}'}}\n", code: CodeReference, path: "mainSteps[0].inputs.ImageId"},
		{name: "updateVariable undeclared", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: 'variable:Nope', Value: 1}}\n", code: CodeReference, path: "mainSteps[0].inputs.Name"},
		{name: "updateVariable wrong type", steps: "- {name: a, action: 'aws:updateVariable', inputs: {Name: 'variable:Counter', Value: [1]}}\n", code: CodeType, path: "mainSteps[0].inputs.Value"},
		{name: "ssm in an input", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ssm:/app/ami}}'}}\n", code: CodeSSMReference, path: "mainSteps[0].inputs.ImageId"},
		{name: "ssm in a default", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nparameters: {Ami: {type: String, default: '{{ssm:/app/ami}}'}}\nmainSteps:\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ Ami }}'}}\n"},
		{name: "ssm-secure in a default", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nparameters: {Pw: {type: String, default: '{{ssm-secure:/app/pw}}'}}\nmainSteps:\n" + sleepStep,
			code: CodeSSMReference, path: "parameters.Pw.default"},
		{name: "malformed reference", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ a b }}'}}\n", code: CodeReference, path: "mainSteps[0].inputs.ImageId"},
		{name: "branch variable unresolved", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nap, Variable: '{{ Nope }}', StringEquals: x}]}}\n" + sleepStep,
			code: CodeReference, path: "mainSteps[0].inputs.Choices[0].Variable"},

		// step outputs
		{name: "output reuses predefined name", steps: "- {name: launch, action: 'aws:runInstances', inputs: {ImageId: ami-1}, outputs: [{Name: InstanceIds, Selector: '$.x', Type: StringList}]}\n",
			code: CodeOutput, path: "mainSteps[0].outputs[0].Name"},
		{name: "output type invalid", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: X, Selector: '$.x', Type: Float}]}\n",
			code: CodeOutput, path: "mainSteps[0].outputs[0].Type"},
		{name: "output selector invalid", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeImages}, outputs: [{Name: X, Selector: 'x', Type: String}]}\n",
			code: CodeOutput, path: "mainSteps[0].outputs[0].Selector"},

		// parameters
		{name: "default type", doc: paramDoc("{type: Integer, default: many}"), code: CodeType, path: "parameters.P.default"},
		{name: "default integer ok", doc: paramDoc("{type: Integer, default: 3}")},
		{name: "default boolean", doc: paramDoc("{type: Boolean, default: 1}"), code: CodeType, path: "parameters.P.default"},
		{name: "default StringList", doc: paramDoc("{type: StringList, default: a}"), code: CodeType, path: "parameters.P.default"},
		{name: "default MapList", doc: paramDoc("{type: MapList, default: [a]}"), code: CodeType, path: "parameters.P.default"},
		{name: "default in allowedValues", doc: paramDoc("{type: String, default: b, allowedValues: [a, b]}")},
		{name: "default not in allowedValues", doc: paramDoc("{type: String, default: c, allowedValues: [a, b]}"), code: CodeEnum, path: "parameters.P.default"},
		{name: "list default in allowedValues", doc: paramDoc("{type: StringList, default: [a, b], allowedValues: [a, b]}")},
		{name: "default matches pattern", doc: paramDoc("{type: String, default: i-0abc, allowedPattern: '^i-[0-9a-f]+$'}")},
		{name: "default does not match pattern", doc: paramDoc("{type: String, default: vol-1, allowedPattern: '^i-[0-9a-f]+$'}"), code: CodeParameter, path: "parameters.P.default"},
		{name: "list default items match pattern", doc: paramDoc("{type: StringList, default: [i-1, x], allowedPattern: '^i-[0-9]+$'}"), code: CodeParameter, path: "parameters.P.default"},
		{name: "empty default skips pattern", doc: paramDoc("{type: String, default: '', allowedPattern: '^arn:.*'}")},
		{name: "allowedValue of wrong type", doc: paramDoc("{type: Integer, allowedValues: [1, two]}"), code: CodeType, path: "parameters.P.allowedValues[1]"},
		{name: "minItems above maxItems", doc: paramDoc("{type: StringList, minItems: 3, maxItems: 2}"), code: CodeParameter, path: "parameters.P.minItems"},
		{name: "minItems ok", doc: paramDoc("{type: StringList, minItems: 1, maxItems: 2, default: [a]}")},
		{name: "default too many items", doc: paramDoc("{type: StringList, maxItems: 1, default: [a, b]}"), code: CodeParameter, path: "parameters.P.default"},
		{name: "minChars above maxChars", doc: paramDoc("{type: String, minChars: 5, maxChars: 2}"), code: CodeParameter, path: "parameters.P.minChars"},
		{name: "default too long", doc: paramDoc("{type: String, maxChars: 2, default: abc}"), code: CodeParameter, path: "parameters.P.default"},
		{name: "unknown parameter type", doc: paramDoc("{type: Float}"), code: CodeParameter, path: "parameters.P.type"},
		{name: "console parameter types", doc: paramDoc("{type: 'List<AWS::EC2::Instance::Id>', default: [i-1]}")},
		{name: "displayType", doc: paramDoc("{type: String, displayType: textbox}"), code: CodeEnum, path: "parameters.P.displayType"},
		{name: "too many parameters", doc: manyParams, code: CodeLimit, path: "parameters"},
		{name: "parameter name too long", doc: strings.Replace(paramDoc("{type: String}"), "  P:", "  "+strings.Repeat("N", 51)+":", 1), code: CodeLimit, path: "parameters." + strings.Repeat("N", 51)},
		{name: "parameter name at limit", doc: strings.Replace(paramDoc("{type: String}"), "  P:", "  "+strings.Repeat("N", 50)+":", 1)},
		{name: "variable type", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nvariables: {V: {type: Float}}\nmainSteps:\n" + sleepStep, code: CodeParameter, path: "variables.V.type"},
		{name: "variable default", doc: "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nvariables: {V: {type: Integer, default: x}}\nmainSteps:\n" + sleepStep, code: CodeType, path: "variables.V.default"},

		// limits
		{name: "10 approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: " + approvers(10) + ", MinRequiredApprovals: 10}}\n"},
		{name: "11 approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: " + approvers(11) + "}}\n", code: CodeLimit, path: "mainSteps[0].inputs.Approvers"},
		{name: "more approvals than approvers", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [a, b], MinRequiredApprovals: 3}}\n", code: CodeLimit, path: "mainSteps[0].inputs.MinRequiredApprovals"},
		{name: "approvers from a parameter", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: '{{ Ids }}', MinRequiredApprovals: 3}}\n"},
		{name: "100 iterators", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: " + iterators(100) + ", Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n"},
		{name: "101 iterators", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: " + iterators(101) + ", Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n", code: CodeLimit, path: "mainSteps[0].inputs.Iterators"},
		{name: "MaxIterations 101", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], MaxIterations: 101, Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n", code: CodeLimit, path: "mainSteps[0].inputs.MaxIterations"},
		{name: "loop without steps", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: []}}\n", code: CodeRequiredInput, path: "mainSteps[0].inputs.Steps"},
		{name: "sleep 7 days", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: P7D}}\n"},
		{name: "executeScript 600 s", steps: "- {name: a, action: 'aws:executeScript', timeoutSeconds: 600, inputs: {Runtime: python3.11, Handler: h, Script: x}}\n"},
		{name: "executeScript 601 s warns", steps: "- {name: a, action: 'aws:executeScript', timeoutSeconds: 601, inputs: {Runtime: python3.11, Handler: h, Script: x}}\n", code: CodeLimit, path: "mainSteps[0].timeoutSeconds", warn: true},
		{name: "invokeLambdaFunction 300 s", steps: "- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: 300, inputs: {FunctionName: f}}\n"},
		{name: "invokeLambdaFunction 301 s warns", steps: "- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: 301, inputs: {FunctionName: f}}\n", code: CodeLimit, path: "mainSteps[0].timeoutSeconds", warn: true},
		{name: "pause over 30 days", steps: "- {name: a, action: 'aws:pause', timeoutSeconds: 2592001, inputs: {}}\n", code: CodeLimit, path: "mainSteps[0].timeoutSeconds"},

		// reachability
		{name: "unreachable step", steps: "- {name: a, action: 'aws:sleep', isEnd: true, inputs: {Duration: PT1S}}\n" + sleepStep, code: CodeUnreachable, path: "mainSteps[1]", warn: true},
		{name: "reached through onFailure", steps: "- {name: a, action: 'aws:sleep', isEnd: true, onFailure: 'step:nap', inputs: {Duration: PT1S}}\n" + sleepStep},
		{name: "reached through branch", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: c, Variable: '{{ Id }}', StringEquals: x}], Default: nap}}\n" + sleepStep + "- {name: c, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"},
	}
	checkRuleCases(t, cases)
}

func named(name string) func(*ValidateOptions) {
	return func(o *ValidateOptions) { o.Name = name }
}

func paramDoc(def string) string {
	return "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nparameters:\n  P: " + def + "\nmainSteps:\n" + sleepStep
}

func TestProblemsCarryValueAndAllowed(t *testing.T) {
	doc, err := Parse([]byte(header + "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: rebooted}}\n"))
	require.NoError(t, err)
	err = doc.Validate().Err()
	require.Error(t, err)
	var p Problem
	require.True(t, errors.As(err, &p))
	require.Equal(t, Problem{Path: "mainSteps[0].inputs.DesiredState", Value: `"rebooted"`, Message: "value not allowed",
		Allowed: "running, stopped, terminated", Code: CodeEnum}, p)
	require.Equal(t, `mainSteps[0].inputs.DesiredState: value not allowed (got "rebooted"); allowed: running, stopped, terminated`, p.Error())
	ve, ok := AsValidationError(err)
	require.True(t, ok)
	require.Len(t, ve.Problems, 1)
}

func TestBuildReportsEveryProblem(t *testing.T) {
	_, err := New().
		Step(NewStep("a-1", ChangeInstanceState{InstanceIds: Param("Missing"), DesiredState: String("paused")})).
		Step(NewStep("b", Sleep{Duration: String("soon")})).
		Build()
	ve, ok := AsValidationError(err)
	require.True(t, ok)
	var paths []string
	for _, p := range ve.Problems {
		paths = append(paths, p.Path)
	}
	require.ElementsMatch(t, []string{"mainSteps[0].name", "mainSteps[0].inputs.InstanceIds", "mainSteps[0].inputs.DesiredState", "mainSteps[1].inputs.Duration"}, paths)
}

func TestISODuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"PT10M", "10m0s", true}, {"PT1H30M", "1h30m0s", true}, {"P1D", "24h0m0s", true}, {"P1W", "168h0m0s", true},
		{"PT0.5S", "500ms", true}, {"P1DT1S", "24h0m1s", true},
		{"PT0,5S", "500ms", true}, {"P2DT3H4M5S", "51h4m5s", true},
		// Validation and the local engine share this parser; these once
		// parsed in one and not the other. Fractions are only allowed on
		// seconds, units appear once each, in order.
		{"PT1.5H", "", false}, {"PT5S10M", "", false}, {"P1W1W", "", false}, {"P2D1W", "", false}, {"PT1H1H", "", false},
		{"PT1X", "", false}, {"PTM", "", false}, {"PT1H2", "", false}, {"P1DT", "", false}, {"pt1m", "", false},
		{"PT9223372036S", "", false}, {"P", "", false}, {"PT", "", false}, {"10M", "", false}, {"P1M", "", false}, {"P1Y", "", false}, {"", "", false}, {"PT-1S", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseISODuration(tc.in)
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, d.String())
		})
	}
}
