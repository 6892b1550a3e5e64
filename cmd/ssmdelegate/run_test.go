package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func TestRunUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"nothing to run", nil, 2, "a FILE or --document NAME is required"},
		{"both", []string{"--document", "AWS-RestartEC2Instance", "rb.json"}, 2, "not both"},
		{"two files", []string{"a.json", "b.json"}, 2, "one FILE at most"},
		{"bad mode", []string{"--mode", "sideways", "rb.json"}, 2, "--mode: want embedded, runtime or caller"},
		{"embedded with document", []string{"--mode", "embedded", "--document", "X"}, 2, "needs a FILE"},
		{"runtime without role", []string{"--mode", "runtime", "--document", "X"}, 2, "needs --role"},
		{"caller with role", []string{"--mode", "caller", "--role", "arn:aws:iam::123456789012:role/R", "--document", "X"}, 2, "drop --role"},
		{"bad param", []string{"--document", "X", "--param", "novalue"}, 2, "is not KEY=VALUE"},
		{"name is a path", []string{"--name", "a/b", "rb.json"}, 2, "not a path"},
		{"max wait", []string{"--document", "X", "--max-wait", "0s"}, 2, "--max-wait must be positive"},
		{"help", []string{"-h"}, 0, "usage: ssmdelegate run"},
		{"no target", []string{"--document", "X"}, 2, "no target: pass --endpoint URL"},
		{"bad format", []string{"--document", "X", "--aws", "--format", "yaml"}, 2, "--format: want text or json"},
		{"both targets", []string{"--document", "X", "--aws", "--endpoint", "http://127.0.0.1:1"}, 2, "--endpoint and --aws exclude each other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEndpointEnv(t)
			var stdout, stderr bytes.Buffer
			code := cmdRun(t.Context(), tc.args, &stdout, &stderr)
			assert.Equal(t, tc.code, code, stderr.String())
			assert.Contains(t, stderr.String(), tc.msg)
		})
	}
}

// clearEndpointEnv unsets the endpoint variables the SDK reads.
func clearEndpointEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_EC2"} {
		t.Setenv(k, "")
	}
}

func TestRunTargetFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		msg  string
	}{
		{"AWS_ENDPOINT_URL counts", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}, nil, -1, ""},
		{"every service variable counts", map[string]string{"AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_IAM": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"}, nil, -1, ""},
		{"one service variable does not", map[string]string{"AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:1"}, nil, 2, "no target"},
		{"--aws with an endpoint variable", map[string]string{"AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:1"}, []string{"--aws"}, 2, "--aws, but AWS_ENDPOINT_URL_SSM is set"},
		{"--aws alone", nil, []string{"--aws"}, -1, ""},
		{"ignored by the SDK", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, nil, 2, "no target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEndpointEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stderr bytes.Buffer
			_, code := parseRunFlags(append([]string{"--document", "X"}, tc.args...), &stderr)
			assert.Equal(t, tc.code, code, stderr.String())
			assert.Contains(t, stderr.String(), tc.msg)
		})
	}
}

// localEndpoint starts the embedded endpoint with a clock that runs
// automations at once, and points the default credential chain at its
// administrator.
func localEndpoint(t *testing.T) *ssmlocal.Server {
	t.Helper()
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	admin := srv.Admin()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", admin.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", admin.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", srv.Region())
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	clearEndpointEnv(t)
	return srv
}

func fastPolls(o *execution.ExecutionWaiterOptions) {
	o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
}

func TestRunDocumentAndWait(t *testing.T) {
	srv := localEndpoint(t)
	ids, err := srv.AddInstances(2)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--param", "InstanceId=" + strings.Join(ids, ","),
		"--wait", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	out := stdout.String()
	assert.Regexp(t, `^started [0-9a-f-]{36} \(AWS-RestartEC2Instance\)\n`, out)
	// One line per step change, each with its action.
	assert.Regexp(t, regexp.MustCompile(`(?m)^\+\d\d:\d\d:\d\d  \S+\s+stopInstances\s+\S+\s+\(aws:changeInstanceState\)(\s+\[.*\])?$`), out)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\+\d\d:\d\d:\d\d  Success\s+startInstances\s+Success\s+\(aws:changeInstanceState\)(\s+\[.*\])?$`), out)
	assert.Regexp(t, `(?m)^[0-9a-f-]{36} Success$`, out)
	assert.NotContains(t, out, "\r", "no live line when not on a terminal")
	assert.Equal(t, "target: account "+srv.AccountID()+", Region "+srv.Region()+", endpoint "+srv.URL()+"\n", stderr.String(),
		"the account and Region are named before anything changes")
	for _, id := range ids {
		state, err := srv.InstanceState(srv.Region(), id)
		require.NoError(t, err)
		assert.Equal(t, "running", state)
	}
}

func TestRunDocumentInCallerMode(t *testing.T) {
	srv := localEndpoint(t)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)

	// AWS-RestartEC2Instance is bounded by two hours: it may run in the
	// caller's session.
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--mode", "caller",
		"--param", "InstanceId=" + ids[0], "--wait", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Regexp(t, `(?m)^[0-9a-f-]{36} Success$`, stdout.String())

	// A runbook that sleeps 13 hours would outlive the session: refused
	// before anything starts.
	client := ssm.NewFromConfig(srv.AdminConfig())
	_, err = client.CreateDocument(t.Context(), &ssm.CreateDocumentInput{
		Name: aws.String("LongSleep"), DocumentType: "Automation", DocumentFormat: "JSON",
		Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"wait","action":"aws:sleep","inputs":{"Duration":"PT13H"}}]}`),
	})
	require.NoError(t, err)
	stdout.Reset()
	stderr.Reset()
	code = runWith(t.Context(), []string{"--document", "LongSleep", "--mode", "caller", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	assert.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Contains(t, stderr.String(), "cannot plan LongSleep in caller mode")
	assert.Contains(t, stderr.String(), "12h")
	assert.Empty(t, stdout.String(), "nothing was started")
}

func TestRunWithoutWaitPrintsID(t *testing.T) {
	srv := localEndpoint(t)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--param", "InstanceId=" + ids[0], "--endpoint", srv.URL(),
		"--tag", "ticket=OPS-1"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Regexp(t, `^[0-9a-f-]{36}\n$`, stdout.String())

	// The execution exists, and the waiter follows it to its end.
	client := ssm.NewFromConfig(srv.AdminConfig())
	id := strings.TrimSpace(stdout.String())
	require.NoError(t, execution.NewExecutionWaiter(client, fastPolls).Wait(t.Context(), id, time.Minute))
}

func TestRunChecksParametersAgainstTheDocument(t *testing.T) {
	srv := localEndpoint(t)
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--param", "InstanceIds=i-1", "--endpoint", srv.URL()}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "cannot start AWS-RestartEC2Instance:")
	assert.Contains(t, stderr.String(), "Parameters.InstanceIds: is not a parameter of the runbook")
	assert.Contains(t, stderr.String(), "Parameters.InstanceId: is required")
	assert.Empty(t, stdout.String())
}

func TestRunFileProvisionsAndReportsFailure(t *testing.T) {
	srv := localEndpoint(t)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	dir := t.TempDir()
	good := filepath.Join(dir, "Restart-Demo.json")
	require.NoError(t, os.WriteFile(good, []byte(`{
  "schemaVersion": "0.3",
  "description": "Restart EC2 instances",
  "parameters": {"InstanceId": {"type": "StringList", "description": "(Required) instances to restart"}},
  "mainSteps": [
    {"name": "stopInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stopped"}},
    {"name": "startInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "running"}}
  ]
}`), 0o644))

	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{good, "--param", "InstanceId=" + ids[0], "--wait", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Contains(t, stdout.String(), "provisioned: ")
	assert.Regexp(t, `(?m)^[0-9a-f-]{36} Success$`, stdout.String())
	assert.NotContains(t, stderr.String(), "required", "--param fills the required parameter before planning")

	// The document now exists with the role embedded.
	client := ssm.NewFromConfig(srv.AdminConfig())
	doc, err := client.GetDocument(t.Context(), &ssm.GetDocumentInput{Name: aws.String("Restart-Demo")})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(doc.Content), "Restart-Demo-Automation")

	// An instance that does not exist fails the first step.
	stdout.Reset()
	stderr.Reset()
	code = runWith(t.Context(), []string{good, "--param", "InstanceId=i-0000000000000dead", "--wait", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	assert.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.NotContains(t, stdout.String(), "provisioned: ", "nothing changed the second time")
	assert.Contains(t, stderr.String(), "ended with status Failed")
	assert.Contains(t, stderr.String(), "failed step: stopInstances (aws:changeInstanceState) Failed")
	assert.Equal(t, 1, strings.Count(stderr.String(), "i-0000000000000dead"), "the cause is printed once:\n%s", stderr.String())
	assert.NotContains(t, stderr.String(), "warning: role.permissionsPolicy: stopInstances", "a derivation note is a note")
	assert.Contains(t, stderr.String(), "note: stopInstances.InstanceIds:")
}

func TestRunCancelled(t *testing.T) {
	srv := localEndpoint(t)
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	code := runWith(ctx, []string{"--document", ssmlocal.RestartEC2Instance, "--param", "InstanceId=i-1", "--wait", "--endpoint", srv.URL()}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "context canceled")
}

func TestRunLiveProgressLine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		p := newRunProgress(&buf, true)
		p.report(execution.Progress{Status: types.AutomationExecutionStatusInprogress, StepName: "stopInstances", Action: "aws:changeInstanceState",
			StepStatus: types.AutomationExecutionStatusInprogress, Elapsed: 2 * time.Second})
		time.Sleep(3*time.Second + time.Millisecond)
		p.report(execution.Progress{ExecutionID: "0f8fad5b-d9cb-469f-a165-70867728950e", Status: types.AutomationExecutionStatusWaiting, StepName: "approve", Action: "aws:approve",
			StepStatus: types.AutomationExecutionStatusWaiting, Elapsed: 65 * time.Minute})
		p.report(execution.Progress{ExecutionID: "0f8fad5b-d9cb-469f-a165-70867728950e", Status: types.AutomationExecutionStatusWaiting, StepName: "approve", Action: "aws:approve",
			StepStatus: types.AutomationExecutionStatusPendingApproval, Elapsed: 66 * time.Minute})
		p.stop()
		p.stop() // idempotent
		out := buf.String()
		assert.Contains(t, out, "\r\033[K+00:00:02  InProgress stopInstances            InProgress  (aws:changeInstanceState)\n")
		assert.Contains(t, out, "\r\033[KInProgress · stopInstances  3s", "the live line is redrawn every second")
		assert.Contains(t, out, "+01:05:00  Waiting    approve                  Waiting  (aws:approve)\n")
		assert.Equal(t, 1, strings.Count(out, "waiting for approval: aws ssm send-automation-signal --automation-execution-id 0f8fad5b-d9cb-469f-a165-70867728950e --signal-type Approve (or Reject)\n"))
		assert.True(t, strings.HasSuffix(out, "\r\033[K"), "the live line is cleared at the end")
	})
}

func TestRunStartFlags(t *testing.T) {
	clearEndpointEnv(t)
	var stderr bytes.Buffer
	f, code := parseRunFlags([]string{"--document", "AWS-RestartEC2Instance", "--aws",
		"--param", "InstanceId=i-1,i-2", "--param", "Note=a,b", "--param", "Extra=x", "--param", "Extra=y",
		"--target-parameter-name", "InstanceId", "--target", "tag:Env=prod,staging", "--max-concurrency", "10%", "--max-errors", "1",
		"--tag", "ticket=OPS-7", "--interactive", "--mode", "runtime", "--role", "arn:aws:iam::111122223333:role/Restart"}, &stderr)
	require.Equal(t, -1, code, stderr.String())
	doc := &runbook.Document{Parameters: []runbook.Parameter{
		{Name: "InstanceId", Type: runbook.TypeStringList},
		{Name: "Note", Type: runbook.TypeString},
		{Name: "Extra", Type: runbook.TypeStringList},
	}}
	in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"), Parameters: map[string][]string{"AutomationAssumeRole": {f.role}}}
	r := &runner{flags: f}
	require.NoError(t, r.applyStartFlags(in, doc))
	assert.Equal(t, map[string][]string{
		"AutomationAssumeRole": {"arn:aws:iam::111122223333:role/Restart"},
		"InstanceId":           {"i-1", "i-2"}, // a list parameter: split
		"Note":                 {"a,b"},        // a String: kept whole
		"Extra":                {"x", "y"},
	}, in.Parameters)
	assert.Equal(t, "InstanceId", aws.ToString(in.TargetParameterName))
	require.Len(t, in.Targets, 1)
	assert.Equal(t, []string{"prod", "staging"}, in.Targets[0].Values)
	assert.Equal(t, "10%", aws.ToString(in.MaxConcurrency))
	assert.Equal(t, "1", aws.ToString(in.MaxErrors))
	assert.Equal(t, types.ExecutionModeInteractive, in.Mode)
	require.Len(t, in.Tags, 1)
	assert.Equal(t, "OPS-7", aws.ToString(in.Tags[0].Value))
}

func TestRunInputHint(t *testing.T) {
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	signal := "aws ssm send-automation-signal --automation-execution-id " + id + " --signal-type "
	for _, tc := range []struct {
		name   string
		status types.AutomationExecutionStatus
		action string
		want   string
	}{
		{"approval", types.AutomationExecutionStatusWaiting, "aws:approve", "waiting for approval: " + signal + "Approve (or Reject)"},
		{"pending approval", types.AutomationExecutionStatusPendingApproval, "", "waiting for approval: " + signal + "Approve (or Reject)"},
		{"pause", types.AutomationExecutionStatusWaiting, "aws:pause", "paused: " + signal + "Resume"},
		{"interactive", types.AutomationExecutionStatusWaiting, "aws:changeInstanceState", "waiting for input: " + signal + "Resume, or StartStep --payload StepName=NAME in interactive mode"},
		{"change calendar", types.AutomationExecutionStatusPendingChangeCalendarOverride, "", "waiting for a change calendar override to be approved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, inputHint(execution.Progress{ExecutionID: id, Status: tc.status, Action: tc.action}))
		})
	}
}

// TestRunRuntimeRole provisions a runbook in runtime mode from a FILE, then
// runs the document by name passing the role with --role, as the CLI
// procedure does: both runs act as the role.
func TestRunRuntimeRole(t *testing.T) {
	srv := localEndpoint(t)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "Restart-Runtime.json")
	require.NoError(t, os.WriteFile(file, []byte(`{
  "schemaVersion": "0.3",
  "parameters": {"InstanceId": {"type": "StringList", "description": "(Required) instances to restart"}},
  "mainSteps": [
    {"name": "stopInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stopped"}},
    {"name": "startInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "running"}}
  ]
}`), 0o644))
	role := "arn:aws:iam::" + srv.AccountID() + ":role/Restart-Runtime-Automation"
	started := regexp.MustCompile(`(?m)^started ([0-9a-f-]{36}) `)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"file provisions the role", []string{file, "--mode", "runtime"}},
		{"document with --role", []string{"--document", "Restart-Runtime", "--mode", "runtime", "--role", role}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			var stdout, stderr bytes.Buffer
			code := runWith(t.Context(), append(args, "--param", "InstanceId="+ids[0], "--wait", "--endpoint", srv.URL()), &stdout, &stderr, fastPolls)
			require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			m := started.FindStringSubmatch(stdout.String())
			require.NotNil(t, m, stdout.String())
			var acted bool
			for _, e := range srv.AuditFor(m[1]) {
				if e.API == "StopInstances" && e.Decision == "Allowed" {
					assert.Contains(t, e.Principal, ":assumed-role/Restart-Runtime-Automation/")
					acted = true
				}
			}
			assert.True(t, acted, "the role stopped the instance")
		})
	}

	// A role the document's parameter pattern refuses never starts.
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", "Restart-Runtime", "--mode", "runtime", "--role", "admin",
		"--param", "InstanceId=" + ids[0], "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr.String(), "admin")
	assert.Empty(t, stdout.String(), "nothing was started")
}

// TestRunFileInCallerMode: a runbook that may outlive the caller's 12-hour
// session is refused before anything is provisioned or started; a short
// one runs in the caller's session.
func TestRunFileInCallerMode(t *testing.T) {
	srv := localEndpoint(t)
	dir := t.TempDir()
	long := filepath.Join(dir, "Long-Soak.json")
	require.NoError(t, os.WriteFile(long, []byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"soak","action":"aws:sleep","inputs":{"Duration":"PT13H"}}]}`), 0o644))
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{long, "--mode", "caller", "--wait", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "cannot plan Long-Soak in caller mode")
	assert.Contains(t, stderr.String(), "caller mode refused")
	assert.Empty(t, stdout.String(), "nothing provisioned or started")
	client := ssm.NewFromConfig(srv.AdminConfig())
	_, err := client.GetDocument(t.Context(), &ssm.GetDocumentInput{Name: aws.String("Long-Soak")})
	require.Error(t, err, "the document was not created")

	short := filepath.Join(dir, "Short-Nap.json")
	require.NoError(t, os.WriteFile(short, []byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`), 0o644))
	stdout.Reset()
	stderr.Reset()
	code = runWith(t.Context(), []string{short, "--mode", "caller", "--wait", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Contains(t, stderr.String(), "warning: mode: caller mode")
	assert.Regexp(t, `(?m)^[0-9a-f-]{36} Success$`, stdout.String())
}

const restartDemo = `{
  "schemaVersion": "0.3",
  "parameters": {"InstanceId": {"type": "StringList", "description": "(Required) instances to restart"}},
  "mainSteps": [
    {"name": "stopInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stopped"}},
    {"name": "startInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "running"}}
  ]
}`

// assertNothingProvisioned checks that neither the document nor its role
// exists, and that no execution started.
func assertNothingProvisioned(t *testing.T, srv *ssmlocal.Server, name string) {
	t.Helper()
	cfg := srv.AdminConfig()
	client := ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	_, err := client.GetDocument(t.Context(), &ssm.GetDocumentInput{Name: aws.String(name)})
	assert.Error(t, err, "the document was not created")
	_, err = iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL()) }).
		GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(name + "-Automation")})
	assert.Error(t, err, "the role was not created")
	list, err := client.DescribeAutomationExecutions(t.Context(), &ssm.DescribeAutomationExecutionsInput{})
	require.NoError(t, err)
	assert.Empty(t, list.AutomationExecutionMetadataList, "nothing started")
}

// TestRunValidatesBeforeProvisioning: a start SSM would refuse (a missing
// required parameter, an undeclared one) changes nothing.
func TestRunValidatesBeforeProvisioning(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing required parameter", nil, "Parameters.InstanceId: is required"},
		{"bad tag", []string{"--param", "InstanceId=i-1", "--tag", "aws:reserved=x"}, "Tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := localEndpoint(t)
			file := filepath.Join(t.TempDir(), "Restart-Check.json")
			require.NoError(t, os.WriteFile(file, []byte(restartDemo), 0o644))
			var stdout, stderr bytes.Buffer
			code := runWith(t.Context(), append([]string{file, "--wait", "--endpoint", srv.URL()}, tc.args...), &stdout, &stderr, fastPolls)
			assert.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			assert.Contains(t, stderr.String(), "cannot start Restart-Check:")
			assert.Contains(t, stderr.String(), tc.want)
			assert.Empty(t, stdout.String())
			assertNothingProvisioned(t, srv, "Restart-Check")
		})
	}
}

func TestRunDryRun(t *testing.T) {
	srv := localEndpoint(t)
	file := filepath.Join(t.TempDir(), "Restart-Dry.json")
	require.NoError(t, os.WriteFile(file, []byte(restartDemo), 0o644))
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{file, "--dry-run", "--wait", "--param", "InstanceId=i-1,i-2", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	acct := srv.AccountID()
	assert.Equal(t, "plan: Restart-Dry in embedded mode, account "+acct+", Region us-east-1\n"+
		"  role: arn:aws:iam::"+acct+":role/Restart-Dry-Automation (inline policy AutomationPermissions, 2 statements)\n"+
		"  document: arn:aws:ssm:us-east-1:"+acct+":document/Restart-Dry\n"+
		"  duration: at most 2h0m0s\n"+
		"would provision: role created: arn:aws:iam::"+acct+":role/Restart-Dry-Automation\n"+
		"would provision: role policy put: arn:aws:iam::"+acct+":role/Restart-Dry-Automation (AutomationPermissions)\n"+
		"would provision: document created: arn:aws:ssm:us-east-1:"+acct+":document/Restart-Dry (version 1)\n"+
		"would start: Restart-Dry\n"+
		"  parameter InstanceId = i-1, i-2\n", stdout.String())
	assert.Contains(t, stderr.String(), "target: account "+acct)
	assertNothingProvisioned(t, srv, "Restart-Dry")

	// An existing document: the start is checked and printed, not sent.
	stdout.Reset()
	code = runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--dry-run", "--param", "InstanceId=i-1", "--endpoint", srv.URL()}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "would start: AWS-RestartEC2Instance\n  parameter InstanceId = i-1\n", stdout.String())
	assertNothingProvisioned(t, srv, "Restart-Dry")
}

// TestRunEndpointFromEnvironment: AWS_ENDPOINT_URL is an explicit target,
// and --endpoint wins over a service-specific variable.
func TestRunEndpointFromEnvironment(t *testing.T) {
	srv := localEndpoint(t)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	t.Setenv("AWS_ENDPOINT_URL", srv.URL())
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--param", "InstanceId=" + ids[0], "--wait"}, &stdout, &stderr, fastPolls)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Contains(t, stderr.String(), "endpoint "+srv.URL()+"\n")

	// The service-specific variables, one per service run calls.
	t.Setenv("AWS_ENDPOINT_URL", "")
	for _, k := range []string{"AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS"} {
		t.Setenv(k, srv.URL())
	}
	stdout.Reset()
	stderr.Reset()
	code = runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--param", "InstanceId=" + ids[0]}, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Contains(t, stderr.String(), "endpoint "+srv.URL()+"\n")

	t.Setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:1")
	stdout.Reset()
	stderr.Reset()
	code = runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--param", "InstanceId=" + ids[0], "--endpoint", srv.URL()}, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Regexp(t, `^[0-9a-f-]{36}\n$`, stdout.String())
}

// TestRunNoPermissionsRunbook: a runbook that calls no API runs in every
// mode.
func TestRunNoPermissionsRunbook(t *testing.T) {
	srv := localEndpoint(t)
	for _, mode := range []string{"embedded", "runtime", "caller"} {
		t.Run(mode, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "Nap-"+mode+".json")
			require.NoError(t, os.WriteFile(file, []byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT2S"}}]}`), 0o644))
			var stdout, stderr bytes.Buffer
			code := runWith(t.Context(), []string{file, "--mode", mode, "--wait", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
			require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			assert.Regexp(t, `(?m)^[0-9a-f-]{36} Success$`, stdout.String())
			assert.Contains(t, stderr.String(), "note: the runbook's steps need no permissions")
			assert.NotContains(t, stdout.String(), "role policy put")
		})
	}
}

// TestRunLiveLineNamesRunningStep: a Pending step reported after the
// running one does not take over the live line.
func TestRunLiveLineNamesRunningStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf lockedBuffer // read while the ticker writes
		p := newRunProgress(&buf, true)
		inProgress, pending := types.AutomationExecutionStatusInprogress, types.AutomationExecutionStatusPending
		p.report(execution.Progress{Status: inProgress, StepName: "stopInstances", Action: "aws:changeInstanceState", StepStatus: inProgress})
		p.report(execution.Progress{Status: inProgress, StepName: "startInstances", Action: "aws:changeInstanceState", StepStatus: pending})
		time.Sleep(time.Second + time.Millisecond)
		assert.Contains(t, buf.String(), "\r\033[KInProgress · stopInstances  1s")
		assert.NotContains(t, buf.String(), "· startInstances")
		p.report(execution.Progress{Status: inProgress, StepName: "stopInstances", Action: "aws:changeInstanceState", StepStatus: types.AutomationExecutionStatusSuccess})
		p.report(execution.Progress{Status: inProgress, StepName: "startInstances", Action: "aws:changeInstanceState", StepStatus: inProgress})
		time.Sleep(time.Second)
		assert.Contains(t, buf.String(), "\r\033[KInProgress · startInstances  2s")
		p.stop()
	})
}

// TestRunHeartbeat: off a terminal, a long step prints a line after every
// 30 s of silence, and its end is printed.
func TestRunHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		p := newRunProgress(&buf, false)
		inProgress := types.AutomationExecutionStatusInprogress
		p.report(execution.Progress{Status: inProgress, StepName: "nap", Action: "aws:sleep", StepStatus: inProgress})
		p.report(execution.Progress{Status: inProgress, StepName: "after", Action: "aws:sleep", StepStatus: types.AutomationExecutionStatusPending})
		time.Sleep(65 * time.Second)
		p.report(execution.Progress{Status: types.AutomationExecutionStatusSuccess, StepName: "nap", Action: "aws:sleep",
			StepStatus: types.AutomationExecutionStatusSuccess, Elapsed: 65 * time.Second})
		time.Sleep(20 * time.Second)
		p.stop()
		assert.Equal(t, "+00:00:00  InProgress nap                      InProgress  (aws:sleep)\n"+
			"+00:00:00  InProgress after                    Pending  (aws:sleep)\n"+
			"+00:00:30  InProgress nap                      still InProgress  (aws:sleep)\n"+
			"+00:01:00  InProgress nap                      still InProgress  (aws:sleep)\n"+
			"+00:01:05  Success    nap                      Success  (aws:sleep)\n", buf.String())
	})
}

// TestRunJSON: --format json prints one object on standard output, with
// the target, the changes and the end; the progress goes to standard
// error.
func TestRunJSON(t *testing.T) {
	srv := localEndpoint(t)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "Restart-JSON.json")
	require.NoError(t, os.WriteFile(file, []byte(restartDemo), 0o644))
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		status string
	}{
		{"dry run", []string{"--dry-run", "--param", "InstanceId=" + ids[0]}, 0, ""},
		{"success", []string{"--wait", "--param", "InstanceId=" + ids[0]}, 0, "Success"},
		{"failure", []string{"--wait", "--param", "InstanceId=i-0000000000000dead"}, 1, "Failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runWith(t.Context(), append([]string{file, "--format", "json", "--endpoint", srv.URL()}, tc.args...), &stdout, &stderr, fastPolls)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			var res runResult
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), stdout.String())
			assert.Equal(t, srv.AccountID(), res.Account)
			assert.Equal(t, srv.URL(), res.Endpoint)
			assert.Equal(t, "Restart-JSON", res.Document)
			assert.Equal(t, "embedded", res.Mode)
			assert.Equal(t, tc.status, res.Status)
			switch tc.name {
			case "dry run":
				assert.True(t, res.DryRun)
				require.NotEmpty(t, res.Changes)
				assert.Equal(t, "role created", res.Changes[0].Kind)
				assert.Empty(t, res.ExecutionID)
				assert.Contains(t, stderr.String(), "would start: Restart-JSON")
			case "success":
				assert.NotEmpty(t, res.Changes, "the first real run provisions")
				assert.Regexp(t, `^[0-9a-f-]{36}$`, res.ExecutionID)
				assert.Contains(t, stderr.String(), "started "+res.ExecutionID)
			case "failure":
				assert.Empty(t, res.Changes, "nothing changed the second time")
				require.NotNil(t, res.FailedStep)
				assert.Equal(t, "stopInstances", res.FailedStep.Name)
				assert.Contains(t, res.FailureMessage, "i-0000000000000dead")
			}
		})
	}
}
