package runbook

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMaxDurationAPICallsAndReferences(t *testing.T) {
	child := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT2H}}\n")
	resolver := func(o *DurationOptions) {
		o.ChildDocument = func(string) (*Document, bool) { return child, true }
	}
	api := secs(APICallSecs)
	cases := []struct {
		name      string
		steps     string
		opts      []func(*DurationOptions)
		want      time.Duration
		unbounded bool
		exceeds   bool
	}{
		{name: "executeAwsApi bounded by the call", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances}}\n", want: api},
		{name: "createTags bounded by the call", steps: "- {name: a, action: 'aws:createTags', inputs: {ResourceIds: [i-1], Tags: [{Key: k, Value: v}]}}\n", want: api},
		{name: "deleteImage bounded by the call", steps: "- {name: a, action: 'aws:deleteImage', inputs: {ImageId: ami-1}}\n", want: api},
		{name: "API call with retries", steps: "- {name: a, action: 'aws:executeAwsApi', maxAttempts: 3, inputs: {Service: ec2, Api: DescribeInstances}}\n", want: 3 * api},
		{name: "timeoutSeconds still wins", steps: "- {name: a, action: 'aws:executeAwsApi', timeoutSeconds: 30, inputs: {Service: ec2, Api: DescribeInstances}}\n", want: 30 * time.Second},
		{name: "short API runbook fits caller mode", steps: "- {name: a, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances}}\n- {name: b, action: 'aws:createTags', inputs: {ResourceIds: [i-1], Tags: [{Key: k, Value: v}]}}\n- {name: c, action: 'aws:deleteImage', inputs: {ImageId: ami-1}}\n",
			want: 3 * api},
		{name: "sleep minutes from a reference", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: 'PT{{ Minutes }}M'}}\n", want: MaxSleep, exceeds: true},
		{name: "sleep duration from a reference", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: '{{ Wait }}'}}\n", want: MaxSleep, exceeds: true},
		{name: "sleep reference capped by timeout", steps: "- {name: a, action: 'aws:sleep', timeoutSeconds: 120, inputs: {Duration: 'PT{{ Minutes }}M'}}\n", want: 2 * time.Minute},
		{name: "maxAttempts from a reference", steps: "- {name: a, action: 'aws:sleep', maxAttempts: '{{ Attempts }}', inputs: {Duration: PT1M}}\n", unbounded: true, exceeds: true},
		{name: "maxAttempts from a reference in a loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: s, action: 'aws:sleep', maxAttempts: '{{ Attempts }}', inputs: {Duration: PT1M}}]}}\n", unbounded: true, exceeds: true},
		{name: "maxAttempts as a numeric string", steps: "- {name: a, action: 'aws:sleep', maxAttempts: '3', inputs: {Duration: PT1M}}\n", want: 3 * time.Minute},
		{name: "child over TargetMaps", steps: "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Child, TargetMaps: [{Id: [i-1]}, {Id: [i-2]}]}}\n", opts: []func(*DurationOptions){resolver}, unbounded: true, exceeds: true},
		{name: "child over TargetMaps from a reference", steps: "- {name: c, action: 'aws:executeAutomation', inputs: {DocumentName: Child, TargetMaps: '{{ Maps }}'}}\n", opts: []func(*DurationOptions){resolver}, unbounded: true, exceeds: true},
		{name: "branch without Default falls through", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: c, Variable: x, StringEquals: y}]}}\n- {name: long, action: 'aws:sleep', inputs: {Duration: PT5H}}\n- {name: c, action: 'aws:sleep', inputs: {Duration: PT1H}}\n",
			want: 6 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n"+c.steps).MaxDuration(c.opts...)
			require.Equal(t, c.unbounded, b.Unbounded, "reasons: %v", b.Reasons)
			if !c.unbounded {
				require.Equal(t, c.want, b.Bound, "reasons: %v", b.Reasons)
			}
			require.Equal(t, c.exceeds, b.Exceeds(twelveHours))
		})
	}
}

// TestMaxDurationCause checks that the explanation names the step that
// decides the bound, not the last one examined.
func TestMaxDurationCause(t *testing.T) {
	cases := []struct {
		name, steps, cause string
	}{
		{name: "unbounded step in the middle", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT1M}}\n- {name: run, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n- {name: z, action: 'aws:sleep', inputs: {Duration: PT1M}}\n",
			cause: "mainSteps[1] run: aws:runCommand unbounded"},
		{name: "first of two unbounded steps", steps: "- {name: pausing, action: 'aws:sleep', inputs: {Timestamp: '2030-01-01T00:00:00Z'}}\n- {name: run, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}\n",
			cause: "mainSteps[0] pausing: aws:sleep unbounded"},
		{name: "unbounded step inside a loop", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: inner, action: 'aws:runCommand', inputs: {DocumentName: d, InstanceIds: [i-1]}}]}}\n- {name: z, action: 'aws:sleep', inputs: {Duration: PT1M}}\n",
			cause: "mainSteps[0].inputs.Steps[0] inner: aws:runCommand unbounded"},
		{name: "cycle", steps: "- {name: a, action: 'aws:sleep', inputs: {Duration: PT1M}}\n- {name: b, action: 'aws:sleep', nextStep: a, inputs: {Duration: PT1M}}\n- {name: c, action: 'aws:sleep', inputs: {Duration: PT1M}}\n",
			cause: "mainSteps: steps can repeat through a"},
		{name: "heaviest step on the longest path", steps: "- {name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: long, Variable: x, StringEquals: y}], Default: short}}\n- {name: short, action: 'aws:sleep', isEnd: true, inputs: {Duration: PT10H}}\n- {name: long, action: 'aws:sleep', inputs: {Duration: PT9H}}\n- {name: more, action: 'aws:sleep', inputs: {Duration: PT2H}}\n- {name: last, action: 'aws:sleep', inputs: {Duration: PT1H}}\n",
			cause: "mainSteps[2] long: aws:sleep 9h0m0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n"+c.steps).MaxDuration()
			require.True(t, strings.HasPrefix(b.Cause, c.cause), "cause %q; reasons %v", b.Cause, b.Reasons)
			if b.Unbounded {
				require.Equal(t, b.Cause, b.Reasons[len(b.Reasons)-1], "the cause comes last")
			}
		})
	}
}

// TestMaxDurationCoversEveryPath generates runbooks with branches, loops,
// nextStep, isEnd and onFailure jumps and checks that the bound is at
// least the sum of the step bounds along random paths through them, and
// that a path that repeats a step makes the run unbounded.
func TestMaxDurationCoversEveryPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		src, weights, next := randomRunbook(rng)
		doc := mustParse(t, src)
		require.Empty(t, doc.Validate().Errors, src)
		b := doc.MaxDuration()
		for walk := 0; walk < 20; walk++ {
			var sum time.Duration
			seen := map[int]bool{}
			i := 0
			for i >= 0 {
				if seen[i] {
					require.True(t, b.Unbounded, "a path repeats step %d but the bound is %s:\n%s", i, b, src)
					break
				}
				seen[i] = true
				sum += weights[i]
				if len(next[i]) == 0 {
					break
				}
				i = next[i][rng.IntN(len(next[i]))]
			}
			if !b.Unbounded {
				require.GreaterOrEqual(t, b.Bound, sum, "a path takes %s, more than the bound %s:\n%s", sum, b.Bound, src)
			}
		}
	}
}

// randomRunbook returns a runbook of sleeps, instance state changes, loops
// and branches, each step's worst case and the steps that may follow it (-1 is
// the end), worked out from the Automation documentation rather than from
// the code under test.
func randomRunbook(rng *rand.Rand) (string, []time.Duration, [][]int) {
	n := 1 + rng.IntN(7)
	var b strings.Builder
	b.WriteString("schemaVersion: '0.3'\nmainSteps:\n")
	weights := make([]time.Duration, n)
	next := make([][]int, n)
	name := func(i int) string { return fmt.Sprintf("s%d", i) }
	fallthrough_ := func(i int) int {
		if i+1 < n {
			return i + 1
		}
		return -1
	}
	for i := 0; i < n; i++ {
		attempts := 1 + rng.IntN(3)
		switch rng.IntN(4) {
		case 0: // branch: a choice, and Default or the next step
			target := rng.IntN(n)
			fmt.Fprintf(&b, "- {name: %s, action: 'aws:branch', inputs: {Choices: [{NextStep: %s, Variable: x, StringEquals: y}]", name(i), name(target))
			next[i] = []int{target}
			if rng.IntN(2) == 0 {
				def := rng.IntN(n)
				fmt.Fprintf(&b, ", Default: %s", name(def))
				next[i] = append(next[i], def)
			} else {
				next[i] = append(next[i], fallthrough_(i))
			}
			b.WriteString("}}\n")
			continue
		case 1:
			minutes := 1 + rng.IntN(90)
			fmt.Fprintf(&b, "- {name: %s, action: 'aws:sleep', maxAttempts: %d, inputs: {Duration: PT%dM}", name(i), attempts, minutes)
			weights[i] = time.Duration(attempts*minutes) * time.Minute
		case 2:
			// A loop runs its steps once per iterator, one after the other.
			iterations, inner := 1+rng.IntN(4), 1+rng.IntN(3)
			items := make([]string, iterations)
			for k := range items {
				items[k] = fmt.Sprint(k)
			}
			steps := make([]string, inner)
			var pass time.Duration
			for k := range steps {
				minutes := 1 + rng.IntN(30)
				steps[k] = fmt.Sprintf("{name: %sl%d, action: 'aws:sleep', inputs: {Duration: PT%dM}}", name(i), k, minutes)
				pass += time.Duration(minutes) * time.Minute
			}
			fmt.Fprintf(&b, "- {name: %s, action: 'aws:loop', inputs: {Iterators: [%s], Steps: [%s]}",
				name(i), strings.Join(items, ", "), strings.Join(steps, ", "))
			weights[i] = time.Duration(iterations) * pass
		default:
			fmt.Fprintf(&b, "- {name: %s, action: 'aws:changeInstanceState', maxAttempts: %d, inputs: {InstanceIds: [i-1], DesiredState: stopped}", name(i), attempts)
			weights[i] = time.Duration(attempts) * time.Hour // documented default timeout
		}
		switch rng.IntN(4) {
		case 0:
			b.WriteString(", isEnd: true")
			next[i] = []int{-1}
		case 1:
			target := rng.IntN(n)
			fmt.Fprintf(&b, ", nextStep: %s", name(target))
			next[i] = []int{target}
		default:
			next[i] = []int{fallthrough_(i)}
		}
		if rng.IntN(4) == 0 {
			target := rng.IntN(n)
			fmt.Fprintf(&b, ", onFailure: 'step:%s'", name(target))
			next[i] = append(next[i], target)
		}
		b.WriteString("}\n")
	}
	return b.String(), weights, next
}
