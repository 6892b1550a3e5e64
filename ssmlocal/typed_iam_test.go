package ssmlocal

import (
	"net/url"
	"testing"
)

// TestTypedIAMHandlersOnTheWire: the user, role and managed policy
// handlers read their members through the typed decoder, so a member of
// the wrong type is the SerializationException naming it, while members
// of the right type are served with the responses they always had. The
// cases run in order, each on the entities the earlier ones created.
func TestTypedIAMHandlersOnTheWire(t *testing.T) {
	srv := startServer(t)
	trust := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	doc := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]}`)
	q := func(body string) wireRequest { return wireRequest{body: body + "&Version=2010-05-08"} }
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
		wantBody []string
	}{
		{"CreateUser", q("Action=CreateUser&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=ops"), "", "", []string{"<UserName>alice</UserName>", "<Key>team</Key>"}},
		{"CreateUser bad name", q("Action=CreateUser&UserName=a%20b"), "ValidationError", "at 'userName'", nil},
		{"GetUser", q("Action=GetUser&UserName=alice"), "", "", []string{"<UserName>alice</UserName>"}},
		{"CreateAccessKey", q("Action=CreateAccessKey&UserName=alice"), "", "", []string{"<Status>Active</Status>", "<SecretAccessKey>"}},
		{"CreateRole", q("Action=CreateRole&RoleName=runner&AssumeRolePolicyDocument=" + trust), "", "", []string{"<RoleName>runner</RoleName>", "<MaxSessionDuration>3600</MaxSessionDuration>"}},
		{"CreateRole text for MaxSessionDuration", q("Action=CreateRole&RoleName=r2&MaxSessionDuration=long&AssumeRolePolicyDocument=" + trust), "SerializationException", `member MaxSessionDuration: expected an integer, got "long"`, nil},
		{"CreateRole short MaxSessionDuration", q("Action=CreateRole&RoleName=r2&MaxSessionDuration=60&AssumeRolePolicyDocument=" + trust), "ValidationError", "Value '60' at 'maxSessionDuration'", nil},
		{"GetRole unknown", q("Action=GetRole&RoleName=nobody"), "NoSuchEntity", "The role with name nobody cannot be found.", nil},
		{"UpdateAssumeRolePolicy", q("Action=UpdateAssumeRolePolicy&RoleName=runner&PolicyDocument=" + trust), "", "", nil},
		{"CreatePolicy", q("Action=CreatePolicy&PolicyName=Reader&PolicyDocument=" + doc), "", "", []string{"<PolicyName>Reader</PolicyName>", "<DefaultVersionId>v1</DefaultVersionId>"}},
		{"CreatePolicyVersion text for SetAsDefault", q("Action=CreatePolicyVersion&PolicyArn=arn:aws:iam::123456789012:policy/Reader&SetAsDefault=maybe&PolicyDocument=" + doc), "SerializationException", `member SetAsDefault: expected a boolean, got "maybe"`, nil},
		{"GetPolicyVersion bad id", q("Action=GetPolicyVersion&PolicyArn=arn:aws:iam::123456789012:policy/Reader&VersionId=1"), "ValidationError", "at 'versionId'", nil},
		{"ListEntitiesForPolicy lists every kind, even when empty", q("Action=ListEntitiesForPolicy&PolicyArn=arn:aws:iam::123456789012:policy/Reader"), "", "", []string{"<PolicyGroups", "<PolicyUsers", "<PolicyRoles", "<IsTruncated>false</IsTruncated>"}},
		{"ListEntitiesForPolicy bad filter", q("Action=ListEntitiesForPolicy&PolicyArn=arn:aws:iam::123456789012:policy/Reader&EntityFilter=Nobody"), "ValidationError", "at 'entityFilter'", nil},
		{"ListEntitiesForPolicy text for MaxItems", q("Action=ListEntitiesForPolicy&PolicyArn=arn:aws:iam::123456789012:policy/Reader&MaxItems=ten"), "SerializationException", `member MaxItems: expected an integer, got "ten"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, send(t, srv, tt.req), tt.wantCode, tt.wantMsg, tt.wantBody)
		})
	}
}
