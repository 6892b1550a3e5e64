package execution_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestLocalStartThrottled: against an endpoint that throttles starts, Start
// goes through once the SDK's retryer has waited, and the waiter follows
// each execution to its end; with retries used up, Start reports the
// service's ThrottlingException.
func TestLocalStartThrottled(t *testing.T) {
	vc := ssmlocal.VirtualClock(time.Now())
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) {
		o.Clock, o.MaxClockSkew = vc, 100*365*24*time.Hour
		o.StartThrottle = ssmlocal.Throttle{Rate: 1, Burst: 1}
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	// A runbook with no waits, so the executions end without the clock
	// moving: only the retryer's waits move it.
	const doc = "Describe-Only"
	_, err = ssm.NewFromConfig(srv.AdminConfig()).CreateDocument(t.Context(), &ssm.CreateDocumentInput{Name: aws.String(doc), DocumentType: types.DocumentTypeAutomation,
		Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"look","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeInstances"}}]}`)})
	require.NoError(t, err)

	waits := 0
	client := ssm.NewFromConfig(srv.AdminConfig(), func(o *ssm.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				waits++
				vc.Advance(time.Second) // the wait, on the endpoint's clock
				return 0, nil
			})
		})
	})
	// Back to back, each start past the first is throttled once.
	var started []string
	for range 3 {
		out, err := execution.Start(t.Context(), client, doc)
		require.NoError(t, err)
		started = append(started, out.ExecutionID)
	}
	assert.Equal(t, 2, waits, "the retryer waited for the two throttled starts")
	waiter := execution.NewExecutionWaiter(client, quick)
	for _, id := range started {
		out, err := waiter.WaitForOutput(t.Context(), id, time.Minute)
		require.NoError(t, err)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, out.AutomationExecution.AutomationExecutionStatus)
	}

	noRetry := ssm.NewFromConfig(srv.AdminConfig(), func(o *ssm.Options) { o.Retryer = aws.NopRetryer{} })
	_, err = execution.Start(t.Context(), noRetry, doc)
	require.Error(t, err, "the bucket is empty until the clock moves")
	assert.Equal(t, aws.TrueTernary, retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err), err.Error())
	vc.Advance(time.Second)
	_, err = execution.Start(t.Context(), noRetry, doc)
	require.NoError(t, err)
}
