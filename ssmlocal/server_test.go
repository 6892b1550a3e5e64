package ssmlocal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// newServer starts an endpoint for one test and closes it at the end.
func newServer(t testing.TB, optFns ...func(*ssmlocal.Options)) *ssmlocal.Server {
	t.Helper()
	srv, err := ssmlocal.New(optFns...)
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, srv.Close(), "close")
	})
	return srv
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "non-API error: " + err.Error()
	}
	return ""
}

func noRetry(o *aws.Config) { o.RetryMaxAttempts = 1 }

func cfg(srv *ssmlocal.Server, creds ssmlocal.Credentials) aws.Config {
	c := srv.Config(creds)
	noRetry(&c)
	return c
}

// user creates an IAM user with an access key and the given inline policy.
func user(t testing.TB, srv *ssmlocal.Server, name, policyDoc string) ssmlocal.Credentials {
	t.Helper()
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	_, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	require.NoError(t, err)
	if policyDoc != "" {
		_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policyDoc)})
		require.NoError(t, err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	require.NoError(t, err)
	return ssmlocal.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey}
}

func TestCallerIdentity(t *testing.T) {
	srv := newServer(t)
	out, err := sts.NewFromConfig(cfg(srv, srv.Admin())).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, srv.AdminARN(), aws.ToString(out.Arn))
	require.Equal(t, srv.AccountID(), aws.ToString(out.Account))
}

func TestAuthenticationFailures(t *testing.T) {
	srv := newServer(t)
	good := srv.Admin()
	tests := []struct {
		name  string
		creds ssmlocal.Credentials
		ssm   string
		sts   string
		ec2   string
	}{
		{"wrong secret", ssmlocal.Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: "wrong"}, "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"},
		{"unknown key", ssmlocal.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}, "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg(srv, tt.creds)
			ctx := context.Background()
			_, err := ssm.NewFromConfig(c).ListDocuments(ctx, &ssm.ListDocumentsInput{})
			assert.Equal(t, tt.ssm, errCode(err), "ssm: %v", err)
			_, err = sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			assert.Equal(t, tt.sts, errCode(err), "sts: %v", err)
			_, err = ec2.NewFromConfig(c).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			assert.Equal(t, tt.ec2, errCode(err), "ec2: %v", err)
		})
	}
}

// TestStaleSignature signs requests 20 minutes in the past by hand, since
// the SDK always signs with the current time.
func TestStaleSignature(t *testing.T) {
	srv := newServer(t)
	admin := srv.Admin()
	creds := aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	tests := []struct {
		service, body, target, code string
		status                      int
	}{
		{"ssm", `{}`, "AmazonSSM.ListDocuments", "InvalidSignatureException", 400},
		{"sts", "Action=GetCallerIdentity&Version=2011-06-15", "", "SignatureDoesNotMatch", 403},
		{"iam", "Action=GetUser&Version=2010-05-08&UserName=admin", "", "SignatureDoesNotMatch", 403},
		{"ec2", "Action=DescribeInstances&Version=2016-11-15", "", "RequestExpired", 401},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			for _, age := range []time.Duration{0, 20 * time.Minute} {
				req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(tt.body))
				require.NoError(t, err)
				if tt.target != "" {
					req.Header.Set("X-Amz-Target", tt.target)
					req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				} else {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				sum := sha256.Sum256([]byte(tt.body))
				require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), tt.service, "us-east-1", time.Now().Add(-age)))
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				body, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if age == 0 {
					require.Equal(t, 200, resp.StatusCode, "fresh request: %s", body)
					continue
				}
				require.Equal(t, tt.status, resp.StatusCode, "stale request: %s", body)
				require.Contains(t, string(body), tt.code, "stale request")
			}
		})
	}
}

func TestStopInstanceDeniedThenAllowed(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	creds := user(t, srv, "operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)
	client := ec2.NewFromConfig(cfg(srv, creds))
	_, err = client.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids})
	require.Equal(t, "UnauthorizedOperation", errCode(err), "stop as operator: %v", err)
	want := "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/operator is not authorized to perform: ec2:StopInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/" + ids[0] + " because no identity-based policy allows the ec2:StopInstances action"
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, want, ae.ErrorMessage())
	admin := ec2.NewFromConfig(cfg(srv, srv.Admin()))
	out, err := admin.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids})
	require.NoError(t, err)
	require.Equal(t, ec2types.InstanceStateNameStopping, out.StoppingInstances[0].CurrentState.Name)
	d, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	require.NoError(t, err)
	require.Equal(t, ec2types.InstanceStateNameStopping, d.Reservations[0].Instances[0].State.Name, "described state")
}

// readReference reads a file of the shared reference material, skipping the
// test when it is absent.
func readReference(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "aws-runbooks", name))
	require.NoError(t, err, "reference runbook %s", name)
	return string(data)
}

// canonicalJSON re-encodes JSON with sorted keys, so documents compare by
// meaning.
func canonicalJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
