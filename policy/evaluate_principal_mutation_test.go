package policy

import "testing"

// TestEvaluateFederatedAndCanonicalPrincipals: a resource or trust policy's
// Principal may name an identity provider (Federated) or an S3 canonical
// user ID (CanonicalUser); each matches only the caller it names.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func TestEvaluateFederatedAndCanonicalPrincipals(t *testing.T) {
	const (
		saml      = "arn:aws:iam::111122223333:saml-provider/ExampleIdP"
		otherSAML = "arn:aws:iam::111122223333:saml-provider/OtherIdP"
		canonical = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
		otherCan  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		obj       = "arn:aws:s3:::b/k"
	)
	trust := `[{"Effect":"Allow","Principal":{"Federated":"` + saml + `"},"Action":"sts:AssumeRoleWithSAML"}]`
	bucket := `[{"Effect":"Allow","Principal":{"CanonicalUser":"` + canonical + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]`
	runEvalCases(t, []evalCase{
		{name: "federated provider trusted", resource: trust, principal: saml, action: "sts:AssumeRoleWithSAML", res: roleArn, want: DecisionAllow, wantPol: "resource"},
		{name: "other federated provider", resource: trust, principal: otherSAML, action: "sts:AssumeRoleWithSAML", res: roleArn, want: DecisionImplicitDeny},
		{name: "federated provider named as AWS principal does not match", resource: `[{"Effect":"Allow","Principal":{"Federated":"` + otherSAML + `","AWS":"` + userArn + `"},"Action":"sts:AssumeRoleWithSAML"}]`, principal: saml, action: "sts:AssumeRoleWithSAML", res: roleArn, want: DecisionImplicitDeny},
		{name: "canonical user granted", resource: bucket, principal: canonical, action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "other canonical user", resource: bucket, principal: otherCan, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "canonical user does not match an IAM user", resource: bucket, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "deny on a canonical user", identity: []string{allowAll}, resource: `[{"Effect":"Deny","Principal":{"CanonicalUser":"` + canonical + `"},"Action":"s3:*","Resource":"*"}]`, principal: canonical, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "resource"},
	})
}

// TestEvaluateRoleCallerAndDenyOrder: a role ARN caller is a role (its own
// ARN, no aws:username), matched by a Principal only under that ARN; and an
// explicit deny wins wherever it is, the identity policies' reported first.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func TestEvaluateRoleCallerAndDenyOrder(t *testing.T) {
	const obj = "arn:aws:s3:::b/k"
	bucket := func(principal string) string {
		return `[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]`
	}
	cond := func(c string) []string {
		return []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + c + `}]`}
	}
	denyAll := `[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]`
	runEvalCases(t, []evalCase{
		{name: "role caller named by its ARN", resource: bucket(roleArn), principal: roleArn, action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "role caller not named under another path", resource: bucket("arn:aws:iam::111122223333:role/AutomationRole"), principal: roleArn, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "role caller has no aws:username", identity: cond(`{"Null":{"aws:username":"true"}}`), principal: roleArn, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "role caller's aws:PrincipalArn is its ARN", identity: cond(`{"StringEquals":{"aws:PrincipalArn":"` + roleArn + `"}}`), principal: roleArn, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "role caller's aws:PrincipalAccount", identity: cond(`{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`), principal: roleArn, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "federated user's aws:PrincipalArn is its ARN", identity: cond(`{"StringEquals":{"aws:PrincipalArn":"arn:aws:sts::111122223333:federated-user/f"}}`), principal: "arn:aws:sts::111122223333:federated-user/f", action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "session's aws:PrincipalArn is not the session ARN", identity: cond(`{"StringEquals":{"aws:PrincipalArn":"` + session + `"}}`), principal: session, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "identity deny reported before resource deny", identity: []string{allowAll, `[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]`}, resource: denyAll, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "resource deny beats a resource allow naming the caller", resource: `[{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"s3:*","Resource":"*"},{"Effect":"Deny","Principal":{"AWS":"` + userArn + `"},"Action":"s3:GetObject","Resource":"*"}]`, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "resource", wantStmt: 1},
		{name: "identity deny beats a trust allow", identity: []string{`[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]`}, resource: `[{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionExplicitDeny},
		{name: "identity statement naming the caller applies", identity: []string{`[{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"*","Resource":"*"}]`}, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "identity statement naming someone else is skipped", identity: []string{`[{"Effect":"Allow","Principal":{"AWS":"` + otherArn + `"},"Action":"*","Resource":"*"}]`}, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "identity NotPrincipal sparing the caller is skipped", identity: []string{allowAll, `[{"Effect":"Deny","NotPrincipal":{"AWS":"` + userArn + `"},"Action":"*","Resource":"*"}]`}, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "identity NotPrincipal naming someone else applies", identity: []string{allowAll, `[{"Effect":"Deny","NotPrincipal":{"AWS":"` + otherArn + `"},"Action":"*","Resource":"*"}]`}, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "id1"},
	})
}
