package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func TestInstanceLifecycle(t *testing.T) {
	vc := ssmlocal.VirtualClock(time.Now())
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock, o.MaxClockSkew = vc, 24*time.Hour })
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg(srv, srv.Admin()))
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-0123456789abcdef0"), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}}}},
	})
	require.NoError(t, err)
	require.Len(t, run.Instances, 2, "run")
	require.Equal(t, ec2types.InstanceStateNamePending, run.Instances[0].State.Name)
	ids := []string{*run.Instances[0].InstanceId, *run.Instances[1].InstanceId}
	state := func() ec2types.InstanceStateName {
		t.Helper()
		out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids[:1]})
		require.NoError(t, err)
		return out.Reservations[0].Instances[0].State.Name
	}
	steps := []struct {
		name string
		act  func() error
		want ec2types.InstanceStateName
	}{
		{"pending settles to running", nil, ec2types.InstanceStateNameRunning},
		{"stop", func() error { _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids}); return err }, ec2types.InstanceStateNameStopping},
		{"stopping settles to stopped", nil, ec2types.InstanceStateNameStopped},
		{"start", func() error { _, err := c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids}); return err }, ec2types.InstanceStateNamePending},
		{"started", nil, ec2types.InstanceStateNameRunning},
		{"terminate", func() error {
			_, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
			return err
		}, ec2types.InstanceStateNameShuttingDown},
		{"terminated", nil, ec2types.InstanceStateNameTerminated},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.act != nil {
				require.NoError(t, s.act())
			} else {
				vc.Advance(10 * time.Second)
			}
			require.Equal(t, s.want, state())
		})
	}
	_, err = c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: ids})
	require.Equal(t, "IncorrectInstanceState", errCode(err), "start a terminated instance: %v", err)
}

func TestEC2Describe(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg(srv, srv.Admin()))
	web, err := srv.AddInstances(3, func(o *ssmlocal.InstanceOptions) { o.Tags = map[string]string{"App": "web"} })
	require.NoError(t, err)
	db, err := srv.AddInstances(2, func(o *ssmlocal.InstanceOptions) { o.Stopped = true })
	require.NoError(t, err)
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: db, Tags: []ec2types.Tag{{Key: aws.String("App"), Value: aws.String("db")}}})
	require.NoError(t, err)
	tests := []struct {
		name    string
		filters []ec2types.Filter
		want    int
	}{
		{"all", nil, 5},
		{"by tag", []ec2types.Filter{{Name: aws.String("tag:App"), Values: []string{"db"}}}, 2},
		{"by state", []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"running"}}}, 3},
		{"wildcard", []ec2types.Filter{{Name: aws.String("tag:App"), Values: []string{"w*"}}}, 3},
		{"tag key", []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{"App"}}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{Filters: tt.filters, MaxResults: aws.Int32(5)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				require.NoError(t, err)
				for _, r := range page.Reservations {
					n += len(r.Instances)
				}
			}
			require.Equal(t, tt.want, n, "instances")
		})
	}
	st, err := c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: append(web, db...)})
	require.NoError(t, err)
	require.Len(t, st.InstanceStatuses, 3, "without IncludeAllInstances only running instances")
	st, err = c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: db, IncludeAllInstances: aws.Bool(true)})
	require.NoError(t, err)
	require.Len(t, st.InstanceStatuses, 2, "statuses")
	require.Equal(t, ec2types.InstanceStateNameStopped, st.InstanceStatuses[0].InstanceState.Name)
	errs := []struct {
		name string
		run  func() error
		code string
	}{
		{"unknown instance", func() error {
			_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
			return err
		}, "InvalidInstanceID.NotFound"},
		{"malformed id", func() error {
			_, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{"nope"}})
			return err
		}, "InvalidInstanceID.Malformed"},
		{"dry run", func() error {
			_, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: web, DryRun: aws.Bool(true)})
			return err
		}, "DryRunOperation"},
		{"bad image", func() error {
			_, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("img"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
			return err
		}, "InvalidAMIID.Malformed"},
		{"bad filter", func() error {
			_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("colour"), Values: []string{"red"}}}})
			return err
		}, "InvalidParameterValue"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.code, errCode(tt.run()))
		})
	}
}

func TestTagConditions(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	dev, err := srv.AddInstances(1, func(o *ssmlocal.InstanceOptions) { o.Tags = map[string]string{"Env": "dev"} })
	require.NoError(t, err)
	prod, err := srv.AddInstances(1, func(o *ssmlocal.InstanceOptions) { o.Tags = map[string]string{"Env": "prod"} })
	require.NoError(t, err)
	creds := user(t, srv, "devops", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Env":"dev"}}},
		{"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/Env":"prod"}}}]}`)
	c := ec2.NewFromConfig(cfg(srv, creds))
	_, err = c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: dev})
	require.NoError(t, err, "stop a dev instance")
	_, err = c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: prod})
	require.Equal(t, "UnauthorizedOperation", errCode(err), "stop a prod instance: %v", err)
	require.ErrorContains(t, err, "with an explicit deny in an identity-based policy")
}

// TestRunInstancesAuthorizesEveryRequiredResource: RunInstances is decided
// on the instance, the image, the subnet, the security groups, the network
// interface, the root volume and a named key pair, as on AWS; a policy
// that leaves one out is refused.
func TestRunInstancesAuthorizesEveryRequiredResource(t *testing.T) {
	const acct = "arn:aws:ec2:us-east-1:123456789012:"
	all := []string{acct + "instance/*", "arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890", acct + "subnet/subnet-0a1b2c3d",
		acct + "security-group/sg-01234567", acct + "network-interface/*", acct + "volume/*", acct + "key-pair/ops"}
	for drop := -1; drop < len(all); drop++ {
		name := "all granted"
		if drop >= 0 {
			name = "without " + all[drop]
		}
		t.Run(name, func(t *testing.T) {
			srv := newServer(t)
			var granted []string
			for i, r := range all {
				if i != drop {
					granted = append(granted, `"`+r+`"`)
				}
			}
			creds := user(t, srv, "launcher", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":[`+strings.Join(granted, ",")+`]}]}`)
			_, err := ec2.NewFromConfig(cfg(srv, creds)).RunInstances(context.Background(), &ec2.RunInstancesInput{
				ImageId: aws.String("ami-0abcdef1234567890"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
				SubnetId: aws.String("subnet-0a1b2c3d"), SecurityGroupIds: []string{"sg-01234567"}, KeyName: aws.String("ops"),
			})
			if drop < 0 {
				require.NoError(t, err)
				return
			}
			require.Equal(t, "UnauthorizedOperation", errCode(err), "%v", err)
		})
	}
}
