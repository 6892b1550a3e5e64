package runbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// awsRunbooks returns the public AWS runbooks in the module's testdata, and
// fails when they are absent: they are part of the repository.
func awsRunbooks(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "aws-runbooks", "*--*"))
	require.NotEmpty(t, files, "testdata/aws-runbooks not present")
	return files
}

// asJSONValue turns JSON or YAML bytes into a comparable Value.
func asJSONValue(t *testing.T, data []byte) Value {
	t.Helper()
	if DetectFormat(data) == JSON {
		v, err := RawJSON(data)
		require.NoError(t, err)
		return v
	}
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal(data, &n))
	var b strings.Builder
	var buf = new(bytesBuffer)
	require.NoError(t, yamlToJSON(&buf.Buffer, &n, "", 0))
	b.WriteString(buf.String())
	v, err := RawJSON([]byte(b.String()))
	require.NoError(t, err)
	return v
}

func TestAWSRunbooksRoundTrip(t *testing.T) {
	for _, f := range awsRunbooks(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			doc, err := Parse(data)
			require.NoError(t, err)
			out, err := doc.JSON()
			require.NoError(t, err)
			want := asJSONValue(t, data)
			got, err := RawJSON(out)
			require.NoError(t, err)
			require.True(t, want.Equal(got), "re-encoded JSON differs from the input:\n%s", out)

			// parse → encode → parse gives an equal document, in both formats.
			for _, f := range []Format{JSON, YAML} {
				enc, err := doc.Encode(f)
				require.NoError(t, err)
				again, err := Parse(enc)
				require.NoError(t, err, "%s:\n%s", f, enc)
				require.Equal(t, string(doc.CompactJSON()), string(again.CompactJSON()), f.String())
			}
		})
	}
}
