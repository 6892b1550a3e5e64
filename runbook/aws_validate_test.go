package runbook

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AWS ships three parameter-only fragments among its runbook sources; they
// have no mainSteps and are not runbooks on their own.
var awsFragments = map[string]bool{
	"ManagedInstance--aws-CreateManagedInstanceWithApproval.json": true,
	"ManagedInstance--aws-CreateManagedLinuxInstance.json":        true,
	"ManagedInstance--aws-CreateManagedWindowsInstance.json":      true,
}

func TestAWSRunbooksValidate(t *testing.T) {
	for _, f := range awsRunbooks(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			doc, err := Parse(data)
			require.NoError(t, err)
			r := doc.Validate()
			_ = doc.MaxDuration() // never panics on real runbooks
			if awsFragments[filepath.Base(f)] {
				require.True(t, hasProblem(r.Errors, CodeNoSteps, "mainSteps"), "fragment must fail on mainSteps: %v", r.Errors)
				return
			}
			assert.Empty(t, r.Errors, "unexpected errors")
		})
	}
}

func hasProblem(ps []Problem, code, path string) bool {
	for _, p := range ps {
		if p.Code == code && p.Path == path {
			return true
		}
	}
	return false
}
