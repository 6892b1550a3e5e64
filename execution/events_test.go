package execution_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// The documented examples of the two events, with a field AWS may add.
const (
	stepEventDoc = `{"version":"0","id":"eeca120b-a321-433e-9635-dab369006a6b","detail-type":"EC2 Automation Step Status-change Notification",
 "source":"aws.ssm","account":"123456789012","time":"2024-11-29T19:43:35Z","region":"us-east-1",
 "resources":["arn:aws:ssm:us-east-2:123456789012:automation-execution/333ba70b-2333-48db-b17e-a5e69c6f4d1c"],
 "detail":{"ExecutionId":"333ba70b-2333-48db-b17e-a5e69c6f4d1c","Definition":"runcommand1","DefinitionVersion":1.0,"Status":"Success",
  "EndTime":"Nov 29, 2024 7:43:25 PM","StartTime":"Nov 29, 2024 7:43:23 PM","Time":2630.0,"StepName":"runFixedCmds","Action":"aws:runCommand","NewField":{"x":1}}}`
	execEventDoc = `{"version":"0","id":"d290ece9-1088-4383-9df6-cd5b4ac42b99","detail-type":"EC2 Automation Execution Status-change Notification",
 "source":"aws.ssm","account":"123456789012","time":"2024-11-29T19:43:35Z","region":"us-east-2","resources":[],
 "detail":{"ExecutionId":"333ba70b","Definition":"runcommand1","DefinitionVersion":1.0,"Status":"Canceled",
  "StartTime":"Nov 29, 2024, 7:43:23\u202fPM","EndTime":"not a time","Time":2630.0,"ExecutedBy":"arn:aws:iam::123456789012:user/me"}}`
)

func TestParseAutomationEvent(t *testing.T) {
	ev, err := execution.ParseAutomationEvent([]byte(stepEventDoc))
	require.NoError(t, err)
	assert.Equal(t, execution.AutomationEvent{
		ID: "eeca120b-a321-433e-9635-dab369006a6b", DetailType: execution.StepStatusChange, Account: "123456789012", Region: "us-east-1",
		Time: time.Date(2024, 11, 29, 19, 43, 35, 0, time.UTC), Step: true,
		ExecutionID: "333ba70b-2333-48db-b17e-a5e69c6f4d1c", Definition: "runcommand1", DefinitionVersion: "1.0",
		Status: types.AutomationExecutionStatusSuccess, StepName: "runFixedCmds", Action: "aws:runCommand",
		StartTime: time.Date(2024, 11, 29, 19, 43, 23, 0, time.UTC), EndTime: time.Date(2024, 11, 29, 19, 43, 25, 0, time.UTC),
	}, ev)

	ev, err = execution.ParseAutomationEvent([]byte(execEventDoc))
	require.NoError(t, err)
	assert.False(t, ev.Step)
	assert.Equal(t, types.AutomationExecutionStatusCancelled, ev.Status, "Canceled reads as Cancelled")
	assert.Equal(t, time.Date(2024, 11, 29, 19, 43, 23, 0, time.UTC), ev.StartTime, "newer locale form")
	assert.True(t, ev.EndTime.IsZero(), "an unreadable time is left zero")
	assert.Equal(t, "arn:aws:iam::123456789012:user/me", ev.ExecutedBy)

	for name, body := range map[string]string{
		"not json":        `{"id":`,
		"empty":           ``,
		"array":           `[]`,
		"other source":    `{"source":"aws.ec2","detail-type":"EC2 Automation Step Status-change Notification","detail":{"ExecutionId":"x"}}`,
		"other type":      `{"source":"aws.ssm","detail-type":"Parameter Store Change","detail":{"ExecutionId":"x"}}`,
		"no execution":    `{"source":"aws.ssm","detail-type":"EC2 Automation Step Status-change Notification","detail":{}}`,
		"detail a string": `{"source":"aws.ssm","detail-type":"EC2 Automation Step Status-change Notification","detail":"x"}`,
		"wrong types":     `{"source":"aws.ssm","detail-type":"EC2 Automation Step Status-change Notification","detail":{"ExecutionId":5}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := execution.ParseAutomationEvent([]byte(body))
			assert.ErrorIs(t, err, execution.ErrNotAutomationEvent)
		})
	}
}

func FuzzParseAutomationEvent(f *testing.F) {
	f.Add([]byte(stepEventDoc))
	f.Add([]byte(execEventDoc))
	f.Add([]byte(`{"source":"aws.ssm","detail-type":"EC2 Automation Step Status-change Notification","detail":{"ExecutionId":"x","StartTime":"Jan 1, 2024 1:00:00 AM"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := execution.ParseAutomationEvent(body)
		if err != nil {
			require.ErrorIs(t, err, execution.ErrNotAutomationEvent)
			return
		}
		require.NotEmpty(t, ev.ExecutionID, "an event without an execution id was accepted")
	})
}

// fakeQueue is an SQS queue on the synctest clock: ReceiveMessage long
// polls, down makes every receive fail.
type fakeQueue struct {
	mu       sync.Mutex
	msgs     []sqstypes.Message
	arrived  chan struct{}
	down     bool
	receives int
	deleted  int
	seq      int
}

func newFakeQueue() *fakeQueue { return &fakeQueue{arrived: make(chan struct{})} }

func (q *fakeQueue) send(body string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	q.msgs = append(q.msgs, sqstypes.Message{Body: aws.String(body), ReceiptHandle: aws.String(fmt.Sprint("rh-", q.seq))})
	close(q.arrived)
	q.arrived = make(chan struct{})
}

func (q *fakeQueue) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	deadline := time.Now().Add(time.Duration(in.WaitTimeSeconds) * time.Second)
	for {
		q.mu.Lock()
		q.receives++
		if q.down {
			q.mu.Unlock()
			return nil, errors.New("connection refused")
		}
		n := min(int(in.MaxNumberOfMessages), len(q.msgs))
		out := append([]sqstypes.Message(nil), q.msgs[:n]...)
		q.msgs = q.msgs[n:]
		arrived := q.arrived
		q.mu.Unlock()
		if len(out) > 0 || !time.Now().Before(deadline) {
			return &sqs.ReceiveMessageOutput{Messages: out}, nil
		}
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-arrived:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

func (q *fakeQueue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deleted += len(in.Entries)
	return &sqs.DeleteMessageBatchOutput{}, nil
}

func eventBody(id, execID string, status types.AutomationExecutionStatus) string {
	return fmt.Sprintf(`{"version":"0","id":%q,"detail-type":"EC2 Automation Execution Status-change Notification","source":"aws.ssm",
		"detail":{"ExecutionId":%q,"Status":%q}}`, id, execID, status)
}

// publish plays EventBridge for the fake's execution: at each phase, one
// event, dropped with probability drop.
func publish(q *fakeQueue, e phaseTimeline, drop float64, rng *rand.Rand) {
	start := time.Now()
	for i, p := range e.phases {
		time.Sleep(time.Until(start.Add(p.at)))
		if rng.Float64() < drop {
			continue
		}
		q.send(eventBody(fmt.Sprint(e.id, "-", i), e.id, p.status))
	}
}

type phaseTimeline struct {
	id     string
	phases []phase
}

func simplePhases(end time.Duration) []phase {
	return []phase{
		{status: types.AutomationExecutionStatusInprogress},
		{at: end, status: types.AutomationExecutionStatusSuccess},
	}
}

func TestQueueEventSourceWakesWaiter(t *testing.T) {
	for name, tc := range map[string]struct {
		down bool
		drop float64
		// predicted gives the step its sleep's Duration, so the end is
		// known.
		predicted bool
		maxLag    time.Duration
		maxGets   int
	}{
		// Polls at the start, on the first event, at the fallbacks (60 s,
		// 120 s) and on the last event.
		"events flow": {maxLag: time.Second, maxGets: 5},
		"event lost":  {drop: 1, maxLag: execution.DefaultFallbackDelay, maxGets: 5},
		"queue down":  {down: true, maxLag: execution.DefaultFallbackDelay, maxGets: 5},
		// Polls at the start, a safety poll at MaxDelay and at the
		// predicted end: events do not stretch the plan.
		"queue down, end predicted":  {down: true, predicted: true, maxLag: execution.DefaultMinDelay / 4, maxGets: 3},
		"events flow, end predicted": {predicted: true, maxLag: time.Second, maxGets: 6},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				f := newFake()
				end := 150 * time.Second
				phases := simplePhases(end)
				if tc.predicted {
					phases = script(types.AutomationExecutionStatusSuccess, "", stepSpec{name: "hold", action: "aws:sleep", dur: end,
						status: types.AutomationExecutionStatusSuccess, inputs: map[string]string{"Duration": `"PT150S"`}})
				}
				f.add(execID, phases...)
				q := newFakeQueue()
				q.down = tc.down
				src := execution.NewQueueEventSource(q, "https://queue", func(o *execution.QueueEventSourceOptions) { o.ErrorDelay = 10 * time.Second })
				go func() { _ = src.Run(ctx) }()
				go publish(q, phaseTimeline{execID, phases}, tc.drop, rand.New(rand.NewPCG(1, 1)))

				begin := time.Now()
				err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.Wake = src }).Wait(ctx, execID, time.Hour)
				require.NoError(t, err)
				lag := time.Since(begin) - end
				assert.GreaterOrEqual(t, lag, time.Duration(0))
				assert.LessOrEqual(t, lag, tc.maxLag)
				assert.LessOrEqual(t, f.count("GetAutomationExecution"), tc.maxGets, "the waiter polls on events and the fallback only")
				cancel()
				synctest.Wait()
				if tc.down {
					q.mu.Lock()
					assert.LessOrEqual(t, q.receives, int(time.Since(begin)/(10*time.Second))+2, "a queue that is down is retried after ErrorDelay, not hammered")
					q.mu.Unlock()
				}
			})
		})
	}
}

func TestQueueEventSourceSkipsAndDeduplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		q := newFakeQueue()
		var seen []string
		src := execution.NewQueueEventSource(q, "https://queue", func(o *execution.QueueEventSourceOptions) {
			o.OnEvent = func(ev execution.AutomationEvent) { seen = append(seen, ev.ID) }
			o.DedupWindow = 2
		})
		wake, stop := src.Subscribe(func(id string) bool { return id == "x" })
		defer stop()
		go func() { _ = src.Run(ctx) }()

		q.send(eventBody("a", "x", "InProgress"))
		q.send("not json")
		q.send(eventBody("a", "x", "InProgress")) // at-least-once delivery
		q.send(eventBody("b", "other", "Success"))
		q.send(eventBody("c", "x", "Success"))
		q.send(eventBody("d", "x", "Success"))
		q.send(eventBody("a", "x", "InProgress")) // past the window: new again
		synctest.Wait()
		st := src.Stats()
		assert.Equal(t, execution.QueueEventStats{Received: 7, Malformed: 1, Duplicates: 1, Wakes: 4}, st)
		assert.Equal(t, []string{"a", "b", "c", "d", "a"}, seen)
		q.mu.Lock()
		assert.Equal(t, 7, q.deleted, "everything read is deleted, malformed bodies too")
		q.mu.Unlock()
		select {
		case <-wake:
		default:
			require.FailNow(t, "no wake-up")
		}
		select {
		case <-wake:
			require.FailNow(t, "wake-ups are coalesced")
		default:
		}
	})
}

func TestWatcherWakesOnEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		f := newFake()
		ends := map[string]time.Duration{"w1": 70 * time.Second, "w2": 200 * time.Second}
		q := newFakeQueue()
		for id, end := range ends {
			f.add(id, simplePhases(end)...)
			go publish(q, phaseTimeline{id, simplePhases(end)}, 0, rand.New(rand.NewPCG(2, 2)))
		}
		src := execution.NewQueueEventSource(q, "https://queue")
		go func() { _ = src.Run(ctx) }()
		begin := time.Now()
		finals := map[string]time.Duration{}
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.Events = src }).Run(ctx, []string{"w1", "w2"}, func(ev execution.Event) {
			if ev.Final {
				finals[ev.ExecutionID] = time.Since(begin)
			}
		})
		require.NoError(t, err)
		for id, end := range ends {
			assert.GreaterOrEqual(t, finals[id], end, id)
			assert.LessOrEqual(t, finals[id], end+time.Second, "%s: the event ends the watch at once", id)
		}
		assert.LessOrEqual(t, f.count("DescribeAutomationExecutions"), 10)
	})
}
