package policy

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeErr parses doc and returns its DecodeError, failing if there is none.
func decodeErr(t *testing.T, doc string) *DecodeError {
	t.Helper()
	_, err := Parse([]byte(doc))
	require.ErrorIs(t, err, ErrInvalidPolicy)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	return de
}

func TestDecodeErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  DecodeError
		want string
	}{
		{"whole document", DecodeError{Msg: "malformed JSON: unexpected EOF", Line: 1, Column: 1}, "policy: malformed JSON: unexpected EOF (line 1, column 1)"},
		{"element", DecodeError{Path: "Statement[0].Effect", Msg: "want a string, got number", Line: 4, Column: 17}, "policy: Statement[0].Effect: want a string, got number (line 4, column 17)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

// TestDecodeErrorIs: a DecodeError is an invalid policy and nothing else.
func TestDecodeErrorIs(t *testing.T) {
	err := error(&DecodeError{Msg: "x"})
	assert.ErrorIs(t, err, ErrInvalidPolicy)
	assert.NotErrorIs(t, err, io.EOF)
	assert.NotErrorIs(t, err, errors.New("invalid policy"), "matched by identity, not by text")
}

// TestDecodeErrorLocation pins Line and Column (1-based) of the byte just
// after the offending token.
func TestDecodeErrorLocation(t *testing.T) {
	tests := []struct {
		name       string
		doc        string
		path       string
		line, col  int
		offset     int64
		msgContain string
	}{
		{"first line", `{"Version":1}`, "Version", 1, 13, 12, "want a string, got number"},
		{"second line", "{\n  \"Version\": 1\n}", "Version", 2, 15, 16, "want a string, got number"},
		{"third line after blank", "{\n\n\"Id\":true}", "Id", 3, 10, 12, "want a string, got boolean"},
		{"unknown element at its key", "{\"Version\":\"2012-10-17\",\n \"Foo\" : 1}", "Foo", 2, 7, 31, "unknown policy element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de := decodeErr(t, tt.doc)
			assert.Equal(t, tt.path, de.Path, "path")
			assert.Equal(t, tt.offset, de.Offset, "offset")
			assert.Equal(t, tt.line, de.Line, "line")
			assert.Equal(t, tt.col, de.Column, "column")
			assert.Contains(t, de.Msg, tt.msgContain)
		})
	}
}

func TestParseMalformedMessage(t *testing.T) {
	tests := []struct {
		name, doc, msg string
	}{
		// An empty document ends too early; it is not a clean end of input.
		{"empty", ``, "malformed JSON: unexpected EOF"},
		{"blank", "  \n", "malformed JSON: unexpected EOF"},
		// A syntax error keeps encoding/json's description (its start).
		{"missing colon", `{"Version" "2012-10-17"}`, "malformed JSON: invalid character '\"' after object key"},
		{"bad key", `{1:2}`, "malformed JSON: invalid character '1'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de := decodeErr(t, tt.doc)
			assert.True(t, strings.HasPrefix(de.Msg, tt.msg), "message %q", de.Msg)
			if strings.HasSuffix(tt.msg, "EOF") {
				assert.Equal(t, tt.msg, de.Msg)
			}
		})
	}
}

// TestParseNestingLimit: the root value and 64 levels of nesting below it
// are read; one more level is refused, for arrays and objects alike.
func TestParseNestingLimit(t *testing.T) {
	arrays := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	objects := func(n int) string { return strings.Repeat(`{"a":`, n) + "{}" + strings.Repeat("}", n) }
	tests := []struct {
		name, doc, path, msg string
	}{
		{"arrays at the limit", arrays(65), "", "want an object, got array"},
		{"arrays over the limit", arrays(66), strings.Repeat("[0]", 65), "nesting too deep"},
		{"objects at the limit", objects(64), "a", "unknown policy element"},
		{"objects over the limit", objects(65), strings.TrimSuffix(strings.Repeat("a.", 65), "."), "nesting too deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de := decodeErr(t, tt.doc)
			assert.Equal(t, tt.path, de.Path, "path")
			assert.Contains(t, de.Msg, tt.msg)
		})
	}
}

// TestParseLengthLimitFourByte: a document of MaxDocumentLength four-byte
// characters is within the character limit (and then fails as JSON); one
// byte more is refused on its length.
func TestParseLengthLimitFourByte(t *testing.T) {
	atLimit := strings.Repeat("\U0001F600", MaxDocumentLength)
	de := decodeErr(t, atLimit)
	assert.Contains(t, de.Msg, "malformed JSON")
	de = decodeErr(t, atLimit+" ")
	assert.Equal(t, "document is longer than 131072 characters", de.Msg)
}

// TestParseElementPath: keys made only of ASCII letters, digits and '_' are
// joined with '.', any other key (condition keys hold ':' and '/') is quoted
// in brackets.
func TestParseElementPath(t *testing.T) {
	tests := []struct{ key, path string }{
		{"a", "a"},
		{"z", "z"},
		{"A", "A"},
		{"Z", "Z"},
		{"0", "0"},
		{"9", "9"},
		{"_", "_"},
		{"azAZ09_", "azAZ09_"},
		{"", `[""]`},
		{"`", "[\"`\"]"},
		{"{", `["{"]`},
		{"@", `["@"]`},
		{"[", `["["]`},
		{"/", `["/"]`},
		{":", `[":"]`},
		{"-", `["-"]`},
		{"a b", `["a b"]`},
		{"aws:x", `["aws:x"]`},
		{"é", `["é"]`},
		{"ab-", `["ab-"]`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			k, err := json.Marshal(tt.key)
			require.NoError(t, err)
			de := decodeErr(t, `{`+string(k)+`:1}`)
			assert.Equal(t, tt.path, de.Path)
			assert.Contains(t, de.Msg, "unknown policy element")
			de = decodeErr(t, `{"Statement":{"Effect":"Allow",`+string(k)+`:1}}`)
			want := "Statement." + tt.path
			if strings.HasPrefix(tt.path, "[") {
				want = "Statement" + tt.path
			}
			assert.Equal(t, want, de.Path)
			assert.Contains(t, de.Msg, "unknown statement element")
		})
	}
}

// TestParseDuplicateKeyInList: the path of a duplicate key names the list
// index of the object that holds it.
func TestParseDuplicateKeyInList(t *testing.T) {
	de := decodeErr(t, `{"Statement":[{},{"Sid":"a"},{"Sid":"a","Sid":"b"}]}`)
	assert.Equal(t, "Statement[2].Sid", de.Path)
	assert.Equal(t, "duplicate key", de.Msg)
	de = decodeErr(t, `{"Statement":[{"Effect":"Allow","Condition":{"Bool":{"aws:SecureTransport":true,"aws:SecureTransport":false}}}]}`)
	assert.Equal(t, `Statement[0].Condition.Bool["aws:SecureTransport"]`, de.Path)
	assert.Equal(t, "duplicate key", de.Msg)
}

// TestParseElementNamesCaseSensitive: IAM element names and principal types
// are case-sensitive, so a differently cased name is unknown.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func TestParseElementNamesCaseSensitive(t *testing.T) {
	tests := []struct{ name, doc, path, msg string }{
		{"version", `{"version":"2012-10-17"}`, "version", "unknown policy element"},
		{"statement", `{"statement":[]}`, "statement", "unknown policy element"},
		{"id", `{"ID":"x"}`, "ID", "unknown policy element"},
		{"effect", `{"Statement":{"effect":"Allow"}}`, "Statement.effect", "unknown statement element"},
		{"effect value", `{"Statement":{"Effect":"DENY"}}`, "Statement.Effect", `effect "DENY" is not Allow or Deny`},
		{"principal type", `{"Statement":{"Principal":{"service":"ssm.amazonaws.com"}}}`, "Statement.Principal.service", "unknown principal type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de := decodeErr(t, tt.doc)
			assert.Equal(t, tt.path, de.Path)
			assert.Contains(t, de.Msg, tt.msg)
		})
	}
}

func TestParseIdType(t *testing.T) {
	de := decodeErr(t, `{"Id":["x"]}`)
	assert.Equal(t, "Id", de.Path)
	assert.Equal(t, "want a string, got array", de.Msg)
	p, err := Parse([]byte(`{"Id":"x","Version":"2012-10-17","Statement":[]}`))
	require.NoError(t, err)
	assert.Equal(t, "x", p.Id)
	assert.Equal(t, "2012-10-17", p.Version)
}

func TestStatementUnmarshalJSON(t *testing.T) {
	var s Statement
	require.NoError(t, json.Unmarshal([]byte(`{"Sid":"S","Effect":"Deny","Action":"s3:*","Resource":["*"]}`), &s))
	assert.Equal(t, Statement{Sid: "S", Effect: Deny, Action: One("s3:*"), Resource: List("*")}, s)

	// An invalid statement is an error with its position and leaves the
	// target unchanged.
	before := s
	err := json.Unmarshal([]byte(`{"Sid":"T","Effect":1}`), &s)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrInvalidPolicy)
	assert.Equal(t, "Effect", de.Path)
	assert.Equal(t, 1, de.Line)
	assert.Equal(t, 22, de.Column)
	assert.Equal(t, before, s)

	require.ErrorIs(t, s.UnmarshalJSON([]byte(`{"Sid":`)), ErrInvalidPolicy)
	assert.Equal(t, before, s)
	require.NoError(t, s.UnmarshalJSON([]byte(" null ")))
	assert.Equal(t, before, s)
}

func TestPrincipalUnmarshalJSON(t *testing.T) {
	var p Principal
	require.NoError(t, p.UnmarshalJSON([]byte(`{"Service":["ssm.amazonaws.com"],"AWS":"111122223333"}`)))
	assert.Equal(t, Principal{Service: List("ssm.amazonaws.com"), AWS: One("111122223333")}, p)
	before := p

	var w Principal
	require.NoError(t, w.UnmarshalJSON([]byte(`"*"`)))
	assert.Equal(t, Principal{Wildcard: true}, w)

	tests := []struct {
		name, in, path, msg string
		col                 int
	}{
		{"values not strings", `{"AWS":1}`, "AWS", "want a string or a list of strings, got number", 9},
		{"bare not wildcard", `"arn:aws:iam::1:root"`, "", `a bare principal must be "*", got "arn:aws:iam::1:root"`, 22},
		{"list", `["*"]`, "", `want "*" or an object, got array`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := before
			err := q.UnmarshalJSON([]byte(tt.in))
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.path, de.Path)
			assert.Equal(t, tt.msg, de.Msg)
			assert.Equal(t, 1, de.Line)
			assert.Equal(t, tt.col, de.Column)
			assert.Equal(t, before, q, "target changed on error")
		})
	}
	q := before
	require.ErrorIs(t, q.UnmarshalJSON([]byte(`{"AWS"`)), ErrInvalidPolicy)
	assert.Equal(t, before, q)
	require.NoError(t, q.UnmarshalJSON([]byte(`null`)))
	assert.Equal(t, before, q)
}

func TestConditionsUnmarshalJSON(t *testing.T) {
	var c Conditions
	require.NoError(t, json.Unmarshal([]byte(`{"Bool":{"aws:SecureTransport":"true"},"NumericLessThan":{"s3:max-keys":[10]}}`), &c))
	want := Conditions{
		"Bool":            {"aws:SecureTransport": ConditionValues{Values: []Value{StringValue("true")}, Scalar: true}},
		"NumericLessThan": {"s3:max-keys": ConditionValues{Values: []Value{NumberValue("10")}}},
	}
	assert.Equal(t, want, c)

	err := c.UnmarshalJSON([]byte("{\n\"Bool\": 1}"))
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "Bool", de.Path)
	assert.Equal(t, "want an object of condition keys, got number", de.Msg)
	assert.Equal(t, 2, de.Line)
	assert.Equal(t, 10, de.Column)
	assert.Equal(t, want, c, "target changed on error")

	require.ErrorIs(t, c.UnmarshalJSON([]byte(`{"Bool":{`)), ErrInvalidPolicy)
	assert.Equal(t, want, c)
	require.NoError(t, c.UnmarshalJSON([]byte(`null`)))
	assert.Equal(t, want, c)
}
