package ssmlocal_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// restStubs stubs rest-json (Lambda) and rest-xml (S3) operations.
func restStubs(t *testing.T) *ssmlocal.StubRegistry {
	t.Helper()
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("lambda", "Invoke", ssmlocal.StubMatching(map[string]any{"FunctionName": "fn", "Payload": `{"x":1}`, "InvocationType": "RequestResponse"},
		ssmlocal.StubResponse(map[string]any{"StatusCode": 200, "ExecutedVersion": "7", "Payload": map[string]any{"ok": true}}))))
	require.NoError(t, reg.Add("lambda", "Invoke", ssmlocal.StubError("ResourceNotFoundException", "Function not found: other")))
	require.NoError(t, reg.Add("lambda", "GetFunction", ssmlocal.StubMatching(map[string]any{"FunctionName": "fn", "Qualifier": "7"},
		ssmlocal.StubResponse(map[string]any{"Configuration": map[string]any{"FunctionName": "fn", "Runtime": "python3.11", "MemorySize": 128}}))))
	require.NoError(t, reg.Add("s3", "GetObject", ssmlocal.StubMatching(map[string]any{"Bucket": "bkt", "Key": "reports/today.csv"},
		ssmlocal.StubResponse(map[string]any{"Body": "a,b\n1,2\n", "ContentType": "text/csv", "Metadata": map[string]any{"owner": "ops"}}))))
	require.NoError(t, reg.Add("s3", "GetObject", ssmlocal.StubMatching(map[string]any{"Bucket": "bkt", "Key": "reports/q1 100%.csv"},
		ssmlocal.StubResponse(map[string]any{"Body": "q1"}))))
	require.NoError(t, reg.Add("s3", "GetObject", ssmlocal.StubError("NoSuchKey", "The specified key does not exist.")))
	require.NoError(t, reg.Add("s3", "ListObjectsV2", ssmlocal.StubMatching(map[string]any{"Bucket": "bkt", "Prefix": "reports/"},
		ssmlocal.StubResponse(map[string]any{"Name": "bkt", "Prefix": "reports/", "KeyCount": 2, "IsTruncated": false,
			"Contents": []any{map[string]any{"Key": "reports/a.csv", "Size": 3}, map[string]any{"Key": "reports/b.csv", "Size": 4}}}))))
	return reg
}

const boto3RESTScript = `
import json, sys, boto3, botocore
from botocore.config import Config
out = {}
def code(f):
    try:
        f()
    except botocore.exceptions.ClientError as e:
        return "%d %s: %s" % (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Message"])
    return "no error"
lam = boto3.client("lambda")
r = lam.invoke(FunctionName="fn", InvocationType="RequestResponse", Payload=b'{"x":1}')
out["invoke"] = {"status": r["StatusCode"], "version": r.get("ExecutedVersion"), "payload": json.loads(r["Payload"].read())}
out["invoke_missing"] = code(lambda: lam.invoke(FunctionName="other"))
out["function"] = lam.get_function(FunctionName="fn", Qualifier="7")["Configuration"]
s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
o = s3.get_object(Bucket="bkt", Key="reports/today.csv")
out["object"] = {"body": o["Body"].read().decode(), "type": o["ContentType"], "meta": o["Metadata"]}
out["object_missing"] = code(lambda: s3.get_object(Bucket="bkt", Key="nope"))
out["escaped_key"] = s3.get_object(Bucket="bkt", Key="reports/q1 100%.csv")["Body"].read().decode()
l = s3.list_objects_v2(Bucket="bkt", Prefix="reports/")
out["list"] = {"keys": [c["Key"] for c in l["Contents"]], "count": l["KeyCount"], "truncated": l["IsTruncated"]}
out["unstubbed"] = code(lambda: s3.list_buckets())
denied = boto3.client("lambda", aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2])
out["denied"] = code(lambda: denied.invoke(FunctionName="fn", Payload=b'{"x":1}'))
out["allowed"] = denied.get_function(FunctionName="fn", Qualifier="7")["Configuration"]["FunctionName"]
print(json.dumps(out))
`

// TestStubRESTBoto3 calls rest-json (Lambda) and rest-xml (S3, path-style)
// stubs from the AWS SDK for Python, as scripts do. In CI a missing boto3
// fails the test rather than skipping it.
func TestStubRESTBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "python3 with boto3 is required in CI")
		}
		t.Skipf("python3 with boto3 is not installed: %v", err)
	}
	srv := newServer(t, ssmlocal.WithStubs(restStubs(t)))
	reader := user(t, srv, "reader", allow(`"lambda:GetFunction"`, "*"))
	cmd := exec.Command("python3", "-c", boto3RESTScript, reader.AccessKeyID, reader.SecretAccessKey)
	cmd.Env = append(cliEnv(t, srv.Admin(), "us-east-1"), "AWS_ENDPOINT_URL="+srv.URL(), "AWS_MAX_ATTEMPTS=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got), string(data))

	assert.Equal(t, map[string]any{"status": 200.0, "version": "7", "payload": map[string]any{"ok": true}}, got["invoke"])
	assert.Equal(t, "400 ResourceNotFoundException: Function not found: other", got["invoke_missing"])
	assert.Equal(t, map[string]any{"FunctionName": "fn", "Runtime": "python3.11", "MemorySize": 128.0}, got["function"])
	assert.Equal(t, map[string]any{"body": "a,b\n1,2\n", "type": "text/csv", "meta": map[string]any{"owner": "ops"}}, got["object"])
	assert.Equal(t, "400 NoSuchKey: The specified key does not exist.", got["object_missing"])
	assert.Equal(t, "q1", got["escaped_key"], "S3 signs the key's path escaped once")
	assert.Equal(t, map[string]any{"keys": []any{"reports/a.csv", "reports/b.csv"}, "count": 2.0, "truncated": false}, got["list"])
	assert.Contains(t, got["unstubbed"], "s3:ListBuckets is not simulated")
	assert.Contains(t, got["denied"], "403 AccessDeniedException")
	assert.Contains(t, got["denied"], "reader is not authorized to perform: lambda:")
	assert.Equal(t, "fn", got["allowed"])

	var ops []string
	for _, e := range srv.Audit() {
		if e.Service == "lambda" || e.Service == "s3" {
			ops = append(ops, fmt.Sprintf("%s:%s %s", e.Service, e.API, e.Decision))
		}
	}
	assert.Contains(t, ops, "s3:GetObject Allowed")
	assert.Contains(t, ops, "lambda:Invoke Denied")
}

// TestStubRESTWire checks the REST bindings on raw signed requests: XML
// and JSON bodies into the input, a documented success code, and errors.
func TestStubRESTWire(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("s3", "PutBucketTagging", ssmlocal.StubMatching(
		map[string]any{"Bucket": "bkt", "Tagging": map[string]any{"TagSet": []any{map[string]any{"Key": "team", "Value": "ops"}, map[string]any{"Key": "env", "Value": "prod"}}}},
		ssmlocal.StubResponse(map[string]any{}))))
	require.NoError(t, reg.Add("lambda", "CreateFunction", ssmlocal.StubMatching(map[string]any{"FunctionName": "fn", "MemorySize": 256},
		ssmlocal.StubResponse(map[string]any{"FunctionName": "fn", "State": "Pending"}))))
	srv := newServer(t, ssmlocal.WithStubs(reg))
	tests := []struct {
		name, method, path, service, body string
		status                            int
		want                              []string
	}{
		{
			name: "rest-xml payload", method: "PUT", path: "/bkt?tagging", service: "s3",
			body:   `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>team</Key><Value>ops</Value></Tag><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>`,
			status: 200, want: []string{"<PutBucketTaggingResult></PutBucketTaggingResult>"},
		},
		{
			name: "rest-xml payload that does not parse", method: "PUT", path: "/bkt?tagging", service: "s3",
			body:   `<Tagging>`,
			status: 400, want: []string{"<Error><Code>MalformedXML</Code>"},
		},
		{
			name: "rest-json body and success code", method: "POST", path: "/2015-03-31/functions", service: "lambda",
			body:   `{"FunctionName":"fn","MemorySize":256}`,
			status: 201, want: []string{`{"FunctionName":"fn","State":"Pending"}`},
		},
		{
			name: "rest-json stub that does not match", method: "POST", path: "/2015-03-31/functions", service: "lambda",
			body:   `{"FunctionName":"other"}`,
			status: 400, want: []string{`{"message":`},
		},
		{
			name: "service that speaks no routed protocol", method: "GET", path: "/", service: "nosuchservice",
			status: 404, want: []string{"no service signing as nosuchservice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := signedCall(t, srv, tt.method, tt.path, tt.service, nil, tt.body)
			assert.Equal(t, tt.status, status, body)
			for _, w := range tt.want {
				assert.Contains(t, body, w)
			}
		})
	}
}

// TestStubRESTUnsigned: a REST call with a bad signature never reaches
// its stub.
func TestStubRESTUnsigned(t *testing.T) {
	srv := newServer(t, ssmlocal.WithStubs(restStubs(t)))
	req, err := http.NewRequest("POST", srv.URL()+"/2015-03-31/functions/fn/invocations", strings.NewReader(`{"x":1}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+srv.Admin().AccessKeyID+"/"+time.Now().UTC().Format("20060102")+"/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "SignatureDoesNotMatch", resp.Header.Get("X-Amzn-Errortype"), string(data))
	audit := srv.Audit()
	assert.Equal(t, "Invoke", audit[len(audit)-1].API)
	assert.Empty(t, audit[len(audit)-1].Decision)
}
