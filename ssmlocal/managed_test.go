package ssmlocal_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const automationRolePolicy = "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole"

// TestAWSManagedPolicies: a service role set up as the user guide does it,
// with AmazonSSMAutomationRole attached, runs the restart runbook, and the
// shipped documents match the published ones when the reference is present.
func TestAWSManagedPolicies(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	role, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Guide"), AssumeRolePolicyDocument: aws.String(trustSSM)})
	require.NoError(t, err)
	_, err = admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Guide"), PolicyArn: aws.String(automationRolePolicy)})
	require.NoError(t, err)
	client := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	x := waitDone(t, client, start(t, client, &ssm.StartAutomationExecutionInput{
		DocumentName: aws.String(ssmlocal.RestartEC2Instance),
		Parameters:   map[string][]string{"InstanceId": ids, "AutomationAssumeRole": {*role.Role.Arn}},
	}))
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))

	ref := map[string]struct {
		ARN      string          `json:"arn"`
		Version  string          `json:"version"`
		Document json.RawMessage `json:"document"`
	}{}
	data, err := os.ReadFile(filepath.Join("..", "testdata", "aws-managed-policies.json"))
	require.NoError(t, err, "reference managed policies")
	require.NoError(t, json.Unmarshal(data, &ref))
	for name, want := range ref {
		t.Run(name, func(t *testing.T) {
			p, err := admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(want.ARN)})
			require.NoError(t, err)
			require.Equal(t, want.Version, aws.ToString(p.Policy.DefaultVersionId), "default version")
			v, err := admin.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(want.ARN), VersionId: p.Policy.DefaultVersionId})
			require.NoError(t, err)
			doc := decodeURLDoc(t, aws.ToString(v.PolicyVersion.Document))
			require.Equal(t, canonicalJSON(t, string(want.Document)), canonicalJSON(t, doc), "document")
		})
	}
}

// decodeURLDoc undoes the URL encoding IAM applies to policy documents.
func decodeURLDoc(t *testing.T, s string) string {
	t.Helper()
	doc, err := url.QueryUnescape(s)
	require.NoError(t, err)
	return doc
}
