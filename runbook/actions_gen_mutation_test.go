package runbook

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generatedInputsOf returns the zero inputs of a generated action, as the
// decoder starts them.
func generatedInputsOf(t *testing.T, spec actionSpec) settableInputs {
	t.Helper()
	in := spec.newInputs()
	_, ok := derefGenerated(in).(generatedInputs)
	require.True(t, ok, "%s is generated", spec.name)
	return in
}

// TestGeneratedMembersEmpty checks that inputs with nothing set have no
// members at all, not an empty list: the encoder writes no inputs key then.
func TestGeneratedMembersEmpty(t *testing.T) {
	for _, spec := range generatedSpecs() {
		t.Run(spec.name, func(t *testing.T) {
			in := derefGenerated(generatedInputsOf(t, spec))
			assert.Equal(t, spec.name, in.Action())
			assert.Nil(t, in.Members())
		})
	}
}

// TestGeneratedMembersOrder sets every input an action defines, then more
// unknown inputs than it defines, and checks the members come back in the
// action's order with the unknown ones last, as written.
func TestGeneratedMembersOrder(t *testing.T) {
	for _, spec := range generatedSpecs() {
		t.Run(spec.name, func(t *testing.T) {
			in := generatedInputsOf(t, spec)
			var want []Member
			for i, is := range spec.inputs {
				m := Member{Key: is.name, Value: Int(int64(i))}
				require.NoError(t, in.set(m.Key, m.Value))
				want = append(want, m)
			}
			for i := range len(spec.inputs) + 2 {
				m := Member{Key: "Extra" + strconv.Itoa(i), Value: String("x" + strconv.Itoa(i))}
				require.NoError(t, in.set(m.Key, m.Value))
				want = append(want, m)
			}
			assert.Equal(t, want, derefGenerated(in).Members())
		})
	}
}

// TestGeneratedMembersOnlyUnknown checks inputs holding only unknown
// members, more of them than the action defines.
func TestGeneratedMembersOnlyUnknown(t *testing.T) {
	for _, spec := range generatedSpecs() {
		t.Run(spec.name, func(t *testing.T) {
			in := generatedInputsOf(t, spec)
			var want []Member
			for i := range len(spec.inputs) + 1 {
				m := Member{Key: "Extra" + strconv.Itoa(i), Value: Bool(i%2 == 0)}
				require.NoError(t, in.set(m.Key, m.Value))
				want = append(want, m)
			}
			assert.Equal(t, want, derefGenerated(in).Members())
		})
	}
}

// TestGeneratedMembersOneKnown checks inputs with one defined input set
// and nothing else.
func TestGeneratedMembersOneKnown(t *testing.T) {
	for _, spec := range generatedSpecs() {
		if len(spec.inputs) == 0 {
			continue
		}
		t.Run(spec.name, func(t *testing.T) {
			in := generatedInputsOf(t, spec)
			last := spec.inputs[len(spec.inputs)-1].name
			require.NoError(t, in.set(last, String("v")))
			assert.Equal(t, []Member{{Key: last, Value: String("v")}}, derefGenerated(in).Members())
		})
	}
}

// TestGeneratedUnknownThroughBuilder builds a document from inputs whose
// unknown members repeat a key or name a defined input: the document must
// hold what decoding its encoding gives, which keeps the last of repeated
// keys and moves a defined input's key into its field.
func TestGeneratedUnknownThroughBuilder(t *testing.T) {
	for _, spec := range generatedSpecs() {
		t.Run(spec.name, func(t *testing.T) {
			t.Run("repeated", func(t *testing.T) {
				in := generatedInputsOf(t, spec)
				require.NoError(t, in.set("Extra", String("first")))
				require.NoError(t, in.set("Extra", String("last")))
				d := New().Step(NewStep("s", derefGenerated(in))).Document()
				require.Len(t, d.MainSteps, 1)
				assert.Equal(t, []Member{{Key: "Extra", Value: String("last")}}, d.MainSteps[0].Inputs.Members())
				back, err := ParseJSON(d.CompactJSON())
				require.NoError(t, err)
				assert.Equal(t, back.MainSteps[0].Inputs, d.MainSteps[0].Inputs)
			})
			if len(spec.inputs) == 0 {
				return
			}
			t.Run("defined key", func(t *testing.T) {
				name := spec.inputs[0].name
				in := generatedInputsOf(t, spec)
				require.NoError(t, in.set(name, String("v")))
				typed := derefGenerated(in)
				unknown := derefGenerated(generatedInputsOf(t, spec))
				// The same member, held as unknown rather than in its field.
				unknown = withUnknown(t, unknown, []Member{{Key: name, Value: String("v")}})
				d := New().Step(NewStep("s", unknown)).Document()
				require.Len(t, d.MainSteps, 1)
				assert.Equal(t, typed, d.MainSteps[0].Inputs)
			})
		})
	}
}

// withUnknown returns generated inputs with their Unknown field set to ms.
// It reaches the field by reflection, test-only, so that an action added
// to the generator is covered without a new case here.
func withUnknown(t *testing.T, in Inputs, ms []Member) Inputs {
	t.Helper()
	v := reflect.New(reflect.TypeOf(in)).Elem()
	v.Set(reflect.ValueOf(in))
	f := v.FieldByName("Unknown")
	if !f.IsValid() || f.Type() != reflect.TypeOf(ms) {
		require.Failf(t, "not a generated action", "%T", in)
		return nil
	}
	f.Set(reflect.ValueOf(ms))
	return v.Interface().(Inputs)
}

// TestGeneratedKnownOnlyThroughBuilder checks inputs without unknown
// members come through the builder unchanged.
func TestGeneratedKnownOnlyThroughBuilder(t *testing.T) {
	for _, spec := range generatedSpecs() {
		if len(spec.inputs) == 0 {
			continue
		}
		t.Run(spec.name, func(t *testing.T) {
			in := generatedInputsOf(t, spec)
			for _, is := range spec.inputs {
				require.NoError(t, in.set(is.name, String(is.name)))
			}
			want := derefGenerated(in)
			d := New().Step(NewStep("s", want)).Document()
			require.Len(t, d.MainSteps, 1)
			assert.Equal(t, want, d.MainSteps[0].Inputs)
		})
	}
}
