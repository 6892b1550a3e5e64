package ssmlocal_test

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// inCI reports whether the tests run in CI, where a missing interpreter is
// a broken setup rather than a reason to skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// pythonRuntime returns the aws:executeScript runtime the python3 on PATH
// satisfies ("python3.11"), skipping the test when there is none outside CI.
func pythonRuntime(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		if inCI() {
			require.NoError(t, err, "python3 is needed to test aws:executeScript")
		}
		t.Skipf("python3 is not available: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// needBoto3 skips the test when boto3 is missing, except in CI.
func needBoto3(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		if inCI() {
			require.NoError(t, err, "boto3 is needed to test aws:executeScript: %s", out)
		}
		t.Skipf("boto3 is not installed for python3: %v", err)
	}
}

// scriptServer starts an endpoint that runs scripts.
func scriptServer(t *testing.T, optFns ...func(*ssmlocal.Options)) *ssmlocal.Server {
	return newServer(t, append([]func(*ssmlocal.Options){func(o *ssmlocal.Options) { o.RunScripts = true }}, optFns...)...)
}

// scriptDoc is a runbook of the given steps, as JSON.
func scriptDoc(t *testing.T, doc map[string]any) string {
	t.Helper()
	doc["schemaVersion"] = "0.3"
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}

func scriptStep(name, runtime, handler, script string, extra map[string]any) map[string]any {
	inputs := map[string]any{"Runtime": runtime, "Handler": handler}
	if script != "" {
		inputs["Script"] = script
	}
	step := map[string]any{"name": name, "action": "aws:executeScript", "inputs": inputs}
	for k, v := range extra {
		if k == "InputPayload" || k == "Attachment" {
			inputs[k] = v
			continue
		}
		step[k] = v
	}
	return step
}

// runDoc creates the document and runs it to its end as the admin.
func runDoc(t *testing.T, srv *ssmlocal.Server, name, content string, params map[string][]string) (*ssm.Client, *ssmtypes.AutomationExecution) {
	t.Helper()
	client := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, client, name, content)
	id := start(t, client, &ssm.StartAutomationExecutionInput{DocumentName: aws.String(name), Parameters: params})
	return client, waitDone(t, client, id)
}

func stepNamed(t *testing.T, x *ssmtypes.AutomationExecution, name string) ssmtypes.StepExecution {
	t.Helper()
	for _, s := range x.StepExecutions {
		if aws.ToString(s.StepName) == name {
			return s
		}
	}
	require.FailNow(t, fmt.Sprintf("no step %s in %s", name, aws.ToString(x.AutomationExecutionId)))
	return ssmtypes.StepExecution{}
}

func TestExecuteScriptPayloadFeedsLaterStep(t *testing.T) {
	rt := pythonRuntime(t)
	srv := scriptServer(t)
	compute := `import json

def shout(name):
    return name.upper() + "!"

def script_handler(events, context):
    print("hello from", context["automation:STEP_NAME"])
    n = int(events["Count"]) * 2
    return {"greeting": shout(events["Name"]), "n": n, "items": ["a", "b"], "execution": context["automation:EXECUTION_ID"]}
`
	echo := `def handler(events, context):
    return {"seen": "%s/%d" % (events["Greeting"], events["N"])}
`
	doc := scriptDoc(t, map[string]any{
		"parameters": map[string]any{"Name": map[string]any{"type": "String"}},
		"outputs":    []string{"use.Seen", "compute.Items"},
		"mainSteps": []any{
			scriptStep("compute", rt, "script_handler", compute, map[string]any{
				"InputPayload": map[string]any{"Name": "{{ Name }}", "Count": 3},
				"outputs": []any{
					map[string]any{"Name": "Greeting", "Selector": "$.Payload.greeting", "Type": "String"},
					map[string]any{"Name": "N", "Selector": "$.Payload.n", "Type": "Integer"},
					map[string]any{"Name": "Items", "Selector": "$.Payload.items", "Type": "StringList"},
					map[string]any{"Name": "Execution", "Selector": "$.Payload.execution", "Type": "String"},
				},
			}),
			scriptStep("use", rt, "handler", echo, map[string]any{
				"InputPayload": map[string]any{"Greeting": "{{ compute.Greeting }}", "N": "{{ compute.N }}"},
				"outputs":      []any{map[string]any{"Name": "Seen", "Selector": "$.Payload.seen", "Type": "String"}},
			}),
		},
	})
	_, x := runDoc(t, srv, "Script-Chain", doc, map[string][]string{"Name": {"ada"}})
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	assert.Equal(t, []string{"ADA!/6"}, x.Outputs["use.Seen"])
	assert.Equal(t, []string{"a", "b"}, x.Outputs["compute.Items"])

	s := stepNamed(t, x, "compute")
	assert.Equal(t, []string{aws.ToString(x.AutomationExecutionId)}, s.Outputs["Execution"])
	assert.Equal(t, []string{"hello from compute\n"}, s.Outputs["ExecutionLog"])
	require.Len(t, s.Outputs["OutputPayload"], 1)
	var payload map[string]any
	require.NoError(t, json.Unmarshal([]byte(s.Outputs["OutputPayload"][0]), &payload))
	assert.Equal(t, "ADA!", payload["Payload"].(map[string]any)["greeting"])
}

// scriptPolicy lets the script role describe instances and nothing else.
const scriptPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`

func TestExecuteScriptCallsAsRoleSession(t *testing.T) {
	rt := pythonRuntime(t)
	needBoto3(t)
	// Inherited settings must not reach the script's SDK.
	t.Setenv("AWS_PROFILE", "inherited-profile")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAINHERITED")
	srv := scriptServer(t)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	role := serviceRole(t, srv, "ScriptRole", trustSSM, scriptPolicy)
	script := `import os
import boto3

def handler(events, context):
    print("creds", os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"], os.environ["AWS_SESSION_TOKEN"])
    print("profile", os.environ.get("AWS_PROFILE", "-"))
    ids = [i["InstanceId"] for r in boto3.client("ec2").describe_instances()["Reservations"] for i in r["Instances"]]
    print("instances", ",".join(ids))
    boto3.client("iam").list_users()
    return {"ids": ids}
`
	doc := scriptDoc(t, map[string]any{
		"assumeRole": role,
		"mainSteps":  []any{scriptStep("probe", rt, "handler", script, nil)},
	})
	_, x := runDoc(t, srv, "Script-Boto3", doc, nil)
	id := aws.ToString(x.AutomationExecutionId)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	s := stepNamed(t, x, "probe")
	assert.Contains(t, aws.ToString(s.FailureMessage), "Fail to execute step probe")
	assert.Contains(t, aws.ToString(s.FailureMessage), "ClientError - An error occurred (AccessDenied) when calling the ListUsers operation")
	require.NotNil(t, s.FailureDetails)
	assert.Equal(t, "Permission", aws.ToString(s.FailureDetails.FailureType))
	assert.Equal(t, []string{"AccessDenied"}, s.FailureDetails.Details["ErrorCode"])

	log := strings.Join(s.Outputs["ExecutionLog"], "")
	assert.Contains(t, log, "instances "+ids[0]+"\n")
	assert.Contains(t, log, "profile -\n")
	m := regexp.MustCompile(`creds (\S+) (\S+) (\S+)`).FindStringSubmatch(log)
	require.NotNil(t, m, log)
	assert.True(t, strings.HasPrefix(m[1], "ASIA"), m[1])

	// Both calls are audited as the role session, with the step.
	var describe, list *ssmlocal.AuditEvent
	for _, e := range srv.AuditFor(id) {
		switch e.API {
		case "DescribeInstances":
			describe = &e
		case "ListUsers":
			list = &e
		}
	}
	session := "arn:aws:sts::123456789012:assumed-role/ScriptRole/" + id
	require.NotNil(t, describe, "DescribeInstances is not in the audit trail")
	require.NotNil(t, list, "ListUsers is not in the audit trail")
	for _, e := range []*ssmlocal.AuditEvent{describe, list} {
		assert.Equal(t, "probe", e.StepName)
		assert.Equal(t, session, e.Principal)
		assert.Equal(t, m[1], e.AccessKeyID)
	}
	assert.Equal(t, "Allowed", describe.Decision)
	assert.Equal(t, "Denied", list.Decision)
	assert.Equal(t, "AccessDenied", list.ErrorCode)

	// The credentials ended with the step.
	leaked := ec2.NewFromConfig(cfg(srv, ssmlocal.Credentials{AccessKeyID: m[1], SecretAccessKey: m[2], SessionToken: m[3]}))
	_, err = leaked.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	assert.Equal(t, "AuthFailure", errCode(err))
}

func TestExecuteScriptException(t *testing.T) {
	rt := pythonRuntime(t)
	srv := scriptServer(t)
	script := `def check(value):
    if value != "ok":
        raise ValueError("value %r is not ok" % value)

def handler(events, context):
    print("checking")
    check(events["Value"])
`
	doc := scriptDoc(t, map[string]any{"mainSteps": []any{
		scriptStep("check", rt, "handler", script, map[string]any{"InputPayload": map[string]any{"Value": "bad"}}),
	}})
	_, x := runDoc(t, srv, "Script-Raise", doc, nil)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	msg := aws.ToString(x.FailureMessage)
	assert.True(t, strings.HasPrefix(msg, "Step fails when it is Execute/Cancelling action. Fail to execute step check: Traceback (most recent call last):"), msg)
	assert.Contains(t, msg, `in check`)
	assert.Contains(t, msg, `raise ValueError("value %r is not ok" % value)`)
	assert.Contains(t, msg, "ValueError - value 'bad' is not ok")
	assert.NotContains(t, msg, "ssmlocal_runner", "the wrapper's own frame is left out")
	s := stepNamed(t, x, "check")
	assert.Equal(t, []string{"ValueError"}, s.FailureDetails.Details["ErrorCode"])
	assert.Equal(t, []string{"checking\n"}, s.Outputs["ExecutionLog"])
}

// processGone reports whether pid has ended (or is a zombie nobody reaped
// yet, which runs no more).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return os.IsNotExist(err)
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func TestExecuteScriptTimeout(t *testing.T) {
	rt := pythonRuntime(t)
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("checking that the processes ended needs /proc")
	}
	srv := scriptServer(t)
	// The limit must leave the script time to start its child and print:
	// three times what a script that only starts a child takes here, at
	// least 2 s, so a busy machine does not time it out before it prints.
	quick := scriptDoc(t, map[string]any{"mainSteps": []any{
		scriptStep("quick", rt, "handler", `import subprocess, sys

def handler(events, context):
    subprocess.Popen([sys.executable, "-c", "pass"]).wait()
`, nil),
	}})
	began := time.Now()
	_, q := runDoc(t, srv, "Script-Quick", quick, nil)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, q.AutomationExecutionStatus, aws.ToString(q.FailureMessage))
	limit := max(2, int(math.Ceil(3*time.Since(began).Seconds())))
	script := `import os, subprocess, sys, time

def handler(events, context):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print("pids", os.getpid(), child.pid)
    time.sleep(600)
`
	doc := scriptDoc(t, map[string]any{"mainSteps": []any{
		scriptStep("slow", rt, "handler", script, map[string]any{"timeoutSeconds": limit}),
	}})
	_, x := runDoc(t, srv, "Script-Slow", doc, nil)
	require.Equal(t, ssmtypes.AutomationExecutionStatusTimedout, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	s := stepNamed(t, x, "slow")
	assert.Equal(t, ssmtypes.AutomationExecutionStatusTimedout, s.StepStatus)
	assert.Contains(t, aws.ToString(s.FailureMessage), fmt.Sprintf("the script ran for %ds of wall time, its time limit, and was stopped (attempt 1 of 1)", limit))
	m := regexp.MustCompile(`pids (\d+) (\d+)`).FindStringSubmatch(strings.Join(s.Outputs["ExecutionLog"], ""))
	require.NotNil(t, m, "the script printed no pids: %v %v %v", s.Outputs, aws.ToString(s.FailureMessage), x.FailureMessage)
	for _, p := range m[1:] {
		pid, err := strconv.Atoi(p)
		require.NoError(t, err)
		assert.True(t, processGone(pid), "process %d is still running", pid)
	}
}

func TestExecuteScriptRefusals(t *testing.T) {
	rt := pythonRuntime(t)
	// A runtime this machine cannot satisfy: another python3.X, with no
	// python3.X on PATH that runs (a pyenv shim of an inactive version
	// does not).
	var missing string
	for _, cand := range []string{"python3.9", "python3.10", "python3.11", "python3.12", "python3.13"} {
		if cand != rt && exec.Command(cand, "-c", "pass").Run() != nil {
			missing = cand
			break
		}
	}
	attachments := t.TempDir()
	tests := []struct {
		name, runtime string
		run, noScript bool
		extra         map[string]any
		want          []string
	}{
		{name: "not opted in", runtime: rt, run: false,
			want: []string{"ssmlocal.Options.RunScripts", "ssmdelegate local --run-scripts"}},
		{name: "runtime not satisfiable", runtime: missing, run: true,
			want: []string{"runtime " + missing + " needs Python " + strings.TrimPrefix(missing, "python"), "python3 on PATH is Python " + strings.TrimPrefix(rt, "python")}},
		{name: "attachment missing", runtime: rt, run: true, extra: map[string]any{"Attachment": "absent.zip"}, noScript: true,
			want: []string{`attachment "absent.zip" is not a file in the attachments directory ` + attachments}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.runtime == "" {
				t.Skip("every python3.X runtime is available here")
			}
			srv := newServer(t, func(o *ssmlocal.Options) { o.RunScripts = tt.run; o.AttachmentsDir = attachments })
			script := "def handler(events, context):\n    return 1\n"
			if tt.noScript {
				script = ""
			}
			doc := scriptDoc(t, map[string]any{
				"files":     map[string]any{"absent.zip": map[string]any{"checksums": map[string]any{"sha256": strings.Repeat("0", 64)}}},
				"mainSteps": []any{scriptStep("s", tt.runtime, "handler", script, tt.extra)},
			})
			_, x := runDoc(t, srv, "Script-Refused", doc, nil)
			require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
			for _, w := range tt.want {
				assert.Contains(t, aws.ToString(x.FailureMessage), w)
			}
		})
	}
}

func TestExecuteScriptPowerShell(t *testing.T) {
	_, lookErr := exec.LookPath("pwsh")
	srv := scriptServer(t)
	script := "function handler($events, $context) { Write-Output \"seen $($events.Name)\" | Out-Host; return @{ upper = $events.Name.ToUpper() } }\n"
	doc := scriptDoc(t, map[string]any{"mainSteps": []any{
		scriptStep("ps", "PowerShell 7.4", "handler", script, map[string]any{
			"InputPayload": map[string]any{"Name": "ada"},
			"outputs":      []any{map[string]any{"Name": "Upper", "Selector": "$.Payload.upper", "Type": "String"}},
		}),
	}})
	t.Run("absent", func(t *testing.T) {
		if lookErr == nil {
			t.Skip("pwsh is installed here")
		}
		_, x := runDoc(t, srv, "Script-Pwsh-Absent", doc, nil)
		require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
		assert.Contains(t, aws.ToString(x.FailureMessage), "runtime PowerShell 7.4 needs PowerShell (pwsh) on PATH, and none was found")
	})
	t.Run("present", func(t *testing.T) {
		if lookErr != nil {
			t.Skip("pwsh is not installed here, so only its absence is tested")
		}
		_, x := runDoc(t, srv, "Script-Pwsh", doc, nil)
		require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
		assert.Equal(t, []string{"ADA"}, stepNamed(t, x, "ps").Outputs["Upper"])
	})
}

func TestExecuteScriptBounds(t *testing.T) {
	rt := pythonRuntime(t)
	srv := scriptServer(t)
	t.Run("output", func(t *testing.T) {
		script := "import sys\n\ndef handler(events, context):\n    sys.stdout.write('x' * (400 * 1024))\n    return 'done'\n"
		doc := scriptDoc(t, map[string]any{"mainSteps": []any{scriptStep("chatty", rt, "handler", script, nil)}})
		_, x := runDoc(t, srv, "Script-Chatty", doc, nil)
		require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
		log := strings.Join(stepNamed(t, x, "chatty").Outputs["ExecutionLog"], "")
		assert.Equal(t, 256*1024, strings.Count(log, "x"))
		assert.Contains(t, log, "[output truncated: 147456 more bytes were written after the first 256 KiB]")
	})
	t.Run("payload", func(t *testing.T) {
		script := "def handler(events, context):\n    return 'y' * (200 * 1024)\n"
		doc := scriptDoc(t, map[string]any{"mainSteps": []any{scriptStep("big", rt, "handler", script, nil)}})
		_, x := runDoc(t, srv, "Script-Big", doc, nil)
		require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
		assert.Contains(t, aws.ToString(x.FailureMessage), "Automation returns at most 100 KB of Payload")
	})
}

// writeZip writes a zip of files (name → content) to path.
func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for name, content := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func TestExecuteScriptAttachment(t *testing.T) {
	rt := pythonRuntime(t)
	dir := t.TempDir()
	writeZip(t, filepath.Join(dir, "bundle.zip"), map[string]string{
		"main.py":         "from lib import util\n\ndef handler(events, context):\n    return {'v': util.double(events['N'])}\n",
		"lib/__init__.py": "",
		"lib/util.py":     "def double(n):\n    return n * 2\n",
	})
	writeZip(t, filepath.Join(dir, "evil.zip"), map[string]string{"../escape.py": "x = 1\n"})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "single.py"), []byte("def go(events, context):\n    return events['N'] + 1\n"), 0o600))
	sums := map[string]string{}
	for _, name := range []string{"bundle.zip", "evil.zip", "single.py"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		sums[name] = hex.EncodeToString(sum[:])
	}
	srv := scriptServer(t, func(o *ssmlocal.Options) { o.AttachmentsDir = dir })
	tests := []struct {
		name, attachment, handler, script string
		sha                               string
		want                              string
		fail                              string
	}{
		{name: "zip module handler", attachment: "bundle.zip", handler: "main.handler", want: "42"},
		{name: "py file", attachment: "single.py", handler: "single.go", want: "22"},
		{name: "path traversal", attachment: "evil.zip", handler: "main.handler", fail: `entry "../escape.py" is not a relative path inside the archive`},
		{name: "checksum mismatch", attachment: "bundle.zip", handler: "main.handler", sha: strings.Repeat("ab", 32),
			fail: `attachment "bundle.zip" in ` + dir + ` has sha256 ` + sums["bundle.zip"] + `, and the document declares ` + strings.Repeat("ab", 32)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := scriptStep("attached", rt, tt.handler, tt.script, map[string]any{
				"Attachment": tt.attachment, "InputPayload": map[string]any{"N": 21},
				"outputs": []any{map[string]any{"Name": "V", "Selector": "$.Payload.v", "Type": "String"}},
			})
			if tt.attachment == "single.py" {
				step["outputs"] = []any{map[string]any{"Name": "V", "Selector": "$.Payload", "Type": "String"}}
			}
			sha := tt.sha
			if sha == "" {
				sha = sums[tt.attachment]
			}
			doc := scriptDoc(t, map[string]any{
				"files":     map[string]any{tt.attachment: map[string]any{"checksums": map[string]any{"sha256": sha}}},
				"mainSteps": []any{step},
			})
			_, x := runDoc(t, srv, fmt.Sprintf("Script-Attached-%d", i), doc, nil)
			if tt.fail != "" {
				require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
				assert.Contains(t, aws.ToString(x.FailureMessage), tt.fail)
				_, err := os.Stat(filepath.Join(os.TempDir(), "escape.py"))
				assert.True(t, os.IsNotExist(err), "the archive wrote outside its directory")
				return
			}
			require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
			assert.Equal(t, []string{tt.want}, stepNamed(t, x, "attached").Outputs["V"])
		})
	}
}

// TestExecuteScriptCallerSession runs a script of an execution without a
// service role: its calls are the caller's own.
func TestExecuteScriptCallerSession(t *testing.T) {
	rt := pythonRuntime(t)
	needBoto3(t)
	srv := scriptServer(t)
	operator := user(t, srv, "operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:*","sts:GetCallerIdentity"],"Resource":"*"}]}`)
	script := "import boto3\n\ndef handler(events, context):\n    return {'arn': boto3.client('sts').get_caller_identity()['Arn']}\n"
	doc := scriptDoc(t, map[string]any{"mainSteps": []any{scriptStep("whoami", rt, "handler", script, map[string]any{
		"outputs": []any{map[string]any{"Name": "Arn", "Selector": "$.Payload.arn", "Type": "String"}},
	})}})
	client := ssm.NewFromConfig(cfg(srv, operator))
	createDoc(t, client, "Script-Caller", doc)
	x := waitDone(t, client, start(t, client, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Script-Caller")}))
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	assert.Equal(t, []string{"arn:aws:iam::123456789012:user/operator"}, stepNamed(t, x, "whoami").Outputs["Arn"])
	var seen bool
	for _, e := range srv.AuditFor(aws.ToString(x.AutomationExecutionId)) {
		if e.API == "GetCallerIdentity" {
			seen = true
			assert.Equal(t, "whoami", e.StepName)
			assert.Equal(t, "arn:aws:iam::123456789012:user/operator", e.Principal)
			assert.NotEqual(t, operator.AccessKeyID, e.AccessKeyID, "the script gets a session of its own, not the caller's key")
		}
	}
	assert.True(t, seen, "GetCallerIdentity is not in the audit trail")
}
