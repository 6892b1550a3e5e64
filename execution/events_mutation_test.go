package execution_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// scriptedQueue answers each ReceiveMessage with the next of its replies
// (an error, or messages), then blocks until ctx ends; it records what it
// was asked.
type scriptedQueue struct {
	mu       sync.Mutex
	replies  []scriptedReply
	inputs   []sqs.ReceiveMessageInput
	at       []time.Time
	deletes  []sqs.DeleteMessageBatchInput
	delErr   error
	delFails []sqstypes.BatchResultErrorEntry
	// cancel, when set, is called on the receive that takes the last
	// reply, before it returns.
	cancel context.CancelFunc
}

type scriptedReply struct {
	err  error
	msgs []sqstypes.Message
}

func (q *scriptedQueue) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	q.mu.Lock()
	q.inputs = append(q.inputs, *in)
	q.at = append(q.at, time.Now())
	if len(q.replies) == 0 {
		q.mu.Unlock()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	r := q.replies[0]
	q.replies = q.replies[1:]
	if len(q.replies) == 0 && q.cancel != nil {
		q.cancel()
	}
	q.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	return &sqs.ReceiveMessageOutput{Messages: r.msgs}, nil
}

func (q *scriptedQueue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deletes = append(q.deletes, *in)
	if q.delErr != nil {
		return nil, q.delErr
	}
	return &sqs.DeleteMessageBatchOutput{Failed: q.delFails}, nil
}

func message(handle, body string) sqstypes.Message {
	return sqstypes.Message{ReceiptHandle: aws.String(handle), Body: aws.String(body)}
}

// TestParseAutomationEventSizeLimit: an SQS message is at most 1 MiB
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html),
// so a body of exactly that size is read and a larger one refused.
func TestParseAutomationEventSizeLimit(t *testing.T) {
	const limit = 1 << 20
	pad := func(n int) []byte {
		body := []byte(eventBody("e1", "x", types.AutomationExecutionStatusSuccess))
		return append(body, bytes.Repeat([]byte(" "), n-len(body))...)
	}
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{
		{"exactly 1 MiB", limit, true},
		{"one byte over", limit + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := pad(tc.size)
			require.Len(t, body, tc.size)
			ev, err := execution.ParseAutomationEvent(body)
			if !tc.ok {
				require.ErrorIs(t, err, execution.ErrNotAutomationEvent)
				assert.ErrorContains(t, err, "larger than 1048576 bytes")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "x", ev.ExecutionID)
		})
	}
}

// TestParseAutomationEventClipsText: the source and detail type of a
// refused body are quoted in the error up to 64 bytes.
func TestParseAutomationEventClipsText(t *testing.T) {
	for _, tc := range []struct {
		name, source, want string
	}{
		{"64 bytes kept whole", strings.Repeat("s", 64), `source "` + strings.Repeat("s", 64) + `"`},
		{"65 bytes clipped", strings.Repeat("s", 65), `source "` + strings.Repeat("s", 64) + `…"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execution.ParseAutomationEvent(fmt.Appendf(nil, `{"source":%q,"detail-type":"x","detail":{"ExecutionId":"e"}}`, tc.source))
			require.ErrorIs(t, err, execution.ErrNotAutomationEvent)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseAutomationEventFields(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status string
		time   string
		want   types.AutomationExecutionStatus
		at     time.Time
	}{
		{"lower-case canceled", "canceled", "2024-11-29T19:43:35+02:00", types.AutomationExecutionStatusCancelled, time.Date(2024, 11, 29, 17, 43, 35, 0, time.UTC)},
		{"other statuses as written", "TimedOut", "not a time", types.AutomationExecutionStatusTimedout, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"id":"1","source":"aws.ssm","detail-type":%q,"time":%q,"detail":{"ExecutionId":"e","Status":%q,"StartTime":" 2024-11-29T19:43:23.5Z "}}`,
				execution.ExecutionStatusChange, tc.time, tc.status)
			ev, err := execution.ParseAutomationEvent([]byte(body))
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.Status)
			assert.Equal(t, tc.at, ev.Time)
			assert.Equal(t, time.UTC, ev.Time.Location())
			assert.Equal(t, time.Date(2024, 11, 29, 19, 43, 23, 5e8, time.UTC), ev.StartTime, "RFC 3339 with space around it")
			assert.False(t, ev.Step)
		})
	}
}

// TestQueueEventSourceReceiveInput: WaitTimeSeconds is a long poll of 1
// to 20 seconds, 20 by default
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
func TestQueueEventSourceReceiveInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  int32
		want int32
	}{
		{"unset", 0, 20},
		{"negative", -1, 20},
		{"one", 1, 1},
		{"twenty", 20, 20},
		{"over the limit", 21, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				q := &scriptedQueue{}
				src := execution.NewQueueEventSource(q, "https://queue", func(o *execution.QueueEventSourceOptions) { o.WaitTimeSeconds = tc.set })
				done := make(chan error)
				go func() { done <- src.Run(ctx) }()
				synctest.Wait()
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
				require.Len(t, q.inputs, 1)
				in := q.inputs[0]
				assert.Equal(t, tc.want, in.WaitTimeSeconds)
				assert.Equal(t, int32(10), in.MaxNumberOfMessages)
				assert.Equal(t, "https://queue", aws.ToString(in.QueueUrl))
			})
		})
	}
}

// TestQueueEventSourceErrorDelay: a failed receive is retried after
// ErrorDelay, 5 s unless set.
func TestQueueEventSourceErrorDelay(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  time.Duration
		want time.Duration
	}{
		{"unset", 0, 5 * time.Second},
		{"negative", -time.Second, 5 * time.Second},
		{"set", 2 * time.Second, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				down := errors.New("connection refused")
				q := &scriptedQueue{replies: []scriptedReply{{err: down}, {err: down}}}
				var log logLines
				src := execution.NewQueueEventSource(q, "https://queue", func(o *execution.QueueEventSourceOptions) {
					o.ErrorDelay = tc.set
					o.Logger = &log
				})
				done := make(chan error)
				go func() { done <- src.Run(ctx) }()
				time.Sleep(time.Minute)
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
				require.Len(t, q.at, 3)
				assert.Equal(t, tc.want, q.at[1].Sub(q.at[0]))
				assert.Equal(t, tc.want, q.at[2].Sub(q.at[1]))
				assert.Equal(t, []string{
					string(logging.Warn) + " events queue https://queue: receive: connection refused",
					string(logging.Warn) + " events queue https://queue: receive: connection refused",
				}, log.lines)
			})
		})
	}
}

// TestQueueEventSourceEndsDuringErrorDelay: a context that ends while
// Run waits out ErrorDelay ends Run at once.
func TestQueueEventSourceEndsDuringErrorDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		q := &scriptedQueue{replies: []scriptedReply{{err: errors.New("down")}}}
		src := execution.NewQueueEventSource(q, "https://queue", func(o *execution.QueueEventSourceOptions) { o.ErrorDelay = time.Minute })
		done := make(chan error)
		go func() { done <- src.Run(ctx) }()
		time.Sleep(10 * time.Second)
		cancel()
		begin := time.Now()
		require.ErrorIs(t, <-done, context.Canceled)
		assert.Zero(t, time.Since(begin))
		assert.Len(t, q.inputs, 1)
	})
}

// TestQueueEventSourceEndsAfterReceive: messages received as the context
// ends are left in the queue, to be read again by the next reader.
func TestQueueEventSourceEndsAfterReceive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		q := &scriptedQueue{replies: []scriptedReply{{msgs: []sqstypes.Message{message("rh-1", eventBody("a", "x", "Success"))}}}, cancel: cancel}
		src := execution.NewQueueEventSource(q, "https://queue")
		require.ErrorIs(t, src.Run(ctx), context.Canceled)
		assert.Empty(t, q.deletes)
		assert.Equal(t, execution.QueueEventStats{}, src.Stats())
	})
}

// TestQueueEventSourceDeletes: everything read is deleted in one batch
// whose entries are numbered in order; delete failures are logged only.
func TestQueueEventSourceDeletes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		delErr   error
		delFails []sqstypes.BatchResultErrorEntry
		logged   []string
	}{
		{name: "deleted"},
		{
			name:   "call failed",
			delErr: errors.New("access denied"),
			logged: []string{string(logging.Warn) + " events queue https://queue: delete: access denied"},
		},
		{
			name:     "entries failed",
			delFails: []sqstypes.BatchResultErrorEntry{{Id: aws.String("1"), Code: aws.String("ReceiptHandleIsInvalid"), Message: aws.String("expired")}},
			logged:   []string{string(logging.Warn) + " events queue https://queue: delete: ReceiptHandleIsInvalid: expired"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				q := &scriptedQueue{
					replies: []scriptedReply{
						{msgs: nil},
						{msgs: []sqstypes.Message{message("rh-1", eventBody("a", "x", "Success")), message("rh-2", "junk"), message("rh-3", eventBody("b", "y", "Failed"))}},
					},
					delErr: tc.delErr, delFails: tc.delFails,
				}
				var log logLines
				src := execution.NewQueueEventSource(q, "https://queue", func(o *execution.QueueEventSourceOptions) { o.Logger = &log })
				done := make(chan error)
				go func() { done <- src.Run(ctx) }()
				synctest.Wait()
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
				require.Len(t, q.deletes, 1, "an empty receive deletes nothing")
				del := q.deletes[0]
				assert.Equal(t, "https://queue", aws.ToString(del.QueueUrl))
				var entries []string
				for _, e := range del.Entries {
					entries = append(entries, aws.ToString(e.Id)+"="+aws.ToString(e.ReceiptHandle))
				}
				assert.Equal(t, []string{"0=rh-1", "1=rh-2", "2=rh-3"}, entries)
				assert.Equal(t, tc.logged, log.lines)
				assert.Equal(t, execution.QueueEventStats{Received: 3, Malformed: 1}, src.Stats())
				assert.Len(t, q.inputs, 3, "Run reads on after a failed delete")
			})
		})
	}
}

// TestDeliverWithoutID: an event without an id cannot be told apart from
// another, so it is never dropped as a duplicate.
func TestDeliverWithoutID(t *testing.T) {
	var seen int
	src := execution.NewQueueEventSource(nil, "q", func(o *execution.QueueEventSourceOptions) {
		o.OnEvent = func(execution.AutomationEvent) { seen++ }
	})
	wake, stop := src.Subscribe(func(id string) bool { return id == "x" })
	defer stop()
	for i := range 3 {
		src.Deliver(execution.AutomationEvent{ExecutionID: "x"})
		select {
		case <-wake:
		default:
			require.FailNow(t, "no wake-up", "event %d", i)
		}
	}
	assert.Equal(t, 3, seen)
	assert.Equal(t, execution.QueueEventStats{Wakes: 3}, src.Stats())
}

// TestDeliverDefaultWindow: by default 4096 ids are remembered; a new id
// past them pushes out the oldest.
func TestDeliverDefaultWindow(t *testing.T) {
	for _, window := range []int{0, -1} {
		t.Run(fmt.Sprint(window), func(t *testing.T) {
			src := execution.NewQueueEventSource(nil, "q", func(o *execution.QueueEventSourceOptions) { o.DedupWindow = window })
			deliver := func(ids ...string) {
				for _, id := range ids {
					src.Deliver(execution.AutomationEvent{ID: id, ExecutionID: "x"})
				}
			}
			for i := range 4096 {
				deliver(fmt.Sprint(i))
			}
			deliver("0")
			assert.Equal(t, int64(1), src.Stats().Duplicates, "all 4096 remembered")
			deliver("4096", "0")
			assert.Equal(t, int64(1), src.Stats().Duplicates, "4096 pushed out 0")
			deliver("2")
			assert.Equal(t, int64(2), src.Stats().Duplicates, "0 pushed out 1 only")
		})
	}
}
