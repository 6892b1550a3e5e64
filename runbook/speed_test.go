package runbook

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBuilderDocumentSize checks that the size the builder computes
// without a second encoding is the length of the document's compact JSON,
// which the content size quota counts.
func TestBuilderDocumentSize(t *testing.T) {
	steps := func(b Builder, n int) Builder {
		for i := range n {
			b = b.Step(NewStep("s"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}).
				TimeoutSeconds(60).Output("Ids", "$.Ids", OutputStringList))
		}
		return b
	}
	base := New().Parameter(StringListParameter("InstanceIds"))
	for _, tc := range []struct {
		name string
		b    Builder
	}{
		{"no steps", New()},
		{"no steps, parameters", base},
		{"one step", steps(New(), 1)},
		{"steps and parameters", steps(base, 3)},
		{"steps, outputs and files", steps(base, 2).Output("s0", "Ids").File("script.py", strings.Repeat("a", 64))},
		{"escaped text", base.Description("quote \" and tab \t and é").
			Step(NewStep("s", Sleep{Duration: String("PT1S")}).Description("line\nbreak \u2028"))},
		{"many steps", steps(base, 500)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, size := tc.b.document()
			require.Equal(t, len(d.CompactJSON()), size)
		})
	}
}

// TestContentSizeQuota checks the quota at its edge through the builder,
// whose size is computed, and through Validate, which encodes.
func TestContentSizeQuota(t *testing.T) {
	b := New().Parameter(StringListParameter("InstanceIds"))
	for i := 0; ; i++ {
		b = b.Step(NewStep("s"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}))
		if i < 600 && i%50 != 0 {
			continue // far below the quota: check a few
		}
		d, r := b.build()
		n := len(d.CompactJSON())
		over := false
		for _, p := range r.Errors {
			if p.Code == CodeContentSize {
				over = true
				require.Equal(t, strconv.Itoa(n)+" bytes", p.Value)
			}
		}
		require.Equal(t, n > MaxContentBytes, over, "%d bytes", n)
		require.Equal(t, d.Validate(), r)
		if over {
			return
		}
	}
}
