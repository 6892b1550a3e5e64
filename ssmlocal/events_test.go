package ssmlocal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
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

const twoSleeps = `{"schemaVersion":"0.3","mainSteps":[
	{"name":"first","action":"aws:sleep","inputs":{"Duration":"PT1S"}},
	{"name":"second","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`

// eventQueue creates a queue whose policy lets EventBridge send for the
// rule, as the rule's owner would write it.
func eventQueue(t *testing.T, c *sqs.Client, name, ruleARN string) string {
	t.Helper()
	arn := "arn:aws:sqs:us-east-1:123456789012:" + name
	return createQueue(t, c, name, map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + arn + `",
		"Condition":{"ArnEquals":{"aws:SourceArn":"` + ruleARN + `"}}}]}`})
}

type automationEvent struct {
	DetailType string         `json:"detail-type"`
	Source     string         `json:"source"`
	Account    string         `json:"account"`
	Region     string         `json:"region"`
	Resources  []string       `json:"resources"`
	Detail     map[string]any `json:"detail"`
}

func drain(t *testing.T, c *sqs.Client, url string) []automationEvent {
	t.Helper()
	var out []automationEvent
	// An execution publishes a bounded number of events: a queue that
	// never empties is a failure, not a reason to read on.
	for range 100 {
		res, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		require.NoError(t, err)
		if len(res.Messages) == 0 {
			return out
		}
		for _, m := range res.Messages {
			var ev automationEvent
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
			out = append(out, ev)
			_, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	require.FailNow(t, fmt.Sprintf("the queue did not empty after %d events", len(out)))
	return nil
}

// TestAutomationEventsToSQS runs an execution and reads, from a queue a
// rule targets, the status-change events Automation publishes for it and
// its steps, shaped as AWS documents them.
func TestAutomationEventsToSQS(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Date(2026, 3, 1, 13, 4, 5, 0, time.UTC)) })
	ctx := context.Background()
	conf := cfg(srv, srv.Admin())
	eb, q, admin := eventbridge.NewFromConfig(conf), sqs.NewFromConfig(conf), ssm.NewFromConfig(conf)

	rule, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("automation"), EventPattern: aws.String(`{
		"source":["aws.ssm"],"detail-type":[{"prefix":"EC2 Automation "}],"detail":{"Definition":["Sleepy"]}}`)})
	require.NoError(t, err)
	ruleARN := aws.ToString(rule.RuleArn)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/automation", ruleARN)
	url := eventQueue(t, q, "automation-events", ruleARN)
	put, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("automation"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:automation-events")}}})
	require.NoError(t, err)
	assert.Zero(t, put.FailedEntryCount)

	createDoc(t, admin, "Sleepy", twoSleeps)
	createDoc(t, admin, "Other", twoSleeps)
	other := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Other")})
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Sleepy")})
	waitDone(t, admin, other)
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus)
	// The last event is published just after the execution ends, so a
	// reader can see Success first; the rule matches Sleepy's six only.
	pollUntil(t, 10*time.Second, func() (bool, error) { return srv.EventsDelivered() >= 6, nil })

	events := drain(t, q, url)
	var got []string
	for _, ev := range events {
		assert.Equal(t, "aws.ssm", ev.Source)
		assert.Equal(t, "123456789012", ev.Account)
		assert.Equal(t, "us-east-1", ev.Region)
		assert.Equal(t, id, ev.Detail["ExecutionId"], "only the rule's document's events arrive")
		assert.Equal(t, []string{"arn:aws:ssm:us-east-1:123456789012:automation-execution/" + id, "arn:aws:ssm:us-east-1:123456789012:automation-definition/Sleepy:1"}, ev.Resources)
		assert.Equal(t, 1.0, ev.Detail["DefinitionVersion"])
		_, err := time.Parse("Jan 2, 2006 3:04:05 PM", ev.Detail["StartTime"].(string))
		assert.NoError(t, err, "StartTime is a locale-style string")
		switch ev.DetailType {
		case "EC2 Automation Step Status-change Notification":
			assert.Equal(t, "aws:sleep", ev.Detail["Action"])
			got = append(got, "step "+ev.Detail["StepName"].(string)+" "+ev.Detail["Status"].(string))
		case "EC2 Automation Execution Status-change Notification":
			assert.Equal(t, srv.AdminARN(), ev.Detail["ExecutedBy"])
			got = append(got, "execution "+ev.Detail["Status"].(string))
		default:
			assert.Fail(t, "unexpected detail-type "+ev.DetailType)
		}
		if ev.Detail["Status"] == "Success" {
			assert.Contains(t, ev.Detail, "EndTime")
			assert.Contains(t, ev.Detail, "Time")
		}
	}
	sort.Strings(got)
	assert.Equal(t, []string{"execution InProgress", "execution Success", "step first InProgress", "step first Success", "step second InProgress", "step second Success"}, got)
	assert.Zero(t, srv.EventsDropped())
}

// TestAutomationEventsDropped checks best-effort delivery: a queue without
// a policy for EventBridge, a policy for another rule, or a missing queue
// loses the events, and the execution is not affected.
func TestAutomationEventsDropped(t *testing.T) {
	for name, policyFor := range map[string]string{
		"no queue policy":         "",
		"policy for another rule": "arn:aws:events:us-east-1:123456789012:rule/other",
		"no queue":                "-",
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
			ctx := context.Background()
			conf := cfg(srv, srv.Admin())
			eb, q, admin := eventbridge.NewFromConfig(conf), sqs.NewFromConfig(conf), ssm.NewFromConfig(conf)
			_, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["aws.ssm"]}`)})
			require.NoError(t, err)
			url := ""
			switch policyFor {
			case "":
				url = createQueue(t, q, "events", nil)
			case "-":
			default:
				url = eventQueue(t, q, "events", policyFor)
			}
			_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:events")}}})
			require.NoError(t, err)
			createDoc(t, admin, "Sleepy", twoSleeps)
			x := waitDone(t, admin, start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Sleepy")}))
			assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus)
			// The last event is published just after the execution ends,
			// so a reader can see Success first.
			// Every event is lost and none delivered, each once (racing
			// change callbacks once published stale statuses again).
			pollUntil(t, 10*time.Second, func() (bool, error) { return srv.EventsDropped() >= 6, nil })
			assert.Equal(t, int64(6), srv.EventsDropped())
			assert.Zero(t, srv.EventsDelivered())
			if url != "" {
				assert.Empty(t, drain(t, q, url))
			}
		})
	}
}

func TestEventBridgeRules(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	eb := eventbridge.NewFromConfig(cfg(srv, srv.Admin()))
	for _, n := range []string{"b-rule", "a-rule", "c-other"} {
		_, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(n), EventPattern: aws.String(`{"source":["aws.ssm"]}`), Description: aws.String("d " + n)})
		require.NoError(t, err)
	}
	list, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("a"), Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, list.Rules, 1)
	assert.Equal(t, "a-rule", aws.ToString(list.Rules[0].Name))
	all, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{Limit: aws.Int32(2)})
	require.NoError(t, err)
	require.Len(t, all.Rules, 2)
	rest, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{Limit: aws.Int32(2), NextToken: all.NextToken})
	require.NoError(t, err)
	require.Len(t, rest.Rules, 1)
	assert.Equal(t, "c-other", aws.ToString(rest.Rules[0].Name))

	d, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("b-rule")})
	require.NoError(t, err)
	assert.Equal(t, ebtypes.RuleStateEnabled, d.State)
	assert.Equal(t, "d b-rule", aws.ToString(d.Description))
	assert.Equal(t, `{"source":["aws.ssm"]}`, aws.ToString(d.EventPattern))

	put, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("b-rule"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:x")},
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")},
	}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), put.FailedEntryCount, "only SQS targets are simulated")
	targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("b-rule")})
	require.NoError(t, err)
	require.Len(t, targets.Targets, 1)
	assert.Equal(t, "q", aws.ToString(targets.Targets[0].Id))

	_, err = eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("b-rule")})
	assert.Equal(t, "ValidationException", errCode(err), "a rule with targets cannot be deleted")
	rm, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("b-rule"), Ids: []string{"q", "missing"}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), rm.FailedEntryCount)
	_, err = eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("b-rule")})
	require.NoError(t, err)
	_, err = eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("b-rule")})
	var nf *ebtypes.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf)

	for name, pattern := range map[string]string{
		"not json":        `{`,
		"scalar leaf":     `{"source":"aws.ssm"}`,
		"numeric":         `{"detail":{"n":[{"numeric":[">",1]}]}}`,
		"wildcard":        `{"source":[{"wildcard":"aws.*"}]}`,
		"or":              `{"$or":[{"source":["a"]},{"source":["b"]}]}`,
		"empty list":      `{"source":[]}`,
		"anything-but of": `{"source":[{"anything-but":{"prefix":"a"}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(pattern)})
			var inv *ebtypes.InvalidEventPatternException
			assert.ErrorAs(t, err, &inv)
		})
	}
}

func TestEventBridgeAuthorization(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	own := eventbridge.NewFromConfig(cfg(srv, user(t, srv, "owner", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["events:PutRule","events:DescribeRule"],"Resource":"arn:aws:events:us-east-1:123456789012:rule/mine-*"}]}`)))
	_, err := own.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("mine-1"), EventPattern: aws.String(`{"source":["aws.ssm"]}`)})
	require.NoError(t, err)
	_, err = own.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("theirs"), EventPattern: aws.String(`{"source":["aws.ssm"]}`)})
	assert.Equal(t, "AccessDeniedException", errCode(err))
	_, err = own.ListRules(ctx, &eventbridge.ListRulesInput{})
	assert.Equal(t, "AccessDeniedException", errCode(err))
	var audited bool
	for _, ev := range srv.Audit() {
		if ev.Service == "events" && ev.API == "PutRule" && ev.Decision == "Denied" {
			audited = true
			assert.Equal(t, []string{"arn:aws:events:us-east-1:123456789012:rule/theirs"}, ev.Resources)
		}
	}
	assert.True(t, audited)
}

// TestEventsBoto3 drives SQS and EventBridge from boto3, whose SQS client
// speaks the JSON protocol too.
func TestEventsBoto3(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import boto3").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "python3 with boto3 is required in CI")
		}
		t.Skip("python3 with boto3 is not installed")
	}
	srv := newServer(t)
	cmd := exec.CommandContext(context.Background(), py, "testdata/events.py", srv.URL())
	cmd.Env = cliEnv(t, srv.Admin(), srv.Region())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "boto3 script:\n%s", out)
	assert.Equal(t, "ok", strings.TrimSpace(string(out)))
}
