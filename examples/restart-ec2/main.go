// Command restart-ec2 is the Systems Manager user guide's delegated
// administration walkthrough: an administrator creates a restricted operator
// and a least-privilege service role, an author writes Restart-EC2InstanceDemo
// with the role in its assumeRole, and the operator, who cannot touch the
// instances, restarts them through the runbook.
//
// It runs on an in-process local endpoint by default; --endpoint URL uses a
// running `ssmdelegate local`, and --aws real AWS (it changes real
// resources: pass the instances with --instance).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/ec2query"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/runbooks"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/walk"
	"github.com/ssmdelegate/ssmdelegate/execution"
)

const (
	documentName = runbooks.RestartDemoName
	operatorName = "AutomationRestrictedOperator"
	policyName   = "OperatorRestrictedPermissions"
	roleName     = "AutomationServiceRole-RestartDemo"
)

func main() { walk.Main("restart-ec2", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, err := walk.Parse("restart-ec2", args, stderr)
	if err != nil {
		return err
	}
	env, err := walk.Setup(ctx, flags, stdout)
	if err != nil {
		return err
	}
	defer env.Close()
	ids, err := env.Instances(ctx, 2)
	if err != nil {
		return err
	}

	env.Section("Administrator: operator and service role")
	operator, operatorARN, err := env.User(ctx, operatorName)
	if err != nil {
		return err
	}
	env.Printf("IAM user %s (%s)", operatorName, operatorARN)
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, roleName)
	doc, err := runbooks.RestartDemo(roleARN)
	if err != nil {
		return err
	}
	plan, err := delegate.NewPlan(delegate.NewDocument(documentName, doc), delegate.Embedded, env.Account, env.Region,
		func(o *delegate.Options) {
			o.Partition = env.Partition
			o.RoleARN = roleARN
			o.OperatorPolicyName = policyName
			o.Parameters = map[string][]string{"InstanceId": ids}
		})
	if err != nil {
		return err
	}
	env.PrintPlan(plan)
	// The administrator provisions the role and the operator's policy; the
	// document is the author's.
	admin := *plan
	admin.CreateDocument = false
	if err := env.Provision(ctx, &admin, func(o *delegate.ProvisionOptions) {
		o.OperatorUser = operatorName
		o.RoleDescription = "Runs " + documentName + " for restricted operators"
	}); err != nil {
		return err
	}

	env.Section("Author: " + documentName)
	env.Printf("assumeRole %s: the operator needs no iam:PassRole", plan.Document.AssumeRole)
	// What the administrator set up is unchanged; only the document is new.
	if err := env.Provision(ctx, plan, func(o *delegate.ProvisionOptions) {
		o.OperatorUser = operatorName
	}); err != nil {
		return err
	}

	env.Section("Operator: " + operatorName)
	err = ec2query.New(operator).StopInstances(ctx, ids)
	if err == nil {
		return errors.New("the operator could stop the instances directly: the walkthrough's premise does not hold")
	}
	env.Printf("ec2:StopInstances directly: %s", walk.ErrorCode(err))

	opSSM := ssm.NewFromConfig(operator)
	started, err := execution.StartInput(ctx, opSSM, plan.Start)
	if err != nil {
		return fmt.Errorf("start %s: %w", documentName, err)
	}
	env.Printf("started %s with InstanceId=%s", documentName, strings.Join(ids, ","))
	final, err := env.Follow(ctx, opSSM, started.ExecutionID)
	if err != nil {
		return err
	}
	ex := final.AutomationExecution
	env.Printf("status %s, executed by %s", ex.AutomationExecutionStatus, aws.ToString(ex.ExecutedBy))

	states, err := env.States(ctx, ids)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(states))
	for id := range states {
		keys = append(keys, id)
	}
	slices.Sort(keys)
	for _, id := range keys {
		env.Printf("instance %s is %s", id, states[id])
	}
	env.Section("Audit: who acted")
	env.PrintAudit(started.ExecutionID)
	return nil
}
