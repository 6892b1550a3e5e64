package ssmlocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTargetsReadEachMemberAlone: an authorization target reads each of
// its members on its own, so a member the operation does not have, sent
// with the wrong type, cannot blank the members the decision rests on: a
// Deny on iam:PolicyARN or on a request tag still applies.
func TestTargetsReadEachMemberAlone(t *testing.T) {
	srv := startServer(t)
	q := func(body string) wireRequest { return wireRequest{body: body + "&Version=2010-05-08"} }
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]}`
	for _, body := range []string{"Action=CreateUser&UserName=bob", "Action=CreatePolicy&PolicyName=Admin&PolicyDocument=" + doc} {
		got := send(t, srv, q(body))
		require.Equal(t, http.StatusOK, got.status, got.raw)
	}
	creds := keyedIAMUser(t, srv, "operator", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:AttachUserPolicy","iam:CreateUser","iam:CreatePolicy"],"Resource":"*"},
		{"Effect":"Deny","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::123456789012:policy/Admin"}}},
		{"Effect":"Deny","Action":["iam:CreateUser","iam:CreatePolicy"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"root"}}}]}`)
	tests := []struct {
		name, body string
	}{
		{"attach", "Action=AttachUserPolicy&UserName=bob&PolicyArn=arn:aws:iam::123456789012:policy/Admin"},
		{"attach with a stray list", "Action=AttachUserPolicy&UserName=bob&RoleName.member.1=x&GroupName.member.1=x&PolicyArn=arn:aws:iam::123456789012:policy/Admin"},
		{"create with a stray list", "Action=CreateUser&UserName=eve&RoleName.member.1=x&PolicyName.member.1=x&Path=/&Tags.member.1.Key=team&Tags.member.1.Value=root"},
		{"create policy with a stray list", "Action=CreatePolicy&PolicyName=P2&UserName.member.1=x&PolicyDocument=" + doc + "&Tags.member.1.Key=team&Tags.member.1.Value=root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, wireRequest{body: tt.body + "&Version=2010-05-08", creds: creds})
			assert.Equal(t, "AccessDenied", got.code, got.raw)
		})
	}
}
