package runbook

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// allocatedBytes returns the bytes fn allocates. Tests that use it do not
// run in parallel, so nothing else allocates meanwhile.
func allocatedBytes(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// requireLinear checks that work(4n) allocates at most six times what
// work(n) does: linear costs give four, quadratic ones sixteen.
func requireLinear(t *testing.T, n int, work func(n int)) {
	t.Helper()
	work(n) // warm up lazily built tables
	small := allocatedBytes(func() { work(n) })
	large := allocatedBytes(func() { work(4 * n) })
	require.LessOrEqual(t, float64(large)/float64(small), 6.0, "n=%d: %d bytes, 4n: %d bytes", n, small, large)
}

func TestBuildIsLinear(t *testing.T) {
	requireLinear(t, 300, func(n int) {
		b := New().Parameter(StringListParameter("InstanceIds"))
		for i := range n {
			b = b.Step(NewStep("s"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}))
		}
		d, _ := b.build()
		require.Len(t, d.MainSteps, n)
	})
}

func TestValidateIsLinear(t *testing.T) {
	table := []struct {
		name string
		step func(i int) StepBuilder
	}{
		{"valid references", func(i int) StepBuilder {
			in := ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}
			if i > 0 {
				in.InstanceIds = StepOutput("s"+strconv.Itoa(i-1), "Ids")
			}
			return NewStep("s"+strconv.Itoa(i), in).Output("Ids", "$.Ids", OutputStringList)
		}},
		{"every nextStep unknown", func(i int) StepBuilder {
			return NewStep("s"+strconv.Itoa(i), Sleep{Duration: String("PT1S")}).NextStep("missing" + strconv.Itoa(i))
		}},
		{"every branch target unknown", func(i int) StepBuilder {
			return NewStep("s"+strconv.Itoa(i), Branch{Choices: []Choice{When(Param("P"), StringEquals, String("x")).Then("nowhere")}, Default: "nowhere"})
		}},
		{"every reference to a later step", func(i int) StepBuilder {
			return NewStep("s"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: StepOutput("s"+strconv.Itoa(i+1), "Ids"), DesiredState: String("running")}).
				Output("Ids", "$.Ids", OutputStringList)
		}},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			docs := map[int]*Document{}
			for _, n := range []int{200, 800} {
				b := New().Parameter(StringListParameter("InstanceIds")).Parameter(StringParameter("P"))
				for i := range n {
					b = b.Step(tc.step(i))
				}
				docs[n] = b.Document()
			}
			requireLinear(t, 200, func(n int) { docs[n].Validate() })
		})
	}
}
