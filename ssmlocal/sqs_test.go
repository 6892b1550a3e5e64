package ssmlocal_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl)
}

func TestSQSQueueLifecycle(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(cfg(srv, srv.Admin()))

	url := createQueue(t, c, "work", map[string]string{"VisibilityTimeout": "60", "MessageRetentionPeriod": "3600"})
	assert.Equal(t, srv.URL()+"/123456789012/work", url)
	again := createQueue(t, c, "work", map[string]string{"VisibilityTimeout": "60", "MessageRetentionPeriod": "3600"})
	assert.Equal(t, url, again, "creating the same queue again is idempotent")

	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work"), Attributes: map[string]string{"VisibilityTimeout": "5"}})
	var exists *sqstypes.QueueNameExists
	require.ErrorAs(t, err, &exists)
	assert.Equal(t, "QueueAlreadyExists", errCode(err))

	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("work")})
	require.NoError(t, err)
	assert.Equal(t, url, aws.ToString(got.QueueUrl))

	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	require.NoError(t, err)
	assert.Equal(t, "60", attrs.Attributes["VisibilityTimeout"])
	assert.Equal(t, "3600", attrs.Attributes["MessageRetentionPeriod"])
	assert.Equal(t, "arn:aws:sqs:us-east-1:123456789012:work", attrs.Attributes["QueueArn"])
	assert.Equal(t, "0", attrs.Attributes["ApproximateNumberOfMessages"])

	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"ReceiveMessageWaitTimeSeconds": "20"}})
	require.NoError(t, err)
	attrs, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"ReceiveMessageWaitTimeSeconds"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"ReceiveMessageWaitTimeSeconds": "20"}, attrs.Attributes)

	for name, tc := range map[string]struct {
		attrs map[string]string
		code  string
	}{
		"unknown attribute":    {map[string]string{"FifoQueue": "true"}, "InvalidAttributeName"},
		"wait out of range":    {map[string]string{"ReceiveMessageWaitTimeSeconds": "21"}, "InvalidAttributeValue"},
		"not a number":         {map[string]string{"VisibilityTimeout": "soon"}, "InvalidAttributeValue"},
		"policy that is wrong": {map[string]string{"Policy": "{"}, "InvalidAttributeValue"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: tc.attrs})
			assert.Equal(t, tc.code, errCode(err))
		})
	}

	_, err = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	require.NoError(t, err)
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("work")})
	var missing *sqstypes.QueueDoesNotExist
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", errCode(err))
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	assert.True(t, errors.As(err, &missing), "send to a deleted queue: %v", err)

	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs.fifo")})
	assert.Equal(t, "InvalidParameterValue", errCode(err), "FIFO queues are refused, not simulated wrongly")
}

func TestSQSMessages(t *testing.T) {
	clk := ssmlocal.VirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = clk })
	ctx := context.Background()
	c := sqs.NewFromConfig(cfg(srv, srv.Admin()))
	url := createQueue(t, c, "msgs", map[string]string{"VisibilityTimeout": "30"})

	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("first")})
	require.NoError(t, err)
	sum := md5.Sum([]byte("first"))
	assert.Equal(t, hex.EncodeToString(sum[:]), aws.ToString(sent.MD5OfMessageBody))

	var entries []sqstypes.SendMessageBatchRequestEntry
	for i := range 3 {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), MessageBody: aws.String(fmt.Sprint("batch ", i))})
	}
	entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String("empty"), MessageBody: aws.String("")})
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	require.NoError(t, err)
	assert.Len(t, batch.Successful, 3)
	require.Len(t, batch.Failed, 1)
	assert.Equal(t, "empty", aws.ToString(batch.Failed[0].Id))

	recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	require.NoError(t, err)
	require.Len(t, recv.Messages, 4)
	assert.Equal(t, "first", aws.ToString(recv.Messages[0].Body))
	assert.Equal(t, aws.ToString(sent.MessageId), aws.ToString(recv.Messages[0].MessageId))
	assert.Equal(t, "1", recv.Messages[0].Attributes["ApproximateReceiveCount"])

	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	assert.Empty(t, again.Messages, "received messages stay invisible for the visibility timeout")

	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: recv.Messages[0].ReceiptHandle})
	require.NoError(t, err)
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.DeleteMessageBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: recv.Messages[1].ReceiptHandle},
		{Id: aws.String("bad"), ReceiptHandle: aws.String("not-a-handle")},
	}})
	require.NoError(t, err)
	assert.Len(t, del.Successful, 1)
	require.Len(t, del.Failed, 1)
	assert.Equal(t, "ReceiptHandleIsInvalid", aws.ToString(del.Failed[0].Code))

	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	var invalid *sqstypes.ReceiptHandleIsInvalid
	assert.ErrorAs(t, err, &invalid)

	clk.Advance(31 * time.Second)
	back, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
	require.NoError(t, err)
	require.Len(t, back.Messages, 2, "the two undeleted messages are visible again")
	assert.Equal(t, "2", back.Messages[0].Attributes["ApproximateReceiveCount"])

	for name, in := range map[string]*sqs.ReceiveMessageInput{
		"too many":       {QueueUrl: aws.String(url), MaxNumberOfMessages: 11},
		"wait too long":  {QueueUrl: aws.String(url), WaitTimeSeconds: 21},
		"negative delay": {QueueUrl: aws.String(url), VisibilityTimeout: -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.ReceiveMessage(ctx, in)
			assert.Equal(t, "InvalidParameterValue", errCode(err))
		})
	}

	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("x"), MessageBody: aws.String("1")}, {Id: aws.String("x"), MessageBody: aws.String("2")}}})
	var dup *sqstypes.BatchEntryIdsNotDistinct
	assert.ErrorAs(t, err, &dup)
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.SendMessageBatchRequestEntry{}})
	var empty *sqstypes.EmptyBatchRequest
	assert.ErrorAs(t, err, &empty)
}

// TestSQSLongPoll waits on the endpoint's clock: with a clock that jumps
// to every timer, an empty 20-second poll returns at once, 20 simulated
// seconds later; a message sent during a poll ends it.
func TestSQSLongPoll(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := ssmlocal.AutoClock(start)
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = clk })
	ctx := context.Background()
	c := sqs.NewFromConfig(cfg(srv, srv.Admin()))
	url := createQueue(t, c, "poll", nil)

	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
	require.NoError(t, err)
	assert.Empty(t, out.Messages)
	assert.WithinDuration(t, start.Add(20*time.Second), clk.Now(), time.Millisecond, "the poll waited 20 seconds of the endpoint's clock")

	vclk := ssmlocal.VirtualClock(start)
	srv2 := newServer(t, func(o *ssmlocal.Options) { o.Clock = vclk })
	c2 := sqs.NewFromConfig(cfg(srv2, srv2.Admin()))
	url2 := createQueue(t, c2, "poll", nil)
	got := make(chan *sqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := c2.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url2), WaitTimeSeconds: 20})
		assert.NoError(t, err)
		got <- out
	}()
	_, err = c2.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url2), MessageBody: aws.String("wake")})
	require.NoError(t, err)
	res := <-got
	require.Len(t, res.Messages, 1, "the message ends the poll without the clock moving")
	assert.Equal(t, "wake", aws.ToString(res.Messages[0].Body))
	assert.WithinDuration(t, start, vclk.Now(), time.Millisecond)
}

// TestSQSAuthorization checks sqs: actions on the queue ARN and the queue
// policy as a resource-based policy for other principals.
func TestSQSAuthorization(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := sqs.NewFromConfig(cfg(srv, srv.Admin()))
	url := createQueue(t, admin, "guarded", nil)
	arn := "arn:aws:sqs:us-east-1:123456789012:guarded"
	reader := sqs.NewFromConfig(cfg(srv, user(t, srv, "reader", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":"`+arn+`"}]}`)))
	writer := sqs.NewFromConfig(cfg(srv, user(t, srv, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}]}`)))

	_, err := reader.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	require.NoError(t, err)
	_, err = reader.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	assert.Equal(t, "AccessDenied", errCode(err))
	_, err = writer.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	assert.Equal(t, "AccessDenied", errCode(err))

	_, err = admin.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/writer"},"Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`}})
	require.NoError(t, err)
	_, err = writer.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	assert.NoError(t, err, "the queue policy lets the writer send")

	var sawDenied bool
	for _, ev := range srv.Audit() {
		if ev.Service == "sqs" && ev.API == "SendMessage" && ev.Decision == "Denied" {
			sawDenied = true
		}
	}
	assert.True(t, sawDenied, "refused sends are audited")
}
