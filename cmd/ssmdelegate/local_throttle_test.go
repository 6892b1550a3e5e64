package main

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// TestLocalThrottle: with --throttle, starts past the burst are refused
// with ThrottlingException; the auto clock does not move without timers,
// so the bucket does not refill during the test.
func TestLocalThrottle(t *testing.T) {
	url, creds, out, stop := runLocal(t, "--clock", "auto", "--throttle")
	defer stop()
	assert.Contains(t, out.String(), "throttling StartAutomationExecution: 5 requests a second, bursts of 10\n")
	client := ssm.NewFromConfig(localConfig(url, creds), func(o *ssm.Options) { o.Retryer = aws.NopRetryer{} })
	codes := map[string]int{}
	for range 12 {
		// An unknown document: the start is refused after the throttle,
		// so no execution runs and moves the clock.
		_, err := client.StartAutomationExecution(t.Context(), &ssm.StartAutomationExecutionInput{DocumentName: aws.String("No-Such-Doc")})
		var ae smithy.APIError
		if errors.As(err, &ae) {
			codes[ae.ErrorCode()]++
		}
	}
	assert.Equal(t, map[string]int{"InvalidDocument": 10, "ThrottlingException": 2}, codes)
}
