package restmodel

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	m := Load()
	assert.NotEmpty(t, m.Version)
	assert.Contains(t, m.License, "Apache-2.0")
	assert.Contains(t, m.Source, "botocore")
	for _, tc := range []struct{ sign, service, op, method, uri, protocol string }{
		{"lambda", "lambda", "Invoke", "POST", "/2015-03-31/functions/{FunctionName}/invocations", RestJSON},
		{"s3", "s3", "GetObject", "GET", "/{Bucket}/{Key+}", RestXML},
		{"s3", "s3", "ListObjectsV2", "GET", "/{Bucket}?list-type=2", RestXML},
	} {
		t.Run(tc.op, func(t *testing.T) {
			var found *Operation
			for _, s := range m.Services[tc.sign] {
				for _, op := range s.Operations {
					if s.Name == tc.service && op.Name == tc.op {
						found = op
						assert.Equal(t, tc.protocol, s.Protocol)
					}
				}
			}
			require.NotNil(t, found)
			assert.Equal(t, tc.method, found.Method)
			assert.Equal(t, tc.uri, found.URI)
		})
	}
	assert.True(t, m.IsREST("lambda"))
	assert.False(t, m.IsREST("ssm"), "ssm speaks awsJson")
}

func TestRoute(t *testing.T) {
	m := Load()
	for _, tc := range []struct {
		name, sign, method, path, query string
		op                              string
		labels                          map[string]string
	}{
		{"lambda invoke", "lambda", "POST", "/2015-03-31/functions/my-fn/invocations", "", "Invoke", map[string]string{"FunctionName": "my-fn"}},
		{"lambda get function, escaped arn", "lambda", "GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af", "Qualifier=1", "GetFunction", map[string]string{"FunctionName": "arn:aws:lambda:us-east-1:1:function:f"}},
		{"s3 get object, greedy key", "s3", "GET", "/bkt/a/b%20c/d.txt", "", "GetObject", map[string]string{"Bucket": "bkt", "Key": "a/b c/d.txt"}},
		{"s3 object tagging beats get object", "s3", "GET", "/bkt/k", "tagging", "GetObjectTagging", map[string]string{"Bucket": "bkt", "Key": "k"}},
		{"s3 list objects v2 needs list-type=2", "s3", "GET", "/bkt", "list-type=2&prefix=p", "ListObjectsV2", map[string]string{"Bucket": "bkt"}},
		{"s3 list objects v1", "s3", "GET", "/bkt", "prefix=p", "ListObjects", map[string]string{"Bucket": "bkt"}},
		{"s3 list buckets", "s3", "GET", "/", "", "ListBuckets", map[string]string{}},
		{"unknown path", "lambda", "GET", "/nowhere/at/all", "", "", nil},
		{"empty label", "lambda", "GET", "/2015-03-31/functions/", "", "", nil},
		{"not rest", "ssm", "GET", "/", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			got, ok := m.Route(tc.sign, tc.method, tc.path, q)
			if tc.op == "" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.op, got.Operation.Name)
			assert.Equal(t, tc.labels, got.Labels)
		})
	}
}

func FuzzRoute(f *testing.F) {
	f.Add("s3", "GET", "/bkt/a/b", "tagging")
	f.Add("lambda", "POST", "/2015-03-31/functions/f/invocations", "")
	f.Add("s3", "PUT", "/%zz/{Key+}", "a=%&b")
	m := Load()
	f.Fuzz(func(t *testing.T, sign, method, path, query string) {
		q, _ := url.ParseQuery(query)
		got, ok := m.Route(sign, method, path, q)
		if ok {
			require.NotNil(t, got.Operation)
			assert.Equal(t, method, got.Operation.Method)
			assert.True(t, strings.HasPrefix(path, "/"))
		}
	})
}
