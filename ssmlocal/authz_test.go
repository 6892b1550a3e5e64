package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// napDoc is a runbook that runs without a role and changes nothing.
const napDoc = `{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`

// TestStartAuthorizedOnDocument: StartAutomationExecution is authorized as
// AWS does, on the document (with its tags and the requested
// ssm:DocumentVersion) and the execution, so the user guide's example
// policies work and a Deny by document name, tag or version holds.
func TestStartAuthorizedOnDocument(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	for _, name := range []string{"Admin-Task", "Daily-Task"} {
		createDoc(t, admin, name, napDoc)
		_, err := admin.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String(name), Content: aws.String(strings.Replace(napDoc, "PT1S", "PT2S", 1)), DocumentVersion: aws.String("$LATEST")})
		require.NoError(t, err)
	}
	_, err := admin.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Prod-Task"), Content: aws.String(napDoc), DocumentType: ssmtypes.DocumentTypeAutomation,
		Tags: []ssmtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	require.NoError(t, err)
	createDoc(t, admin, "Tagged-Later", napDoc)
	_, err = admin.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingDocument, ResourceId: aws.String("Tagged-Later"),
		Tags: []ssmtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	require.NoError(t, err)

	const account = "arn:aws:ssm:us-east-1:123456789012:"
	allowAll := `{"Effect":"Allow","Action":"ssm:StartAutomationExecution","Resource":"*"}`
	scope := policy.Scope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}
	operator, err := policy.Operator(scope, []string{"Daily-Task"}, func(o *policy.OperatorOptions) { o.DocumentVersion = "2" })
	require.NoError(t, err)
	operatorJSON, err := operator.Compact()
	require.NoError(t, err)

	type try struct {
		doc, version string
		allowed      bool
	}
	tests := []struct {
		name   string
		policy string
		tries  []try
	}{
		{"deny by document name", `{"Version":"2012-10-17","Statement":[` + allowAll + `,
			{"Effect":"Deny","Action":"ssm:StartAutomationExecution","Resource":"` + account + `document/Admin-Task"}]}`,
			[]try{{"Admin-Task", "", false}, {"Admin-Task", "1", false}, {"Daily-Task", "", true}}},
		{"deny by automation definition", `{"Version":"2012-10-17","Statement":[` + allowAll + `,
			{"Effect":"Deny","Action":"ssm:StartAutomationExecution","Resource":"` + account + `automation-definition/Admin-Task:*"}]}`,
			[]try{{"Admin-Task", "2", false}, {"Daily-Task", "2", true}}},
		{"deny by resource tag", `{"Version":"2012-10-17","Statement":[` + allowAll + `,
			{"Effect":"Deny","Action":"ssm:StartAutomationExecution","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`,
			[]try{{"Prod-Task", "", false}, {"Tagged-Later", "", false}, {"Daily-Task", "", true}}},
		{"deny by version", `{"Version":"2012-10-17","Statement":[` + allowAll + `,
			{"Effect":"Deny","Action":"ssm:StartAutomationExecution","Resource":"*","Condition":{"StringEquals":{"ssm:DocumentVersion":"1"}}}]}`,
			[]try{{"Daily-Task", "1", false}, {"Daily-Task", "2", true}}},
		{"allow by document ARN, as the user guide's example 1", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"ssm:StartAutomationExecution","Resource":["arn:aws:ssm:*:123456789012:document/Daily-Task","arn:aws:ssm:*:123456789012:automation-execution/*"]}]}`,
			[]try{{"Daily-Task", "", true}, {"Daily-Task", "1", true}, {"Admin-Task", "", false}}},
		{"allow pinned to a version, as the user guide's example 2", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"ssm:StartAutomationExecution","Resource":"` + account + `document/Daily-Task","Condition":{"StringEquals":{"ssm:DocumentVersion":["2"]}}},
			{"Effect":"Allow","Action":"ssm:StartAutomationExecution","Resource":"` + account + `automation-execution/*"}]}`,
			[]try{{"Daily-Task", "2", true}, {"Daily-Task", "1", false}, {"Daily-Task", "", false}, {"Admin-Task", "2", false}}},
		{"operator policy pinned to a version", string(operatorJSON),
			[]try{{"Daily-Task", "2", true}, {"Daily-Task", "1", false}, {"Admin-Task", "2", false}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := ssm.NewFromConfig(cfg(srv, user(t, srv, "op"+string(rune('a'+i)), tt.policy)))
			for _, try := range tt.tries {
				in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String(try.doc)}
				if try.version != "" {
					in.DocumentVersion = aws.String(try.version)
				}
				_, err := op.StartAutomationExecution(ctx, in)
				if try.allowed {
					assert.NoError(t, err, "%s version %q", try.doc, try.version)
				} else {
					assert.Equal(t, "AccessDeniedException", errCode(err), "%s version %q", try.doc, try.version)
				}
			}
		})
	}
}

// TestDocumentTags: documents carry tags set at creation or with
// AddTagsToResource, listed and removed by key; tagging needs
// ssm:AddTagsToResource on the document, with aws:RequestTag conditions.
func TestDocumentTags(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Tag-Me", napDoc)
	doc := ssmtypes.ResourceTypeForTaggingDocument
	_, err := admin.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: doc, ResourceId: aws.String("Tag-Me"),
		Tags: []ssmtypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}, {Key: aws.String("env"), Value: aws.String("dev")}}})
	require.NoError(t, err)
	_, err = admin.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: doc, ResourceId: aws.String("Tag-Me"), TagKeys: []string{"env"}})
	require.NoError(t, err)
	out, err := admin.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: doc, ResourceId: aws.String("Tag-Me")})
	require.NoError(t, err)
	require.Len(t, out.TagList, 1)
	assert.Equal(t, "team", aws.ToString(out.TagList[0].Key))
	assert.Equal(t, "ops", aws.ToString(out.TagList[0].Value))

	_, err = admin.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: doc, ResourceId: aws.String("No-Such-Doc")})
	assert.Equal(t, "InvalidResourceId", errCode(err))
	_, err = admin.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: doc, ResourceId: aws.String(ssmlocal.RestartEC2Instance), Tags: []ssmtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	assert.Equal(t, "InvalidResourceId", errCode(err), "AWS-owned documents cannot be tagged")
	_, err = admin.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("p")})
	assert.Equal(t, "InvalidResourceType", errCode(err))

	tagger := ssm.NewFromConfig(cfg(srv, user(t, srv, "tagger", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ssm:AddTagsToResource","Resource":"arn:aws:ssm:us-east-1:123456789012:document/*","Condition":{"StringEquals":{"aws:RequestTag/team":"ops"}}}]}`)))
	_, err = tagger.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: doc, ResourceId: aws.String("Tag-Me"), Tags: []ssmtypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
	assert.NoError(t, err)
	_, err = tagger.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: doc, ResourceId: aws.String("Tag-Me"), Tags: []ssmtypes.Tag{{Key: aws.String("team"), Value: aws.String("dev")}}})
	assert.Equal(t, "AccessDeniedException", errCode(err))
	_, err = tagger.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: doc, ResourceId: aws.String("Tag-Me")})
	assert.Equal(t, "AccessDeniedException", errCode(err))
}

// TestExecutionResourceTags: GetAutomationExecution, StopAutomationExecution
// and SendAutomationSignal see the execution's tags as aws:ResourceTag;
// DescribeAutomationStepExecutions, which the service authorization
// reference lists without that key, does not.
func TestExecutionResourceTags(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Tagged-Run", napDoc)
	op := ssm.NewFromConfig(cfg(srv, user(t, srv, "follower", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ssm:*","Resource":"*"},
		{"Effect":"Deny","Action":["ssm:GetAutomationExecution","ssm:StopAutomationExecution","ssm:DescribeAutomationStepExecutions"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`)))
	prod := start(t, op, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Tagged-Run"), Tags: []ssmtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	dev := start(t, op, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Tagged-Run"), Tags: []ssmtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})

	_, err := op.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(prod)})
	assert.Equal(t, "AccessDeniedException", errCode(err))
	_, err = op.StopAutomationExecution(ctx, &ssm.StopAutomationExecutionInput{AutomationExecutionId: aws.String(prod)})
	assert.Equal(t, "AccessDeniedException", errCode(err))
	_, err = op.DescribeAutomationStepExecutions(ctx, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(prod)})
	assert.NoError(t, err)
	_, err = op.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(dev)})
	assert.NoError(t, err)
}
