package ssmlocal

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	hookHome   = "111111111111"
	hookTarget = "222222222222"
	hookParent = "0b6f1e52-3f0a-4c1e-9a55-7d8f7f0a1c11"
)

func hookServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(func(o *Options) {
		o.AccountID = hookHome
		o.Accounts = []string{hookTarget}
		o.Clock = VirtualClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// putRole creates a role with a trust policy and, when policyDoc is set, an
// inline policy, as the account's administrator.
func putRole(t *testing.T, cfg aws.Config, name, trust, policyDoc string) {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	require.NoError(t, err)
	if policyDoc != "" {
		_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(policyDoc)})
		require.NoError(t, err)
	}
}

const (
	ssmTrust        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ssmTrustOtherAc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}}}]}`
	adminPolicy     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/AWS-SystemsManager-AutomationExecutionRole"}]}`
	noAssumePolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:ListDocuments","Resource":"*"}]}`
	execTrust       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/AWS-SystemsManager-AutomationAdministrationRole"},"Action":"sts:AssumeRole"}]}`
	execTrustOther  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/SomeoneElse"},"Action":"sts:AssumeRole"}]}`
)

func TestAssumeLocation(t *testing.T) {
	tests := []struct {
		name        string
		adminTrust  string
		adminPolicy string
		execTrust   string // "" creates no execution role
		target      string
		wantErr     string
		wantAdmin   bool
	}{
		{name: "both roles admit", adminTrust: ssmTrust, adminPolicy: adminPolicy, execTrust: execTrust, target: hookTarget},
		{name: "same account", adminTrust: ssmTrust, adminPolicy: adminPolicy, execTrust: execTrust, target: hookHome},
		{name: "administration trust refuses the source account", adminTrust: ssmTrustOtherAc, adminPolicy: adminPolicy, execTrust: execTrust, target: hookTarget,
			wantErr: "The provided role: arn:aws:iam::111111111111:role/AWS-SystemsManager-AutomationAdministrationRole can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)", wantAdmin: true},
		{name: "administration role lacks sts:AssumeRole", adminTrust: ssmTrust, adminPolicy: noAssumePolicy, execTrust: execTrust, target: hookTarget,
			wantErr: "The provided role: arn:aws:iam::222222222222:role/AWS-SystemsManager-AutomationExecutionRole can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)"},
		{name: "execution trust names another role", adminTrust: ssmTrust, adminPolicy: adminPolicy, execTrust: execTrustOther, target: hookTarget,
			wantErr: "The provided role: arn:aws:iam::222222222222:role/AWS-SystemsManager-AutomationExecutionRole can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)"},
		{name: "no execution role", adminTrust: ssmTrust, adminPolicy: adminPolicy, target: hookTarget,
			wantErr: "The provided role: arn:aws:iam::222222222222:role/AWS-SystemsManager-AutomationExecutionRole can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)"},
		{name: "account not served", adminTrust: ssmTrust, adminPolicy: adminPolicy, execTrust: execTrust, target: "333333333333",
			wantErr: "The provided role: arn:aws:iam::333333333333:role/AWS-SystemsManager-AutomationExecutionRole can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hookServer(t)
			home, err := s.Account(hookHome)
			require.NoError(t, err)
			putRole(t, home.AdminConfig(), automationAdministrationRole, tt.adminTrust, tt.adminPolicy)
			if tt.execTrust != "" {
				if target, err := s.Account(tt.target); err == nil {
					putRole(t, target.AdminConfig(), automationExecutionRole, tt.execTrust, "")
				}
			}
			parentARN := "arn:aws:ssm:us-east-1:" + hookHome + ":automation-execution/" + hookParent
			got, err := s.assumeLocation(context.Background(), locationAssume{Account: tt.target, Region: "us-east-1", ParentID: hookParent, ParentARN: parentARN})
			if tt.wantErr != "" {
				require.Error(t, err)
				var le *locationRoleError
				require.ErrorAs(t, err, &le)
				assert.Equal(t, tt.wantErr, err.Error())
				assert.Equal(t, tt.wantAdmin, le.Administration)
				var denied *deniedError
				assert.ErrorAs(t, err, &denied, "the cause is an authorization failure")
				return
			}
			require.NoError(t, err)
			want := "arn:aws:sts::" + tt.target + ":assumed-role/" + automationExecutionRole + "/" + hookParent
			assert.Equal(t, want, got.Who.ARN)
			assert.Equal(t, tt.target, got.Core.AccountID())
			// The credentials are the target account's: STS says so.
			out, err := sts.NewFromConfig(s.Config(got.Credentials)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			require.NoError(t, err)
			assert.Equal(t, tt.target, aws.ToString(out.Account))
			assert.Equal(t, want, aws.ToString(out.Arn))
		})
	}
}

// Every decision lands in the trail of the account that made it.
func TestAssumeLocationAudit(t *testing.T) {
	s := hookServer(t)
	home, _ := s.Account(hookHome)
	target, _ := s.Account(hookTarget)
	putRole(t, home.AdminConfig(), automationAdministrationRole, ssmTrust, adminPolicy)
	putRole(t, target.AdminConfig(), automationExecutionRole, execTrust, "")
	_, err := s.assumeLocation(context.Background(), locationAssume{Account: hookTarget, Region: "us-east-1", ParentID: hookParent, ParentARN: "arn:aws:ssm:us-east-1:111111111111:automation-execution/" + hookParent})
	require.NoError(t, err)

	var homeAssumes, targetAssumes []AuditEvent
	for _, e := range home.Audit() {
		if e.API == "AssumeRole" {
			homeAssumes = append(homeAssumes, e)
		}
	}
	for _, e := range target.Audit() {
		if e.API == "AssumeRole" {
			targetAssumes = append(targetAssumes, e)
		}
	}
	require.Len(t, homeAssumes, 2, "the service's AssumeRole and the administration role's")
	assert.Equal(t, "ssm.amazonaws.com", homeAssumes[0].Principal)
	assert.Equal(t, "Allowed", homeAssumes[0].Decision)
	assert.Equal(t, "arn:aws:sts::111111111111:assumed-role/"+automationAdministrationRole+"/"+hookParent, homeAssumes[1].Principal)
	assert.Equal(t, "Allowed", homeAssumes[1].Decision)
	assert.Equal(t, hookHome, homeAssumes[1].Account)
	require.Len(t, targetAssumes, 1, "the trust side")
	assert.Equal(t, homeAssumes[1].Principal, targetAssumes[0].Principal)
	assert.Equal(t, "Allowed", targetAssumes[0].Decision)
	assert.Equal(t, hookTarget, targetAssumes[0].Account)
	assert.Equal(t, hookParent, targetAssumes[0].ExecutionID)
}

func TestAssumeLocationCanceled(t *testing.T) {
	s := hookServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.assumeLocation(ctx, locationAssume{Account: hookTarget, Region: "us-east-1", ParentID: hookParent})
	assert.True(t, errors.Is(err, context.Canceled))
}

// Locations in both directions at once never hold two accounts' locks.
func TestAssumeLocationConcurrent(t *testing.T) {
	s := hookServer(t)
	home, _ := s.Account(hookHome)
	target, _ := s.Account(hookTarget)
	trustFrom := func(account string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:role/AWS-SystemsManager-AutomationAdministrationRole"},"Action":"sts:AssumeRole"}]}`
	}
	for _, a := range []*Account{home, target} {
		putRole(t, a.AdminConfig(), automationAdministrationRole, ssmTrust, adminPolicy)
	}
	putRole(t, home.AdminConfig(), automationExecutionRole, trustFrom(hookTarget), "")
	putRole(t, target.AdminConfig(), automationExecutionRole, trustFrom(hookHome), "")
	b, ok := s.core(hookTarget)
	require.True(t, ok)
	errs := make(chan error, 16)
	for i := range 8 {
		go func() {
			from, to := s, hookTarget
			if i%2 == 1 {
				from, to = b, hookHome
			}
			_, err := from.assumeLocation(context.Background(), locationAssume{Account: to, Region: "us-east-1", ParentID: hookParent,
				ParentARN: "arn:aws:ssm:us-east-1:" + from.AccountID() + ":automation-execution/" + hookParent})
			errs <- err
		}()
	}
	for range 8 {
		assert.NoError(t, <-errs)
	}
}
