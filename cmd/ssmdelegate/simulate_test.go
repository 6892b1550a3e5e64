package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Simulate an operator's policy: exit status 1 because one action is
// denied, with the statement that denies it.
func Example_policySimulate() {
	code := dispatch(context.Background(), []string{"policy", "simulate",
		"--policy", "testdata/simulate/operator.json",
		"--action", "ec2:StopInstances", "--action", "ec2:TerminateInstances",
		"--resource", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"}, os.Stdout, os.Stderr)
	fmt.Println("exit", code)
	// Output:
	// ec2:StopInstances on arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0: allowed
	//   testdata/simulate/operator.json: Statement[0] (Sid "StartStop"): {"Sid":"StartStop","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"arn:aws:ec2:us-east-1:123456789012:instance/*"}
	// ec2:TerminateInstances on arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0: explicitDeny
	//   testdata/simulate/operator.json: Statement[1] (Sid "NoTerminate"): {"Sid":"NoTerminate","Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}
	// exit 1
}

func runSimulate(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	withStdin(t, input)
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), append([]string{"policy", "simulate"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestPolicySimulate(t *testing.T) {
	const ops = "testdata/simulate/operator.json"
	const bucket = "testdata/simulate/bucket.json"
	const instance = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
	const alice = "arn:aws:iam::123456789012:user/alice"
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	broken := write("broken.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": 7}]\n}")
	truncated := write("truncated.json", `{"Version":"2012-10-17","Statement":[`)
	big := write("big.json", `{"Version":"2012-10-17","Statement":[]}`+strings.Repeat(" ", 131072))
	const stdinPolicy = `{"Version":"2012-10-17","Statement":{"Sid":"All","Effect":"Allow","Action":"s3:*","Resource":"*"}}`

	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout []string
		stderr []string
		absent []string
	}{
		{name: "allowed", args: []string{"--policy", ops, "--action", "ec2:StopInstances", "--resource", instance}, code: 0,
			stdout: []string{"ec2:StopInstances on " + instance + ": allowed", `Statement[0] (Sid "StartStop")`}},
		{name: "explicit deny wins over an allow", args: []string{"--policy", ops, "--policy", "-", "--action", "ec2:TerminateInstances"},
			stdin: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`, code: 1,
			stdout: []string{"ec2:TerminateInstances on *: explicitDeny", `Statement[1] (Sid "NoTerminate")`}, absent: []string{"stdin: Statement[0]"}},
		{name: "implicit deny outside the resource", args: []string{"--policy", ops, "--action", "ec2:StopInstances", "--resource", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"}, code: 1,
			stdout: []string{": implicitDeny"}, absent: []string{"Statement["}},
		{name: "every pair", args: []string{"--policy", ops, "--action", "ec2:StartInstances", "--action", "ec2:StopInstances", "--resource", instance, "--resource", "*"}, code: 1,
			stdout: []string{"ec2:StartInstances on " + instance + ": allowed", "ec2:StartInstances on *: implicitDeny", "ec2:StopInstances on " + instance + ": allowed", "ec2:StopInstances on *: implicitDeny"}},
		{name: "missing context value", args: []string{"--policy", ops, "--action", "ec2:RebootInstances"}, code: 1,
			stdout: []string{"implicitDeny", "missing context values: aws:MultiFactorAuthPresent"}},
		{name: "typed context value", args: []string{"--policy", ops, "--action", "ec2:RebootInstances", "--context", "aws:MultiFactorAuthPresent=true"}, code: 0,
			stdout: []string{"allowed", "Statement[2]:"}, absent: []string{"missing context"}},
		{name: "explicit context type", args: []string{"--policy", ops, "--action", "ec2:RebootInstances", "--context", "aws:MultiFactorAuthPresent:boolean=false"}, code: 1,
			stdout: []string{"implicitDeny"}, absent: []string{"missing context"}},
		{name: "stdin policy", stdin: stdinPolicy, args: []string{"--policy", "-", "--action", "s3:GetObject"}, code: 0,
			stdout: []string{`stdin: Statement[0] (Sid "All")`}},
		{name: "resource policy naming the caller", args: []string{"--policy", ops, "--resource-policy", bucket, "--principal", alice, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/q1.csv"}, code: 0,
			stdout: []string{"allowed", bucket + `: Statement[0] (Sid "ReadForAlice")`}},
		{name: "resource policy, another caller", args: []string{"--policy", ops, "--resource-policy", bucket, "--principal", "arn:aws:iam::123456789012:user/bob", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/q1.csv"}, code: 1,
			stdout: []string{"implicitDeny"}},
		{name: "malformed policy names file, line and column", args: []string{"--policy", broken, "--action", "s3:GetObject"}, code: 2,
			stderr: []string{broken + ":3:48: Statement[0].Action: "}},
		{name: "truncated policy", args: []string{"--policy", truncated, "--action", "s3:GetObject"}, code: 2,
			stderr: []string{truncated + ":1:"}},
		{name: "malformed stdin", stdin: "{", args: []string{"--policy", "-", "--action", "s3:GetObject"}, code: 2, stderr: []string{"stdin:1:"}},
		{name: "too large", args: []string{"--policy", big, "--action", "s3:GetObject"}, code: 2, stderr: []string{"larger than 131072 bytes"}},
		{name: "missing file", args: []string{"--policy", filepath.Join(dir, "none.json"), "--action", "s3:GetObject"}, code: 2, stderr: []string{"none.json"}},
		{name: "no policy", args: []string{"--action", "s3:GetObject"}, code: 2, stderr: []string{"at least one --policy"}},
		{name: "no action", args: []string{"--policy", ops}, code: 2, stderr: []string{"at least one --action"}},
		{name: "bad action", args: []string{"--policy", ops, "--action", "StopInstances"}, code: 2, stderr: []string{"want SERVICE:ACTION"}},
		{name: "wildcard action", args: []string{"--policy", ops, "--action", "ec2:Stop*"}, code: 2, stderr: []string{"wildcards are not simulated"}},
		{name: "bad resource", args: []string{"--policy", ops, "--action", "ec2:StopInstances", "--resource", "i-1"}, code: 2, stderr: []string{`--resource "i-1"`}},
		{name: "resource policy needs a principal", args: []string{"--policy", ops, "--resource-policy", bucket, "--action", "s3:GetObject"}, code: 2,
			stderr: []string{"--principal is required"}},
		{name: "bad principal", args: []string{"--policy", ops, "--action", "s3:GetObject", "--principal", "alice"}, code: 2, stderr: []string{`--principal "alice"`}},
		{name: "stdin twice", args: []string{"--policy", "-", "--resource-policy", "-", "--principal", alice, "--action", "s3:GetObject"}, code: 2,
			stderr: []string{"read only once"}},
		{name: "context without value", args: []string{"--policy", ops, "--action", "s3:GetObject", "--context", "aws:SourceIp"}, code: 2,
			stderr: []string{"want KEY[:TYPE]=VALUE"}},
		{name: "context of the wrong type", args: []string{"--policy", ops, "--action", "s3:GetObject", "--context", "aws:SourceIp=here"}, code: 2,
			stderr: []string{`"here": not a valid ip value`}},
		{name: "several values of a single-valued type", args: []string{"--policy", ops, "--action", "s3:GetObject", "--context", "aws:MultiFactorAuthAge:numeric=1,2"}, code: 2,
			stderr: []string{"takes exactly one value"}},
		{name: "unknown context type", args: []string{"--policy", ops, "--action", "s3:GetObject", "--context", "aws:SourceIp:cidr=10.0.0.0/8"}, code: 2,
			stderr: []string{"unknown type"}},
		{name: "context given twice", args: []string{"--policy", ops, "--action", "s3:GetObject", "--context", "ec2:Region=a", "--context", "EC2:region=b"}, code: 2,
			stderr: []string{"given twice"}},
		{name: "bad format", args: []string{"--policy", ops, "--action", "s3:GetObject", "--format", "yaml"}, code: 2, stderr: []string{`unknown --format "yaml"`}},
		{name: "stray argument", args: []string{"--policy", ops, "--action", "s3:GetObject", "extra"}, code: 2, stderr: []string{"unexpected arguments: extra"}},
		{name: "bad flag", args: []string{"--bogus"}, code: 2},
		{name: "help", args: []string{"-h"}, code: 0, stderr: []string{"Exit status: 0 when every action is allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runSimulate(t, tt.stdin, tt.args...)
			require.Equal(t, tt.code, code, "stdout: %s\nstderr: %s", stdout, stderr)
			for _, s := range tt.stdout {
				assert.Contains(t, stdout, s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr, s)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, stdout, s)
			}
		})
	}
}

func TestPolicySimulateJSON(t *testing.T) {
	code, stdout, stderr := runSimulate(t, "", "--policy", "testdata/simulate/operator.json",
		"--action", "ec2:TerminateInstances", "--action", "ec2:RebootInstances", "--format", "json")
	require.Equal(t, 1, code, stderr)
	var got struct {
		AllAllowed bool `json:"allAllowed"`
		Results    []struct {
			Action            string `json:"action"`
			Resource          string `json:"resource"`
			Decision          string `json:"decision"`
			MatchedStatements []struct {
				Policy    string         `json:"policy"`
				Index     int            `json:"index"`
				Sid       string         `json:"sid"`
				Statement map[string]any `json:"statement"`
			} `json:"matchedStatements"`
			MissingContextValues []string `json:"missingContextValues"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
	assert.False(t, got.AllAllowed)
	require.Len(t, got.Results, 2)
	deny := got.Results[0]
	assert.Equal(t, "ec2:TerminateInstances", deny.Action)
	assert.Equal(t, "*", deny.Resource)
	assert.Equal(t, "explicitDeny", deny.Decision)
	require.Len(t, deny.MatchedStatements, 1)
	assert.Equal(t, "NoTerminate", deny.MatchedStatements[0].Sid)
	assert.Equal(t, 1, deny.MatchedStatements[0].Index)
	assert.Equal(t, "Deny", deny.MatchedStatements[0].Statement["Effect"])
	assert.Empty(t, deny.MissingContextValues)
	reboot := got.Results[1]
	assert.Equal(t, "implicitDeny", reboot.Decision)
	assert.Empty(t, reboot.MatchedStatements)
	assert.Equal(t, []string{"aws:MultiFactorAuthPresent"}, reboot.MissingContextValues)
}

// The same request gives the same output, whatever the map orders.
func TestPolicySimulateDeterministic(t *testing.T) {
	args := []string{"--policy", "testdata/simulate/operator.json", "--action", "ec2:RebootInstances", "--action", "ec2:StopInstances",
		"--context", "aws:MultiFactorAuthPresent=true", "--context", "aws:SourceIp=10.0.0.1", "--context", "aws:TagKeys=a,b", "--format", "json"}
	_, first, _ := runSimulate(t, "", args...)
	for range 5 {
		_, again, _ := runSimulate(t, "", args...)
		require.Equal(t, first, again)
	}
}

// FuzzParseSimulateContext: any --context flag is parsed without
// panicking, and what is accepted keeps every value it was given.
func FuzzParseSimulateContext(f *testing.F) {
	for _, s := range []string{"aws:SourceIp=10.0.0.0/8", "aws:TagKeys=a,b", "aws:MultiFactorAuthAge:numeric=3600", "ec2:ResourceTag/team:stringList=a, b", "=x", "aws:x:y:z=", "a:b:ipList=::1,10.0.0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, flag string) {
		ctx, problems := parseSimulateContext([]string{flag})
		if len(problems) > 0 {
			require.Empty(t, ctx)
			return
		}
		require.Len(t, ctx, 1)
		_, val, _ := strings.Cut(flag, "=")
		for _, values := range ctx {
			require.Len(t, values, strings.Count(val, ",")+1)
		}
	})
}
