package policy

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
		if tt.got != tt.want {
			t.Errorf("%d: got %s, want %s", i, tt.got, tt.want)
		}
	}
	// The definition pattern covers numbered, $DEFAULT and $LATEST versions.
	pol := New(Allowing("ssm:StartAutomationExecution").Resources(s.AutomationDefinitionARN("Demo", "*")).MustBuild())
	for _, v := range []string{"1", "12", "$DEFAULT", "$LATEST"} {
		r := Evaluate(Request{Principal: userArn, Action: "ssm:StartAutomationExecution", Resource: s.AutomationDefinitionARN("Demo", v)}, []NamedPolicy{{"p", pol}}, nil)
		if !r.Allowed() {
			t.Errorf("version %s not covered", v)
		}
	}
	if _, err := ParseARN("arn:aws:s3"); !errors.Is(err, ErrInvalidARN) {
		t.Errorf("ParseARN short: %v", err)
	}
	a, err := ParseARN("arn:aws:ssm:us-east-1:1:automation-definition/X:$DEFAULT")
	if err != nil || a.Resource != "automation-definition/X:$DEFAULT" || a.String() != "arn:aws:ssm:us-east-1:1:automation-definition/X:$DEFAULT" {
		t.Errorf("ParseARN: %+v %v", a, err)
	}
}

func TestOperatorPolicy(t *testing.T) {
	scope := Scope{Region: "us-east-1", Account: acct}
	p, err := Operator(scope, []string{"Restart-EC2InstanceDemo"}, func(o *OperatorOptions) { o.AllowStop = true })
	if err != nil {
		t.Fatal(err)
	}
	if r := Lint(p, KindIdentity); len(r.Findings) != 0 {
		t.Fatalf("operator policy has findings: %v", r.Findings)
	}
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
		if got != c.want {
			t.Errorf("%s on %s: allowed=%v, want %v", c.action, c.resource, got, c.want)
		}
	}

	role := scope.RoleARN("/", "AutomationRole")
	p2, err := Operator(scope, []string{"AWS-RestartEC2Instance"}, func(o *OperatorOptions) { o.PassRole = role; o.DocumentVersion = "1" })
	if err != nil {
		t.Fatal(err)
	}
	ids = []NamedPolicy{{"operator", p2}}
	pass := func(svc string) bool {
		return Evaluate(Request{Principal: userArn, Action: "iam:PassRole", Resource: role, Context: map[string][]string{"iam:PassedToService": {svc}}}, ids, nil).Allowed()
	}
	if !pass(SSMServicePrincipal) || pass("ec2.amazonaws.com") {
		t.Error("PassRole must be allowed to ssm.amazonaws.com only")
	}
	start := func(version string) bool {
		ctx := map[string][]string{}
		if version != "" {
			ctx["ssm:DocumentVersion"] = []string{version}
		}
		return Evaluate(Request{Principal: userArn, Action: "ssm:StartAutomationExecution", Resource: "arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance", Context: ctx}, ids, nil).Allowed()
	}
	if !start("1") || start("2") || start("") {
		t.Error("the pinned version must be the only one allowed")
	}

	if _, err := Operator(scope, nil); !errors.Is(err, ErrNoDocuments) {
		t.Errorf("no documents: %v", err)
	}
	if _, err := Operator(scope, []string{"ab", "ok-name"}, func(o *OperatorOptions) { o.PassRole = "arn:aws:s3:::b" }); err == nil ||
		!strings.Contains(err.Error(), `"ab"`) || !strings.Contains(err.Error(), "not an IAM role ARN") {
		t.Errorf("bad input must report every problem: %v", err)
	}
}

func TestSeedOperatorRestrictedPermissionsExact(t *testing.T) {
	p := OperatorRestrictedPermissions()
	out, err := p.Compact()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(strings.Fields(seedOperatorRestrictedPermissions), "")
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	// Compare with the guide itself when it is at hand.
	matches, _ := filepath.Glob(filepath.Join("..", "testdata", "seeds", "000_*.txt"))
	if len(matches) == 0 {
		t.Fatal("seed not present")
	}
	seed, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)\{\s*"Version":"2012-10-17",\s*"Statement":\[.*?\]\s*\}`).Find(seed)
	if block == nil {
		t.Fatal("policy not found in the seed")
	}
	if got := strings.Join(strings.Fields(string(block)), ""); got != want {
		t.Fatalf("seed policy differs:\n%s\n%s", got, want)
	}
}

func TestTrustPolicies(t *testing.T) {
	scope := Scope{Region: "us-east-1", Account: acct}
	trust := AutomationTrust(scope)
	out, _ := trust.Compact()
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:111122223333:automation-execution/*"},"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`
	if string(out) != want {
		t.Fatalf("trust:\n%s\n%s", out, want)
	}
	if r := Lint(trust, KindTrust); len(r.Findings) != 0 {
		t.Fatalf("trust findings: %v", r.Findings)
	}
	role := &NamedPolicy{"trust", trust}
	assume := func(principal, account, region string) bool {
		ctx := map[string][]string{"aws:SourceAccount": {account}, "aws:SourceArn": {"arn:aws:ssm:" + region + ":" + account + ":automation-execution/e"}}
		return Evaluate(Request{Principal: principal, Action: "sts:AssumeRole", Resource: scope.RoleARN("/", "R"), Context: ctx}, nil, role).Allowed()
	}
	if !assume(SSMServicePrincipal, acct, "eu-west-1") || assume(SSMServicePrincipal, "444455556666", "us-east-1") || assume(userArn, acct, "us-east-1") {
		t.Error("trust evaluation wrong")
	}

	gov := AutomationTrust(Scope{Region: "us-gov-west-1", Account: acct})
	if !strings.Contains(gov.String(), "arn:aws-us-gov:ssm:*:111122223333:automation-execution/*") {
		t.Errorf("partition not used: %s", gov)
	}

	// Multi-account: the administration role may assume the execution role.
	target := Scope{Region: "us-east-1", Account: "444455556666"}
	execTrust := ExecutionRoleTrust(target, acct)
	adminSession := "arn:aws:sts::111122223333:assumed-role/" + AdministrationRoleName + "/s"
	adminPolicy := AdministrationRolePolicy(scope)
	execARN := target.RoleARN("/", ExecutionRoleName)
	if !Evaluate(Request{Principal: adminSession, Action: "sts:AssumeRole", Resource: execARN}, []NamedPolicy{{"admin", adminPolicy}}, &NamedPolicy{"trust", execTrust}).Allowed() {
		t.Error("administration role cannot assume execution role")
	}
	for name, p := range map[string]*Policy{"admin": adminPolicy, "exec": ExecutionRolePolicy(target), "approver": Approver(scope), "passrole": PassRolePolicy(execARN), "deny": DenyDirect("ec2", "EC2", "iam"), "denypass": DenyPassRoleExceptToSSM(execARN)} {
		if errs := Lint(p, KindIdentity).Errors(); len(errs) != 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
	if errs := Lint(execTrust, KindTrust).Errors(); len(errs) != 0 {
		t.Errorf("exec trust: %v", errs)
	}
}

func TestDenyGuards(t *testing.T) {
	out, _ := DenyEC2().Compact()
	if string(out) != `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["ec2:*"],"Resource":"*"}]}` {
		t.Fatalf("blog deny: %s", out)
	}
	scope := Scope{Region: "us-east-1", Account: acct}
	op, _ := Operator(scope, []string{"Launch-Tagged"})
	ids := []NamedPolicy{{"operator", op}, {"deny", DenyEC2()}}
	if r := Evaluate(Request{Principal: userArn, Action: "ec2:RunInstances", Resource: scope.InstanceARN("*")}, ids, nil); r.Decision != DecisionExplicitDeny || r.Policy != "deny" {
		t.Errorf("direct launch: %+v", r)
	}
	if !Evaluate(Request{Principal: userArn, Action: "ssm:StartAutomationExecution", Resource: scope.DocumentARN("Launch-Tagged")}, ids, nil).Allowed() {
		t.Error("the runbook must still be startable")
	}
	role := scope.RoleARN("/", "R")
	guard := []NamedPolicy{{"all", New(Allowing("iam:PassRole").Resources("*").MustBuild())}, {"guard", DenyPassRoleExceptToSSM(role)}}
	pass := func(svc string) Decision {
		return Evaluate(Request{Principal: userArn, Action: "iam:PassRole", Resource: role, Context: map[string][]string{"iam:PassedToService": {svc}}}, guard, nil).Decision
	}
	if pass("ssm.amazonaws.com") != DecisionAllow || pass("ec2.amazonaws.com") != DecisionExplicitDeny {
		t.Error("PassRole guard wrong")
	}
}

func TestCannedGolden(t *testing.T) {
	scope := Scope{Region: "us-east-1", Account: acct}
	role := scope.RoleARN("/", "AutomationServiceRole")
	op, err := Operator(scope, []string{"Restart-EC2InstanceDemo", "AWS-RestartEC2Instance"}, func(o *OperatorOptions) {
		o.PassRole, o.AllowStop, o.AllowSignal = role, true, true
	})
	if err != nil {
		t.Fatal(err)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "canned-"+name+".json", b)
		})
	}
}

func TestCannedBadInputNeverPanics(t *testing.T) {
	for _, p := range []*Policy{PassRolePolicy("not an arn"), DenyDirect("e c2", ""), DenyPassRoleExceptToSSM(""), Approver(Scope{}), ExecutionRolePolicy(Scope{Account: "x:y"}), ExecutionRoleTrust(Scope{}, "")} {
		if _, err := p.Compact(); err != nil {
			t.Fatal(err)
		}
	}
	if errs := Lint(PassRolePolicy("not an arn"), KindIdentity).Errors(); len(errs) == 0 {
		t.Fatal("a bad role ARN must be reported by Lint")
	}
}

// TestCannedActionsExist checks every action the canned policies name
// against the IAM action list, when it is at hand.
func TestCannedActionsExist(t *testing.T) {
	known := referenceActionsIfPresent()
	if known == nil {
		t.Fatal("reference IAM actions not present")
	}
	scope := Scope{Region: "us-east-1", Account: acct}
	role := scope.RoleARN("/", "AutomationServiceRole")
	op, err := Operator(scope, []string{"Restart-EC2InstanceDemo", "AWS-RestartEC2Instance"}, func(o *OperatorOptions) {
		o.PassRole, o.AllowStop, o.AllowSignal, o.DocumentVersion = role, true, true, "1"
	})
	if err != nil {
		t.Fatal(err)
	}
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
					if !known[a] {
						t.Errorf("%s is not an IAM action", a)
					}
				}
			}
		})
	}
}
