package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"

	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
)

// Limits of the step semantics AWS documents.
const (
	// approveTimeout is aws:approve's default timeout (7 days).
	approveTimeout = 7 * 24 * time.Hour
	// onCancelLimit bounds the onCancel workflow, as AWS does (2 minutes).
	onCancelLimit = 2 * time.Minute
	// pollInterval is how often waiting actions poll the simulated services.
	pollInterval = 5 * time.Second
	// maxLoopIterations is aws:loop's default and largest MaxIterations.
	maxLoopIterations = 100
)

var (
	errStepTimeout = errors.New("step timed out")
	errExpired     = errors.New("session expired")
	errStepStopped = errors.New("step stopped by StopStep")
	errRejected    = errors.New("approval rejected")
)

// stepError is a step failure with the FailureDetails AWS reports.
type stepError struct {
	msg   string
	stage string // InputValidation, PreVerification, Invocation, PostVerification
	kind  string // Action, Permission, Throttling, Verification, Internal
	code  string
	// permanent failures are not retried: retrying cannot change them.
	permanent bool
	cause     error
}

func (e *stepError) Error() string { return e.msg }
func (e *stepError) Unwrap() error { return e.cause }

func inputErr(format string, args ...any) error {
	return &stepError{msg: fmt.Sprintf(format, args...), stage: "InputValidation", kind: "Verification", permanent: true}
}

func verifyErr(format string, args ...any) error {
	return &stepError{msg: fmt.Sprintf(format, args...), stage: "PostVerification", kind: "Verification"}
}

func notSimulated(action string) error {
	return &stepError{msg: fmt.Sprintf("action %s is not simulated by the local endpoint: the step cannot run here", action),
		stage: "Invocation", kind: "Action", code: "NotSimulated", permanent: true}
}

// runner drives one execution.
type runner struct {
	e   *Engine
	x   *execution
	doc *runbook.Document
	ctx context.Context
	clk clock.Clock
	id  string
	who Principal
	// deadline ends the current step attempt; zero when it has no timeout.
	deadline time.Time
	// attemptStart is when the current attempt began.
	attemptStart time.Time
	// branch is the step aws:branch chose, recorded with the step's end.
	chosen string
}

type stepOutcome struct {
	status types.AutomationExecutionStatus
	// msg is the cause; failure is the step's FailureMessage, in AWS's words.
	msg     string
	failure string
	branch  string
	closed  bool
	expired bool
	stopped bool
	// notStarted marks a step cancelled before it began: it has no
	// onCancel workflow to run.
	notStarted bool
}

func (e *Engine) runExecution(ctx context.Context, x *execution, doc *runbook.Document, admitted chan struct{}) {
	defer e.wg.Done()
	if !e.acquire(ctx, admitted) {
		e.unqueued(ctx, x, doc)
		return
	}
	defer e.release()
	x.mu.Lock()
	r := &runner{e: e, x: x, doc: doc, ctx: ctx, clk: e.clk, id: x.rec.ID, who: x.rec.Principal}
	x.mu.Unlock()
	status, msg, closed := r.run()
	if closed {
		return
	}
	e.finish(x, doc, status, msg)
}

// finish records the end of an execution and drops what only a running
// execution needs: the document, the working state, the goroutine's control.
func (e *Engine) finish(x *execution, doc *runbook.Document, status types.AutomationExecutionStatus, msg string) {
	x.mu.Lock()
	x.rec.Status = status
	x.rec.End = e.now()
	x.rec.FailureMessage = msg
	if st := x.st; st != nil && !x.rec.RateControl && !x.rec.CrossAccount {
		x.rec.Outputs = documentOutputs(doc, st)
		if len(st.Vars) > 0 {
			x.rec.Variables = reportValues(st.Vars)
		}
	}
	if x.rt != nil {
		x.rt.cancel(nil)
	}
	x.st, x.rt, x.rec.Content, x.rec.RawParameters = nil, nil, nil, nil
	x.rec.compact()
	id, parent := x.rec.ID, x.rec.ParentID
	x.mu.Unlock()
	e.changed(id)
	if parent != "" {
		e.nudge(parent)
	}
}

// compact releases slack in a finished record.
func (r *record) compact() {
	for _, s := range r.Steps {
		if s.Status == types.AutomationExecutionStatusInprogress || s.Status == types.AutomationExecutionStatusWaiting {
			s.Status = types.AutomationExecutionStatusCancelled
		}
	}
	if cap(r.Steps) > len(r.Steps) {
		r.Steps = append([]*stepRecord(nil), r.Steps...)
	}
}

func (e *Engine) nudge(id string) {
	e.mu.RLock()
	x := e.execs[id]
	e.mu.RUnlock()
	if x == nil {
		return
	}
	x.mu.Lock()
	if x.rt != nil {
		select {
		case x.rt.wake <- struct{}{}:
		default:
		}
	}
	x.mu.Unlock()
}

func documentOutputs(doc *runbook.Document, st *runState) map[string][]string {
	if doc == nil || len(doc.Outputs) == 0 {
		return nil
	}
	out := make(map[string][]string, len(doc.Outputs))
	for _, o := range doc.Outputs {
		step, name, _ := strings.Cut(o, ".")
		if v, ok := st.Values[step][name]; ok {
			out[o] = textList(v)
		} else {
			out[o] = []string{"No output available yet because the step is not successfully executed"}
		}
	}
	return out
}

func (r *runner) resolver() resolver {
	st := r.x.st
	return resolver{params: st.Params, values: st.Values, vars: st.Vars, execID: r.id, globals: r.global}
}

func (r *runner) global(name string) (string, bool) {
	now := r.clk.Now().UTC()
	switch name {
	case runbook.GlobalAccountID:
		return r.e.opts.Account, true
	case runbook.GlobalRegion:
		return r.e.opts.Region, true
	case runbook.GlobalPartition:
		return r.e.opts.Partition, true
	case runbook.GlobalDate:
		return now.Format("2006-01-02"), true
	case runbook.GlobalDateTime:
		return now.Format("2006-01-02_15.04.05"), true
	}
	return "", false
}

func (r *runner) resolve(v runbook.Value) (any, error) {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.resolver().resolve(v)
}

func (r *runner) setStatus(s types.AutomationExecutionStatus) {
	r.x.mu.Lock()
	if r.x.rec.Status != types.AutomationExecutionStatusCancelling {
		r.x.rec.Status = s
	}
	r.x.mu.Unlock()
}

func (r *runner) expiredMsg() string {
	return fmt.Sprintf("the automation ran in the caller's session, which expired at %s (at most 12 hours after the start); "+
		"an automation that runs longer needs a service role (assumeRole)", r.who.Expires.UTC().Format(time.RFC3339))
}

func (r *runner) expired() bool {
	return !r.who.Expires.IsZero() && !r.clk.Now().Before(r.who.Expires)
}

// run executes the main steps and returns the final status.
func (r *runner) run() (types.AutomationExecutionStatus, string, bool) {
	r.setStatus(types.AutomationExecutionStatusInprogress)
	r.x.mu.Lock()
	interactive := r.x.rec.Mode == types.ExecutionModeInteractive
	name := r.x.st.Next
	r.x.mu.Unlock()
	if interactive {
		return r.interactive()
	}
	steps := r.doc.MainSteps
	if name == "" {
		name = steps[0].Name
	} else if next, end, moved := r.resumeAfterEnded(steps, name); moved {
		if end != nil {
			return end.status, end.msg, end.closed
		}
		name = next
	}
	for name != "" {
		step, ok := findStep(steps, name)
		if !ok {
			return types.AutomationExecutionStatusFailed, fmt.Sprintf("step %q does not exist", name), false
		}
		r.x.mu.Lock()
		r.x.st.Next = name
		r.x.mu.Unlock()
		out := r.runStep(r.ctx, step, nil)
		if out.closed {
			return "", "", true
		}
		if out.expired {
			return types.AutomationExecutionStatusFailed, r.expiredMsg(), false
		}
		next, end := r.after(steps, step, out)
		if end != nil {
			return end.status, end.msg, end.closed
		}
		name = next
	}
	return r.final()
}

// resumeAfterEnded handles a restore that finds the step to run already
// ended (the snapshot was taken between its end and the move to the next
// step): it applies that step's recorded outcome instead of running it again.
func (r *runner) resumeAfterEnded(steps []runbook.Step, name string) (string, *ending, bool) {
	r.x.mu.Lock()
	last := r.x.st.Last
	running := false
	for _, s := range r.x.rec.Steps {
		if s.Name == name && s.Parent == nil && (s.Status == types.AutomationExecutionStatusInprogress || s.Status == types.AutomationExecutionStatusWaiting) {
			running = true
		}
	}
	r.x.mu.Unlock()
	if running || last == nil || last.Name != name || last.Status == types.AutomationExecutionStatusCancelled {
		return "", nil, false
	}
	step, ok := findStep(steps, name)
	if !ok {
		return "", nil, false
	}
	next, end := r.after(steps, step, stepOutcome{status: last.Status, failure: last.Msg, branch: last.Branch})
	return next, end, true
}

type ending struct {
	status types.AutomationExecutionStatus
	msg    string
	closed bool
}

// after applies a step's outcome to the flow: it returns the next step, or
// how the execution ends.
func (r *runner) after(steps []runbook.Step, step runbook.Step, out stepOutcome) (string, *ending) {
	switch out.status {
	case types.AutomationExecutionStatusSuccess:
		return following(steps, step, out.branch), nil
	case types.AutomationExecutionStatusExited:
		return out.branch, nil
	case types.AutomationExecutionStatusCancelled:
		if errors.Is(context.Cause(r.ctx), errCompleted) {
			st, msg, _ := r.final()
			return "", &ending{status: st, msg: msg}
		}
		if out.notStarted {
			return "", &ending{status: types.AutomationExecutionStatusCancelled}
		}
		return "", r.cancelled(steps, step)
	}
	// The execution reports the failed step's message, as AWS does.
	msg := out.failure
	if msg == "" {
		msg = failureMessage(step.Name, out.status, errors.New(out.msg))
	}
	of := step.OnFailure
	if of == "" {
		of = runbook.Abort
	}
	if of == runbook.Abort {
		return "", &ending{status: out.status, msg: msg}
	}
	if isCritical(step) {
		r.x.mu.Lock()
		if r.x.st.Failed == "" {
			r.x.st.Failed = msg
		}
		r.x.mu.Unlock()
	}
	if target, ok := strings.CutPrefix(of, "step:"); ok {
		return target, nil
	}
	return following(steps, step, ""), nil
}

// final is the status of a run that reached its end.
func (r *runner) final() (types.AutomationExecutionStatus, string, bool) {
	r.x.mu.Lock()
	failed := r.x.st.Failed
	r.x.mu.Unlock()
	if failed != "" {
		return types.AutomationExecutionStatusFailed, failed, false
	}
	return types.AutomationExecutionStatusSuccess, "", false
}

// cancelled runs the cancelled step's onCancel workflow, then ends
// Cancelled.
func (r *runner) cancelled(steps []runbook.Step, step runbook.Step) *ending {
	target, ok := strings.CutPrefix(step.OnCancel, "step:")
	if !ok {
		return &ending{status: types.AutomationExecutionStatusCancelled}
	}
	ctx, cancel := context.WithCancelCause(r.e.ctx)
	defer cancel(nil)
	stop := r.clk.Now().Add(onCancelLimit)
	name := target
	for name != "" {
		s, ok := findStep(steps, name)
		if !ok {
			break
		}
		out := r.runStepUntil(ctx, s, nil, stop)
		if out.closed {
			return &ending{closed: true}
		}
		if out.status != types.AutomationExecutionStatusSuccess {
			break
		}
		name = following(steps, s, out.branch)
	}
	return &ending{status: types.AutomationExecutionStatusCancelled}
}

// interactive runs the steps one StartStep signal at a time.
func (r *runner) interactive() (types.AutomationExecutionStatus, string, bool) {
	steps := r.doc.MainSteps
	for {
		sig, err := r.waitSignal(r.ctx, waitState{kind: waitStartStep})
		if err != nil {
			return r.interrupted(err)
		}
		name := first(sig.payload["StepName"])
		step, ok := findStep(steps, name)
		if !ok {
			continue
		}
		r.setStatus(types.AutomationExecutionStatusInprogress)
		out := r.runStep(r.ctx, step, nil)
		if out.closed {
			return "", "", true
		}
		if out.expired {
			return types.AutomationExecutionStatusFailed, r.expiredMsg(), false
		}
		if out.stopped {
			continue
		}
		next, end := r.after(steps, step, out)
		if end != nil {
			return end.status, end.msg, end.closed
		}
		if next == "" {
			return r.final()
		}
		r.x.mu.Lock()
		for i := len(r.x.rec.Steps) - 1; i >= 0; i-- {
			if s := r.x.rec.Steps[i]; s.Name == step.Name {
				s.ValidNext = []string{next}
				break
			}
		}
		r.x.mu.Unlock()
	}
}

// interrupted maps the end of a wait outside any step.
func (r *runner) interrupted(err error) (types.AutomationExecutionStatus, string, bool) {
	switch {
	case errors.Is(err, errClosed):
		return "", "", true
	case errors.Is(err, errCompleted):
		return r.final()
	case errors.Is(err, errExpired):
		return types.AutomationExecutionStatusFailed, r.expiredMsg(), false
	}
	return types.AutomationExecutionStatusCancelled, "", false
}

func following(steps []runbook.Step, step runbook.Step, branch string) string {
	if branch != "" {
		return branch
	}
	if step.IsEnd != nil && *step.IsEnd {
		return ""
	}
	if step.NextStep != "" {
		return step.NextStep
	}
	for i := range steps {
		if steps[i].Name == step.Name && i+1 < len(steps) {
			return steps[i+1].Name
		}
	}
	return ""
}

func findStep(steps []runbook.Step, name string) (runbook.Step, bool) {
	for _, s := range steps {
		if s.Name == name {
			return s, true
		}
	}
	return runbook.Step{}, false
}

// isCritical applies AWS's default: critical unless onFailure is Continue.
func isCritical(s runbook.Step) bool {
	if s.IsCritical != nil {
		return *s.IsCritical
	}
	return s.OnFailure != runbook.Continue
}

// stepTimeout is a step's per-attempt timeout, with aws:approve's default.
func stepTimeout(s runbook.Step) time.Duration {
	if s.TimeoutSeconds != nil && *s.TimeoutSeconds > 0 {
		return time.Duration(*s.TimeoutSeconds) * time.Second
	}
	if s.Action() == "aws:approve" {
		return approveTimeout
	}
	return 0
}

func newStepID() string { return uuid.NewString() }

// beginStep finds or creates the step's record and marks it running.
func (r *runner) beginStep(step runbook.Step, parent *parentStep) (_ *stepRecord, resumed bool) {
	now := r.e.now()
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	var sr *stepRecord
	if parent == nil {
		for _, s := range r.x.rec.Steps {
			if s.Name != step.Name || s.Parent != nil {
				continue
			}
			if s.Status == types.AutomationExecutionStatusInprogress || s.Status == types.AutomationExecutionStatusWaiting {
				sr = s // resumed after a restore
				resumed = r.x.st.Attempt > 0
				break
			}
			if s.Status == types.AutomationExecutionStatusPending {
				sr = s
				r.x.st.Attempt = 0
				break
			}
		}
	}
	if sr == nil {
		sr = newStepRecord(step, newStepID())
		sr.Parent = parent
		r.x.rec.Steps = append(r.x.rec.Steps, sr)
		if parent == nil {
			r.x.st.Attempt = 0
		}
	}
	sr.Status = types.AutomationExecutionStatusInprogress
	if sr.Start.IsZero() {
		sr.Start = now
	}
	r.x.rec.CurrentStep = step.Name
	r.x.rec.CurrentAction = step.Action()
	return sr, resumed
}

// endStep records a step's end and returns its FailureMessage, if any.
func (r *runner) endStep(sr *stepRecord, status types.AutomationExecutionStatus, err error) (failure string) {
	now := r.e.now()
	r.x.mu.Lock()
	sr.Status = status
	sr.End = now
	if err != nil {
		failure = failureMessage(sr.Name, status, err)
		sr.FailureMessage = failure
		var se *stepError
		if errors.As(err, &se) {
			sr.FailureStage, sr.FailureType = se.stage, se.kind
			sr.FailureDetails = map[string][]string{"ExceptionMessage": {se.msg}}
			if se.code != "" {
				sr.FailureDetails["ErrorCode"] = []string{se.code}
			}
		} else if errors.Is(err, errStepTimeout) {
			sr.FailureStage, sr.FailureType = "Invocation", "Action"
			sr.FailureDetails = map[string][]string{"ExceptionMessage": {err.Error()}}
		}
	}
	if sr.Parent == nil {
		r.x.st.Attempt = 0
		last := &lastStep{Name: sr.Name, Status: status, Branch: r.chosen}
		last.Msg = failure
		if errors.Is(err, errRejected) {
			last.Status = types.AutomationExecutionStatusRejected
		}
		r.x.st.Last = last
	}
	r.chosen = ""
	r.x.mu.Unlock()
	r.e.changed(r.id)
	return failure
}

func (r *runner) runStep(ctx context.Context, step runbook.Step, parent *parentStep) stepOutcome {
	return r.runStepUntil(ctx, step, parent, time.Time{})
}

// runStepUntil runs one step with its attempts and timeout; limit, when
// set, caps every attempt's deadline (the onCancel workflow's 2 minutes).
func (r *runner) runStepUntil(ctx context.Context, step runbook.Step, parent *parentStep, limit time.Time) stepOutcome {
	if err := ctx.Err(); err != nil {
		return r.ctxOutcome(ctx, nil)
	}
	if r.expired() {
		return stepOutcome{status: types.AutomationExecutionStatusFailed, expired: true}
	}
	sr, resumed := r.beginStep(step, parent)
	in, err := r.inputs(step, sr)
	if err != nil {
		f := r.endStep(sr, types.AutomationExecutionStatusFailed, err)
		return stepOutcome{status: types.AutomationExecutionStatusFailed, msg: err.Error(), failure: f}
	}
	if resumed && !repeatable(step, in) {
		// The attempt a restart cut short may have acted already: running it
		// again could act twice, so the step fails and onFailure decides.
		err := interrupted(step)
		f := r.endStep(sr, types.AutomationExecutionStatusFailed, err)
		return stepOutcome{status: types.AutomationExecutionStatusFailed, msg: err.Error(), failure: f}
	}
	maxAttempts := int(sr.MaxAttempts)
	if maxAttempts < 1 {
		maxAttempts = 1
	}
	timeout := stepTimeout(step)
	// A nested step (inside aws:loop) runs within its loop's attempt: it
	// keeps the loop's deadline as a bound and gives it back when done.
	outerDeadline, outerStart := r.deadline, r.attemptStart
	defer func() { r.deadline, r.attemptStart = outerDeadline, outerStart }()
	if !outerDeadline.IsZero() && (limit.IsZero() || outerDeadline.Before(limit)) {
		limit = outerDeadline
	}
	attempt := 0
	var started time.Time
	if resumed {
		r.x.mu.Lock()
		attempt, started = r.x.st.Attempt-1, r.x.st.AttemptStart
		r.x.mu.Unlock()
	}
	for {
		attempt++
		if resumed {
			resumed = false // finish the attempt a restore interrupted
		} else {
			started = r.clk.Now()
		}
		if parent == nil {
			r.x.mu.Lock()
			r.x.st.Attempt, r.x.st.AttemptStart = attempt, started
			r.x.mu.Unlock()
		}
		// The endpoint persists the attempt's start before the step acts, so
		// a restart knows the action may have begun.
		r.e.changed(r.id)
		r.attemptStart = started
		stepCtx, stop := context.WithCancelCause(ctx)
		r.setStopStep(parent, stop)
		r.deadline = attemptDeadline(started, timeout, limit)
		res, err := r.act(stepCtx, step, in, sr)
		r.deadline = time.Time{}
		stepCause := context.Cause(stepCtx)
		stop(nil)
		r.setStopStep(parent, nil)
		if out, done := r.attemptOutcome(ctx, stepCtx, stepCause, step, sr, res, err, attempt, maxAttempts, started); done {
			return out
		}
	}
}

// setStopStep records how StopStep stops a main step's attempt; a nested
// step stops with its loop.
func (r *runner) setStopStep(parent *parentStep, stop context.CancelCauseFunc) {
	if parent != nil {
		return
	}
	r.x.mu.Lock()
	if r.x.rt != nil {
		r.x.rt.stopStep = stop
	}
	r.x.mu.Unlock()
}

// attemptDeadline is an attempt's deadline: its start plus the step's
// timeout, capped by limit; zero when neither is set.
func attemptDeadline(started time.Time, timeout time.Duration, limit time.Time) time.Time {
	var deadline time.Time
	if timeout > 0 {
		deadline = started.Add(timeout)
	}
	if !limit.IsZero() && (deadline.IsZero() || limit.Before(deadline)) {
		deadline = limit
	}
	return deadline
}

// attemptOutcome ends the step after one attempt's result, or reports
// done false when it is to be attempted again.
func (r *runner) attemptOutcome(ctx, stepCtx context.Context, stepCause error, step runbook.Step, sr *stepRecord, res actResult, err error, attempt, maxAttempts int, started time.Time) (stepOutcome, bool) {
	if err == nil {
		if err := r.storeOutputs(step, sr, res); err != nil {
			f := r.endStep(sr, types.AutomationExecutionStatusFailed, err)
			return stepOutcome{status: types.AutomationExecutionStatusFailed, msg: err.Error(), failure: f}, true
		}
		r.chosen = res.branch
		r.endStep(sr, types.AutomationExecutionStatusSuccess, nil)
		return stepOutcome{status: types.AutomationExecutionStatusSuccess, branch: res.branch}, true
	}
	if ctx.Err() != nil || errors.Is(stepCause, errStepStopped) {
		return r.ctxOutcome(stepCtx, sr), true
	}
	var exit *loopExit
	if errors.As(err, &exit) {
		r.chosen = exit.target
		r.endStep(sr, types.AutomationExecutionStatusExited, nil)
		return stepOutcome{status: types.AutomationExecutionStatusExited, branch: exit.target}, true
	}
	if errors.Is(err, errExpired) {
		r.endStep(sr, types.AutomationExecutionStatusFailed, errors.New(r.expiredMsg()))
		return stepOutcome{status: types.AutomationExecutionStatusFailed, expired: true}, true
	}
	if errors.Is(err, errRejected) {
		f := r.endStep(sr, types.AutomationExecutionStatusFailed, err)
		return stepOutcome{status: types.AutomationExecutionStatusRejected, msg: err.Error(), failure: f}, true
	}
	timedOut := errors.Is(err, errStepTimeout)
	var se *stepError
	permanent := errors.As(err, &se) && se.permanent
	if permanent || attempt >= maxAttempts {
		if timedOut {
			detail := fmt.Sprintf("step timed out after %d seconds", int(r.clk.Now().Sub(started)/time.Second))
			if se != nil && errors.Is(se.cause, errStepTimeout) {
				detail = se.msg // the action knows better (a script runs in wall time)
			}
			err = fmt.Errorf("%s (attempt %d of %d)", detail, attempt, maxAttempts)
			f := r.endStep(sr, types.AutomationExecutionStatusTimedout, &stepError{msg: err.Error(), stage: "Invocation", kind: "Action", cause: errStepTimeout})
			return stepOutcome{status: types.AutomationExecutionStatusTimedout, msg: err.Error(), failure: f}, true
		}
		f := r.endStep(sr, types.AutomationExecutionStatusFailed, err)
		return stepOutcome{status: types.AutomationExecutionStatusFailed, msg: err.Error(), failure: f}, true
	}
	return stepOutcome{}, false
}

// troubleshooting ends AWS's step failure messages.
const troubleshooting = "Please refer to Automation Service Troubleshooting Guide for more diagnosis details."

// failureMessage words a step's failure as AWS does ("Step fails when it
// is <phase>. ..."), so code that parses AWS's messages reads these too;
// the cause and the step stay in it.
func failureMessage(step string, status types.AutomationExecutionStatus, err error) string {
	phase := "Executing"
	var se *stepError
	if errors.As(err, &se) {
		switch se.stage {
		case "InputValidation", "PreVerification":
			phase = "validating and resolving the step inputs"
		case "Invocation":
			phase = "Execute/Cancelling action"
		case "PostVerification":
			phase = "Poll action status for completion"
		}
	}
	// A cause that is itself a step's message (a child's failure) ends
	// with the pointer already: it is said once.
	cause := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(err.Error()), troubleshooting))
	cause = strings.TrimSuffix(cause, ".")
	if status == types.AutomationExecutionStatusTimedout {
		return fmt.Sprintf("Step timed out while step is %s. Fail to execute step %s: %s. %s", phase, step, cause, troubleshooting)
	}
	return fmt.Sprintf("Step fails when it is %s. Fail to execute step %s: %s. %s", phase, step, cause, troubleshooting)
}

// ctxOutcome maps the end of ctx to a step outcome.
func (r *runner) ctxOutcome(ctx context.Context, sr *stepRecord) stepOutcome {
	cause := context.Cause(ctx)
	if errors.Is(cause, errClosed) {
		return stepOutcome{closed: true}
	}
	if sr != nil {
		r.endStep(sr, types.AutomationExecutionStatusCancelled, nil)
	}
	return stepOutcome{status: types.AutomationExecutionStatusCancelled, stopped: errors.Is(cause, errStepStopped), notStarted: sr == nil}
}

// inputs resolves a step's inputs and records them as the API reports
// them (each value JSON-encoded). aws:branch and aws:loop keep their
// references: they are evaluated as the step runs.
func (r *runner) inputs(step runbook.Step, sr *stepRecord) (map[string]any, error) {
	if step.Inputs == nil {
		return nil, inputErr("step %s has no action", step.Name)
	}
	members := step.Inputs.Members()
	resolved := make(map[string]any, len(members))
	reported := make(map[string]string, len(members))
	r.x.mu.Lock()
	res := r.resolver()
	r.x.mu.Unlock()
	keep := false
	switch step.Inputs.(type) {
	case runbook.Branch, runbook.Loop:
		keep = true
	}
	for _, m := range members {
		if keep {
			reported[m.Key] = string(m.Value.JSON())
			continue
		}
		r.x.mu.Lock()
		v, err := res.resolve(m.Value)
		r.x.mu.Unlock()
		if err != nil {
			return nil, inputErr("input %s: %v", m.Key, err)
		}
		resolved[m.Key] = v
		reported[m.Key] = encodeJSON(v)
	}
	r.x.mu.Lock()
	sr.Inputs = reported
	r.x.mu.Unlock()
	return resolved, nil
}

// sleep waits d on the clock, ending early with errStepTimeout at the
// step's deadline or errExpired when the caller's session ends.
func (r *runner) sleep(ctx context.Context, d time.Duration) error {
	now := r.clk.Now()
	limit, cause := r.limit()
	if !limit.IsZero() && !now.Add(d).Before(limit) {
		d = limit.Sub(now)
		if err := clock.Sleep(ctx, r.clk, d); err != nil {
			return err
		}
		return cause
	}
	return clock.Sleep(ctx, r.clk, d)
}

func (r *runner) limit() (time.Time, error) {
	limit, cause := r.deadline, errStepTimeout
	if exp := r.who.Expires; !exp.IsZero() && (limit.IsZero() || exp.Before(limit)) {
		limit, cause = exp, errExpired
	}
	return limit, cause
}

// waitSignal reports w to Signal and waits for a signal matching it.
func (r *runner) waitSignal(ctx context.Context, w waitState) (_ signal, err error) {
	r.x.mu.Lock()
	if r.x.rt == nil {
		r.x.mu.Unlock()
		return signal{}, errClosed
	}
	r.x.rt.wait = w
	if r.x.rec.Status != types.AutomationExecutionStatusCancelling {
		r.x.rec.Status = types.AutomationExecutionStatusWaiting
	}
	if w.rec != nil && w.rec.Status == types.AutomationExecutionStatusInprogress {
		w.rec.Status = types.AutomationExecutionStatusWaiting
	}
	r.x.mu.Unlock()
	r.e.changed(r.id)
	defer func() {
		r.x.mu.Lock()
		if r.x.rt != nil {
			r.x.rt.wait = waitState{}
		}
		// A closing engine leaves the status as a snapshot should keep it.
		if !errors.Is(err, errClosed) {
			if r.x.rec.Status == types.AutomationExecutionStatusWaiting {
				r.x.rec.Status = types.AutomationExecutionStatusInprogress
			}
			if w.rec != nil && w.rec.Status == types.AutomationExecutionStatusWaiting {
				w.rec.Status = types.AutomationExecutionStatusInprogress
			}
		}
		r.x.mu.Unlock()
	}()
	var timeout <-chan time.Time
	limit, cause := r.limit()
	if !limit.IsZero() && !r.e.jumps {
		t := r.clk.NewTimer(limit.Sub(r.clk.Now()))
		defer t.Stop()
		timeout = t.C()
	}
	for {
		r.x.mu.Lock()
		if len(r.x.rt.signals) > 0 {
			s := r.x.rt.signals[0]
			r.x.rt.signals = r.x.rt.signals[1:]
			r.x.mu.Unlock()
			if !limit.IsZero() && !r.clk.Now().Before(limit) {
				return signal{}, cause // the signal came too late
			}
			return s, nil
		}
		wake := r.x.rt.wake
		r.x.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return signal{}, context.Cause(ctx)
		case <-timeout:
			return signal{}, cause
		}
	}
}

// invoke makes a step's AWS call as the execution's principal.
func (r *runner) invoke(ctx context.Context, step, service, api string, params map[string]any) (map[string]any, error) {
	if r.expired() {
		return nil, errExpired
	}
	out, err := r.e.opts.Invoker.Invoke(ctx, Call{Principal: r.who, Service: service, API: api, Params: params, ExecutionID: r.id, StepName: step})
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, callErr(service, api, err)
	}
	return out, nil
}

// callErr classifies an AWS error as FailureDetails does.
func callErr(service, api string, err error) error {
	se := &stepError{msg: fmt.Sprintf("%s.%s: %v", service, api, err), stage: "Invocation", kind: "Action", cause: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		se.code = ae.ErrorCode()
		switch code := ae.ErrorCode(); {
		case code == "NotSimulated":
			se.msg = fmt.Sprintf("%s.%s is not simulated by the local endpoint: %s", service, api, ae.ErrorMessage())
			se.permanent = true
		case strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation" || code == "AuthFailure":
			se.kind = "Permission"
		case strings.Contains(code, "Throttl") || code == "RequestLimitExceeded" || code == "TooManyRequestsException":
			se.kind = "Throttling"
		}
	}
	return se
}

// repeatable reports whether a step interrupted by a restart may simply run
// again: it waits, checks or reads, so a second run acts no differently.
func repeatable(step runbook.Step, in map[string]any) bool {
	switch step.Action() {
	case "aws:sleep", "aws:pause", "aws:approve", "aws:waitForAwsResourceProperty",
		"aws:assertAwsResourceProperty", "aws:branch":
		return true
	case "aws:executeAwsApi":
		api, _ := in["Api"].(string)
		return ReadOnlyAPI(api)
	}
	return false
}

// ReadOnlyAPI reports whether an AWS operation only reads, by the verbs AWS
// names its read operations with (Describe, Get, List).
func ReadOnlyAPI(api string) bool {
	for _, verb := range []string{"Describe", "Get", "List"} {
		if len(api) > len(verb) && strings.EqualFold(api[:len(verb)], verb) {
			return true
		}
	}
	return false
}

// interrupted is the failure of a step a restart cut short.
func interrupted(step runbook.Step) error {
	return &stepError{
		msg: fmt.Sprintf("step %s (%s) was interrupted by a restart of the endpoint; it is not safe to run again, "+
			"as it may already have acted: check its effect before running it again", step.Name, step.Action()),
		stage: "Invocation", kind: "Internal", code: "InterruptedByRestart", permanent: true,
	}
}
