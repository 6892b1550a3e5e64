package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScopeARNs(t *testing.T) {
	s := Scope{Region: "us-east-1", Account: acct}
	cn := Scope{Region: "cn-north-1", Account: acct}
	tests := []struct{ got, want string }{
		{s.DocumentARN("Restart-EC2InstanceDemo"), "arn:aws:ssm:us-east-1:111122223333:document/Restart-EC2InstanceDemo"},
		{s.DocumentARN("AWS-RestartEC2Instance"), "arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance"},
		{s.DocumentARN("arn:aws:ssm:us-east-1:444455556666:document/Shared"), "arn:aws:ssm:us-east-1:444455556666:document/Shared"},
		{s.AutomationDefinitionARN("Demo", ""), "arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo:*"},
		{s.AutomationDefinitionARN("Demo", "$DEFAULT"), "arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo:$DEFAULT"},
		{s.AutomationDefinitionARN("AWS-RestartEC2Instance", "3"), "arn:aws:ssm:us-east-1::automation-definition/AWS-RestartEC2Instance:3"},
		{s.AutomationDefinitionARN("arn:aws:ssm:us-east-1:444455556666:document/Shared", "*"), "arn:aws:ssm:us-east-1:444455556666:automation-definition/Shared:*"},
		{s.AutomationExecutionARN(""), "arn:aws:ssm:us-east-1:111122223333:automation-execution/*"},
		{s.InstanceARN("i-1"), "arn:aws:ec2:us-east-1:111122223333:instance/i-1"},
		{s.RoleARN("/service-role/", "R"), "arn:aws:iam::111122223333:role/service-role/R"},
		{s.RoleARN("", "R"), "arn:aws:iam::111122223333:role/R"},
		{s.RoleARN("a/b", "R"), "arn:aws:iam::111122223333:role/a/b/R"},
		{s.AccountRootARN(), "arn:aws:iam::111122223333:root"},
		{cn.DocumentARN("X-1"), "arn:aws-cn:ssm:cn-north-1:111122223333:document/X-1"},
		{Scope{Region: "us-gov-west-1"}.InstanceARN("*"), "arn:aws-us-gov:ec2:us-gov-west-1:*:instance/*"},
		{Scope{Partition: "aws-iso", Account: acct}.RoleARN("/", "R"), "arn:aws-iso:iam::111122223333:role/R"},
		{RoleName("arn:aws:iam::1:role/path/To"), "To"},
		{RoleName("plain"), "plain"},
	}
	for i, tt := range tests {
		assert.Equal(t, tt.want, tt.got, "case %d", i)
	}
	// The definition pattern covers numbered, $DEFAULT and $LATEST versions.
	pol := New(Allowing("ssm:StartAutomationExecution").Resources(s.AutomationDefinitionARN("Demo", "*")).MustBuild())
	for _, v := range []string{"1", "12", "$DEFAULT", "$LATEST"} {
		r := Evaluate(Request{Principal: userArn, Action: "ssm:StartAutomationExecution", Resource: s.AutomationDefinitionARN("Demo", v)}, []NamedPolicy{{"p", pol}}, nil)
		assert.True(t, r.Allowed(), "version %s not covered", v)
	}
	_, err := ParseARN("arn:aws:s3")
	assert.ErrorIs(t, err, ErrInvalidARN, "ParseARN short")
	a, err := ParseARN("arn:aws:ssm:us-east-1:1:automation-definition/X:$DEFAULT")
	assert.NoError(t, err, "ParseARN")
	assert.Equal(t, "automation-definition/X:$DEFAULT", a.Resource, "ParseARN resource")
	assert.Equal(t, "arn:aws:ssm:us-east-1:1:automation-definition/X:$DEFAULT", a.String(), "ParseARN string")
}

func TestOperatorPolicy(t *testing.T) {
	scope := Scope{Region: "us-east-1", Account: acct}
	p, err := Operator(scope, []string{"Restart-EC2InstanceDemo"}, func(o *OperatorOptions) { o.AllowStop = true })
	require.NoError(t, err)
	require.Empty(t, Lint(p, KindIdentity).Findings, "operator policy has findings")
	ids := []NamedPolicy{{"operator", p}}
	doc := scope.DocumentARN("Restart-EC2InstanceDemo")
	cases := []struct {
		action, resource string
		want             bool
	}{
		{"ssm:StartAutomationExecution", doc, true},
		{"ssm:StartAutomationExecution", scope.AutomationDefinitionARN("Restart-EC2InstanceDemo", "$DEFAULT"), true},
		{"ssm:StartAutomationExecution", scope.AutomationExecutionARN("abc"), true},
		{"ssm:StartAutomationExecution", scope.DocumentARN("Other"), false},
		{"ssm:GetDocument", doc, true},
		{"ssm:GetDocument", scope.DocumentARN("Other"), false},
		{"ssm:ListDocuments", "*", true},
		{"ssm:DescribeAutomationExecutions", "*", true},
		{"ssm:GetAutomationExecution", scope.AutomationExecutionARN("abc"), true},
		{"ssm:StopAutomationExecution", scope.AutomationExecutionARN("abc"), true},
		{"ssm:SendAutomationSignal", scope.AutomationExecutionARN("abc"), false},
		{"ec2:StopInstances", scope.InstanceARN("i-1"), false},
		{"iam:PassRole", scope.RoleARN("/", "AutomationRole"), false},
	}
	for _, c := range cases {
		got := Evaluate(Request{Principal: userArn, Action: c.action, Resource: c.resource}, ids, nil).Allowed()
		assert.Equal(t, c.want, got, "%s on %s: allowed", c.action, c.resource)
	}

	role := scope.RoleARN("/", "AutomationRole")
	p2, err := Operator(scope, []string{"AWS-RestartEC2Instance"}, func(o *OperatorOptions) { o.PassRole = role; o.DocumentVersion = "1" })
	require.NoError(t, err)
	ids = []NamedPolicy{{"operator", p2}}
	pass := func(svc string) bool {
		return Evaluate(Request{Principal: userArn, Action: "iam:PassRole", Resource: role, Context: map[string][]string{"iam:PassedToService": {svc}}}, ids, nil).Allowed()
	}
	assert.True(t, pass(SSMServicePrincipal), "PassRole must be allowed to ssm.amazonaws.com")
	assert.False(t, pass("ec2.amazonaws.com"), "PassRole must be allowed to ssm.amazonaws.com only")
	start := func(version string) bool {
		ctx := map[string][]string{}
		if version != "" {
			ctx["ssm:DocumentVersion"] = []string{version}
		}
		return Evaluate(Request{Principal: userArn, Action: "ssm:StartAutomationExecution", Resource: "arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance", Context: ctx}, ids, nil).Allowed()
	}
	assert.True(t, start("1"), "the pinned version must be allowed")
	assert.False(t, start("2"), "the pinned version must be the only one allowed")
	assert.False(t, start(""), "the pinned version must be the only one allowed")

	_, err = Operator(scope, nil)
	assert.ErrorIs(t, err, ErrNoDocuments, "no documents")
	_, err = Operator(scope, []string{"ab", "ok-name"}, func(o *OperatorOptions) { o.PassRole = "arn:aws:s3:::b" })
	assert.ErrorContains(t, err, `"ab"`, "bad input must report every problem")
	assert.ErrorContains(t, err, "not an IAM role ARN", "bad input must report every problem")
}

func TestSeedOperatorRestrictedPermissionsExact(t *testing.T) {
	p := OperatorRestrictedPermissions()
	out, err := p.Compact()
	require.NoError(t, err)
	want := strings.Join(strings.Fields(seedOperatorRestrictedPermissions), "")
	require.Equal(t, want, string(out))
	// Compare with the guide itself when it is at hand.
	matches, _ := filepath.Glob(filepath.Join("..", "testdata", "seeds", "000_*.txt"))
	require.NotEmpty(t, matches, "seed not present")
	seed, err := os.ReadFile(matches[0])
	require.NoError(t, err)
	block := regexp.MustCompile(`(?s)\{\s*"Version":"2012-10-17",\s*"Statement":\[.*?\]\s*\}`).Find(seed)
	require.NotNil(t, block, "policy not found in the seed")
	require.Equal(t, want, strings.Join(strings.Fields(string(block)), ""), "seed policy differs")
}

func TestTrustPolicies(t *testing.T) {
	scope := Scope{Region: "us-east-1", Account: acct}
	trust := AutomationTrust(scope)
	out, _ := trust.Compact()
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:111122223333:automation-execution/*"},"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`
	require.Equal(t, want, string(out), "trust")
	require.Empty(t, Lint(trust, KindTrust).Findings, "trust findings")
	role := &NamedPolicy{"trust", trust}
	assume := func(principal, account, region string) bool {
		ctx := map[string][]string{"aws:SourceAccount": {account}, "aws:SourceArn": {"arn:aws:ssm:" + region + ":" + account + ":automation-execution/e"}}
		return Evaluate(Request{Principal: principal, Action: "sts:AssumeRole", Resource: scope.RoleARN("/", "R"), Context: ctx}, nil, role).Allowed()
	}
	assert.True(t, assume(SSMServicePrincipal, acct, "eu-west-1"), "the service in the account must assume the role")
	assert.False(t, assume(SSMServicePrincipal, "444455556666", "us-east-1"), "the service from another account must not assume the role")
	assert.False(t, assume(userArn, acct, "us-east-1"), "a user must not assume the role")

	gov := AutomationTrust(Scope{Region: "us-gov-west-1", Account: acct})
	assert.Contains(t, gov.String(), "arn:aws-us-gov:ssm:*:111122223333:automation-execution/*", "partition not used")

	// Multi-account: the administration role may assume the execution role.
	target := Scope{Region: "us-east-1", Account: "444455556666"}
	execTrust := ExecutionRoleTrust(target, acct)
	adminSession := "arn:aws:sts::111122223333:assumed-role/" + AdministrationRoleName + "/s"
	adminPolicy := AdministrationRolePolicy(scope)
	execARN := target.RoleARN("/", ExecutionRoleName)
	assert.True(t, Evaluate(Request{Principal: adminSession, Action: "sts:AssumeRole", Resource: execARN}, []NamedPolicy{{"admin", adminPolicy}}, &NamedPolicy{"trust", execTrust}).Allowed(),
		"administration role cannot assume execution role")
	for name, p := range map[string]*Policy{"admin": adminPolicy, "exec": ExecutionRolePolicy(target), "approver": Approver(scope), "passrole": PassRolePolicy(execARN), "deny": DenyDirect("ec2", "EC2", "iam"), "denypass": DenyPassRoleExceptToSSM(execARN)} {
		assert.Empty(t, Lint(p, KindIdentity).Errors(), name)
	}
	assert.Empty(t, Lint(execTrust, KindTrust).Errors(), "exec trust")
}

func TestDenyGuards(t *testing.T) {
	out, _ := DenyEC2().Compact()
	require.Equal(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["ec2:*"],"Resource":"*"}]}`, string(out), "blog deny")
	scope := Scope{Region: "us-east-1", Account: acct}
	op, _ := Operator(scope, []string{"Launch-Tagged"})
	ids := []NamedPolicy{{"operator", op}, {"deny", DenyEC2()}}
	r := Evaluate(Request{Principal: userArn, Action: "ec2:RunInstances", Resource: scope.InstanceARN("*")}, ids, nil)
	assert.Equal(t, DecisionExplicitDeny, r.Decision, "direct launch: %+v", r)
	assert.Equal(t, "deny", r.Policy, "direct launch: %+v", r)
	assert.True(t, Evaluate(Request{Principal: userArn, Action: "ssm:StartAutomationExecution", Resource: scope.DocumentARN("Launch-Tagged")}, ids, nil).Allowed(),
		"the runbook must still be startable")
	role := scope.RoleARN("/", "R")
	guard := []NamedPolicy{{"all", New(Allowing("iam:PassRole").Resources("*").MustBuild())}, {"guard", DenyPassRoleExceptToSSM(role)}}
	pass := func(svc string) Decision {
		return Evaluate(Request{Principal: userArn, Action: "iam:PassRole", Resource: role, Context: map[string][]string{"iam:PassedToService": {svc}}}, guard, nil).Decision
	}
	assert.Equal(t, DecisionAllow, pass("ssm.amazonaws.com"), "PassRole guard to SSM")
	assert.Equal(t, DecisionExplicitDeny, pass("ec2.amazonaws.com"), "PassRole guard to EC2")
}

func TestCannedGolden(t *testing.T) {
	scope := Scope{Region: "us-east-1", Account: acct}
	role := scope.RoleARN("/", "AutomationServiceRole")
	op, err := Operator(scope, []string{"Restart-EC2InstanceDemo", "AWS-RestartEC2Instance"}, func(o *OperatorOptions) {
		o.PassRole, o.AllowStop, o.AllowSignal = role, true, true
	})
	require.NoError(t, err)
	for name, p := range map[string]*Policy{
		"operator":                op,
		"trust":                   AutomationTrust(scope),
		"approver":                Approver(scope),
		"administration-role":     AdministrationRolePolicy(scope),
		"execution-role":          ExecutionRolePolicy(Scope{Region: "us-east-1", Account: "444455556666"}),
		"execution-role-trust":    ExecutionRoleTrust(Scope{Region: "us-east-1", Account: "444455556666"}, acct),
		"deny-passrole-elsewhere": DenyPassRoleExceptToSSM(role),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := p.JSON()
			require.NoError(t, err)
			golden(t, "canned-"+name+".json", b)
		})
	}
}

func TestCannedBadInputNeverPanics(t *testing.T) {
	for _, p := range []*Policy{PassRolePolicy("not an arn"), DenyDirect("e c2", ""), DenyPassRoleExceptToSSM(""), Approver(Scope{}), ExecutionRolePolicy(Scope{Account: "x:y"}), ExecutionRoleTrust(Scope{}, "")} {
		_, err := p.Compact()
		require.NoError(t, err)
	}
	require.NotEmpty(t, Lint(PassRolePolicy("not an arn"), KindIdentity).Errors(), "a bad role ARN must be reported by Lint")
}

// TestCannedActionsExist checks every action the canned policies name
// against the IAM action list, when it is at hand.
func TestCannedActionsExist(t *testing.T) {
	known := referenceActionsIfPresent()
	require.NotNil(t, known, "reference IAM actions not present")
	scope := Scope{Region: "us-east-1", Account: acct}
	role := scope.RoleARN("/", "AutomationServiceRole")
	op, err := Operator(scope, []string{"Restart-EC2InstanceDemo", "AWS-RestartEC2Instance"}, func(o *OperatorOptions) {
		o.PassRole, o.AllowStop, o.AllowSignal, o.DocumentVersion = role, true, true, "1"
	})
	require.NoError(t, err)
	policies := map[string]*Policy{
		"operator": op, "seed operator": OperatorRestrictedPermissions(), "trust": AutomationTrust(scope),
		"pass role": PassRolePolicy(role), "deny ec2": DenyEC2(), "deny direct": DenyDirect("ec2", "s3"),
		"deny pass role": DenyPassRoleExceptToSSM(role), "approver": Approver(scope),
		"administration trust": AdministrationRoleTrust(scope), "administration": AdministrationRolePolicy(scope),
		"execution trust": ExecutionRoleTrust(scope, "444455556666"), "execution": ExecutionRolePolicy(scope),
	}
	for name, p := range policies {
		t.Run(name, func(t *testing.T) {
			for _, st := range p.Statement {
				for _, a := range append(append([]string(nil), st.Action.Values...), st.NotAction.Values...) {
					if strings.Contains(a, "*") {
						continue
					}
					assert.True(t, known[a], "%s is not an IAM action", a)
				}
			}
		})
	}
}
