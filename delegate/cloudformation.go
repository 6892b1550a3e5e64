package delegate

import (
	"bytes"
	"encoding/json"
	"slices"
)

// TemplateOptions tune Plan.CloudFormation.
type TemplateOptions struct {
	// Description of the template; by default names the runbook and mode.
	Description string
	// OperatorUsers, OperatorGroups and OperatorRoles receive the operator
	// managed policy.
	OperatorUsers  []string
	OperatorGroups []string
	OperatorRoles  []string
}

// Logical IDs of the template's resources.
const (
	LogicalRole           = "AutomationServiceRole"
	LogicalOperatorPolicy = "AutomationOperatorPolicy"
	LogicalDocument       = "AutomationRunbook"
)

type cfnTemplate struct {
	AWSTemplateFormatVersion string                 `json:"AWSTemplateFormatVersion"`
	Description              string                 `json:"Description"`
	Resources                map[string]cfnResource `json:"Resources"`
	Outputs                  map[string]cfnOutput   `json:"Outputs,omitempty"`
}

type cfnResource struct {
	Type       string          `json:"Type"`
	DependsOn  []string        `json:"DependsOn,omitempty"`
	Properties json.RawMessage `json:"Properties"`
}

type cfnOutput struct {
	Description string          `json:"Description"`
	Value       json.RawMessage `json:"Value"`
}

type cfnInlinePolicy struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

type cfnRole struct {
	RoleName                 string            `json:"RoleName"`
	Path                     string            `json:"Path"`
	Description              string            `json:"Description"`
	AssumeRolePolicyDocument json.RawMessage   `json:"AssumeRolePolicyDocument"`
	Policies                 []cfnInlinePolicy `json:"Policies,omitempty"`
}

type cfnManagedPolicy struct {
	ManagedPolicyName string          `json:"ManagedPolicyName"`
	Description       string          `json:"Description"`
	PolicyDocument    json.RawMessage `json:"PolicyDocument"`
	Users             []string        `json:"Users,omitempty"`
	Groups            []string        `json:"Groups,omitempty"`
	Roles             []string        `json:"Roles,omitempty"`
}

type cfnDocument struct {
	Name           string          `json:"Name"`
	DocumentType   string          `json:"DocumentType"`
	DocumentFormat string          `json:"DocumentFormat"`
	UpdateMethod   string          `json:"UpdateMethod"`
	Content        json.RawMessage `json:"Content"`
}

// rawJSON encodes v compactly without HTML escaping.
func rawJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// CloudFormation returns the plan as a deterministic CloudFormation
// template: the service role (AWS::IAM::Role with its trust policy and
// inline permissions), the operator's AWS::IAM::ManagedPolicy and, when the
// plan creates the document, an AWS::SSM::Document of type Automation
// whose updates add versions; with Plan.Events, the event queue, its
// policy and the rule.
func (p *Plan) CloudFormation(optFns ...func(*TemplateOptions)) ([]byte, error) {
	var o TemplateOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Description == "" {
		o.Description = "Delegated administration of the Automation runbook " + p.DocumentName + " (" + p.Mode.String() + " mode)"
	}
	t := cfnTemplate{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              o.Description,
		Resources:                map[string]cfnResource{},
		Outputs:                  map[string]cfnOutput{},
	}
	if r := p.Role; r != nil {
		trust, err := policyJSON(r.Trust)
		if err != nil {
			return nil, err
		}
		role := cfnRole{
			RoleName: r.Name, Path: r.Path,
			Description:              "Service role for the Automation runbook " + p.DocumentName,
			AssumeRolePolicyDocument: trust,
		}
		if r.Permissions != nil {
			perms, err := policyJSON(r.Permissions)
			if err != nil {
				return nil, err
			}
			role.Policies = []cfnInlinePolicy{{PolicyName: r.PolicyName, PolicyDocument: perms}}
		}
		t.Resources[LogicalRole] = cfnResource{Type: "AWS::IAM::Role", Properties: rawJSON(role)}
		t.Outputs["RoleArn"] = cfnOutput{Description: "The service role Automation assumes", Value: rawJSON(map[string][]string{"Fn::GetAtt": {LogicalRole, "Arn"}})}
	}
	op, err := policyJSON(p.OperatorPolicy)
	if err != nil {
		return nil, err
	}
	t.Resources[LogicalOperatorPolicy] = cfnResource{Type: "AWS::IAM::ManagedPolicy", Properties: rawJSON(cfnManagedPolicy{
		ManagedPolicyName: p.OperatorPolicyName,
		Description:       "Start and follow the Automation runbook " + p.DocumentName,
		PolicyDocument:    op,
		Users:             sortedCopy(o.OperatorUsers),
		Groups:            sortedCopy(o.OperatorGroups),
		Roles:             sortedCopy(o.OperatorRoles),
	})}
	t.Outputs["OperatorPolicyArn"] = cfnOutput{Description: "The operator's managed policy", Value: rawJSON(map[string]string{"Ref": LogicalOperatorPolicy})}
	if p.CreateDocument && p.Document != nil {
		res := cfnResource{Type: "AWS::SSM::Document", Properties: rawJSON(cfnDocument{
			Name: p.DocumentName, DocumentType: "Automation", DocumentFormat: "JSON", UpdateMethod: "NewVersion",
			Content: p.Document.CompactJSON(),
		})}
		if p.Mode == Embedded && p.Role != nil {
			// The document names the role; create the role first.
			res.DependsOn = []string{LogicalRole}
		}
		t.Resources[LogicalDocument] = res
	}
	if err := p.Events.addToTemplate(p, &t); err != nil {
		return nil, err
	}
	t.Outputs["DocumentName"] = cfnOutput{Description: "The runbook operators start", Value: rawJSON(p.DocumentName)}
	return marshal(t)
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}
