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
// Every call, from the wire or from an Automation step, is authorized with
// package policy's evaluator against the caller's identity policies
// (explicit deny first), and refused with AWS-style AccessDenied messages
// naming the principal, action and resource
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
//
// # Automation
//
// StartAutomationExecution checks ssm:StartAutomationExecution on the
// automation-definition ARN, resolves the service role (the document's
// literal assumeRole, or the parameter it references), requires the
// caller's iam:PassRole (iam:PassedToService=ssm.amazonaws.com) for a role
// passed as a parameter, and checks the role's trust policy for
// ssm.amazonaws.com under the execution's aws:SourceAccount and
// aws:SourceArn. Without a role the execution runs as the caller for at most
// 12 hours
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
// lives in memory, and on disk when Options.StateFile is set.
//
// # Durable state
//
// Options.StateFile ("ssmdelegate local --state FILE") names a bbolt store
// (https://pkg.go.dev/go.etcd.io/bbolt): a bucket per entity family
// (meta; iam/users, iam/roles, iam/policies, iam/groups, iam/accessKeys,
// iam/sessions; regions/REGION/documents, instances and executions), one key
// per entity, the entity's JSON as value. AWS-owned documents are not
// stored: every start rebuilds them.
//
// Nothing acknowledged is lost, even to kill -9 or a power cut: a call that
// changed state is answered only once a transaction holding its change is
// fsync'd. Commits write only the keys that changed, and concurrent callers
// share one commit (group commit), so one fsync serves many writes. An
// execution's step start, each attempt's start and its end are committed as
// they happen.
//
// A change that cannot be written fails its call with the service's
// internal error (SSM InternalServerError, IAM ServiceFailure, EC2
// InternalError, STS InternalFailure; HTTP 500) and is logged to
// Options.Logger. Memory and disk then differ, so the endpoint fails closed:
// every call that may change state is refused with ServiceUnavailable (HTTP
// 503) until a restart reloads the store, while Describe, Get and List
// calls keep answering. Close reports the failure ([ErrStateNotPersisted]).
//
// A state that cannot be loaded (a missing bucket or key, a null or
// undecodable value, a policy that does not parse, a reference to a missing
// entity, another account, an unknown format, a truncated or foreign file)
// fails [New] with an error wrapping [ErrStateCorrupt] that names the
// bucket and key; the file is left as it was, and the endpoint never starts
// empty over it. A second endpoint on the same file fails at once: the
// store is locked by the first.
//
// After a restart, executions that were running resume. A step that was in
// the middle of an attempt runs again only when that is harmless (aws:sleep,
// aws:pause, aws:approve, aws:waitForAwsResourceProperty,
// aws:assertAwsResourceProperty, aws:branch, and aws:executeAwsApi calling
// a Describe, Get or List operation); any other step may already have
// acted, so it fails with a message saying a restart interrupted it
// (FailureDetails ErrorCode InterruptedByRestart) and its onFailure decides
// what follows.
//
// [Server.SaveState] writes the state as JSON (format 1, the format of
// earlier versions' state files) for people to read ("ssmdelegate local
// --export-state FILE" does it on shutdown). A StateFile holding such JSON
// is imported at start: it is checked like a store, converted, and kept
// beside the store as FILE.format1.json.
package ssmlocal
