package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKVFlags(t *testing.T) {
	lists := func(k string) bool { return k == "InstanceId" }
	tests := []struct {
		name    string
		args    []string
		want    map[string][]string
		wantErr string
	}{
		{name: "none", want: nil},
		{name: "one", args: []string{"A=b"}, want: map[string][]string{"A": {"b"}}},
		{name: "empty value", args: []string{"A="}, want: map[string][]string{"A": {""}}},
		{name: "value with equals", args: []string{"A=b=c"}, want: map[string][]string{"A": {"b=c"}}},
		{name: "repeated key is a list", args: []string{"A=1", "A=2"}, want: map[string][]string{"A": {"1", "2"}}},
		{name: "commas split for a list parameter", args: []string{"InstanceId=i-1,i-2"}, want: map[string][]string{"InstanceId": {"i-1", "i-2"}}},
		{name: "commas kept for a string parameter", args: []string{"Comment=a,b"}, want: map[string][]string{"Comment": {"a,b"}}},
		{name: "commas kept when repeated", args: []string{"InstanceId=i-1,i-2", "InstanceId=i-3"}, want: map[string][]string{"InstanceId": {"i-1,i-2", "i-3"}}},
		{name: "no equals", args: []string{"A"}, wantErr: `"A" is not KEY=VALUE`},
		{name: "empty key", args: []string{"=v"}, wantErr: `"=v" is not KEY=VALUE`},
		{name: "key too long", args: []string{strings.Repeat("k", maxKVKey+1) + "=v"}, wantErr: "too long"},
		{name: "long argument quoted short", args: []string{strings.Repeat("x", 10_000)}, wantErr: "(10000 bytes) is not KEY=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f kvFlags
			var err error
			for _, a := range tt.args {
				if err = f.Set(a); err != nil {
					break
				}
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Less(t, len(err.Error()), 200)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, f.values(lists))
		})
	}
}

func TestKVFlagsBoundsValueCount(t *testing.T) {
	var f kvFlags
	for range maxKVValues {
		require.NoError(t, f.Set("A=v"))
	}
	require.ErrorContains(t, f.Set("A=v"), "more than")
}

// FuzzKVFlags checks that any argument either parses into a key it names
// and a value that rebuilds it, or is refused; never a panic.
func FuzzKVFlags(f *testing.F) {
	for _, s := range []string{"A=b", "=", "A", "A=b,c", "InstanceId=i-1,,i-2", "k==", "\xff=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var kv kvFlags
		if err := kv.Set(s); err != nil {
			return
		}
		got := kv.values(nil)
		require.Len(t, got, 1)
		for k, v := range got {
			require.Len(t, v, 1)
			require.Equal(t, s, k+"="+v[0])
		}
		split := kv.values(func(string) bool { return true })
		for k, v := range split {
			require.Equal(t, s, k+"="+strings.Join(v, ","))
		}
	})
}
