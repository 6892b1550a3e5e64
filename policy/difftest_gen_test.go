package policy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The differential test's case model and its seeded random generator. Cases
// are plain data so that the same JSON reaches policy.Evaluate (through
// policy.Parse) and the simulator.

// diffPolicy is a generated policy document. An empty Version leaves the
// element out (IAM then reads the policy as 2008-10-17).
type diffPolicy struct {
	Version   string
	Statement []diffStmt
}

// diffStmt is a generated statement. Principal and NotPrincipal hold their
// JSON form ("*" or {"AWS": [...]} ...).
type diffStmt struct {
	Effect       string
	Principal    any
	NotPrincipal any
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    map[string]map[string][]any
}

func (p diffPolicy) MarshalJSON() ([]byte, error) {
	m := map[string]any{"Statement": p.Statement}
	if p.Version != "" {
		m["Version"] = p.Version
	}
	return json.Marshal(m)
}

func (s diffStmt) MarshalJSON() ([]byte, error) {
	m := map[string]any{"Effect": s.Effect}
	one := func(name string, v []string) {
		switch len(v) {
		case 0:
		case 1:
			m[name] = v[0]
		default:
			m[name] = v
		}
	}
	one("Action", s.Action)
	one("NotAction", s.NotAction)
	one("Resource", s.Resource)
	one("NotResource", s.NotResource)
	if s.Principal != nil {
		m["Principal"] = s.Principal
	}
	if s.NotPrincipal != nil {
		m["NotPrincipal"] = s.NotPrincipal
	}
	if len(s.Condition) > 0 {
		c := map[string]map[string]any{}
		for op, keys := range s.Condition {
			c[op] = map[string]any{}
			for k, vs := range keys {
				if len(vs) == 1 {
					c[op][k] = vs[0]
				} else {
					c[op][k] = vs
				}
			}
		}
		m["Condition"] = c
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads a statement written by hand (the regression
// corpus): strings or lists, condition values of any JSON type.
func (s *diffStmt) UnmarshalJSON(data []byte) error {
	var raw struct {
		Effect       string
		Principal    any
		NotPrincipal any
		Action       json.RawMessage
		NotAction    json.RawMessage
		Resource     json.RawMessage
		NotResource  json.RawMessage
		Condition    map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*s = diffStmt{Effect: raw.Effect, Principal: raw.Principal, NotPrincipal: raw.NotPrincipal}
	for _, f := range []struct {
		raw json.RawMessage
		dst *[]string
	}{{raw.Action, &s.Action}, {raw.NotAction, &s.NotAction}, {raw.Resource, &s.Resource}, {raw.NotResource, &s.NotResource}} {
		if f.raw == nil {
			continue
		}
		var one string
		if err := json.Unmarshal(f.raw, &one); err == nil {
			*f.dst = []string{one}
		} else if err := json.Unmarshal(f.raw, f.dst); err != nil {
			return err
		}
	}
	for op, keys := range raw.Condition {
		if s.Condition == nil {
			s.Condition = map[string]map[string][]any{}
		}
		s.Condition[op] = map[string][]any{}
		for k, v := range keys {
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			var val any
			if err := dec.Decode(&val); err != nil {
				return err
			}
			if list, ok := val.([]any); ok {
				s.Condition[op][k] = list
			} else {
				s.Condition[op][k] = []any{val}
			}
		}
	}
	return nil
}

func (s diffStmt) clone() diffStmt {
	out := s
	out.Action = slices.Clone(s.Action)
	out.NotAction = slices.Clone(s.NotAction)
	out.Resource = slices.Clone(s.Resource)
	out.NotResource = slices.Clone(s.NotResource)
	if s.Condition != nil {
		out.Condition = map[string]map[string][]any{}
		for op, keys := range s.Condition {
			out.Condition[op] = map[string][]any{}
			for k, vs := range keys {
				out.Condition[op][k] = slices.Clone(vs)
			}
		}
	}
	return out
}

func (p diffPolicy) clone() diffPolicy {
	out := diffPolicy{Version: p.Version, Statement: make([]diffStmt, len(p.Statement))}
	for i, s := range p.Statement {
		out.Statement[i] = s.clone()
	}
	return out
}

// namedDiffPolicy is an identity policy as the simulator takes it.
type namedDiffPolicy struct {
	Name   string     `json:"name"`
	Policy diffPolicy `json:"policy"`
}

// diffCase is one authorization question. Context is the request context
// as the simulator sees it, principal keys included (the simulator does not
// derive them); with OmitDerived, Evaluate gets it without the keys it
// derives from the principal itself, which tests that derivation too.
type diffCase struct {
	ID              string              `json:"id"`
	Identity        []namedDiffPolicy   `json:"identityPolicies"`
	ResourcePolicy  *diffPolicy         `json:"resourcePolicy,omitempty"`
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	Resource        string              `json:"resource"`
	ResourceAccount string              `json:"resourceAccount"`
	Context         map[string][]string `json:"context"`
	OmitDerived     bool                `json:"omitDerived,omitempty"`
}

func (c diffCase) clone() diffCase {
	out := c
	out.Identity = make([]namedDiffPolicy, len(c.Identity))
	for i, p := range c.Identity {
		out.Identity[i] = namedDiffPolicy{Name: p.Name, Policy: p.Policy.clone()}
	}
	if c.ResourcePolicy != nil {
		rp := c.ResourcePolicy.clone()
		out.ResourcePolicy = &rp
	}
	out.Context = map[string][]string{}
	for k, v := range c.Context {
		out.Context[k] = slices.Clone(v)
	}
	return out
}

// policies returns every policy of the case, identity policies first.
func (c *diffCase) policies() []*diffPolicy {
	var out []*diffPolicy
	for i := range c.Identity {
		out = append(out, &c.Identity[i].Policy)
	}
	if c.ResourcePolicy != nil {
		out = append(out, c.ResourcePolicy)
	}
	return out
}

const (
	acctA = "111122223333"
	acctB = "444455556666"
)

// diffCaller is a principal that makes requests.
type diffCaller struct {
	arn     string
	account string
	kind    string // user, assumed-role, root, service
	name    string // user name
	roleArn string // the role of an assumed-role session
	tags    map[string]string
}

var diffCallers = []diffCaller{
	{arn: "arn:aws:iam::" + acctA + ":user/alice", account: acctA, kind: "user", name: "alice", tags: map[string]string{"team": "ops"}},
	{arn: "arn:aws:iam::" + acctA + ":user/division/carol", account: acctA, kind: "user", name: "carol"},
	{arn: "arn:aws:sts::" + acctA + ":assumed-role/Ops/alice-session", account: acctA, kind: "assumed-role", roleArn: "arn:aws:iam::" + acctA + ":role/Ops", tags: map[string]string{"team": "dev"}},
	{arn: "arn:aws:iam::" + acctA + ":root", account: acctA, kind: "root"},
	{arn: "arn:aws:iam::" + acctB + ":user/bob", account: acctB, kind: "user", name: "bob", tags: map[string]string{"team": "ops"}},
	{arn: "arn:aws:sts::" + acctB + ":assumed-role/Automation/exec", account: acctB, kind: "assumed-role", roleArn: "arn:aws:iam::" + acctB + ":role/Automation"},
	{arn: "arn:aws:iam::" + acctB + ":root", account: acctB, kind: "root"},
}

var ssmService = diffCaller{arn: "ssm.amazonaws.com", kind: "service"}

// derivedKeys are the principal's request-context keys that IAM sets and
// Evaluate derives from the principal ARN when absent.
func derivedKeys(c diffCaller) map[string][]string {
	m := map[string][]string{}
	switch c.kind {
	case "service":
		m["aws:PrincipalServiceName"] = []string{c.arn}
		return m
	case "user":
		m["aws:username"] = []string{c.name}
		m["aws:PrincipalArn"] = []string{c.arn}
		m["aws:PrincipalType"] = []string{"User"}
	case "assumed-role":
		m["aws:PrincipalArn"] = []string{c.roleArn}
		m["aws:PrincipalType"] = []string{"AssumedRole"}
	case "root":
		m["aws:PrincipalArn"] = []string{c.arn}
		m["aws:PrincipalType"] = []string{"Account"}
	}
	m["aws:PrincipalAccount"] = []string{c.account}
	return m
}

// diffTarget is an action and the resource it is asked on. arn holds
// "{acct}" for the resource's account; an empty account segment (S3) means
// the resource belongs to account A.
type diffTarget struct {
	action       string
	arn          string
	others       []string // other actions of the same service
	resourcePol  bool     // the service has resource-based policies
	wildcardOnly bool     // the action takes no resource ARN
}

var diffTargets = []diffTarget{
	{action: "ec2:StopInstances", arn: "arn:aws:ec2:us-east-1:{acct}:instance/i-0abc12345", others: []string{"ec2:StartInstances", "ec2:TerminateInstances"}},
	{action: "ec2:DescribeInstances", arn: "*", others: []string{"ec2:DescribeImages"}, wildcardOnly: true},
	{action: "ssm:StartAutomationExecution", arn: "arn:aws:ssm:us-east-1:{acct}:automation-definition/Restart:$DEFAULT", others: []string{"ssm:StopAutomationExecution", "ssm:GetParameter"}},
	{action: "ssm:GetParameter", arn: "arn:aws:ssm:us-east-1:{acct}:parameter/app/alice/db", others: []string{"ssm:GetParameters", "ssm:PutParameter"}},
	{action: "iam:PassRole", arn: "arn:aws:iam::{acct}:role/service-role/AutomationRole", others: []string{"iam:GetRole"}},
	{action: "sqs:SendMessage", arn: "arn:aws:sqs:us-east-1:{acct}:jobs", others: []string{"sqs:ReceiveMessage"}, resourcePol: true},
	{action: "s3:GetObject", arn: "arn:aws:s3:::bucket-a/home/alice/report.txt", others: []string{"s3:PutObject", "s3:GetObjectAcl"}, resourcePol: true},
}

var trustTarget = diffTarget{action: "sts:AssumeRole", arn: "arn:aws:iam::{acct}:role/Target", others: []string{"sts:TagSession", "sts:AssumeRoleWithSAML"}}

// condKey is a condition key of the generator's catalog, with the policy
// values and the request values it draws from (overlapping, so conditions
// both hold and fail).
type condKey struct {
	name   string
	family string // String, Arn, Numeric, Date, Bool, Ip
	multi  bool   // multivalued in requests
	policy []string
	ctx    []string
}

var condKeys = []condKey{
	{name: "aws:RequestedRegion", family: "String", policy: []string{"us-east-1", "eu-west-1", "us-*", "*-1", "us-east-?"}, ctx: []string{"us-east-1", "eu-west-1", "ap-south-2"}},
	{name: "aws:PrincipalTag/team", family: "String", policy: []string{"ops", "dev", "OPS", "o*", "${aws:username}"}, ctx: []string{"ops", "dev", "alice"}},
	{name: "aws:username", family: "String", policy: []string{"alice", "bob", "Alice", "a*", "${aws:PrincipalTag/team}"}, ctx: nil},
	{name: "aws:SourceAccount", family: "String", policy: []string{acctA, acctB, "${aws:PrincipalAccount}", "1111*"}, ctx: []string{acctA, acctB}},
	{name: "aws:PrincipalAccount", family: "String", policy: []string{acctA, acctB, "${aws:ResourceAccount}"}, ctx: nil},
	{name: "aws:ResourceAccount", family: "String", policy: []string{acctA, acctB, "${aws:PrincipalAccount}"}, ctx: nil},
	{name: "aws:PrincipalArn", family: "Arn", policy: []string{"arn:aws:iam::" + acctA + ":user/alice", "arn:aws:iam::" + acctA + ":role/Ops", "arn:aws:iam::*:role/*", "arn:aws:iam::" + acctB + ":*", "arn:aws:iam::${aws:PrincipalAccount}:user/*"}, ctx: nil},
	{name: "aws:SourceArn", family: "Arn", policy: []string{"arn:aws:ssm:us-east-1:" + acctA + ":automation-execution/*", "arn:aws:ssm:*:" + acctB + ":automation-execution/*", "arn:aws:ssm:us-east-1:" + acctA + ":automation-execution/e-1", "arn:aws:ssm:*:*:*"}, ctx: []string{"arn:aws:ssm:us-east-1:" + acctA + ":automation-execution/e-1", "arn:aws:ssm:eu-west-1:" + acctB + ":automation-execution/e-2"}},
	{name: "aws:MultiFactorAuthAge", family: "Numeric", policy: []string{"300", "3600", "0"}, ctx: []string{"120", "300", "7200"}},
	{name: "aws:CurrentTime", family: "Date", policy: []string{"2024-01-01T00:00:00Z", "2025-06-30", "2024-03-01T12:00:00Z", "1704067200"}, ctx: []string{"2024-03-01T12:00:00Z", "2023-12-31T23:59:59Z", "2026-01-01T00:00:00Z"}},
	{name: "aws:EpochTime", family: "Date", policy: []string{"1709294400", "1704067200", "2024-06-01T00:00:00Z"}, ctx: []string{"1709294400", "1700000000", "1767225600"}},
	{name: "aws:SecureTransport", family: "Bool", policy: []string{"true", "false"}, ctx: []string{"true", "false"}},
	{name: "aws:MultiFactorAuthPresent", family: "Bool", policy: []string{"true", "false"}, ctx: []string{"true", "false"}},
	{name: "aws:SourceIp", family: "Ip", policy: []string{"203.0.113.0/24", "203.0.113.5", "198.51.100.0/22", "2001:db8::/32", "2001:db8::5"}, ctx: []string{"203.0.113.5", "203.0.113.77", "198.51.101.9", "2001:db8::5", "2001:db9::1"}},
	{name: "aws:TagKeys", family: "String", multi: true, policy: []string{"team", "cost-center", "Name", "t*"}, ctx: []string{"team", "cost-center", "owner"}},
	{name: "aws:CalledVia", family: "String", multi: true, policy: []string{"cloudformation.amazonaws.com", "ssm.amazonaws.com", "*.amazonaws.com"}, ctx: []string{"cloudformation.amazonaws.com", "athena.amazonaws.com"}},
}

var familyOps = map[string][]string{
	"String":  {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"},
	"Arn":     {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike", "StringEquals"},
	"Numeric": {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"},
	"Date":    {"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"},
	"Bool":    {"Bool"},
	"Ip":      {"IpAddress", "NotIpAddress"},
}

// diffGen draws cases from a seeded source.
type diffGen struct {
	r *rand.Rand
}

func newDiffGen(seed uint64) *diffGen {
	return &diffGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *diffGen) pick(n int) int          { return g.r.IntN(n) }
func (g *diffGen) chance(p float64) bool   { return g.r.Float64() < p }
func pickOf[T any](g *diffGen, xs []T) T   { return xs[g.r.IntN(len(xs))] }
func (g *diffGen) between(lo, hi int) int  { return lo + g.r.IntN(hi-lo+1) }
func (g *diffGen) str(xs ...string) string { return pickOf(g, xs) }
func (g *diffGen) subset(xs []string) []string {
	n := g.between(1, min(2, len(xs)))
	out := make([]string, 0, n)
	for _, i := range g.r.Perm(len(xs))[:n] {
		out = append(out, xs[i])
	}
	return out
}

// caseAt generates case i.
func (g *diffGen) caseAt(i int) diffCase {
	var c diffCase
	switch k := g.pick(10); {
	case k < 5:
		c = g.identityCase()
	case k < 8:
		c = g.resourceCase()
	default:
		c = g.trustCase()
	}
	c.ID = fmt.Sprintf("c%05d", i)
	return c
}

func (g *diffGen) callerFor() diffCaller { return pickOf(g, diffCallers) }

func instantiate(arn, acct string) string { return strings.ReplaceAll(arn, "{acct}", acct) }

// resourceAccountOf is the account owning a resource: the ARN's account
// field, else account A (S3 buckets) or, for "*", the caller's.
func resourceAccountOf(arn, caller string) string {
	if arn == "*" {
		return caller
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[4] != "" {
		return parts[4]
	}
	return acctA
}

func (g *diffGen) base(caller diffCaller, t diffTarget, resAcct string) diffCase {
	res := instantiate(t.arn, resAcct)
	c := diffCase{
		Principal:       caller.arn,
		Action:          t.action,
		Resource:        res,
		ResourceAccount: resourceAccountOf(res, caller.account),
		Context:         map[string][]string{},
		OmitDerived:     g.chance(0.5),
	}
	for k, v := range derivedKeys(caller) {
		c.Context[k] = v
	}
	if v, ok := caller.tags["team"]; ok {
		c.Context["aws:PrincipalTag/team"] = []string{v}
	}
	c.Context["aws:ResourceAccount"] = []string{c.ResourceAccount}
	for _, k := range condKeys {
		if len(k.ctx) == 0 || g.chance(0.45) {
			continue
		}
		if k.multi {
			c.Context[k.name] = g.subset(k.ctx)
		} else {
			c.Context[k.name] = []string{pickOf(g, k.ctx)}
		}
	}
	return c
}

func (g *diffGen) identityCase() diffCase {
	caller := g.callerFor()
	t := pickOf(g, diffTargets)
	resAcct := caller.account
	if g.chance(0.2) {
		resAcct = g.str(acctA, acctB)
	}
	c := g.base(caller, t, resAcct)
	c.Identity = g.identityPolicies(caller, t, resAcct)
	return c
}

func (g *diffGen) resourceCase() diffCase {
	caller := g.callerFor()
	var t diffTarget
	for !t.resourcePol {
		t = pickOf(g, diffTargets)
	}
	c := g.base(caller, t, acctA)
	if g.chance(0.8) {
		c.Identity = g.identityPolicies(caller, t, acctA)
	}
	rp := diffPolicy{Version: g.version()}
	for range g.between(1, 3) {
		st := g.statement(t, acctA, true)
		g.setPrincipal(&st, caller)
		rp.Statement = append(rp.Statement, st)
	}
	c.ResourcePolicy = &rp
	return c
}

func (g *diffGen) trustCase() diffCase {
	var caller diffCaller
	if g.chance(0.4) {
		caller = ssmService
		caller.account = ""
	} else {
		caller = g.callerFor()
	}
	c := g.base(caller, trustTarget, acctA)
	if caller.kind == "service" {
		c.ResourceAccount = acctA
		c.Context["aws:ResourceAccount"] = []string{acctA}
	} else if caller.kind != "root" && g.chance(0.8) {
		c.Identity = g.identityPolicies(caller, trustTarget, acctA)
		if g.chance(0.5) {
			// Callers are usually allowed to assume the role on their
			// side; whether they may then hinges on the trust policy.
			c.Identity = append(c.Identity, namedDiffPolicy{Name: "assume", Policy: diffPolicy{Version: "2012-10-17", Statement: []diffStmt{{
				Effect: "Allow", Action: []string{"sts:AssumeRole"}, Resource: []string{c.Resource},
			}}}})
		}
	}
	rp := diffPolicy{Version: g.version()}
	for range g.between(1, 3) {
		st := diffStmt{Effect: g.effect()}
		g.actions(&st, trustTarget)
		g.setPrincipal(&st, caller)
		if g.chance(0.7) {
			g.confusedDeputy(&st)
		}
		if g.chance(0.3) {
			g.conditions(&st)
		}
		rp.Statement = append(rp.Statement, st)
	}
	c.ResourcePolicy = &rp
	return c
}

// confusedDeputy adds the aws:SourceAccount / aws:SourceArn guard trust
// policies for services carry.
func (g *diffGen) confusedDeputy(st *diffStmt) {
	if st.Condition == nil {
		st.Condition = map[string]map[string][]any{}
	}
	add := func(op, key string, v ...string) {
		if st.Condition[op] == nil {
			st.Condition[op] = map[string][]any{}
		}
		for _, s := range v {
			st.Condition[op][key] = append(st.Condition[op][key], s)
		}
	}
	if g.chance(0.8) {
		add(g.str("StringEquals", "StringEquals", "StringLike", "StringEqualsIfExists"), "aws:SourceAccount", g.str(acctA, acctB))
	}
	if g.chance(0.7) {
		add(g.str("ArnLike", "ArnEquals", "StringLike", "ArnLikeIfExists"), "aws:SourceArn",
			g.str("arn:aws:ssm:*:"+acctA+":automation-execution/*", "arn:aws:ssm:us-east-1:"+acctA+":automation-execution/e-1", "arn:aws:ssm:*:"+acctB+":automation-execution/*"))
	}
}

func (g *diffGen) version() string {
	switch g.pick(10) {
	case 0:
		return "2008-10-17"
	case 1:
		return ""
	}
	return "2012-10-17"
}

func (g *diffGen) effect() string {
	if g.chance(0.3) {
		return "Deny"
	}
	return "Allow"
}

func (g *diffGen) identityPolicies(caller diffCaller, t diffTarget, resAcct string) []namedDiffPolicy {
	if caller.kind == "root" {
		// The root user carries no identity policies; its full access to
		// its own account is IAM's, not a policy's.
		return nil
	}
	var out []namedDiffPolicy
	for i := range g.between(1, 3) {
		p := diffPolicy{Version: g.version()}
		for range g.between(1, 3) {
			p.Statement = append(p.Statement, g.statement(t, resAcct, false))
		}
		out = append(out, namedDiffPolicy{Name: fmt.Sprintf("id%d", i), Policy: p})
	}
	return out
}

func (g *diffGen) statement(t diffTarget, resAcct string, resourcePolicy bool) diffStmt {
	st := diffStmt{Effect: g.effect()}
	g.actions(&st, t)
	pats := g.resourcePatterns(t, resAcct)
	if g.chance(0.15) {
		st.NotResource = pats
	} else {
		st.Resource = pats
	}
	if g.chance(0.6) {
		g.conditions(&st)
	}
	return st
}

func (g *diffGen) actions(st *diffStmt, t diffTarget) {
	svc, op, _ := strings.Cut(t.action, ":")
	var acts []string
	for range g.between(1, 2) {
		var a string
		switch g.pick(10) {
		case 0:
			a = "*"
		case 1:
			a = svc + ":*"
		case 2:
			a = strings.ToLower(t.action)
		case 3:
			a = svc + ":" + op[:3] + "*"
		case 4:
			i := g.between(1, len(op)-1)
			a = svc + ":" + op[:i] + "?" + op[i+1:]
		case 5, 6:
			a = pickOf(g, t.others)
		case 7:
			a = "ec2:TerminateInstances"
		default:
			a = t.action
		}
		acts = append(acts, a)
	}
	if g.chance(0.15) {
		st.NotAction = acts
	} else {
		st.Action = acts
	}
}

// resourcePatterns draws Resource patterns for t: the ARN itself, "*",
// wildcards in each component, segment-final wildcards, short ARNs and
// policy variables.
func (g *diffGen) resourcePatterns(t diffTarget, resAcct string) []string {
	arn := instantiate(t.arn, resAcct)
	if t.wildcardOnly {
		return []string{"*"}
	}
	parts := strings.SplitN(arn, ":", 6)
	var out []string
	for range g.between(1, 2) {
		p := slices.Clone(parts)
		switch g.pick(16) {
		case 0:
			out = append(out, "*")
			continue
		case 1:
			p[3] = g.str("*", "us-east-?", "us-*", "eu-west-1")
		case 2:
			if p[4] != "" {
				p[4] = g.str("*", acctA, acctB, "${aws:PrincipalAccount}", "1111????3333")
			}
		case 3:
			p[5] = "*"
		case 4:
			i := g.between(1, len(p[5]))
			p[5] = p[5][:i] + "*"
		case 5:
			i := g.between(0, len(p[5])-1)
			p[5] = p[5][:i] + "?" + p[5][i+1:]
		case 6:
			p[5] = strings.Replace(p[5], "alice", g.str("${aws:username}", "${aws:PrincipalTag/team}", "${aws:username, 'alice'}", "bob"), 1)
		case 7:
			// A short ARN: fewer than six components.
			out = append(out, strings.Join(p[:g.between(3, 4)], ":")+":*")
			continue
		case 8:
			p[2] = g.str("*", "ec2", "s3")
		case 9:
			p[5] = strings.ToUpper(p[5][:1]) + p[5][1:]
		case 10:
			p[5] = p[5] + "/*"
		case 11:
			p[1] = g.str("*", "aws-cn")
		}
		out = append(out, strings.Join(p, ":"))
	}
	return out
}

// setPrincipal gives a resource or trust policy statement a Principal (or
// NotPrincipal) naming the caller in one of its forms, another principal, or
// everyone.
func (g *diffGen) setPrincipal(st *diffStmt, caller diffCaller) {
	ids := []string{"*", acctA, acctB, "arn:aws:iam::" + acctA + ":root", "arn:aws:iam::" + acctB + ":root",
		"arn:aws:iam::" + acctA + ":user/alice", "arn:aws:iam::" + acctB + ":user/bob",
		"arn:aws:iam::" + acctA + ":role/Ops", "arn:aws:iam::" + acctB + ":role/Automation"}
	var p any
	switch g.pick(8) {
	case 0:
		p = "*"
	case 1:
		p = map[string]any{"Service": g.str("ssm.amazonaws.com", "ec2.amazonaws.com")}
	case 2:
		if caller.kind == "service" {
			p = map[string]any{"Service": caller.arn}
		} else {
			p = map[string]any{"AWS": caller.arn}
		}
	default:
		p = map[string]any{"AWS": g.subset(ids)}
	}
	if g.chance(0.1) && p != "*" {
		st.NotPrincipal = p
		return
	}
	st.Principal = p
}

func (g *diffGen) conditions(st *diffStmt) {
	if st.Condition == nil {
		st.Condition = map[string]map[string][]any{}
	}
	for range g.between(1, 2) {
		k := pickOf(g, condKeys)
		op := pickOf(g, familyOps[k.family])
		// Multivalued keys take a set operator: the documentation says they
		// require one and leaves them undefined without.
		set := ""
		if k.multi || g.chance(0.08) {
			set = g.str("ForAnyValue:", "ForAllValues:")
		}
		suffix := ""
		if g.chance(0.25) {
			suffix = "IfExists"
		}
		var vals []any
		if g.chance(0.12) {
			op, set, suffix = "Null", "", ""
			vals = []any{g.str("true", "false")}
		} else {
			for _, v := range g.subset(k.policy) {
				switch {
				case k.family == "Bool" && g.chance(0.3):
					vals = append(vals, v == "true")
				case k.family == "Numeric" && g.chance(0.3):
					vals = append(vals, json.Number(v))
				default:
					vals = append(vals, v)
				}
			}
		}
		name := set + op + suffix
		if st.Condition[name] == nil {
			st.Condition[name] = map[string][]any{}
		}
		st.Condition[name][k.name] = vals
	}
}
