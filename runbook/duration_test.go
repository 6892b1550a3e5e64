package runbook

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const twelveHours = 12 * time.Hour

func TestMaxDuration(t *testing.T) {
	child := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT2H}}\n")
	slowChild := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n")
	resolver := func(o *DurationOptions) {
		o.ChildDocument = func(name string) (*Document, bool) {
			switch name {
			case "Child":
				return child, true
			case "Slow":
				return slowChild, true
			}
			return nil, false
		}
	}
	cases := []struct {
		name      string
		steps     string
		opts      []func(*DurationOptions)
		want      time.Duration
		unbounded bool
		exceeds   bool // Exceeds(12h)
	}{
		{name: "seed restart demo", steps: "- {name: stop, action: 'aws:changeInstanceState', inputs: {InstanceIds: [i-1], DesiredState: stopped}}\n- {name: start, action: 'aws:changeInstanceState', inputs: {InstanceIds: [i-1], DesiredState: running}}\n",
			want: 2 * time.Hour},
		{name: "exactly 12 hours", steps: "- {name: a, action: 'aws:changeInstanceState', timeoutSeconds: 43200, inputs: {InstanceIds: [i-1], DesiredState: stopped}}\n", want: twelveHours},
		{name: "one second over", steps: "- {name: a, action: 'aws:changeInstanceState', timeoutSeconds: 43201, inputs: {InstanceIds: [i-1], DesiredState: stopped}}\n", want: twelveHours + time.Second, exceeds: true},
		{name: "attempts multiply", steps: "- {name: a, action: 'aws:runCommand', maxAttempts: 3, timeoutSeconds: 14400, inputs: {DocumentName: d, InstanceIds: [i-1]}}\n", want: twelveHours},
		{name: "attempts push over", steps: "- {name: a, action: 'aws:runCommand', maxAttempts: 4, timeoutSeconds: 14400, inputs: {DocumentName: d, InstanceIds: [i-1]}}\n", want: 16 * time.Hour, exceeds: true},
		{name: "sleep 12 hours", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT12H}}\n", want: twelveHours},
		{name: "sleep 12 hours and a branch", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT12H}}\n- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: c, Variable: x, StringEquals: y}], Default: c}}\n- {name: c, action: 'aws:updateVariable', inputs: {Name: 'variable:V', Value: 1}}\n", want: twelveHours},
		{name: "sleep capped by timeout", steps: "- {name: a, action: 'aws:sleep', timeoutSeconds: 60, inputs: {Duration: PT12H}}\n", want: time.Minute},
		{name: "sleep from a reference", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: '{{ Wait }}'}}\n", want: MaxSleep, exceeds: true},
		{name: "sleep until a timestamp", steps: "- {name: a, action: 'aws:sleep', inputs: {Timestamp: '2030-01-01T00:00:00Z'}}\n", unbounded: true, exceeds: true},
		{name: "approve default 7 days", steps: "- {name: a, action: 'aws:approve', inputs: {Approvers: [u]}}\n", want: 7 * 24 * time.Hour, exceeds: true},
		{name: "approve with timeout", steps: "- {name: a, action: 'aws:approve', timeoutSeconds: 3600, inputs: {Approvers: [u]}}\n", want: time.Hour},
		{name: "pause default 7 days", steps: "- {name: a, action: 'aws:pause', inputs: {}}\n", want: 7 * 24 * time.Hour, exceeds: true},
		{name: "wait default 1 hour", steps: "- {name: a, action: 'aws:waitForAwsResourceProperty', inputs: {Service: ec2, Api: DescribeImages, PropertySelector: $.x, DesiredValues: [a]}}\n", want: time.Hour},
		{name: "lambda capped at 300 s", steps: "- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: 600, inputs: {FunctionName: f}}\n", want: 5 * time.Minute},
		{name: "script default 600 s", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Script: x}}\n", want: 10 * time.Minute},
		{name: "no documented default", steps: "- {name: a, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n", unbounded: true, exceeds: true},
		{name: "unknown action", steps: "- {name: a, action: 'aws:teleport', inputs: {}}\n", unbounded: true, exceeds: true},
		{name: "longest branch counts", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: long, Variable: x, StringEquals: y}], Default: short}}\n- {name: short, action: 'aws:sleep', isEnd: true, inputs: {Duration: PT1H}}\n- {name: long, action: 'aws:sleep', inputs: {Duration: PT5H}}\n",
			want: 5 * time.Hour},
		{name: "onFailure path counts", steps: "- {name: a, action: 'aws:sleep', isEnd: true, onFailure: 'step:b', inputs: {Duration: PT1H}}\n- {name: b, action: 'aws:sleep', inputs: {Duration: PT3H}}\n", want: 4 * time.Hour},
		{name: "isEnd stops", steps: "- {name: a, action: 'aws:sleep', isEnd: true, inputs: {Duration: PT1H}}\n- {name: b, action: 'aws:sleep', inputs: {Duration: PT3H}}\n", want: time.Hour},
		{name: "cycle is unbounded", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT1M}}\n- {name: b, action: 'aws:sleep', nextStep: a, inputs: {Duration: PT1M}}\n", unbounded: true, exceeds: true},
		{name: "loop default 100 iterations", steps: "- {name: l, action: 'aws:loop', inputs: {LoopCondition: {Variable: x, StringEquals: y}, Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT1M}}]}}\n", want: 100 * time.Minute},
		{name: "loop MaxIterations", steps: "- {name: l, action: 'aws:loop', inputs: {MaxIterations: 12, LoopCondition: {Variable: x, StringEquals: y}, Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT1H}}]}}\n", want: twelveHours},
		{name: "loop over literal iterators", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a, b, c], Steps: [{name: s, action: 'aws:sleep', inputs: {Duration: PT1H}}, {name: t, action: 'aws:sleep', inputs: {Duration: PT1H}}]}}\n", want: 6 * time.Hour},
		{name: "loop with unbounded body", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: s, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}]}}\n", unbounded: true, exceeds: true},
		{name: "loop body capped by timeout", steps: "- {name: l, action: 'aws:loop', timeoutSeconds: 600, inputs: {Iterators: [a], Steps: [{name: s, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}]}}\n", want: 10 * time.Minute},
		{name: "child unknown without resolver", steps: "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Child}}\n", unbounded: true, exceeds: true},
		{name: "child resolved", steps: "- {name: c, action: 'aws:executeAutomation', maxAttempts: 2, inputs: {DocumentName: Child}}\n", opts: []func(*DurationOptions){resolver}, want: 4 * time.Hour},
		{name: "child not found", steps: "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Other}}\n", opts: []func(*DurationOptions){resolver}, unbounded: true, exceeds: true},
		{name: "child unbounded", steps: "- {name: c, action: 'aws:executeAutomation', timeoutSeconds: 60, inputs: {DocumentName: Slow}}\n", opts: []func(*DurationOptions){resolver}, unbounded: true, exceeds: true},
		{name: "rate-controlled children", steps: "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Child, TargetParameterName: Id, Targets: [{Key: 'tag:a', Values: [b]}]}}\n", opts: []func(*DurationOptions){resolver}, unbounded: true, exceeds: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n"+c.steps)
			b := doc.MaxDuration(c.opts...)
			require.Equal(t, c.unbounded, b.Unbounded, "reasons: %v", b.Reasons)
			if !c.unbounded {
				require.Equal(t, c.want, b.Bound, "reasons: %v", b.Reasons)
			}
			require.Equal(t, c.exceeds, b.Exceeds(twelveHours))
			require.NotEmpty(t, b.Reasons)
		})
	}
}

func TestMaxDurationNestedChildrenStop(t *testing.T) {
	self := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Self}}\n")
	b := self.MaxDuration(func(o *DurationOptions) {
		o.ChildDocument = func(string) (*Document, bool) { return self, true }
	})
	require.True(t, b.Unbounded)
	require.Contains(t, strings.Join(b.Reasons, "\n"), "starts itself again")

	// A chain of distinct children deeper than MaxDepth.
	chain := func(name string) (*Document, bool) {
		n, _ := strconv.Atoi(strings.TrimPrefix(name, "C"))
		return mustParse(t, fmt.Sprintf("schemaVersion: '0.3'\nmainSteps:\n- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: C%d}}\n", n+1)), true
	}
	root, _ := chain("C0")
	b = root.MaxDuration(func(o *DurationOptions) { o.ChildDocument = chain; o.MaxDepth = 3 })
	require.True(t, b.Unbounded)
	require.Contains(t, strings.Join(b.Reasons, "\n"), "nest deeper than 3")

	// Many steps starting the same child cost one walk of it.
	calls := 0
	var steps strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&steps, "- {name: c%d, action: 'aws:executeAutomation', inputs: {DocumentName: Leaf}}\n", i)
	}
	leaf := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT1M}}\n")
	b = mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n"+steps.String()).MaxDuration(func(o *DurationOptions) {
		o.ChildDocument = func(string) (*Document, bool) { calls++; return leaf, true }
	})
	require.Equal(t, 50*time.Minute, b.Bound)
	require.Equal(t, 1, calls)
}

func TestMaxDurationReasons(t *testing.T) {
	b := restartDemo().MustBuild().MaxDuration()
	require.Equal(t, []string{
		"mainSteps[0] stopInstances: aws:changeInstanceState 1h0m0s (default timeout 3600 s)",
		"mainSteps[1] startInstances: aws:changeInstanceState 1h0m0s (default timeout 3600 s)",
	}, b.Reasons)
	require.Equal(t, "2h0m0s", b.String())
}

func mustParse(t testing.TB, src string) *Document {
	t.Helper()
	d, err := Parse([]byte(src))
	require.NoError(t, err)
	return d
}
