package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const policyTestRunbook = `{
  "schemaVersion": "0.3",
  "assumeRole": "arn:aws:iam::111122223333:role/AutomationServiceRole",
  "parameters": {"InstanceId": {"type": "StringList"}},
  "mainSteps": [
    {"name": "stopInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "stopped"}},
    {"name": "startInstances", "action": "aws:changeInstanceState", "inputs": {"InstanceIds": "{{ InstanceId }}", "DesiredState": "running"}}
  ]
}`

func writePolicyTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func runPolicy(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cmdPolicy(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPolicyCommand(t *testing.T) {
	rb := writePolicyTemp(t, "restart.json", policyTestRunbook)
	script := writePolicyTemp(t, "script.json", `{"schemaVersion":"0.3","mainSteps":[{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"h","Script":"import boto3\ndef h(e, c):\n    getattr(boto3.client('ec2'), e['Op'])()\n"}}]}`)
	scriptCalls := writePolicyTemp(t, "calls.json", `{"schemaVersion":"0.3","mainSteps":[{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"h","Script":"import boto3\n\ndef h(e, c):\n    ec2 = boto3.client('ec2')\n    ec2.describe_instances()\n"}}]}`)
	badRunbook := writePolicyTemp(t, "bad.json", `{"schemaVersion":`)
	goodPolicy := writePolicyTemp(t, "good.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`)
	badPolicy := writePolicyTemp(t, "badpolicy.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Principal":"*"}]}`)
	malformed := writePolicyTemp(t, "malformed.json", `{"Version":"2012-10-17","Statement":[{"Effect":"allow"}]}`)
	api := writePolicyTemp(t, "api.json", `{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeUnicorns"}},{"name":"l","action":"aws:runInstances","inputs":{"ImageId":"ami-1","IamInstanceProfileName":"web"}}]}`)
	parent := writePolicyTemp(t, "parent.json", `{"schemaVersion":"0.3","mainSteps":[{"name":"e","action":"aws:executeAutomation","inputs":{"DocumentName":"Child"}}]}`)
	child := writePolicyTemp(t, "child.json", policyTestRunbook)
	roleless := writePolicyTemp(t, "roleless.json", strings.Replace(policyTestRunbook, `"assumeRole": "arn:aws:iam::111122223333:role/AutomationServiceRole",`, "", 1))
	trustFile := writePolicyTemp(t, "trust.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	iamRejects := writePolicyTemp(t, "rejects.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject",
  "Resource":["arn:aws:*:::b","arn:aws:s3:::b/${aws:username"],
  "Condition":{"StringEquals":{"aws:SourceArn":"a","aws:sourcearn":"b"}}}]}`)
	// sized returns a Deny policy of exactly n characters (n > 100).
	sized := func(name string, n int) string {
		doc := func(sid string) string {
			return `{"Version": "2012-10-17", "Statement": [{"Sid": "` + sid + `", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}`
		}
		return writePolicyTemp(t, name, doc("S"+strings.Repeat("x", n-policy.Size([]byte(doc("S"))))))
	}
	p3000, p6000, p2048, p2049 := sized("p3000.json", 3000), sized("p6000.json", 6000), sized("p2048.json", 2048), sized("p2049.json", 2049)

	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string
		stderr     []string
		parsesJSON bool
	}{
		{name: "no subcommand", args: nil, code: 2, stderr: []string{"usage:"}},
		{name: "unknown subcommand", args: []string{"nope"}, code: 2, stderr: []string{`unknown subcommand "nope"`}},
		{name: "help", args: []string{"help"}, code: 0, stdout: []string{"policy role FILE"}},
		{name: "role", args: []string{"role", rb, "--account", "111122223333", "--region", "us-east-1"}, code: 0, parsesJSON: true,
			stdout: []string{`"ec2:StopInstances"`, `"arn:aws:ec2:us-east-1:111122223333:instance/*"`}, stderr: []string{"note: stopInstances.InstanceIds"}},
		{name: "role flags first with partition", args: []string{"role", "--account", "111122223333", "--region", "cn-north-1", rb}, code: 0, parsesJSON: true,
			stdout: []string{`"arn:aws-cn:ec2:cn-north-1:111122223333:instance/*"`}},
		{name: "role explain", args: []string{"role", rb, "--account", "111122223333", "--region", "us-east-1", "--explain"}, code: 0,
			stdout: []string{"stopInstances (aws:changeInstanceState): changes the instances to stopped", "actions:   ec2:StopInstances"}},
		{name: "role underivable", args: []string{"role", script, "--account", "111122223333", "--region", "us-east-1"}, code: 1,
			stderr: []string{"cannot derive the service role policy", "sc (aws:executeScript)"}},
		{name: "role explain underivable", args: []string{"role", script, "--account", "111122223333", "--region", "us-east-1", "--explain"}, code: 1,
			stdout: []string{"unresolved: sc (aws:executeScript): script line 3: getattr on the ec2 client made at line 3 chooses the operation at run time"}, stderr: []string{"cannot derive"}},
		{name: "role explain script calls", args: []string{"role", scriptCalls, "--account", "111122223333", "--region", "us-east-1", "--explain"}, code: 0,
			stdout: []string{"sc (aws:executeScript): line 5: ec2.describe_instances -> ec2:DescribeInstances", "actions:   ec2:DescribeInstances"}},
		{name: "role underivable names the flags", args: []string{"role", api, "--account", "111122223333", "--region", "us-east-1"}, code: 1,
			stderr: []string{"no IAM action is known for ec2.DescribeUnicorns", "supply what is missing with --api"}},
		{name: "role with supplied api, profile and tag", args: []string{"role", api, "--account", "111122223333", "--region", "us-east-1",
			"--api", "ec2.DescribeUnicorns=ec2:DescribeInstances, ec2:DescribeImages", "--instance-profile", "web=arn:aws:iam::111122223333:role/web-role", "--resource-tag", "team=ops"}, code: 0, parsesJSON: true,
			stdout: []string{`"ec2:DescribeImages"`, `"ec2:DescribeInstances"`, `"arn:aws:iam::111122223333:role/web-role"`}},
		{name: "role with declared script", args: []string{"role", script, "--account", "111122223333", "--region", "us-east-1", "--script", "sc=s3:ListAllMyBuckets"}, code: 0, parsesJSON: true,
			stdout: []string{`"s3:ListAllMyBuckets"`}},
		{name: "role with script calling nothing", args: []string{"role", script, "--account", "111122223333", "--region", "us-east-1", "--script", "sc="}, code: 0, parsesJSON: true},
		{name: "role with child runbook", args: []string{"role", parent, "--account", "111122223333", "--region", "us-east-1", "--child", "Child=" + child}, code: 0, parsesJSON: true,
			stdout: []string{`"iam:PassRole"`, `"ssm:StartAutomationExecution"`}},
		{name: "role with child runbook running as this role", args: []string{"role", parent, "--account", "111122223333", "--region", "us-east-1", "--child", "Child=" + roleless}, code: 0, parsesJSON: true,
			stdout: []string{`"ec2:StopInstances"`, `"ec2:StartInstances"`, `"ssm:StartAutomationExecution"`}},
		{name: "role child file missing", args: []string{"role", parent, "--account", "111122223333", "--region", "us-east-1", "--child", "Child=" + filepath.Join(t.TempDir(), "none.json")}, code: 1,
			stderr: []string{"--child Child"}},
		{name: "role malformed pair", args: []string{"role", script, "--account", "111122223333", "--region", "us-east-1", "--script", "sc"}, code: 2,
			stderr: []string{`--script "sc": want KEY=VALUE`}},
		{name: "role repeated pair", args: []string{"role", script, "--account", "111122223333", "--region", "us-east-1", "--script", "sc=a:B", "--script", "sc=c:D"}, code: 2,
			stderr: []string{"sc given twice"}},
		{name: "role bad runbook", args: []string{"role", badRunbook, "--account", "111122223333", "--region", "us-east-1"}, code: 1, stderr: []string{"bad.json"}},
		{name: "role missing file", args: []string{"role", filepath.Join(t.TempDir(), "none.json"), "--account", "111122223333", "--region", "us-east-1"}, code: 1},
		{name: "role missing account", args: []string{"role", rb, "--region", "us-east-1"}, code: 2, stderr: []string{"--account must be a 12-digit account id"}},
		{name: "role missing region and file", args: []string{"role", "--account", "111122223333"}, code: 2, stderr: []string{"--region is required", "exactly one runbook FILE"}},
		{name: "role bad flag", args: []string{"role", "--bogus"}, code: 2},
		{name: "operator", args: []string{"operator", "--account", "111122223333", "--region", "us-east-1", "--document", "Restart-EC2InstanceDemo", "--document", "AWS-RestartEC2Instance", "--pass-role", "arn:aws:iam::111122223333:role/R"}, code: 0, parsesJSON: true,
			stdout: []string{`"arn:aws:ssm:us-east-1:111122223333:document/Restart-EC2InstanceDemo"`, `"arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance"`, `"iam:PassedToService": "ssm.amazonaws.com"`}},
		{name: "operator needs documents", args: []string{"operator", "--account", "111122223333", "--region", "us-east-1"}, code: 2, stderr: []string{"--document"}},
		{name: "operator bad document", args: []string{"operator", "--account", "111122223333", "--region", "us-east-1", "--document", "x"}, code: 1, stderr: []string{`document name "x"`}},
		{name: "trust", args: []string{"trust", "--account", "111122223333"}, code: 0, parsesJSON: true,
			stdout: []string{`"aws:SourceAccount": "111122223333"`, `"arn:aws:ssm:*:111122223333:automation-execution/*"`}},
		{name: "trust gov", args: []string{"trust", "--account", "111122223333", "--region", "us-gov-west-1"}, code: 0,
			stdout: []string{`"arn:aws-us-gov:ssm:*:111122223333:automation-execution/*"`}},
		{name: "trust bad account", args: []string{"trust", "--account", "12"}, code: 2},
		{name: "lint clean", args: []string{"policy", "lint", goodPolicy}[1:], code: 0},
		{name: "lint findings", args: []string{"lint", badPolicy}, code: 1,
			stdout: []string{"badpolicy.json: Statement[0]: Principal and NotPrincipal belong in trust", "badpolicy.json: Statement[0].Resource: warning: iam:PassRole on \"*\""}},
		{name: "lint malformed", args: []string{"lint", malformed}, code: 1, stdout: []string{"malformed.json: Statement[0].Effect: effect \"allow\" is not Allow or Deny"}},
		{name: "lint trust warnings only", args: []string{"lint", "--type", "trust", trustFile}, code: 0, stdout: []string{"warning: a service is trusted without aws:SourceAccount"}},
		{name: "lint trust as identity", args: []string{"lint", trustFile}, code: 1},
		{name: "lint bad type", args: []string{"lint", "--type", "user", goodPolicy}, code: 2, stderr: []string{`unknown --type "user": use identity, trust, resource, user-inline, role-inline, group-inline or managed`}},
		{name: "lint what IAM rejects", args: []string{"lint", iamRejects}, code: 1, stdout: []string{
			`rejects.json: Statement[0].Resource[0]: resource "arn:aws:*:::b": the service "*" of an ARN cannot have wildcards`,
			`rejects.json: Statement[0].Resource[1]: policy variable in "arn:aws:s3:::b/${aws:username" has no closing brace`,
			`rejects.json: Statement[0].Condition.StringEquals["aws:sourcearn"]: condition key "aws:sourcearn" repeats "aws:SourceArn"`}},
		{name: "lint user inline at quota", args: []string{"lint", "--type", "user-inline", p2048}, code: 0},
		{name: "lint user inline over quota", args: []string{"lint", "--type", "user-inline", p2049}, code: 1,
			stdout: []string{"p2049.json: (policy): policy is 2049 characters, over the 2048 quota of user-inline policies"}},
		{name: "lint trust over quota", args: []string{"lint", "--type", "trust", p3000}, code: 1, stdout: []string{"over the 2048 quota of trust policies"}},
		{name: "lint group inline over quota", args: []string{"lint", "--type", "group-inline", p6000}, code: 1, stdout: []string{"over the 5120 quota of group-inline policies"}},
		{name: "lint managed at quota", args: []string{"lint", "--type", "managed", p6000}, code: 0},
		{name: "lint role inline fits", args: []string{"lint", "--type", "role-inline", p6000, p3000}, code: 0},
		{name: "lint role inline together over quota", args: []string{"lint", "--type", "role-inline", p6000, p6000}, code: 1,
			stdout: []string{"(all files): the role-inline policies are 12000 characters together, over the 10240 quota they share"}},
		{name: "lint limit flag", args: []string{"lint", "--type", "role-inline", "--limit", "2048", p3000}, code: 1, stdout: []string{"over the 2048 quota"}},
		{name: "lint limit disabled", args: []string{"lint", "--type", "user-inline", "--limit", "-1", p3000}, code: 0},
		{name: "lint no file", args: []string{"lint"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runPolicy(tt.args...)
			require.Equal(t, tt.code, code, "exit code\nstdout: %s\nstderr: %s", stdout, stderr)
			for _, s := range tt.stdout {
				assert.Contains(t, stdout, s, "stdout")
			}
			for _, s := range tt.stderr {
				assert.Contains(t, stderr, s, "stderr")
			}
			if tt.parsesJSON {
				_, err := policy.Parse([]byte(stdout))
				assert.NoError(t, err, "output is not a policy")
			}
		})
	}
}

func TestPolicyThroughDispatch(t *testing.T) {
	var out, errb bytes.Buffer
	require.Zero(t, dispatch(context.Background(), []string{"policy", "trust", "--account", "111122223333"}, &out, &errb), "exit code: %s", errb.String())
	assert.Contains(t, out.String(), "sts:AssumeRole")
}
