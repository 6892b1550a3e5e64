//go:build cgo

package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The arguments of paginate and wait are the operation's request
// parameters, so they scope its resources as a direct call's do.
func TestForRunbookScriptPagerArguments(t *testing.T) {
	for _, tt := range []struct {
		name      string
		script    string
		payload   map[string]any
		action    string
		resources []string
	}{
		{
			name:      "paginate over a fixed bucket",
			script:    "import boto3\ndef handler(events, context):\n    for p in boto3.client('s3').get_paginator('list_objects_v2').paginate(Bucket=events['Bucket']):\n        pass\n",
			payload:   map[string]any{"Bucket": "reports"},
			action:    "s3:ListBucket",
			resources: []string{"arn:aws:s3:::reports"},
		},
		{
			name:      "waiter on a fixed bucket",
			script:    "import boto3\ndef handler(events, context):\n    boto3.client('s3').get_waiter('bucket_exists').wait(Bucket='reports')\n",
			action:    "s3:ListBucket",
			resources: []string{"arn:aws:s3:::reports"},
		},
		{
			name:      "a paginator never used is granted on everything, as before",
			script:    "import boto3\ndef handler(events, context):\n    boto3.client('s3').get_paginator('list_objects_v2')\n",
			action:    "s3:ListBucket",
			resources: []string{"*"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inputs := map[string]any{"Script": tt.script}
			if tt.payload != nil {
				inputs["InputPayload"] = tt.payload
			}
			d, err := ForRunbook(scriptRunbook(t, "", inputs), testScope)
			require.NoError(t, err)
			assert.Equal(t, tt.resources, resourcesOf(d.Policy, tt.action))
		})
	}
}
