package ssmlocal_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestLocationsAcrossAccounts runs a runbook in two target accounts × two
// Regions from the administrator account: each child runs, and is seen,
// in its own account, and an account whose execution role does not trust
// the administration role fails its locations alone.
func TestLocationsAcrossAccounts(t *testing.T) {
	const acctA, acctB = "111111111111", "222222222222"
	regions := []string{"us-east-1", "eu-west-1"}
	for _, tc := range []struct {
		name   string
		trustB string
		status ssmtypes.AutomationExecutionStatus
		failed int
	}{
		{"every role trusts the administrator", trustAdmin, ssmtypes.AutomationExecutionStatusSuccess, 0},
		{"one account's role trusts only Automation", trustSSM, ssmtypes.AutomationExecutionStatusCompletedWithFailure, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, func(o *ssmlocal.Options) {
				o.Regions, o.Accounts, o.Clock = regions, []string{acctA, acctB}, ssmlocal.AutoClock(time.Now())
			})
			serviceRole(t, srv, ssmlocal.AdministrationRoleName, trustSSM, adminPolicy)
			// clientIn is an account administrator's client in a Region.
			clientIn := func(account, region string) *ssm.Client {
				a, err := srv.Account(account)
				require.NoError(t, err)
				c := a.AdminConfig()
				c.Region, c.RetryMaxAttempts = region, 1
				return ssm.NewFromConfig(c)
			}
			for _, acct := range []string{acctA, acctB} {
				a, err := srv.Account(acct)
				require.NoError(t, err)
				trust := trustAdmin
				if acct == acctB {
					trust = tc.trustB
				}
				ic := iam.NewFromConfig(a.AdminConfig())
				_, err = ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(execRoleName), AssumeRolePolicyDocument: aws.String(trust)})
				require.NoError(t, err)
				_, err = ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(execRoleName), PolicyName: aws.String("p"), PolicyDocument: aws.String(execPolicy)})
				require.NoError(t, err)
				for _, r := range regions {
					_, err := clientIn(acct, r).PutParameter(ctx, putConfig(r))
					require.NoError(t, err)
				}
			}
			admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
			createDoc(t, admin, "Fleet-Check", locationDoc)
			id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Fleet-Check"), TargetLocations: []ssmtypes.TargetLocation{{
				Accounts: []string{acctA, acctB}, Regions: regions, TargetLocationMaxConcurrency: aws.String("4"), TargetLocationMaxErrors: aws.String("2"),
			}}})
			x := waitDone(t, admin, id)
			require.Equal(t, tc.status, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
			assert.Equal(t, &ssmtypes.ProgressCounters{TotalSteps: 4, SuccessSteps: int32(4 - tc.failed), FailedSteps: int32(tc.failed)}, x.ProgressCounters)
			require.Len(t, x.StepExecutions, 4)
			i := 0
			for _, acct := range []string{acctA, acctB} {
				for _, r := range regions {
					s := x.StepExecutions[i]
					i++
					assert.Equal(t, acct+"/"+r, aws.ToString(s.StepName))
					assert.Equal(t, []string{acct}, s.TargetLocation.Accounts)
					assert.Equal(t, []string{r}, s.TargetLocation.Regions)
					if acct == acctB && tc.failed > 0 {
						assert.Equal(t, ssmtypes.AutomationExecutionStatusFailed, s.StepStatus)
						assert.Equal(t, "The provided role: arn:aws:iam::"+acctB+":role/"+execRoleName+" can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)", aws.ToString(s.FailureMessage))
						continue
					}
					require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, s.StepStatus, aws.ToString(s.FailureMessage))
					child := childID(t, s)
					out, err := clientIn(acct, r).GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(child)})
					require.NoError(t, err, "the child is seen with its account's credentials")
					assert.Equal(t, id, aws.ToString(out.AutomationExecution.ParentAutomationExecutionId))
					assert.Equal(t, []string{"ok-" + r}, out.AutomationExecution.Outputs["config.Value"])
					_, err = clientIn("123456789012", r).GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(child)})
					assert.Equal(t, "AutomationExecutionNotFoundException", errCode(err), "another account does not see the child")
				}
			}
		})
	}
}
