package execution

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// History remembers how long previous executions took, so that a waiter
// can poll when executions of the same document usually end. It must be
// safe for concurrent use: waiters sharing one History run in parallel.
type History interface {
	// Samples returns what previous executions of document took from
	// the start of their step named step (step "" means from the
	// execution's start), in any order. The caller does not keep or
	// modify the slice.
	Samples(document, step string) []Sample
	// Add records an execution that ended. A waiter calls it with the
	// output that ended its wait, which a failed execution does not
	// return.
	Add(ex *types.AutomationExecution)
}

// Sample is one past run of a step.
type Sample struct {
	// Step is how long the step ran; zero when its end is not known.
	Step time.Duration
	// Rest is the time from the step's start to the execution's end.
	Rest time.Duration
}

// DefaultHistorySize is how many samples a [MemoryHistory] keeps per
// document step when NewMemoryHistory is given no size.
const DefaultHistorySize = 64

// MemoryHistory is a [History] held in memory: the last size samples of
// each document step.
type MemoryHistory struct {
	mu      sync.Mutex
	size    int
	samples map[historyKey]*ring
}

type historyKey struct{ document, step string }

type ring struct {
	s    []Sample
	next int
}

// NewMemoryHistory returns an empty history keeping the last size samples
// of each document step ([DefaultHistorySize] when size ≤ 0).
func NewMemoryHistory(size int) *MemoryHistory {
	if size <= 0 {
		size = DefaultHistorySize
	}
	return &MemoryHistory{size: size, samples: map[historyKey]*ring{}}
}

// Samples implements [History].
func (h *MemoryHistory) Samples(document, step string) []Sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.samples[historyKey{document, step}]
	if r == nil {
		return nil
	}
	return slices.Clone(r.s)
}

// Add implements [History]: an execution without an end time or document
// name, or still in progress, is ignored; so is each step without a start
// time.
func (h *MemoryHistory) Add(ex *types.AutomationExecution) {
	if ex == nil || ex.ExecutionEndTime == nil || aws.ToString(ex.DocumentName) == "" || Classify(ex.AutomationExecutionStatus) == InProgress {
		return
	}
	doc, end := aws.ToString(ex.DocumentName), *ex.ExecutionEndTime
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := ex.ExecutionStartTime; t != nil && !t.After(end) {
		h.add(historyKey{doc, ""}, Sample{Step: end.Sub(*t), Rest: end.Sub(*t)})
	}
	for i := range ex.StepExecutions {
		s := &ex.StepExecutions[i]
		start := s.ExecutionStartTime
		if start == nil || start.After(end) {
			continue
		}
		smp := Sample{Rest: end.Sub(*start)}
		if e := s.ExecutionEndTime; e != nil && !e.Before(*start) && !e.After(end) {
			smp.Step = e.Sub(*start)
		}
		h.add(historyKey{doc, aws.ToString(s.StepName)}, smp)
	}
}

func (h *MemoryHistory) add(k historyKey, smp Sample) {
	r := h.samples[k]
	if r == nil {
		r = &ring{s: make([]Sample, 0, min(h.size, 8))}
		h.samples[k] = r
	}
	if len(r.s) < h.size {
		r.s = append(r.s, smp)
		return
	}
	r.s[r.next] = smp
	r.next = (r.next + 1) % h.size
}

// minHistory is how many past durations a step needs before they are
// trusted to place polls.
const minHistory = 3

// prediction is what is known of when an execution ends: candidate end
// times, each a time at which it is worth polling.
type prediction struct {
	// ends are the candidate end times, sorted.
	ends []time.Time
	// exact says the ends come from the runbook's structure (a sleep's
	// end, a timeout), not from history.
	exact bool
	// stepEnds are candidate end times of the current step when more
	// steps follow it, sorted: a poll there only needs to see the next
	// step start, so every stepGap suffices.
	stepEnds []time.Time
	stepGap  time.Duration
}

// predictor places polls from what is known of the execution: the
// current step's start time and inputs, the runbook, and history.
type predictor struct {
	history History
	doc     *runbook.Document
	// seen is when each step was first seen running, for steps the
	// service reports without a start time.
	seen map[string]time.Time
}

// predict returns the candidate end times of ex as seen at now. An empty
// prediction means nothing is known and the age backoff applies.
func (pr *predictor) predict(ex *types.AutomationExecution, now time.Time) prediction {
	if ex == nil || Classify(ex.AutomationExecutionStatus) != InProgress {
		return prediction{}
	}
	step, idx := runningStep(ex)
	if step == nil {
		return pr.fromHistory(ex, "", aws.ToTime(ex.ExecutionStartTime))
	}
	start := pr.stepStart(step, idx, now)
	var p prediction
	if end, ok := pr.sleepEnd(ex, step, start); ok {
		p.ends, p.exact = append(p.ends, end), true
	} else {
		p = pr.fromHistory(ex, aws.ToString(step.StepName), start)
	}
	if to, ok := pr.timeout(step); ok {
		// The step ends by its timeout at the latest.
		p.ends = append(p.ends, start.Add(to))
		slices.SortFunc(p.ends, time.Time.Compare)
	}
	return p
}

func (pr *predictor) fromHistory(ex *types.AutomationExecution, step string, start time.Time) prediction {
	if pr.history == nil || start.IsZero() {
		return prediction{}
	}
	samples := pr.history.Samples(aws.ToString(ex.DocumentName), step)
	if len(samples) < minHistory {
		return prediction{}
	}
	// When the execution ended soon after the step, its end is the
	// candidate. Otherwise the step's end is: the next poll sees the next
	// step's start, a better anchor, and it can come as late as half the
	// shortest time the later steps took.
	var p prediction
	for _, smp := range samples {
		if after := smp.Rest - smp.Step; smp.Step <= 0 || after <= predictedGap {
			p.ends = append(p.ends, start.Add(smp.Rest))
			continue
		} else if p.stepGap == 0 || after/2 < p.stepGap {
			p.stepGap = after / 2
		}
		p.stepEnds = append(p.stepEnds, start.Add(smp.Step))
	}
	slices.SortFunc(p.ends, time.Time.Compare)
	slices.SortFunc(p.stepEnds, time.Time.Compare)
	return p
}

// runningStep returns the step in progress: the service's current step
// if it is running, else the last step that is.
func runningStep(ex *types.AutomationExecution) (*types.StepExecution, int) {
	name := aws.ToString(ex.CurrentStepName)
	var last *types.StepExecution
	idx := -1
	for i := range ex.StepExecutions {
		s := &ex.StepExecutions[i]
		if Classify(s.StepStatus) != InProgress {
			continue
		}
		if name != "" && aws.ToString(s.StepName) == name {
			return s, i
		}
		last, idx = s, i
	}
	return last, idx
}

// stepStart is the step's start time from the service, else when this
// waiter first saw it running.
func (pr *predictor) stepStart(s *types.StepExecution, i int, now time.Time) time.Time {
	if t := s.ExecutionStartTime; t != nil && !t.After(now) {
		return *t
	}
	if pr.seen == nil {
		pr.seen = map[string]time.Time{}
	}
	k := stepKey(s, i)
	if t, ok := pr.seen[k]; ok {
		return t
	}
	pr.seen[k] = now
	return now
}

// sleepEnd is when an aws:sleep step ends: its start plus Duration, or its
// Timestamp, read from the step's resolved inputs or else the runbook.
func (pr *predictor) sleepEnd(ex *types.AutomationExecution, s *types.StepExecution, start time.Time) (time.Time, bool) {
	if aws.ToString(s.Action) != "aws:sleep" {
		return time.Time{}, false
	}
	if v, ok := inputString(s.Inputs, "Duration"); ok {
		if d, err := runbook.ParseISODuration(v); err == nil {
			return start.Add(d), true
		}
	}
	if v, ok := inputString(s.Inputs, "Timestamp"); ok {
		if t, err := runbook.ParseISOTimestamp(v); err == nil {
			return later(t, start), true
		}
	}
	rs := pr.runbookStep(aws.ToString(s.StepName))
	if rs == nil {
		return time.Time{}, false
	}
	in, ok := rs.Inputs.(runbook.Sleep)
	if !ok {
		if p, isPtr := rs.Inputs.(*runbook.Sleep); isPtr && p != nil {
			in, ok = *p, true
		}
	}
	if !ok {
		return time.Time{}, false
	}
	if v, ok := resolveString(in.Duration, ex.Parameters); ok {
		if d, err := runbook.ParseISODuration(v); err == nil {
			return start.Add(d), true
		}
	}
	if v, ok := resolveString(in.Timestamp, ex.Parameters); ok {
		if t, err := runbook.ParseISOTimestamp(v); err == nil {
			return later(t, start), true
		}
	}
	return time.Time{}, false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// timeout is the step's timeoutSeconds, from the service or the runbook.
func (pr *predictor) timeout(s *types.StepExecution) (time.Duration, bool) {
	if n := aws.ToInt64(s.TimeoutSeconds); n > 0 {
		return time.Duration(n) * time.Second, true
	}
	if rs := pr.runbookStep(aws.ToString(s.StepName)); rs != nil && rs.TimeoutSeconds != nil && *rs.TimeoutSeconds > 0 {
		return time.Duration(*rs.TimeoutSeconds) * time.Second, true
	}
	return 0, false
}

func (pr *predictor) runbookStep(name string) *runbook.Step {
	if pr.doc == nil || name == "" {
		return nil
	}
	for i := range pr.doc.MainSteps {
		if pr.doc.MainSteps[i].Name == name {
			return &pr.doc.MainSteps[i]
		}
	}
	return nil
}

// inputString reads a resolved step input, which the service sends as
// JSON text ("\"PT5M\""), or as plain text.
func inputString(inputs map[string]string, key string) (string, bool) {
	raw, ok := inputs[key]
	if !ok || raw == "" {
		return "", false
	}
	var s string
	if json.Unmarshal([]byte(raw), &s) == nil {
		return s, true
	}
	if u, err := strconv.Unquote(raw); err == nil {
		return u, true
	}
	return raw, true
}

// resolveString returns a runbook string, a whole {{ Parameter }}
// reference taking the execution's parameter value.
func resolveString(v runbook.Value, params map[string][]string) (string, bool) {
	s, ok := v.AsString()
	if !ok || s == "" {
		return "", false
	}
	ref, isRef := runbook.WholeReference(s)
	if !isRef {
		return s, len(runbook.ParseReferences(s)) == 0
	}
	if ref.Kind != runbook.RefParameter || len(params[ref.Name]) != 1 {
		return "", false
	}
	return params[ref.Name][0], true
}
