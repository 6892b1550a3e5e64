package ssmlocal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

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
	if x.AutomationExecutionStatus != ssmtypes.AutomationExecutionStatusFailed || len(x.StepExecutions) != 1 {
		t.Fatalf("status %s", x.AutomationExecutionStatus)
	}
	if msg := aws.ToString(x.StepExecutions[0].FailureMessage); !strings.Contains(msg, "not simulated") {
		t.Fatalf("failure %q", msg)
	}
	out := rawCall(t, srv, "ssm", "AmazonSSM.SendCommand", `{}`)
	if !strings.Contains(out, "UnknownOperationException") {
		t.Fatalf("unknown operation: %s", out)
	}
	ops := strings.Join(srv.Operations(), ",")
	for _, want := range []string{"ec2:StopInstances", "iam:CreateRole", "ssm:StartAutomationExecution", "sts:AssumeRole"} {
		if !strings.Contains(ops, want) {
			t.Fatalf("operations lack %s: %s", want, ops)
		}
	}
}
