package ssmlocal

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// validBuckets is a fresh endpoint's state as the store keeps it.
func validBuckets(t testing.TB) map[string]map[string][]byte {
	srv, err := New()
	require.NoError(t, err)
	defer srv.Close()
	data, err := srv.encodeState()
	require.NoError(t, err)
	return data
}

// FuzzLoadState puts a value under a key of a valid state (or deletes the
// key when the value is empty): loading either fails or succeeds, never
// panics.
func FuzzLoadState(f *testing.F) {
	base := validBuckets(f)
	names := slices.Sorted(maps.Keys(base))
	f.Add(uint8(0), "admin", []byte(`null`))
	f.Add(uint8(1), "format", []byte(`2`))
	f.Add(uint8(2), "x", []byte(`{"record":{"id":"x","status":"InProgress","steps":[null]},"state":{"next":7}}`))
	f.Add(uint8(5), "AKIA", []byte(`{"id":"AKIA","userName":"admin"}`))
	f.Add(uint8(7), "admin", []byte(`{"name":"admin","inline":{"p":"{}"},"attached":["arn"]}`))
	f.Add(uint8(9), "Doc", []byte(`{"name":"Doc","owner":"me","versions":[null]}`))
	f.Add(uint8(3), "", []byte{})
	f.Fuzz(func(t *testing.T, bucket uint8, key string, value []byte) {
		data := map[string]map[string][]byte{}
		for b, kv := range base {
			data[b] = map[string][]byte{}
			for k, v := range kv {
				data[b][k] = v
			}
		}
		b := names[int(bucket)%len(names)]
		if len(value) == 0 {
			delete(data[b], key)
		} else {
			data[b][key] = value
		}
		st, err := decodeStore(data, "123456789012", []string{"us-east-1"})
		if err == nil {
			require.NotNil(t, st, "no state and no error")
		}
	})
}

// FuzzLoadStateFile opens random bytes as the state file: it fails or
// loads, never panics or faults.
func FuzzLoadStateFile(f *testing.F) {
	dir := f.TempDir()
	valid := filepath.Join(dir, "valid.db")
	srv, err := New(func(o *Options) { o.StateFile = valid })
	require.NoError(f, err)
	require.NoError(f, srv.Close())
	data, err := os.ReadFile(valid)
	require.NoError(f, err)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(data[:4096])
	f.Add([]byte(`{"format":1,"accountId":"123456789012","iam":{"users":{},"roles":{},"policies":{},"accessKeys":{}},"regions":{"us-east-1":{"executions":"e30="}}}`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, file []byte) {
		path := filepath.Join(t.TempDir(), "state.db")
		require.NoError(t, os.WriteFile(path, file, 0o600))
		st, _, _, err := openState(path, "123456789012", []string{"us-east-1"})
		if err == nil {
			_ = st.close()
		}
	})
}
