package ssmlocal_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
)

// TestAWSCLISimulate runs the policy simulator's commands with the AWS CLI:
// its paging (--page-size sets MaxItems and the CLI follows the markers,
// --max-items stops early with a NextToken), a Deny, typed context entries
// in shorthand syntax, and a principal's stored policies.
func TestAWSCLISimulate(t *testing.T) {
	slowtest.Require(t, "AWS CLI conformance")
	t.Parallel()
	clis := awsCLIs()
	if len(clis) == 0 {
		t.Skip("the AWS CLI is not installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			env := cliEnv(t, srv.Admin(), srv.Region())
			run := cliRunner(t, cli, env, srv.URL())
			results := func(out map[string]any) []map[string]any {
				t.Helper()
				list, ok := out["EvaluationResults"].([]any)
				require.True(t, ok, mustJSON(out))
				rs := make([]map[string]any, len(list))
				for i, r := range list {
					rs[i] = r.(map[string]any)
				}
				return rs
			}
			decisions := func(rs []map[string]any) map[string]any {
				out := map[string]any{}
				for _, r := range rs {
					out[r["EvalActionName"].(string)] = r["EvalDecision"]
				}
				return out
			}
			actions := []string{"ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances", "ec2:RebootInstances", "ec2:DescribeInstances"}
			custom := append([]string{"iam", "simulate-custom-policy", "--policy-input-list", simOperatorPolicy,
				"--resource-arns", simInstance, "--action-names"}, actions...)

			// The CLI follows every marker: all five results, two a page.
			all := results(run(append(custom, "--page-size", "2")...))
			require.Len(t, all, 5)
			assert.Equal(t, map[string]any{
				"ec2:StartInstances": "allowed", "ec2:StopInstances": "allowed", "ec2:TerminateInstances": "explicitDeny",
				"ec2:RebootInstances": "implicitDeny", "ec2:DescribeInstances": "implicitDeny",
			}, decisions(all))
			deny := all[2]
			matched := deny["MatchedStatements"].([]any)
			require.Len(t, matched, 1)
			assert.Equal(t, map[string]any{
				"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none",
				"StartPosition": map[string]any{"Line": float64(10), "Column": float64(5)},
				"EndPosition":   map[string]any{"Line": float64(15), "Column": float64(6)},
			}, matched[0])
			specific := deny["ResourceSpecificResults"].([]any)
			require.Len(t, specific, 1)
			assert.Equal(t, "explicitDeny", specific[0].(map[string]any)["EvalResourceDecision"])
			assert.Equal(t, []any{"aws:MultiFactorAuthPresent"}, all[3]["MissingContextValues"])

			// --max-items stops after two and hands back a token that
			// continues where it stopped.
			first := run(append(custom, "--page-size", "2", "--max-items", "2")...)
			require.Len(t, results(first), 2)
			token, _ := first["NextToken"].(string)
			require.NotEmpty(t, token, mustJSON(first))
			rest := run(append(custom, "--page-size", "2", "--starting-token", token)...)
			got := results(rest)
			require.Len(t, got, 3)
			assert.Equal(t, "ec2:TerminateInstances", got[0]["EvalActionName"])

			// A typed context entry in shorthand syntax meets the condition.
			mfa := results(run("iam", "simulate-custom-policy", "--policy-input-list", simOperatorPolicy, "--action-names", "ec2:RebootInstances",
				"--context-entries", "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean"))
			require.Len(t, mfa, 1)
			assert.Equal(t, "allowed", mfa[0]["EvalDecision"])
			_, stderr, err := runCLI(t, cli, env, srv.URL(), "iam", "simulate-custom-policy", "--policy-input-list", simOperatorPolicy, "--action-names", "ec2:RebootInstances",
				"--context-entries", "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=maybe,ContextKeyType=boolean")
			require.Error(t, err)
			assert.Contains(t, stderr, "InvalidInput")

			// A user's own and group policies, as stored.
			ctx := context.Background()
			admin := iam.NewFromConfig(srv.AdminConfig())
			_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
			require.NoError(t, err)
			_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("operator"), PolicyDocument: aws.String(simOperatorPolicy)})
			require.NoError(t, err)
			principal := results(run("iam", "simulate-principal-policy", "--policy-source-arn", simAlice, "--resource-arns", simInstance,
				"--action-names", "ec2:StopInstances", "ec2:TerminateInstances", "--page-size", "1"))
			require.Len(t, principal, 2)
			assert.Equal(t, map[string]any{"ec2:StopInstances": "allowed", "ec2:TerminateInstances": "explicitDeny"}, decisions(principal))
			for _, r := range principal {
				m := r["MatchedStatements"].([]any)[0].(map[string]any)
				assert.Equal(t, "operator", m["SourcePolicyId"])
				assert.Equal(t, "user", m["SourcePolicyType"])
			}
			_, stderr, err = runCLI(t, cli, env, srv.URL(), "iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::123456789012:user/nobody",
				"--action-names", "ec2:StopInstances")
			require.Error(t, err)
			assert.Contains(t, stderr, "NoSuchEntity")
		})
	}
}
