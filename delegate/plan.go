package delegate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/internal/field"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// AssumeRoleParameter is the parameter a runtime-mode document reads its
// service role from, as in AWS-owned runbooks.
const AssumeRoleParameter = "AutomationAssumeRole"

// RoleARNPattern is the allowedPattern given to the AutomationAssumeRole
// parameter: an IAM role ARN in any partition.
const RoleARNPattern = `^arn:aws[a-z0-9-]*:iam::\d{12}:role/[\w+=,.@/-]+$`

// AssumeRoleDescription is the description given to the AutomationAssumeRole
// parameter.
const AssumeRoleDescription = "(Required) The ARN of the role that allows Automation to perform the actions on your behalf."

// CallerSessionLimit is how long the temporary session of caller mode lasts.
const CallerSessionLimit = 12 * time.Hour

// Defaults used when Options leave a name empty.
const (
	DefaultRolePath       = "/"
	DefaultRolePolicyName = "AutomationPermissions"
)

// Source is what a plan starts from: a runbook to create under a name, or a
// document that already exists, such as an AWS-owned one.
type Source struct {
	name     string
	doc      *runbook.Document
	existing bool
}

// NewDocument is a runbook the plan creates (or updates) under name.
func NewDocument(name string, doc *runbook.Document) Source {
	return Source{name: name, doc: doc}
}

// ExistingDocument is a document that already exists, such as
// AWS-RestartEC2Instance: the plan creates no document. content is the
// document's content when known; it is needed to derive the role's
// permissions and to check caller mode's duration.
func ExistingDocument(name string, content *runbook.Document) Source {
	return Source{name: name, doc: content, existing: true}
}

// Name returns the document name.
func (s Source) Name() string { return s.name }

// Existing reports whether the document already exists.
func (s Source) Existing() bool { return s.existing }

// Options tune NewPlan. Zero values take the defaults documented on each
// field.
type Options struct {
	// Partition is the AWS partition; by default derived from the Region
	// ("aws-cn" for cn-*, "aws-us-gov" for us-gov-*, otherwise "aws").
	Partition string
	// RoleARN names an existing or planned service role. When empty the
	// role is arn:PARTITION:iam::ACCOUNT:role{RolePath}{RoleName}.
	RoleARN string
	// RoleName is the service role's name; by default the document name
	// followed by "-Automation". Ignored when RoleARN is set (which must
	// then agree with it if both are given).
	RoleName string
	// RolePath is the service role's path; "/" by default.
	RolePath string
	// RolePolicyName names the role's inline permissions policy;
	// DefaultRolePolicyName by default.
	RolePolicyName string
	// RolePolicy, when set, is used as the role's permissions instead of
	// the policy derived from the runbook: for runbooks whose needs cannot
	// be derived (aws:executeScript, unknown APIs) or existing documents
	// whose content is unknown.
	RolePolicy *policy.Policy
	// OperatorPolicyName names the operator's managed policy; by default
	// the document name followed by "-Operator".
	OperatorPolicyName string
	// OperatorControl also lets the operator stop and signal executions.
	OperatorControl bool
	// DocumentVersion pins the version the operator may start
	// (ssm:DocumentVersion) and the start input uses.
	DocumentVersion string
	// Parameters are further start parameters, such as InstanceId.
	Parameters map[string][]string
	// DeriveOptions tune the derivation of the role's permissions: API
	// mappings, what scripts and stacks call, child runbooks, tag
	// conditions.
	DeriveOptions []func(*policy.RunbookOptions)
	// ChildDocument resolves the runbooks aws:executeAutomation steps start,
	// so caller mode can bound their duration; unresolved children make the
	// run unbounded.
	ChildDocument func(name string) (*runbook.Document, bool)
}

// Role is the planned service role.
type Role struct {
	Name string
	Path string
	ARN  string
	// Trust lets ssm.amazonaws.com assume the role for executions of this
	// account only (aws:SourceAccount, aws:SourceArn).
	Trust *policy.Policy
	// PolicyName names the inline permissions policy.
	PolicyName string
	// Permissions is what the runbook's steps need; nil when they need
	// nothing (aws:sleep, aws:pause), as IAM refuses an empty policy and
	// the role then has its trust policy only.
	Permissions *policy.Policy
}

// Warning is something the plan allows but a reader should know.
type Warning struct {
	Field   string
	Message string
}

func (w Warning) String() string {
	if w.Field == "" {
		return w.Message
	}
	return w.Field + ": " + w.Message
}

// Plan is everything the three personas need: the administrator's role and
// operator policy, the author's wired document and the operator's start
// input.
type Plan struct {
	Mode      Mode
	Account   string
	Region    string
	Partition string
	// DocumentName is the document's name; DocumentARN its ARN (with an
	// empty account field for AWS-owned documents).
	DocumentName string
	DocumentARN  string
	// CreateDocument is set when the plan creates or updates the document;
	// it is false for an existing document.
	CreateDocument bool
	// Document is the wired document, or the known content of an existing
	// one; nil when an existing document's content is unknown.
	Document *runbook.Document
	// Role is the service role; nil in caller mode.
	Role *Role
	// OperatorPolicyName and OperatorPolicy are what the operator needs to
	// start and follow the automation (and, in caller mode, what its steps
	// do, since they run as the operator).
	OperatorPolicyName string
	OperatorPolicy     *policy.Policy
	// PassRole is the operator's iam:PassRole statement, set in runtime mode
	// only (it is also part of OperatorPolicy).
	PassRole *policy.Statement
	// Derived is the derivation of what the steps need, with its
	// step-by-step report: the role's permissions, or in caller mode the
	// operator's. Nil when the permissions were supplied through
	// Options.RolePolicy.
	Derived *policy.Derived
	// Start is the operator's StartAutomationExecution input.
	Start *ssm.StartAutomationExecutionInput
	// MaxDuration is the runbook's worst-case duration; Unbounded is set
	// when there is none. Both are zero when the content is unknown.
	MaxDuration time.Duration
	Unbounded   bool
	Warnings    []Warning
	// Events is the optional event delivery [Plan.AddEvents] adds.
	Events *EventPlan
}

var (
	accountRE   = regexp.MustCompile(`^\d{12}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
	partitionRE = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	roleNameRE  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	rolePathRE  = regexp.MustCompile(`^/([\x21-\x7e]*/)?$`)
	policyRE    = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	roleARNRE   = regexp.MustCompile(RoleARNPattern)
	docNameRE   = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	versionRE   = regexp.MustCompile(`^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$`)
)

// ReservedName reports whether a document name is reserved for AWS: names
// starting with aws, amazon or amzn, in any case, cannot be created.
func ReservedName(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "aws") || strings.HasPrefix(l, "amazon") || strings.HasPrefix(l, "amzn")
}

// NewPlan plans delegated administration of src in the given mode for the
// account and Region. It returns every problem at once in a *PlanError,
// whose problems match ErrConflict, ErrNeedsInput, ErrInvalidInput,
// ErrInvalidOutput or ErrModeRefused (a *CallerModeError) with errors.Is.
func NewPlan(src Source, mode Mode, account, region string, optFns ...func(*Options)) (*Plan, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	var ps problems
	p := &Plan{Mode: mode, Account: account, Region: region, DocumentName: src.name, CreateDocument: !src.existing}
	p.checkInputs(&ps, src, &o)
	if len(ps.list) > 0 {
		// Without a sound account, Region and name nothing below is meaningful.
		return nil, ps.err()
	}
	p.DocumentARN = p.scope().DocumentARN(p.DocumentName)
	if src.doc != nil {
		doc, err := cloneDocument(src.doc)
		if err != nil {
			ps.wrap(ErrInvalidInput, "document", err)
			return nil, ps.err()
		}
		p.Document = doc
	}
	if d := p.Document; mode == Embedded && d != nil && o.RoleARN == "" && o.RoleName == "" {
		if _, _, _, _, ok := parseRoleARN(d.AssumeRole); ok {
			// The document already embeds its role: plan that role.
			o.RoleARN = d.AssumeRole
		} else if role, ok := d.ResolveAssumeRole(p.globals()); ok {
			// A role built from automation variables, such as
			// arn:{{ global:AWS_PARTITION }}:iam::{{ global:ACCOUNT_ID }}:role/R,
			// names one role in this account and Region.
			o.RoleARN = role
		}
	}
	if mode != Caller {
		p.planRole(&ps, &o)
	} else if o.RoleARN != "" || o.RoleName != "" {
		ps.add(ErrConflict, "roleArn", "caller mode names no service role; drop the role or use embedded or runtime mode")
	}
	switch mode {
	case Embedded:
		p.wireEmbedded(&ps, src)
	case Runtime:
		p.wireRuntime(&ps, src)
	case Caller:
		p.wireCaller(&ps)
	}
	p.checkDuration(&ps, &o)
	p.validateDocument(&ps, src)
	if p.Role != nil {
		p.planPermissions(&ps, &o)
	}
	p.planOperator(&ps, &o)
	p.planStart(&ps, &o)
	p.lintPolicies(&ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Plan) warn(field, format string, args ...any) {
	p.Warnings = append(p.Warnings, Warning{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *Plan) checkInputs(ps *problems, src Source, o *Options) {
	switch p.Mode {
	case Embedded, Runtime, Caller:
	default:
		ps.add(ErrInvalidInput, "mode", "unknown mode %d; want Embedded, Runtime or Caller", int(p.Mode))
	}
	if !accountRE.MatchString(p.Account) {
		ps.add(ErrInvalidInput, "account", "%q is not a 12-digit account id", p.Account)
	}
	if !regionRE.MatchString(p.Region) {
		ps.add(ErrInvalidInput, "region", "%q is not a Region such as us-east-1", p.Region)
	}
	p.Partition = o.Partition
	if p.Partition == "" {
		p.Partition = policy.PartitionForRegion(p.Region)
	} else if !partitionRE.MatchString(p.Partition) {
		ps.add(ErrInvalidInput, "partition", "%q is not a partition such as aws or aws-cn", p.Partition)
	} else if regionRE.MatchString(p.Region) && p.Partition != policy.PartitionForRegion(p.Region) {
		ps.add(ErrConflict, "partition", "Region %s is in partition %s, not %s", p.Region, policy.PartitionForRegion(p.Region), p.Partition)
	}
	switch {
	case !docNameRE.MatchString(p.DocumentName):
		ps.add(ErrInvalidInput, "name", "document name %q must be 3 to 128 letters, digits, '_', '-' or '.'", p.DocumentName)
	case !src.existing && ReservedName(p.DocumentName):
		ps.add(ErrConflict, "name", "document names starting with aws, amazon or amzn are reserved for AWS; plan an AWS-owned runbook as an existing document")
	}
	if !src.existing && src.doc == nil {
		ps.add(ErrNeedsInput, "document", "a new document needs its content")
	}
	if o.DocumentVersion != "" && !versionRE.MatchString(o.DocumentVersion) {
		ps.add(ErrInvalidInput, "documentVersion", "%q is not a version number, $DEFAULT or $LATEST", o.DocumentVersion)
	}
	p.OperatorPolicyName = o.OperatorPolicyName
	if p.OperatorPolicyName == "" {
		p.OperatorPolicyName = p.DocumentName + "-Operator"
	}
	if !policyRE.MatchString(p.OperatorPolicyName) {
		ps.add(ErrInvalidInput, "operatorPolicyName", "%q is not a valid managed policy name (1 to 128 of letters, digits and +=,.@_-)", p.OperatorPolicyName)
	}
}

// planRole names the role and checks it belongs to the plan's account and
// partition.
func (p *Plan) planRole(ps *problems, o *Options) {
	r := &Role{Name: o.RoleName, Path: o.RolePath, PolicyName: o.RolePolicyName}
	if r.PolicyName == "" {
		r.PolicyName = DefaultRolePolicyName
	}
	if !policyRE.MatchString(r.PolicyName) {
		ps.add(ErrInvalidInput, "rolePolicyName", "%q is not a valid inline policy name", r.PolicyName)
	}
	if o.RoleARN != "" {
		part, acct, path, name, ok := parseRoleARN(o.RoleARN)
		switch {
		case !ok:
			ps.add(ErrInvalidInput, "roleArn", "%q is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME)", o.RoleARN)
			return
		case part != p.Partition:
			ps.add(ErrConflict, "roleArn", "role %s is in partition %s, the plan in %s", o.RoleARN, part, p.Partition)
		case acct != p.Account:
			ps.add(ErrConflict, "roleArn", "role %s belongs to account %s, the plan to %s; Automation's service role must be in the account that runs it", o.RoleARN, acct, p.Account)
		}
		if r.Name != "" && r.Name != name {
			ps.add(ErrConflict, "roleName", "role name %q disagrees with role ARN %s", r.Name, o.RoleARN)
		}
		if r.Path != "" && r.Path != path {
			ps.add(ErrConflict, "rolePath", "role path %q disagrees with role ARN %s", r.Path, o.RoleARN)
		}
		r.Name, r.Path = name, path
	}
	if r.Path == "" {
		r.Path = DefaultRolePath
	}
	if r.Name == "" {
		r.Name = p.DocumentName + "-Automation"
		if len(r.Name) > 64 {
			ps.add(ErrNeedsInput, "roleName", "the default role name %q is longer than 64 characters; set a role name or ARN", r.Name)
			return
		}
	}
	if !roleNameRE.MatchString(r.Name) {
		ps.add(ErrInvalidInput, "roleName", "%q is not a valid role name (1 to 64 of letters, digits and +=,.@_-)", r.Name)
	}
	if !rolePathRE.MatchString(r.Path) || len(r.Path) > 512 {
		ps.add(ErrInvalidInput, "rolePath", "%q is not a valid IAM path (starts and ends with /)", r.Path)
	}
	r.ARN = arn.ARN{Partition: p.Partition, Service: "iam", Account: p.Account, Resource: "role" + r.Path + r.Name}.String()
	if !roleARNRE.MatchString(r.ARN) {
		ps.add(ErrInvalidInput, "roleArn", "%s does not match %s", r.ARN, RoleARNPattern)
	}
	r.Trust = policy.AutomationTrust(p.scope())
	p.Role = r
}

// parseRoleARN splits arn:PARTITION:iam::ACCOUNT:role/PATH/NAME.
func parseRoleARN(s string) (partition, account, path, name string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Region != "" || !strings.HasPrefix(a.Resource, "role/") {
		return "", "", "", "", false
	}
	if !partitionRE.MatchString(a.Partition) || !accountRE.MatchString(a.Account) {
		return "", "", "", "", false
	}
	res := strings.TrimPrefix(a.Resource, "role")
	path, name = res[:len(res)-len(a.Name())], a.Name()
	if !roleNameRE.MatchString(name) || !rolePathRE.MatchString(path) {
		return "", "", "", "", false
	}
	return a.Partition, a.Account, path, name, true
}

// cloneDocument deep-copies a document through its lossless encoding so the
// caller's runbook is never modified.
func cloneDocument(d *runbook.Document) (*runbook.Document, error) {
	return runbook.ParseJSON(d.CompactJSON())
}

func findParam(d *runbook.Document, name string) int {
	return slices.IndexFunc(d.Parameters, func(p runbook.Parameter) bool { return p.Name == name })
}

// paramUsedOutsideAssumeRole reports whether any step, output or variable
// reads the parameter.
func paramUsedOutsideAssumeRole(d *runbook.Document, name string) bool {
	uses := func(v runbook.Value) bool {
		for _, r := range v.References() {
			if r.Kind == runbook.RefParameter && r.Name == name {
				return true
			}
		}
		return false
	}
	for _, s := range d.MainSteps {
		if s.Inputs == nil {
			continue
		}
		for _, m := range s.Inputs.Members() {
			if uses(m.Value) {
				return true
			}
		}
	}
	for _, v := range d.Variables {
		if uses(v.Default) {
			return true
		}
	}
	return false
}

// assumeRoleParam returns the parameter assumeRole reads when it is exactly
// one parameter reference.
func assumeRoleParam(d *runbook.Document) (string, bool) {
	r, ok := runbook.WholeReference(d.AssumeRole)
	if !ok || r.Kind != runbook.RefParameter {
		return "", false
	}
	return r.Name, true
}

func (p *Plan) wireEmbedded(ps *problems, src Source) {
	d := p.Document
	if d == nil {
		ps.add(ErrNeedsInput, "document", "embedded mode writes the role into the document; give its content")
		return
	}
	if p.Role == nil {
		return
	}
	role := p.Role.ARN
	resolved, _ := d.ResolveAssumeRole(p.globals())
	switch param, isRef := assumeRoleParam(d); {
	case d.AssumeRole == role:
	case resolved == role:
		// Built from automation variables that name this role here: kept
		// as written, so the document stays portable.
	case src.existing:
		ps.add(ErrConflict, "assumeRole", "embedded mode writes the role into the document, but %s already exists and is not changed by the plan; copy it under your own name or use runtime mode", p.DocumentName)
	case d.AssumeRole == "":
		d.AssumeRole = role
	case isRef:
		d.AssumeRole = role
		i := findParam(d, param)
		switch {
		case i < 0:
		case paramUsedOutsideAssumeRole(d, param):
			p.warn(field.NewPath("parameters", param).String(), "kept: steps still read it, but it no longer chooses the service role")
		default:
			d.Parameters = slices.Delete(d.Parameters, i, i+1)
			p.warn(field.NewPath("parameters", param).String(), "removed: the service role is now embedded in assumeRole")
		}
	case len(runbook.ParseReferences(d.AssumeRole)) > 0:
		ps.add(ErrConflict, "assumeRole", "%q is an expression; embedded mode replaces it with the role ARN only when it is a single parameter reference", d.AssumeRole)
	default:
		ps.add(ErrConflict, "assumeRole", "the document already embeds role %s, the plan %s", d.AssumeRole, role)
	}
}

func (p *Plan) wireRuntime(ps *problems, src Source) {
	d := p.Document
	if d == nil {
		// An existing document of unknown content: AWS-owned runbooks read
		// AutomationAssumeRole; nothing to check.
		return
	}
	p.wireRuntimeAssumeRole(ps, src)
	rp := field.NewPath("parameters", AssumeRoleParameter)
	i := findParam(d, AssumeRoleParameter)
	if i < 0 {
		if src.existing {
			ps.add(ErrConflict, rp.String(), "the existing document %s declares no %s parameter", p.DocumentName, AssumeRoleParameter)
			return
		}
		d.Parameters = append(d.Parameters, runbook.StringParameter(AssumeRoleParameter).
			Description(AssumeRoleDescription).AllowedPattern(RoleARNPattern).Parameter())
		return
	}
	prm := &d.Parameters[i]
	if prm.Type != runbook.TypeString && prm.Type != runbook.TypeRoleARN {
		ps.add(ErrConflict, rp.Child("type").String(), "is %s; the role ARN must be a String (or AWS::IAM::Role::Arn) parameter", prm.Type)
		return
	}
	if p.Role != nil {
		p.checkRoleParameter(ps, rp, prm)
	}
	if !src.existing {
		p.completeRoleParameter(rp, prm)
	}
}

// wireRuntimeAssumeRole makes the document's assumeRole read
// {{ AutomationAssumeRole }}, or reports why it cannot.
func (p *Plan) wireRuntimeAssumeRole(ps *problems, src Source) {
	d := p.Document
	ref := "{{ " + AssumeRoleParameter + " }}"
	switch param, isRef := assumeRoleParam(d); {
	case isRef && param == AssumeRoleParameter:
	case isRef:
		ps.add(ErrConflict, "assumeRole", "reads parameter %s; runtime mode passes the role as %s", param, AssumeRoleParameter)
	case d.AssumeRole == "" && !src.existing:
		d.AssumeRole = ref
	case d.AssumeRole == "":
		ps.add(ErrConflict, "assumeRole", "the existing document %s does not read a role from %s, so a role passed at start would be ignored", p.DocumentName, AssumeRoleParameter)
	case len(runbook.ParseReferences(d.AssumeRole)) > 0:
		ps.add(ErrConflict, "assumeRole", "%q is an expression; runtime mode needs exactly %q", d.AssumeRole, ref)
	default:
		ps.add(ErrConflict, "assumeRole", "the document embeds role %s; runtime mode needs %q (use embedded mode to keep a literal role)", d.AssumeRole, ref)
	}
}

// checkRoleParameter checks that the role parameter's allowedPattern and
// allowedValues accept the planned role, and warns of a default naming
// another.
func (p *Plan) checkRoleParameter(ps *problems, rp *field.Path, prm *runbook.Parameter) {
	if prm.AllowedPattern != "" {
		re, err := runbook.CompilePattern(prm.AllowedPattern)
		switch {
		case err != nil:
			p.warn(rp.Child("allowedPattern").String(), "cannot be checked here (%v); make sure it accepts %s", err, p.Role.ARN)
		case !re.MatchString(p.Role.ARN):
			ps.add(ErrConflict, rp.Child("allowedPattern").String(), "%q rejects the role %s", prm.AllowedPattern, p.Role.ARN)
		}
	}
	if prm.AllowedValues != nil && !slices.ContainsFunc(prm.AllowedValues, func(v runbook.Value) bool {
		s, ok := v.AsString()
		return ok && s == p.Role.ARN
	}) {
		ps.add(ErrConflict, rp.Child("allowedValues").String(), "does not allow the role %s", p.Role.ARN)
	}
	if s, ok := prm.Default.AsString(); ok && s != "" && s != p.Role.ARN {
		p.warn(rp.Child("default").String(), "names %s, not the planned role %s: a start that leaves the parameter out runs as that role", s, p.Role.ARN)
	}
}

// completeRoleParameter gives the role parameter of a document the plan
// writes a role ARN pattern and a description, and makes it required when
// its empty default would run the automation as the caller.
func (p *Plan) completeRoleParameter(rp *field.Path, prm *runbook.Parameter) {
	if prm.AllowedPattern == "" {
		prm.AllowedPattern = RoleARNPattern
		if s, ok := prm.Default.AsString(); ok && s == "" {
			// An empty default would run the automation as the caller.
			prm.Default = runbook.Value{}
			p.warn(rp.String(), "made required: an empty default would run the automation in the caller's session")
		}
	}
	if prm.Description == "" {
		prm.Description = AssumeRoleDescription
	}
}

func (p *Plan) wireCaller(ps *problems) {
	d := p.Document
	if d == nil {
		return
	}
	param, isRef := assumeRoleParam(d)
	switch {
	case d.AssumeRole == "":
	case isRef:
		i := findParam(d, param)
		if i < 0 {
			break // reported by validation
		}
		prm := d.Parameters[i]
		if s, ok := prm.Default.AsString(); !ok || s != "" {
			if prm.Default.IsZero() {
				ps.add(ErrConflict, field.NewPath("parameters", param).String(), "is required, so every run names a service role; caller mode needs it optional with an empty default")
			} else {
				ps.add(ErrConflict, field.NewPath("parameters", param, "default").String(), "%s names a service role; caller mode needs an empty default", prm.Default)
			}
		}
	default:
		ps.add(ErrConflict, "assumeRole", "the document names a service role (%s); caller mode runs without one", d.AssumeRole)
	}
	p.warn("mode", "caller mode: the automation runs with the operator's own permissions in a temporary session that expires after %s; the operator policy grants what the steps do", CallerSessionLimit)
}

// checkDuration applies the 12-hour rule in caller mode and records the
// bound in every mode.
func (p *Plan) checkDuration(ps *problems, o *Options) {
	if p.Document == nil {
		if p.Mode == Caller {
			ps.add(ErrNeedsInput, "document", "caller mode must know the runbook's content to check its duration against the %s session limit", CallerSessionLimit)
		}
		return
	}
	b := p.Document.MaxDuration(func(do *runbook.DurationOptions) { do.ChildDocument = o.ChildDocument })
	p.MaxDuration, p.Unbounded = b.Bound, b.Unbounded
	if b.Unbounded {
		p.MaxDuration = 0
	}
	if p.Mode != Caller {
		return
	}
	if b.Exceeds(CallerSessionLimit) {
		ps.list = append(ps.list, &CallerModeError{Bound: p.MaxDuration, Unbounded: b.Unbounded, Reasons: slices.Clone(b.Reasons), Cause: b.Cause})
		return
	}
	p.warn("mode", "worst-case duration %s is within the %s session limit", b.Bound, CallerSessionLimit)
}

func (p *Plan) validateDocument(ps *problems, src Source) {
	d := p.Document
	if d == nil {
		return
	}
	var rep runbook.Report
	if src.existing {
		rep = d.Validate()
	} else {
		rep = d.Validate(func(o *runbook.ValidateOptions) { o.Name = p.DocumentName })
	}
	if err := rep.Err(); err != nil {
		ps.wrap(ErrInvalidOutput, "document", err)
	}
	for _, w := range rep.Warnings {
		if w.Path == "assumeRole" && p.Mode == Caller {
			continue // caller mode means no role
		}
		p.Warnings = append(p.Warnings, Warning{Field: field.NewPath("document", w.Path).String(), Message: strings.TrimPrefix(w.Error(), w.Path+": warning: ")})
	}
}

func (p *Plan) planPermissions(ps *problems, o *Options) {
	if o.RolePolicy != nil {
		p.Role.Permissions = o.RolePolicy.Clone()
		return
	}
	if p.Document == nil {
		ps.add(ErrNeedsInput, "rolePolicy", "the content of %s is unknown, so the role's permissions cannot be derived; give the document's content or the role policy", p.DocumentName)
		return
	}
	d, err := p.derive(o)
	if err != nil {
		ps.wrap(ErrNeedsInput, "rolePolicy", err)
		return
	}
	p.Role.Permissions, p.Derived = d.Policy, d
	if len(d.Policy.Statement) == 0 {
		// IAM refuses a policy without statements; a role with only its
		// trust policy is what such a runbook needs.
		p.Role.Permissions = nil
	}
	for _, n := range d.Notes {
		if n == policy.NoteNoPermissions {
			n += ": the role gets its trust policy and no permissions policy"
		}
		p.warn("role.permissionsPolicy", "%s", n)
	}
}

// derive returns the least-privilege permissions of the runbook's steps.
func (p *Plan) derive(o *Options) (*policy.Derived, error) {
	return policy.ForRunbook(p.Document, p.scope(), o.DeriveOptions...)
}

func (p *Plan) planOperator(ps *problems, o *Options) {
	passRole := ""
	if p.Mode == Runtime && p.Role != nil {
		passRole = p.Role.ARN
		st := policy.PassRole(passRole)
		p.PassRole = &st
	}
	op, err := policy.Operator(p.scope(), []string{p.DocumentName}, func(oo *policy.OperatorOptions) {
		oo.DocumentVersion = o.DocumentVersion
		oo.AllowStop = o.OperatorControl
		oo.AllowSignal = o.OperatorControl
		oo.PassRole = passRole
	})
	if err != nil {
		ps.wrap(ErrInvalidInput, "operatorPolicy", err)
		return
	}
	if p.Mode == Caller {
		var perms *policy.Policy
		switch {
		case o.RolePolicy != nil:
			perms = o.RolePolicy
		case p.Document != nil:
			d, err := p.derive(o)
			if err != nil {
				ps.wrap(ErrNeedsInput, "operatorPolicy", err)
				break
			}
			perms, p.Derived = d.Policy, d
			for _, n := range d.Notes {
				if n == policy.NoteNoPermissions {
					n += ": the operator policy only starts and follows the automation"
				}
				p.warn("operatorPolicy", "%s", n)
			}
		}
		if perms != nil {
			for _, st := range perms.Statement {
				st = st.Clone()
				if st.Sid != "" {
					st.Sid = "Steps" + st.Sid
				}
				op.Statement = append(op.Statement, st)
			}
		}
	}
	p.OperatorPolicy = op
}

func (p *Plan) planStart(ps *problems, o *Options) {
	params := make(map[string][]string, len(o.Parameters)+1)
	for _, k := range slices.Sorted(maps.Keys(o.Parameters)) {
		params[k] = slices.Clone(o.Parameters[k])
	}
	if d := p.Document; d != nil {
		for _, k := range slices.Sorted(maps.Keys(params)) {
			if findParam(d, k) < 0 {
				ps.add(ErrInvalidInput, field.NewPath("parameters", k).String(), "the document declares no such parameter")
			}
		}
	}
	switch p.Mode {
	case Runtime:
		if p.Role != nil {
			if v, ok := params[AssumeRoleParameter]; ok && !slices.Equal(v, []string{p.Role.ARN}) {
				ps.add(ErrConflict, field.NewPath("parameters", AssumeRoleParameter).String(), "%v disagrees with the planned role %s", v, p.Role.ARN)
			}
			params[AssumeRoleParameter] = []string{p.Role.ARN}
		}
	case Caller, Embedded:
		if v, ok := params[AssumeRoleParameter]; ok && !(len(v) == 0 || len(v) == 1 && v[0] == "") {
			ps.add(ErrConflict, field.NewPath("parameters", AssumeRoleParameter).String(), "%s mode passes no role at start", p.Mode)
		}
	}
	if d := p.Document; d != nil {
		for _, prm := range d.Parameters {
			if _, ok := params[prm.Name]; !ok && prm.Required() {
				p.warn(field.NewPath("start", "Parameters", prm.Name).String(), "required; fill it in before starting")
			}
		}
	}
	in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String(p.DocumentName)}
	if o.DocumentVersion != "" {
		in.DocumentVersion = aws.String(o.DocumentVersion)
	}
	if len(params) > 0 {
		in.Parameters = params
	}
	p.Start = in
}
