package delegate

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// marshal encodes v as indented JSON with a trailing newline and without
// HTML escaping, so ARNs and conditions print as written.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func policyJSON(p *policy.Policy) (json.RawMessage, error) {
	if p == nil {
		return nil, nil
	}
	b, err := p.Compact()
	return json.RawMessage(b), err
}

type bundle struct {
	Mode        Mode            `json:"mode"`
	Account     string          `json:"account"`
	Region      string          `json:"region"`
	Partition   string          `json:"partition"`
	Document    bundleDocument  `json:"document"`
	Role        *bundleRole     `json:"role,omitempty"`
	Derivation  []bundleNeed    `json:"derivation,omitempty"`
	Operator    bundleOperator  `json:"operator"`
	Start       bundleStart     `json:"start"`
	MaxDuration *bundleDuration `json:"maxDuration,omitempty"`
	Warnings    []string        `json:"warnings,omitempty"`
}

type bundleDocument struct {
	Name    string          `json:"name"`
	ARN     string          `json:"arn"`
	Create  bool            `json:"create"`
	Content json.RawMessage `json:"content,omitempty"`
}

type bundleRole struct {
	Name              string          `json:"name"`
	Path              string          `json:"path"`
	ARN               string          `json:"arn"`
	TrustPolicy       json.RawMessage `json:"trustPolicy"`
	PolicyName        string          `json:"policyName"`
	PermissionsPolicy json.RawMessage `json:"permissionsPolicy,omitempty"`
}

type bundleNeed struct {
	Step       string          `json:"step"`
	StepAction string          `json:"action"`
	Actions    []string        `json:"actions,omitempty"`
	Resources  []string        `json:"resources,omitempty"`
	Condition  json.RawMessage `json:"condition,omitempty"`
	Reason     string          `json:"reason,omitempty"`
}

type bundleOperator struct {
	PolicyName string          `json:"policyName"`
	Policy     json.RawMessage `json:"policy"`
	PassRole   json.RawMessage `json:"passRole,omitempty"`
}

type bundleStart struct {
	DocumentName    string              `json:"DocumentName"`
	DocumentVersion string              `json:"DocumentVersion,omitempty"`
	Parameters      map[string][]string `json:"Parameters,omitempty"`
}

type bundleDuration struct {
	Seconds   int64 `json:"seconds"`
	Unbounded bool  `json:"unbounded,omitempty"`
}

// JSON returns the plan as one deterministic JSON bundle: the document,
// the role with its trust and permissions policies, the operator policy
// (and PassRole statement) and the start input.
func (p *Plan) JSON() ([]byte, error) {
	b := bundle{
		Mode: p.Mode, Account: p.Account, Region: p.Region, Partition: p.Partition,
		Document: bundleDocument{Name: p.DocumentName, ARN: p.DocumentARN, Create: p.CreateDocument},
		Operator: bundleOperator{PolicyName: p.OperatorPolicyName},
	}
	var err error
	if p.Document != nil {
		b.Document.Content = p.Document.CompactJSON()
		b.MaxDuration = &bundleDuration{Seconds: int64(p.MaxDuration / time.Second), Unbounded: p.Unbounded}
	}
	if r := p.Role; r != nil {
		br := &bundleRole{Name: r.Name, Path: r.Path, ARN: r.ARN, PolicyName: r.PolicyName}
		if br.TrustPolicy, err = policyJSON(r.Trust); err != nil {
			return nil, err
		}
		if br.PermissionsPolicy, err = policyJSON(r.Permissions); err != nil {
			return nil, err
		}
		b.Role = br
	}
	if p.Derived != nil {
		for _, n := range p.Derived.Needs {
			bn := bundleNeed{Step: n.Step, StepAction: n.StepAction, Actions: n.Actions, Resources: n.Resources, Reason: n.Reason}
			if len(n.Condition) > 0 {
				bn.Condition = rawJSON(n.Condition)
			}
			b.Derivation = append(b.Derivation, bn)
		}
	}
	if b.Operator.Policy, err = policyJSON(p.OperatorPolicy); err != nil {
		return nil, err
	}
	if p.PassRole != nil {
		b.Operator.PassRole = rawJSON(p.PassRole)
	}
	if s := p.Start; s != nil {
		b.Start = bundleStart{Parameters: s.Parameters}
		if s.DocumentName != nil {
			b.Start.DocumentName = *s.DocumentName
		}
		if s.DocumentVersion != nil {
			b.Start.DocumentVersion = *s.DocumentVersion
		}
	}
	for _, w := range p.Warnings {
		b.Warnings = append(b.Warnings, w.String())
	}
	return marshal(b)
}
