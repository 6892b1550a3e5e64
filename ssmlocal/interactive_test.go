package ssmlocal_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestInteractiveOverTheWire steps through an Interactive execution with
// StartStep signals sent by the SDK, as the console does.
func TestInteractiveOverTheWire(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Two-Naps", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"one","action":"aws:sleep","inputs":{"Duration":"PT1M"}},
		{"name":"two","action":"aws:sleep","inputs":{"Duration":"PT1H"}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Two-Naps"), Mode: ssmtypes.ExecutionModeInteractive})
	signal := func(step string) error {
		_, err := admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeStartStep, Payload: map[string][]string{"StepName": {step}}})
		return err
	}
	waitStatus(t, admin, id, ssmtypes.AutomationExecutionStatusWaiting)
	err := signal("three")
	require.Equal(t, "AutomationStepNotFoundException", errCode(err), "start an unknown step: %v", err)
	require.NoError(t, signal("one"))
	waitStep(t, admin, id, "one", ssmtypes.AutomationExecutionStatusSuccess)
	waitStatus(t, admin, id, ssmtypes.AutomationExecutionStatusWaiting)
	require.NoError(t, signal("two"))
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
	require.Equal(t, ssmtypes.ExecutionModeInteractive, x.Mode)
}
