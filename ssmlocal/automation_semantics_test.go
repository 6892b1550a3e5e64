package ssmlocal_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestWaitingStepStatus checks through the SDK that a step waiting for a
// signal reports Waiting, as the execution does, and that an aws:branch
// with no matching choice and no Default goes on to the next step.
func TestWaitingStepStatus(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()
	createDoc(t, admin, "Semantics-Wait", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"choose","action":"aws:branch","inputs":{"Choices":[{"NextStep":"skipped","Variable":"a","StringEquals":"b"}]}},
		{"name":"hold","action":"aws:pause","inputs":{},"isEnd":true},
		{"name":"skipped","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Semantics-Wait")})
	waitStatus(t, admin, id, ssmtypes.AutomationExecutionStatusWaiting)
	steps, err := admin.DescribeAutomationStepExecutions(ctx, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(id)})
	require.NoError(t, err)
	got := map[string]ssmtypes.AutomationExecutionStatus{}
	for _, s := range steps.StepExecutions {
		got[aws.ToString(s.StepName)] = s.StepStatus
	}
	assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, got["choose"])
	assert.Equal(t, ssmtypes.AutomationExecutionStatusWaiting, got["hold"])
	_, err = admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeResume})
	require.NoError(t, err)
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	assert.Nil(t, x.Parameters, "a start without parameters reports none")
	for _, s := range x.StepExecutions {
		want := ssmtypes.AutomationExecutionStatusSuccess
		if aws.ToString(s.StepName) == "skipped" {
			want = ssmtypes.AutomationExecutionStatusPending
		}
		assert.Equal(t, want, s.StepStatus, aws.ToString(s.StepName))
	}
}

// TestSignalAndFilterErrors checks the errors AWS gives for a StartStep
// without its StepName and for filter values that name nothing.
func TestSignalAndFilterErrors(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()
	createDoc(t, admin, "Semantics-Interactive", `{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Semantics-Interactive"), Mode: ssmtypes.ExecutionModeInteractive})
	waitStatus(t, admin, id, ssmtypes.AutomationExecutionStatusWaiting)
	_, err := admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeStartStep})
	assert.Equal(t, "InvalidAutomationSignalException", errCode(err))
	_, err = admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{
		{Key: ssmtypes.AutomationExecutionFilterKeyExecutionStatus, Values: []string{"Running"}}}})
	assert.Equal(t, "InvalidFilterValue", errCode(err))
	_, err = admin.DescribeAutomationStepExecutions(ctx, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(id), Filters: []ssmtypes.StepExecutionFilter{
		{Key: ssmtypes.StepExecutionFilterKeyStepExecutionStatus, Values: []string{"Done"}}}})
	assert.Equal(t, "InvalidFilterValue", errCode(err))
	_, err = admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeStartStep, Payload: map[string][]string{"StepName": {"nap"}}})
	require.NoError(t, err)
	x := waitDone(t, admin, id)
	assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
}
