package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLintPrincipalPairs: a trust or resource policy statement names
// exactly one of Principal and NotPrincipal.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func TestLintPrincipalPairs(t *testing.T) {
	st := func(principals string) string {
		return identityStatement(`{"Effect":"Deny",` + principals + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	}
	runLintCases(t, []lintCase{
		{name: "both", kind: KindResource, policy: st(`"Principal":{"AWS":"111122223333"},"NotPrincipal":{"AWS":"444455556666"},`), code: CodePrincipalAndNotPrincipal, path: "Statement[0]", want: true},
		{name: "Principal only", kind: KindResource, policy: st(`"Principal":{"AWS":"111122223333"},`), code: CodePrincipalAndNotPrincipal},
		{name: "NotPrincipal only", kind: KindResource, policy: st(`"NotPrincipal":{"AWS":"444455556666"},`), code: CodePrincipalAndNotPrincipal},
		{name: "NotPrincipal only needs no Principal", kind: KindResource, policy: st(`"NotPrincipal":{"AWS":"444455556666"},`), code: CodeNoPrincipal},
		{name: "NotPrincipal in an identity policy", kind: KindIdentity, policy: st(`"NotPrincipal":{"AWS":"444455556666"},`), code: CodePrincipalInIdentity, path: "Statement[0]", want: true},
		{name: "neither in an identity policy", kind: KindIdentity, policy: st(``), code: CodePrincipalInIdentity},
	})
}

// TestLintEmptyElements: IAM refuses an empty Action or Resource list, a
// condition operator without keys and a condition key without values.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func TestLintEmptyElements(t *testing.T) {
	cond := func(c string) string {
		return identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":` + c + `}`)
	}
	runLintCases(t, []lintCase{
		{name: "empty Action list", kind: KindIdentity, policy: identityStatement(`{"Effect":"Deny","Action":[],"Resource":"*"}`), code: CodeEmpty, path: "Statement[0].Action", want: true},
		{name: "empty NotAction list", kind: KindIdentity, policy: identityStatement(`{"Effect":"Deny","NotAction":[],"Resource":"*"}`), code: CodeEmpty, path: "Statement[0].NotAction", want: true},
		{name: "empty Resource list", kind: KindIdentity, policy: identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","Resource":[]}`), code: CodeEmpty, path: "Statement[0].Resource", want: true},
		{name: "one-element lists", kind: KindIdentity, policy: identityStatement(`{"Effect":"Deny","Action":["s3:GetObject"],"Resource":["*"]}`), code: CodeEmpty},
		{name: "operator without keys", kind: KindIdentity, policy: cond(`{"StringEquals":{}}`), code: CodeEmpty, path: "Statement[0].Condition.StringEquals", want: true},
		{name: "key without values", kind: KindIdentity, policy: cond(`{"StringEquals":{"aws:username":[]}}`), code: CodeEmpty, path: `Statement[0].Condition.StringEquals["aws:username"]`, want: true},
		{name: "key with values", kind: KindIdentity, policy: cond(`{"StringEquals":{"aws:username":["a"]}}`), code: CodeEmpty},
		{name: "empty key", kind: KindIdentity, policy: cond(`{"StringEquals":{"":"a"}}`), code: CodeBadKey, want: true},
		{name: "named key", kind: KindIdentity, policy: cond(`{"StringEquals":{"aws:username":"a"}}`), code: CodeBadKey},
	})
}

// TestLintVariableKeyFirstCharacter: a policy variable's key is checked
// from its first character.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestLintVariableKeyFirstCharacter(t *testing.T) {
	resource := func(v string) string {
		return identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/` + v + `"}`)
	}
	runLintCases(t, []lintCase{
		{name: "bad first character", kind: KindIdentity, policy: resource(`${#aws:username}`), code: CodeBadVariable, path: "Statement[0].Resource", want: true},
		{name: "bad first character before a default", kind: KindIdentity, policy: resource(`${!aws:username, 'x'}`), code: CodeBadVariable, want: true},
		{name: "blank before a default", kind: KindIdentity, policy: resource(`${ , 'x'}`), code: CodeBadVariable, want: true},
		{name: "good key before a default", kind: KindIdentity, policy: resource(`${aws:username , 'x'}`), code: CodeBadVariable},
	})
}

// TestLintConditionValueTypes: Bool and Null take true or false in any
// case, Numeric a number, Date an ISO 8601 date or epoch seconds, and
// IpAddress an address or CIDR block; other operators take any text.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func TestLintConditionValueTypes(t *testing.T) {
	cond := func(op, key, v string) string {
		return identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"` + op + `":{"` + key + `":` + v + `}}}`)
	}
	tests := []struct {
		name, op, key, value string
		bad                  bool
	}{
		{"Bool upper case", "Bool", "aws:SecureTransport", `"TRUE"`, false},
		{"Bool false", "Bool", "aws:SecureTransport", `"False"`, false},
		{"Bool JSON value", "Bool", "aws:SecureTransport", `true`, false},
		{"Bool number", "Bool", "aws:SecureTransport", `"1"`, true},
		{"Null false", "Null", "aws:TokenIssueTime", `"false"`, false},
		{"Null word", "Null", "aws:TokenIssueTime", `"absent"`, true},
		{"BoolIfExists word", "BoolIfExists", "aws:MultiFactorAuthPresent", `"yes"`, true},
		{"Numeric integer", "NumericEquals", "s3:max-keys", `"10"`, false},
		{"Numeric JSON number", "NumericGreaterThanEquals", "s3:max-keys", `10`, false},
		{"Numeric word", "NumericGreaterThan", "s3:max-keys", `"ten"`, true},
		{"NumericNotEquals word", "NumericNotEquals", "s3:max-keys", `"ten"`, true},
		{"NumericLessThanEquals word", "NumericLessThanEquals", "s3:max-keys", `"ten"`, true},
		{"Date epoch seconds", "DateGreaterThan", "aws:CurrentTime", `"1700000000"`, false},
		{"Date ISO 8601", "DateEquals", "aws:CurrentTime", `"2024-01-02T03:04:05Z"`, false},
		{"Date word", "DateNotEquals", "aws:CurrentTime", `"tomorrow"`, true},
		{"DateLessThanEquals word", "DateLessThanEquals", "aws:CurrentTime", `"tomorrow"`, true},
		{"DateGreaterThanEquals word", "DateGreaterThanEquals", "aws:CurrentTime", `"tomorrow"`, true},
		{"IPv6 address", "IpAddress", "aws:SourceIp", `"2001:db8::1"`, false},
		{"NotIpAddress word", "NotIpAddress", "aws:SourceIp", `"anywhere"`, true},
		{"String takes any text", "StringEquals", "aws:username", `"ten"`, false},
		{"ARN takes any text", "ArnLike", "aws:SourceArn", `"true"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Lint(mustPolicy(t, cond(tt.op, tt.key, tt.value)), KindIdentity)
			var codes []string
			for _, f := range r.Errors() {
				codes = append(codes, f.Code)
			}
			if tt.bad {
				assert.Equal(t, []string{CodeBadConditionValue}, codes, "%v", r.Findings)
			} else {
				assert.Empty(t, codes, "%v", r.Findings)
			}
		})
	}
}

// TestLintSecurityWarnings pins when each security warning is given and
// when it is not: only Allow statements warn, write actions on "*" are
// listed by name, and anyone may assume a role only without a condition.
func TestLintSecurityWarnings(t *testing.T) {
	warnings := func(t *testing.T, kind Kind, doc string) map[string]Finding {
		t.Helper()
		out := map[string]Finding{}
		for _, f := range Lint(mustPolicy(t, doc), kind).Warnings() {
			out[f.Code] = f
		}
		return out
	}
	t.Run("Deny statements do not warn", func(t *testing.T) {
		w := warnings(t, KindIdentity, identityStatement(`{"Effect":"Deny","NotAction":"*","NotResource":"arn:aws:s3:::b"}`))
		assert.Empty(t, w)
	})
	t.Run("write actions on star are listed by name", func(t *testing.T) {
		w := warnings(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":["ec2:DescribeInstances","ec2:StopInstances","ec2:Start*","iam:PassRole","ec2:TerminateInstances"],"Resource":"*"}`))
		require.Contains(t, w, CodeWriteStar)
		msg := w[CodeWriteStar].Message
		assert.Contains(t, msg, "ec2:StopInstances, ec2:TerminateInstances")
		assert.NotContains(t, msg, "DescribeInstances")
		assert.NotContains(t, msg, "Start*")
		assert.NotContains(t, msg, "PassRole")
	})
	t.Run("write actions on named resources", func(t *testing.T) {
		w := warnings(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:*:111122223333:instance/*"}`))
		assert.NotContains(t, w, CodeWriteStar)
	})
	t.Run("read actions on star", func(t *testing.T) {
		w := warnings(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}`))
		assert.Empty(t, w)
	})
	t.Run("PassRole scoped and limited to a service", func(t *testing.T) {
		w := warnings(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/R","Condition":{"StringEquals":{"iam:passedtoservice":"ssm.amazonaws.com"}}}`))
		assert.Empty(t, w)
	})
	t.Run("PassRole by a wildcard action", func(t *testing.T) {
		w := warnings(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":"iam:Pass*","Resource":"*"}`))
		assert.Contains(t, w, CodePassRoleStar)
		assert.Contains(t, w, CodePassRoleNoService)
	})
	t.Run("anyone may assume the role under a condition", func(t *testing.T) {
		w := warnings(t, KindTrust, identityStatement(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}`))
		assert.NotContains(t, w, CodeTrustAnyone)
	})
	t.Run("anyone by the wildcard principal", func(t *testing.T) {
		w := warnings(t, KindTrust, identityStatement(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`))
		assert.Contains(t, w, CodeTrustAnyone)
	})
	t.Run("a named account is not anyone", func(t *testing.T) {
		w := warnings(t, KindTrust, identityStatement(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`))
		assert.Empty(t, w)
	})
	t.Run("a service trusted under aws:SourceArn", func(t *testing.T) {
		w := warnings(t, KindTrust, identityStatement(`{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:111122223333:automation-execution/*"}}}`))
		assert.Empty(t, w)
	})
	t.Run("trust Allow with NotResource is an error, not a warning", func(t *testing.T) {
		r := Lint(mustPolicy(t, identityStatement(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","NotResource":"*"}`)), KindTrust)
		for _, f := range r.Warnings() {
			assert.NotEqual(t, CodeAllowNotResource, f.Code)
		}
		require.Len(t, r.Errors(), 1)
		assert.Equal(t, CodeResourceInTrust, r.Errors()[0].Code)
		assert.Equal(t, "Statement[0].NotResource", r.Errors()[0].Path)
	})
}

// TestLintCatalogWarnings: an action of a known service that the catalog
// does not list is named; a wildcard action is not looked up.
func TestLintCatalogWarnings(t *testing.T) {
	deny := func(action string) string {
		return identityStatement(`{"Effect":"Deny","Action":"` + action + `","Resource":"*"}`)
	}
	runLintCases(t, []lintCase{
		{name: "known action", kind: KindIdentity, policy: deny("ec2:StopInstances"), code: CodeUnknownAction},
		{name: "known action in other case", kind: KindIdentity, policy: deny("EC2:stopinstances"), code: CodeUnknownAction},
		{name: "wildcard action", kind: KindIdentity, policy: deny("ec2:Stop*"), code: CodeUnknownAction},
		{name: "question mark action", kind: KindIdentity, policy: deny("ec2:StopInstance?"), code: CodeUnknownAction},
		{name: "unknown action", kind: KindIdentity, policy: deny("ec2:StopEverything"), code: CodeUnknownAction, path: "Statement[0].Action", want: true},
		{name: "unknown service is not also an unknown action", kind: KindIdentity, policy: deny("nosuchservice:StopEverything"), code: CodeUnknownAction},
		{name: "unknown service", kind: KindIdentity, policy: deny("nosuchservice:StopEverything"), code: CodeUnknownService, want: true},
	})
}

// TestLintFindingOrder: findings come statement by statement and, within a
// statement, rule by rule, so the report reads the same on every run.
func TestLintFindingOrder(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"a b","Effect":"Allow","Action":"ec2:Stop!","Resource":"i-1"},` +
		`{"Sid":"a b","Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"x"},"StringEquals":{"aws:username":"\u0100"}}}]}`
	r := Lint(mustPolicy(t, doc), KindIdentity)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Code+"@"+f.Path)
	}
	assert.Equal(t, []string{
		"bad-sid@Statement[0].Sid",
		"bad-action@Statement[0].Action",
		"bad-resource@Statement[0].Resource",
		"duplicate-sid@Statement[1].Sid",
		"bad-sid@Statement[1].Sid",
		"bad-condition-value@Statement[1].Condition.Bool[\"aws:SecureTransport\"]",
		"bad-character@Statement[1].Condition.StringEquals[\"aws:username\"]",
	}, got, strings.Join(got, "\n"))
}
