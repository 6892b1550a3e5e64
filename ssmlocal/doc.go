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
// Parameter Store, IAM's users, roles, managed policies, inline and
// attached policies, listings, deletes, groups, instance profiles and
// GetAccountAuthorizationDetails, and the SQS and EventBridge operations
// read their input into the SDK's own input structs
// (ssm.PutParameterInput, iam.CreateRoleInput, ...) before they act
// (SendMessage, SendMessageBatch and ReceiveMessage into structs of their
// own holding DelaySeconds, MaxNumberOfMessages, WaitTimeSeconds and
// VisibilityTimeout by pointer, since an absent one takes the queue's
// setting where zero does not): a
// member of the wrong type, or an integer beyond its member's range, is a
// 400 SerializationException naming the member, reported before any
// validation error. Each protocol's spellings are taken: JSON numbers,
// query-protocol text ("10", "true") and a lone string for a list of one.
// Authorization reads the members it decides on the same way, each member
// alone, so one of the wrong type, or one the operation does not have,
// never blanks the others (a Deny on iam:PolicyARN or a request tag holds).
//
// SSM documents, their tags and sharing, Automation executions, STS and
// IAM's policy simulator read typed inputs the same way
// (ssm.CreateDocumentInput, ssm.StartAutomationExecutionInput,
// sts.AssumeRoleInput, iam.SimulatePrincipalPolicyInput, ...), their
// authorization targets too. ListDocuments' DocumentFilterList takes its
// members as the wire spells them, key and value; the Parameters and
// Payload an Automation step passes may hold scalars, read as lists of one.
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
// their tags, ec2:InstanceType and ec2:Region; images, snapshots and
// volumes with their tags and ec2:Region. Package policy's evaluator decides against the caller's
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
// ARNs are read and built by one parser, as
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
// a policy, role, approver or queue ARN with fewer parts, or an empty
// partition, service or resource, is malformed and names nothing (a policy
// ARN is InvalidInput, a role ARN names no role, an EventBridge target is
// refused).
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
// are included only while attached. A role's InstanceProfileList names the
// instance profiles that hold it.
//
// # Instance profiles
//
// CreateInstanceProfile, GetInstanceProfile, ListInstanceProfiles
// (PathPrefix, paging), ListInstanceProfilesForRole,
// AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile and
// DeleteInstanceProfile keep profiles as IAM does: a profile holds one
// role at most (a second is LimitExceeded), adding a role needs
// iam:PassRole on it, and a role in a profile, or a profile holding a
// role, cannot be deleted (DeleteConflict). RunInstances resolves
// IamInstanceProfile (Name or Arn) to a profile, refusing an unknown one
// with InvalidParameterValue, and needs iam:PassRole
// (iam:PassedToService=ec2.amazonaws.com) on its role
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html).
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
// ModifyDocumentPermission shares a document the account owns with up to
// 20 account ids per call, or publicly with "All" (reported as "all"), at
// most 1,000 accounts in all (DocumentPermissionLimit); removing wins over
// adding the same account, a PermissionType other than Share is
// InvalidPermissionType, and an unknown or AWS-owned document is
// InvalidDocument. DescribeDocumentPermission lists the accounts with the
// version shared. A shared document cannot be deleted until it is no
// longer shared
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html).
//
// SendAutomationSignal takes the model's signal types. Revoke withdraws a
// Change Manager change request; the API reference gives it no meaning for
// an Automation execution, so an execution refuses it with
// InvalidAutomationSignalException.
//
// Options.StartThrottle ("ssmdelegate local --throttle") throttles callers'
// StartAutomationExecution per Region with a token bucket on the
// endpoint's clock, answering ThrottlingException (HTTP 400), which the
// SDKs' standard retryers retry; [DefaultStartThrottle] is 5 requests a
// second with bursts of 10, a stand-in for the account's quota, which
// Service Quotas shows. No published request rate for the API was found:
// the user guide's Automation pages give concurrency quotas only (100
// running automations, 500 with adaptive concurrency;
// https://docs.aws.amazon.com/systems-manager/latest/userguide/adaptive-concurrency.html),
// the throttling retry setting
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-throttling-retry.html)
// names no rate, and the API reference's StartAutomationExecution page
// names none; the Systems Manager endpoints and quotas page of the
// General Reference (https://docs.aws.amazon.com/general/latest/gr/ssm.html)
// is where one would be. Starts made by Automation itself are not
// counted. It is off by default.
//
// # Multi-account and multi-Region automation
//
// StartAutomationExecution with TargetLocations runs the runbook in every
// account and Region they name, from the caller's (administrator) account
// and Region
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-automation-multiple-accounts-and-regions.html).
// The parent runs as the administration role: the runbook's service role
// (usually passed as AutomationAssumeRole, as delegate's multi-account
// plans do), or AWS-SystemsManager-AutomationAdministrationRole in the
// administrator account when the runbook has none. The start needs the
// caller's iam:PassRole on it (a requirement of this endpoint: AWS's guide
// asks for the role, not explicitly for PassRole on it), and
// ssm.amazonaws.com must be able to assume it (its trust is checked as any
// service role's). Each TargetLocation is filled with the defaults the API
// reference gives and echoed in GetAutomationExecution's
// TargetLocations: the caller's account and Region when it names none,
// ExecutionRoleName AWS-SystemsManager-AutomationExecutionRole,
// TargetLocationMaxConcurrency 1 and TargetLocationMaxErrors 0
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_TargetLocation.html).
// At most 100 TargetLocations (the limit AutomationExecutionInputs
// documents, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AutomationExecutionInputs.html),
// 50 accounts and 50 Regions each; a Region the endpoint does not serve is
// a ValidationException. TargetLocationsURL (a presigned Amazon S3 object;
// the endpoint serves no S3), organizational units, ExcludeAccounts,
// IncludeChildOrganizationUnits and TargetLocationAlarmConfiguration are
// refused as not simulated. Targets, TargetMaps, MaxConcurrency and
// MaxErrors given to the start apply inside each location (its child is a
// rate-control execution); a TargetLocation's own Targets,
// TargetsMaxConcurrency and TargetsMaxErrors take precedence in its
// locations, as the API reference says, and need TargetParameterName.
//
// The parent execution lives in the administrator account and Region with
// AutomationType CrossAccount (the DescribeAutomationExecutions filter of
// that name tells it from Local executions,
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AutomationExecutionMetadata.html),
// runs as the administration role's session and runs no step of the
// runbook itself: it has one step execution per location (account ×
// Region, in the order of TargetLocations, accounts, then Regions), named
// ACCOUNT/REGION with action aws:executeAutomation and the location in
// StepExecution.TargetLocation (that one account, Region and execution
// role). The API reference does not say how AWS names these steps; the
// name is this endpoint's. A step is Pending until its location starts,
// then mirrors its child's status, with the child's id in Outputs
// ExecutionId (and its final Status); ProgressCounters count the
// locations: TotalSteps all of them, SuccessSteps, FailedSteps,
// CancelledSteps and TimedOutSteps by outcome
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ProgressCounters.html).
//
// Locations run TargetLocation by TargetLocation, each under its own
// TargetLocationMaxConcurrency and TargetLocationMaxErrors, as rate control
// does with targets: once more locations failed than TargetLocationMaxErrors
// allows, no new location starts, the running ones finish, the parent
// fails and the locations never started stay Pending. The parent ends
// Success when every location succeeded, CompletedWithFailure when some
// failed within the allowance, and Cancelled when stopped, which cancels
// its running children.
//
// Each location's child runs in its account (one the endpoint serves, see
// "Several accounts") and Region, visible there with that account's
// credentials only, with ParentAutomationExecutionId naming the parent and
// the caller as ExecutedBy, as the execution role's session
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/PARENT-ID): ssm.amazonaws.com
// assumes the administration role, whose session assumes the execution
// role, decided on both sides and recorded in each account's audit trail.
// A location whose role is missing, or does not trust the administration
// role, or whose account is not served, fails with the message AWS has
// been seen to report for it, "The provided role: ARN can't be assumed."
// followed by the Java SDK's "(Service: null; …)" suffix
// (https://github.com/aws-solutions/instance-scheduler-on-aws/issues/274;
// AWS documents no wording), and counts as an error; the others proceed.
// When the administration role itself cannot be assumed, every location
// reached fails with the same message naming that role. The child runs the runbook as resolved in the
// administrator account, so a custom runbook need not exist in the target
// accounts here; AWS's guide does not say whether it must.
//
// A running CrossAccount execution is saved with the others: after a
// restart it follows the children it started (their engines, in every
// account, start before any execution acts) and starts the locations it
// had not reached. A location whose start was under way when the endpoint
// stopped may be started again.
//
// # Scripts
//
// aws:executeScript steps run their scripts only when Options.RunScripts is
// set ("ssmdelegate local --run-scripts"); otherwise the step fails with a
// message naming the option and the flag. The trust boundary is this
// machine's user: a script runs as the user running the endpoint, with that
// user's files, processes and network, like any program they start. Only
// its AWS credentials are scoped: for each attempt the endpoint issues
// temporary credentials of the execution's principal (a session of the
// service role, as AssumeRole issues them, or the caller's own identity
// when the execution runs in the caller's session; AWS requires a service
// role for scripts that call AWS, which the endpoint does not enforce),
// passes them in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN with AWS_ENDPOINT_URL pointing at this endpoint and
// AWS_REGION and AWS_DEFAULT_REGION set to the execution's Region, and
// revokes them when the attempt ends. Inherited AWS_* variables are removed
// and AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point at the null
// device, so the script's SDK finds no other credentials, and the instance
// metadata service is disabled. Every call the script makes is therefore
// SigV4-signed, authorized against the principal's policies, and recorded
// in the audit trail with the execution and step; a call the role may not
// make fails in the script (boto3 raises ClientError AccessDenied) and
// fails the step as on AWS. The credentials live in memory only: a restart
// fails a step it interrupted (see the engine's restart rules) and the
// credentials end with it.
//
// Options.AttachmentsDir ("--attachments DIR") is where a step's
// Attachment is found, by file name; when the document's files section
// declares the attachment's sha256, the file must match it. A .zip is
// extracted into the attempt's own temporary directory (at most 1,000
// entries and 64 MiB, no entry outside the directory, no links).
//
// See https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html
//
// # EC2
//
// Instances run, stop, start, reboot (RebootInstances: a running instance
// stays running; a stopped one is IncorrectInstanceState) and terminate,
// settling after Options.InstanceTransition (10 seconds by default). Each
// launched instance has a root volume at /dev/xvda, deleted on
// termination, shown in its BlockDeviceMappings with the volumes attached
// later; terminating an instance deletes its DeleteOnTermination volumes
// and detaches the others.
//
// Images, snapshots and volumes settle after Options.StorageTransition (5
// seconds by default) on the endpoint's clock: an image is pending, then
// available; a snapshot is pending, its Progress growing linearly from 0%
// to 100%, then completed; a volume is creating, then available; an
// attachment is attaching, then attached, and detaching, then gone. A
// deleted volume or deregistered image is gone at once.
//
//   - CreateImage snapshots each volume of a running or stopped instance
//     (which keeps running: NoReboot or not, no reboot is simulated);
//     CopyImage copies an available image from any Region the endpoint
//     serves into the caller's, with new snapshots; DeregisterImage keeps
//     the snapshots (unless DeleteAssociatedSnapshots); DescribeImages
//     takes ImageIds, Owners (self or the account; others have no images
//     here), ExecutableUsers and filters (state, name, image-id, owner-id,
//     description, tags, block-device-mapping.snapshot-id, …).
//   - CreateSnapshot, CopySnapshot, DeleteSnapshot (InvalidSnapshot.InUse
//     while an image uses it), DescribeSnapshots.
//   - CreateVolume (with Size, or from a completed snapshot at least its
//     size), AttachVolume (the volume available, in the instance's zone,
//     the device free; VolumeInUse when attached), DetachVolume
//     (IncorrectState unless attached), DeleteVolume (VolumeInUse when
//     attached), DescribeVolumes (filters status, attachment.*, tags, …).
//   - CreateTags, DeleteTags (a key alone deletes the tag whatever its
//     value, a key with a value only when the value matches, no tags every
//     tag) and DescribeTags (key, value, resource-id and resource-type
//     filters, MaxResults 5 to 1,000 and NextToken) work on instances,
//     images, snapshots and volumes alike.
//
// Errors are EC2's: InvalidAMIID.NotFound and .Malformed,
// InvalidSnapshot.NotFound, InvalidVolume.NotFound, IncorrectState,
// VolumeInUse, InvalidSnapshot.InUse, InvalidAMIName.Duplicate,
// InvalidParameterValue. Each operation is authorized on the resource
// types the service authorization reference lists for it (image and
// snapshot ARNs have no account), with the resources' tags and
// ec2:Region, and TagSpecifications need ec2:CreateTags with
// ec2:CreateAction
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Operations.html).
//
// Every EC2 operation reads its input into the SDK's input struct
// (ec2.RunInstancesInput, ...) and answers the SDK's output struct, as
// "Wire protocols" says: a member of the wrong type is a
// SerializationException before any EC2 error. The query names are the
// model's: InstanceId.N is InstanceIds, Filter.N.Value.N a filter's
// Values, and DescribeSnapshots' Owner.N its OwnerIds. CreateTags,
// DeleteTags, DeleteSnapshot, DeleteVolume and RebootInstances answer
// <return>true</return> as EC2 does, a member the SDK's outputs leave out.
// A mutating call checks what it names (unknown, malformed or busy
// resources, the ec2:CreateTags decision for TagSpecifications) before a
// DryRun answers DryRunOperation, and a ClientToken seen before
// (RunInstances, CopyImage) answers the earlier call, even to a dry run.
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
// # Stubs
//
// A call of an operation the endpoint does not emulate (sns:Publish,
// rds:DescribeDBInstances, lambda:Invoke, …) is answered by a stub from
// Options.Stubs ([WithStubs], a [StubRegistry]), from a step
// (aws:executeAwsApi, aws:waitForAwsResourceProperty,
// aws:assertAwsResourceProperty) or over the wire. A stub is a [Stub]:
// [StubResponse] (a fixed response document), [StubError] (an AWS error
// code and message), [StubSequence] (replies in turn, the last repeating,
// for polling: "creating", then "available"), [StubMatching] (only calls
// whose input contains a subset of members) or a [StubFunc]. Services and
// operations are named as aws:executeAwsApi names them and matched
// case-insensitively; SDK client names and IAM prefixes are one service
// ("stepfunctions" and "states"). An operation may have several stubs:
// the first, in the order added, that matches the input answers.
//
// Stubs never replace an emulated operation: [New] refuses a registry that
// stubs one (errors.Is [ErrInvalidStub]), so the emulated state and checks
// are never bypassed. A call with no stub fails with a message naming the
// service and operation and how to add one: a step with NotSimulated,
// the wire with the service's unknown-operation code.
//
// Stubbed calls stay under IAM. Each is authenticated (over the wire, by
// its SigV4 signature) and authorized as the caller or the execution's
// role on the IAM actions, resources and condition keys that
// policy.ActionsForCall computes from the same operation-to-action table
// that derives a runbook's role, so a derived role allows exactly its
// steps' calls: every resource it names must be allowed, an explicit deny
// wins. An operation whose IAM action cannot be determined is denied (fail
// closed) unless [StubRegistry.SetActions] declares its actions. Every
// stubbed call is in the audit trail with its decision and actions. A
// stub that panics or returns a plain error fails its call with
// InternalFailure.
//
// Over the wire, a request whose credential scope names a service the
// endpoint does not emulate reaches the stubs when it is awsJson 1.0 or
// 1.1 (the operation after the last dot of X-Amz-Target; the answer is
// JSON with the request's content type) or query protocol (Action= in the
// form; lists in the input are read from member and maps from entry
// key/value or Name/Value pairs). Query responses follow the output
// shapes of botocore's query service models, embedded for every query
// service: OPResponse wraps the operation's result element
// (resultWrapper), members are written under their XML names, list items
// as member elements or the name the list gives them (RDS's DBInstance),
// flattened lists and maps repeated without a wrapper, maps as
// entry/key/value (or the names the map gives them); members of the stub's
// response that the output shape lacks are dropped, as an SDK would ignore
// them, and so are objects and lists where the shape has a scalar. The API version the request sends picks the model when several
// services sign alike (elasticloadbalancing). An operation, service or
// version no model knows gets a generic encoding: OPResponse/OPResult,
// objects as elements named by their members, list items as member
// elements. There the stub's keys become element names, so a response
// with a key that is not an XML name (letters, digits, dashes, dots and
// underscores, starting with a letter or underscore, not starting with
// "xml"), or nesting deeper than 64 levels, is refused with
// InternalFailure (HTTP 500) naming the key rather than written as a
// malformed document; the call stays audited as answered by its stub.
// Shaped responses never name elements after keys (map keys are text),
// and an operation name that is not an XML name is refused when the stub
// is added. JSON services and steps are exact. See
// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html.
//
// REST protocols (rest-json such as Lambda, EKS, API Gateway; rest-xml
// such as S3, Route 53, CloudFront) are routed with the URI templates of
// botocore's models, embedded for every REST service: the SigV4 signing
// name picks the services, and the method and path pick the operation (a
// label {X} is one path segment, {X+} the rest of the path, a literal
// query key such as ?tagging must be present; of several matches the one
// with the most literal characters wins). The input is rebuilt from the
// path labels (URL-decoded), the query string members, the headers and
// the body (JSON for rest-json; for rest-xml the root element's children,
// attributes dropped, depth and element count bounded, read as the input
// shape of botocore's model says: a list the service wraps in item
// elements, Route 53's <Changes><Change>, or flattens, S3's repeated
// <Object>, is a list even of one item or none, a map's entries a map;
// elements the shape lacks are kept, repeated ones as lists); a blob
// payload (lambda:Invoke's Payload, s3:PutObject's Body) is its body as a
// string. The response writes the stub's members that the output shape
// binds to headers as headers, a bound status code as the status (else
// the operation's success code), a blob payload as the raw body, and the
// rest as a JSON object (rest-json) or as XML under the output's root
// element name, or OPResult when the model names none (rest-xml: as the
// output shape says, with the query protocol's rules below: wrapped lists
// under their item names, <HostedZones><HostedZone>, flattened lists
// repeated in place, S3's <Contents>, and members the shape lacks
// dropped). A template's trailing slash may be left out, as the Go SDK
// does for Route 53's /rrset/. Errors use X-Amzn-ErrorType and a JSON
// message (rest-json) or an Error element with Code and Message (rest-xml:
// bare for S3, wrapped in ErrorResponse with the RequestId beside it for
// Route 53, CloudFront and S3 Control). A path no operation matches is refused
// with UnknownOperationException and HTTP 404. S3 takes both addressings:
// path style (/BUCKET/KEY) and virtual-hosted style, the SDKs' default,
// where the Host names the bucket and the path is the key:
// BUCKET.localhost:PORT (an endpoint URL of http://localhost:PORT; for an
// IP endpoint such as 127.0.0.1 the SDKs fall back to path style, and a
// resolver must map BUCKET.localhost to the loopback address) or S3's own
// host forms (BUCKET.s3.amazonaws.com, BUCKET.s3.REGION.amazonaws.com,
// BUCKET.s3-REGION.amazonaws.com, dualstack, fips, accelerate,
// amazonaws.com.cn), as a client without an endpoint URL sends them when
// the endpoint is its HTTP proxy. botocore keeps path style for an
// endpoint URL unless s3.addressing_style is "virtual"; the Go SDK uses
// virtual hosting unless UsePathStyle is set. A Host whose first labels are not a valid bucket
// name is read as path style, and a path of S3 Control's (which also
// signs as s3 and puts the account ID in the Host) keeps its own route.
// See https://smithy.io/2.0/spec/http-bindings.html and
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html.
//
// A stubs file ([LoadStubs], [ParseStubFile], "ssmdelegate local --stubs"
// and "ssmdelegate test --stubs") is YAML or JSON:
//
//	stubs:
//	  - service: sns
//	    operation: Publish
//	    response: {MessageId: m-1}
//	  - service: rds
//	    operation: DescribeDBInstances
//	    match: {DBInstanceIdentifier: db1}     # optional subset of the input
//	    responses:                             # in turn, the last repeating
//	      - DBInstances: [{DBInstanceStatus: creating}]
//	      - error: {code: Throttling, message: Rate exceeded, status: 400}
//	      - DBInstances: [{DBInstanceStatus: available}]
//	  - service: rds
//	    operation: DescribeDBInstances
//	    error: {code: DBInstanceNotFound, message: not found}
//	  - service: billingconductor
//	    operation: ListBillingGroups
//	    response: {BillingGroups: []}
//	    actions: [billingconductor:ListBillingGroups]  # when the table has none
//
// Each entry has service, operation and exactly one of response,
// responses and error; an item of responses whose only key is error is an
// error. Match values compare by text, so 5 matches "5". Parsing is strict:
// unknown or repeated keys, anchors, aliases and custom tags are refused
// with their path and line; a file is at most 1 MiB, with at most 1000
// stubs of at most 1000 responses each, nested at most 32 deep.
//
// # Audit trail
//
// Every call is recorded like a CloudTrail event ([AuditEvent]): operation,
// principal, the IAM actions and resources it was authorized as, the
// authorization decision, and the execution and step when a step made it; Options.OnAudit streams them ("ssmdelegate local
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
// iam/sessions and iam/instanceProfiles; regions/REGION/documents,
// instances, executions, parameters, images, snapshots and volumes; the
// instance profiles, parameters, images, snapshots and volumes optional in
// stores written before them), one key
// per entity, the entity's JSON as value. AWS-owned documents are not
// stored: every start rebuilds them.
//
// Nothing acknowledged is lost, even to kill -9 or a power cut: a call that
// changed state is answered only once a transaction holding its change is
// fsync'd. Commits write only the keys that changed, and concurrent callers
// share one commit (group commit), so one fsync serves many writes. An
// execution's step start, each attempt's start and its end are committed as
// they happen. To find what changed, a commit encodes the whole state and
// compares it with the last commit, so a write costs time in proportion
// to the state's size, not the change's (BenchmarkDurableWriteStateSize:
// with 10,000 instances in the state a write took about 20 times as long
// as with none); the endpoint is meant for test-sized states.
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
// # Several accounts
//
// Options.Accounts ("ssmdelegate local --accounts ID,ID") serves more
// accounts beside Options.AccountID, the home account, from the same URL.
// Each account is a separate core with its own IAM (and bootstrap
// administrator), Regions, documents, parameters, instances, executions,
// audit trail and state; a request is served by the account that owns its
// access key, a user's or an STS session's, so names and ids of one
// account are not found in another, as in AWS. A key no account knows
// fails as it always has. [Server]'s own methods speak for the home
// account; [Server.Account] gives any account's administrator credentials
// and configs.
//
// sts:AssumeRole of a role in another account is decided on both sides, as
// IAM does across accounts
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
// the caller's identity policies must allow it in the caller's account, and
// the role's trust policy must admit the caller in the role's account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html).
// A trust naming the caller's account (its ID or its root ARN) delegates to
// that account's identity policies; a trust naming a role admits only that
// role's sessions; a trust naming the caller alone is not enough without an
// identity Allow; an explicit Deny on either side wins. A role that does
// not exist, or an account the endpoint does not serve, is refused like a
// trust that does not admit the caller. Each side is decided under its own
// account's lock, never both at once. Each account's audit trail records
// its own decision: the caller's account the call as a whole, the role's
// account the trust decision; with several accounts every event names its
// account ([AuditEvent].Account). The session is issued by the role's
// account, so calls made with it are that account's, and GetCallerIdentity
// answers the caller's own account. Role chaining keeps its one-hour limit
// across accounts.
//
// Automation's multi-account runs reach a target location the same way:
// ssm.amazonaws.com assumes AWS-SystemsManager-AutomationAdministrationRole
// in the parent's account (its trust policy sees aws:SourceAccount and
// aws:SourceArn), and that session assumes
// AWS-SystemsManager-AutomationExecutionRole in the target account. A
// location whose role cannot be assumed fails with "The provided role:
// ARN can't be assumed." (see "Multiple accounts and Regions").
//
// With Options.StateFile every account's state is durable as the home
// account's is: the home account keeps FILE, so a single-account state
// file loads unchanged, and account ID keeps FILE with ".ID" before its
// extension (state.db, state.222222222222.db). An account left out of a
// later start keeps its file for when it is served again.
// [Server.SaveState] (--export-state) writes the home account's state.
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
// ListTargetsByRule, authorized as events:* actions on the ARN of the rule
// the operation's own member names (Name for a rule, Rule for targets).
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
