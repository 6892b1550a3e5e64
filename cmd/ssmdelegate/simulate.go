package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

const simulateUsage = `usage: ssmdelegate policy simulate --policy FILE... [--resource-policy FILE]
    --action A... [--resource ARN...] [--context KEY[:TYPE]=VALUE[,VALUE...]]...
    [--principal ARN] [--format text|json]

Exit status: 0 when every action is allowed on every resource, 1 when any is
denied, 2 on a usage error or a policy that cannot be read or parsed.`

// simulateMaxPolicy bounds a policy file: IAM's largest policy document.
const simulateMaxPolicy = 131072

// contextTypes are the types IAM gives global condition keys, for --context
// values given without a type; other keys are strings.
var contextTypes = map[string]string{
	"aws:currenttime":               "date",
	"aws:epochtime":                 "date",
	"aws:tokenissuetime":            "date",
	"aws:multifactorauthage":        "numeric",
	"aws:multifactorauthpresent":    "boolean",
	"aws:securetransport":           "boolean",
	"aws:viaawsservice":             "boolean",
	"aws:principalisawsservice":     "boolean",
	"aws:sourceip":                  "ip",
	"aws:vpcsourceip":               "ip",
	"aws:tagkeys":                   "stringList",
	"aws:calledvia":                 "stringList",
	"aws:principalservicenameslist": "stringList",
}

// simStatement is one statement behind a decision in the JSON output.
type simStatement struct {
	Policy    string          `json:"policy"`
	Index     int             `json:"index"`
	Sid       string          `json:"sid,omitempty"`
	Statement json.RawMessage `json:"statement"`
}

// simResult is one action on one resource in the JSON output.
type simResult struct {
	Action               string         `json:"action"`
	Resource             string         `json:"resource"`
	Decision             string         `json:"decision"`
	MatchedStatements    []simStatement `json:"matchedStatements"`
	MissingContextValues []string       `json:"missingContextValues"`
}

// simulateArgs are the parsed arguments of policy simulate.
type simulateArgs struct {
	policies, actions, resources, contexts policyMultiFlag
	resourcePolicy, principal, format      string
	rest                                   []string
}

func policySimulate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("policy simulate", simulateUsage, stderr)
	var sa simulateArgs
	fs.Var(&sa.policies, "policy", "identity policy `FILE`, - for standard input (repeatable)")
	fs.StringVar(&sa.resourcePolicy, "resource-policy", "", "resource-based policy `FILE`, - for standard input")
	fs.Var(&sa.actions, "action", "`ACTION` to simulate, such as ec2:StopInstances (repeatable)")
	fs.Var(&sa.resources, "resource", "resource `ARN` to simulate on (repeatable; default *)")
	fs.Var(&sa.contexts, "context", "request context `KEY[:TYPE]=VALUE[,VALUE...]` (repeatable)")
	fs.StringVar(&sa.principal, "principal", "", "caller `ARN`, required with --resource-policy")
	fs.StringVar(&sa.format, "format", "text", "output format: text or json")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	sa.rest = rest
	if len(sa.resources) == 0 {
		sa.resources = policyMultiFlag{"*"}
	}
	ctxValues, problems := sa.check()
	if len(problems) > 0 {
		return usageProblems(stderr, "simulate", simulateUsage, problems)
	}
	identity, resource, ok := sa.readPolicies(stderr)
	if !ok {
		return 2
	}
	results, code, ok := sa.simulate(ctxValues, identity, resource, stderr)
	if !ok {
		return 2
	}
	if sa.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"allAllowed": code == 0, "results": results}); err != nil {
			fmt.Fprintf(stderr, "ssmdelegate policy simulate: %v\n", err)
			return 2
		}
		return code
	}
	writeSimResults(stdout, results)
	return code
}

// check returns the request context and every problem of the arguments.
func (sa *simulateArgs) check() (map[string][]string, []string) {
	var problems []string
	if len(sa.rest) > 0 {
		problems = append(problems, "unexpected arguments: "+strings.Join(sa.rest, " "))
	}
	if len(sa.policies) == 0 {
		problems = append(problems, "at least one --policy FILE is required")
	}
	if countStdin(append([]string{sa.resourcePolicy}, sa.policies...)) > 1 {
		problems = append(problems, "standard input (-) can be read only once")
	}
	if len(sa.actions) == 0 {
		problems = append(problems, "at least one --action is required")
	}
	for _, a := range sa.actions {
		if problem := checkSimulatedAction(a); problem != "" {
			problems = append(problems, problem)
		}
	}
	for _, r := range sa.resources {
		if r == "*" {
			continue
		}
		if _, err := policy.ParseARN(r); err != nil {
			problems = append(problems, fmt.Sprintf("--resource %q: not * or an ARN", r))
		}
	}
	if sa.resourcePolicy != "" && sa.principal == "" {
		problems = append(problems, "--principal is required with --resource-policy: its Principal element needs a caller to match")
	}
	if sa.principal != "" {
		if _, err := policy.ParseARN(sa.principal); err != nil {
			problems = append(problems, fmt.Sprintf("--principal %q: not an ARN", sa.principal))
		}
	}
	ctxValues, ctxProblems := parseSimulateContext(sa.contexts)
	problems = append(problems, ctxProblems...)
	if sa.format != "text" && sa.format != "json" {
		problems = append(problems, fmt.Sprintf("unknown --format %q: use text or json", sa.format))
	}
	return ctxValues, problems
}

// readPolicies reads the identity policies and the resource policy, if
// any; ok is false once a problem is reported on stderr.
func (sa *simulateArgs) readPolicies(stderr io.Writer) (identity []policy.NamedPolicy, resource *policy.NamedPolicy, ok bool) {
	identity = make([]policy.NamedPolicy, 0, len(sa.policies))
	for _, f := range sa.policies {
		p, ok := readSimulatedPolicy(f, stderr)
		if !ok {
			return nil, nil, false
		}
		identity = append(identity, policy.NamedPolicy{Name: simulatedName(f), Policy: p})
	}
	if sa.resourcePolicy != "" {
		p, ok := readSimulatedPolicy(sa.resourcePolicy, stderr)
		if !ok {
			return nil, nil, false
		}
		resource = &policy.NamedPolicy{Name: simulatedName(sa.resourcePolicy), Policy: p}
	}
	return identity, resource, true
}

// simulate evaluates every action on every resource; code is 1 when one
// is not allowed, and ok is false once a problem is reported on stderr.
func (sa *simulateArgs) simulate(ctxValues map[string][]string, identity []policy.NamedPolicy, resource *policy.NamedPolicy, stderr io.Writer) (results []simResult, code int, ok bool) {
	all := make([]*policy.Policy, 0, len(identity)+1)
	for _, np := range identity {
		all = append(all, np.Policy)
	}
	if resource != nil {
		all = append(all, resource.Policy)
	}
	for _, a := range sa.actions {
		for _, r := range sa.resources {
			req := policy.Request{Principal: sa.principal, Action: a, Resource: r, Context: ctxValues}
			res, matched := policy.Matched(req, identity, resource)
			if !res.Allowed() {
				code = 1
			}
			out := simResult{Action: a, Resource: r, Decision: res.Decision.String(),
				MatchedStatements: []simStatement{}, MissingContextValues: policy.MissingContextKeys(req, all...)}
			if out.MissingContextValues == nil {
				out.MissingContextValues = []string{}
			}
			for _, m := range matched {
				b, err := json.Marshal(m.Statement)
				if err != nil {
					fmt.Fprintf(stderr, "ssmdelegate policy simulate: %s: Statement[%d]: %v\n", m.Policy, m.StatementIndex, err)
					return nil, 2, false
				}
				out.MatchedStatements = append(out.MatchedStatements, simStatement{Policy: m.Policy, Index: m.StatementIndex, Sid: m.Statement.Sid, Statement: b})
			}
			results = append(results, out)
		}
	}
	return results, code, true
}

// writeSimResults writes the results as text: each decision, the
// statements that decided it and the context values it lacked.
func writeSimResults(stdout io.Writer, results []simResult) {
	for _, r := range results {
		fmt.Fprintf(stdout, "%s on %s: %s\n", r.Action, r.Resource, r.Decision)
		for _, m := range r.MatchedStatements {
			sid := ""
			if m.Sid != "" {
				sid = fmt.Sprintf(" (Sid %q)", m.Sid)
			}
			fmt.Fprintf(stdout, "  %s: Statement[%d]%s: %s\n", m.Policy, m.Index, sid, m.Statement)
		}
		if len(r.MissingContextValues) > 0 {
			fmt.Fprintf(stdout, "  missing context values: %s\n", strings.Join(r.MissingContextValues, ", "))
		}
	}
}

// checkSimulatedAction returns the problem with an --action, if any: IAM's
// simulator takes service:Operation without wildcards.
func checkSimulatedAction(a string) string {
	svc, op, ok := strings.Cut(a, ":")
	switch {
	case !ok || svc == "" || op == "" || strings.Contains(op, ":"):
		return fmt.Sprintf("--action %q: want SERVICE:ACTION, such as ec2:StopInstances", a)
	case strings.ContainsAny(a, "*?"):
		return fmt.Sprintf("--action %q: wildcards are not simulated; name one action", a)
	}
	return ""
}

func simulatedName(file string) string {
	if file == "-" {
		return "stdin"
	}
	return file
}

// readSimulatedPolicy reads and parses a policy file, reporting a problem as
// FILE:LINE:COLUMN: PATH: message.
func readSimulatedPolicy(file string, stderr io.Writer) (*policy.Policy, bool) {
	var r io.Reader
	if file == "-" {
		r = stdin
	} else {
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintf(stderr, "ssmdelegate policy simulate: %v\n", err)
			return nil, false
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, simulateMaxPolicy+1))
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate policy simulate: %s: %v\n", simulatedName(file), err)
		return nil, false
	}
	if len(data) > simulateMaxPolicy {
		fmt.Fprintf(stderr, "ssmdelegate policy simulate: %s: larger than %d bytes, IAM's largest policy document\n", simulatedName(file), simulateMaxPolicy)
		return nil, false
	}
	p, err := policy.Parse(data)
	if err != nil {
		var de *policy.DecodeError
		if errors.As(err, &de) {
			where := ""
			if de.Path != "" {
				where = de.Path + ": "
			}
			fmt.Fprintf(stderr, "ssmdelegate policy simulate: %s:%d:%d: %s%s\n", simulatedName(file), de.Line, de.Column, where, de.Msg)
		} else {
			fmt.Fprintf(stderr, "ssmdelegate policy simulate: %s: %v\n", simulatedName(file), err)
		}
		return nil, false
	}
	return p, true
}

// parseSimulateContext parses --context KEY[:TYPE]=VALUE[,VALUE...] flags.
// A condition key has one colon (service:name), so a second one starts
// the type; without a type a known global key takes IAM's type for it, any
// other key string, and several values make the type a list.
func parseSimulateContext(flags []string) (map[string][]string, []string) {
	if len(flags) == 0 {
		return nil, nil
	}
	var problems []string
	out := make(map[string][]string, len(flags))
	seen := map[string]bool{}
	for _, f := range flags {
		key, val, ok := strings.Cut(f, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			problems = append(problems, fmt.Sprintf("--context %q: want KEY[:TYPE]=VALUE[,VALUE...]", f))
			continue
		}
		typ := ""
		if i := strings.LastIndexByte(key, ':'); i > 0 && strings.Count(key, ":") >= 2 {
			key, typ = key[:i], key[i+1:]
		}
		var values []string
		for _, v := range strings.Split(val, ",") {
			values = append(values, strings.TrimSpace(v))
		}
		if typ == "" {
			typ = contextTypes[strings.ToLower(key)]
			if typ == "" {
				typ = "string"
			}
			if len(values) > 1 && !strings.HasSuffix(typ, "List") {
				typ += "List"
			}
		}
		if lk := strings.ToLower(key); seen[lk] {
			problems = append(problems, fmt.Sprintf("--context %q: %s given twice", f, key))
			continue
		} else {
			seen[lk] = true
		}
		if err := policy.CheckContextValues(key, typ, values); err != nil {
			problems = append(problems, fmt.Sprintf("--context %q: %v", f, err))
			continue
		}
		out[key] = values
	}
	return out, problems
}
