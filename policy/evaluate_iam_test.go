package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allowAll is an identity policy that allows everything, so that a Deny's
// effect shows.
const allowAll = `[{"Effect":"Allow","Action":"*","Resource":"*"}]`

func denyOn(resource string) []string {
	return []string{allowAll, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"` + resource + `"}]`}
}

func allowOn(resource string) []string {
	return []string{`[{"Effect":"Allow","Action":"*","Resource":"` + resource + `"}]`}
}

func TestEvaluateResourceARNSegments(t *testing.T) {
	stop := "ec2:StopInstances"
	runEvalCases(t, []evalCase{
		{name: "deny on a short pattern ending in star", identity: denyOn("arn:aws:ec2:*"), action: stop, want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny on a short pattern leaves other services", identity: denyOn("arn:aws:ec2:*"), action: stop, res: "arn:aws:s3:::b/k", want: DecisionAllow},
		{name: "arn star covers every ARN", identity: allowOn("arn:*"), action: stop, want: DecisionAllow},
		{name: "short pattern without star matches nothing", identity: allowOn("arn:aws:ec2:us-east-1"), action: stop, want: DecisionImplicitDeny},
		{name: "short pattern with literal account matches nothing", identity: allowOn("arn:aws:ec2:us-east-1:111122223333"), action: stop, want: DecisionImplicitDeny},
		{name: "star ending a middle component runs into the resource", identity: allowOn("arn:aws:dynamodb:*:table/prod-*"), action: "dynamodb:DeleteTable", res: "arn:aws:dynamodb:us-east-1:111122223333:table/prod-x", want: DecisionAllow},
		{name: "spanning star still needs the rest to match", identity: allowOn("arn:aws:dynamodb:*:table/prod-*"), action: "dynamodb:DeleteTable", res: "arn:aws:dynamodb:us-east-1:111122223333:table/dev-x", want: DecisionImplicitDeny},
		{name: "spanning star then literal account", identity: allowOn("arn:aws:ec2:*:111122223333:instance/*"), action: stop, want: DecisionAllow},
		{name: "spanning star then other account", identity: allowOn("arn:aws:ec2:*:444455556666:instance/*"), action: stop, want: DecisionImplicitDeny},
		{name: "question mark per component", identity: allowOn("arn:aws:ec2:us-east-?:111122223333:instance/*"), action: stop, want: DecisionAllow},
		{name: "question mark does not match a colon", identity: allowOn("arn:aws:ec2:us-east-1?111122223333:instance/*"), action: stop, want: DecisionImplicitDeny},
		{name: "star in every component", identity: allowOn("arn:*:*:*:*:*"), action: stop, want: DecisionAllow},
		{name: "bucket objects", identity: allowOn("arn:aws:s3:::bucket/*"), action: "s3:GetObject", res: "arn:aws:s3:::bucket/a/b", want: DecisionAllow},
		{name: "bucket objects of another bucket", identity: allowOn("arn:aws:s3:::bucket/*"), action: "s3:GetObject", res: "arn:aws:s3:::bucket2/a", want: DecisionImplicitDeny},
		{name: "star in the resource matches slashes", identity: allowOn("arn:aws:s3:::bucket/*/test/*"), action: "s3:GetObject", res: "arn:aws:s3:::bucket/1///test///object.jpg", want: DecisionAllow},
		{name: "star in the resource needs the literal part", identity: allowOn("arn:aws:s3:::bucket/*/test/*"), action: "s3:GetObject", res: "arn:aws:s3:::bucket/1/2/test.jpg", want: DecisionImplicitDeny},
		{name: "wildcard resource type", identity: allowOn("arn:aws:ec2:*:*:*/i-0123456789abcdef0"), action: stop, want: DecisionAllow},
		{name: "wildcard resource type other id", identity: allowOn("arn:aws:ec2:*:*:*/i-1"), action: stop, want: DecisionImplicitDeny},
		{name: "service is case-sensitive", identity: allowOn("arn:aws:EC2:us-east-1:111122223333:instance/*"), action: stop, want: DecisionImplicitDeny},
		{name: "region is case-sensitive", identity: allowOn("arn:aws:ec2:US-EAST-1:111122223333:instance/*"), action: stop, want: DecisionImplicitDeny},
		{name: "partition is case-sensitive", identity: allowOn("arn:AWS:ec2:us-east-1:111122223333:instance/*"), action: stop, want: DecisionImplicitDeny},
		{name: "several spanning stars still need the last literal", identity: allowOn("arn:*:*:*:nomatch"), action: stop, want: DecisionImplicitDeny},
		{name: "several spanning stars", identity: allowOn("arn:*:*:*:instance/*"), action: stop, want: DecisionAllow},
		{name: "spanning stars with a hostile resource", identity: allowOn("arn:*:*:*:*:" + strings.Repeat("*a", 40) + "b"), action: stop, res: "arn:aws:ec2:us-east-1:111122223333:" + strings.Repeat("a", 2000), want: DecisionImplicitDeny},
		{name: "non-ARN request resource only matches star", identity: allowOn("arn:*"), action: stop, res: "*", want: DecisionImplicitDeny},
	})
}

func TestEndsInWildcard(t *testing.T) {
	for p, want := range map[string]bool{"*": true, "us-*": true, `a\*`: false, `a\\*`: true, "a": false, "": false} {
		assert.Equal(t, want, endsInWildcard(p), p)
	}
}

func TestEvaluateVariablePlacement(t *testing.T) {
	uctx := map[string][]string{"aws:username": {"alice"}}
	runEvalCases(t, []evalCase{
		{name: "variable expanded in the resource component", identity: allowOn("arn:aws:s3:::home/${aws:username}/*"), action: "s3:GetObject", res: "arn:aws:s3:::home/alice/x", want: DecisionAllow},
		{name: "variable not expanded in the account", identity: allowOn("arn:aws:ec2:us-east-1:${aws:PrincipalAccount}:instance/*"), action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "variable in the account is literal text", identity: allowOn("arn:aws:ec2:us-east-1:${aws:PrincipalAccount}:instance/*"), action: "ec2:StopInstances", res: "arn:aws:ec2:us-east-1:${aws:PrincipalAccount}:instance/i-1", resAcct: acct, want: DecisionAllow},
		{name: "variable not expanded in the region", identity: allowOn("arn:aws:ec2:${aws:RequestedRegion}:111122223333:instance/*"), ctx: map[string][]string{"aws:RequestedRegion": {"us-east-1"}}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "variable not expanded in the service", identity: allowOn("arn:aws:${svc}:us-east-1:111122223333:instance/*"), ctx: map[string][]string{"svc": {"ec2"}}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "variable not expanded in the partition", identity: allowOn("arn:${part}:ec2:us-east-1:111122223333:instance/*"), ctx: map[string][]string{"part": {"aws"}}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "unresolved variable outside the resource component is just text", identity: []string{`[{"Effect":"Allow","Action":"*","NotResource":"arn:${nothing}:ec2:*:*:*"}]`}, principal: session, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "variable in an ArnLike condition is expanded anywhere", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:${aws:PrincipalAccount}:t"}}}]`}, ctx: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:111122223333:t"}}, action: "sns:Publish", want: DecisionAllow},
		{name: "variable in a non-ARN resource pattern", identity: allowOn("${aws:PrincipalArn}"), action: "iam:GetUser", res: userArn, want: DecisionAllow},
		{name: "legacy version takes condition variables literally", identity: []string{`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"ec2:ResourceTag/Owner":"${aws:username}"}}}]}`}, ctx: map[string][]string{"ec2:ResourceTag/Owner": {"alice"}, "aws:username": {"alice"}}, action: "ec2:StopInstances", want: DecisionImplicitDeny},
		{name: "legacy version literal condition text", identity: []string{`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"ec2:ResourceTag/Owner":"${aws:username}"}}}]}`}, ctx: map[string][]string{"ec2:ResourceTag/Owner": {"${aws:username}"}}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "legacy version ArnLike literal", identity: []string{`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:${aws:username}"}}}]}`}, ctx: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:alice"}, "aws:username": {"alice"}}, action: "sns:Publish", want: DecisionImplicitDeny},
		{name: "variable expanded in ArnLike resource component", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:${aws:username}"}}}]`}, ctx: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:alice"}, "aws:username": {"alice"}}, action: "sns:Publish", want: DecisionAllow},
		{name: "substituted star in ArnLike is literal", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:${aws:username}"}}}]`}, ctx: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:bob"}, "aws:username": {"*"}}, action: "sns:Publish", want: DecisionImplicitDeny},
		{name: "ArnLike needs six components", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*"}}}]`}, ctx: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:t"}}, action: "sns:Publish", want: DecisionImplicitDeny},
		{name: "ArnLike components do not span", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-*:t:x"}}}]`}, ctx: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:t:x"}}, action: "sns:Publish", want: DecisionImplicitDeny},
		{name: "ArnLike unresolved variable in a component", identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:${nothing}:*:t"}}}]`}, ctx: map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:1:t"}}, action: "sns:Publish", want: DecisionImplicitDeny},
		{name: "unresolved variable in a non-ARN pattern", identity: allowOn("${nothing}"), action: "iam:GetUser", res: userArn, want: DecisionImplicitDeny},
		{name: "context value is used for username", identity: allowOn("arn:aws:s3:::home/${aws:username}/*"), principal: session, ctx: uctx, action: "s3:GetObject", res: "arn:aws:s3:::home/alice/x", want: DecisionAllow},
	})
}

func TestEvaluateUnresolvedVariables(t *testing.T) {
	// A role session has no aws:username and, here, no aws:PrincipalTag/Team.
	cond := func(effect, c string) []string {
		st := `[{"Effect":"` + effect + `","Action":"s3:GetObject","Resource":"*","Condition":` + c + `}]`
		if effect == "Deny" {
			return []string{allowAll, st}
		}
		return []string{st}
	}
	obj := "arn:aws:s3:::home/bob/x"
	prefix := map[string][]string{"s3:prefix": {"x"}, "aws:TagKeys": {"a", "b"}, "aws:SourceArn": {"arn:aws:sns:us-east-1:1:t"}}
	runEvalCases(t, []evalCase{
		// Allow statements never grant through a missing value.
		{name: "allow Resource", identity: allowOn("arn:aws:s3:::home/${aws:username}/*"), principal: session, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow NotResource", identity: []string{`[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]`}, principal: session, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow NotResource resolved", identity: []string{`[{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]`}, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "allow StringEquals", identity: cond("Allow", `{"StringEquals":{"s3:prefix":"${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow StringEquals other value still grants", identity: cond("Allow", `{"StringEquals":{"s3:prefix":["${aws:username}","x"]}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "allow StringNotEquals", identity: cond("Allow", `{"StringNotEquals":{"s3:prefix":"${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow StringNotEquals resolved", identity: cond("Allow", `{"StringNotEquals":{"s3:prefix":"${aws:username}"}}`), ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "allow StringNotEqualsIgnoreCase", identity: cond("Allow", `{"StringNotEqualsIgnoreCase":{"s3:prefix":"${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow StringNotLike", identity: cond("Allow", `{"StringNotLike":{"s3:prefix":"${aws:username}/*"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow ArnNotLike", identity: cond("Allow", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow ForAllValues:StringNotEquals", identity: cond("Allow", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":"${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		{name: "allow ForAnyValue:StringNotLike", identity: cond("Allow", `{"ForAnyValue:StringNotLike":{"aws:TagKeys":"${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionImplicitDeny},
		// Deny statements follow IAM: a missing value is null, so negated
		// tests hold and the Deny applies.
		{name: "deny StringNotEquals applies", identity: cond("Deny", `{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}`), principal: session, ctx: map[string][]string{"s3:ExistingObjectTag/Team": {"red"}}, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny StringNotLike applies", identity: cond("Deny", `{"StringNotLike":{"s3:prefix":"${aws:username}/*"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny ArnNotLike applies", identity: cond("Deny", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny ForAllValues:StringNotEquals applies", identity: cond("Deny", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":"${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny NotResource applies", identity: []string{allowAll, `[{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]`}, principal: session, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "id1"},
		{name: "deny StringEquals does not apply", identity: cond("Deny", `{"StringEquals":{"s3:prefix":"${aws:username}"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "deny StringLike does not apply", identity: cond("Deny", `{"StringLike":{"s3:prefix":"${aws:username}*"}}`), principal: session, ctx: prefix, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "deny Resource does not apply", identity: []string{allowAll, `[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]`}, principal: session, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "resource policy deny NotResource applies", identity: []string{allowAll}, resource: `[{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]`, principal: session, action: "s3:GetObject", res: obj, want: DecisionExplicitDeny, wantPol: "resource"},
	})
}

func TestEvaluateMissingKeys(t *testing.T) {
	stmt := func(cond string) []string {
		return []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":` + cond + `}]`}
	}
	a := "ec2:StopInstances"
	runEvalCases(t, []evalCase{
		{name: "ForAnyValue IfExists missing is false", identity: stmt(`{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"env"}}`), action: a, want: DecisionImplicitDeny},
		{name: "ForAnyValue negated IfExists missing is false", identity: stmt(`{"ForAnyValue:StringNotEqualsIfExists":{"aws:TagKeys":"env"}}`), action: a, want: DecisionImplicitDeny},
		{name: "ForAnyValue negated missing is false", identity: stmt(`{"ForAnyValue:StringNotLike":{"aws:TagKeys":"env"}}`), action: a, want: DecisionImplicitDeny},
		{name: "ForAllValues IfExists missing is true", identity: stmt(`{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"env"}}`), action: a, want: DecisionAllow},
		{name: "ForAllValues negated missing is true", identity: stmt(`{"ForAllValues:StringNotEquals":{"aws:TagKeys":"env"}}`), action: a, want: DecisionAllow},
		{name: "IfExists missing is true", identity: stmt(`{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`), action: a, want: DecisionAllow},
		{name: "negated IfExists missing is true", identity: stmt(`{"StringNotEqualsIfExists":{"aws:RequestTag/env":"prod"}}`), action: a, want: DecisionAllow},
		{name: "positive missing is false", identity: stmt(`{"DateLessThan":{"aws:CurrentTime":"2030-01-01"}}`), action: a, want: DecisionImplicitDeny},
		{name: "negated missing is true", identity: stmt(`{"NumericNotEquals":{"s3:max-keys":"10"}}`), action: a, want: DecisionAllow},
		{name: "single-valued negated operator on multivalued key with a match", identity: stmt(`{"StringNotEquals":{"aws:TagKeys":"team"}}`), ctx: map[string][]string{"aws:TagKeys": {"env", "team"}}, action: a, want: DecisionImplicitDeny},
		{name: "single-valued negated operator on multivalued key without match", identity: stmt(`{"StringNotEquals":{"aws:TagKeys":"team"}}`), ctx: map[string][]string{"aws:TagKeys": {"env", "cost"}}, action: a, want: DecisionAllow},
		{name: "single-valued operator on multivalued key without match", identity: stmt(`{"StringEquals":{"aws:TagKeys":"team"}}`), ctx: map[string][]string{"aws:TagKeys": {"env", "cost"}}, action: a, want: DecisionImplicitDeny},
	})
}

func TestEvaluateOrderedOperators(t *testing.T) {
	type rel struct {
		below, equal, above bool // context value below, equal to, above the policy value
	}
	rels := map[string]rel{
		"Equals":            {false, true, false},
		"NotEquals":         {true, false, true},
		"LessThan":          {true, false, false},
		"LessThanEquals":    {true, true, false},
		"GreaterThan":       {false, false, true},
		"GreaterThanEquals": {false, true, true},
	}
	families := []struct {
		prefix, key, policy, below, equal, above string
	}{
		{"Numeric", "s3:max-keys", "10", "9.5", "10.0", "11"},
		{"Date", "aws:CurrentTime", "2026-01-02T00:00:00Z", "2026-01-01T23:59:59Z", "1767312000", "2026-01-02T00:00:01Z"},
	}
	var cases []evalCase
	for _, f := range families {
		for name, r := range rels {
			op := f.prefix + name
			if op == "NumericLessThan" || op == "NumericLessThanEquals" || op == "NumericGreaterThan" || op == "NumericGreaterThanEquals" ||
				op == "DateLessThan" || op == "DateLessThanEquals" || op == "DateGreaterThan" || op == "DateGreaterThanEquals" ||
				name == "Equals" || name == "NotEquals" {
				for _, c := range []struct {
					label, value string
					want         bool
				}{{"below", f.below, r.below}, {"equal", f.equal, r.equal}, {"above", f.above, r.above}} {
					want := DecisionImplicitDeny
					if c.want {
						want = DecisionAllow
					}
					cases = append(cases, evalCase{
						name:     op + " " + c.label,
						identity: []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"` + op + `":{"` + f.key + `":"` + f.policy + `"}}}]`},
						ctx:      map[string][]string{f.key: {c.value}},
						action:   "s3:ListBucket", want: want,
					})
				}
			}
		}
	}
	runEvalCases(t, cases)
}

func TestEvaluateUnparseableOperands(t *testing.T) {
	stmt := func(cond string) []string {
		return []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + cond + `}]`}
	}
	a := "s3:ListBucket"
	runEvalCases(t, []evalCase{
		{name: "context not a number is not zero", identity: stmt(`{"NumericEquals":{"s3:max-keys":"0"}}`), ctx: map[string][]string{"s3:max-keys": {"ten"}}, action: a, want: DecisionImplicitDeny},
		{name: "policy value not a number is not zero", identity: stmt(`{"NumericEquals":{"s3:max-keys":"abc"}}`), ctx: map[string][]string{"s3:max-keys": {"0"}}, action: a, want: DecisionImplicitDeny},
		{name: "NumericNotEquals with a non-number is false", identity: stmt(`{"NumericNotEquals":{"s3:max-keys":"10"}}`), ctx: map[string][]string{"s3:max-keys": {"ten"}}, action: a, want: DecisionImplicitDeny},
		{name: "NumericNotEquals with a non-number policy value is false", identity: stmt(`{"NumericNotEquals":{"s3:max-keys":["10","x"]}}`), ctx: map[string][]string{"s3:max-keys": {"11"}}, action: a, want: DecisionImplicitDeny},
		{name: "NaN is not a number", identity: stmt(`{"NumericNotEquals":{"s3:max-keys":"10"}}`), ctx: map[string][]string{"s3:max-keys": {"NaN"}}, action: a, want: DecisionImplicitDeny},
		{name: "NumericLessThan empty context value", identity: stmt(`{"NumericLessThan":{"s3:max-keys":"10"}}`), ctx: map[string][]string{"s3:max-keys": {""}}, action: a, want: DecisionImplicitDeny},
		{name: "DateNotEquals with a non-date is false", identity: stmt(`{"DateNotEquals":{"aws:CurrentTime":"2026-01-02"}}`), ctx: map[string][]string{"aws:CurrentTime": {"tomorrow"}}, action: a, want: DecisionImplicitDeny},
		{name: "ForAllValues numeric with one non-number is false", identity: stmt(`{"ForAllValues:NumericNotEquals":{"k":"10"}}`), ctx: map[string][]string{"k": {"1", "x"}}, action: a, want: DecisionImplicitDeny},
	})
}

func TestEvaluatePrincipalKeys(t *testing.T) {
	stmt := func(cond string) []string {
		return []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + cond + `}]`}
	}
	a := "s3:ListBucket"
	runEvalCases(t, []evalCase{
		{name: "aws:PrincipalAccount from user", identity: stmt(`{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`), action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalAccount from session", identity: stmt(`{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`), principal: session, action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalAccount of another account", identity: stmt(`{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`), principal: otherArn, action: a, res: "*", want: DecisionImplicitDeny},
		{name: "aws:PrincipalAccount absent for a service", identity: stmt(`{"Null":{"aws:PrincipalAccount":"true"}}`), principal: "ssm.amazonaws.com", action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalType of a role", identity: stmt(`{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`), principal: "arn:aws:iam::111122223333:role/x", action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalType of a session", identity: stmt(`{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`), principal: session, action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalType of a user", identity: stmt(`{"StringEquals":{"aws:PrincipalType":"User"}}`), action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalType of root", identity: []string{`[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"Account"}}}]`}, principal: "arn:aws:iam::444455556666:root", action: a, res: "*", want: DecisionExplicitDeny},
		{name: "aws:PrincipalType of a federated user", identity: stmt(`{"StringEquals":{"aws:PrincipalType":"FederatedUser"}}`), principal: "arn:aws:sts::111122223333:federated-user/f", action: a, res: "*", want: DecisionAllow},
		{name: "aws:PrincipalArn of a role", identity: stmt(`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/x"}}`), principal: "arn:aws:iam::111122223333:role/x", action: a, res: "*", want: DecisionAllow},
	})
}

func TestEvaluateCrossAccount(t *testing.T) {
	other := "444455556666"
	otherInstance := "arn:aws:ec2:us-east-1:444455556666:instance/i-1"
	otherRole := "arn:aws:iam::444455556666:role/Target"
	idAllow := `[{"Effect":"Allow","Action":"*","Resource":"*"}]`
	bucket := func(principal string) string {
		return `[{"Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]`
	}
	trust := func(principal string) string {
		return `[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]`
	}
	obj := "arn:aws:s3:::b/k"
	runEvalCases(t, []evalCase{
		{name: "identity allow alone does not reach another account", identity: []string{idAllow}, action: "ec2:StopInstances", res: otherInstance, want: DecisionImplicitDeny},
		{name: "identity allow alone within the account", identity: []string{idAllow}, action: "ec2:StopInstances", want: DecisionAllow},
		{name: "resource policy alone does not admit another account", resource: bucket(`{"AWS":"` + userArn + `"}`), action: "s3:GetObject", res: obj, resAcct: other, want: DecisionImplicitDeny},
		{name: "both sides allow across accounts", identity: []string{idAllow}, resource: bucket(`{"AWS":"` + userArn + `"}`), action: "s3:GetObject", res: obj, resAcct: other, want: DecisionAllow, wantPol: "resource"},
		{name: "resource policy naming the caller's account root", identity: []string{idAllow}, resource: bucket(`{"AWS":"arn:aws:iam::111122223333:root"}`), action: "s3:GetObject", res: obj, resAcct: other, want: DecisionAllow, wantPol: "resource"},
		{name: "resource policy naming the caller's bare account", identity: []string{idAllow}, resource: bucket(`{"AWS":"111122223333"}`), action: "s3:GetObject", res: obj, resAcct: other, want: DecisionAllow, wantPol: "resource"},
		{name: "resource policy naming the account needs an identity allow", resource: bucket(`{"AWS":"111122223333"}`), action: "s3:GetObject", res: obj, resAcct: other, want: DecisionImplicitDeny},
		{name: "account root of A does not match callers of B", identity: []string{idAllow}, resource: bucket(`{"AWS":"arn:aws:iam::` + other + `:root"}`), action: "s3:GetObject", res: obj, resAcct: "999988887777", want: DecisionImplicitDeny},
		{name: "bare account of A does not match callers of B", identity: []string{idAllow}, resource: bucket(`{"AWS":"` + other + `"}`), action: "s3:GetObject", res: obj, resAcct: "999988887777", want: DecisionImplicitDeny},
		{name: "account root in another partition", identity: []string{idAllow}, resource: bucket(`{"AWS":"arn:aws-cn:iam::111122223333:root"}`), action: "s3:GetObject", res: obj, resAcct: other, want: DecisionImplicitDeny},
		{name: "resource deny across accounts", identity: []string{idAllow}, resource: `[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]`, action: "s3:GetObject", res: obj, resAcct: other, want: DecisionExplicitDeny, wantPol: "resource"},
		{name: "cross-account assume role needs identity allow", resource: trust(`{"AWS":"` + userArn + `"}`), action: "sts:AssumeRole", res: otherRole, want: DecisionImplicitDeny},
		{name: "cross-account assume role with identity allow", identity: []string{`[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + otherRole + `"}]`}, resource: trust(`{"AWS":"` + userArn + `"}`), action: "sts:AssumeRole", res: otherRole, want: DecisionAllow, wantPol: "resource"},
		{name: "cross-account assume role trusting the account", identity: []string{idAllow}, resource: trust(`{"AWS":"111122223333"}`), action: "sts:AssumeRole", res: otherRole, want: DecisionAllow, wantPol: "resource"},
		{name: "cross-account assume role without trust", identity: []string{idAllow}, resource: trust(`{"AWS":"` + otherArn + `"}`), action: "sts:AssumeRole", res: otherRole, want: DecisionImplicitDeny},
		{name: "root reaches another account through its resource policy", principal: "arn:aws:iam::111122223333:root", resource: bucket(`{"AWS":"111122223333"}`), action: "s3:GetObject", res: obj, resAcct: other, want: DecisionAllow, wantPol: "resource"},
		{name: "root without resource policy in another account", principal: "arn:aws:iam::111122223333:root", action: "ec2:StopInstances", res: otherInstance, want: DecisionImplicitDeny},
		{name: "S3 ARN without account belongs to the caller", identity: []string{idAllow}, principal: otherArn, action: "s3:GetObject", res: obj, want: DecisionAllow},
		{name: "star resource belongs to the caller", identity: []string{idAllow}, principal: otherArn, action: "ec2:DescribeInstances", res: "*", want: DecisionAllow},
		{name: "ResourceAccount overrides the ARN", identity: []string{idAllow}, action: "ec2:StopInstances", res: otherInstance, resAcct: acct, want: DecisionAllow},
		{name: "ResourceAccount makes an S3 object foreign", identity: []string{idAllow}, action: "s3:GetObject", res: obj, resAcct: other, want: DecisionImplicitDeny},
		{name: "AWS managed policy is no other account's", identity: []string{idAllow}, action: "iam:GetPolicy", res: "arn:aws:iam::aws:policy/AdministratorAccess", want: DecisionAllow},
		{name: "root reads AWS managed policies", principal: "arn:aws:iam::111122223333:root", action: "iam:GetPolicy", res: "arn:aws:iam::aws:policy/AdministratorAccess", want: DecisionAllow, wantStmt: -1},
		{name: "service principal has no account", resource: bucket(`{"Service":"ssm.amazonaws.com"}`), principal: "ssm.amazonaws.com", action: "s3:GetObject", res: obj, resAcct: other, want: DecisionAllow, wantPol: "resource"},
	})
}

// TestResourceAccountKey: aws:ResourceAccount comes from ResourceAccount or
// the resource ARN's account; an S3 ARN names none, so without
// ResourceAccount a condition on it cannot hold.
func TestResourceAccountKey(t *testing.T) {
	p := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"}}}]}`)
	const caller = "arn:aws:iam::111122223333:user/alice"
	tests := []struct {
		name, resource, account string
		want                    Decision
	}{
		{"from the ARN", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", "", DecisionAllow},
		{"another account's ARN", "arn:aws:ec2:us-east-1:444455556666:instance/i-1", "", DecisionImplicitDeny},
		{"S3 with ResourceAccount", "arn:aws:s3:::bucket/key", "111122223333", DecisionAllow},
		{"S3 in another account", "arn:aws:s3:::bucket/key", "444455556666", DecisionImplicitDeny},
		{"S3 without ResourceAccount", "arn:aws:s3:::bucket/key", "", DecisionImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(Request{Principal: caller, Action: "s3:GetObject", Resource: tt.resource, ResourceAccount: tt.account},
				[]NamedPolicy{{Name: "p", Policy: p}}, nil)
			require.Equal(t, tt.want, got.Decision)
		})
	}
}
