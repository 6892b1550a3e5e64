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
package delegate
