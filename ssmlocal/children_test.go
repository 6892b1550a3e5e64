package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestChildExecutions covers both ways an execution starts others:
// aws:executeAutomation and rate control over targets. Children go through
// the same start flow, so their role is checked and their parent recorded.
func TestChildExecutions(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	ids, _ := srv.AddInstances(3)
	role := serviceRole(t, srv, "ChildRole", trustSSM, restartRolePolicy)
	parentRole := serviceRole(t, srv, "ParentRole", trustSSM, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ssm:StartAutomationExecution","ssm:GetAutomationExecution","ssm:DescribeAutomationExecutions"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+role+`","Condition":{"StringEquals":{"iam:PassedToService":"ssm.amazonaws.com"}}}]}`)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Parent", `{"schemaVersion":"0.3","assumeRole":"`+parentRole+`","parameters":{"InstanceId":{"type":"StringList"}},"mainSteps":[
		{"name":"restart","action":"aws:executeAutomation","inputs":{"DocumentName":"AWS-RestartEC2Instance","RuntimeParameters":{"InstanceId":"{{ InstanceId }}","AutomationAssumeRole":"`+role+`"}}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Parent"), Parameters: map[string][]string{"InstanceId": ids[:1]}})
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "parent failure: %s", aws.ToString(x.FailureMessage))
	children, err := admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{{Key: ssmtypes.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}})
	require.NoError(t, err)
	require.Len(t, children.AutomationExecutionMetadataList, 1, "children")
	require.Equal(t, ssmlocal.RestartEC2Instance, aws.ToString(children.AutomationExecutionMetadataList[0].DocumentName))
	require.NotEmpty(t, aws.ToString(children.AutomationExecutionMetadataList[0].ExecutedBy), "child without ExecutedBy")

	rc := start(t, admin, &ssm.StartAutomationExecutionInput{
		DocumentName:        aws.String(ssmlocal.RestartEC2Instance),
		TargetParameterName: aws.String("InstanceId"),
		Targets:             []ssmtypes.Target{{Key: aws.String("ParameterValues"), Values: ids}},
		MaxConcurrency:      aws.String("2"),
		MaxErrors:           aws.String("0"),
		Parameters:          map[string][]string{"AutomationAssumeRole": {role}},
	})
	x = waitDone(t, admin, rc)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "rate control failure: %s", aws.ToString(x.FailureMessage))
	children, err = admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{{Key: ssmtypes.AutomationExecutionFilterKeyParentExecutionId, Values: []string{rc}}}})
	require.NoError(t, err)
	require.Len(t, children.AutomationExecutionMetadataList, 3, "rate-control children")
}

// TestChildNeedsParentsPassRole: a child started by aws:executeAutomation is
// started as the parent's role, so that role, not the operator, needs
// iam:PassRole on the child's role.
func TestChildNeedsParentsPassRole(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ids, _ := srv.AddInstances(1)
	role := serviceRole(t, srv, "ChildRole", trustSSM, restartRolePolicy)
	parentRole := serviceRole(t, srv, "NoPassParent", trustSSM, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ssm:StartAutomationExecution","ssm:GetAutomationExecution","ssm:DescribeAutomationExecutions"],"Resource":"*"}]}`)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Parent-NoPass", `{"schemaVersion":"0.3","assumeRole":"`+parentRole+`","parameters":{"InstanceId":{"type":"StringList"}},"mainSteps":[
		{"name":"restart","action":"aws:executeAutomation","inputs":{"DocumentName":"AWS-RestartEC2Instance","RuntimeParameters":{"InstanceId":"{{ InstanceId }}","AutomationAssumeRole":"`+role+`"}}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Parent-NoPass"), Parameters: map[string][]string{"InstanceId": ids}})
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus, "parent failure: %s", aws.ToString(x.FailureMessage))
	require.Len(t, x.StepExecutions, 1)
	want := "assumed-role/NoPassParent/" + id + " is not authorized to perform: iam:PassRole on resource: " + role
	require.Contains(t, aws.ToString(x.StepExecutions[0].FailureMessage), want, "step failure")
	var denied bool
	for _, e := range srv.AuditFor(id) {
		if e.API == "StartAutomationExecution" && e.Decision == "Denied" && e.StepName == "restart" && strings.HasSuffix(e.Principal, "assumed-role/NoPassParent/"+id) {
			denied = true
		}
	}
	require.True(t, denied, "no denied StartAutomationExecution by the parent's role in %+v", srv.AuditFor(id))
	st, _ := srv.InstanceState("", ids[0])
	require.Equal(t, "running", st, "the instance was touched")
}
