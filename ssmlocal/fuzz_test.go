package ssmlocal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"
)

// FuzzParseAuthorization feeds arbitrary Authorization headers to the
// SigV4 parser: it must never panic, and what it accepts must be complete.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=")
	f.Add("Basic Zm9vOmJhcg==")
	f.Fuzz(func(t *testing.T, h string) {
		a, ok := parseAuthorization(h)
		if ok {
			require.NotEmpty(t, a.accessKey, "accepted an incomplete header: %+v", a)
			require.NotEmpty(t, a.signature, "accepted an incomplete header: %+v", a)
			require.NotEmpty(t, a.signedHeaders, "accepted an incomplete header: %+v", a)
		}
	})
}

// FuzzQueryShape feeds arbitrary query-protocol bodies to the decoder for
// both the query and EC2 dialects: no panic, and every member survives as
// a string, a list or a structure.
func FuzzQueryShape(f *testing.F) {
	f.Add("Action=CreateUser&Version=2010-05-08&UserName=a&Tags.member.1.Key=k&Tags.member.1.Value=v")
	f.Add("Action=RunInstances&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web&InstanceId.2=i-2&InstanceId.1=i-1")
	f.Add("a.1=x&a.b=y&a=z&.=&..1=")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		for _, ec2 := range []bool{false, true} {
			out := queryShape(form, ec2)
			var walk func(v any)
			walk = func(v any) {
				switch x := v.(type) {
				case string:
				case []any:
					for _, e := range x {
						walk(e)
					}
				case map[string]any:
					for _, e := range x {
						walk(e)
					}
				default:
					require.FailNow(t, fmt.Sprintf("unexpected %T in %v", v, out))
				}
			}
			walk(out)
		}
	})
}

// FuzzDecodeRequest runs whole requests through protocol detection and
// decoding.
func FuzzDecodeRequest(f *testing.F) {
	f.Add("AmazonSSM.ListDocuments", `{"MaxResults":5}`)
	f.Add("", "Action=GetCallerIdentity&Version=2011-06-15")
	f.Add("AmazonSSM.X", `{"a":[1,{"b":null}]}`)
	f.Fuzz(func(t *testing.T, target, body string) {
		r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
		if err != nil {
			return
		}
		if target != "" {
			r.Header.Set("X-Amz-Target", target)
		}
		p := detectProtocol(r, []byte(body))
		if p == nil {
			return
		}
		_, _, _ = p.decode(r, []byte(body))
	})
}

// FuzzOperations sends arbitrary JSON inputs to every simulated operation
// as the administrator: bad input must come back as an error, never a panic.
func FuzzOperations(f *testing.F) {
	f.Add(0, `{"InstanceIds":["i-0123456789abcdef0"],"Filters":[{"Name":"tag:x","Values":["*"]}]}`)
	f.Add(7, `{"Name":"Doc-1","Content":"{\"schemaVersion\":\"0.3\"}","DocumentType":"Automation"}`)
	f.Add(3, `{"UserName":"a","PolicyDocument":"{}","Tags":[{"Key":1}]}`)
	f.Add(11, `{"Parameters":{"a":"b"},"DocumentName":"AWS-RestartEC2Instance","Targets":[{}]}`)
	srv, err := New(func(o *Options) { o.Clock = AutoClock(time.Now()) })
	require.NoError(f, err)
	defer srv.Close()
	ops := srv.Operations()
	f.Fuzz(func(t *testing.T, op int, body string) {
		var in map[string]any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&in) != nil || in == nil {
			return
		}
		if op < 0 {
			op = -op
		}
		name := ops[op%len(ops)]
		service, api, _ := strings.Cut(name, ":")
		who, _, _, err := srv.credentialsFor(srv.Admin().AccessKeyID, authCodes(service))
		require.NoError(t, err)
		c := &call{s: srv, who: who, service: service, api: api, regionNm: srv.Region(), requestID: "fuzz"}
		_, _ = srv.dispatch(context.Background(), c, in)
	})
}

// checkShape fails unless v is built of strings, lists and structures
// nested at most depth levels.
func checkShape(t *testing.T, v any, depth int) {
	type item struct {
		v     any
		level int
	}
	stack := []item{{v, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		require.LessOrEqual(t, it.level, depth, "shape nested too deep")
		switch x := it.v.(type) {
		case string:
		case []any:
			for _, e := range x {
				stack = append(stack, item{e, it.level + 1})
			}
		case map[string]any:
			for _, e := range x {
				stack = append(stack, item{e, it.level + 1})
			}
		default:
			require.FailNow(t, fmt.Sprintf("unexpected %T", it.v))
		}
	}
}

// FuzzQueryDecode runs query-protocol requests, body and URL, through the
// bounded decoder: no panic; a refusal is a short MalformedQueryString or
// InvalidAction; an accepted request's shape is no deeper than the names
// allow.
func FuzzQueryDecode(f *testing.F) {
	f.Add("Action=CreateUser&Version=2010-05-08&UserName=a&Tags.member.1.Key=k", "", false)
	f.Add("Action=RunInstances&TagSpecification.1.Tag.1.Key=Name&Filter.1.Value.1=x", "Action=X", true)
	f.Add("Action=A&"+strings.Repeat("a.", 31)+"a=1", strings.Repeat("b.", 40)+"b=2", false)
	f.Add("Action=A&"+strings.Repeat("a.", 5000)+"a=1", "", true)
	f.Add("Action=A&"+strings.Repeat("x=1&", 10_001), "", false)
	f.Add("Action=A&"+strings.Repeat("%2E", 40)+"=1&%zz=1", "a;b=1", false)
	f.Add("Action="+strings.Repeat("A", 200), "", false)
	f.Fuzz(func(t *testing.T, body, rawQuery string, ec2 bool) {
		r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
		require.NoError(t, err)
		r.URL.RawQuery = rawQuery
		p := protocolFor("iam")
		if ec2 {
			p = protocolFor("ec2")
		}
		op, in, err := p.decode(r, []byte(body))
		if err != nil {
			ae := asAPIError(err)
			require.Contains(t, []string{"MalformedQueryString", "InvalidAction", "MissingAction"}, ae.Code, "refused with")
			require.LessOrEqual(t, len(ae.Message), maxMessage, "message bytes")
			return
		}
		require.NotEmpty(t, op, "accepted an empty operation")
		require.LessOrEqual(t, len(op), maxActionName, "accepted operation %q", clip(op))
		checkShape(t, in, maxQueryDepth)
	})
}

// FuzzJSONDecode: an awsJson1_1 body decodes exactly when it is one valid
// JSON object (or null, or empty) nested at most maxJSONDepth deep.
func FuzzJSONDecode(f *testing.F) {
	f.Add(`{"MaxResults":5}`)
	f.Add(`{"a":[1,{"b":null}],"s":"[[[[\"\\"}`)
	f.Add(strings.Repeat("[", 40) + strings.Repeat("]", 40))
	f.Add(`{"a":` + strings.Repeat(`{"a":`, 31) + `1` + strings.Repeat("}", 32))
	f.Add(`{} {}`)
	f.Add(`{}]`)
	f.Add(`null`)
	f.Add(`  `)
	f.Add(`[1]`)
	f.Fuzz(func(t *testing.T, body string) {
		in, err := decodeJSON([]byte(body))
		trimmed := strings.TrimSpace(body)
		object := trimmed == "" || json.Valid([]byte(body)) && (trimmed[0] == '{' || trimmed == "null")
		want := object && jsonDepth([]byte(body), maxJSONDepth) <= maxJSONDepth
		require.Equal(t, want, err == nil, "decode error %v", err)
		if err != nil {
			ae := asAPIError(err)
			require.Equal(t, "SerializationException", ae.Code, "refused with")
			require.LessOrEqual(t, len(ae.Message), maxMessage, "message bytes")
			return
		}
		require.NotNil(t, in, "nil input")
	})
}

// FuzzSigV4 signs a request correctly, then lets the fuzzer replace its
// Authorization header, date, token, target or body: verification must
// never panic, and must succeed only when what was signed is unchanged.
func FuzzSigV4(f *testing.F) {
	f.Add(0, "", "", "", "", "")
	f.Add(1, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef", "", "", "", "")
	f.Add(2, "", "20200101T000000Z", "", "", "")
	f.Add(3, "", "", "token", "", "Action=GetUser")
	f.Add(0, "", "", "", "AmazonSSM.DeleteDocument", "{\"Name\":\"x\"}")
	f.Add(1, "AWS4-HMAC-SHA256 Credential=A/2/3/4/aws4_request,SignedHeaders=;;;,Signature=0", "2", "", "", "")
	srv, err := New()
	require.NoError(f, err)
	defer srv.Close()
	admin := srv.Admin()
	creds := aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	services := []struct{ service, target, body string }{
		{"ssm", "AmazonSSM.ListDocuments", "{}"},
		{"iam", "", "Action=GetUser&Version=2010-05-08"},
		{"sts", "", "Action=GetCallerIdentity&Version=2011-06-15"},
		{"ec2", "", "Action=DescribeInstances&Version=2016-11-15"},
	}
	f.Fuzz(func(t *testing.T, which int, auth, date, token, target, body string) {
		if which < 0 {
			which = -which
		}
		svc := services[which%len(services)]
		r, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(svc.body))
		require.NoError(t, err)
		if svc.target != "" {
			r.Header.Set("X-Amz-Target", svc.target)
		}
		sum := sha256.Sum256([]byte(svc.body))
		require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), svc.service, "us-east-1", time.Now()))
		signed, _ := parseAuthorization(r.Header.Get("Authorization"))
		signedDate := r.Header.Get("X-Amz-Date")
		sent := []byte(svc.body)
		for _, set := range []struct{ header, value string }{
			{"Authorization", auth}, {"X-Amz-Date", date}, {"X-Amz-Security-Token", token}, {"X-Amz-Target", target},
		} {
			if set.value != "" {
				r.Header.Set(set.header, set.value)
			}
		}
		if body != "" {
			sent = []byte(body)
		}
		_, err = srv.verify(r, sent, svc.service)
		if err != nil {
			require.LessOrEqual(t, len(asAPIError(err).Message), maxMessage, "message bytes")
			return
		}
		got, _ := parseAuthorization(r.Header.Get("Authorization"))
		changed := fmt.Sprintf("verified a request changed after signing: auth %q date %q token %q target %q body %q", auth, date, token, target, body)
		require.Equal(t, signed.signature, got.signature, changed)
		require.Equal(t, signed.accessKey, got.accessKey, changed)
		require.Equal(t, signed.service, got.service, changed)
		require.Equal(t, signed.region, got.region, changed)
		require.Equal(t, signedDate, r.Header.Get("X-Amz-Date"), changed)
		require.Empty(t, r.Header.Get("X-Amz-Security-Token"), changed)
		require.Equal(t, svc.target, r.Header.Get("X-Amz-Target"), changed)
		require.Equal(t, svc.body, string(sent), changed)
	})
}
