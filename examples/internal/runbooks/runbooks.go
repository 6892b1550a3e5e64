// Package runbooks holds the walkthroughs' own runbooks, so the examples and
// the README's policy comparison build the very same documents.
package runbooks

import "github.com/ssmdelegate/ssmdelegate/runbook"

// The walkthroughs' document names.
const (
	RestartDemoName  = "Restart-EC2InstanceDemo"
	LaunchTaggedName = "LaunchTaggedInstance"
)

// RestartDemo is the user guide's Restart-EC2InstanceDemo with the service
// role written into assumeRole.
func RestartDemo(roleARN string) (*runbook.Document, error) {
	return runbook.New().
		Description("Restart EC2 instances(s)").
		AssumeRole(roleARN).
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance to restart")).
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")})).
		Build(func(o *runbook.ValidateOptions) { o.Name = RestartDemoName })
}

// LaunchTagged launches one instance and tags it the way the administrator
// requires: who launched it (the execution) and its cost center.
func LaunchTagged(roleARN string) (*runbook.Document, error) {
	return runbook.New().
		Description("Launch one EC2 instance tagged with its cost center and the execution that launched it").
		AssumeRole(roleARN).
		Parameter(runbook.StringParameter("ImageId").
			Description("(Required) AMI to launch").
			AllowedPattern(`^ami-[0-9a-f]{8,17}$`)).
		Parameter(runbook.StringParameter("InstanceType").
			Description("(Optional) Instance type").
			Default(runbook.String("t3.micro")).
			AllowedValues(runbook.String("t3.micro"), runbook.String("t3.small"))).
		Parameter(runbook.StringParameter("CostCenter").
			Description("(Required) Cost center charged for the instance").
			AllowedPattern(`^CC-[0-9]{4}$`)).
		Step(runbook.NewStep("launch", runbook.RunInstances{
			ImageId:          runbook.Param("ImageId"),
			InstanceType:     runbook.Param("InstanceType"),
			MinInstanceCount: runbook.Int(1),
			MaxInstanceCount: runbook.Int(1),
		})).
		Step(runbook.NewStep("tag", runbook.CreateTags{
			ResourceIds: runbook.StepOutput("launch", "InstanceIds"),
			Tags: runbook.List(
				tag("CostCenter", runbook.Param("CostCenter")),
				tag("LaunchedBy", runbook.Automation(runbook.AutomationExecutionID)),
			),
		})).
		Output("launch", "InstanceIds").
		Build(func(o *runbook.ValidateOptions) { o.Name = LaunchTaggedName })
}

func tag(key string, value runbook.Value) runbook.Value {
	return runbook.Map(runbook.Member{Key: "Key", Value: runbook.String(key)}, runbook.Member{Key: "Value", Value: value})
}
