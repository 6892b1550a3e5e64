package querymodel

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	m := Load()
	assert.NotEmpty(t, m.Version)
	assert.Contains(t, m.License, "Apache-2.0")
	tests := []struct {
		name, sign, version, op string
		found                   bool
		wrapper, output         string
		service                 string
	}{
		{name: "rds", sign: "rds", version: "2014-10-31", op: "DescribeDBInstances", found: true, wrapper: "DescribeDBInstancesResult", output: "DBInstanceMessage", service: "rds"},
		{name: "any version", sign: "sns", op: "ListTopics", found: true, wrapper: "ListTopicsResult", output: "ListTopicsResponse", service: "sns"},
		{name: "shared signing name", sign: "elasticloadbalancing", version: "2015-12-01", op: "DescribeTargetGroups", found: true, wrapper: "DescribeTargetGroupsResult", output: "DescribeTargetGroupsOutput", service: "elbv2"},
		{name: "no output", sign: "sns", op: "DeleteTopic", found: true, service: "sns"},
		{name: "wrong version", sign: "sns", version: "1999-01-01", op: "ListTopics"},
		{name: "unknown operation", sign: "sns", op: "Nope"},
		{name: "not query", sign: "lambda", op: "Invoke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, op, ok := m.Lookup(tt.sign, tt.version, tt.op)
			require.Equal(t, tt.found, ok)
			if !ok {
				return
			}
			assert.Equal(t, tt.service, s.Name)
			assert.Equal(t, tt.wrapper, op.Wrapper)
			assert.Equal(t, tt.output, op.Output)
		})
	}
}

func TestShapes(t *testing.T) {
	m := Load()
	rds, _, ok := m.Lookup("rds", "", "DescribeDBInstances")
	require.True(t, ok)
	list := rds.Shape("DBInstanceList")
	require.NotNil(t, list)
	assert.Equal(t, List, list.Type)
	assert.Equal(t, "DBInstance", list.Item.Element("member"))
	assert.Nil(t, rds.Shape("String"), "scalars are left out")

	sns, _, ok := m.Lookup("sns", "", "GetTopicAttributes")
	require.True(t, ok)
	attrs := sns.Shape("TopicAttributesMap")
	require.NotNil(t, attrs)
	assert.Equal(t, Map, attrs.Type)
	assert.Equal(t, "key", attrs.Key.Element("key"))
	assert.Equal(t, "value", attrs.Value.Element("value"))
	topics := sns.Shape("TopicsList")
	require.NotNil(t, topics)
	assert.Equal(t, "member", topics.Item.Element("member"))
}

func TestDecodeCorrupt(t *testing.T) {
	_, err := decode([]byte("not gzip"))
	require.Error(t, err)
}
