package ssmlocal

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypedSSMMembers: the document, tag and sharing operations report a
// member of the wrong type as the SerializationException naming it,
// before any validation error, and serve members of the right type.
func TestTypedSSMMembers(t *testing.T) {
	srv := startServer(t)
	trust := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)
	created := send(t, srv, wireRequest{body: "Action=CreateRole&Version=2010-05-08&RoleName=Typed&AssumeRolePolicyDocument=" + trust})
	require.Equal(t, http.StatusOK, created.status, created.raw)
	ssmReq := func(op, body string) wireRequest {
		return wireRequest{service: "ssm", target: "AmazonSSM." + op, body: body}
	}
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
	}{
		{"boolean for a name", ssmReq("GetDocument", `{"Name":true}`), "SerializationException", "member Name: expected a string, got bool"},
		{"bad content before a bad name", ssmReq("CreateDocument", `{"Name":"a b","Content":{}}`), "SerializationException", "member Content: expected a string"},
		{"string for tags", ssmReq("AddTagsToResource", `{"ResourceType":"Document","ResourceId":"x","Tags":"x"}`), "SerializationException", "member Tags: expected a list of structures, got string"},
		{"number for a tag key", ssmReq("AddTagsToResource", `{"ResourceType":"Document","ResourceId":"x","Tags":[{"Key":true}]}`), "SerializationException", "member Key: expected a string, got bool"},
		{"text for MaxResults", ssmReq("ListDocuments", `{"MaxResults":"ten"}`), "SerializationException", `member MaxResults: expected an integer, got "ten"`},
		{"MaxResults past int32", ssmReq("ListDocumentVersions", `{"Name":"x-y","MaxResults":4294967296}`), "SerializationException", "out of range"},
		{"object for an account list", ssmReq("ModifyDocumentPermission", `{"Name":"x-y","PermissionType":"Share","AccountIdsToAdd":{}}`), "SerializationException", "member AccountIdsToAdd: expected a list of strings"},
		{"boolean for Force", ssmReq("DeleteDocument", `{"Name":"x-y","Force":"yes"}`), "SerializationException", `member Force: expected a boolean, got "yes"`},
		{"legacy filter of the wrong type", ssmReq("ListDocuments", `{"DocumentFilterList":[{"key":"Owner","value":7}]}`), "", ""},
		{"one string for a key list", ssmReq("RemoveTagsFromResource", `{"ResourceType":"Document","ResourceId":"AWS-StopEC2Instance","TagKeys":"a"}`), "InvalidResourceId", "AWS-StopEC2Instance"},
		{"sts: text for DurationSeconds", wireRequest{service: "sts", body: "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/Typed&RoleSessionName=s&DurationSeconds=ten"}, "SerializationException", `member DurationSeconds: expected an integer, got "ten"`},
		{"sts: DurationSeconds past int32", wireRequest{service: "sts", body: "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/Typed&RoleSessionName=s&DurationSeconds=4294967296"}, "SerializationException", "out of range"},
		{"sts: assume", wireRequest{service: "sts", body: "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/Typed&RoleSessionName=s1&DurationSeconds=900"}, "", ""},
		{"sts: caller", wireRequest{service: "sts", body: "Action=GetCallerIdentity&Version=2011-06-15"}, "", ""},
		{"iam: text for MaxItems", wireRequest{body: "Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=s3:GetObject&MaxItems=ten"}, "SerializationException", `member MaxItems: expected an integer, got "ten"`},
		{"iam: MaxItems past int32", wireRequest{body: "Action=SimulatePrincipalPolicy&Version=2010-05-08&PolicySourceArn=arn:aws:iam::123456789012:role/Typed&ActionNames.member.1=s3:GetObject&MaxItems=4294967296"}, "SerializationException", "out of range"},
		{"iam: one action as a string", wireRequest{body: "Action=SimulatePrincipalPolicy&Version=2010-05-08&PolicySourceArn=arn:aws:iam::123456789012:role/Typed&ActionNames=s3:GetObject"}, "", ""},
		{"text for ReverseOrder", ssmReq("DescribeAutomationStepExecutions", `{"AutomationExecutionId":"00000000-0000-0000-0000-000000000000","ReverseOrder":"x"}`), "SerializationException", `member ReverseOrder: expected a boolean, got "x"`},
		{"list for a signal payload", ssmReq("SendAutomationSignal", `{"AutomationExecutionId":"00000000-0000-0000-0000-000000000000","SignalType":"Approve","Payload":[]}`), "SerializationException", "member Payload: expected a map"},
		{"zero MaxResults is no limit", ssmReq("DescribeDocumentPermission", `{"Name":"AWS-StopEC2Instance","PermissionType":"Share","MaxResults":0}`), "InvalidDocument", "owned by Amazon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, tt.req)
			if tt.wantCode == "" {
				require.Equal(t, http.StatusOK, got.status, got.raw)
				return
			}
			assert.Equal(t, tt.wantCode, got.code, got.raw)
			assert.Contains(t, got.msg, tt.wantMsg)
		})
	}
}

// TestLegacyDocFilterKeys: DocumentFilterList's lower-case members are
// read as the SDK's fields, the lower-case spelling first, without
// changing the request's own elements.
func TestLegacyDocFilterKeys(t *testing.T) {
	elem := map[string]any{"key": "Name", "value": "Wire", "Key": "Owner"}
	in := map[string]any{"DocumentFilterList": []any{elem, map[string]any{"Key": "Owner", "Value": "Self"}, "odd"}}
	legacyDocFilterKeys(in)
	assert.Equal(t, []any{map[string]any{"Key": "Name", "Value": "Wire"}, map[string]any{"Key": "Owner", "Value": "Self"}, "odd"}, in["DocumentFilterList"])
	assert.Equal(t, map[string]any{"key": "Name", "value": "Wire", "Key": "Owner"}, elem)

	other := map[string]any{"DocumentFilterList": "x"}
	legacyDocFilterKeys(other)
	assert.Equal(t, "x", other["DocumentFilterList"])
}

// TestAuthOnShapeListifies: StartAutomationExecution's target reads the
// input as its handler does, scalar parameters as lists, so the members
// after Parameters (Tags) still reach the authorization context; the
// request's shape is left as it was.
func TestAuthOnShapeListifies(t *testing.T) {
	var got *ssm.StartAutomationExecutionInput
	spec := authOnShape("ssm:StartAutomationExecution", listifyParameters, func(_ *Server, _ *call, in *ssm.StartAutomationExecutionInput) []authTarget {
		got = in
		return on("*", nil)
	})
	params := map[string]any{"Count": float64(3), "Names": []any{"a"}}
	shape := map[string]any{"DocumentName": "Doc", "Parameters": params, "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}}
	spec.targets(nil, nil, shape)
	require.NotNil(t, got)
	assert.Equal(t, map[string][]string{"Count": {"3"}, "Names": {"a"}}, got.Parameters)
	require.Len(t, got.Tags, 1)
	assert.Equal(t, "k", *got.Tags[0].Key)
	assert.Equal(t, map[string]any{"Count": float64(3), "Names": []any{"a"}}, shape["Parameters"])
}

// TestListify: the loose values steps pass become string lists, including
// aws:executeAutomation's map of string lists; other members are left.
func TestListify(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"scalars", map[string]any{"a": "x", "b": true, "c": float64(2)}, map[string]any{"a": []any{"x"}, "b": []any{"true"}, "c": []any{"2"}}},
		{"string lists", map[string][]string{"a": {"x", "y"}}, map[string]any{"a": []string{"x", "y"}}},
		{"not a map", "x", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"Parameters": tt.in}
			listifyParameters(in)
			assert.Equal(t, tt.want, in["Parameters"])
		})
	}
}
