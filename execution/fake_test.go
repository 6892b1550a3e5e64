package execution_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// fakeSSM models the Automation service closely enough for waiters: each
// execution follows a timeline of phases against the (synctest) clock.
type fakeSSM struct {
	mu    sync.Mutex
	execs map[string]*fakeExec
	// callLog counts the calls and holds the errors injected into them.
	callLog
	throttle float64 // share of calls answered with ThrottlingException
	rng      *rand.Rand
	// truncateAt > 0 makes GetAutomationExecution return only that many
	// steps and set StepExecutionsTruncated.
	truncateAt int
	pageSize   int
	// execPageSize > 0 pages DescribeAutomationExecutions.
	execPageSize int
	// times records when each operation was called.
	times   map[string][]time.Time
	nextID  int
	started []*ssm.StartAutomationExecutionInput
	signals []*ssm.SendAutomationSignalInput
	stops   []*ssm.StopAutomationExecutionInput
	// onStart builds the timeline of a started execution.
	onStart func(in *ssm.StartAutomationExecutionInput) []phase
}

type fakeExec struct {
	doc          string // the document's name, "Demo" when empty
	parent       string // the execution that started this one
	targetParam  string // set on a rate-controlled parent
	id           string
	start        time.Time
	visibleAfter time.Duration
	phases       []phase
}

type phase struct {
	at       time.Duration
	status   types.AutomationExecutionStatus
	steps    []types.StepExecution
	failure  string
	counters *types.ProgressCounters
	// times are the steps' start and end, from the execution's start
	// (a zero end: still running); empty leaves the steps' times unset.
	times []stepTimes
}

type stepTimes struct{ start, end time.Duration }

func newFake() *fakeSSM {
	f := &fakeSSM{
		execs:    map[string]*fakeExec{},
		times:    map[string][]time.Time{},
		rng:      rand.New(rand.NewPCG(1, 2)),
		pageSize: 50,
	}
	f.callLog = newCallLog(&f.mu)
	return f
}

// callLog counts a fake's calls per operation and returns the errors
// injected for them, under the fake's own lock.
type callLog struct {
	mu    *sync.Mutex
	calls map[string]int
	// errs are returned, in order, by the next calls of an operation.
	errs map[string][]error
}

func newCallLog(mu *sync.Mutex) callLog {
	return callLog{mu: mu, calls: map[string]int{}, errs: map[string][]error{}}
}

func (l *callLog) count(op string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[op]
}

func (l *callLog) failNext(op string, errs ...error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs[op] = append(l.errs[op], errs...)
}

// next counts a call of op and returns the error injected for it, if
// any. The caller holds the lock.
func (l *callLog) next(op string) error {
	l.calls[op]++
	if q := l.errs[op]; len(q) > 0 {
		l.errs[op] = q[1:]
		return q[0]
	}
	return nil
}

// page returns the page of items that token starts, at most size long,
// and the token of the next page (nil on the last).
func page[T any](items []T, token *string, size int) ([]T, *string) {
	from := 0
	if t := aws.ToString(token); t != "" {
		from, _ = strconv.Atoi(t)
	}
	to := min(from+size, len(items))
	if to < len(items) {
		return items[from:to], aws.String(strconv.Itoa(to))
	}
	return items[from:to], nil
}

// truncate keeps the first n steps of ex, as the service does with a long
// step list, when n > 0.
func truncate(ex *types.AutomationExecution, n int) {
	if n > 0 && len(ex.StepExecutions) > n {
		ex.StepExecutions, ex.StepExecutionsTruncated = ex.StepExecutions[:n], true
	}
}

var throttlingError = &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded", Fault: smithy.FaultClient}

func (f *fakeSSM) add(id string, phases ...phase) *fakeExec {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := &fakeExec{id: id, start: time.Now(), phases: phases}
	f.execs[id] = e
	return e
}

// enter counts a call and returns an injected or throttling error.
func (f *fakeSSM) enter(op string) error {
	f.times[op] = append(f.times[op], time.Now())
	if err := f.next(op); err != nil {
		return err
	}
	if f.throttle > 0 && f.rng.Float64() < f.throttle {
		return throttlingError
	}
	return nil
}

func (e *fakeExec) at(now time.Time) phase {
	el := now.Sub(e.start)
	cur := e.phases[0]
	for _, p := range e.phases {
		if p.at <= el {
			cur = p
		}
	}
	return cur
}

func (e *fakeExec) view(now time.Time) *types.AutomationExecution {
	p := e.at(now)
	start := e.start
	doc := e.doc
	if doc == "" {
		doc = "Demo"
	}
	ex := &types.AutomationExecution{
		AutomationExecutionId:     aws.String(e.id),
		AutomationExecutionStatus: p.status,
		DocumentName:              aws.String(doc),
		ExecutionStartTime:        &start,
		StepExecutions:            slices.Clone(p.steps),
		ProgressCounters:          p.counters,
	}
	for i, st := range p.times {
		if i < len(ex.StepExecutions) {
			s := &ex.StepExecutions[i]
			s.ExecutionStartTime = aws.Time(start.Add(st.start))
			if st.end > 0 {
				s.ExecutionEndTime = aws.Time(start.Add(st.end))
			}
		}
	}
	if p.failure != "" {
		ex.FailureMessage = aws.String(p.failure)
	}
	if e.parent != "" {
		ex.ParentAutomationExecutionId = aws.String(e.parent)
	}
	if e.targetParam != "" {
		ex.TargetParameterName = aws.String(e.targetParam)
	}
	if n := len(p.steps); n > 0 {
		ex.CurrentStepName = p.steps[n-1].StepName
		ex.CurrentAction = p.steps[n-1].Action
	}
	if p.status != types.AutomationExecutionStatusInprogress && p.status != types.AutomationExecutionStatusPending {
		end := start.Add(p.at)
		ex.ExecutionEndTime = &end
	}
	return ex
}

func notFound(id string) error {
	return &types.AutomationExecutionNotFoundException{Message: aws.String("Execution " + id + " not found")}
}

func (f *fakeSSM) GetAutomationExecution(_ context.Context, in *ssm.GetAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("GetAutomationExecution"); err != nil {
		return nil, err
	}
	id := aws.ToString(in.AutomationExecutionId)
	e, ok := f.execs[id]
	now := time.Now()
	if !ok || now.Sub(e.start) < e.visibleAfter {
		return nil, notFound(id)
	}
	ex := e.view(now)
	truncate(ex, f.truncateAt)
	return &ssm.GetAutomationExecutionOutput{AutomationExecution: ex}, nil
}

func (f *fakeSSM) DescribeAutomationStepExecutions(_ context.Context, in *ssm.DescribeAutomationStepExecutionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("DescribeAutomationStepExecutions"); err != nil {
		return nil, err
	}
	id := aws.ToString(in.AutomationExecutionId)
	e, ok := f.execs[id]
	if !ok {
		return nil, notFound(id)
	}
	steps := slices.Clone(e.at(time.Now()).steps)
	if aws.ToBool(in.ReverseOrder) {
		slices.Reverse(steps)
	}
	out := &ssm.DescribeAutomationStepExecutionsOutput{}
	out.StepExecutions, out.NextToken = page(steps, in.NextToken, f.pageSize)
	return out, nil
}

func (f *fakeSSM) DescribeAutomationExecutions(_ context.Context, in *ssm.DescribeAutomationExecutionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("DescribeAutomationExecutions"); err != nil {
		return nil, err
	}
	var ids []string
	for _, flt := range in.Filters {
		if flt.Key == types.AutomationExecutionFilterKeyParentExecutionId {
			for id, e := range f.execs {
				if slices.Contains(flt.Values, e.parent) {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
			continue
		}
		if flt.Key != types.AutomationExecutionFilterKeyExecutionId {
			return nil, &smithy.GenericAPIError{Code: "InvalidFilterKey", Message: "unsupported filter " + string(flt.Key)}
		}
		if len(flt.Values) > 10 {
			return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "at most 10 filter values"}
		}
		ids = append(ids, flt.Values...)
	}
	now := time.Now()
	out := &ssm.DescribeAutomationExecutionsOutput{}
	for _, id := range ids {
		e, ok := f.execs[id]
		if !ok || now.Sub(e.start) < e.visibleAfter {
			continue
		}
		ex := e.view(now)
		out.AutomationExecutionMetadataList = append(out.AutomationExecutionMetadataList, types.AutomationExecutionMetadata{
			AutomationExecutionId:       ex.AutomationExecutionId,
			AutomationExecutionStatus:   ex.AutomationExecutionStatus,
			CurrentStepName:             ex.CurrentStepName,
			CurrentAction:               ex.CurrentAction,
			DocumentName:                ex.DocumentName,
			ExecutionStartTime:          ex.ExecutionStartTime,
			ExecutionEndTime:            ex.ExecutionEndTime,
			FailureMessage:              ex.FailureMessage,
			ParentAutomationExecutionId: ex.ParentAutomationExecutionId,
			TargetParameterName:         ex.TargetParameterName,
		})
	}
	if n := f.execPageSize; n > 0 {
		out.AutomationExecutionMetadataList, out.NextToken = page(out.AutomationExecutionMetadataList, in.NextToken, n)
	}
	return out, nil
}

// gaps returns the pauses between the calls of an operation.
func (f *fakeSSM) gaps(op string) []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.times[op]
	out := make([]time.Duration, 0, len(ts))
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]))
	}
	return out
}

func (f *fakeSSM) StartAutomationExecution(_ context.Context, in *ssm.StartAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.StartAutomationExecutionOutput, error) {
	f.mu.Lock()
	if err := f.enter("StartAutomationExecution"); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	for i, prev := range f.started {
		if aws.ToString(prev.ClientToken) == aws.ToString(in.ClientToken) {
			f.mu.Unlock()
			return &ssm.StartAutomationExecutionOutput{AutomationExecutionId: aws.String(fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1))}, nil
		}
	}
	f.started = append(f.started, in)
	f.nextID++
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", f.nextID)
	build := f.onStart
	f.mu.Unlock()
	phases := []phase{{status: types.AutomationExecutionStatusInprogress}}
	if build != nil {
		phases = build(in)
	}
	f.add(id, phases...)
	return &ssm.StartAutomationExecutionOutput{AutomationExecutionId: aws.String(id)}, nil
}

func (f *fakeSSM) SendAutomationSignal(_ context.Context, in *ssm.SendAutomationSignalInput, _ ...func(*ssm.Options)) (*ssm.SendAutomationSignalOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("SendAutomationSignal"); err != nil {
		return nil, err
	}
	f.signals = append(f.signals, in)
	return &ssm.SendAutomationSignalOutput{}, nil
}

func (f *fakeSSM) StopAutomationExecution(_ context.Context, in *ssm.StopAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.StopAutomationExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("StopAutomationExecution"); err != nil {
		return nil, err
	}
	f.stops = append(f.stops, in)
	return &ssm.StopAutomationExecutionOutput{}, nil
}

// stepSpec is one step of a scripted run.
type stepSpec struct {
	name, action string
	dur          time.Duration
	status       types.AutomationExecutionStatus
	failure      string
	// inputs are the step's resolved inputs, as the service sends them.
	inputs map[string]string
}

// script turns steps into phases: each step runs for its duration then
// takes its status; the execution then takes final.
func script(final types.AutomationExecutionStatus, failure string, specs ...stepSpec) []phase {
	var phases []phase
	var done []types.StepExecution
	var times []stepTimes
	at := time.Duration(0)
	for i, s := range specs {
		running := types.StepExecution{
			StepName:        aws.String(s.name),
			Action:          aws.String(s.action),
			StepExecutionId: aws.String(fmt.Sprintf("step-%d", i)),
			StepStatus:      types.AutomationExecutionStatusInprogress,
			Inputs:          s.inputs,
		}
		st := types.AutomationExecutionStatusInprogress
		if s.status == types.AutomationExecutionStatusWaiting || s.status == types.AutomationExecutionStatusPendingApproval {
			st = s.status
			running.StepStatus = types.AutomationExecutionStatusWaiting
		}
		phases = append(phases, phase{at: at, status: st, steps: append(slices.Clone(done), running), times: append(slices.Clone(times), stepTimes{start: at})})
		times = append(times, stepTimes{start: at, end: at + s.dur})
		at += s.dur
		ended := running
		ended.StepStatus = s.status
		if s.status == types.AutomationExecutionStatusWaiting || s.status == types.AutomationExecutionStatusPendingApproval {
			ended.StepStatus = types.AutomationExecutionStatusSuccess
		}
		if s.failure != "" {
			ended.FailureMessage = aws.String(s.failure)
			ended.FailureDetails = &types.FailureDetails{FailureStage: aws.String("Invocation"), FailureType: aws.String("Step"), Details: map[string][]string{"ExceptionMessage": {s.failure}}}
		}
		done = append(done, ended)
	}
	phases = append(phases, phase{at: at, status: final, steps: done, failure: failure, times: times})
	return phases
}

// simple is an execution running one step that ends after d with final.
func simple(d time.Duration, final types.AutomationExecutionStatus) []phase {
	return script(final, "", stepSpec{name: "run", action: "aws:sleep", dur: d, status: final})
}
