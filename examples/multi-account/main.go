// Command multi-account is the Systems Manager user guide's "Running
// automations in multiple AWS Regions and accounts": an administrator
// account runs one runbook in two target accounts and two Regions with
// TargetLocations. A multi-account plan (delegate.NewMultiAccountPlan)
// gives the administration role, which the operator passes as
// AutomationAssumeRole, and the execution role each target account
// creates; the walkthrough provisions them, runs the runbook, prints each
// location's outcome, and shows a location denied because its execution
// role trusts Systems Manager instead of the administration role.
//
// It needs three accounts, so it runs on an in-process local endpoint
// serving them (the administrator account and two targets) in us-east-1
// and us-west-2; --endpoint and --aws are refused.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
	documentName  = "Fleet-ReadConfig"
	operatorName  = "FleetOperator"
	parameterName = "/fleet/config"
	// The target accounts; the second gets a wrong execution role trust.
	accountA = "111122223333"
	accountB = "444455556666"
)

var regions = []string{"us-east-1", "us-west-2"}

// fleetRunbook reads the fleet configuration of the account and Region it
// runs in.
const fleetRunbook = `{
  "schemaVersion": "0.3",
  "description": "Reads the fleet configuration of the account and Region it runs in.",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "AutomationAssumeRole": {"type": "String", "default": ""},
    "ParameterName": {"type": "String", "default": "` + parameterName + `"}
  },
  "mainSteps": [
    {"name": "readConfig", "action": "aws:executeAwsApi",
     "inputs": {"Service": "ssm", "Api": "GetParameter", "Name": "{{ ParameterName }}"},
     "outputs": [{"Name": "Value", "Selector": "$.Parameter.Value", "Type": "String"}]}
  ],
  "outputs": ["readConfig.Value"]
}`

func main() { walk.Main("multi-account", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags, err := walk.Parse("multi-account", args, stderr)
	if err != nil {
		return err
	}
	if flags.AWS || flags.Endpoint != "" {
		return errors.New("multi-account provisions three accounts in an in-process endpoint: --aws and --endpoint are not supported")
	}
	flags.Region = ""
	env, err := walk.Setup(ctx, flags, stdout, func(o *ssmlocal.Options) {
		o.Regions, o.Accounts = regions, []string{accountA, accountB}
	})
	if err != nil {
		return err
	}
	defer env.Close()

	env.Section("Plan: " + documentName + " from " + env.Account + " in two accounts and two Regions")
	doc, err := runbook.Parse([]byte(fleetRunbook))
	if err != nil {
		return fmt.Errorf("parse the runbook: %w", err)
	}
	plan, err := delegate.NewMultiAccountPlan(delegate.NewDocument(documentName, doc), env.Account, env.Region,
		[]delegate.Location{{Accounts: []string{accountA, accountB}, Regions: regions, MaxConcurrency: "2", MaxErrors: "2"}})
	if err != nil {
		return err
	}
	printPlan(env, plan)

	env.Section("Administrator account " + env.Account)
	if _, err := env.SSM().CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String(documentName), Content: aws.String(fleetRunbook),
		DocumentType: types.DocumentTypeAutomation, DocumentFormat: types.DocumentFormatJson}); err != nil {
		return fmt.Errorf("create %s: %w", documentName, err)
	}
	env.Printf("created document %s", documentName)
	r := plan.AdministrationRole
	if err := createRole(ctx, env.IAM(), r.Name, r.Path, r.Trust, r.PolicyName, r.Permissions); err != nil {
		return err
	}
	env.Printf("created administration role %s", r.ARN)
	operator, operatorARN, err := env.User(ctx, operatorName)
	if err != nil {
		return err
	}
	if err := env.PutUserPolicy(ctx, operatorName, plan.OperatorPolicyName, plan.OperatorPolicy); err != nil {
		return err
	}
	env.Printf("IAM user %s (%s) with %s", operatorName, operatorARN, plan.OperatorPolicyName)

	for _, er := range plan.ExecutionRoles {
		env.Section("Target account " + er.Account)
		acct, err := env.Local.Account(er.Account)
		if err != nil {
			return err
		}
		trust := er.Trust
		if er.Account == accountB {
			// A common mistake: the role trusts Systems Manager, not the
			// administration role that reaches it.
			trust = &policy.Policy{Version: policy.Version2012, Statement: er.Trust.Statement[1:]}
			env.Printf("the execution role's trust admits ssm.amazonaws.com only, not %s", r.ARN)
		}
		if err := createRole(ctx, iam.NewFromConfig(acct.AdminConfig()), er.Name, er.Path, trust, er.PolicyName, er.Permissions); err != nil {
			return err
		}
		env.Printf("created execution role %s", er.ARN)
		for _, region := range regions {
			if _, err := accountSSM(acct, region).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(parameterName),
				Value: aws.String("fleet of " + er.Account + " in " + region), Type: types.ParameterTypeString}); err != nil {
				return fmt.Errorf("put %s in %s %s: %w", parameterName, er.Account, region, err)
			}
		}
		env.Printf("put %s in %s", parameterName, strings.Join(regions, " and "))
	}

	env.Section("Operator: start across the locations")
	env.Printf("$ aws ssm start-automation-execution --document-name %s --parameters AutomationAssumeRole=%s --target-locations '%s'",
		documentName, r.ARN, locationsJSON(plan))
	opSSM := ssm.NewFromConfig(operator)
	started, err := execution.StartInput(ctx, opSSM, plan.Start)
	if err != nil {
		return fmt.Errorf("start %s: %w", documentName, err)
	}
	w := execution.NewExecutionWaiter(opSSM, func(o *execution.ExecutionWaiterOptions) { o.MinDelay, o.MaxDelay = env.PollDelay, 30*env.PollDelay })
	out, err := w.WaitForOutput(ctx, started.ExecutionID, 30*time.Minute)
	var failed *execution.ExecutionFailedError
	if err != nil && !errors.As(err, &failed) {
		return fmt.Errorf("follow %s: %w", started.ExecutionID, err)
	}
	// One account's locations fail, so the waiter reports the execution
	// as failed: its last state is still what to print.
	var x *types.AutomationExecution
	switch {
	case failed != nil:
		x = failed.Execution
	case out != nil:
		x = out.AutomationExecution
	}
	if x == nil || x.ProgressCounters == nil {
		return fmt.Errorf("execution %s: no final state", started.ExecutionID)
	}
	pc := x.ProgressCounters
	env.Printf("execution %s: %s, type CrossAccount, %d locations: %d succeeded, %d failed",
		started.ExecutionID, x.AutomationExecutionStatus, pc.TotalSteps, pc.SuccessSteps, pc.FailedSteps)

	env.Section("Per location")
	for _, st := range x.StepExecutions {
		if err := printLocation(ctx, env, st); err != nil {
			return err
		}
	}

	env.Section("Audit: the denied AssumeRole")
	for _, e := range env.Local.AuditFor(started.ExecutionID) {
		if e.API == "AssumeRole" && e.Decision == "Denied" {
			env.Printf("%s %s by %s on %s: %s", e.API, e.Decision, e.Principal, strings.Join(e.Resources, ","), e.ErrorCode)
		}
	}
	return nil
}

func printPlan(env *walk.Env, plan *delegate.MultiAccountPlan) {
	env.Printf("administration role %s", plan.AdministrationRole.ARN)
	if p := plan.AdministrationRole.Permissions; p != nil {
		for _, s := range p.Statement {
			env.Printf("  may %s on %s", strings.Join(s.Action.Values, ","), strings.Join(s.Resource.Values, " "))
		}
	}
	for _, er := range plan.ExecutionRoles {
		env.Printf("execution role %s", er.ARN)
		for _, s := range er.Permissions.Statement {
			env.Printf("  may %s", strings.Join(s.Action.Values, ","))
		}
	}
	for _, w := range plan.Warnings {
		env.Printf("warning: %s", w)
	}
}

// printLocation prints one location's step and, when it ran, its child as
// the target account sees it.
func printLocation(ctx context.Context, env *walk.Env, st types.StepExecution) error {
	loc := st.TargetLocation
	if loc == nil || len(loc.Accounts) != 1 || len(loc.Regions) != 1 {
		return fmt.Errorf("step %s names no single location", aws.ToString(st.StepName))
	}
	account, region := loc.Accounts[0], loc.Regions[0]
	ids := st.Outputs["ExecutionId"]
	if len(ids) != 1 {
		env.Printf("%s %s: %s: %s", account, region, st.StepStatus, aws.ToString(st.FailureMessage))
		return nil
	}
	acct, err := env.Local.Account(account)
	if err != nil {
		return err
	}
	got, err := accountSSM(acct, region).GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(ids[0])})
	if err != nil {
		return fmt.Errorf("read the child in %s %s: %w", account, region, err)
	}
	child := got.AutomationExecution
	env.Printf("%s %s: %s, child %s (parent %s), readConfig.Value %q", account, region, st.StepStatus,
		ids[0], aws.ToString(child.ParentAutomationExecutionId), strings.Join(child.Outputs["readConfig.Value"], ","))
	return nil
}

func accountSSM(acct *ssmlocal.Account, region string) *ssm.Client {
	cfg := acct.AdminConfig()
	cfg.Region = region
	return ssm.NewFromConfig(cfg)
}

func locationsJSON(plan *delegate.MultiAccountPlan) string {
	var parts []string
	for _, tl := range plan.Start.TargetLocations {
		parts = append(parts, fmt.Sprintf(`{"Accounts":["%s"],"Regions":["%s"],"ExecutionRoleName":"%s","TargetLocationMaxConcurrency":"%s","TargetLocationMaxErrors":"%s"}`,
			strings.Join(tl.Accounts, `","`), strings.Join(tl.Regions, `","`), aws.ToString(tl.ExecutionRoleName),
			aws.ToString(tl.TargetLocationMaxConcurrency), aws.ToString(tl.TargetLocationMaxErrors)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func createRole(ctx context.Context, c *iam.Client, name, path string, trust *policy.Policy, policyName string, perms *policy.Policy) error {
	doc, err := trust.JSON()
	if err != nil {
		return err
	}
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(string(doc))}
	if path != "" {
		in.Path = aws.String(path)
	}
	if _, err := c.CreateRole(ctx, in); err != nil {
		return fmt.Errorf("create role %s: %w", name, err)
	}
	if perms == nil {
		return nil
	}
	pdoc, err := perms.JSON()
	if err != nil {
		return err
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName), PolicyDocument: aws.String(string(pdoc))}); err != nil {
		return fmt.Errorf("put %s on role %s: %w", policyName, name, err)
	}
	return nil
}
