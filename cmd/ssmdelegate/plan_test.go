package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const planDemo = `{
  "description": "Restart EC2 instances(s)",
  "schemaVersion": "0.3",
  "parameters": {"InstanceId": {"type": "StringList", "description": "(Required) EC2 Instance to restart"}},
  "mainSteps": [
    {"name": "stopInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stopped"}},
    {"name": "startInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "running"}}
  ]
}`

const planLong = `{
  "schemaVersion": "0.3",
  "mainSteps": [{"name": "soak", "action": "aws:sleep", "inputs": {"Duration": "PT13H"}}]
}`

const planPaused = `{
  "schemaVersion": "0.3",
  "mainSteps": [{"name": "child", "action": "aws:executeAutomation", "inputs": {"DocumentName": "Unknown-Child"}}]
}`

func planFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func runPlan(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cmdPlan(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPlanCommand(t *testing.T) {
	demo := planFile(t, "demo.json", planDemo)
	long := planFile(t, "long.json", planLong)
	unbounded := planFile(t, "unbounded.json", planPaused)
	literal := planFile(t, "literal.json", `{"schemaVersion":"0.3","assumeRole":"arn:aws:iam::123456789012:role/Fixed",
	  "mainSteps":[{"name":"s","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)
	common := []string{"--account", "123456789012", "--region", "us-east-1", "--name", "Restart-EC2InstanceDemo"}
	with := func(extra ...string) []string { return append(append([]string{}, common...), extra...) }
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout bool
	}{
		{"embedded", with("--mode", "embedded", demo), 0,
			[]string{`"assumeRole": "arn:aws:iam::123456789012:role/Restart-EC2InstanceDemo-Automation"`, `"mode": "embedded"`}, nil, false},
		{"runtime with a role", with("--mode", "runtime", "--role", "arn:aws:iam::123456789012:role/AutomationServiceRole", demo), 0,
			[]string{`"assumeRole": "{{ AutomationAssumeRole }}"`, `"iam:PassRole"`, `"arn:aws:iam::123456789012:role/AutomationServiceRole"`}, nil, false},
		{"flags after the file", append([]string{demo, "--mode", "caller"}, common...), 0,
			[]string{`"mode": "caller"`}, []string{"warning: mode: caller mode"}, false},
		{"cloudformation", with("--mode", "embedded", "--format", "cloudformation", demo), 0,
			[]string{`"AWS::SSM::Document"`, `"AWS::IAM::Role"`, `"AWS::IAM::ManagedPolicy"`, `"DocumentType": "Automation"`}, nil, false},
		{"caller refused above 12 hours", with("--mode", "caller", long), 1, nil, []string{"caller mode refused", "13h0m0s", "12h0m0s"}, true},
		{"caller refused when unbounded", with("--mode", "caller", unbounded), 1, nil, []string{"caller mode refused", "unbounded"}, true},
		{"runtime conflict", with("--mode", "runtime", literal), 1, nil, []string{"assumeRole", "runtime mode"}, true},
		{"role in another account", with("--mode", "runtime", "--role", "arn:aws:iam::210987654321:role/R", demo), 1, nil, []string{"roleArn", "210987654321"}, true},
		{"start parameters", with("--mode", "runtime", "--param", "InstanceId=i-1", "--param", "InstanceId=i-2", demo), 0,
			[]string{`"InstanceId": [`, `"i-2"`}, nil, false},
		{"invalid runbook", with("--mode", "embedded", planFile(t, "bad.json", `{"schemaVersion":"0.3","mainSteps":[{"name":"stop","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"stoped"}}]}`)), 1,
			nil, []string{"  document: mainSteps[0].inputs.DesiredState"}, true},
		{"missing mode", with(demo), 2, nil, []string{"--mode"}, true},
		{"unknown format", with("--mode", "runtime", "--format", "yaml", demo), 2, nil, []string{"unknown format"}, true},
		{"missing file", with("--mode", "runtime"), 2, nil, []string{"usage"}, true},
		{"unreadable file", with("--mode", "runtime", filepath.Join(t.TempDir(), "nope.json")), 1, nil, []string{"nope.json"}, true},
		{"bad param", with("--mode", "runtime", "--param", "novalue", demo), 2, nil, []string{"KEY=VALUE"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPlan(tt.args...)
			assert.Equal(t, tt.code, code, "stderr: %s", errOut)
			for _, s := range tt.stdout {
				assert.Contains(t, out, s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, errOut, s)
			}
			if tt.noStdout {
				assert.Empty(t, out)
			}
			if code == 0 {
				assert.True(t, json.Valid([]byte(out)), "stdout is JSON")
			}
		})
	}
}

func TestPlanCommandAWSOwnedRunbook(t *testing.T) {
	base := []string{"--mode", "runtime", "--account", "123456789012", "--region", "us-east-1", "--name", "AWS-RestartEC2Instance",
		"--role", "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"}
	// By name only: the role's permissions cannot be derived.
	code, out, errOut := runPlan(base...)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "cannot be derived")

	// With the permissions given.
	perms := planFile(t, "perms.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"arn:aws:ec2:us-east-1:123456789012:instance/*"}]}`)
	code, out, errOut = runPlan(append(base, "--role-policy", perms)...)
	require.Equal(t, 0, code, errOut)
	var bundle struct {
		Document struct {
			ARN    string `json:"arn"`
			Create bool   `json:"create"`
		} `json:"document"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &bundle))
	assert.Equal(t, "arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance", bundle.Document.ARN)
	assert.False(t, bundle.Document.Create)

	// With its content: derived.
	content := planFile(t, "aws.json", `{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}",
	  "parameters":{"InstanceId":{"type":"StringList"},"AutomationAssumeRole":{"type":"String","default":""}},
	  "mainSteps":[{"name":"stopInstances","action":"aws:changeInstanceState","inputs":{"InstanceIds":"{{ InstanceId }}","DesiredState":"stopped"}}]}`)
	code, out, errOut = runPlan(append(base, content)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"ec2:StopInstances"`)
}
