package runbook

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var referenceNames = []string{"", "InstanceIds", "a.b", "with space", `quote"`, `back\slash`, "tab\t", "é", "\u2028", "\xff", "\xc3", "<&>"}

// TestReferenceConstructorsMatchString checks that the constructors that
// write a reference in one allocation give String of the joined text.
func TestReferenceConstructorsMatchString(t *testing.T) {
	for _, a := range referenceNames {
		for _, b := range referenceNames {
			t.Run(strconv.Quote(a)+"/"+strconv.Quote(b), func(t *testing.T) {
				checkReferenceConstructors(t, a, b)
			})
		}
	}
}

func checkReferenceConstructors(t *testing.T, a, b string) {
	t.Helper()
	require.Equal(t, String("{{ "+a+" }}"), Param(a))
	require.Equal(t, String("{{ "+a+"."+b+" }}"), StepOutput(a, b))
	require.Equal(t, String("{{ global:"+a+" }}"), Global(a))
	require.Equal(t, String("{{ automation:"+a+" }}"), Automation(a))
	require.Equal(t, String("{{ variable:"+a+" }}"), Var(a))
	require.Equal(t, mustMarshalSlow(a), String(a).raw)
}

func FuzzReferenceConstructors(f *testing.F) {
	for _, s := range referenceNames {
		f.Add(s, "Out")
	}
	f.Fuzz(checkReferenceConstructors)
}

// TestValueConstructorAllocations checks that the values a builder makes
// for every step cost one allocation each.
func TestValueConstructorAllocations(t *testing.T) {
	name, out := "InstanceIds", "Ids"
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"String", func() { _ = String("a string longer than the first growth step") }},
		{"Param", func() { _ = Param(name) }},
		{"StepOutput", func() { _ = StepOutput(name, out) }},
		{"Global", func() { _ = Global(name) }},
		{"Var", func() { _ = Var(name) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, 1.0, testing.AllocsPerRun(100, tc.fn))
		})
	}
}

// TestPlainStringMatchesAsString checks that plainString, where it
// answers, gives AsString's string.
func TestPlainStringMatchesAsString(t *testing.T) {
	for _, raw := range []string{`"running"`, `""`, `"{{ P }}"`, `"a\"b"`, `"\u0041"`, `"é"`, "\"\xff\"", `"\\"`, `1`, `["x"]`, `{"a":"b"}`, `"unterminated`, `"a" `} {
		t.Run(raw, func(t *testing.T) {
			v := Value{raw: []byte(raw)}
			inner, ok := v.plainString()
			s, isStr := v.AsString()
			if ok {
				require.True(t, isStr)
				require.Equal(t, s, string(inner))
			}
			require.Equal(t, raw == `"running"` || raw == `""` || raw == `"{{ P }}"` || raw == `"é"`, ok)
		})
	}
}

// TestValidateAllocationsPerStep checks that validating a plain step
// allocates no more than the text of a reference it holds.
func TestValidateAllocationsPerStep(t *testing.T) {
	doc := func(n int) *Document {
		b := New().Parameter(StringListParameter("InstanceIds"))
		for i := range n {
			b = b.Step(NewStep("s"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}))
		}
		return b.Document()
	}
	small, large := doc(100), doc(200)
	perStep := (testing.AllocsPerRun(20, func() { large.Validate() }) - testing.AllocsPerRun(20, func() { small.Validate() })) / 100
	// The text of its InstanceIds reference; its path lives in its record.
	require.LessOrEqual(t, perStep, 1.0)
}

// TestWholeReferenceIsTheOnlyOne checks what checkInputs relies on to
// parse a whole reference once: its string holds no other reference.
func TestWholeReferenceIsTheOnlyOne(t *testing.T) {
	for _, s := range referenceSamples {
		t.Run(strconv.Quote(s), func(t *testing.T) {
			ref, ok := WholeReference(s)
			if !ok {
				return
			}
			require.Equal(t, []Reference{ref}, ParseReferences(s))
		})
	}
}

// TestAppendIndentedDeep checks indentation deeper than one run of
// spaces.
func TestAppendIndentedDeep(t *testing.T) {
	for _, depth := range []int{31, 32, 33, 70} {
		src := strings.Repeat(`{"a":[`, depth) + `"x\"y"` + strings.Repeat(`]}`, depth)
		t.Run(strconv.Itoa(depth), func(t *testing.T) { checkIndentedLikeEncodingJSON(t, []byte(src)) })
	}
}
