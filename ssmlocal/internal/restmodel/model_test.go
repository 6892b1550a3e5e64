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
		{"route53 path with its trailing slash", "route53", "POST", "/2013-04-01/hostedzone/Z1/rrset/", "", "ChangeResourceRecordSets", map[string]string{"Id": "Z1"}},
		{"route53 path without its trailing slash", "route53", "POST", "/2013-04-01/hostedzone/Z1/rrset", "", "ChangeResourceRecordSets", map[string]string{"Id": "Z1"}},
		{"s3 key with a trailing slash keeps it", "s3", "GET", "/bkt/dir/", "", "GetObject", map[string]string{"Bucket": "bkt", "Key": "dir/"}},
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

// TestXMLShapes checks the body shapes kept for rest-xml services: wrapped
// lists name their items, flattened lists say so, and rest-json services
// keep none.
func TestXMLShapes(t *testing.T) {
	m := Load()
	find := func(sign, service, op string) (*Service, *Operation) {
		for _, s := range m.Services[sign] {
			for _, o := range s.Operations {
				if s.Name == service && o.Name == op {
					return s, o
				}
			}
		}
		require.FailNowf(t, "no such operation", "no %s:%s", service, op)
		return nil, nil
	}
	s, op := find("route53", "route53", "ListHostedZones")
	out := s.Shapes[op.OutShape]
	require.NotNil(t, out)
	var zones string
	for _, r := range out.Members {
		if r.Name == "HostedZones" {
			zones = r.Shape
			assert.False(t, r.Flat)
		}
	}
	require.NotNil(t, s.Shapes[zones])
	assert.Equal(t, "HostedZone", s.Shapes[zones].Item.Element("member"))

	s, op = find("route53", "route53", "ChangeResourceRecordSets")
	require.NotNil(t, s.Shapes[op.InShape])
	assert.Equal(t, "structure", s.Shapes[op.InShape].Type)

	s, op = find("s3", "s3", "ListObjectsV2")
	for _, r := range s.Shapes[op.OutShape].Members {
		if r.Name == "Contents" {
			assert.True(t, r.Flat, "S3 flattens Contents")
		}
	}
	s, op = find("s3", "s3", "PutBucketTagging")
	assert.Equal(t, "Tagging", op.InShape, "the payload member's shape")
	require.NotNil(t, s.Shapes["Tagging"])
	assert.Equal(t, "Tag", s.Shapes[s.Shapes["Tagging"].Members[0].Shape].Item.Element("member"))
	_, op = find("s3", "s3", "GetObject")
	assert.Empty(t, op.OutShape, "a raw payload has no XML shape")

	s, op = find("lambda", "lambda", "Invoke")
	assert.Empty(t, s.Shapes)
	assert.Empty(t, op.InShape)
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
