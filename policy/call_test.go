package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

var callScope = policy.Scope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}

func TestActionsForCall(t *testing.T) {
	tests := []struct {
		name      string
		service   string
		operation string
		params    map[string]any
		opts      func(*policy.RunbookOptions)
		want      []policy.ActionRequest
	}{
		{
			name: "sns publish on its topic", service: "sns", operation: "Publish",
			params: map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "Message": "hi"},
			want:   []policy.ActionRequest{{Action: "sns:Publish", Resources: []string{"arn:aws:sns:us-east-1:123456789012:alerts"}}},
		},
		{
			name: "case-insensitive names", service: "SNS", operation: "publish",
			params: map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts"},
			want:   []policy.ActionRequest{{Action: "sns:Publish", Resources: []string{"arn:aws:sns:us-east-1:123456789012:alerts"}}},
		},
		{
			name: "renamed action", service: "lambda", operation: "Invoke",
			params: map[string]any{"FunctionName": "fn"},
			want:   []policy.ActionRequest{{Action: "lambda:InvokeFunction", Resources: []string{"arn:aws:lambda:us-east-1:123456789012:function:fn"}}},
		},
		{
			name: "rds instance by identifier", service: "rds", operation: "DescribeDBInstances",
			params: map[string]any{"DBInstanceIdentifier": "db1"},
			want:   []policy.ActionRequest{{Action: "rds:DescribeDBInstances", Resources: []string{"arn:aws:rds:us-east-1:123456789012:db:db1"}}},
		},
		{
			name: "client name renamed to its prefix", service: "stepfunctions", operation: "StartExecution",
			params: map[string]any{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"},
			want:   []policy.ActionRequest{{Action: "states:StartExecution", Resources: []string{"arn:aws:states:us-east-1:123456789012:stateMachine:m"}}},
		},
		{
			name: "hidden pass role with its service", service: "lambda", operation: "CreateFunction",
			params: map[string]any{"FunctionName": "fn", "Role": "arn:aws:iam::123456789012:role/fn-role"},
			want: []policy.ActionRequest{
				{Action: "lambda:CreateFunction", Resources: []string{"arn:aws:lambda:us-east-1:123456789012:function:fn"}},
				{Action: "iam:PassRole", Resources: []string{"arn:aws:iam::123456789012:role/fn-role"}, Context: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}},
			},
		},
		{
			name: "s3 bucket is bound to the account", service: "s3", operation: "ListObjectsV2",
			params: map[string]any{"Bucket": "b"},
			want:   []policy.ActionRequest{{Action: "s3:ListBucket", Resources: []string{"arn:aws:s3:::b"}, Context: map[string][]string{"aws:ResourceAccount": {"123456789012"}}}},
		},
		{
			name: "no permission needed", service: "sts", operation: "GetCallerIdentity",
		},
		{
			name: "override from APIActions", service: "custom", operation: "DoThing",
			opts: func(o *policy.RunbookOptions) {
				o.APIActions = map[string][]string{"custom.DoThing": {"sns:ListTopics"}}
			},
			want: []policy.ActionRequest{{Action: "sns:ListTopics", Resources: []string{"*"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*policy.RunbookOptions)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			got, err := policy.ActionsForCall(tt.service, tt.operation, tt.params, callScope, opts...)
			require.NoError(t, err)
			require.Len(t, got, len(tt.want))
			for i, w := range tt.want {
				assert.Equal(t, w.Action, got[i].Action)
				assert.Equal(t, w.Resources, got[i].Resources)
				assert.Equal(t, w.Context, got[i].Context)
				assert.NotEmpty(t, got[i].Reason)
			}
		})
	}
}

func TestActionsForCallUnknown(t *testing.T) {
	tests := []struct {
		name, service, operation, want string
	}{
		{"unknown client", "nosuchclient", "Describe", "not a known SDK client"},
		{"unknown operation", "sns", "NoSuchOperation", "no IAM action is known"},
		{"no service", "", "Publish", "must both be named"},
		{"no operation", "sns", " ", "must both be named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.ActionsForCall(tt.service, tt.operation, nil, callScope)
			require.ErrorIs(t, err, policy.ErrUnknownCallAction)
			var ce *policy.CallActionError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.service, ce.Service)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestActionsForCallAgreesWithDerivation: the role derived for a runbook
// allows every authorization its calls need, and a call on another
// resource is not allowed, since both come from the same table.
func TestActionsForCallAgreesWithDerivation(t *testing.T) {
	doc, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","mainSteps":[
		{"name":"publish","action":"aws:executeAwsApi","inputs":{"Service":"sns","Api":"Publish","TopicArn":"arn:aws:sns:us-east-1:123456789012:alerts","Message":"m"}},
		{"name":"create","action":"aws:executeAwsApi","inputs":{"Service":"lambda","Api":"CreateFunction","FunctionName":"fn","Role":"arn:aws:iam::123456789012:role/fn-role"}},
		{"name":"list","action":"aws:executeAwsApi","inputs":{"Service":"s3","Api":"ListObjectsV2","Bucket":"b"}}]}`))
	require.NoError(t, err)
	derived, err := policy.ForRunbook(doc, callScope)
	require.NoError(t, err)
	role := []policy.NamedPolicy{{Name: "derived", Policy: derived.Policy}}
	allowed := func(reqs []policy.ActionRequest) bool {
		for _, r := range reqs {
			for _, res := range r.Resources {
				got := policy.Evaluate(policy.Request{Principal: "arn:aws:iam::123456789012:role/r", Action: r.Action, Resource: res, Context: r.Context}, role, nil)
				if got.Decision != policy.DecisionAllow {
					return false
				}
			}
		}
		return true
	}
	for _, c := range []struct {
		service, operation string
		params             map[string]any
		want               bool
	}{
		{"sns", "Publish", map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "Message": "x"}, true},
		{"sns", "Publish", map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:other"}, false},
		{"lambda", "CreateFunction", map[string]any{"FunctionName": "fn", "Role": "arn:aws:iam::123456789012:role/fn-role"}, true},
		{"lambda", "CreateFunction", map[string]any{"FunctionName": "fn", "Role": "arn:aws:iam::123456789012:role/admin"}, false},
		{"s3", "ListObjectsV2", map[string]any{"Bucket": "b"}, true},
		{"s3", "ListObjectsV2", map[string]any{"Bucket": "c"}, false},
	} {
		t.Run(c.service+"."+c.operation, func(t *testing.T) {
			reqs, err := policy.ActionsForCall(c.service, c.operation, c.params, callScope)
			require.NoError(t, err)
			assert.Equal(t, c.want, allowed(reqs))
		})
	}
}

func TestServicePrefix(t *testing.T) {
	for client, want := range map[string]string{"sns": "sns", "StepFunctions": "states", "elbv2": "elasticloadbalancing", "RDS": "rds"} {
		got, ok := policy.ServicePrefix(client)
		require.True(t, ok, client)
		assert.Equal(t, want, got, client)
	}
	_, ok := policy.ServicePrefix("nosuchclient")
	assert.False(t, ok)
}
