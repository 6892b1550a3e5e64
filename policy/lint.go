package policy

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
)

// Kind says what a policy is attached to, which decides its grammar and
// its size quota.
type Kind int

// Policy kinds. KindIdentity, KindTrust and KindResource name a grammar;
// the inline and managed kinds are identity policies with IAM's quota for
// where they are stored.
const (
	// KindIdentity is a policy attached to a user, group or role: no
	// Principal, a Resource in every statement. Its quota is a managed
	// policy's.
	KindIdentity Kind = iota
	// KindTrust is a role's trust policy: a Principal in every statement,
	// no Resource.
	KindTrust
	// KindResource is a resource-based policy (bucket, topic, key...): a
	// Principal and a Resource in every statement.
	KindResource
	// KindUserInline is an inline policy of a user; the quota is for all
	// of the user's inline policies together.
	KindUserInline
	// KindRoleInline is an inline policy of a role; the quota is for all
	// of the role's inline policies together.
	KindRoleInline
	// KindGroupInline is an inline policy of a group; the quota is for all
	// of the group's inline policies together.
	KindGroupInline
	// KindManaged is a customer managed policy.
	KindManaged
)

var kindNames = [...]string{
	KindIdentity:    "identity",
	KindTrust:       "trust",
	KindResource:    "resource",
	KindUserInline:  "user-inline",
	KindRoleInline:  "role-inline",
	KindGroupInline: "group-inline",
	KindManaged:     "managed",
}

func (k Kind) valid() bool { return k >= 0 && int(k) < len(kindNames) }

func (k Kind) String() string {
	if k.valid() {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind returns the Kind named by its String form, such as "trust" or
// "role-inline".
func ParseKind(s string) (Kind, bool) {
	for k, name := range kindNames {
		if name == s {
			return Kind(k), true
		}
	}
	return 0, false
}

// Grammar returns the kind whose grammar applies: KindIdentity for the
// inline and managed kinds, the kind itself otherwise.
func (k Kind) Grammar() Kind {
	switch k {
	case KindUserInline, KindRoleInline, KindGroupInline, KindManaged:
		return KindIdentity
	}
	return k
}

// Size quotas of IAM, counted as Size counts.
const (
	LimitManaged     = 6144  // customer managed policy
	LimitRoleInline  = 10240 // all inline policies of a role together
	LimitUserInline  = 2048  // all inline policies of a user together
	LimitGroupInline = 5120  // all inline policies of a group together
	LimitTrust       = 2048  // a role trust policy (default quota)
)

// MaxSize returns IAM's size quota for a kind of policy: for inline kinds
// the quota of all the entity's inline policies together. KindIdentity has
// the managed policy quota, and so does KindResource, whose real quota
// depends on the service. It returns 0 for an unknown kind.
func MaxSize(kind Kind) int {
	switch kind {
	case KindIdentity, KindManaged, KindResource:
		return LimitManaged
	case KindTrust:
		return LimitTrust
	case KindUserInline:
		return LimitUserInline
	case KindRoleInline:
		return LimitRoleInline
	case KindGroupInline:
		return LimitGroupInline
	}
	return 0
}

// ErrPolicyTooLarge is matched (errors.Is) by a *SizeError and by a
// *LintError with a CodeSize finding: the policy is over its quota, which
// IAM reports as LimitExceeded rather than MalformedPolicyDocument.
var ErrPolicyTooLarge = errors.New("policy exceeds its size quota")

// SizeError says policies are over their quota.
type SizeError struct {
	Kind  Kind
	Size  int // characters, as Size counts them
	Limit int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("policy: %s policy size %d exceeds the %d character quota", e.Kind, e.Size, e.Limit)
}

// Is makes a SizeError match ErrPolicyTooLarge.
func (e *SizeError) Is(target error) bool { return target == ErrPolicyTooLarge }

// CheckSize returns a *SizeError when the documents together exceed the
// quota of the kind: to check an inline policy, pass it with the entity's
// other inline policies (leaving out the one it replaces, if any). An
// unknown kind is always over quota.
func CheckSize(kind Kind, documents ...[]byte) error {
	total := 0
	for _, d := range documents {
		total += Size(d)
	}
	if limit := MaxSize(kind); limit == 0 || total > limit {
		return &SizeError{Kind: kind, Size: total, Limit: limit}
	}
	return nil
}

// Size counts the characters of an encoded policy that IAM's quotas count:
// everything but the white space between JSON tokens. White space inside
// string values is part of the policy and counts.
func Size(encoded []byte) int {
	n := 0
	inString, escaped := false, false
	for _, r := range string(encoded) {
		switch {
		case inString:
			n++
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
			}
		case r == '"':
			n++
			inString = true
		case !unicode.IsSpace(r):
			n++
		}
	}
	return n
}

// Severity of a lint finding: SeverityError or SeverityWarning, whose
// String is "error" or "warning". It is runbook.Severity too.
type Severity = field.Severity

// Severities.
const (
	SeverityError   = field.SeverityError
	SeverityWarning = field.SeverityWarning
)

// Lint finding codes, the Code of a Finding.
const (
	// Policy.
	CodeEmpty          = "empty"           // no policy, an empty list or condition block
	CodeBadKind        = "bad-kind"        // Lint was given an unknown Kind
	CodeBadVersion     = "bad-version"     // a Version IAM does not define
	CodeLegacyVersion  = "legacy-version"  // warning: 2008-10-17
	CodeMissingVersion = "missing-version" // warning: no Version
	CodeNoStatement    = "no-statement"    // no statements
	CodeDuplicateSid   = "duplicate-sid"   // two statements share a Sid
	CodeEncode         = "encode"          // the policy does not encode
	CodeSize           = "size"            // over the quota; see ErrPolicyTooLarge
	CodeBadCharacter   = "bad-character"   // a character IAM does not accept in a policy

	// Statement grammar.
	CodeBadSid                   = "bad-sid"
	CodeNoEffect                 = "no-effect"
	CodeBadEffect                = "bad-effect"
	CodeActionAndNotAction       = "action-and-notaction"
	CodeNoAction                 = "no-action"
	CodeBadAction                = "bad-action"
	CodeTrustAction              = "trust-action"
	CodePrincipalInIdentity      = "principal-in-identity"
	CodePrincipalAndNotPrincipal = "principal-and-notprincipal"
	CodeNoPrincipal              = "no-principal"
	CodeNotPrincipalInTrust      = "notprincipal-in-trust"
	CodeEmptyPrincipal           = "empty-principal"
	CodeBadPrincipal             = "bad-principal"
	CodeWildcardPrincipal        = "wildcard-principal"
	CodeBadService               = "bad-service"
	CodeResourceInTrust          = "resource-in-trust"
	CodeResourceAndNotResource   = "resource-and-notresource"
	CodeNoResource               = "no-resource"
	CodeBadResource              = "bad-resource"
	CodeSpanningWildcard         = "spanning-wildcard"
	CodeWildcardARNService       = "wildcard-arn-service" // "*" or "?" in an ARN's service
	CodeBadVariable              = "bad-variable"         // a malformed ${...} policy variable
	CodeBadOperator              = "bad-operator"
	CodeBadKey                   = "bad-key"
	CodeDuplicateKey             = "duplicate-key" // condition keys equal but for case
	CodeBadConditionValue        = "bad-condition-value"

	// Warnings.
	CodeUnknownService    = "unknown-service"
	CodeUnknownAction     = "unknown-action"
	CodeAllowNotAction    = "allow-notaction"
	CodeAllowNotResource  = "allow-notresource"
	CodeStarAction        = "star-action"
	CodePassRoleStar      = "passrole-star"
	CodePassRoleNoService = "passrole-no-service"
	CodeWriteStar         = "write-star"
	CodeTrustAnyone       = "trust-anyone"
	CodeConfusedDeputy    = "confused-deputy"
)

// Finding is one lint problem with the wire path of the element.
type Finding struct {
	Severity Severity
	Path     string
	Code     string // one of the Code constants
	Message  string
}

func (f Finding) String() string {
	p := f.Path
	if p == "" {
		p = "(policy)"
	}
	return field.Error{Path: p, Detail: f.Message, Severity: f.Severity}.Error()
}

// findingOf wraps a field error as a Finding; lint findings carry no
// value or allowed text.
func findingOf(e field.Error) Finding {
	return Finding{Severity: e.Severity, Path: e.Path, Code: e.Code, Message: e.Detail}
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

// Is makes a LintError match ErrInvalidPolicy, and ErrPolicyTooLarge when
// one of its findings is CodeSize.
func (e *LintError) Is(target error) bool {
	switch target {
	case ErrInvalidPolicy:
		return true
	case ErrPolicyTooLarge:
		return slices.ContainsFunc(e.Findings, func(f Finding) bool { return f.Code == CodeSize })
	}
	return false
}

// LintOptions tune Lint.
type LintOptions struct {
	// SizeLimit is the quota in characters as Size counts them; zero picks
	// MaxSize of the kind; negative disables the check.
	SizeLimit int
	// OtherSize is the size of the other policies sharing the quota, such
	// as a role's other inline policies; it is added to the policy's own.
	OtherSize int
}

// Report is the outcome of Lint.
type Report struct {
	Findings []Finding
	// Size is the policy's length as Size counts it.
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

// Lint checks a policy of the given kind: what IAM rejects (errors: the
// grammar, malformed ARNs and policy variables, condition keys repeated
// with different case, characters outside Latin-1, the size quota), and
// security smells (warnings): "*" actions, iam:PassRole on "*" or without
// iam:PassedToService, write actions on "*", Allow with NotAction or
// NotResource, a service trusted without confused-deputy conditions.
func Lint(p *Policy, kind Kind, optFns ...func(*LintOptions)) Report {
	var o LintOptions
	for _, f := range optFns {
		f(&o)
	}
	l := linter{kind: kind.Grammar(), catalog: iamcatalog.Load()}
	if !kind.valid() {
		l.errorf(nil, CodeBadKind, "unknown policy kind %v", kind)
		return Report{Findings: l.findings()}
	}
	if p == nil {
		l.errorf(nil, CodeEmpty, "no policy")
		return Report{Findings: l.findings()}
	}
	l.version = p.Version
	l.policyVersion(p.Version)
	l.statements(p)
	l.characters(p)
	size := 0
	if b, err := p.Compact(); err != nil {
		l.errorf(nil, CodeEncode, "%v", err)
	} else {
		size = Size(b)
	}
	limit := o.SizeLimit
	if limit == 0 {
		limit = MaxSize(kind)
	}
	if total := size + o.OtherSize; limit > 0 && total > limit {
		if o.OtherSize > 0 {
			l.errorf(nil, CodeSize, "policy is %d characters and the others sharing its quota %d, together over the %d quota of %s policies", size, o.OtherSize, limit, kind)
		} else {
			l.errorf(nil, CodeSize, "policy is %d characters, over the %d quota of %s policies", size, limit, kind)
		}
	}
	return Report{Findings: l.findings(), Size: size}
}

func (l *linter) policyVersion(v string) {
	switch v {
	case Version2012:
	case Version2008:
		l.warnf(field.NewPath("Version"), CodeLegacyVersion, "version 2008-10-17 does not support policy variables; use 2012-10-17")
	case "":
		l.warnf(field.NewPath("Version"), CodeMissingVersion, "no Version: IAM assumes 2008-10-17, which does not support policy variables; use 2012-10-17")
	default:
		l.errorf(field.NewPath("Version"), CodeBadVersion, "version %q is not 2012-10-17 or 2008-10-17", v)
	}
}

func (l *linter) statements(p *Policy) {
	if len(p.Statement) == 0 {
		l.errorf(field.NewPath("Statement"), CodeNoStatement, "a policy needs at least one statement")
	}
	sids := map[string]int{}
	for i := range p.Statement {
		path := statementPath(p, i)
		st := &p.Statement[i]
		if st.Sid != "" {
			if j, dup := sids[st.Sid]; dup {
				l.errorf(path.Child("Sid"), CodeDuplicateSid, "Sid %q is also used by Statement[%d]", st.Sid, j)
			} else {
				sids[st.Sid] = i
			}
		}
		l.statement(st, path)
	}
}

func statementPath(p *Policy, i int) *field.Path {
	if p.SingleStatement() {
		return field.NewPath("Statement")
	}
	return field.NewPath("Statement").Index(i)
}

type linter struct {
	kind     Kind   // the grammar: KindIdentity, KindTrust or KindResource
	version  string // the policy's Version, which decides whether ${...} is a variable
	catalog  *iamcatalog.Catalog
	problems field.List
}

func (l *linter) errorf(path *field.Path, code, format string, args ...any) {
	l.problems.Errorf(code, path, format, args...)
}

func (l *linter) warnf(path *field.Path, code, format string, args ...any) {
	l.problems.Warnf(code, path, format, args...)
}

// findings returns the findings so far, nil when there are none.
func (l *linter) findings() []Finding { return findingsOf(l.problems) }

// errors returns the error findings so far.
func (l *linter) errors() []Finding { return findingsOf(l.problems.Errors()) }

func findingsOf(list field.List) []Finding {
	if len(list) == 0 {
		return nil
	}
	out := make([]Finding, len(list))
	for i, e := range list {
		out[i] = findingOf(e)
	}
	return out
}

func contains(list []string, s string) bool {
	return slices.Contains(list, s)
}
