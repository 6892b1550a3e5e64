package policy

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Matched decides req as [Evaluate] does and also returns every statement
// that supports the decision, as IAM's policy simulator lists them: for an
// explicit deny, each Deny statement that applies; for an allow, each Allow
// statement that allows on its own. Statements come in policy order,
// identity policies before the resource policy, and always include the
// deciding one. An implicit deny, and the account root user's own access,
// have none.
func Matched(req Request, identity []NamedPolicy, resource *NamedPolicy) (Result, []Result) {
	res := Evaluate(req, identity, resource)
	if res.Statement == nil || res.Decision == DecisionImplicitDeny {
		return res, nil
	}
	want := Allow
	if res.Decision == DecisionExplicitDeny {
		want = Deny
	}
	var out []Result
	// alone evaluates one statement by itself; the decisive statement is
	// kept even when it decides only together with others (a resource
	// policy that delegates to the account).
	alone := func(name string, p *Policy, i int, asResource bool) {
		st := &p.Statement[i]
		if st.Effect != want {
			return
		}
		decisive := res.Statement == st
		single := &Policy{Version: p.Version, Statement: []Statement{*st}}
		var r Result
		if asResource {
			r = Evaluate(req, nil, &NamedPolicy{Name: name, Policy: single})
		} else {
			r = Evaluate(req, []NamedPolicy{{Name: name, Policy: single}}, nil)
		}
		if decisive || (r.Decision == res.Decision && r.Statement != nil) {
			out = append(out, Result{Decision: res.Decision, Policy: name, StatementIndex: i, Statement: st})
		}
	}
	for _, np := range identity {
		if np.Policy == nil {
			continue
		}
		for i := range np.Policy.Statement {
			alone(np.Name, np.Policy, i, false)
		}
	}
	if resource != nil && resource.Policy != nil {
		for i := range resource.Policy.Statement {
			alone(resource.Name, resource.Policy, i, true)
		}
	}
	return res, out
}

// ErrInvalidContext is matched (errors.Is) by every [ContextValueError].
var ErrInvalidContext = errors.New("invalid context value")

// ContextValueError is a request-context value that does not fit the type
// declared for its key.
type ContextValueError struct {
	Key, Type, Value string
	Msg              string
}

func (e *ContextValueError) Error() string {
	if e.Value == "" && e.Msg != "" {
		return fmt.Sprintf("context key %s (%s): %s", e.Key, e.Type, e.Msg)
	}
	return fmt.Sprintf("context key %s (%s): %q: %s", e.Key, e.Type, e.Value, e.Msg)
}

// Is makes every ContextValueError match ErrInvalidContext.
func (e *ContextValueError) Is(target error) bool { return target == ErrInvalidContext }

// ContextKeyTypes are the types IAM's policy simulator gives context
// values (its ContextKeyType), single-valued and list.
var ContextKeyTypes = []string{
	"string", "stringList", "numeric", "numericList", "boolean", "booleanList",
	"ip", "ipList", "binary", "binaryList", "date", "dateList",
}

// CheckContextValues checks the values of one context key against a type of
// [ContextKeyTypes]: a single-valued type takes exactly one value, numbers
// are decimal, booleans true or false, IP values addresses or CIDR ranges,
// dates ISO 8601 or epoch seconds (as [ParseDate]) and binary values base64.
func CheckContextValues(key, typ string, values []string) error {
	base, list := strings.CutSuffix(typ, "List")
	valid := false
	for _, t := range ContextKeyTypes {
		valid = valid || t == typ
	}
	if !valid {
		return &ContextValueError{Key: key, Type: typ, Msg: "unknown type; use one of " + strings.Join(ContextKeyTypes, ", ")}
	}
	if !list && len(values) != 1 {
		return &ContextValueError{Key: key, Type: typ, Msg: fmt.Sprintf("takes exactly one value, got %d; use %sList for several", len(values), typ)}
	}
	for _, v := range values {
		ok := true
		switch base {
		case "numeric":
			_, err := strconv.ParseFloat(v, 64)
			ok = err == nil
		case "boolean":
			ok = strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
		case "ip":
			if strings.Contains(v, "/") {
				_, err := netip.ParsePrefix(v)
				ok = err == nil
			} else {
				_, err := netip.ParseAddr(v)
				ok = err == nil
			}
		case "date":
			_, ok = ParseDate(v)
		case "binary":
			_, err := base64.StdEncoding.DecodeString(v)
			ok = err == nil
		}
		if !ok {
			return &ContextValueError{Key: key, Type: typ, Value: v, Msg: "not a valid " + base + " value"}
		}
	}
	return nil
}

// MissingContextKeys returns the condition keys that the statements
// applying to req's action and resource (their conditions and principals
// aside) test but that req does not supply, neither in its Context nor
// derived from its Principal: what IAM's policy simulator reports as
// MissingContextValues. Keys are returned once each, in the order found.
func MissingContextKeys(req Request, policies ...*Policy) []string {
	ev := evaluation{req: &req, principal: parsePrincipalARN(req.Principal)}
	var out []string
	seen := map[string]bool{}
	for _, p := range policies {
		if p == nil {
			continue
		}
		for i := range p.Statement {
			st := &p.Statement[i]
			if len(st.Condition) == 0 || !appliesAside(req, p.Version, st) {
				continue
			}
			for _, op := range slices.Sorted(maps.Keys(st.Condition)) {
				for _, k := range slices.Sorted(maps.Keys(st.Condition[op])) {
					lk := strings.ToLower(k)
					if seen[lk] {
						continue
					}
					seen[lk] = true
					if _, ok := ev.lookup(k); !ok {
						out = append(out, k)
					}
				}
			}
		}
	}
	return out
}

// appliesAside reports whether a statement covers req's action and
// resource, whatever its conditions and principal.
func appliesAside(req Request, version string, st *Statement) bool {
	c := st.Clone()
	c.Effect, c.Condition, c.Principal, c.NotPrincipal = Allow, nil, nil, nil
	if c.Resource.Values == nil && c.NotResource.Values == nil {
		c.Resource = One("*") // a trust policy statement: the role is the resource
	}
	if parsePrincipalARN(req.Principal).kind == "root" {
		// The account root user is allowed without any statement.
		req.Principal = ""
	}
	r := Evaluate(req, []NamedPolicy{{Policy: &Policy{Version: version, Statement: []Statement{c}}}}, nil)
	return r.Decision == DecisionAllow && r.Statement != nil
}
