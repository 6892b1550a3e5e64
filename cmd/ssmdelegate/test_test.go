package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

var (
	notifyRunbook = filepath.Join("testdata", "test", "Notify.yaml")
	notifyStubs   = filepath.Join("testdata", "test", "stubs.yaml")
)

// withoutAction takes an action away from the plan's derived role.
func withoutAction(action string) testHooks {
	return testHooks{editPlan: func(p *delegate.Plan) {
		var kept []policy.Statement
		for _, s := range p.Role.Permissions.Statement {
			s.Action.Values = slices.DeleteFunc(slices.Clone(s.Action.Values), func(a string) bool { return a == action })
			if len(s.Action.Values) > 0 {
				kept = append(kept, s)
			}
		}
		p.Role.Permissions.Statement = kept
	}}
}

func TestTestCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		hooks    testHooks
		code     int
		status   string
		steps    []testStep
		calls    []testCall
		failures []string
	}{
		{
			name: "derived role runs the stubbed calls",
			args: []string{notifyRunbook, "--stubs", notifyStubs, "--format", "json"},
			code: 0, status: "Success",
			steps: []testStep{{Name: "publish", Action: "aws:executeAwsApi", Status: "Success"}, {Name: "waitForDb", Action: "aws:waitForAwsResourceProperty", Status: "Success"}},
			calls: []testCall{
				{Step: "publish", Service: "sns", Operation: "Publish", Actions: []string{"sns:Publish"}, Decision: "Allowed"},
				{Step: "waitForDb", Service: "rds", Operation: "DescribeDBInstances", Actions: []string{"rds:DescribeDBInstances"}, Decision: "Allowed", Count: 2},
			},
		},
		{
			name:  "without the stub's permission the call is denied",
			args:  []string{notifyRunbook, "--stubs", notifyStubs, "--format", "json"},
			hooks: withoutAction("sns:Publish"),
			code:  1, status: "Failed",
			calls: []testCall{{Step: "publish", Service: "sns", Operation: "Publish", Actions: []string{"sns:Publish"}, Decision: "Denied", Error: "AccessDenied"}},
		},
		{
			name: "without a stub the step says how to add one",
			args: []string{notifyRunbook, "--format", "json"},
			code: 1, status: "Failed",
			calls:    []testCall{{Step: "publish", Service: "sns", Operation: "Publish", Error: "NotSimulated"}},
			failures: []string{"sns:Publish is not simulated", "--stubs file"},
		},
		{
			name: "another parameter is another topic, still under the derived role",
			args: []string{notifyRunbook, "--stubs", notifyStubs, "--format", "json", "--param", "Topic=arn:aws:sns:us-east-1:123456789012:other"},
			code: 0, status: "Success",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := testWith(context.Background(), tt.args, &stdout, &stderr, tt.hooks)
			require.Equal(t, tt.code, code, stderr.String())
			var res testResult
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), stdout.String())
			assert.Equal(t, tt.status, res.Status)
			assert.Equal(t, "arn:aws:iam::123456789012:role/"+strings.TrimSuffix(filepath.Base(tt.args[0]), ".yaml")+"-Automation", res.Role)
			if tt.steps != nil {
				assert.Equal(t, tt.steps, res.Steps)
			}
			if tt.calls != nil {
				assert.Equal(t, tt.calls, res.Calls)
			}
			for _, f := range tt.failures {
				require.NotEmpty(t, res.Steps)
				assert.Contains(t, res.Steps[0].Failure, f)
			}
		})
	}
}

func TestTestCommandText(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := testWith(context.Background(), []string{notifyRunbook, "--stubs", notifyStubs}, &stdout, &stderr, withoutAction("rds:DescribeDBInstances"))
	require.Equal(t, 1, code, stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "publish                  aws:executeAwsApi                Success")
	assert.Regexp(t, `waitForDb +rds:DescribeDBInstances +rds:DescribeDBInstances +Denied AccessDenied`, out)
	assert.Contains(t, out, "status: Failed")
}

func TestTestCommandUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("stubs: [{service: sns, operation: Publish, respones: {}}]"), 0o644))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no runbook", nil, 2, "one RUNBOOK file is required"},
		{"two runbooks", []string{notifyRunbook, notifyRunbook}, 2, "one RUNBOOK file is required, got 2"},
		{"bad format", []string{notifyRunbook, "--format", "xml"}, 2, "--format: want text or json"},
		{"bad stubs file", []string{notifyRunbook, "--stubs", bad}, 1, "stubs[0].respones (line 1): unknown key"},
		{"missing runbook", []string{filepath.Join(dir, "none.yaml")}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, dispatch(context.Background(), append([]string{"test"}, tt.args...), &stdout, &stderr))
			assert.Contains(t, stderr.String(), tt.want)
		})
	}
}

func TestLocalStubsFlag(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("stubs: 1"), 0o644))
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, dispatch(context.Background(), []string{"local", "--stubs", bad}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "--stubs "+bad+": stubs file: stubs (line 1): want a list of stubs")
}

// TestLocalStubs: local --stubs answers a stubbed operation over the wire
// and a step's call of it, and lists the stubs in its banner.
func TestLocalStubs(t *testing.T) {
	url, creds, out, stop := runLocal(t, "--stubs", notifyStubs, "--clock", "auto", "--audit")
	assert.Contains(t, out.String(), "stubs: rds:DescribeDBInstances, sns:Publish\n")
	client := ssm.NewFromConfig(localConfig(url, creds))
	ctx := context.Background()
	_, err := client.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Pub"), DocumentType: "Automation",
		Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"pub","action":"aws:executeAwsApi","inputs":{"Service":"sns","Api":"Publish","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"m"},"outputs":[{"Name":"Id","Selector":"$.MessageId","Type":"String"}]}]}`)})
	require.NoError(t, err)
	started, err := client.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Pub")})
	require.NoError(t, err)
	waiter := execution.NewExecutionWaiter(client, func(o *execution.ExecutionWaiterOptions) {
		o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	})
	got, err := waiter.WaitForOutput(ctx, aws.ToString(started.AutomationExecutionId), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, []string{"m-1"}, got.AutomationExecution.StepExecutions[0].Outputs["Id"])
	assert.Equal(t, 0, stop())
	assert.Regexp(t, `audit: \S+ sns:Publish principal=arn:aws:iam::123456789012:user/admin decision=Allowed actions=sns:Publish resources=arn:aws:sns:us-east-1:123456789012:t execution=`, out.String())
}

// TestTestCommandChildren: the calls of a child automation are reported
// under its document, and a poll repeated in a row is reported once.
func TestTestCommandChildren(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := testWith(context.Background(), []string{filepath.Join("testdata", "test", "StopChild.yaml"), "--format", "json"}, &stdout, &stderr, testHooks{})
	require.Equal(t, 1, code, "the instance does not exist: %s", stderr.String())
	var res testResult
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), stdout.String())
	var child []testCall
	for i, c := range res.Calls {
		if i > 0 {
			assert.False(t, sameCall(res.Calls[i-1], c), "repeated calls are merged: %+v", c)
		}
		if strings.HasPrefix(c.Step, "AWS-StopEC2Instance/") {
			child = append(child, c)
		}
	}
	require.NotEmpty(t, child, "%+v", res.Calls)
	assert.Equal(t, testCall{Step: "AWS-StopEC2Instance/stopInstances", Service: "ec2", Operation: "StopInstances",
		Actions: []string{"ec2:StopInstances"}, Decision: "Allowed", Error: "InvalidInstanceID.NotFound"}, child[0])
	assert.Contains(t, res.FailureMessage, "InvalidInstanceID.NotFound")
	assert.Equal(t, 1, strings.Count(res.FailureMessage, "Troubleshooting Guide"), "said once: %s", res.FailureMessage)
}
