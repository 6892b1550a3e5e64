package readme_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// These examples are the README's tour; TestREADMESnippets checks that every
// Go block of the README is a verbatim excerpt of this file.

// restartDemo builds the user guide's Restart-EC2InstanceDemo without a role:
// the plan wires one in.
func restartDemo() (*runbook.Document, error) {
	return runbook.New().
		Description("Restart EC2 instances(s)").
		Parameter(runbook.StringListParameter("InstanceId").
			Description("(Required) EC2 Instance to restart")).
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")})).
		Build()
}

func Example_buildRunbook() {
	doc, err := restartDemo()
	if err != nil {
		fmt.Println(err) // every problem at once, each with its path
		return
	}
	yaml, _ := doc.YAML()
	fmt.Print(string(yaml))
	// Output:
	// description: Restart EC2 instances(s)
	// schemaVersion: '0.3'
	// parameters:
	//   InstanceId:
	//     type: StringList
	//     description: (Required) EC2 Instance to restart
	// mainSteps:
	//   - name: stopInstances
	//     action: aws:changeInstanceState
	//     inputs:
	//       InstanceIds: '{{ InstanceId }}'
	//       DesiredState: stopped
	//   - name: startInstances
	//     action: aws:changeInstanceState
	//     inputs:
	//       InstanceIds: '{{ InstanceId }}'
	//       DesiredState: running
}

func Example_invalidRunbook() {
	_, err := runbook.New().
		Step(runbook.NewStep("stop", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("halted")})).
		Build()
	fmt.Println(err)
	// Output:
	// runbook: invalid document: mainSteps[0].inputs.InstanceIds: parameter "InstanceId" is not declared (got "{{ InstanceId }}"); allowed: no parameters are declared; mainSteps[0].inputs.DesiredState: value not allowed (got "halted"); allowed: running, stopped, terminated
}

func Example_deriveRolePolicy() {
	doc, _ := restartDemo()
	scope := policy.Scope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}
	derived, err := policy.ForRunbook(doc, scope)
	if err != nil {
		fmt.Println(err) // a *policy.UnderivableError names what to declare
		return
	}
	js, _ := derived.Policy.JSON()
	fmt.Print(string(js))
	for _, n := range derived.Needs {
		fmt.Println(n.Step, n.Actions)
	}
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Effect": "Allow",
	//       "Action": [
	//         "ec2:DescribeInstanceStatus"
	//       ],
	//       "Resource": [
	//         "*"
	//       ]
	//     },
	//     {
	//       "Effect": "Allow",
	//       "Action": [
	//         "ec2:StartInstances",
	//         "ec2:StopInstances"
	//       ],
	//       "Resource": [
	//         "arn:aws:ec2:us-east-1:123456789012:instance/*"
	//       ]
	//     }
	//   ]
	// }
	// stopInstances [ec2:StopInstances]
	// stopInstances [ec2:DescribeInstanceStatus]
	// startInstances [ec2:StartInstances]
	// startInstances [ec2:DescribeInstanceStatus]
}

func Example_planModes() {
	doc, _ := restartDemo()
	for _, mode := range delegate.Modes() {
		plan, err := delegate.NewPlan(delegate.NewDocument("Restart-EC2InstanceDemo", doc), mode,
			"123456789012", "us-east-1", func(o *delegate.Options) {
				o.Parameters = map[string][]string{"InstanceId": {"i-0123456789abcdef0"}}
			})
		if err != nil {
			fmt.Println(mode, err)
			continue
		}
		fmt.Printf("%s: assumeRole %q, operator needs iam:PassRole: %t\n",
			mode, plan.Document.AssumeRole, plan.PassRole != nil)
		for _, w := range plan.Warnings {
			if w.Field == "mode" {
				fmt.Println("  warning:", w.Message)
			}
		}
	}
	// Output:
	// embedded: assumeRole "arn:aws:iam::123456789012:role/Restart-EC2InstanceDemo-Automation", operator needs iam:PassRole: false
	// runtime: assumeRole "{{ AutomationAssumeRole }}", operator needs iam:PassRole: true
	// caller: assumeRole "", operator needs iam:PassRole: false
	//   warning: caller mode: the automation runs with the operator's own permissions in a temporary session that expires after 12h0m0s; the operator policy grants what the steps do
	//   warning: worst-case duration 2h0m0s is within the 12h0m0s session limit
}

func Example_callerModeRefused() {
	soak := runbook.New().
		Step(runbook.NewStep("soak", runbook.Sleep{Duration: runbook.String("PT13H")})).
		MustBuild()
	_, err := delegate.NewPlan(delegate.NewDocument("Soak-Test", soak), delegate.Caller, "123456789012", "us-east-1")
	var refused *delegate.CallerModeError
	if errors.As(err, &refused) {
		fmt.Println("refused, worst case", refused.Bound)
	}
	fmt.Println(errors.Is(err, delegate.ErrModeRefused))
	// Output:
	// refused, worst case 13h0m0s
	// true
}

// Example_provisionAndRun is the whole delegated-administration flow against
// the embedded endpoint: provision as the administrator, then start and wait
// as an operator who may do nothing but start this runbook.
func Example_provisionAndRun() {
	ctx := context.Background()
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) {
		o.Clock = ssmlocal.AutoClock(time.Now()) // hours of steps in milliseconds
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	admin := srv.AdminConfig() // an aws.Config for the bootstrap administrator
	ids, _ := srv.AddInstances(2)
	operator, err := newOperator(ctx, srv, "AutomationRestrictedOperator")
	if err != nil {
		fmt.Println(err)
		return
	}

	doc, _ := restartDemo()
	plan, err := delegate.NewPlan(delegate.NewDocument("Restart-EC2InstanceDemo", doc), delegate.Embedded,
		srv.AccountID(), srv.Region(), func(o *delegate.Options) {
			o.Parameters = map[string][]string{"InstanceId": ids}
		})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The administrator: role, operator policy and document, idempotently.
	for run := 1; run <= 2; run++ {
		changes, err := delegate.Provision(ctx, iam.NewFromConfig(admin), ssm.NewFromConfig(admin), plan,
			func(o *delegate.ProvisionOptions) { o.OperatorUser = "AutomationRestrictedOperator" })
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("provision run %d: %d change(s)\n", run, len(changes))
	}

	// The operator: start, then wait with per-step progress.
	client := ssm.NewFromConfig(operator)
	started, err := execution.StartInput(ctx, client, plan.Start)
	if err != nil {
		fmt.Println(err)
		return
	}
	waiter := execution.NewExecutionWaiter(client, func(o *execution.ExecutionWaiterOptions) {
		o.MinDelay = 50 * time.Millisecond
		o.OnProgress = func(p execution.Progress) {
			if p.StepChanged && execution.Classify(p.StepStatus) != execution.InProgress {
				fmt.Println("step", p.StepName, p.Action, p.StepStatus)
			}
		}
	})
	out, err := waiter.WaitForOutput(ctx, started.ExecutionID, 10*time.Minute)
	if err != nil {
		fmt.Println(err) // an *execution.ExecutionFailedError names the failed step
		return
	}
	fmt.Println("status", out.AutomationExecution.AutomationExecutionStatus,
		"executed by", aws.ToString(out.AutomationExecution.ExecutedBy))

	// The endpoint's audit trail: the steps acted as the role.
	for _, e := range srv.AuditFor(started.ExecutionID) {
		if e.StepName == "stopInstances" && e.API == "StopInstances" {
			who := strings.ReplaceAll(e.Principal, started.ExecutionID, "EXECUTION-ID")
			fmt.Println(e.Service+":"+e.API, "by", who, e.Decision)
		}
	}
	// Output:
	// provision run 1: 5 change(s)
	// provision run 2: 0 change(s)
	// step stopInstances aws:changeInstanceState Success
	// step startInstances aws:changeInstanceState Success
	// status Success executed by arn:aws:iam::123456789012:user/AutomationRestrictedOperator
	// ec2:StopInstances by arn:aws:sts::123456789012:assumed-role/Restart-EC2InstanceDemo-Automation/EXECUTION-ID Allowed
}

// newOperator creates an IAM user with an access key on the local endpoint
// and returns a configuration calling as that user.
func newOperator(ctx context.Context, srv *ssmlocal.Server, name string) (aws.Config, error) {
	c := iam.NewFromConfig(srv.AdminConfig())
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		return aws.Config{}, err
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		return aws.Config{}, err
	}
	return srv.Config(ssmlocal.Credentials{
		AccessKeyID:     aws.ToString(key.AccessKey.AccessKeyId),
		SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey),
	}), nil
}
