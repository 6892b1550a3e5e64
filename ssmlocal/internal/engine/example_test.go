package engine_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/engine"
)

// invokerFunc answers steps' AWS calls; the endpoint's own invoker
// authorizes and audits them against its simulated services.
type invokerFunc func(ctx context.Context, c engine.Call) (map[string]any, error)

func (f invokerFunc) Invoke(ctx context.Context, c engine.Call) (map[string]any, error) {
	return f(ctx, c)
}

func Example() {
	runbookYAML := []byte(`
schemaVersion: '0.3'
parameters:
  InstanceId: {type: String}
mainSteps:
- name: wait
  action: aws:sleep
  inputs: {Duration: PT2H}
- name: describe
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: DescribeInstances, InstanceIds: ['{{ InstanceId }}']}
  outputs:
  - {Name: State, Selector: '$.Reservations[0].Instances[0].State.Name', Type: String}
outputs: [describe.State]
`)
	invoker := invokerFunc(func(_ context.Context, c engine.Call) (map[string]any, error) {
		fmt.Printf("%s.%s as %s\n", c.Service, c.API, c.Principal.ARN)
		return map[string]any{"Reservations": []any{map[string]any{"Instances": []any{
			map[string]any{"InstanceId": "i-0123456789abcdef0", "State": map[string]any{"Name": "running"}}}}}}, nil
	})
	done := make(chan string, 1)
	var e *engine.Engine
	e, err := engine.New(engine.Options{
		// An auto clock jumps over waits: the two-hour sleep takes no time.
		Clock:   clock.NewAuto(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Invoker: invoker, Account: "111122223333", Region: "us-east-1",
		OnChange: func(id string) {
			if a, err := e.Get(id); err == nil && a.ExecutionEndTime != nil {
				select {
				case done <- id:
				default:
				}
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	_, err = e.Start(context.Background(), engine.StartInput{
		DocumentName: "Describe-Later", DocumentVersion: "1", Content: runbookYAML,
		Parameters: map[string][]string{"InstanceId": {"i-0123456789abcdef0"}},
		Principal:  engine.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/AutomationRole/run"},
		ExecutedBy: "arn:aws:iam::111122223333:user/operator",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := e.Get(<-done)
	fmt.Println(a.AutomationExecutionStatus, a.Outputs["describe.State"], a.ExecutionEndTime.Sub(*a.ExecutionStartTime))
	for _, s := range a.StepExecutions {
		fmt.Println(aws.ToString(s.StepName), s.StepStatus)
	}
	// Output:
	// ec2.DescribeInstances as arn:aws:sts::111122223333:assumed-role/AutomationRole/run
	// Success [running] 2h0m0s
	// wait Success
	// describe Success
}
