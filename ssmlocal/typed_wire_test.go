package ssmlocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypedHandlersOnTheWire: members of the wrong type reach the typed
// handlers' decoder and come back as the SerializationException that
// names the member, over both the JSON and the query protocol; members of
// the right type, spelled as each protocol spells them, are served.
func TestTypedHandlersOnTheWire(t *testing.T) {
	srv := startServer(t)
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
	}{
		{"ssm: boolean for a name", wireRequest{service: "ssm", target: "AmazonSSM.GetParameter", body: `{"Name":true}`}, "SerializationException", "member Name: expected a string, got bool"},
		{"ssm: object for a boolean", wireRequest{service: "ssm", target: "AmazonSSM.PutParameter", body: `{"Name":"/a","Value":"v","Type":"String","Overwrite":{}}`}, "SerializationException", "member Overwrite: expected a boolean, got map[string]interface {}"},
		{"ssm: fraction for MaxResults", wireRequest{service: "ssm", target: "AmazonSSM.DescribeParameters", body: `{"MaxResults":1.5}`}, "SerializationException", "member MaxResults: expected an integer, got 1.5"},
		{"ssm: string for a filter list", wireRequest{service: "ssm", target: "AmazonSSM.DescribeParameters", body: `{"ParameterFilters":"x"}`}, "SerializationException", "member ParameterFilters: expected a list of structures, got string"},
		{"ssm: MaxResults out of range", wireRequest{service: "ssm", target: "AmazonSSM.DescribeParameters", body: `{"MaxResults":51}`}, "ValidationException", "Member must have value less than or equal to 50"},
		{"iam: text for MaxItems", wireRequest{body: "Action=ListRoles&Version=2010-05-08&MaxItems=ten"}, "SerializationException", `member MaxItems: expected an integer, got "ten"`},
		{"iam: MaxItems past int32", wireRequest{body: "Action=ListUsers&Version=2010-05-08&MaxItems=4294967296"}, "SerializationException", "member MaxItems: expected an integer, got 4294967296, out of range"},
		{"iam: bad path prefix", wireRequest{body: "Action=ListInstanceProfiles&Version=2010-05-08&PathPrefix=x"}, "ValidationError", "at 'pathPrefix'"},
		{"iam: unknown group", wireRequest{body: "Action=GetGroup&Version=2010-05-08&GroupName=nobody"}, "NoSuchEntity", "The group with name nobody cannot be found."},
		{"iam: query MaxItems", wireRequest{body: "Action=ListGroups&Version=2010-05-08&MaxItems=2"}, "", ""},
		{"ssm: JSON MaxResults", wireRequest{service: "ssm", target: "AmazonSSM.DescribeParameters", body: `{"MaxResults":5}`}, "", ""},
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
