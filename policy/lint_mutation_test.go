package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lintCase says whether Lint reports a finding with code at path.
type lintCase struct {
	name   string
	kind   Kind
	policy string // a full policy, or one statement wrapped by identityStatement
	code   string
	path   string // "" checks the code anywhere
	want   bool
}

func runLintCases(t *testing.T, cases []lintCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.policy
			if !strings.HasPrefix(doc, `{"Version"`) {
				doc = identityStatement(doc)
			}
			r := Lint(mustPolicy(t, doc), tc.kind)
			found := false
			for _, f := range r.Findings {
				if f.Code == tc.code && (tc.path == "" || f.Path == tc.path) {
					found = true
				}
			}
			assert.Equal(t, tc.want, found, "code %s at %q in %v", tc.code, tc.path, r.Findings)
		})
	}
}

// TestLintCharacterClasses pins each character class at the bytes on both
// sides of its ranges: a Sid is alphanumeric, a service prefix adds '-', an
// action name adds '*', '?', '-' and '_', and a policy variable's key is a
// condition key.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func TestLintCharacterClasses(t *testing.T) {
	deny := func(sid, action, resource string) string {
		return `{"Sid":"` + sid + `","Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}`
	}
	var cases []lintCase
	cases = append(cases, lintCase{name: "Sid of every range end", kind: KindIdentity, policy: deny("azAZ09", "ec2:StopInstances", "*"), code: CodeBadSid})
	cases = append(cases, lintCase{name: "prefix of every range end", kind: KindIdentity, policy: deny("S", "azAZ09-:StopInstances", "*"), code: CodeBadAction})
	cases = append(cases, lintCase{name: "name of every range end", kind: KindIdentity, policy: deny("S", "ec2:azAZ09*?-_", "*"), code: CodeBadAction})
	cases = append(cases, lintCase{name: "variable key of every range end", kind: KindIdentity, policy: deny("S", "s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/azAZ09:._-@+=}"), code: CodeBadVariable})
	// The neighbours of a-z, A-Z and 0-9.
	for _, r := range []string{"`", "{", "@", "[", "/", ":"} {
		cases = append(cases, lintCase{name: "Sid with " + r, kind: KindIdentity, policy: deny("a"+r, "ec2:StopInstances", "*"), code: CodeBadSid, want: true})
		cases = append(cases, lintCase{name: "name with " + r, kind: KindIdentity, policy: deny("S", "ec2:Stop"+r, "*"), code: CodeBadAction, want: true})
		if r != ":" {
			cases = append(cases, lintCase{name: "prefix with " + r, kind: KindIdentity, policy: deny("S", "ec2"+r+":StopInstances", "*"), code: CodeBadAction, want: true})
		}
	}
	for _, r := range []string{".", "!"} {
		cases = append(cases, lintCase{name: "prefix with " + r, kind: KindIdentity, policy: deny("S", "ec2"+r+":StopInstances", "*"), code: CodeBadAction, want: true})
		cases = append(cases, lintCase{name: "name with " + r, kind: KindIdentity, policy: deny("S", "ec2:Stop"+r, "*"), code: CodeBadAction, want: true})
	}
	for _, r := range []string{"`", "{", "[", "!", "^", "~"} {
		cases = append(cases, lintCase{name: "variable key with " + r, kind: KindIdentity, policy: deny("S", "s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/a"+r+"}"), code: CodeBadVariable, want: true})
	}
	runLintCases(t, cases)
}

// TestLintTextCharacters: a policy may hold tab, line feed, carriage return
// and U+0020 to U+00FF, nothing else.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
func TestLintTextCharacters(t *testing.T) {
	cond := func(v string) string {
		return `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/Name":"` + v + `"}}}`
	}
	runLintCases(t, []lintCase{
		{name: "tab, line feed, carriage return, space and U+00FF", kind: KindIdentity, policy: cond(`a\tb\nc\rd e\u00ff`), code: CodeBadCharacter},
		{name: "U+001F", kind: KindIdentity, policy: cond(`a\u001f`), code: CodeBadCharacter, path: `Statement[0].Condition.StringEquals["aws:RequestTag/Name"]`, want: true},
		{name: "U+0100", kind: KindIdentity, policy: cond(`a\u0100`), code: CodeBadCharacter, want: true},
		{name: "NUL", kind: KindIdentity, policy: cond(`\u0000`), code: CodeBadCharacter, want: true},
		{name: "in a NotPrincipal", kind: KindResource, policy: `{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/a\u0100"},"Action":"s3:GetObject","Resource":"*"}`, code: CodeBadCharacter, path: "Statement[0].NotPrincipal.AWS", want: true},
	})
}

// TestLintGrammarEdges covers the policy grammar's rules at their edges.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func TestLintGrammarEdges(t *testing.T) {
	const two = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*"},{"Effect":"Deny","Action":"ec2:StartInstances","Resource":"*"}]}`
	trust := func(st string) string { return `{"Version":"2012-10-17","Statement":[` + st + `]}` }
	runLintCases(t, []lintCase{
		{name: "statements without Sid are not duplicates", kind: KindIdentity, policy: two, code: CodeDuplicateSid},
		{name: "trust policy may grant star", kind: KindTrust, policy: trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*"}`), code: CodeTrustAction},
		{name: "trust policy grants sts: actions", kind: KindTrust, policy: trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["sts:AssumeRole","STS:TagSession"]}`), code: CodeTrustAction},
		{name: "trust policy refuses other actions", kind: KindTrust, policy: trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject"}`), code: CodeTrustAction, path: "Statement[0].Action", want: true},
		{name: "resource policy may use NotPrincipal", kind: KindResource, policy: `{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"}`, code: CodeNotPrincipalInTrust},
		{name: "NotPrincipal entries are checked", kind: KindResource, policy: `{"Effect":"Deny","NotPrincipal":{"AWS":"bob"},"Action":"s3:GetObject","Resource":"*"}`, code: CodeBadPrincipal, path: "Statement[0].NotPrincipal.AWS", want: true},
		{name: "STS session principal", kind: KindResource, policy: `{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/R/s"},"Action":"s3:GetObject","Resource":"*"}`, code: CodeBadPrincipal},
		{name: "principal ARN of another service", kind: KindResource, policy: `{"Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::bucket"},"Action":"s3:GetObject","Resource":"*"}`, code: CodeBadPrincipal, want: true},
		{name: "empty action prefix", kind: KindIdentity, policy: `{"Effect":"Deny","Action":":StopInstances","Resource":"*"}`, code: CodeBadAction, want: true},
		{name: "empty action name", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:","Resource":"*"}`, code: CodeBadAction, want: true},
		// A '*' ending the service of a three-part ARN still puts a wildcard
		// in the service, which IAM rejects.
		{name: "three-part ARN with a starred service", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"arn:aws:ec2*"}`, code: CodeWildcardARNService, want: true},
		{name: "three-part ARN is not otherwise malformed", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"arn:aws:ec2*"}`, code: CodeBadResource},
		{name: "two-part ARN is malformed", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"arn:aws*"}`, code: CodeBadResource, want: true},
		// Condition values of the IpAddress, Numeric and Null operators.
		{name: "IpAddress single address", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}}`, code: CodeBadConditionValue},
		{name: "IpAddress CIDR block", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}`, code: CodeBadConditionValue},
		{name: "IpAddress host name", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"example.com"}}}`, code: CodeBadConditionValue, want: true},
		{name: "Numeric value", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10.5"}}}`, code: CodeBadConditionValue},
		{name: "Null with a variable value", kind: KindIdentity, policy: `{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"Null":{"aws:RequestTag/x":"${aws:username}"}}}`, code: CodeBadConditionValue},
	})
}

// TestLintVariables: a policy variable is ${key} or ${key, 'default'},
// ends at the first '}', and is checked in 2012-10-17 policies only.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestLintVariables(t *testing.T) {
	resource := func(r string) string {
		return `{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/` + r + `"}`
	}
	value := func(v string) string {
		return `{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"` + v + `"}}}`
	}
	runLintCases(t, []lintCase{
		{name: "default value", kind: KindIdentity, policy: resource(`${aws:PrincipalTag/team, 'none'}`), code: CodeBadVariable},
		{name: "empty default value", kind: KindIdentity, policy: resource(`${aws:PrincipalTag/team, ''}`), code: CodeBadVariable},
		{name: "default value of one quote", kind: KindIdentity, policy: resource(`${aws:PrincipalTag/team, '}`), code: CodeBadVariable, want: true},
		{name: "default value without quotes", kind: KindIdentity, policy: resource(`${aws:PrincipalTag/team, none}`), code: CodeBadVariable, want: true},
		{name: "default value without closing quote", kind: KindIdentity, policy: resource(`${aws:PrincipalTag/team, 'none}`), code: CodeBadVariable, want: true},
		{name: "two variables", kind: KindIdentity, policy: resource(`${aws:username}/${aws:userid}`), code: CodeBadVariable},
		{name: "second variable unclosed", kind: KindIdentity, policy: resource(`${aws:username}/${aws:userid`), code: CodeBadVariable, want: true},
		{name: "condition value starting with an unclosed variable", kind: KindIdentity, policy: value(`${aws:username`), code: CodeBadVariable, path: `Statement[0].Condition.StringEquals["s3:prefix"]`, want: true},
		{name: "condition value variable", kind: KindIdentity, policy: value(`home/${aws:username}/`), code: CodeBadVariable},
		{name: "legacy version keeps ${ literal", kind: KindIdentity, policy: `{"Version":"2008-10-17","Statement":[` + value(`${aws:username`) + `]}`, code: CodeBadVariable},
	})
	t.Run("empty variable names no key", func(t *testing.T) {
		r := Lint(mustPolicy(t, identityStatement(value(`${}`))), KindIdentity)
		require.Len(t, r.Errors(), 1)
		assert.Equal(t, CodeBadVariable, r.Errors()[0].Code)
		assert.Contains(t, r.Errors()[0].Message, "names no key")
	})
}

// TestLintSecurityEdges covers the warnings' wording and their conditions.
func TestLintSecurityEdges(t *testing.T) {
	warning := func(t *testing.T, kind Kind, doc, code string) (Finding, bool) {
		t.Helper()
		for _, f := range Lint(mustPolicy(t, doc), kind).Warnings() {
			if f.Code == code {
				return f, true
			}
		}
		return Finding{}, false
	}
	t.Run("star action names every service", func(t *testing.T) {
		f, ok := warning(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":"*","Resource":"*"}`), CodeStarAction)
		require.True(t, ok)
		assert.Contains(t, f.Message, "every service")
	})
	t.Run("service star names the service", func(t *testing.T) {
		f, ok := warning(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`), CodeStarAction)
		require.True(t, ok)
		assert.Contains(t, f.Message, "the service")
		assert.NotContains(t, f.Message, "every service")
	})
	t.Run("trusting an account needs no confused-deputy condition", func(t *testing.T) {
		_, ok := warning(t, KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}`, CodeConfusedDeputy)
		assert.False(t, ok)
	})
	t.Run("Allow NotResource in an identity policy", func(t *testing.T) {
		_, ok := warning(t, KindIdentity, identityStatement(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}`), CodeAllowNotResource)
		assert.True(t, ok)
	})
}

// TestLintReportEdges covers Kind, Finding and LintError at their edges.
func TestLintReportEdges(t *testing.T) {
	p := mustPolicy(t, identityStatement(`{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*"}`))
	t.Run("kind past the last is unknown", func(t *testing.T) {
		k := KindManaged + 1
		assert.Equal(t, "Kind(7)", k.String())
		r := Lint(p, k)
		require.Len(t, r.Findings, 1)
		assert.Equal(t, CodeBadKind, r.Findings[0].Code)
	})
	t.Run("every kind parses back", func(t *testing.T) {
		for k := KindIdentity; k <= KindManaged; k++ {
			got, ok := ParseKind(k.String())
			require.True(t, ok, k.String())
			assert.Equal(t, k, got)
		}
		_, ok := ParseKind("Kind(7)")
		assert.False(t, ok)
	})
	t.Run("no policy", func(t *testing.T) {
		r := Lint(nil, KindIdentity)
		require.Len(t, r.Findings, 1)
		assert.Equal(t, CodeEmpty, r.Findings[0].Code)
	})
	t.Run("finding without path", func(t *testing.T) {
		assert.Contains(t, Finding{Severity: SeverityError, Message: "m"}.String(), "(policy)")
		assert.NotContains(t, Finding{Severity: SeverityError, Path: "Version", Message: "m"}.String(), "(policy)")
	})
	t.Run("lint error joins findings", func(t *testing.T) {
		e := &LintError{Findings: []Finding{{Severity: SeverityError, Path: "A", Message: "one"}, {Severity: SeverityError, Path: "B", Message: "two"}}}
		msg := e.Error()
		assert.True(t, strings.HasPrefix(msg, "policy: A"), msg)
		assert.Equal(t, 1, strings.Count(msg, "; "), msg)
		assert.ErrorIs(t, e, ErrInvalidPolicy)
		assert.NotErrorIs(t, e, ErrPolicyTooLarge)
	})
	t.Run("size finding without other policies", func(t *testing.T) {
		r := Lint(p, KindIdentity, func(o *LintOptions) { o.SizeLimit = 10 })
		require.Len(t, r.Errors(), 1)
		assert.Equal(t, CodeSize, r.Errors()[0].Code)
		assert.NotContains(t, r.Errors()[0].Message, "others")
		assert.ErrorIs(t, r.Err(), ErrPolicyTooLarge)
	})
	t.Run("negative size limit disables the check", func(t *testing.T) {
		r := Lint(p, KindIdentity, func(o *LintOptions) { o.SizeLimit = -1; o.OtherSize = 1 << 20 })
		assert.NoError(t, r.Err())
	})
}
