// Package engine runs Automation executions for the local endpoint: it
// parses the runbook, checks the start parameters, walks the steps and
// answers the execution APIs (get, describe, steps, stop, signal). Every AWS
// call a step makes goes through the endpoint's [Invoker], so it is
// authorized as the execution's principal (the service role or the caller)
// and recorded in the audit trail.
//
// The contract with the endpoint is in api.go: [API], [StartInput],
// [Invoker] and [Call].
//
// # Time
//
// Executions run in goroutines that read time only from the [clock.Clock]
// in [Options]. With a virtual clock, a runbook that sleeps for hours and
// polls instances every few seconds finishes in milliseconds. Step timeouts
// and the caller's 12-hour session limit are deadlines checked whenever a
// step waits, so they need no timers of their own. A wait for a person
// (aws:pause, aws:approve, an interactive step) arms a timer for its
// deadline, except on a clock that jumps to every timer as it is set
// (clock.NewAuto): there the wait lasts until the signal comes, and a
// signal that comes after the deadline times the step out.
//
// # Actions
//
// Executed for real against the endpoint's simulated services:
// aws:changeInstanceState (Start/Stop/TerminateInstances, then
// DescribeInstanceStatus with IncludeAllInstances every 5 seconds until the
// state is reached), aws:runInstances, aws:createTags (ec2 CreateTags, or
// ssm AddTagsToResource for ManagedInstance, MaintenanceWindow and
// Parameter), aws:sleep, aws:pause, aws:approve, aws:branch,
// aws:executeAwsApi, aws:waitForAwsResourceProperty,
// aws:assertAwsResourceProperty (outputs selected with RFC 9535 JSONPath),
// aws:executeAutomation (a child started and followed through the
// endpoint), aws:loop, aws:updateVariable, aws:createImage and
// aws:copyImage (CreateImage or CopyImage, then DescribeImages every 5
// seconds until the image is available; outputs ImageId and ImageState)
// and aws:deleteImage (DescribeImages for the image's snapshots,
// DeregisterImage, then DeleteSnapshot of each). Any other action fails its
// step with a "not simulated" message, and an API the endpoint does not
// simulate fails the step the same way: nothing silently succeeds.
//
// aws:executeScript runs for real when [Options].Scripts is set (the
// endpoint's opt-in), and otherwise fails saying how to allow it. A Python
// runtime (python3.X) runs python3 from PATH when its major.minor is the
// runtime's, or else an exact python3.X from PATH; a PowerShell runtime
// runs pwsh from PATH when its version is at least the runtime's. With
// neither the step fails naming the runtime and what was found. A small
// wrapper loads the Script as a module, calls the function named by
// Handler ("file.function" for an attachment) with the resolved
// InputPayload as events and a context dict (automation:EXECUTION_ID,
// automation:STEP_NAME, global:ACCOUNT_ID, global:REGION,
// global:AWS_PARTITION), and writes the return value to a file of its own,
// so standard output stays the script's. The PowerShell wrapper sets
// $env:InputPayload, dot-sources the script and calls the Handler
// function with $events and $context when the script defines one; the
// script's own output is the value otherwise. The value is the step's
// Payload: output selectors read $.Payload.x, and the step reports
// OutputPayload ({"Payload": …}) and ExecutionLog, the script's standard
// output and error together, kept to 256 KiB with a note saying how much
// was cut. A Payload over 100 KB fails the step, as AWS returns at most
// that. An exception fails the step with its traceback and "Type -
// message" (FailureDetails ErrorCode is the AWS error code of a boto3
// ClientError, else the exception type); the attempt is retried under
// maxAttempts like any failure. timeoutSeconds (at most 600, the runtime's
// cap, which also applies without it) bounds the attempt: the script's
// process group is killed and the step is TimedOut. The group is killed
// too when the attempt ends otherwise (what the script left running dies
// with it) or the execution is stopped, and on Linux the script dies with
// the endpoint's process. A script runs in wall
// time: a virtual clock does not speed it up, and the deadline the engine
// clock gives the step is counted in wall time from the script's start.
//
// See https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html
// and https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
//
// # Step semantics
//
// maxAttempts retries a failed attempt; timeoutSeconds bounds each attempt
// and a step out of attempts by timeout is TimedOut. onFailure is Abort (the
// default: the execution ends with the step's status), Continue or
// step:NAME; isCritical defaults to false with Continue and true otherwise,
// and a critical step that failed without ending the run makes the run end
// Failed. onCancel step:NAME runs that step (for at most two minutes) when
// the execution is cancelled. nextStep and isEnd steer the flow, inside
// loops too. An aws:branch with no matching choice and no Default goes on
// to the next step. aws:approve waits 7 days unless timeoutSeconds says otherwise;
// a rejection ends the run Rejected. Steps never reached stay Pending.
// Interactive executions wait (status Waiting) for a StartStep signal,
// which names the step as StepName in its payload, before each step; a
// Resume must name the paused step as StepName too (the API reference
// requires it for both), and is refused with
// InvalidAutomationSignalException without it and
// AutomationStepNotFoundException when it names another step; StopStep
// cancels the running step and the execution waits again; Stop with
// Complete ends an execution as if its last step had run.
//
// See https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html#automation-common-properties
// and https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations.html
//
// # Statuses
//
// Executions and steps use [types.AutomationExecutionStatus]: Pending,
// InProgress, Waiting, Success, TimedOut, Cancelling, Cancelled, Failed and
// Rejected; a step waiting for a signal (aws:pause, aws:approve) is
// Waiting, as its execution is; an aws:loop whose nested step moved to a step outside the loop
// is Exited, and the run goes on there. A rate-control parent whose children failed within MaxErrors
// ends CompletedWithFailure, and Failed once more than MaxErrors failed.
//
// A failed step's FailureMessage is worded as AWS words it ("Step fails
// when it is Execute/Cancelling action. Fail to execute step NAME: CAUSE.
// ..."; "Step timed out while step is ..." for a timeout), and a failed
// execution reports its failed step's message; FailureDetails keeps the
// bare cause.
//
// Describe filters with a value that names nothing (an unknown status, an
// empty value, a time or iteration that does not parse) fail with
// InvalidFilterValue. GetAutomationExecution omits Parameters when the
// start gave none.
//
// See https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-statuses.html
// and https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendAutomationSignal.html
//
// # Rate control
//
// A start with Targets (and TargetParameterName) or TargetMaps becomes a
// parent that starts one child per target value, at most MaxConcurrency at
// a time (10 by default), ramping up as AWS does: one child, then two once
// it ended, then doubling as children end, up to MaxConcurrency; it starts no new child once more than MaxErrors
// (0 by default) have failed. Targets with key ParameterValues are literal;
// InstanceIds, tag:KEY and tag-key resolve through ec2 DescribeInstances as
// the execution's principal. Each child appears as a step of the parent.
//
// See https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-scale.html
// and https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-scale-controls.html
//
// # Locations
//
// A start with TargetLocations becomes a CrossAccount parent: one step
// execution per account and Region (ExpandLocations: TargetLocation by
// TargetLocation, accounts, then Regions), each Pending until started and
// then mirroring its child, which [Locations] starts in the location's own
// engine (another Region, or another account's) as the location's
// execution role. Each TargetLocation runs under its
// TargetLocationMaxConcurrency and TargetLocationMaxErrors; a location
// that cannot start (its role cannot be assumed) fails and counts as an
// error. The parent follows its children by polling their engines every
// five seconds of the engine's clock, and a stop cancels the running ones.
// See https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-automation-multiple-accounts-and-regions.html
//
// # Quotas
//
// A top-level automation may start five levels of child automations
// (aws:executeAutomation, or rate control); a start that would run deeper
// fails with AutomationExecutionLimitExceededException, so a runbook that
// starts itself ends instead of running on. At most 100 automations run at
// once (rate-control parents and children included): the ones started
// beyond that stay Pending and start, in start order, as slots free; 5,000
// waiting makes a further start fail with
// AutomationExecutionLimitExceededException.
//
// See https://docs.aws.amazon.com/general/latest/gr/ssm.html#limits_ssm
//
// # State
//
// [Engine.Snapshot] saves every execution as JSON ([Engine.SnapshotEach]
// one value per execution, [JoinSnapshot] joins them back); [Options.State]
// restores them, and executions that were running resume at the step they
// were in. A finished execution keeps only its record (steps, outputs,
// times): the document, the working state and the goroutine are released.
//
// Options.OnChange is called when a step starts, before each attempt acts,
// and when it ends, so an endpoint that persists there knows after a crash
// which step may have acted. A step found in progress after a restore runs
// again only when that is harmless: aws:sleep, aws:pause, aws:approve,
// aws:waitForAwsResourceProperty, aws:assertAwsResourceProperty,
// aws:branch, and aws:executeAwsApi calling a Describe, Get or List
// operation. Any other step fails with a message saying a restart
// interrupted it (FailureDetails ErrorCode InterruptedByRestart), and its
// onFailure applies as for any failure.
package engine
