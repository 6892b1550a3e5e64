package ssmlocal

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStubQueryShapes checks the query response encoding against the
// service models: named list items, flattened lists, maps, dropped
// members, and the generic encoding when the operation is unknown.
func TestStubQueryShapes(t *testing.T) {
	tests := []struct {
		name, service, version, op string
		out                        map[string]any
		want                       string
	}{
		{
			name: "named list items", service: "rds", version: "2014-10-31", op: "DescribeDBInstances",
			out: map[string]any{"DBInstances": []any{
				map[string]any{"DBInstanceIdentifier": "db1", "DBInstanceStatus": "available", "MultiAZ": false},
				map[string]any{"DBInstanceIdentifier": "db2", "DBInstanceStatus": "stopped"},
			}},
			want: `<DescribeDBInstancesResult><DBInstances>` +
				`<DBInstance><DBInstanceIdentifier>db1</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus><MultiAZ>false</MultiAZ></DBInstance>` +
				`<DBInstance><DBInstanceIdentifier>db2</DBInstanceIdentifier><DBInstanceStatus>stopped</DBInstanceStatus></DBInstance>` +
				`</DBInstances></DescribeDBInstancesResult>`,
		},
		{
			name: "member lists and dropped members", service: "sns", op: "ListTopics",
			out:  map[string]any{"Topics": []any{map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:a"}}, "NextToken": "n", "Bogus": "x"},
			want: `<ListTopicsResult><NextToken>n</NextToken><Topics><member><TopicArn>arn:aws:sns:us-east-1:123456789012:a</TopicArn></member></Topics></ListTopicsResult>`,
		},
		{
			name: "map", service: "sns", op: "GetTopicAttributes",
			out:  map[string]any{"Attributes": map[string]any{"Policy": "{}", "DisplayName": "a<b"}},
			want: `<GetTopicAttributesResult><Attributes><entry><key>DisplayName</key><value>a&lt;b</value></entry><entry><key>Policy</key><value>{}</value></entry></Attributes></GetTopicAttributesResult>`,
		},
		{
			name: "flattened lists", service: "sdb", op: "Select",
			out: map[string]any{"Items": []any{map[string]any{"Name": "i1", "Attributes": []any{
				map[string]any{"Name": "a", "Value": "1"}, map[string]any{"Name": "b", "Value": "2"},
			}}}},
			want: `<SelectResult><Item><Attribute><Name>a</Name><Value>1</Value></Attribute><Attribute><Name>b</Name><Value>2</Value></Attribute><Name>i1</Name></Item></SelectResult>`,
		},
		{
			name: "flattened scalar list", service: "sdb", op: "ListDomains",
			out:  map[string]any{"DomainNames": []string{"d1", "d2"}},
			want: `<ListDomainsResult><DomainName>d1</DomainName><DomainName>d2</DomainName></ListDomainsResult>`,
		},
		{
			name: "value that does not fit its shape", service: "rds", op: "DescribeDBInstances",
			out:  map[string]any{"DBInstances": "none", "Marker": 7},
			want: `<DescribeDBInstancesResult><DBInstances>none</DBInstances><Marker>7</Marker></DescribeDBInstancesResult>`,
		},
		{
			name: "object or list where the shape has none", service: "rds", op: "DescribeDBInstances",
			out:  map[string]any{"DBInstances": map[string]any{"not a name": 1}, "Marker": []any{map[string]any{"<": 1}}},
			want: `<DescribeDBInstancesResult><DBInstances></DBInstances><Marker></Marker></DescribeDBInstancesResult>`,
		},
		{
			name: "api version picks the service", service: "elasticloadbalancing", version: "2012-06-01", op: "DescribeLoadBalancers",
			out:  map[string]any{"LoadBalancerDescriptions": []any{map[string]any{"LoadBalancerName": "lb"}}},
			want: `<DescribeLoadBalancersResult><LoadBalancerDescriptions><member><LoadBalancerName>lb</LoadBalancerName></member></LoadBalancerDescriptions></DescribeLoadBalancersResult>`,
		},
		{
			name: "unknown operation is generic", service: "rds", op: "NoSuchOperation",
			out:  map[string]any{"Things": []any{"a"}, "Extra": true},
			want: `<NoSuchOperationResult><Extra>true</Extra><Things><member>a</member></Things></NoSuchOperationResult>`,
		},
		{
			name: "unknown version is generic", service: "sns", version: "1999-01-01", op: "ListTopics",
			out:  map[string]any{"Bogus": "x"},
			want: `<ListTopicsResult><Bogus>x</Bogus></ListTopicsResult>`,
		},
		{
			name: "unknown service is generic", service: "nosuch", op: "Get",
			out:  map[string]any{"A": map[string]any{"B": "c"}},
			want: `<GetResult><A><B>c</B></A></GetResult>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &stubWire{service: tt.service, version: tt.version}
			w := httptest.NewRecorder()
			p.writeResult(w, "req-1", tt.op, tt.out)
			require.Equal(t, 200, w.Code)
			body := w.Body.String()
			open := "<" + tt.op + "Response xmlns=\"" + p.namespace() + "\">"
			start := strings.Index(body, open) + len(open)
			end := strings.Index(body, "<ResponseMetadata>")
			require.True(t, start >= len(open) && end >= start, body)
			assert.Equal(t, tt.want, body[start:end])
			assert.Contains(t, body, "<RequestId>req-1</RequestId></ResponseMetadata></"+tt.op+"Response>")
		})
	}
}

// TestStubQueryGenericKeys: the generic encoding names elements after the
// stub's keys, so a response with a key that is not an XML name, at any
// depth, is refused with an error that names the key, never written as a
// malformed document; shaped responses never name elements after keys.
func TestStubQueryGenericKeys(t *testing.T) {
	deep := map[string]any{}
	for range maxGenericXMLDepth + 1 {
		deep = map[string]any{"A": []any{deep}}
	}
	tests := []struct {
		name, service, op string
		out               map[string]any
		status            int
		want              string
	}{
		{name: "key with a space", service: "nosuch", op: "Get", out: map[string]any{"Good": "x", "a b": 1}, status: 500, want: `the key &#34;a b&#34; is not an XML element name`},
		{name: "nested key with markup", service: "sns", op: "NoSuchOperation", out: map[string]any{"L": []any{map[string]any{"x><y": 1}}}, status: 500, want: `the key &#34;x&gt;&lt;y&#34;`},
		{name: "key starting with a digit", service: "nosuch", op: "Get", out: map[string]any{"1a": 1}, status: 500, want: "InternalFailure"},
		{name: "reserved xml prefix", service: "nosuch", op: "Get", out: map[string]any{"xmlns": 1}, status: 500, want: "is not an XML element name"},
		{name: "operation that is not an XML name", service: "nosuch", op: "a<b", out: map[string]any{}, status: 500, want: "is not an XML name"},
		{name: "too deep", service: "nosuch", op: "Get", out: deep, status: 500, want: "nests deeper than"},
		{name: "map keys of a shaped response are text", service: "sns", op: "GetTopicAttributes", out: map[string]any{"Attributes": map[string]any{"a b": "<"}}, status: 200, want: "<key>a b</key><value>&lt;</value>"},
		{name: "valid names", service: "nosuch", op: "Get", out: map[string]any{"a-b.c_d": map[string]any{"E1": []any{"x"}}}, status: 200, want: "<a-b.c_d><E1><member>x</member></E1></a-b.c_d>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &stubWire{service: tt.service}
			w := httptest.NewRecorder()
			p.writeResult(w, "req-1", tt.op, tt.out)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), tt.want)
			wellFormed(t, w.Body.String())
		})
	}
}

// FuzzStubQueryShapes feeds arbitrary JSON documents to the shaped and
// generic encoders: they must not panic and must write well-formed XML,
// a response or an error.
func FuzzStubQueryShapes(f *testing.F) {
	f.Add("rds", "DescribeDBInstances", `{"DBInstances":[{"DBInstanceIdentifier":"a","Endpoint":{"Port":5432}}]}`)
	f.Add("sns", "GetTopicAttributes", `{"Attributes":{"a":"<&>"},"Extra":[1,2]}`)
	f.Add("sdb", "Select", `{"Items":[{"Attributes":{"x":1}}],"NextToken":null}`)
	f.Add("iam", "GetAccountSummary", `{"SummaryMap":{"Users":3}}`)
	f.Add("nosuch", "Get", `{"a b":{"c":[{"<":1}]},"D":"e"}`)
	f.Add("sns", "a<b", `{}`)
	f.Fuzz(func(t *testing.T, service, op, doc string) {
		out, err := decodeJSON([]byte(doc))
		if err != nil {
			return
		}
		p := &stubWire{service: service}
		w := httptest.NewRecorder()
		p.writeResult(w, "req", clipTo(op, maxActionName+1), out)
		wellFormed(t, w.Body.String())
	})
}
