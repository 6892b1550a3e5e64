package ssmlocal

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startServer starts an endpoint for one test of this package.
func startServer(t testing.TB, optFns ...func(*Options)) *Server {
	t.Helper()
	srv, err := New(optFns...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, srv.Close()) })
	return srv
}

// wireRequest describes one raw request; zero fields take an administrator's
// signed query-protocol call to IAM in us-east-1.
type wireRequest struct {
	service, region, target string
	body                    string
	creds                   *aws.Credentials
	unsigned                bool
	// edit changes the request after it is signed.
	edit func(*http.Request)
	// before changes the request before it is signed.
	before func(*http.Request)
}

type wireResponse struct {
	status      int
	code, msg   string
	contentType string
	raw         string
}

// send signs (unless unsigned) and sends a request and decodes its error
// code and message, whatever the protocol.
func send(t testing.TB, srv *Server, wr wireRequest) wireResponse {
	t.Helper()
	if wr.service == "" {
		wr.service = "iam"
	}
	if wr.region == "" {
		wr.region = "us-east-1"
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(wr.body))
	require.NoError(t, err)
	if wr.target != "" {
		req.Header.Set("X-Amz-Target", wr.target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	if wr.before != nil {
		wr.before(req)
	}
	if !wr.unsigned {
		creds := aws.Credentials{AccessKeyID: srv.Admin().AccessKeyID, SecretAccessKey: srv.Admin().SecretAccessKey}
		if wr.creds != nil {
			creds = *wr.creds
		}
		sum := sha256.Sum256([]byte(wr.body))
		require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), wr.service, wr.region, time.Now()))
	}
	if wr.edit != nil {
		wr.edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := wireResponse{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), raw: string(data)}
	if resp.StatusCode == http.StatusOK {
		return out
	}
	if strings.Contains(out.contentType, "json") {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		require.NoError(t, json.Unmarshal(data, &e), "body %s", data)
		out.code, out.msg = e.Type, e.Message
		return out
	}
	var e struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
		Errors  struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		} `xml:"Errors"`
	}
	require.NoError(t, xml.Unmarshal(data, &e), "body %s", data)
	out.code, out.msg = e.Code, e.Message
	if e.Errors.Code != "" {
		out.code, out.msg = e.Errors.Code, e.Errors.Message
	}
	return out
}

// TestQueryDecodeLimits: a parameter name of a million segments, too many
// parameters or a huge name are refused with a 400 naming the bound, and
// never decoded for an unauthenticated caller.
func TestQueryDecodeLimits(t *testing.T) {
	srv := startServer(t)
	deep := "Action=CreateUser&Version=2010-05-08&" + strings.Repeat("a.", 1_000_000) + "a=1"
	var many strings.Builder
	many.WriteString("Action=CreateUser&Version=2010-05-08")
	for i := range maxQueryParams {
		fmt.Fprintf(&many, "&P%d=x", i)
	}
	tests := []struct {
		name     string
		req      wireRequest
		code     string
		contains string
	}{
		{"deep name", wireRequest{body: deep}, "MalformedQueryString", "at most 32 are allowed"},
		{"deep name to EC2", wireRequest{service: "ec2", body: strings.Replace(deep, "2010-05-08", "2016-11-15", 1)}, "MalformedQueryString", "at most 32 are allowed"},
		{"deep name unsigned", wireRequest{body: deep, unsigned: true}, "MissingAuthenticationToken", ""},
		{"deep name, bad signature", wireRequest{body: deep, creds: &aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}}, "InvalidClientTokenId", ""},
		{"too many parameters", wireRequest{body: many.String()}, "MalformedQueryString", "more than 10000 parameters"},
		{"long name", wireRequest{body: "Action=CreateUser&" + strings.Repeat("n", maxQueryName+1) + "=1"}, "MalformedQueryString", "longer than 512 bytes"},
		{"deep URL parameter", wireRequest{body: "Action=CreateUser", before: func(r *http.Request) { r.URL.RawQuery = strings.Repeat("b.", 40) + "b=1" }}, "MalformedQueryString", "at most 32 are allowed"},
		{"semicolon", wireRequest{body: "Action=CreateUser;UserName=x"}, "MalformedQueryString", "semicolon"},
		{"long action", wireRequest{body: "Action=" + strings.Repeat("A", 200)}, "InvalidAction", "longer than 128 bytes"},
		{"deep JSON", wireRequest{service: "ssm", target: "AmazonSSM.ListDocuments", body: strings.Repeat("[", 100_000)}, "SerializationException", "deeper than 32 levels"},
		{"deep JSON in a string is fine", wireRequest{service: "ssm", target: "AmazonSSM.ListDocuments", body: `{"NextToken":"` + strings.Repeat("[", 1000) + `"}`}, "InvalidNextToken", ""},
		{"trailing JSON", wireRequest{service: "ssm", target: "AmazonSSM.ListDocuments", body: `{} {}`}, "SerializationException", "after the top-level value"},
		{"32 segments is fine", wireRequest{body: "Action=GetUser&UserName=nobody&" + strings.Repeat("c.", 31) + "c=1"}, "NoSuchEntity", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, tt.req)
			require.Equal(t, tt.code, got.code, "response %d %s", got.status, clip(got.raw))
			assert.Contains(t, got.msg, tt.contains)
			assert.LessOrEqual(t, len(got.msg), maxMessage)
		})
	}
	// The server is still there.
	require.Equal(t, http.StatusOK, send(t, srv, wireRequest{service: "sts", body: "Action=GetCallerIdentity&Version=2011-06-15"}).status)
}

// TestQueryShapeDeep: a key as deep as the bound decodes to the nested
// structure it names, and list order is fixed even for equal numbers.
func TestQueryShapeDeep(t *testing.T) {
	key := strings.Repeat("k.", maxQueryDepth-1) + "k"
	out := queryShape(url.Values{key: {"v"}, "L.member.01": {"x"}, "L.member.1": {"y"}, "L.member.2": {"z"}}, false)
	var v any = out
	for range maxQueryDepth {
		m, ok := v.(map[string]any)
		require.True(t, ok, "%T", v)
		v = m["k"]
	}
	assert.Equal(t, "v", v)
	assert.Equal(t, []any{"x", "y", "z"}, out["L"])
}

// TestBodyLimit: a body over the limit is refused with 413 in the
// protocol's own error shape and not processed; one at the limit is read.
func TestBodyLimit(t *testing.T) {
	srv := startServer(t)
	pad := func(prefix string, n int) string { return prefix + strings.Repeat("x", n-len(prefix)) }
	over := maxBodyBytes + 1
	tests := []struct {
		name   string
		req    wireRequest
		status int
		code   string
	}{
		{"query over", wireRequest{body: pad("Action=CreateUser&Version=2010-05-08&UserName=big&Pad=", over)}, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"},
		{"query over, unsigned", wireRequest{body: pad("Action=CreateUser&Version=2010-05-08&UserName=big&Pad=", over), unsigned: true}, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"},
		{"ec2 over", wireRequest{service: "ec2", body: pad("Action=DescribeInstances&Version=2016-11-15&Pad=", over)}, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"},
		{"json over", wireRequest{service: "ssm", target: "AmazonSSM.ListDocuments", body: pad(`{"NextToken":"`, over)}, http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException"},
		{"query at the limit", wireRequest{body: pad("Action=GetUser&Version=2010-05-08&UserName=big&Pad=", maxBodyBytes)}, http.StatusNotFound, "NoSuchEntity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, tt.req)
			assert.Equal(t, tt.status, got.status)
			assert.Equal(t, tt.code, got.code, "body %s", clip(got.raw))
		})
	}
	srv.mu.RLock()
	_, created := srv.iam.Users["big"]
	srv.mu.RUnlock()
	assert.False(t, created, "an oversized request was processed")
}

// TestBadInputMemory: large bad values are repeated in errors and the audit
// trail only as a short prefix, and the trail stays within its byte bound.
func TestBadInputMemory(t *testing.T) {
	const auditBytes = 256 << 10
	srv := startServer(t, func(o *Options) { o.limits.auditBytes = auditBytes })
	huge := strings.Repeat("n", 1<<20)
	bodies := []wireRequest{
		{body: "Action=CreateUser&Version=2010-05-08&UserName=" + huge},
		{body: "Action=" + huge},
		{service: "ssm", target: "AmazonSSM.GetDocument", body: `{"Name":"` + huge + `"}`},
		{service: "ec2", body: "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=" + huge},
		{service: "ec2", body: "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=" + huge + "&Filter.1.Value.1=x"},
	}
	for i := range 40 {
		got := send(t, srv, bodies[i%len(bodies)])
		require.NotEqual(t, http.StatusOK, got.status)
		require.NotEmpty(t, got.code)
		require.Less(t, len(got.msg), 1024, "message of %s", got.code)
	}
	assert.LessOrEqual(t, srv.auditBytes(), auditBytes)
	events := srv.Audit()
	require.NotEmpty(t, events)
	for _, e := range events {
		assert.LessOrEqual(t, len(e.ErrorMessage), maxMessage)
		assert.LessOrEqual(t, len(e.API), maxActionName+32)
	}
	sum := 0
	for i := range events {
		sum += eventSize(&events[i])
	}
	assert.Equal(t, sum, srv.auditBytes(), "the byte count follows the events kept")
}

// TestAuditBounds: the trail drops its oldest events past either bound.
func TestAuditBounds(t *testing.T) {
	msg := strings.Repeat("m", 1000)
	size := eventSize(&AuditEvent{RequestID: "99", ErrorMessage: msg})
	tests := []struct {
		name      string
		limit     int
		bytes     int
		msg       string
		wantCount int
	}{
		{"count", 10, 1 << 20, "", 10},
		{"bytes", 1000, 10 * size, msg, 10},
		{"unbounded count, bytes still hold", -1, 5 * size, msg, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{opts: Options{limits: limits{auditBytes: tt.bytes}}}
			s.audit.limit = tt.limit
			for i := range 100 {
				s.audit.add(s, AuditEvent{RequestID: fmt.Sprint(i), ErrorMessage: tt.msg})
			}
			got := s.Audit()
			require.Len(t, got, tt.wantCount)
			assert.Equal(t, "99", got[len(got)-1].RequestID, "the newest event is kept")
			assert.LessOrEqual(t, s.auditBytes(), tt.bytes)
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short", "abc", "abc"},
		{"at the bound", strings.Repeat("a", maxQuoted), strings.Repeat("a", maxQuoted)},
		{"long", strings.Repeat("a", 1000), strings.Repeat("a", maxQuoted) + "…(1000 bytes)"},
		{"cut inside a character", strings.Repeat("a", maxQuoted-1) + "é" + strings.Repeat("b", 10), strings.Repeat("a", maxQuoted-1) + "…(267 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, clip(tt.in)) })
	}
	e := validation("name", strings.Repeat("v", 1<<20), "Member must have length less than or equal to 64")
	assert.Less(t, len(e.Message), 512)
	e = apiErr("X", "%q and %d and %v", strings.Repeat("q", 1<<20), 7, []string{strings.Repeat("s", 1<<20)})
	assert.Less(t, len(e.Message), 1024)
	assert.Contains(t, e.Message, " and 7 and ")
}

// TestSlowClients: connections that trickle their headers or body, or sit
// idle, are closed by the server's timeouts.
func TestSlowClients(t *testing.T) {
	srv := startServer(t, func(o *Options) {
		o.limits = limits{readHeaderTimeout: 200 * time.Millisecond, readTimeout: 400 * time.Millisecond, idleTimeout: 200 * time.Millisecond}
	})
	addr := strings.TrimPrefix(srv.URL(), "http://")
	head := "POST / HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	tests := []struct {
		name string
		// start is written at once; then trickle is written a byte at a
		// time until the server hangs up.
		start, trickle string
	}{
		{"headers", "POST / HTTP/1.1\r\n", strings.Repeat("X-Slow: 1\r\n", 10_000)},
		{"body", head + "Content-Length: 1000000\r\n\r\n", strings.Repeat("a", 1_000_000)},
		{"idle after a request", "GET / HTTP/1.1\r\nHost: " + addr + "\r\n\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, tt.start)
			require.NoError(t, err)
			closed := make(chan error, 1)
			go func() {
				// Whatever comes back (an error status or nothing), the
				// read ends when the server closes the connection.
				_, err := io.Copy(io.Discard, bufio.NewReader(conn))
				closed <- err
			}()
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			deadline := time.After(10 * time.Second)
			for i := 0; ; {
				select {
				case <-closed:
					// Closed, by a FIN or, with unread input, a reset.
					if tt.trickle != "" {
						assert.Less(t, i, len(tt.trickle), "the trickle was not cut off")
					}
					return
				case <-deadline:
					require.FailNow(t, "the server kept a slow connection open")
				case <-tick.C:
					if i < len(tt.trickle) {
						_, _ = conn.Write([]byte{tt.trickle[i]})
						i++
					}
				}
			}
		})
	}
}
