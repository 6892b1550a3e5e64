package delegate

import (
	"encoding/json"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func FuzzNewPlan(f *testing.F) {
	seeds := []string{
		`{"schemaVersion":"0.3","mainSteps":[{"name":"s","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`,
		`{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}","parameters":{"AutomationAssumeRole":{"type":"StringList"}},"mainSteps":[{"name":"p","action":"aws:pause","inputs":{}}]}`,
		`{"schemaVersion":"0.3","assumeRole":"arn:aws:iam::123456789012:role/R","parameters":{"InstanceId":{"type":"StringList"}},"mainSteps":[{"name":"stop","action":"aws:changeInstanceState","inputs":{"InstanceIds":"{{ InstanceId }}","DesiredState":"stopped"}}]}`,
		`{"schemaVersion":"0.3","assumeRole":"{{ Role }}","parameters":{"Role":{"type":"String","default":""}},"mainSteps":[{"name":"x","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeInstances"}}]}`,
	}
	for _, s := range seeds {
		for m := range 3 {
			f.Add([]byte(s), uint8(m), false)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, m uint8, existing bool) {
		doc, err := runbook.Parse(data)
		if err != nil {
			return
		}
		mode := Modes()[int(m)%3]
		src := NewDocument("Fuzz-Doc", doc)
		if existing {
			src = ExistingDocument("Fuzz-Doc", doc)
		}
		before := doc.CompactJSON()
		p, err := NewPlan(src, mode, testAccount, testRegion)
		if string(doc.CompactJSON()) != string(before) {
			t.Fatal("NewPlan modified its input")
		}
		if err != nil {
			if pe, ok := err.(*PlanError); !ok || len(pe.Problems) == 0 {
				t.Fatalf("error is not a *PlanError with problems: %v", err)
			}
			return
		}
		b, err := p.JSON()
		if err != nil || !json.Valid(b) {
			t.Fatalf("bundle: %v", err)
		}
		c, err := p.CloudFormation()
		if err != nil || !json.Valid(c) {
			t.Fatalf("template: %v", err)
		}
		switch mode {
		case Runtime:
			if p.Document.AssumeRole != "{{ AutomationAssumeRole }}" || p.PassRole == nil {
				t.Fatalf("runtime plan not wired: %q", p.Document.AssumeRole)
			}
		case Embedded:
			if p.Document.AssumeRole != p.Role.ARN || p.PassRole != nil {
				t.Fatalf("embedded plan not wired: %q", p.Document.AssumeRole)
			}
		case Caller:
			if p.Role != nil || p.MaxDuration > CallerSessionLimit || p.Unbounded {
				t.Fatal("caller plan past the session limit")
			}
		}
	})
}

func FuzzDecodePolicyDocument(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	f.Add(iamEncode(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}}`))
	f.Add(`%7B%22Version%22`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodePolicyDocument(s)
		if err != nil {
			return
		}
		if !samePolicy(p, p) {
			t.Fatal("a policy differs from itself")
		}
		b, err := p.Compact()
		if err != nil {
			return
		}
		back, err := decodePolicyDocument(iamEncode(string(b)))
		if err != nil {
			t.Fatalf("URL-encoded round trip: %v", err)
		}
		if !samePolicy(p, back) {
			t.Fatal("round trip changed the grants")
		}
		if q, err := policy.Parse(b); err != nil || !samePolicy(p, q) {
			t.Fatalf("compact round trip: %v", err)
		}
	})
}
