package delegate

import (
	"encoding/json"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/stretchr/testify/require"
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
		require.Equal(t, string(before), string(doc.CompactJSON()), "NewPlan modified its input")
		if err != nil {
			pe, ok := err.(*PlanError)
			require.True(t, ok, "error is not a *PlanError: %v", err)
			require.NotEmpty(t, pe.Problems, "a *PlanError without problems")
			return
		}
		b, err := p.JSON()
		require.NoError(t, err, "bundle")
		require.True(t, json.Valid(b), "bundle is not JSON")
		c, err := p.CloudFormation()
		require.NoError(t, err, "template")
		require.True(t, json.Valid(c), "template is not JSON")
		switch mode {
		case Runtime:
			require.Equal(t, "{{ AutomationAssumeRole }}", p.Document.AssumeRole, "runtime plan not wired")
			require.NotNil(t, p.PassRole, "runtime plan not wired")
		case Embedded:
			require.Equal(t, p.Role.ARN, p.Document.AssumeRole, "embedded plan not wired")
			require.Nil(t, p.PassRole, "embedded plan not wired")
		case Caller:
			require.Nil(t, p.Role, "caller plan with a role")
			require.LessOrEqual(t, p.MaxDuration, CallerSessionLimit, "caller plan past the session limit")
			require.False(t, p.Unbounded, "caller plan past the session limit")
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
		require.True(t, samePolicy(p, p), "a policy differs from itself")
		b, err := p.Compact()
		if err != nil {
			return
		}
		back, err := decodePolicyDocument(iamEncode(string(b)))
		require.NoError(t, err, "URL-encoded round trip")
		require.True(t, samePolicy(p, back), "round trip changed the grants")
		q, err := policy.Parse(b)
		require.NoError(t, err, "compact round trip")
		require.True(t, samePolicy(p, q), "compact round trip changed the grants")
	})
}
