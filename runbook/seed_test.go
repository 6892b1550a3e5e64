package runbook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBuilderMatchesSeedGuide compares the builder's document with the one
// the delegated-administration guide prints, when the guide is at hand:
// same fields and values, the guide's AssumeRoleARN placeholder aside.
func TestBuilderMatchesSeedGuide(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "seeds", "*.txt"))
	marker := []byte(`"description": "Restart EC2 instances(s)"`)
	var seed []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		if i := bytes.Index(data, marker); i >= 0 {
			start := bytes.LastIndexByte(data[:i], '{')
			require.GreaterOrEqual(t, start, 0)
			var raw json.RawMessage
			require.NoError(t, json.NewDecoder(bytes.NewReader(data[start:])).Decode(&raw), f)
			seed = raw
			break
		}
	}
	require.NotNil(t, seed, "seed guide not present")
	doc, err := restartDemo().Build()
	require.NoError(t, err)
	got, err := doc.JSON()
	require.NoError(t, err)
	seed = bytes.Replace(seed, []byte(`"AssumeRoleARN"`), []byte(`"arn:aws:iam::123456789012:role/AutomationServiceRole"`), 1)
	want, err := RawJSON(seed)
	require.NoError(t, err)
	have, err := RawJSON(got)
	require.NoError(t, err)
	require.True(t, want.Equal(have), "builder output differs from the guide:\n%s\n%s", seed, got)
}
