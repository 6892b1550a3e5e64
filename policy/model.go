package policy

// Version2012 is the current policy language version; policies without it
// cannot use policy variables.
const Version2012 = "2012-10-17"

// Version2008 is the legacy policy language version.
const Version2008 = "2008-10-17"

// Policy is an IAM policy document: an identity policy, a resource policy or
// a role trust policy.
type Policy struct {
	Version   string
	Id        string
	Statement []Statement

	// singleStatement remembers that Statement was a bare object on the
	// wire, so a round trip keeps the shape.
	singleStatement bool
}

// SingleStatement reports whether the Statement element is encoded as a bare
// object rather than a list.
func (p *Policy) SingleStatement() bool { return p.singleStatement && len(p.Statement) == 1 }

// SetSingleStatement chooses the bare-object form of Statement (used only when
// there is exactly one statement).
func (p *Policy) SetSingleStatement(single bool) { p.singleStatement = single }

// New returns a policy of version 2012-10-17 with the given statements.
func New(statements ...Statement) *Policy {
	return &Policy{Version: Version2012, Statement: statements}
}

// Effect is a statement's effect.
type Effect string

// Statement effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Statement is one statement of a policy. Exactly one of Action/NotAction
// and, outside trust policies, one of Resource/NotResource is expected; Lint
// reports violations, the model keeps whatever was written.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal
	NotPrincipal *Principal
	Action       Strings
	NotAction    Strings
	Resource     Strings
	NotResource  Strings
	Condition    Conditions
}

// Strings is a policy element that is written either as one string or as a
// list of strings. The wire shape is remembered: Scalar is set when the
// element was (or should be) a bare string, which is honoured only when
// there is exactly one value. A nil Values means the element is absent; a
// non-nil empty Values is an explicit empty list.
type Strings struct {
	Values []string
	Scalar bool
}

// List returns a Strings encoded as a JSON list.
func List(values ...string) Strings {
	if values == nil {
		values = []string{}
	}
	return Strings{Values: values}
}

// One returns a Strings encoded as a bare JSON string.
func One(value string) Strings { return Strings{Values: []string{value}, Scalar: true} }

// IsZero reports whether the element is absent.
func (s Strings) IsZero() bool { return s.Values == nil }

// Len returns the number of values.
func (s Strings) Len() int { return len(s.Values) }

func (s Strings) clone() Strings {
	if s.Values == nil {
		return s
	}
	return Strings{Values: append([]string{}, s.Values...), Scalar: s.Scalar}
}

// Principal is a statement's Principal or NotPrincipal: either the bare
// wildcard "*" (Wildcard) or a map of principal types to identifiers.
type Principal struct {
	Wildcard      bool
	AWS           Strings
	Service       Strings
	Federated     Strings
	CanonicalUser Strings
}

// AnyPrincipal returns the bare "*" principal.
func AnyPrincipal() *Principal { return &Principal{Wildcard: true} }

// AWSPrincipal returns a principal naming AWS accounts, users or roles.
func AWSPrincipal(ids ...string) *Principal { return &Principal{AWS: listOrOne(ids)} }

// ServicePrincipal returns a principal naming AWS services such as
// "ssm.amazonaws.com".
func ServicePrincipal(services ...string) *Principal {
	return &Principal{Service: listOrOne(services)}
}

func listOrOne(v []string) Strings {
	if len(v) == 1 {
		return One(v[0])
	}
	return List(v...)
}

func (p *Principal) clone() *Principal {
	if p == nil {
		return nil
	}
	return &Principal{
		Wildcard:      p.Wildcard,
		AWS:           p.AWS.clone(),
		Service:       p.Service.clone(),
		Federated:     p.Federated.clone(),
		CanonicalUser: p.CanonicalUser.clone(),
	}
}

// ValueKind is the JSON type of a condition value.
type ValueKind uint8

// Condition value kinds.
const (
	KindString ValueKind = iota
	KindBool
	KindNumber
)

// Value is one condition value kept losslessly: a string, a boolean or a
// number (its JSON literal text).
type Value struct {
	Kind ValueKind
	Text string
}

// StringValue returns a string condition value.
func StringValue(s string) Value { return Value{Kind: KindString, Text: s} }

// BoolValue returns a boolean condition value.
func BoolValue(b bool) Value {
	if b {
		return Value{Kind: KindBool, Text: "true"}
	}
	return Value{Kind: KindBool, Text: "false"}
}

// NumberValue returns a numeric condition value from its JSON literal, for
// example "3600" or "1.5".
func NumberValue(literal string) Value { return Value{Kind: KindNumber, Text: literal} }

// ConditionValues holds the values of one condition key, remembering whether
// they were written as a bare value (Scalar) or a list.
type ConditionValues struct {
	Values []Value
	Scalar bool
}

// Values returns condition values written as a bare value when there is one
// string and as a list otherwise.
func Values(values ...string) ConditionValues {
	out := ConditionValues{Values: make([]Value, len(values)), Scalar: len(values) == 1}
	for i, v := range values {
		out.Values[i] = StringValue(v)
	}
	return out
}

// Strings returns the values' texts.
func (c ConditionValues) Strings() []string {
	out := make([]string, len(c.Values))
	for i, v := range c.Values {
		out[i] = v.Text
	}
	return out
}

// Conditions is a statement's Condition element: operator (for example
// "StringEquals" or "ForAnyValue:StringLike") to condition key to values.
type Conditions map[string]map[string]ConditionValues

// Add returns a copy of c with the values added under operator and key.
func (c Conditions) Add(operator, key string, values ConditionValues) Conditions {
	out := c.clone()
	if out == nil {
		out = Conditions{}
	}
	keys := out[operator]
	if keys == nil {
		keys = map[string]ConditionValues{}
		out[operator] = keys
	}
	if prev, ok := keys[key]; ok {
		merged := ConditionValues{Values: append(append([]Value{}, prev.Values...), values.Values...)}
		keys[key] = merged
		return out
	}
	keys[key] = ConditionValues{Values: append([]Value{}, values.Values...), Scalar: values.Scalar}
	return out
}

func (c Conditions) clone() Conditions {
	if c == nil {
		return nil
	}
	out := make(Conditions, len(c))
	for op, keys := range c {
		k2 := make(map[string]ConditionValues, len(keys))
		for k, v := range keys {
			k2[k] = ConditionValues{Values: append([]Value(nil), v.Values...), Scalar: v.Scalar}
		}
		out[op] = k2
	}
	return out
}

// Clone returns a deep copy of the statement.
func (s Statement) Clone() Statement {
	return Statement{
		Sid:          s.Sid,
		Effect:       s.Effect,
		Principal:    s.Principal.clone(),
		NotPrincipal: s.NotPrincipal.clone(),
		Action:       s.Action.clone(),
		NotAction:    s.NotAction.clone(),
		Resource:     s.Resource.clone(),
		NotResource:  s.NotResource.clone(),
		Condition:    s.Condition.clone(),
	}
}

// Clone returns a deep copy of the policy.
func (p *Policy) Clone() *Policy {
	if p == nil {
		return nil
	}
	out := &Policy{Version: p.Version, Id: p.Id, singleStatement: p.singleStatement}
	if p.Statement != nil {
		out.Statement = make([]Statement, len(p.Statement))
		for i, s := range p.Statement {
			out.Statement[i] = s.Clone()
		}
	}
	return out
}
