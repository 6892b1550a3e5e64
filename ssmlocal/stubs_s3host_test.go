package ssmlocal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// hostLog records the Host of every request a client sends and dials the
// local endpoint whatever the host, so that BUCKET.localhost reaches it
// without a resolver that knows .localhost names.
type hostLog struct {
	mu    sync.Mutex
	hosts []string
	next  http.RoundTripper
}

func (h *hostLog) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	h.hosts = append(h.hosts, host)
	h.mu.Unlock()
	return h.next.RoundTrip(r)
}

func (h *hostLog) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hosts...)
}

func loopbackClient(t *testing.T, srv *ssmlocal.Server) *hostLog {
	t.Helper()
	u, err := url.Parse(srv.URL())
	require.NoError(t, err)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, u.Host)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &hostLog{next: tr}
}

// s3Client is an S3 client with the SDK's default addressing
// (UsePathStyle false) for an endpoint named host:PORT.
func s3Client(t *testing.T, srv *ssmlocal.Server, host string) (*s3.Client, *hostLog) {
	t.Helper()
	u, err := url.Parse(srv.URL())
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(u.Host)
	require.NoError(t, err)
	log := loopbackClient(t, srv)
	c := cfg(srv, srv.Admin())
	c.BaseEndpoint = aws.String("http://" + net.JoinHostPort(host, port))
	c.HTTPClient = &http.Client{Timeout: time.Minute, Transport: log}
	return s3.NewFromConfig(c, func(o *s3.Options) { o.UsePathStyle = false }), log
}

// TestStubS3VirtualHosted calls S3 stubs with the Go SDK's default
// addressing: the bucket in the Host (BUCKET.localhost:PORT) and the key
// in the path; an IP endpoint makes the SDK fall back to path style, and
// both reach the same stubs.
func TestStubS3VirtualHosted(t *testing.T) {
	srv := newServer(t, ssmlocal.WithStubs(restStubs(t)))
	ctx := context.Background()
	tests := []struct {
		name, host, wantHost string
	}{
		{name: "virtual-hosted under localhost", host: "localhost", wantHost: "bkt.localhost:"},
		{name: "path style for an IP endpoint", host: "127.0.0.1", wantHost: "127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, log := s3Client(t, srv, tt.host)
			o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("reports/today.csv")})
			require.NoError(t, err)
			body, err := io.ReadAll(o.Body)
			require.NoError(t, err)
			assert.Equal(t, "a,b\n1,2\n", string(body))
			assert.Equal(t, "text/csv", aws.ToString(o.ContentType))
			assert.Equal(t, map[string]string{"owner": "ops"}, o.Metadata)

			o, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("reports/q1 100%.csv")})
			require.NoError(t, err)
			body, err = io.ReadAll(o.Body)
			require.NoError(t, err)
			assert.Equal(t, "q1", string(body), "the key is path-escaped once")

			l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("reports/")})
			require.NoError(t, err)
			var keys []string
			for _, obj := range l.Contents {
				keys = append(keys, aws.ToString(obj.Key))
			}
			assert.Equal(t, []string{"reports/a.csv", "reports/b.csv"}, keys)
			assert.Equal(t, int32(2), aws.ToInt32(l.KeyCount))

			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("nope")})
			assert.Equal(t, "NoSuchKey", errCode(err))

			hosts := log.seen()
			require.NotEmpty(t, hosts)
			for _, h := range hosts {
				assert.True(t, strings.HasPrefix(h, tt.wantHost), "host %q", h)
			}
		})
	}
}

// TestStubS3HostRouting sends signed requests with the Host forms S3
// accepts and checks the operation and bucket each one reaches.
func TestStubS3HostRouting(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("s3", "GetObject", ssmlocal.StubMatching(map[string]any{"Bucket": "my.bkt", "Key": "a/b.txt"},
		ssmlocal.StubResponse(map[string]any{"Body": "dotted"}))))
	require.NoError(t, reg.Add("s3", "GetObject", ssmlocal.StubMatching(map[string]any{"Bucket": "bkt", "Key": "a/b.txt"},
		ssmlocal.StubResponse(map[string]any{"Body": "plain"}))))
	require.NoError(t, reg.Add("s3", "GetBucketTagging", ssmlocal.StubMatching(map[string]any{"Bucket": "bkt"},
		ssmlocal.StubResponse(map[string]any{"TagSet": []any{map[string]any{"Key": "team", "Value": "ops"}}}))))
	require.NoError(t, reg.Add("s3", "ListJobs", ssmlocal.StubMatching(map[string]any{"AccountId": "123456789012"},
		ssmlocal.StubResponse(map[string]any{"NextToken": "t-1"}))))
	srv := newServer(t, ssmlocal.WithStubs(reg))
	tests := []struct {
		name, host, method, path string
		header                   map[string]string
		status                   int
		want                     string
	}{
		{name: "bucket under localhost", host: "bkt.localhost", method: "GET", path: "/a/b.txt", status: 200, want: "plain"},
		{name: "dotted bucket under localhost", host: "my.bkt.localhost", method: "GET", path: "/a/b.txt", status: 200, want: "dotted"},
		{name: "bucket root with a subresource", host: "bkt.localhost", method: "GET", path: "/?tagging", status: 200, want: "<TagSet><Tag><Key>team</Key><Value>ops</Value></Tag></TagSet>"},
		{name: "global S3 host", host: "bkt.s3.amazonaws.com", method: "GET", path: "/a/b.txt", status: 200, want: "plain"},
		{name: "regional S3 host", host: "bkt.s3.eu-west-1.amazonaws.com", method: "GET", path: "/a/b.txt", status: 200, want: "plain"},
		{name: "legacy dash-Region S3 host", host: "bkt.s3-eu-west-1.amazonaws.com", method: "GET", path: "/a/b.txt", status: 200, want: "plain"},
		{name: "dual-stack S3 host", host: "my.bkt.s3.dualstack.us-east-1.amazonaws.com", method: "GET", path: "/a/b.txt", status: 200, want: "dotted"},
		{name: "China S3 host", host: "bkt.s3.cn-north-1.amazonaws.com.cn", method: "GET", path: "/a/b.txt", status: 200, want: "plain"},
		{name: "path style on the S3 host", host: "s3.us-east-1.amazonaws.com", method: "GET", path: "/bkt/a/b.txt", status: 200, want: "plain"},
		{name: "path style on an IP", host: "", method: "GET", path: "/bkt/a/b.txt", status: 200, want: "plain"},
		{
			name: "S3 Control keeps its account host", host: "123456789012.localhost", method: "GET", path: "/v20180820/jobs",
			header: map[string]string{"X-Amz-Account-Id": "123456789012"}, status: 200, want: "<NextToken>t-1</NextToken>",
		},
		{name: "S3 Control's host is not a bucket", host: "123456789012.s3-control.us-east-1.amazonaws.com", method: "GET", path: "/v20180820/jobs",
			header: map[string]string{"X-Amz-Account-Id": "123456789012"}, status: 200, want: "<NextToken>t-1</NextToken>"},
		{name: "a label that is no bucket name stays path style", host: "B_K.localhost", method: "GET", path: "/bkt/a/b.txt", status: 200, want: "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := signedHostCall(t, srv, tt.host, tt.method, tt.path, "s3", tt.header)
			assert.Equal(t, tt.status, status, body)
			assert.Contains(t, body, tt.want)
		})
	}
}

// signedHostCall signs and sends a request as the administrator with the
// given Host header (the endpoint's own when empty).
func signedHostCall(t *testing.T, srv *ssmlocal.Server, host, method, path, service string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, nil)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256(nil)
	admin := srv.Admin()
	creds := aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

const boto3VirtualHostScript = `
import json, socket, sys, boto3
from botocore.config import Config
real = socket.getaddrinfo
def local(host, *a, **k):
    # No resolver is needed for BUCKET.localhost on a test machine.
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return real(host, *a, **k)
socket.getaddrinfo = local
out = {}
def run(name, s3):
    urls = []
    s3.meta.events.register("before-send.s3", lambda request, **kw: urls.append(request.url))
    o = s3.get_object(Bucket="bkt", Key="reports/today.csv")
    l = s3.list_objects_v2(Bucket="bkt", Prefix="reports/")
    out[name] = {"body": o["Body"].read().decode(), "meta": o["Metadata"], "keys": [c["Key"] for c in l["Contents"]], "urls": urls}
# No endpoint URL: the SDK's default addressing on S3's own host, sent
# through the local endpoint as a proxy.
run("aws", boto3.client("s3", use_ssl=False, config=Config(proxies={"http": sys.argv[1]})))
run("virtual", boto3.client("s3", endpoint_url=sys.argv[2], config=Config(s3={"addressing_style": "virtual"})))
# botocore keeps path style for an endpoint URL unless told otherwise.
run("endpoint", boto3.client("s3", endpoint_url=sys.argv[2]))
print(json.dumps(out))
`

// TestStubS3VirtualHostedBoto3 calls S3 stubs from boto3: with its
// default addressing and no endpoint URL (the bucket in S3's own host
// name, the local endpoint acting as the HTTP proxy), with virtual
// addressing against http://localhost:PORT, and with an endpoint URL
// alone, where botocore uses path style.
func TestStubS3VirtualHostedBoto3(t *testing.T) {
	slowtest.Require(t, "boto3 conformance")
	srv := newServer(t, ssmlocal.WithStubs(restStubs(t)))
	u, err := url.Parse(srv.URL())
	require.NoError(t, err)
	local := "http://localhost:" + u.Port()
	cmd := exec.Command("python3", "-c", boto3VirtualHostScript, srv.URL(), local)
	cmd.Env = append(cliEnv(t, srv.Admin(), "us-east-1"), "AWS_MAX_ATTEMPTS=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	type result struct {
		Body string            `json:"body"`
		Meta map[string]string `json:"meta"`
		Keys []string          `json:"keys"`
		URLs []string          `json:"urls"`
	}
	var got map[string]result
	require.NoError(t, json.Unmarshal(data, &got), string(data))
	for name, prefix := range map[string]string{
		"aws":      "http://bkt.s3.amazonaws.com/",
		"virtual":  "http://bkt.localhost:" + u.Port() + "/",
		"endpoint": local + "/bkt",
	} {
		t.Run(name, func(t *testing.T) {
			r := got[name]
			assert.Equal(t, "a,b\n1,2\n", r.Body)
			assert.Equal(t, map[string]string{"owner": "ops"}, r.Meta)
			assert.Equal(t, []string{"reports/a.csv", "reports/b.csv"}, r.Keys)
			require.Len(t, r.URLs, 2)
			for _, raw := range r.URLs {
				assert.True(t, strings.HasPrefix(raw, prefix), "%s does not start with %s", raw, prefix)
			}
		})
	}
}
