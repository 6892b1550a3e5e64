// Command runtime-role is the Systems Manager user guide's "Running an
// automation by using an IAM service role" procedure: the operator runs the
// AWS-owned AWS-RestartEC2Instance and passes the service role at run time
// in AutomationAssumeRole. Passing a role needs iam:PassRole on it: the
// operator is refused without it and succeeds with it. The execution is then
// listed with DescribeAutomationExecutions, as with
// `aws ssm describe-automation-executions --filter "Key=ExecutionId,Values=…"`.
//
// It runs on an in-process local endpoint by default; --endpoint URL uses a
// running `ssmdelegate local`, and --aws real AWS (it restarts real
// instances: pass them with --instance).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/walk"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

const (
	documentName = "AWS-RestartEC2Instance"
	userName     = "RuntimeRoleOperator"
	roleName     = "AutomationServiceRole-RestartRuntime"
)

func main() { walk.Main("runtime-role", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, err := walk.Parse("runtime-role", args, stderr)
	if err != nil {
		return err
	}
	env, err := walk.Setup(ctx, flags, stdout)
	if err != nil {
		return err
	}
	defer env.Close()
	ids, err := env.Instances(ctx, 1)
	if err != nil {
		return err
	}

	env.Section("Administrator: service role for " + documentName)
	// The role's permissions are derived from the AWS-owned runbook's
	// current content.
	got, err := env.SSM().GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(documentName)})
	if err != nil {
		return fmt.Errorf("read %s: %w", documentName, err)
	}
	content, err := runbook.Parse([]byte(aws.ToString(got.Content)))
	if err != nil {
		return fmt.Errorf("parse %s: %w", documentName, err)
	}
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, roleName)
	plan, err := delegate.NewPlan(delegate.ExistingDocument(documentName, content), delegate.Runtime, env.Account, env.Region,
		func(o *delegate.Options) {
			o.Partition = env.Partition
			o.RoleARN = roleARN
			o.Parameters = map[string][]string{"InstanceId": ids}
		})
	if err != nil {
		return err
	}
	env.PrintPlan(plan)
	if err := env.Provision(ctx, plan); err != nil {
		return err
	}

	env.Section("Operator without iam:PassRole")
	operator, operatorARN, err := env.User(ctx, userName)
	if err != nil {
		return err
	}
	scope := policy.Scope{Partition: env.Partition, Region: env.Region, Account: env.Account}
	startOnly, err := policy.Operator(scope, []string{documentName})
	if err != nil {
		return err
	}
	if err := env.PutUserPolicy(ctx, userName, "StartRestart", startOnly); err != nil {
		return err
	}
	env.Printf("IAM user %s (%s), allowed to start %s only", userName, operatorARN, documentName)
	env.Printf("$ aws ssm start-automation-execution --document-name %q --parameters \"InstanceId=%s\",\"AutomationAssumeRole=%s\"",
		documentName, strings.Join(ids, ","), roleARN)
	opSSM := ssm.NewFromConfig(operator)
	_, err = execution.StartInput(ctx, opSSM, plan.Start)
	if err == nil {
		return errors.New("the operator passed the role without iam:PassRole: the walkthrough's premise does not hold")
	}
	env.Printf("refused: %s: %s", walk.ErrorCode(err), walk.ErrorMessage(err))

	env.Section("Operator with iam:PassRole on exactly that role")
	if err := env.PutUserPolicy(ctx, userName, "PassAutomationRole", policy.PassRolePolicy(roleARN)); err != nil {
		return err
	}
	env.Printf("added iam:PassRole on %s for ssm.amazonaws.com", roleARN)
	started, err := execution.StartInput(ctx, opSSM, plan.Start)
	if err != nil {
		return fmt.Errorf("start %s: %w", documentName, err)
	}
	env.Printf("started %s", documentName)
	if _, err := env.Follow(ctx, opSSM, started.ExecutionID); err != nil {
		return err
	}

	env.Printf("$ aws ssm describe-automation-executions --filter \"Key=ExecutionId,Values=%s\"", started.ExecutionID)
	list, err := opSSM.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{
		Filters: []types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyExecutionId, Values: []string{started.ExecutionID}}},
	})
	if err != nil {
		return fmt.Errorf("describe the execution: %w", err)
	}
	for _, m := range list.AutomationExecutionMetadataList {
		env.Printf("%s %s version %s: %s, mode %s, type %s, executed by %s",
			aws.ToString(m.AutomationExecutionId), aws.ToString(m.DocumentName), aws.ToString(m.DocumentVersion),
			m.AutomationExecutionStatus, m.Mode, m.AutomationType, aws.ToString(m.ExecutedBy))
	}
	env.Section("Audit: who acted")
	env.PrintAudit(started.ExecutionID)
	return nil
}
