package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

func mustParse(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc))
	require.NoError(t, err)
	return p
}

func TestMatched(t *testing.T) {
	const alice = "arn:aws:iam::123456789012:user/alice"
	id := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":"ec2:*","Resource":"*"},
		{"Sid":"B","Effect":"Allow","Action":"ec2:StopInstances","Resource":"*"},
		{"Sid":"C","Effect":"Allow","Action":"ec2:StartInstances","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Sid":"D","Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"},
		{"Sid":"E","Effect":"Deny","Action":"ec2:Terminate*","Resource":"*"}]}`)
	res := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"R","Effect":"Allow","Principal":{"AWS":"`+alice+`"},"Action":"s3:GetObject","Resource":"*"},
		{"Sid":"Acct","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:PutObject","Resource":"*"}]}`)
	ids := []policy.NamedPolicy{{Name: "id", Policy: id}}
	rp := &policy.NamedPolicy{Name: "bucket", Policy: res}
	tests := []struct {
		name     string
		action   string
		resource *policy.NamedPolicy
		decision policy.Decision
		sids     []string
	}{
		{"every allowing statement", "ec2:StopInstances", nil, policy.DecisionAllow, []string{"A", "B"}},
		{"condition not met leaves it out", "ec2:StartInstances", nil, policy.DecisionAllow, []string{"A"}},
		{"only denies for an explicit deny", "ec2:TerminateInstances", nil, policy.DecisionExplicitDeny, []string{"D", "E"}},
		{"implicit deny has none", "s3:GetObject", nil, policy.DecisionImplicitDeny, nil},
		{"resource policy naming the caller", "s3:GetObject", rp, policy.DecisionAllow, []string{"R"}},
		{"identity allow beats account delegation", "ec2:StopInstances", rp, policy.DecisionAllow, []string{"A", "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := policy.Request{Principal: alice, Action: tt.action, Resource: "*"}
			r, matched := policy.Matched(req, ids, tt.resource)
			assert.Equal(t, tt.decision, r.Decision)
			var sids []string
			for _, m := range matched {
				assert.Equal(t, tt.decision, m.Decision)
				sids = append(sids, m.Statement.Sid)
			}
			assert.Equal(t, tt.sids, sids)
			if r.Statement != nil {
				assert.Contains(t, sids, r.Statement.Sid, "the deciding statement is listed")
			}
		})
	}
}

func TestMatchedAccountDelegation(t *testing.T) {
	// A statement that decides only together with an identity allow is
	// still listed when it decides.
	trust := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"T","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)
	id := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"I","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	req := policy.Request{Principal: "arn:aws:iam::123456789012:user/bob", Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/r"}
	r, matched := policy.Matched(req, []policy.NamedPolicy{{Name: "id", Policy: id}}, &policy.NamedPolicy{Name: "trust", Policy: trust})
	require.Equal(t, policy.DecisionAllow, r.Decision)
	require.NotEmpty(t, matched)
	found := false
	for _, m := range matched {
		found = found || m.Statement == r.Statement
	}
	assert.True(t, found)
}

func TestCheckContextValues(t *testing.T) {
	tests := []struct {
		typ    string
		values []string
		ok     bool
	}{
		{"string", []string{"x"}, true},
		{"string", []string{"x", "y"}, false},
		{"stringList", []string{"x", "y"}, true},
		{"stringList", nil, true},
		{"numeric", []string{"3600"}, true},
		{"numeric", []string{"1.5e3"}, true},
		{"numeric", []string{"ten"}, false},
		{"numericList", []string{"1", "x"}, false},
		{"boolean", []string{"TRUE"}, true},
		{"boolean", []string{"yes"}, false},
		{"booleanList", []string{"true", "false"}, true},
		{"ip", []string{"10.0.0.1"}, true},
		{"ip", []string{"10.0.0.0/8"}, true},
		{"ip", []string{"2001:db8::/32"}, true},
		{"ip", []string{"10.0.0.300"}, false},
		{"ipList", []string{"10.0.0.1", "nope"}, false},
		{"date", []string{"2026-01-02T03:04:05Z"}, true},
		{"date", []string{"1767323045"}, true},
		{"date", []string{"yesterday"}, false},
		{"dateList", []string{"2026-01-02"}, true},
		{"binary", []string{"aGVsbG8="}, true},
		{"binary", []string{"not base64!"}, false},
		{"binaryList", []string{"aGVsbG8=", "d29ybGQ="}, true},
		{"integer", []string{"1"}, false},
		{"", []string{"1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+join(tt.values), func(t *testing.T) {
			err := policy.CheckContextValues("aws:Key", tt.typ, tt.values)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, policy.ErrInvalidContext)
			var ce *policy.ContextValueError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "aws:Key", ce.Key)
			assert.Contains(t, err.Error(), "aws:Key")
		})
	}
}

func join(v []string) string {
	out := ""
	for i, s := range v {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

func TestMissingContextKeys(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:StartInstances","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:username":"alice","ec2:ResourceTag/Team":"ops"}}},
		{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Effect":"Deny","Action":"ec2:*","Resource":"arn:aws:ec2:*:*:instance/*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`)
	tests := []struct {
		name      string
		principal string
		action    string
		resource  string
		context   map[string][]string
		want      []string
	}{
		{"keys of applying statements only", "arn:aws:iam::123456789012:user/alice", "ec2:StartInstances", "*", nil,
			[]string{"aws:MultiFactorAuthPresent", "ec2:ResourceTag/Team"}},
		{"supplied keys are not missing, whatever their case", "arn:aws:iam::123456789012:user/alice", "ec2:StartInstances", "*",
			map[string][]string{"AWS:multifactorauthpresent": {"true"}}, []string{"ec2:ResourceTag/Team"}},
		{"no principal: aws:username is missing too", "", "ec2:StartInstances", "*", nil,
			[]string{"aws:MultiFactorAuthPresent", "aws:username", "ec2:ResourceTag/Team"}},
		{"the resource decides which statements apply", "", "ec2:StopInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", nil,
			[]string{"aws:SourceIp", "aws:RequestedRegion"}},
		{"nothing applies", "", "s3:GetObject", "*", nil, nil},
		{"the root user", "arn:aws:iam::123456789012:root", "ec2:StopInstances", "*", nil, []string{"aws:SourceIp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := policy.Request{Principal: tt.principal, Action: tt.action, Resource: tt.resource, Context: tt.context}
			assert.Equal(t, tt.want, policy.MissingContextKeys(req, p))
		})
	}
}
