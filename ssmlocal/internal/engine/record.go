package engine

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// maxStepsInGet is how many step executions GetAutomationExecution returns
// before it sets StepExecutionsTruncated; DescribeAutomationStepExecutions
// pages through all of them.
const maxStepsInGet = 100

// record is what the engine keeps of an execution: what the API reports,
// and, while it runs, what it needs to resume after a restore. It is the
// snapshot format.
type record struct {
	Seq             uint64                          `json:"seq"`
	ID              string                          `json:"id"`
	DocumentName    string                          `json:"documentName"`
	DocumentVersion string                          `json:"documentVersion,omitempty"`
	DocumentHash    string                          `json:"documentHash,omitempty"`
	Content         []byte                          `json:"content,omitempty"`
	Status          types.AutomationExecutionStatus `json:"status"`
	Mode            types.ExecutionMode             `json:"mode"`
	ExecutedBy      string                          `json:"executedBy,omitempty"`
	Principal       Principal                       `json:"principal"`
	ParentID        string                          `json:"parentId,omitempty"`
	ClientToken     string                          `json:"clientToken,omitempty"`
	Parameters      map[string][]string             `json:"parameters,omitempty"`
	Outputs         map[string][]string             `json:"outputs,omitempty"`
	Variables       map[string][]string             `json:"variables,omitempty"`
	Start           time.Time                       `json:"start"`
	End             time.Time                       `json:"end,omitzero"`
	FailureMessage  string                          `json:"failureMessage,omitempty"`
	CurrentStep     string                          `json:"currentStep,omitempty"`
	CurrentAction   string                          `json:"currentAction,omitempty"`
	Steps           []*stepRecord                   `json:"steps,omitempty"`
	Tags            []types.Tag                     `json:"tags,omitempty"`

	// Rate control.
	RateControl         bool                  `json:"rateControl,omitempty"`
	RawParameters       map[string][]string   `json:"rawParameters,omitempty"`
	TargetParameterName string                `json:"targetParameterName,omitempty"`
	Targets             []types.Target        `json:"targets,omitempty"`
	TargetMaps          []map[string][]string `json:"targetMaps,omitempty"`
	MaxConcurrency      string                `json:"maxConcurrency,omitempty"`
	MaxErrors           string                `json:"maxErrors,omitempty"`
	Target              string                `json:"target,omitempty"`
	ResolvedTargets     []string              `json:"resolvedTargets,omitempty"`
	Children            []string              `json:"children,omitempty"`

	// Multi-account and multi-Region (CrossAccount) executions: the
	// locations in order and the child started in each ("" until started).
	CrossAccount       bool                   `json:"crossAccount,omitempty"`
	TargetLocations    []types.TargetLocation `json:"targetLocations,omitempty"`
	Locations          []Location             `json:"locations,omitempty"`
	LocationChildren   []string               `json:"locationChildren,omitempty"`
	AdministrationRole string                 `json:"administrationRole,omitempty"`
}

func (r *record) automationType() types.AutomationType {
	if r.CrossAccount {
		return types.AutomationTypeCrossAccount
	}
	return types.AutomationTypeLocal
}

// stepRecord is one step execution.
type stepRecord struct {
	ID             string                          `json:"id"`
	Name           string                          `json:"name"`
	Action         string                          `json:"action"`
	Status         types.AutomationExecutionStatus `json:"status"`
	Start          time.Time                       `json:"start,omitzero"`
	End            time.Time                       `json:"end,omitzero"`
	Inputs         map[string]string               `json:"inputs,omitempty"`
	Outputs        map[string][]string             `json:"outputs,omitempty"`
	Response       string                          `json:"response,omitempty"`
	ResponseCode   string                          `json:"responseCode,omitempty"`
	FailureMessage string                          `json:"failureMessage,omitempty"`
	FailureStage   string                          `json:"failureStage,omitempty"`
	FailureType    string                          `json:"failureType,omitempty"`
	FailureDetails map[string][]string             `json:"failureDetails,omitempty"`
	MaxAttempts    int32                           `json:"maxAttempts,omitempty"`
	TimeoutSeconds int64                           `json:"timeoutSeconds,omitempty"`
	OnFailure      string                          `json:"onFailure,omitempty"`
	IsEnd          bool                            `json:"isEnd,omitempty"`
	IsCritical     bool                            `json:"isCritical"`
	NextStep       string                          `json:"nextStep,omitempty"`
	ValidNext      []string                        `json:"validNextSteps,omitempty"`
	Parent         *parentStep                     `json:"parent,omitempty"`
	Targets        []types.Target                  `json:"targets,omitempty"`
	// Location is the account and Region a CrossAccount parent's step runs in.
	Location *Location `json:"location,omitempty"`
}

type parentStep struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Action        string `json:"action"`
	Iteration     int32  `json:"iteration"`
	IteratorValue string `json:"iteratorValue,omitempty"`
}

func newStepRecord(s runbook.Step, id string) *stepRecord {
	r := &stepRecord{ID: id, Name: s.Name, Action: s.Action(), Status: types.AutomationExecutionStatusPending}
	r.MaxAttempts = 1
	if s.MaxAttempts != nil {
		r.MaxAttempts = int32(*s.MaxAttempts)
	}
	if t := stepTimeout(s); t > 0 {
		r.TimeoutSeconds = int64(t / time.Second)
	}
	r.OnFailure = s.OnFailure
	if r.OnFailure == "" {
		r.OnFailure = runbook.Abort
	}
	r.IsEnd = s.IsEnd != nil && *s.IsEnd
	r.IsCritical = isCritical(s)
	r.NextStep = s.NextStep
	return r
}

func pendingSteps(steps []runbook.Step) []*stepRecord {
	out := make([]*stepRecord, len(steps))
	for i, s := range steps {
		out[i] = newStepRecord(s, newStepID())
	}
	return out
}

func (r *record) hasStep(name string) bool {
	for _, s := range r.Steps {
		if s.Name == name && s.Parent == nil {
			return true
		}
	}
	return false
}

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return aws.Time(t)
}

func sp(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func (r *record) metadata() types.AutomationExecutionMetadata {
	m := types.AutomationExecutionMetadata{
		AutomationExecutionId:       aws.String(r.ID),
		AutomationExecutionStatus:   r.Status,
		AutomationType:              r.automationType(),
		DocumentName:                aws.String(r.DocumentName),
		DocumentVersion:             sp(r.DocumentVersion),
		ExecutedBy:                  sp(r.ExecutedBy),
		ExecutionStartTime:          tp(r.Start),
		ExecutionEndTime:            tp(r.End),
		FailureMessage:              sp(r.FailureMessage),
		Mode:                        r.Mode,
		Outputs:                     r.Outputs,
		ParentAutomationExecutionId: sp(r.ParentID),
		CurrentStepName:             sp(r.CurrentStep),
		CurrentAction:               sp(r.CurrentAction),
		TargetParameterName:         sp(r.TargetParameterName),
		Targets:                     r.Targets,
		TargetMaps:                  r.TargetMaps,
		MaxConcurrency:              sp(r.MaxConcurrency),
		MaxErrors:                   sp(r.MaxErrors),
		Target:                      sp(r.Target),
	}
	if r.RateControl {
		m.ResolvedTargets = r.resolved()
	}
	return m
}

func (r *record) execution(st *runState) types.AutomationExecution {
	a := types.AutomationExecution{
		AutomationExecutionId:       aws.String(r.ID),
		AutomationExecutionStatus:   r.Status,
		DocumentName:                aws.String(r.DocumentName),
		DocumentVersion:             sp(r.DocumentVersion),
		ExecutedBy:                  sp(r.ExecutedBy),
		ExecutionStartTime:          tp(r.Start),
		ExecutionEndTime:            tp(r.End),
		FailureMessage:              sp(r.FailureMessage),
		Mode:                        r.Mode,
		Outputs:                     r.Outputs,
		Parameters:                  r.Parameters,
		ParentAutomationExecutionId: sp(r.ParentID),
		CurrentStepName:             sp(r.CurrentStep),
		CurrentAction:               sp(r.CurrentAction),
		TargetParameterName:         sp(r.TargetParameterName),
		Targets:                     r.Targets,
		TargetMaps:                  r.TargetMaps,
		MaxConcurrency:              sp(r.MaxConcurrency),
		MaxErrors:                   sp(r.MaxErrors),
		Target:                      sp(r.Target),
		Variables:                   r.Variables,
	}
	if len(a.Parameters) == 0 {
		a.Parameters = nil // AWS omits Parameters when the start gave none
	}
	if st != nil && len(st.Vars) > 0 {
		a.Variables = reportValues(st.Vars)
	}
	if r.RateControl {
		a.ResolvedTargets = r.resolved()
	}
	a.TargetLocations = r.TargetLocations
	n := len(r.Steps)
	if n > maxStepsInGet {
		n = maxStepsInGet
		a.StepExecutionsTruncated = true
	}
	a.StepExecutions = make([]types.StepExecution, n)
	pc := &types.ProgressCounters{TotalSteps: int32(len(r.Steps))}
	for i, s := range r.Steps {
		if i < n {
			a.StepExecutions[i] = s.sdk()
		}
		switch s.Status {
		case types.AutomationExecutionStatusSuccess:
			pc.SuccessSteps++
		case types.AutomationExecutionStatusFailed:
			pc.FailedSteps++
		case types.AutomationExecutionStatusCancelled:
			pc.CancelledSteps++
		case types.AutomationExecutionStatusTimedout:
			pc.TimedOutSteps++
		}
	}
	a.ProgressCounters = pc
	return a
}

func (s *stepRecord) sdk() types.StepExecution {
	out := types.StepExecution{
		Action:             aws.String(s.Action),
		ExecutionStartTime: tp(s.Start),
		ExecutionEndTime:   tp(s.End),
		FailureMessage:     sp(s.FailureMessage),
		Inputs:             s.Inputs,
		IsCritical:         aws.Bool(s.IsCritical),
		IsEnd:              aws.Bool(s.IsEnd),
		MaxAttempts:        aws.Int32(s.MaxAttempts),
		NextStep:           sp(s.NextStep),
		OnFailure:          sp(s.OnFailure),
		Outputs:            s.Outputs,
		Response:           sp(s.Response),
		ResponseCode:       sp(s.ResponseCode),
		StepExecutionId:    aws.String(s.ID),
		StepName:           aws.String(s.Name),
		StepStatus:         s.Status,
		ValidNextSteps:     s.ValidNext,
		Targets:            s.Targets,
	}
	if l := s.Location; l != nil {
		out.TargetLocation = &types.TargetLocation{Accounts: []string{l.Account}, Regions: []string{l.Region}, ExecutionRoleName: aws.String(l.ExecutionRoleName)}
	}
	if s.TimeoutSeconds > 0 {
		out.TimeoutSeconds = aws.Int64(s.TimeoutSeconds)
	}
	if s.FailureStage != "" || s.FailureType != "" || len(s.FailureDetails) > 0 {
		out.FailureDetails = &types.FailureDetails{FailureStage: sp(s.FailureStage), FailureType: sp(s.FailureType), Details: s.FailureDetails}
	}
	if p := s.Parent; p != nil {
		out.ParentStepDetails = &types.ParentStepDetails{
			StepExecutionId: aws.String(p.ID), StepName: aws.String(p.Name), Action: aws.String(p.Action),
			Iteration: aws.Int32(p.Iteration), IteratorValue: sp(p.IteratorValue),
		}
	}
	return out
}

// resolved reports the resolved targets, truncated as AWS does.
func (r *record) resolved() *types.ResolvedTargets {
	vals := r.ResolvedTargets
	trunc := false
	if len(vals) > maxReportedTargets {
		vals, trunc = vals[:maxReportedTargets], true
	}
	return &types.ResolvedTargets{ParameterValues: vals, Truncated: trunc}
}
