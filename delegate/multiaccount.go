package delegate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Limits of StartAutomationExecution and its TargetLocation, from the API
// reference.
const (
	// MaxTargetLocations is how many TargetLocations one start may give.
	MaxTargetLocations = 100
	// MaxLocationAccounts is how many accounts and OUs one location may list.
	MaxLocationAccounts = 50
	// MaxLocationRegions is how many Regions one location may list.
	MaxLocationRegions = 50
	// MaxExcludeAccounts is how many accounts and OUs one location may
	// exclude.
	MaxExcludeAccounts = 5000
)

// DefaultExecutionPolicyName names the execution role's inline policy, as
// in AWS's template.
const DefaultExecutionPolicyName = "ExecutionPolicy"

// Placeholders the generic execution role uses where a StackSet instance
// fills in its own account and the administrator account.
const (
	placeholderAccount = "${AWS::AccountId}"
	placeholderAdmin   = "${AdminAccountId}"
)

var (
	ouRE        = regexp.MustCompile(`^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$`)
	orgRE       = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	concRE      = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	maxErrRE    = regexp.MustCompile(`^([1-9][0-9]*|0|[1-9][0-9]%|[0-9]%|100%)$`)
	execNameRE  = regexp.MustCompile(`^[\w+=,.@/-]{1,64}$`)
	alarmNameRE = regexp.MustCompile(`^[\x20-\x7e]{1,255}$`)
)

// Location is one TargetLocation: accounts and organizational units, the
// Regions to run in there, and its rate control.
type Location struct {
	// Accounts are 12-digit account IDs.
	Accounts []string
	// OrganizationalUnits are OU IDs (ou-…); targeting them needs
	// MultiAccountOptions.OrganizationAccess.
	OrganizationalUnits []string
	// IncludeChildOrganizationUnits also targets the accounts of the OUs'
	// child OUs.
	IncludeChildOrganizationUnits bool
	// ExcludeAccounts are accounts or OUs left out of the OUs' accounts.
	ExcludeAccounts []string
	// Regions to run in; at least one.
	Regions []string
	// ExecutionRoleName is the role assumed in each account; it must agree
	// with the plan's (MultiAccountOptions.ExecutionRoleName).
	ExecutionRoleName string
	// MaxConcurrency and MaxErrors are TargetLocationMaxConcurrency and
	// TargetLocationMaxErrors: a number or a percentage.
	MaxConcurrency string
	MaxErrors      string
	// Alarms are CloudWatch alarm names that stop the location's runs.
	Alarms                 []string
	IgnorePollAlarmFailure bool
	// Targets select the resources in each account and Region, with their
	// own rate control; they need MultiAccountOptions.TargetParameterName.
	Targets               []types.Target
	TargetsMaxConcurrency string
	TargetsMaxErrors      string
}

// MultiAccountOptions tune NewMultiAccountPlan. Zero values take the
// defaults documented on each field.
type MultiAccountOptions struct {
	// Mode must be Runtime (the default): the administrator passes the
	// administration role as AutomationAssumeRole. Embedded and caller mode
	// cannot run across accounts.
	Mode Mode
	// Partition; by default derived from the home Region.
	Partition string
	// AdministrationRoleName; policy.AdministrationRoleName by default.
	AdministrationRoleName string
	// ExecutionRoleName; policy.ExecutionRoleName by default. A name with
	// slashes is PATH/NAME.
	ExecutionRoleName string
	// ExecutionPolicyName names the execution role's inline policy;
	// DefaultExecutionPolicyName by default.
	ExecutionPolicyName string
	// ExecutionRolePolicy, when set, replaces the permissions derived from
	// the runbook (not what Automation itself needs in the target).
	ExecutionRolePolicy *policy.Policy
	// OrganizationAccess declares that the administrator account can read
	// the organization (it is the management account or a delegated
	// administrator for Systems Manager), which OU targets need.
	OrganizationAccess bool
	// OrganizationID (o-…) narrows the organization paths the
	// administration role may assume roles under.
	OrganizationID string
	// AllowAdminAccount lets the administrator account be a target.
	AllowAdminAccount bool
	// TargetParameterName is the parameter the locations' Targets fill.
	TargetParameterName string
	// TargetLocationsURL puts the locations in a presigned S3 file instead
	// of the start input; the plan still needs them to plan the roles.
	TargetLocationsURL string
	// OperatorPolicyName, OperatorControl, DocumentVersion, Parameters and
	// DeriveOptions are as in Options.
	OperatorPolicyName string
	OperatorControl    bool
	DocumentVersion    string
	Parameters         map[string][]string
	DeriveOptions      []func(*policy.RunbookOptions)
}

// ExecutionRole is the role Automation assumes in one target account.
type ExecutionRole struct {
	// Account is the target account; for the generic role of a StackSet it
	// is "${AWS::AccountId}".
	Account string
	Name    string
	Path    string
	ARN     string
	// Trust admits the administration role, and Systems Manager for
	// executions of this account only.
	Trust *policy.Policy
	// PolicyName names the inline permissions policy.
	PolicyName string
	// Permissions are the runbook's needs followed by what Automation
	// itself does in the target (statements whose Sid starts with
	// "Automation").
	Permissions *policy.Policy
	// Derived is the derivation behind the runbook's part; nil when it was
	// supplied.
	Derived *policy.Derived
}

// MultiAccountPlan is delegated administration of one runbook run from an
// administrator account in many accounts and Regions.
type MultiAccountPlan struct {
	AdminAccount string
	// Region is the administrator's home Region, where executions start.
	Region    string
	Partition string
	// DocumentName, DocumentARN, CreateDocument and Document are as in
	// Plan.
	DocumentName   string
	DocumentARN    string
	CreateDocument bool
	Document       *runbook.Document
	// AdministrationRole is the role the automation runs as in the
	// administrator account.
	AdministrationRole *Role
	// ExecutionRoles are the roles of the listed target accounts, by
	// account.
	ExecutionRoles []*ExecutionRole
	// StackSetRole is the execution role with placeholders for the
	// account and the administrator account, which the StackSet template
	// deploys to any target (accounts of OUs included).
	StackSetRole *ExecutionRole
	// Accounts are the listed target accounts; OrganizationalUnits the OUs;
	// Regions every target Region; all sorted.
	Accounts            []string
	OrganizationalUnits []string
	Regions             []string
	// OperatorPolicyName and OperatorPolicy let the operator start this
	// runbook (with TargetLocations), pass the administration role to
	// Systems Manager and follow executions.
	OperatorPolicyName string
	OperatorPolicy     *policy.Policy
	// Start is the StartAutomationExecution input with TargetLocations (or
	// TargetLocationsURL).
	Start *ssm.StartAutomationExecutionInput
	// Locations are the TargetLocations themselves, also when Start refers
	// to them by URL.
	Locations []types.TargetLocation
	Warnings  []Warning

	usesTargets bool
}

// NewMultiAccountPlan plans src run from adminAccount's home region in the
// given locations. Problems come back together in a *PlanError, as with
// NewPlan; field names are wire paths of the start input
// ("targetLocations[0].Accounts[1]") or option names.
func NewMultiAccountPlan(src Source, adminAccount, region string, locations []Location, optFns ...func(*MultiAccountOptions)) (*MultiAccountPlan, error) {
	var o MultiAccountOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var ps problems
	mp := &MultiAccountPlan{AdminAccount: adminAccount, Region: region}
	mp.checkMultiInputs(&ps, src, locations, &o)
	shared := mp.sharedDocument(&ps, &src, &o)
	if len(ps.list) > 0 {
		return nil, ps.err()
	}
	adminPerms := mp.administrationPolicy(locations, &o)
	if b, err := adminPerms.Compact(); err == nil && policy.Size(b) > policy.LimitRoleInline {
		ps.add(ErrNeedsInput, "administrationRole.permissionsPolicy", "the execution roles of %d accounts take %d characters, over the %d of a role's inline policies; target the accounts through their OUs",
			len(mp.Accounts), policy.Size(b), policy.LimitRoleInline)
		return nil, ps.err()
	}
	base, err := NewPlan(src, Runtime, adminAccount, region, func(po *Options) {
		po.Partition = o.Partition
		po.RoleName = o.AdministrationRoleName
		po.RolePolicyName = "AssumeExecutionRoles"
		po.RolePolicy = adminPerms
		po.OperatorPolicyName = o.OperatorPolicyName
		po.OperatorControl = o.OperatorControl
		po.DocumentVersion = o.DocumentVersion
		po.Parameters = o.Parameters
	})
	if err != nil {
		return nil, err
	}
	mp.Partition = base.Partition
	mp.DocumentName, mp.DocumentARN, mp.CreateDocument, mp.Document = base.DocumentName, base.DocumentARN, base.CreateDocument, base.Document
	mp.AdministrationRole = base.Role
	mp.OperatorPolicyName, mp.OperatorPolicy = base.OperatorPolicyName, base.OperatorPolicy
	for _, w := range base.Warnings {
		if w.Field == "role.permissionsPolicy" {
			continue // the administration role's permissions are planned here
		}
		if o.TargetParameterName != "" && w.Field == "start.Parameters."+o.TargetParameterName {
			continue // the locations' Targets fill it
		}
		if rest, ok := strings.CutPrefix(w.Field, "role."); ok {
			w.Field = "administrationRole." + rest
		}
		mp.Warnings = append(mp.Warnings, w)
	}
	if shared != "" {
		mp.useSharedDocument(shared, base, &o)
	}
	mp.planExecutionRoles(&ps, &o)
	mp.planMultiStart(&ps, base, locations, &o)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return mp, nil
}

func (mp *MultiAccountPlan) warn(field, format string, args ...any) {
	mp.Warnings = append(mp.Warnings, Warning{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (mp *MultiAccountPlan) checkMultiInputs(ps *problems, src Source, locations []Location, o *MultiAccountOptions) {
	checkMultiMode(ps, src, o)
	part := mp.checkMultiNames(ps, o)
	if len(locations) == 0 {
		ps.add(ErrNeedsInput, "targetLocations", "name at least one location: accounts or OUs, and Regions")
	}
	if len(locations) > MaxTargetLocations {
		ps.add(ErrInvalidInput, "targetLocations", "%d locations; StartAutomationExecution accepts at most %d", len(locations), MaxTargetLocations)
	}
	accounts, ous, regions := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, l := range locations {
		f := "targetLocations[" + strconv.Itoa(i) + "]"
		if l.ExecutionRoleName != "" && l.ExecutionRoleName != o.ExecutionRoleName {
			ps.add(ErrConflict, f+".ExecutionRoleName", "%q differs from the plan's execution role %q; every location must assume the same role, which the administration role is allowed to assume", l.ExecutionRoleName, o.ExecutionRoleName)
		}
		mp.checkLocationAccounts(ps, f, l, o, accounts, ous)
		checkLocationRegions(ps, f, l, part, regions)
		checkLocationRates(ps, f, l, o)
	}
	mp.noteRepeatedLocations(locations)
	mp.Accounts = slices.Sorted(maps.Keys(accounts))
	mp.OrganizationalUnits = slices.Sorted(maps.Keys(ous))
	mp.Regions = slices.Sorted(maps.Keys(regions))
}

// checkMultiMode allows runtime mode only (the default): each target
// account runs as its own execution role, which only the administration
// role of runtime mode can assume.
func checkMultiMode(ps *problems, src Source, o *MultiAccountOptions) {
	switch o.Mode {
	case 0, Runtime:
		o.Mode = Runtime
	case Embedded:
		ps.add(ErrModeRefused, "mode", "embedded mode names one role in the document, but each target account runs as its own execution role; use runtime mode")
	case Caller:
		ps.add(ErrModeRefused, "mode", "caller mode has no administration role to assume the execution roles of the target accounts; use runtime mode")
	default:
		ps.add(ErrInvalidInput, "mode", "unknown mode %d", int(o.Mode))
	}
	if d := src.doc; d != nil {
		if _, acct, _, _, ok := parseRoleARN(d.AssumeRole); ok {
			ps.add(ErrConflict, "assumeRole", "the document embeds the role %s of account %s, which does not exist in the other target accounts; read the role from {{ %s }}", d.AssumeRole, acct, AssumeRoleParameter)
		}
	}
}

// checkMultiNames checks the administrator's account and Region and the
// names of the plan, filling in the default names, and returns the
// partition the locations must be in ("" when the Region is invalid).
func (mp *MultiAccountPlan) checkMultiNames(ps *problems, o *MultiAccountOptions) string {
	if !accountRE.MatchString(mp.AdminAccount) {
		ps.add(ErrInvalidInput, "adminAccount", "%q is not a 12-digit account id", mp.AdminAccount)
	}
	if !regionRE.MatchString(mp.Region) {
		ps.add(ErrInvalidInput, "region", "%q is not a Region such as us-east-1", mp.Region)
	}
	part := o.Partition
	if part == "" && regionRE.MatchString(mp.Region) {
		part = policy.PartitionForRegion(mp.Region)
	}
	if o.AdministrationRoleName == "" {
		o.AdministrationRoleName = policy.AdministrationRoleName
	}
	if o.ExecutionRoleName == "" {
		o.ExecutionRoleName = policy.ExecutionRoleName
	}
	if !execNameRE.MatchString(o.ExecutionRoleName) || !validExecName(o.ExecutionRoleName) {
		ps.add(ErrInvalidInput, "executionRoleName", "%q is not a role name (up to 64 of letters, digits and +=,.@_-, with an optional PATH/)", o.ExecutionRoleName)
	}
	if o.ExecutionPolicyName == "" {
		o.ExecutionPolicyName = DefaultExecutionPolicyName
	}
	if !policyRE.MatchString(o.ExecutionPolicyName) {
		ps.add(ErrInvalidInput, "executionPolicyName", "%q is not a valid inline policy name", o.ExecutionPolicyName)
	}
	if o.OrganizationID != "" && !orgRE.MatchString(o.OrganizationID) {
		ps.add(ErrInvalidInput, "organizationId", "%q is not an organization id such as o-a1b2c3d4e5", o.OrganizationID)
	}
	if u := o.TargetLocationsURL; u != "" && (!strings.HasPrefix(u, "https://") || len(u) > 2048 || strings.ContainsAny(u, " \t\r\n")) {
		ps.add(ErrInvalidInput, "targetLocationsURL", "%q is not an https URL of a presigned S3 object", u)
	}
	return part
}

// checkLocationAccounts checks a location's accounts, OUs and excluded
// accounts, adding the valid ones to accounts and ous.
func (mp *MultiAccountPlan) checkLocationAccounts(ps *problems, f string, l Location, o *MultiAccountOptions, accounts, ous map[string]bool) {
	if len(l.Accounts)+len(l.OrganizationalUnits) == 0 {
		ps.add(ErrNeedsInput, f+".Accounts", "name at least one account or OU")
	}
	if n := len(l.Accounts) + len(l.OrganizationalUnits); n > MaxLocationAccounts {
		ps.add(ErrInvalidInput, f+".Accounts", "%d accounts and OUs; a location accepts at most %d", n, MaxLocationAccounts)
	}
	for j, a := range l.Accounts {
		switch {
		case !accountRE.MatchString(a):
			ps.add(ErrInvalidInput, f+".Accounts["+strconv.Itoa(j)+"]", "%q is not a 12-digit account id", a)
		case a == mp.AdminAccount && !o.AllowAdminAccount:
			ps.add(ErrConflict, f+".Accounts["+strconv.Itoa(j)+"]", "%s is the administrator account; allow it as a target explicitly if it should run there too", a)
		default:
			accounts[a] = true
		}
	}
	for j, ou := range l.OrganizationalUnits {
		if !ouRE.MatchString(ou) {
			ps.add(ErrInvalidInput, f+".Accounts["+strconv.Itoa(len(l.Accounts)+j)+"]", "%q is not an OU id such as ou-ab12-cdef3456", ou)
			continue
		}
		ous[ou] = true
	}
	if len(l.OrganizationalUnits) > 0 && !o.OrganizationAccess {
		ps.add(ErrNeedsInput, f+".Accounts", "targets OUs, which only the management account or a delegated administrator can expand; declare organization access")
	}
	if l.IncludeChildOrganizationUnits && len(l.OrganizationalUnits) == 0 {
		ps.add(ErrConflict, f+".IncludeChildOrganizationUnits", "set without an OU to take children of")
	}
	if len(l.ExcludeAccounts) > 0 && len(l.OrganizationalUnits) == 0 {
		ps.add(ErrConflict, f+".ExcludeAccounts", "excludes from OUs' accounts, but the location names no OU")
	}
	if len(l.ExcludeAccounts) > MaxExcludeAccounts {
		ps.add(ErrInvalidInput, f+".ExcludeAccounts", "%d entries; at most %d", len(l.ExcludeAccounts), MaxExcludeAccounts)
	}
	for j, x := range l.ExcludeAccounts {
		if !accountRE.MatchString(x) && !ouRE.MatchString(x) {
			ps.add(ErrInvalidInput, f+".ExcludeAccounts["+strconv.Itoa(j)+"]", "%q is neither an account id nor an OU id", x)
		}
	}
}

// checkLocationRegions checks a location's Regions, which must be in the
// administrator's partition part, adding the valid ones to regions.
func checkLocationRegions(ps *problems, f string, l Location, part string, regions map[string]bool) {
	if len(l.Regions) == 0 {
		ps.add(ErrNeedsInput, f+".Regions", "name at least one Region")
	}
	if len(l.Regions) > MaxLocationRegions {
		ps.add(ErrInvalidInput, f+".Regions", "%d Regions; a location accepts at most %d", len(l.Regions), MaxLocationRegions)
	}
	for j, r := range l.Regions {
		rf := f + ".Regions[" + strconv.Itoa(j) + "]"
		switch {
		case !regionRE.MatchString(r):
			ps.add(ErrInvalidInput, rf, "%q is not a Region such as us-east-1", r)
		case part != "" && policy.PartitionForRegion(r) != part:
			ps.add(ErrConflict, rf, "%s is in partition %s, the administrator in %s; Automation cannot cross partitions", r, policy.PartitionForRegion(r), part)
		default:
			regions[r] = true
		}
	}
}

// checkLocationRates checks a location's rate controls, targets and
// alarms.
func checkLocationRates(ps *problems, f string, l Location, o *MultiAccountOptions) {
	if l.MaxConcurrency != "" && !concRE.MatchString(l.MaxConcurrency) {
		ps.add(ErrInvalidInput, f+".TargetLocationMaxConcurrency", "%q is not a count (1 or more) or a percentage (1%% to 100%%)", l.MaxConcurrency)
	}
	if l.MaxErrors != "" && !maxErrRE.MatchString(l.MaxErrors) {
		ps.add(ErrInvalidInput, f+".TargetLocationMaxErrors", "%q is not a count or a percentage (0%% to 100%%)", l.MaxErrors)
	}
	if l.TargetsMaxConcurrency != "" && !concRE.MatchString(l.TargetsMaxConcurrency) {
		ps.add(ErrInvalidInput, f+".TargetsMaxConcurrency", "%q is not a count (1 or more) or a percentage (1%% to 100%%)", l.TargetsMaxConcurrency)
	}
	if l.TargetsMaxErrors != "" && !maxErrRE.MatchString(l.TargetsMaxErrors) {
		ps.add(ErrInvalidInput, f+".TargetsMaxErrors", "%q is not a count or a percentage (0%% to 100%%)", l.TargetsMaxErrors)
	}
	if len(l.Targets) > 0 && o.TargetParameterName == "" {
		ps.add(ErrNeedsInput, f+".Targets", "targets need the name of the parameter they fill (TargetParameterName)")
	}
	if len(l.Targets) == 0 && (l.TargetsMaxConcurrency != "" || l.TargetsMaxErrors != "") {
		ps.add(ErrConflict, f+".TargetsMaxConcurrency", "rate control of targets without Targets")
	}
	for j, a := range l.Alarms {
		if !alarmNameRE.MatchString(a) {
			ps.add(ErrInvalidInput, f+".TargetLocationAlarmConfiguration.Alarms["+strconv.Itoa(j)+"]", "%q is not a CloudWatch alarm name", a)
		}
	}
}

// noteRepeatedLocations warns of an account or OU named twice in one
// Region, where the runbook would run twice, and notes whether any
// location has Targets.
func (mp *MultiAccountPlan) noteRepeatedLocations(locations []Location) {
	seen := map[string]bool{}
	for _, l := range locations {
		mp.usesTargets = mp.usesTargets || len(l.Targets) > 0
		for _, a := range append(slices.Clone(l.Accounts), l.OrganizationalUnits...) {
			for _, r := range l.Regions {
				if seen[a+" "+r] {
					mp.warn("targetLocations", "%s in %s is named more than once, so the runbook runs there more than once", a, r)
				}
				seen[a+" "+r] = true
			}
		}
	}
}

// validExecName rejects empty path segments, which IAM refuses.
func validExecName(s string) bool {
	return !strings.HasPrefix(s, "/") && !strings.HasSuffix(s, "/") && !strings.Contains(s, "//")
}

// splitExecName splits PATH/NAME into the IAM path and name.
func splitExecName(s string) (path, name string) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "/", s
	}
	return "/" + s[:i+1], s[i+1:]
}

func (mp *MultiAccountPlan) scopeFor(account string) policy.Scope {
	s := policy.Scope{Partition: mp.partition(), Account: account}
	if len(mp.Regions) == 1 {
		s.Region = mp.Regions[0]
	}
	return s
}

func (mp *MultiAccountPlan) partition() string {
	if mp.Partition != "" {
		return mp.Partition
	}
	return policy.PartitionForRegion(mp.Region)
}

// executionRoleARN is the execution role's ARN in account.
func (mp *MultiAccountPlan) executionRoleARN(account, execName string) string {
	return "arn:" + mp.partition() + ":iam::" + account + ":role/" + execName
}

// administrationPolicy lets the administration role assume exactly the
// execution roles of the listed accounts and, for OUs, the execution role
// of accounts under those OUs, and read what it must of the organization.
func (mp *MultiAccountPlan) administrationPolicy(locations []Location, o *MultiAccountOptions) *policy.Policy {
	part := mp.partition()
	var sts []policy.Statement
	if len(mp.Accounts) > 0 {
		arns := make([]string, len(mp.Accounts))
		for i, a := range mp.Accounts {
			arns[i] = mp.executionRoleARN(a, o.ExecutionRoleName)
		}
		sts = append(sts, policy.Statement{Sid: "AssumeExecutionRoles", Effect: policy.Allow,
			Action: policy.List("sts:AssumeRole"), Resource: policy.List(arns...)})
	}
	if len(mp.OrganizationalUnits) == 0 {
		return policy.New(sts...)
	}
	org := "o-*"
	if o.OrganizationID != "" {
		org = o.OrganizationID
	}
	// Only the OUs of locations that include child OUs reach below them.
	childrenOf := map[string]bool{}
	children := false
	var excluded, excludedOUs []string
	for _, l := range locations {
		if l.IncludeChildOrganizationUnits {
			for _, ou := range l.OrganizationalUnits {
				childrenOf[ou], children = true, true
			}
		}
		for _, x := range l.ExcludeAccounts {
			if ouRE.MatchString(x) {
				excludedOUs = append(excludedOUs, org+"/*/"+x+"/*")
			} else if accountRE.MatchString(x) {
				excluded = append(excluded, x)
			}
		}
	}
	// aws:ResourceOrgPaths is the path of the role's account:
	// o-ORG/r-ROOT/ou-…/…/. An account directly in an OU ends with it; one
	// in a child OU has it further up.
	var paths, ouARNs []string
	for _, ou := range mp.OrganizationalUnits {
		paths = append(paths, org+"/*/"+ou+"/")
		if childrenOf[ou] {
			paths = append(paths, org+"/*/"+ou+"/*")
		}
		ouARNs = append(ouARNs, "arn:"+part+":organizations::*:ou/"+org+"/"+ou)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	st := policy.Statement{Sid: "AssumeExecutionRolesInOrganizationalUnits", Effect: policy.Allow,
		Action: policy.List("sts:AssumeRole"), Resource: policy.List(mp.executionRoleARN("*", o.ExecutionRoleName))}
	st.Condition = st.Condition.Add("ForAnyValue:StringLike", "aws:ResourceOrgPaths", policy.Values(paths...))
	if len(excluded) > 0 {
		st.Condition = st.Condition.Add("StringNotEquals", "aws:ResourceAccount", policy.Values(sortedCopy(excluded)...))
	}
	if len(excludedOUs) > 0 {
		st.Condition = st.Condition.Add("ForAllValues:StringNotLike", "aws:ResourceOrgPaths", policy.Values(sortedCopy(excludedOUs)...))
	}
	sts = append(sts, st)
	list := policy.Statement{Sid: "ListAccountsOfOrganizationalUnits", Effect: policy.Allow,
		Action: policy.List("organizations:ListAccountsForParent"), Resource: policy.List(ouARNs...)}
	if children {
		// Child OUs have IDs of their own: walking them needs every OU of
		// the organization.
		list.Action = policy.List("organizations:ListAccountsForParent", "organizations:ListChildren", "organizations:ListOrganizationalUnitsForParent")
		list.Resource = policy.List("arn:" + part + ":organizations::*:ou/" + org + "/*")
	}
	sts = append(sts, list)
	return policy.New(sts...)
}

// planExecutionRoles plans the execution role of every listed account and
// the generic one a StackSet deploys.
func (mp *MultiAccountPlan) planExecutionRoles(ps *problems, o *MultiAccountOptions) {
	if mp.Document == nil && o.ExecutionRolePolicy == nil {
		ps.add(ErrNeedsInput, "executionRolePolicy", "the content of %s is unknown, so the execution role's permissions cannot be derived; give the document's content or the execution role policy", mp.DocumentName)
		return
	}
	if len(mp.Regions) > 1 {
		mp.warn("executionRole.permissionsPolicy", "one execution role serves %d Regions, so its resources name every Region", len(mp.Regions))
	}
	if len(mp.OrganizationalUnits) > 0 && o.OrganizationID == "" {
		mp.warn("administrationRole.permissionsPolicy", "without an organization id the OU paths match OUs of that id in any organization; set the organization id to pin it")
	}
	notes := map[string]bool{}
	for _, a := range mp.Accounts {
		r, err := mp.executionRole(a, mp.AdminAccount, o)
		if err != nil {
			ps.wrap(ErrNeedsInput, "executionRole["+a+"].permissionsPolicy", err)
			continue
		}
		mp.lintExecutionRole(ps, r)
		mp.ExecutionRoles = append(mp.ExecutionRoles, r)
		if r.Derived != nil {
			for _, n := range r.Derived.Notes {
				if !notes[n] {
					notes[n] = true
					mp.warn("executionRole.permissionsPolicy", "%s", n)
				}
			}
		}
	}
	r, err := mp.executionRole(placeholderAccount, placeholderAdmin, o)
	if err != nil {
		if len(mp.Accounts) == 0 {
			ps.wrap(ErrNeedsInput, "executionRole.permissionsPolicy", err)
		}
		return
	}
	mp.StackSetRole = r
}

func (mp *MultiAccountPlan) lintExecutionRole(ps *problems, r *ExecutionRole) {
	field := "executionRole[" + r.Account + "]"
	check := func(name string, pol *policy.Policy, kind policy.Kind, limit int) {
		rep := policy.Lint(pol, kind, func(lo *policy.LintOptions) { lo.SizeLimit = limit })
		if err := rep.Err(); err != nil {
			ps.wrap(ErrInvalidOutput, field+"."+name, err)
		}
	}
	check("trustPolicy", r.Trust, policy.KindTrust, policy.LimitTrust)
	check("permissionsPolicy", r.Permissions, policy.KindIdentity, policy.LimitRoleInline)
}

// executionRole plans the role of account, trusted by the administration
// role of admin.
func (mp *MultiAccountPlan) executionRole(account, admin string, o *MultiAccountOptions) (*ExecutionRole, error) {
	path, name := splitExecName(o.ExecutionRoleName)
	r := &ExecutionRole{Account: account, Name: name, Path: path, PolicyName: o.ExecutionPolicyName,
		ARN: mp.executionRoleARN(account, o.ExecutionRoleName)}
	adminRole := mp.AdministrationRole
	adminARN := "arn:" + mp.partition() + ":iam::" + admin + ":role" + adminRole.Path + adminRole.Name
	target := policy.Scope{Partition: mp.partition(), Account: account}
	trust := policy.AutomationTrust(target)
	r.Trust = policy.New(
		policy.Statement{Sid: "AdministrationRole", Effect: policy.Allow, Principal: policy.AWSPrincipal(adminARN), Action: policy.One("sts:AssumeRole")},
		trust.Statement[0],
	)
	var statements []policy.Statement
	if o.ExecutionRolePolicy != nil {
		statements = slices.Clone(o.ExecutionRolePolicy.Clone().Statement)
	} else {
		d, err := policy.ForRunbook(mp.Document, mp.scopeFor(account), o.DeriveOptions...)
		if err != nil {
			return nil, err
		}
		r.Derived = d
		statements = slices.Clone(d.Policy.Statement)
	}
	scope := mp.scopeFor(account)
	adminScope := policy.Scope{Partition: mp.partition(), Region: scope.Region, Account: admin}
	// The target's own document (AWS-owned runbooks have no account) and
	// the administrator's, which the target runs when shared with it. The
	// order is fixed rather than sorted so that the StackSet's generic role
	// lists them as every account's role does.
	var docs []string
	for _, a := range []string{scope.DocumentARN(mp.DocumentName), scope.AutomationDefinitionARN(mp.DocumentName, "*"),
		adminScope.DocumentARN(mp.DocumentName), adminScope.AutomationDefinitionARN(mp.DocumentName, "*"), scope.AutomationExecutionARN("*")} {
		if !slices.Contains(docs, a) {
			docs = append(docs, a)
		}
	}
	statements = append(statements,
		policy.Statement{Sid: "AutomationStartInTarget", Effect: policy.Allow,
			Action: policy.List("ssm:StartAutomationExecution"), Resource: policy.List(docs...)},
		policy.Statement{Sid: "AutomationFollowInTarget", Effect: policy.Allow,
			Action:   policy.List("ssm:DescribeAutomationStepExecutions", "ssm:GetAutomationExecution", "ssm:StopAutomationExecution"),
			Resource: policy.List(scope.AutomationExecutionARN("*"))},
	)
	if mp.usesTargets {
		statements = append(statements, policy.Statement{Sid: "AutomationResolveTargets", Effect: policy.Allow,
			Action: policy.List("resource-groups:ListGroupResources", "tag:GetResources"), Resource: policy.List("*")})
	}
	pass := policy.Statement{Sid: "AutomationPassExecutionRole", Effect: policy.Allow,
		Action: policy.List("iam:PassRole"), Resource: policy.List(r.ARN)}
	pass.Condition = pass.Condition.Add("StringEquals", "iam:PassedToService", policy.Values(policy.SSMServicePrincipal))
	statements = append(statements, pass)
	r.Permissions = policy.New(statements...)
	return r, nil
}

// planMultiStart builds the start input: the base plan's document,
// version and parameters (AutomationAssumeRole is the administration
// role) with the target locations.
func (mp *MultiAccountPlan) planMultiStart(ps *problems, base *Plan, locations []Location, o *MultiAccountOptions) {
	in := &ssm.StartAutomationExecutionInput{
		DocumentName:    base.Start.DocumentName,
		DocumentVersion: base.Start.DocumentVersion,
		Parameters:      base.Start.Parameters,
	}
	if o.TargetParameterName != "" {
		if mp.Document != nil && findParam(mp.Document, o.TargetParameterName) < 0 {
			ps.add(ErrInvalidInput, "targetParameterName", "the document declares no parameter %s", o.TargetParameterName)
		}
		in.TargetParameterName = aws.String(o.TargetParameterName)
	}
	for _, l := range locations {
		mp.Locations = append(mp.Locations, l.TargetLocation(o.ExecutionRoleName))
	}
	if o.TargetLocationsURL != "" {
		in.TargetLocationsURL = aws.String(o.TargetLocationsURL)
		mp.warn("start.TargetLocationsURL", "the roles are planned for the locations given here; the file at the URL must name the same ones")
	} else {
		in.TargetLocations = mp.Locations
	}
	mp.Start = in
}

// TargetLocation is the location as StartAutomationExecution takes it,
// assuming the named execution role.
func (l Location) TargetLocation(executionRoleName string) types.TargetLocation {
	tl := types.TargetLocation{
		Accounts:                      append(slices.Clone(l.Accounts), l.OrganizationalUnits...),
		Regions:                       slices.Clone(l.Regions),
		ExecutionRoleName:             aws.String(executionRoleName),
		IncludeChildOrganizationUnits: l.IncludeChildOrganizationUnits,
		Targets:                       slices.Clone(l.Targets),
	}
	if len(l.ExcludeAccounts) > 0 {
		tl.ExcludeAccounts = slices.Clone(l.ExcludeAccounts)
	}
	if l.MaxConcurrency != "" {
		tl.TargetLocationMaxConcurrency = aws.String(l.MaxConcurrency)
	}
	if l.MaxErrors != "" {
		tl.TargetLocationMaxErrors = aws.String(l.MaxErrors)
	}
	if l.TargetsMaxConcurrency != "" {
		tl.TargetsMaxConcurrency = aws.String(l.TargetsMaxConcurrency)
	}
	if l.TargetsMaxErrors != "" {
		tl.TargetsMaxErrors = aws.String(l.TargetsMaxErrors)
	}
	if len(l.Alarms) > 0 {
		ac := &types.AlarmConfiguration{IgnorePollAlarmFailure: l.IgnorePollAlarmFailure}
		for _, a := range l.Alarms {
			ac.Alarms = append(ac.Alarms, types.Alarm{Name: aws.String(a)})
		}
		tl.TargetLocationAlarmConfiguration = ac
	}
	return tl
}

// NewTargetLocations checks locations as NewMultiAccountPlan does, without
// a runbook, and returns them as StartAutomationExecution takes them: for
// starting a runbook whose roles already exist.
func NewTargetLocations(adminAccount, region string, locations []Location, optFns ...func(*MultiAccountOptions)) ([]types.TargetLocation, error) {
	var o MultiAccountOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var ps problems
	mp := &MultiAccountPlan{AdminAccount: adminAccount, Region: region}
	mp.checkMultiInputs(&ps, Source{}, locations, &o)
	if err := ps.err(); err != nil {
		return nil, err
	}
	out := make([]types.TargetLocation, 0, len(locations))
	for _, l := range locations {
		out = append(out, l.TargetLocation(o.ExecutionRoleName))
	}
	return out, nil
}

// sharedDocument accepts a document named by its ARN, shared with the
// administrator by another account: it must exist, and the base plan is
// made with its name, then pointed at the ARN by useSharedDocument.
func (mp *MultiAccountPlan) sharedDocument(ps *problems, src *Source, o *MultiAccountOptions) string {
	if !strings.HasPrefix(src.name, "arn:") {
		return ""
	}
	a, err := policy.ParseARN(src.name)
	name := strings.TrimPrefix(a.Resource, "document/")
	switch {
	case err != nil || a.Service != "ssm" || !strings.HasPrefix(a.Resource, "document/") || !accountRE.MatchString(a.Account) ||
		!regionRE.MatchString(a.Region) || !docNameRE.MatchString(name):
		ps.add(ErrInvalidInput, "name", "%q is not a document ARN (arn:PARTITION:ssm:REGION:ACCOUNT:document/NAME)", src.name)
		return ""
	case !src.existing:
		ps.add(ErrConflict, "name", "a document named by its ARN is shared from another account and cannot be created; plan it as an existing document")
		return ""
	case a.Region != mp.Region:
		ps.add(ErrConflict, "name", "the document is in %s, the administrator starts in %s", a.Region, mp.Region)
	case o.Partition != "" && a.Partition != o.Partition || o.Partition == "" && a.Partition != policy.PartitionForRegion(mp.Region):
		ps.add(ErrConflict, "name", "the document is in partition %s, the administrator is not", a.Partition)
	}
	arn := src.name
	src.name = name
	return arn
}

// useSharedDocument names the shared document by its ARN wherever the base
// plan named it: the start input and the operator's statements.
func (mp *MultiAccountPlan) useSharedDocument(arn string, base *Plan, o *MultiAccountOptions) {
	scope := base.scope()
	version := o.DocumentVersion
	if version == "" {
		version = "*"
	}
	own := map[string]string{
		scope.DocumentARN(base.DocumentName):                      arn,
		scope.AutomationDefinitionARN(base.DocumentName, version): scope.AutomationDefinitionARN(arn, version),
	}
	for i, st := range mp.OperatorPolicy.Statement {
		for j, r := range st.Resource.Values {
			if v, ok := own[r]; ok {
				mp.OperatorPolicy.Statement[i].Resource.Values[j] = v
			}
		}
	}
	mp.DocumentName, mp.DocumentARN = arn, arn
	base.Start.DocumentName = aws.String(arn)
}
