package ssmlocal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"

// wireStubs stubs a JSON service (Secrets Manager), a query one (SNS) and
// a REST one (Lambda).
func wireStubs(t *testing.T) *ssmlocal.StubRegistry {
	t.Helper()
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("secretsmanager", "GetSecretValue", ssmlocal.StubMatching(map[string]any{"SecretId": secretARN},
		ssmlocal.StubResponse(map[string]any{"ARN": secretARN, "Name": "db", "SecretString": "s3cret", "VersionStages": []any{"AWSCURRENT"}}))))
	require.NoError(t, reg.Add("secretsmanager", "GetSecretValue", ssmlocal.StubError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")))
	require.NoError(t, reg.Add("sns", "Publish", ssmlocal.StubResponse(map[string]any{"MessageId": "m-1"})))
	require.NoError(t, reg.Add("sns", "ListTopics", ssmlocal.StubResponse(map[string]any{"Topics": []any{map[string]any{"TopicArn": topic}}})))
	require.NoError(t, reg.Add("lambda", "Invoke", ssmlocal.StubResponse(map[string]any{"StatusCode": 200})))
	return reg
}

// TestStubWireJSON calls a stubbed awsJson service with its Go SDK client.
func TestStubWireJSON(t *testing.T) {
	srv := newServer(t, ssmlocal.WithStubs(wireStubs(t)))
	ctx := context.Background()
	admin := secretsmanager.NewFromConfig(cfg(srv, srv.Admin()))
	out, err := admin.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretARN)})
	require.NoError(t, err)
	assert.Equal(t, "s3cret", aws.ToString(out.SecretString))
	assert.Equal(t, []string{"AWSCURRENT"}, out.VersionStages)

	_, err = admin.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("other")})
	assert.Equal(t, "ResourceNotFoundException", errCode(err))

	_, err = admin.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretARN)})
	assert.Equal(t, "InvalidAction", errCode(err))
	assert.ErrorContains(t, err, "has no stub")

	reader := user(t, srv, "reader", allow(`"secretsmanager:ListSecrets"`, "*"))
	_, err = secretsmanager.NewFromConfig(cfg(srv, reader)).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretARN)})
	assert.Equal(t, "AccessDeniedException", errCode(err))
	assert.ErrorContains(t, err, "not authorized to perform: secretsmanager:GetSecretValue")

	var calls []ssmlocal.AuditEvent
	for _, e := range srv.Audit() {
		if e.Service == "secretsmanager" {
			calls = append(calls, e)
		}
	}
	require.Len(t, calls, 4)
	assert.Equal(t, "Allowed", calls[0].Decision)
	assert.Equal(t, []string{"secretsmanager:GetSecretValue"}, calls[0].Actions)
	assert.Equal(t, "DescribeSecret", calls[2].API)
	assert.Equal(t, "Denied", calls[3].Decision)
	assert.Equal(t, "arn:aws:iam::123456789012:user/reader", calls[3].Principal)
}

// signedCall signs and sends a request for any service as the
// administrator.
func signedCall(t *testing.T, srv *ssmlocal.Server, method, path, service string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	admin := srv.Admin()
	creds := aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(data)
}

func TestStubWireProtocols(t *testing.T) {
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
	tests := []struct {
		name, method, path, service string
		header                      map[string]string
		body                        string
		status                      int
		want                        []string
	}{
		{
			name: "query protocol", method: "POST", path: "/", service: "sns", header: form,
			body:   "Action=Publish&Version=2010-03-31&TopicArn=" + topic + "&Message=hi&MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=String",
			status: 200,
			want:   []string{`<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult>`, "<RequestId>"},
		},
		{
			name: "query lists are members", method: "POST", path: "/", service: "sns", header: form,
			body:   "Action=ListTopics&Version=2010-03-31",
			status: 200,
			want:   []string{"<Topics><member><TopicArn>" + topic + "</TopicArn></member></Topics>"},
		},
		{
			name: "query without a stub", method: "POST", path: "/", service: "sns", header: form,
			body:   "Action=CreateTopic&Version=2010-03-31&Name=t",
			status: 400,
			want:   []string{"<ErrorResponse", "<Code>InvalidAction</Code>", "sns:CreateTopic is not simulated"},
		},
		{
			name: "awsJson 1.0", method: "POST", path: "/", service: "secretsmanager",
			header: map[string]string{"X-Amz-Target": "secretsmanager.GetSecretValue", "Content-Type": "application/x-amz-json-1.0"},
			body:   `{"SecretId":"` + secretARN + `"}`,
			status: 200,
			want:   []string{`"SecretString":"s3cret"`},
		},
		{
			name: "json that does not parse", method: "POST", path: "/", service: "secretsmanager",
			header: map[string]string{"X-Amz-Target": "secretsmanager.GetSecretValue", "Content-Type": "application/x-amz-json-1.1"},
			body:   `{"SecretId":`,
			status: 400,
			want:   []string{`"__type":"SerializationException"`},
		},
		{
			name: "rest-json reaches its stub", method: "POST", path: "/2015-03-31/functions/fn/invocations", service: "lambda",
			body:   `{}`,
			status: 200,
		},
		{
			name: "rest-json path of no operation", method: "GET", path: "/2015-03-31/nowhere", service: "lambda",
			status: 404,
			want:   []string{`"message":"GET /2015-03-31/nowhere: no lambda operation has this method and path`},
		},
		{
			name: "rest-xml without a stub answers in XML", method: "GET", path: "/bucket?list-type=2", service: "s3",
			status: 400,
			want:   []string{"<Error><Code>", "s3:ListObjectsV2 is not simulated"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, ssmlocal.WithStubs(wireStubs(t)))
			status, _, body := signedCall(t, srv, tt.method, tt.path, tt.service, tt.header, tt.body)
			assert.Equal(t, tt.status, status, body)
			for _, w := range tt.want {
				assert.Contains(t, body, w)
			}
			audit := srv.Audit()
			require.NotEmpty(t, audit)
			assert.Equal(t, tt.service, audit[len(audit)-1].Service)
		})
	}
}

// TestStubWireUnsigned: a call for a stubbed service with a bad signature
// never reaches its stub.
func TestStubWireUnsigned(t *testing.T) {
	srv := newServer(t, ssmlocal.WithStubs(wireStubs(t)))
	req, err := http.NewRequest("POST", srv.URL()+"/", strings.NewReader("Action=Publish&TopicArn="+topic))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+srv.Admin().AccessKeyID+"/"+time.Now().UTC().Format("20060102")+"/us-east-1/sns/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(data), "SignatureDoesNotMatch")
	audit := srv.Audit()
	assert.Empty(t, audit[len(audit)-1].Decision)
}

const boto3Script = `
import json, boto3, botocore
out = {}
sns = boto3.client("sns")
out["publish"] = sns.publish(TopicArn=%q, Message="hi")["MessageId"]
out["topics"] = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
sm = boto3.client("secretsmanager")
out["secret"] = sm.get_secret_value(SecretId=%q)["SecretString"]
def code(f):
    try:
        f()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
    return "no error"
out["missing"] = code(lambda: sm.get_secret_value(SecretId="other"))
out["unstubbed"] = code(lambda: sns.create_topic(Name="t"))
out["rest"] = boto3.client("lambda").invoke(FunctionName="fn")["StatusCode"]
print(json.dumps(out))
`

// TestStubWireBoto3 calls stubs from the AWS SDK for Python, as scripts
// do. In CI a missing boto3 fails the test rather than skipping it.
func TestStubWireBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "python3 with boto3 is required in CI")
		}
		t.Skipf("python3 with boto3 is not installed: %v", err)
	}
	srv := newServer(t, ssmlocal.WithStubs(wireStubs(t)))
	cmd := exec.Command("python3", "-c", fmt.Sprintf(boto3Script, topic, secretARN))
	cmd.Env = append(cliEnv(t, srv.Admin(), "us-east-1"), "AWS_ENDPOINT_URL="+srv.URL(), "AWS_MAX_ATTEMPTS=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got), string(data))
	assert.Equal(t, "m-1", got["publish"])
	assert.Equal(t, []any{topic}, got["topics"])
	assert.Equal(t, "s3cret", got["secret"])
	assert.Contains(t, got["missing"], "ResourceNotFoundException")
	assert.Contains(t, got["unstubbed"], "InvalidAction: sns:CreateTopic is not simulated")
	assert.Equal(t, 200.0, got["rest"])
}

// TestStubEmulatedService: an operation of an emulated service that the
// endpoint does not emulate (ssm:SendCommand) is stubbed too, through the
// service's own protocol and from a step.
func TestStubEmulatedService(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("ssm", "SendCommand", ssmlocal.StubResponse(map[string]any{"Command": map[string]any{"CommandId": "c-1", "Status": "Pending"}})))
	srv := newServer(t, ssmlocal.WithStubs(reg))
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	out, err := admin.SendCommand(context.Background(), &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{"i-0123456789abcdef0"}})
	require.NoError(t, err)
	assert.Equal(t, "c-1", aws.ToString(out.Command.CommandId))

	reader := user(t, srv, "reader", allow(`"ssm:SendCommand"`, "arn:aws:ec2:us-east-1:123456789012:instance/*"))
	_, err = ssm.NewFromConfig(cfg(srv, reader)).SendCommand(context.Background(), &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{"i-0123456789abcdef0"}})
	assert.Equal(t, "AccessDeniedException", errCode(err))
	assert.ErrorContains(t, err, "not authorized to perform: ssm:SendCommand on resource: arn:aws:ssm:us-east-1:")
	assert.ErrorContains(t, err, "document/AWS-RunShellScript")
}

// TestStubGlobalService: a stub of a global service answers a call signed
// for the partition's global Region on an endpoint serving another Region.
func TestStubGlobalService(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	require.NoError(t, reg.Add("iam", "ListSAMLProviders", ssmlocal.StubResponse(map[string]any{"SAMLProviderList": []any{}})))
	srv := newServer(t, ssmlocal.WithStubs(reg), func(o *ssmlocal.Options) { o.Regions = []string{"eu-west-1"} })
	status, _, body := signedCall(t, srv, "POST", "/", "iam", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "Action=ListSAMLProviders&Version=2010-05-08")
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "<ListSAMLProvidersResponse")
	audit := srv.Audit()
	assert.Equal(t, []string{"iam:ListSAMLProviders"}, audit[len(audit)-1].Actions)
}
