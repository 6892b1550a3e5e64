package execution_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// The examples run against an in-memory model of the service; with AWS,
// pass an *ssm.Client made from config.LoadDefaultConfig instead.

func ExampleStart() {
	client := newFake()
	doc := &runbook.Document{Parameters: []runbook.Parameter{
		{Name: "InstanceId", Type: runbook.TypeStringList},
	}}
	out, err := execution.Start(context.Background(), client, "Restart-EC2InstanceDemo",
		execution.WithParameters(map[string][]string{"InstanceId": {"i-0123456789abcdef0"}}),
		execution.WithTags(types.Tag{Key: aws.String("ticket"), Value: aws.String("OPS-42")}),
		func(o *execution.StartOptions) { o.Runbook = doc },
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("started", out.ExecutionID)
	fmt.Println("client token length", len(aws.ToString(out.Input.ClientToken)))

	// A typo in a parameter name is caught before anything is sent.
	_, err = execution.Start(context.Background(), client, "Restart-EC2InstanceDemo",
		execution.WithParameters(map[string][]string{"InstanceIds": {"i-0123456789abcdef0"}}),
		func(o *execution.StartOptions) { o.Runbook = doc },
	)
	fmt.Println(err)
	// Output:
	// started 00000000-0000-4000-8000-000000000001
	// client token length 36
	// invalid start input: Parameters.InstanceId: is required (the parameter has no default); Parameters.InstanceIds: is not a parameter of the runbook (declared: InstanceId)
}

func ExampleStart_rateControl() {
	in, err := execution.NewStartInput("AWS-RestartEC2Instance",
		execution.WithRateControl("InstanceId",
			[]types.Target{{Key: aws.String("tag:Env"), Values: []string{"staging"}}},
			"10%", "1"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(in.TargetParameterName), aws.ToString(in.MaxConcurrency), aws.ToString(in.MaxErrors))

	_, err = execution.NewStartInput("AWS-RestartEC2Instance",
		execution.WithRateControl("InstanceId", nil, "0", "-1"))
	var invalid *execution.InvalidInputError
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// InstanceId 10% 1
	// MaxConcurrency: "0": must be a number from 1 or a percentage from 1% to 100%
	// MaxConcurrency: "0": applies only to a rate-controlled or multi-location execution (Targets, TargetMaps or TargetLocations)
	// MaxErrors: "-1": must be a number from 0 or a percentage from 0% to 100%
	// MaxErrors: "-1": applies only to a rate-controlled or multi-location execution (Targets, TargetMaps or TargetLocations)
	// Targets: are required with TargetParameterName
}

func ExampleExecutionWaiter_Wait() {
	client := newFake()
	client.add("0f8fad5b-d9cb-469f-a165-70867728950e", script(types.AutomationExecutionStatusSuccess, "",
		stepSpec{name: "stopInstances", action: "aws:changeInstanceState", status: types.AutomationExecutionStatusSuccess},
		stepSpec{name: "startInstances", action: "aws:changeInstanceState", status: types.AutomationExecutionStatusSuccess})...)

	waiter := execution.NewExecutionWaiter(client, func(o *execution.ExecutionWaiterOptions) {
		o.OnProgress = func(p execution.Progress) {
			fmt.Printf("%s %s: %s\n", p.StepName, p.Action, p.StepStatus)
		}
	})
	err := waiter.Wait(context.Background(), "0f8fad5b-d9cb-469f-a165-70867728950e", 30*time.Minute)
	fmt.Println("error:", err)
	// Output:
	// stopInstances aws:changeInstanceState: Success
	// startInstances aws:changeInstanceState: Success
	// error: <nil>
}

func ExampleExecutionFailedError() {
	client := newFake()
	client.add("0f8fad5b-d9cb-469f-a165-70867728950e", script(types.AutomationExecutionStatusFailed, "Step fails when it is executing.",
		stepSpec{name: "stopInstances", action: "aws:changeInstanceState", status: types.AutomationExecutionStatusFailed, failure: "UnauthorizedOperation"})...)

	err := execution.NewExecutionWaiter(client).Wait(context.Background(), "0f8fad5b-d9cb-469f-a165-70867728950e", time.Hour)
	var failed *execution.ExecutionFailedError
	if errors.As(err, &failed) {
		fmt.Println(failed.Status, aws.ToString(failed.FailedStep.StepName))
		fmt.Println(aws.ToString(failed.StepFailureDetails().FailureType))
	}
	fmt.Println(err)
	// Output:
	// Failed stopInstances
	// Step
	// automation execution 0f8fad5b-d9cb-469f-a165-70867728950e ended with status Failed: Step fails when it is executing. (step stopInstances [aws:changeInstanceState] Failed: UnauthorizedOperation)
}

func ExampleClassify() {
	for _, s := range []types.AutomationExecutionStatus{"InProgress", "Waiting", "Success", "CompletedWithFailure", "Exited"} {
		fmt.Println(s, execution.Classify(s), execution.WaitsForPerson(s))
	}
	// Output:
	// InProgress InProgress false
	// Waiting InProgress true
	// Success Succeeded false
	// CompletedWithFailure Failed false
	// Exited Failed false
}

func ExampleWatcher_Run() {
	client := newFake()
	ids := []string{"aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"}
	client.add(ids[0], simple(0, types.AutomationExecutionStatusSuccess)...)
	client.add(ids[1], simple(0, types.AutomationExecutionStatusCancelled)...)

	err := execution.NewWatcher(client).Run(context.Background(), ids, func(ev execution.Event) {
		fmt.Println(ev.ExecutionID, ev.Status, ev.Final)
	})
	fmt.Println("error:", err, "calls:", client.count("DescribeAutomationExecutions"))
	// Output:
	// aaaaaaaa-0000-4000-8000-000000000001 Success true
	// aaaaaaaa-0000-4000-8000-000000000002 Cancelled true
	// error: <nil> calls: 1
}

func ExampleApprove() {
	client := newFake()
	err := execution.Approve(context.Background(), client, "0f8fad5b-d9cb-469f-a165-70867728950e", "change window open")
	fmt.Println(err, client.signals[0].SignalType, client.signals[0].Payload["Comment"])
	// Output: <nil> Approve [change window open]
}
