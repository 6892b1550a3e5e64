package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SSMServicePrincipal is the service principal of Systems Manager, which
// assumes Automation service roles.
const SSMServicePrincipal = "ssm.amazonaws.com"

// Names of the roles that multi-account and multi-Region Automation uses.
const (
	AdministrationRoleName = "AWS-SystemsManager-AutomationAdministrationRole"
	ExecutionRoleName      = "AWS-SystemsManager-AutomationExecutionRole"
)

// AutomationRoleManagedPolicyARN is the ARN of the AWS managed
// AmazonSSMAutomationRole policy in a partition: the broad policy that a
// derived policy replaces.
func AutomationRoleManagedPolicyARN(partition string) string {
	if partition == "" {
		partition = "aws"
	}
	return "arn:" + partition + ":iam::aws:policy/service-role/AmazonSSMAutomationRole"
}

// ErrNoDocuments is returned when an operator policy names no runbook.
var ErrNoDocuments = errors.New("policy: an operator policy needs at least one runbook")

// OperatorOptions tune Operator.
type OperatorOptions struct {
	// DocumentVersion pins the runbook version the operator may start
	// ("3", "$DEFAULT", "$LATEST"): the automation-definition resource is
	// scoped to it and ssm:DocumentVersion must equal it.
	DocumentVersion string
	// AllowStop lets the operator stop executions
	// (ssm:StopAutomationExecution).
	AllowStop bool
	// AllowSignal lets the operator send signals (approve, resume, ...)
	// to executions (ssm:SendAutomationSignal).
	AllowSignal bool
	// PassRole is the service role's ARN when the operator passes it at
	// run time (AutomationAssumeRole); it adds iam:PassRole on exactly that
	// role, for ssm.amazonaws.com only.
	PassRole string
}

// Operator returns the policy of a restricted operator who may start only
// the named runbooks and follow their executions, and nothing else: no
// access to the resources the runbooks change.
func Operator(scope Scope, documents []string, optFns ...func(*OperatorOptions)) (*Policy, error) {
	var o OperatorOptions
	for _, f := range optFns {
		f(&o)
	}
	if len(documents) == 0 {
		return nil, ErrNoDocuments
	}
	var problems []error
	docs := slices.Clone(documents)
	slices.Sort(docs)
	docs = slices.Compact(docs)
	var docARNs, defARNs []string
	for _, d := range docs {
		if !validDocumentName(d) {
			problems = append(problems, fmt.Errorf("policy: document name %q must match [a-zA-Z0-9_.-]{3,128}", d))
			continue
		}
		docARNs = append(docARNs, scope.DocumentARN(d))
		defARNs = append(defARNs, scope.AutomationDefinitionARN(d, orStar(o.DocumentVersion)))
	}
	if o.PassRole != "" {
		if a, err := ParseARN(o.PassRole); err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
			problems = append(problems, fmt.Errorf("policy: pass role %q is not an IAM role ARN", o.PassRole))
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	execs := scope.AutomationExecutionARN("*")
	start := Allowing("ssm:StartAutomationExecution").Sid("StartNamedRunbooks").
		Resources(docARNs...).Resources(defARNs...).Resources(execs)
	if o.DocumentVersion != "" {
		start = start.Condition("StringEquals", "ssm:DocumentVersion", o.DocumentVersion)
	}
	follow := []string{"ssm:DescribeAutomationStepExecutions", "ssm:GetAutomationExecution"}
	if o.AllowSignal {
		follow = append(follow, "ssm:SendAutomationSignal")
	}
	if o.AllowStop {
		follow = append(follow, "ssm:StopAutomationExecution")
	}
	slices.Sort(follow)
	statements := []Statement{
		start.statement(),
		Allowing("ssm:DescribeDocument", "ssm:GetDocument", "ssm:ListDocumentVersions").Sid("ReadNamedRunbooks").
			Resources(docARNs...).statement(),
		// These two actions support no resource-level permissions.
		Allowing("ssm:DescribeAutomationExecutions", "ssm:ListDocuments").Sid("ListRunbooksAndExecutions").
			Resources("*").statement(),
		Allowing(follow...).Sid("FollowExecutions").Resources(execs).statement(),
	}
	if o.PassRole != "" {
		statements = append(statements, PassRole(o.PassRole))
	}
	return New(statements...), nil
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

func validDocumentName(name string) bool {
	if len(name) < 3 || len(name) > 128 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// seedOperatorRestrictedPermissions is the policy of the user guide's
// delegated-administration walkthrough, verbatim.
const seedOperatorRestrictedPermissions = `{
   "Version":"2012-10-17",
   "Statement":[
      {
         "Effect":"Allow",
         "Action":[
            "ssm:DescribeAutomationExecutions",
            "ssm:DescribeAutomationStepExecutions",
            "ssm:DescribeDocument",
            "ssm:GetAutomationExecution",
            "ssm:GetDocument",
            "ssm:ListDocuments",
            "ssm:ListDocumentVersions",
            "ssm:StartAutomationExecution"
         ],
         "Resource":"*"
      }
   ]
}`

// OperatorRestrictedPermissions returns the OperatorRestrictedPermissions
// policy exactly as the Systems Manager user guide's delegated
// administration walkthrough writes it. It lets the operator start any
// runbook; Operator is the scoped alternative.
func OperatorRestrictedPermissions() *Policy {
	p, err := Parse([]byte(seedOperatorRestrictedPermissions))
	if err != nil {
		panic("policy: built-in OperatorRestrictedPermissions does not parse: " + err.Error())
	}
	return p
}

// AutomationTrust returns the trust policy of an Automation service role:
// ssm.amazonaws.com may assume it, only for executions of the scope's
// account (aws:SourceAccount and aws:SourceArn guard against the confused
// deputy).
func AutomationTrust(scope Scope) *Policy {
	return New(automationTrustStatement(scope))
}

func automationTrustStatement(scope Scope) Statement {
	s := Statement{
		Effect:    Allow,
		Principal: ServicePrincipal(SSMServicePrincipal),
		Action:    One("sts:AssumeRole"),
	}
	s.Condition = s.Condition.
		Add("StringEquals", "aws:SourceAccount", Values(scope.account())).
		Add("ArnLike", "aws:SourceArn", Values(Scope{Partition: scope.partition(), Account: scope.Account}.AutomationExecutionARN("*")))
	return s
}

// PassRole returns the statement that lets a principal pass exactly the
// role to Systems Manager and to no other service.
func PassRole(roleARN string) Statement {
	return Allowing("iam:PassRole").Sid("PassAutomationRoleToSSM").Resources(roleARN).
		Condition("StringEquals", "iam:PassedToService", SSMServicePrincipal).statement()
}

// PassRolePolicy wraps PassRole in a policy.
func PassRolePolicy(roleARN string) *Policy { return New(PassRole(roleARN)) }

// DenyEC2 returns the explicit deny of the Automation delegated
// administration blog post, exactly as written: the user may not call EC2
// at all, yet launches instances through a runbook that runs as a service
// role.
func DenyEC2() *Policy {
	p := New(Statement{Effect: Deny, Action: List("ec2:*"), Resource: One("*")})
	return p
}

// DenyDirect returns a guard that explicitly denies every action of the
// named services ("ec2", "iam"...), so the operator can change those
// resources only through runbooks that run as a service role.
func DenyDirect(services ...string) *Policy {
	actions := make([]string, 0, len(services))
	for _, s := range services {
		actions = append(actions, strings.ToLower(s)+":*")
	}
	slices.Sort(actions)
	return New(Denying(slices.Compact(actions)...).Sid("DenyDirectAccess").Resources("*").statement())
}

// DenyPassRoleExceptToSSM returns a guard that denies passing the role to
// any service other than Systems Manager, whatever else grants PassRole.
func DenyPassRoleExceptToSSM(roleARN string) *Policy {
	return New(Denying("iam:PassRole").Sid("DenyPassingAutomationRoleElsewhere").Resources(roleARN).
		Condition("StringNotEquals", "iam:PassedToService", SSMServicePrincipal).statement())
}

// Approver returns the policy of a person who approves or rejects
// aws:approve steps: see executions and send them signals, nothing else.
func Approver(scope Scope) *Policy {
	return New(
		Allowing("ssm:DescribeAutomationExecutions").Sid("ListExecutions").Resources("*").statement(),
		Allowing("ssm:DescribeAutomationStepExecutions", "ssm:GetAutomationExecution", "ssm:SendAutomationSignal").
			Sid("ApproveExecutions").Resources(scope.AutomationExecutionARN("*")).statement(),
	)
}

// AdministrationRoleTrust is the trust policy of
// AWS-SystemsManager-AutomationAdministrationRole in the administrator
// account of multi-account Automation.
func AdministrationRoleTrust(scope Scope) *Policy { return AutomationTrust(scope) }

// AdministrationRolePolicy lets the administration role assume the
// execution role in every target account and list the accounts of an
// organizational unit.
func AdministrationRolePolicy(scope Scope) *Policy {
	execRole := ARN{Partition: scope.partition(), Service: "iam", Account: "*", Resource: "role/" + ExecutionRoleName}.String()
	return New(
		Allowing("sts:AssumeRole").Sid("AssumeExecutionRole").Resources(execRole).statement(),
		Allowing("organizations:ListAccountsForParent").Sid("ListTargetAccounts").Resources("*").statement(),
	)
}

// ExecutionRoleTrust is the trust policy of
// AWS-SystemsManager-AutomationExecutionRole in a target account (scope):
// the administration role of adminAccount may assume it, and so may Systems
// Manager for executions in the target account.
func ExecutionRoleTrust(scope Scope, adminAccount string) *Policy {
	admin := Scope{Partition: scope.partition(), Account: adminAccount}.RoleARN("/", AdministrationRoleName)
	return New(
		Statement{Sid: "AdministrationRole", Effect: Allow, Principal: AWSPrincipal(admin), Action: One("sts:AssumeRole")},
		automationTrustStatement(scope),
	)
}

// ExecutionRolePolicy is the inline policy that multi-account Automation
// needs on the execution role besides the runbook's own permissions:
// resolving targets by tag or resource group, and passing the role to
// Systems Manager for child executions.
func ExecutionRolePolicy(scope Scope) *Policy {
	return New(
		Allowing("resource-groups:ListGroupResources", "tag:GetResources").Sid("ResolveTargets").Resources("*").statement(),
		Allowing("iam:PassRole").Sid("PassExecutionRoleToSSM").Resources(scope.RoleARN("/", ExecutionRoleName)).
			Condition("StringEquals", "iam:PassedToService", SSMServicePrincipal).statement(),
	)
}
