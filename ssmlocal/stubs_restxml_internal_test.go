package ssmlocal

import (
	"encoding/xml"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/restmodel"
)

// routed returns the stubREST of an operation of a REST service.
func routed(t testing.TB, sign, method, path, query string) *stubREST {
	t.Helper()
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	m, ok := restmodel.Load().Route(sign, method, path, q)
	require.True(t, ok)
	p := &stubREST{op: m.Operation, service: m.Service.Name, xml: m.Service.Protocol == restmodel.RestXML}
	if p.xml {
		p.shapes = m.Service.XML()
	}
	return p
}

// TestShapeRESTXML checks that rest-xml request bodies are read as the
// input shape says: wrapped lists under their item names, lists of one
// item or none, and elements the shape lacks kept as parsed.
func TestShapeRESTXML(t *testing.T) {
	const ns = `xmlns="https://route53.amazonaws.com/doc/2013-04-01/"`
	rrset := `<Change><Action>UPSERT</Action><ResourceRecordSet><Name>a.example.com.</Name><Type>A</Type><TTL>300</TTL>` +
		`<ResourceRecords><ResourceRecord><Value>10.0.0.1</Value></ResourceRecord><ResourceRecord><Value>10.0.0.2</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`
	one := `<Change><Action>DELETE</Action><ResourceRecordSet><Name>b.example.com.</Name><ResourceRecords><ResourceRecord><Value>10.0.0.3</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`
	set := func(action, name string, extra map[string]any, values ...string) map[string]any {
		recs := []any{}
		for _, v := range values {
			recs = append(recs, map[string]any{"Value": v})
		}
		rs := map[string]any{"Name": name, "ResourceRecords": recs}
		for k, v := range extra {
			rs[k] = v
		}
		return map[string]any{"Action": action, "ResourceRecordSet": rs}
	}
	tests := []struct {
		name, sign, method, path, query, body string
		want                                  map[string]any
	}{
		{
			name: "wrapped lists of several items", sign: "route53", method: "POST", path: "/2013-04-01/hostedzone/Z1/rrset/",
			body: `<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch><Changes>` + rrset + one + `</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
			want: map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Changes": []any{
				set("UPSERT", "a.example.com.", map[string]any{"Type": "A", "TTL": "300"}, "10.0.0.1", "10.0.0.2"),
				set("DELETE", "b.example.com.", nil, "10.0.0.3"),
			}}},
		},
		{
			name: "wrapped list of one item", sign: "route53", method: "POST", path: "/2013-04-01/hostedzone/Z1/rrset/",
			body: `<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch><Comment>c</Comment><Changes>` + one + `</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
			want: map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Comment": "c", "Changes": []any{set("DELETE", "b.example.com.", nil, "10.0.0.3")}}},
		},
		{
			name: "empty wrapped list and unknown elements", sign: "route53", method: "POST", path: "/2013-04-01/hostedzone/Z1/rrset/",
			body: `<ChangeResourceRecordSetsRequest><ChangeBatch><Changes/><Extra><X>1</X></Extra></ChangeBatch></ChangeResourceRecordSetsRequest>`,
			want: map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Changes": []any{}, "Extra": map[string]any{"X": "1"}}},
		},
		{
			name: "payload with a wrapped list", sign: "s3", method: "PUT", path: "/bkt", query: "tagging",
			body: `<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>`,
			want: map[string]any{"Bucket": "bkt", "Tagging": map[string]any{"TagSet": []any{map[string]any{"Key": "a", "Value": "1"}}}},
		},
		{
			name: "flattened list of one item", sign: "s3", method: "POST", path: "/bkt", query: "delete",
			body: `<Delete><Object><Key>k</Key></Object><Quiet>true</Quiet></Delete>`,
			want: map[string]any{"Bucket": "bkt", "Delete": map[string]any{"Objects": []any{map[string]any{"Key": "k"}}, "Quiet": "true"}},
		},
		{
			name: "value where a list belongs", sign: "route53", method: "POST", path: "/2013-04-01/hostedzone/Z1/rrset/",
			body: `<R><ChangeBatch><Changes>text</Changes></ChangeBatch></R>`,
			want: map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Changes": []any{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := routed(t, tt.sign, tt.method, tt.path, tt.query)
			r := httptest.NewRequest(tt.method, tt.path+"?"+tt.query, nil)
			q, _ := url.ParseQuery(tt.query)
			m, ok := restmodel.Load().Route(tt.sign, tt.method, tt.path, q)
			require.True(t, ok)
			got, err := p.decode(r, []byte(tt.body), m.Labels)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestWriteShapedRESTXML checks rest-xml responses against the output
// shapes: wrapped lists under their item names, flattened lists repeated,
// members the shape lacks dropped.
func TestWriteShapedRESTXML(t *testing.T) {
	tests := []struct {
		name, sign, method, path, query string
		out                             map[string]any
		want                            string
	}{
		{
			name: "wrapped list", sign: "route53", method: "GET", path: "/2013-04-01/hostedzone",
			out:  map[string]any{"HostedZones": []any{map[string]any{"Id": "/hostedzone/Z1", "Name": "a.", "Config": map[string]any{"PrivateZone": true}}}, "IsTruncated": false, "Bogus": 1},
			want: `<HostedZones><HostedZone><Config><PrivateZone>true</PrivateZone></Config><Id>/hostedzone/Z1</Id><Name>a.</Name></HostedZone></HostedZones><IsTruncated>false</IsTruncated>`,
		},
		{
			name: "empty wrapped list", sign: "route53", method: "GET", path: "/2013-04-01/hostedzone",
			out:  map[string]any{"HostedZones": []any{}},
			want: `<HostedZones></HostedZones>`,
		},
		{
			name: "flattened list", sign: "s3", method: "GET", path: "/bkt", query: "list-type=2",
			out:  map[string]any{"Contents": []any{map[string]any{"Key": "a"}, map[string]any{"Key": "b"}}, "KeyCount": 2},
			want: `<Contents><Key>a</Key></Contents><Contents><Key>b</Key></Contents><KeyCount>2</KeyCount>`,
		},
		{
			name: "payload structure", sign: "s3", method: "GET", path: "/bkt", query: "tagging",
			out:  map[string]any{"TagSet": []any{map[string]any{"Key": "k", "Value": "v"}}},
			want: `<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := routed(t, tt.sign, tt.method, tt.path, tt.query)
			w := httptest.NewRecorder()
			p.writeResult(w, "req", tt.out)
			assert.Contains(t, w.Body.String(), tt.want)
			wellFormed(t, w.Body.String())
		})
	}
}

// wellFormed fails t unless s is well-formed XML.
func wellFormed(t testing.TB, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		require.NoError(t, err, s)
	}
}

// TestRESTXMLErrors checks the two rest-xml error forms: S3's bare
// <Error> and the <ErrorResponse> the other services wrap it in.
func TestRESTXMLErrors(t *testing.T) {
	for _, tt := range []struct{ sign, method, path, query, want string }{
		{"s3", "GET", "/bkt/k", "", `<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>req</RequestId></Error>`},
		{"route53", "GET", "/2013-04-01/hostedzone", "", `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchKey</Code><Message>m</Message></Error><RequestId>req</RequestId></ErrorResponse>`},
		{"s3", "GET", "/v20180820/jobs", "", `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchKey</Code>`},
	} {
		t.Run(tt.sign+tt.path, func(t *testing.T) {
			p := routed(t, tt.sign, tt.method, tt.path, tt.query)
			w := httptest.NewRecorder()
			p.writeError(w, "req", &APIError{Code: "NoSuchKey", Message: "m", Status: 404})
			assert.Equal(t, 404, w.Code)
			assert.Contains(t, w.Body.String(), tt.want)
		})
	}
}

// FuzzShapeRESTXML feeds arbitrary bodies to the shaped reader and
// arbitrary documents to the shaped writer: no panic, and the response is
// well-formed XML.
func FuzzShapeRESTXML(f *testing.F) {
	f.Add(`<R><ChangeBatch><Changes><Change><Action>A</Action></Change></Changes></ChangeBatch></R>`, `{"HostedZones":[{"Id":"a","Config":{"PrivateZone":true}}]}`)
	f.Add(`<R><ChangeBatch><Changes>x</Changes><Changes/></ChangeBatch></R>`, `{"HostedZones":{"<":1},"Marker":[1]}`)
	in := routed(f, "route53", "POST", "/2013-04-01/hostedzone/Z1/rrset/", "")
	out := routed(f, "route53", "GET", "/2013-04-01/hostedzone", "")
	f.Fuzz(func(t *testing.T, body, doc string) {
		r := httptest.NewRequest("POST", "/", nil)
		_, _ = in.decode(r, []byte(body), nil)
		m, err := decodeJSON([]byte(doc))
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		out.writeResult(w, "req", m)
		wellFormed(t, w.Body.String())
	})
}
