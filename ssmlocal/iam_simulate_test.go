package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// simOperatorPolicy is written over several lines so statement positions
// are worth checking: statement 0 spans lines 4-9, 1 lines 10-15, 2 lines
// 16-22.
const simOperatorPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "StartStop",
      "Effect": "Allow",
      "Action": ["ec2:StartInstances", "ec2:StopInstances"],
      "Resource": "arn:aws:ec2:us-east-1:123456789012:instance/*"
    },
    {
      "Sid": "NoTerminate",
      "Effect": "Deny",
      "Action": "ec2:TerminateInstances",
      "Resource": "*"
    },
    {
      "Sid": "RebootWithMFA",
      "Effect": "Allow",
      "Action": "ec2:RebootInstances",
      "Resource": "*",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    }
  ]
}`

const (
	simInstance = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
	simAlice    = "arn:aws:iam::123456789012:user/alice"
)

// simStmt is a matched statement reduced to what the tests compare.
type simStmt struct {
	ID, Type               string
	StartLine, StartColumn int32
	EndLine, EndColumn     int32
}

func simStmts(list []iamtypes.Statement) []simStmt {
	out := []simStmt{}
	for _, s := range list {
		st := simStmt{ID: aws.ToString(s.SourcePolicyId), Type: string(s.SourcePolicyType)}
		if s.StartPosition != nil {
			st.StartLine, st.StartColumn = s.StartPosition.Line, s.StartPosition.Column
		}
		if s.EndPosition != nil {
			st.EndLine, st.EndColumn = s.EndPosition.Line, s.EndPosition.Column
		}
		out = append(out, st)
	}
	return out
}

var (
	simStartStop   = simStmt{"PolicyInputList.1", "none", 4, 5, 9, 6}
	simNoTerminate = simStmt{"PolicyInputList.1", "none", 10, 5, 15, 6}
	simReboot      = simStmt{"PolicyInputList.1", "none", 16, 5, 22, 6}
)

func TestSimulateCustomPolicy(t *testing.T) {
	srv := newServer(t)
	c := iam.NewFromConfig(srv.AdminConfig())
	ctx := context.Background()
	const allowAllEC2 = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`
	const bucketPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadForAlice","Effect":"Allow","Principal":{"AWS":"` + simAlice + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
	const boundary = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`
	mfa := iamtypes.ContextEntry{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyType: iamtypes.ContextKeyTypeEnumBoolean, ContextKeyValues: []string{"true"}}

	type want struct {
		action, resource string // resource "" means EvalResourceName is absent
		decision         iamtypes.PolicyEvaluationDecisionType
		matched          []simStmt
		missing          []string
		perResource      map[string]iamtypes.PolicyEvaluationDecisionType
		boundary         *bool
	}
	tests := []struct {
		name string
		in   iam.SimulateCustomPolicyInput
		want []want
	}{
		{
			name: "allowed, denied and implicitly denied on every resource",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy}, ActionNames: []string{"ec2:StopInstances", "ec2:TerminateInstances", "ec2:RebootInstances"}},
			want: []want{
				{action: "ec2:StopInstances", resource: "*", decision: "implicitDeny", matched: []simStmt{}, missing: []string{}},
				{action: "ec2:TerminateInstances", resource: "*", decision: "explicitDeny", matched: []simStmt{simNoTerminate}, missing: []string{}},
				{action: "ec2:RebootInstances", resource: "*", decision: "implicitDeny", matched: []simStmt{}, missing: []string{"aws:MultiFactorAuthPresent"}},
			},
		},
		{
			name: "one resource",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy}, ActionNames: []string{"ec2:StopInstances"}, ResourceArns: []string{simInstance}},
			want: []want{{action: "ec2:StopInstances", resource: simInstance, decision: "allowed", matched: []simStmt{simStartStop}, missing: []string{},
				perResource: map[string]iamtypes.PolicyEvaluationDecisionType{simInstance: "allowed"}}},
		},
		{
			name: "a typed context entry meets the condition",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy}, ActionNames: []string{"ec2:RebootInstances"},
				ContextEntries: []iamtypes.ContextEntry{mfa}},
			want: []want{{action: "ec2:RebootInstances", resource: "*", decision: "allowed", matched: []simStmt{simReboot}, missing: []string{}}},
		},
		{
			name: "a deny in another policy wins, and is the only statement listed",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowAllEC2, simOperatorPolicy}, ActionNames: []string{"ec2:TerminateInstances"}},
			want: []want{{action: "ec2:TerminateInstances", resource: "*", decision: "explicitDeny", matched: []simStmt{{"PolicyInputList.2", "none", 10, 5, 15, 6}}, missing: []string{}}},
		},
		{
			name: "every allowing statement is listed",
			in:   iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowAllEC2, simOperatorPolicy}, ActionNames: []string{"ec2:StartInstances"}, ResourceArns: []string{simInstance}},
			want: []want{{action: "ec2:StartInstances", resource: simInstance, decision: "allowed",
				matched: []simStmt{{"PolicyInputList.1", "none", 1, 37, 1, 87}, {"PolicyInputList.2", "none", 4, 5, 9, 6}}, missing: []string{},
				perResource: map[string]iamtypes.PolicyEvaluationDecisionType{simInstance: "allowed"}}},
		},
		{
			name: "the most restrictive decision over several resources",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy}, ActionNames: []string{"ec2:StopInstances"},
				ResourceArns: []string{simInstance, "arn:aws:ec2:eu-west-1:123456789012:instance/i-1"}},
			want: []want{{action: "ec2:StopInstances", decision: "implicitDeny", matched: []simStmt{}, missing: []string{},
				perResource: map[string]iamtypes.PolicyEvaluationDecisionType{simInstance: "allowed", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1": "implicitDeny"}}},
		},
		{
			name: "a resource policy naming the caller",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy}, ResourcePolicy: aws.String(bucketPolicy), CallerArn: aws.String(simAlice),
				ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::reports/q1.csv"}},
			want: []want{{action: "s3:GetObject", resource: "arn:aws:s3:::reports/q1.csv", decision: "allowed", matched: []simStmt{{"ResourcePolicy", "resource", 1, 38, 1, 196}}, missing: []string{},
				perResource: map[string]iamtypes.PolicyEvaluationDecisionType{"arn:aws:s3:::reports/q1.csv": "allowed"}}},
		},
		{
			name: "a resource policy naming someone else",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy}, ResourcePolicy: aws.String(bucketPolicy), CallerArn: aws.String("arn:aws:iam::123456789012:user/bob"),
				ActionNames: []string{"s3:GetObject"}},
			want: []want{{action: "s3:GetObject", resource: "*", decision: "implicitDeny", matched: []simStmt{}, missing: []string{}}},
		},
		{
			name: "a permissions boundary caps an identity allow",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowAllEC2}, PermissionsBoundaryPolicyInputList: []string{boundary},
				ActionNames: []string{"ec2:StopInstances", "ec2:DescribeInstances"}},
			want: []want{
				{action: "ec2:StopInstances", resource: "*", decision: "implicitDeny", matched: []simStmt{}, missing: []string{}, boundary: aws.Bool(false)},
				{action: "ec2:DescribeInstances", resource: "*", decision: "allowed", matched: []simStmt{{"PolicyInputList.1", "none", 1, 37, 1, 87}}, missing: []string{}, boundary: aws.Bool(true)},
			},
		},
		{
			name: "a deny in a permissions boundary is an explicit deny",
			in: iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowAllEC2}, PermissionsBoundaryPolicyInputList: []string{simOperatorPolicy},
				ActionNames: []string{"ec2:TerminateInstances"}},
			want: []want{{action: "ec2:TerminateInstances", resource: "*", decision: "explicitDeny",
				matched: []simStmt{{"PermissionsBoundaryPolicyInputList.1", "none", 10, 5, 15, 6}}, missing: []string{}, boundary: aws.Bool(false)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.SimulateCustomPolicy(ctx, &tt.in)
			require.NoError(t, err)
			assert.False(t, out.IsTruncated)
			assert.Nil(t, out.Marker)
			require.Len(t, out.EvaluationResults, len(tt.want))
			for i, w := range tt.want {
				r := out.EvaluationResults[i]
				assert.Equal(t, w.action, aws.ToString(r.EvalActionName))
				if w.resource == "" {
					assert.Nil(t, r.EvalResourceName)
				} else {
					assert.Equal(t, w.resource, aws.ToString(r.EvalResourceName))
				}
				assert.Equal(t, w.decision, r.EvalDecision)
				assert.Equal(t, w.matched, simStmts(r.MatchedStatements))
				assert.Equal(t, w.missing, r.MissingContextValues)
				if w.boundary == nil {
					assert.Nil(t, r.PermissionsBoundaryDecisionDetail)
				} else if assert.NotNil(t, r.PermissionsBoundaryDecisionDetail) {
					assert.Equal(t, *w.boundary, r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary)
				}
				if w.perResource == nil {
					assert.Empty(t, r.ResourceSpecificResults)
					continue
				}
				got := map[string]iamtypes.PolicyEvaluationDecisionType{}
				for _, rs := range r.ResourceSpecificResults {
					got[aws.ToString(rs.EvalResourceName)] = rs.EvalResourceDecision
					if rs.EvalResourceDecision == iamtypes.PolicyEvaluationDecisionTypeAllowed {
						assert.NotEmpty(t, rs.MatchedStatements)
					}
				}
				assert.Equal(t, w.perResource, got)
			}
		})
	}
}

func TestSimulateCustomPolicyPaging(t *testing.T) {
	srv := newServer(t)
	c := iam.NewFromConfig(srv.AdminConfig())
	ctx := context.Background()
	actions := []string{"ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances", "ec2:RebootInstances", "ec2:DescribeInstances"}
	in := &iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy}, ActionNames: actions, ResourceArns: []string{simInstance}, MaxItems: aws.Int32(2)}

	first, err := c.SimulateCustomPolicy(ctx, in)
	require.NoError(t, err)
	require.True(t, first.IsTruncated)
	require.NotNil(t, first.Marker)
	require.Len(t, first.EvaluationResults, 2)

	var got []string
	decisions := map[string]iamtypes.PolicyEvaluationDecisionType{}
	pages := 0
	p := iam.NewSimulateCustomPolicyPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		assert.LessOrEqual(t, len(page.EvaluationResults), 2)
		for _, r := range page.EvaluationResults {
			got = append(got, aws.ToString(r.EvalActionName))
			decisions[aws.ToString(r.EvalActionName)] = r.EvalDecision
		}
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, actions, got)
	assert.Equal(t, map[string]iamtypes.PolicyEvaluationDecisionType{
		"ec2:StartInstances": "allowed", "ec2:StopInstances": "allowed", "ec2:TerminateInstances": "explicitDeny",
		"ec2:RebootInstances": "implicitDeny", "ec2:DescribeInstances": "implicitDeny",
	}, decisions)

	// A marker continues only the simulation it came from.
	other := *in
	other.ActionNames = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}
	other.Marker = first.Marker
	_, err = c.SimulateCustomPolicy(ctx, &other)
	assert.Equal(t, "InvalidInput", errCode(err))
	for _, m := range []string{"nope", "c2ltMTo5OTp4", (*first.Marker)[:len(*first.Marker)-1]} {
		bad := *in
		bad.Marker = aws.String(m)
		_, err = c.SimulateCustomPolicy(ctx, &bad)
		assert.Equal(t, "InvalidInput", errCode(err), m)
	}
}

func TestSimulateCustomPolicyErrors(t *testing.T) {
	srv := newServer(t)
	c := iam.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()
	valid := []string{simOperatorPolicy}
	manyResources := make([]string, 1001)
	for i := range manyResources {
		manyResources[i] = "*"
	}
	tests := []struct {
		name string
		in   iam.SimulateCustomPolicyInput
		code string
		msg  []string
	}{
		{"malformed policy names the member, path, line and column",
			iam.SimulateCustomPolicyInput{PolicyInputList: []string{simOperatorPolicy, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": 7}]\n}"}, ActionNames: []string{"ec2:StopInstances"}},
			"InvalidInput", []string{"PolicyInputList.2", "Statement[0].Action", "line 3, column 48"}},
		{"malformed boundary", iam.SimulateCustomPolicyInput{PolicyInputList: valid, PermissionsBoundaryPolicyInputList: []string{"{"}, ActionNames: []string{"ec2:StopInstances"}},
			"InvalidInput", []string{"PermissionsBoundaryPolicyInputList.1"}},
		{"malformed resource policy", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ResourcePolicy: aws.String("[]"), CallerArn: aws.String(simAlice), ActionNames: []string{"ec2:StopInstances"}},
			"InvalidInput", []string{"ResourcePolicy"}},
		{"wildcard action", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:Stop*"}}, "InvalidInput", []string{"ec2:Stop*"}},
		{"action without service", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"StopInstances"}}, "InvalidInput", nil},
		{"resource that is not an ARN", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"}, ResourceArns: []string{"i-1"}}, "InvalidInput", []string{"i-1"}},
		{"resource policy without caller", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ResourcePolicy: aws.String(simOperatorPolicy), ActionNames: []string{"ec2:StopInstances"}},
			"InvalidInput", []string{"CallerArn"}},
		{"caller that is not a user", iam.SimulateCustomPolicyInput{PolicyInputList: valid, CallerArn: aws.String("arn:aws:iam::123456789012:role/r"), ActionNames: []string{"ec2:StopInstances"}},
			"InvalidInput", []string{"CallerArn"}},
		{"context value of the wrong type", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"},
			ContextEntries: []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: iamtypes.ContextKeyTypeEnumIp, ContextKeyValues: []string{"here"}}}},
			"InvalidInput", []string{"aws:SourceIp", "here"}},
		{"several values of a single-valued type", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"},
			ContextEntries: []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthAge"), ContextKeyType: iamtypes.ContextKeyTypeEnumNumeric, ContextKeyValues: []string{"1", "2"}}}},
			"InvalidInput", []string{"exactly one value"}},
		{"unknown context type", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"},
			ContextEntries: []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: "cidr", ContextKeyValues: []string{"10.0.0.0/8"}}}},
			"ValidationError", []string{"contextKeyType"}},
		{"context key without type", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"},
			ContextEntries: []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyValues: []string{"10.0.0.1"}}}},
			"InvalidInput", []string{"ContextKeyType"}},
		{"context key twice", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"},
			ContextEntries: []iamtypes.ContextEntry{
				{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: iamtypes.ContextKeyTypeEnumIp, ContextKeyValues: []string{"10.0.0.1"}},
				{ContextKeyName: aws.String("AWS:sourceip"), ContextKeyType: iamtypes.ContextKeyTypeEnumIp, ContextKeyValues: []string{"10.0.0.2"}}}},
			"InvalidInput", []string{"more than once"}},
		{"too many resources", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"}, ResourceArns: manyResources},
			"InvalidInput", []string{"at most 1000"}},
		{"MaxItems out of range", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{"ec2:StopInstances"}, MaxItems: aws.Int32(1001)}, "ValidationError", []string{"maxItems"}},
		{"no actions", iam.SimulateCustomPolicyInput{PolicyInputList: valid, ActionNames: []string{}}, "ValidationError", []string{"actionNames"}},
		{"no policies", iam.SimulateCustomPolicyInput{PolicyInputList: []string{}, ActionNames: []string{"ec2:StopInstances"}}, "ValidationError", []string{"policyInputList"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SimulateCustomPolicy(ctx, &tt.in)
			require.Error(t, err)
			assert.Equal(t, tt.code, errCode(err), err.Error())
			for _, m := range tt.msg {
				assert.Contains(t, err.Error(), m)
			}
		})
	}
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	srv := newServer(t)
	c := iam.NewFromConfig(srv.AdminConfig())
	ctx := context.Background()
	const selfService = `{"Version":"2012-10-17","Statement":[{"Sid":"OwnKeys","Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}]}`
	const groupPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`
	const managed = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}`
	must := func(_ any, err error) {
		t.Helper()
		require.NoError(t, err)
	}
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("self-service"), PolicyDocument: aws.String(selfService)}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("alice")}))
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("describe"), PolicyDocument: aws.String(groupPolicy)}))
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("NoTerminate"), PolicyDocument: aws.String(managed)}))
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/NoTerminate")}))
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess")}))
	role := serviceRole(t, srv, "AutomationRole", trustSSM, restartRolePolicy)

	type want struct {
		action   string
		decision iamtypes.PolicyEvaluationDecisionType
		sources  []string // SourcePolicyType/SourcePolicyId
	}
	tests := []struct {
		name string
		in   iam.SimulatePrincipalPolicyInput
		want []want
	}{
		{"a user's own, group and managed policies", iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(simAlice),
			ActionNames: []string{"ec2:DescribeInstances", "ec2:TerminateInstances", "ssm:GetDocument", "ec2:StopInstances"}},
			[]want{
				{"ec2:DescribeInstances", "allowed", []string{"group/describe"}},
				{"ec2:TerminateInstances", "explicitDeny", []string{"user-managed/NoTerminate"}},
				{"ssm:GetDocument", "allowed", []string{"aws-managed/AmazonSSMReadOnlyAccess"}},
				{"ec2:StopInstances", "implicitDeny", nil},
			}},
		{"the user is the caller: policy variables resolve", iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(simAlice),
			ActionNames: []string{"iam:CreateAccessKey"}, ResourceArns: []string{simAlice}},
			[]want{{"iam:CreateAccessKey", "allowed", []string{"user/self-service"}}}},
		{"another caller with the user's policies", iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(simAlice), CallerArn: aws.String("arn:aws:iam::123456789012:user/bob"),
			ActionNames: []string{"iam:CreateAccessKey"}, ResourceArns: []string{simAlice}},
			[]want{{"iam:CreateAccessKey", "implicitDeny", nil}}},
		{"policies from the request join the user's", iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(simAlice), PolicyInputList: []string{simOperatorPolicy},
			ActionNames: []string{"ec2:StopInstances"}, ResourceArns: []string{simInstance}},
			[]want{{"ec2:StopInstances", "allowed", []string{"none/PolicyInputList.1"}}}},
		{"a group", iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::123456789012:group/ops"), ActionNames: []string{"ec2:DescribeInstances", "ssm:GetDocument"}},
			[]want{{"ec2:DescribeInstances", "allowed", []string{"group/describe"}}, {"ssm:GetDocument", "implicitDeny", nil}}},
		{"a role", iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), ActionNames: []string{"ec2:StopInstances", "ec2:TerminateInstances"}, ResourceArns: []string{simInstance}},
			[]want{{"ec2:StopInstances", "allowed", []string{"role/permissions"}}, {"ec2:TerminateInstances", "implicitDeny", nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.SimulatePrincipalPolicy(ctx, &tt.in)
			require.NoError(t, err)
			require.Len(t, out.EvaluationResults, len(tt.want))
			for i, w := range tt.want {
				r := out.EvaluationResults[i]
				assert.Equal(t, w.action, aws.ToString(r.EvalActionName))
				assert.Equal(t, w.decision, r.EvalDecision, w.action)
				var sources []string
				for _, s := range r.MatchedStatements {
					sources = append(sources, string(s.SourcePolicyType)+"/"+aws.ToString(s.SourcePolicyId))
					assert.Positive(t, s.StartPosition.Line)
					assert.Positive(t, s.EndPosition.Column)
				}
				assert.Equal(t, w.sources, sources, w.action)
			}
		})
	}

	// A role's policies with a resource policy need a user as the caller.
	bucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + simAlice + `"},"Action":"s3:GetObject","Resource":"*"}]}`
	_, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), ResourcePolicy: aws.String(bucket), ActionNames: []string{"s3:GetObject"}})
	assert.Equal(t, "InvalidInput", errCode(err))
	// So does a role whose path reads like a user's ARN: the ARN's
	// resource type decides, not a substring.
	pathed, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Pathed"), Path: aws.String("/x:user/"), AssumeRolePolicyDocument: aws.String(trustSSM)})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(pathed.Role.Arn), ":user/")
	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: pathed.Role.Arn, ResourcePolicy: aws.String(bucket), ActionNames: []string{"s3:GetObject"}})
	assert.Equal(t, "InvalidInput", errCode(err))
	out, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), ResourcePolicy: aws.String(bucket), CallerArn: aws.String(simAlice), ActionNames: []string{"s3:GetObject"}})
	require.NoError(t, err)
	assert.Equal(t, iamtypes.PolicyEvaluationDecisionTypeAllowed, out.EvaluationResults[0].EvalDecision)
	// A user's own ARN is the caller.
	out, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(simAlice), ResourcePolicy: aws.String(bucket), ActionNames: []string{"s3:GetObject"}})
	require.NoError(t, err)
	assert.Equal(t, "resource/ResourcePolicy", string(out.EvaluationResults[0].MatchedStatements[0].SourcePolicyType)+"/"+aws.ToString(out.EvaluationResults[0].MatchedStatements[0].SourcePolicyId))

	for _, tt := range []struct {
		name, source, code string
	}{
		{"missing user", "arn:aws:iam::123456789012:user/nobody", "NoSuchEntity"},
		{"missing role", "arn:aws:iam::123456789012:role/nobody", "NoSuchEntity"},
		{"wrong path", "arn:aws:iam::123456789012:user/ops/alice", "NoSuchEntity"},
		// Another account's user is another account's resource: the
		// caller's identity Allow alone does not reach it.
		{"another account", "arn:aws:iam::210987654321:user/alice", "AccessDenied"},
		{"not an IAM identity", "arn:aws:iam::123456789012:policy/NoTerminate", "InvalidInput"},
		{"not an ARN", "user/alice-and-some-more", "InvalidInput"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(tt.source), ActionNames: []string{"ec2:StopInstances"}})
			assert.Equal(t, tt.code, errCode(err))
		})
	}
}

// TestSimulateAuthorization: SimulateCustomPolicy is authorized on "*",
// SimulatePrincipalPolicy on the simulated principal's ARN.
func TestSimulateAuthorization(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	const selfOnly = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}]}`
	const customOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:SimulateCustomPolicy","Resource":"*"}]}`
	self := iam.NewFromConfig(cfg(srv, user(t, srv, "alice", selfOnly)))
	custom := iam.NewFromConfig(cfg(srv, user(t, srv, "carol", customOnly)))
	user(t, srv, "bob", "")
	in := func(source string) *iam.SimulatePrincipalPolicyInput {
		return &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(source), ActionNames: []string{"iam:SimulatePrincipalPolicy"}, ResourceArns: []string{source}}
	}
	out, err := self.SimulatePrincipalPolicy(ctx, in(simAlice))
	require.NoError(t, err)
	assert.Equal(t, iamtypes.PolicyEvaluationDecisionTypeAllowed, out.EvaluationResults[0].EvalDecision)

	_, err = self.SimulatePrincipalPolicy(ctx, in("arn:aws:iam::123456789012:user/bob"))
	require.Equal(t, "AccessDenied", errCode(err))
	assert.Contains(t, err.Error(), "iam:SimulatePrincipalPolicy on resource: arn:aws:iam::123456789012:user/bob")
	// Denied before the lookup: a missing user is not revealed.
	_, err = self.SimulatePrincipalPolicy(ctx, in("arn:aws:iam::123456789012:user/nobody"))
	assert.Equal(t, "AccessDenied", errCode(err))

	_, err = self.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{customOnly}, ActionNames: []string{"s3:GetObject"}})
	require.Equal(t, "AccessDenied", errCode(err))
	assert.Contains(t, err.Error(), "iam:SimulateCustomPolicy on resource: *")
	_, err = custom.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{customOnly}, ActionNames: []string{"s3:GetObject"}})
	assert.NoError(t, err)
	_, err = custom.SimulatePrincipalPolicy(ctx, in("arn:aws:iam::123456789012:user/carol"))
	assert.Equal(t, "AccessDenied", errCode(err))
}

// TestSimulateWire pins the query protocol's shape of a result: positions
// as Line/Column members, lists as <member> elements, empty lists present.
func TestSimulateWire(t *testing.T) {
	srv := newServer(t)
	body := "Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1=" + urlEscape(simOperatorPolicy) +
		"&ActionNames.member.1=ec2%3ATerminateInstances&ActionNames.member.2=ec2%3ARebootInstances"
	got := rawCall(t, srv, "iam", "", body)
	require.True(t, strings.HasPrefix(got, "200 text/xml"), got)
	for _, want := range []string{
		`<SimulateCustomPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulateCustomPolicyResult><EvaluationResults><member>`,
		`<EvalActionName>ec2:TerminateInstances</EvalActionName><EvalDecision>explicitDeny</EvalDecision><EvalResourceName>*</EvalResourceName>`,
		`<MatchedStatements><member><EndPosition><Column>6</Column><Line>15</Line></EndPosition><SourcePolicyId>PolicyInputList.1</SourcePolicyId><SourcePolicyType>none</SourcePolicyType><StartPosition><Column>5</Column><Line>10</Line></StartPosition></member></MatchedStatements>`,
		`<MissingContextValues></MissingContextValues>`,
		`<MatchedStatements></MatchedStatements><MissingContextValues><member>aws:MultiFactorAuthPresent</member></MissingContextValues>`,
		`<IsTruncated>false</IsTruncated></SimulateCustomPolicyResult>`,
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "<Marker>")
}

// TestSimulateStatementPositions checks positions against the text for
// the shapes a Statement element can take.
func TestSimulateStatementPositions(t *testing.T) {
	srv := newServer(t)
	c := iam.NewFromConfig(srv.AdminConfig())
	prefix := []iamtypes.ContextEntry{{ContextKeyName: aws.String("s3:prefix"), ContextKeyType: iamtypes.ContextKeyTypeEnumString, ContextKeyValues: []string{"a"}}}
	tests := []struct {
		name, doc  string
		resource   string
		context    []iamtypes.ContextEntry
		start, end [2]int32
	}{
		{"one-line list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, "*", nil,
			[2]int32{1, 38}, [2]int32{1, 95}},
		{"bare statement object", "{\"Statement\":\n\t{\"Effect\":\"Allow\",\n\t \"Action\":\"s3:GetObject\",\"Resource\":\"*\"}, \"Version\":\"2012-10-17\"}", "*", nil,
			[2]int32{2, 2}, [2]int32{3, 42}},
		{"after other members and nested lists, braces in strings", `{"Id":"x","Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:PutObject"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":["s3:Get*",  "s3:List*"],"Resource":["*"],"Condition":{"StringEquals":{"s3:prefix":["a","b}"]}}}]}`, "*", prefix,
			[2]int32{1, 106}, [2]int32{1, 229}},
		{"columns count characters, not bytes", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"x\",\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"},\n" +
			"  {\"Sid\":\"y\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::caf\u00e9/*\"}]}", "arn:aws:s3:::caf\u00e9/k", nil,
			[2]int32{2, 3}, [2]int32{2, 88}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.SimulateCustomPolicy(context.Background(), &iam.SimulateCustomPolicyInput{PolicyInputList: []string{tt.doc},
				ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{tt.resource}, ContextEntries: tt.context})
			require.NoError(t, err)
			r := out.EvaluationResults[0]
			require.Equal(t, iamtypes.PolicyEvaluationDecisionTypeAllowed, r.EvalDecision)
			require.Len(t, r.MatchedStatements, 1)
			st := r.MatchedStatements[0]
			assert.Equal(t, tt.start, [2]int32{st.StartPosition.Line, st.StartPosition.Column})
			assert.Equal(t, tt.end, [2]int32{st.EndPosition.Line, st.EndPosition.Column})
		})
	}
}

// TestSimulateFromStep: a runbook asks the simulator through
// aws:executeAwsApi and selects the decision, as a pre-flight check would.
func TestSimulateFromStep(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	serviceRole(t, srv, "Checked", trustSSM, restartRolePolicy)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Check-Role", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"check","action":"aws:executeAwsApi","inputs":{"Service":"iam","Api":"SimulatePrincipalPolicy",
		  "PolicySourceArn":"arn:aws:iam::123456789012:role/Checked","ActionNames":["ec2:StopInstances","ec2:TerminateInstances"],
		  "ResourceArns":["`+simInstance+`"],"MaxItems":1},
		 "outputs":[{"Name":"Decision","Selector":"$.EvaluationResults[0].EvalDecision","Type":"String"},
		            {"Name":"Truncated","Selector":"$.IsTruncated","Type":"Boolean"}]}]}`)
	x := waitDone(t, admin, start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Check-Role")}))
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	assert.Equal(t, []string{"allowed"}, x.StepExecutions[0].Outputs["Decision"])
	assert.Equal(t, []string{"true"}, x.StepExecutions[0].Outputs["Truncated"])
}
