package delegate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMultiAccountTemplatesPassCfnLint runs cfn-lint on the administrator
// and StackSet templates of every multi-account golden plan. Without
// cfn-lint the test is skipped, except under CI, where it fails.
func TestMultiAccountTemplatesPassCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") != "" {
			require.FailNow(t, "cfn-lint is not on PATH (pip install cfn-lint)")
		}
		t.Skip("cfn-lint is not on PATH")
	}
	dir := t.TempDir()
	plans := map[string]*MultiAccountPlan{
		"accounts": mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), accountsLocation()),
		"ou":       mustMulti(t, ExistingDocument("AWS-RestartEC2Instance", awsRestart(t)), ouLocation(), withOrg),
	}
	var files []string
	for name, p := range plans {
		admin, err := p.AdministratorTemplate(func(o *TemplateOptions) { o.OperatorRoles = []string{"Operators"} })
		require.NoError(t, err)
		ss, err := p.StackSetTemplate()
		require.NoError(t, err)
		for suffix, b := range map[string][]byte{".admin.json": admin, ".stackset.json": ss} {
			f := filepath.Join(dir, name+suffix)
			require.NoError(t, os.WriteFile(f, b, 0o644))
			files = append(files, f)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, lint, files...).CombinedOutput()
	require.NoError(t, err, "cfn-lint:\n%s", out)
}
