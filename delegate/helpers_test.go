package delegate

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// restartDemo is the user guide's Restart-EC2InstanceDemo without a role.
func restartDemo() runbook.Builder {
	return runbook.New().
		Description("Restart EC2 instances(s)").
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance to restart")).
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")}))
}

// awsRestart is AWS-RestartEC2Instance as AWS publishes it.
func awsRestart(t testing.TB) *runbook.Document {
	t.Helper()
	doc, err := runbook.Parse([]byte(`{
  "description": "Restart EC2 instances(s)",
  "schemaVersion": "0.3",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {"type": "StringList", "description": "(Required) EC2 Instance(s) to restart"},
    "AutomationAssumeRole": {"type": "String", "description": "(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.", "default": ""}
  },
  "mainSteps": [
    {"name": "stopInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stopped"}},
    {"name": "startInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "running"}}
  ]
}`))
	require.NoError(t, err)
	return doc
}

// stopOnly is a permissions policy supplied instead of derived.
func stopOnly() *policy.Policy {
	return policy.New(policy.Allowing("ec2:StartInstances", "ec2:StopInstances").
		Resources("arn:aws:ec2:us-east-1:123456789012:instance/*").MustBuild())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	require.Equal(t, string(want), string(got))
}

func mustPlan(t testing.TB, src Source, mode Mode, optFns ...func(*Options)) *Plan {
	t.Helper()
	p, err := NewPlan(src, mode, testAccount, testRegion, optFns...)
	require.NoError(t, err)
	return p
}
