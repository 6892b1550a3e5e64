package botocore

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewGenerator(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	writeFile(t, root, "__init__.py", "__version__ = '1.2.3'\n")
	writeFile(t, data, "sqs/2012-11-05/service-2.json", `{"metadata":{"protocol":"query"}}`)
	writeFile(t, data, "__init__.py", "# no version here\n")

	for name, tc := range map[string]struct {
		args    []string
		wantErr bool
		wantIs  error
		wantOut string
	}{
		"defaults":     {args: []string{"-data", data}, wantOut: "out.json.gz"},
		"out given":    {args: []string{"-data", data, "-out", "x.gz"}, wantOut: "x.gz"},
		"no data":      {args: nil, wantErr: true, wantIs: ErrNoData},
		"no __init__":  {args: []string{"-data", root}, wantErr: true},
		"no version":   {args: []string{"-data", filepath.Join(data, "sqs")}, wantErr: true, wantIs: ErrNoVersion},
		"unknown flag": {args: []string{"-data", data, "-x"}, wantErr: true},
	} {
		t.Run(name, func(t *testing.T) {
			g, err := NewGenerator(tc.args, "out.json.gz", "data/<service>/<version>/service-2.json")
			if tc.wantErr {
				require.Error(t, err)
				if tc.wantIs != nil {
					require.ErrorIs(t, err, tc.wantIs)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantOut, g.Out)
			assert.Equal(t, Header{
				Source:  "botocore 1.2.3 (https://github.com/boto/botocore), data/<service>/<version>/service-2.json",
				Version: "1.2.3",
				License: License,
			}, g.Header)
		})
	}
}

func TestGeneratorEach(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	writeFile(t, root, "__init__.py", "__version__ = '1.2.3'\n")
	writeFile(t, data, "sqs/2012-11-05/service-2.json", `{"metadata":{"protocol":"query"}}`)
	writeFile(t, data, "s3/2006-03-01/service-2.json", `{"metadata":{"protocol":"rest-xml"}}`)
	g, err := NewGenerator([]string{"-data", data}, "out", "files")
	require.NoError(t, err)

	var seen []string
	require.NoError(t, g.Each(func(svc Service, m *Model) error {
		seen = append(seen, svc.Name+" "+m.Metadata.Protocol)
		return nil
	}))
	assert.Equal(t, []string{"s3 rest-xml", "sqs query"}, seen)

	stop := errors.New("stop")
	err = g.Each(func(svc Service, _ *Model) error { return stop })
	require.ErrorIs(t, err, stop)
	assert.EqualError(t, err, "s3: stop", "the error names the service")

	writeFile(t, data, "bad/2020-01-01/service-2.json", `{`)
	require.Error(t, g.Each(func(Service, *Model) error { return nil }), "a model that does not decode stops the run")

	g.Data = filepath.Join(root, "missing")
	require.Error(t, g.Each(func(Service, *Model) error { return nil }))
}
