// Command script-stub proves a runbook and its least-privilege role
// together before they reach AWS. The runbook waits for an RDS database,
// then runs an aws:executeScript step whose Python script pages through
// the team's EC2 instances and publishes a report to SNS.
//
// The administrator derives the service role from the runbook (the
// script's boto3 calls included) and provisions it; the execution runs on
// the local endpoint with scripts enabled: the script runs for real, in a
// python3 subprocess, with temporary credentials of the role, and the RDS
// and SNS calls, which the endpoint does not emulate, are answered by
// stubs, still authorized as the role. Then sns:Publish is taken away from
// the role and the same run fails where AWS would fail it: the script's
// Publish call is denied.
//
// It runs on an in-process local endpoint by default. With --endpoint URL,
// start that endpoint with
//
//	ssmdelegate local --run-scripts --stubs examples/script-stub/testdata/stubs.yaml
//
// It needs python3 (3.11, the runtime the runbook names) with boto3.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/walk"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const (
	documentName = "TeamReport"
	roleName     = "AutomationServiceRole-TeamReport"
	userName     = "TeamReportOperator"
	team         = "web"
)

var (
	//go:embed testdata/TeamReport.yaml
	runbookYAML []byte
	//go:embed testdata/stubs.yaml
	stubsYAML []byte
)

func main() { walk.Main("script-stub", run) }

// localOptions enable scripts and serve the stubs on the in-process
// endpoint.
func localOptions() (func(*ssmlocal.Options), error) {
	file, err := ssmlocal.ParseStubFile(stubsYAML)
	if err != nil {
		return nil, fmt.Errorf("read the stubs: %w", err)
	}
	stubs, err := file.Registry()
	if err != nil {
		return nil, fmt.Errorf("read the stubs: %w", err)
	}
	return func(o *ssmlocal.Options) {
		o.RunScripts = true
		o.Stubs = stubs
	}, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, err := walk.Parse("script-stub", args, stderr)
	if err != nil {
		return err
	}
	local, err := localOptions()
	if err != nil {
		return err
	}
	env, err := walk.Setup(ctx, flags, stdout, local)
	if err != nil {
		return err
	}
	defer env.Close()

	env.Section("The team's instances")
	ids, err := env.Instances(ctx, 2)
	if err != nil {
		return err
	}
	if err := env.EC2().CreateTags(ctx, ids, "Team", team); err != nil {
		return fmt.Errorf("tag the instances: %w", err)
	}
	env.Printf("%d instances tagged Team=%s", len(ids), team)

	env.Section("Administrator: a role derived from the runbook, its script included")
	doc, err := runbook.Parse(runbookYAML)
	if err != nil {
		return fmt.Errorf("parse %s: %w", documentName, err)
	}
	topic := fmt.Sprintf("arn:%s:sns:%s:%s:ops-%s", env.Partition, env.Region, env.Account, team)
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, roleName)
	plan, err := delegate.NewPlan(delegate.NewDocument(documentName, doc), delegate.Runtime, env.Account, env.Region,
		func(o *delegate.Options) {
			o.Partition = env.Partition
			o.RoleARN = roleARN
			o.Parameters = map[string][]string{"Team": {team}, "Topic": {topic}}
		})
	if err != nil {
		return err
	}
	env.PrintPlan(plan)
	printScriptCalls(env, plan)
	if err := env.Provision(ctx, plan); err != nil {
		return err
	}

	env.Section("Operator: start the runbook, passing the role")
	operator, operatorARN, err := env.User(ctx, userName)
	if err != nil {
		return err
	}
	scope := policy.Scope{Partition: env.Partition, Region: env.Region, Account: env.Account}
	start, err := policy.Operator(scope, []string{documentName})
	if err != nil {
		return err
	}
	if err := env.PutUserPolicy(ctx, userName, "StartTeamReport", start); err != nil {
		return err
	}
	if err := env.PutUserPolicy(ctx, userName, "PassTeamReportRole", policy.PassRolePolicy(roleARN)); err != nil {
		return err
	}
	env.Printf("IAM user %s (%s) may start %s and pass %s", userName, operatorARN, documentName, roleName)
	opSSM := ssm.NewFromConfig(operator)
	first, _, err := startAndFollow(ctx, env, opSSM, plan)
	if err != nil {
		return err
	}
	env.Section("Audit: every call of the steps and the script, as the role")
	env.PrintAudit(first)

	env.Section("Administrator: take sns:Publish away from the role")
	reduced, err := without(plan.Role.Permissions, "sns:Publish")
	if err != nil {
		return err
	}
	if _, err := env.IAM().PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(roleName), PolicyName: aws.String(plan.Role.PolicyName), PolicyDocument: aws.String(reduced),
	}); err != nil {
		return fmt.Errorf("replace the role's policy: %w", err)
	}
	env.Printf("%s now allows %s", roleName, actionsOf(plan.Role.Permissions, "sns:Publish"))
	second, ended, err := startAndFollow(ctx, env, opSSM, plan)
	switch {
	case ended == nil:
		return err
	case ended.AutomationExecutionStatus != types.AutomationExecutionStatusFailed:
		return fmt.Errorf("the run ended %s without sns:Publish: the role's policy was not enforced", ended.AutomationExecutionStatus)
	}
	env.Printf("failed as on AWS: %s", lastLine(aws.ToString(ended.FailureMessage)))
	env.Section("Audit: the script's Publish call denied")
	env.PrintAudit(second)
	return nil
}

// startAndFollow starts the runbook as the operator and follows it to its
// end, printing its steps and outputs. A run that ended without success
// returns its record and an error.
func startAndFollow(ctx context.Context, env *walk.Env, opSSM *ssm.Client, plan *delegate.Plan) (string, *types.AutomationExecution, error) {
	env.Printf("$ aws ssm start-automation-execution --document-name %s --parameters Team=%s,Topic=%s,AutomationAssumeRole=%s",
		documentName, plan.Start.Parameters["Team"][0], plan.Start.Parameters["Topic"][0], plan.Role.ARN)
	started, err := execution.StartInput(ctx, opSSM, plan.Start)
	if err != nil {
		return "", nil, fmt.Errorf("start %s: %w", documentName, err)
	}
	_, err = env.Follow(ctx, opSSM, started.ExecutionID)
	// The waiter's error says how the run ended; the record says the rest.
	out, gerr := opSSM.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(started.ExecutionID)})
	if gerr != nil {
		return started.ExecutionID, nil, fmt.Errorf("read %s: %w (after: %v)", started.ExecutionID, gerr, err)
	}
	outputs := out.AutomationExecution.Outputs
	for _, k := range slices.Sorted(maps.Keys(outputs)) {
		env.Printf("output %s = %v", k, outputs[k])
	}
	return started.ExecutionID, out.AutomationExecution, err
}

// lastLine is the last non-empty line of a failure message: for a script,
// the exception, after its traceback.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// printScriptCalls shows why the script step needs what it does: each
// call with the script line it came from.
func printScriptCalls(env *walk.Env, plan *delegate.Plan) {
	for _, n := range plan.Derived.Needs {
		if n.StepAction == "aws:executeScript" {
			env.Printf("  %s: %s", n.Step, n.Reason)
		}
	}
}

// without returns the policy's JSON with one action removed.
func without(p *policy.Policy, action string) (string, error) {
	reduced := *p
	reduced.Statement = nil
	for _, s := range p.Statement {
		s.Action.Values = slices.DeleteFunc(slices.Clone(s.Action.Values), func(a string) bool { return a == action })
		if len(s.Action.Values) > 0 {
			reduced.Statement = append(reduced.Statement, s)
		}
	}
	b, err := reduced.JSON()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// actionsOf lists the policy's actions other than the one left out.
func actionsOf(p *policy.Policy, leftOut string) []string {
	var out []string
	for _, s := range p.Statement {
		for _, a := range s.Action.Values {
			if a != leftOut && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}
