package querymodel

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRegenerate checks that gen.go turns the botocore the data was made
// from into the same bytes; it skips when that botocore is not installed.
func TestRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs gen.go")
	}
	out, err := exec.Command("python3", "-c", "import botocore,os;print(botocore.__version__);print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Skipf("botocore is not installed: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 2)
	if lines[0] != Load().Version {
		t.Skipf("botocore %s is installed, the data is from %s", lines[0], Load().Version)
	}
	dst := filepath.Join(t.TempDir(), "shapes.json.gz")
	cmd := exec.Command("go", "run", "gen.go", "-data", filepath.Join(lines[1], "data"), "-out", dst)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, string(msg))
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.True(t, bytes.Equal(compressed, got), "regenerated data differs from shapes.json.gz")
}
