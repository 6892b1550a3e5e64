package delegate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestProvisionLocalEndpoint provisions every mode twice through the real
// SDK clients against the embedded endpoint: the second run changes
// nothing. Then the operator, holding only the operator policy, runs the
// automation, and the steps act as the role.
func TestProvisionLocalEndpoint(t *testing.T) {
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	admin := srv.AdminConfig()
	iamc, ssmc := iam.NewFromConfig(admin), ssm.NewFromConfig(admin)
	_, err = iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("AutomationRestrictedOperator")})
	require.NoError(t, err)

	for _, tt := range []struct {
		mode delegate.Mode
		name string
	}{{delegate.Embedded, "Restart-Embedded"}, {delegate.Runtime, "Restart-Runtime"}, {delegate.Caller, "Restart-Caller"}} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			plan, err := delegate.NewPlan(delegate.NewDocument(tt.name, restartDemo()), tt.mode, srv.AccountID(), srv.Region())
			require.NoError(t, err)
			attach := func(o *delegate.ProvisionOptions) { o.OperatorUser = "AutomationRestrictedOperator" }
			first, err := delegate.Provision(ctx, iamc, ssmc, plan, attach)
			require.NoError(t, err)
			assert.NotEmpty(t, first)
			second, err := delegate.Provision(ctx, iamc, ssmc, plan, attach)
			require.NoError(t, err)
			assert.Empty(t, second, "the second run is a no-op")

			doc, err := ssmc.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String(tt.name)})
			require.NoError(t, err)
			assert.Equal(t, "1", aws.ToString(doc.Document.LatestVersion), "no new document version")
		})
	}

	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("AutomationRestrictedOperator")})
	require.NoError(t, err)
	op := ssm.NewFromConfig(srv.Config(ssmlocal.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}))
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	// run starts the plan's input as the operator and checks the steps
	// acted as role.
	run := func(t *testing.T, plan *delegate.Plan, role string) {
		t.Helper()
		out, err := op.StartAutomationExecution(ctx, plan.Start)
		require.NoError(t, err)
		id := aws.ToString(out.AutomationExecutionId)
		err = execution.NewExecutionWaiter(op, func(o *execution.ExecutionWaiterOptions) {
			o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
		}).Wait(ctx, id, time.Minute)
		require.NoError(t, err)
		var stopped bool
		for _, e := range srv.AuditFor(id) {
			if e.API == "StopInstances" && e.Decision == "Allowed" {
				assert.Contains(t, e.Principal, ":assumed-role/"+role+"/")
				stopped = true
			}
		}
		assert.True(t, stopped, "the role stopped the instance")
	}

	t.Run("operator runs the embedded runbook as the role", func(t *testing.T) {
		plan, err := delegate.NewPlan(delegate.NewDocument("Restart-Embedded", restartDemo()), delegate.Embedded, srv.AccountID(), srv.Region(),
			func(o *delegate.Options) { o.Parameters = map[string][]string{"InstanceId": ids} })
		require.NoError(t, err)
		run(t, plan, "Restart-Embedded-Automation")
	})

	t.Run("operator runs AWS-RestartEC2Instance with a runtime role", func(t *testing.T) {
		got, err := ssmc.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(ssmlocal.RestartEC2Instance)})
		require.NoError(t, err)
		content, err := runbook.Parse([]byte(aws.ToString(got.Content)))
		require.NoError(t, err)
		plan, err := delegate.NewPlan(delegate.ExistingDocument(ssmlocal.RestartEC2Instance, content), delegate.Runtime, srv.AccountID(), srv.Region(),
			func(o *delegate.Options) {
				o.RoleName = "RestartRuntimeRole"
				o.Parameters = map[string][]string{"InstanceId": ids}
			})
		require.NoError(t, err)
		attach := func(o *delegate.ProvisionOptions) { o.OperatorUser = "AutomationRestrictedOperator" }
		_, err = delegate.Provision(ctx, iamc, ssmc, plan, attach)
		require.NoError(t, err)
		again, err := delegate.Provision(ctx, iamc, ssmc, plan, attach)
		require.NoError(t, err)
		assert.Empty(t, again)
		run(t, plan, "RestartRuntimeRole")
	})
}

// TestProvisionLocalEndpointRestoresDocument: someone pushed another
// version of the document and made it the default. SSM refuses to store the
// planned content again, so provisioning makes its version the default.
func TestProvisionLocalEndpointRestoresDocument(t *testing.T) {
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	admin := srv.AdminConfig()
	iamc, ssmc := iam.NewFromConfig(admin), ssm.NewFromConfig(admin)
	plan, err := delegate.NewPlan(delegate.NewDocument("Restart-Drift", restartDemo()), delegate.Embedded, srv.AccountID(), srv.Region())
	require.NoError(t, err)
	_, err = delegate.Provision(ctx, iamc, ssmc, plan)
	require.NoError(t, err)

	_, err = ssmc.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Restart-Drift"), DocumentVersion: aws.String("$LATEST"),
		Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)})
	require.NoError(t, err)
	_, err = ssmc.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String("Restart-Drift"), DocumentVersion: aws.String("2")})
	require.NoError(t, err)

	changes, err := delegate.Provision(ctx, iamc, ssmc, plan)
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Equal(t, delegate.DocumentDefaultVersionSet, changes[0].Kind)
	assert.Equal(t, "version 1", changes[0].Detail)
	doc, err := ssmc.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String("Restart-Drift")})
	require.NoError(t, err)
	assert.Equal(t, "1", aws.ToString(doc.Document.DefaultVersion))
	assert.Equal(t, "2", aws.ToString(doc.Document.LatestVersion))

	again, err := delegate.Provision(ctx, iamc, ssmc, plan)
	require.NoError(t, err)
	assert.Empty(t, again)
}

// TestNoPermissionsRunbook: a runbook of aws:sleep steps plans in every
// mode; a service role gets its trust policy only (IAM refuses an empty
// policy), provisioning is idempotent, and the automation runs.
func TestNoPermissionsRunbook(t *testing.T) {
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	admin := srv.AdminConfig()
	iamc, ssmc := iam.NewFromConfig(admin), ssm.NewFromConfig(admin)
	nap, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT5S"}}]}`))
	require.NoError(t, err)
	for _, tc := range []struct {
		mode    delegate.Mode
		field   string
		warning string
	}{
		{delegate.Embedded, "role.permissionsPolicy", "the role gets its trust policy and no permissions policy"},
		{delegate.Runtime, "role.permissionsPolicy", "the role gets its trust policy and no permissions policy"},
		{delegate.Caller, "operatorPolicy", "the operator policy only starts and follows the automation"},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			name := "Nap-" + tc.mode.String()
			plan, err := delegate.NewPlan(delegate.NewDocument(name, nap), tc.mode, srv.AccountID(), srv.Region())
			require.NoError(t, err)
			assert.Contains(t, plan.Warnings, delegate.Warning{Field: tc.field, Message: "the runbook's steps need no permissions: " + tc.warning})
			for _, w := range plan.Warnings {
				assert.False(t, tc.mode == delegate.Caller && w.Field == "operatorPolicy" && strings.Contains(w.Message, "role"), "caller mode has no role: %s", w)
			}
			changes, err := delegate.Provision(ctx, iamc, ssmc, plan)
			require.NoError(t, err)
			for _, c := range changes {
				assert.NotEqual(t, delegate.RolePolicyPut, c.Kind, "no permissions policy")
			}
			if tc.mode != delegate.Caller {
				require.NotNil(t, plan.Role)
				assert.Nil(t, plan.Role.Permissions)
				assert.Equal(t, delegate.RoleCreated, changes[0].Kind)
				_, err := iamc.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(plan.Role.Name), PolicyName: aws.String(plan.Role.PolicyName)})
				require.Error(t, err, "the role has no inline policy")
			}
			again, err := delegate.Provision(ctx, iamc, ssmc, plan)
			require.NoError(t, err)
			assert.Empty(t, again)

			out, err := execution.StartInput(ctx, ssmc, plan.Start)
			require.NoError(t, err)
			require.NoError(t, execution.NewExecutionWaiter(ssmc, func(o *execution.ExecutionWaiterOptions) {
				o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
			}).Wait(ctx, out.ExecutionID, time.Minute))
		})
	}
}
