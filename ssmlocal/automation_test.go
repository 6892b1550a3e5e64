package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const trustSSM = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:123456789012:automation-execution/*"}}}]}`

const restartRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:StopInstances","ec2:StartInstances"],"Resource":"arn:aws:ec2:*:123456789012:instance/*"},{"Effect":"Allow","Action":"ec2:DescribeInstanceStatus","Resource":"*"}]}`

// serviceRole creates a role Automation may assume with the given policy.
func serviceRole(t testing.TB, srv *ssmlocal.Server, name, trust, permissions string) string {
	t.Helper()
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	out, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	require.NoError(t, err)
	_, err = admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("permissions"), PolicyDocument: aws.String(permissions)})
	require.NoError(t, err)
	return *out.Role.Arn
}

// waitDone polls an execution until it leaves the in-progress states.
func waitDone(t *testing.T, client *ssm.Client, id string) *ssmtypes.AutomationExecution {
	t.Helper()
	var x *ssmtypes.AutomationExecution
	if !pollUntil(t, 20*time.Second, func() (bool, error) {
		out, err := client.GetAutomationExecution(context.Background(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
		if err != nil {
			return false, err
		}
		switch out.AutomationExecution.AutomationExecutionStatus {
		case ssmtypes.AutomationExecutionStatusPending, ssmtypes.AutomationExecutionStatusInprogress, ssmtypes.AutomationExecutionStatusWaiting, ssmtypes.AutomationExecutionStatusCancelling:
			return false, nil
		}
		x = out.AutomationExecution
		return true, nil
	}) {
		require.FailNow(t, "execution "+id+" did not finish")
	}
	return x
}

func TestRestartWithRuntimeRole(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	ids, err := srv.AddInstances(2)
	require.NoError(t, err)
	role := serviceRole(t, srv, "RestartRole", trustSSM, restartRolePolicy)
	start := `{"Effect":"Allow","Action":["ssm:StartAutomationExecution","ssm:GetAutomationExecution","ssm:DescribeAutomationExecutions"],"Resource":"*"}`
	pass := `{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + role + `","Condition":{"StringEquals":{"iam:PassedToService":"ssm.amazonaws.com"}}}`
	without := ssm.NewFromConfig(cfg(srv, user(t, srv, "nopass", `{"Version":"2012-10-17","Statement":[`+start+`]}`)))
	with := ssm.NewFromConfig(cfg(srv, user(t, srv, "operator", `{"Version":"2012-10-17","Statement":[`+start+`,`+pass+`]}`)))
	in := &ssm.StartAutomationExecutionInput{
		DocumentName: aws.String(ssmlocal.RestartEC2Instance),
		Parameters:   map[string][]string{"InstanceId": ids, "AutomationAssumeRole": {role}},
	}
	_, err = without.StartAutomationExecution(ctx, in)
	require.Equal(t, "AccessDeniedException", errCode(err), "start without PassRole: %v", err)
	require.ErrorContains(t, err, "iam:PassRole", "start without PassRole")
	out, err := with.StartAutomationExecution(ctx, in)
	require.NoError(t, err)
	x := waitDone(t, with, *out.AutomationExecutionId)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
	require.Equal(t, "arn:aws:iam::123456789012:user/operator", aws.ToString(x.ExecutedBy), "ExecutedBy")
	for _, id := range ids {
		st, _ := srv.InstanceState("", id)
		require.Equal(t, "running", st, "instance %s", id)
	}
	var stops int
	for _, e := range srv.AuditFor(*out.AutomationExecutionId) {
		if e.API == "StopInstances" {
			stops++
			require.True(t, strings.HasPrefix(e.Principal, "arn:aws:sts::123456789012:assumed-role/RestartRole/"), "StopInstances audited as %+v", e)
			require.Equal(t, "Allowed", e.Decision, "StopInstances audited as %+v", e)
		}
	}
	require.NotZero(t, stops, "no StopInstances call in the audit trail")
}
