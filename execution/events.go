package execution

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
)

// Automation's EventBridge detail types (source aws.ssm).
const (
	ExecutionStatusChange = "EC2 Automation Execution Status-change Notification"
	StepStatusChange      = "EC2 Automation Step Status-change Notification"
)

// ErrNotAutomationEvent is returned by [ParseAutomationEvent] for a body
// that is not an Automation status-change event.
var ErrNotAutomationEvent = errors.New("execution: not an Automation status-change event")

// maxEventBytes bounds the event bodies parsed: SQS messages are at most
// 1 MiB.
const maxEventBytes = 1 << 20

// AutomationEvent is one Automation status-change event, as EventBridge
// delivers it.
type AutomationEvent struct {
	// ID is EventBridge's event id, the key events are told apart by.
	ID         string
	DetailType string
	Account    string
	Region     string
	// Time is when EventBridge received the event.
	Time time.Time
	// Step says the event is a step's (StepStatusChange).
	Step        bool
	ExecutionID string
	Definition  string
	// DefinitionVersion is the document version as the event writes it
	// ("1.0").
	DefinitionVersion string
	// Status is the execution's or the step's status; the "Canceled"
	// spelling some events use reads as Cancelled.
	Status     types.AutomationExecutionStatus
	StepName   string
	Action     string
	ExecutedBy string
	// StartTime and EndTime are zero when absent or unreadable.
	StartTime time.Time
	EndTime   time.Time
}

// eventTimeLayouts are the locale-style forms Automation writes StartTime
// and EndTime in, newest Java formatting (comma, narrow no-break space)
// included, then RFC 3339.
var eventTimeLayouts = []string{
	"Jan 2, 2006 3:04:05 PM",
	"Jan 2, 2006, 3:04:05 PM",
	"Jan 2, 2006 3:04:05\u202fPM",
	"Jan 2, 2006, 3:04:05\u202fPM",
	time.RFC3339Nano,
}

// parseEventTime reads an event's time string as UTC; zero when it cannot.
func parseEventTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range eventTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ParseAutomationEvent reads an EventBridge event body. Fields it does not
// know are ignored; a body that is not JSON, not from aws.ssm, not one of
// the two detail types or without an execution id is an error wrapping
// [ErrNotAutomationEvent].
func ParseAutomationEvent(body []byte) (AutomationEvent, error) {
	if len(body) > maxEventBytes {
		return AutomationEvent{}, fmt.Errorf("%w: the body is larger than %d bytes", ErrNotAutomationEvent, maxEventBytes)
	}
	var raw struct {
		ID         string          `json:"id"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Account    string          `json:"account"`
		Region     string          `json:"region"`
		Time       string          `json:"time"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return AutomationEvent{}, fmt.Errorf("%w: %v", ErrNotAutomationEvent, err)
	}
	if raw.Source != "aws.ssm" || (raw.DetailType != ExecutionStatusChange && raw.DetailType != StepStatusChange) {
		return AutomationEvent{}, fmt.Errorf("%w: source %q, detail-type %q", ErrNotAutomationEvent, clipText(raw.Source), clipText(raw.DetailType))
	}
	var d struct {
		ExecutionID       string          `json:"ExecutionId"`
		Definition        string          `json:"Definition"`
		DefinitionVersion json.RawMessage `json:"DefinitionVersion"`
		Status            string          `json:"Status"`
		StepName          string          `json:"StepName"`
		Action            string          `json:"Action"`
		ExecutedBy        string          `json:"ExecutedBy"`
		StartTime         string          `json:"StartTime"`
		EndTime           string          `json:"EndTime"`
	}
	if err := json.Unmarshal(raw.Detail, &d); err != nil {
		return AutomationEvent{}, fmt.Errorf("%w: detail: %v", ErrNotAutomationEvent, err)
	}
	if d.ExecutionID == "" {
		return AutomationEvent{}, fmt.Errorf("%w: no ExecutionId", ErrNotAutomationEvent)
	}
	ev := AutomationEvent{
		ID: raw.ID, DetailType: raw.DetailType, Account: raw.Account, Region: raw.Region,
		Step: raw.DetailType == StepStatusChange, ExecutionID: d.ExecutionID, Definition: d.Definition,
		DefinitionVersion: strings.Trim(string(bytes.TrimSpace(d.DefinitionVersion)), `"`),
		Status:            normalizeStatus(d.Status), StepName: d.StepName, Action: d.Action, ExecutedBy: d.ExecutedBy,
		StartTime: parseEventTime(d.StartTime), EndTime: parseEventTime(d.EndTime),
	}
	if t, err := time.Parse(time.RFC3339, raw.Time); err == nil {
		ev.Time = t.UTC()
	}
	return ev, nil
}

// normalizeStatus reads the "Canceled" spelling as Cancelled.
func normalizeStatus(s string) types.AutomationExecutionStatus {
	if strings.EqualFold(s, "Canceled") {
		return types.AutomationExecutionStatusCancelled
	}
	return types.AutomationExecutionStatus(s)
}

func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// WakeSource tells a waiter or watcher that an execution may have
// changed, so it polls now rather than at its next scheduled poll. A
// wake-up carries no status: the poll that follows is the authority, and a
// wake-up that never comes costs latency only. [QueueEventSource] is one.
type WakeSource interface {
	// Subscribe returns a channel that receives a value (coalesced: at
	// most one waits) whenever an event arrives for an execution match
	// accepts, and a function that ends the subscription. match is called
	// from the source's goroutine.
	Subscribe(match func(executionID string) bool) (<-chan struct{}, func())
}

// ReceiveMessageAPIClient is the client a [QueueEventSource] polls with.
type ReceiveMessageAPIClient interface {
	ReceiveMessage(ctx context.Context, params *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
}

// DeleteMessageBatchAPIClient is the client a [QueueEventSource] deletes
// what it read with.
type DeleteMessageBatchAPIClient interface {
	DeleteMessageBatch(ctx context.Context, params *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

// SQSAPI is the client of a [QueueEventSource].
type SQSAPI interface {
	ReceiveMessageAPIClient
	DeleteMessageBatchAPIClient
}

var (
	_ ReceiveMessageAPIClient     = (*sqs.Client)(nil)
	_ DeleteMessageBatchAPIClient = (*sqs.Client)(nil)
	_ SQSAPI                      = (*sqs.Client)(nil)
)

// QueueEventSourceOptions configure a [QueueEventSource].
type QueueEventSourceOptions struct {
	// ClientOptions apply to every call.
	ClientOptions []func(*sqs.Options)
	// WaitTimeSeconds is the long poll of each ReceiveMessage (default
	// 20, the most SQS allows).
	WaitTimeSeconds int32
	// ErrorDelay is the pause after a failed ReceiveMessage, so a queue
	// that is down is not hammered (default 5 s).
	ErrorDelay time.Duration
	// DedupWindow is how many event ids are remembered to drop
	// duplicates (default 4096).
	DedupWindow int
	// OnEvent, when set, is called from Run's goroutine with every new
	// event, after the wake-ups.
	OnEvent func(AutomationEvent)
	// Logger receives warnings; the default discards them.
	Logger logging.Logger
}

// QueueEventSource reads Automation events from an SQS queue an
// EventBridge rule feeds, and wakes the waiters and watchers subscribed to
// their executions. Run it in its own goroutine.
type QueueEventSource struct {
	client SQSAPI
	url    string
	o      QueueEventSourceOptions

	mu   sync.Mutex
	subs map[*subscription]struct{}
	// recent remembers event ids in a ring, to drop duplicates (SQS
	// delivers at least once).
	recent map[string]struct{}
	ring   []string
	next   int

	received, malformed, duplicates, wakes atomic.Int64
}

type subscription struct {
	match func(string) bool
	ch    chan struct{}
}

// NewQueueEventSource returns a source reading queueURL with client.
func NewQueueEventSource(client SQSAPI, queueURL string, optFns ...func(*QueueEventSourceOptions)) *QueueEventSource {
	var o QueueEventSourceOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.WaitTimeSeconds <= 0 || o.WaitTimeSeconds > 20 {
		o.WaitTimeSeconds = 20
	}
	if o.ErrorDelay <= 0 {
		o.ErrorDelay = 5 * time.Second
	}
	if o.DedupWindow <= 0 {
		o.DedupWindow = 4096
	}
	if o.Logger == nil {
		o.Logger = logging.Nop{}
	}
	return &QueueEventSource{client: client, url: queueURL, o: o, subs: map[*subscription]struct{}{}, recent: map[string]struct{}{}, ring: make([]string, o.DedupWindow)}
}

// Subscribe implements [WakeSource].
func (q *QueueEventSource) Subscribe(match func(string) bool) (<-chan struct{}, func()) {
	sub := &subscription{match: match, ch: make(chan struct{}, 1)}
	q.mu.Lock()
	q.subs[sub] = struct{}{}
	q.mu.Unlock()
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			q.mu.Lock()
			delete(q.subs, sub)
			q.mu.Unlock()
		})
	}
}

// QueueEventStats counts what a [QueueEventSource] read.
type QueueEventStats struct {
	// Received counts messages read, Malformed those that were not
	// Automation events (skipped and deleted), Duplicates the events seen
	// before, Wakes the wake-ups sent.
	Received, Malformed, Duplicates, Wakes int64
}

// Stats returns the counts so far.
func (q *QueueEventSource) Stats() QueueEventStats {
	return QueueEventStats{Received: q.received.Load(), Malformed: q.malformed.Load(), Duplicates: q.duplicates.Load(), Wakes: q.wakes.Load()}
}

// Run reads the queue until ctx ends, and returns ctx's error. A failed
// receive is logged and retried after ErrorDelay: waiters fall back to
// their own polls meanwhile.
func (q *QueueEventSource) Run(ctx context.Context) error {
	for {
		out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(q.url), MaxNumberOfMessages: 10, WaitTimeSeconds: q.o.WaitTimeSeconds,
		}, q.o.ClientOptions...)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			q.o.Logger.Logf(logging.Warn, "events queue %s: receive: %v", q.url, err)
			if err := sleep(ctx, q.o.ErrorDelay); err != nil {
				return err
			}
			continue
		}
		q.process(ctx, out.Messages)
	}
}

// process handles one batch: wake-ups first, then one batch delete of
// everything read, malformed messages included (they would only come back).
func (q *QueueEventSource) process(ctx context.Context, msgs []sqstypes.Message) {
	if len(msgs) == 0 {
		return
	}
	entries := make([]sqstypes.DeleteMessageBatchRequestEntry, 0, len(msgs))
	for i, m := range msgs {
		q.received.Add(1)
		entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
		ev, err := ParseAutomationEvent([]byte(aws.ToString(m.Body)))
		if err != nil {
			q.malformed.Add(1)
			continue
		}
		q.Deliver(ev)
	}
	out, err := q.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries}, q.o.ClientOptions...)
	if err != nil {
		q.o.Logger.Logf(logging.Warn, "events queue %s: delete: %v", q.url, err)
		return
	}
	for _, f := range out.Failed {
		q.o.Logger.Logf(logging.Warn, "events queue %s: delete: %s: %s", q.url, aws.ToString(f.Code), aws.ToString(f.Message))
	}
}

// Deliver wakes the subscribers of an event's execution, unless the event
// was seen before. Order does not matter: a wake-up only asks for a poll.
// Run calls it for every event read; it is exported for sources of events
// other than a queue.
func (q *QueueEventSource) Deliver(ev AutomationEvent) {
	q.mu.Lock()
	if ev.ID != "" {
		if _, dup := q.recent[ev.ID]; dup {
			q.mu.Unlock()
			q.duplicates.Add(1)
			return
		}
		if old := q.ring[q.next]; old != "" {
			delete(q.recent, old)
		}
		q.ring[q.next] = ev.ID
		q.recent[ev.ID] = struct{}{}
		q.next = (q.next + 1) % len(q.ring)
	}
	for sub := range q.subs {
		if sub.match(ev.ExecutionID) {
			select {
			case sub.ch <- struct{}{}:
			default: // one wake-up is already waiting
			}
			q.wakes.Add(1)
		}
	}
	q.mu.Unlock()
	if q.o.OnEvent != nil {
		q.o.OnEvent(ev)
	}
}

// sleepOrWake is sleep that a wake-up ends early; a nil wake never does.
func sleepOrWake(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if wake == nil {
		return sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	case <-wake:
		return nil
	}
}

// DefaultFallbackDelay is the shortest pause between the polls no event
// asked for, when a waiter or watcher has a WakeSource: the reconciliation
// that catches a lost event. Where its own schedule is slower (MaxDelay
// for long runs), that schedule stays, so events never make it poll more
// or see an end later than it would without them.
const DefaultFallbackDelay = 60 * time.Second

// wakeDelay lengthens the age backoff's delay to at least the fallback
// when wake-ups drive the polls, never past the time left. A waiter's
// poll at a predicted end is not lengthened: there events are a bonus.
func wakeDelay(delay, fallback, left time.Duration) time.Duration {
	if fallback <= 0 {
		fallback = DefaultFallbackDelay
	}
	return min(max(delay, fallback), max(left, 0))
}

// subscribe subscribes the poller to its execution's events; a nil
// channel when it has no WakeSource.
func (p *poller) subscribe() (<-chan struct{}, func()) {
	if p.o.Wake == nil {
		return nil, func() {}
	}
	id := p.id
	// A child's event (forwarded from its account) wakes the parent's
	// waiter too.
	return p.o.Wake.Subscribe(func(x string) bool { return x == id || p.childIDs.has(x) })
}

// subscribe subscribes the sweeper to the events of the executions it
// still watches.
func (s *sweeper) subscribe() (<-chan struct{}, func()) {
	if s.o.Events == nil {
		return nil, func() {}
	}
	s.publishWatched()
	return s.o.Events.Subscribe(func(id string) bool {
		m := s.watchedIDs.Load()
		return m != nil && (*m)[id]
	})
}

// publishWatched shares the ids still watched with the event source.
func (s *sweeper) publishWatched() {
	m := make(map[string]bool, len(s.pending))
	for _, e := range s.pending {
		m[e.id] = true
		if e.locs != nil {
			// A child's event (forwarded from its account) wakes the
			// parent's sweep.
			for id := range e.locs.children {
				m[id] = true
			}
		}
	}
	s.watchedIDs.Store(&m)
}
