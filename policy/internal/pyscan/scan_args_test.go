//go:build cgo

package pyscan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnalyzeRecordsPositionalAndDictArgs(t *testing.T) {
	tests := []struct {
		name string
		call string
		want []string
		dict map[string]bool // argument → Dict
	}{
		{
			name: "positional literals",
			call: "s3.upload_file('/tmp/x', 'logs', events['Key'])",
			want: []string{"5 call s3.upload_file #0=/tmp/x #1=logs #2=events:Key"},
		},
		{
			name: "dict literal keyword",
			call: "s3.upload_file('/tmp/x', 'logs', 'k', ExtraArgs={'SSEKMSKeyId': events['Kms'], 'ACL': 'private', 'Metadata': {'a': 'b'}})",
			want: []string{"5 call s3.upload_file #0=/tmp/x #1=logs #2=k ExtraArgs=? ExtraArgs.ACL=private ExtraArgs.Metadata=? ExtraArgs.SSEKMSKeyId=events:Kms"},
			dict: map[string]bool{"ExtraArgs": true},
		},
		{
			name: "dict literal by position",
			call: "s3.copy(src, 'b', 'k', {'SSEKMSKeyId': 'key-1'})",
			want: []string{"5 call s3.copy #0=? #1=b #2=k #3=? #3.SSEKMSKeyId=key-1"},
			dict: map[string]bool{"#3": true},
		},
		{
			name: "a computed key leaves the dict unknown",
			call: "s3.upload_file('/tmp/x', 'b', 'k', ExtraArgs={events['K']: 'v', 'ACL': 'private'})",
			want: []string{"5 call s3.upload_file #0=/tmp/x #1=b #2=k ExtraArgs=?"},
			dict: map[string]bool{"ExtraArgs": false},
		},
		{
			name: "an unpacked dict leaves it unknown",
			call: "s3.upload_file('/tmp/x', 'b', 'k', ExtraArgs={**base, 'ACL': 'private'})",
			want: []string{"5 call s3.upload_file #0=/tmp/x #1=b #2=k ExtraArgs=?"},
			dict: map[string]bool{"ExtraArgs": false},
		},
		{
			name: "a dict held in a variable may have changed",
			call: "extra = {'ACL': 'private'}\n    s3.upload_file('/tmp/x', 'b', 'k', ExtraArgs=extra)",
			want: []string{"6 call s3.upload_file #0=/tmp/x #1=b #2=k ExtraArgs=?"},
			dict: map[string]bool{"ExtraArgs": false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "import boto3\ns3 = boto3.client('s3')\nbase = {}\ndef handler(events, context):\n    " + tt.call + "\n"
			r, err := Analyze([]byte(src), "handler")
			require.NoError(t, err)
			assert.Empty(t, problems(r))
			assert.Equal(t, tt.want, calls(r))
			for k, want := range tt.dict {
				assert.Equal(t, want, r.Calls[0].Args[k].Dict, k)
			}
		})
	}
}

func TestAnalyzeDictLiteralArgsStillReportClients(t *testing.T) {
	src := "import boto3\ndef handler(events, context):\n    boto3.client('s3').upload_file('/tmp/x', 'b', 'k', ExtraArgs={'Callback': boto3.client('ec2')})\n"
	r, err := Analyze([]byte(src), "handler")
	require.NoError(t, err)
	assert.Equal(t, []string{"3 a ec2 client made at line 3 is stored or passed where the analysis cannot follow it"}, problems(r))
}

func TestAnalyzeDictLiteralComputedKeyCalls(t *testing.T) {
	src := "import boto3\ns3 = boto3.client('s3')\ndef handler(events, context):\n    s3.upload_file('/tmp/x', 'b', 'k', ExtraArgs={s3.get_bucket_location(Bucket='b')['LocationConstraint']: 'v'})\n"
	r, err := Analyze([]byte(src), "handler")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"4 call s3.get_bucket_location Bucket=b",
		"4 call s3.upload_file #0=/tmp/x #1=b #2=k ExtraArgs=?",
	}, calls(r))
}
