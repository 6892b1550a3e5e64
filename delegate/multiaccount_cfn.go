package delegate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// Logical IDs of the multi-account templates' resources.
const (
	LogicalAdministrationRole = "AutomationAdministrationRole"
	LogicalExecutionRole      = "AutomationExecutionRole"
	// ParameterAdminAccountID is the StackSet template's parameter for
	// the administrator account.
	ParameterAdminAccountID = "AdminAccountId"
)

// StartLocationsJSON is the wire form of a StartAutomationExecution input
// with target locations, as the API and the CLI's --cli-input-json read it.
type StartLocationsJSON struct {
	DocumentName        string               `json:"DocumentName"`
	DocumentVersion     string               `json:"DocumentVersion,omitempty"`
	Parameters          map[string][]string  `json:"Parameters,omitempty"`
	TargetParameterName string               `json:"TargetParameterName,omitempty"`
	TargetLocations     []TargetLocationJSON `json:"TargetLocations,omitempty"`
	TargetLocationsURL  string               `json:"TargetLocationsURL,omitempty"`
}

// TargetLocationJSON is the wire form of a TargetLocation.
type TargetLocationJSON struct {
	Accounts                         []string         `json:"Accounts,omitempty"`
	ExcludeAccounts                  []string         `json:"ExcludeAccounts,omitempty"`
	ExecutionRoleName                string           `json:"ExecutionRoleName,omitempty"`
	IncludeChildOrganizationUnits    bool             `json:"IncludeChildOrganizationUnits,omitempty"`
	Regions                          []string         `json:"Regions,omitempty"`
	TargetLocationAlarmConfiguration *alarmConfigJSON `json:"TargetLocationAlarmConfiguration,omitempty"`
	TargetLocationMaxConcurrency     string           `json:"TargetLocationMaxConcurrency,omitempty"`
	TargetLocationMaxErrors          string           `json:"TargetLocationMaxErrors,omitempty"`
	Targets                          []targetJSON     `json:"Targets,omitempty"`
	TargetsMaxConcurrency            string           `json:"TargetsMaxConcurrency,omitempty"`
	TargetsMaxErrors                 string           `json:"TargetsMaxErrors,omitempty"`
}

type alarmConfigJSON struct {
	Alarms                 []alarmJSON `json:"Alarms"`
	IgnorePollAlarmFailure bool        `json:"IgnorePollAlarmFailure,omitempty"`
}

type alarmJSON struct {
	Name string `json:"Name"`
}

type targetJSON struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TargetLocationsWire converts target locations to their wire form.
func TargetLocationsWire(locs []types.TargetLocation) []TargetLocationJSON {
	var out []TargetLocationJSON
	for _, l := range locs {
		w := TargetLocationJSON{
			Accounts: l.Accounts, ExcludeAccounts: l.ExcludeAccounts, ExecutionRoleName: str(l.ExecutionRoleName),
			IncludeChildOrganizationUnits: l.IncludeChildOrganizationUnits, Regions: l.Regions,
			TargetLocationMaxConcurrency: str(l.TargetLocationMaxConcurrency), TargetLocationMaxErrors: str(l.TargetLocationMaxErrors),
			TargetsMaxConcurrency: str(l.TargetsMaxConcurrency), TargetsMaxErrors: str(l.TargetsMaxErrors),
		}
		if ac := l.TargetLocationAlarmConfiguration; ac != nil {
			w.TargetLocationAlarmConfiguration = &alarmConfigJSON{IgnorePollAlarmFailure: ac.IgnorePollAlarmFailure}
			for _, a := range ac.Alarms {
				w.TargetLocationAlarmConfiguration.Alarms = append(w.TargetLocationAlarmConfiguration.Alarms, alarmJSON{Name: str(a.Name)})
			}
		}
		for _, t := range l.Targets {
			w.Targets = append(w.Targets, targetJSON{Key: str(t.Key), Values: t.Values})
		}
		out = append(out, w)
	}
	return out
}

// StartWire converts a start input to its wire form (the fields a
// multi-account start uses).
func StartWire(in *ssm.StartAutomationExecutionInput) StartLocationsJSON {
	return StartLocationsJSON{
		DocumentName: str(in.DocumentName), DocumentVersion: str(in.DocumentVersion), Parameters: in.Parameters,
		TargetParameterName: str(in.TargetParameterName), TargetLocations: TargetLocationsWire(in.TargetLocations),
		TargetLocationsURL: str(in.TargetLocationsURL),
	}
}

type multiBundle struct {
	AdminAccount        string               `json:"adminAccount"`
	Region              string               `json:"region"`
	Partition           string               `json:"partition"`
	Document            bundleDocument       `json:"document"`
	AdministrationRole  bundleRole           `json:"administrationRole"`
	ExecutionRoles      []bundleExecRole     `json:"executionRoles,omitempty"`
	StackSetRole        *bundleExecRole      `json:"stackSetRole,omitempty"`
	Accounts            []string             `json:"accounts,omitempty"`
	OrganizationalUnits []string             `json:"organizationalUnits,omitempty"`
	Regions             []string             `json:"regions"`
	Operator            bundleOperator       `json:"operator"`
	Start               StartLocationsJSON   `json:"start"`
	TargetLocations     []TargetLocationJSON `json:"targetLocations,omitempty"`
	Warnings            []string             `json:"warnings,omitempty"`
}

type bundleExecRole struct {
	Account           string          `json:"account"`
	ARN               string          `json:"arn"`
	TrustPolicy       json.RawMessage `json:"trustPolicy"`
	PolicyName        string          `json:"policyName"`
	PermissionsPolicy json.RawMessage `json:"permissionsPolicy"`
}

func execBundle(r *ExecutionRole) (bundleExecRole, error) {
	b := bundleExecRole{Account: r.Account, ARN: r.ARN, PolicyName: r.PolicyName}
	var err error
	if b.TrustPolicy, err = policyJSON(r.Trust); err != nil {
		return b, err
	}
	b.PermissionsPolicy, err = policyJSON(r.Permissions)
	return b, err
}

// JSON returns the plan as one deterministic JSON bundle: the document, the
// administration role, every execution role, the StackSet's generic role,
// the operator policy and the start input.
func (mp *MultiAccountPlan) JSON() ([]byte, error) {
	b := multiBundle{
		AdminAccount: mp.AdminAccount, Region: mp.Region, Partition: mp.Partition,
		Document:            bundleDocument{Name: mp.DocumentName, ARN: mp.DocumentARN, Create: mp.CreateDocument},
		Accounts:            mp.Accounts,
		OrganizationalUnits: mp.OrganizationalUnits,
		Regions:             mp.Regions,
		Operator:            bundleOperator{PolicyName: mp.OperatorPolicyName},
		Start:               StartWire(mp.Start),
	}
	if mp.Start.TargetLocationsURL != nil {
		b.TargetLocations = TargetLocationsWire(mp.Locations)
	}
	var err error
	if mp.Document != nil {
		b.Document.Content = mp.Document.CompactJSON()
	}
	r := mp.AdministrationRole
	b.AdministrationRole = bundleRole{Name: r.Name, Path: r.Path, ARN: r.ARN, PolicyName: r.PolicyName}
	if b.AdministrationRole.TrustPolicy, err = policyJSON(r.Trust); err != nil {
		return nil, err
	}
	if b.AdministrationRole.PermissionsPolicy, err = policyJSON(r.Permissions); err != nil {
		return nil, err
	}
	for _, er := range mp.ExecutionRoles {
		eb, err := execBundle(er)
		if err != nil {
			return nil, err
		}
		b.ExecutionRoles = append(b.ExecutionRoles, eb)
	}
	if mp.StackSetRole != nil {
		eb, err := execBundle(mp.StackSetRole)
		if err != nil {
			return nil, err
		}
		b.StackSetRole = &eb
	}
	if b.Operator.Policy, err = policyJSON(mp.OperatorPolicy); err != nil {
		return nil, err
	}
	for _, w := range mp.Warnings {
		b.Warnings = append(b.Warnings, w.String())
	}
	return marshal(b)
}

// Text returns a short human-readable summary of the plan.
func (mp *MultiAccountPlan) Text() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "runbook %s from administrator account %s (%s)\n", mp.DocumentName, mp.AdminAccount, mp.Region)
	fmt.Fprintf(&b, "administration role: %s\n", mp.AdministrationRole.ARN)
	for _, st := range mp.AdministrationRole.Permissions.Statement {
		fmt.Fprintf(&b, "  may %s on %s", strings.Join(st.Action.Values, ", "), strings.Join(st.Resource.Values, ", "))
		if len(st.Condition) > 0 {
			fmt.Fprintf(&b, " when %s", rawJSON(st.Condition))
		}
		b.WriteString("\n")
	}
	if len(mp.Accounts) > 0 {
		fmt.Fprintf(&b, "target accounts: %s\n", strings.Join(mp.Accounts, ", "))
	}
	if len(mp.OrganizationalUnits) > 0 {
		fmt.Fprintf(&b, "target OUs: %s\n", strings.Join(mp.OrganizationalUnits, ", "))
	}
	fmt.Fprintf(&b, "Regions: %s\n", strings.Join(mp.Regions, ", "))
	for _, r := range mp.ExecutionRoles {
		fmt.Fprintf(&b, "execution role: %s (%d statements)\n", r.ARN, len(r.Permissions.Statement))
	}
	if r := mp.StackSetRole; r != nil {
		fmt.Fprintf(&b, "StackSet execution role: role%s%s in every target (%d statements)\n", r.Path, r.Name, len(r.Permissions.Statement))
	}
	fmt.Fprintf(&b, "operator policy: %s\n", mp.OperatorPolicyName)
	for _, w := range mp.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return []byte(b.String())
}

// AdministratorTemplate returns the CloudFormation template of the
// administrator account: the administration role, the operator's managed
// policy and, when the plan creates it, the document.
func (mp *MultiAccountPlan) AdministratorTemplate(optFns ...func(*TemplateOptions)) ([]byte, error) {
	var o TemplateOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Description == "" {
		o.Description = "Administrator account of the Automation runbook " + mp.DocumentName + " run in several accounts and Regions"
	}
	t := cfnTemplate{AWSTemplateFormatVersion: "2010-09-09", Description: o.Description,
		Resources: map[string]cfnResource{}, Outputs: map[string]cfnOutput{}}
	r := mp.AdministrationRole
	trust, err := policyJSON(r.Trust)
	if err != nil {
		return nil, err
	}
	perms, err := policyJSON(r.Permissions)
	if err != nil {
		return nil, err
	}
	t.Resources[LogicalAdministrationRole] = cfnResource{Type: "AWS::IAM::Role", Properties: rawJSON(cfnRole{
		RoleName: r.Name, Path: r.Path, Description: "Runs " + mp.DocumentName + " and assumes the execution role of each target account",
		AssumeRolePolicyDocument: trust,
		Policies:                 []cfnInlinePolicy{{PolicyName: r.PolicyName, PolicyDocument: perms}},
	})}
	t.Outputs["AdministrationRoleArn"] = cfnOutput{Description: "The role the operator passes as AutomationAssumeRole", Value: rawJSON(map[string][]string{"Fn::GetAtt": {LogicalAdministrationRole, "Arn"}})}
	op, err := policyJSON(mp.OperatorPolicy)
	if err != nil {
		return nil, err
	}
	t.Resources[LogicalOperatorPolicy] = cfnResource{Type: "AWS::IAM::ManagedPolicy", Properties: rawJSON(cfnManagedPolicy{
		ManagedPolicyName: mp.OperatorPolicyName,
		Description:       "Start " + mp.DocumentName + " in the target locations and follow it",
		PolicyDocument:    op,
		Users:             sortedCopy(o.OperatorUsers), Groups: sortedCopy(o.OperatorGroups), Roles: sortedCopy(o.OperatorRoles),
	})}
	t.Outputs["OperatorPolicyArn"] = cfnOutput{Description: "The operator's managed policy", Value: rawJSON(map[string]string{"Ref": LogicalOperatorPolicy})}
	if mp.CreateDocument && mp.Document != nil {
		t.Resources[LogicalDocument] = cfnResource{Type: "AWS::SSM::Document", Properties: rawJSON(cfnDocument{
			Name: mp.DocumentName, DocumentType: "Automation", DocumentFormat: "JSON", UpdateMethod: "NewVersion",
			Content: mp.Document.CompactJSON(),
		})}
	}
	t.Outputs["DocumentName"] = cfnOutput{Description: "The runbook operators start", Value: rawJSON(mp.DocumentName)}
	return marshal(t)
}

type cfnParameter struct {
	Type                  string `json:"Type"`
	Description           string `json:"Description"`
	AllowedPattern        string `json:"AllowedPattern,omitempty"`
	ConstraintDescription string `json:"ConstraintDescription,omitempty"`
	Default               string `json:"Default,omitempty"`
}

type cfnStackSetTemplate struct {
	AWSTemplateFormatVersion string                  `json:"AWSTemplateFormatVersion"`
	Description              string                  `json:"Description"`
	Parameters               map[string]cfnParameter `json:"Parameters"`
	Resources                map[string]cfnResource  `json:"Resources"`
	Outputs                  map[string]cfnOutput    `json:"Outputs"`
}

// StackSetTemplate returns the CloudFormation template of the execution
// role for a StackSet over the target accounts: the administrator account
// is the AdminAccountId parameter (the plan's by default) and every ARN of
// the target account is built with ${AWS::AccountId}. IAM is global, so
// deploy one stack instance per account, in one Region.
func (mp *MultiAccountPlan) StackSetTemplate() ([]byte, error) {
	r := mp.StackSetRole
	if r == nil {
		return nil, fmt.Errorf("delegate: the plan has no execution role to deploy")
	}
	trust, err := subPolicy(r.Trust)
	if err != nil {
		return nil, err
	}
	perms, err := subPolicy(r.Permissions)
	if err != nil {
		return nil, err
	}
	t := cfnStackSetTemplate{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              "Execution role of the Automation runbook " + mp.DocumentName + " in a target account; deploy with StackSets to every target account, in one Region",
		Parameters: map[string]cfnParameter{ParameterAdminAccountID: {
			Type: "String", Description: "The administrator account, whose administration role assumes this role",
			AllowedPattern: `^\d{12}$`, ConstraintDescription: "a 12-digit account id", Default: mp.AdminAccount,
		}},
		Resources: map[string]cfnResource{LogicalExecutionRole: {Type: "AWS::IAM::Role", Properties: rawJSON(cfnRole{
			RoleName: r.Name, Path: r.Path, Description: "Runs " + mp.DocumentName + " for the administration role",
			AssumeRolePolicyDocument: trust,
			Policies:                 []cfnInlinePolicy{{PolicyName: r.PolicyName, PolicyDocument: perms}},
		})}},
		Outputs: map[string]cfnOutput{"ExecutionRoleArn": {Description: "The execution role", Value: rawJSON(map[string][]string{"Fn::GetAtt": {LogicalExecutionRole, "Arn"}})}},
	}
	return marshal(t)
}

// subPolicy encodes a policy for a template, turning every string that
// holds a placeholder into Fn::Sub; any other "${" is escaped as "${!" so
// IAM policy variables reach IAM as written.
func subPolicy(p *policy.Policy) (json.RawMessage, error) {
	b, err := policyJSON(p)
	if err != nil {
		return nil, err
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, err
	}
	return rawJSON(subTree(tree)), nil
}

func subTree(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = subTree(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = subTree(e)
		}
		return x
	case string:
		if !strings.Contains(x, placeholderAccount) && !strings.Contains(x, placeholderAdmin) {
			return x
		}
		s := strings.ReplaceAll(x, placeholderAccount, "\x00a")
		s = strings.ReplaceAll(s, placeholderAdmin, "\x00b")
		s = strings.ReplaceAll(s, "${", "${!")
		s = strings.ReplaceAll(s, "\x00a", placeholderAccount)
		s = strings.ReplaceAll(s, "\x00b", "${"+ParameterAdminAccountID+"}")
		return map[string]string{"Fn::Sub": s}
	}
	return v
}
