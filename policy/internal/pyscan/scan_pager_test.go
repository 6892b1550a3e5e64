//go:build cgo

package pyscan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A paginator or waiter calls its operation with the arguments of
// paginate or wait, which name the resources the call needs.
func TestAnalyzePaginatorAndWaiterArguments(t *testing.T) {
	const head = "import boto3\ns3 = boto3.client('s3')\nec2 = boto3.client('ec2')\n"
	for _, tt := range []struct {
		name     string
		body     string
		calls    []string
		problems []string
	}{
		{
			name:  "chained paginate",
			body:  "def h(events, ctx):\n    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=events['Bucket']):\n        pass\n",
			calls: []string{"5 paginator s3.list_objects_v2 Bucket=events:Bucket"},
		},
		{
			name:  "paginator held in a variable",
			body:  "def h(events, ctx):\n    pg = s3.get_paginator('list_objects_v2')\n    it = pg.paginate(Bucket='reports', Prefix='2026/')\n",
			calls: []string{"5 paginator s3.list_objects_v2 Bucket=reports Prefix=2026/"},
		},
		{
			name:  "waiter with its arguments",
			body:  "def h(events, ctx):\n    ec2.get_waiter('instance_running').wait(InstanceIds=[events['Id']], WaiterConfig={'Delay': 5})\n",
			calls: []string{"5 waiter ec2.instance_running InstanceIds=events:Id WaiterConfig=? WaiterConfig.Delay=?"},
		},
		{
			name:  "never used: the call is kept, with no arguments",
			body:  "def h(events, ctx):\n    pg = s3.get_paginator('list_objects_v2')\n",
			calls: []string{"5 paginator s3.list_objects_v2"},
		},
		{
			name: "used twice: a call for each use",
			body: "def h(events, ctx):\n    pg = s3.get_paginator('list_objects_v2')\n    pg.paginate(Bucket='a')\n    pg.paginate(Bucket='b')\n",
			calls: []string{
				"5 paginator s3.list_objects_v2 Bucket=a",
				"5 paginator s3.list_objects_v2 Bucket=b",
			},
		},
		{
			name:  "paginated by a helper of the script",
			body:  "def walk(p, b):\n    return p.paginate(Bucket=b)\ndef h(events, ctx):\n    walk(s3.get_paginator('list_objects_v2'), events['B'])\n",
			calls: []string{"7 paginator s3.list_objects_v2 Bucket=events:B"},
		},
		{
			name: "handed to code that cannot be followed: also with any arguments",
			body: "import lib\ndef h(events, ctx):\n    pg = s3.get_paginator('list_objects_v2')\n    pg.paginate(Bucket='a')\n    lib.run(pg)\n",
			calls: []string{
				"6 paginator s3.list_objects_v2 Bucket=a",
				"6 paginator s3.list_objects_v2",
			},
		},
		{
			name:  "handed away before any use",
			body:  "import lib\ndef h(events, ctx):\n    pg = s3.get_paginator('list_objects_v2')\n    lib.run(pg)\n    pg.paginate(Bucket='a')\n",
			calls: []string{"6 paginator s3.list_objects_v2 Bucket=a", "6 paginator s3.list_objects_v2"},
		},
		{
			name:  "bound paginate handed away",
			body:  "import lib\ndef h(events, ctx):\n    lib.run(s3.get_paginator('list_objects_v2').paginate)\n",
			calls: []string{"6 paginator s3.list_objects_v2"},
		},
		{
			name:  "a waiter has no paginate",
			body:  "def h(events, ctx):\n    ec2.get_waiter('instance_running').paginate(InstanceIds=['i-1'])\n",
			calls: []string{"5 waiter ec2.instance_running"},
		},
		{
			name:  "splatted arguments are not known",
			body:  "def h(events, ctx):\n    kw = {'Bucket': 'a'}\n    s3.get_paginator('list_objects_v2').paginate(**kw)\n",
			calls: []string{"6 paginator s3.list_objects_v2"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Analyze([]byte(head+tt.body), "h")
			require.NoError(t, err)
			assert.Equal(t, tt.calls, calls(r))
			assert.Equal(t, tt.problems, problems(r))
		})
	}
}
