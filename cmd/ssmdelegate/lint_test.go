package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const validRunbook = `{
  "schemaVersion": "0.3",
  "assumeRole": "arn:aws:iam::123456789012:role/AutomationServiceRole",
  "parameters": {"InstanceId": {"type": "StringList"}},
  "mainSteps": [
    {"name": "stop", "action": "aws:changeInstanceState",
     "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stopped"}}
  ]
}`

const invalidRunbook = `{
  "schemaVersion": "0.3",
  "parameters": {"InstanceId": {"type": "StringList"}},
  "mainSteps": [
    {"name": "stop", "action": "aws:changeInstanceState",
     "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stoped"}}
  ]
}`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func runCmd(fn func(context.Context, []string, *bytes.Buffer, *bytes.Buffer) int, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := fn(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func lint(_ context.Context, args []string, out, errb *bytes.Buffer) int {
	return cmdLint(context.Background(), args, out, errb)
}

func TestLintExitCodes(t *testing.T) {
	valid := writeTemp(t, "valid.json", validRunbook)
	invalid := writeTemp(t, "invalid.json", invalidRunbook)
	broken := writeTemp(t, "broken.yaml", "schemaVersion: '0.3'\nmainSteps: 3\n")
	warnOnly := writeTemp(t, "warn.yaml", "schemaVersion: '0.3'\nmainSteps:\n- {name: a, action: 'aws:sleep', isEnd: true, inputs: {Duration: PT1S}}\n- {name: b, action: 'aws:sleep', inputs: {Duration: PT1S}}\n")
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"valid", []string{valid}, 0, nil},
		{"invalid", []string{invalid}, 1, []string{
			invalid + ": mainSteps[0].inputs.DesiredState: value not allowed (got \"stoped\"); allowed: running, stopped, terminated",
			invalid + ": assumeRole: warning: no assumeRole",
		}},
		{"any invalid fails", []string{valid, invalid}, 1, []string{invalid + ": mainSteps[0]"}},
		{"flags after files", []string{valid, "--format", "text"}, 0, nil},
		{"directory", []string{"-v", filepath.Dir(valid)}, 0, []string{valid + ": ok\n"}},
		{"verbose names valid files", []string{"-v", valid, invalid}, 1, []string{valid + ": ok\n"}},
		{"warnings only pass", []string{warnOnly}, 0, []string{
			warnOnly + ": assumeRole: warning: no assumeRole",
			warnOnly + ": mainSteps[1]: warning: ",
		}},
		{"parse error", []string{broken}, 1, []string{broken + ": mainSteps: expected a list, got number (line 2)"}},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.json")}, 1, []string{"cannot read"}},
		{"no files", nil, 2, nil},
		{"bad format", []string{"--format", "xml", valid}, 2, nil},
		{"bad flag", []string{"--bogus", valid}, 2, nil},
		{"name checked", []string{"--name", "AWS-Mine", valid}, 1, []string{"reserved prefix"}},
		{"name with two files", []string{"--name", "Mine", valid, valid}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(lint, tt.args...)
			require.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, c := range tt.contains {
				require.Contains(t, out, c)
			}
		})
	}
}

func TestLintLinesHaveFileAndPath(t *testing.T) {
	invalid := writeTemp(t, "invalid.json", invalidRunbook)
	_, out, _ := runCmd(lint, invalid)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		require.True(t, strings.HasPrefix(line, invalid+": "), line)
	}
}

func TestLintJSON(t *testing.T) {
	valid := writeTemp(t, "valid.json", validRunbook)
	invalid := writeTemp(t, "invalid.json", invalidRunbook)
	code, out, _ := runCmd(lint, "--format", "json", valid, invalid)
	require.Equal(t, 1, code)
	var got []lintFile
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got, 2)
	require.True(t, got[0].Valid)
	require.False(t, got[1].Valid)
	require.Equal(t, "mainSteps[0].inputs.DesiredState", got[1].Errors[0].Path)
	require.Equal(t, "not-allowed-value", got[1].Errors[0].Code)
	require.Equal(t, "warning", got[1].Warnings[0].Severity)
}

func TestLintShippedRunbook(t *testing.T) {
	code, out, errOut := runCmd(lint, filepath.Join("..", "..", "examples", "runbooks", "restart-ec2-demo.json"))
	require.Equal(t, 0, code, out+errOut)
	require.Empty(t, out)
}
