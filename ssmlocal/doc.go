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
// The credential scope must name the service the request is routed to and a
// Region the endpoint serves (IAM and STS also accept the partition's global
// signing Region, us-east-1 in aws), or it is refused as InvalidRegion;
// X-Amz-Target, when present, must be
// signed; and a session token must belong to the key: a long-term key sent
// with one, or a temporary key without its own, is refused as an invalid
// token (InvalidClientTokenId for IAM and STS, UnrecognizedClientException
// for SSM, AuthFailure for EC2). A request is authenticated before its body
// is decoded.
//
// # Limits
//
// One request cannot crash the endpoint or make it hold unbounded memory
// or connections:
//
//   - A body over 8 MiB is refused with HTTP 413 (RequestEntityTooLarge,
//     RequestEntityTooLargeException for SSM), never truncated.
//   - A query-protocol request (body and URL together) has at most 10,000
//     parameters, names of at most 512 bytes and 32 dot-separated
//     segments; past any of these it is refused with a 400
//     MalformedQueryString naming the bound.
//   - A JSON body nests at most 32 levels (400 SerializationException) and
//     holds one object at most.
//   - Operation names are at most 128 bytes (400 InvalidAction).
//   - Error messages repeat at most 256 bytes of a caller's value, marked
//     "…(N bytes)", and are at most 2 KiB in all.
//   - The audit trail keeps at most Options.AuditLimit events and 64 MiB,
//     dropping the oldest first.
//   - Headers are read within 10 seconds and capped at 64 KiB; a whole
//     request within a minute; a response is written within two minutes;
//     an idle keep-alive connection is closed after two minutes.
//   - EC2 filter wildcards (*, ?, and \ to escape) match in linear time.
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
// # IAM listings and deletes
//
// ListUsers, ListRoles, ListGroups, ListGroupsForUser, ListAccessKeys and
// ListPolicies (Scope All, AWS or Local; OnlyAttached; PolicyUsageFilter)
// filter by PathPrefix and page with MaxItems (1 to 1,000, default 100)
// and an opaque Marker naming where the next page starts, so entities
// deleted between pages make no page skip or repeat another. Like IAM, the
// listings leave out tags, RoleLastUsed and policy descriptions, which the
// Get operations return. The deletes follow IAM's order: DeleteUser is a
// DeleteConflict while the user has access keys, inline or attached
// policies or group memberships; DeleteRole while the role has inline or
// attached policies (deleting a role ends its sessions); DeleteGroup while
// it has members or policies; DeletePolicy while the policy is attached or
// has versions besides its default. UpdateAccessKey can make a key
// Inactive, after which it signs nothing (InvalidClientTokenId) until made
// Active again
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html).
// TagRole merges tags by key (at most 50; keys starting with aws: are
// refused), UntagRole removes keys, and ListRoleTags pages; the request's
// tags and keys are aws:RequestTag and aws:TagKeys to the authorizer.
// SetDefaultPolicyVersion changes the document in force, and
// ListEntitiesForPolicy pages through the groups, users and roles the
// policy is attached to, in that order. GetAccountAuthorizationDetails
// pages through users, groups, roles and managed policies with their
// inline and attached policies and policy versions; AWS managed policies
// are included only while attached. Instance profiles are not simulated,
// so DeleteRole has no instance-profile conflict and InstanceProfileList is
// empty.
//
// # Policy simulation
//
// IAM's policy simulator API is served with the same evaluator:
// SimulateCustomPolicy (authorized as iam:SimulateCustomPolicy on "*")
// decides the request's ActionNames on its ResourceArns (default "*")
// against PolicyInputList, and SimulatePrincipalPolicy (authorized as
// iam:SimulatePrincipalPolicy on PolicySourceArn) against a user's inline,
// group and attached policies, a group's or a role's, as stored, plus any
// PolicyInputList. Both take PermissionsBoundaryPolicyInputList (a boundary
// caps identity-policy allows; a deny in it is an explicit deny),
// ResourcePolicy with CallerArn (the caller defaults to the simulated user
// or role), typed ContextEntries (each value checked against its
// ContextKeyType), and MaxItems/Marker paging over actions. Each action gets
// one EvaluationResult, as IAM now returns: the most restrictive decision
// over the resources, every statement behind it (SourcePolicyId such as
// PolicyInputList.1 or the stored policy's name, SourcePolicyType, and the
// statement's StartPosition and EndPosition: 1-based line and character
// column of its opening brace and just after its closing one), the
// condition keys the policies test that the request lacks
// (MissingContextValues), PermissionsBoundaryDecisionDetail when boundaries
// were given, and per resource ResourceSpecificResults when ResourceArns
// were given; EvalResourceName is set when there is one resource. Not
// simulated: ResourceOwner and ResourceHandlingOption are checked but do not
// change decisions, and there are no Organizations policies or
// EvalDecisionDetails
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html).
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
// # Parameter Store
//
// PutParameter, GetParameter, GetParameters, GetParametersByPath,
// DeleteParameter, DeleteParameters, DescribeParameters,
// GetParameterHistory and LabelParameterVersion keep String, StringList and
// SecureString parameters per Region, with up to 100 versions each, labels
// (GetParameter's NAME:VERSION and NAME:LABEL selectors), the naming and
// hierarchy rules (a name with a slash starts with one, at most 15 levels,
// no aws or ssm prefix), AllowedPattern, tiers and paging
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-parameter-store.html).
// "/app/db" and "app" have the ARNs arn:aws:ssm:REGION:ACCOUNT:parameter/app/db
// and .../parameter/app: the leading slash is not doubled. Each call is
// authorized on the ARNs of the parameters it names (GetParametersByPath on
// the path's, with ssm:Recursive; PutParameter with ssm:Overwrite and the
// request's tags); DescribeParameters on "*". No KMS is simulated: a
// SecureString is stored as given, returned with WithDecryption, and
// replaced by an opaque token without it. Parameter policies and the
// aws:ec2:image data type are refused.
//
// StartAutomationExecution resolves {{ssm:NAME}} and {{ssm:NAME:VERSION}}
// in the parameter values it is given, and in the string defaults of those
// it is not, before the runbook starts: each parameter is read as the
// caller, who needs ssm:GetParameters on it, whatever role the execution
// assumes. A missing parameter or version, or a SecureString, fails the
// start with InvalidAutomationExecutionParametersException; a denial with
// AccessDeniedException
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html,
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-variables.html).
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
// iam/sessions; regions/REGION/documents, instances, executions and
// parameters, the last optional in stores written before it), one key
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
//
// # Events
//
// Automation publishes a status-change event to the Region's default
// EventBridge bus whenever an execution or a step changes status, as AWS
// does (source aws.ssm; detail-types "EC2 Automation Execution
// Status-change Notification" and "EC2 Automation Step Status-change
// Notification"; detail ExecutionId, Definition, DefinitionVersion,
// Status, StartTime, EndTime, Time, and ExecutedBy or StepName and Action;
// StartTime and EndTime as "Nov 29, 2024 7:43:25 PM" in UTC, Time in
// milliseconds). See
// https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
// and
// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ssm.html (best-effort delivery).
//
// The endpoint serves a minimal EventBridge (awsJson1_1, X-Amz-Target
// AWSEvents.*): PutRule (event patterns only), DeleteRule, DescribeRule,
// ListRules, PutTargets (SQS queue targets only), RemoveTargets and
// ListTargetsByRule, authorized as events:* actions on the rule's ARN.
// Patterns match exact values (strings, numbers, booleans, null), prefix,
// suffix, equals-ignore-case, anything-but of literals and exists, on
// nested fields and array values as
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
// describes; numeric, cidr and wildcard matching and $or are refused with
// InvalidEventPatternException rather than matched wrongly.
//
// It also serves SQS standard queues over the JSON protocol current SDKs
// use (awsJson1_0, X-Amz-Target AmazonSQS.*, errors with the
// X-Amzn-Query-Error codes such as AWS.SimpleQueueService.NonExistentQueue):
// CreateQueue, GetQueueUrl, GetQueueAttributes, SetQueueAttributes,
// DeleteQueue, SendMessage, SendMessageBatch, ReceiveMessage (long polling
// on the endpoint's clock, visibility timeout, ApproximateReceiveCount),
// DeleteMessage and DeleteMessageBatch, authorized as sqs:* actions on the
// queue's ARN with the queue policy as a resource-based policy. A queue
// holds at most 10,000 messages (SendMessage beyond fails with OverLimit)
// and a Region at most 1,000 queues. FIFO queues, dead-letter queues and
// encryption attributes are refused.
//
// EventBridge delivers to a queue only when its queue policy allows the
// service principal events.amazonaws.com sqs:SendMessage with aws:SourceArn
// the rule's ARN, as AWS requires. Delivery is best effort: an event a
// target does not take (no queue, no such policy, a full queue) is dropped
// and counted ([Server.EventsDropped]); executions never wait for it.
//
// A long poll waits on the endpoint's clock: with [AutoClock] it returns at
// once, 20 simulated seconds later, so a consumer that polls in a loop
// should run against the wall clock or a [VirtualClock].
//
// Rules, queues and messages are kept in memory only, not in the durable
// state: like in-flight events on AWS, they may be lost, and a consumer
// must reconcile by reading the executions (package execution's event
// source does).
package ssmlocal
