package ssmlocal_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestRegions: documents and instances are per Region, IAM is global, and
// a Region the endpoint does not serve is refused.
func TestRegions(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Regions = []string{"eu-west-1", "us-west-2"} })
	ctx := context.Background()
	west := cfg(srv, srv.Admin())
	west.Region = "us-west-2"
	_, err := srv.AddInstances(2, func(o *ssmlocal.InstanceOptions) { o.Region = "us-west-2" })
	require.NoError(t, err)
	createDoc(t, ssm.NewFromConfig(west), "Only-West", sleepDoc)
	for _, tt := range []struct {
		region    string
		instances int
		doc       string
	}{
		{"eu-west-1", 0, "InvalidDocument"},
		{"us-west-2", 2, ""},
	} {
		t.Run(tt.region, func(t *testing.T) {
			c := cfg(srv, srv.Admin())
			c.Region = tt.region
			out, err := ec2.NewFromConfig(c).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			require.NoError(t, err)
			n := 0
			for _, r := range out.Reservations {
				n += len(r.Instances)
			}
			require.Equal(t, tt.instances, n, "instances")
			_, err = ssm.NewFromConfig(c).GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Only-West")})
			require.Equal(t, tt.doc, errCode(err), "document")
			_, err = ssm.NewFromConfig(c).GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(ssmlocal.RestartEC2Instance)})
			require.NoError(t, err, "AWS-owned runbooks are in every Region")
		})
	}
	other := cfg(srv, srv.Admin())
	other.Region = "ap-south-1"
	_, err = ssm.NewFromConfig(other).ListDocuments(ctx, &ssm.ListDocumentsInput{})
	require.Equal(t, "InvalidRegion", errCode(err), "unserved Region: %v", err)
}

// BenchmarkAuthorizedCall measures one authorized wire call end to end:
// SigV4 verification, policy evaluation, the operation and the audit.
func BenchmarkAuthorizedCall(b *testing.B) {
	srv := newServer(b)
	ids, err := srv.AddInstances(10)
	require.NoError(b, err)
	creds := user(b, srv, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}`)
	c := ec2.NewFromConfig(cfg(srv, creds))
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
