package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// identityStatement wraps statement JSON in a 2012-10-17 policy.
func identityStatement(st string) string {
	return `{"Version":"2012-10-17","Statement":[` + st + `]}`
}

// TestLintRejectsWhatIAMRejects covers the rules of IAM's policy grammar and
// validation: each case is a finding (code, severity, path) that must be
// reported, or, with code "", a policy IAM accepts and Lint must leave
// without errors.
func TestLintRejectsWhatIAMRejects(t *testing.T) {
	deny := func(resource string) string {
		return identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","Resource":` + resource + `}`)
	}
	cond := func(c string) string {
		return identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":` + c + `}`)
	}
	tests := []struct {
		name   string
		kind   Kind
		policy string
		code   string
		path   string
	}{
		// Wildcards in an ARN's service segment.
		{"service star", KindIdentity, deny(`"arn:aws:*:us-east-1:111122223333:instance/*"`), CodeWildcardARNService, "Statement[0].Resource"},
		{"service prefix star", KindIdentity, deny(`["arn:aws:s3:::b","arn:aws:ec*:*:*:instance/*"]`), CodeWildcardARNService, "Statement[0].Resource[1]"},
		{"service question mark", KindIdentity, deny(`"arn:aws:s?:::b"`), CodeWildcardARNService, "Statement[0].Resource"},
		{"not resource service star", KindIdentity, identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","NotResource":"arn:aws:*:::b"}`), CodeWildcardARNService, "Statement[0].NotResource"},
		{"service upper case", KindIdentity, deny(`"arn:aws:S3:::b"`), CodeBadResource, "Statement[0].Resource"},
		{"wildcards elsewhere accepted", KindIdentity, deny(`"arn:aws*:s3:*:*:b*/?"`), "", ""},
		{"short ARN without a final star", KindIdentity, deny(`"arn:aws:ec2:us-east-1"`), CodeBadResource, "Statement[0].Resource"},
		{"two parts ending in star", KindIdentity, deny(`"arn:*"`), CodeBadResource, "Statement[0].Resource"},
		{"resource policy service star", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:*:::b"}]}`, CodeWildcardARNService, "Statement[0].Resource"},

		// Condition keys repeated with different case.
		{"duplicate key case", KindIdentity, cond(`{"StringEquals":{"aws:SourceArn":"a","aws:sourcearn":"b"}}`), CodeDuplicateKey, `Statement[0].Condition.StringEquals["aws:sourcearn"]`},
		{"same key in two operators", KindIdentity, cond(`{"StringEquals":{"aws:SourceArn":"a"},"StringLike":{"aws:sourcearn":"b*"}}`), "", ""},

		// Policy variables.
		{"variable without brace", KindIdentity, deny(`"arn:aws:s3:::b/${aws:username"`), CodeBadVariable, "Statement[0].Resource"},
		{"empty variable", KindIdentity, deny(`"arn:aws:s3:::b/${}"`), CodeBadVariable, "Statement[0].Resource"},
		{"blank variable", KindIdentity, deny(`"arn:aws:s3:::b/${ }"`), CodeBadVariable, "Statement[0].Resource"},
		{"space in variable", KindIdentity, deny(`"arn:aws:s3:::b/${ aws:username}"`), CodeBadVariable, "Statement[0].Resource"},
		{"nested variable", KindIdentity, deny(`"arn:aws:s3:::b/${${aws:username}}"`), CodeBadVariable, "Statement[0].Resource"},
		{"unquoted default", KindIdentity, deny(`"arn:aws:s3:::b/${aws:username, anon}"`), CodeBadVariable, "Statement[0].Resource"},
		{"variable in condition", KindIdentity, cond(`{"StringEquals":{"aws:PrincipalTag/team":["a","${aws:username"]}}`), CodeBadVariable, `Statement[0].Condition.StringEquals["aws:PrincipalTag/team"][1]`},
		{"good variables", KindIdentity, deny(`["arn:aws:s3:::b/${aws:username}/*","arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/${*}${?}${$}"]`), "", ""},
		{"variable is literal in 2008-10-17", KindIdentity, `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${}"}]}`, "", ""},

		// Condition operators.
		{"misspelt operator", KindIdentity, cond(`{"StringEqualz":{"aws:username":"a"}}`), CodeBadOperator, "Statement[0].Condition.StringEqualz"},
		{"unknown qualified operator", KindIdentity, cond(`{"ForAnyValue:Foo":{"aws:TagKeys":"a"}}`), CodeBadOperator, `Statement[0].Condition["ForAnyValue:Foo"]`},
		{"IfExists first", KindIdentity, cond(`{"IfExistsStringEquals":{"aws:username":"a"}}`), CodeBadOperator, "Statement[0].Condition.IfExistsStringEquals"},
		{"Null with IfExists", KindIdentity, cond(`{"NullIfExists":{"aws:username":"true"}}`), CodeBadOperator, "Statement[0].Condition.NullIfExists"},
		{"two qualifiers", KindIdentity, cond(`{"ForAnyValue:ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`), CodeBadOperator, `Statement[0].Condition["ForAnyValue:ForAllValues:StringEquals"]`},
		{"qualified IfExists accepted", KindIdentity, cond(`{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":"a*"}}`), "", ""},

		// Required elements per policy type.
		{"missing effect", KindIdentity, identityStatement(`{"Action":"s3:GetObject","Resource":"*"}`), CodeNoEffect, "Statement[0].Effect"},
		{"missing action", KindIdentity, identityStatement(`{"Effect":"Deny","Resource":"*"}`), CodeNoAction, "Statement[0]"},
		{"missing resource", KindManaged, identityStatement(`{"Effect":"Deny","Action":"s3:GetObject"}`), CodeNoResource, "Statement[0]"},
		{"missing resource inline", KindRoleInline, identityStatement(`{"Effect":"Deny","Action":"s3:GetObject"}`), CodeNoResource, "Statement[0]"},
		{"principal in inline", KindUserInline, identityStatement(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), CodePrincipalInIdentity, "Statement[0]"},
		{"missing principal in trust", KindTrust, identityStatement(`{"Effect":"Allow","Action":"sts:AssumeRole"}`), CodeNoPrincipal, "Statement[0]"},
		{"missing principal in resource policy", KindResource, identityStatement(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), CodeNoPrincipal, "Statement[0]"},
		{"action and notaction", KindGroupInline, identityStatement(`{"Effect":"Deny","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}`), CodeActionAndNotAction, "Statement[0]"},

		// Version and Effect.
		{"unknown version", KindIdentity, `{"Version":"2012-10-18","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`, CodeBadVersion, "Version"},
		{"version as a date elsewhere", KindIdentity, `{"Version":"2024-01-01","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`, CodeBadVersion, "Version"},
		{"legacy version accepted", KindIdentity, `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`, "", ""},

		// Characters.
		{"character above latin-1", KindIdentity, deny(`"arn:aws:s3:::b/\u20ac"`), CodeBadCharacter, "Statement[0].Resource"},
		{"latin-1 accepted", KindIdentity, deny(`"arn:aws:s3:::b/\u00e9t\u00e9"`), "", ""},
		{"control character in condition", KindIdentity, cond(`{"StringEquals":{"aws:username":"a\u0001"}}`), CodeBadCharacter, `Statement[0].Condition.StringEquals["aws:username"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Lint(mustPolicy(t, tt.policy), tt.kind)
			if tt.code == "" {
				assert.Empty(t, r.Errors())
				return
			}
			var found *Finding
			for i, f := range r.Findings {
				if f.Code == tt.code {
					found = &r.Findings[i]
					break
				}
			}
			require.NotNil(t, found, "no %s finding in %v", tt.code, r.Findings)
			assert.Equal(t, SeverityError, found.Severity)
			assert.Equal(t, tt.path, found.Path)
			err := r.Err()
			assert.ErrorIs(t, err, ErrInvalidPolicy)
			assert.NotErrorIs(t, err, ErrPolicyTooLarge)
		})
	}
}

// TestParseRejectsEffectCase: IAM's Effect values are case-sensitive, and
// a wrong one is refused while parsing.
func TestParseRejectsEffectCase(t *testing.T) {
	for _, effect := range []string{"allow", "DENY", "Allow ", ""} {
		t.Run(effect, func(t *testing.T) {
			_, err := Parse([]byte(identityStatement(`{"Effect":"` + effect + `","Action":"s3:GetObject","Resource":"*"}`)))
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "Statement[0].Effect", de.Path)
		})
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		kind    Kind
		name    string
		grammar Kind
		max     int
	}{
		{KindIdentity, "identity", KindIdentity, 6144},
		{KindTrust, "trust", KindTrust, 2048},
		{KindResource, "resource", KindResource, 6144},
		{KindUserInline, "user-inline", KindIdentity, 2048},
		{KindRoleInline, "role-inline", KindIdentity, 10240},
		{KindGroupInline, "group-inline", KindIdentity, 5120},
		{KindManaged, "managed", KindIdentity, 6144},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.name, tt.kind.String())
			k, ok := ParseKind(tt.name)
			require.True(t, ok)
			assert.Equal(t, tt.kind, k)
			assert.Equal(t, tt.grammar, tt.kind.Grammar())
			assert.Equal(t, tt.max, MaxSize(tt.kind))
		})
	}
	_, ok := ParseKind("user")
	assert.False(t, ok)
	assert.Zero(t, MaxSize(Kind(99)))
	assert.Equal(t, "Kind(99)", Kind(99).String())
	r := Lint(New(Denying("s3:GetObject").Resources("*").MustBuild()), Kind(99))
	require.Len(t, r.Errors(), 1)
	assert.Equal(t, CodeBadKind, r.Errors()[0].Code)
}

func TestSizeCountsWhiteSpaceInStrings(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`{}`, 2},
		{"{ \"a b\" :\n\t1 }", 9},
		{`{"a\"  b":"  "}`, 15},
		{`{"\\":" "}`, 10},
		{"[\"\u00e9\" ]", 5},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Size([]byte(tt.in)))
		})
	}
}

func TestCheckSize(t *testing.T) {
	// Each document is 1,000 characters.
	doc := func() []byte {
		b, err := New(Denying("s3:GetObject").Sid("S").Resources("*").MustBuild()).Compact()
		require.NoError(t, err)
		p := New(Denying("s3:GetObject").Sid("S" + strings.Repeat("x", 1000-Size(b))).Resources("*").MustBuild())
		b, err = p.Compact()
		require.NoError(t, err)
		require.Equal(t, 1000, Size(b))
		return b
	}()
	tests := []struct {
		name string
		kind Kind
		docs int
		over bool
	}{
		{"user two", KindUserInline, 2, false},
		{"user three", KindUserInline, 3, true},
		{"group five", KindGroupInline, 5, false},
		{"group six", KindGroupInline, 6, true},
		{"role ten", KindRoleInline, 10, false},
		{"role eleven", KindRoleInline, 11, true},
		{"trust two", KindTrust, 2, false},
		{"trust three", KindTrust, 3, true},
		{"managed six", KindManaged, 6, false},
		{"managed seven", KindManaged, 7, true},
		{"unknown kind", Kind(-1), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := make([][]byte, tt.docs)
			for i := range docs {
				docs[i] = doc
			}
			err := CheckSize(tt.kind, docs...)
			if !tt.over {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrPolicyTooLarge)
			assert.NotErrorIs(t, err, ErrInvalidPolicy)
			var se *SizeError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.docs*1000, se.Size)
			assert.Equal(t, MaxSize(tt.kind), se.Limit)
		})
	}
}

// TestLintOtherSize: the other inline policies of an entity count against
// the same quota.
func TestLintOtherSize(t *testing.T) {
	p := New(Denying("s3:GetObject").Resources("*").MustBuild())
	r := Lint(p, KindUserInline)
	require.NoError(t, r.Err())
	r = Lint(p, KindUserInline, func(o *LintOptions) { o.OtherSize = LimitUserInline - r.Size })
	require.NoError(t, r.Err())
	r = Lint(p, KindUserInline, func(o *LintOptions) { o.OtherSize = LimitUserInline - r.Size + 1 })
	err := r.Err()
	require.ErrorIs(t, err, ErrPolicyTooLarge)
	require.ErrorIs(t, err, ErrInvalidPolicy)
	assert.Contains(t, err.Error(), "user-inline")
	assert.True(t, errors.Is(err, ErrPolicyTooLarge))
}

// TestLintShortARNEndingInStar: a '*' ending an ARN segment may span the
// colons after it, so IAM accepts "arn:aws:ec2:*" and the evaluator
// matches it; lint warns that it is broad instead of refusing it.
func TestLintShortARNEndingInStar(t *testing.T) {
	for _, res := range []string{"arn:aws:ec2:*", "arn:aws:ec2:us-east-1:1111*", "arn:aws:s3:::b*"} {
		t.Run(res, func(t *testing.T) {
			p := mustPolicy(t, identityStatement(`{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"`+res+`"}`))
			r := Lint(p, KindIdentity)
			require.Empty(t, r.Errors())
			if strings.Count(res, ":") < 5 {
				require.Len(t, r.Warnings(), 1)
				assert.Equal(t, CodeSpanningWildcard, r.Warnings()[0].Code)
				assert.Equal(t, "Statement[0].Resource", r.Warnings()[0].Path)
			}
		})
	}
}
