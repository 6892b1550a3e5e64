package execution_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// simRun is one simulated execution: its document, its timeline and when
// it ends.
type simRun struct {
	doc    string
	phases []phase
	final  types.AutomationExecutionStatus
	end    time.Duration
}

// stepModel is how long one kind of step takes: a log-normal duration
// around median, spread by sigma, or exactly sleep when set.
type stepModel struct {
	name, action string
	median       time.Duration
	sigma        float64
	// sleep is an aws:sleep's Duration, drawn from these.
	sleeps []string
	// approval: a person decides; reject is the share rejected.
	approval bool
	reject   float64
}

// runbookModel is a document and the share of executions that run it.
type runbookModel struct {
	doc    string
	weight float64
	steps  []stepModel
}

// The workload models what an account's automations look like, not what
// suits a waiter: a restart (two instance state changes of about a
// minute), quick API-only runbooks (seconds), a stop/sleep/start
// maintenance with sleeps of 1 minute to 1 hour, a change that waits for
// a person's approval (median 15 minutes, spread over hours; 10%
// rejected) and then runs a command for minutes, an image creation
// (minutes, widely spread), and a script step. Every step but an approval
// or a sleep fails in 3% of runs, at a random point of its run; durations
// are log-normal, drawn from a seeded generator.
var workloadModels = []runbookModel{
	{doc: "AWS-RestartEC2Instance", weight: 0.25, steps: []stepModel{
		{name: "stopInstances", action: "aws:changeInstanceState", median: 45 * time.Second, sigma: 0.25},
		{name: "startInstances", action: "aws:changeInstanceState", median: 20 * time.Second, sigma: 0.25},
	}},
	{doc: "Quick-TagResources", weight: 0.20, steps: []stepModel{
		{name: "describe", action: "aws:executeAwsApi", median: time.Second, sigma: 0.5},
		{name: "tag", action: "aws:executeAwsApi", median: time.Second, sigma: 0.5},
		{name: "verify", action: "aws:assertAwsResourceProperty", median: time.Second, sigma: 0.5},
	}},
	{doc: "Maintenance-StopSleepStart", weight: 0.15, steps: []stepModel{
		{name: "stop", action: "aws:executeAwsApi", median: time.Second, sigma: 0.5},
		{name: "hold", action: "aws:sleep", sleeps: []string{"PT1M", "PT5M", "PT15M", "PT1H"}},
		{name: "start", action: "aws:executeAwsApi", median: time.Second, sigma: 0.5},
	}},
	{doc: "Change-ApprovedPatch", weight: 0.15, steps: []stepModel{
		{name: "approve", action: "aws:approve", median: 15 * time.Minute, sigma: 1.0, approval: true, reject: 0.1},
		{name: "patch", action: "aws:runCommand", median: 3 * time.Minute, sigma: 0.3},
		{name: "report", action: "aws:executeAwsApi", median: time.Second, sigma: 0.5},
	}},
	{doc: "AWS-CreateImage", weight: 0.10, steps: []stepModel{
		{name: "createImage", action: "aws:createImage", median: 6 * time.Minute, sigma: 0.4},
		{name: "tagImage", action: "aws:executeAwsApi", median: time.Second, sigma: 0.5},
	}},
	{doc: "Run-Script", weight: 0.15, steps: []stepModel{
		{name: "runScript", action: "aws:executeScript", median: 20 * time.Second, sigma: 0.6},
	}},
}

// stepFailure is the share of runs in which a (non-approval, non-sleep)
// step fails.
const stepFailure = 0.03

// workload draws n executions from workloadModels with a seeded
// generator, the same n executions for every strategy.
func workload(n int, seed uint64) []simRun {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	total := 0.0
	for _, m := range workloadModels {
		total += m.weight
	}
	runs := make([]simRun, 0, n)
	for range n {
		x := rng.Float64() * total
		m := workloadModels[len(workloadModels)-1]
		for _, c := range workloadModels {
			if x < c.weight {
				m = c
				break
			}
			x -= c.weight
		}
		runs = append(runs, drawRun(rng, m))
	}
	return runs
}

func drawRun(rng *rand.Rand, m runbookModel) simRun {
	final := types.AutomationExecutionStatusSuccess
	var specs []stepSpec
	var end time.Duration
	for _, s := range m.steps {
		spec := stepSpec{name: s.name, action: s.action, status: types.AutomationExecutionStatusSuccess}
		switch {
		case len(s.sleeps) > 0:
			d := s.sleeps[rng.IntN(len(s.sleeps))]
			spec.inputs = map[string]string{"Duration": `"` + d + `"`}
			spec.dur = isoMinutes(d)
		default:
			spec.dur = logNormal(rng, s.median, s.sigma)
		}
		switch {
		case s.approval && rng.Float64() < s.reject:
			spec.status, final = types.AutomationExecutionStatusRejected, types.AutomationExecutionStatusRejected
		case s.approval:
			spec.status = types.AutomationExecutionStatusPendingApproval
		case len(s.sleeps) == 0 && rng.Float64() < stepFailure:
			spec.dur = time.Duration(rng.Float64() * float64(spec.dur))
			spec.status, spec.failure, final = types.AutomationExecutionStatusFailed, "step failed", types.AutomationExecutionStatusFailed
		}
		spec.dur = max(spec.dur.Round(time.Millisecond), time.Millisecond)
		specs = append(specs, spec)
		end += spec.dur
		if final != types.AutomationExecutionStatusSuccess {
			break
		}
	}
	failure := ""
	if final != types.AutomationExecutionStatusSuccess {
		failure = "Step fails when it is " + string(final)
	}
	return simRun{doc: m.doc, phases: script(final, failure, specs...), final: final, end: end}
}

// logNormal draws median·e^(sigma·N(0,1)), capped at two hours.
func logNormal(rng *rand.Rand, median time.Duration, sigma float64) time.Duration {
	d := time.Duration(float64(median) * math.Exp(sigma*rng.NormFloat64()))
	return min(d, 2*time.Hour)
}

// isoMinutes reads the sleeps of the workload: PT<n>M or PT<n>H.
func isoMinutes(s string) time.Duration {
	d, err := time.ParseDuration(strings.ToLower(strings.TrimPrefix(s, "PT")))
	if err != nil {
		panic(err)
	}
	return d
}
