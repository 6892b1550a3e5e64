package execution_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestLocalEventsWakeWaiter runs the whole path on the embedded endpoint
// with the real SDK: Automation's events go through an EventBridge rule to
// an SQS queue, and the waiter, whose own polls are a minute apart, learns
// of the end from them. The endpoint runs on the wall clock here, so the
// queue's long polls really wait.
func TestLocalEventsWakeWaiter(t *testing.T) {
	srv, err := ssmlocal.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	conf := srv.AdminConfig()
	eb, q, client := eventbridge.NewFromConfig(conf), sqs.NewFromConfig(conf), ssm.NewFromConfig(conf)

	rule, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("automation"),
		EventPattern: aws.String(`{"source":["aws.ssm"],"detail-type":[{"prefix":"EC2 Automation"}]}`)})
	require.NoError(t, err)
	queueARN := "arn:aws:sqs:us-east-1:123456789012:automation-events"
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("automation-events"), Attributes: map[string]string{
		"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
			"Action":"sqs:SendMessage","Resource":"` + queueARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + aws.ToString(rule.RuleArn) + `"}}}]}`}})
	require.NoError(t, err)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("automation"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}})
	require.NoError(t, err)

	_, err = client.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Short"), DocumentType: types.DocumentTypeAutomation, Content: aws.String(
		`{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)})
	require.NoError(t, err)

	src := execution.NewQueueEventSource(q, aws.ToString(created.QueueUrl), func(o *execution.QueueEventSourceOptions) { o.WaitTimeSeconds = 2 })
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()

	started, err := client.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Short")})
	require.NoError(t, err)
	begin := time.Now()
	out, err := execution.NewExecutionWaiter(client, func(o *execution.ExecutionWaiterOptions) {
		o.Wake = src
		o.FallbackDelay = time.Minute
	}).WaitForOutput(ctx, aws.ToString(started.AutomationExecutionId), 45*time.Second)
	require.NoError(t, err)
	assert.Equal(t, types.AutomationExecutionStatusSuccess, out.AutomationExecution.AutomationExecutionStatus)
	assert.Less(t, time.Since(begin), 30*time.Second, "an event, not the minute-long fallback, ended the wait")
	st := src.Stats()
	assert.Positive(t, st.Wakes)
	assert.Zero(t, st.Malformed)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}
