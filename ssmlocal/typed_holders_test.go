package ssmlocal

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypedHolderPolicyHandlersOnTheWire: the inline and attached policy
// operations of users, roles and groups read the SDK's input types, keep
// each kind's order of name checks (a user's name before the policy's, a
// role's and a group's after it), and answer as they always did, with empty
// lists on the wire. The cases run in order, each on what the earlier ones
// made.
func TestTypedHolderPolicyHandlersOnTheWire(t *testing.T) {
	srv := startServer(t)
	trust := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	doc := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]}`)
	managed := "arn:aws:iam::123456789012:policy/Reader"
	q := func(body string) wireRequest { return wireRequest{body: body + "&Version=2010-05-08"} }
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
		wantBody []string
	}{
		{"CreateUser", q("Action=CreateUser&UserName=alice"), "", "", nil},
		{"CreateRole", q("Action=CreateRole&RoleName=runner&AssumeRolePolicyDocument=" + trust), "", "", nil},
		{"CreateGroup", q("Action=CreateGroup&GroupName=ops"), "", "", nil},
		{"CreatePolicy", q("Action=CreatePolicy&PolicyName=Reader&PolicyDocument=" + doc), "", "", nil},

		{"ListUserPolicies empty", q("Action=ListUserPolicies&UserName=alice"), "", "", []string{"<PolicyNames", "<IsTruncated>false</IsTruncated>"}},
		{"PutUserPolicy", q("Action=PutUserPolicy&UserName=alice&PolicyName=read&PolicyDocument=" + doc), "", "", nil},
		{"PutUserPolicy checks the user's name first", q("Action=PutUserPolicy&UserName=a%20b&PolicyName=a%20b&PolicyDocument=" + doc), "ValidationError", "at 'userName'", nil},
		{"PutUserPolicy without a document", q("Action=PutUserPolicy&UserName=alice&PolicyName=read"), "ValidationError", "at 'policyDocument'", nil},
		{"GetUserPolicy", q("Action=GetUserPolicy&UserName=alice&PolicyName=read"), "", "", []string{"<UserName>alice</UserName>", "<PolicyName>read</PolicyName>", "<PolicyDocument>%7B%22Version%22"}},
		{"GetUserPolicy unknown", q("Action=GetUserPolicy&UserName=alice&PolicyName=other"), "NoSuchEntity", "The user policy with name other cannot be found.", nil},
		{"ListUserPolicies", q("Action=ListUserPolicies&UserName=alice"), "", "", []string{"<member>read</member>"}},
		{"DeleteUserPolicy", q("Action=DeleteUserPolicy&UserName=alice&PolicyName=read"), "", "", nil},
		{"DeleteUserPolicy again", q("Action=DeleteUserPolicy&UserName=alice&PolicyName=read"), "NoSuchEntity", "The user policy with name read cannot be found.", nil},

		{"PutRolePolicy checks the policy's name first", q("Action=PutRolePolicy&RoleName=a%20b&PolicyName=a%20b&PolicyDocument=" + doc), "ValidationError", "at 'policyName'", nil},
		{"PutRolePolicy", q("Action=PutRolePolicy&RoleName=runner&PolicyName=read&PolicyDocument=" + doc), "", "", nil},
		{"GetRolePolicy", q("Action=GetRolePolicy&RoleName=runner&PolicyName=read"), "", "", []string{"<RoleName>runner</RoleName>", "<PolicyName>read</PolicyName>"}},
		{"GetRolePolicy unknown role", q("Action=GetRolePolicy&RoleName=nobody&PolicyName=read"), "NoSuchEntity", "The role with name nobody cannot be found.", nil},
		{"ListRolePolicies", q("Action=ListRolePolicies&RoleName=runner"), "", "", []string{"<member>read</member>"}},
		{"DeleteRolePolicy", q("Action=DeleteRolePolicy&RoleName=runner&PolicyName=read"), "", "", nil},

		{"PutGroupPolicy checks the policy's name first", q("Action=PutGroupPolicy&GroupName=a%20b&PolicyName=a%20b&PolicyDocument=" + doc), "ValidationError", "at 'policyName'", nil},
		{"PutGroupPolicy", q("Action=PutGroupPolicy&GroupName=ops&PolicyName=read&PolicyDocument=" + doc), "", "", nil},
		{"ListGroupPolicies", q("Action=ListGroupPolicies&GroupName=ops"), "", "", []string{"<member>read</member>"}},
		{"DeleteGroupPolicy", q("Action=DeleteGroupPolicy&GroupName=ops&PolicyName=read"), "", "", nil},

		{"ListAttachedUserPolicies empty", q("Action=ListAttachedUserPolicies&UserName=alice"), "", "", []string{"<AttachedPolicies", "<IsTruncated>false</IsTruncated>"}},
		{"AttachUserPolicy", q("Action=AttachUserPolicy&UserName=alice&PolicyArn=" + managed), "", "", nil},
		{"AttachUserPolicy unknown policy", q("Action=AttachUserPolicy&UserName=alice&PolicyArn=arn:aws:iam::123456789012:policy/Nothing"), "NoSuchEntity", "does not exist or is not attachable", nil},
		{"AttachRolePolicy", q("Action=AttachRolePolicy&RoleName=runner&PolicyArn=" + managed), "", "", nil},
		{"AttachGroupPolicy", q("Action=AttachGroupPolicy&GroupName=ops&PolicyArn=" + managed), "", "", nil},
		{"ListAttachedRolePolicies", q("Action=ListAttachedRolePolicies&RoleName=runner"), "", "", []string{"<PolicyName>Reader</PolicyName>", "<PolicyArn>" + managed + "</PolicyArn>"}},
		{"ListAttachedGroupPolicies", q("Action=ListAttachedGroupPolicies&GroupName=ops"), "", "", []string{"<PolicyName>Reader</PolicyName>"}},
		{"GetPolicy counts the attachments", q("Action=GetPolicy&PolicyArn=" + managed), "", "", []string{"<AttachmentCount>3</AttachmentCount>"}},
		{"DetachUserPolicy", q("Action=DetachUserPolicy&UserName=alice&PolicyArn=" + managed), "", "", nil},
		{"DetachUserPolicy again", q("Action=DetachUserPolicy&UserName=alice&PolicyArn=" + managed), "NoSuchEntity", "Policy " + managed + " was not found.", nil},
		{"DetachRolePolicy", q("Action=DetachRolePolicy&RoleName=runner&PolicyArn=" + managed), "", "", nil},
		{"DetachGroupPolicy", q("Action=DetachGroupPolicy&GroupName=ops&PolicyArn=" + managed), "", "", nil},
		{"GetPolicy counts the detachments", q("Action=GetPolicy&PolicyArn=" + managed), "", "", []string{"<AttachmentCount>0</AttachmentCount>"}},
		{"DetachGroupPolicy unknown group", q("Action=DetachGroupPolicy&GroupName=nobody&PolicyArn=" + managed), "NoSuchEntity", "The group with name nobody cannot be found.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, send(t, srv, tt.req), tt.wantCode, tt.wantMsg, tt.wantBody)
		})
	}
}

// TestTypedAccountDetailsOnTheWire: GetAccountAuthorizationDetails reads
// the SDK's input type and answers as it always has: every list present,
// a role's entry with its MaxSessionDuration, a Marker only when the page
// is cut.
func TestTypedAccountDetailsOnTheWire(t *testing.T) {
	srv := startServer(t)
	trust := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	q := func(body string) wireRequest { return wireRequest{body: body + "&Version=2010-05-08"} }
	for _, body := range []string{"Action=CreateRole&RoleName=runner&AssumeRolePolicyDocument=" + trust, "Action=CreateRole&RoleName=walker&AssumeRolePolicyDocument=" + trust} {
		got := send(t, srv, q(body))
		require.Equal(t, http.StatusOK, got.status, got.raw)
	}
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
		wantBody []string
		notBody  []string
	}{
		{"roles only", q("Action=GetAccountAuthorizationDetails&Filter.member.1=Role"), "", "", []string{
			"<GroupDetailList></GroupDetailList>", "<Policies></Policies>", "<UserDetailList></UserDetailList>",
			"<RoleName>runner</RoleName>", "<RoleName>walker</RoleName>", "<MaxSessionDuration>3600</MaxSessionDuration>",
			"<RolePolicyList></RolePolicyList>", "<InstanceProfileList></InstanceProfileList>", "<IsTruncated>false</IsTruncated>",
		}, []string{"<Marker>"}},
		{"a page of one", q("Action=GetAccountAuthorizationDetails&Filter.member.1=Role&MaxItems=1"), "", "", []string{
			"<RoleName>runner</RoleName>", "<IsTruncated>true</IsTruncated>", "<Marker>",
		}, []string{"<RoleName>walker</RoleName>"}},
		{"bad filter", q("Action=GetAccountAuthorizationDetails&Filter.member.1=Bucket"), "ValidationError", "at 'filter'", nil, nil},
		{"text for MaxItems", q("Action=GetAccountAuthorizationDetails&MaxItems=ten"), "SerializationException", `member MaxItems: expected an integer, got "ten"`, nil, nil},
		{"zero MaxItems", q("Action=GetAccountAuthorizationDetails&MaxItems=0"), "ValidationError", "at 'maxItems'", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, tt.req)
			if tt.wantCode == "" {
				require.Equal(t, http.StatusOK, got.status, got.raw)
				for _, w := range tt.wantBody {
					assert.Contains(t, got.raw, w)
				}
				for _, w := range tt.notBody {
					assert.NotContains(t, got.raw, w)
				}
				return
			}
			assert.Equal(t, tt.wantCode, got.code, got.raw)
			assert.Contains(t, got.msg, tt.wantMsg)
		})
	}
}
