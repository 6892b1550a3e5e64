package ssmlocal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPolicyWritesValidate: IAM refuses policies with grammar errors
// (MalformedPolicyDocument) and over its size quotas (LimitExceeded),
// counting characters without white space.
func TestPolicyWritesValidate(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	_, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})
	require.NoError(t, err)
	_, err = admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})
	require.NoError(t, err)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)})
	require.NoError(t, err)
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("m"), PolicyDocument: aws.String(identityOfSize(300))})
	require.NoError(t, err)

	noResource := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetDocument"}]}`
	withPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"ssm:GetDocument","Resource":"*"}]}`
	trustWithResource := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`
	trustNoPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`

	write := map[string]func(doc string) error{
		"PutUserPolicy": func(doc string) error {
			_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		},
		"PutRolePolicy": func(doc string) error {
			_, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		},
		"PutGroupPolicy": func(doc string) error {
			_, err := admin.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
			return err
		},
		"CreatePolicy": func(doc string) error {
			_, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("n"), PolicyDocument: aws.String(doc)})
			return err
		},
		"CreatePolicyVersion": func(doc string) error {
			_, err := admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: aws.String(doc)})
			return err
		},
		"CreateRole": func(doc string) error {
			_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(doc)})
			return err
		},
		"UpdateAssumeRolePolicy": func(doc string) error {
			_, err := admin.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(doc)})
			return err
		},
	}
	tests := []struct {
		op, name, doc, code string
	}{
		{"PutUserPolicy", "no resource", noResource, "MalformedPolicyDocument"},
		{"PutRolePolicy", "principal in an identity policy", withPrincipal, "MalformedPolicyDocument"},
		{"PutGroupPolicy", "no resource", noResource, "MalformedPolicyDocument"},
		{"CreatePolicy", "principal in an identity policy", withPrincipal, "MalformedPolicyDocument"},
		{"CreatePolicyVersion", "no resource", noResource, "MalformedPolicyDocument"},
		{"CreateRole", "resource in a trust policy", trustWithResource, "MalformedPolicyDocument"},
		{"UpdateAssumeRolePolicy", "no principal", trustNoPrincipal, "MalformedPolicyDocument"},
		{"PutUserPolicy", "at the user quota", identityOfSize(2048), ""},
		{"PutUserPolicy", "over the user quota", identityOfSize(2049), "LimitExceeded"},
		{"PutRolePolicy", "at the role quota", identityOfSize(10240), ""},
		{"PutRolePolicy", "over the role quota", identityOfSize(10241), "LimitExceeded"},
		{"PutGroupPolicy", "at the group quota", identityOfSize(5120), ""},
		{"PutGroupPolicy", "over the group quota", identityOfSize(5121), "LimitExceeded"},
		{"CreatePolicy", "over the managed quota", identityOfSize(6145), "LimitExceeded"},
		{"CreatePolicyVersion", "at the managed quota", identityOfSize(6144), ""},
		{"CreatePolicyVersion", "over the managed quota", identityOfSize(6145), "LimitExceeded"},
		{"CreateRole", "over the trust quota", trustOfSize(2049), "LimitExceeded"},
		{"UpdateAssumeRolePolicy", "at the trust quota", trustOfSize(2048), ""},
		{"UpdateAssumeRolePolicy", "over the trust quota", trustOfSize(2049), "LimitExceeded"},
		{"PutUserPolicy", "white space is not counted", spaced(identityOfSize(2048)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, errCode(write[tt.op](tt.doc)))
		})
	}

	t.Run("inline quota counts every inline policy of the user", func(t *testing.T) {
		_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(identityOfSize(1500))})
		require.NoError(t, err)
		_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("q"), PolicyDocument: aws.String(identityOfSize(600))})
		assert.Equal(t, "LimitExceeded", errCode(err))
		_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(identityOfSize(2000))})
		assert.NoError(t, err, "replacing a policy counts its new text only")
	})
}

// identityOfSize is a valid identity policy of exactly n characters
// without white space.
func identityOfSize(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetDocument","Resource":"arn:aws:ssm:us-east-1:123456789012:document/`
	tail := `"}]}`
	return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
}

// trustOfSize is a valid trust policy of exactly n characters without
// white space.
func trustOfSize(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"`
	tail := `"}}}]}`
	return head + strings.Repeat("1", n-len(head)-len(tail)) + tail
}

// spaced pretty-prints a policy: more characters, the same size to IAM.
func spaced(doc string) string {
	return strings.NewReplacer(",", ",\n    ", "{", "{ ", "}", " }").Replace(doc)
}
