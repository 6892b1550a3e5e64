// Package execution starts AWS Systems Manager Automation executions,
// waits for them polling where their end is predicted, watches many at
// once, and sends them signals. No AWS SDK ships a waiter for Automation
// executions; this one has the shape of the SDK's generated waiters.
//
// # Start
//
// [Start] wraps StartAutomationExecution. It checks the request against the
// SSM API model (document name and version, Targets ≤ 5 with
// TargetParameterName or TargetMaps, MaxConcurrency and MaxErrors patterns,
// TargetLocations, at most five tags) and, given the runbook
// ([StartOptions].Runbook), the parameters against their declarations:
// names, required parameters, types, allowedValues, allowedPattern,
// minItems/maxItems and minChars/maxChars. Every problem comes back at once
// as an [*InvalidInputError]. A ClientToken (UUID) is generated, so the
// SDK's retries of one start never launch two executions, and
// [StartInput] resends a previous [StartOutput].Input safely.
//
// # Wait
//
// [NewExecutionWaiter] returns an [ExecutionWaiter] whose Wait and
// WaitForOutput poll GetAutomationExecution. Where it can, the waiter
// predicts when the execution ends and polls there:
//
//   - an aws:sleep step ends at its start time (from the step record)
//     plus its Duration, or at its Timestamp, read from the step's
//     resolved inputs or, with [ExecutionWaiterOptions].Runbook, from the
//     runbook and the execution's parameters;
//   - a step's timeoutSeconds bounds its end;
//   - with [ExecutionWaiterOptions].History (such as a [MemoryHistory]),
//     previous executions of the same document tell how long each step
//     and the rest of the run took: polls gather where they ended (every
//     4 s inside a likely stretch, or 1/96 of it when wider), approaching
//     it halving the distance; where later steps followed, only the
//     step's end is watched, at half the shortest time those steps took,
//     since the next step's start time is a better anchor. The waiter
//     records each execution it saw end.
//
// No poll is more than MaxDelay after the last, so an unexpected end is
// still seen; past the predicted ends, and when nothing is known, delays
// are drawn from a window of [age/20, age/10] of the execution's age (or
// of the time since the last predicted end), clamped to [MinDelay,
// MaxDelay] (1 s and 120 s by default). The jitter source is seeded per
// wait, from the execution id and the wait's start, so that waiters
// spread apart while one wait's schedule can be replayed.
//
// BenchmarkWaitStrategies measures this on a simulated workload of mixed
// runbooks (instance restarts, API-only runbooks, stop/sleep/start
// maintenance, approvals followed by a command, image creation, scripts;
// 3% of steps fail, 10% of approvals are rejected; log-normal durations
// from a seeded generator): with history, on each of six seeded
// workloads, the waiter makes 0.19 to 0.27 times the calls of a fixed 5 s
// loop (0.23 to 0.33 times under 30% throttling) with a 90th percentile
// detection lag of 2.9 to 3.4 s (4.3 to 4.8 s throttled, where fixed
// polling's is 9.1 to 9.9 s). Waits that no history or structure can foresee (a
// rejected approval, a step failing early) keep the age backoff's lag,
// about 5 to 10% of the run.
//
// Every [types.AutomationExecutionStatus] is classified by [Classify]:
// Success and CompletedWithSuccess succeed; Failed, TimedOut, Cancelled,
// Rejected, ChangeCalendarOverrideRejected, CompletedWithFailure and Exited
// fail, as an [*ExecutionFailedError] naming the failed step and its
// failure details; every other status, and any status unknown to this
// package (logged), is in progress. An execution waiting for a person
// ([WaitsForPerson]) is reported through OnProgress, or ends the wait with
// an [*AwaitingInputError] when ReturnOnAwaitingInput is set.
//
// Throttling never fails a wait. Throttling is mostly decided per
// request, so where the schedule polls densely (its next poll within 3 s:
// near a predicted end, early in a run) a throttled poll is asked again
// after MinDelay, the lag growing with each retry; elsewhere it is asked
// again halfway to the schedule's next poll, sparing the throttled
// account's rate where the schedule already accepts that lag. The
// schedule itself does not move. Past five throttles in a row the
// account's request rate is taken to be spent: the pause grows by half
// each time, to twice MaxDelay.
// AutomationExecutionNotFound right after a
// start is retried for NotFoundGracePeriod; up to MaxTransientErrors
// server errors or network failures in a row (5 by default, negative for
// none) are polled through, counted apart from throttling, so throttles
// neither spend nor reset that budget; access denied and other client
// errors end the wait with the cause. Option fields left zero take their
// defaults when the wait begins, after the wait's own option functions.
// When maxWait passes, the error is a [*WaitTimeoutError] (errors.Is
// [ErrWaitTimeout] and [context.DeadlineExceeded]) carrying the last status
// and the last API error; a cancelled context is passed through.
// DescribeAutomationStepExecutions is called, through the SDK's paginator,
// only when GetAutomationExecution truncates the step list.
//
// # Watch
//
// A [Watcher] follows many executions, such as the children of a
// rate-controlled run or a fleet: each sweep reads ten executions per
// DescribeAutomationExecutions call (ExecutionId filter), so 1,000
// executions cost 100 calls per sweep, and reads GetAutomationExecution
// only for executions whose status changed. All calls wait on one token
// bucket (golang.org/x/time/rate), which waiters can share. Events arrive
// through a callback ([Watcher.Run]) or a channel ([Watcher.Watch]). With
// FollowChildren, the children a rate-controlled or multi-account
// execution starts join the watch as they appear ([ListChildExecutions]
// lists them).
//
// Every call of a watch (each page of DescribeAutomationExecutions, the
// children's listing, GetAutomationExecution, each page of
// DescribeAutomationStepExecutions) is retried like the waiter's poll:
// throttling without limit (here each throttle in a row moving the pause
// up by half); MaxTransientErrors transient errors in a row,
// after the usual pause; anything else, or one transient error more, ends
// the watch with the cause (a step list that cannot be read is left
// truncated and logged instead). A failed page is asked again alone, and
// a sweep whose calls were throttled pauses longer before the next.
//
// # Locations
//
// A multi-account execution (StartAutomationExecution with
// TargetLocations) runs a parent execution in the administrator account
// and one child execution per target account and Region, under the
// execution role there. The parent is what the administrator can read:
// its TargetLocations, its ProgressCounters (which AWS documents as step
// counts across the Regions and accounts; a parent has one step per
// location, so they count locations), and one step per location whose
// StepExecution.TargetLocation names the account and Region, whose status
// mirrors the child's and whose outputs name the child execution
// (ExecutionId, AutomationExecutionId, ChildExecutionId or any other
// output ending in ExecutionId). The parent's status aggregates them.
//
// [LocationsOf] turns a parent into a [LocationReport]: one
// [LocationStatus] per location (account, Region, execution role,
// status, child execution id, failure, start and end), sorted by account
// and Region, plus [LocationTotals] from ProgressCounters (counted from
// the steps when the service sends none). Steps naming the same location
// collapse to the latest (a later start, or the copy further along);
// unknown statuses count as in progress; missing fields stay empty.
// [GetLocations] reads a parent and, when its step list is truncated,
// every page of DescribeAutomationStepExecutions. [IsMultiAccount] tells
// a parent by its TargetLocations or its steps.
//
// The waiter follows a parent as any execution, ending when the parent
// ends; [ExecutionWaiter.WaitForLocations] returns the report, and an
// [*ExecutionFailedError] carries it in Locations. OnProgress receives one
// [Progress] with Location set per location status change, then the
// parent's own changes; while OnProgress is set, a truncated step list is
// read in full at every poll, since locations run side by side and any
// page may hold a change. Unless SkipDetail is set, a [Watcher] reads
// the detail of a parent whose metadata says AutomationType CrossAccount
// at every sweep (one
// GetAutomationExecution, plus the step pages when truncated), and of any
// other once its detail shows locations, and sends one [Event] with
// Location set per location status change before the parent's event.
// Those calls go through the same retry budget and rate limiter as the
// rest; an event for a child execution (forwarded to the administrator's
// queue) wakes its parent's waiter or watcher.
//
// The children live in the target accounts, readable only with
// credentials there. Given a [LocationClientFunc]
// (ExecutionWaiterOptions.LocationClient, WatcherOptions.LocationClient),
// the waiter and watcher also read each running location's child in its
// own account, once per poll, through a client made once per location:
// a child that has ended is reported at once, and not read again. A
// client that cannot be made, or a read that fails, is logged and
// skipped: the parent's steps stay the source of truth, and the parent's
// end alone ends the wait.
//
//   - Running automations in multiple Regions and accounts:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-automation-multiple-accounts-and-regions.html
//   - AutomationExecution (TargetLocations, ProgressCounters):
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AutomationExecution.html
//   - ProgressCounters:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ProgressCounters.html
//   - StepExecution (TargetLocation):
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StepExecution.html
//   - TargetLocation:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_TargetLocation.html
//   - AutomationExecutionMetadata (AutomationType):
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AutomationExecutionMetadata.html
//   - AutomationExecutionFilter (AutomationType, ParentExecutionId):
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AutomationExecutionFilter.html
//
// # Signals
//
// [Approve], [Reject], [Resume], [StartStep] and [StopStep] send
// SendAutomationSignal; [Cancel] and [Complete] call
// StopAutomationExecution. The service requires the step's name as
// StepName in the payload of StartStep and Resume: [Resume] sends the one
// given by [WithStepName], or looks up the execution's step in status
// Waiting with DescribeAutomationStepExecutions, and fails with
// [ErrNoWaitingStep] unless exactly one is waiting.
//
// # Events
//
// Automation publishes status-change events to EventBridge (source
// aws.ssm, detail-types [ExecutionStatusChange] and [StepStatusChange]);
// a rule can send them to an SQS queue, which package delegate provisions.
// [QueueEventSource] reads that queue with long polls, deletes what it read
// in batches, parses each body with [ParseAutomationEvent] (both
// "Cancelled" and "Canceled", locale-style StartTime and EndTime, unknown
// fields ignored; malformed bodies are skipped, counted and deleted), drops
// duplicates by event id, and wakes the waiters and watchers subscribed to
// the event's execution.
//
// Events are a wake-up only. EventBridge delivers them at best effort and
// in no particular order, so nothing is decided from an event: each one
// makes the waiter (ExecutionWaiterOptions.Wake) poll
// GetAutomationExecution, or the watcher (WatcherOptions.Events) sweep,
// at once, and that read is the authority. Between events they keep a slow
// reconciliation poll ([DefaultFallbackDelay]) in place of the age
// backoff, so a lost event or a queue that is down costs latency, never a
// wrong or missed result. A waiter's polls at a predicted end stay where
// the prediction puts them: there events are a bonus, and a queue that is
// down costs nothing. Any [WakeSource] can drive them.
//
// BenchmarkEventWake measures this on 200 runs of 1 s to 2 h: with events
// flowing, about 12 polls per execution (40 polling alone) and every end
// seen at once; with the queue down, a median lag of 47 s where nothing
// predicts the end, and, when the runs' sleep durations are known, the
// same 0.25 s lag and 8.4 polls per execution as polling alone.
//
//   - Automation events:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
//   - Systems Manager events and their delivery:
//     https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ssm.html
//
// # References
//
//   - StartAutomationExecution:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAutomationExecution.html
//   - GetAutomationExecution:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetAutomationExecution.html
//   - DescribeAutomationExecutions:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeAutomationExecutions.html
//   - DescribeAutomationStepExecutions:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeAutomationStepExecutions.html
//   - SendAutomationSignal:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendAutomationSignal.html
//   - StopAutomationExecution:
//     https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StopAutomationExecution.html
//   - Running automations with rate controls:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-scale.html
//   - Running automations in multiple Regions and accounts:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-automation-multiple-accounts-and-regions.html
//   - Understanding automation statuses:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-statuses.html
package execution
