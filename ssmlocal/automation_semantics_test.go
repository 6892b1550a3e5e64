package ssmlocal_test

import (
	"context"
	"strings"
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
	_, err = admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeResume, Payload: map[string][]string{"StepName": {"hold"}}})
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

// TestSelfStartingRunbookStopsAtNestingLimit checks that a runbook that
// starts itself ends after five levels of children instead of running on.
func TestSelfStartingRunbookStopsAtNestingLimit(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()
	createDoc(t, admin, "Semantics-Recurse", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"again","action":"aws:executeAutomation","inputs":{"DocumentName":"Semantics-Recurse"}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Semantics-Recurse")})
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	all, err := admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{})
	require.NoError(t, err)
	assert.Len(t, all.AutomationExecutionMetadataList, 6, "the top-level execution and five levels of children")
	var deepest string
	for _, m := range all.AutomationExecutionMetadataList {
		got := waitDone(t, admin, aws.ToString(m.AutomationExecutionId))
		if msg := aws.ToString(got.FailureMessage); strings.Contains(msg, "AutomationExecutionLimitExceededException") {
			deepest = msg
		}
	}
	assert.Contains(t, deepest, "nesting level 6")
}

// TestConcurrentAutomationsQueuePending checks through the SDK that starts
// beyond the concurrent-automation quota stay Pending until a slot frees.
func TestConcurrentAutomationsQueuePending(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()
	createDoc(t, admin, "Semantics-Hold", `{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:pause","inputs":{}}]}`)
	var ids []string
	for range 100 {
		ids = append(ids, start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Semantics-Hold")}))
	}
	waitStatus(t, admin, ids[99], ssmtypes.AutomationExecutionStatusWaiting)
	queued := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Semantics-Hold")})
	got, err := admin.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(queued)})
	require.NoError(t, err)
	assert.Equal(t, ssmtypes.AutomationExecutionStatusPending, got.AutomationExecution.AutomationExecutionStatus)
	_, err = admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(ids[0]), SignalType: ssmtypes.SignalTypeResume, Payload: map[string][]string{"StepName": {"hold"}}})
	require.NoError(t, err)
	waitStatus(t, admin, queued, ssmtypes.AutomationExecutionStatusWaiting)
}
