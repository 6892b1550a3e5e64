package ssmlocal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParseAuthorization feeds arbitrary Authorization headers to the
// SigV4 parser: it must never panic, and what it accepts must be complete.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=")
	f.Add("Basic Zm9vOmJhcg==")
	f.Fuzz(func(t *testing.T, h string) {
		a, ok := parseAuthorization(h)
		if ok && (a.accessKey == "" || a.signature == "" || len(a.signedHeaders) == 0) {
			t.Fatalf("accepted an incomplete header: %+v", a)
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
					t.Fatalf("unexpected %T in %v", v, out)
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
	if err != nil {
		f.Fatal(err)
	}
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
		if err != nil {
			t.Fatal(err)
		}
		c := &call{s: srv, who: who, service: service, api: api, regionNm: srv.Region(), requestID: "fuzz"}
		_, _ = srv.dispatch(context.Background(), c, in)
	})
}
