// Package delegate wires a service role into an Automation runbook, plans
// what each persona of delegated administration needs, provisions it
// idempotently through IAM and Systems Manager, and exports it as a
// CloudFormation template.
//
// # Modes
//
// Where the service role is named decides who needs which right:
//
//   - Embedded writes the role's ARN into the document's assumeRole. The
//     operator needs no iam:PassRole, so it cannot reuse the role
//     elsewhere: the user guide's recommendation.
//   - Runtime declares an AutomationAssumeRole String parameter (with a
//     role-ARN allowedPattern) that assumeRole reads, as AWS-owned runbooks
//     such as AWS-RestartEC2Instance do. The operator passes the role when
//     starting and needs iam:PassRole on exactly that role, only towards
//     ssm.amazonaws.com.
//   - Caller names no role: the automation runs in a temporary session of
//     the operator, with the operator's own permissions. That session
//     expires after 12 hours, so NewPlan refuses caller mode with a
//     *CallerModeError when the runbook's worst-case duration
//     (runbook.Document.MaxDuration) exceeds 12 hours or is unbounded.
//
// # Plan
//
// NewPlan takes a Source (a runbook to create, or an existing document such
// as an AWS-owned one), a Mode, the account and the Region, and returns a
// Plan: the wired document, the role with its trust policy (limited to this
// account's executions by aws:SourceAccount and aws:SourceArn) and its
// least-privilege permissions derived from the steps, the operator's policy
// with the PassRole statement when the mode needs one, and the
// StartAutomationExecution input. Conflicts between the runbook and the mode
// are errors; everything the plan produces is validated (runbook validation,
// policy lint) and every problem is reported at once in a *PlanError. What
// the derivation cannot see (a script call it cannot follow, an unknown API) is given
// through Options.DeriveOptions, or the whole policy through
// Options.RolePolicy. A runbook whose steps call no API (aws:sleep,
// aws:pause) plans in every mode: IAM refuses a policy without statements,
// so its role has the trust policy only (Role.Permissions is nil).
//
// # Provision
//
// Provision applies a plan through one-method client interfaces that
// *iam.Client and *ssm.Client satisfy. It reads before it writes and changes
// only what differs: policies are compared semantically, documents by their
// canonical content, so a second run changes nothing and never adds a
// document version. A changed document gets a new version made the default;
// when an older version already holds the planned content (SSM refuses to
// store it twice), that version becomes the default again.
// ProvisionOptions.DryRun reports the changes without
// making them. Failed steps are reported together, with what was already
// done and what was skipped, in a *ProvisionError.
//
// # Export
//
// Plan.CloudFormation writes the plan as a template with an AWS::IAM::Role,
// an AWS::IAM::ManagedPolicy for the operator and an AWS::SSM::Document, for
// teams that deploy with infrastructure as code; Plan.JSON writes the whole
// bundle.
//
// # Multiple accounts and Regions
//
// NewMultiAccountPlan plans a runbook that an administrator account starts
// with TargetLocations: the automation runs there as the administration role
// (AWS-SystemsManager-AutomationAdministrationRole by default), which the
// operator passes as AutomationAssumeRole, and that role assumes the
// execution role (AWS-SystemsManager-AutomationExecutionRole by default) in
// each target account, where the steps run. Only runtime mode works: a
// literal assumeRole names a role of one account, and caller mode has no
// administration role (user guide, "Running automations in multiple AWS
// Regions and accounts"). A runbook shared from another account is planned
// as an ExistingDocument named by its ARN, which the start, the operator
// policy and the execution roles then use.
//
// The administration role trusts ssm.amazonaws.com for the administrator's
// executions only (aws:SourceAccount, aws:SourceArn). AWS's template lets it
// assume the execution role of every account; here it may assume exactly
// arn:PARTITION:iam::TARGET:role/NAME of each listed account. For OUs, whose
// accounts are unknown until run time, it may assume the role in any account
// whose organization path (aws:ResourceOrgPaths, o-ORG/r-ROOT/ou-…/) ends in
// a targeted OU, or runs through it when that location includes child OUs, and never
// in an excluded account (aws:ResourceAccount) or OU; a role whose account
// is in no organization has no path, and the grant fails closed. Expanding OUs needs
// organizations:ListAccountsForParent on them (and ListChildren and
// ListOrganizationalUnitsForParent on the organization's OUs for child OUs),
// which only the management account or a delegated administrator for
// Systems Manager can call: OU targets need
// MultiAccountOptions.OrganizationAccess.
//
// The execution role trusts the administration role by its ARN (not the
// administrator account's root) and ssm.amazonaws.com for executions of its
// own account, as AWS's template does. Where the template attaches
// AmazonSSMAutomationRole (ssm:* and more), the plan grants the runbook's
// derived needs in that account, ssm:StartAutomationExecution of this
// runbook and following its executions in the account, iam:PassRole of the
// role itself to Systems Manager, and, when the locations select resources
// by tag or resource group, resource-groups:ListGroupResources and
// tag:GetResources. One role serves every Region of an account, so its
// resources name every Region when there are several.
//
// The plan is refused, with every problem at once in a *PlanError, for
// inputs the API or IAM would refuse: an execution role name that differs
// between locations, more than 100 locations or more than 50 accounts or 50
// Regions in one, account ids that are not 12 digits, OU ids that are not
// ou-…, Regions of another partition, rate control (TargetLocationMaxConcurrency
// 1 or more or 1% to 100%, TargetLocationMaxErrors 0 or more or 0% to 100%)
// out of its pattern, OUs without organization access, and the
// administrator account as a target unless MultiAccountOptions.AllowAdminAccount
// says so.
//
// MultiAccountPlan.AdministratorTemplate writes the administrator account's
// template (administration role, operator policy, document);
// MultiAccountPlan.StackSetTemplate writes the execution role with an
// AdminAccountId parameter and ${AWS::AccountId} for the target account. IAM
// is global, so deploy that StackSet to one Region per account. With
// service-managed permissions, create the StackSet from the management
// account or a delegated administrator for CloudFormation StackSets and
// deploy it to the OUs (automatic deployment adds the role to accounts that
// join later; the management account itself is not deployed to). With
// self-managed permissions, the administrator account needs
// AWSCloudFormationStackSetAdministrationRole and every target
// AWSCloudFormationStackSetExecutionRole, and you list the accounts.
//
// # Events
//
// [Plan.AddEvents] adds event delivery to a plan, so operators can wait on
// Automation's status-change events rather than poll (see package
// execution's QueueEventSource): an EventBridge rule matching the
// runbook's execution and step events (source aws.ssm, detail.Definition
// the document), an SQS queue, and a queue policy that lets only
// events.amazonaws.com send, and only for that rule (aws:SourceArn). The
// consumer's least privilege (sqs:ReceiveMessage, sqs:DeleteMessage,
// sqs:GetQueueAttributes on the queue) joins the operator policy.
// [ProvisionEvents] applies the queue, then the rule and its target,
// idempotently; Plan.CloudFormation exports them as AWS::SQS::Queue,
// AWS::SQS::QueuePolicy and AWS::Events::Rule.
//
//   - Automation events:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
//   - Permissions for EventBridge to send to an SQS queue:
//     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
//
// # References
//
//   - Running an automation by using delegated administration:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-delegated.html
//   - Running an automation by using an IAM service role:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-assume.html
//   - Setting up Automation (service role, trust policy, iam:PassRole):
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html
//   - Create a service role for Automation:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html
//   - Cross-service confused deputy prevention:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html
//   - AWS::SSM::Document:
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ssm-document.html
//   - AWS::IAM::Role:
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html
//   - Running automations in multiple AWS Regions and accounts (central
//     account, delegated administrator, roles):
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
//   - StartAutomationExecution (TargetLocations: 1 to 100,
//     TargetLocationsURL, TargetParameterName):
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAutomationExecution.html
//   - TargetLocation (Accounts and Regions: at most 50 each,
//     ExcludeAccounts, ExecutionRoleName, IncludeChildOrganizationUnits, rate
//     control patterns, alarms, Targets):
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_TargetLocation.html
//   - aws:ResourceOrgPaths, aws:ResourceAccount:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgpaths
//   - Controlling access by the resource's account, OU or organization:
//     https://aws.amazon.com/blogs/security/how-to-control-access-to-aws-resources-based-on-aws-account-ou-or-organization/
//   - ListAccountsForParent (management account or delegated administrator):
//     https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccountsForParent.html
//   - StackSets permission models:
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-concepts.html#stacksets-concepts-stackset-permission-models
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html
package delegate
