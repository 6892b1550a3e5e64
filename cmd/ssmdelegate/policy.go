package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

const policyUsage = `usage:
  ssmdelegate policy role FILE --account A --region R [--partition P] [--explain]
      [--api SERVICE.API=ACTION,...] [--script STEP=ACTION,...] [--stack STEP=ACTION,...]
      [--instance-profile PROFILE=ROLE_ARN] [--child NAME=FILE] [--resource-tag KEY=VALUE]
  ssmdelegate policy operator --account A --region R --document NAME... [--pass-role ARN] [--version V] [--allow-stop] [--allow-signal]
  ssmdelegate policy simulate --policy FILE... --action A... [--resource ARN...] [--context K=V]... [--principal ARN]
  ssmdelegate policy trust --account A [--partition P | --region R]
  ssmdelegate policy lint [--type identity|trust|resource|user-inline|role-inline|group-inline|managed] [--limit N] FILE...`

func cmdPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, policyUsage)
		return 2
	}
	switch args[0] {
	case "role":
		return policyRole(ctx, args[1:], stdout, stderr)
	case "operator":
		return policyOperator(ctx, args[1:], stdout, stderr)
	case "trust":
		return policyTrust(ctx, args[1:], stdout, stderr)
	case "lint":
		return policyLint(ctx, args[1:], stdout, stderr)
	case "simulate":
		return policySimulate(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, policyUsage)
		return 0
	}
	fmt.Fprintf(stderr, "ssmdelegate policy: unknown subcommand %q\n%s\n", args[0], policyUsage)
	return 2
}

// policyMultiFlag collects a repeated flag.
type policyMultiFlag []string

func (m *policyMultiFlag) String() string { return strings.Join(*m, ",") }

func (m *policyMultiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

// policyScopeFlags are the flags that place generated ARNs.
type policyScopeFlags struct {
	account, region, partition *string
}

func addPolicyScopeFlags(fs *flag.FlagSet) policyScopeFlags {
	return policyScopeFlags{
		account:   fs.String("account", "", "12-digit AWS account id"),
		region:    fs.String("region", "", "AWS Region, such as us-east-1"),
		partition: fs.String("partition", "", "partition (default: from the Region, else aws)"),
	}
}

func (s policyScopeFlags) scope() policy.Scope {
	return policy.Scope{Account: *s.account, Region: *s.region, Partition: *s.partition}
}

// check returns the usage problems of the scope flags.
func (s policyScopeFlags) check(needRegion bool) []string {
	var out []string
	if !policyValidAccount(*s.account) {
		out = append(out, "--account must be a 12-digit account id")
	}
	if needRegion && *s.region == "" {
		out = append(out, "--region is required")
	}
	return out
}

func policyValidAccount(a string) bool {
	if len(a) != 12 {
		return false
	}
	for _, r := range a {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func newPolicyFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	return newFlagSet("policy "+name, policyUsage, stderr)
}

func policyUsageProblems(stderr io.Writer, cmd string, problems []string) int {
	return usageProblems(stderr, cmd, policyUsage, problems)
}

// usageProblems prints the problems of a policy subcommand's arguments,
// then usage, and returns the usage exit code.
func usageProblems(stderr io.Writer, cmd, usage string, problems []string) int {
	for _, p := range problems {
		fmt.Fprintf(stderr, "ssmdelegate policy %s: %s\n", cmd, p)
	}
	fmt.Fprintln(stderr, usage)
	return 2
}

func writePolicyJSON(stdout, stderr io.Writer, p *policy.Policy) int {
	b, err := p.JSON()
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate policy: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(b); err != nil {
		fmt.Fprintf(stderr, "ssmdelegate policy: %v\n", err)
		return 1
	}
	return 0
}

func policyRole(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newPolicyFlagSet("role", stderr)
	sf := addPolicyScopeFlags(fs)
	explain := fs.Bool("explain", false, "print the step-by-step report instead of the policy")
	var apis, scripts, stacks, profiles, children, tags policyMultiFlag
	fs.Var(&apis, "api", "`SERVICE.API=ACTION,...`: the IAM actions of an API call the derivation does not know (repeatable)")
	fs.Var(&scripts, "script", "`STEP=ACTION,...`: what an aws:executeScript step calls, on any resource; nothing after = for none (repeatable)")
	fs.Var(&stacks, "stack", "`STEP=ACTION,...`: what CloudFormation does for a stack step without RoleARN (repeatable)")
	fs.Var(&profiles, "instance-profile", "`PROFILE=ROLE_ARN`: the role behind an instance profile, to scope iam:PassRole (repeatable)")
	fs.Var(&children, "child", "`NAME=FILE`: the runbook an aws:executeAutomation step starts (repeatable)")
	fs.Var(&tags, "resource-tag", "`KEY=VALUE`: require this tag on existing resources (repeatable)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	problems := sf.check(true)
	if len(files) != 1 {
		problems = append(problems, "exactly one runbook FILE is required")
	}
	var o policy.RunbookOptions
	var childFiles map[string]string
	o.APIActions, problems = policyPairs("--api", apis, problems, policySplitList)
	o.ScriptPermissions, problems = policyPairs("--script", scripts, problems, policyPermissions)
	o.StackPermissions, problems = policyPairs("--stack", stacks, problems, policyPermissions)
	o.InstanceProfileRoles, problems = policyPairs("--instance-profile", profiles, problems, policyOne)
	childFiles, problems = policyPairs("--child", children, problems, policyOne)
	o.ResourceTags, problems = policyPairs("--resource-tag", tags, problems, policyOne)
	if len(problems) > 0 {
		return policyUsageProblems(stderr, "role", problems)
	}
	data, err := readInput(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate policy role: %v\n", err)
		return 1
	}
	doc, err := runbook.Parse(data)
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate policy role: %s: %v\n", files[0], err)
		return 1
	}
	for name, file := range childFiles {
		data, err := readInput(file)
		if err != nil {
			fmt.Fprintf(stderr, "ssmdelegate policy role: --child %s: %v\n", name, err)
			return 1
		}
		child, err := runbook.Parse(data)
		if err != nil {
			fmt.Fprintf(stderr, "ssmdelegate policy role: --child %s: %s: %v\n", name, file, err)
			return 1
		}
		if o.ChildRunbooks == nil {
			o.ChildRunbooks = map[string]*runbook.Document{}
		}
		o.ChildRunbooks[name] = child
	}
	d, err := policy.ForRunbook(doc, sf.scope(), func(ro *policy.RunbookOptions) { *ro = o })
	if *explain && d != nil {
		// The report shows what is derivable and what is not.
		if werr := d.Explain(stdout); werr != nil {
			fmt.Fprintf(stderr, "ssmdelegate policy role: %v\n", werr)
			return 1
		}
	}
	if err != nil {
		var ue *policy.UnderivableError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "ssmdelegate policy role: %s: cannot derive the service role policy:\n", files[0])
			for _, u := range ue.Unresolved {
				fmt.Fprintf(stderr, "  %s\n", u)
			}
			fmt.Fprintln(stderr, "supply what is missing with --api, --script, --stack or --child")
			return 1
		}
		fmt.Fprintf(stderr, "ssmdelegate policy role: %s: %v\n", files[0], err)
		return 1
	}
	if *explain {
		return 0
	}
	for _, n := range d.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	return writePolicyJSON(stdout, stderr, d.Policy)
}

func policyOperator(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newPolicyFlagSet("operator", stderr)
	sf := addPolicyScopeFlags(fs)
	var docs policyMultiFlag
	fs.Var(&docs, "document", "runbook the operator may start (repeatable)")
	passRole := fs.String("pass-role", "", "service role ARN the operator passes at run time (AutomationAssumeRole)")
	version := fs.String("version", "", "pin the runbook version the operator may start")
	stop := fs.Bool("allow-stop", false, "let the operator stop executions")
	signal := fs.Bool("allow-signal", false, "let the operator send signals (approve, resume) to executions")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	docs = append(docs, rest...)
	problems := sf.check(true)
	if len(docs) == 0 {
		problems = append(problems, "at least one --document is required")
	}
	if len(problems) > 0 {
		return policyUsageProblems(stderr, "operator", problems)
	}
	p, err := policy.Operator(sf.scope(), docs, func(o *policy.OperatorOptions) {
		o.PassRole, o.DocumentVersion, o.AllowStop, o.AllowSignal = *passRole, *version, *stop, *signal
	})
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate policy operator: %v\n", err)
		return 1
	}
	return writePolicyJSON(stdout, stderr, p)
}

func policyTrust(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newPolicyFlagSet("trust", stderr)
	sf := addPolicyScopeFlags(fs)
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	problems := sf.check(false)
	if len(rest) > 0 {
		problems = append(problems, "unexpected arguments: "+strings.Join(rest, " "))
	}
	if len(problems) > 0 {
		return policyUsageProblems(stderr, "trust", problems)
	}
	return writePolicyJSON(stdout, stderr, policy.AutomationTrust(sf.scope()))
}

const policyLintTypes = "identity, trust, resource, user-inline, role-inline, group-inline or managed"

func policyLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newPolicyFlagSet("lint", stderr)
	typ := fs.String("type", "identity", "policy type, which sets the grammar and IAM's size quota: "+policyLintTypes)
	limit := fs.Int("limit", 0, "size quota in characters without white space between tokens (default: the type's IAM quota; -1 disables)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	kind, ok := policy.ParseKind(*typ)
	var problems []string
	if !ok {
		problems = append(problems, fmt.Sprintf("unknown --type %q: use %s", *typ, policyLintTypes))
	}
	if len(files) == 0 {
		problems = append(problems, "at least one policy FILE is required")
	}
	if len(problems) > 0 {
		return policyUsageProblems(stderr, "lint", problems)
	}
	code, total := 0, 0
	for _, f := range files {
		size, c := policyLintFile(f, kind, *limit, stdout, stderr)
		code = max(code, c)
		total += size
	}
	// The inline policies of one user, role or group share one quota.
	quota := *limit
	if quota == 0 {
		quota = policy.MaxSize(kind)
	}
	if len(files) > 1 && policyInline(kind) && quota > 0 && total > quota {
		fmt.Fprintf(stdout, "(all files): the %s policies are %d characters together, over the %d quota they share\n", kind, total, quota)
		code = 1
	}
	return code
}

func policyInline(k policy.Kind) bool {
	return k == policy.KindUserInline || k == policy.KindRoleInline || k == policy.KindGroupInline
}

// policyLintFile prints the findings of one policy file and returns its
// size and exit code.
func policyLintFile(f string, kind policy.Kind, limit int, stdout, stderr io.Writer) (int, int) {
	data, err := readInput(f)
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate policy lint: %v\n", err)
		return 0, 1
	}
	p, err := policy.Parse(data)
	if err != nil {
		var de *policy.DecodeError
		if errors.As(err, &de) {
			path := de.Path
			if path == "" {
				path = "(policy)"
			}
			fmt.Fprintf(stdout, "%s: %s: %s\n", f, path, de.Msg)
		} else {
			fmt.Fprintf(stdout, "%s: %v\n", f, err)
		}
		return 0, 1
	}
	r := policy.Lint(p, kind, func(o *policy.LintOptions) { o.SizeLimit = limit })
	for _, finding := range r.Findings {
		fmt.Fprintf(stdout, "%s: %s\n", f, finding)
	}
	if len(r.Errors()) > 0 {
		return r.Size, 1
	}
	return r.Size, 0
}

// policyPairs parses repeated KEY=VALUE flags into a map, adding a usage
// problem for each malformed or repeated one.
func policyPairs[V any](flagName string, vals []string, problems []string, parse func(string) V) (map[string]V, []string) {
	if len(vals) == 0 {
		return nil, problems
	}
	out := make(map[string]V, len(vals))
	for _, v := range vals {
		k, val, ok := strings.Cut(v, "=")
		k = strings.TrimSpace(k)
		switch {
		case !ok || k == "":
			problems = append(problems, fmt.Sprintf("%s %q: want KEY=VALUE", flagName, v))
			continue
		case hasKey(out, k):
			problems = append(problems, fmt.Sprintf("%s %q: %s given twice", flagName, v, k))
			continue
		}
		out[k] = parse(strings.TrimSpace(val))
	}
	return out, problems
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

func policyOne(s string) string { return s }

// policySplitList splits "a,b" into its non-empty items.
func policySplitList(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// policyPermissions turns "a,b" into one permission on any resource; an
// empty list declares no AWS call.
func policyPermissions(s string) []policy.Permission {
	actions := policySplitList(s)
	if len(actions) == 0 {
		return []policy.Permission{}
	}
	return []policy.Permission{{Actions: actions, Resources: []string{"*"}}}
}
