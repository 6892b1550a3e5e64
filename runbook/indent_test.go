package runbook

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func checkIndentedLikeEncodingJSON(t *testing.T, src []byte) {
	t.Helper()
	var want bytes.Buffer
	wantErr := json.Indent(&want, src, "", "  ")
	got, ok := appendIndented(nil, src)
	if wantErr != nil {
		return // JSON falls back to json.Indent, which reports the error
	}
	require.True(t, ok, "%q", src)
	if want.String() != string(got) {
		// Show only where they part: documents are long.
		i := 0
		for i < min(want.Len(), len(got)) && want.Bytes()[i] == got[i] {
			i++
		}
		require.Equal(t, string(want.Bytes()[i:min(i+40, want.Len())]), string(got[i:min(i+40, len(got))]), "differs from json.Indent at byte %d", i)
	}
}

func TestAppendIndentedMatchesEncodingJSON(t *testing.T) {
	table := []string{
		`{}`, `[]`, `""`, `1`, `null`, `{"a":[]}`, `{"a":{}}`, `[[],{},[{}]]`,
		`{"a":"b","c":[1,2,{"d":null}],"e":true}`,
		`{"q":"\"}]{[,:\\","u":"\u2028é"}`,
		` { "a" : [ 1 , 2 ] , "b" : { } } `,
		`{"a":[1,2]`, `{"a":"unterminated}`, `]`, `{"a":1}}`,
	}
	for _, src := range table {
		t.Run(src, func(t *testing.T) { checkIndentedLikeEncodingJSON(t, []byte(src)) })
	}
	for _, name := range []string{"testdata/every-action.json", "testdata/restart-ec2-demo.json"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(name)
			require.NoError(t, err)
			d, err := Parse(data)
			require.NoError(t, err)
			checkIndentedLikeEncodingJSON(t, d.CompactJSON())
			checkIndentedLikeEncodingJSON(t, data)
		})
	}
	checkIndentedLikeEncodingJSON(t, bigRunbook(t, 50))
}

func FuzzAppendIndented(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"c\"d"}],"e":{}}`, `[]`, `{"x":[[]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			return
		}
		checkIndentedLikeEncodingJSON(t, src)
	})
}
