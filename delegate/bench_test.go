package delegate

import (
	"context"
	"fmt"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/stretchr/testify/require"
)

// bigRunbook has n steps acting on instances fixed by allowedValues.
func bigRunbook(n int) *runbook.Document {
	b := runbook.New().Parameter(runbook.StringListParameter("InstanceId"))
	states := []string{"stopped", "running"}
	for i := range n {
		b = b.Step(runbook.NewStep(fmt.Sprintf("step%d", i), runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String(states[i%2]),
		}))
	}
	return b.Document()
}

// BenchmarkNewPlan plans a 200-step runbook in runtime mode: derivation,
// wiring, validation and lint.
func BenchmarkNewPlan(b *testing.B) {
	doc := bigRunbook(200)
	var p *Plan
	for b.Loop() {
		var err error
		p, err = NewPlan(NewDocument("Big-Runbook", doc), Runtime, testAccount, testRegion)
		require.NoError(b, err)
	}
	b.ReportMetric(float64(len(p.Role.Permissions.Statement)), "role-statements")
	b.ReportMetric(float64(len(p.Derived.Actions())), "role-actions")
	b.ReportMetric(float64(len(p.OperatorPolicy.Statement)), "operator-statements")
}

// BenchmarkProvisionNoOp measures the steady state: a run that finds
// everything in place and only reads.
func BenchmarkProvisionNoOp(b *testing.B) {
	ctx := context.Background()
	p, err := NewPlan(NewDocument("Big-Runbook", bigRunbook(200)), Embedded, testAccount, testRegion)
	require.NoError(b, err)
	f := newFakeAWS(testAccount)
	attach := func(o *ProvisionOptions) { o.OperatorUser = "operator" }
	if _, err := Provision(ctx, f, f, p, attach); err != nil {
		b.Fatal(err)
	}
	f.calls = nil
	for b.Loop() {
		changes, err := Provision(ctx, f, f, p, attach)
		if err != nil || len(changes) > 0 {
			b.Fatal(err, changes)
		}
	}
	b.ReportMetric(float64(len(f.calls))/float64(b.N), "calls/op")
	b.ReportMetric(float64(len(f.writes()))/float64(b.N), "writes/op")
}
