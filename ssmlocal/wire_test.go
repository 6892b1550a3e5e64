package ssmlocal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// rawCall signs and sends one request the way any SDK would and returns
// the status line, content type and body.
func rawCall(t *testing.T, srv *ssmlocal.Server, service, target, body string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(body))
	require.NoError(t, err)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
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
	return fmt.Sprintf("%d %s\n%s\n", resp.StatusCode, resp.Header.Get("Content-Type"), data)
}

// volatile are the parts of a response that differ from run to run.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "UUID"},
	{regexp.MustCompile(`\bi-[0-9a-f]{17}`), "i-ID"},
	{regexp.MustCompile(`r-[0-9a-f]{17}`), "r-ID"},
	{regexp.MustCompile(`\b(vol|snap|ami)-[0-9a-f]{17}`), "$1-ID"},
	{regexp.MustCompile(`(vpc|subnet)-[0-9a-f]{8}`), "$1-ID"},
	{regexp.MustCompile(`A(KIA|IDA|ROA|NPA|IPA)[A-Z2-7]{16,17}`), "A${1}ID"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "TIME"},
	{regexp.MustCompile(`"(CreatedDate|CreateDate)":\d+(\.\d+)?`), `"$1":EPOCH`},
	{regexp.MustCompile(`"Hash":"[0-9a-f]{64}"`), `"Hash":"SHA256"`},
	{regexp.MustCompile(`ip-10-1-0-\d+`), "ip-ADDR"},
	{regexp.MustCompile(`10\.1\.0\.\d+`), "ADDR"},
}

func normalize(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// TestWireFormats pins each protocol's response and error shapes.
func TestWireFormats(t *testing.T) {
	srv := newServer(t)
	_, err := srv.AddInstances(1, func(o *ssmlocal.InstanceOptions) { o.Tags = map[string]string{"Name": "web"} })
	require.NoError(t, err)
	tests := []struct {
		name, service, target, body string
	}{
		{"ssm-describe-document", "ssm", "AmazonSSM.DescribeDocument", `{"Name":"AWS-StartEC2Instance"}`},
		{"ssm-error", "ssm", "AmazonSSM.GetDocument", `{"Name":"Nope-Nope"}`},
		{"ssm-validation", "ssm", "AmazonSSM.GetAutomationExecution", `{"AutomationExecutionId":"x"}`},
		{"iam-create-role", "iam", "", "Action=CreateRole&Version=2010-05-08&RoleName=Wire&AssumeRolePolicyDocument=" + urlEscape(trustSSM)},
		{"iam-error", "iam", "", "Action=GetRole&Version=2010-05-08&RoleName=Missing"},
		{"sts-caller", "sts", "", "Action=GetCallerIdentity&Version=2011-06-15"},
		{"ec2-describe", "ec2", "", "Action=DescribeInstances&Version=2016-11-15"},
		{"ec2-error", "ec2", "", "Action=StopInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0"},
		{"ec2-create-volume", "ec2", "", "Action=CreateVolume&Version=2016-11-15&AvailabilityZone=us-east-1a&Size=8&TagSpecification.1.ResourceType=volume&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=data"},
		{"ec2-describe-images", "ec2", "", "Action=DescribeImages&Version=2016-11-15&Owner.1=self"},
		{"ec2-snapshot-error", "ec2", "", "Action=DeleteSnapshot&Version=2016-11-15&SnapshotId=snap-0123456789abcdef0"},
		{"ec2-describe-tags", "ec2", "", "Action=DescribeTags&Version=2016-11-15&Filter.1.Name=resource-type&Filter.1.Value.1=instance"},
		{"iam-create-instance-profile", "iam", "", "Action=CreateInstanceProfile&Version=2010-05-08&InstanceProfileName=Wire"},
		{"ssm-describe-document-permission", "ssm", "AmazonSSM.DescribeDocumentPermission", `{"Name":"AWS-StartEC2Instance","PermissionType":"Share"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "wire/"+tt.name+".txt", normalize(rawCall(t, srv, tt.service, tt.target, tt.body)))
		})
	}
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "=", "%3D", " ", "%20", "\"", "%22", "{", "%7B", "}", "%7D", ":", "%3A", "/", "%2F", ",", "%2C", "[", "%5B", "]", "%5D", "*", "%2A")
	return r.Replace(s)
}

// TestEpochTimestamps: awsJson1_1 carries timestamps as epoch seconds
// (JSON numbers), never as strings.
func TestEpochTimestamps(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Unix(1767323045, 0)) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Epoch-Doc", sleepDoc)
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Epoch-Doc")})
	waitDone(t, admin, id)
	for _, tt := range []struct{ target, body, member string }{
		{"AmazonSSM.GetAutomationExecution", `{"AutomationExecutionId":"` + id + `"}`, "ExecutionStartTime"},
		{"AmazonSSM.GetAutomationExecution", `{"AutomationExecutionId":"` + id + `"}`, "ExecutionEndTime"},
		{"AmazonSSM.DescribeAutomationExecutions", `{}`, "ExecutionStartTime"},
		{"AmazonSSM.DescribeAutomationStepExecutions", `{"AutomationExecutionId":"` + id + `"}`, "ExecutionEndTime"},
		{"AmazonSSM.DescribeDocument", `{"Name":"Epoch-Doc"}`, "CreatedDate"},
	} {
		t.Run(tt.target+"/"+tt.member, func(t *testing.T) {
			got := rawCall(t, srv, "ssm", tt.target, tt.body)
			re := regexp.MustCompile(`"` + tt.member + `":(17673230\d\d(\.\d+)?)[,}]`)
			require.True(t, strings.HasPrefix(got, "200 "), "status of:\n%s", got)
			require.Regexp(t, re, got, "%s is not epoch seconds near the clock's time", tt.member)
		})
	}
}
