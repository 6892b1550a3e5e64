package execution

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
	"golang.org/x/time/rate"
)

// MaxFilterValues is how many execution ids one DescribeAutomationExecutions
// filter takes: a sweep of n executions costs ceil(n/10) calls.
const MaxFilterValues = 10

// Defaults of [WatcherOptions].
const (
	DefaultWatchMinDelay  = 2 * time.Second
	DefaultWatchMaxDelay  = 120 * time.Second
	DefaultRequestsPerSec = 10
)

// WatcherOptions are the options of a [Watcher].
type WatcherOptions struct {
	// ClientOptions apply to every call.
	ClientOptions []func(*ssm.Options)
	// MinDelay and MaxDelay bound the pause between sweeps, which grows
	// with the age of the watch as the waiter's does (defaults 2 s, 120 s).
	MinDelay time.Duration
	MaxDelay time.Duration
	// RateLimiter is the token bucket every call waits on; share one among
	// watchers and waiters to hold a request budget. The default allows
	// 10 calls a second with bursts of 10.
	RateLimiter *rate.Limiter
	// SkipDetail leaves out the GetAutomationExecution call made for each
	// execution whose status changed (events then carry metadata only).
	SkipDetail bool
	// NotFoundGracePeriod is how long an id may stay unknown to the service
	// before its watch ends with an error (default 30 s); negative ends it
	// at the first sweep that misses it.
	NotFoundGracePeriod time.Duration
	// MaxTransientErrors is how many server errors or network failures in
	// a row one call is retried through (default 5); negative means none.
	// Throttling is retried without limit and counted apart.
	MaxTransientErrors int
	// Logger receives warnings; the default discards them.
	Logger logging.Logger
	// FollowChildren also watches the executions that rate-controlled and
	// multi-account executions start, as they appear: one
	// DescribeAutomationExecutions (ParentExecutionId filter) per such
	// parent and sweep, and once more when the parent ends.
	FollowChildren bool
	// Events, when set, makes the watcher sweep as soon as an event for a
	// watched execution arrives (see "Events" in the package overview);
	// the scheduled sweeps then slow to FallbackDelay.
	Events WakeSource
	// FallbackDelay is the shortest pause between sweeps no event asked
	// for while Events is set (default [DefaultFallbackDelay]); a longer
	// scheduled delay stays.
	FallbackDelay time.Duration
	// LocationClient, when set, reads the child execution of each running
	// location of a multi-account execution in its own account (see
	// "Locations" in the package overview).
	LocationClient LocationClientFunc
}

// Event is a change of one watched execution.
type Event struct {
	ExecutionID string
	// Status and PreviousStatus are the execution's status now and at the
	// previous event (empty at the first).
	Status         types.AutomationExecutionStatus
	PreviousStatus types.AutomationExecutionStatus
	// StepName and Action are the current step, as the service reports it.
	StepName string
	Action   string
	// Metadata is the sweep's record of the execution.
	Metadata *types.AutomationExecutionMetadata
	// Execution is the full record, read when the status changed (unless
	// SkipDetail); nil otherwise.
	Execution *types.AutomationExecution
	// Final says the watch of this execution is over: it ended, or it
	// could not be found.
	Final bool
	// Err is an [*ExecutionFailedError] for an execution that ended without
	// success, the service's error for an id it does not know, nil
	// otherwise.
	Err error
	// ParentExecutionID is the execution that started this one, for the
	// children of a rate-controlled or multi-account execution.
	ParentExecutionID string
	// Sweep numbers the sweep that saw the change, from 1.
	Sweep int
	// Location is set, for a multi-account execution, on the change of
	// one location's status: ExecutionID, Status and Metadata are then
	// the parent's, and Final is false.
	Location *LocationChange
}

// Watcher follows many executions with few calls: each sweep reads ten
// executions per DescribeAutomationExecutions call, and only executions
// whose status changed are read in full. When the service truncated an
// ended execution's steps and the client also has
// DescribeAutomationStepExecutions (as *ssm.Client does), every step is
// read, so a failure names its failed step.
type Watcher struct {
	client  WatcherAPIClient
	options WatcherOptions

	mu    sync.Mutex
	added []string // ids added while running
}

// NewWatcher returns a watcher using client.
func NewWatcher(client WatcherAPIClient, optFns ...func(*WatcherOptions)) *Watcher {
	var o WatcherOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return &Watcher{client: client, options: o.resolve()}
}

// resolve returns the options with their defaults: the one place a field
// left zero (or out of range) takes its default.
func (o WatcherOptions) resolve() WatcherOptions {
	if o.MinDelay <= 0 {
		o.MinDelay = DefaultWatchMinDelay
	}
	if o.MaxDelay < o.MinDelay {
		o.MaxDelay = max(o.MinDelay, DefaultWatchMaxDelay)
	}
	if o.RateLimiter == nil {
		o.RateLimiter = rate.NewLimiter(DefaultRequestsPerSec, DefaultRequestsPerSec)
	}
	resolveShared(&o.Logger, &o.NotFoundGracePeriod, &o.MaxTransientErrors)
	return o
}

// Add watches more executions, for example the children of a
// rate-controlled execution as they appear. It is safe to call while
// [Watcher.Run] runs; the ids join its next sweep.
func (w *Watcher) Add(ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.added = append(w.added, ids...)
}

func (w *Watcher) takeAdded() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := w.added
	w.added = nil
	return ids
}

type watched struct {
	id        string
	status    types.AutomationExecutionStatus
	step      string
	seen      bool
	final     bool
	parent    bool // starts children: list them while it runs
	firstMiss time.Time
	multi     bool         // runs in other accounts or Regions
	locs      *locationLog // its locations, once multi
}

// Run watches the executions until each has ended (or was not found),
// calling handle from Run's goroutine for every change. It returns nil
// then, the context's error when ctx ends first, and a client error (such
// as access denied) at once.
func (w *Watcher) Run(ctx context.Context, ids []string, handle func(Event)) error {
	if handle == nil {
		handle = func(Event) {}
	}
	s := &sweeper{w: w, o: &w.options, handle: handle, index: map[string]*watched{}, begin: time.Now(),
		childReader: newChildReader(w.options.LocationClient, w.options.Logger)}
	s.add(ids)
	s.add(w.takeAdded())
	wake, unsubscribe := s.subscribe()
	defer unsubscribe()
	for {
		if err := s.sweep(ctx); err != nil {
			return err
		}
		s.add(w.takeAdded())
		if len(s.pending) == 0 {
			return nil
		}
		age := time.Since(s.begin)
		delay, err := nextDelay(age, s.throttled, s.o.MinDelay, s.o.MaxDelay, time.Duration(1<<62))
		if err != nil {
			return fmt.Errorf("execution: compute delay: %w", err)
		}
		if wake != nil {
			s.publishWatched()
			delay = wakeDelay(delay, s.o.FallbackDelay, time.Duration(1<<62))
		}
		if err := sleepOrWake(ctx, delay, wake); err != nil {
			return err
		}
	}
}

// Watch is [Watcher.Run] delivering events on a channel, closed when the
// watch is over. A client error arrives as a last Event with Err set and
// an empty ExecutionID. The goroutine behind it ends with ctx.
func (w *Watcher) Watch(ctx context.Context, ids []string) <-chan Event {
	ch := make(chan Event)
	go func() {
		defer close(ch)
		send := func(ev Event) {
			select {
			case ch <- ev:
			case <-ctx.Done():
			}
		}
		if err := w.Run(ctx, ids, send); err != nil && ctx.Err() == nil {
			send(Event{Err: err, Final: true})
		}
	}()
	return ch
}

type sweeper struct {
	w       *Watcher
	o       *WatcherOptions
	handle  func(Event)
	index   map[string]*watched
	pending []*watched
	begin   time.Time
	sweeps  int
	// throttled is the longest run of throttled calls of the last sweep:
	// it lengthens the pause before the next one.
	throttled int
	// watchedIDs are the ids still watched, for the event source's
	// goroutine.
	watchedIDs  atomic.Pointer[map[string]bool]
	childReader *childReader
}

func (s *sweeper) add(ids []string) {
	for _, id := range ids {
		if id == "" || s.index[id] != nil {
			continue
		}
		e := &watched{id: id, firstMiss: time.Now()}
		s.index[id] = e
		s.pending = append(s.pending, e)
	}
}

// retry makes one call, op, until it succeeds or fails for good, each
// attempt waiting on the rate limiter. Throttling is retried with a
// pause that grows per throttled attempt in a row; transient errors up to
// MaxTransientErrors in a row, after the usual pause; any other error is
// returned as is, as is the context's error once ctx ends.
func (s *sweeper) retry(ctx context.Context, what string, op func() error) error {
	b := retryBudget{maxTransient: s.o.MaxTransientErrors}
	for {
		if err := s.o.RateLimiter.Wait(ctx); err != nil {
			return err
		}
		err := op()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			s.throttled = max(s.throttled, b.throttles)
			return nil
		}
		kind := classifyError(err)
		if !b.allow(kind) {
			return err
		}
		if kind == errThrottle {
			s.o.Logger.Logf(logging.Debug, "watcher: %s throttled (%d in a row), backing off", what, b.throttles)
		} else {
			s.o.Logger.Logf(logging.Warn, "watcher: %s: transient error (%d in a row), retrying: %v", what, b.transients, err)
		}
		d, err := nextDelay(0, b.throttles, s.o.MinDelay, s.o.MaxDelay, time.Duration(1<<62))
		if err != nil {
			return err
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// failed wraps the error of a call, leaving the context's error as is.
func failed(ctx context.Context, err error, format string, args ...any) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("execution: "+format+": %w", append(args, err)...)
}

// sweep reads every pending execution once, ten per call.
func (s *sweeper) sweep(ctx context.Context) error {
	s.sweeps++
	s.throttled = 0
	batch := make([]*watched, 0, MaxFilterValues)
	for start := 0; start < len(s.pending); start += MaxFilterValues {
		batch = append(batch[:0], s.pending[start:min(start+MaxFilterValues, len(s.pending))]...)
		if err := s.describe(ctx, batch); err != nil {
			return err
		}
	}
	if s.o.FollowChildren {
		// Includes parents that ended in this sweep: their last children.
		for _, e := range s.pending {
			if e.parent {
				if err := s.children(ctx, e.id); err != nil {
					return err
				}
			}
		}
	}
	// Drop the executions whose watch is over.
	kept := s.pending[:0]
	for _, e := range s.pending {
		if !e.final {
			kept = append(kept, e)
		}
	}
	clear(s.pending[len(kept):])
	s.pending = kept
	return nil
}

func (s *sweeper) describe(ctx context.Context, batch []*watched) error {
	ids := make([]string, len(batch))
	for i, e := range batch {
		ids[i] = e.id
	}
	in := &ssm.DescribeAutomationExecutionsInput{Filters: []types.AutomationExecutionFilter{{
		Key: types.AutomationExecutionFilterKeyExecutionId, Values: ids,
	}}}
	var metas []types.AutomationExecutionMetadata
	// A failed page is asked again: the paginator keeps its token.
	pager := ssm.NewDescribeAutomationExecutionsPaginator(s.w.client, in)
	for pager.HasMorePages() {
		var page *ssm.DescribeAutomationExecutionsOutput
		err := s.retry(ctx, "DescribeAutomationExecutions", func() (err error) {
			page, err = pager.NextPage(ctx, s.o.ClientOptions...)
			return err
		})
		if err != nil {
			return failed(ctx, err, "describe automation executions")
		}
		metas = append(metas, page.AutomationExecutionMetadataList...)
	}

	byID := make(map[string]*types.AutomationExecutionMetadata, len(metas))
	for i := range metas {
		byID[aws.ToString(metas[i].AutomationExecutionId)] = &metas[i]
	}
	for _, e := range batch {
		m := byID[e.id]
		if m == nil {
			if !e.seen && time.Since(e.firstMiss) >= s.o.NotFoundGracePeriod {
				e.final = true
				s.handle(Event{ExecutionID: e.id, Final: true, Sweep: s.sweeps,
					Err: &types.AutomationExecutionNotFoundException{Message: aws.String("automation execution " + e.id + " not found")}})
			}
			continue
		}
		if err := s.observe(ctx, e, m); err != nil {
			return err
		}
	}
	return nil
}
func (s *sweeper) observe(ctx context.Context, e *watched, m *types.AutomationExecutionMetadata) error {
	status := m.AutomationExecutionStatus
	step := aws.ToString(m.CurrentStepName)
	first := !e.seen
	e.seen = true
	e.parent = isParent(m)
	if m.AutomationType == types.AutomationTypeCrossAccount || aws.ToString(m.TargetLocationsURL) != "" {
		e.multi = true
	}
	var ex *types.AutomationExecution
	if e.multi && !s.o.SkipDetail {
		// Locations change while the parent's status stays: read the
		// parent every sweep while it runs.
		var err error
		if ex, err = s.detail(ctx, e.id, true); err != nil {
			return err
		}
		s.locations(ctx, e, m, ex)
	}
	if status == e.status && step == e.step {
		return nil
	}
	if !IsKnownStatus(status) && status != e.status {
		s.o.Logger.Logf(logging.Warn, "automation execution %s: unknown status %q, treated as in progress", e.id, status)
	}
	outcome := Classify(status)
	ev := Event{
		ExecutionID:    e.id,
		Status:         status,
		PreviousStatus: e.status,
		StepName:       step,
		Action:         aws.ToString(m.CurrentAction),
		Metadata:       m,
		Final:          outcome != InProgress,
		Sweep:          s.sweeps,

		ParentExecutionID: aws.ToString(m.ParentAutomationExecutionId),
	}
	statusChanged := status != e.status
	// Detail costs a call: only for a status change, or for an execution
	// first seen already ended (to name its failed step).
	if !s.o.SkipDetail && statusChanged && (!first || ev.Final) && ex == nil {
		var err error
		if ex, err = s.detail(ctx, e.id, false); err != nil {
			return err
		}
		if IsMultiAccount(ex) {
			// Known from now on; its locations come before its own event.
			e.multi = true
			if ex.StepExecutionsTruncated {
				s.allSteps(ctx, ex)
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			s.locations(ctx, e, m, ex)
		}
	}
	if statusChanged {
		ev.Execution = ex
	}
	if outcome == Failed {
		if ev.Execution != nil {
			ev.Err = NewExecutionFailedError(ev.Execution)
		} else {
			ev.Err = &ExecutionFailedError{ExecutionID: e.id, Status: status, FailureMessage: aws.ToString(m.FailureMessage)}
		}
	}
	e.status, e.step, e.final = status, step, ev.Final
	s.handle(ev)
	return nil
}

// isParent reports whether an execution starts child executions: rate
// control (targets or target maps) or several accounts and Regions.
func isParent(m *types.AutomationExecutionMetadata) bool {
	return aws.ToString(m.TargetParameterName) != "" || len(m.Targets) > 0 || len(m.TargetMaps) > 0 ||
		m.AutomationType == types.AutomationTypeCrossAccount
}

// children adds the children of a parent execution to the watch.
func (s *sweeper) children(ctx context.Context, parentID string) error {
	kids, err := listChildren(ctx, s.w.client, parentID, s.o.ClientOptions, s.retry)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(kids))
	for _, k := range kids {
		ids = append(ids, aws.ToString(k.AutomationExecutionId))
	}
	s.add(ids)
	return nil
}

// ListChildExecutions returns the executions that a rate-controlled or
// multi-account execution started, reading every page. Errors are not
// retried beyond the SDK's own retries.
func ListChildExecutions(ctx context.Context, client DescribeAutomationExecutionsAPIClient, parentID string, optFns ...func(*ssm.Options)) ([]types.AutomationExecutionMetadata, error) {
	return listChildren(ctx, client, parentID, optFns, callOnce)
}

// callOnce makes a call once, for callers that do not retry.
func callOnce(_ context.Context, _ string, op func() error) error { return op() }

// listChildren reads every page of a parent's children, each page's call
// made through do.
func listChildren(ctx context.Context, client DescribeAutomationExecutionsAPIClient, parentID string, optFns []func(*ssm.Options), do func(context.Context, string, func() error) error) ([]types.AutomationExecutionMetadata, error) {
	if parentID == "" {
		return nil, errors.New("execution: list children: parent execution id is required")
	}
	pager := ssm.NewDescribeAutomationExecutionsPaginator(client, &ssm.DescribeAutomationExecutionsInput{
		Filters: []types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{parentID}}},
	})
	var out []types.AutomationExecutionMetadata
	for pager.HasMorePages() {
		var page *ssm.DescribeAutomationExecutionsOutput
		err := do(ctx, "DescribeAutomationExecutions", func() (err error) {
			page, err = pager.NextPage(ctx, optFns...)
			return err
		})
		if err != nil {
			return nil, failed(ctx, err, "list children of %s", parentID)
		}
		out = append(out, page.AutomationExecutionMetadataList...)
	}
	return out, nil
}

// detail reads one execution and, when it ended (or, with full, whenever)
// with a truncated step list, all its steps.
func (s *sweeper) detail(ctx context.Context, id string, full bool) (*types.AutomationExecution, error) {
	var out *ssm.GetAutomationExecutionOutput
	err := s.retry(ctx, "GetAutomationExecution", func() (err error) {
		out, err = s.w.client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)}, s.o.ClientOptions...)
		return err
	})
	if err != nil {
		return nil, failed(ctx, err, "get automation execution %s", id)
	}
	if out == nil || out.AutomationExecution == nil {
		return nil, errors.New("execution: GetAutomationExecution returned no execution")
	}
	ex := out.AutomationExecution
	if ex.StepExecutionsTruncated && (full || Classify(ex.AutomationExecutionStatus) != InProgress) {
		s.allSteps(ctx, ex)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return ex, nil
}

// allSteps replaces an ended execution's truncated step list with every
// step, read with DescribeAutomationStepExecutions when the client has it,
// so a failure names its failed step. Each page is retried as any call; an
// error that is not retried leaves the truncated list (and is logged).
func (s *sweeper) allSteps(ctx context.Context, ex *types.AutomationExecution) {
	client, ok := s.w.client.(DescribeAutomationStepExecutionsAPIClient)
	if !ok {
		return
	}
	pager := ssm.NewDescribeAutomationStepExecutionsPaginator(client, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: ex.AutomationExecutionId})
	var steps []types.StepExecution
	for pager.HasMorePages() {
		var page *ssm.DescribeAutomationStepExecutionsOutput
		err := s.retry(ctx, "DescribeAutomationStepExecutions", func() (err error) {
			page, err = pager.NextPage(ctx, s.o.ClientOptions...)
			return err
		})
		if err != nil {
			if ctx.Err() == nil {
				s.o.Logger.Logf(logging.Warn, "automation execution %s: reading steps: %v", aws.ToString(ex.AutomationExecutionId), err)
			}
			return
		}
		steps = append(steps, page.StepExecutions...)
	}
	ex.StepExecutions, ex.StepExecutionsTruncated = steps, false
}
