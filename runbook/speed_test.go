package runbook

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
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

// stepNameRE is the rule isStepName implements.
var stepNameRE = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)

func TestIsStepNameMatchesRegexp(t *testing.T) {
	inputs := []string{
		"", "a", "Z", "0", "_", "step1", "Step_Two", "___", "0123456789", "abcXYZ_09",
		" ", "a b", "a-b", "a.b", "a:b", "a\n", "\na", "a\x00", "é", "stepé", "\u017f", "\u212a", // fold to s and k
		"a$", "^a", "[a]", "a\u200b", "\xff", "a\xff", "\xc3", "\t", "`", "@", "[", "{", "/", ":",
	}
	for c := 0; c < 256; c++ {
		inputs = append(inputs, string(rune(c)), "x"+string([]byte{byte(c)}), string([]byte{byte(c)})+"_")
	}
	for _, s := range inputs {
		t.Run(strconv.Quote(s), func(t *testing.T) {
			require.Equal(t, stepNameRE.MatchString(s), isStepName(s))
		})
	}
}

func FuzzIsStepName(f *testing.F) {
	for _, s := range []string{"", "a", "step_1", "a-b", "é", "\xff", "a\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, stepNameRE.MatchString(s), isStepName(s), "isStepName(%q) against the regular expression", s)
	})
}

// TestReusedMembersLeaveInputsAlone checks that the buffer encoding,
// copying and validation reuse for members never writes into the members
// of inputs that hold their own slice.
func TestReusedMembersLeaveInputsAlone(t *testing.T) {
	raw := RawInputs{Name: "aws:custom", Inputs: []Member{{Key: "A", Value: String("a")}, {Key: "B", Value: Int(1)}}}
	want := slices.Clone(raw.Inputs)
	b := New().Parameter(StringListParameter("InstanceIds")).
		Step(NewStep("raw", raw)).
		Step(NewStep("cis", ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running"), Unknown: []Member{{Key: "X", Value: Bool(true)}}})).
		Step(NewStep("raw2", raw))
	d, r := b.build()
	require.Equal(t, want, raw.Inputs)
	out, err := d.JSON()
	require.NoError(t, err)
	require.Equal(t, want, raw.Inputs)
	back, err := Parse(out)
	require.NoError(t, err)
	require.Equal(t, r, back.Validate())
	require.Equal(t, d.CompactJSON(), back.CompactJSON())
	require.Contains(t, string(out), `"X": true`)
	require.Equal(t, 2, strings.Count(string(out), `"B": 1`))
}

func TestLazyPathMatchesPath(t *testing.T) {
	base := field.NewPath("mainSteps").Index(3)
	for _, tc := range []struct {
		name string
		lazy lazyPath
		want *field.Path
	}{
		{"base", at(base), base},
		{"root", at(nil), nil},
		{"root child", at(nil).Child("a"), field.NewPath("a")},
		{"one child", at(base).Child("inputs"), base.Child("inputs")},
		{"two children", at(base).Child("inputs").Child("X"), base.Child("inputs", "X")},
		{"three children", at(base).Child("inputs").Child("X").Child("Y"), base.Child("inputs", "X", "Y")},
		{"index", at(base).Child("inputs").Child("X").Index(2), base.Child("inputs", "X").Index(2)},
		{"two indexes", at(base).Child("i").Index(2).Index(0), base.Child("i").Index(2).Index(0)},
		{"child after index", at(base).Index(1).Child("k"), base.Index(1).Child("k")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want.String(), tc.lazy.path().String())
		})
	}
}

// TestEscapedReferenceIsChecked checks that a reference spelled with JSON
// escapes is found although its encoding holds no "{{".
func TestEscapedReferenceIsChecked(t *testing.T) {
	for _, tc := range []struct{ name, ids, want string }{
		{"plain", `"{{ Missing }}"`, `mainSteps[0].inputs.InstanceIds`},
		{"escaped braces", `"\u007b\u007b Missing }}"`, `mainSteps[0].inputs.InstanceIds`},
		{"escaped in a list", `["i-1", "\u007b{ Missing }}"]`, `mainSteps[0].inputs.InstanceIds[1]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:changeInstanceState","inputs":{"InstanceIds":` +
				tc.ids + `,"DesiredState":"running"}}]}`))
			require.NoError(t, err)
			var got []string
			for _, p := range d.Validate().Errors {
				if p.Code == CodeReference {
					got = append(got, p.Path)
				}
			}
			require.Equal(t, []string{tc.want}, got)
		})
	}
}

// wholeReferenceByParse is WholeReference as the definition says it:
// the trimmed text is one reference and nothing else.
func wholeReferenceByParse(s string) (Reference, bool) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{{") || !strings.HasSuffix(t, "}}") {
		return Reference{}, false
	}
	refs := ParseReferences(t)
	if len(refs) != 1 || refs[0].Text != t {
		return Reference{}, false
	}
	return refs[0], true
}

var referenceSamples = []string{
	"", "{{", "}}", "{{}}", "{{}", "{}}", "{{ }}", "{{}}}", "{{{}}", "{{ a }}", " {{ a }} ", "\t{{a}}\n",
	"{{ a }}{{ b }}", "{{ a }} {{ b }}", "x{{ a }}", "{{ a }}x", "{{ a }}}}", "{{ {{ a }}", "{{ a }} }}",
	"{{ s.Out }}", "{{ global:REGION }}", "{{ automation:EXECUTION_ID }}", "{{ variable:V }}", "{{ssm:/p}}",
	"{{ssm-secure:/p}}", "{{ x:y }}", "{{ .a }}", "{{ a. }}", "{{ a b }}", "{{ a\n}}", "{{ é }}",
}

func TestWholeReferenceMatchesParse(t *testing.T) {
	for _, s := range referenceSamples {
		t.Run(strconv.Quote(s), func(t *testing.T) {
			wantRef, wantOK := wholeReferenceByParse(s)
			ref, ok := WholeReference(s)
			require.Equal(t, wantOK, ok)
			require.Equal(t, wantRef, ref)
			vref, vok := String(s).Ref()
			require.Equal(t, wantOK, vok)
			require.Equal(t, wantRef, vref)
		})
	}
}

func FuzzWholeReference(f *testing.F) {
	for _, s := range referenceSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		wantRef, wantOK := wholeReferenceByParse(s)
		ref, ok := WholeReference(s)
		require.Equal(t, wantOK, ok, "WholeReference(%q) ok", s)
		require.Equal(t, wantRef, ref, "WholeReference(%q)", s)
		if s, ok := String(s).AsString(); ok {
			wantRef, wantOK = wholeReferenceByParse(s)
		}
		ref, ok = String(s).Ref()
		require.Equal(t, wantOK, ok, "Ref of %q ok", s)
		require.Equal(t, wantRef, ref, "Ref of %q", s)
	})
}
