package engine

// This file is the contract between the endpoint (package ssmlocal: wire
// protocols, IAM, authorization, audit, documents) and the automation engine
// (this package: executions, steps, signals, time). The endpoint resolves
// and authorizes a start, then hands the engine a fully resolved StartInput;
// every AWS call a step makes goes back through the endpoint's Invoker so it
// is authorized against the execution's principal and audited.

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
)

// Principal is the identity AWS calls are made as.
type Principal struct {
	// ARN is the identity as CloudTrail would show it: an assumed-role
	// session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) when the
	// execution runs as a service role, otherwise the caller's own ARN.
	ARN string
	// RoleARN is the IAM role behind an assumed-role session (its policies
	// apply); empty for users.
	RoleARN string
	// Expires is when the principal's session ends; zero when it does not.
	// An execution running in the caller's session (no service role) gets
	// start + 12 hours: the engine fails the execution once its clock passes
	// Expires, and the Invoker refuses calls made after it.
	Expires time.Time
}

// Call is one AWS API call made by a step.
type Call struct {
	// Principal is who makes the call (the execution's principal).
	Principal Principal
	// Service is the SDK client name, as aws:executeAwsApi's Service input
	// spells it: "ec2", "ssm", "iam", "sts". Matched case-insensitively.
	Service string
	// API is the operation name, as aws:executeAwsApi's Api input spells
	// it: "StopInstances", "DescribeInstanceStatus". Matched
	// case-insensitively.
	API string
	// Params are the operation's input members by their API names
	// ({"InstanceIds": ["i-…"]}), JSON-shaped: map[string]any, []any,
	// []string, string, bool, any Go integer or float, json.Number.
	Params map[string]any
	// ExecutionID and StepName identify the step for the audit trail.
	ExecutionID string
	StepName    string
}

// Invoker performs a step's AWS call through the endpoint's simulated
// services, authorized against Call.Principal and recorded in the audit trail.
//
// The result is the operation's output by API member names, shaped as
// encoding/json decodes JSON (map[string]any, []any, string, float64, bool,
// nil; timestamps as RFC 3339 strings), ready for JSONPath selectors.
//
// Errors that AWS would return satisfy smithy.APIError (ErrorCode is the
// AWS error code: "AccessDenied", "UnauthorizedOperation",
// "InvalidInstanceID.NotFound", "ValidationException", …). An operation the
// endpoint does not simulate returns an error with code "NotSimulated".
//
// aws:executeAutomation starts its child with Service "ssm", API
// "StartAutomationExecution" (Params: DocumentName, DocumentVersion,
// Parameters as map[string][]string or map[string]any of lists, Mode,
// TargetParameterName, Targets, MaxConcurrency, MaxErrors), which runs the
// endpoint's full start flow (authorization, role resolution, PassRole,
// trust) and records Call.ExecutionID as the child's parent. It then follows
// the child with "GetAutomationExecution".
type Invoker interface {
	Invoke(ctx context.Context, call Call) (map[string]any, error)
}

// Options configure an engine.
type Options struct {
	// Clock is the time source; the wall clock when nil.
	Clock clock.Clock
	// Invoker performs the steps' AWS calls. Required.
	Invoker Invoker
	// Account, Region and Partition fill global:ACCOUNT_ID, global:REGION
	// and global:AWS_PARTITION and the ARNs the engine builds.
	Account   string
	Region    string
	Partition string
	// State restores executions saved by Engine.Snapshot; nil starts empty.
	State []byte
	// OnChange, when set, is called (without engine locks held) after an
	// execution changes status and before each step attempt acts, so the
	// endpoint can persist a snapshot; it may block until it has.
	OnChange func(executionID string)
	// Locations, when set, runs the children of CrossAccount executions
	// (StartInput.TargetLocations) in their accounts and Regions.
	Locations Locations
	// Scripts, when set, lets aws:executeScript steps run their scripts;
	// nil fails those steps with a message saying how to allow them.
	Scripts *Scripts
}

// StartInput is a start the endpoint has already authorized and resolved.
type StartInput struct {
	// ID is the execution id (a UUID) chosen by the endpoint, which needs it
	// before the start to check the role's trust policy against the
	// execution's aws:SourceArn. The engine generates one when empty.
	ID string
	// DocumentName and DocumentVersion name the resolved version (a number,
	// never $DEFAULT/$LATEST).
	DocumentName    string
	DocumentVersion string
	// Content is that version's content as stored (JSON or YAML); the
	// engine parses it with runbook.Parse (it may cache by DocumentHash).
	Content      []byte
	DocumentHash string
	// Parameters as the caller gave them; the engine applies defaults and
	// checks them against the document's declarations (required, type,
	// allowedValues, allowedPattern, min/max), returning
	// *types.InvalidAutomationExecutionParametersException on a problem.
	Parameters map[string][]string
	// Mode is Auto (the default when empty) or Interactive.
	Mode types.ExecutionMode
	// Rate control: when Targets or TargetMaps are set the engine starts one
	// child execution per resolved target (ParentAutomationExecutionId set)
	// under MaxConcurrency/MaxErrors ("10", "10%").
	TargetParameterName string
	Targets             []types.Target
	TargetMaps          []map[string][]string
	MaxConcurrency      string
	MaxErrors           string
	Tags                []types.Tag
	// ClientToken makes the start idempotent: a second start with the same
	// token returns the first execution's id.
	ClientToken string
	// Principal is who the steps act as: the assumed service role, or the
	// caller (with Expires = start + 12h) when the document has no role.
	Principal Principal
	// ExecutedBy is the caller's ARN, reported as ExecutedBy.
	ExecutedBy string
	// ParentID is the parent execution for aws:executeAutomation children.
	ParentID string
	// FailureMessage, when set, records the execution as Failed at once
	// with this message and runs no step: AWS accepts a start whose service
	// role cannot be assumed (missing role, trust policy not allowing
	// ssm.amazonaws.com for this execution) and fails the execution with
	// "The defined assume role is unable to be assumed."
	FailureMessage string
	// TargetLocations, when set, make a CrossAccount execution: one child
	// per account and Region (through Options.Locations), each TargetLocation
	// under its TargetLocationMaxConcurrency and TargetLocationMaxErrors.
	// The endpoint fills AWS's defaults (accounts, Regions, execution role,
	// concurrency 1, errors 0) before the start. Targets, TargetMaps,
	// MaxConcurrency and MaxErrors then apply inside each location.
	TargetLocations []types.TargetLocation
	// AdministrationRole names the role in the administrator account each
	// location is reached through.
	AdministrationRole string
}

// API is what the endpoint needs from the engine; *Engine implements it.
//
// Output types are the SDK's own ssm/types structs so the wire layer encodes
// them member for member. Errors are the SDK's typed exceptions from
// ssm/types (they satisfy smithy.APIError):
// AutomationExecutionNotFoundException, InvalidAutomationExecutionParametersException,
// InvalidAutomationStatusUpdateException, InvalidAutomationSignalException,
// AutomationStepNotFoundException, InvalidFilterKey, InvalidFilterValue,
// InvalidNextToken, IdempotentParameterMismatch,
// AutomationExecutionLimitExceededException, ValidationException.
type API interface {
	// Start begins an execution and returns its id.
	Start(ctx context.Context, in StartInput) (string, error)
	// Get returns one execution with all its step executions.
	Get(id string) (types.AutomationExecution, error)
	// Tags returns the tags an execution was started with.
	Tags(id string) ([]types.Tag, error)
	// Describe lists executions matching every filter (any value of a
	// filter matches; keys as in DescribeAutomationExecutions: ExecutionId,
	// ExecutionStatus, DocumentNamePrefix, ParentExecutionId,
	// CurrentAction, StartTimeBefore, StartTimeAfter, AutomationType,
	// TagKey, TargetResourceGroup, AutomationSubtype, OpsItemId),
	// newest first. maxResults 0 means the API default (50). The returned
	// token is empty on the last page.
	Describe(filters []types.AutomationExecutionFilter, maxResults int32, nextToken string) ([]types.AutomationExecutionMetadata, string, error)
	// Steps lists an execution's step executions, oldest first or newest
	// first when reverse is set; filter keys StartTimeBefore,
	// StartTimeAfter, StepExecutionStatus, StepExecutionId, StepName,
	// Action.
	Steps(id string, filters []types.StepExecutionFilter, reverse bool, maxResults int32, nextToken string) ([]types.StepExecution, string, error)
	// Stop cancels (StopTypeCancel) or completes (StopTypeComplete) an
	// execution.
	Stop(id string, stopType types.StopType) error
	// Signal delivers Approve, Reject, StartStep, StopStep or Resume with
	// its payload (Comment, StepName, StepExecutionId, …). approvedBy is
	// the signalling caller's ARN, recorded for approvals.
	Signal(id string, signal types.SignalType, payload map[string][]string, approvedBy string) error
	// Snapshot returns every execution's state for Options.State.
	Snapshot() ([]byte, error)
	// SnapshotEach returns each execution's state by id.
	SnapshotEach() (map[string][]byte, error)
	// Close stops every running execution's goroutines and waits for them.
	Close() error
}
