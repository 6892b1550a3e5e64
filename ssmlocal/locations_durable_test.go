package ssmlocal_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestLocationsSurviveRestart: a CrossAccount execution running when the
// endpoint stops resumes on the same state file: it follows the child it
// had started and starts the location it had not reached.
func TestLocationsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	regions := []string{"us-east-1", "eu-west-1"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := func(clk *ssmlocal.Virtual) func(*ssmlocal.Options) {
		return func(o *ssmlocal.Options) {
			durableOpts(path)(o)
			o.Regions, o.Clock = regions, clk
		}
	}
	srv, err := ssmlocal.New(opts(ssmlocal.VirtualClock(t0)))
	require.NoError(t, err)
	serviceRole(t, srv, ssmlocal.AdministrationRoleName, trustSSM, adminPolicy)
	serviceRole(t, srv, execRoleName, trustAdmin, execPolicy)
	f := &locationFixture{srv: srv}
	f.admin = f.in("us-east-1")
	createDoc(t, f.admin, "Fleet-Check", locationDoc)
	for _, r := range regions {
		_, err := f.in(r).PutParameter(t.Context(), putConfig(r))
		require.NoError(t, err)
	}
	id := f.start(t, []ssmtypes.TargetLocation{{Regions: regions}}, nil)
	var first string
	require.True(t, pollUntil(t, 10*time.Second, func() (bool, error) {
		x := f.get(t, "us-east-1", id)
		if out := x.StepExecutions[0].Outputs["ExecutionId"]; len(out) == 1 {
			first = out[0]
		}
		return first != "" && f.get(t, "us-east-1", first).AutomationExecutionStatus == ssmtypes.AutomationExecutionStatusInprogress, nil
	}))
	require.NoError(t, srv.Close())

	f.srv = newServer(t, opts(ssmlocal.AutoClock(t0)))
	f.admin = f.in("us-east-1")
	x := waitDone(t, f.admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	assert.Equal(t, first, childID(t, x.StepExecutions[0]), "the started child is followed, not started again")
	for i, r := range regions {
		child := f.get(t, r, childID(t, x.StepExecutions[i]))
		assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, child.AutomationExecutionStatus, "child in %s", r)
		assert.Equal(t, id, aws.ToString(child.ParentAutomationExecutionId))
	}
}

// TestLocationsInAnotherAccountSurviveRestart: after a restart the parent
// follows a child running in another account's engine, which starts with
// the home account's.
func TestLocationsInAnotherAccountSurviveRestart(t *testing.T) {
	const target = "111111111111"
	path := filepath.Join(t.TempDir(), "state.db")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := func(clk *ssmlocal.Virtual) func(*ssmlocal.Options) {
		return func(o *ssmlocal.Options) {
			durableOpts(path)(o)
			o.Accounts, o.Clock = []string{target}, clk
		}
	}
	srv, err := ssmlocal.New(opts(ssmlocal.VirtualClock(t0)))
	require.NoError(t, err)
	serviceRole(t, srv, ssmlocal.AdministrationRoleName, trustSSM, adminPolicy)
	acct, err := srv.Account(target)
	require.NoError(t, err)
	ic := iam.NewFromConfig(acct.AdminConfig())
	_, err = ic.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String(execRoleName), AssumeRolePolicyDocument: aws.String(trustAdmin)})
	require.NoError(t, err)
	_, err = ic.PutRolePolicy(t.Context(), &iam.PutRolePolicyInput{RoleName: aws.String(execRoleName), PolicyName: aws.String("p"), PolicyDocument: aws.String(execPolicy)})
	require.NoError(t, err)
	_, err = ssm.NewFromConfig(acct.AdminConfig()).PutParameter(t.Context(), putConfig("us-east-1"))
	require.NoError(t, err)
	f := &locationFixture{srv: srv}
	f.admin = f.in("us-east-1")
	createDoc(t, f.admin, "Fleet-Check", locationDoc)
	id := f.start(t, []ssmtypes.TargetLocation{{Accounts: []string{target}}}, nil)
	var child string
	require.True(t, pollUntil(t, 10*time.Second, func() (bool, error) {
		out := f.get(t, "us-east-1", id).StepExecutions[0].Outputs["ExecutionId"]
		if len(out) == 1 {
			child = out[0]
		}
		return child != "", nil
	}))
	require.NoError(t, srv.Close())

	f.srv = newServer(t, opts(ssmlocal.AutoClock(t0)))
	f.admin = f.in("us-east-1")
	x := waitDone(t, f.admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	assert.Equal(t, child, childID(t, x.StepExecutions[0]))
	acct, err = f.srv.Account(target)
	require.NoError(t, err)
	got, err := ssm.NewFromConfig(acct.AdminConfig()).GetAutomationExecution(t.Context(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(child)})
	require.NoError(t, err)
	assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, got.AutomationExecution.AutomationExecutionStatus)
}
