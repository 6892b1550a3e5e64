package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"single statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
		{"lists", `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":["arn:aws:iam::*:role/x"]}]}`},
		{"principal wildcard", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},
		{"principal map", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:role/r"],"CanonicalUser":"abc","Federated":"cognito-identity.amazonaws.com","Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		{"not principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"*","Resource":"*"}]}`},
		{"condition kinds", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},"NumericLessThan":{"aws:MultiFactorAuthAge":3600,"s3:max-keys":[10,"1.5e3"]},"StringEquals":{"aws:SourceAccount":["1","2"],"aws:username":"<b>&"}}}]}`},
		{"empty lists kept", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":[]}]}`},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`},
		{"unicode and escapes", "{\"Statement\":[{\"Sid\":\"x\",\"Effect\":\"Allow\",\"Action\":\"a:b\",\"Resource\":\"arn:aws:s3:::\u00e9t\u00e9/\\\"q\\\"\\\\\\n\"}]}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in))
			require.NoError(t, err, "Parse")
			out, err := p.Compact()
			require.NoError(t, err, "Compact")
			assertSameJSON(t, tt.in, string(out))
			// Parse → encode → parse gives an equal policy.
			p2, err := Parse(out)
			require.NoError(t, err, "re-Parse")
			require.Equal(t, p, p2, "round trip changed the policy")
			// The indented form parses to the same policy too.
			ind, err := p.JSON()
			require.NoError(t, err)
			p3, err := Parse(ind)
			require.NoError(t, err, "indented round trip")
			require.Equal(t, p, p3, "indented round trip")
			// encoding/json goes through MarshalJSON/UnmarshalJSON.
			var p4 Policy
			require.NoError(t, json.Unmarshal([]byte(tt.in), &p4), "json.Unmarshal")
			require.Equal(t, *p, p4, "json.Unmarshal")
			m, err := json.Marshal(p4)
			require.NoError(t, err)
			assertSameJSON(t, tt.in, string(m))
		})
	}
}

func TestEncodeNoHTMLEscape(t *testing.T) {
	p := New(Statement{Effect: Allow, Action: One("s3:GetObject"), Resource: One("arn:aws:s3:::a<b>&c/*")})
	out, err := p.Compact()
	require.NoError(t, err)
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a<b>&c/*"}]}`
	require.Equal(t, want, string(out))
}

func TestEncodeDeterministic(t *testing.T) {
	c := Conditions{}.
		Add("StringEquals", "b", Values("1")).
		Add("StringEquals", "a", Values("2")).
		Add("ArnLike", "z", Values("3", "4"))
	p := New(Statement{Effect: Allow, Action: List("a:b"), Resource: One("*"), Condition: c})
	first, err := p.JSON()
	require.NoError(t, err)
	for range 20 {
		again, _ := p.Clone().JSON()
		require.Equal(t, string(first), string(again), "encoding not deterministic")
	}
	require.Contains(t, string(first), `"ArnLike": {`, "operators not sorted")
	require.Less(t, strings.Index(string(first), "ArnLike"), strings.Index(string(first), "StringEquals"), "operators not sorted:\n%s", first)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, path, msg string
	}{
		{"not object", `[]`, "", "want an object"},
		{"unknown element", `{"Version":"2012-10-17","Statment":[]}`, "Statment", "unknown policy element"},
		{"version type", `{"Version":2012}`, "Version", "want a string, got number"},
		{"statement type", `{"Statement":"x"}`, "Statement", "want an object or a list"},
		{"statement item", `{"Statement":[{"Effect":"Allow"},3]}`, "Statement[1]", "want an object"},
		{"unknown statement element", `{"Statement":[{"Effect":"Allow","Actions":"x"}]}`, "Statement[0].Actions", "unknown statement element"},
		{"bad effect", `{"Statement":[{"Effect":"allow"}]}`, "Statement[0].Effect", `"allow" is not Allow or Deny`},
		{"action number", `{"Statement":[{"Action":["a:b",1]}]}`, "Statement[0].Action[1]", "want a string, got number"},
		{"action null", `{"Statement":[{"Action":null}]}`, "Statement[0].Action", "got null"},
		{"principal bare", `{"Statement":[{"Principal":"arn:aws:iam::1:root"}]}`, "Statement[0].Principal", `must be "*"`},
		{"principal type", `{"Statement":[{"Principal":{"Aws":"*"}}]}`, "Statement[0].Principal.Aws", "unknown principal type"},
		{"condition value object", `{"Statement":[{"Condition":{"StringEquals":{"aws:x":{}}}}]}`, `Statement[0].Condition.StringEquals["aws:x"]`, "want a string, boolean or number"},
		{"condition value null", `{"Statement":[{"Condition":{"Null":{"aws:x":[null]}}}]}`, `Statement[0].Condition.Null["aws:x"][0]`, "got null"},
		{"condition not object", `{"Statement":[{"Condition":[]}]}`, "Statement[0].Condition", "want an object of condition operators"},
		{"condition keys not object", `{"Statement":[{"Condition":{"Bool":"true"}}]}`, "Statement[0].Condition.Bool", "want an object of condition keys"},
		{"duplicate key", `{"Version":"2012-10-17","Version":"2008-10-17"}`, "Version", "duplicate key"},
		{"malformed", `{"Version":`, "Version", "malformed JSON"},
		{"trailing data", `{} {}`, "", "unexpected data after the document"},
		{"empty", ``, "", "malformed JSON"},
		{"deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), "", "nesting too deep"},
		{"too long", `{"Id":"` + strings.Repeat("x", MaxDocumentLength) + `"}`, "", "document is longer than 131072 characters"},
		{"too long multibyte", `{"Id":"` + strings.Repeat("\u00e9", MaxDocumentLength/2) + `"}` + strings.Repeat(" ", MaxDocumentLength), "", "document is longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			require.Error(t, err)
			require.ErrorIs(t, err, ErrInvalidPolicy)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			if tt.name != "deep" {
				assert.Equal(t, tt.path, de.Path, "path")
			}
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

// TestParseLengthLimit: the limit counts characters, not bytes.
func TestParseLengthLimit(t *testing.T) {
	pad := MaxDocumentLength - len(`{"Id":""}`)
	for _, tt := range []struct {
		name string
		doc  string
		ok   bool
	}{
		{"ascii at limit", `{"Id":"` + strings.Repeat("x", pad) + `"}`, true},
		{"ascii over limit", `{"Id":"` + strings.Repeat("x", pad+1) + `"}`, false},
		{"two-byte characters at limit", `{"Id":"` + strings.Repeat("\u00e9", pad) + `"}`, true},
		{"two-byte characters over limit", `{"Id":"` + strings.Repeat("\u00e9", pad+1) + `"}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidPolicy)
			require.ErrorContains(t, err, "document is longer than")
		})
	}
}

func TestManagedPoliciesRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "aws-managed-policies.json"))
	require.NoError(t, err, "reference managed policies")
	var all map[string]struct {
		Document json.RawMessage `json:"document"`
	}
	require.NoError(t, json.Unmarshal(data, &all))
	require.NotEmpty(t, all, "no policies in the reference file")
	for name, mp := range all {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(mp.Document)
			require.NoError(t, err, "Parse")
			out, err := p.JSON()
			require.NoError(t, err)
			assertSameJSON(t, string(mp.Document), string(out))
			// Unchanged to the byte, white space aside: same key order,
			// same string-or-list shapes.
			var want bytes.Buffer
			require.NoError(t, json.Compact(&want, mp.Document))
			got, _ := p.Compact()
			require.Equal(t, want.String(), string(got), "compact form differs")
		})
	}
}

// assertSameJSON compares two JSON texts as values (key order aside), with
// numbers compared by their literal text.
func assertSameJSON(t *testing.T, want, got string) {
	t.Helper()
	decode := func(s string) any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		require.NoError(t, d.Decode(&v), "decode %s", s)
		return v
	}
	require.Equal(t, decode(want), decode(got), "JSON differs:\nwant %s\ngot  %s", want, got)
}

func TestDecodeErrorPosition(t *testing.T) {
	_, err := Parse([]byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": 1}\n  ]\n}"))
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, 4, de.Line, "line")
	require.Equal(t, "Statement[0].Effect", de.Path, "path")
	// encoding/json hands null to UnmarshalJSON; it leaves the value alone.
	var holder struct {
		P Policy
		S Statement
		C Conditions
		X Strings
		R *Principal
	}
	require.NoError(t, json.Unmarshal([]byte(`{"P":null,"S":null,"C":null,"X":null,"R":null}`), &holder))
	require.ErrorContains(t, json.Unmarshal([]byte(`{"X":["a",1]}`), &holder), "[1]: want a string", "strict Strings")
}
