package ssmlocal

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeRESTXML(t *testing.T) {
	tests := []struct {
		name, body string
		want       map[string]any
		err        string
	}{
		{
			name: "members, repeated siblings and nesting",
			body: `<?xml version="1.0"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></TagSet></Tagging>`,
			want: map[string]any{"TagSet": map[string]any{"Tag": []any{map[string]any{"Key": "a", "Value": "1"}, map[string]any{"Key": "b", "Value": "2"}}}},
		},
		{name: "empty root", body: `<Delete/>`, want: map[string]any{}},
		{name: "not xml", body: `{"a":1}`, err: "no root element"},
		{name: "unclosed", body: `<A><B>`, err: "cannot parse the request body as XML"},
		{name: "two roots", body: `<A/><B/>`, err: "content after the root element"},
		{name: "too deep", body: strings.Repeat("<a>", maxRESTXMLDepth+1) + strings.Repeat("</a>", maxRESTXMLDepth+1), err: "levels"},
		{name: "too many elements", body: "<r>" + strings.Repeat("<a/>", maxRESTXMLElements) + "</r>", err: "elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeRESTXML([]byte(tt.body))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWriteRESTXML(t *testing.T) {
	var b bytes.Buffer
	writeRESTXML(&b, map[string]any{
		"Name":     "bkt",
		"Contents": []any{map[string]any{"Key": "a&b"}, map[string]any{"Key": "c"}},
		"bad key":  "dropped",
		"xmlish":   "dropped",
		"Count":    2,
	}, 0)
	assert.Equal(t, "<Contents><Key>a&amp;b</Key></Contents><Contents><Key>c</Key></Contents><Count>2</Count><Name>bkt</Name>", b.String())
}

func FuzzDecodeRESTXML(f *testing.F) {
	f.Add(`<A><B>1</B><B>2</B><C><D/></C></A>`)
	f.Add(`<A xmlns:x="u"><x:B attr="1">t</x:B></A>`)
	f.Fuzz(func(t *testing.T, body string) {
		got, err := decodeRESTXML([]byte(body))
		if err == nil {
			require.NotNil(t, got)
		}
	})
}
