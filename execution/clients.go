package execution

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// StartAutomationExecutionAPIClient is the client [Start] needs.
type StartAutomationExecutionAPIClient interface {
	StartAutomationExecution(ctx context.Context, params *ssm.StartAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.StartAutomationExecutionOutput, error)
}

// GetAutomationExecutionAPIClient is the client the waiter polls.
type GetAutomationExecutionAPIClient interface {
	GetAutomationExecution(ctx context.Context, params *ssm.GetAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error)
}

// DescribeAutomationExecutionsAPIClient is the client the watcher sweeps with.
type DescribeAutomationExecutionsAPIClient interface {
	DescribeAutomationExecutions(ctx context.Context, params *ssm.DescribeAutomationExecutionsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error)
}

// DescribeAutomationStepExecutionsAPIClient lists the steps of an execution
// whose step list GetAutomationExecution truncated.
type DescribeAutomationStepExecutionsAPIClient interface {
	DescribeAutomationStepExecutions(ctx context.Context, params *ssm.DescribeAutomationStepExecutionsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error)
}

// SendAutomationSignalAPIClient is the client the signal helpers use.
type SendAutomationSignalAPIClient interface {
	SendAutomationSignal(ctx context.Context, params *ssm.SendAutomationSignalInput, optFns ...func(*ssm.Options)) (*ssm.SendAutomationSignalOutput, error)
}

// StopAutomationExecutionAPIClient is the client [Cancel] and [Complete] use.
type StopAutomationExecutionAPIClient interface {
	StopAutomationExecution(ctx context.Context, params *ssm.StopAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.StopAutomationExecutionOutput, error)
}

// ExecutionWaiterAPIClient is the client of an [ExecutionWaiter]: it polls
// one execution and pages through its steps when they are truncated.
type ExecutionWaiterAPIClient interface {
	GetAutomationExecutionAPIClient
	DescribeAutomationStepExecutionsAPIClient
}

// WatcherAPIClient is the client of a [Watcher]: it sweeps many executions
// at once and reads the detail of those that changed.
type WatcherAPIClient interface {
	DescribeAutomationExecutionsAPIClient
	GetAutomationExecutionAPIClient
}

var (
	_ StartAutomationExecutionAPIClient         = (*ssm.Client)(nil)
	_ GetAutomationExecutionAPIClient           = (*ssm.Client)(nil)
	_ DescribeAutomationExecutionsAPIClient     = (*ssm.Client)(nil)
	_ DescribeAutomationStepExecutionsAPIClient = (*ssm.Client)(nil)
	_ SendAutomationSignalAPIClient             = (*ssm.Client)(nil)
	_ StopAutomationExecutionAPIClient          = (*ssm.Client)(nil)
	_ ExecutionWaiterAPIClient                  = (*ssm.Client)(nil)
	_ WatcherAPIClient                          = (*ssm.Client)(nil)
)
