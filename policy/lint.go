package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
)

// Kind says what a policy is attached to, which decides its grammar.
type Kind int

// Policy kinds.
const (
	// KindIdentity is a policy attached to a user, group or role: no
	// Principal, a Resource in every statement.
	KindIdentity Kind = iota
	// KindTrust is a role's trust policy: a Principal in every statement,
	// no Resource.
	KindTrust
	// KindResource is a resource-based policy (bucket, topic, key...): a
	// Principal and a Resource in every statement.
	KindResource
)

func (k Kind) String() string {
	switch k {
	case KindIdentity:
		return "identity"
	case KindTrust:
		return "trust"
	case KindResource:
		return "resource"
	}
	return "Kind(" + itoa(int(k)) + ")"
}

// Size quotas of IAM, counted in characters without white space.
const (
	LimitManaged     = 6144  // customer managed policy
	LimitRoleInline  = 10240 // all inline policies of a role together
	LimitUserInline  = 2048  // all inline policies of a user together
	LimitGroupInline = 5120  // all inline policies of a group together
	LimitTrust       = 2048  // a role trust policy (default quota)
)

// Severity of a lint finding.
type Severity int

// Severities.
const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Finding is one lint problem with the wire path of the element.
type Finding struct {
	Severity Severity
	Path     string
	Code     string
	Message  string
}

func (f Finding) String() string {
	p := f.Path
	if p == "" {
		p = "(policy)"
	}
	if f.Severity == SeverityWarning {
		return p + ": warning: " + f.Message
	}
	return p + ": " + f.Message
}

// LintError carries the grammar errors of a policy or statement; match it
// with errors.As.
type LintError struct {
	Findings []Finding
}

func (e *LintError) Error() string {
	var b strings.Builder
	b.WriteString("policy: ")
	for i, f := range e.Findings {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Is makes a LintError match ErrInvalidPolicy.
func (e *LintError) Is(target error) bool { return target == ErrInvalidPolicy }

// LintOptions tune Lint.
type LintOptions struct {
	// SizeLimit is the quota in characters without white space; zero picks
	// LimitManaged for identity and resource policies and LimitTrust for
	// trust policies; negative disables the check.
	SizeLimit int
}

// Report is the outcome of Lint.
type Report struct {
	Findings []Finding
	// Size is the policy's length in characters without white space.
	Size int
}

// Errors returns the error findings.
func (r Report) Errors() []Finding { return r.filter(SeverityError) }

// Warnings returns the warning findings.
func (r Report) Warnings() []Finding { return r.filter(SeverityWarning) }

func (r Report) filter(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// Err returns a *LintError with the error findings, or nil.
func (r Report) Err() error {
	if errs := r.Errors(); len(errs) > 0 {
		return &LintError{Findings: errs}
	}
	return nil
}

// Lint checks a policy of the given kind: grammar (errors), size quota
// (error), and security smells (warnings): "*" actions, iam:PassRole on "*"
// or without iam:PassedToService, write actions on "*", Allow with
// NotAction or NotResource, a service trusted without confused-deputy
// conditions.
func Lint(p *Policy, kind Kind, optFns ...func(*LintOptions)) Report {
	var o LintOptions
	for _, f := range optFns {
		f(&o)
	}
	l := linter{kind: kind, catalog: iamcatalog.Load()}
	if p == nil {
		l.errorf("", "empty", "no policy")
		return Report{Findings: l.findings}
	}
	switch p.Version {
	case Version2012:
	case Version2008:
		l.warnf("Version", "legacy-version", "version 2008-10-17 does not support policy variables; use 2012-10-17")
	case "":
		l.warnf("Version", "missing-version", "no Version: IAM assumes 2008-10-17, which does not support policy variables; use 2012-10-17")
	default:
		l.errorf("Version", "bad-version", "version %q is not 2012-10-17", p.Version)
	}
	if len(p.Statement) == 0 {
		l.errorf("Statement", "no-statement", "a policy needs at least one statement")
	}
	sids := map[string]int{}
	for i := range p.Statement {
		path := "Statement[" + itoa(i) + "]"
		if p.SingleStatement() {
			path = "Statement"
		}
		st := &p.Statement[i]
		if st.Sid != "" {
			if j, dup := sids[st.Sid]; dup {
				l.errorf(path+".Sid", "duplicate-sid", "Sid %q is also used by Statement[%d]", st.Sid, j)
			} else {
				sids[st.Sid] = i
			}
		}
		l.statement(st, path)
	}
	size := 0
	if b, err := p.Compact(); err != nil {
		l.errorf("", "encode", "%v", err)
	} else {
		size = Size(b)
	}
	limit := o.SizeLimit
	if limit == 0 {
		limit = LimitManaged
		if kind == KindTrust {
			limit = LimitTrust
		}
	}
	if limit > 0 && size > limit {
		l.errorf("", "size", "policy is %d characters without white space, over the %d quota", size, limit)
	}
	return Report{Findings: l.findings, Size: size}
}

// Size counts the characters of an encoded policy that IAM's quotas count:
// everything but white space.
func Size(encoded []byte) int {
	n := 0
	for _, r := range string(encoded) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

type linter struct {
	kind     Kind
	catalog  *iamcatalog.Catalog
	findings []Finding
}

func (l *linter) errorf(path, code, format string, args ...any) {
	l.findings = append(l.findings, Finding{Severity: SeverityError, Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) warnf(path, code, format string, args ...any) {
	l.findings = append(l.findings, Finding{Severity: SeverityWarning, Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (l *linter) errors() []Finding {
	var out []Finding
	for _, f := range l.findings {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

func validSid(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (l *linter) statement(st *Statement, path string) {
	if st.Sid != "" && !validSid(st.Sid) {
		l.errorf(path+".Sid", "bad-sid", "Sid %q must be alphanumeric (A-Z, a-z, 0-9)", st.Sid)
	}
	switch st.Effect {
	case Allow, Deny:
	case "":
		l.errorf(path+".Effect", "no-effect", "missing Effect (Allow or Deny)")
	default:
		l.errorf(path+".Effect", "bad-effect", "effect %q is not Allow or Deny", st.Effect)
	}

	// Action xor NotAction.
	actions, actPath := st.Action, path+".Action"
	switch {
	case !st.Action.IsZero() && !st.NotAction.IsZero():
		l.errorf(path, "action-and-notaction", "a statement has Action or NotAction, not both")
	case st.Action.IsZero() && st.NotAction.IsZero():
		l.errorf(path, "no-action", "a statement needs Action or NotAction")
	case st.Action.IsZero():
		actions, actPath = st.NotAction, path+".NotAction"
	}
	if !actions.IsZero() && actions.Len() == 0 {
		l.errorf(actPath, "empty", "empty list")
	}
	for i, a := range actions.Values {
		ap := elemPath(actPath, actions, i)
		l.action(a, ap)
		if l.kind == KindTrust && a != "*" && !hasPrefixFold(a, "sts:") {
			l.errorf(ap, "trust-action", "trust policies grant only sts: actions (sts:AssumeRole, sts:TagSession...), not %q", a)
		}
	}

	// Principal rules depend on the kind.
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	switch l.kind {
	case KindIdentity:
		if hasPrincipal {
			l.errorf(path, "principal-in-identity", "Principal and NotPrincipal belong in trust and resource policies, not identity policies")
		}
	case KindTrust, KindResource:
		switch {
		case st.Principal != nil && st.NotPrincipal != nil:
			l.errorf(path, "principal-and-notprincipal", "a statement has Principal or NotPrincipal, not both")
		case !hasPrincipal:
			l.errorf(path, "no-principal", "a %s policy statement needs a Principal", l.kind)
		}
		if l.kind == KindTrust && st.NotPrincipal != nil {
			l.errorf(path+".NotPrincipal", "notprincipal-in-trust", "trust policies do not support NotPrincipal")
		}
	}
	if st.Principal != nil {
		l.principal(st.Principal, path+".Principal")
	}
	if st.NotPrincipal != nil {
		l.principal(st.NotPrincipal, path+".NotPrincipal")
	}

	// Resource xor NotResource; none in trust policies.
	res, resPath := st.Resource, path+".Resource"
	if st.Resource.IsZero() {
		res, resPath = st.NotResource, path+".NotResource"
	}
	switch {
	case l.kind == KindTrust:
		if !st.Resource.IsZero() || !st.NotResource.IsZero() {
			l.errorf(resPath, "resource-in-trust", "trust policies have no Resource: the role is the resource")
		}
	case !st.Resource.IsZero() && !st.NotResource.IsZero():
		l.errorf(path, "resource-and-notresource", "a statement has Resource or NotResource, not both")
	case res.IsZero():
		l.errorf(path, "no-resource", "a statement needs Resource or NotResource")
	}
	if l.kind != KindTrust {
		if !res.IsZero() && res.Len() == 0 {
			l.errorf(resPath, "empty", "empty list")
		}
		for i, r := range res.Values {
			if r == "*" {
				continue
			}
			if a, err := ParseARN(r); err != nil || a.Partition == "" {
				if !strings.HasPrefix(r, "arn:") && !strings.Contains(r, "${") {
					l.errorf(elemPath(resPath, res, i), "bad-resource", "resource %q must be an ARN or \"*\"", r)
				} else if _, ok := splitARN(r, true); !ok {
					l.errorf(elemPath(resPath, res, i), "bad-resource", "resource %q must be an ARN with six colon-separated parts or \"*\"", r)
				}
			}
		}
	}

	l.conditions(st.Condition, path+".Condition")
	if st.Effect == Allow {
		l.security(st, path)
	}
}

func elemPath(path string, s Strings, i int) string {
	if s.Scalar && len(s.Values) == 1 {
		return path
	}
	return indexPath(path, i)
}

func (l *linter) action(a, path string) {
	if a == "*" {
		return
	}
	prefix, name, ok := strings.Cut(a, ":")
	if !ok || prefix == "" || name == "" {
		l.errorf(path, "bad-action", "action %q must be \"service:Action\" or \"*\"", a)
		return
	}
	for _, r := range prefix {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			l.errorf(path, "bad-action", "action %q has an invalid service prefix", a)
			return
		}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '*' || r == '?' || r == '-' || r == '_') {
			l.errorf(path, "bad-action", "action %q has an invalid character %q", a, r)
			return
		}
	}
	if l.catalog == nil {
		return
	}
	if !l.catalog.HasPrefix(prefix) {
		l.warnf(path, "unknown-service", "service prefix %q is not a known IAM service", prefix)
		return
	}
	if !strings.ContainsAny(name, "*?") {
		if _, ok := l.catalog.Lookup(a); !ok {
			l.warnf(path, "unknown-action", "%q is not a known IAM action", a)
		}
	}
}

func (l *linter) principal(p *Principal, path string) {
	if p.Wildcard {
		return
	}
	if p.AWS.IsZero() && p.Service.IsZero() && p.Federated.IsZero() && p.CanonicalUser.IsZero() {
		l.errorf(path, "empty-principal", "principal names nobody")
	}
	for i, id := range p.AWS.Values {
		ep := elemPath(path+".AWS", p.AWS, i)
		switch {
		case id == "*", isAccountID(id):
		case strings.HasPrefix(id, "arn:"):
			a, err := ParseARN(id)
			if err != nil || (a.Service != "iam" && a.Service != "sts") {
				l.errorf(ep, "bad-principal", "AWS principal %q must be an account id, an IAM or STS ARN, or \"*\"", id)
			} else if strings.ContainsAny(id, "*?") {
				l.errorf(ep, "wildcard-principal", "AWS principal %q: wildcards are not allowed in principal ARNs; use a condition on aws:PrincipalArn", id)
			}
		default:
			l.errorf(ep, "bad-principal", "AWS principal %q must be an account id, an IAM or STS ARN, or \"*\"", id)
		}
	}
	for i, s := range p.Service.Values {
		if !strings.HasSuffix(s, ".amazonaws.com") && !strings.HasSuffix(s, ".amazonaws.com.cn") {
			l.errorf(elemPath(path+".Service", p.Service, i), "bad-service", "service principal %q must end in .amazonaws.com", s)
		}
	}
}

func (l *linter) conditions(c Conditions, path string) {
	for _, op := range sortedKeys(c) {
		keys := c[op]
		opPath := childPath(path, op)
		o, ok := parseOperator(op)
		if !ok {
			l.errorf(opPath, "bad-operator", "unknown condition operator %q", op)
			continue
		}
		if len(keys) == 0 {
			l.errorf(opPath, "empty", "operator has no condition keys")
		}
		for _, key := range sortedKeys(keys) {
			vals := keys[key]
			kp := childPath(opPath, key)
			if key == "" {
				l.errorf(kp, "bad-key", "empty condition key")
			}
			if len(vals.Values) == 0 {
				l.errorf(kp, "empty", "condition key has no values")
			}
			for i, v := range vals.Values {
				vp := kp
				if !vals.Scalar || len(vals.Values) != 1 {
					vp = indexPath(kp, i)
				}
				if msg := checkConditionValue(o.family, v); msg != "" {
					l.errorf(vp, "bad-condition-value", "%s", msg)
				}
			}
		}
	}
}

func checkConditionValue(f opFamily, v Value) string {
	switch f {
	case opNull, opBool:
		if !strings.Contains(v.Text, "${") {
			if !strings.EqualFold(v.Text, "true") && !strings.EqualFold(v.Text, "false") {
				return fmt.Sprintf("value %q must be true or false", v.Text)
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		if _, err := strconv.ParseFloat(v.Text, 64); err != nil {
			return fmt.Sprintf("value %q is not a number", v.Text)
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		if _, ok := ParseDate(v.Text); !ok {
			return fmt.Sprintf("value %q is not an ISO 8601 date or epoch seconds", v.Text)
		}
	case opIPAddress:
		if _, err := netip.ParsePrefix(v.Text); err != nil {
			if _, err := netip.ParseAddr(v.Text); err != nil {
				return fmt.Sprintf("value %q is not an IP address or CIDR block", v.Text)
			}
		}
	}
	return ""
}

// security adds warnings for Allow statements that grant more than they
// seem to.
func (l *linter) security(st *Statement, path string) {
	if !st.NotAction.IsZero() {
		l.warnf(path+".NotAction", "allow-notaction", "Allow with NotAction grants every other action, including ones added to AWS later")
	}
	if !st.NotResource.IsZero() && l.kind != KindTrust {
		l.warnf(path+".NotResource", "allow-notresource", "Allow with NotResource grants every other resource")
	}
	if l.kind == KindTrust {
		l.trustSecurity(st, path)
		return
	}
	starResource := false
	for _, r := range st.Resource.Values {
		if r == "*" {
			starResource = true
		}
	}
	passRole, passRoleScoped := false, false
	var writes []string
	for i, a := range st.Action.Values {
		ap := elemPath(path+".Action", st.Action, i)
		prefix, name, _ := strings.Cut(a, ":")
		if a == "*" || name == "*" {
			l.warnf(ap, "star-action", "action %q grants every action of %s", a, map[bool]string{true: "every service", false: "the service"}[a == "*"])
		}
		if matchAction(a, "iam:PassRole") {
			passRole = true
			passRoleScoped = !starResource
		}
		if starResource && l.catalog != nil && !strings.ContainsAny(name, "*?") && prefix != "" && !strings.EqualFold(a, "iam:PassRole") {
			if act, ok := l.catalog.Lookup(a); ok && act.Writes() && !act.WildcardOnly() {
				writes = append(writes, a)
			}
		}
	}
	if passRole {
		if !passRoleScoped {
			l.warnf(path+".Resource", "passrole-star", "iam:PassRole on \"*\" lets the holder hand any role to any service; name the roles")
		}
		if !hasConditionKey(st.Condition, "iam:PassedToService") {
			l.warnf(path, "passrole-no-service", "iam:PassRole without an iam:PassedToService condition lets the role be passed to any service")
		}
	}
	if len(writes) > 0 {
		l.warnf(path+".Resource", "write-star", "write actions on \"*\": %s; scope them to resource ARNs", strings.Join(writes, ", "))
	}
}

func (l *linter) trustSecurity(st *Statement, path string) {
	p := st.Principal
	if p == nil {
		return
	}
	if p.Wildcard || contains(p.AWS.Values, "*") {
		if len(st.Condition) == 0 {
			l.warnf(path+".Principal", "trust-anyone", "the role can be assumed by any AWS principal")
		}
	}
	if p.Service.Len() > 0 && !hasConditionKey(st.Condition, "aws:SourceAccount") && !hasConditionKey(st.Condition, "aws:SourceArn") {
		l.warnf(path+".Condition", "confused-deputy", "a service is trusted without aws:SourceAccount or aws:SourceArn conditions (confused deputy)")
	}
}

func hasConditionKey(c Conditions, key string) bool {
	for _, keys := range c {
		for k := range keys {
			if strings.EqualFold(k, key) {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
