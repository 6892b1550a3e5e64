package ssmlocal

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/stretchr/testify/require"
)

// offsetOf turns a 1-based line and character column back into a byte
// offset of doc, or -1.
func offsetOf(doc string, p textPos) int {
	off := 0
	for line := 1; line < p.line; line++ {
		i := strings.IndexByte(doc[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	for col := 1; col < p.column; col++ {
		if off >= len(doc) {
			return -1
		}
		_, n := utf8.DecodeRuneInString(doc[off:])
		off += n
	}
	return off
}

// FuzzStatementSpans: any text is scanned without panicking, and for every
// policy that parses there is one span per statement, each from its
// opening brace to just after its closing one, holding exactly that
// statement.
func FuzzStatementSpans(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	f.Add("{\"Statement\":\n {\"Effect\":\"Deny\",\"Action\":[\"s3:*\"],\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}}")
	f.Add(`{"Id":"{[","Statement":[{"Sid":"a}","Effect":"Allow","NotAction":"s3:*","NotResource":["*"]},{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}],"Version":"2008-10-17"}`)
	f.Add(`{"Statement":[]}`)
	f.Add(`[{"Statement":[{}]}]`)
	f.Add(`{"Statement":[{"Effect":"Allow"`)
	f.Fuzz(func(t *testing.T, doc string) {
		spans := statementSpans(doc)
		p, err := policy.Parse([]byte(doc))
		if err != nil {
			return
		}
		require.Len(t, spans, len(p.Statement), "spans for statements")
		for i, sp := range spans {
			start, end := offsetOf(doc, sp.start), offsetOf(doc, sp.end)
			require.True(t, start >= 0 && end > start && end <= len(doc) && doc[start] == '{' && doc[end-1] == '}',
				"statement %d: span %+v is not an object of the text", i, sp)
			var st policy.Statement
			require.NoError(t, st.UnmarshalJSON([]byte(doc[start:end])), "statement %d: %q does not parse", i, doc[start:end])
			want, _ := p.Statement[i].MarshalJSON()
			got, _ := st.MarshalJSON()
			require.Equal(t, string(want), string(got), "statement %d: span", i)
		}
	})
}

// TestSimulatePageSize: a page evaluates at most simMaxWork statements, so
// large requests get shorter pages, never an empty one.
func TestSimulatePageSize(t *testing.T) {
	withStatements := func(n int) simPolicy {
		return simPolicy{p: &policy.Policy{Statement: make([]policy.Statement, n)}}
	}
	resources := func(n int) []string { return make([]string, n) }
	tests := []struct {
		name string
		req  simRequest
		want int
	}{
		{"small request: MaxItems", simRequest{maxItems: 100, identity: []simPolicy{withStatements(3)}}, 100},
		{"one resource is like none", simRequest{maxItems: 7, identity: []simPolicy{withStatements(3)}, resources: resources(1)}, 7},
		{"large request: shorter pages", simRequest{maxItems: 1000, identity: []simPolicy{withStatements(1023)}, resources: resources(1000)}, simMaxWork / (1000 * 1024)},
		{"every policy kind counts", simRequest{maxItems: 1000, identity: []simPolicy{withStatements(500)}, boundaries: []simPolicy{withStatements(300)},
			resource: &simPolicy{p: &policy.Policy{Statement: make([]policy.Statement, 223)}}, resources: resources(1000)}, simMaxWork / (1000 * 1024)},
		{"never empty", simRequest{maxItems: 1000, identity: []simPolicy{withStatements(100000)}, resources: resources(1000)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.req.pageSize())
		})
	}
}
