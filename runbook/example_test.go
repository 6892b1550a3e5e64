package runbook_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// The seed's Restart-EC2InstanceDemo, built with the typed builders.
func Example() {
	doc := runbook.New().
		Description("Restart EC2 instances(s)").
		AssumeRole("arn:aws:iam::123456789012:role/AutomationServiceRole").
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance to restart")).
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")})).
		MustBuild()
	out, _ := doc.JSON()
	fmt.Print(string(out))
	// Output:
	// {
	//   "description": "Restart EC2 instances(s)",
	//   "schemaVersion": "0.3",
	//   "assumeRole": "arn:aws:iam::123456789012:role/AutomationServiceRole",
	//   "parameters": {
	//     "InstanceId": {
	//       "type": "StringList",
	//       "description": "(Required) EC2 Instance to restart"
	//     }
	//   },
	//   "mainSteps": [
	//     {
	//       "name": "stopInstances",
	//       "action": "aws:changeInstanceState",
	//       "inputs": {
	//         "InstanceIds": "{{ InstanceId }}",
	//         "DesiredState": "stopped"
	//       }
	//     },
	//     {
	//       "name": "startInstances",
	//       "action": "aws:changeInstanceState",
	//       "inputs": {
	//         "InstanceIds": "{{ InstanceId }}",
	//         "DesiredState": "running"
	//       }
	//     }
	//   ]
	// }
}

func ExampleParse() {
	doc, err := runbook.Parse([]byte(`
schemaVersion: '0.3'
parameters:
  InstanceId: {type: StringList}
mainSteps:
  - name: stop
    action: aws:changeInstanceState
    inputs: {InstanceIds: '{{ InstanceId }}', DesiredState: stopped}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	in := doc.MainSteps[0].Inputs.(runbook.ChangeInstanceState)
	ref, _ := in.InstanceIds.Ref()
	fmt.Println(doc.MainSteps[0].Action(), ref.Kind, ref.Name)
	// Output: aws:changeInstanceState parameter InstanceId
}

func ExampleDocument_Validate() {
	doc, _ := runbook.Parse([]byte(`{
  "schemaVersion": "0.3",
  "parameters": {"InstanceId": {"type": "String"}},
  "mainSteps": [{"name": "stop", "action": "aws:changeInstanceState",
    "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "halted"}}]
}`))
	report := doc.Validate()
	for _, p := range report.Problems() {
		fmt.Println(p)
	}
	var p runbook.Problem
	if errors.As(report.Err(), &p) {
		fmt.Println("first error at", p.Path)
	}
	// Output:
	// mainSteps[0].inputs.InstanceIds: parameter {{ InstanceId }} is String (got "{{ InstanceId }}"); allowed: a list of strings (StringList)
	// mainSteps[0].inputs.DesiredState: value not allowed (got "halted"); allowed: running, stopped, terminated
	// assumeRole: warning: no assumeRole: the automation runs with the caller's permissions and stops after 12 hours; allowed: a role ARN or {{ AutomationAssumeRole }}
	// first error at mainSteps[0].inputs.InstanceIds
}

func ExampleDocument_MaxDuration() {
	doc := runbook.New().
		Step(runbook.NewStep("wait", runbook.Sleep{Duration: runbook.String("PT2H")})).
		Step(runbook.NewStep("stop", runbook.ChangeInstanceState{
			InstanceIds: runbook.Strings("i-0123456789abcdef0"), DesiredState: runbook.String("stopped")}).MaxAttempts(3)).
		Document()
	b := doc.MaxDuration()
	fmt.Println(b.Bound, b.Exceeds(12*time.Hour))
	for _, r := range b.Reasons {
		fmt.Println(r)
	}
	// Output:
	// 5h0m0s false
	// mainSteps[0] wait: aws:sleep 2h0m0s (sleep Duration)
	// mainSteps[1] stop: aws:changeInstanceState 1h0m0s × 3 attempts = 3h0m0s (default timeout 3600 s)
}

func ExampleDocument_YAML() {
	doc := runbook.New().
		Step(runbook.NewStep("nap", runbook.Sleep{Duration: runbook.String("PT5M")})).
		Document()
	out, _ := doc.YAML()
	fmt.Print(string(out))
	// Output:
	// schemaVersion: '0.3'
	// mainSteps:
	//   - name: nap
	//     action: aws:sleep
	//     inputs:
	//       Duration: PT5M
}

func ExampleBranch() {
	b := runbook.Branch{
		Choices: []runbook.Choice{
			runbook.AllOf(
				runbook.When(runbook.Param("Mode"), runbook.StringEquals, runbook.String("fast")),
				runbook.NotOf(runbook.When(runbook.Param("DryRun"), runbook.BooleanEquals, runbook.Bool(true))),
			).Then("stop"),
		},
		Default: "skip",
	}
	for _, m := range b.Members() {
		fmt.Println(m.Key, m.Value)
	}
	// Output:
	// Choices [{"NextStep":"stop","And":[{"Variable":"{{ Mode }}","StringEquals":"fast"},{"Not":{"Variable":"{{ DryRun }}","BooleanEquals":true}}]}]
	// Default "skip"
}
