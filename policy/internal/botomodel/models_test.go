package botomodel

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModels(t *testing.T) {
	m := Load()
	require.NotEmpty(t, m.Version())
	tests := []struct {
		client, method, op string
		waiter, ok         bool
	}{
		{client: "ec2", method: "describe_instances", op: "DescribeInstances", ok: true},
		{client: "s3", method: "list_objects_v2", op: "ListObjectsV2", ok: true},
		{client: "stepfunctions", method: "start_execution", op: "StartExecution", ok: true},
		{client: "ssm", method: "get_parameter", op: "GetParameter", ok: true},
		{client: "ec2", method: "instance_running", op: "DescribeInstances", waiter: true, ok: true},
		{client: "ec2", method: "image_available", op: "DescribeImages", waiter: true, ok: true},
		{client: "s3", method: "bucket_exists", op: "HeadBucket", waiter: true, ok: true},
		{client: "ec2", method: "no_such_operation"},
		{client: "ec2", method: "no_such_waiter", waiter: true},
		{client: "nosuchservice", method: "describe_instances"},
	}
	for _, tt := range tests {
		t.Run(tt.client+"."+tt.method, func(t *testing.T) {
			lookup := m.Operation
			if tt.waiter {
				lookup = m.Waiter
			}
			op, ok := lookup(tt.client, tt.method)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.op, op)
		})
	}
	assert.True(t, m.HasService("logs"))
	assert.False(t, m.HasService("cloudwatchlogs"))
}

func TestDecodeRejectsGarbage(t *testing.T) {
	_, err := decode([]byte("not gzip"))
	require.Error(t, err)
}
