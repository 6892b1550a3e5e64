package policy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A resource-tag condition never lands on a document AWS owns: it has no
// tags of the account's, so IAM would deny every command that runs it.
func TestResourceTagsSkipAWSOwnedDocuments(t *testing.T) {
	doc := runbookJSON(t, "", `[{"name":"r","action":"aws:runCommand","inputs":{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"],"Parameters":{"commands":["ls"]}}},
		{"name":"own","action":"aws:runCommand","inputs":{"DocumentName":"Ops-Cleanup","InstanceIds":["i-2"]}}]`)
	d, err := ForRunbook(doc, testScope, func(o *RunbookOptions) { o.ResourceTags = map[string]string{"team": "ops"} })
	require.NoError(t, err)
	var got []string
	for _, st := range d.Policy.Statement {
		if st.Action.Values[0] != "ssm:SendCommand" {
			continue
		}
		b, err := json.Marshal(st)
		require.NoError(t, err)
		got = append(got, string(b))
	}
	assert.Equal(t, []string{
		`{"Effect":"Allow","Action":["ssm:SendCommand"],"Resource":["arn:aws:ssm:us-east-1::document/AWS-RunShellScript"]}`,
		`{"Effect":"Allow","Action":["ssm:SendCommand"],"Resource":["arn:aws:ec2:us-east-1:111122223333:instance/i-1","arn:aws:ec2:us-east-1:111122223333:instance/i-2","arn:aws:ssm:us-east-1:111122223333:document/Ops-Cleanup"],"Condition":{"StringEquals":{"aws:ResourceTag/team":"ops"}}}`,
	}, got)
	assert.True(t, awsOwnedDocument("arn:aws:ssm:us-east-1::automation-definition/AWS-RestartEC2Instance:$DEFAULT"))
	assert.False(t, awsOwnedDocument("arn:aws:ssm:us-east-1:111122223333:document/AWS-Lookalike"))
	assert.False(t, awsOwnedDocument("arn:aws:ec2:us-east-1::image/ami-1"))
}
