package ssmlocal_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// awsCLIs returns the AWS CLIs installed: the one on PATH (often pip's v1)
// and Debian's at /usr/bin/aws.
func awsCLIs() []string {
	var out []string
	if p, err := exec.LookPath("aws"); err == nil {
		out = append(out, p)
	}
	if _, err := os.Stat("/usr/bin/aws"); err == nil && (len(out) == 0 || out[0] != "/usr/bin/aws") {
		out = append(out, "/usr/bin/aws")
	}
	return out
}

// cliEnv is an environment that points a CLI or SDK at creds only, never
// at the user's shared configuration.
func cliEnv(t *testing.T, creds ssmlocal.Credentials, region string) []string {
	dir := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	if p := os.Getenv("PYENV_ROOT"); p != "" {
		env = append(env, "PYENV_ROOT="+p)
	}
	return env
}

func runCLI(t *testing.T, cli string, env []string, url string, args ...string) (map[string]any, string, error) {
	t.Helper()
	cmd := exec.Command(cli, append([]string{"--endpoint-url", url, "--output", "json"}, args...)...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, stderr.String(), err
	}
	var m map[string]any
	if len(strings.TrimSpace(string(out))) > 0 {
		require.NoError(t, json.Unmarshal(out, &m), "%s %v: output is not JSON: %s", cli, args, out)
	}
	return m, stderr.String(), nil
}

// cliRunner returns a function that runs cli against url and requires it
// to succeed.
func cliRunner(t *testing.T, cli string, env []string, url string) func(args ...string) map[string]any {
	return func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := runCLI(t, cli, env, url, args...)
		require.NoError(t, err, "%v: %s", args, stderr)
		return out
	}
}

// TestAWSCLI runs the user guide's commands with the AWS CLI.
func TestAWSCLI(t *testing.T) {
	slowtest.Require(t, "AWS CLI conformance")
	t.Parallel()
	clis := awsCLIs()
	if len(clis) == 0 {
		t.Skip("the AWS CLI is not installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
			ids, err := srv.AddInstances(1)
			require.NoError(t, err)
			role := serviceRole(t, srv, "AutomationRole", trustSSM, restartRolePolicy)
			env := cliEnv(t, srv.Admin(), srv.Region())
			id, stderr, err := runCLI(t, cli, env, srv.URL(), "sts", "get-caller-identity")
			require.NoError(t, err, "sts get-caller-identity: %s", stderr)
			require.Equal(t, srv.AdminARN(), id["Arn"], "caller")
			_, stderr, err = runCLI(t, cli, env, srv.URL(), "iam", "create-user", "--user-name", "cli-user")
			require.NoError(t, err, "iam create-user: %s", stderr)
			role2, stderr, err := runCLI(t, cli, env, srv.URL(), "iam", "get-role", "--role-name", "AutomationRole")
			require.NoError(t, err, "iam get-role: %s", stderr)
			r, _ := role2["Role"].(map[string]any)
			require.Equal(t, role, r["Arn"], "get-role: %v", role2)
			desc, stderr, err := runCLI(t, cli, env, srv.URL(), "ec2", "describe-instances", "--instance-ids", ids[0])
			require.NoError(t, err, "ec2 describe-instances: %s", stderr)
			require.Contains(t, mustJSON(desc), `"Name":"running"`, "describe-instances")
			start, stderr, err := runCLI(t, cli, env, srv.URL(), "ssm", "start-automation-execution",
				"--document-name", "AWS-RestartEC2Instance",
				"--parameters", "InstanceId="+ids[0]+",AutomationAssumeRole="+role)
			require.NoError(t, err, "ssm start-automation-execution: %s", stderr)
			execID, _ := start["AutomationExecutionId"].(string)
			x := waitDone(t, ssm.NewFromConfig(cfg(srv, srv.Admin())), execID)
			require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
			list, stderr, err := runCLI(t, cli, env, srv.URL(), "ssm", "describe-automation-executions", "--filter", "Key=ExecutionId,Values="+execID)
			require.NoError(t, err, "ssm describe-automation-executions: %s", stderr)
			meta, _ := list["AutomationExecutionMetadataList"].([]any)
			require.Len(t, meta, 1, "describe-automation-executions: %s", mustJSON(list))
			require.Equal(t, "Success", meta[0].(map[string]any)["AutomationExecutionStatus"], "describe-automation-executions")
			_, stderr, err = runCLI(t, cli, env, srv.URL(), "ssm", "get-document", "--name", "AWS-Nope")
			require.Error(t, err, "get-document of a missing document")
			require.Contains(t, stderr, "InvalidDocument", "get-document of a missing document")
			bad := cliEnv(t, ssmlocal.Credentials{AccessKeyID: srv.Admin().AccessKeyID, SecretAccessKey: "wrong"}, srv.Region())
			_, stderr, err = runCLI(t, cli, bad, srv.URL(), "sts", "get-caller-identity")
			require.Error(t, err, "wrong secret")
			require.Contains(t, stderr, "SignatureDoesNotMatch", "wrong secret")
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestBoto3 runs a boto3 script that provisions a role and runs the
// restart runbook, as a Python user of the endpoint would.
func TestBoto3(t *testing.T) {
	slowtest.Require(t, "boto3 conformance")
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if err := exec.Command(py, "-c", "import boto3").Run(); err != nil {
		t.Skip("boto3 is not installed")
	}
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ids, err := srv.AddInstances(2)
	require.NoError(t, err)
	cmd := exec.CommandContext(context.Background(), py, "testdata/restart.py", srv.URL(), strings.Join(ids, ","))
	cmd.Env = cliEnv(t, srv.Admin(), srv.Region())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "boto3 script:\n%s", out)
	require.True(t, strings.HasSuffix(strings.TrimSpace(string(out)), "status Success"), "boto3 script output:\n%s", out)
	for _, id := range ids {
		st, _ := srv.InstanceState("", id)
		require.Equal(t, "running", st, "instance %s", id)
	}
}
