//go:build cgo

package policy

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForRunbookScriptTransfers(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	script := func(body string) string {
		return "import boto3\ns3 = boto3.client('s3')\n\ndef handler(events, context):\n    " + body + "\n"
	}
	tests := []struct {
		name      string
		body      string
		payload   map[string]any
		actions   []string
		resources map[string][]string
	}{
		{
			name:      "positional bucket and key narrow the object",
			body:      "s3.upload_file('/tmp/report', 'reports', 'daily.csv')",
			actions:   []string{"s3:PutObject"},
			resources: map[string][]string{"s3:PutObject": {"arn:aws:s3:::reports/daily.csv"}},
		},
		{
			name:      "ExtraArgs keyword names a customer managed key",
			body:      "s3.upload_file('/tmp/report', 'reports', 'daily.csv', ExtraArgs={'ServerSideEncryption': 'aws:kms', 'SSEKMSKeyId': events['Key']})",
			payload:   map[string]any{"Key": key},
			actions:   []string{"kms:Decrypt", "kms:GenerateDataKey", "s3:PutObject"},
			resources: map[string][]string{"kms:GenerateDataKey": {key}, "kms:Decrypt": {key}},
		},
		{
			name:      "ExtraArgs given by position",
			body:      "s3.upload_fileobj(open('/tmp/report', 'rb'), 'reports', 'daily.csv', {'SSEKMSKeyId': '" + key + "'})",
			actions:   []string{"kms:Decrypt", "kms:GenerateDataKey", "s3:PutObject"},
			resources: map[string][]string{"kms:GenerateDataKey": {key}},
		},
		{
			name:    "ExtraArgs without a key adds nothing",
			body:    "s3.upload_file('/tmp/report', 'reports', 'daily.csv', ExtraArgs={'ContentType': 'text/csv'})",
			actions: []string{"s3:PutObject"},
		},
		{
			name: "a key chosen at run time is any key of the account",
			body: "s3.copy({'Bucket': 'a', 'Key': 'k'}, 'b', 'k', ExtraArgs={'SSEKMSKeyId': context.get('k')})",
			// CopyObject is authorized as s3:GetObject on the source and
			// s3:PutObject on the copy.
			actions:   []string{"kms:Decrypt", "kms:GenerateDataKey", "s3:GetObject", "s3:PutObject"},
			resources: map[string][]string{"kms:GenerateDataKey": {"arn:aws:kms:us-east-1:111122223333:key/*"}},
		},
		{
			name:      "a Bucket resource's upload with a key",
			body:      "boto3.resource('s3').Bucket('reports').upload_file('/tmp/report', 'daily.csv', ExtraArgs={'SSEKMSKeyId': '" + key + "'})",
			actions:   []string{"kms:Decrypt", "kms:GenerateDataKey", "s3:PutObject"},
			resources: map[string][]string{"kms:Decrypt": {key}},
		},
		{
			name:    "a download's ExtraArgs need not be known",
			body:    "extra = {}\n    s3.download_file('reports', 'daily.csv', '/tmp/report', ExtraArgs=extra)",
			actions: []string{"s3:GetObject"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inputs := map[string]any{"Script": script(tt.body)}
			if tt.payload != nil {
				inputs["InputPayload"] = tt.payload
			}
			d, err := ForRunbook(scriptRunbook(t, "", inputs), testScope)
			require.NoError(t, err)
			assert.Equal(t, tt.actions, d.Actions())
			for action, want := range tt.resources {
				assert.Equal(t, want, resourcesOf(d.Policy, action), action)
			}
		})
	}
}

func TestForRunbookScriptTransferExtraArgsUnknown(t *testing.T) {
	tests := []struct{ name, body string }{
		{"variable", "extra = {'ContentType': 'text/csv'}\n    extra['SSEKMSKeyId'] = events['Key']\n    s3.upload_file('/tmp/r', 'reports', 'r.csv', ExtraArgs=extra)"},
		{"computed key", "s3.upload_file('/tmp/r', 'reports', 'r.csv', ExtraArgs={events['Name']: events['Key']})"},
		{"unpacked dict", "s3.upload_file('/tmp/r', 'reports', 'r.csv', {**events['Extra']})"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "import boto3\ns3 = boto3.client('s3')\n\ndef handler(events, context):\n    " + tt.body + "\n"
			_, err := ForRunbook(scriptRunbook(t, "", map[string]any{"Script": src}), testScope)
			var ue *UnderivableError
			require.True(t, errors.As(err, &ue), "%v", err)
			require.Len(t, ue.Unresolved, 1)
			assert.Contains(t, ue.Unresolved[0].Detail, "s3.upload_file: its ExtraArgs is not a dict literal written in the call")
			assert.Contains(t, ue.Unresolved[0].Detail, `ScriptPermissions["sc"]`)
		})
	}
}
