package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestRunLocationsLocal runs run --locations --wait --format json on the
// local endpoint with an execution role no target account has: each
// location fails on its own, without a child, and the JSON names why.
func TestRunLocationsLocal(t *testing.T) {
	slowtest.Require(t, "a multi-account automation on the local endpoint")
	const target = "444455556666"
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) {
		o.Clock = ssmlocal.AutoClock(time.Now())
		o.Regions = []string{"us-east-1", "us-west-2"}
		o.Accounts = []string{target}
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	admin := srv.Admin()
	dir := t.TempDir()
	clearEndpointEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", admin.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", admin.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	ctx := context.Background()
	adminRole := "arn:aws:iam::" + srv.AccountID() + ":role/" + ssmlocal.AdministrationRoleName
	client := iam.NewFromConfig(srv.AdminConfig())
	_, err = client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(ssmlocal.AdministrationRoleName),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	require.NoError(t, err)
	_, err = client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(ssmlocal.AdministrationRoleName), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}]}`)})
	require.NoError(t, err)
	_, err = ssm.NewFromConfig(srv.AdminConfig()).CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Fleet-Nap"), DocumentType: types.DocumentTypeAutomation,
		Content: aws.String(`{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}","parameters":{"AutomationAssumeRole":{"type":"String","default":""}},
			"mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1M"}}]}`)})
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", "Fleet-Nap", "--mode", "runtime", "--role", adminRole,
		"--locations", "accounts=" + target + ";regions=us-east-1,us-west-2;max-concurrency=2;max-errors=2",
		"--execution-role-name", "Missing-Role", "--wait", "--format", "json", "--endpoint", srv.URL()}, &stdout, &stderr, fastPolls)
	require.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	var res runResult
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), stdout.String())
	require.Len(t, res.Locations, 2)
	for i, region := range []string{"us-east-1", "us-west-2"} {
		l := res.Locations[i]
		assert.Equal(t, target, l.Account)
		assert.Equal(t, region, l.Region)
		assert.Equal(t, "Missing-Role", l.ExecutionRoleName)
		assert.Equal(t, "Failed", l.Status)
		assert.Empty(t, l.ChildExecutionID, "no child without the role")
		assert.Contains(t, l.FailureMessage, "arn:aws:iam::"+target+":role/Missing-Role")
		assert.Contains(t, stderr.String(), "location "+target+"/"+region+" Failed: ")
		// A location first seen Pending is printed with "(was Pending)".
		assert.Regexp(t, `(?m)^\+\d\d:\d\d:\d\d  \S+ +`+target+"/"+region+` +Failed(?:  \(was \w+\))?: `, stderr.String(), "the transition is printed")
	}
	assert.Equal(t, &locationTotals{Total: 2, Failed: 2}, res.LocationTotals)
}
