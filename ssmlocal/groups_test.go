package ssmlocal_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/require"
)

// TestGroups: a group's policies apply to its members.
func TestGroups(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	creds := user(t, srv, "member", "")
	describe := func() error {
		_, err := ec2.NewFromConfig(cfg(srv, creds)).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
		return err
	}
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Describe"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)})
	require.NoError(t, err)
	steps := []struct {
		name string
		run  func() error
		code string // of describe() afterwards
	}{
		{"no group yet", func() error { return nil }, "UnauthorizedOperation"},
		{"CreateGroup", func() error {
			_, err := admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Operators")})
			return err
		}, "UnauthorizedOperation"},
		{"AttachGroupPolicy", func() error {
			_, err := admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Operators"), PolicyArn: pol.Policy.Arn})
			return err
		}, "UnauthorizedOperation"},
		{"AddUserToGroup", func() error {
			_, err := admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Operators"), UserName: aws.String("member")})
			return err
		}, ""},
		{"PutGroupPolicy deny", func() error {
			_, err := admin.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Operators"), PolicyName: aws.String("deny"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)})
			return err
		}, "UnauthorizedOperation"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			require.NoError(t, s.run())
			if got := errCode(describe()); got != s.code {
				t.Fatalf("describe as member: %q, want %q", got, s.code)
			}
		})
	}
	g, err := admin.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Operators")})
	require.NoError(t, err)
	if len(g.Users) != 1 || *g.Users[0].UserName != "member" {
		t.Fatalf("members %+v", g.Users)
	}
	att, err := admin.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("Operators")})
	if err != nil || len(att.AttachedPolicies) != 1 {
		t.Fatalf("attached %v %v", att, err)
	}
	if _, err := admin.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("Operators"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: pol.Policy.Arn, VersionId: aws.String("v1")}); errCode(err) != "DeleteConflict" {
		t.Fatalf("delete the default version: %v", err)
	}
	if _, err := admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: pol.Policy.Arn, VersionId: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
}
