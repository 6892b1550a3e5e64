package ssmlocal_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestStateSurvivesRestart: documents, IAM entities, instances and
// executions come back after the endpoint restarts on the same state file.
func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	// One clock across both runs, as the wall clock would be.
	vc := ssmlocal.AutoClock(time.Now())
	opts := func(o *ssmlocal.Options) {
		o.StateFile = path
		o.Clock = vc
		o.AdminAccessKeyID, o.AdminSecretAccessKey = "AKIASTATETESTADMIN01", "state-test-secret"
	}
	ctx := context.Background()
	srv, err := ssmlocal.New(opts)
	require.NoError(t, err)
	ids, _ := srv.AddInstances(1)
	role := serviceRole(t, srv, "Kept", trustSSM, restartRolePolicy)
	client := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, client, "Kept-Doc", sleepDoc)
	id := start(t, client, &ssm.StartAutomationExecutionInput{DocumentName: aws.String(ssmlocal.RestartEC2Instance), Parameters: map[string][]string{"InstanceId": ids, "AutomationAssumeRole": {role}}})
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, waitDone(t, client, id).AutomationExecutionStatus)
	require.NoError(t, srv.Close())
	_, err = os.Stat(path)
	require.NoError(t, err)
	srv = newServer(t, opts)
	client = ssm.NewFromConfig(cfg(srv, srv.Admin()))
	_, err = client.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Kept-Doc")})
	require.NoError(t, err, "document")
	_, err = iam.NewFromConfig(cfg(srv, srv.Admin())).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Kept")})
	require.NoError(t, err, "role")
	st, err := srv.InstanceState("", ids[0])
	require.NoError(t, err, "instance")
	require.Equal(t, "running", st, "instance")
	x, err := client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
	require.NoError(t, err, "execution")
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecution.AutomationExecutionStatus, "execution after restart")
	require.Len(t, x.AutomationExecution.StepExecutions, 2, "execution after restart")
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
	}{
		{"not JSON", "{"},
		{"wrong format", `{"format":99,"accountId":"123456789012"}`},
		{"other account", `{"format":1,"accountId":"210987654321"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".json")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.StateFile = path })
			if err == nil {
				srv.Close()
			}
			require.Error(t, err, "a bad state file was accepted")
			data, _ := os.ReadFile(path)
			require.Equal(t, tt.content, string(data), "a bad state file was overwritten")
		})
	}
}

// TestRunningExecutionSurvivesRestart: an execution waiting for a person
// when the endpoint stops is still waiting after the restart, and finishes
// when signalled.
func TestRunningExecutionSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	vc := ssmlocal.AutoClock(time.Now())
	opts := func(o *ssmlocal.Options) {
		o.StateFile = path
		o.Clock = vc
		o.AdminAccessKeyID, o.AdminSecretAccessKey = "AKIASTATETESTADMIN02", "state-test-secret"
	}
	srv, err := ssmlocal.New(opts)
	require.NoError(t, err)
	client := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, client, "Pause-Then-Sleep", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"hold","action":"aws:pause","inputs":{}},
		{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1H"}}]}`)
	id := start(t, client, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Pause-Then-Sleep")})
	waitStatus(t, client, id, ssmtypes.AutomationExecutionStatusWaiting)
	require.NoError(t, srv.Close())
	// The store is one file: nothing is left beside it.
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "state directory holds %v, want only state.json", entries)
	require.Equal(t, "state.json", entries[0].Name())
	srv = newServer(t, opts)
	client = ssm.NewFromConfig(cfg(srv, srv.Admin()))
	waitStatus(t, client, id, ssmtypes.AutomationExecutionStatusWaiting)
	_, err = client.SendAutomationSignal(context.Background(), &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeResume, Payload: map[string][]string{"StepName": {"hold"}}})
	require.NoError(t, err)
	x := waitDone(t, client, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "after restart: %s", aws.ToString(x.FailureMessage))
	require.Len(t, x.StepExecutions, 2, "after restart")
}

// TestUnwritableStateFile: a state file that cannot be written fails New,
// instead of every snapshot after it.
func TestUnwritableStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "state.json")
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.StateFile = path })
	if err == nil {
		srv.Close()
	}
	require.Error(t, err, "an unwritable state file was accepted")
}
