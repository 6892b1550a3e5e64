package ssmlocal

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEntriesToMaps(t *testing.T) {
	p := &stubWire{service: "sns"}
	in, err := p.decode("", []byte("Action=Publish&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String"+
		"&Attributes.entry.1.key=k&Attributes.entry.1.value=v&Tags.member.1.Key=t&Odd.entry.1.x=1"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"MessageAttributes": map[string]any{"a": map[string]any{"DataType": "String"}},
		"Attributes":        map[string]any{"k": "v"},
		"Tags":              []any{map[string]any{"Key": "t"}},
		"Odd":               map[string]any{"entry": []any{map[string]any{"x": "1"}}},
	}, in)
}

func TestSubsetOf(t *testing.T) {
	in := map[string]any{"A": "5", "B": map[string]any{"C": true, "D": []any{1.0, "x"}}, "N": nil}
	tests := []struct {
		match map[string]any
		want  bool
	}{
		{map[string]any{}, true},
		{map[string]any{"A": 5}, true},
		{map[string]any{"A": "6"}, false},
		{map[string]any{"B": map[string]any{"C": "true"}}, true},
		{map[string]any{"B": map[string]any{"D": []any{1, "x"}}}, true},
		{map[string]any{"B": map[string]any{"D": []any{1}}}, false},
		{map[string]any{"B": "x"}, false},
		{map[string]any{"N": nil}, true},
		{map[string]any{"A": nil}, false},
		{map[string]any{"Z": 1}, false},
		{map[string]any{"A": map[string]any{}}, false},
	}
	for _, tt := range tests {
		got, _ := json.Marshal(tt.match)
		t.Run(string(got), func(t *testing.T) {
			assert.Equal(t, tt.want, matchStub{match: normalizeJSON(tt.match)}.matches(normalizeJSON(in)))
		})
	}
}

func TestStubSequenceRepeatsLast(t *testing.T) {
	s := StubSequence(StubResponse(map[string]any{"N": 1}), StubError("E", "m"), StubResponse(map[string]any{"N": 3}))
	var got []string
	for range 5 {
		out, err := s.Respond(context.Background(), nil)
		if err != nil {
			got = append(got, err.Error())
			continue
		}
		got = append(got, string(encodeJSON(out)))
	}
	assert.Equal(t, []string{`{"N":1}`, "E: m", `{"N":3}`, `{"N":3}`, `{"N":3}`}, got)
	_, err := StubSequence().Respond(context.Background(), nil)
	assert.Error(t, err)
}

// FuzzStubWireDecode feeds arbitrary query and JSON bodies to the stub
// protocol's decoder: it must never panic, and what it accepts must encode
// as JSON.
func FuzzStubWireDecode(f *testing.F) {
	for _, s := range []string{
		"Action=Publish&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.StringValue=v",
		"Action=X&A.entry.1.key=k&A.entry.1.value.entry.1.key=j&A.entry.1.value.entry.1.value=w",
		"Action=X&L.member.1.entry.2.key=k&L.member.1.entry.2.value=",
		`{"A":{"entry":[{"key":"k","value":1}]}}`,
	} {
		f.Add([]byte(s), s[0] == '{')
	}
	f.Fuzz(func(t *testing.T, body []byte, isJSON bool) {
		p := &stubWire{service: "sns", json: isJSON}
		in, err := p.decode("X.Y", body)
		if err != nil {
			return
		}
		_, err = json.Marshal(in)
		require.NoError(t, err, "decoded input does not encode")
	})
}

// TestStubRegistryZero: the zero registry is usable, never a panic.
func TestStubRegistryZero(t *testing.T) {
	var r StubRegistry
	stubs, ok := r.lookup("sns", "Publish")
	assert.False(t, ok)
	assert.Nil(t, stubs)
	require.NoError(t, r.Add("sns", "Publish", StubResponse(nil)))
	require.NoError(t, r.SetActions("sns", "Publish", "sns:Publish"))
	_, ok = r.lookup("SNS", "publish")
	assert.True(t, ok)
	assert.Equal(t, []string{"sns:Publish"}, r.Operations())
	assert.Equal(t, map[string][]string{"sns.Publish": {"sns:Publish"}}, r.APIActions())
}
