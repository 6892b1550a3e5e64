package policy_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// The differential test compares Evaluate with @cloud-copilot/iam-simulate,
// an independent IAM simulator (testdata/iamsim, installed with
// `npm ci --prefix policy/testdata/iamsim`), on seeded random cases and on
// a hand-written corpus. Disagreements in the simulator's documented error
// classes (knownSimulatorErrors) are excluded and counted; any other
// disagreement fails the test.

var (
	diffN    = flag.Int("difftest.n", 3000, "number of random cases the differential test compares")
	diffSeed = flag.Uint64("difftest.seed", 20250601, "seed of the differential test's case generator")
)

const simDir = "testdata/iamsim"

// simulatorAvailable skips the test when node or the installed simulator
// is missing, and fails it instead when CI is set.
func simulatorAvailable(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(simDir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err != nil {
		missing = "the simulator is not installed (run: npm ci --prefix policy/testdata/iamsim)"
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		require.FailNow(t, "differential test cannot run in CI: "+missing)
	}
	t.Skipf("differential test skipped: %s", missing)
}

// simAnswer is the simulator's answer for one case.
type simAnswer struct {
	ID       string   `json:"id"`
	Decision string   `json:"decision"`
	Error    string   `json:"error"`
	Ignored  []string `json:"ignoredContextKeys"`
}

// rootImplicit stands for the root user's full access, which IAM grants
// without a policy and the simulator only knows through one. Roles cannot
// be assumed with root credentials.
var rootImplicit = namedDiffPolicy{Name: "root-implicit", Policy: diffPolicy{Version: "2012-10-17", Statement: []diffStmt{{
	Effect: "Allow", NotAction: []string{"sts:AssumeRole"}, Resource: []string{"*"},
}}}}

// simWire is what the simulator reads for c.
func simWire(c diffCase) diffCase {
	if strings.HasSuffix(c.Principal, ":root") {
		c.Identity = append(slices.Clone(c.Identity), rootImplicit)
	}
	return c
}

// runSimulator decides cases with the simulator in one node process.
func runSimulator(t *testing.T, cases []diffCase) map[string]simAnswer {
	t.Helper()
	wire := make([]diffCase, len(cases))
	for i, c := range cases {
		wire[i] = simWire(c)
	}
	in, err := json.Marshal(wire)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "simulate.mjs")
	cmd.Dir = simDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "simulator: %s", stderr.String())
	var answers []simAnswer
	require.NoError(t, json.Unmarshal(out, &answers))
	require.Len(t, answers, len(cases))
	m := make(map[string]simAnswer, len(answers))
	for _, a := range answers {
		m[a.ID] = a
	}
	return m
}

// evaluate decides c with policy.Evaluate.
func evaluate(t *testing.T, c diffCase) policy.Decision {
	t.Helper()
	parse := func(p diffPolicy) *policy.Policy {
		data, err := json.Marshal(p)
		require.NoError(t, err)
		parsed, err := policy.Parse(data)
		require.NoError(t, err, "case %s: %s", c.ID, data)
		return parsed
	}
	var ids []policy.NamedPolicy
	for _, p := range c.Identity {
		ids = append(ids, policy.NamedPolicy{Name: p.Name, Policy: parse(p.Policy)})
	}
	var rp *policy.NamedPolicy
	if c.ResourcePolicy != nil {
		rp = &policy.NamedPolicy{Name: "resource", Policy: parse(*c.ResourcePolicy)}
	}
	ctx := map[string][]string{}
	for k, v := range c.Context {
		if c.OmitDerived && derivedKey(k) {
			continue
		}
		ctx[k] = v
	}
	req := policy.Request{Principal: c.Principal, Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount, Context: ctx}
	return policy.Evaluate(req, ids, rp).Decision
}

func derivedKey(k string) bool {
	switch k {
	case "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:username", "aws:PrincipalServiceName":
		return true
	}
	return false
}

func simDecision(s string) (policy.Decision, bool) {
	switch s {
	case "Allowed":
		return policy.DecisionAllow, true
	case "ExplicitlyDenied":
		return policy.DecisionExplicitDeny, true
	case "ImplicitlyDenied":
		return policy.DecisionImplicitDeny, true
	}
	return 0, false
}

// knownSimulatorError is a class of cases the simulator decides against
// IAM's documentation. recognise must pick out the cases of the class only:
// a disagreement it recognises is excluded and counted, never silently.
type knownSimulatorError struct {
	class     string
	doc       string // the AWS documentation that decides the class
	quote     string
	recognise func(c *diffCase) bool
	// neutralise, when set, rewrites a case of the class into one IAM
	// decides the same way but without the feature the simulator gets
	// wrong; ok is false when it cannot. An excluded case is rerun in that
	// form and must then agree, so the exclusion hides nothing else.
	neutralise func(c *diffCase) (ok bool)
}

var knownSimulatorErrors = []knownSimulatorError{
	{
		class: "date-epoch-vs-iso",
		doc:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date",
		quote: "You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time.",
		// The simulator reads an epoch value as seconds and an ISO 8601
		// date as milliseconds, so comparing one with the other is off by a
		// factor of 1000.
		recognise: func(c *diffCase) bool {
			return c.anyCondition(func(op, key string, vals []string) bool {
				if !strings.Contains(op, "Date") {
					return false
				}
				ctx := c.Context[key]
				return anyIs(vals, isEpoch) && anyIs(ctx, isISODate) || anyIs(vals, isISODate) && anyIs(ctx, isEpoch)
			})
		},
		neutralise: neutraliseEpochDates,
	},
	{
		class: "variables-before-2012",
		doc:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
		quote: "If you do not include a Version element, the value defaults to 2008-10-17, but newer features, such as policy variables, will not work with your policy. For example, variables such as ${aws:username} aren't recognized as variables and are instead treated as literal strings in the policy.",
		// The simulator substitutes policy variables whatever the version.
		recognise: func(c *diffCase) bool {
			for _, p := range c.policies() {
				if p.Version != "2012-10-17" && policyMentions(*p, "${") {
					return true
				}
			}
			return false
		},
		neutralise: neutraliseOldVersionVariables,
	},
	{
		class: "not-ip-address-other-family",
		doc:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress",
		quote: "NotIpAddress: Negated matching for IP address or range.",
		// The simulator compares a single IPv4 (or IPv6) policy address only
		// with an address of the same family; for the other family it says
		// "no match" even under NotIpAddress, where an IPv6 caller is
		// plainly not the IPv4 address.
		recognise: func(c *diffCase) bool {
			return c.anyCondition(func(op, key string, vals []string) bool {
				if !strings.Contains(op, "NotIpAddress") {
					return false
				}
				for _, v := range vals {
					pa, err := netip.ParseAddr(v)
					if err != nil {
						continue
					}
					for _, cv := range c.Context[key] {
						if ca, err := netip.ParseAddr(cv); err == nil && ca.Is4() != pa.Is4() {
							return true
						}
					}
				}
				return false
			})
		},
		neutralise: neutraliseSingleAddresses,
	},
	{
		class: "wildcard-in-resource-type",
		doc:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards",
		quote: "You can use wildcard characters (* and ?) within the individual segments of an ARN (the parts separated by colons)",
		// The simulator compares the resource type (the resource segment up
		// to its first '/' or ':') literally, so "instan?e/i-1" or
		// "inst*/i-1" never match instance/i-1.
		recognise: func(c *diffCase) bool {
			for _, p := range c.policies() {
				for _, st := range p.Statement {
					for _, r := range slices.Concat(st.Resource, st.NotResource) {
						if wildcardInResourceType(r) {
							return true
						}
					}
				}
			}
			return false
		},
	},
	{
		class: "arn-condition-variable-before-resource",
		doc:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html",
		quote: "Variables are marked using a $ prefix followed by a pair of curly braces ({ }) that include the variable name of the value from the request.",
		// The simulator splits an Arn* condition value at every colon,
		// the one inside "${aws:PrincipalAccount}" too, so a variable
		// before the resource segment breaks the ARN apart and never
		// matches.
		recognise: func(c *diffCase) bool {
			return c.anyCondition(func(op, _ string, vals []string) bool {
				if !strings.Contains(op, "Arn") {
					return false
				}
				for _, v := range vals {
					if parts := strings.SplitN(v, ":", 6); strings.Contains(strings.Join(parts[:min(5, len(parts))], ":"), "${") {
						return true
					}
				}
				return false
			})
		},
	},
	{
		class: "unresolved-variable-negated-condition",
		doc:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value",
		quote: "Inverted condition operators like StringNotEquals or StringNotLike do match against a null value, as the value of the condition key they are testing against is not equal to or like the effectively null value.",
		// The simulator makes a value with an unresolvable variable match
		// nothing, and then a negated operator does not hold either.
		recognise: func(c *diffCase) bool {
			return c.anyCondition(func(op, _ string, vals []string) bool {
				return strings.Contains(op, "Not") && slices.ContainsFunc(vals, func(v string) bool { return unresolvedVariable(v, c.Context) })
			})
		},
	},
	{
		class: "unresolved-variable-not-resource",
		doc:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value",
		quote: "If a variable that has no value in the authorization context is used as part of the Resource or NotResource element of a policy, the resource that includes a policy variable with no value will not match any resource.",
		// A NotResource entry that matches no resource excludes nothing, so
		// the statement applies; the simulator skips the statement instead.
		recognise: func(c *diffCase) bool {
			for _, p := range c.policies() {
				for _, st := range p.Statement {
					if slices.ContainsFunc(st.NotResource, func(r string) bool { return unresolvedVariable(r, c.Context) }) {
						return true
					}
				}
			}
			return false
		},
	},
}

// unresolvedVariable reports whether s has a policy variable without a
// default whose key has no single value in ctx.
func unresolvedVariable(s string, ctx map[string][]string) bool {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return false
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return false
		}
		inner := s[i+2 : i+j]
		s = s[i+j+1:]
		if inner == "*" || inner == "?" || inner == "$" || strings.Contains(inner, ",") {
			continue
		}
		n := 0
		for k, v := range ctx {
			if strings.EqualFold(k, strings.TrimSpace(inner)) {
				n = len(v)
			}
		}
		if n != 1 {
			return true
		}
	}
}

// wildcardInResourceType reports whether an ARN pattern has a wildcard in
// the resource type part of its resource segment (S3's resource segment has
// no type).
func wildcardInResourceType(pattern string) bool {
	parts := strings.SplitN(pattern, ":", 6)
	if len(parts) < 6 || parts[2] == "s3" && parts[3] == "" && parts[4] == "" {
		return false
	}
	res := parts[5]
	i := strings.IndexAny(res, "/:")
	return i >= 0 && strings.ContainsAny(res[:i], "*?")
}

func anyIs(vals []string, f func(string) bool) bool { return slices.ContainsFunc(vals, f) }

func isEpoch(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func isISODate(s string) bool {
	_, ok := policy.ParseDate(s)
	return ok && !isEpoch(s)
}

// anyCondition reports whether f holds for a condition of any statement of
// any of the case's policies (values as text).
func (c *diffCase) anyCondition(f func(op, key string, vals []string) bool) bool {
	for _, p := range c.policies() {
		for _, st := range p.Statement {
			for op, keys := range st.Condition {
				for k, vs := range keys {
					var texts []string
					for _, v := range vs {
						texts = append(texts, fmt.Sprint(v))
					}
					if f(op, k, texts) {
						return true
					}
				}
			}
		}
	}
	return false
}

func policyMentions(p diffPolicy, s string) bool {
	data, _ := json.Marshal(p)
	return bytes.Contains(data, []byte(s))
}

// diffOutcome is one case decided by both sides.
type diffOutcome struct {
	c    diffCase
	eval policy.Decision
	sim  policy.Decision
}

func (o diffOutcome) disagrees() bool { return o.eval != o.sim }

// diffStats is what a comparison found.
type diffStats struct {
	agree         int
	excluded      map[string]int // by known simulator error class
	rechecked     int            // excluded cases that agree once neutralised
	decisions     map[string]int // agreed decisions, by kind of case and decision
	disagreements []diffOutcome
}

// compareCases decides every case with both sides and sorts them into
// agreements, excluded known simulator errors and disagreements.
func compareCases(t *testing.T, cases []diffCase) diffStats {
	t.Helper()
	answers := runSimulator(t, cases)
	st := diffStats{excluded: map[string]int{}, decisions: map[string]int{}}
	var recheck []diffCase
	for _, c := range cases {
		a := answers[c.ID]
		require.Empty(t, a.Error, "the simulator rejected case %s: %s", c.ID, caseJSON(c))
		require.Empty(t, a.Ignored, "the simulator ignored context keys of case %s", c.ID)
		sim, ok := simDecision(a.Decision)
		require.True(t, ok, "case %s: simulator decision %q", c.ID, a.Decision)
		o := diffOutcome{c: c, eval: evaluate(t, c), sim: sim}
		if !o.disagrees() {
			st.agree++
			st.decisions[o.eval.String()]++
			st.decisions[caseKind(c)+" "+o.eval.String()]++
			continue
		}
		if k := knownClass(&o.c); k != "" {
			st.excluded[k]++
			if n, ok := neutralised(c); ok {
				recheck = append(recheck, n)
			}
			continue
		}
		st.disagreements = append(st.disagreements, o)
	}
	if len(recheck) == 0 {
		return st
	}
	answers = runSimulator(t, recheck)
	for _, c := range recheck {
		a := answers[c.ID]
		require.Empty(t, a.Error, "the simulator rejected neutralised case %s: %s", c.ID, caseJSON(c))
		sim, ok := simDecision(a.Decision)
		require.True(t, ok, "case %s: simulator decision %q", c.ID, a.Decision)
		o := diffOutcome{c: c, eval: evaluate(t, c), sim: sim}
		switch {
		case !o.disagrees():
			st.rechecked++
		case knownClass(&o.c) == "":
			st.disagreements = append(st.disagreements, o)
		}
	}
	return st
}

// neutralised applies the neutraliser of every known class that
// recognises c; ok is false when none applies or one cannot.
func neutralised(c diffCase) (diffCase, bool) {
	n := c.clone()
	n.ID = c.ID + "-neutralised"
	applied := false
	for _, k := range knownSimulatorErrors {
		if !k.recognise(&n) {
			continue
		}
		if k.neutralise == nil || !k.neutralise(&n) {
			return c, false
		}
		applied = true
	}
	return n, applied
}

// neutraliseEpochDates writes every epoch value compared by a Date
// operator, in the policies and in the request, as the same instant in
// ISO 8601.
func neutraliseEpochDates(c *diffCase) bool {
	keys := map[string]bool{}
	ok := true
	for _, p := range c.policies() {
		for _, st := range p.Statement {
			for op, cond := range st.Condition {
				for k, vs := range cond {
					switch {
					case strings.Contains(op, "Date"):
						keys[k] = true
						for i, v := range vs {
							if t, isEpoch := epochTime(fmt.Sprint(v)); isEpoch {
								vs[i] = t
							}
						}
					case op != "Null":
						ok = false // the key is compared as something else too
					}
				}
			}
		}
	}
	for k := range keys {
		for i, v := range c.Context[k] {
			if t, isEpoch := epochTime(v); isEpoch {
				c.Context[k][i] = t
			}
		}
	}
	return ok
}

func epochTime(s string) (string, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "", false
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339), true
}

// neutraliseOldVersionVariables turns a pre-2012 policy whose "${" text
// sits only in Resource/NotResource resource components and String
// condition values into a 2012-10-17 policy that spells the same text with
// the ${$} escape, so neither side has a variable to substitute.
func neutraliseOldVersionVariables(c *diffCase) bool {
	for _, p := range c.policies() {
		if p.Version == "2012-10-17" {
			continue
		}
		for si := range p.Statement {
			st := &p.Statement[si]
			if slices.ContainsFunc(slices.Concat(st.Action, st.NotAction), func(a string) bool { return strings.Contains(a, "${") }) {
				return false
			}
			for _, rs := range [][]string{st.Resource, st.NotResource} {
				for i, r := range rs {
					parts := strings.SplitN(r, ":", 6)
					if len(parts) < 6 {
						if strings.Contains(r, "${") {
							return false
						}
						continue
					}
					if strings.Contains(strings.Join(parts[:5], ":"), "${") {
						return false
					}
					parts[5] = strings.ReplaceAll(parts[5], "${", "${$}{")
					rs[i] = strings.Join(parts, ":")
				}
			}
			for op, cond := range st.Condition {
				for _, vs := range cond {
					for i, v := range vs {
						text, isString := v.(string)
						if !isString || !strings.Contains(text, "${") {
							continue
						}
						if !strings.Contains(op, "String") {
							return false
						}
						vs[i] = strings.ReplaceAll(text, "${", "${$}{")
					}
				}
			}
		}
		p.Version = "2012-10-17"
	}
	return true
}

// neutraliseSingleAddresses writes every single address of an IpAddress or
// NotIpAddress condition as the one-address range (/32, /128) it stands
// for.
func neutraliseSingleAddresses(c *diffCase) bool {
	for _, p := range c.policies() {
		for _, st := range p.Statement {
			for op, cond := range st.Condition {
				if !strings.Contains(op, "IpAddress") {
					continue
				}
				for _, vs := range cond {
					for i, v := range vs {
						if a, err := netip.ParseAddr(fmt.Sprint(v)); err == nil {
							vs[i] = netip.PrefixFrom(a, a.BitLen()).String()
						}
					}
				}
			}
		}
	}
	return true
}

// caseKind names the policies and accounts a case involves.
func caseKind(c diffCase) string {
	kind := "identity"
	if c.ResourcePolicy != nil {
		kind = "resource-policy"
		if strings.HasPrefix(c.Action, "sts:") {
			kind = "trust-policy"
		}
	}
	if acct := strings.SplitN(c.Principal, ":", 6); len(acct) == 6 && acct[4] != c.ResourceAccount {
		kind += "/cross-account"
	}
	return kind
}

func knownClass(c *diffCase) string {
	for _, k := range knownSimulatorErrors {
		if k.recognise(c) {
			return k.class
		}
	}
	return ""
}

func caseJSON(c diffCase) string {
	data, _ := json.MarshalIndent(c, "", "  ")
	return string(data)
}

func TestDifferentialSimulator(t *testing.T) {
	simulatorAvailable(t)
	g := newDiffGen(*diffSeed)
	cases := make([]diffCase, *diffN)
	for i := range cases {
		cases[i] = g.caseAt(i)
	}
	start := time.Now()
	st := compareCases(t, cases)
	t.Logf("compared %d cases in %v", len(cases), time.Since(start).Round(time.Millisecond))
	t.Logf("seed %d: %d cases, %d agree (%.2f%%), %d excluded as known simulator errors, %d disagree",
		*diffSeed, len(cases), st.agree, 100*float64(st.agree)/float64(len(cases)), len(cases)-st.agree-len(st.disagreements), len(st.disagreements))
	for _, k := range slices.Sorted(maps.Keys(st.excluded)) {
		t.Logf("excluded (known simulator error %s): %d", k, st.excluded[k])
	}
	t.Logf("excluded cases that agree once rewritten without the simulator's error: %d", st.rechecked)
	for _, k := range slices.Sorted(maps.Keys(st.decisions)) {
		t.Logf("agreed %s: %d", k, st.decisions[k])
	}
	if len(st.disagreements) > 0 {
		reportDisagreements(t, st.disagreements)
	}
	// A generator that drifted into deciding (nearly) everything one way
	// would agree without testing much.
	if len(cases) >= 1000 {
		for _, d := range []policy.Decision{policy.DecisionAllow, policy.DecisionExplicitDeny, policy.DecisionImplicitDeny} {
			require.Greater(t, st.decisions[d.String()], len(cases)/20, "too few agreed %v decisions", d)
		}
	}
}

// reportDisagreements shrinks a few disagreements of each coarse class to
// minimal cases, groups them by the features left and fails with one
// example per class.
func reportDisagreements(t *testing.T, ds []diffOutcome) {
	t.Helper()
	coarse := map[string][]diffOutcome{}
	for _, d := range ds {
		k := coarseSignature(d)
		coarse[k] = append(coarse[k], d)
	}
	// Shrinking costs a simulator run per round: two examples of each of
	// the first coarse classes keep a failing run short.
	var reps []diffOutcome
	for _, k := range slices.Sorted(maps.Keys(coarse)) {
		if len(reps) >= 24 {
			break
		}
		reps = append(reps, coarse[k][:min(2, len(coarse[k]))]...)
	}
	classes := map[string][]diffOutcome{}
	for _, s := range shrink(t, reps) {
		k := signature(s)
		classes[k] = append(classes[k], s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d disagreements with the simulator (seed %d, -difftest.seed to reproduce) in %d coarse classes; minimal examples:\n",
		len(ds), *diffSeed, len(coarse))
	for _, k := range slices.Sorted(maps.Keys(classes)) {
		ex := classes[k][0]
		fmt.Fprintf(&b, "\n== %s\nEvaluate: %v, simulator: %v\n%s\n", k, ex.eval, ex.sim, caseJSON(ex.c))
	}
	require.FailNow(t, b.String())
}

// coarseSignature names what a disagreement is about before shrinking:
// the decisions, the kind of policies, the caller and the accounts.
func coarseSignature(o diffOutcome) string {
	return fmt.Sprintf("%v->%v %s %s", o.eval, o.sim, caseKind(o.c), callerKind(o.c.Principal))
}

// signature names the features of a (shrunk) disagreement that classify
// it: its coarse signature and the condition operators, variables,
// versions and Not* elements left in it.
func signature(o diffOutcome) string {
	c := o.c
	f := []string{coarseSignature(o)}
	ops := map[string]bool{}
	c.anyCondition(func(op, _ string, _ []string) bool { ops[op] = true; return false })
	f = append(f, slices.Sorted(maps.Keys(ops))...)
	for _, p := range c.policies() {
		if p.Version != "2012-10-17" {
			f = append(f, "version:"+cmp.Or(p.Version, "none"))
		}
		if policyMentions(*p, "${") {
			f = append(f, "variables")
		}
		for _, st := range p.Statement {
			if st.NotAction != nil {
				f = append(f, "NotAction")
			}
			if st.NotResource != nil {
				f = append(f, "NotResource")
			}
			if st.NotPrincipal != nil {
				f = append(f, "NotPrincipal")
			}
		}
	}
	slices.Sort(f[1:])
	return strings.Join(slices.Compact(f), " ")
}

func callerKind(p string) string {
	switch {
	case !strings.HasPrefix(p, "arn:"):
		return "service"
	case strings.HasSuffix(p, ":root"):
		return "root"
	case strings.Contains(p, ":assumed-role/"):
		return "assumed-role"
	}
	return "user"
}

// shrink reduces each disagreement to a smaller case that still disagrees
// (and is still outside the known simulator errors), one removal at a time,
// deciding each round's candidates in one simulator run.
func shrink(t *testing.T, ds []diffOutcome) []diffOutcome {
	t.Helper()
	cur := slices.Clone(ds)
	for round := 0; round < 25; round++ {
		var batch []diffCase
		owner := map[string]int{}
		for i, d := range cur {
			for j, c := range reductions(d.c) {
				c.ID = fmt.Sprintf("s%d-%d-%d", round, i, j)
				owner[c.ID] = i
				batch = append(batch, c)
			}
		}
		if len(batch) == 0 {
			break
		}
		answers := runSimulator(t, batch)
		progressed := make([]bool, len(cur))
		for _, c := range batch {
			i := owner[c.ID]
			if progressed[i] {
				continue
			}
			a := answers[c.ID]
			sim, ok := simDecision(a.Decision)
			if !ok || a.Error != "" || len(a.Ignored) > 0 {
				continue
			}
			ev := evaluate(t, c)
			if ev == sim || knownClass(&c) != "" {
				continue
			}
			c.ID = cur[i].c.ID
			cur[i] = diffOutcome{c: c, eval: ev, sim: sim}
			progressed[i] = true
		}
		if !slices.Contains(progressed, true) {
			break
		}
	}
	return cur
}

// reductions lists the cases one removal smaller than c.
func reductions(c diffCase) []diffCase {
	var out []diffCase
	add := func(f func(*diffCase) bool) {
		n := c.clone()
		if f(&n) {
			out = append(out, n)
		}
	}
	if c.ResourcePolicy != nil {
		add(func(n *diffCase) bool { n.ResourcePolicy = nil; return true })
	}
	for i := range c.Identity {
		add(func(n *diffCase) bool { n.Identity = slices.Delete(n.Identity, i, i+1); return true })
	}
	ps := c.policies()
	for pi, p := range ps {
		for si, st := range p.Statement {
			if len(p.Statement) > 1 {
				add(func(n *diffCase) bool {
					q := n.policies()[pi]
					q.Statement = slices.Delete(q.Statement, si, si+1)
					return true
				})
			}
			for _, field := range []string{"Action", "NotAction", "Resource", "NotResource"} {
				if len(*stmtList(&st, field)) > 1 {
					for vi := range *stmtList(&st, field) {
						add(func(n *diffCase) bool {
							l := stmtList(&n.policies()[pi].Statement[si], field)
							*l = slices.Delete(*l, vi, vi+1)
							return true
						})
					}
				}
			}
			for _, op := range slices.Sorted(maps.Keys(st.Condition)) {
				add(func(n *diffCase) bool {
					cond := n.policies()[pi].Statement[si].Condition
					delete(cond, op)
					return true
				})
				for _, k := range slices.Sorted(maps.Keys(st.Condition[op])) {
					if len(st.Condition[op]) > 1 {
						add(func(n *diffCase) bool { delete(n.policies()[pi].Statement[si].Condition[op], k); return true })
					}
					if vs := st.Condition[op][k]; len(vs) > 1 {
						for vi := range vs {
							add(func(n *diffCase) bool {
								m := n.policies()[pi].Statement[si].Condition[op]
								m[k] = slices.Delete(m[k], vi, vi+1)
								return true
							})
						}
					}
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Context)) {
		// The principal's own keys and aws:ResourceAccount are in every
		// request IAM authorizes; a case without them is not minimal but
		// impossible.
		if derivedKey(k) || k == "aws:ResourceAccount" || strings.HasPrefix(k, "aws:PrincipalTag/") {
			continue
		}
		add(func(n *diffCase) bool { delete(n.Context, k); return true })
	}
	if c.OmitDerived {
		add(func(n *diffCase) bool { n.OmitDerived = false; return true })
	}
	return out
}

func stmtList(st *diffStmt, field string) *[]string {
	switch field {
	case "Action":
		return &st.Action
	case "NotAction":
		return &st.NotAction
	case "Resource":
		return &st.Resource
	}
	return &st.NotResource
}

// corpusEntry is a hand-written case with the decision the AWS
// documentation gives for it.
type corpusEntry struct {
	Name  string   `json:"name"`
	Doc   string   `json:"doc"`
	Quote string   `json:"quote,omitempty"`
	Want  string   `json:"want"`
	Case  diffCase `json:"case"`
}

// callerFromARN describes a principal ARN the way the generator's callers
// are described, to derive its request-context keys.
func callerFromARN(arn string) diffCaller {
	a, err := policy.ParseARN(arn)
	if err != nil {
		return diffCaller{arn: arn, kind: "service"}
	}
	c := diffCaller{arn: arn, account: a.Account}
	res := a.Resource
	switch {
	case res == "root":
		c.kind = "root"
	case strings.HasPrefix(res, "user/"):
		c.kind, c.name = "user", res[strings.LastIndexByte(res, '/')+1:]
	case strings.HasPrefix(res, "assumed-role/"):
		role, _, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		c.kind, c.roleArn = "assumed-role", "arn:"+a.Partition+":iam::"+a.Account+":role/"+role
	}
	return c
}

func loadCorpus(t *testing.T) []corpusEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(simDir, "corpus.json"))
	require.NoError(t, err)
	var entries []corpusEntry
	require.NoError(t, json.Unmarshal(data, &entries))
	require.NotEmpty(t, entries)
	for i := range entries {
		c := &entries[i].Case
		c.ID = entries[i].Name
		if c.Context == nil {
			c.Context = map[string][]string{}
		}
		for k, v := range derivedKeys(callerFromARN(c.Principal)) {
			if _, ok := c.Context[k]; !ok {
				c.Context[k] = v
			}
		}
		if _, ok := c.Context["aws:ResourceAccount"]; !ok {
			c.Context["aws:ResourceAccount"] = []string{c.ResourceAccount}
		}
	}
	return entries
}

// TestDifferentialCorpus runs the hand-written regression corpus through
// Evaluate, which must give the documented decision, and through the
// simulator, which must too unless the case is in one of its known error
// classes.
func TestDifferentialCorpus(t *testing.T) {
	entries := loadCorpus(t)
	for _, e := range entries {
		t.Run("evaluate/"+e.Name, func(t *testing.T) {
			want, ok := simDecision(e.Want)
			require.True(t, ok, "want %q", e.Want)
			require.Equal(t, want.String(), evaluate(t, e.Case).String(), "documented by %s", e.Doc)
		})
	}
	t.Run("simulator", func(t *testing.T) {
		simulatorAvailable(t)
		cases := make([]diffCase, len(entries))
		for i, e := range entries {
			cases[i] = e.Case
		}
		answers := runSimulator(t, cases)
		excluded := map[string]int{}
		for _, e := range entries {
			a := answers[e.Name]
			require.Empty(t, a.Error, "the simulator rejected %s", e.Name)
			require.Empty(t, a.Ignored, "the simulator ignored context keys of %s", e.Name)
			if a.Decision == e.Want {
				continue
			}
			k := knownClass(&e.Case)
			require.NotEmpty(t, k, "%s: the simulator says %s, the documentation (%s) %s", e.Name, a.Decision, e.Doc, e.Want)
			excluded[k]++
		}
		for _, k := range slices.Sorted(maps.Keys(excluded)) {
			t.Logf("corpus cases the simulator gets wrong (known simulator error %s): %d", k, excluded[k])
		}
		// Each known error is shown real by a corpus case; one the simulator
		// no longer makes must leave the table.
		for _, k := range knownSimulatorErrors {
			require.Positive(t, excluded[k.class], "no corpus case shows the simulator making known error %s", k.class)
		}
	})
}
