package policy

import (
	"strconv"
	"strings"
)

// Request is one authorization question: may Principal perform Action on
// Resource, given the request context.
type Request struct {
	// Principal is the caller's ARN (IAM user, role, assumed-role session,
	// account root) or a service principal such as "ssm.amazonaws.com".
	Principal string
	// Action is "service:Operation", for example "ec2:StopInstances".
	Action string
	// Resource is the resource ARN, or "*" for actions that do not support
	// resource-level permissions.
	Resource string
	// ResourceAccount is the account that owns the resource. Empty means the
	// account field of Resource or, for ARNs without one (S3 buckets,
	// AWS-owned documents) and "*", the caller's own account.
	ResourceAccount string
	// Context holds the request's condition keys, looked up
	// case-insensitively. aws:PrincipalArn, aws:PrincipalAccount,
	// aws:PrincipalType, aws:username and aws:PrincipalServiceName are
	// derived from Principal when absent, and aws:ResourceAccount from
	// ResourceAccount or the resource ARN's account.
	Context map[string][]string
}

// NamedPolicy is a policy with the name it is known by (an inline policy
// name, a managed policy ARN), reported in results.
type NamedPolicy struct {
	Name   string
	Policy *Policy
}

// Decision is the outcome of an evaluation.
type Decision int

// Decisions, named after IAM's policy simulator.
const (
	DecisionImplicitDeny Decision = iota
	DecisionAllow
	DecisionExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case DecisionAllow:
		return "allowed"
	case DecisionExplicitDeny:
		return "explicitDeny"
	case DecisionImplicitDeny:
		return "implicitDeny"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// Result is a decision and the statement that decided it. For an implicit
// deny, and for the account root user's own full access, no statement
// decided: Policy is empty, StatementIndex is -1 and Statement is nil.
type Result struct {
	Decision       Decision
	Policy         string
	StatementIndex int
	Statement      *Statement
}

// Allowed reports whether the decision is an allow.
func (r Result) Allowed() bool { return r.Decision == DecisionAllow }

// Evaluate decides req against the caller's identity policies and an
// optional resource policy (a resource-based policy, or the role's trust
// policy when the action is an sts: action such as sts:AssumeRole), as IAM
// does:
//
//   - an explicit Deny in any applicable statement wins;
//   - within one account, an Allow in an identity policy, or in the
//     resource policy when its Principal names the caller (by ARN, as the
//     role of an assumed-role session, as a service, or "*"), allows;
//   - a resource policy that names only the caller's account trusts the
//     account: it allows only together with an identity-policy Allow;
//   - across accounts (the caller's account is not the resource's), both
//     are needed: an Allow in the caller's identity policies and an Allow
//     in the resource policy;
//   - a trust policy is mandatory: for sts: actions with a resource policy,
//     an identity Allow alone is not enough;
//   - the account root user may do anything in its own account except
//     sts: actions (root cannot assume roles), and counts as allowed by its
//     own account when it reaches into another;
//   - otherwise the request is implicitly denied.
//
// The first deciding statement is reported, identity policies in order
// before the resource policy; across accounts the resource policy's
// statement is reported, since it is the one that opens the door.
func Evaluate(req Request, identity []NamedPolicy, resource *NamedPolicy) Result {
	ev := evaluation{req: &req}
	ev.principal = parsePrincipalARN(req.Principal)
	ev.resourceAccount = ev.ownerOfResource()

	idAllow, deny := ev.identityPolicies(identity)
	if deny.Statement != nil {
		return deny
	}
	var res resourceOutcome
	if resource != nil && resource.Policy != nil {
		res = ev.resourcePolicy(resource)
		if res.deny.Statement != nil {
			return res.deny
		}
	}
	return ev.decide(idAllow, res, resource != nil && resource.Policy != nil)
}

// resourceOutcome is what a resource policy says: its first Deny, its first
// Allow naming the caller, and its first Allow naming only the caller's
// account.
type resourceOutcome struct {
	deny, allow, accountAllow Result
}

func noStatement(d Decision) Result {
	return Result{Decision: d, StatementIndex: -1}
}

// identityPolicies returns the first applicable Allow and Deny of the
// caller's identity policies.
func (ev *evaluation) identityPolicies(identity []NamedPolicy) (allow, deny Result) {
	allow, deny = noStatement(DecisionImplicitDeny), noStatement(DecisionImplicitDeny)
	for _, np := range identity {
		if np.Policy == nil {
			continue
		}
		ev.vars = np.Policy.Version == Version2012
		for i := range np.Policy.Statement {
			st := &np.Policy.Statement[i]
			if st.Principal != nil || st.NotPrincipal != nil {
				if m, _ := ev.principalApplies(st); !m {
					continue
				}
			}
			if !ev.statementApplies(st) {
				continue
			}
			switch st.Effect {
			case Deny:
				return allow, Result{Decision: DecisionExplicitDeny, Policy: np.Name, StatementIndex: i, Statement: st}
			case Allow:
				if allow.Statement == nil {
					allow = Result{Decision: DecisionAllow, Policy: np.Name, StatementIndex: i, Statement: st}
				}
			}
		}
	}
	return allow, deny
}

// resourcePolicy collects what the resource policy says about the caller.
func (ev *evaluation) resourcePolicy(resource *NamedPolicy) resourceOutcome {
	out := resourceOutcome{deny: noStatement(DecisionImplicitDeny), allow: noStatement(DecisionImplicitDeny), accountAllow: noStatement(DecisionImplicitDeny)}
	ev.vars = resource.Policy.Version == Version2012
	for i := range resource.Policy.Statement {
		st := &resource.Policy.Statement[i]
		m, viaAccount := ev.principalApplies(st)
		if !m || !ev.statementApplies(st) {
			continue
		}
		r := Result{Decision: DecisionAllow, Policy: resource.Name, StatementIndex: i, Statement: st}
		switch {
		case st.Effect == Deny:
			r.Decision = DecisionExplicitDeny
			return resourceOutcome{deny: r}
		case viaAccount:
			if out.accountAllow.Statement == nil {
				out.accountAllow = r
			}
		case out.allow.Statement == nil:
			out.allow = r
		}
	}
	return out
}

// decide combines the Allows once no Deny applied.
func (ev *evaluation) decide(idAllow Result, res resourceOutcome, hasResourcePolicy bool) Result {
	sts := hasPrefixFold(ev.req.Action, "sts:")
	root := ev.principal.kind == "root" && !sts
	if root && !ev.crossAccount() {
		// The account root user has full access to its account's resources;
		// only an explicit deny stops it.
		return noStatement(DecisionAllow)
	}
	// The caller's own account allows: an identity Allow, or, for the root
	// user, the account itself.
	callerAllows := idAllow.Statement != nil || root
	switch {
	case ev.crossAccount():
		if !callerAllows {
			break
		}
		if res.allow.Statement != nil {
			return res.allow
		}
		if res.accountAllow.Statement != nil {
			return res.accountAllow
		}
	case sts && hasResourcePolicy:
		if res.allow.Statement != nil {
			return res.allow
		}
		if res.accountAllow.Statement != nil && idAllow.Statement != nil {
			return res.accountAllow
		}
	case idAllow.Statement != nil:
		return idAllow
	case res.allow.Statement != nil:
		return res.allow
	}
	return noStatement(DecisionImplicitDeny)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// evaluation carries one request through the statements.
type evaluation struct {
	req             *Request
	principal       principalInfo
	resourceAccount string // the account that owns the resource ("" when unknown)
	vars            bool   // the current policy's version supports policy variables
	effect          Effect // the effect of the statement being evaluated
}

// principalInfo is what the evaluator needs to know about the caller.
type principalInfo struct {
	arn       string
	partition string
	account   string
	kind      string // "user", "role", "assumed-role", "root", "federated-user", "service", ""
	roleArn   string // for assumed-role sessions: the role's ARN without path
	roleName  string
	userName  string
}

// isServicePrincipal reports whether p is shaped like an AWS service
// principal such as "ssm.amazonaws.com".
func isServicePrincipal(p string) bool {
	return strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn")
}

func parsePrincipalARN(p string) principalInfo {
	info := principalInfo{arn: p}
	parts, ok := splitARN(p, false)
	if !ok || parts[0] != "arn" {
		if isServicePrincipal(p) {
			info.kind = "service"
		}
		return info
	}
	info.partition, info.account = parts[1], parts[4]
	res := parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		info.kind = "root"
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		info.kind = "user"
		info.userName = res[strings.LastIndexByte(res, '/')+1:]
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		info.kind = "role"
		info.roleName = res[strings.LastIndexByte(res, '/')+1:]
		info.roleArn = p
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		info.kind = "assumed-role"
		rest := strings.TrimPrefix(res, "assumed-role/")
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		info.roleName = rest
		info.roleArn = ARN{Partition: info.partition, Service: "iam", Account: info.account, Resource: "role/" + rest}.String()
	case parts[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		info.kind = "federated-user"
	}
	return info
}

// lookup returns a request-context key's values, case-insensitively, with
// the principal keys derived when the caller did not supply them. A key
// with no values counts as absent.
func (ev *evaluation) lookup(key string) ([]string, bool) {
	if v, ok := ev.req.Context[key]; ok {
		return v, len(v) > 0
	}
	for k, v := range ev.req.Context {
		if strings.EqualFold(k, key) {
			return v, len(v) > 0
		}
	}
	p := &ev.principal
	switch {
	case strings.EqualFold(key, "aws:PrincipalArn"):
		switch p.kind {
		case "assumed-role":
			return []string{p.roleArn}, true
		case "user", "role", "root", "federated-user":
			return []string{p.arn}, true
		}
	case strings.EqualFold(key, "aws:PrincipalAccount"):
		if p.account != "" {
			return []string{p.account}, true
		}
	case strings.EqualFold(key, "aws:username"):
		if p.kind == "user" {
			return []string{p.userName}, true
		}
	case strings.EqualFold(key, "aws:PrincipalServiceName"):
		if p.kind == "service" {
			return []string{p.arn}, true
		}
	case strings.EqualFold(key, "aws:ResourceAccount"):
		// Known from ResourceAccount or the resource ARN's account; an S3
		// ARN names none, so without ResourceAccount the key is absent.
		if a, ok := ev.namedResourceAccount(); ok {
			return []string{a}, true
		}
	case strings.EqualFold(key, "aws:PrincipalType"):
		switch p.kind {
		case "user":
			return []string{"User"}, true
		case "assumed-role", "role":
			// A role acts only through its sessions.
			return []string{"AssumedRole"}, true
		case "root":
			return []string{"Account"}, true
		case "federated-user":
			return []string{"FederatedUser"}, true
		}
	}
	return nil, false
}

// globPattern returns s as a glob pattern to match with escaping on, its
// policy variables substituted (and made literal) when vars is set. ok is
// false when a variable has no value.
func (ev *evaluation) globPattern(s string, vars bool) (string, bool) {
	if vars {
		p, esc, ok := expandVars(s, true, ev.lookup)
		if !ok {
			return "", false
		}
		if esc {
			return p, true
		}
	}
	return strings.ReplaceAll(s, `\`, `\\`), true
}

// literal returns s with its policy variables substituted when vars is
// set; ok is false when a variable has no value.
func (ev *evaluation) literal(s string, vars bool) (string, bool) {
	if !vars {
		return s, true
	}
	p, _, ok := expandVars(s, false, ev.lookup)
	return p, ok
}

// unresolved is what an element value whose policy variable has no value
// counts as. IAM treats the variable as null: the value matches nothing,
// so a negated operator or NotResource holds. That is kept for Deny
// statements, so a Deny applies wherever IAM applies it. An Allow must
// never grant because of a missing value, so there a negated test counts
// the value as matching and the statement does not apply.
func (ev *evaluation) unresolved(negated bool) bool {
	return negated && ev.effect != Deny
}

// statementApplies checks Action/NotAction, Resource/NotResource and
// Condition; the principal is checked by the caller.
func (ev *evaluation) statementApplies(st *Statement) bool {
	ev.effect = st.Effect
	switch {
	case st.Action.Values != nil:
		if !ev.anyAction(st.Action.Values) {
			return false
		}
	case st.NotAction.Values != nil:
		if ev.anyAction(st.NotAction.Values) {
			return false
		}
	default:
		return false
	}
	switch {
	case st.Resource.Values != nil:
		if !ev.anyResource(st.Resource.Values, false) {
			return false
		}
	case st.NotResource.Values != nil:
		if ev.anyResource(st.NotResource.Values, true) {
			return false
		}
	default:
		// Trust policies carry no Resource: the role itself is the resource.
		if st.Principal == nil && st.NotPrincipal == nil {
			return false
		}
	}
	return ev.conditionsHold(st.Condition)
}

func (ev *evaluation) anyAction(patterns []string) bool {
	for _, p := range patterns {
		if matchAction(p, ev.req.Action) {
			return true
		}
	}
	return false
}

// anyResource reports whether a Resource (or, negated, NotResource)
// pattern matches the request's resource.
func (ev *evaluation) anyResource(patterns []string, negated bool) bool {
	for _, p := range patterns {
		m, resolved := matchARN(p, ev.req.Resource, ev, ev.vars, arnResource)
		if !resolved {
			m = ev.unresolved(negated)
		}
		if m {
			return true
		}
	}
	return false
}

// principalApplies reports whether a statement's Principal (or
// NotPrincipal) covers the caller, and whether it did so only by naming
// the caller's whole account.
func (ev *evaluation) principalApplies(st *Statement) (match, viaAccount bool) {
	switch {
	case st.Principal != nil:
		return ev.principalMatches(st.Principal)
	case st.NotPrincipal != nil:
		m, _ := ev.principalMatches(st.NotPrincipal)
		return !m, false
	}
	return false, false
}

func (ev *evaluation) principalMatches(p *Principal) (match, viaAccount bool) {
	if p.Wildcard {
		return true, false
	}
	info := &ev.principal
	for _, id := range p.AWS.Values {
		if id == "*" {
			return true, false
		}
		if IsAccountID(id) {
			if info.account == id {
				viaAccount = true
			}
			continue
		}
		parts, ok := splitARN(id, false)
		if !ok {
			continue
		}
		if parts[2] == "iam" && parts[5] == "root" {
			if info.account == parts[4] && info.partition == parts[1] {
				viaAccount = true
			}
			continue
		}
		if id == info.arn {
			return true, false
		}
		if info.kind == "assumed-role" && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/") &&
			parts[1] == info.partition && parts[4] == info.account &&
			parts[5][strings.LastIndexByte(parts[5], '/')+1:] == info.roleName {
			return true, false
		}
	}
	for _, s := range p.Service.Values {
		if strings.EqualFold(s, info.arn) {
			return true, false
		}
	}
	for _, f := range p.Federated.Values {
		if f == info.arn {
			return true, false
		}
	}
	for _, c := range p.CanonicalUser.Values {
		if c == info.arn {
			return true, false
		}
	}
	return viaAccount, viaAccount
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ownerOfResource is the account that owns the request's resource:
// ResourceAccount, else the account field of the resource ARN, else the
// caller's account. Resources without an account (S3 buckets, AWS-owned
// documents, "*") and AWS managed policies (account "aws") are governed by
// the caller's own policies alone, so they count as the caller's.
func (ev *evaluation) ownerOfResource() string {
	if a, ok := ev.namedResourceAccount(); ok {
		return a
	}
	return ev.principal.account
}

// namedResourceAccount is the account the request names for its resource:
// ResourceAccount, else the account field of the resource ARN unless it is
// empty or "aws". ok is false when neither names one.
func (ev *evaluation) namedResourceAccount() (account string, ok bool) {
	if ev.req.ResourceAccount != "" {
		return ev.req.ResourceAccount, true
	}
	if parts, ok := splitARN(ev.req.Resource, false); ok && parts[4] != "" && parts[4] != "aws" {
		return parts[4], true
	}
	return "", false
}

// crossAccount reports whether the caller reaches into another account's
// resource. Service principals belong to no account.
func (ev *evaluation) crossAccount() bool {
	return ev.principal.account != "" && ev.resourceAccount != "" && ev.principal.account != ev.resourceAccount
}
