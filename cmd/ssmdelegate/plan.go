package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func cmdPlan(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plan", "usage: ssmdelegate plan --mode embedded|runtime|caller [--role ARN] --account A --region R --name NAME [--format json|cloudformation] FILE\n       ssmdelegate plan RUNBOOK --admin-account ID (--accounts A,B | --ous ou-… --organization-access) --regions R1,R2 --region HOME [--format text|json|cloudformation|stackset]", stderr)
	mode := fs.String("mode", "", "where the service role is named: embedded, runtime or caller (required)")
	role := fs.String("role", "", "service role ARN (default: a role named after the document)")
	roleName := fs.String("role-name", "", "service role name when --role is not given")
	account := fs.String("account", "", "12-digit account id (required)")
	region := fs.String("region", "", "Region, such as us-east-1 (required)")
	partition := fs.String("partition", "", "partition (default: derived from the Region)")
	name := fs.String("name", "", "document name (required)")
	format := fs.String("format", "json", "output format: json or cloudformation")
	existing := fs.Bool("existing", false, "the document already exists (implied for AWS-owned names); FILE, if given, is its content")
	rolePolicy := fs.String("role-policy", "", "FILE with the role's permissions policy, instead of deriving it")
	version := fs.String("document-version", "", "pin the document version the operator may start")
	control := fs.Bool("operator-control", false, "let the operator stop and signal executions")
	var params kvFlags
	fs.Var(&params, "param", "start parameter KEY=VALUE (repeatable; repeat a key for a list)")
	var multi multiFlags
	multi.register(fs)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ssmdelegate plan: "+format+"\n", a...)
		return 2
	}
	if multi.admin != "" {
		return planMulti(&multi, files, *name, *region, *partition, *format, *version, *existing, *control, params, stdout, stderr)
	}
	m, err := delegate.ParseMode(*mode)
	if err != nil {
		return usageErr("--mode: want embedded, runtime or caller")
	}
	if *account == "" || *region == "" || *name == "" {
		return usageErr("--account, --region and --name are required")
	}
	if *format != "json" && *format != "cloudformation" {
		return usageErr("unknown format %q: use json or cloudformation", *format)
	}
	isExisting := *existing || policy.IsAWSOwnedDocument(*name)
	if len(files) > 1 || len(files) == 0 && !isExisting {
		fs.Usage()
		return 2
	}
	doc, perms, err := readPlanInputs(files, *rolePolicy)
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate plan: %v\n", err)
		return 1
	}
	src := delegate.NewDocument(*name, doc)
	if isExisting {
		src = delegate.ExistingDocument(*name, doc)
	}
	plan, err := delegate.NewPlan(src, m, *account, *region, func(o *delegate.Options) {
		o.Partition = *partition
		o.RoleARN = *role
		o.RoleName = *roleName
		o.RolePolicy = perms
		o.DocumentVersion = *version
		o.OperatorControl = *control
		o.Parameters = params.values(listParams(doc))
	})
	if err != nil {
		printPlanProblems(stderr, *name, m, err)
		return 1
	}
	printPlanWarnings(stderr, plan, nil)
	var out []byte
	if *format == "cloudformation" {
		out, err = plan.CloudFormation()
	} else {
		out, err = plan.JSON()
	}
	if err == nil {
		_, err = stdout.Write(out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate plan: %v\n", err)
		return 1
	}
	return 0
}

// readPlanInputs reads and parses the runbook FILE, when one is given,
// and the permissions policy FILE, when policyFile is not empty.
func readPlanInputs(files []string, policyFile string) (*runbook.Document, *policy.Policy, error) {
	var doc *runbook.Document
	if len(files) == 1 {
		data, err := readInput(files[0])
		if err != nil {
			return nil, nil, err
		}
		if doc, err = runbook.Parse(data); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", files[0], err)
		}
	}
	var perms *policy.Policy
	if policyFile != "" {
		data, err := readInput(policyFile)
		if err != nil {
			return nil, nil, err
		}
		if perms, err = policy.Parse(data); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", policyFile, err)
		}
	}
	return doc, perms, nil
}

// printPlanProblems prints why a plan failed: each problem on a line, and
// each runbook problem on a line of its own with its wire path.
func printPlanProblems(stderr io.Writer, name string, m delegate.Mode, err error) {
	var pe *delegate.PlanError
	if !errors.As(err, &pe) {
		fmt.Fprintf(stderr, "ssmdelegate plan: %v\n", err)
		return
	}
	fmt.Fprintf(stderr, "ssmdelegate plan: cannot plan %s in %s mode:\n", name, m)
	for _, p := range pe.Problems {
		if ve, ok := runbook.AsValidationError(p); ok {
			for _, rp := range ve.Problems {
				fmt.Fprintf(stderr, "  document: %v\n", rp)
			}
			continue
		}
		fmt.Fprintf(stderr, "  %v\n", p)
	}
}

// printPlanWarnings prints a plan's warnings, except those skip drops. As
// in policy role, what the derivation explains about a permission is a
// "note:"; what the plan asks a reader to check is a "warning:".
func printPlanWarnings(w io.Writer, p *delegate.Plan, skip func(delegate.Warning) bool) {
	for _, warn := range p.Warnings {
		if skip != nil && skip(warn) {
			continue
		}
		if isDerivationNote(p, warn.Message) {
			fmt.Fprintf(w, "note: %s\n", warn.Message)
			continue
		}
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

func isDerivationNote(p *delegate.Plan, msg string) bool {
	if p.Derived == nil {
		return false
	}
	for _, n := range p.Derived.Notes {
		if strings.HasPrefix(msg, n) {
			return true
		}
	}
	return false
}
