package ssmlocal_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestLaunchTaggedWithDeny is the blog walkthrough: a user with an explicit
// deny on ec2:* cannot launch an instance, but a runbook whose role may
// launches and tags one for them.
func TestLaunchTaggedWithDeny(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	role := serviceRole(t, srv, "LaunchRole", trustSSM, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ec2:RunInstances","ec2:CreateTags","ec2:DescribeInstances","ec2:DescribeInstanceStatus"],"Resource":"*"}]}`)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Launch-Tagged", `{"schemaVersion":"0.3","assumeRole":"`+role+`","mainSteps":[
		{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-0123456789abcdef0","InstanceType":"t3.micro","MinInstanceCount":1,"MaxInstanceCount":1}},
		{"name":"tag","action":"aws:createTags","inputs":{"ResourceType":"EC2","ResourceIds":"{{ launch.InstanceIds }}","Tags":[{"Key":"Owner","Value":"ops"}]}}]}`)
	creds := user(t, srv, "denied", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ssm:StartAutomationExecution","ssm:GetAutomationExecution"],"Resource":"*"},
		{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)
	_, err := ec2.NewFromConfig(cfg(srv, creds)).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	require.Equal(t, "UnauthorizedOperation", errCode(err), "direct launch: %v", err)
	require.ErrorContains(t, err, "explicit deny", "direct launch")
	op := ssm.NewFromConfig(cfg(srv, creds))
	id := start(t, op, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Launch-Tagged")})
	x := waitDone(t, op, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
	out, err := ec2.NewFromConfig(cfg(srv, srv.Admin())).DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:Owner"), Values: []string{"ops"}}}})
	require.NoError(t, err)
	require.Len(t, out.Reservations, 1, "tagged instances")
	require.Equal(t, ec2types.InstanceStateNameRunning, out.Reservations[0].Instances[0].State.Name)
}
