package delegate

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// decodePolicyDocument reads a policy document as IAM returns it: URL-encoded
// (RFC 3986) in GetRole, GetRolePolicy and GetPolicyVersion, or plain.
func decodePolicyDocument(s string) (*policy.Policy, error) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") {
		if u, err := url.PathUnescape(t); err == nil {
			t = u
		}
	}
	return policy.Parse([]byte(t))
}

// samePolicy reports whether two policies grant the same: statement order,
// the order of values, string-or-list shapes and the case of action names
// and condition keys do not matter.
func samePolicy(a, b *policy.Policy) bool {
	if a == nil || b == nil {
		return a == b
	}
	ka, kb := policyKey(a), policyKey(b)
	return ka != "" && ka == kb
}

func policyKey(p *policy.Policy) string {
	stmts := make([]string, 0, len(p.Statement))
	for _, s := range p.Statement {
		stmts = append(stmts, statementKey(s))
	}
	slices.Sort(stmts)
	stmts = slices.Compact(stmts)
	version := p.Version
	if version == "" {
		version = policy.Version2008
	}
	return version + "\x00" + p.Id + "\x00" + strings.Join(stmts, "\x00")
}

func statementKey(s policy.Statement) string {
	s = s.Clone()
	s.Action = normStrings(s.Action, true)
	s.NotAction = normStrings(s.NotAction, true)
	s.Resource = normStrings(s.Resource, false)
	s.NotResource = normStrings(s.NotResource, false)
	s.Principal = normPrincipal(s.Principal)
	s.NotPrincipal = normPrincipal(s.NotPrincipal)
	if s.Condition != nil {
		c := policy.Conditions{}
		for op, keys := range s.Condition {
			for k, vs := range keys {
				texts := vs.Strings()
				slices.Sort(texts)
				texts = slices.Compact(texts)
				c = c.Add(op, strings.ToLower(k), policy.ConditionValues{Values: stringValues(texts)})
			}
		}
		s.Condition = c
	}
	b, err := json.Marshal(s)
	if err != nil {
		return ""
	}
	return string(b)
}

func stringValues(texts []string) []policy.Value {
	out := make([]policy.Value, len(texts))
	for i, t := range texts {
		out[i] = policy.StringValue(t)
	}
	return out
}

func normStrings(s policy.Strings, fold bool) policy.Strings {
	if s.IsZero() {
		return s
	}
	vs := slices.Clone(s.Values)
	if fold {
		for i, v := range vs {
			vs[i] = strings.ToLower(v)
		}
	}
	slices.Sort(vs)
	return policy.Strings{Values: slices.Compact(vs)}
}

func normPrincipal(p *policy.Principal) *policy.Principal {
	if p == nil {
		return nil
	}
	return &policy.Principal{
		Wildcard:      p.Wildcard,
		AWS:           normStrings(p.AWS, false),
		Service:       normStrings(p.Service, false),
		Federated:     normStrings(p.Federated, false),
		CanonicalUser: normStrings(p.CanonicalUser, false),
	}
}

// sameContent reports whether an existing document's content (JSON or
// YAML) is the planned document, compared in canonical form.
func sameContent(content string, planned *runbook.Document) bool {
	got, err := runbook.Parse([]byte(content))
	if err != nil {
		return false
	}
	return bytes.Equal(got.CompactJSON(), planned.CompactJSON())
}
