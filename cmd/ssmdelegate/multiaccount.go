package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

// multiFlags are plan's flags for a runbook run in several accounts and
// Regions from an administrator account.
type multiFlags struct {
	admin          string
	accounts       string
	ous            string
	regions        string
	exclude        string
	children       bool
	orgAccess      bool
	orgID          string
	execRole       string
	adminRole      string
	execPolicy     string
	maxConcurrency string
	maxErrors      string
	allowAdmin     bool
}

func (m *multiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.admin, "admin-account", "", "multi-account plan: the administrator account that starts the automation")
	fs.StringVar(&m.accounts, "accounts", "", "multi-account plan: target account ids, comma-separated")
	fs.StringVar(&m.ous, "ous", "", "multi-account plan: target organizational units (ou-…), comma-separated")
	fs.StringVar(&m.regions, "regions", "", "multi-account plan: target Regions, comma-separated")
	fs.StringVar(&m.exclude, "exclude-accounts", "", "multi-account plan: accounts or OUs left out of the OUs, comma-separated")
	fs.BoolVar(&m.children, "include-child-ous", false, "multi-account plan: also target the accounts of child OUs")
	fs.BoolVar(&m.orgAccess, "organization-access", false, "multi-account plan: the administrator account can read the organization (management account or delegated administrator)")
	fs.StringVar(&m.orgID, "organization-id", "", "multi-account plan: the organization (o-…) the OUs belong to")
	fs.StringVar(&m.execRole, "execution-role-name", "", "multi-account plan: execution role name (default "+policy.ExecutionRoleName+")")
	fs.StringVar(&m.adminRole, "admin-role-name", "", "multi-account plan: administration role name (default "+policy.AdministrationRoleName+")")
	fs.StringVar(&m.execPolicy, "execution-role-policy", "", "multi-account plan: FILE with the execution role's runbook permissions, instead of deriving them")
	fs.StringVar(&m.maxConcurrency, "location-max-concurrency", "", "multi-account plan: TargetLocationMaxConcurrency (2 or 10%)")
	fs.StringVar(&m.maxErrors, "location-max-errors", "", "multi-account plan: TargetLocationMaxErrors (0, 1 or 10%)")
	fs.BoolVar(&m.allowAdmin, "allow-admin-account", false, "multi-account plan: the administrator account may be a target too")
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (m *multiFlags) location() delegate.Location {
	return delegate.Location{
		Accounts: splitList(m.accounts), OrganizationalUnits: splitList(m.ous), Regions: splitList(m.regions),
		ExcludeAccounts: splitList(m.exclude), IncludeChildOrganizationUnits: m.children,
		MaxConcurrency: m.maxConcurrency, MaxErrors: m.maxErrors,
	}
}

// planMulti is ssmdelegate plan with --admin-account: a runbook run in the
// target accounts and Regions.
func planMulti(m *multiFlags, files []string, name, region, partition, format, version string, existing, control bool, params kvFlags, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "ssmdelegate plan: "+format+"\n", a...)
		return code
	}
	name, isExisting, err := checkMultiPlanArgs(files, name, region, format, existing)
	if err != nil {
		return fail(2, "%v", err)
	}
	doc, execPolicy, err := readPlanInputs(files, m.execPolicy)
	if err != nil {
		return fail(1, "%v", err)
	}
	src := delegate.NewDocument(name, doc)
	if isExisting {
		src = delegate.ExistingDocument(name, doc)
	}
	p, err := delegate.NewMultiAccountPlan(src, m.admin, region, []delegate.Location{m.location()}, func(o *delegate.MultiAccountOptions) {
		o.Partition = partition
		o.AdministrationRoleName = m.adminRole
		o.ExecutionRoleName = m.execRole
		o.ExecutionRolePolicy = execPolicy
		o.OrganizationAccess = m.orgAccess
		o.OrganizationID = m.orgID
		o.AllowAdminAccount = m.allowAdmin
		o.DocumentVersion = version
		o.OperatorControl = control
		o.Parameters = params.values(listParams(doc))
	})
	if err != nil {
		var pe *delegate.PlanError
		if !errors.As(err, &pe) {
			return fail(1, "%v", err)
		}
		fmt.Fprintf(stderr, "ssmdelegate plan: cannot plan %s across accounts:\n", name)
		for _, pr := range pe.Problems {
			fmt.Fprintf(stderr, "  %v\n", pr)
		}
		return 1
	}
	if format != "text" {
		for _, w := range p.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
	}
	out, err := multiPlanOutput(p, format)
	if err == nil {
		_, err = stdout.Write(out)
	}
	if err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

// checkMultiPlanArgs checks the arguments of a multi-account plan and
// returns the document name (by default the RUNBOOK file's base name) and
// whether the document exists already.
func checkMultiPlanArgs(files []string, name, region, format string, existing bool) (string, bool, error) {
	switch format {
	case "text", "json", "cloudformation", "stackset":
	default:
		return "", false, fmt.Errorf("unknown format %q: use text, json, cloudformation or stackset", format)
	}
	if region == "" {
		return "", false, errors.New("--region (the administrator's home Region) is required")
	}
	if len(files) > 1 {
		return "", false, fmt.Errorf("one RUNBOOK at most, got %d", len(files))
	}
	if name == "" && len(files) == 1 && files[0] != "-" {
		name = strings.TrimSuffix(filepath.Base(files[0]), filepath.Ext(files[0]))
	}
	if name == "" {
		return "", false, errors.New("--name is required")
	}
	isExisting := existing || policy.IsAWSOwnedDocument(name)
	if len(files) == 0 && !isExisting {
		return "", false, errors.New("a RUNBOOK file is required unless the document exists (--existing)")
	}
	return name, isExisting, nil
}

// multiPlanOutput renders a multi-account plan in format.
func multiPlanOutput(p *delegate.MultiAccountPlan, format string) ([]byte, error) {
	switch format {
	case "json":
		return p.JSON()
	case "cloudformation":
		return p.AdministratorTemplate()
	case "stackset":
		return p.StackSetTemplate()
	}
	return p.Text(), nil
}

// locationFlags collect run's --locations: each one TargetLocation written
// as KEY=VALUE pairs separated by ';' (accounts=111122223333,ou-ab12-cdef3456;
// regions=us-east-1,us-west-2;max-concurrency=2;max-errors=1;exclude=…;
// children=true).
type locationFlags struct {
	locs []delegate.Location
}

func (l *locationFlags) String() string { return "" }

// maxLocationFlags bounds --locations before the API's own limit is
// checked, so a runaway script cannot build an unbounded request.
const maxLocationFlags = 1000

func (l *locationFlags) Set(s string) error {
	if len(l.locs) >= maxLocationFlags {
		return fmt.Errorf("more than %d locations", maxLocationFlags)
	}
	var loc delegate.Location
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("%s is not KEY=VALUE", quoteArg(part))
		}
		switch strings.TrimSpace(k) {
		case "accounts":
			for _, a := range splitList(v) {
				if strings.HasPrefix(a, "ou-") {
					loc.OrganizationalUnits = append(loc.OrganizationalUnits, a)
				} else {
					loc.Accounts = append(loc.Accounts, a)
				}
			}
		case "regions":
			loc.Regions = append(loc.Regions, splitList(v)...)
		case "exclude":
			loc.ExcludeAccounts = append(loc.ExcludeAccounts, splitList(v)...)
		case "children":
			switch v {
			case "true":
				loc.IncludeChildOrganizationUnits = true
			case "false":
			default:
				return fmt.Errorf("children=%s: want true or false", quoteArg(v))
			}
		case "max-concurrency":
			loc.MaxConcurrency = v
		case "max-errors":
			loc.MaxErrors = v
		default:
			return fmt.Errorf("unknown location key %s (want accounts, regions, exclude, children, max-concurrency or max-errors)", quoteArg(k))
		}
	}
	l.locs = append(l.locs, loc)
	return nil
}

// applyLocations adds the --locations to a start input, checked as the
// delegate package checks a multi-account plan's.
func applyLocations(in *ssm.StartAutomationExecutionInput, locs []delegate.Location, admin, region, execRole string, orgAccess bool) error {
	tls, err := delegate.NewTargetLocations(admin, region, locs, func(o *delegate.MultiAccountOptions) {
		o.ExecutionRoleName = execRole
		o.OrganizationAccess = orgAccess
	})
	if err != nil {
		return err
	}
	in.TargetLocations = tls
	return nil
}

// printLocations prints the target locations a dry run would start in.
func printLocations(w io.Writer, in *ssm.StartAutomationExecutionInput) {
	for _, l := range in.TargetLocations {
		fmt.Fprintf(w, "  location %s in %s as %s", strings.Join(l.Accounts, ", "), strings.Join(l.Regions, ", "), aws.ToString(l.ExecutionRoleName))
		if l.IncludeChildOrganizationUnits {
			fmt.Fprint(w, ", child OUs included")
		}
		if len(l.ExcludeAccounts) > 0 {
			fmt.Fprintf(w, ", excluding %s", strings.Join(l.ExcludeAccounts, ", "))
		}
		if c := aws.ToString(l.TargetLocationMaxConcurrency); c != "" {
			fmt.Fprintf(w, ", concurrency %s", c)
		}
		if e := aws.ToString(l.TargetLocationMaxErrors); e != "" {
			fmt.Fprintf(w, ", errors %s", e)
		}
		fmt.Fprintln(w)
	}
}
