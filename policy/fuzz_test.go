package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/internal/wildcard"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/stretchr/testify/require"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*",1,true]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012"],"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"Null":{"k":"true"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":[],"Resource":[]}]}`,
		`[]`, `{`, `{"Version":1}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:*:::b","arn:aws:s3:::${aws:username","arn:aws:s3:::${${x}}"],"Condition":{"StringEquals":{"aws:SourceArn":"a","aws:sourcearn":"b"},"NullIfExists":{"k":"true"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/t, 'd'}${*}\u20ac"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		out, err := p.Compact()
		require.NoError(t, err, "parsed policy does not encode")
		p2, err := Parse(out)
		require.NoError(t, err, "encoded policy does not parse:\n%s", out)
		require.Equal(t, p, p2, "round trip changed the policy:\n%s", out)
		for k := KindIdentity; k <= KindManaged; k++ {
			_ = Lint(p, k)
		}
		req := Request{Principal: "arn:aws:sts::111122223333:assumed-role/R/s", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/x",
			Context: map[string][]string{"aws:username": {"alice"}, "aws:TagKeys": {"a", "b"}}}
		_ = Evaluate(req, []NamedPolicy{{"p", p}}, &NamedPolicy{"r", p})
	})
}

// FuzzLint lints a statement built from fuzzed elements under every kind:
// Lint never panics, reports the encoded size, and its error matches its
// error findings.
func FuzzLint(f *testing.F) {
	f.Add("2012-10-17", "s3:GetObject", "arn:aws:s3:::b/${aws:username}", "StringEquals", "aws:SourceArn", "${aws:username, 'x'}")
	f.Add("2012-10-17", "ec2:*", "arn:aws:ec*:*:*:instance/*", "ForAnyValue:StringLikeIfExists", "aws:sourcearn", "${")
	f.Add("2008-10-17", "*", "*", "NullIfExists", "", "${}")
	f.Add("", "sts:AssumeRole", "arn:aws:s3:::\u20ac", "Bool", "aws:SecureTransport", "yes")
	f.Fuzz(func(t *testing.T, version, action, resource, op, key, value string) {
		st := Statement{Effect: Allow, Action: One(action), Resource: List(resource, resource+"/x"),
			Condition: Conditions{}.Add(op, key, Values(value, value+"${")).Add(op, strings.ToUpper(key), Values(value))}
		p := &Policy{Version: version, Statement: []Statement{st}}
		for k := KindIdentity; k <= KindManaged+1; k++ {
			r := Lint(p, k)
			require.Equal(t, len(r.Errors()) == 0, r.Err() == nil, "Err %v with error findings %v", r.Err(), r.Errors())
			for _, fd := range r.Findings {
				require.NotEmpty(t, fd.Code, "finding without code: %+v", fd)
				require.NotEmpty(t, fd.Message, "finding without message: %+v", fd)
			}
			if !k.valid() {
				continue
			}
			b, err := p.Compact()
			if err != nil {
				continue
			}
			require.Equal(t, Size(b), r.Size, "reported size against encoded size")
			require.Equal(t, r.Size > MaxSize(k), errors.Is(r.Err(), ErrPolicyTooLarge), "size %d, quota %d: too large", r.Size, MaxSize(k))
		}
	})
}

func FuzzMatchARN(f *testing.F) {
	f.Add("a*b?c", "aXXbYc", "${aws:username}/*")
	f.Add("arn:aws:s3:::*", "arn:aws:s3:::b", "${*}${?}${$}${x, 'd'}")
	f.Fuzz(func(t *testing.T, pattern, s, vars string) {
		_ = wildcard.Match(pattern, s, true, true)
		ev := &evaluation{req: &Request{Context: map[string][]string{"aws:username": {s}}}}
		for _, mode := range []arnMode{arnResource, arnCondition} {
			_, _ = matchARN(pattern, s, ev, true, mode)
			_, _ = matchARN(vars, s, ev, true, mode)
		}
		if out, esc, ok := expandVars(vars, true, ev.lookup); ok {
			_ = wildcard.Match(out, s, false, esc)
		}
		// A pattern without wildcards matches exactly itself.
		if !containsWildcard(pattern) {
			require.True(t, wildcard.Match(pattern, pattern, false, false), "%q does not match itself", pattern)
		}
	})
}

func containsWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

func FuzzForRunbook(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"StopInstances","InstanceIds":["i-1"]}}]}`))
	f.Add([]byte(`{"schemaVersion":"0.3","parameters":{"S":{"type":"String","allowedValues":["stopped"]}},"mainSteps":[{"name":"a","action":"aws:changeInstanceState","inputs":{"InstanceIds":"{{ X }}","DesiredState":"{{ S }}"}}]}`))
	f.Add([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"l","action":"aws:loop","inputs":{"Iterators":["a"],"Steps":[{"name":"r","action":"aws:runInstances","inputs":{"ImageId":"{{ l.CurrentIteratorValue }}","IamInstanceProfileArn":"x"}}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := runbook.Parse(data)
		if err != nil {
			return
		}
		d, err := ForRunbook(doc, Scope{Region: "us-east-1", Account: "111122223333"})
		if d == nil {
			_, invalid := runbook.AsValidationError(err)
			require.True(t, invalid, "no result for a valid runbook: %v", err)
			return
		}
		_, err = d.Policy.Compact()
		require.NoError(t, err, "derived policy does not encode")
	})
}

func FuzzEvaluate(f *testing.F) {
	f.Add([]byte(`[{"Effect":"Deny","Action":"ec2:*","Resource":"arn:aws:ec2:*"},{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::home/${aws:username}/*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"${aws:PrincipalTag/team}"}}}]`),
		[]byte(`[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]`),
		"arn:aws:sts::111122223333:assumed-role/R/s", "ec2:StopInstances", "arn:aws:ec2:us-east-1:444455556666:instance/i-1", "", "k", "v")
	f.Add([]byte(`[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"ForAnyValue:NumericLessThanIfExists":{"k":["1","x"]},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}}]`),
		[]byte(`[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ssm:*:${aws:PrincipalAccount}:*"}}}]`),
		"arn:aws:iam::111122223333:root", "sts:AssumeRole", "arn:aws:iam::111122223333:role/r", "444455556666", "aws:CurrentTime", "2026-01-01T00:00:00Z")
	f.Add([]byte(`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:*:*:*:*:*"}}`), []byte(`{`),
		"ssm.amazonaws.com", "ssm:GetDocument", "*", "", "", "")
	f.Fuzz(func(t *testing.T, identity, resource []byte, principal, action, res, resAcct, key, value string) {
		var ids []NamedPolicy
		if p, err := Parse(wrapStatements(identity)); err == nil {
			ids = append(ids, NamedPolicy{"id", p})
		}
		var rp *NamedPolicy
		if p, err := Parse(wrapStatements(resource)); err == nil {
			rp = &NamedPolicy{"res", p}
		}
		req := Request{Principal: principal, Action: action, Resource: res, ResourceAccount: resAcct,
			Context: map[string][]string{key: {value}, "aws:TagKeys": {value, key}}}
		first := Evaluate(req, ids, rp)
		second := Evaluate(req, ids, rp)
		require.Equal(t, first, second, "two evaluations differ")
		require.Contains(t, []Decision{DecisionAllow, DecisionImplicitDeny, DecisionExplicitDeny}, first.Decision)
		if first.Statement == nil {
			require.Empty(t, first.Policy, "no deciding statement, yet %+v", first)
			require.Equal(t, -1, first.StatementIndex, "no deciding statement, yet %+v", first)
		}
	})
}

// wrapStatements lets the fuzzer write a bare statement list.
func wrapStatements(b []byte) []byte {
	if len(b) > 0 && b[0] == '[' {
		out := append([]byte(`{"Version":"2012-10-17","Statement":`), b...)
		return append(out, '}')
	}
	return b
}
