package ssmlocal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestStartThrottle: past the burst, StartAutomationExecution answers
// ThrottlingException, which the SDK's retryer treats as throttling; the
// bucket refills on the endpoint's clock, so a retry after waiting
// succeeds. Other operations are not throttled.
func TestStartThrottle(t *testing.T) {
	vc := ssmlocal.VirtualClock(time.Now())
	srv := newServer(t, func(o *ssmlocal.Options) {
		o.Clock, o.MaxClockSkew = vc, 24*time.Hour
		o.StartThrottle = ssmlocal.Throttle{Rate: 1, Burst: 2}
	})
	ctx := context.Background()
	plain := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, plain, "Throttled-Doc", sleepDoc)
	in := func() *ssm.StartAutomationExecutionInput {
		return &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Throttled-Doc")}
	}
	for range 2 {
		_, err := plain.StartAutomationExecution(ctx, in())
		require.NoError(t, err, "within the burst")
	}
	_, err := plain.StartAutomationExecution(ctx, in())
	require.Equal(t, "ThrottlingException", errCode(err))
	assert.Equal(t, aws.TrueTernary, retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err), "the SDK sees throttling")
	_, err = plain.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String("Throttled-Doc")})
	require.NoError(t, err, "only starts are throttled")

	// The SDK's standard retryer retries; each backoff lets a second of
	// the endpoint's clock pass, which refills one token.
	attempts := 0
	retrying := ssm.NewFromConfig(srv.Config(srv.Admin()), func(o *ssm.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				attempts++
				vc.Advance(time.Second)
				return 0, nil
			})
		})
	})
	_, err = retrying.StartAutomationExecution(ctx, in())
	require.NoError(t, err)
	assert.Equal(t, 1, attempts, "one throttled attempt, then success")

	// Without time passing the retries run out, and the error says why.
	noWait := ssm.NewFromConfig(srv.Config(srv.Admin()), func(o *ssm.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 2
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
	_, err = noWait.StartAutomationExecution(ctx, in())
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "ThrottlingException", ae.ErrorCode())
	var maxErr *retry.MaxAttemptsError
	assert.ErrorAs(t, err, &maxErr)
}

// TestStartThrottleOff: without StartThrottle nothing is throttled.
func TestStartThrottleOff(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, c, "Free-Doc", sleepDoc)
	for range 30 {
		_, err := c.StartAutomationExecution(context.Background(), &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Free-Doc")})
		require.NoError(t, err)
	}
}
