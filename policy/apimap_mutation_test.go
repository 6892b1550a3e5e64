package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// TestServicePrefixSpellings: client names are matched case-insensitively,
// without surrounding blanks, and with or without hyphens when only the
// hyphenless spelling is a known client name.
func TestServicePrefixSpellings(t *testing.T) {
	tests := []struct {
		client, prefix string
		ok             bool
	}{
		{"states", "states", true},
		{"sfn", "states", true},
		{" SNS ", "sns", true},
		{"cloudwatch-logs", "logs", true},
		{"Cloud-Watch-Logs", "logs", true},
		{"ssm-incidents", "ssm-incidents", true},
		{"no-such-client", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			got, ok := policy.ServicePrefix(tt.client)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.prefix, got)
		})
	}
}

// request finds the one request of action in reqs.
func request(t *testing.T, reqs []policy.ActionRequest, action string) (policy.ActionRequest, bool) {
	t.Helper()
	var found []policy.ActionRequest
	for _, r := range reqs {
		if r.Action == action {
			found = append(found, r)
		}
	}
	require.LessOrEqual(t, len(found), 1, "%s requested more than once", action)
	if len(found) == 0 {
		return policy.ActionRequest{}, false
	}
	return found[0], true
}

func TestActionsForCallAPIActions(t *testing.T) {
	tests := []struct {
		name          string
		service, op   string
		params        map[string]any
		apiActions    map[string][]string
		want          []string // actions in order
		wantResources [][]string
	}{
		{name: "key matched without case and underscores, action canonical",
			service: "SNS", op: "ListTopics",
			apiActions:    map[string][]string{"sns.list_topics": {"sqs:listqueues"}},
			want:          []string{"sqs:ListQueues"},
			wantResources: [][]string{{"*"}}},
		{name: "action outside the catalog kept as given on every resource",
			service: "sns", op: "Publish",
			params:        map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"},
			apiActions:    map[string][]string{"sns.Publish": {"example:DoThing"}},
			want:          []string{"example:DoThing"},
			wantResources: [][]string{{"*"}}},
		{name: "key of another client does not apply",
			service: "sns", op: "Publish",
			params:        map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"},
			apiActions:    map[string][]string{"sqs.Publish": {"sqs:SendMessage"}, "snsPublish": {"sqs:ListQueues"}},
			want:          []string{"sns:Publish"},
			wantResources: [][]string{{"arn:aws:sns:us-east-1:123456789012:t"}}},
		{name: "key of another operation does not apply",
			service: "sns", op: "Publish",
			params:        map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"},
			apiActions:    map[string][]string{"sns.PublishBatch": {"sqs:SendMessage"}},
			want:          []string{"sns:Publish"},
			wantResources: [][]string{{"arn:aws:sns:us-east-1:123456789012:t"}}},
		{name: "last of the sorted matching keys wins",
			service: "sns", op: "Publish",
			apiActions:    map[string][]string{"sns.publish": {"sqs:ListQueues"}, "SNS.Publish": {"sns:ListTopics"}},
			want:          []string{"sqs:ListQueues"},
			wantResources: [][]string{{"*"}}},
		{name: "override replaces a renamed action",
			service: "lambda", op: "Invoke",
			params:        map[string]any{"FunctionName": "fn"},
			apiActions:    map[string][]string{"lambda.Invoke": {"lambda:GetFunction"}},
			want:          []string{"lambda:GetFunction"},
			wantResources: [][]string{{"arn:aws:lambda:us-east-1:123456789012:function:fn"}}},
		{name: "override of a call that needs nothing",
			service: "sts", op: "GetCallerIdentity",
			apiActions:    map[string][]string{"sts.GetCallerIdentity": {"sts:GetSessionToken"}},
			want:          []string{"sts:GetSessionToken"},
			wantResources: [][]string{{"*"}}},
		// An empty override says the call needs no action, even one that
		// tags at creation.
		{name: "empty override",
			service: "ec2", op: "CreateVolume",
			params:     map[string]any{"AvailabilityZone": "us-east-1a", "TagSpecifications": []any{map[string]any{"ResourceType": "volume"}}},
			apiActions: map[string][]string{"ec2.CreateVolume": {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := policy.ActionsForCall(tt.service, tt.op, tt.params, callScope, func(o *policy.RunbookOptions) {
				o.APIActions = tt.apiActions
			})
			require.NoError(t, err)
			var actions []string
			var resources [][]string
			for _, r := range reqs {
				actions = append(actions, r.Action)
				resources = append(resources, r.Resources)
			}
			assert.Equal(t, tt.want, actions)
			assert.Equal(t, tt.wantResources, resources)
		})
	}
}

// TestActionsForCallResources pins how identifying parameters become
// resource ARNs: a queue URL gives the queue name, a parameter name loses
// its leading slash, an object key goes after the bucket, an ARN is kept,
// and Copy operations read their source in any Region.
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
func TestActionsForCallResources(t *testing.T) {
	tests := []struct {
		name        string
		service, op string
		params      map[string]any
		action      string
		resources   []string
	}{
		{"queue url", "sqs", "SendMessage", map[string]any{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q1", "MessageBody": "m"},
			"sqs:SendMessage", []string{"arn:aws:sqs:us-east-1:123456789012:q1"}},
		// SQS queue names are up to 80 characters, longer than the ARN
		// pattern they fill.
		{"long queue name", "sqs", "SendMessage", map[string]any{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/" + strings.Repeat("q", 80)},
			"sqs:SendMessage", []string{"arn:aws:sqs:us-east-1:123456789012:" + strings.Repeat("q", 80)}},
		{"queue name alone", "sqs", "SendMessage", map[string]any{"QueueUrl": "q2"},
			"sqs:SendMessage", []string{"arn:aws:sqs:us-east-1:123456789012:q2"}},
		{"renamed batch call", "sqs", "SendMessageBatch", map[string]any{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q1"},
			"sqs:SendMessage", []string{"arn:aws:sqs:us-east-1:123456789012:q1"}},
		{"parameter path", "ssm", "GetParameter", map[string]any{"Name": "/app/db"},
			"ssm:GetParameter", []string{"arn:aws:ssm:us-east-1:123456789012:parameter/app/db"}},
		{"parameter name", "ssm", "GetParameter", map[string]any{"Name": "db"},
			"ssm:GetParameter", []string{"arn:aws:ssm:us-east-1:123456789012:parameter/db"}},
		{"parameters", "ssm", "GetParameters", map[string]any{"Names": []string{"/a", "b"}},
			"ssm:GetParameters", []string{"arn:aws:ssm:us-east-1:123456789012:parameter/a", "arn:aws:ssm:us-east-1:123456789012:parameter/b"}},
		{"parameter arn", "ssm", "GetParameter", map[string]any{"Name": "arn:aws:ssm:us-west-2:111122223333:parameter/x"},
			"ssm:GetParameter", []string{"arn:aws:ssm:us-west-2:111122223333:parameter/x"}},
		{"parameter unnamed", "ssm", "GetParameter", nil,
			"ssm:GetParameter", []string{"arn:aws:ssm:us-east-1:123456789012:parameter/*"}},
		{"object key", "s3", "GetObject", map[string]any{"Bucket": "b", "Key": "k/x.txt"},
			"s3:GetObject", []string{"arn:aws:s3:::b/k/x.txt"}},
		{"object without key", "s3", "GetObject", map[string]any{"Bucket": "b"},
			"s3:GetObject", []string{"arn:aws:s3:::b/*"}},
		// s3:GetObject's resource types are all optional: without a bucket
		// nothing names one.
		{"object without bucket", "s3", "GetObject", map[string]any{"Key": "k"},
			"s3:GetObject", []string{"*"}},
		{"no resource types", "ec2", "DescribeInstances", map[string]any{"InstanceIds": []string{"i-1"}},
			"ec2:DescribeInstances", []string{"*"}},
		{"required type only", "ec2", "CreateSecurityGroup", map[string]any{"GroupName": "g", "VpcId": "vpc-1"},
			"ec2:CreateSecurityGroup", []string{"arn:aws:ec2:us-east-1:123456789012:security-group/*"}},
		{"copy in any region", "ec2", "CopySnapshot", map[string]any{"SourceSnapshotId": "snap-1", "SourceRegion": "us-west-2"},
			"ec2:CopySnapshot", []string{"arn:aws:ec2:*::snapshot/*"}},
		// The first placeholder after the scope's takes the identifier (none
		// here), and one right after it is filled too.
		{"adjacent placeholders", "codeartifact", "DescribePackageGroup", map[string]any{"domain": "d", "packageGroup": "/p"},
			"codeartifact:DescribePackageGroup", []string{"arn:aws:codeartifact:us-east-1:123456789012:package-group/**"}},
		{"function name", "lambda", "GetFunction", map[string]any{"FunctionName": "fn"},
			"lambda:GetFunction", []string{"arn:aws:lambda:us-east-1:123456789012:function:fn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := policy.ActionsForCall(tt.service, tt.op, tt.params, callScope)
			require.NoError(t, err)
			r, ok := request(t, reqs, tt.action)
			require.True(t, ok, "no %s in %v", tt.action, reqs)
			assert.Equal(t, tt.resources, r.Resources)
		})
	}
}

// TestActionsForCallTagsAtCreation: an EC2 call that tags what it creates
// also needs ec2:CreateTags on the created resource type, limited to that
// call by ec2:CreateAction; without TagSpecifications, or outside EC2, it
// does not.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
func TestActionsForCallTagsAtCreation(t *testing.T) {
	tags := []any{map[string]any{"ResourceType": "volume", "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}}}
	tests := []struct {
		name        string
		service, op string
		params      map[string]any
		want        *policy.ActionRequest
	}{
		{"volume", "ec2", "CreateVolume", map[string]any{"AvailabilityZone": "us-east-1a", "TagSpecifications": tags},
			&policy.ActionRequest{Action: "ec2:CreateTags", Resources: []string{"arn:aws:ec2:us-east-1:123456789012:volume/*"}, Context: map[string][]string{"ec2:CreateAction": {"CreateVolume"}}}},
		{"renamed client spelling", "EC2", "createVolume", map[string]any{"TagSpecifications": tags},
			&policy.ActionRequest{Action: "ec2:CreateTags", Resources: []string{"arn:aws:ec2:us-east-1:123456789012:volume/*"}, Context: map[string][]string{"ec2:CreateAction": {"CreateVolume"}}}},
		{"no resource type required", "ec2", "CreateDefaultVpc", map[string]any{"TagSpecifications": tags},
			&policy.ActionRequest{Action: "ec2:CreateTags", Resources: []string{"*"}, Context: map[string][]string{"ec2:CreateAction": {"CreateDefaultVpc"}}}},
		{"no tags", "ec2", "CreateVolume", map[string]any{"AvailabilityZone": "us-east-1a"}, nil},
		{"not ec2", "sns", "CreateTopic", map[string]any{"Name": "t", "TagSpecifications": tags}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := policy.ActionsForCall(tt.service, tt.op, tt.params, callScope)
			require.NoError(t, err)
			got, ok := request(t, reqs, "ec2:CreateTags")
			if tt.want == nil {
				assert.False(t, ok, "unexpected %v", got)
				return
			}
			require.True(t, ok, "no ec2:CreateTags in %v", reqs)
			assert.Equal(t, tt.want.Resources, got.Resources)
			assert.Equal(t, tt.want.Context, got.Context)
		})
	}
}

// TestActionsForCallPassRole: a role handed to a service in a request
// parameter, at any depth and in every item of a list, needs iam:PassRole
// on that role for that service.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
func TestActionsForCallPassRole(t *testing.T) {
	role := func(name string) string { return "arn:aws:iam::123456789012:role/" + name }
	tests := []struct {
		name        string
		service, op string
		params      map[string]any
		profiles    map[string]string
		resources   []string // nil: no iam:PassRole
		service2    string
	}{
		{name: "nested parameter", service: "ssm", op: "StartAutomationExecution",
			params:    map[string]any{"DocumentName": "d", "Parameters": map[string]any{"AutomationAssumeRole": []string{role("auto")}}},
			resources: []string{role("auto")}, service2: "ssm.amazonaws.com"},
		{name: "nested parameter absent", service: "ssm", op: "StartAutomationExecution",
			params: map[string]any{"DocumentName": "d", "Parameters": map[string]any{"InstanceId": []string{"i-1"}}}},
		{name: "parent parameter absent", service: "ssm", op: "StartAutomationExecution",
			params: map[string]any{"DocumentName": "d"}},
		{name: "every target of a list", service: "events", op: "PutTargets",
			params: map[string]any{"Rule": "r", "Targets": []any{
				map[string]any{"Id": "1", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": role("one")},
				map[string]any{"Id": "2", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"},
				map[string]any{"Id": "3", "Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": role("three")},
			}},
			resources: []string{role("one"), role("three")}, service2: "events.amazonaws.com"},
		{name: "no target with a role", service: "events", op: "PutTargets",
			params: map[string]any{"Rule": "r", "Targets": []any{map[string]any{"Id": "1", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}}}},
		// A value computed at run time may hold any member.
		{name: "targets computed", service: "events", op: "PutTargets",
			params:    map[string]any{"Rule": "r", "Targets": "*"},
			resources: []string{role("*")}, service2: "events.amazonaws.com"},
		{name: "targets not a list", service: "events", op: "PutTargets",
			params: map[string]any{"Rule": "r", "Targets": role("x")}},
		{name: "role name", service: "lambda", op: "CreateFunction",
			params:    map[string]any{"FunctionName": "fn", "Role": role("fn-role")},
			resources: []string{role("fn-role")}, service2: "lambda.amazonaws.com"},
		{name: "no role", service: "lambda", op: "CreateFunction",
			params: map[string]any{"FunctionName": "fn"}},
		{name: "known instance profile", service: "ec2", op: "AssociateIamInstanceProfile",
			params:    map[string]any{"InstanceId": "i-1", "IamInstanceProfile": map[string]any{"Name": "web"}},
			profiles:  map[string]string{"web": role("web-role"), "db": role("db-role")},
			resources: []string{role("web-role")}, service2: "ec2.amazonaws.com"},
		{name: "unknown instance profile", service: "ec2", op: "AssociateIamInstanceProfile",
			params:    map[string]any{"InstanceId": "i-1", "IamInstanceProfile": map[string]any{"Arn": "arn:aws:iam::123456789012:instance-profile/other"}},
			profiles:  map[string]string{"web": role("web-role")},
			resources: []string{role("*")}, service2: "ec2.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := policy.ActionsForCall(tt.service, tt.op, tt.params, callScope, func(o *policy.RunbookOptions) {
				o.InstanceProfileRoles = tt.profiles
			})
			require.NoError(t, err)
			got, ok := request(t, reqs, "iam:PassRole")
			if tt.resources == nil {
				assert.False(t, ok, "unexpected %v", got)
				return
			}
			require.True(t, ok, "no iam:PassRole in %v", reqs)
			assert.Equal(t, tt.resources, got.Resources)
			assert.Equal(t, map[string][]string{"iam:PassedToService": {tt.service2}}, got.Context)
		})
	}
}

// TestForRunbookComputedAPIName: aws:executeAwsApi whose Service or Api is
// given by a parameter cannot be mapped to an IAM action, so it is left
// unresolved rather than guessed.
func TestForRunbookComputedAPIName(t *testing.T) {
	for _, tt := range []struct{ inputs, detail string }{
		{`{"Service":"{{ Svc }}","Api":"ListTopics"}`, `service "{{ Svc }}" is not a known SDK client`},
		{`{"Service":"sns","Api":"{{ Svc }}"}`, "no IAM action is known for sns.{{ Svc }}"},
	} {
		t.Run(tt.inputs, func(t *testing.T) {
			doc, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","parameters":{"Svc":{"type":"String"}},"mainSteps":[{"name":"call","action":"aws:executeAwsApi","inputs":` + tt.inputs + `}]}`))
			require.NoError(t, err)
			d, err := policy.ForRunbook(doc, callScope)
			require.ErrorIs(t, err, policy.ErrUnderivable)
			require.Len(t, d.Unresolved, 1)
			assert.Contains(t, d.Unresolved[0].Detail, tt.detail)
			assert.Empty(t, d.Policy.Statement)
		})
	}
}
