//go:build cgo

package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestForRunbookScriptResourceCollections checks how boto3 resource
// collections map to operations: all, filter, limit and page_size list the
// collection, a batch action is its own operation, and a sub-resource's
// collection (Bucket.objects) is keyed by the collection's name.
// https://boto3.amazonaws.com/v1/documentation/api/latest/guide/collections.html
func TestForRunbookScriptResourceCollections(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		actions   []string
		resources map[string][]string
		explain   string
	}{
		{
			name:    "all lists the collection",
			body:    "for i in boto3.resource('ec2').instances.all():\n        print(i.id)",
			actions: []string{"ec2:DescribeInstances"},
			explain: "line 5: ec2.instances.all (resource) -> ec2:DescribeInstances",
		},
		{
			name:    "limit lists the collection",
			body:    "for i in boto3.resource('ec2').instances.limit(5):\n        print(i.id)",
			actions: []string{"ec2:DescribeInstances"},
			explain: "line 5: ec2.instances.limit (resource) -> ec2:DescribeInstances",
		},
		{
			name:    "page_size lists the collection",
			body:    "for i in boto3.resource('ec2').instances.page_size(10):\n        print(i.id)",
			actions: []string{"ec2:DescribeInstances"},
			explain: "line 5: ec2.instances.page_size (resource) -> ec2:DescribeInstances",
		},
		{
			name:    "a batch action is its own operation",
			body:    "boto3.resource('ec2').instances.stop()",
			actions: []string{"ec2:StopInstances"},
			explain: "line 5: ec2.instances.stop (resource) -> ec2:StopInstances",
		},
		{
			name:      "a sub-resource's collection",
			body:      "for o in boto3.resource('s3').Bucket('logs').objects.all():\n        print(o.key)",
			actions:   []string{"s3:ListBucket"},
			resources: map[string][]string{"s3:ListBucket": {"arn:aws:s3:::logs"}},
			explain:   "line 5: s3.Bucket.objects.all (resource) -> s3:ListBucket",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "import boto3\n\n\ndef handler(events, context):\n    " + tt.body + "\n"
			d, err := ForRunbook(scriptRunbook(t, "", map[string]any{"Script": src}), testScope)
			require.NoError(t, err)
			assert.Equal(t, tt.actions, d.Actions())
			for action, want := range tt.resources {
				assert.Equal(t, want, resourcesOf(d.Policy, action), action)
			}
			var reasons []string
			for _, n := range d.Needs {
				reasons = append(reasons, n.Reason)
			}
			assert.Contains(t, reasons, tt.explain)
		})
	}
}
