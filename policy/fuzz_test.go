package policy

import (
	"reflect"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/internal/wildcard"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*",1,true]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012"],"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"Null":{"k":"true"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":[],"Resource":[]}]}`,
		`[]`, `{`, `{"Version":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		out, err := p.Compact()
		if err != nil {
			t.Fatalf("parsed policy does not encode: %v", err)
		}
		p2, err := Parse(out)
		if err != nil {
			t.Fatalf("encoded policy does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip changed the policy:\n%s", out)
		}
		_ = Lint(p, KindIdentity)
		_ = Lint(p, KindTrust)
		req := Request{Principal: "arn:aws:sts::111122223333:assumed-role/R/s", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/x",
			Context: map[string][]string{"aws:username": {"alice"}, "aws:TagKeys": {"a", "b"}}}
		_ = Evaluate(req, []NamedPolicy{{"p", p}}, &NamedPolicy{"r", p})
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
		if !containsWildcard(pattern) && !wildcard.Match(pattern, pattern, false, false) {
			t.Fatalf("%q does not match itself", pattern)
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
		d, _ := ForRunbook(doc, Scope{Region: "us-east-1", Account: "111122223333"})
		if d == nil {
			t.Fatal("no result")
		}
		if _, err := d.Policy.Compact(); err != nil {
			t.Fatalf("derived policy does not encode: %v", err)
		}
	})
}
