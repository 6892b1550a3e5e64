package policy

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// statementRules are the checks of one statement, in the order their
// findings are reported.
var statementRules = [...]func(*linter, *Statement, *field.Path){
	(*linter).sidRule,
	(*linter).effectRule,
	(*linter).actionRule,
	(*linter).principalRule,
	(*linter).resourceRule,
	(*linter).conditionRule,
	(*linter).securityRule,
}

func (l *linter) statement(st *Statement, path *field.Path) {
	for _, rule := range statementRules {
		rule(l, st, path)
	}
}

func validSid(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (l *linter) sidRule(st *Statement, path *field.Path) {
	if st.Sid != "" && !validSid(st.Sid) {
		l.errorf(path.Child("Sid"), CodeBadSid, "Sid %q must be alphanumeric (A-Z, a-z, 0-9)", st.Sid)
	}
}

// effectRule: IAM's Effect is case-sensitive, Allow or Deny.
func (l *linter) effectRule(st *Statement, path *field.Path) {
	switch st.Effect {
	case Allow, Deny:
	case "":
		l.errorf(path.Child("Effect"), CodeNoEffect, "missing Effect (Allow or Deny)")
	default:
		l.errorf(path.Child("Effect"), CodeBadEffect, "effect %q is not Allow or Deny", st.Effect)
	}
}

// actionRule: exactly one of Action and NotAction, each value well formed;
// trust policies grant only sts: actions.
func (l *linter) actionRule(st *Statement, path *field.Path) {
	actions, actPath := st.Action, path.Child("Action")
	switch {
	case !st.Action.IsZero() && !st.NotAction.IsZero():
		l.errorf(path, CodeActionAndNotAction, "a statement has Action or NotAction, not both")
	case st.Action.IsZero() && st.NotAction.IsZero():
		l.errorf(path, CodeNoAction, "a statement needs Action or NotAction")
	case st.Action.IsZero():
		actions, actPath = st.NotAction, path.Child("NotAction")
	}
	if !actions.IsZero() && actions.Len() == 0 {
		l.errorf(actPath, CodeEmpty, "empty list")
	}
	for i, a := range actions.Values {
		ap := elemPath(actPath, actions, i)
		l.action(a, ap)
		if l.kind == KindTrust && a != "*" && !hasPrefixFold(a, "sts:") {
			l.errorf(ap, CodeTrustAction, "trust policies grant only sts: actions (sts:AssumeRole, sts:TagSession...), not %q", a)
		}
	}
}

func elemPath(path *field.Path, s Strings, i int) *field.Path {
	if s.Scalar && len(s.Values) == 1 {
		return path
	}
	return path.Index(i)
}

func (l *linter) action(a string, path *field.Path) {
	if a == "*" {
		return
	}
	prefix, name, ok := splitAction(a)
	if !ok {
		l.errorf(path, CodeBadAction, "%s", name)
		return
	}
	l.actionKnown(a, prefix, name, path)
}

// splitAction splits "service:Action"; when the action is malformed, ok is
// false and name says why.
func splitAction(a string) (prefix, name string, ok bool) {
	prefix, name, ok = strings.Cut(a, ":")
	if !ok || prefix == "" || name == "" {
		return "", fmt.Sprintf("action %q must be \"service:Action\" or \"*\"", a), false
	}
	for _, r := range prefix {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return "", fmt.Sprintf("action %q has an invalid service prefix", a), false
		}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '*' || r == '?' || r == '-' || r == '_') {
			return "", fmt.Sprintf("action %q has an invalid character %q", a, r), false
		}
	}
	return prefix, name, true
}

// actionKnown warns about services and actions the catalog does not know.
func (l *linter) actionKnown(a, prefix, name string, path *field.Path) {
	if l.catalog == nil {
		return
	}
	if !l.catalog.HasPrefix(prefix) {
		l.warnf(path, CodeUnknownService, "service prefix %q is not a known IAM service", prefix)
		return
	}
	if !strings.ContainsAny(name, "*?") {
		if _, ok := l.catalog.Lookup(a); !ok {
			l.warnf(path, CodeUnknownAction, "%q is not a known IAM action", a)
		}
	}
}

// principalRule: identity policies have no Principal; trust and resource
// policies need exactly one of Principal and NotPrincipal, and trust
// policies do not support NotPrincipal.
func (l *linter) principalRule(st *Statement, path *field.Path) {
	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	switch l.kind {
	case KindIdentity:
		if hasPrincipal {
			l.errorf(path, CodePrincipalInIdentity, "Principal and NotPrincipal belong in trust and resource policies, not identity policies")
		}
	case KindTrust, KindResource:
		switch {
		case st.Principal != nil && st.NotPrincipal != nil:
			l.errorf(path, CodePrincipalAndNotPrincipal, "a statement has Principal or NotPrincipal, not both")
		case !hasPrincipal:
			l.errorf(path, CodeNoPrincipal, "a %s policy statement needs a Principal", l.kind)
		}
		if l.kind == KindTrust && st.NotPrincipal != nil {
			l.errorf(path.Child("NotPrincipal"), CodeNotPrincipalInTrust, "trust policies do not support NotPrincipal")
		}
	}
	if st.Principal != nil {
		l.principal(st.Principal, path.Child("Principal"))
	}
	if st.NotPrincipal != nil {
		l.principal(st.NotPrincipal, path.Child("NotPrincipal"))
	}
}

func (l *linter) principal(p *Principal, path *field.Path) {
	if p.Wildcard {
		return
	}
	if p.AWS.IsZero() && p.Service.IsZero() && p.Federated.IsZero() && p.CanonicalUser.IsZero() {
		l.errorf(path, CodeEmptyPrincipal, "principal names nobody")
	}
	for i, id := range p.AWS.Values {
		l.awsPrincipal(id, elemPath(path.Child("AWS"), p.AWS, i))
	}
	for i, s := range p.Service.Values {
		if !isServicePrincipal(s) {
			l.errorf(elemPath(path.Child("Service"), p.Service, i), CodeBadService, "service principal %q must end in .amazonaws.com", s)
		}
	}
}

func (l *linter) awsPrincipal(id string, path *field.Path) {
	switch {
	case id == "*", IsAccountID(id):
	case strings.HasPrefix(id, "arn:"):
		a, err := ParseARN(id)
		if err != nil || (a.Service != "iam" && a.Service != "sts") {
			l.errorf(path, CodeBadPrincipal, "AWS principal %q must be an account id, an IAM or STS ARN, or \"*\"", id)
		} else if strings.ContainsAny(id, "*?") {
			l.errorf(path, CodeWildcardPrincipal, "AWS principal %q: wildcards are not allowed in principal ARNs; use a condition on aws:PrincipalArn", id)
		}
	default:
		l.errorf(path, CodeBadPrincipal, "AWS principal %q must be an account id, an IAM or STS ARN, or \"*\"", id)
	}
}

// resourceRule: exactly one of Resource and NotResource outside trust
// policies, none in them; every value "*" or an ARN.
func (l *linter) resourceRule(st *Statement, path *field.Path) {
	res, resPath := st.Resource, path.Child("Resource")
	if st.Resource.IsZero() {
		res, resPath = st.NotResource, path.Child("NotResource")
	}
	switch {
	case l.kind == KindTrust:
		if !st.Resource.IsZero() || !st.NotResource.IsZero() {
			l.errorf(resPath, CodeResourceInTrust, "trust policies have no Resource: the role is the resource")
		}
		return
	case !st.Resource.IsZero() && !st.NotResource.IsZero():
		l.errorf(path, CodeResourceAndNotResource, "a statement has Resource or NotResource, not both")
	case res.IsZero():
		l.errorf(path, CodeNoResource, "a statement needs Resource or NotResource")
	}
	if !res.IsZero() && res.Len() == 0 {
		l.errorf(resPath, CodeEmpty, "empty list")
	}
	for i, r := range res.Values {
		l.resource(r, elemPath(resPath, res, i))
	}
}

func (l *linter) resource(r string, path *field.Path) {
	if r == "*" {
		return
	}
	l.variables(r, path)
	parts, ok := splitARN(r, true)
	if !strings.HasPrefix(r, "arn:") {
		if !strings.Contains(r, "${") {
			l.errorf(path, CodeBadResource, "resource %q must be an ARN or \"*\"", r)
		} else if !ok {
			l.errorf(path, CodeBadResource, "resource %q must be an ARN with six colon-separated parts or \"*\"", r)
		}
		return
	}
	if !ok {
		// A '*' that ends an ARN segment may span the colons after it
		// (reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards),
		// so "arn:aws:ec2:*" is a valid, if broad, pattern.
		short := strings.Split(r, ":")
		if len(short) < 3 || !strings.HasSuffix(short[len(short)-1], "*") {
			l.errorf(path, CodeBadResource, "resource %q must be an ARN with six colon-separated parts, a part ending in \"*\", or \"*\"", r)
			return
		}
		l.warnf(path, CodeSpanningWildcard, "resource %q: its final \"*\" spans the ARN's remaining parts; name each part (arn:partition:service:region:account:resource)", r)
		copy(parts[:], short)
	}
	// IAM rejects wildcards in the service: it names the one AWS product
	// the ARN belongs to. It is lower case.
	switch service := parts[2]; {
	case strings.ContainsAny(service, "*?"):
		l.errorf(path, CodeWildcardARNService, "resource %q: the service %q of an ARN cannot have wildcards", r, service)
	case !strings.Contains(service, "${") && service != strings.ToLower(service):
		l.errorf(path, CodeBadResource, "resource %q: the service %q of an ARN must be lower case", r, service)
	}
}

// variables reports a malformed policy variable; under version 2008-10-17
// (and without a Version) "${" is literal text.
func (l *linter) variables(s string, path *field.Path) {
	if l.version != Version2012 {
		return
	}
	if msg := variableProblem(s); msg != "" {
		l.errorf(path, CodeBadVariable, "%s", msg)
	}
}

// variableProblem says what is wrong with the first malformed ${...} in s,
// or returns "". A variable ends at the first "}"; ${*}, ${?} and ${$}
// stand for the literal characters; a default value follows a comma in
// single quotes: ${aws:PrincipalTag/team, 'none'}.
func variableProblem(s string) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return ""
		}
		rest := s[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return fmt.Sprintf("policy variable in %q has no closing brace", s)
		}
		if msg := variableNameProblem(rest[:j]); msg != "" {
			return msg
		}
		s = rest[j+1:]
	}
}

func variableNameProblem(inner string) string {
	switch inner {
	case "*", "?", "$":
		return ""
	}
	v := "${" + inner + "}"
	name, def, hasDef := strings.Cut(inner, ",")
	if hasDef {
		name = strings.TrimRight(name, " ")
	}
	switch {
	case strings.TrimSpace(inner) == "" || name == "":
		return fmt.Sprintf("policy variable %q names no key", v)
	case strings.ContainsAny(name, " \t\r\n"):
		return fmt.Sprintf("policy variable %q has white space in its key", v)
	case strings.IndexFunc(name, func(r rune) bool { return !variableKeyChar(r) }) >= 0:
		return fmt.Sprintf("policy variable %q has a character a condition key cannot have", v)
	}
	if d := strings.TrimSpace(def); hasDef && (len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'') {
		return fmt.Sprintf("policy variable %q: the default value must be in single quotes", v)
	}
	return ""
}

func variableKeyChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":/._-@+=", r)
}

func (l *linter) conditionRule(st *Statement, path *field.Path) {
	for _, op := range slices.Sorted(maps.Keys(st.Condition)) {
		l.conditionBlock(op, st.Condition[op], path.Child("Condition").Key(op))
	}
}

// conditionBlock checks one operator and its keys. Condition keys are
// case-insensitive, so IAM rejects a block naming one key twice in
// different case.
func (l *linter) conditionBlock(op string, keys map[string]ConditionValues, path *field.Path) {
	o, ok := parseOperator(op)
	if !ok {
		l.errorf(path, CodeBadOperator, "unknown condition operator %q", op)
		return
	}
	if len(keys) == 0 {
		l.errorf(path, CodeEmpty, "operator has no condition keys")
	}
	seen := make(map[string]string, len(keys))
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		kp := path.Key(key)
		if key == "" {
			l.errorf(kp, CodeBadKey, "empty condition key")
		}
		folded := strings.ToLower(key)
		if first, dup := seen[folded]; dup {
			l.errorf(kp, CodeDuplicateKey, "condition key %q repeats %q: keys are case-insensitive", key, first)
		} else {
			seen[folded] = key
		}
		l.conditionValues(o, keys[key], kp)
	}
}

func (l *linter) conditionValues(o operator, vals ConditionValues, path *field.Path) {
	if len(vals.Values) == 0 {
		l.errorf(path, CodeEmpty, "condition key has no values")
	}
	for i, v := range vals.Values {
		vp := valuePath(path, vals, i)
		if msg := checkConditionValue(o.family, v); msg != "" {
			l.errorf(vp, CodeBadConditionValue, "%s", msg)
		}
		if v.Kind == KindString {
			l.variables(v.Text, vp)
		}
	}
}

func valuePath(path *field.Path, vals ConditionValues, i int) *field.Path {
	if vals.Scalar && len(vals.Values) == 1 {
		return path
	}
	return path.Index(i)
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

func (l *linter) securityRule(st *Statement, path *field.Path) {
	if st.Effect == Allow {
		l.security(st, path)
	}
}

// security adds warnings for Allow statements that grant more than they
// seem to.
func (l *linter) security(st *Statement, path *field.Path) {
	if !st.NotAction.IsZero() {
		l.warnf(path.Child("NotAction"), CodeAllowNotAction, "Allow with NotAction grants every other action, including ones added to AWS later")
	}
	if !st.NotResource.IsZero() && l.kind != KindTrust {
		l.warnf(path.Child("NotResource"), CodeAllowNotResource, "Allow with NotResource grants every other resource")
	}
	if l.kind == KindTrust {
		l.trustSecurity(st, path)
		return
	}
	starResource := contains(st.Resource.Values, "*")
	passRole, passRoleScoped := false, false
	var writes []string
	for i, a := range st.Action.Values {
		ap := elemPath(path.Child("Action"), st.Action, i)
		_, name, _ := strings.Cut(a, ":")
		if a == "*" || name == "*" {
			l.warnf(ap, CodeStarAction, "action %q grants every action of %s", a, map[bool]string{true: "every service", false: "the service"}[a == "*"])
		}
		if matchAction(a, "iam:PassRole") {
			passRole = true
			passRoleScoped = !starResource
		}
		if starResource && l.writeAction(a) {
			writes = append(writes, a)
		}
	}
	if passRole {
		if !passRoleScoped {
			l.warnf(path.Child("Resource"), CodePassRoleStar, "iam:PassRole on \"*\" lets the holder hand any role to any service; name the roles")
		}
		if !hasConditionKey(st.Condition, "iam:PassedToService") {
			l.warnf(path, CodePassRoleNoService, "iam:PassRole without an iam:PassedToService condition lets the role be passed to any service")
		}
	}
	if len(writes) > 0 {
		l.warnf(path.Child("Resource"), CodeWriteStar, "write actions on \"*\": %s; scope them to resource ARNs", strings.Join(writes, ", "))
	}
}

// writeAction reports whether a is one named write action that could be
// scoped to resources (iam:PassRole has its own warning).
func (l *linter) writeAction(a string) bool {
	prefix, name, _ := strings.Cut(a, ":")
	if l.catalog == nil || strings.ContainsAny(name, "*?") || prefix == "" || strings.EqualFold(a, "iam:PassRole") {
		return false
	}
	act, ok := l.catalog.Lookup(a)
	return ok && act.Writes() && !act.WildcardOnly()
}

func (l *linter) trustSecurity(st *Statement, path *field.Path) {
	p := st.Principal
	if p == nil {
		return
	}
	if p.Wildcard || contains(p.AWS.Values, "*") {
		if len(st.Condition) == 0 {
			l.warnf(path.Child("Principal"), CodeTrustAnyone, "the role can be assumed by any AWS principal")
		}
	}
	if p.Service.Len() > 0 && !hasConditionKey(st.Condition, "aws:SourceAccount") && !hasConditionKey(st.Condition, "aws:SourceArn") {
		l.warnf(path.Child("Condition"), CodeConfusedDeputy, "a service is trusted without aws:SourceAccount or aws:SourceArn conditions (confused deputy)")
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

// characters reports strings with characters IAM does not accept in a
// policy document: only tab, line feed, carriage return and U+0020 to
// U+00FF.
func (l *linter) characters(p *Policy) {
	l.text(field.NewPath("Version"), p.Version)
	l.text(field.NewPath("Id"), p.Id)
	for i := range p.Statement {
		st, path := &p.Statement[i], statementPath(p, i)
		l.text(path.Child("Sid"), st.Sid)
		l.principalText(st.Principal, path.Child("Principal"))
		l.principalText(st.NotPrincipal, path.Child("NotPrincipal"))
		l.texts(path.Child("Action"), st.Action)
		l.texts(path.Child("NotAction"), st.NotAction)
		l.texts(path.Child("Resource"), st.Resource)
		l.texts(path.Child("NotResource"), st.NotResource)
		for _, op := range slices.Sorted(maps.Keys(st.Condition)) {
			opPath := path.Child("Condition").Key(op)
			l.text(opPath, op)
			for _, key := range slices.Sorted(maps.Keys(st.Condition[op])) {
				kp := opPath.Key(key)
				l.text(kp, key)
				vals := st.Condition[op][key]
				for j, v := range vals.Values {
					l.text(valuePath(kp, vals, j), v.Text)
				}
			}
		}
	}
}

func (l *linter) principalText(p *Principal, path *field.Path) {
	if p == nil {
		return
	}
	l.texts(path.Child("AWS"), p.AWS)
	l.texts(path.Child("Service"), p.Service)
	l.texts(path.Child("Federated"), p.Federated)
	l.texts(path.Child("CanonicalUser"), p.CanonicalUser)
}

func (l *linter) texts(path *field.Path, s Strings) {
	for i, v := range s.Values {
		l.text(elemPath(path, s, i), v)
	}
}

func (l *linter) text(path *field.Path, s string) {
	for _, r := range s {
		if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xFF) {
			l.errorf(path, CodeBadCharacter, "character %q is not allowed in a policy (only tab, line feed, carriage return and U+0020 to U+00FF)", r)
			return
		}
	}
}
