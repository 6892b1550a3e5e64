package runbook

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DurationBound is the worst-case wall-clock time of a run.
type DurationBound struct {
	// Bound is the longest a run can take when Unbounded is false.
	Bound time.Duration
	// Unbounded says no bound is known: a step without a documented
	// default timeout and no timeoutSeconds, a child automation that
	// cannot be resolved, or a cycle of steps.
	Unbounded bool
	// Reasons explains each step's share, one line per step, in document
	// order; when Unbounded, Cause follows as the last line.
	Reasons []string
	// Cause is the reason of the step that decides the bound: the first
	// step found without one when Unbounded, otherwise the step with the
	// largest share on the longest path.
	Cause string
}

// Exceeds reports whether a run may take longer than limit.
func (b DurationBound) Exceeds(limit time.Duration) bool { return b.Unbounded || b.Bound > limit }

func (b DurationBound) String() string {
	if b.Unbounded {
		return "unbounded"
	}
	return b.Bound.String()
}

// DurationOptions tune [Document.MaxDuration].
type DurationOptions struct {
	// ChildDocument returns the runbook an aws:executeAutomation step
	// starts, by its DocumentName. Without it, or when it reports false,
	// the child and so the run are unbounded.
	ChildDocument func(name string) (*Document, bool)
	// MaxDepth bounds nested child automations (default 8); deeper
	// nesting is reported unbounded.
	MaxDepth int
}

// Documented timeouts of the actions that have one, in seconds. An action
// without a documented default runs until it finishes unless timeoutSeconds
// bounds it.
var (
	defaultTimeouts = map[string]int{
		"aws:approve":                    7 * 24 * 3600,
		"aws:pause":                      7 * 24 * 3600,
		"aws:changeInstanceState":        3600,
		"aws:waitForAwsResourceProperty": 3600,
		"aws:assertAwsResourceProperty":  3600,
		"aws:executeScript":              MaxExecuteScriptSecs,
		"aws:invokeLambdaFunction":       MaxLambdaSecs,
	}
	maxTimeouts = map[string]int{
		"aws:pause":                MaxPauseSecs,
		"aws:executeScript":        MaxExecuteScriptSecs,
		"aws:invokeLambdaFunction": MaxLambdaSecs,
	}
	// instant actions take no time of their own.
	instant = map[string]bool{"aws:branch": true, "aws:updateVariable": true}
	// apiCallActions make one API call (aws:deleteImage a few, one per
	// snapshot) and wait for nothing: an attempt lasts as long as the call
	// and Automation's throttling retries, which last at most 3600 s, the
	// highest value of the throttling retry time limit
	// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-throttling-retry.html).
	apiCallActions = map[string]bool{"aws:executeAwsApi": true, "aws:createTags": true, "aws:deleteImage": true}
)

// APICallSecs bounds one attempt of an action in apiCallActions: 3600 s of
// throttling retries (documented maximum) plus 60 s for the calls
// themselves, a conservative allowance AWS does not document.
const APICallSecs = 3600 + 60

// MaxDuration returns the worst-case duration of a run: along the longest
// path of steps (nextStep, branches, onFailure and onCancel jumps), each
// step's timeout times its maxAttempts, with each action's documented
// default and maximum; aws:sleep's Duration; loops times their iterations
// (at most MaxIterations, default 100); child automations when
// [DurationOptions.ChildDocument] resolves them.
//
// Automation refuses runs without a service role that exceed 12 hours:
// b.Exceeds(12*time.Hour) tells whether a runbook needs one.
func (d *Document) MaxDuration(optFns ...func(*DurationOptions)) DurationBound {
	var o DurationOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = 8
	}
	e := &boundEval{opts: o, children: map[string]*childBound{}, top: true}
	dur, unb := e.steps(d.MainSteps, "mainSteps", 0)
	b := DurationBound{Reasons: e.reasons, Unbounded: unb}
	if unb {
		b.Cause = e.cause
		if b.Cause != "" {
			b.Reasons = append(b.Reasons, b.Cause)
		}
	} else {
		b.Bound, b.Cause = dur, e.heaviest
	}
	return b
}

type boundEval struct {
	opts    DurationOptions
	reasons []string
	cause   string // first reason without a bound
	// top is set until the top-level list of steps is walked, whose
	// heaviest step on the longest path is recorded.
	top      bool
	heaviest string
	// children caches child bounds by name, shared by nested evaluations,
	// so a runbook starting the same child many times costs one walk.
	children map[string]*childBound
}

type childBound struct {
	bound     time.Duration
	unbounded bool
	why       string
	done      bool // false while the child is being walked: a cycle
}

const maxDur = time.Duration(math.MaxInt64)

func addDur(a, b time.Duration) time.Duration {
	if a > maxDur-b {
		return maxDur
	}
	return a + b
}

func mulDur(a time.Duration, n int) time.Duration {
	if n <= 0 {
		return 0
	}
	if a > maxDur/time.Duration(n) {
		return maxDur
	}
	return a * time.Duration(n)
}

func secs(n int) time.Duration { return time.Duration(n) * time.Second }

func (e *boundEval) reason(path, name, format string, args ...any) {
	e.reasons = append(e.reasons, fmt.Sprintf("%s %s: ", path, name)+fmt.Sprintf(format, args...))
}

// noBound records a reason that makes the run unbounded; the first one
// found is the cause reported.
func (e *boundEval) noBound(path, name, format string, args ...any) (time.Duration, bool) {
	e.reason(path, name, format, args...)
	if e.cause == "" {
		e.cause = e.reasons[len(e.reasons)-1]
	}
	return 0, true
}

// steps returns the longest path through a list of steps.
func (e *boundEval) steps(steps []Step, path string, depth int) (time.Duration, bool) {
	if len(steps) == 0 {
		return 0, false
	}
	top := e.top
	e.top = false
	weights := make([]time.Duration, len(steps))
	lines := make([]string, len(steps))
	unbounded := false
	for i := range steps {
		w, unb := e.step(&steps[i], path+"["+strconv.Itoa(i)+"]", depth)
		weights[i] = w
		lines[i] = e.reasons[len(e.reasons)-1]
		unbounded = unbounded || unb
	}
	index := stepIndex(steps)
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(steps))
	longest := make([]time.Duration, len(steps))
	next := make([]int, len(steps)) // successor on the longest path, or -1
	var cycle []string
	var visit func(i int) time.Duration
	visit = func(i int) time.Duration {
		switch color[i] {
		case grey:
			if cycle == nil {
				cycle = []string{steps[i].Name}
			}
			return 0
		case black:
			return longest[i]
		}
		color[i] = grey
		var best time.Duration
		next[i] = -1
		for _, j := range successors(steps, i, index) {
			if l := visit(j); l > best || next[i] < 0 {
				best, next[i] = max(best, l), j
			}
		}
		color[i] = black
		longest[i] = addDur(weights[i], best)
		return longest[i]
	}
	total := visit(0)
	if cycle != nil {
		line := fmt.Sprintf("%s: steps can repeat through %s (nextStep, branch or onFailure jumps back): no bound", path, cycle[0])
		e.reasons = append(e.reasons, line)
		if e.cause == "" || !unbounded {
			// The cycle, not a step after it, is what has no bound.
			e.cause = line
		}
		return 0, true
	}
	if top && !unbounded {
		heaviest := 0
		for i, seen := 0, 0; i >= 0 && seen < len(steps); i, seen = next[i], seen+1 {
			if weights[i] > weights[heaviest] {
				heaviest = i
			}
		}
		e.heaviest = lines[heaviest]
	}
	return total, unbounded
}

// step returns one step's worst case: attempts × per-attempt bound.
func (e *boundEval) step(s *Step, path string, depth int) (time.Duration, bool) {
	action := s.Action()
	attempts, ok := stepAttempts(s)
	if !ok {
		return e.noBound(path, s.Name, "%s unbounded: maxAttempts comes from a reference", action)
	}
	timeout, hasTimeout, ok := stepTimeout(s)
	if !ok {
		return e.noBound(path, s.Name, "%s unbounded: timeoutSeconds comes from a reference", action)
	}
	switch in := s.Inputs.(type) {
	case Loop:
		return e.loop(s, in, path, depth, attempts, timeout, hasTimeout)
	case ExecuteAutomation:
		return e.child(s, in, path, depth, attempts)
	case Sleep:
		if per, why, ok := sleepBound(in, timeout, hasTimeout); ok {
			return e.times(s, path, attempts, per, why)
		}
	}
	if per, why, ok := attemptBound(s, timeout, hasTimeout); ok {
		return e.times(s, path, attempts, per, why)
	}
	if _, raw := s.Inputs.(RawInputs); raw || s.Inputs == nil {
		return e.noBound(path, s.Name, "%s unbounded: %s", action, "unknown action")
	}
	return e.noBound(path, s.Name, "%s unbounded: %s", action, "no documented default timeout; set timeoutSeconds to bound it")
}

// times records and returns attempts × per, the bound of a step.
func (e *boundEval) times(s *Step, path string, attempts int, per time.Duration, why string) (time.Duration, bool) {
	total := mulDur(per, attempts)
	if attempts > 1 {
		e.reason(path, s.Name, "%s %s × %d attempts = %s (%s)", s.Action(), per, attempts, total, why)
	} else {
		e.reason(path, s.Name, "%s %s (%s)", s.Action(), total, why)
	}
	return total, false
}

// stepAttempts returns how many times a step may run; ok is false when
// maxAttempts comes from a reference, known only at run time.
func stepAttempts(s *Step) (attempts int, ok bool) {
	if _, ok := s.verbatim("maxAttempts"); ok && s.MaxAttempts == nil {
		return 0, false
	}
	if s.MaxAttempts != nil && *s.MaxAttempts > 1 {
		return *s.MaxAttempts, true
	}
	return 1, true
}

// stepTimeout returns a step's timeoutSeconds, capped at its action's
// documented maximum. A timeout from a reference is known only when the run
// starts, so only that maximum bounds it; ok is false when there is none.
func stepTimeout(s *Step) (timeout int, has, ok bool) {
	action := s.Action()
	if _, ok := s.verbatim("timeoutSeconds"); ok && s.TimeoutSeconds == nil {
		m, capped := maxTimeouts[action]
		return m, capped, capped
	}
	if s.TimeoutSeconds != nil && *s.TimeoutSeconds > 0 {
		timeout = *s.TimeoutSeconds
		if m, ok := maxTimeouts[action]; ok && timeout > m {
			timeout = m
		}
		return timeout, true, true
	}
	return 0, false, true
}

// sleepBound returns one attempt of aws:sleep: its literal Duration, or 7
// days for a Duration from a reference, whichever the timeout shortens.
func sleepBound(in Sleep, timeout int, hasTimeout bool) (time.Duration, string, bool) {
	per, why := time.Duration(0), ""
	if dur, ok := sleepDuration(in); ok {
		per, why = dur, "sleep Duration"
	} else if d, ok := in.Duration.AsString(); ok && strings.Contains(d, "{{") {
		// 'PT{{ Minutes }}M' or '{{ Wait }}': known only at run time,
		// and aws:sleep sleeps at most 7 days.
		per, why = MaxSleep, "Duration from a reference, at most 7 days"
	} else {
		return 0, "", false
	}
	if hasTimeout && secs(timeout) < per {
		per, why = secs(timeout), "timeoutSeconds"
	}
	return per, why, true
}

// attemptBound returns one attempt of a step other than a sleep, a loop
// or a child automation: none for instant actions, else the timeout, the
// action's default timeout or the API-call allowance; ok is false when
// nothing bounds it.
func attemptBound(s *Step, timeout int, hasTimeout bool) (time.Duration, string, bool) {
	action := s.Action()
	switch def, hasDef := defaultTimeouts[action]; {
	case instant[action]:
		return 0, "no waiting", true
	case hasTimeout:
		return secs(timeout), fmt.Sprintf("timeoutSeconds %d", timeout), true
	case hasDef:
		return secs(def), fmt.Sprintf("default timeout %d s", def), true
	case apiCallActions[action]:
		return secs(APICallSecs), "one API call: throttling retries for at most 3600 s, the documented maximum, and a 60 s allowance for the call", true
	}
	return 0, "", false
}

// sleepDuration returns a literal sleep Duration.
func sleepDuration(in Sleep) (time.Duration, bool) {
	s, ok := in.Duration.AsString()
	if !ok || strings.Contains(s, "{{") {
		return 0, false
	}
	d, err := ParseISODuration(s)
	if err != nil {
		return 0, false
	}
	if d > MaxSleep {
		d = MaxSleep
	}
	return d, true
}

func (e *boundEval) loop(s *Step, in Loop, path string, depth, attempts, timeout int, hasTimeout bool) (time.Duration, bool) {
	n, why := iterationBound(in)
	body, unb := e.steps(in.Steps, path+".inputs.Steps", depth)
	per := mulDur(body, n)
	if hasTimeout && (unb || secs(timeout) < per) {
		per, unb, why = secs(timeout), false, fmt.Sprintf("timeoutSeconds %d", timeout)
	}
	if unb {
		return e.noBound(path, s.Name, "aws:loop unbounded: a step of the loop is")
	}
	total := mulDur(per, attempts)
	e.reason(path, s.Name, "aws:loop %s (%d iterations of %s; %s)%s", total, n, body, why, attemptsText(attempts))
	return total, false
}

func (e *boundEval) child(s *Step, in ExecuteAutomation, path string, depth, attempts int) (time.Duration, bool) {
	name, literal := in.DocumentName.AsString()
	switch {
	case !literal || strings.Contains(name, "{{"):
		return e.noBound(path, s.Name, "aws:executeAutomation unbounded: the child runbook comes from a reference")
	case !in.Targets.IsZero() || !in.TargetMaps.IsZero() || !in.TargetLocations.IsZero() || !in.TargetLocationsURL.IsZero():
		return e.noBound(path, s.Name, "aws:executeAutomation unbounded: rate-controlled children of %s", name)
	case e.opts.ChildDocument == nil:
		return e.noBound(path, s.Name, "aws:executeAutomation unbounded: child runbook %s is not known", name)
	case depth >= e.opts.MaxDepth:
		return e.noBound(path, s.Name, "aws:executeAutomation unbounded: child automations nest deeper than %d", e.opts.MaxDepth)
	}
	cb := e.children[name]
	if cb == nil {
		cb = &childBound{}
		e.children[name] = cb
		child, ok := e.opts.ChildDocument(name)
		if !ok || child == nil {
			cb.unbounded, cb.why = true, fmt.Sprintf("child runbook %s is not known", name)
		} else {
			sub := &boundEval{opts: e.opts, children: e.children}
			cb.bound, cb.unbounded = sub.steps(child.MainSteps, "mainSteps", depth+1)
			if cb.unbounded {
				cb.why = fmt.Sprintf("child %s is unbounded", name)
				if sub.cause != "" {
					cb.why += " (" + sub.cause + ")"
				}
			}
		}
		cb.done = true
	}
	switch {
	case !cb.done:
		return e.noBound(path, s.Name, "aws:executeAutomation unbounded: child %s starts itself again", name)
	case cb.unbounded:
		return e.noBound(path, s.Name, "aws:executeAutomation unbounded: %s", cb.why)
	}
	d := cb.bound
	// A step timeout stops waiting, not the child, so the child's own
	// bound counts in full.
	total := mulDur(d, attempts)
	e.reason(path, s.Name, "aws:executeAutomation %s (child %s takes at most %s)%s", total, name, d, attemptsText(attempts))
	return total, false
}

func attemptsText(n int) string {
	if n > 1 {
		return fmt.Sprintf(" × %d attempts", n)
	}
	return ""
}
