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
			require.Equal(t, s.code, errCode(describe()), "describe as member")
		})
	}
	g, err := admin.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Operators")})
	require.NoError(t, err)
	require.Len(t, g.Users, 1, "members")
	require.Equal(t, "member", aws.ToString(g.Users[0].UserName))
	att, err := admin.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("Operators")})
	require.NoError(t, err)
	require.Len(t, att.AttachedPolicies, 1, "attached")
	_, err = admin.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("Operators"), PolicyArn: pol.Policy.Arn})
	require.NoError(t, err)
	_, err = admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: pol.Policy.Arn, VersionId: aws.String("v1")})
	require.Equal(t, "DeleteConflict", errCode(err), "delete the default version: %v", err)
	_, err = admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`)})
	require.NoError(t, err)
	_, err = admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: pol.Policy.Arn, VersionId: aws.String("v2")})
	require.NoError(t, err)
}
