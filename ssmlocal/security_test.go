package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestTrustConditions: Automation assumes a role only when its trust policy
// admits ssm.amazonaws.com under this execution's aws:SourceAccount and
// aws:SourceArn; the decision is in the audit trail either way.
func TestTrustConditions(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	tests := []struct {
		name, trust string
		ok          bool
	}{
		{"account and execution ARN match", trustSSM, true},
		{"no conditions", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, true},
		{"execution ARN in another Region", strings.Replace(trustSSM, "arn:aws:ssm:*:", "arn:aws:ssm:eu-west-1:", 1), false},
		{"source ARN of another resource type", strings.Replace(trustSSM, "automation-execution/*", "document/*", 1), false},
		{"another account", strings.Replace(trustSSM, `"aws:SourceAccount":"123456789012"`, `"aws:SourceAccount":"210987654321"`, 1), false},
		{"another service", strings.Replace(trustSSM, "ssm.amazonaws.com", "ec2.amazonaws.com", 1), false},
		{"explicit deny for this account", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "Trust" + string(rune('A'+i))
			role := serviceRole(t, srv, name, tt.trust, restartRolePolicy)
			id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String(ssmlocal.RestartEC2Instance), Parameters: map[string][]string{"InstanceId": ids, "AutomationAssumeRole": {role}}})
			x := waitDone(t, admin, id)
			var assumed *ssmlocal.AuditEvent
			for _, e := range srv.AuditFor(id) {
				if e.API == "AssumeRole" {
					assumed = &e
				}
			}
			require.NotNil(t, assumed, "no AssumeRole audit event")
			require.Equal(t, "ssm.amazonaws.com", assumed.Principal, "AssumeRole audit event %+v", *assumed)
			require.Equal(t, []string{role}, assumed.Resources, "AssumeRole audit event")
			if tt.ok {
				require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
				require.Equal(t, "Allowed", assumed.Decision, "AssumeRole")
				return
			}
			require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
			require.Contains(t, aws.ToString(x.FailureMessage), "assume role")
			require.Equal(t, "Denied", assumed.Decision, "AssumeRole audited as %+v", *assumed)
			require.Equal(t, "AccessDenied", assumed.ErrorCode, "AssumeRole audited as %+v", *assumed)
			for _, e := range srv.AuditFor(id) {
				require.NotEqual(t, "ec2", e.Service, "a step ran although the role was refused: %+v", e)
			}
		})
	}
}

// TestAccessDeniedMessages pins each service's refusal: its error code, and
// a message naming the principal, the action and the resource, with the
// reason (no allow, or an explicit deny).
func TestAccessDeniedMessages(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	serviceRole(t, srv, "Target", trustSSM, restartRolePolicy)
	creds := user(t, srv, "limited", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ssm:*","iam:Get*","ec2:*"],"Resource":"*"},
		{"Effect":"Deny","Action":["ssm:DeleteDocument","iam:GetRole","ec2:TerminateInstances"],"Resource":"*"}]}`)
	c := cfg(srv, creds)
	me := "arn:aws:iam::123456789012:user/limited"
	noAllow := func(action string) string { return "because no identity-based policy allows the " + action + " action" }
	const deny = "with an explicit deny in an identity-based policy"
	instance := "arn:aws:ec2:us-east-1:123456789012:instance/" + ids[0]
	tests := []struct {
		name, code, action, resource, reason string
		call                                 func() error
	}{
		{"ssm explicit deny", "AccessDeniedException", "ssm:DeleteDocument", "arn:aws:ssm:us-east-1:123456789012:document/Mine", deny, func() error {
			_, err := ssm.NewFromConfig(c).DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Mine")})
			return err
		}},
		{"iam explicit deny", "AccessDenied", "iam:GetRole", "arn:aws:iam::123456789012:role/Target", deny, func() error {
			_, err := iam.NewFromConfig(c).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Target")})
			return err
		}},
		{"iam no allow", "AccessDenied", "iam:CreateUser", "arn:aws:iam::123456789012:user/other", noAllow("iam:CreateUser"), func() error {
			_, err := iam.NewFromConfig(c).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")})
			return err
		}},
		{"sts no allow", "AccessDenied", "sts:AssumeRole", "arn:aws:iam::123456789012:role/Target", "", func() error {
			_, err := sts.NewFromConfig(c).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/Target"), RoleSessionName: aws.String("s1")})
			return err
		}},
		{"ec2 explicit deny", "UnauthorizedOperation", "ec2:TerminateInstances", instance, deny, func() error {
			_, err := ec2.NewFromConfig(c).TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae smithy.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tt.code, ae.ErrorCode(), "%v", err)
			want := "User: " + me + " is not authorized to perform: " + tt.action + " on resource: " + tt.resource
			if tt.reason != "" {
				want += " " + tt.reason
			}
			require.True(t, strings.HasSuffix(ae.ErrorMessage(), want), "message:\n%s\nwant it to end with\n%s", ae.ErrorMessage(), want)
			var denied bool
			for _, e := range srv.Audit() {
				if e.Principal == me && e.Service+":"+e.API == tt.action && e.Decision == "Denied" && e.ErrorCode == tt.code {
					denied = true
				}
			}
			require.True(t, denied, "no denied %s event in the audit trail", tt.action)
		})
	}
}

// TestIAMAuthenticationFailures: IAM, like STS, answers a bad signature with
// SignatureDoesNotMatch and an unknown key with InvalidClientTokenId.
func TestIAMAuthenticationFailures(t *testing.T) {
	srv := newServer(t)
	good := srv.Admin()
	tests := []struct {
		name  string
		creds ssmlocal.Credentials
		code  string
	}{
		{"good key", good, ""},
		{"wrong secret", ssmlocal.Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: "wrong"}, "SignatureDoesNotMatch"},
		{"unknown key", ssmlocal.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := iam.NewFromConfig(cfg(srv, tt.creds)).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("Missing")})
			want := tt.code
			if want == "" {
				want = "NoSuchEntity"
			}
			require.Equal(t, want, errCode(err), "%v", err)
		})
	}
}

// TestPassRoleScope: passing a role to Automation needs iam:PassRole on that
// role for ssm.amazonaws.com; a grant for another role or another service
// does not do, and the refusal names the role. ExecutedBy is the caller,
// here an assumed-role session.
func TestPassRoleScope(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	role := serviceRole(t, srv, "Passed", trustSSM, restartRolePolicy)
	startOnly := `{"Effect":"Allow","Action":["ssm:StartAutomationExecution","ssm:GetAutomationExecution"],"Resource":"*"}`
	pass := func(resource, service string) string {
		return `,{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + resource + `","Condition":{"StringEquals":{"iam:PassedToService":"` + service + `"}}}`
	}
	tests := []struct {
		name, grant string
		ok          bool
	}{
		{"no PassRole", "", false},
		{"PassRole to EC2", pass(role, "ec2.amazonaws.com"), false},
		{"PassRole on another role", pass("arn:aws:iam::123456789012:role/Other", "ssm.amazonaws.com"), false},
		{"PassRole on the role to SSM", pass(role, "ssm.amazonaws.com"), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The operator works through a role of its own, as delegated
			// administrators usually do.
			opRole := "Operator" + string(rune('A'+i))
			serviceRole(t, srv, opRole, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`,
				`{"Version":"2012-10-17","Statement":[`+startOnly+tt.grant+`]}`)
			out, err := sts.NewFromConfig(cfg(srv, srv.Admin())).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/" + opRole), RoleSessionName: aws.String("alice")})
			require.NoError(t, err)
			op := ssm.NewFromConfig(cfg(srv, ssmlocal.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}))
			res, err := op.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{
				DocumentName: aws.String(ssmlocal.RestartEC2Instance),
				Parameters:   map[string][]string{"InstanceId": ids, "AutomationAssumeRole": {role}},
			})
			session := "arn:aws:sts::123456789012:assumed-role/" + opRole + "/alice"
			if !tt.ok {
				want := "User: " + session + " is not authorized to perform: iam:PassRole on resource: " + role
				require.Equal(t, "AccessDeniedException", errCode(err), "%v", err)
				require.ErrorContains(t, err, want)
				return
			}
			require.NoError(t, err)
			x := waitDone(t, op, *res.AutomationExecutionId)
			require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, "failure: %s", aws.ToString(x.FailureMessage))
			require.Equal(t, session, aws.ToString(x.ExecutedBy), "ExecutedBy")
		})
	}
}
