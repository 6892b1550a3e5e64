package policy

import "github.com/ssmdelegate/ssmdelegate/internal/field"

// StatementBuilder builds a Statement fluently. Methods have value
// receivers and never modify the receiver, so a partly built statement can
// be shared and extended in several directions.
type StatementBuilder struct {
	s Statement
}

// Allowing starts an Allow statement for the actions.
func Allowing(actions ...string) StatementBuilder {
	return StatementBuilder{s: Statement{Effect: Allow}}.Actions(actions...)
}

// Denying starts a Deny statement for the actions.
func Denying(actions ...string) StatementBuilder {
	return StatementBuilder{s: Statement{Effect: Deny}}.Actions(actions...)
}

// NewStatement starts a statement with the effect and nothing else.
func NewStatement(effect Effect) StatementBuilder {
	return StatementBuilder{s: Statement{Effect: effect}}
}

func (b StatementBuilder) edit(f func(*Statement)) StatementBuilder {
	s := b.s.Clone()
	f(&s)
	return StatementBuilder{s: s}
}

func appendStrings(s Strings, values []string) Strings {
	if len(values) == 0 {
		return s
	}
	out := List(append(append([]string{}, s.Values...), values...)...)
	return out
}

// Sid sets the statement id.
func (b StatementBuilder) Sid(sid string) StatementBuilder {
	return b.edit(func(s *Statement) { s.Sid = sid })
}

// Actions adds actions.
func (b StatementBuilder) Actions(actions ...string) StatementBuilder {
	return b.edit(func(s *Statement) { s.Action = appendStrings(s.Action, actions) })
}

// NotActions adds actions to NotAction.
func (b StatementBuilder) NotActions(actions ...string) StatementBuilder {
	return b.edit(func(s *Statement) { s.NotAction = appendStrings(s.NotAction, actions) })
}

// Resources adds resource ARNs (or "*").
func (b StatementBuilder) Resources(arns ...string) StatementBuilder {
	return b.edit(func(s *Statement) { s.Resource = appendStrings(s.Resource, arns) })
}

// NotResources adds resource ARNs to NotResource.
func (b StatementBuilder) NotResources(arns ...string) StatementBuilder {
	return b.edit(func(s *Statement) { s.NotResource = appendStrings(s.NotResource, arns) })
}

// Principal sets the Principal element (trust and resource policies).
func (b StatementBuilder) Principal(p *Principal) StatementBuilder {
	return b.edit(func(s *Statement) { s.Principal = p.clone() })
}

// NotPrincipal sets the NotPrincipal element.
func (b StatementBuilder) NotPrincipal(p *Principal) StatementBuilder {
	return b.edit(func(s *Statement) { s.NotPrincipal = p.clone() })
}

// Condition adds string values under an operator and key, for example
// Condition("StringEquals", "iam:PassedToService", "ssm.amazonaws.com").
func (b StatementBuilder) Condition(operator, key string, values ...string) StatementBuilder {
	return b.ConditionValues(operator, key, Values(values...))
}

// ConditionValues adds typed values under an operator and key.
func (b StatementBuilder) ConditionValues(operator, key string, values ConditionValues) StatementBuilder {
	return b.edit(func(s *Statement) { s.Condition = s.Condition.Add(operator, key, values) })
}

// Build returns the statement, or a *LintError holding every grammar
// problem at once (trust-policy rules apply when a Principal is set).
func (b StatementBuilder) Build() (Statement, error) {
	kind := KindIdentity
	if b.s.Principal != nil || b.s.NotPrincipal != nil {
		kind = KindResource
		if b.s.Resource.IsZero() && b.s.NotResource.IsZero() {
			kind = KindTrust
		}
	}
	l := linter{kind: kind, version: Version2012}
	l.statement(&b.s, field.NewPath("Statement").Index(0))
	if errs := l.errors(); len(errs) > 0 {
		return Statement{}, &LintError{Findings: errs}
	}
	return b.s.Clone(), nil
}

// MustBuild is Build for statements known to be valid; it panics on error
// and is meant for examples, tests and package-level constants.
func (b StatementBuilder) MustBuild() Statement {
	s, err := b.Build()
	if err != nil {
		panic(err)
	}
	return s
}

// statement returns the statement without validation, for canned policies
// whose inputs the caller may not have checked: they must never panic, and
// Lint reports what is wrong with them.
func (b StatementBuilder) statement() Statement { return b.s.Clone() }
