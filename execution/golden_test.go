package execution_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), got)
}

// TestStartProblemsGolden pins the wording of every start problem an
// operator may see, in their order.
func TestStartProblemsGolden(t *testing.T) {
	target := types.Target{Key: aws.String("tag:Env"), Values: []string{"prod"}}
	_, err := execution.NewStartInput("bad name!",
		execution.WithRunbook(restartRunbook()),
		execution.WithDocumentVersion("v2"),
		execution.WithClientToken("not-a-uuid"),
		execution.WithParameters(map[string][]string{
			"Mode": {"brutal"}, "Retries": {"many"}, "DryRun": {"perhaps"}, "Labels": {"[1]"}, "Unknown": {"x"},
			"Comment": {"more than ten characters"}, "AutomationAssumeRole": {"admin"},
		}),
		execution.WithRateControl("InstanceIds", []types.Target{target, target, target, target, target, {Key: aws.String("")}}, "0", "101%"),
		execution.WithTags(types.Tag{Key: aws.String("aws:owner"), Value: aws.String("x")}, types.Tag{Key: aws.String("t")}),
		execution.WithTargetLocations(types.TargetLocation{Accounts: []string{"12"}, Regions: []string{"us-east-1"}, ExecutionRoleName: aws.String("bad role"), Targets: []types.Target{target, target}}),
		func(o *execution.StartOptions) {
			o.Mode = "Batch"
			o.TargetLocationsURL = "http://example.com/locations.json"
		},
	)
	var invalid *execution.InvalidInputError
	require.True(t, errors.As(err, &invalid))
	lines := make([]string, len(invalid.Problems))
	for i, p := range invalid.Problems {
		lines[i] = p.Error()
	}
	golden(t, "start_problems.golden", strings.Join(lines, "\n")+"\n")
}
