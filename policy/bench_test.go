package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/stretchr/testify/require"
)

// bigRunbook is a 200-step runbook that mixes the actions the derivation
// handles, with literal and parameter-driven resources.
func bigRunbook(tb testing.TB, steps int) *runbook.Document {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`{"schemaVersion":"0.3","parameters":{"Ids":{"type":"StringList"},"State":{"type":"String","allowedValues":["stopped","running"]}},"mainSteps":[`)
	for i := range steps {
		if i > 0 {
			b.WriteByte(',')
		}
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, `{"name":"s%d","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-%017d"],"DesiredState":"{{ State }}"}}`, i, i)
		case 1:
			fmt.Fprintf(&b, `{"name":"s%d","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeVolumes","VolumeIds":["vol-%d"]}}`, i, i)
		case 2:
			fmt.Fprintf(&b, `{"name":"s%d","action":"aws:runCommand","inputs":{"DocumentName":"AWS-RunShellScript","InstanceIds":"{{ Ids }}","Parameters":{"commands":["echo %d"]}}}`, i, i)
		case 3:
			fmt.Fprintf(&b, `{"name":"s%d","action":"aws:createTags","inputs":{"ResourceIds":["i-%017d"],"Tags":[{"Key":"k","Value":"v"}]}}`, i, i)
		case 4:
			fmt.Fprintf(&b, `{"name":"s%d","action":"aws:executeAwsApi","inputs":{"Service":"s3","Api":"PutBucketEncryption","Bucket":"bucket-%d"}}`, i, i)
		}
	}
	b.WriteString(`]}`)
	doc, err := runbook.Parse([]byte(b.String()))
	require.NoError(tb, err)
	return doc
}

func BenchmarkForRunbook200Steps(b *testing.B) {
	doc := bigRunbook(b, 200)
	scope := Scope{Region: "us-east-1", Account: "111122223333"}
	if _, err := ForRunbook(doc, scope); err != nil { // loads the catalog once
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, err := ForRunbook(doc, scope); err != nil {
			b.Fatal(err)
		}
		n++
	}
	per := time.Since(start) / time.Duration(n)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/derivation")
	b.ReportMetric(float64(per.Nanoseconds())/200, "ns/step")
}

// fiftyStatements is a 50-statement identity policy of the usual shapes;
// only the last statement allows the benchmark's request.
func fiftyStatements(tb testing.TB) *Policy {
	tb.Helper()
	var sts []Statement
	for i := range 49 {
		b := Allowing(fmt.Sprintf("ec2:Describe%dThing", i), fmt.Sprintf("s3:Get%dObject*", i)).
			Resources(fmt.Sprintf("arn:aws:s3:::bucket-%d/${aws:username}/*", i), fmt.Sprintf("arn:aws:ec2:*:111122223333:instance/i-%d*", i))
		if i%3 == 0 {
			b = b.Condition("StringEquals", "aws:ResourceTag/team", "ops").Condition("Bool", "aws:SecureTransport", "true")
		}
		if i%7 == 0 {
			b = Denying(fmt.Sprintf("iam:Delete%d*", i)).Resources("*").Condition("ForAnyValue:StringLike", "aws:TagKeys", "secret*")
		}
		sts = append(sts, b.MustBuild())
	}
	sts = append(sts, Allowing("ec2:StopInstances", "ec2:StartInstances").
		Resources("arn:aws:ec2:us-east-1:111122223333:instance/*").
		Condition("StringEquals", "aws:ResourceTag/team", "ops").
		Condition("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Automation*").MustBuild())
	return New(sts...)
}

func BenchmarkEvaluate50Statements(b *testing.B) {
	ids := []NamedPolicy{{"p", fiftyStatements(b)}}
	req := Request{
		Principal: "arn:aws:sts::111122223333:assumed-role/AutomationRole/s",
		Action:    "ec2:StopInstances",
		Resource:  "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0",
		Context:   map[string][]string{"aws:ResourceTag/team": {"ops"}, "aws:SecureTransport": {"true"}, "aws:TagKeys": {"team"}},
	}
	if r := Evaluate(req, ids, nil); r.Decision != DecisionAllow || r.StatementIndex != 49 {
		b.Fatalf("benchmark request not decided by the last statement: %+v", r)
	}
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		Evaluate(req, ids, nil)
		n++
	}
	per := time.Since(start) / time.Duration(n)
	b.ReportMetric(float64(per.Nanoseconds())/1000, "µs/evaluation")
	b.ReportMetric(float64(per.Nanoseconds())/50, "ns/statement")
}
