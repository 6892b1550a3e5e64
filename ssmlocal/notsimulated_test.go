package ssmlocal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestNotSimulated: a step calling an API the endpoint does not simulate
// fails with a clear message instead of pretending to succeed, and the
// wire answers an unknown operation the way SSM does.
func TestNotSimulated(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Calls-S3", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"buckets","action":"aws:executeAwsApi","inputs":{"Service":"s3","Api":"ListBuckets"}}]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Calls-S3")})
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	require.Len(t, x.StepExecutions, 1)
	require.Contains(t, aws.ToString(x.StepExecutions[0].FailureMessage), "not simulated")
	require.Contains(t, rawCall(t, srv, "ssm", "AmazonSSM.SendCommand", `{}`), "UnknownOperationException")
	ops := strings.Join(srv.Operations(), ",")
	for _, want := range []string{"ec2:StopInstances", "iam:CreateRole", "ssm:StartAutomationExecution", "sts:AssumeRole"} {
		require.Contains(t, ops, want, "operations")
	}
}
