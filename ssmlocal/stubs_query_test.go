package ssmlocal_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const boto3QueryScript = `
import json, boto3
out = {}
rds = boto3.client("rds")
r = rds.describe_db_instances()
out["rds"] = [[i["DBInstanceIdentifier"], i["DBInstanceStatus"], i.get("MultiAZ")] for i in r["DBInstances"]]
sns = boto3.client("sns")
out["topics"] = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
out["attributes"] = sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:a")["Attributes"]
print(json.dumps(out))
`

// TestStubQueryBoto3 reads query-protocol stub responses through the AWS
// SDK for Python: RDS's named list items, SNS's member lists and an
// entry/key/value map. In CI a missing boto3 fails the test rather than
// skipping it.
func TestStubQueryBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "python3 with boto3 is required in CI")
		}
		t.Skipf("python3 with boto3 is not installed: %v", err)
	}
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("rds", "DescribeDBInstances", ssmlocal.StubResponse(map[string]any{"DBInstances": []any{
		map[string]any{"DBInstanceIdentifier": "db1", "DBInstanceStatus": "available", "MultiAZ": true},
		map[string]any{"DBInstanceIdentifier": "db2", "DBInstanceStatus": "stopped", "NotInTheModel": "dropped"},
	}})))
	require.NoError(t, reg.Add("sns", "ListTopics", ssmlocal.StubResponse(map[string]any{"Topics": []any{
		map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:a"},
		map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:b"},
	}})))
	require.NoError(t, reg.Add("sns", "GetTopicAttributes", ssmlocal.StubMatching(map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:a"},
		ssmlocal.StubResponse(map[string]any{"Attributes": map[string]any{"DisplayName": "A & B", "SubscriptionsConfirmed": "2"}}))))
	srv := newServer(t, ssmlocal.WithStubs(reg))
	cmd := exec.Command("python3", "-c", boto3QueryScript)
	cmd.Env = append(cliEnv(t, srv.Admin(), "us-east-1"), "AWS_ENDPOINT_URL="+srv.URL(), "AWS_MAX_ATTEMPTS=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got), string(data))

	assert.Equal(t, []any{[]any{"db1", "available", true}, []any{"db2", "stopped", nil}}, got["rds"])
	assert.Equal(t, []any{"arn:aws:sns:us-east-1:123456789012:a", "arn:aws:sns:us-east-1:123456789012:b"}, got["topics"])
	assert.Equal(t, map[string]any{"DisplayName": "A & B", "SubscriptionsConfirmed": "2"}, got["attributes"])
}
