package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// actionsDoc launches and tags two instances, waits for them and asserts
// their tags with JSONPath selectors, branches on a selected output, pauses
// for a person, and stops each instance in a loop that counts in a variable.
const actionsDoc = `{"schemaVersion":"0.3","assumeRole":"ROLE",
 "variables":{"Stopped":{"type":"Integer","default":0}},
 "mainSteps":[
  {"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-0123456789abcdef0","InstanceType":"t3.micro","MinInstanceCount":2,"MaxInstanceCount":2}},
  {"name":"tag","action":"aws:createTags","inputs":{"ResourceType":"EC2","ResourceIds":"{{ launch.InstanceIds }}","Tags":[{"Key":"Stage","Value":"e2e"}]}},
  {"name":"waitRunning","action":"aws:waitForAwsResourceProperty","timeoutSeconds":600,"inputs":{"Service":"ec2","Api":"DescribeInstanceStatus","InstanceIds":"{{ launch.InstanceIds }}","IncludeAllInstances":true,"PropertySelector":"$.InstanceStatuses[1].InstanceState.Name","DesiredValues":["running"]}},
  {"name":"assertTagged","action":"aws:assertAwsResourceProperty","inputs":{"Service":"ec2","Api":"DescribeInstances","InstanceIds":"{{ launch.InstanceIds }}","PropertySelector":"$.Reservations[0].Instances[0].Tags[0].Value","DesiredValues":["e2e"]}},
  {"name":"look","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeInstances","InstanceIds":"{{ launch.InstanceIds }}"},
   "outputs":[{"Name":"Type","Selector":"$.Reservations[0].Instances[0].InstanceType","Type":"String"},{"Name":"States","Selector":"$.Reservations[*].Instances[*].State.Name","Type":"StringList"}]},
  {"name":"choose","action":"aws:branch","inputs":{"Choices":[
     {"And":[{"Variable":"{{ look.Type }}","StartsWith":"t3."},{"Not":{"Variable":"{{ look.Type }}","StringEquals":"t3.large"}}],"NextStep":"hold"}],"Default":"wrong"}},
  {"name":"wrong","action":"aws:sleep","isEnd":true,"inputs":{"Duration":"PT1S"}},
  {"name":"hold","action":"aws:pause","inputs":{}},
  {"name":"stopEach","action":"aws:loop","inputs":{"Iterators":"{{ launch.InstanceIds }}","Steps":[
     {"name":"stopOne","action":"aws:changeInstanceState","inputs":{"InstanceIds":["{{ stopEach.CurrentIteratorValue }}"],"DesiredState":"stopped"}},
     {"name":"count","action":"aws:updateVariable","inputs":{"Name":"variable:Stopped","Value":"{{ stopEach.CurrentIteration }}"}}]}}],
 "outputs":["look.Type","look.States","launch.InstanceIds"]}`

// TestActionsAgainstSimulatedServices runs the Automation actions against
// the endpoint's own EC2, as the service role, and checks their effects,
// outputs and audit trail rather than a fake's.
func TestActionsAgainstSimulatedServices(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	role := serviceRole(t, srv, "Actions", trustSSM, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
		"ec2:RunInstances","ec2:CreateTags","ec2:DescribeInstances","ec2:DescribeInstanceStatus","ec2:StopInstances"],"Resource":"*"}]}`)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Actions-E2E", strings.Replace(actionsDoc, "ROLE", role, 1))
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Actions-E2E")})
	waitStatus(t, admin, id, ssmtypes.AutomationExecutionStatusWaiting)
	_, err := admin.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{AutomationExecutionId: aws.String(id), SignalType: ssmtypes.SignalTypeResume, Payload: map[string][]string{"StepName": {"hold"}}})
	require.NoError(t, err)
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
	ids := x.Outputs["launch.InstanceIds"]
	require.Len(t, ids, 2, "outputs %v", x.Outputs)
	require.Equal(t, []string{"t3.micro"}, x.Outputs["look.Type"], "look.Type")
	require.Equal(t, []string{"running", "running"}, x.Outputs["look.States"], "look.States")
	require.Equal(t, []string{"2"}, x.Variables["Stopped"], "variable Stopped")
	statuses := map[string]ssmtypes.AutomationExecutionStatus{}
	for _, s := range x.StepExecutions {
		statuses[aws.ToString(s.StepName)] = s.StepStatus
	}
	for step, want := range map[string]ssmtypes.AutomationExecutionStatus{
		"launch": "Success", "tag": "Success", "waitRunning": "Success", "assertTagged": "Success",
		"look": "Success", "choose": "Success", "wrong": "Pending", "hold": "Success", "stopEach": "Success",
	} {
		assert.Equal(t, want, statuses[step], "step %s", step)
	}
	d, err := ec2.NewFromConfig(cfg(srv, srv.Admin())).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	require.NoError(t, err)
	for _, r := range d.Reservations {
		for _, in := range r.Instances {
			assert.Equal(t, ec2types.InstanceStateName("stopped"), in.State.Name, aws.ToString(in.InstanceId))
			if assert.Len(t, in.Tags, 1, aws.ToString(in.InstanceId)) {
				assert.Equal(t, "e2e", aws.ToString(in.Tags[0].Value), aws.ToString(in.InstanceId))
			}
		}
	}
	calls := map[string]int{}
	session := "arn:aws:sts::123456789012:assumed-role/Actions/" + id
	for _, e := range srv.AuditFor(id) {
		if e.Service != "ec2" {
			continue
		}
		calls[e.StepName+" "+e.API]++
		assert.Equal(t, session, e.Principal, "%s in step %s", e.API, e.StepName)
		assert.Equal(t, "Allowed", e.Decision, "%s by %s in step %s", e.API, e.Principal, e.StepName)
	}
	for _, want := range []string{"launch RunInstances", "tag CreateTags", "waitRunning DescribeInstanceStatus", "assertTagged DescribeInstances", "look DescribeInstances", "stopOne StopInstances"} {
		assert.NotZero(t, calls[want], "no %q call in the audit trail: %v", want, calls)
	}
	assert.Equal(t, 2, calls["stopOne StopInstances"], "instances the loop stopped")
}
