package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResultAllowed(t *testing.T) {
	for d, want := range map[Decision]bool{DecisionAllow: true, DecisionImplicitDeny: false, DecisionExplicitDeny: false} {
		t.Run(d.String(), func(t *testing.T) {
			assert.Equal(t, want, Result{Decision: d}.Allowed())
		})
	}
}

// TestIsAccountIDDigits: an account ID is exactly twelve decimal digits.
// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html
func TestIsAccountIDDigits(t *testing.T) {
	for s, want := range map[string]bool{
		"111122223333":  true,
		"000000000000":  true,
		"999999999999":  true,
		"012345678909":  true,
		"11112222333":   false,
		"1111222233334": false,
		"":              false,
		"11112222333a":  false,
		"/11122223333":  false, // the byte before '0'
		"11112222333:":  false, // the byte after '9'
		"aws":           false,
	} {
		t.Run(s, func(t *testing.T) {
			assert.Equal(t, want, IsAccountID(s))
		})
	}
}

// TestEvaluatePrincipalKeyEdges: keys IAM sets only for some principals are
// absent for the others, and a key with an empty value list counts as
// absent, so IfExists holds and Null "true" holds.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func TestEvaluatePrincipalKeyEdges(t *testing.T) {
	stmt := func(cond string) []string {
		return []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + cond + `}]`}
	}
	a := "s3:ListBucket"
	empty := map[string][]string{"ec2:InstanceType": {}}
	runEvalCases(t, []evalCase{
		{name: "aws:username of a pathed user is the last name", identity: stmt(`{"StringEquals":{"aws:username":"alice"}}`), action: a, res: "*", want: DecisionAllow},
		{name: "aws:username absent for a role", identity: stmt(`{"Null":{"aws:username":"true"}}`), principal: roleArn, action: a, res: "*", want: DecisionAllow},
		{name: "aws:username absent for a session", identity: stmt(`{"Null":{"aws:username":"true"}}`), principal: session, action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalServiceName absent for a user", identity: stmt(`{"Null":{"aws:PrincipalServiceName":"true"}}`), action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalArn absent for a service", identity: stmt(`{"Null":{"aws:PrincipalArn":"true"}}`), principal: "ssm.amazonaws.com", action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalArn of a user", identity: stmt(`{"StringEquals":{"aws:PrincipalArn":"` + userArn + `"}}`), action: a, res: "*", want: DecisionAllow},
		{name: "IfExists holds for an empty value list", identity: stmt(`{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`), ctx: empty, action: a, res: "*", want: DecisionAllow},
		{name: "IfExists holds for an empty value list under another case", identity: stmt(`{"StringEqualsIfExists":{"EC2:INSTANCETYPE":"t3.micro"}}`), ctx: empty, action: a, res: "*", want: DecisionAllow},
		{name: "Null true holds for an empty value list", identity: stmt(`{"Null":{"ec2:InstanceType":"true"}}`), ctx: empty, action: a, res: "*", want: DecisionAllow},
		{name: "Null true holds for an empty value list under another case", identity: stmt(`{"Null":{"Ec2:InstanceType":"true"}}`), ctx: empty, action: a, res: "*", want: DecisionAllow},
	})
}

// TestEvaluateEvaluationEdges covers the decision rules at their edges.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func TestEvaluateEvaluationEdges(t *testing.T) {
	const root = "arn:aws:iam::111122223333:root"
	obj := "arn:aws:s3:::home/alice/x"
	home := func(version string) string {
		return `{"Version":"` + version + `","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`
	}
	runEvalCases(t, []evalCase{
		// Policy variables exist only from version 2012-10-17, in resource
		// policies as in identity policies.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
		{name: "resource policy substitutes variables", resource: home("2012-10-17"), action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "legacy resource policy keeps variables literal", resource: home("2008-10-17"), action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		// The root user cannot call sts: actions such as AssumeRole through
		// its own account's full access; the service prefix is matched
		// case-insensitively and on its own.
		{name: "root and a bare sts: action", principal: root, action: "sts:", res: "*", want: DecisionImplicitDeny},
		{name: "root and an upper-case STS action", principal: root, action: "STS:AssumeRole", res: roleArn, want: DecisionImplicitDeny},
		{name: "root and a short action", principal: root, action: "s3", res: "*", want: DecisionAllow, wantStmt: -1},
		// A trust policy statement has no Resource: the role is the
		// resource. An identity statement without Resource never applies.
		{name: "trust statement without resource applies", resource: `[{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionAllow, wantPol: "resource"},
		{name: "trust NotPrincipal statement without resource applies", identity: []string{`[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]`}, resource: `[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"},{"Effect":"Deny","NotPrincipal":{"AWS":"` + otherArn + `"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionExplicitDeny, wantPol: "resource", wantStmt: 1},
		{name: "deny statement without resource never applies in identity policy", identity: []string{allowAll, `[{"Effect":"Deny","Action":"ec2:*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		// An explicit deny in the trust policy wins over every allow.
		{name: "trust policy deny beats its allow", resource: `[{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionExplicitDeny, wantPol: "resource", wantStmt: 1},
		{name: "identity deny beats resource allow", identity: []string{`[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]`}, resource: home("2012-10-17"), action: "s3:GetObject", res: obj, want: DecisionExplicitDeny},
		// NotAction with Deny denies every other action, NotResource with
		// Deny every other resource.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
		{name: "deny NotResource hits other resources", identity: []string{allowAll, `[{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::home/alice/*"}]`}, action: "s3:GetObject", res: "arn:aws:s3:::home/bob/x", want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny NotResource spares its resources", identity: []string{allowAll, `[{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::home/alice/*"}]`}, action: "s3:GetObject", res: obj, want: DecisionAllow},
		// Across accounts the resource policy's Allow naming the caller is
		// reported ahead of an earlier one naming only the account.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
		{name: "cross-account allow naming the caller reported first", identity: []string{allowAll}, resource: `[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"s3:GetObject","Resource":"*"}]`, action: "s3:GetObject", res: obj, resAcct: "444455556666", want: DecisionAllow, wantPol: "resource", wantStmt: 1},
		{name: "first account allow reported", identity: []string{allowAll}, resource: `[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}]`, action: "s3:GetObject", res: obj, resAcct: "444455556666", want: DecisionAllow, wantPol: "resource", wantStmt: 0},
		{name: "first identity allow reported", identity: []string{`[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Effect":"Allow","Action":"ec2:Stop*","Resource":"*"},{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow, wantStmt: 1},
		{name: "nil identity policy skipped", identity: nil, action: "ec2:StopInstances", want: DecisionImplicitDeny},
	})
}
