//go:build !race

// The race detector drops pooled buffers at random, so these counts hold
// only without it.

package runbook

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMembersSmallObjectsNeedNoMap checks that an object of up to 16 keys,
// as steps and inputs are, is checked for repeated keys without a map: it
// costs at most its keys' strings.
func TestMembersSmallObjectsNeedNoMap(t *testing.T) {
	for _, n := range []int{1, 2, 15, 16} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			raw := []byte(manyKeys(n))
			fn := func(string, json.RawMessage) error { return nil }
			require.NoError(t, members(raw, "p", fn))
			assert.LessOrEqual(t, testing.AllocsPerRun(20, func() { _ = members(raw, "p", fn) }), float64(n))
		})
	}
}

// TestJSONAllocations checks that JSON writes into a pooled buffer and
// indents inputs in the same pass: its allocations do not grow with the
// steps, and a small document costs only its result.
func TestJSONAllocations(t *testing.T) {
	doc := func(n int) *Document {
		b := New().Parameter(StringListParameter("InstanceIds"))
		for i := range n {
			b = b.Step(NewStep("s"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}))
		}
		return b.Document()
	}
	small, large := doc(50), doc(100)
	encode := func(d *Document) func() {
		return func() {
			_, err := d.JSON()
			require.NoError(t, err)
		}
	}
	assert.Equal(t, testing.AllocsPerRun(20, encode(small)), testing.AllocsPerRun(20, encode(large)))

	// Up to 16 inputs are indented as they are written, without the
	// intermediate map appendMap builds for more.
	for _, n := range []int{1, 16} {
		var ms []Member
		for i := range n {
			ms = append(ms, Member{Key: "K" + strconv.Itoa(i), Value: Int(int64(i))})
		}
		tiny := &Document{MainSteps: []Step{{Name: "a", Inputs: RawInputs{Name: "aws:x", Inputs: ms}}}}
		assert.Equal(t, 1.0, testing.AllocsPerRun(20, encode(tiny)), "%d inputs", n)
	}
}
