package ssmlocal

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSigV4Scope: the credential scope must name the service the request is
// routed to and a Region the endpoint serves (IAM and STS also accept the
// partition's global signing Region), and awsJson1_1 requests must sign
// X-Amz-Target.
func TestSigV4Scope(t *testing.T) {
	srv := startServer(t, func(o *Options) { o.Regions = []string{"eu-west-1"} })
	const (
		ssmList   = `{}`
		iamGet    = "Action=GetUser&Version=2010-05-08"
		stsWho    = "Action=GetCallerIdentity&Version=2011-06-15"
		ec2List   = "Action=DescribeInstances&Version=2016-11-15"
		ssmTarget = "AmazonSSM.ListDocuments"
	)
	tests := []struct {
		name string
		req  wireRequest
		code string
	}{
		{"ssm in a served Region", wireRequest{service: "ssm", region: "eu-west-1", target: ssmTarget, body: ssmList}, ""},
		{"ssm scoped to iam", wireRequest{service: "iam", region: "eu-west-1", target: ssmTarget, body: ssmList}, "InvalidSignatureException"},
		{"ssm scoped to sts", wireRequest{service: "sts", region: "eu-west-1", target: ssmTarget, body: ssmList}, "InvalidSignatureException"},
		{"ssm in an unserved Region", wireRequest{service: "ssm", region: "ap-south-1", target: ssmTarget, body: ssmList}, "InvalidRegion"},
		{"ssm in us-east-1, not served", wireRequest{service: "ssm", region: "us-east-1", target: ssmTarget, body: ssmList}, "InvalidRegion"},
		{"ssm target not signed", wireRequest{service: "ssm", region: "eu-west-1", body: ssmList, edit: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", ssmTarget)
		}}, "InvalidSignatureException"},
		{"ssm target changed after signing", wireRequest{service: "ssm", region: "eu-west-1", target: ssmTarget, body: ssmList, edit: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "AmazonSSM.DeleteDocument")
		}}, "InvalidSignatureException"},
		{"iam in the global Region", wireRequest{service: "iam", region: "us-east-1", body: iamGet}, ""},
		{"iam in a served Region", wireRequest{service: "iam", region: "eu-west-1", body: iamGet}, ""},
		{"iam in an unserved Region", wireRequest{service: "iam", region: "ap-south-1", body: iamGet}, "InvalidRegion"},
		{"sts in the global Region", wireRequest{service: "sts", region: "us-east-1", body: stsWho}, ""},
		{"sts in an unserved Region", wireRequest{service: "sts", region: "ap-south-1", body: stsWho}, "InvalidRegion"},
		{"ec2 in a served Region", wireRequest{service: "ec2", region: "eu-west-1", body: ec2List}, ""},
		{"ec2 in us-east-1, not served", wireRequest{service: "ec2", region: "us-east-1", body: ec2List}, "InvalidRegion"},
		{"ssm scope without a target", wireRequest{service: "ssm", region: "eu-west-1", body: iamGet}, "InvalidAction"},
		{"unknown service", wireRequest{service: "s3", region: "eu-west-1", body: iamGet}, "InvalidAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, tt.req)
			assert.Equal(t, tt.code, got.code, "response %d %s", got.status, clip(got.raw))
		})
	}
}

// TestSigV4SessionTokens: a long-term key presented with a session token
// and a temporary key presented without its token are refused with each
// service's code for an invalid token.
func TestSigV4SessionTokens(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	admin := srv.AdminConfig()
	_, err := iam.NewFromConfig(admin).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("Operator"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`),
	})
	require.NoError(t, err)
	out, err := sts.NewFromConfig(admin).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/Operator"), RoleSessionName: aws.String("session")})
	require.NoError(t, err)
	long := aws.Credentials{AccessKeyID: srv.Admin().AccessKeyID, SecretAccessKey: srv.Admin().SecretAccessKey}
	temp := aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	withToken := func(c aws.Credentials, token string) *aws.Credentials { c.SessionToken = token; return &c }
	services := []struct {
		service, target, body, code string
	}{
		{"ssm", "AmazonSSM.ListDocuments", `{}`, "UnrecognizedClientException"},
		{"iam", "", "Action=GetUser&Version=2010-05-08", "InvalidClientTokenId"},
		{"sts", "", "Action=GetCallerIdentity&Version=2011-06-15", "InvalidClientTokenId"},
		{"ec2", "", "Action=DescribeInstances&Version=2016-11-15", "AuthFailure"},
	}
	creds := []struct {
		name string
		c    *aws.Credentials
		ok   bool
	}{
		{"long-term key", &long, true},
		{"long-term key with a token", withToken(long, temp.SessionToken), false},
		{"temporary key with its token", &temp, true},
		{"temporary key without a token", withToken(temp, ""), false},
		{"temporary key with another token", withToken(temp, temp.SessionToken+"x"), false},
	}
	for _, svc := range services {
		for _, cr := range creds {
			t.Run(svc.service+"/"+cr.name, func(t *testing.T) {
				got := send(t, srv, wireRequest{service: svc.service, target: svc.target, body: svc.body, creds: cr.c})
				if cr.ok {
					// Allowed or denied by policy, but authenticated.
					assert.NotContains(t, []string{svc.code, "InvalidSignatureException", "SignatureDoesNotMatch"}, got.code, "response %d %s", got.status, clip(got.raw))
					return
				}
				assert.Equal(t, svc.code, got.code, "response %d %s", got.status, clip(got.raw))
			})
		}
	}
}
