package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// opsFixture is a local endpoint with a client and helpers to start a
// runbook and wait until it needs a person.
type opsFixture struct {
	t      *testing.T
	srv    *ssmlocal.Server
	client *ssm.Client
}

func newOpsFixture(t *testing.T) *opsFixture {
	srv := localEndpoint(t)
	client := ssm.NewFromConfig(srv.AdminConfig())
	return &opsFixture{t: t, srv: srv, client: client}
}

func (f *opsFixture) document(name, content string) {
	_, err := f.client.CreateDocument(f.t.Context(), &ssm.CreateDocumentInput{Name: aws.String(name), DocumentType: "Automation",
		DocumentFormat: "JSON", Content: aws.String(content)})
	require.NoError(f.t, err)
}

// start starts name and waits until it waits for input.
func (f *opsFixture) start(name string, opts ...func(*execution.StartOptions)) string {
	out, err := execution.Start(f.t.Context(), f.client, name, opts...)
	require.NoError(f.t, err)
	err = execution.NewExecutionWaiter(f.client, fastPolls, func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true }).
		Wait(f.t.Context(), out.ExecutionID, time.Minute)
	var awaiting *execution.AwaitingInputError
	require.ErrorAs(f.t, err, &awaiting)
	return out.ExecutionID
}

// end waits for the execution to end and returns its status.
func (f *opsFixture) end(id string) types.AutomationExecutionStatus {
	out, err := execution.NewExecutionWaiter(f.client, fastPolls).WaitForOutput(f.t.Context(), id, time.Minute)
	var failed *execution.ExecutionFailedError
	if errors.As(err, &failed) {
		return failed.Status
	}
	require.NoError(f.t, err)
	return out.AutomationExecution.AutomationExecutionStatus
}

func (f *opsFixture) cmd(run func(ctx contextT, args []string, stdout, stderr *bytes.Buffer) int, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(f.t.Context(), append(args, "--endpoint", f.srv.URL()), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func approvalRunbook(approver string) string {
	return `{"schemaVersion":"0.3","mainSteps":[
  {"name":"ask","action":"aws:approve","inputs":{"Approvers":["` + approver + `"],"MinRequiredApprovals":1}},
  {"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`
}

func TestApproveAndDescribe(t *testing.T) {
	f := newOpsFixture(t)
	f.document("Ask", approvalRunbook(f.srv.AdminARN()))
	id := f.start("Ask")

	code, out, errOut := f.cmd(wrap(cmdApprove), id, "--comment", "looks good")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "approved "+id+"\n", out)
	assert.Equal(t, types.AutomationExecutionStatusSuccess, f.end(id))

	code, out, errOut = f.cmd(wrap(cmdDescribe), id)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "execution  "+id+"\n")
	assert.Contains(t, out, "document   Ask (version 1)\n")
	assert.Contains(t, out, "status     Success\n")
	assert.Regexp(t, `(?m)^STEP\s+ACTION\s+STATUS\s+START\s+END\s+FAILURE$`, out)
	assert.Regexp(t, `(?m)^ask\s+aws:approve\s+Success\s+\d{4}-`, out)
	assert.Regexp(t, `(?m)^nap\s+aws:sleep\s+Success\s+\d{4}-`, out)

	code, out, errOut = f.cmd(wrap(cmdDescribe), id, "--format", "json")
	require.Equal(t, 0, code, errOut)
	var d describedExecution
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	assert.Equal(t, id, d.ExecutionID)
	assert.Equal(t, "Success", d.Status)
	require.Len(t, d.Steps, 2)
	assert.Equal(t, "ask", d.Steps[0].Name)
	assert.Equal(t, "aws:sleep", d.Steps[1].Action)
}

func TestRejectAndWatch(t *testing.T) {
	f := newOpsFixture(t)
	f.document("Ask", approvalRunbook(f.srv.AdminARN()))
	rejected, approved := f.start("Ask"), f.start("Ask")
	code, out, errOut := f.cmd(wrap(cmdReject), rejected, "--comment", "not now")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "rejected "+rejected+"\n", out)
	code, _, errOut = f.cmd(wrap(cmdApprove), approved)
	require.Equal(t, 0, code, errOut)

	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := watchWith(t.Context(), []string{rejected, approved, "--format", format, "--endpoint", f.srv.URL()}, &stdout, &stderr,
				func(o *execution.WatcherOptions) { o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond })
			assert.Equal(t, 1, code, "one execution failed: stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			out := stdout.String()
			if format == "text" {
				assert.Regexp(t, `(?m)^`+rejected+` Rejected\s+\S+.*error: `, out)
				assert.Regexp(t, `(?m)^`+approved+` Success\s+\S+`, out)
				return
			}
			final := map[string]watchEvent{}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				var ev watchEvent
				require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
				if ev.Final {
					final[ev.ExecutionID] = ev
				}
			}
			assert.Equal(t, "Rejected", final[rejected].Status)
			assert.NotEmpty(t, final[rejected].Error)
			assert.Equal(t, "Success", final[approved].Status)
		})
	}
}

func TestSignalAndStop(t *testing.T) {
	f := newOpsFixture(t)
	f.document("Hold", `{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:pause","inputs":{}},{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)

	t.Run("resume", func(t *testing.T) {
		id := f.start("Hold")
		code, out, errOut := f.cmd(wrap(cmdSignal), id, "--type", "Resume")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, "sent Resume to "+id+"\n", out)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, f.end(id))
	})
	t.Run("resume the named step", func(t *testing.T) {
		id := f.start("Hold")
		code, _, errOut := f.cmd(wrap(cmdSignal), id, "--type", "Resume", "--step", "nap")
		assert.Equal(t, 1, code, "nap is not the paused step")
		assert.NotEmpty(t, errOut)
		code, out, errOut := f.cmd(wrap(cmdSignal), id, "--type", "Resume", "--step", "hold")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, "sent Resume to "+id+"\n", out)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, f.end(id))
	})
	t.Run("start step", func(t *testing.T) {
		id := f.start("Hold", execution.WithInteractive())
		code, _, errOut := f.cmd(wrap(cmdSignal), id, "--type", "StartStep", "--step", "nap")
		require.Equal(t, 0, code, errOut)
		got, err := f.client.GetAutomationExecution(t.Context(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
		require.NoError(t, err)
		var ran bool
		for _, s := range got.AutomationExecution.StepExecutions {
			ran = ran || aws.ToString(s.StepName) == "nap"
		}
		assert.True(t, ran, "the step named by --step was started")
	})
	t.Run("complete", func(t *testing.T) {
		id := f.start("Hold")
		code, out, errOut := f.cmd(wrap(cmdStop), id, "--type", "Complete")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, "stopped "+id+" (Complete)\n", out)
		assert.NotEqual(t, types.AutomationExecutionStatusWaiting, f.end(id))
	})
	t.Run("stop step that is not running", func(t *testing.T) {
		id := f.start("Hold")
		code, _, errOut := f.cmd(wrap(cmdSignal), id, "--type", "StopStep", "--step", "nap")
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "no running step of that name")
		code, out, errOut := f.cmd(wrap(cmdStop), id)
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, "stopped "+id+" (Cancel)\n", out)
		assert.Equal(t, types.AutomationExecutionStatusCancelled, f.end(id))
	})
	t.Run("unknown execution", func(t *testing.T) {
		code, out, errOut := f.cmd(wrap(cmdSignal), "0f8fad5b-d9cb-469f-a165-70867728950e", "--type", "Resume")
		assert.Equal(t, 1, code)
		assert.Empty(t, out)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %s", errOut)
	})
}

func TestOpsUsage(t *testing.T) {
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	for _, tc := range []struct {
		name string
		run  func(ctx contextT, args []string, stdout, stderr *bytes.Buffer) int
		args []string
		code int
		msg  string
	}{
		{"approve without id", wrap(cmdApprove), []string{"--aws"}, 2, "EXECUTION_ID is required"},
		{"approve two ids", wrap(cmdApprove), []string{id, id, "--aws"}, 2, "unexpected argument"},
		{"approve without target", wrap(cmdApprove), []string{id}, 2, "no target"},
		{"approve help", wrap(cmdApprove), []string{"--help"}, 0, "usage: ssmdelegate approve EXECUTION_ID"},
		{"signal without type", wrap(cmdSignal), []string{id, "--aws"}, 2, "--type is required"},
		{"signal approve", wrap(cmdSignal), []string{id, "--aws", "--type", "Approve"}, 2, "approve and reject have their own commands"},
		{"start step without step", wrap(cmdSignal), []string{id, "--aws", "--type", "StartStep"}, 2, "needs --step NAME"},
		{"revoke with step", wrap(cmdSignal), []string{id, "--aws", "--type", "Revoke", "--step", "x"}, 2, "--step goes with"},
		{"bad payload", wrap(cmdSignal), []string{id, "--aws", "--type", "Revoke", "--payload", "x"}, 2, "is not KEY=VALUE"},
		{"stop type", wrap(cmdStop), []string{id, "--aws", "--type", "Halt"}, 2, "want Cancel or Complete"},
		{"watch nothing", wrap(cmdWatch), []string{"--aws"}, 2, "EXECUTION_ID is required"},
		{"watch format", wrap(cmdWatch), []string{id, "--aws", "--format", "yaml"}, 2, "want text or json"},
		{"describe format", wrap(cmdDescribe), []string{id, "--aws", "--format", "yaml"}, 2, "want table or json"},
		{"version argument", wrap(cmdVersion), []string{"x"}, 2, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEndpointEnv(t)
			var stdout, stderr bytes.Buffer
			code := tc.run(t.Context(), tc.args, &stdout, &stderr)
			assert.Equal(t, tc.code, code, stderr.String())
			assert.Contains(t, stderr.String(), tc.msg)
		})
	}
}

func TestVersion(t *testing.T) {
	orig := buildInfo
	t.Cleanup(func() { buildInfo = orig })
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "false"}}},
			"ssmdelegate v1.2.3 (0123abcd, go1.26.0)\n"},
		{"modified tree", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}},
			"ssmdelegate (devel) (0123abcd, modified, go1.26.0)\n"},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.0"}, "ssmdelegate (devel) (unknown revision, go1.26.0)\n"},
		{"no build info", nil, "ssmdelegate (unknown version: built without module support)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buildInfo = func() (*debug.BuildInfo, bool) { return tc.bi, tc.bi != nil }
			for _, args := range [][]string{{"version"}, {"--version"}} {
				var stdout, stderr bytes.Buffer
				require.Equal(t, 0, dispatch(t.Context(), args, &stdout, &stderr), stderr.String())
				assert.Equal(t, tc.want, stdout.String())
			}
		})
	}
}

type contextT = context.Context

// wrap adapts a command to buffers.
func wrap(c func(ctx context.Context, args []string, stdout, stderr io.Writer) int) func(ctx contextT, args []string, stdout, stderr *bytes.Buffer) int {
	return func(ctx contextT, args []string, stdout, stderr *bytes.Buffer) int {
		return c(ctx, args, stdout, stderr)
	}
}
