package delegate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// restartDemo is the user guide's Restart-EC2InstanceDemo, without a role.
func restartDemo() *runbook.Document {
	return runbook.New().
		Description("Restart EC2 instances(s)").
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance to restart")).
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")})).
		MustBuild()
}

// Embedded mode writes the role into the document: the operator needs no
// iam:PassRole.
func ExampleNewPlan() {
	plan, err := delegate.NewPlan(delegate.NewDocument("Restart-EC2InstanceDemo", restartDemo()), delegate.Embedded, "123456789012", "us-east-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("assumeRole:", plan.Document.AssumeRole)
	fmt.Println("operator passes the role:", plan.PassRole != nil)
	fmt.Println("role actions:", plan.Derived.Actions())
	// Output:
	// assumeRole: arn:aws:iam::123456789012:role/Restart-EC2InstanceDemo-Automation
	// operator passes the role: false
	// role actions: [ec2:DescribeInstanceStatus ec2:StartInstances ec2:StopInstances]
}

// Runtime mode works for AWS-owned runbooks given by name: the operator
// passes the role as AutomationAssumeRole and may pass exactly that role.
func ExampleNewPlan_runtime() {
	plan, err := delegate.NewPlan(delegate.ExistingDocument("AWS-RestartEC2Instance", nil), delegate.Runtime, "123456789012", "us-east-1",
		func(o *delegate.Options) {
			o.RoleARN = "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"
		})
	// Without the content, the role's permissions cannot be derived.
	fmt.Println(errors.Is(err, delegate.ErrNeedsInput))

	content := runbook.New().
		Parameter(runbook.StringListParameter("InstanceId")).
		Parameter(runbook.StringParameter("AutomationAssumeRole").Default(runbook.String(""))).
		AssumeRole("{{ AutomationAssumeRole }}").
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")})).
		MustBuild()
	plan, err = delegate.NewPlan(delegate.ExistingDocument("AWS-RestartEC2Instance", content), delegate.Runtime, "123456789012", "us-east-1",
		func(o *delegate.Options) {
			o.RoleARN = "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"
			o.Parameters = map[string][]string{"InstanceId": {"i-1234567890abcdef0"}}
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("document:", plan.DocumentARN, "create:", plan.CreateDocument)
	fmt.Println("start:", plan.Start.Parameters)
	fmt.Println("pass role:", plan.PassRole.Action.Values, plan.PassRole.Resource.Values)
	// Output:
	// true
	// document: arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance create: false
	// start: map[AutomationAssumeRole:[arn:aws:iam::123456789012:role/AmazonSSMAutomationRole] InstanceId:[i-1234567890abcdef0]]
	// pass role: [iam:PassRole] [arn:aws:iam::123456789012:role/AmazonSSMAutomationRole]
}

// Caller mode is refused for a run that may outlive the caller's 12-hour
// session.
func ExampleNewPlan_callerRefused() {
	long := runbook.New().
		Step(runbook.NewStep("soak", runbook.Sleep{Duration: runbook.String("PT13H")})).
		MustBuild()
	_, err := delegate.NewPlan(delegate.NewDocument("Soak-Test", long), delegate.Caller, "123456789012", "us-east-1")
	var refused *delegate.CallerModeError
	fmt.Println(errors.As(err, &refused), errors.Is(err, delegate.ErrModeRefused), refused.Bound)
	// Output:
	// true true 13h0m0s
}

// The plan as a CloudFormation template.
func ExamplePlan_CloudFormation() {
	plan, err := delegate.NewPlan(delegate.NewDocument("Restart-EC2InstanceDemo", restartDemo()), delegate.Runtime, "123456789012", "us-east-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	tmpl, err := plan.CloudFormation()
	if err != nil {
		fmt.Println(err)
		return
	}
	var t struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(tmpl, &t); err != nil {
		fmt.Println(err)
		return
	}
	var ids []string
	for id := range t.Resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Println(id, t.Resources[id].Type)
	}
	// Output:
	// AutomationOperatorPolicy AWS::IAM::ManagedPolicy
	// AutomationRunbook AWS::SSM::Document
	// AutomationServiceRole AWS::IAM::Role
}
