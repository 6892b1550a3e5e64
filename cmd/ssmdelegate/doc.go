// Command ssmdelegate lints, formats and plans Automation runbooks, derives
// their IAM policies, serves an embedded Automation endpoint and runs
// executions. Run "ssmdelegate help" for the list of subcommands.
//
// # Authoring
//
//	ssmdelegate lint [--format text|json] FILE...
//	ssmdelegate fmt [--format json|yaml] [-w] FILE
//
// lint exits 0 when every runbook is valid, 1 when any is not and 2 on a
// usage error, printing one "FILE: PATH: message" line per problem.
//
// # Administration
//
//	ssmdelegate policy role FILE --account A --region R [--partition P] [--explain]
//	    [--api SERVICE.API=ACTION,...] [--script STEP=ACTION,...] [--stack STEP=ACTION,...]
//	    [--instance-profile PROFILE=ROLE_ARN] [--child NAME=FILE] [--resource-tag KEY=VALUE]
//	ssmdelegate policy operator --account A --region R --document NAME... [--pass-role ARN]
//	    [--version V] [--allow-stop] [--allow-signal]
//	ssmdelegate policy trust --account A [--partition P | --region R]
//	ssmdelegate policy lint [--type identity|trust|resource|user-inline|role-inline|group-inline|managed] [--limit N] FILE...
//	ssmdelegate plan --mode embedded|runtime|caller [--role ARN] --account A --region R --name NAME [--format json|cloudformation] FILE
//	ssmdelegate plan RUNBOOK --admin-account ID (--accounts A,B | --ous ou-… --organization-access [--organization-id o-…]
//	    [--include-child-ous] [--exclude-accounts X,…]) --regions R1,R2 --region HOME
//	    [--execution-role-name N] [--location-max-concurrency N] [--location-max-errors N]
//	    [--format text|json|cloudformation|stackset]
//
// plan with --admin-account plans a runbook that the administrator account
// starts in other accounts and Regions (TargetLocations): the
// administration role it runs as, the execution role of each target account,
// the operator policy and the start input. cloudformation writes the
// administrator account's template, stackset the execution role's template
// for a StackSet over the targets (deploy it in one Region per account).
//
// policy role exits 1, naming what to declare with the flags above, when a
// runbook's needs cannot be derived (a script call it cannot follow, an
// unknown API, a child runbook). policy lint exits 1 when a policy has anything IAM would
// refuse; --type picks the grammar and IAM's size quota, and the files
// given with an inline type are also checked together against the quota
// the inline policies of one user, role or group share.
//
// # Policy simulation
//
//	ssmdelegate policy simulate --policy FILE... [--resource-policy FILE] --action A...
//	    [--resource ARN...] [--context KEY[:TYPE]=VALUE[,VALUE...]]... [--principal ARN] [--format text|json]
//
// policy simulate decides every action on every resource (default "*")
// offline, as IAM's policy simulator does
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html),
// against the identity policies ("-" reads one from standard input) and an
// optional resource policy, which needs the caller's --principal. For each
// pair it prints the decision (allowed, explicitDeny or implicitDeny), the
// statements behind it (file, statement index, Sid and the statement's
// JSON) and the condition keys the request lacks. It exits 0 when every
// pair is allowed, 1 when any is denied and 2 on a usage error or a policy
// that cannot be read or parsed, reported as FILE:LINE:COLUMN: PATH: message.
//
// --context sets one request context key. Commas separate the values of a
// multivalued key (a value cannot itself hold a comma). A condition key has
// one colon (service:name), so a second one names the type, one of IAM's
// context key types: string, numeric, boolean, date, ip, binary and their
// List forms (aws:SourceIp:ip=10.0.0.0/8). Without a type, global keys take
// the type IAM gives them (aws:SourceIp ip, aws:CurrentTime date,
// aws:MultiFactorAuthPresent boolean, aws:MultiFactorAuthAge numeric,
// aws:TagKeys stringList, …) and other keys are strings; several values make
// the type a list. A value that does not fit its type is a usage error.
//
// # Operation
//
//	ssmdelegate run (FILE | --document NAME) (--endpoint URL | --aws) [--param K=V]... [--mode … --role ARN] [--dry-run] [--wait] [--format text|json]
//	ssmdelegate local [--addr 127.0.0.1:4583] [--state FILE] [--export-state FILE] [--audit] [--clock wall|auto]
//	                  [--run-scripts] [--attachments DIR]
//
// run provisions IAM roles, policies and documents, so it needs an explicit
// target: --endpoint URL, AWS_ENDPOINT_URL in the environment (or
// AWS_ENDPOINT_URL_SSM, _IAM and _STS together), or --aws for real AWS
// with the default credential chain. It prints the account, Region and
// endpoint it will change on standard error before changing anything, and
// checks the plan and the start (required parameters, patterns, tags, rate
// control) before it provisions, so a start SSM would refuse changes
// nothing. --dry-run prints the plan, the changes Provision would make and
// the start it would send, and changes nothing.
//
// run --document NAME --mode runtime --role ADMINISTRATION-ROLE-ARN
// --locations "accounts=A,B;regions=R1,R2[;max-concurrency=N;max-errors=N]"
// starts in other accounts and Regions, one TargetLocation per --locations,
// with roles planned by plan --admin-account; --organization-access lets a
// location name OUs (accounts=ou-…, with exclude=… and children=true).
//
// The clients honour AWS_ENDPOINT_URL and the service-specific
// AWS_ENDPOINT_URL_SSM, _IAM, _STS and _EC2, as the SDKs do
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);
// --endpoint wins over all of them, and with
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true they name no target. local
// prints the variables to export, AWS_ENDPOINT_URL among them.
//
// local --accounts ID,ID serves more accounts from the same endpoint, each
// with its own IAM, resources and administrator, and prints each one's
// variables after the home account's (see "Several accounts" in package
// ssmlocal); a call is the account's whose key signs it.
//
// local runs on the wall clock by default (--clock wall). --clock auto
// gives it a virtual clock, starting at the current time, that jumps to
// the end of every sleep and poll a runbook makes (aws:sleep, waiting for
// an instance state, a property or a child execution), so hours of
// waiting pass at once. Execution times, instance state changes and the
// expiry of temporary credentials follow it, and it moves only when a
// runbook waits; approvals and other signals are still awaited. SigV4
// signing times are checked against the wall clock either way. The banner
// names the clock in use.
//
// --run-scripts lets aws:executeScript steps run their scripts on this
// machine (python3, or pwsh for PowerShell runtimes), as the user running
// local, with that user's files and network; only the AWS credentials the
// script gets are scoped, to a session of the execution's role. Without it
// those steps fail saying so. --attachments DIR is where a step's
// Attachment (a .py or .zip file) is found by name. The banner says
// whether scripts run.
//
// With --wait, run prints one line per step or status change. On a
// terminal a live line names the step that is running and the time
// elapsed; elsewhere a "still" line repeats the running step after 30
// seconds without change, so a log shows a long sleep or approval is
// being followed. With --format json the lines for a reader go to
// standard error and standard output gets one JSON object at the end: the
// account, Region and endpoint, the document and mode, the changes, and
// the execution's id, status, outputs and failed step.
//
// With --locations, the execution runs in other accounts and Regions and
// run --wait follows each location (account and Region) apart: one line
// per location's status change and one per change of the execution
// itself; on a terminal the live line becomes a block with the totals and
// one line per location, redrawn in place; elsewhere the "still" line
// gives the totals. At the end a table gives each location's status,
// child execution and failure, failed locations are named on standard
// error, and --format json adds "locations" and "locationTotals".
//
// # Testing runbooks
//
//	ssmdelegate test RUNBOOK [--stubs FILE] [--run-scripts] [--attachments DIR] [--param K=V]... [--format text|json]
//	ssmdelegate local … --stubs FILE
//
// test runs a runbook file on an in-process endpoint whose clock jumps
// over waits: it derives the service role with package policy, provisions
// it and the document with package delegate in embedded mode (as run
// does), starts the execution with the --param values and waits for it.
// It prints each step with its status and each AWS call the steps made,
// from the audit trail: step, service:operation, the IAM actions it was
// authorized as and the decision, so a missing permission shows as a
// Denied call. Calls of child automations (aws:executeAutomation, rate
// control) follow, their steps named DOCUMENT/step; a call repeated in a
// row with the same outcome (a poll) is shown once with its count.
// --run-scripts and --attachments run aws:executeScript steps as local
// does, the scripts' calls made as the derived role. It exits 0 only when the execution succeeded. --format
// json prints one object with the document, role, execution, status,
// steps and calls.
//
// Calls of APIs the endpoint does not emulate are answered by the --stubs
// file (see "Stubs" in package ssmlocal for its format), still authorized
// as the derived role; one with no stub fails its step with a message
// saying how to add one. Entries with actions: declare the IAM actions of
// operations the derivation does not know, for the derivation and the
// endpoint alike. local --stubs serves the same file to every client,
// over the wire for awsJson and query services.
//
// # Operating executions
//
//	ssmdelegate approve EXECUTION_ID [--comment TEXT] (--endpoint URL | --aws)
//	ssmdelegate reject EXECUTION_ID [--comment TEXT] (--endpoint URL | --aws)
//	ssmdelegate signal EXECUTION_ID --type StartStep|StopStep|Resume|Revoke [--step NAME] [--payload K=V]...
//	ssmdelegate stop EXECUTION_ID [--type Cancel|Complete]
//	ssmdelegate watch EXECUTION_ID... [--format text|json]
//	ssmdelegate describe EXECUTION_ID [--format table|json]
//	ssmdelegate version
//
// These act on executions through the execution package and take the
// target flags of run (--endpoint, --aws, --region, --profile); like run
// they need an explicit target. approve and reject answer an aws:approve
// step (SendAutomationSignal
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendAutomationSignal.html).
// signal --type StopStep finds the running step named by --step and sends
// its step execution id. stop cancels by default
// (StopAutomationExecution). watch follows many executions with few calls,
// one line (or JSON object) per change, and exits 1 when any ended without
// success. describe prints the execution and a table of its steps, and
// for a multi-account execution a table of its locations (every page of
// steps read); watch prints a line per location's status change.
// version, also --version, prints the module version and VCS revision
// recorded in the binary.
//
// # Conventions
//
// Every FILE argument may be "-" for standard input (run then needs
// --name). "ssmdelegate help CMD" prints a command's usage on standard
// output, as "CMD --help" does on standard error; both exit 0. Commands
// with a choice of output take it with --format (fmt's former --to
// still works).
//
// Messages on standard error follow one rule: "warning:" asks the reader
// to check something the command allowed, "note:" explains a derived
// permission (why a resource stands as "*", a runbook that needs none),
// and "ssmdelegate CMD:" starts an error, whose cause is printed once.
//
// # References
//
//   - Running an automation by using delegated administration:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-delegated.html
//   - Running an automation by using an IAM service role:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-assume.html
//   - Setting up Automation: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html
package main
