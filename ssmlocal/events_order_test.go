package ssmlocal_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestAutomationEventsPublishedOnceUnderRacingCallbacks runs the change
// callback from many goroutines while an execution runs: each status of
// the execution and its steps is still published once, never again after
// a later one (a callback that read the execution earlier must not win).
func TestAutomationEventsPublishedOnceUnderRacingCallbacks(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Date(2026, 3, 1, 13, 4, 5, 0, time.UTC)) })
	ctx := context.Background()
	conf := cfg(srv, srv.Admin())
	eb, q, admin := eventbridge.NewFromConfig(conf), sqs.NewFromConfig(conf), ssm.NewFromConfig(conf)
	rule, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventPattern: aws.String(`{"source":["aws.ssm"]}`)})
	require.NoError(t, err)
	url := eventQueue(t, q, "ordered", aws.ToString(rule.RuleArn))
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:ordered")}}})
	require.NoError(t, err)
	createDoc(t, admin, "Sleepy", twoSleeps)

	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Sleepy")})
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
					srv.PublishAutomationEvents("us-east-1", id)
				}
			}
		})
	}
	x := waitDone(t, admin, id)
	close(done)
	wg.Wait()
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus)
	pollUntil(t, 10*time.Second, func() (bool, error) { return srv.EventsDelivered() >= 6, nil })

	var got []string
	for _, ev := range drain(t, q, url) {
		subject := "execution"
		if name, ok := ev.Detail["StepName"].(string); ok {
			subject = "step " + name
		}
		got = append(got, subject+" "+ev.Detail["Status"].(string))
	}
	sort.Strings(got)
	assert.Equal(t, []string{"execution InProgress", "execution Success", "step first InProgress", "step first Success", "step second InProgress", "step second Success"}, got)
}
