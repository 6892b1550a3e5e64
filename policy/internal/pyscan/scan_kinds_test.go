//go:build cgo

package pyscan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAnalyzeExpressionKinds covers expression and attribute kinds that
// TestAnalyze leaves out: an operand of or, the session module, a
// class's attributes and methods, a resource's meta and a service name
// built at run time.
func TestAnalyzeExpressionKinds(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		calls    []string
		problems []string
	}{
		{
			name:  "client as an operand of or",
			src:   "import boto3\ndef h(events, ctx):\n    c = None or boto3.client('ec2')\n    c.describe_regions()\n",
			calls: []string{"4 call ec2.describe_regions"},
		},
		{
			name:  "session module",
			src:   "import boto3\ndef h(events, ctx):\n    boto3.session.Session().client('s3').list_buckets()\n",
			calls: []string{"3 call s3.list_buckets"},
		},
		{
			name:  "class method and class and instance attributes",
			src:   "import boto3\nclass Helper:\n    svc = 'sqs'\n    def make():\n        return boto3.client('ec2')\ndef h(events, ctx):\n    Helper.make().describe_regions()\n    boto3.client(Helper().svc).list_queues()\n    boto3.client(Helper.svc).list_queues()\n",
			calls: []string{"7 call ec2.describe_regions", "8 call sqs.list_queues", "9 call sqs.list_queues"},
		},
		{
			name:     "resource meta",
			src:      "import boto3\ndef h(events, ctx):\n    boto3.resource('s3').meta.client.list_buckets()\n",
			problems: []string{"3 s3.meta reaches the resource's client: what it calls cannot be known"},
		},
		{
			name:     "service name with an interpolated part",
			src:      "import boto3\ndef h(events, ctx):\n    boto3.client('e' f'{events}').describe_regions()\n",
			problems: []string{"3 the service name of this boto3 client is computed at run time: boto3.client('e' f'{events}')"},
		},
		{
			name: "getattr of something other than a client",
			src:  "import boto3\ndef h(events, ctx):\n    c = boto3.client('ec2')\n    getattr(events, 'x')\n    c.exceptions.ClientError\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Analyze([]byte(tt.src), "h")
			require.NoError(t, err)
			assert.Equal(t, tt.calls, calls(r))
			assert.Equal(t, tt.problems, problems(r))
		})
	}
}
