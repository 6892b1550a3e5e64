package execution

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Defaults of [ExecutionWaiterOptions].
const (
	DefaultMinDelay            = 1 * time.Second
	DefaultMaxDelay            = 120 * time.Second
	DefaultNotFoundGracePeriod = 30 * time.Second
	DefaultMaxTransientErrors  = 5
)

// ExecutionWaiterOptions are the options of an [ExecutionWaiter], in the
// shape of the SDK's generated waiters.
type ExecutionWaiterOptions struct {
	// APIOptions are added to every call's middleware stack.
	APIOptions []func(*middleware.Stack) error
	// ClientOptions apply to every call.
	ClientOptions []func(*ssm.Options)

	// MinDelay is the shortest wait between polls (default 1 s). The
	// delay grows with the execution's age, see the package overview.
	MinDelay time.Duration
	// MaxDelay is the longest wait between polls (default 120 s), doubled
	// while the service throttles.
	MaxDelay time.Duration

	// LogWaitAttempts logs every poll at debug level.
	LogWaitAttempts bool
	// Logger receives warnings (unknown statuses, throttling, errors that
	// are retried); the default discards them.
	Logger logging.Logger

	// Retryable decides, from a poll's result, whether to poll again
	// (true, nil), to stop with the output (false, nil) or to stop with an
	// error. The default is [DefaultRetryable]. Throttling, an execution
	// not found yet during NotFoundGracePeriod, and up to
	// MaxTransientErrors transient errors in a row are retried before
	// Retryable sees them.
	Retryable func(ctx context.Context, params *ssm.GetAutomationExecutionInput, output *ssm.GetAutomationExecutionOutput, err error) (bool, error)

	// OnProgress is called, from the waiting goroutine, on every change of
	// the execution's status and of each step's status.
	OnProgress func(Progress)

	// ReturnOnAwaitingInput stops the wait with an [*AwaitingInputError]
	// as soon as the execution waits for a person (see [WaitsForPerson]).
	// Otherwise such states are reported through OnProgress only.
	ReturnOnAwaitingInput bool

	// NotFoundGracePeriod is how long, from the start of the wait, an
	// AutomationExecutionNotFound is taken for the service's eventual
	// consistency right after a start (default 30 s). Negative disables it.
	NotFoundGracePeriod time.Duration

	// MaxTransientErrors is how many server errors or network failures in
	// a row (after the SDK's own retries) are polled through (default 5).
	// Negative means none.
	MaxTransientErrors int

	// RateLimiter, when set, is waited on before every call, so that many
	// waiters share one request rate.
	RateLimiter *rate.Limiter

	// History, when set, supplies how long previous executions of the
	// same document took from each step to their end, and records the
	// execution that ends the wait when the wait returns it (a success,
	// or an end a custom Retryable accepts); a failed execution, which
	// stops early, is not a sample of how long the document runs. Polls
	// then go where those executions ended, see the package overview.
	History History
	// Runbook, when set, is the document the execution runs: it tells
	// an aws:sleep's duration and a step's timeout when the service's
	// step record does not.
	Runbook *runbook.Document
	// Wake, when set, makes the waiter poll as soon as an event for the
	// execution arrives (see "Events" in the package overview); the
	// age backoff's polls then slow to FallbackDelay, while the polls at
	// a predicted end stay.
	Wake WakeSource
	// FallbackDelay is the shortest pause of the age backoff while Wake
	// is set (default [DefaultFallbackDelay]); a longer scheduled delay
	// stays.
	FallbackDelay time.Duration
	// LocationClient, when set, reads the child execution of each running
	// location of a multi-account execution in its own account (see
	// "Locations" in the package overview).
	LocationClient LocationClientFunc
}

// Progress is one change seen by a waiter: the execution's status, and the
// step that changed, if any.
type Progress struct {
	ExecutionID string
	// Status is the execution's status.
	Status types.AutomationExecutionStatus
	// StepName, Action and StepStatus describe the step that changed (or,
	// when only the execution changed, the current step). Empty when the
	// service names no step yet.
	StepName   string
	Action     string
	StepStatus types.AutomationExecutionStatus
	// Step is the step's full record, nil when not known.
	Step *types.StepExecution
	// StepChanged is true when the event reports a change of the step's
	// (or location's) status, false when it reports only the execution's
	// and the step fields repeat the current step for context. Print step
	// transitions on StepChanged to see each one once.
	StepChanged bool
	// Attempt is the poll that saw the change, from 1.
	Attempt int64
	// Counters are the execution's step counters, when the service sends
	// them (rate-controlled and multi-account executions).
	Counters *types.ProgressCounters
	// Elapsed is the time since the wait began.
	Elapsed time.Duration
	// Location is set, for a multi-account execution, on the change of
	// one location's status; Step is then that location's step. The
	// parent's own changes come with Location nil and no step.
	Location *LocationChange
}

// ExecutionWaiter waits for an Automation execution to end.
type ExecutionWaiter struct {
	client  ExecutionWaiterAPIClient
	options ExecutionWaiterOptions
}

// NewExecutionWaiter returns a waiter polling with client. Fields left
// zero take their defaults when a wait begins, after the wait's own option
// functions.
func NewExecutionWaiter(client ExecutionWaiterAPIClient, optFns ...func(*ExecutionWaiterOptions)) *ExecutionWaiter {
	var o ExecutionWaiterOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return &ExecutionWaiter{client: client, options: o}
}

// resolve returns the options with their defaults, the one place a field
// left zero takes its default, or an error when they contradict.
func (o ExecutionWaiterOptions) resolve() (ExecutionWaiterOptions, error) {
	if o.MinDelay <= 0 {
		o.MinDelay = DefaultMinDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.MinDelay > o.MaxDelay {
		return o, fmt.Errorf("execution: minimum delay %v is greater than maximum delay %v", o.MinDelay, o.MaxDelay)
	}
	if o.Retryable == nil {
		o.Retryable = DefaultRetryable
	}
	resolveShared(&o.Logger, &o.NotFoundGracePeriod, &o.MaxTransientErrors)
	return o, nil
}

// resolveShared applies the defaults the waiter and the watcher share.
func resolveShared(logger *logging.Logger, grace *time.Duration, maxTransient *int) {
	if *logger == nil {
		*logger = logging.Nop{}
	}
	if *grace == 0 {
		*grace = DefaultNotFoundGracePeriod
	}
	if *maxTransient == 0 {
		*maxTransient = DefaultMaxTransientErrors
	}
}

// Wait waits up to maxWait for the execution to end. It returns nil on
// success, an [*ExecutionFailedError] when it ended otherwise, a
// [*WaitTimeoutError] when maxWait passed first, and the context's error
// when ctx ends first.
func (w *ExecutionWaiter) Wait(ctx context.Context, executionID string, maxWait time.Duration, optFns ...func(*ExecutionWaiterOptions)) error {
	_, err := w.WaitForOutput(ctx, executionID, maxWait, optFns...)
	return err
}

// WaitForOutput is [ExecutionWaiter.Wait] returning the final
// GetAutomationExecution output. When the service truncated the step list,
// the output's StepExecutions hold every step, read with
// DescribeAutomationStepExecutions. An [*AwaitingInputError] comes with
// the output that showed the execution waiting.
func (w *ExecutionWaiter) WaitForOutput(ctx context.Context, executionID string, maxWait time.Duration, optFns ...func(*ExecutionWaiterOptions)) (*ssm.GetAutomationExecutionOutput, error) {
	if maxWait <= 0 {
		return nil, errors.New("execution: maximum wait time must be greater than zero")
	}
	if executionID == "" {
		return nil, errors.New("execution: execution id is required")
	}
	o := w.options
	for _, fn := range optFns {
		fn(&o)
	}
	o, err := o.resolve()
	if err != nil {
		return nil, err
	}

	timeout := &WaitTimeoutError{ExecutionID: executionID, MaxWait: maxWait}
	ctx, cancel := context.WithTimeoutCause(ctx, maxWait, timeout)
	defer cancel()

	p := &poller{
		client:   w.client,
		o:        &o,
		id:       executionID,
		timeout:  timeout,
		begin:    time.Now(),
		steps:    newStepLog(),
		budget:   retryBudget{maxTransient: o.MaxTransientErrors},
		predict:  predictor{history: o.History, doc: o.Runbook},
		locs:     newLocationLog(),
		children: newChildReader(o.LocationClient, o.Logger),
	}
	p.jitter = newJitter(executionID, p.begin)
	out, err := p.run(ctx, maxWait)
	if o.History != nil && out != nil && out.AutomationExecution != nil && Classify(out.AutomationExecution.AutomationExecutionStatus) != InProgress {
		o.History.Add(out.AutomationExecution)
	}
	return out, err
}

// DefaultRetryable is the waiter's default decision: poll again while the
// execution is in progress, stop with the output on success and with an
// [*ExecutionFailedError] on any other end; an error ends the wait.
func DefaultRetryable(ctx context.Context, params *ssm.GetAutomationExecutionInput, output *ssm.GetAutomationExecutionOutput, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	if output == nil || output.AutomationExecution == nil {
		return false, errors.New("execution: GetAutomationExecution returned no execution")
	}
	ex := output.AutomationExecution
	switch Classify(ex.AutomationExecutionStatus) {
	case Succeeded:
		return false, nil
	case Failed:
		return false, NewExecutionFailedError(ex)
	}
	return true, nil
}

// NewExecutionFailedError describes an execution that ended without
// success, naming its first failed step.
func NewExecutionFailedError(ex *types.AutomationExecution) *ExecutionFailedError {
	e := &ExecutionFailedError{
		ExecutionID:    aws.ToString(ex.AutomationExecutionId),
		Status:         ex.AutomationExecutionStatus,
		FailureMessage: aws.ToString(ex.FailureMessage),
		Execution:      ex,
	}
	e.FailedStep = failedStep(ex.StepExecutions)
	if IsMultiAccount(ex) {
		e.Locations = LocationsOf(ex)
	}
	return e
}

func failedStep(steps []types.StepExecution) *types.StepExecution {
	var other *types.StepExecution
	for i := range steps {
		s := &steps[i]
		switch {
		case s.StepStatus == types.AutomationExecutionStatusFailed, s.StepStatus == types.AutomationExecutionStatusTimedout:
			return s
		case other == nil && Classify(s.StepStatus) == Failed:
			other = s // cancelled, rejected...: the cause only if nothing failed
		}
	}
	return other
}

type errKind int

const (
	errNone errKind = iota
	errThrottle
	errNotFound
	errTransient
	errOther
)

type poller struct {
	client  ExecutionWaiterAPIClient
	o       *ExecutionWaiterOptions
	id      string
	timeout *WaitTimeoutError
	begin   time.Time

	seen       bool // the service has returned the execution once
	budget     retryBudget
	lastStatus types.AutomationExecutionStatus
	lastStep   string
	unknown    map[types.AutomationExecutionStatus]bool
	steps      *stepLog
	start      time.Time // the execution's start, from the service
	predict    predictor
	last       *types.AutomationExecution // the last execution seen
	jitter     *rand.Rand                 // this wait's, see newJitter

	locs     *locationLog // a multi-account execution's locations
	children *childReader // nil without a LocationClient
	childIDs childIDs     // the children, for the wake-up's match
}

func (p *poller) clientOptions() []func(*ssm.Options) {
	opts := make([]func(*ssm.Options), 0, len(p.o.ClientOptions)+1)
	if len(p.o.APIOptions) > 0 {
		api := p.o.APIOptions
		opts = append(opts, func(o *ssm.Options) { o.APIOptions = append(o.APIOptions, api...) })
	}
	return append(opts, p.o.ClientOptions...)
}

func (p *poller) limit(ctx context.Context) error {
	if p.o.RateLimiter == nil {
		return nil
	}
	return p.o.RateLimiter.Wait(ctx)
}

// stopped turns the end of ctx into the wait's error: the timeout with its
// last status, or the caller's cancellation as is.
func (p *poller) stopped(ctx context.Context) error {
	cause := context.Cause(ctx)
	if cause == p.timeout {
		return p.timeout
	}
	if err := ctx.Err(); cause != nil && cause != err {
		return fmt.Errorf("execution: wait for %s: %w (%w)", p.id, err, cause)
	}
	return fmt.Errorf("execution: wait for %s: %w", p.id, ctx.Err())
}

func (p *poller) run(ctx context.Context, maxWait time.Duration) (*ssm.GetAutomationExecutionOutput, error) {
	in := &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(p.id)}
	deadline := p.begin.Add(maxWait)
	wake, unsubscribe := p.subscribe()
	defer unsubscribe()
	for attempt := int64(1); ; attempt++ {
		if err := p.limit(ctx); err != nil {
			if ctx.Err() == nil && p.o.RateLimiter.Burst() < 1 {
				return nil, fmt.Errorf("execution: rate limiter: %w", err)
			}
			// The limiter refuses a wait that would pass the deadline:
			// let the deadline come.
			<-ctx.Done()
			return nil, p.stopped(ctx)
		}
		if ctx.Err() != nil {
			return nil, p.stopped(ctx)
		}
		if p.o.LogWaitAttempts {
			p.o.Logger.Logf(logging.Debug, "automation execution %s: poll %d", p.id, attempt)
		}
		out, err := p.client.GetAutomationExecution(ctx, in, p.clientOptions()...)
		p.timeout.Attempts = attempt
		if ctx.Err() != nil {
			return nil, p.stopped(ctx)
		}
		p.timeout.LastErr = err

		if kind := classifyError(err); kind == errNone {
			p.budget.reset()
			done, res, rerr := p.handle(ctx, in, out, attempt)
			if ctx.Err() != nil {
				return nil, p.stopped(ctx)
			}
			if done {
				return res, rerr
			}
		} else if done, rerr := p.failedPoll(ctx, in, kind, err); done {
			return nil, rerr
		}

		now := time.Now()
		if !now.Before(deadline) {
			// The timeout's timer fires at the deadline: wait for it
			// rather than poll again.
			<-ctx.Done()
			return nil, p.stopped(ctx)
		}
		begin := p.begin
		if !p.start.IsZero() && p.start.Before(begin) {
			begin = p.start
		}
		delay, predicted := plannedDelay(p.predict.predict(p.last, now), now, begin, p.budget.throttles, p.o.MinDelay, p.o.MaxDelay, deadline.Sub(now), p.jitter)
		if wake != nil && !predicted {
			// Events stand in for the age backoff only: near a
			// predicted end the plan's polls stay.
			delay = wakeDelay(delay, p.o.FallbackDelay, deadline.Sub(now))
		}
		if err := sleepOrWake(ctx, delay, wake); err != nil {
			return nil, p.stopped(ctx)
		}
	}
}

// failedPoll decides on a poll that failed: poll again through throttling,
// an execution not found yet within NotFoundGracePeriod and transient
// errors within the budget; else Retryable decides. done says the wait is
// over, with err (nil when Retryable stops without error).
func (p *poller) failedPoll(ctx context.Context, in *ssm.GetAutomationExecutionInput, kind errKind, err error) (done bool, _ error) {
	switch {
	case kind == errNotFound && !p.seen && p.o.NotFoundGracePeriod > 0 && time.Since(p.begin) < p.o.NotFoundGracePeriod:
		p.o.Logger.Logf(logging.Debug, "automation execution %s: not found yet, retrying", p.id)
		return false, nil
	case p.budget.allow(kind):
		if kind == errThrottle {
			p.o.Logger.Logf(logging.Debug, "automation execution %s: throttled (%d in a row), backing off: %v", p.id, p.budget.throttles, err)
		} else {
			p.o.Logger.Logf(logging.Warn, "automation execution %s: transient error (%d in a row), retrying: %v", p.id, p.budget.transients, err)
		}
		return false, nil
	}
	retry, rerr := p.o.Retryable(ctx, in, nil, err)
	if rerr != nil {
		if rerr == err {
			rerr = fmt.Errorf("execution: get automation execution %s: %w", p.id, err)
		}
		return true, rerr
	}
	return !retry, nil
}

// handle digests a successful poll; done says the wait is over.
func (p *poller) handle(ctx context.Context, in *ssm.GetAutomationExecutionInput, out *ssm.GetAutomationExecutionOutput, attempt int64) (bool, *ssm.GetAutomationExecutionOutput, error) {
	p.seen = true
	if out == nil || out.AutomationExecution == nil {
		retry, err := p.o.Retryable(ctx, in, out, nil)
		return !retry || err != nil, out, err
	}
	ex := out.AutomationExecution
	p.last = ex
	p.noteStart(ex)
	status := ex.AutomationExecutionStatus
	p.noteUnknown(status)
	ended := Classify(status) != InProgress
	awaiting := p.o.ReturnOnAwaitingInput && WaitsForPerson(status)
	changed := status != p.lastStatus || aws.ToString(ex.CurrentStepName) != p.lastStep
	// A multi-account execution's locations run side by side, so any
	// page may hold a change: read them all, in order.
	multi := IsMultiAccount(ex)

	if ex.StepExecutionsTruncated && (ended || awaiting || (changed && p.o.OnProgress != nil) || (multi && p.o.OnProgress != nil)) {
		if !p.completeSteps(ctx, ex, ended, multi) {
			return false, nil, nil
		}
	}

	p.timeout.LastStatus = status
	p.timeout.LastStep = aws.ToString(ex.CurrentStepName)
	var locs *LocationReport
	if multi {
		locs = LocationsOf(ex)
		p.children.refresh(ctx, locs, p.clientOptions(), p.callChild)
	}
	p.report(ex, locs, attempt)
	p.lastStatus = status
	p.lastStep = aws.ToString(ex.CurrentStepName)

	retry, err := p.o.Retryable(ctx, in, out, nil)
	if err != nil {
		return true, nil, err
	}
	if !retry {
		return true, out, nil
	}
	if awaiting {
		return true, out, &AwaitingInputError{ExecutionID: p.id, Status: status, Step: currentStep(ex), Execution: ex}
	}
	return false, nil, nil
}

// noteStart keeps the execution's start time once it is known and not
// in the future.
func (p *poller) noteStart(ex *types.AutomationExecution) {
	if t := ex.ExecutionStartTime; t != nil && p.start.IsZero() && !t.After(time.Now()) {
		p.start = *t
	}
}

// noteUnknown warns once per status this version does not know.
func (p *poller) noteUnknown(status types.AutomationExecutionStatus) {
	if IsKnownStatus(status) {
		return
	}
	if p.unknown == nil {
		p.unknown = map[types.AutomationExecutionStatus]bool{}
	}
	if !p.unknown[status] {
		p.unknown[status] = true
		p.o.Logger.Logf(logging.Warn, "automation execution %s: unknown status %q, treated as in progress", p.id, status)
	}
}

// completeSteps replaces a truncated step list with every page of it. It
// returns false when an ended execution's steps were throttled: the poll
// is then finished later, with the full list.
func (p *poller) completeSteps(ctx context.Context, ex *types.AutomationExecution, ended, all bool) bool {
	steps, err := p.fetchSteps(ctx, ended || all)
	switch {
	case err == nil:
		ex.StepExecutions = steps
		ex.StepExecutionsTruncated = false
	case classifyError(err) == errThrottle && ended:
		p.budget.allow(errThrottle)
		return false
	default:
		p.o.Logger.Logf(logging.Warn, "automation execution %s: reading steps: %v", p.id, err)
	}
	return true
}

// report calls OnProgress once per step whose status changed, or once for
// the execution when only its status changed. For a multi-account
// execution it reports each location whose status changed, then the
// execution when its status changed.
func (p *poller) report(ex *types.AutomationExecution, locs *LocationReport, attempt int64) {
	changedSteps := p.steps.update(ex.StepExecutions)
	var changedLocs []LocationChange
	if locs != nil {
		changedLocs = p.locs.update(locs)
		p.childIDs.add(p.locs.children)
		changedSteps = slices.DeleteFunc(changedSteps, func(s *types.StepExecution) bool { return s.TargetLocation != nil })
	}
	if p.o.OnProgress == nil {
		return
	}
	elapsed := time.Since(p.begin)
	base := Progress{
		ExecutionID: p.id,
		Status:      ex.AutomationExecutionStatus,
		Attempt:     attempt,
		Counters:    ex.ProgressCounters,
		Elapsed:     elapsed,
	}
	for _, s := range changedSteps {
		ev := base
		ev.StepName, ev.Action, ev.StepStatus, ev.Step = aws.ToString(s.StepName), aws.ToString(s.Action), s.StepStatus, s
		ev.StepChanged = true
		p.o.OnProgress(ev)
	}
	for i := range changedLocs {
		ev := base
		c := &changedLocs[i]
		ev.Location, ev.StepName, ev.StepStatus, ev.StepChanged = c, c.StepName, c.Status, true
		ev.Step = stepByID(ex.StepExecutions, c.StepExecutionID)
		if ev.Step != nil {
			ev.Action = aws.ToString(ev.Step.Action)
		}
		p.o.OnProgress(ev)
	}
	if (len(changedSteps) == 0 || locs != nil) && ex.AutomationExecutionStatus != p.lastStatus {
		ev := base
		switch s := currentStep(ex); {
		case locs != nil:
			// The parent's own change: its locations were reported apart.
		case s != nil:
			ev.StepName, ev.Action, ev.StepStatus, ev.Step = aws.ToString(s.StepName), aws.ToString(s.Action), s.StepStatus, s
		default:
			ev.StepName, ev.Action = aws.ToString(ex.CurrentStepName), aws.ToString(ex.CurrentAction)
		}
		p.o.OnProgress(ev)
	}
}

// currentStep is the step the service names as current, else the last one.
func currentStep(ex *types.AutomationExecution) *types.StepExecution {
	name := aws.ToString(ex.CurrentStepName)
	for i := len(ex.StepExecutions) - 1; i >= 0; i-- {
		if s := &ex.StepExecutions[i]; name == "" || aws.ToString(s.StepName) == name {
			return s
		}
	}
	return nil
}

// fetchSteps reads the step list. For progress it pages backwards from the
// newest step and stops at a page holding a step already seen ended; at the
// end (full) it reads every page in order.
func (p *poller) fetchSteps(ctx context.Context, full bool) ([]types.StepExecution, error) {
	in := &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(p.id)}
	if !full {
		in.ReverseOrder = aws.Bool(true)
	}
	pager := ssm.NewDescribeAutomationStepExecutionsPaginator(p.client, in)
	var got []types.StepExecution
	for pager.HasMorePages() {
		if err := p.limit(ctx); err != nil {
			return nil, err
		}
		page, err := pager.NextPage(ctx, p.clientOptions()...)
		if err != nil {
			return nil, err
		}
		got = append(got, page.StepExecutions...)
		if !full && p.steps.holdsEnded(page.StepExecutions) {
			break
		}
	}
	if full {
		return got, nil
	}
	// Newest first: put in order and merge into what is known.
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	return p.steps.merged(got), nil
}

func sleep(ctx context.Context, d time.Duration) error {
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
	}
}
