package policy

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	acct     = "111122223333"
	userArn  = "arn:aws:iam::111122223333:user/division/alice"
	roleArn  = "arn:aws:iam::111122223333:role/service-role/AutomationRole"
	session  = "arn:aws:sts::111122223333:assumed-role/AutomationRole/ssm-session"
	otherArn = "arn:aws:iam::444455556666:user/bob"
	instance = "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"
)

// mustPolicy parses a policy written as JSON, wrapping a bare statement
// list for brevity.
func mustPolicy(t testing.TB, s string) *Policy {
	t.Helper()
	if strings.HasPrefix(strings.TrimSpace(s), "[") {
		s = `{"Version":"2012-10-17","Statement":` + s + `}`
	}
	p, err := Parse([]byte(s))
	require.NoError(t, err, "policy %s", s)
	return p
}

type evalCase struct {
	name      string
	identity  []string // statement lists or full policies
	resource  string   // optional resource or trust policy
	principal string
	action    string
	res       string
	resAcct   string // Request.ResourceAccount
	ctx       map[string][]string
	want      Decision
	wantStmt  int    // index of the deciding statement (-1 for none)
	wantPol   string // name of the deciding policy ("id0", "id1", "resource")
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ids []NamedPolicy
			for i, s := range tc.identity {
				ids = append(ids, NamedPolicy{Name: fmt.Sprintf("id%d", i), Policy: mustPolicy(t, s)})
			}
			var rp *NamedPolicy
			if tc.resource != "" {
				rp = &NamedPolicy{Name: "resource", Policy: mustPolicy(t, tc.resource)}
			}
			principal := tc.principal
			if principal == "" {
				principal = userArn
			}
			res := tc.res
			if res == "" {
				res = instance
			}
			got := Evaluate(Request{Principal: principal, Action: tc.action, Resource: res, ResourceAccount: tc.resAcct, Context: tc.ctx}, ids, rp)
			require.Equal(t, tc.want, got.Decision, "deciding %s[%d]", got.Policy, got.StatementIndex)
			if tc.want == DecisionImplicitDeny || tc.wantStmt == -1 {
				require.Nil(t, got.Statement, "no statement decided, yet one is reported: %+v", got)
				require.Equal(t, -1, got.StatementIndex)
				require.Empty(t, got.Policy)
				return
			}
			wantPol := tc.wantPol
			if wantPol == "" {
				wantPol = "id0"
			}
			require.Equal(t, wantPol+"["+strconv.Itoa(tc.wantStmt)+"]", got.Policy+"["+strconv.Itoa(got.StatementIndex)+"]", "deciding statement")
			require.NotNil(t, got.Statement, "no statement reported")
		})
	}
}

func TestEvaluateActionsAndResources(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "no policies is an implicit deny", action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "exact allow", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "action case-insensitive", identity: []string{`[{"Effect":"Allow","Action":"EC2:stopinstances","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "action wildcard suffix", identity: []string{`[{"Effect":"Allow","Action":"ec2:Stop*","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "action wildcard other verb", identity: []string{`[{"Effect":"Allow","Action":"ec2:Start*","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "action question mark", identity: []string{`[{"Effect":"Allow","Action":"ec2:St?pInstances","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "star action", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*"}]`}, action: "iam:CreateUser", res: "*", want: DecisionAllow},
		{name: "service star does not cross services", identity: []string{`[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]`}, action: "ssm:GetDocument", want: DecisionImplicitDeny},
		{name: "second action of list", identity: []string{`[{"Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "resource exact", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"` + instance + `"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "resource other instance", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:us-east-1:111122223333:instance/i-0aaaaaaaaaaaaaaaa"}]`}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "resource wildcard region and id", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:*:111122223333:instance/*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "resource wildcard wrong account", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:*:444455556666:instance/*"}]`}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "resource is case-sensitive", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:us-east-1:111122223333:INSTANCE/*"}]`}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "trailing wildcard of a component spans colons", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:us-*:instance/*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "inner wildcard does not span components", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:us-*1:instance/*"}]`}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "resource component may hold colons", identity: []string{`[{"Effect":"Allow","Action":"ssm:GetDocument","Resource":"arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo:*"}]`}, action: "ssm:GetDocument", res: "arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo:$DEFAULT", want: DecisionAllow},
		{name: "partition component matched", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:*:*:instance/*"}]`}, action: "ec2:StopInstances", res: "arn:aws-cn:ec2:cn-north-1:111122223333:instance/i-1", want: DecisionImplicitDeny},
		{name: "wildcard-only action needs star resource", identity: []string{`[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"arn:aws:ec2:*:*:instance/*"}]`}, action: "ec2:DescribeInstances", res: "*", want: DecisionImplicitDeny},
		{name: "star resource for wildcard-only action", identity: []string{`[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]`}, action: "ec2:DescribeInstances", res: "*", want: DecisionAllow},
		{name: "NotAction allows everything else", identity: []string{`[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "NotAction excludes listed", identity: []string{`[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]`}, action: "iam:CreateUser", res: "*", want: DecisionImplicitDeny},
		{name: "NotResource allows others", identity: []string{`[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}]`}, action: "s3:GetObject", res: "arn:aws:s3:::public/a", want: DecisionAllow},
		{name: "NotResource excludes listed", identity: []string{`[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}]`}, action: "s3:GetObject", res: "arn:aws:s3:::secret/a", want: DecisionImplicitDeny},
		{name: "deny NotAction blocks others", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["iam:ChangePassword","sts:GetCallerIdentity"],"Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionExplicitDeny, wantStmt: 1},
		{name: "deny NotAction spares listed", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["iam:ChangePassword","sts:GetCallerIdentity"],"Resource":"*"}]`}, action: "sts:GetCallerIdentity", res: "*", want: DecisionAllow},
		{name: "explicit deny beats allow", identity: []string{`[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]`, `[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]`}, action: "ec2:RunInstances", want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny on other action leaves allow", identity: []string{`[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "first allow reported", identity: []string{`[{"Effect":"Allow","Action":"ec2:Stop*","Resource":"*"}]`, `[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]`}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "statement without resource never applies in identity policy", identity: []string{`[{"Effect":"Allow","Action":"ec2:*"}]`}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "legacy version treats variables literally", identity: []string{`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`}, action: "s3:GetObject", res: "arn:aws:s3:::home/alice/x", want: DecisionImplicitDeny},
		{name: "legacy version literal variable text", identity: []string{`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`}, action: "s3:GetObject", res: "arn:aws:s3:::home/${aws:username}/x", want: DecisionAllow},
	})
}

func TestEvaluateVariables(t *testing.T) {
	home := `[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]`
	runEvalCases(t, []evalCase{
		{name: "username from user principal", identity: []string{home}, action: "s3:GetObject", res: "arn:aws:s3:::home/alice/notes.txt", want: DecisionAllow},
		{name: "username of someone else", identity: []string{home}, action: "s3:GetObject", res: "arn:aws:s3:::home/bob/notes.txt", want: DecisionImplicitDeny},
		{name: "no username for a role session", identity: []string{home}, principal: session, action: "s3:GetObject", res: "arn:aws:s3:::home/AutomationRole/x", want: DecisionImplicitDeny},
		{name: "context overrides derivation", identity: []string{home}, ctx: map[string][]string{"AWS:USERNAME": {"carol"}}, action: "s3:GetObject", res: "arn:aws:s3:::home/carol/x", want: DecisionAllow},
		{name: "substituted star is literal", identity: []string{home}, ctx: map[string][]string{"aws:username": {"*"}}, action: "s3:GetObject", res: "arn:aws:s3:::home/bob/x", want: DecisionImplicitDeny},
		{name: "default value", identity: []string{`[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared'}/*"}]`}, action: "s3:GetObject", res: "arn:aws:s3:::home/shared/x", want: DecisionAllow},
		{name: "special literal star", identity: []string{`[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::odd/${*}"}]`}, action: "s3:GetObject", res: "arn:aws:s3:::odd/x", want: DecisionImplicitDeny},
		{name: "special literal star matches itself", identity: []string{`[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::odd/${*}"}]`}, action: "s3:GetObject", res: "arn:aws:s3:::odd/*", want: DecisionAllow},
		{name: "variable with colon in ARN", identity: []string{`[{"Effect":"Allow","Action":"iam:GetUser","Resource":"${aws:PrincipalArn}"}]`}, action: "iam:GetUser", res: userArn, want: DecisionAllow},
		{name: "variable in condition", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringEquals":{"ec2:ResourceTag/Owner":"${aws:username}"}}}]`}, ctx: map[string][]string{"ec2:ResourceTag/Owner": {"alice"}}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "variable in condition mismatch", identity: []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringEquals":{"ec2:ResourceTag/Owner":"${aws:username}"}}}]`}, ctx: map[string][]string{"ec2:ResourceTag/Owner": {"bob"}}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
	})
}

func TestEvaluateConditions(t *testing.T) {
	stmt := func(cond string) []string {
		return []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":` + cond + `}]`}
	}
	ctx := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	a := "ec2:StopInstances"
	runEvalCases(t, []evalCase{
		{name: "StringEquals match", identity: stmt(`{"StringEquals":{"aws:SourceAccount":"111122223333"}}`), ctx: ctx("aws:SourceAccount", acct), action: a, want: DecisionAllow},
		{name: "StringEquals key lookup case-insensitive", identity: stmt(`{"StringEquals":{"AWS:SOURCEACCOUNT":"111122223333"}}`), ctx: ctx("aws:SourceAccount", acct), action: a, want: DecisionAllow},
		{name: "StringEquals value case-sensitive", identity: stmt(`{"StringEquals":{"aws:RequestTag/env":"Prod"}}`), ctx: ctx("aws:RequestTag/env", "prod"), action: a, want: DecisionImplicitDeny},
		{name: "StringEquals values OR", identity: stmt(`{"StringEquals":{"aws:RequestTag/env":["dev","prod"]}}`), ctx: ctx("aws:RequestTag/env", "prod"), action: a, want: DecisionAllow},
		{name: "StringEquals keys AND", identity: stmt(`{"StringEquals":{"aws:RequestTag/env":"prod","aws:RequestTag/team":"ops"}}`), ctx: ctx("aws:RequestTag/env", "prod"), action: a, want: DecisionImplicitDeny},
		{name: "operators AND", identity: stmt(`{"StringEquals":{"aws:RequestTag/env":"prod"},"Bool":{"aws:SecureTransport":"true"}}`), ctx: ctx("aws:RequestTag/env", "prod", "aws:SecureTransport", "false"), action: a, want: DecisionImplicitDeny},
		{name: "StringEquals missing key is false", identity: stmt(`{"StringEquals":{"aws:SourceAccount":"111122223333"}}`), action: a, want: DecisionImplicitDeny},
		{name: "StringNotEquals missing key is true", identity: stmt(`{"StringNotEquals":{"aws:RequestTag/env":"prod"}}`), action: a, want: DecisionAllow},
		{name: "StringNotEquals values NOR", identity: stmt(`{"StringNotEquals":{"aws:RequestTag/env":["dev","prod"]}}`), ctx: ctx("aws:RequestTag/env", "prod"), action: a, want: DecisionImplicitDeny},
		{name: "StringNotEquals other value", identity: stmt(`{"StringNotEquals":{"aws:RequestTag/env":["dev","prod"]}}`), ctx: ctx("aws:RequestTag/env", "test"), action: a, want: DecisionAllow},
		{name: "StringEqualsIgnoreCase", identity: stmt(`{"StringEqualsIgnoreCase":{"aws:RequestTag/env":"PROD"}}`), ctx: ctx("aws:RequestTag/env", "prod"), action: a, want: DecisionAllow},
		{name: "StringNotEqualsIgnoreCase", identity: stmt(`{"StringNotEqualsIgnoreCase":{"aws:RequestTag/env":"PROD"}}`), ctx: ctx("aws:RequestTag/env", "prod"), action: a, want: DecisionImplicitDeny},
		{name: "StringLike wildcard", identity: stmt(`{"StringLike":{"s3:prefix":["home/*"]}}`), ctx: ctx("s3:prefix", "home/alice/x"), action: a, want: DecisionAllow},
		{name: "StringLike spans colons", identity: stmt(`{"StringLike":{"aws:SourceArn":"arn:aws:ssm:*"}}`), ctx: ctx("aws:SourceArn", "arn:aws:ssm:us-east-1:1:automation-execution/x"), action: a, want: DecisionAllow},
		{name: "StringNotLike", identity: stmt(`{"StringNotLike":{"s3:prefix":"home/*"}}`), ctx: ctx("s3:prefix", "etc/x"), action: a, want: DecisionAllow},
		{name: "StringEqualsIfExists missing", identity: stmt(`{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`), action: a, want: DecisionAllow},
		{name: "StringEqualsIfExists present mismatch", identity: stmt(`{"StringEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`), ctx: ctx("ec2:InstanceType", "m5.large"), action: a, want: DecisionImplicitDeny},
		{name: "NumericLessThan", identity: stmt(`{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`), ctx: ctx("aws:MultiFactorAuthAge", "100"), action: a, want: DecisionAllow},
		{name: "NumericLessThan equal is false", identity: stmt(`{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`), ctx: ctx("aws:MultiFactorAuthAge", "3600"), action: a, want: DecisionImplicitDeny},
		{name: "NumericLessThanEquals equal", identity: stmt(`{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":3600}}`), ctx: ctx("aws:MultiFactorAuthAge", "3600"), action: a, want: DecisionAllow},
		{name: "NumericGreaterThan", identity: stmt(`{"NumericGreaterThan":{"s3:max-keys":"10"}}`), ctx: ctx("s3:max-keys", "11"), action: a, want: DecisionAllow},
		{name: "NumericGreaterThanEquals", identity: stmt(`{"NumericGreaterThanEquals":{"s3:max-keys":10.5}}`), ctx: ctx("s3:max-keys", "10"), action: a, want: DecisionImplicitDeny},
		{name: "NumericEquals", identity: stmt(`{"NumericEquals":{"s3:max-keys":10}}`), ctx: ctx("s3:max-keys", "10.0"), action: a, want: DecisionAllow},
		{name: "NumericNotEquals", identity: stmt(`{"NumericNotEquals":{"s3:max-keys":10}}`), ctx: ctx("s3:max-keys", "10"), action: a, want: DecisionImplicitDeny},
		{name: "Numeric on non-number", identity: stmt(`{"NumericEquals":{"s3:max-keys":10}}`), ctx: ctx("s3:max-keys", "ten"), action: a, want: DecisionImplicitDeny},
		{name: "DateLessThan ISO", identity: stmt(`{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`), ctx: ctx("aws:CurrentTime", "2026-11-23T16:00:00Z"), action: a, want: DecisionAllow},
		{name: "DateGreaterThan ISO", identity: stmt(`{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`), ctx: ctx("aws:CurrentTime", "2026-11-23T16:00:00Z"), action: a, want: DecisionImplicitDeny},
		{name: "Date epoch against ISO", identity: stmt(`{"DateGreaterThanEquals":{"aws:EpochTime":1700000000}}`), ctx: ctx("aws:EpochTime", "2026-11-23T16:00:00Z"), action: a, want: DecisionAllow},
		{name: "DateEquals date only", identity: stmt(`{"DateEquals":{"aws:TokenIssueTime":"2026-01-02"}}`), ctx: ctx("aws:TokenIssueTime", "2026-01-02T00:00:00+00:00"), action: a, want: DecisionAllow},
		{name: "DateNotEquals", identity: stmt(`{"DateNotEquals":{"aws:TokenIssueTime":"2026-01-02"}}`), ctx: ctx("aws:TokenIssueTime", "2026-01-02T00:00:00Z"), action: a, want: DecisionImplicitDeny},
		{name: "DateLessThanEquals zone offset", identity: stmt(`{"DateLessThanEquals":{"aws:CurrentTime":"2026-11-23T18:00:00+02:00"}}`), ctx: ctx("aws:CurrentTime", "2026-11-23T16:00:00Z"), action: a, want: DecisionAllow},
		{name: "Bool true", identity: stmt(`{"Bool":{"aws:MultiFactorAuthPresent":true}}`), ctx: ctx("aws:MultiFactorAuthPresent", "true"), action: a, want: DecisionAllow},
		{name: "Bool case-insensitive string", identity: stmt(`{"Bool":{"aws:MultiFactorAuthPresent":"TRUE"}}`), ctx: ctx("aws:MultiFactorAuthPresent", "true"), action: a, want: DecisionAllow},
		{name: "Bool false mismatch", identity: stmt(`{"Bool":{"aws:SecureTransport":"false"}}`), ctx: ctx("aws:SecureTransport", "true"), action: a, want: DecisionImplicitDeny},
		{name: "BoolIfExists missing", identity: stmt(`{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`), action: a, want: DecisionAllow},
		{name: "BinaryEquals", identity: stmt(`{"BinaryEquals":{"key":"QmluYXJ5VmFsdWU="}}`), ctx: ctx("key", "QmluYXJ5VmFsdWU="), action: a, want: DecisionAllow},
		{name: "IpAddress CIDR", identity: stmt(`{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8::/32"]}}`), ctx: ctx("aws:SourceIp", "203.0.113.7"), action: a, want: DecisionAllow},
		{name: "IpAddress IPv6", identity: stmt(`{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8::/32"]}}`), ctx: ctx("aws:SourceIp", "2001:db8:1::1"), action: a, want: DecisionAllow},
		{name: "NotIpAddress inside range", identity: stmt(`{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`), ctx: ctx("aws:SourceIp", "203.0.113.7"), action: a, want: DecisionImplicitDeny},
		{name: "ArnLike per component", identity: stmt(`{"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:111122223333:automation-execution/*"}}`), ctx: ctx("aws:SourceArn", "arn:aws:ssm:eu-west-1:111122223333:automation-execution/abc"), action: a, want: DecisionAllow},
		{name: "ArnLike other account", identity: stmt(`{"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:111122223333:automation-execution/*"}}`), ctx: ctx("aws:SourceArn", "arn:aws:ssm:eu-west-1:444455556666:automation-execution/abc"), action: a, want: DecisionImplicitDeny},
		{name: "ArnEquals supports wildcards", identity: stmt(`{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:111122223333:topic"}}`), ctx: ctx("aws:SourceArn", "arn:aws:sns:us-east-2:111122223333:topic"), action: a, want: DecisionAllow},
		{name: "ArnNotLike missing key is true", identity: stmt(`{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:x"}}`), action: a, want: DecisionAllow},
		{name: "Null true with absent key", identity: stmt(`{"Null":{"aws:TokenIssueTime":"true"}}`), action: a, want: DecisionAllow},
		{name: "Null true with present key", identity: stmt(`{"Null":{"aws:TokenIssueTime":"true"}}`), ctx: ctx("aws:TokenIssueTime", "2026-01-01T00:00:00Z"), action: a, want: DecisionImplicitDeny},
		{name: "Null false with present key", identity: stmt(`{"Null":{"aws:TokenIssueTime":false}}`), ctx: ctx("aws:TokenIssueTime", "2026-01-01T00:00:00Z"), action: a, want: DecisionAllow},
		{name: "ForAnyValue one matches", identity: stmt(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`), ctx: ctx("aws:TagKeys", "env", "aws:TagKeys", "other"), action: a, want: DecisionAllow},
		{name: "ForAnyValue none match", identity: stmt(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`), ctx: ctx("aws:TagKeys", "cost"), action: a, want: DecisionImplicitDeny},
		{name: "ForAnyValue missing key is false", identity: stmt(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`), action: a, want: DecisionImplicitDeny},
		{name: "ForAllValues subset", identity: stmt(`{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`), ctx: ctx("aws:TagKeys", "env", "aws:TagKeys", "team"), action: a, want: DecisionAllow},
		{name: "ForAllValues extra value", identity: stmt(`{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`), ctx: ctx("aws:TagKeys", "env", "aws:TagKeys", "cost"), action: a, want: DecisionImplicitDeny},
		{name: "ForAllValues missing key is true", identity: stmt(`{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`), action: a, want: DecisionAllow},
		{name: "ForAllValues empty list is true", identity: stmt(`{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`), ctx: map[string][]string{"aws:TagKeys": {}}, action: a, want: DecisionAllow},
		{name: "ForAllValues StringLike", identity: stmt(`{"ForAllValues:StringLike":{"aws:TagKeys":["env*"]}}`), ctx: ctx("aws:TagKeys", "env", "aws:TagKeys", "environment"), action: a, want: DecisionAllow},
		{name: "ForAnyValue StringNotEquals", identity: stmt(`{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`), ctx: ctx("aws:TagKeys", "env", "aws:TagKeys", "team"), action: a, want: DecisionAllow},
		{name: "ForAllValues StringNotEquals", identity: stmt(`{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env"]}}`), ctx: ctx("aws:TagKeys", "env", "aws:TagKeys", "team"), action: a, want: DecisionImplicitDeny},
		{name: "single-valued operator on multivalued key", identity: stmt(`{"StringEquals":{"aws:TagKeys":"team"}}`), ctx: ctx("aws:TagKeys", "env", "aws:TagKeys", "team"), action: a, want: DecisionAllow},
		{name: "unknown operator never holds", identity: stmt(`{"StringMatches":{"aws:TagKeys":"team"}}`), ctx: ctx("aws:TagKeys", "team"), action: a, want: DecisionImplicitDeny},
		{name: "Null with IfExists is not an operator", identity: stmt(`{"NullIfExists":{"aws:TagKeys":"true"}}`), action: a, want: DecisionImplicitDeny},
		{name: "deny with condition met", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]`}, action: a, want: DecisionExplicitDeny, wantStmt: 1},
		{name: "deny with condition unmet", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]`}, ctx: ctx("aws:MultiFactorAuthPresent", "true"), action: a, want: DecisionAllow},
	})
}

func TestEvaluateResourcePolicies(t *testing.T) {
	trust := `[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"},"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:111122223333:automation-execution/*"}}}]`
	bucket := func(principal string) string {
		return `[{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]`
	}
	obj := "arn:aws:s3:::b/k"
	runEvalCases(t, []evalCase{
		{name: "service assumes role with confused-deputy context", resource: trust, principal: "ssm.amazonaws.com", action: "sts:AssumeRole", res: roleArn,
			ctx: map[string][]string{"aws:SourceAccount": {acct}, "aws:SourceArn": {"arn:aws:ssm:us-east-1:111122223333:automation-execution/e-1"}}, want: DecisionAllow, wantPol: "resource"},
		{name: "service from another account is refused", resource: trust, principal: "ssm.amazonaws.com", action: "sts:AssumeRole", res: roleArn,
			ctx: map[string][]string{"aws:SourceAccount": {"444455556666"}, "aws:SourceArn": {"arn:aws:ssm:us-east-1:444455556666:automation-execution/e-1"}}, want: DecisionImplicitDeny},
		{name: "other service is not trusted", resource: trust, principal: "lambda.amazonaws.com", action: "sts:AssumeRole", res: roleArn,
			ctx: map[string][]string{"aws:SourceAccount": {acct}, "aws:SourceArn": {"arn:aws:ssm:us-east-1:111122223333:automation-execution/e-1"}}, want: DecisionImplicitDeny},
		{name: "trust required even with identity allow", identity: []string{`[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]`}, resource: trust, action: "sts:AssumeRole", res: roleArn, want: DecisionImplicitDeny},
		{name: "trust naming user suffices", resource: `[{"Effect":"Allow","Principal":{"AWS":"` + userArn + `"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionAllow, wantPol: "resource"},
		{name: "trust naming account needs identity allow", resource: `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionImplicitDeny},
		{name: "trust naming account with identity allow", identity: []string{`[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleArn + `"}]`}, resource: `[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionAllow, wantPol: "resource"},
		{name: "resource policy alone allows named user", resource: bucket(`{"AWS":"` + userArn + `"}`), action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "resource policy naming account alone is not enough", resource: bucket(`{"AWS":"111122223333"}`), action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "identity allow suffices without resource allow", identity: []string{`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]`}, resource: bucket(`{"AWS":"` + otherArn + `"}`), action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "resource policy for another principal", resource: bucket(`{"AWS":"` + otherArn + `"}`), action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "role ARN matches its session", resource: bucket(`{"AWS":"` + roleArn + `"}`), principal: session, action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "session ARN matches exactly", resource: bucket(`{"AWS":"` + session + `"}`), principal: session, action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "role of another account does not match session", resource: bucket(`{"AWS":"arn:aws:iam::444455556666:role/AutomationRole"}`), principal: session, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "public principal", resource: bucket(`"*"`), principal: otherArn, action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "AWS star principal", resource: bucket(`{"AWS":"*"}`), action: "s3:GetObject", res: obj, want: DecisionAllow, wantPol: "resource"},
		{name: "resource deny beats identity allow", identity: []string{`[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]`}, resource: `[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]`, action: "s3:GetObject", res: obj, ctx: map[string][]string{"aws:SecureTransport": {"false"}}, want: DecisionExplicitDeny, wantPol: "resource"},
		{name: "NotPrincipal deny spares listed", identity: []string{`[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]`}, resource: `[{"Effect":"Deny","NotPrincipal":{"AWS":"` + userArn + `"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]`, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "NotPrincipal deny hits others", identity: []string{`[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]`}, resource: `[{"Effect":"Deny","NotPrincipal":{"AWS":"` + otherArn + `"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]`, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "resource"},
		{name: "account root has full access", principal: "arn:aws:iam::111122223333:root", action: "ec2:TerminateInstances", want: DecisionAllow, wantStmt: -1, wantPol: ""},
		{name: "account root stopped by explicit deny", principal: "arn:aws:iam::111122223333:root", resource: `[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]`, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "resource"},
		{name: "account root of another account", principal: "arn:aws:iam::444455556666:root", action: "ec2:TerminateInstances", want: DecisionImplicitDeny},
		{name: "account root cannot assume roles", principal: "arn:aws:iam::111122223333:root", resource: `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]`, action: "sts:AssumeRole", res: roleArn, want: DecisionImplicitDeny},
		{name: "statement without principal ignored in resource policy", resource: `[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]`, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "aws:PrincipalArn of session is role ARN", identity: []string{`[{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/AutomationRole"}}}]`}, principal: session, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "aws:PrincipalServiceName", resource: `[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalServiceName":"ssm.amazonaws.com"}}}]`, principal: "ssm.amazonaws.com", action: "sns:Publish", res: "arn:aws:sns:us-east-1:111122223333:t", want: DecisionAllow, wantPol: "resource"},
	})
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{DecisionAllow: "allowed", DecisionExplicitDeny: "explicitDeny", DecisionImplicitDeny: "implicitDeny", Decision(7): "Decision(7)"} {
		assert.Equal(t, want, d.String(), "Decision(%d)", int(d))
	}
}
