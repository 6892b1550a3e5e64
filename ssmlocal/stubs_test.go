package ssmlocal_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const topic = "arn:aws:sns:us-east-1:123456789012:alerts"

// stubRun runs a one-document execution as a role with the given
// permissions and returns it with the calls its steps made.
func stubRun(t *testing.T, reg *ssmlocal.StubRegistry, permissions, steps string) (*ssmtypes.AutomationExecution, []ssmlocal.AuditEvent) {
	t.Helper()
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) }, ssmlocal.WithStubs(reg))
	role := serviceRole(t, srv, "Stubbed", trustSSM, permissions)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Stubbed", `{"schemaVersion":"0.3","assumeRole":"`+role+`","mainSteps":[`+steps+`]}`)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Stubbed")})
	return waitDone(t, admin, id), srv.AuditFor(id)
}

func allow(actions, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"` + resource + `"}]}`
}

const publishStep = `{"name":"publish","action":"aws:executeAwsApi","inputs":{"Service":"sns","Api":"Publish","TopicArn":"` + topic + `","Message":"hello"},
	"outputs":[{"Name":"MessageId","Selector":"$.MessageId","Type":"String"}]}`

func TestStubbedStep(t *testing.T) {
	tests := []struct {
		name        string
		permissions string
		wantStatus  ssmtypes.AutomationExecutionStatus
		wantOutput  string
		wantFailure string
		decision    string
	}{
		{"allowed on the topic", allow(`"sns:Publish"`, topic), ssmtypes.AutomationExecutionStatusSuccess, "m-1", "", "Allowed"},
		{"allowed on another topic only", allow(`"sns:Publish"`, topic+"-other"), ssmtypes.AutomationExecutionStatusFailed, "", "not authorized to perform: sns:Publish on resource: " + topic, "Denied"},
		{"explicit deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:*","Resource":"*"},{"Effect":"Deny","Action":"sns:Publish","Resource":"*"}]}`,
			ssmtypes.AutomationExecutionStatusFailed, "", "explicit deny", "Denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := ssmlocal.NewStubRegistry()
			var got map[string]any
			require.NoError(t, reg.Add("SNS", "publish", ssmlocal.StubFunc(func(_ context.Context, in map[string]any) (map[string]any, error) {
				got = in
				return map[string]any{"MessageId": "m-1"}, nil
			})))
			x, calls := stubRun(t, reg, tt.permissions, publishStep)
			require.Equal(t, tt.wantStatus, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
			if tt.wantOutput != "" {
				assert.Equal(t, []string{tt.wantOutput}, x.StepExecutions[0].Outputs["MessageId"])
				assert.Equal(t, "hello", got["Message"])
			} else {
				assert.Nil(t, got, "a denied call never reaches its stub")
				assert.Contains(t, aws.ToString(x.StepExecutions[0].FailureMessage), tt.wantFailure)
			}
			var ev *ssmlocal.AuditEvent
			for i := range calls {
				if calls[i].API == "Publish" {
					ev = &calls[i]
				}
			}
			require.NotNil(t, ev, "the stubbed call is audited")
			assert.Equal(t, "sns", ev.Service)
			assert.Equal(t, tt.decision, ev.Decision)
			assert.Equal(t, []string{"sns:Publish"}, ev.Actions)
			assert.Equal(t, []string{topic}, ev.Resources)
			assert.Equal(t, "publish", ev.StepName)
			assert.Contains(t, ev.Principal, "assumed-role/Stubbed/")
		})
	}
}

// TestStubbedWait: a sequence answers successive polls, so
// aws:waitForAwsResourceProperty sees a resource become available, and
// aws:assertAwsResourceProperty reads the last answer.
func TestStubbedWait(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	creating := ssmlocal.StubResponse(map[string]any{"DBInstances": []any{map[string]any{"DBInstanceStatus": "creating"}}})
	available := ssmlocal.StubResponse(map[string]any{"DBInstances": []any{map[string]any{"DBInstanceStatus": "available"}}})
	require.NoError(t, reg.Add("rds", "DescribeDBInstances", ssmlocal.StubMatching(map[string]any{"DBInstanceIdentifier": "db1"},
		ssmlocal.StubSequence(ssmlocal.StubError("Throttling", "slow down"), creating, creating, available))))
	require.NoError(t, reg.Add("rds", "DescribeDBInstances", ssmlocal.StubError("DBInstanceNotFound", "DBInstance other not found")))
	x, calls := stubRun(t, reg, allow(`"rds:DescribeDBInstances"`, "arn:aws:rds:us-east-1:123456789012:db:*"), `
		{"name":"wait","action":"aws:waitForAwsResourceProperty","maxAttempts":3,"inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"db1",
			"PropertySelector":"$.DBInstances[0].DBInstanceStatus","DesiredValues":["available"]}},
		{"name":"check","action":"aws:assertAwsResourceProperty","inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"db1",
			"PropertySelector":"$.DBInstances[0].DBInstanceStatus","DesiredValues":["available"]}},
		{"name":"other","action":"aws:executeAwsApi","inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"other"}}`)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	require.Len(t, x.StepExecutions, 3)
	assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.StepExecutions[0].StepStatus, aws.ToString(x.StepExecutions[0].FailureMessage))
	assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.StepExecutions[1].StepStatus, aws.ToString(x.StepExecutions[1].FailureMessage))
	assert.Contains(t, aws.ToString(x.StepExecutions[2].FailureMessage), "DBInstanceNotFound")
	var polls int
	for _, c := range calls {
		if c.API == "DescribeDBInstances" {
			polls++
			assert.Equal(t, []string{"rds:DescribeDBInstances"}, c.Actions)
		}
	}
	assert.GreaterOrEqual(t, polls, 5)
}

func TestUnstubbedStep(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*ssmlocal.StubRegistry)
		step  string
		want  []string
	}{
		{
			name: "no stub says how to add one",
			step: `{"name":"buckets","action":"aws:executeAwsApi","inputs":{"Service":"s3","Api":"ListBuckets"}}`,
			want: []string{"s3:ListBuckets is not simulated", "StubRegistry.Add(\"s3\", \"ListBuckets\"", "--stubs file"},
		},
		{
			name: "no action is known fails closed",
			setup: func(r *ssmlocal.StubRegistry) {
				_ = r.Add("sns", "NoSuchCall", ssmlocal.StubResponse(nil))
			},
			step: `{"name":"odd","action":"aws:executeAwsApi","inputs":{"Service":"sns","Api":"NoSuchCall"}}`,
			want: []string{"not authorized to perform: sns:NoSuchCall", "IAM action cannot be determined", "SetActions"},
		},
		{
			name: "no stub matches the input",
			setup: func(r *ssmlocal.StubRegistry) {
				_ = r.Add("sns", "Publish", ssmlocal.StubMatching(map[string]any{"Message": "other"}, ssmlocal.StubResponse(nil)))
			},
			step: publishStep,
			want: []string{"no stub of sns:Publish matches the input"},
		},
		{
			name: "a panicking stub fails the step only",
			setup: func(r *ssmlocal.StubRegistry) {
				_ = r.Add("sns", "Publish", ssmlocal.StubFunc(func(context.Context, map[string]any) (map[string]any, error) { panic("boom") }))
			},
			step: publishStep,
			want: []string{"panicked: boom"},
		},
		{
			name: "a stub's plain error is an internal failure",
			setup: func(r *ssmlocal.StubRegistry) {
				_ = r.Add("sns", "Publish", ssmlocal.StubFunc(func(context.Context, map[string]any) (map[string]any, error) { return nil, errors.New("broken") }))
			},
			step: publishStep,
			want: []string{"InternalFailure", "broken"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := ssmlocal.NewStubRegistry()
			if tt.setup != nil {
				tt.setup(reg)
			}
			x, _ := stubRun(t, reg, allow(`"*"`, "*"), tt.step)
			require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
			msg := aws.ToString(x.StepExecutions[0].FailureMessage)
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}

// TestStubActions: an operation the table does not know is authorized as
// the actions declared for it.
func TestStubActions(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("sns", "NoSuchCall", ssmlocal.StubResponse(map[string]any{"Ok": true})))
	require.NoError(t, reg.SetActions("sns", "NoSuchCall", "sns:ListTopics"))
	assert.Equal(t, map[string][]string{"sns.NoSuchCall": {"sns:ListTopics"}}, reg.APIActions())
	step := `{"name":"odd","action":"aws:executeAwsApi","inputs":{"Service":"sns","Api":"NoSuchCall"}}`
	x, _ := stubRun(t, reg, allow(`"sns:ListTopics"`, "*"), step)
	assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	x, _ = stubRun(t, reg, allow(`"sns:Publish"`, "*"), step)
	assert.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	assert.Contains(t, aws.ToString(x.StepExecutions[0].FailureMessage), "sns:ListTopics")
}

func TestStubRegistryRefuses(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	for _, c := range []struct{ service, op string }{{"", "Publish"}, {"sns", ""}, {"sns", "a:b"}, {"s n s", "Publish"}, {"sns", "Pub<lish"}, {"sns", "1Publish"}, {"sns", "Pub/lish"}} {
		assert.ErrorIs(t, reg.Add(c.service, c.op, ssmlocal.StubResponse(nil)), ssmlocal.ErrInvalidStub, c)
	}
	assert.ErrorIs(t, reg.Add("sns", "Publish", nil), ssmlocal.ErrInvalidStub)
	assert.ErrorIs(t, reg.SetActions("sns", "Publish"), ssmlocal.ErrInvalidStub)
	assert.ErrorIs(t, reg.SetActions("sns", "Publish", "Publish"), ssmlocal.ErrInvalidStub)

	// Emulated operations are never replaced.
	require.NoError(t, reg.Add("EC2", "describeInstances", ssmlocal.StubResponse(nil)))
	_, err := ssmlocal.New(ssmlocal.WithStubs(reg))
	require.ErrorIs(t, err, ssmlocal.ErrInvalidStub)
	assert.Contains(t, err.Error(), "ec2:DescribeInstances is emulated")
}

func TestStubNames(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("StepFunctions", "StartExecution", ssmlocal.StubResponse(nil)))
	require.NoError(t, reg.Add("states", "DescribeExecution", ssmlocal.StubResponse(nil)))
	require.NoError(t, reg.Add("sns", "Publish", ssmlocal.StubResponse(nil)))
	assert.Equal(t, []string{"sns:Publish", "states:DescribeExecution", "stepfunctions:StartExecution"}, reg.Operations())
	assert.True(t, strings.HasPrefix(reg.Operations()[0], "sns"))
}
