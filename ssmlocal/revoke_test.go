package ssmlocal_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRevokeSignal: Revoke withdraws Change Manager change requests; an
// Automation execution refuses it, whether it waits for an approval or
// not, and the approval it waits for still works afterwards.
func TestRevokeSignal(t *testing.T) {
	srv := newServer(t)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()
	createDoc(t, admin, "Approve-Revoke", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"approve","action":"aws:approve","inputs":{"Approvers":["`+srv.AdminARN()+`"]}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Approve-Revoke")})
	waitStatus(t, admin, id, ssmtypes.AutomationExecutionStatusWaiting)
	revoke := func() error {
		_, err := admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeRevoke})
		return err
	}
	err := revoke()
	assert.Equal(t, "InvalidAutomationSignalException", errCode(err))
	assert.Contains(t, err.Error(), "change request")
	_, err = admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeApprove})
	require.NoError(t, err)
	x := waitDone(t, admin, id)
	assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus)
	assert.Equal(t, "InvalidAutomationSignalException", errCode(revoke()), "an ended execution takes no signal")
}
