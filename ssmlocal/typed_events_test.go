package ssmlocal

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyedIAMUser makes a user with one inline policy and returns its key.
func keyedIAMUser(t *testing.T, srv *Server, name, doc string) *aws.Credentials {
	t.Helper()
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AdminConfig())
	_, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	require.NoError(t, err)
	_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	require.NoError(t, err)
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	require.NoError(t, err)
	return &aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}
}

// TestTypedEventBridgeHandlersOnTheWire: the rule and target operations
// read the SDK's input types, so a member of the wrong type is the
// SerializationException naming it, and well-typed requests are answered
// as before, empty lists included. The cases run in order.
func TestTypedEventBridgeHandlersOnTheWire(t *testing.T) {
	srv := startServer(t)
	ev := func(op, body string) wireRequest {
		return wireRequest{service: "events", target: "AWSEvents." + op, body: body}
	}
	queue := "arn:aws:sqs:us-east-1:123456789012:q"
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
		wantBody []string
	}{
		{"PutRule", ev("PutRule", `{"Name":"r1","EventPattern":"{\"source\":[\"aws.ssm\"]}"}`), "", "", []string{`"RuleArn":"arn:aws:events:us-east-1:123456789012:rule/r1"`}},
		{"PutRule boolean for Name", ev("PutRule", `{"Name":true,"EventPattern":"{}"}`), "SerializationException", "member Name: expected a string", nil},
		{"PutRule bad state", ev("PutRule", `{"Name":"r2","EventPattern":"{\"source\":[\"a\"]}","State":"ON"}`), "ValidationException", "Value 'ON' at 'state'", nil},
		{"PutRule other bus", ev("PutRule", `{"Name":"r2","EventPattern":"{\"source\":[\"a\"]}","EventBusName":"mine"}`), "ResourceNotFoundException", "Event bus mine does not exist.", nil},
		{"DescribeRule", ev("DescribeRule", `{"Name":"r1"}`), "", "", []string{`"State":"ENABLED"`, `"CreatedBy":"123456789012"`, `"EventBusName":"default"`}},
		{"DescribeRule unknown", ev("DescribeRule", `{"Name":"nope"}`), "ResourceNotFoundException", "Rule nope does not exist on EventBus default.", nil},
		{"ListRules text for Limit", ev("ListRules", `{"Limit":"ten"}`), "SerializationException", `member Limit: expected an integer, got "ten"`, nil},
		{"ListRules zero Limit", ev("ListRules", `{"Limit":0}`), "ValidationException", "Value '0' at 'limit'", nil},
		{"ListRules", ev("ListRules", `{}`), "", "", []string{`"Name":"r1"`}},
		{"ListTargetsByRule none", ev("ListTargetsByRule", `{"Rule":"r1"}`), "", "", []string{`"Targets":[]`}},
		{"PutTargets list for Targets", ev("PutTargets", `{"Rule":"r1","Targets":{"Id":"q"}}`), "SerializationException", "member Targets", nil},
		{"PutTargets none", ev("PutTargets", `{"Rule":"r1","Targets":[]}`), "ValidationException", "at 'targets'", nil},
		{"PutTargets", ev("PutTargets", `{"Rule":"r1","Targets":[{"Id":"q","Arn":"`+queue+`"},{"Id":"in","Arn":"`+queue+`","Input":""}]}`), "", "", []string{`"FailedEntryCount":1`, `"TargetId":"in"`}},
		{"ListTargetsByRule", ev("ListTargetsByRule", `{"Rule":"r1"}`), "", "", []string{`"Targets":[{"Arn":"` + queue + `","Id":"q"}]`}},
		{"RemoveTargets number for an id", ev("RemoveTargets", `{"Rule":"r1","Ids":[1]}`), "SerializationException", "member Ids", nil},
		{"RemoveTargets", ev("RemoveTargets", `{"Rule":"r1","Ids":["q"]}`), "", "", []string{`"FailedEntryCount":0`, `"FailedEntries":[]`}},
		{"DeleteRule", ev("DeleteRule", `{"Name":"r1"}`), "", "", nil},
		{"DeleteRule missing", ev("DeleteRule", `{"Name":"r1"}`), "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, send(t, srv, tt.req), tt.wantCode, tt.wantMsg, tt.wantBody)
		})
	}
}

// TestEventBridgeAuthorizesTheRuleActedOn: a target operation is
// authorized on the rule its Rule member names, never on a Name member
// the operation does not have, so a stray Name cannot borrow another
// rule's permission.
func TestEventBridgeAuthorizesTheRuleActedOn(t *testing.T) {
	srv := startServer(t)
	for _, n := range []string{"mine-1", "theirs"} {
		got := send(t, srv, wireRequest{service: "events", target: "AWSEvents.PutRule", body: `{"Name":"` + n + `","EventPattern":"{\"source\":[\"aws.ssm\"]}"}`})
		require.Equal(t, http.StatusOK, got.status, got.raw)
	}
	creds := keyedIAMUser(t, srv, "owner", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["events:PutTargets","events:ListTargetsByRule"],"Resource":"arn:aws:events:us-east-1:123456789012:rule/mine-*"}]}`)
	tests := []struct {
		name, op, body string
		allowed        bool
	}{
		{"own rule", "ListTargetsByRule", `{"Rule":"mine-1"}`, true},
		{"other rule", "ListTargetsByRule", `{"Rule":"theirs"}`, false},
		{"other rule with a stray Name", "ListTargetsByRule", `{"Rule":"theirs","Name":"mine-1"}`, false},
		{"targets on another rule with a stray Name", "PutTargets", `{"Rule":"theirs","Name":"mine-1","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:123456789012:q"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, wireRequest{service: "events", target: "AWSEvents." + tt.op, body: tt.body, creds: creds})
			if tt.allowed {
				assert.Equal(t, http.StatusOK, got.status, got.raw)
				return
			}
			assert.Equal(t, "AccessDeniedException", got.code, got.raw)
		})
	}
}
