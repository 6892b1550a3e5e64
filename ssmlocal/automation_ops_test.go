package ssmlocal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func createDoc(t *testing.T, c *ssm.Client, name, content string) {
	t.Helper()
	_, err := c.CreateDocument(context.Background(), &ssm.CreateDocumentInput{Name: aws.String(name), Content: aws.String(content), DocumentType: ssmtypes.DocumentTypeAutomation})
	require.NoError(t, err)
}

func start(t *testing.T, c *ssm.Client, in *ssm.StartAutomationExecutionInput) string {
	t.Helper()
	out, err := c.StartAutomationExecution(context.Background(), in)
	require.NoError(t, err)
	return *out.AutomationExecutionId
}

// TestEmbeddedRole runs a document whose assumeRole is a literal ARN: the
// operator needs no iam:PassRole, and the steps act as the role.
func TestEmbeddedRole(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ids, _ := srv.AddInstances(1)
	role := serviceRole(t, srv, "Embedded", trustSSM, restartRolePolicy)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Restart-Embedded", `{"schemaVersion":"0.3","assumeRole":"`+role+`","parameters":{"InstanceId":{"type":"StringList"}},"mainSteps":[
		{"name":"stop","action":"aws:changeInstanceState","inputs":{"InstanceIds":"{{ InstanceId }}","DesiredState":"stopped"}},
		{"name":"start","action":"aws:changeInstanceState","inputs":{"InstanceIds":"{{ InstanceId }}","DesiredState":"running"}}]}`)
	op := ssm.NewFromConfig(cfg(srv, user(t, srv, "op", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ssm:StartAutomationExecution","Resource":["arn:aws:ssm:us-east-1:123456789012:document/Restart-Embedded","arn:aws:ssm:us-east-1:123456789012:automation-execution/*"]},
		{"Effect":"Allow","Action":["ssm:GetAutomationExecution","ssm:DescribeAutomationStepExecutions"],"Resource":"*"}]}`)))
	id := start(t, op, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Restart-Embedded"), Parameters: map[string][]string{"InstanceId": ids}})
	x := waitDone(t, op, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
	steps, err := op.DescribeAutomationStepExecutions(context.Background(), &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(id), ReverseOrder: aws.Bool(true)})
	require.NoError(t, err)
	require.Len(t, steps.StepExecutions, 2, "steps")
	require.Equal(t, "start", aws.ToString(steps.StepExecutions[0].StepName), "the last step first")
	_, err = op.StartAutomationExecution(context.Background(), &ssm.StartAutomationExecutionInput{DocumentName: aws.String(ssmlocal.RestartEC2Instance), Parameters: map[string][]string{"InstanceId": ids}})
	require.Equal(t, "AccessDeniedException", errCode(err), "start a runbook the operator may not start: %v", err)
}

// TestUntrustedRole: a role whose trust policy does not let Automation in
// fails the execution, as in AWS.
func TestUntrustedRole(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ids, _ := srv.AddInstances(1)
	otherAccount := strings.ReplaceAll(trustSSM, `"aws:SourceAccount":"123456789012"`, `"aws:SourceAccount":"210987654321"`)
	role := serviceRole(t, srv, "Untrusting", otherAccount, restartRolePolicy)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	for _, roleARN := range []string{role, "arn:aws:iam::123456789012:role/Missing"} {
		id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String(ssmlocal.RestartEC2Instance), Parameters: map[string][]string{"InstanceId": ids, "AutomationAssumeRole": {roleARN}}})
		x := waitDone(t, admin, id)
		require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus, roleARN)
		require.Contains(t, aws.ToString(x.FailureMessage), "assume role", roleARN)
		st, _ := srv.InstanceState("", ids[0])
		require.Equal(t, "running", st, "the instance was touched")
	}
}

// TestCallerSession runs a document without a role: the steps act as the
// caller, so the caller's own permissions decide.
func TestCallerSession(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ids, _ := srv.AddInstances(1)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Stop-NoRole", `{"schemaVersion":"0.3","parameters":{"InstanceId":{"type":"StringList"}},"mainSteps":[
		{"name":"stop","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"StopInstances","InstanceIds":"{{ InstanceId }}"},
		 "outputs":[{"Name":"State","Selector":"$.StoppingInstances[0].CurrentState.Name","Type":"String"}]}]}`)
	op := ssm.NewFromConfig(cfg(srv, user(t, srv, "limited", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ssm:StartAutomationExecution","ssm:GetAutomationExecution"],"Resource":"*"}]}`)))
	id := start(t, op, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Stop-NoRole"), Parameters: map[string][]string{"InstanceId": ids}})
	x := waitDone(t, op, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	require.NotEmpty(t, x.StepExecutions, "no steps: %s", aws.ToString(x.FailureMessage))
	require.Contains(t, aws.ToString(x.StepExecutions[0].FailureMessage), "user/limited is not authorized to perform: ec2:StopInstances")
	id = start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Stop-NoRole"), Parameters: map[string][]string{"InstanceId": ids}})
	x = waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
	require.Len(t, x.StepExecutions, 1)
	require.Equal(t, []string{"stopping"}, x.StepExecutions[0].Outputs["State"], "step outputs %v", x.StepExecutions[0].Outputs)
	events := srv.AuditFor(id)
	require.NotEmpty(t, events, "audit")
	require.Equal(t, srv.AdminARN(), events[0].Principal, "audit %+v", events[0])
	require.Equal(t, "stop", events[0].StepName, "audit %+v", events[0])
}

// TestSignalsAndStop drives an approval and a stop through the wire.
func TestSignalsAndStop(t *testing.T) {
	srv := newServer(t)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()
	createDoc(t, admin, "Approve-Then-Sleep", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"approve","action":"aws:approve","inputs":{"Approvers":["`+srv.AdminARN()+`"]}},
		{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT2H"}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Approve-Then-Sleep")})
	waitStatus(t, admin, id, ssmtypes.AutomationExecutionStatusWaiting)
	_, err := admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeApprove, Payload: map[string][]string{"Comment": {"go"}}})
	require.NoError(t, err)
	waitStep(t, admin, id, "nap", ssmtypes.AutomationExecutionStatusInprogress)
	_, err = admin.StopAutomationExecution(ctx, &ssm.StopAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
	require.NoError(t, err)
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusCancelled, x.AutomationExecutionStatus)
	list, err := admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{
		{Key: ssmtypes.AutomationExecutionFilterKeyExecutionId, Values: []string{id}},
		{Key: ssmtypes.AutomationExecutionFilterKeyExecutionStatus, Values: []string{"Cancelled"}},
	}})
	require.NoError(t, err)
	require.Len(t, list.AutomationExecutionMetadataList, 1, "describe")
	require.Equal(t, "Approve-Then-Sleep", aws.ToString(list.AutomationExecutionMetadataList[0].DocumentName))
	tooMany := make([]string, 11)
	for i := range tooMany {
		tooMany[i] = id
	}
	errs := []struct {
		name string
		run  func() error
		code string
	}{
		{"unknown execution", func() error {
			_, err := admin.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String("00000000-0000-0000-0000-000000000000")})
			return err
		}, "AutomationExecutionNotFoundException"},
		{"short id", func() error {
			_, err := admin.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String("abc")})
			return err
		}, "ValidationException"},
		{"eleven filter values", func() error {
			_, err := admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{{Key: "ExecutionId", Values: tooMany}}})
			return err
		}, "ValidationException"},
		{"bad filter key", func() error {
			_, err := admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{{Key: "Colour", Values: []string{"x"}}}})
			return err
		}, "ValidationException"},
		{"bad max results", func() error {
			_, err := admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{MaxResults: aws.Int32(51)})
			return err
		}, "ValidationException"},
		{"bad client token", func() error {
			_, err := admin.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Approve-Then-Sleep"), ClientToken: aws.String("not-a-uuid")})
			return err
		}, "ValidationException"},
		{"missing document", func() error {
			_, err := admin.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("No-Such-Doc")})
			return err
		}, "InvalidDocument"},
		{"bad signal", func() error {
			_, err := admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: "Wave"})
			return err
		}, "ValidationException"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.code, errCode(tt.run()))
		})
	}
}

func waitStatus(t *testing.T, c *ssm.Client, id string, want ssmtypes.AutomationExecutionStatus) {
	t.Helper()
	if !pollUntil(t, 10*time.Second, func() (bool, error) {
		out, err := c.GetAutomationExecution(context.Background(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
		if err != nil {
			return false, err
		}
		return out.AutomationExecution.AutomationExecutionStatus == want, nil
	}) {
		require.FailNow(t, fmt.Sprintf("execution %s never reached %s", id, want))
	}
}

func waitStep(t *testing.T, c *ssm.Client, id, step string, want ssmtypes.AutomationExecutionStatus) {
	t.Helper()
	if !pollUntil(t, 10*time.Second, func() (bool, error) {
		out, err := c.DescribeAutomationStepExecutions(context.Background(), &ssm.DescribeAutomationStepExecutionsInput{
			AutomationExecutionId: aws.String(id),
			Filters:               []ssmtypes.StepExecutionFilter{{Key: ssmtypes.StepExecutionFilterKeyStepName, Values: []string{step}}},
		})
		if err != nil {
			return false, err
		}
		return len(out.StepExecutions) == 1 && out.StepExecutions[0].StepStatus == want, nil
	}) {
		require.FailNow(t, fmt.Sprintf("step %s of %s never reached %s", step, id, want))
	}
}

// TestCallerSessionEnds: without a service role the execution lives in the
// caller's session, which ends after 12 hours.
func TestCallerSessionEnds(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Long-NoRole", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"wait","action":"aws:sleep","inputs":{"Duration":"PT13H"}},
		{"name":"look","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeInstances"}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Long-NoRole")})
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus, "a 13-hour run in the caller's session")
	require.Contains(t, aws.ToString(x.FailureMessage), "session", "a 13-hour run in the caller's session")
	d := x.ExecutionEndTime.Sub(*x.ExecutionStartTime)
	require.GreaterOrEqual(t, d, 12*time.Hour, "the run ended %v after it started, want 12h", d)
	require.LessOrEqual(t, d, 12*time.Hour+time.Minute, "the run ended %v after it started, want 12h", d)
	createDoc(t, admin, "Shorter-NoRole", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"wait","action":"aws:sleep","inputs":{"Duration":"PT11H"}},
		{"name":"look","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeInstances"}}]}`)
	shorter := waitDone(t, admin, start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Shorter-NoRole")}))
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, shorter.AutomationExecutionStatus, "an 11-hour run in the caller's session: %s", aws.ToString(shorter.FailureMessage))
	for _, e := range srv.AuditFor(id) {
		if e.API == "DescribeInstances" {
			require.NotEmpty(t, e.ErrorCode, "a call after the session ended went through: %+v", e)
		}
	}
}

// TestExecuteAwsApiIAM: IAM calls from steps return policy documents as
// JSON, as boto3 does, so selectors reach into them.
func TestExecuteAwsApiIAM(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	serviceRole(t, srv, "Inspected", trustSSM, restartRolePolicy)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Inspect-Role", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"get","action":"aws:executeAwsApi","inputs":{"Service":"iam","Api":"GetRole","RoleName":"Inspected"},
		 "outputs":[{"Name":"Principal","Selector":"$.Role.AssumeRolePolicyDocument.Statement[0].Principal.Service","Type":"String"}]}]}`)
	x := waitDone(t, admin, start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Inspect-Role")}))
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
	require.Equal(t, []string{"ssm.amazonaws.com"}, x.StepExecutions[0].Outputs["Principal"], "outputs %v", x.StepExecutions[0].Outputs)
}
