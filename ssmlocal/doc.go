// Package ssmlocal is an embedded AWS Systems Manager Automation endpoint
// with IAM semantics, for trying delegated administration and testing
// runbooks offline. The real aws-sdk-go-v2 clients and the AWS CLI talk to
// it unchanged but for the endpoint URL.
//
// # Starting an endpoint
//
// [New] listens on loopback and returns a [Server]. [Server.AdminConfig]
// returns an aws.Config for the bootstrap administrator (the IAM user
// "admin" with AdministratorAccess); [Server.Config] does the same for any
// access key created through IAM or issued by STS AssumeRole. The account
// starts with the AWS-owned runbooks AWS-RestartEC2Instance,
// AWS-StopEC2Instance and AWS-StartEC2Instance, and the AWS managed policies
// AdministratorAccess, AmazonSSMAutomationRole,
// AmazonSSMAutomationApproverAccess and AmazonSSMReadOnlyAccess.
//
//	srv, err := ssmlocal.New()
//	...
//	defer srv.Close()
//	client := ssm.NewFromConfig(srv.AdminConfig())
//
// Configs built elsewhere (for an endpoint started with "ssmdelegate
// local") should use [HTTPClient], which keeps the SDK from racing its own
// transport on loopback connections.
//
// # Wire protocols
//
// One listener serves SSM (awsJson1_1, routed by X-Amz-Target), IAM and STS
// (query protocol with XML responses) and EC2 (EC2 query protocol), the
// query protocols routed by the service of the SigV4 credential scope.
// Every request is authenticated by re-signing it with the SDK's SigV4
// signer: a wrong secret, an unknown key, a stale date or an expired session
// fail with the error codes each service uses
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html).
//
// # Authorization
//
// Every call, from the wire or from an Automation step, is authorized by
// the dispatcher before the operation runs, from the operation's metadata:
// its IAM action, and the resources and condition keys the request carries
// as the service authorization reference lists them
// (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
// users, roles, groups and policies by ARN, with aws:RequestTag and
// iam:PolicyARN; documents with ssm:DocumentType and their tags as
// aws:ResourceTag; Automation executions with their tags; instances with
// their tags, ec2:InstanceType and ec2:Region. Package policy's evaluator decides against the caller's
// identity policies (explicit deny first), with the role's trust policy for
// sts:AssumeRole, and a refusal is an AWS-style AccessDenied naming the
// principal, action and resource
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
// Authorization fails closed: an operation without metadata is refused, and
// so is every call of a principal one of whose stored policies (or the
// trust policy of the role it assumes) no longer parses. Only
// sts:GetCallerIdentity needs no permission, as in AWS. Operations that need
// more than one decision (iam:PassRole of a service role or instance
// profile, ec2:CreateTags at launch) make the others themselves.
//
// IAM writes validate policies as IAM does: a grammar error of the
// policy's kind (identity or trust) is MalformedPolicyDocument, and a
// document over IAM's quotas, counted in characters without white space,
// is LimitExceeded: 2,048 for a user's inline policies together, 10,240 for
// a role's, 5,120 for a group's, 6,144 for a managed policy and 2,048 for a
// trust policy
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
//
// # Automation
//
// StartAutomationExecution is authorized as AWS does: on the document
// (arn:aws:ssm:region:account:document/NAME, no account for AWS-owned
// runbooks) with its tags, and on the new execution, both with the
// requested ssm:DocumentVersion and the request's tags; the
// automation-definition ARN (automation-definition/NAME:VERSION), an
// optional resource type of the action, only needs to be free of an
// explicit deny, so the user guide's example policies work
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-identity-based-policies.html).
// Documents take tags at creation and through AddTagsToResource,
// ListTagsForResource and RemoveTagsFromResource. A ClientToken belongs to
// the caller that used it: another caller reusing it gets
// IdempotentParameterMismatch. The start then resolves the service role
// (the document's literal assumeRole, or the parameter it references),
// requires the caller's iam:PassRole
// (iam:PassedToService=ssm.amazonaws.com) for a role passed as a
// parameter, and checks the role's trust policy for ssm.amazonaws.com under
// the execution's aws:SourceAccount and aws:SourceArn. Without a role the
// execution runs as the caller for at most 12 hours
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html).
// The steps' AWS calls go through the same simulated operations as wire
// requests, authorized as the execution's principal, so the audit trail
// ([Server.Audit]) shows that the role, not the operator, acted.
//
// # Audit trail
//
// Every call is recorded like a CloudTrail event ([AuditEvent]): operation,
// principal, resources, the authorization decision, and the execution and
// step when a step made it; Options.OnAudit streams them ("ssmdelegate local
// --audit" prints them).
//
// # Time and state
//
// Time comes from a [Clock]: the wall clock by default, or [AutoClock] and
// [VirtualClock] so runbooks that take hours finish in milliseconds. State
// lives in memory; Options.StateFile snapshots it atomically after changes
// (at most ten times a second, and once more on Close) so a restart loses no
// documents, IAM entities, instances or executions; executions that were
// running resume where they were.
package ssmlocal
