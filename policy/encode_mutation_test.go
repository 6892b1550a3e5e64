package policy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEncodeIndented: JSON indents by two spaces and ends with a newline.
func TestEncodeIndented(t *testing.T) {
	p := New(Statement{Effect: Allow, Action: One("ssm:StartAutomationExecution"), Resource: List("*")})
	got, err := p.JSON()
	require.NoError(t, err)
	want := "{\n" +
		"  \"Version\": \"2012-10-17\",\n" +
		"  \"Statement\": [\n" +
		"    {\n" +
		"      \"Effect\": \"Allow\",\n" +
		"      \"Action\": \"ssm:StartAutomationExecution\",\n" +
		"      \"Resource\": [\n" +
		"        \"*\"\n" +
		"      ]\n" +
		"    }\n" +
		"  ]\n" +
		"}\n"
	assert.Equal(t, want, string(got))
}

// TestEncodePolicyElements pins the element order (Version, Id, Statement),
// the separators, omitted empty elements and the single-statement form.
func TestEncodePolicyElements(t *testing.T) {
	single := func(n int) *Policy {
		p := &Policy{Version: "2012-10-17"}
		for range n {
			p.Statement = append(p.Statement, Statement{Effect: Deny})
		}
		p.SetSingleStatement(true)
		return p
	}
	tests := []struct {
		name string
		p    *Policy
		want string
	}{
		{"nil", nil, `null`},
		{"empty", &Policy{}, `{}`},
		{"id only", &Policy{Id: "x"}, `{"Id":"x"}`},
		{"id and statements", &Policy{Id: "x", Statement: []Statement{}}, `{"Id":"x","Statement":[]}`},
		{"statements only", &Policy{Statement: []Statement{{}}}, `{"Statement":[{}]}`},
		{"all", &Policy{Id: "i", Version: "v", Statement: []Statement{{Sid: "a"}, {Sid: "b"}, {Sid: "c"}}}, `{"Version":"v","Id":"i","Statement":[{"Sid":"a"},{"Sid":"b"},{"Sid":"c"}]}`},
		{"single statement", single(1), `{"Version":"2012-10-17","Statement":{"Effect":"Deny"}}`},
		{"single flag with two statements", single(2), `{"Version":"2012-10-17","Statement":[{"Effect":"Deny"},{"Effect":"Deny"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Compact()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.want, tt.p.String())
			if tt.p != nil {
				m, err := json.Marshal(*tt.p)
				require.NoError(t, err)
				assert.Equal(t, tt.want, string(m))
			}
		})
	}
}

func TestEncodeStatementElements(t *testing.T) {
	tests := []struct {
		name string
		s    Statement
		want string
	}{
		{"empty", Statement{}, `{}`},
		{"effect only", Statement{Effect: Allow}, `{"Effect":"Allow"}`},
		{"every element in order", Statement{
			Condition:    Conditions{"Bool": {"aws:SecureTransport": ConditionValues{Values: []Value{BoolValue(true)}, Scalar: true}}},
			NotResource:  One("nr"),
			Resource:     One("r"),
			NotAction:    One("na"),
			Action:       One("a"),
			NotPrincipal: &Principal{AWS: One("np")},
			Principal:    &Principal{Service: One("p")},
			Effect:       Deny,
			Sid:          "S",
		}, `{"Sid":"S","Effect":"Deny","Principal":{"Service":"p"},"NotPrincipal":{"AWS":"np"},"Action":"a","NotAction":"na","Resource":"r","NotResource":"nr","Condition":{"Bool":{"aws:SecureTransport":true}}}`},
		{"empty list kept, zero omitted", Statement{Action: Strings{Values: []string{}}, Resource: Strings{}}, `{"Action":[]}`},
		{"empty condition kept", Statement{NotAction: List("x"), Condition: Conditions{}}, `{"NotAction":["x"],"Condition":{}}`},
		{"not principal first", Statement{NotPrincipal: AnyPrincipal(), NotResource: List("a", "b")}, `{"NotPrincipal":"*","NotResource":["a","b"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.s)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			got, err = tt.s.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestEncodeStringsShape(t *testing.T) {
	tests := []struct {
		name string
		s    Strings
		want string
	}{
		{"scalar", One("a"), `"a"`},
		{"list of one", List("a"), `["a"]`},
		{"list", List("a", "b", "c"), `["a","b","c"]`},
		{"scalar flag with two values", Strings{Values: []string{"a", "b"}, Scalar: true}, `["a","b"]`},
		{"scalar flag with none", Strings{Values: []string{}, Scalar: true}, `[]`},
		{"empty", Strings{Values: []string{}}, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestEncodePrincipalShape(t *testing.T) {
	tests := []struct {
		name string
		p    Principal
		want string
	}{
		{"wildcard", Principal{Wildcard: true, AWS: One("ignored")}, `"*"`},
		{"empty", Principal{}, `{}`},
		{"one type", Principal{Federated: One("f")}, `{"Federated":"f"}`},
		{"fixed order", Principal{Service: List("s"), Federated: One("f"), CanonicalUser: One("c"), AWS: List("a", "b")}, `{"AWS":["a","b"],"CanonicalUser":"c","Federated":"f","Service":["s"]}`},
		{"gap", Principal{CanonicalUser: One("c"), Service: One("s")}, `{"CanonicalUser":"c","Service":"s"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestEncodeConditionsShape(t *testing.T) {
	cv := func(scalar bool, vals ...Value) ConditionValues {
		return ConditionValues{Values: vals, Scalar: scalar}
	}
	tests := []struct {
		name string
		c    Conditions
		want string
	}{
		{"empty", Conditions{}, `{}`},
		{"operator without keys", Conditions{"Null": {}}, `{"Null":{}}`},
		{"sorted", Conditions{
			"StringLike":    {"b": cv(true, StringValue("2")), "a": cv(true, StringValue("1"))},
			"ArnEquals":     {"k": cv(false, StringValue("x"))},
			"NumericEquals": {"n": cv(false, NumberValue("1"), NumberValue("2.5e3"), NumberValue("-0"))},
		}, `{"ArnEquals":{"k":["x"]},"NumericEquals":{"n":[1,2.5e3,-0]},"StringLike":{"a":"1","b":"2"}}`},
		{"kinds", Conditions{"Bool": {"t": cv(true, BoolValue(true)), "f": cv(false, BoolValue(false)), "s": cv(true, StringValue("true"))}}, `{"Bool":{"f":[false],"s":"true","t":true}}`},
		{"scalar flag with two values", Conditions{"X": {"k": cv(true, StringValue("a"), StringValue("b"))}}, `{"X":{"k":["a","b"]}}`},
		{"no values", Conditions{"X": {"k": cv(true)}}, `{"X":{"k":[]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// TestEncodeInvalidValue: a value that cannot be written as the JSON its
// kind names is an error naming where it is, never silently changed output.
func TestEncodeInvalidValue(t *testing.T) {
	tests := []struct {
		name string
		c    Conditions
		msg  string
	}{
		{"bool text", Conditions{"Bool": {"k": {Values: []Value{{Kind: KindBool, Text: "yes"}}, Scalar: true}}}, `.Bool["k"]: boolean value "yes" is not true or false`},
		{"bool in list", Conditions{"Bool": {"k": {Values: []Value{BoolValue(true), {Kind: KindBool, Text: "True"}}}}}, `.Bool["k"][1]: boolean value "True" is not true or false`},
		{"number text", Conditions{"NumericEquals": {"k": {Values: []Value{NumberValue("1"), NumberValue("1.")}}}}, `.NumericEquals["k"][1]: number value "1." is not a JSON number`},
		{"empty number", Conditions{"NumericEquals": {"k": {Values: []Value{NumberValue("")}, Scalar: true}}}, `.NumericEquals["k"]: number value "" is not a JSON number`},
		{"unknown kind", Conditions{"X": {"k": {Values: []Value{{Kind: 9, Text: "a"}}, Scalar: true}}}, `.X["k"]: unknown value kind 9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.MarshalJSON()
			require.EqualError(t, err, tt.msg)

			_, err = Statement{Effect: Allow, Condition: tt.c}.MarshalJSON()
			require.EqualError(t, err, "condition"+tt.msg)

			p := New(Statement{Effect: Allow}, Statement{Effect: Deny, Condition: tt.c})
			_, err = p.Compact()
			require.EqualError(t, err, "policy: Statement[1]: condition"+tt.msg)
			_, err = p.JSON()
			require.EqualError(t, err, "policy: Statement[1]: condition"+tt.msg)
			assert.Equal(t, "<invalid policy: policy: Statement[1]: condition"+tt.msg+">", p.String())
			_, err = json.Marshal(p)
			require.ErrorContains(t, err, "policy: Statement[1]: condition"+tt.msg)

			one := New(Statement{Effect: Deny, Condition: tt.c})
			one.SetSingleStatement(true)
			_, err = one.Compact()
			require.EqualError(t, err, "policy: Statement: condition"+tt.msg)
		})
	}
}

func TestEncodeNumberLiteral(t *testing.T) {
	for _, tt := range []struct {
		text string
		ok   bool
	}{
		{"0", true},
		{"-1", true},
		{"1.5", true},
		{"1e-7", true},
		{"2.5E+3", true},
		{"", false},
		{" 1", false},
		{"1 ", false},
		{`"1"`, false},
		{"01", false},
		{"+1", false},
		{".5", false},
		{"1e", false},
		{"NaN", false},
		{"0x10", false},
		{"1,2", false},
	} {
		t.Run(tt.text, func(t *testing.T) {
			got, err := Conditions{"N": {"k": {Values: []Value{NumberValue(tt.text)}, Scalar: true}}}.MarshalJSON()
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, `{"N":{"k":`+tt.text+`}}`, string(got))
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "is not a JSON number")
		})
	}
}

// TestEncodeStringEscapes: strings are escaped as encoding/json does with
// HTML escaping off: quotes, backslashes and control characters are
// escaped, '<', '>' and '&' are not, invalid UTF-8 becomes U+FFFD, and the
// line and paragraph separators are escaped so the output is valid
// JavaScript too.
func TestEncodeStringEscapes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", `"abc"`},
		{"empty", "", `""`},
		{"space and tilde", " ~", `" ~"`},
		{"delete is not a control character", "\x7f", "\"\x7f\""},
		{"html", "<a&b>", `"<a&b>"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"newline return tab", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"nul", "\x00", `"\u0000"`},
		{"low controls", "a\x01\x0b\x0c\x1fz", `"a\u0001\u000b\u000c\u001fz"`},
		{"unit separator last", "x\x1f", `"x\u001f"`},
		{"multibyte kept", "été 日本 \U0001F600", "\"été 日本 \U0001F600\""},
		{"replacement character kept", "a\uFFFDb", "\"a\uFFFDb\""},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"continuation byte", "\x80", `"\ufffd"`},
		{"truncated sequence", "é\xc3", "\"é\\ufffd\""},
		{"line separator", "a\u2028b", `"a\u2028b"`},
		{"paragraph separator", "a\u2029b", `"a\u2029b"`},
		{"separators in a row", "\u2028\u2029", `"\u2028\u2029"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := One(tt.in).MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			// encoding/json reads back the same text, invalid bytes aside.
			var back string
			require.NoError(t, json.Unmarshal(got, &back))
			want, err := json.Marshal(tt.in)
			require.NoError(t, err)
			var ref string
			require.NoError(t, json.Unmarshal(want, &ref))
			assert.Equal(t, ref, back)
		})
	}
}
