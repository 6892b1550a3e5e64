package botocore

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFile writes content under dir, gzipped when the name ends in .gz.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	data := []byte(content)
	if filepath.Ext(name) == ".gz" {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, err := zw.Write(data)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		data = b.Bytes()
	}
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

const iamModel = `{
  "metadata": {"protocol": "query", "apiVersion": "2010-05-08", "endpointPrefix": "iam"},
  "operations": {"ListRoles": {"http": {"method": "POST", "requestUri": "/"},
    "input": {"shape": "ListRolesRequest"}, "output": {"shape": "ListRolesResponse", "resultWrapper": "ListRolesResult"}}},
  "shapes": {
    "ListRolesResponse": {"type": "structure", "members": {"Roles": {"shape": "roleList"}, "Marker": {"shape": "markerType", "location": "header", "locationName": "x-marker"}}},
    "roleList": {"type": "list", "member": {"shape": "Role"}, "flattened": true},
    "Tags": {"type": "map", "key": {"shape": "k", "locationName": "Key"}, "value": {"shape": "v"}}
  }
}`

// dataDir is a botocore tree: iam in two versions, s3 gzipped with
// waiters, a service without a model and a stray file.
func dataDir(t *testing.T) string {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	writeFile(t, root, "__init__.py", "import os\n__version__ = '1.2.3'\n")
	writeFile(t, data, "iam/2009-01-01/service-2.json", `{"metadata": {"apiVersion": "old"}}`)
	writeFile(t, data, "iam/2010-05-08/service-2.json", iamModel)
	writeFile(t, data, "s3/2006-03-01/service-2.json.gz", `{"metadata": {"protocol": "rest-xml", "signingName": "s3"}}`)
	writeFile(t, data, "s3/2006-03-01/waiters-2.json", `{"waiters": {"BucketExists": {"operation": "HeadBucket"}}}`)
	writeFile(t, data, "empty/2020-01-01/paginators-1.json", `{}`)
	writeFile(t, data, "endpoints.json", `{}`)
	return data
}

func TestServices(t *testing.T) {
	data := dataDir(t)
	services, err := Services(data)
	require.NoError(t, err)
	require.Equal(t, []Service{
		{Name: "iam", Dir: filepath.Join(data, "iam", "2010-05-08")},
		{Name: "s3", Dir: filepath.Join(data, "s3", "2006-03-01")},
	}, services)

	tests := []struct {
		name     string
		svc      Service
		protocol string
		signing  string
		waiters  map[string]string
	}{
		{"newest iam", services[0], "query", "iam", nil},
		{"gzipped s3", services[1], "rest-xml", "s3", map[string]string{"BucketExists": "HeadBucket"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tt.svc.Read()
			require.NoError(t, err)
			assert.Equal(t, tt.protocol, m.Metadata.Protocol)
			assert.Equal(t, tt.signing, m.Metadata.Signing())
			w, err := tt.svc.Waiters()
			require.NoError(t, err)
			assert.Equal(t, tt.waiters, w)
		})
	}
	_, err = Services(filepath.Join(data, "missing"))
	assert.Error(t, err)
}

// TestModelTraits: operations, wrappers, members' locations and XML
// names, flattened lists and maps' keys are all read.
func TestModelTraits(t *testing.T) {
	m, err := Service{Dir: filepath.Join(dataDir(t), "iam", "2010-05-08")}.Read()
	require.NoError(t, err)
	op := m.Operations["ListRoles"]
	assert.Equal(t, HTTP{Method: "POST", RequestURI: "/"}, op.HTTP)
	assert.Equal(t, &Ref{Shape: "ListRolesRequest"}, op.Input)
	assert.Equal(t, &Ref{Shape: "ListRolesResponse", ResultWrapper: "ListRolesResult"}, op.Output)
	out := m.Shapes["ListRolesResponse"]
	assert.Equal(t, Ref{Shape: "markerType", Location: "header", LocationName: "x-marker"}, out.Members["Marker"])
	assert.True(t, m.Shapes["roleList"].Flattened)
	assert.Equal(t, &Ref{Shape: "Role"}, m.Shapes["roleList"].Member)
	assert.Equal(t, "Key", m.Shapes["Tags"].Key.LocationName)
	assert.Equal(t, "2010-05-08", m.Metadata.APIVersion)
}

func TestVersion(t *testing.T) {
	data := dataDir(t)
	tests := []struct {
		name string
		data string
	}{
		{"plain", data},
		{"trailing slash", data + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Version(tt.data)
			require.NoError(t, err)
			assert.Equal(t, "1.2.3", v)
		})
	}
	writeFile(t, filepath.Dir(data), "__init__.py", "# nothing\n")
	_, err := Version(data)
	assert.ErrorIs(t, err, ErrNoVersion)
	_, err = Version(filepath.Join(t.TempDir(), "data"))
	assert.Error(t, err)
}

// TestEmbeddedRoundTrip: what WriteGzipJSON writes, DecodeEmbedded reads;
// anything else is an error.
func TestEmbeddedRoundTrip(t *testing.T) {
	type file struct {
		Source   string         `json:"source"`
		Services map[string]int `json:"services"`
	}
	in := file{Source: Source("1.2.3", "data/x"), Services: map[string]int{"iam": 1}}
	path := filepath.Join(t.TempDir(), "x.json.gz")
	require.NoError(t, WriteGzipJSON(path, in))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out file
	require.NoError(t, DecodeEmbedded(data, &out))
	assert.Equal(t, in, out)
	assert.Equal(t, "botocore 1.2.3 (https://github.com/boto/botocore), data/x", out.Source)

	tests := []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("{}")},
		{"truncated", data[:len(data)/2]},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v file
			assert.Error(t, DecodeEmbedded(tt.data, &v))
		})
	}
}

func TestReadJSONErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.json", "{")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notgz.json.gz"), []byte("{}"), 0o644))
	for _, name := range []string{"bad.json", "notgz.json", "missing.json"} {
		t.Run(name, func(t *testing.T) {
			var v any
			assert.Error(t, ReadJSON(filepath.Join(dir, name), &v))
		})
	}
}
