package runbook

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMaxDurationEdges holds the bound at the edges of each rule: a
// timeout equal to what it caps, a saturating product or sum, a loop
// without iterations, and values known only at run time.
func TestMaxDurationEdges(t *testing.T) {
	for _, c := range []struct {
		name      string
		steps     string
		want      time.Duration
		unbounded bool
		cause     string // prefix of Cause
	}{
		{name: "loop over no iterators", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [], Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT1M}}]}}\n",
			want: 0, cause: "mainSteps[0] l: aws:loop 0s (0 iterations"},
		{name: "attempts just below saturation", steps: "- {name: a, action: 'aws:sleep', maxAttempts: 9223372036, inputs: {Duration: PT1S}}\n",
			want: 9223372036 * time.Second},
		{name: "attempts saturate", steps: "- {name: a, action: 'aws:sleep', maxAttempts: 9223372037, inputs: {Duration: PT1S}}\n",
			want: time.Duration(math.MaxInt64)},
		{name: "sum saturates", steps: "- {name: a, action: 'aws:sleep', maxAttempts: 9223372037, inputs: {Duration: PT1S}}\n- {name: b, action: 'aws:sleep', inputs: {Duration: PT1H}}\n",
			want: time.Duration(math.MaxInt64)},
		{name: "sum just below saturation", steps: "- {name: a, action: 'aws:sleep', maxAttempts: 9223372035, inputs: {Duration: PT1S}}\n- {name: b, action: 'aws:sleep', inputs: {Duration: PT1S}}\n",
			want: 9223372036 * time.Second},
		{name: "timeoutSeconds 0 sets no timeout", steps: "- {name: a, action: 'aws:changeInstanceState', timeoutSeconds: 0, inputs: {InstanceIds: [i-1], DesiredState: stopped}}\n",
			want: time.Hour, cause: "mainSteps[0] a: aws:changeInstanceState 1h0m0s (default timeout 3600 s)"},
		{name: "timeoutSeconds from a reference capped by the action's maximum", steps: "- {name: a, action: 'aws:executeScript', timeoutSeconds: '{{ T }}', inputs: {Runtime: python3.11, Handler: h, Script: x}}\n",
			want: 10 * time.Minute},
		{name: "timeoutSeconds from a reference without a maximum", steps: "- {name: a, action: 'aws:runCommand', timeoutSeconds: '{{ T }}', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n",
			unbounded: true, cause: "mainSteps[0] a: aws:runCommand unbounded: timeoutSeconds comes from a reference"},
		{name: "no documented default", steps: "- {name: a, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n",
			unbounded: true, cause: "mainSteps[0] a: aws:runCommand unbounded: no documented default timeout"},
		{name: "unknown action", steps: "- {name: a, action: 'aws:teleport', inputs: {}}\n",
			unbounded: true, cause: "mainSteps[0] a: aws:teleport unbounded: unknown action"},
		{name: "sleep as long as its timeout", steps: "- {name: a, action: 'aws:sleep', timeoutSeconds: 60, inputs: {Duration: PT1M}}\n",
			want: time.Minute, cause: "mainSteps[0] a: aws:sleep 1m0s (sleep Duration)"},
		{name: "sleep of exactly 7 days", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: P7D}}\n",
			want: MaxSleep},
		{name: "loop as long as its timeout", steps: "- {name: l, action: 'aws:loop', timeoutSeconds: 600, inputs: {Iterators: [a], Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT10M}}]}}\n",
			want: 10 * time.Minute, cause: "mainSteps[0] l: aws:loop 10m0s (1 iterations of 10m0s; 1 iterators)"},
		{name: "loop shorter than its timeout", steps: "- {name: l, action: 'aws:loop', timeoutSeconds: 7200, inputs: {Iterators: [a], Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT10M}}]}}\n",
			want: 10 * time.Minute},
		{name: "loop longer than its timeout", steps: "- {name: l, action: 'aws:loop', timeoutSeconds: 60, inputs: {Iterators: [a], Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT10M}}]}}\n",
			want: time.Minute, cause: "mainSteps[0] l: aws:loop 1m0s (1 iterations of 10m0s; timeoutSeconds 60)"},
		{name: "loop attempts", steps: "- {name: l, action: 'aws:loop', maxAttempts: 2, inputs: {Iterators: [a], Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT10M}}]}}\n",
			want: 20 * time.Minute, cause: "mainSteps[0] l: aws:loop 20m0s (1 iterations of 10m0s; 1 iterators) × 2 attempts"},
		{name: "step attempts", steps: "- {name: a, action: 'aws:sleep', maxAttempts: 3, inputs: {Duration: PT1M}}\n",
			want: 3 * time.Minute, cause: "mainSteps[0] a: aws:sleep 1m0s × 3 attempts = 3m0s (sleep Duration)"},
		{name: "one attempt", steps: "- {name: a, action: 'aws:sleep', maxAttempts: 1, inputs: {Duration: PT1M}}\n",
			want: time.Minute, cause: "mainSteps[0] a: aws:sleep 1m0s (sleep Duration)"},
		{name: "equal steps: the first is the cause", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT1H}}\n- {name: b, action: 'aws:sleep', inputs: {Duration: PT1H}}\n",
			want: 2 * time.Hour, cause: "mainSteps[0] a: aws:sleep 1h0m0s"},
		// Both ways take 2h; the first way the branch names is reported.
		{name: "equal ways: the first choice is the path", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: x, Variable: v, StringEquals: y}], Default: y}}\n- {name: x, action: 'aws:sleep', isEnd: true, inputs: {Duration: PT2H}}\n- {name: y, action: 'aws:sleep', inputs: {Duration: PT1H}}\n- {name: z, action: 'aws:sleep', inputs: {Duration: PT1H}}\n",
			want: 2 * time.Hour, cause: "mainSteps[1] x: aws:sleep 2h0m0s"},
		{name: "unbounded step before a cycle", steps: "- {name: run, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n- {name: a, action: 'aws:sleep', inputs: {Duration: PT1M}}\n- {name: b, action: 'aws:sleep', nextStep: a, inputs: {Duration: PT1M}}\n",
			unbounded: true, cause: "mainSteps[0] run: aws:runCommand unbounded"},
		{name: "cycle after bounded steps", steps: "- {name: z, action: 'aws:sleep', inputs: {Duration: PT1M}}\n- {name: a, action: 'aws:sleep', inputs: {Duration: PT1M}}\n- {name: b, action: 'aws:sleep', nextStep: a, inputs: {Duration: PT1M}}\n",
			unbounded: true, cause: "mainSteps: steps can repeat through a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n"+c.steps).MaxDuration()
			require.Equal(t, c.unbounded, b.Unbounded, "reasons: %v", b.Reasons)
			if !c.unbounded {
				assert.Equal(t, c.want, b.Bound, "reasons: %v", b.Reasons)
			}
			if c.cause != "" {
				assert.True(t, strings.HasPrefix(b.Cause, c.cause), "cause %q, want %q", b.Cause, c.cause)
			}
		})
	}
}

// TestMaxDurationChildReasons checks the explanation of a child
// automation's share: its attempts and, when unbounded, the child's own
// cause.
func TestMaxDurationChildReasons(t *testing.T) {
	docs := map[string]*Document{
		"Child": mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT2H}}\n"),
		"Slow":  mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n"),
	}
	resolver := func(o *DurationOptions) {
		o.ChildDocument = func(name string) (*Document, bool) { d, ok := docs[name]; return d, ok }
	}
	for _, c := range []struct {
		name, steps, cause string
	}{
		{"one attempt", "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Child}}\n",
			"mainSteps[0] c: aws:executeAutomation 2h0m0s (child Child takes at most 2h0m0s)"},
		{"two attempts", "- {name: c, action: 'aws:executeAutomation', maxAttempts: 2, inputs: {DocumentName: Child}}\n",
			"mainSteps[0] c: aws:executeAutomation 4h0m0s (child Child takes at most 2h0m0s) × 2 attempts"},
		{"unbounded child", "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Slow}}\n",
			"mainSteps[0] c: aws:executeAutomation unbounded: child Slow is unbounded (mainSteps[0] s: aws:runCommand unbounded: no documented default timeout; set timeoutSeconds to bound it)"},
		{"unknown child", "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Other}}\n",
			"mainSteps[0] c: aws:executeAutomation unbounded: child runbook Other is not known"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n"+c.steps).MaxDuration(resolver)
			assert.Equal(t, c.cause, b.Cause)
		})
	}
}
