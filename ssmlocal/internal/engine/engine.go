package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/uuid"

	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
)

var _ API = (*Engine)(nil)

// Causes of an execution context ending.
var (
	errClosed    = errors.New("engine closed")
	errCancelled = errors.New("execution cancelled")
	errCompleted = errors.New("execution completed by request")
)

// docCacheSize bounds the parsed documents kept by content hash; parsed
// documents are shared read-only by the executions running them.
const docCacheSize = 256

// Engine runs Automation executions. Create it with [New].
type Engine struct {
	opts   Options
	clk    clock.Clock
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup

	mu     sync.RWMutex
	execs  map[string]*execution
	tokens map[string]string
	seq    uint64
	closed bool

	docMu sync.Mutex
	docs  map[string]*runbook.Document

	// running counts executions holding a slot, at most maxRunning; waitq
	// holds, in start order, those waiting for one (they stay Pending).
	// Both are guarded by mu.
	running int
	waitq   []chan struct{}

	// jumps is set for a clock that jumps to every timer as it is set
	// (clock.NewAuto): a wait for a person then arms no timeout timer, which
	// would end the wait at once; the deadline is checked when a signal
	// comes instead.
	jumps bool
}

// execution is one automation execution: its record (what the API reports
// and what a snapshot keeps) and, while it runs, its runtime.
type execution struct {
	mu  sync.Mutex
	rec record
	// st is the runner's working state (typed values); nil once finished.
	st *runState
	// rt is the live control of a running execution; nil once finished.
	rt *control
	// enc is SnapshotEach's encoding of a finished execution.
	enc []byte
}

// control lets API calls steer a running execution.
type control struct {
	cancel context.CancelCauseFunc
	wake   chan struct{}
	// wait says what the runner waits for, so Signal can check a signal
	// against it synchronously.
	wait    waitState
	signals []signal
	// stopStep cancels the running step only (StopStep).
	stopStep context.CancelCauseFunc
}

type waitKind int

const (
	waitNone waitKind = iota
	waitResume
	waitApproval
	waitStartStep
)

type waitState struct {
	kind      waitKind
	step      string
	approvers []string
	// rec is the step waiting for the signal: it shows Waiting meanwhile.
	rec *stepRecord
}

type signal struct {
	typ     types.SignalType
	payload map[string][]string
	by      string
}

// New returns an engine, restoring the executions in o.State and resuming
// those that were running.
func New(o Options) (*Engine, error) {
	if o.Invoker == nil {
		return nil, errors.New("engine: an invoker is required")
	}
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.Partition == "" {
		o.Partition = "aws"
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	e := &Engine{
		opts: o, clk: o.Clock, ctx: ctx, cancel: cancel,
		execs: make(map[string]*execution), tokens: make(map[string]string),
		docs: make(map[string]*runbook.Document),
	}
	e.jumps = jumpsToTimers(o.Clock)
	if len(o.State) > 0 {
		if err := e.restore(o.State); err != nil {
			cancel(errClosed)
			return nil, err
		}
	}
	return e, nil
}

// jumpsToTimers reports whether c is a virtual clock in auto mode: a
// nanosecond probe timer fires as it is created.
func jumpsToTimers(c clock.Clock) bool {
	if _, ok := c.(*clock.Virtual); !ok {
		return false
	}
	t := c.NewTimer(time.Nanosecond)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	default:
		return false
	}
}

func (e *Engine) document(hash string, content []byte) (*runbook.Document, string, error) {
	if hash == "" {
		sum := sha256.Sum256(content)
		hash = hex.EncodeToString(sum[:])
	}
	e.docMu.Lock()
	d, ok := e.docs[hash]
	e.docMu.Unlock()
	if ok {
		return d, hash, nil
	}
	d, err := runbook.Parse(content)
	if err != nil {
		return nil, hash, err
	}
	e.docMu.Lock()
	if len(e.docs) >= docCacheSize {
		for k := range e.docs { // evict an arbitrary entry
			delete(e.docs, k)
			break
		}
	}
	e.docs[hash] = d
	e.docMu.Unlock()
	return d, hash, nil
}

// Concurrency quotas of Systems Manager: automations running at once per
// account and Region (rate-control parents and children included), and how
// many more may wait for a slot as Pending before a start is refused.
const (
	maxRunning = 100
	maxQueued  = 5000
)

// admit gives an execution a running slot, or queues it (FIFO) for one;
// e.mu is held. The returned channel is closed once the slot is its own.
func (e *Engine) admit() chan struct{} {
	ch := make(chan struct{})
	if e.running < maxRunning {
		e.running++
		close(ch)
		return ch
	}
	e.waitq = append(e.waitq, ch)
	return ch
}

// acquire waits, Pending, for the slot admit promised; false when ctx
// ended first (the slot, if it came meanwhile, is handed on).
func (e *Engine) acquire(ctx context.Context, admitted chan struct{}) bool {
	select {
	case <-admitted:
		return true
	default:
	}
	select {
	case <-admitted:
		return true
	case <-ctx.Done():
	}
	e.mu.Lock()
	i := slices.Index(e.waitq, admitted)
	if i >= 0 {
		e.waitq = slices.Delete(e.waitq, i, i+1)
	}
	e.mu.Unlock()
	if i < 0 {
		e.release() // admitted as ctx ended: pass the slot on
	}
	return false
}

// release frees a running slot, handing it to the first queued execution.
func (e *Engine) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.waitq) > 0 {
		close(e.waitq[0])
		e.waitq = e.waitq[1:]
		return
	}
	e.running--
}

// unqueued ends an execution stopped while it waited for a slot.
func (e *Engine) unqueued(ctx context.Context, x *execution, doc *runbook.Document) {
	if errors.Is(context.Cause(ctx), errClosed) {
		return // a snapshot keeps it Pending; a restore queues it again
	}
	e.finish(x, doc, types.AutomationExecutionStatusCancelled, "")
}

// maxNesting is how many levels of child automations a top-level
// automation may start, as the Systems Manager quotas allow.
const maxNesting = 5

// nesting is the level execution id runs at: 0 for a top-level execution,
// 1 for its children, and so on.
func (e *Engine) nesting(id string) int {
	level := 0
	for seen := 0; id != "" && seen <= maxNesting+1; seen++ {
		e.mu.RLock()
		x := e.execs[id]
		e.mu.RUnlock()
		if x == nil {
			break
		}
		x.mu.Lock()
		id = x.rec.ParentID
		x.mu.Unlock()
		if id != "" {
			level++
		}
	}
	return level
}

// Start begins an execution and returns its id.
func (e *Engine) Start(ctx context.Context, in StartInput) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if in.DocumentName == "" {
		return "", validationErr("document name is required")
	}
	e.mu.RLock()
	closed := e.closed
	prev, dup := e.tokens[tokenKey(in.ClientToken)]
	e.mu.RUnlock()
	if closed {
		return "", errClosed
	}
	if in.ClientToken != "" && dup {
		return e.idempotent(prev, in)
	}
	if err := e.checkLimits(in); err != nil {
		return "", err
	}
	doc, hash, err := e.document(in.DocumentHash, in.Content)
	if err != nil {
		return "", &types.InvalidAutomationExecutionParametersException{Message: aws.String("document " + in.DocumentName + " cannot be parsed: " + err.Error())}
	}
	if len(doc.MainSteps) == 0 {
		return "", &types.InvalidAutomationExecutionParametersException{Message: aws.String("document " + in.DocumentName + " has no steps")}
	}
	mode, err := startMode(in.Mode)
	if err != nil {
		return "", err
	}
	crossAccount := len(in.TargetLocations) > 0
	rateControl := !crossAccount && (len(in.Targets) > 0 || len(in.TargetMaps) > 0)
	params, reported, err := e.startParameters(ctx, doc, in, crossAccount, rateControl)
	if err != nil {
		return "", err
	}
	id := in.ID
	if id == "" {
		id = uuid.NewString()
	}
	now := e.clk.Now()
	x := &execution{rec: record{
		ID: id, DocumentName: in.DocumentName, DocumentVersion: in.DocumentVersion, DocumentHash: hash,
		Content: in.Content, Status: types.AutomationExecutionStatusPending, Mode: mode,
		ExecutedBy: in.ExecutedBy, Principal: in.Principal, ParentID: in.ParentID, ClientToken: in.ClientToken,
		Parameters: reported, Start: now, Tags: in.Tags,
		TargetParameterName: in.TargetParameterName, Targets: in.Targets, TargetMaps: in.TargetMaps,
		MaxConcurrency: in.MaxConcurrency, MaxErrors: in.MaxErrors,
	}}
	switch {
	case crossAccount:
		x.crossAccount(in)
	case rateControl:
		x.rateControl(in)
	default:
		x.rec.Steps = pendingSteps(doc.MainSteps)
		x.st = newRunState(params, doc)
	}
	if in.ParentID != "" && len(in.Targets) == 0 {
		x.rec.Target = targetOf(in)
	}
	return e.register(x, in, doc)
}

// checkLimits refuses an execution beyond the queue's capacity or the
// nesting depth.
func (e *Engine) checkLimits(in StartInput) error {
	e.mu.RLock()
	full := len(e.waitq) >= maxQueued
	e.mu.RUnlock()
	if full {
		return &types.AutomationExecutionLimitExceededException{Message: aws.String(fmt.Sprintf(
			"%d automations are running and %d more are waiting to run, the most Systems Manager queues", maxRunning, maxQueued))}
	}
	if level := e.nesting(in.ParentID) + 1; in.ParentID != "" && level > maxNesting {
		return &types.AutomationExecutionLimitExceededException{Message: aws.String(fmt.Sprintf(
			"execution %s cannot start a child automation: it would run at nesting level %d, and automations nest at most %d levels deep",
			in.ParentID, level, maxNesting))}
	}
	return nil
}

// startMode is the execution mode asked for, Auto by default.
func startMode(mode types.ExecutionMode) (types.ExecutionMode, error) {
	if mode == "" {
		mode = types.ExecutionModeAuto
	}
	if mode != types.ExecutionModeAuto && mode != types.ExecutionModeInteractive {
		return "", validationErr(fmt.Sprintf("mode %q is not one of Auto, Interactive", mode))
	}
	return mode, nil
}

// startParameters resolves an execution's parameters. An execution over
// targets resolves them per target later: here the target parameter is
// skipped (all of them with target maps) and only reported values kept.
func (e *Engine) startParameters(ctx context.Context, doc *runbook.Document, in StartInput, crossAccount, rateControl bool) (map[string]any, map[string][]string, error) {
	if !rateControl && !(crossAccount && (len(in.Targets) > 0 || len(in.TargetMaps) > 0 || locationTargets(in.TargetLocations))) {
		return e.parameters(ctx, doc, in.Parameters, in.Principal, "")
	}
	if err := checkRateControl(doc, in); err != nil {
		return nil, nil, err
	}
	if err := checkLocationTargets(doc, in); err != nil {
		return nil, nil, err
	}
	skip := in.TargetParameterName
	if len(in.TargetMaps) > 0 {
		skip = "*"
	}
	_, reported, err := e.parameters(ctx, doc, in.Parameters, in.Principal, skip)
	return nil, reported, err
}

// crossAccount shapes a cross-account parent: it runs no step of the
// document, its steps are the locations, each a child in its account and
// Region.
func (x *execution) crossAccount(in StartInput) {
	x.rec.CrossAccount = true
	x.rec.RawParameters = in.Parameters
	x.rec.TargetLocations = in.TargetLocations
	x.rec.AdministrationRole = in.AdministrationRole
	x.rec.Locations = ExpandLocations(in.TargetLocations)
	x.rec.LocationChildren = make([]string, len(x.rec.Locations))
	x.rec.Steps = locationSteps(x.rec.Locations)
	x.st = &runState{}
}

// rateControl shapes a rate-control parent, with AWS's default
// concurrency and error threshold.
func (x *execution) rateControl(in StartInput) {
	x.rec.RateControl = true
	x.rec.RawParameters = in.Parameters
	if x.rec.MaxConcurrency == "" {
		x.rec.MaxConcurrency = "10"
	}
	if x.rec.MaxErrors == "" {
		x.rec.MaxErrors = "0"
	}
	x.st = &runState{}
}

// register adds a shaped execution to the engine and launches it, unless
// the engine closed or the client token or id was taken meanwhile.
func (e *Engine) register(x *execution, in StartInput, doc *runbook.Document) (string, error) {
	id, now := x.rec.ID, x.rec.Start
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return "", errClosed
	}
	if in.ClientToken != "" {
		if prev, ok := e.tokens[tokenKey(in.ClientToken)]; ok {
			e.mu.Unlock()
			return e.idempotent(prev, in)
		}
	}
	if _, ok := e.execs[id]; ok {
		e.mu.Unlock()
		return "", validationErr("execution id " + id + " is already in use")
	}
	e.seq++
	x.rec.Seq = e.seq
	e.execs[id] = x
	if in.ClientToken != "" {
		e.tokens[tokenKey(in.ClientToken)] = id
	}
	if in.FailureMessage != "" {
		// Accepted but failed before any step, as AWS does when the
		// service role cannot be assumed.
		x.rec.Status, x.rec.End, x.rec.FailureMessage = types.AutomationExecutionStatusFailed, now, in.FailureMessage
		x.st, x.rec.Content, x.rec.RawParameters = nil, nil, nil
	} else {
		e.launch(x, doc)
	}
	e.mu.Unlock()
	e.changed(id)
	return id, nil
}

// targetOf names the target a rate-control child runs on, as AWS reports
// it in Target.
func targetOf(in StartInput) string {
	if in.TargetParameterName == "" {
		return ""
	}
	if v := in.Parameters[in.TargetParameterName]; len(v) == 1 {
		return v[0]
	}
	return ""
}

func (e *Engine) idempotent(prev string, in StartInput) (string, error) {
	e.mu.RLock()
	x := e.execs[prev]
	e.mu.RUnlock()
	if x == nil {
		return prev, nil
	}
	x.mu.Lock()
	name, by := x.rec.DocumentName, x.rec.ExecutedBy
	x.mu.Unlock()
	if by != in.ExecutedBy {
		// Another caller's token: its execution is not this caller's to see.
		return "", &types.IdempotentParameterMismatch{Message: aws.String("client token " + in.ClientToken + " was already used")}
	}
	if name != in.DocumentName {
		return "", &types.IdempotentParameterMismatch{Message: aws.String("client token " + in.ClientToken + " was used to start " + name)}
	}
	return prev, nil
}

// tokenKey is how client tokens are compared: case-insensitively, as
// StartAutomationExecution documents.
func tokenKey(token string) string { return strings.ToLower(token) }

// launch starts x's goroutine; e.mu is held.
func (e *Engine) launch(x *execution, doc *runbook.Document) {
	ctx, cancel := context.WithCancelCause(e.ctx)
	x.rt = &control{cancel: cancel, wake: make(chan struct{}, 1)}
	admitted := e.admit()
	e.wg.Add(1)
	if x.rec.RateControl {
		go e.runParent(ctx, x, doc, admitted)
		return
	}
	if x.rec.CrossAccount {
		go e.runLocations(ctx, x, doc, admitted)
		return
	}
	go e.runExecution(ctx, x, doc, admitted)
}

func (e *Engine) changed(id string) {
	if e.opts.OnChange != nil {
		e.opts.OnChange(id)
	}
}

func (e *Engine) lookup(id string) (*execution, error) {
	e.mu.RLock()
	x := e.execs[id]
	e.mu.RUnlock()
	if x == nil {
		return nil, &types.AutomationExecutionNotFoundException{Message: aws.String("Automation execution " + id + " not found")}
	}
	return x, nil
}

// Get returns one execution with all its step executions (truncated past
// maxStepsInGet, as AWS does; Steps returns them all).
func (e *Engine) Get(id string) (types.AutomationExecution, error) {
	x, err := e.lookup(id)
	if err != nil {
		return types.AutomationExecution{}, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.rec.execution(x.st), nil
}

// Tags returns the tags an execution was started with.
func (e *Engine) Tags(id string) ([]types.Tag, error) {
	x, err := e.lookup(id)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.rec.Tags), nil
}

// Stop cancels or completes a running execution.
func (e *Engine) Stop(id string, stopType types.StopType) error {
	x, err := e.lookup(id)
	if err != nil {
		return err
	}
	if stopType == "" {
		stopType = types.StopTypeCancel
	}
	if stopType != types.StopTypeCancel && stopType != types.StopTypeComplete {
		return validationErr(fmt.Sprintf("stop type %q is not one of Cancel, Complete", stopType))
	}
	x.mu.Lock()
	if x.rt == nil || terminal(x.rec.Status) || x.rec.Status == types.AutomationExecutionStatusCancelling {
		st := x.rec.Status
		x.mu.Unlock()
		return &types.InvalidAutomationStatusUpdateException{Message: aws.String(fmt.Sprintf("The execution %s cannot be stopped because its status is %s", id, st))}
	}
	cause := errCancelled
	if stopType == types.StopTypeComplete {
		cause = errCompleted
	} else {
		x.rec.Status = types.AutomationExecutionStatusCancelling
	}
	children := append([]string(nil), x.rec.Children...)
	x.rt.cancel(cause)
	x.mu.Unlock()
	if stopType == types.StopTypeCancel {
		for _, c := range children {
			_ = e.Stop(c, types.StopTypeCancel) // children that already ended refuse; that is fine
		}
	}
	e.changed(id)
	return nil
}

// Signal delivers a signal to an execution waiting for one.
func (e *Engine) Signal(id string, sig types.SignalType, payload map[string][]string, approvedBy string) error {
	x, err := e.lookup(id)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.rt == nil || terminal(x.rec.Status) {
		return badSignal(fmt.Sprintf("execution %s is %s and accepts no signal", id, x.rec.Status))
	}
	w := x.rt.wait
	switch sig {
	case types.SignalTypeApprove, types.SignalTypeReject:
		if w.kind != waitApproval {
			return badSignal(fmt.Sprintf("execution %s is not waiting for an approval", id))
		}
		if !approverAllowed(w.approvers, approvedBy) {
			return badSignal(fmt.Sprintf("%s is not an approver of step %s", approvedBy, w.step))
		}
	case types.SignalTypeResume:
		if err := checkResume(x, id, payload); err != nil {
			return err
		}
	case types.SignalTypeStartStep:
		if payload, err = checkStartStep(x, id, payload); err != nil {
			return err
		}
	case types.SignalTypeStopStep:
		return stopStep(x, id, payload)
	case types.SignalTypeRevoke:
		// Revoke withdraws a Change Manager change request; the API
		// reference documents no effect on an Automation execution, which
		// refuses it rather than guess one.
		return badSignal(fmt.Sprintf("execution %s is an Automation execution, not a change request: Revoke applies to change requests only", id))
	default:
		return badSignal(fmt.Sprintf("signal type %q is not supported", sig))
	}
	x.rt.signals = append(x.rt.signals, signal{typ: sig, payload: payload, by: approvedBy})
	select {
	case x.rt.wake <- struct{}{}:
	default:
	}
	return nil
}

// badSignal is the error of a signal the execution does not accept.
func badSignal(msg string) error {
	return &types.InvalidAutomationSignalException{Message: aws.String(msg)}
}

// checkResume checks a Resume signal against the paused step. x.mu is
// held.
func checkResume(x *execution, id string, payload map[string][]string) error {
	w := x.rt.wait
	if w.kind != waitResume {
		return badSignal(fmt.Sprintf("execution %s is not paused", id))
	}
	// SendAutomationSignal requires the paused step as StepName.
	name := first(payload["StepName"])
	if name == "" {
		return badSignal("a Resume signal needs the paused step as StepName in its payload")
	}
	if name != w.step {
		return &types.AutomationStepNotFoundException{Message: aws.String(fmt.Sprintf("step %q of execution %s is not paused (%s is)", name, id, w.step))}
	}
	return nil
}

// checkStartStep checks a StartStep signal of an interactive execution
// and returns the payload to deliver, the step's name alone. x.mu is held.
func checkStartStep(x *execution, id string, payload map[string][]string) (map[string][]string, error) {
	if x.rec.Mode != types.ExecutionModeInteractive || x.rt.wait.kind != waitStartStep {
		return nil, badSignal(fmt.Sprintf("execution %s is not an interactive execution waiting for a step to start", id))
	}
	// SendAutomationSignal requires the step to start as StepName.
	name := first(payload["StepName"])
	if name == "" {
		return nil, badSignal("a StartStep signal needs the step to start as StepName in its payload")
	}
	if !x.rec.hasStep(name) {
		return nil, &types.AutomationStepNotFoundException{Message: aws.String(fmt.Sprintf("step %q is not a step of execution %s", name, id))}
	}
	return map[string][]string{"StepName": {name}}, nil
}

// stopStep stops the running step of an interactive execution, the one
// named by StepExecutionId when given. x.mu is held.
func stopStep(x *execution, id string, payload map[string][]string) error {
	if x.rec.Mode != types.ExecutionModeInteractive {
		return badSignal("StopStep is accepted by interactive executions only")
	}
	sid := first(payload["StepExecutionId"])
	running := false
	for _, s := range x.rec.Steps {
		if s.Status == types.AutomationExecutionStatusInprogress || s.Status == types.AutomationExecutionStatusWaiting {
			if sid == "" || s.ID == sid {
				running = true
			}
		}
	}
	if !running || x.rt.stopStep == nil {
		return &types.AutomationStepNotFoundException{Message: aws.String("no running step execution " + sid + " in execution " + id)}
	}
	x.rt.stopStep(errStepStopped)
	return nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// Close stops every running execution's goroutines and waits for them. The
// executions keep their status, so a snapshot taken after Close resumes them.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel(errClosed)
	e.wg.Wait()
	return nil
}

func terminal(s types.AutomationExecutionStatus) bool {
	switch s {
	case types.AutomationExecutionStatusSuccess, types.AutomationExecutionStatusFailed,
		types.AutomationExecutionStatusTimedout, types.AutomationExecutionStatusCancelled,
		types.AutomationExecutionStatusRejected, types.AutomationExecutionStatusCompletedWithSuccess,
		types.AutomationExecutionStatusCompletedWithFailure, types.AutomationExecutionStatusExited,
		types.AutomationExecutionStatusChangeCalendarOverrideRejected:
		return true
	}
	return false
}

func validationErr(msg string) error {
	return &types.ValidationException{Message: aws.String(msg)}
}

// now returns the engine clock's time in UTC, truncated to milliseconds as
// the wire reports it.
func (e *Engine) now() time.Time { return e.clk.Now().UTC() }
