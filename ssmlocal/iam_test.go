package ssmlocal_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func TestIAMOperations(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(cfg(srv, srv.Admin()))
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`
	const doc2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:ListDocuments","Resource":"*"}]}`
	steps := []struct {
		name string
		run  func() error
	}{
		{"CreateUser", func() error {
			out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/ops/")})
			if err == nil {
				assert.Equal(t, "arn:aws:iam::123456789012:user/ops/alice", aws.ToString(out.User.Arn))
			}
			return err
		}},
		{"GetUser", func() error {
			out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
			if err == nil {
				assert.Equal(t, "alice", aws.ToString(out.User.UserName))
			}
			return err
		}},
		{"CreateAccessKey", func() error {
			out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
			if err == nil {
				assert.True(t, strings.HasPrefix(aws.ToString(out.AccessKey.AccessKeyId), "AKIA"), "key %s", aws.ToString(out.AccessKey.AccessKeyId))
				assert.Len(t, aws.ToString(out.AccessKey.SecretAccessKey), 40, "secret")
			}
			return err
		}},
		{"PutUserPolicy", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)})
			return err
		}},
		{"GetUserPolicy", func() error {
			out, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("inline")})
			if err == nil {
				got, _ := url.QueryUnescape(*out.PolicyDocument)
				assert.Equal(t, doc, got, "document")
			}
			return err
		}},
		{"ListUserPolicies", func() error {
			out, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice")})
			if err == nil {
				assert.Equal(t, []string{"inline"}, out.PolicyNames)
			}
			return err
		}},
		{"CreatePolicy", func() error {
			out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Managed"), PolicyDocument: aws.String(doc)})
			if err == nil {
				assert.Equal(t, "arn:aws:iam::123456789012:policy/Managed", aws.ToString(out.Policy.Arn))
				assert.Equal(t, "v1", aws.ToString(out.Policy.DefaultVersionId))
			}
			return err
		}},
		{"CreatePolicyVersion", func() error {
			out, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Managed"), PolicyDocument: aws.String(doc2), SetAsDefault: true})
			if err == nil {
				assert.Equal(t, "v2", aws.ToString(out.PolicyVersion.VersionId))
				assert.True(t, out.PolicyVersion.IsDefaultVersion, "the new version is the default")
			}
			return err
		}},
		{"GetPolicy", func() error {
			out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Managed")})
			if err == nil {
				assert.Equal(t, "v2", aws.ToString(out.Policy.DefaultVersionId), "default version")
			}
			return err
		}},
		{"GetPolicyVersion", func() error {
			out, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Managed"), VersionId: aws.String("v1")})
			if err == nil {
				got, _ := url.QueryUnescape(*out.PolicyVersion.Document)
				assert.Equal(t, doc, got, "document")
			}
			return err
		}},
		{"ListPolicyVersions", func() error {
			out, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Managed")})
			if err == nil {
				assert.Len(t, out.Versions, 2, "versions")
			}
			return err
		}},
		{"AttachUserPolicy", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Managed")})
			return err
		}},
		{"ListAttachedUserPolicies", func() error {
			out, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
			if err == nil && assert.Len(t, out.AttachedPolicies, 1, "attached") {
				assert.Equal(t, "Managed", aws.ToString(out.AttachedPolicies[0].PolicyName))
			}
			return err
		}},
		{"CreateRole", func() error {
			out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Svc"), AssumeRolePolicyDocument: aws.String(trustSSM), Description: aws.String("service role")})
			if err == nil {
				assert.Equal(t, "arn:aws:iam::123456789012:role/Svc", aws.ToString(out.Role.Arn))
			}
			return err
		}},
		{"UpdateAssumeRolePolicy", func() error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Svc"), PolicyDocument: aws.String(trustSSM)})
			return err
		}},
		{"GetRole", func() error {
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Svc")})
			if err == nil {
				got, _ := url.QueryUnescape(*out.Role.AssumeRolePolicyDocument)
				assert.Equal(t, trustSSM, got, "trust")
				assert.Equal(t, "service role", aws.ToString(out.Role.Description))
			}
			return err
		}},
		{"PutRolePolicy", func() error {
			_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Svc"), PolicyName: aws.String("perm"), PolicyDocument: aws.String(doc)})
			return err
		}},
		{"GetRolePolicy", func() error {
			out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("Svc"), PolicyName: aws.String("perm")})
			if err == nil {
				got, _ := url.QueryUnescape(*out.PolicyDocument)
				assert.Equal(t, doc, got, "document")
			}
			return err
		}},
		{"ListRolePolicies", func() error {
			out, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("Svc")})
			if err == nil {
				assert.Equal(t, []string{"perm"}, out.PolicyNames)
			}
			return err
		}},
		{"AttachRolePolicy", func() error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Svc"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Managed")})
			return err
		}},
		{"ListAttachedRolePolicies", func() error {
			out, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("Svc")})
			if err == nil {
				assert.Len(t, out.AttachedPolicies, 1, "attached")
			}
			return err
		}},
		{"DetachRolePolicy", func() error {
			_, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("Svc"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Managed")})
			return err
		}},
		{"DeleteRolePolicy", func() error {
			_, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("Svc"), PolicyName: aws.String("perm")})
			return err
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			require.NoError(t, s.run())
		})
	}
}

func TestIAMErrors(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(cfg(srv, srv.Admin()))
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dup")})
	require.NoError(t, err)
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"duplicate user", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dup")})
			return err
		}, "EntityAlreadyExists"},
		{"bad user name", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("has space")})
			return err
		}, "ValidationError"},
		{"missing role", func() error {
			_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity"},
		{"malformed policy", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dup"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Statement":`)})
			return err
		}, "MalformedPolicyDocument"},
		{"trust without principal", func() error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
			return err
		}, "MalformedPolicyDocument"},
		{"attach missing policy", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dup"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Nope")})
			return err
		}, "NoSuchEntity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.code, errCode(tt.run()))
		})
	}
}

func TestAssumeRole(t *testing.T) {
	vc := ssmlocal.VirtualClock(time.Now())
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock, o.MaxClockSkew = vc, time.Hour })
	ctx := context.Background()
	creds := user(t, srv, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	trustAccount := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	serviceRole(t, srv, "Dev", trustAccount, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)
	serviceRole(t, srv, "OnlySSM", trustSSM, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:role/OnlySSM"}]}`)
	client := sts.NewFromConfig(cfg(srv, creds))
	_, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/OnlySSM"), RoleSessionName: aws.String("ss")})
	require.Equal(t, "AccessDenied", errCode(err), "assume a role that trusts only SSM: %v", err)
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/Dev"), RoleSessionName: aws.String("dev-session"), DurationSeconds: aws.Int32(900)})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sts::123456789012:assumed-role/Dev/dev-session", aws.ToString(out.AssumedRoleUser.Arn))
	temp := ssmlocal.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	id, err := sts.NewFromConfig(cfg(srv, temp)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(id.Arn), "caller")
	_, err = iam.NewFromConfig(cfg(srv, temp)).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Dev")})
	require.NoError(t, err, "the session has the role's permissions")
	noToken := temp
	noToken.SessionToken = ""
	_, err = sts.NewFromConfig(cfg(srv, noToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.Equal(t, "InvalidClientTokenId", errCode(err), "session key without its token: %v", err)
	vc.Advance(16 * time.Minute)
	_, err = sts.NewFromConfig(cfg(srv, temp)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.Equal(t, "ExpiredToken", errCode(err), "expired session: %v", err)
}
