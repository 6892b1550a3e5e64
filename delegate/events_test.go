package delegate_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func napDocument(t *testing.T) *runbook.Document {
	t.Helper()
	doc, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`))
	require.NoError(t, err)
	return doc
}

func eventPlan(t *testing.T, account, region string, optFns ...func(*delegate.EventOptions)) *delegate.Plan {
	t.Helper()
	plan, err := delegate.NewPlan(delegate.NewDocument("Nap", napDocument(t)), delegate.Runtime, account, region)
	require.NoError(t, err)
	require.NoError(t, plan.AddEvents(optFns...))
	return plan
}

func TestAddEvents(t *testing.T) {
	plan := eventPlan(t, "123456789012", "eu-west-1")
	ev := plan.Events
	require.NotNil(t, ev)
	assert.Equal(t, "arn:aws:events:eu-west-1:123456789012:rule/Nap-Events", ev.RuleARN)
	assert.Equal(t, "arn:aws:sqs:eu-west-1:123456789012:Nap-Events", ev.QueueARN)
	assert.JSONEq(t, `{"source":["aws.ssm"],"detail-type":["EC2 Automation Execution Status-change Notification","EC2 Automation Step Status-change Notification"],"detail":{"Definition":["Nap"]}}`, ev.EventPattern)

	qp, err := json.Marshal(ev.QueuePolicy)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Sid":"EventBridgeSendsForTheRule","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
		"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:Nap-Events",
		"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:events:eu-west-1:123456789012:rule/Nap-Events"}}}]}`, string(qp))
	cp, err := json.Marshal(ev.ConsumerPolicy)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Sid":"ReadAutomationEvents","Effect":"Allow",
		"Action":["sqs:DeleteMessage","sqs:GetQueueAttributes","sqs:ReceiveMessage"],"Resource":"arn:aws:sqs:eu-west-1:123456789012:Nap-Events"}]}`, string(cp))

	var found int
	for _, st := range plan.OperatorPolicy.Statement {
		if st.Sid == "ReadAutomationEvents" {
			found++
		}
	}
	assert.Equal(t, 1, found, "the operator may consume the events")
	require.NoError(t, plan.AddEvents())
	found = 0
	for _, st := range plan.OperatorPolicy.Statement {
		if st.Sid == "ReadAutomationEvents" {
			found++
		}
	}
	assert.Equal(t, 1, found, "adding events again does not repeat the statement")

	only := eventPlan(t, "123456789012", "eu-west-1", func(o *delegate.EventOptions) { o.ExecutionOnly = true; o.QueueName = "q" })
	assert.JSONEq(t, `{"source":["aws.ssm"],"detail-type":["EC2 Automation Execution Status-change Notification"],"detail":{"Definition":["Nap"]}}`, only.Events.EventPattern)

	for name, fn := range map[string]func(*delegate.EventOptions){
		"rule name":  func(o *delegate.EventOptions) { o.RuleName = "has space" },
		"queue name": func(o *delegate.EventOptions) { o.QueueName = "q.fifo" },
		"retention":  func(o *delegate.EventOptions) { o.MessageRetentionPeriod = 10 },
	} {
		t.Run(name, func(t *testing.T) {
			plan, err := delegate.NewPlan(delegate.NewDocument("Nap", napDocument(t)), delegate.Runtime, "123456789012", "eu-west-1")
			require.NoError(t, err)
			err = plan.AddEvents(fn)
			assert.True(t, errors.Is(err, delegate.ErrInvalidInput), "%v", err)
			assert.Nil(t, plan.Events)
		})
	}
}

func TestEventsCloudFormation(t *testing.T) {
	plan := eventPlan(t, "123456789012", "us-east-1")
	cfn, err := plan.CloudFormation()
	require.NoError(t, err)
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(cfn, &tmpl))
	assert.Equal(t, "AWS::SQS::Queue", tmpl.Resources[delegate.LogicalEventsQueue].Type)
	assert.Equal(t, "AWS::SQS::QueuePolicy", tmpl.Resources[delegate.LogicalEventsQueuePolicy].Type)
	rule := tmpl.Resources[delegate.LogicalEventsRule]
	assert.Equal(t, "AWS::Events::Rule", rule.Type)
	assert.Equal(t, "ENABLED", rule.Properties["State"])
	again, err := plan.CloudFormation()
	require.NoError(t, err)
	assert.Equal(t, string(cfn), string(again), "the template is deterministic")

	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			require.FailNow(t, "cfn-lint is required in CI")
		}
		t.Skip("cfn-lint is not installed")
	}
	path := filepath.Join(t.TempDir(), "events.template.json")
	require.NoError(t, os.WriteFile(path, cfn, 0o600))
	out, err := exec.Command(lint, path).CombinedOutput()
	assert.NoError(t, err, "cfn-lint:\n%s", out)
}

// TestProvisionEventsLocal provisions the event delivery twice on the
// embedded endpoint (the second run changes nothing, a tampered queue
// policy is put back), then runs the automation and reads its events as
// the operator, who holds only the operator policy.
func TestProvisionEventsLocal(t *testing.T) {
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	admin := srv.AdminConfig()
	iamc, ssmc, eb, q := iam.NewFromConfig(admin), ssm.NewFromConfig(admin), eventbridge.NewFromConfig(admin), sqs.NewFromConfig(admin)
	_, err = iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Operator")})
	require.NoError(t, err)

	plan := eventPlan(t, srv.AccountID(), srv.Region())
	dry, err := delegate.ProvisionEvents(ctx, eb, q, plan, func(o *delegate.ProvisionOptions) { o.DryRun = true })
	require.NoError(t, err)
	first, err := delegate.ProvisionEvents(ctx, eb, q, plan)
	require.NoError(t, err)
	var kinds []string
	for _, c := range first {
		kinds = append(kinds, c.Kind.String())
	}
	assert.Equal(t, []string{"event queue created", "event rule put", "event target put"}, kinds)
	assert.Equal(t, first, dry, "the dry run reports what the run does")
	second, err := delegate.ProvisionEvents(ctx, eb, q, plan)
	require.NoError(t, err)
	assert.Empty(t, second, "the second run is a no-op")

	url, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(plan.Events.QueueName)})
	require.NoError(t, err)
	_, err = q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url.QueueUrl, Attributes: map[string]string{"Policy": ""}})
	require.NoError(t, err)
	repaired, err := delegate.ProvisionEvents(ctx, eb, q, plan)
	require.NoError(t, err)
	require.Len(t, repaired, 1)
	assert.Equal(t, delegate.EventQueueAttributesSet, repaired[0].Kind)

	_, err = delegate.Provision(ctx, iamc, ssmc, plan, func(o *delegate.ProvisionOptions) { o.OperatorUser = "Operator" })
	require.NoError(t, err)
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Operator")})
	require.NoError(t, err)
	opConf := srv.Config(ssmlocal.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)})
	op, opQueue := ssm.NewFromConfig(opConf), sqs.NewFromConfig(opConf)
	out, err := op.StartAutomationExecution(ctx, plan.Start)
	require.NoError(t, err)
	id := aws.ToString(out.AutomationExecutionId)
	require.NoError(t, execution.NewExecutionWaiter(op, func(o *execution.ExecutionWaiterOptions) {
		o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	}).Wait(ctx, id, time.Minute))

	var statuses []string
	for {
		res, err := opQueue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10})
		require.NoError(t, err, "the operator reads the queue")
		if len(res.Messages) == 0 {
			break
		}
		for _, m := range res.Messages {
			ev, err := execution.ParseAutomationEvent([]byte(aws.ToString(m.Body)))
			require.NoError(t, err)
			assert.Equal(t, id, ev.ExecutionID)
			if !ev.Step {
				statuses = append(statuses, string(ev.Status))
			}
			_, err = opQueue.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	assert.Equal(t, []string{"InProgress", "Success"}, statuses)
	_, err = opQueue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url.QueueUrl, MessageBody: aws.String("x")})
	assert.Error(t, err, "the operator may not send to the queue")
}
