package awsowned

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBundledCopiesMatchTheirSource(t *testing.T) {
	embedded, err := files.ReadDir("runbooks")
	require.NoError(t, err)
	require.Len(t, embedded, len(Sources), "every embedded file has a source and every source is embedded")
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			got, ok := Source(name)
			require.True(t, ok)
			want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "aws-runbooks", Sources[name]))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
			d, ok := Lookup(name)
			require.True(t, ok)
			require.NoError(t, d.Validate().Err())
			assert.NotEmpty(t, d.MainSteps)
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name  string
		found bool
		owned bool
	}{
		{"AWS-StopEC2Instance", true, true},
		{"AWS-CreateImage", true, true},
		{"aws-stopec2instance", false, false},
		{"AWS-CreateSnapshot", false, true},
		{"AWSSupport-TroubleshootSSH", false, true},
		{"MyRunbook", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := Lookup(tt.name)
			assert.Equal(t, tt.found, ok)
			assert.Equal(t, tt.owned, IsAWSOwned(tt.name))
		})
	}
}
