package policy

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForRunbookS3ResourceAccount(t *testing.T) {
	api := func(inputs string) string {
		return `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"s3",` + inputs + `}}]`
	}
	const role = "arn:aws:sts::111122223333:assumed-role/automation/s"
	tests := []struct {
		name     string
		scope    Scope
		steps    string
		action   string
		resource string // the bucket or object ARN granted
		cond     bool   // aws:ResourceAccount expected
	}{
		{name: "object read", scope: testScope, steps: api(`"Api":"GetObject","Bucket":"logs","Key":"a.txt"`),
			action: "s3:GetObject", resource: "arn:aws:s3:::logs/a.txt", cond: true},
		{name: "bucket policy", scope: testScope, steps: api(`"Api":"PutBucketPolicy","Bucket":"logs","Policy":"{}"`),
			action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::logs", cond: true},
		{name: "account a wildcard", scope: Scope{Region: "us-east-1", Account: "*"}, steps: api(`"Api":"GetObject","Bucket":"logs","Key":"a.txt"`),
			action: "s3:GetObject", resource: "arn:aws:s3:::logs/a.txt"},
		{name: "account unknown", scope: Scope{Region: "us-east-1"}, steps: api(`"Api":"GetObject","Bucket":"logs","Key":"a.txt"`),
			action: "s3:GetObject", resource: "arn:aws:s3:::logs/a.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, "", tt.steps), tt.scope)
			require.NoError(t, err)
			assertCatalogActions(t, d)
			var conds []Conditions
			for _, st := range d.Policy.Statement {
				if slices.Contains(st.Action.Values, tt.action) {
					assert.Equal(t, []string{tt.resource}, st.Resource.Values)
					conds = append(conds, st.Condition)
				}
			}
			require.Len(t, conds, 1)
			identity := []NamedPolicy{{Name: "derived", Policy: d.Policy}}
			// The evaluator takes aws:ResourceAccount from the context, as
			// the request's caller would supply it.
			req := func(account string) Request {
				return Request{Principal: role, Action: tt.action, Resource: tt.resource, ResourceAccount: account,
					Context: map[string][]string{"aws:ResourceAccount": {account}}}
			}
			own := Evaluate(req("111122223333"), identity, nil)
			assert.True(t, own.Allowed(), "the scope's own bucket")
			// Another account's bucket of the same name whose bucket policy
			// lets the role in: only the identity policy can keep it out.
			open := &Policy{Version: Version2012, Statement: []Statement{{Effect: Allow,
				Principal: &Principal{AWS: One(role)}, Action: One(tt.action), Resource: One(tt.resource)}}}
			other := Evaluate(req("444455556666"), identity, &NamedPolicy{Name: "bucket policy", Policy: open})
			if !tt.cond {
				assert.Empty(t, conds[0])
				assert.True(t, other.Allowed())
				return
			}
			assert.Equal(t, Conditions{}.Add("StringEquals", "aws:ResourceAccount", Values("111122223333")), conds[0])
			assert.False(t, other.Allowed(), "another account's bucket of the same name")
		})
	}

	t.Run("bucket and non-bucket resources split", func(t *testing.T) {
		d, err := ForRunbook(runbookJSON(t, "", api(`"Api":"ListBuckets"`)), testScope)
		require.NoError(t, err)
		for _, st := range d.Policy.Statement {
			if slices.Contains(st.Action.Values, "s3:ListAllMyBuckets") {
				assert.Empty(t, st.Condition, "ListAllMyBuckets on * names no bucket")
			}
		}
	})
}

func TestIsBucketARN(t *testing.T) {
	for _, r := range []string{"arn:aws:s3:::b", "arn:aws:s3:::b/k", "arn:aws-cn:s3:::b/*", "arn:aws:s3:us-east-1:111122223333:accesspoint/a",
		"arn:aws:s3:::", "arn::s3:::b", "arn:aws:s3::111122223333:b", "arn:aws:ec2:::b", "*", "s3:::b", "arn:aws"} {
		t.Run(r, func(t *testing.T) {
			a, err := ParseARN(r)
			want := err == nil && a.Service == "s3" && a.Region == "" && a.Account == ""
			assert.Equal(t, want, isBucketARN(r))
		})
	}
}
