package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Location is one account and Region of a multi-account and multi-Region
// (CrossAccount) execution, with the execution role its child runs as.
type Location struct {
	Account           string `json:"account"`
	Region            string `json:"region"`
	ExecutionRoleName string `json:"executionRoleName"`
	// Group is the index of the TargetLocation the location comes from: its
	// TargetLocationMaxConcurrency and TargetLocationMaxErrors apply.
	Group int `json:"group"`
}

// LocationStart is the start of one location's child execution.
type LocationStart struct {
	// ParentID is the CrossAccount execution in the administrator account.
	ParentID string
	// Location is where the child runs.
	Location Location
	// Principal is the parent's principal: the administration role session
	// that assumes the location's execution role.
	Principal Principal
	// AdministrationRole names that role in the administrator account.
	AdministrationRole string
	// ExecutedBy is who started the parent.
	ExecutedBy string
	// The document as resolved in the administrator account.
	DocumentName    string
	DocumentVersion string
	Content         []byte
	DocumentHash    string
	// Parameters as the caller gave them.
	Parameters map[string][]string
	// Rate control inside the location, when the start gave Targets.
	TargetParameterName string
	Targets             []types.Target
	TargetMaps          []map[string][]string
	MaxConcurrency      string
	MaxErrors           string
}

// Locations runs the children of CrossAccount executions in other Regions
// and accounts: each child lives in its location's engine, which the
// endpoint owns.
type Locations interface {
	// StartLocation assumes the location's execution role as the parent's
	// administration role and starts the child there. A non-empty failure
	// fails the location without a child (the role cannot be assumed, the
	// Region or account is not served); err is kept for engine errors,
	// which also fail the location.
	StartLocation(ctx context.Context, in LocationStart) (id, failure string, err error)
	// LocationStatus reports a child's status and failure message.
	LocationStatus(loc Location, id string) (types.AutomationExecutionStatus, string, error)
	// StopLocation cancels a running child.
	StopLocation(loc Location, id string)
}

// DefaultExecutionRoleName is the execution role a TargetLocation names
// when it names none.
const DefaultExecutionRoleName = "AWS-SystemsManager-AutomationExecutionRole"

// ExpandLocations lists the locations of target locations in order: for
// each TargetLocation, each account, each Region.
func ExpandLocations(tls []types.TargetLocation) []Location {
	var out []Location
	for g, tl := range tls {
		role := aws.ToString(tl.ExecutionRoleName)
		if role == "" {
			role = DefaultExecutionRoleName
		}
		for _, a := range tl.Accounts {
			for _, r := range tl.Regions {
				out = append(out, Location{Account: a, Region: r, ExecutionRoleName: role, Group: g})
			}
		}
	}
	return out
}

// locationStepName names a location's step execution in the parent.
func locationStepName(l Location) string { return l.Account + "/" + l.Region }

// locationSteps are the parent's step executions, one per location,
// Pending until the location starts.
func locationSteps(locs []Location) []*stepRecord {
	out := make([]*stepRecord, len(locs))
	for i, l := range locs {
		out[i] = &stepRecord{
			ID: newStepID(), Name: locationStepName(l), Action: "aws:executeAutomation",
			Status: types.AutomationExecutionStatusPending, MaxAttempts: 1, OnFailure: runbook.Abort, IsCritical: true,
			Location: &l,
		}
	}
	return out
}

// runLocations drives a CrossAccount execution: one child per location,
// TargetLocation by TargetLocation, each under its own
// TargetLocationMaxConcurrency and TargetLocationMaxErrors.
func (e *Engine) runLocations(ctx context.Context, x *execution, doc *runbook.Document, admitted chan struct{}) {
	defer e.wg.Done()
	if !e.acquire(ctx, admitted) {
		e.unqueued(ctx, x, doc)
		return
	}
	defer e.release()
	status, msg, closed := e.locations(ctx, x)
	if closed {
		return
	}
	e.finish(x, doc, status, msg)
}

func (e *Engine) locations(ctx context.Context, x *execution) (types.AutomationExecutionStatus, string, bool) {
	x.mu.Lock()
	x.rec.Status = types.AutomationExecutionStatusInprogress
	rec := x.rec // a copy of the immutable start fields
	wake := x.rt.wake
	x.mu.Unlock()
	e.changed(rec.ID)
	if e.opts.Locations == nil {
		return types.AutomationExecutionStatusFailed, "multi-account and multi-Region automation is not available in this endpoint", false
	}
	failedTotal := 0
	for g, tl := range rec.TargetLocations {
		var idx []int
		for i, l := range rec.Locations {
			if l.Group == g {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		conc := threshold(aws.ToString(tl.TargetLocationMaxConcurrency), len(idx), 1)
		maxErr := threshold(aws.ToString(tl.TargetLocationMaxErrors), len(idx), 0)
		for {
			running, failed, done, next := e.locationCounts(x, idx)
			if failed > maxErr && running == 0 {
				return types.AutomationExecutionStatusFailed, fmt.Sprintf("%d of %d locations of target location %d failed, more than TargetLocationMaxErrors %s allows",
					failed, len(idx), g+1, aws.ToString(tl.TargetLocationMaxErrors)), false
			}
			if done == len(idx) {
				failedTotal += failed
				break
			}
			if ctx.Err() == nil && failed <= maxErr && running < conc && next >= 0 {
				if err := e.startLocation(ctx, x, rec, next); errors.Is(err, errClosed) {
					return "", "", true
				}
				continue
			}
			t := e.clk.NewTimer(pollInterval)
			select {
			case <-wake:
			case <-t.C():
			case <-ctx.Done():
			}
			t.Stop()
			if ctx.Err() != nil {
				if errors.Is(context.Cause(ctx), errClosed) {
					return "", "", true
				}
				e.stopLocations(x)
				return types.AutomationExecutionStatusCancelled, "", false
			}
		}
	}
	if failedTotal > 0 {
		return types.AutomationExecutionStatusCompletedWithFailure, fmt.Sprintf("%d of %d locations failed", failedTotal, len(rec.Locations)), false
	}
	return types.AutomationExecutionStatusSuccess, "", false
}

// locationCounts refreshes the steps of locations idx from their children
// and counts them; next is the first location not started, or -1.
func (e *Engine) locationCounts(x *execution, idx []int) (running, failed, done, next int) {
	type state struct {
		child string
		loc   Location
	}
	x.mu.Lock()
	states := make([]state, len(idx))
	for k, i := range idx {
		states[k] = state{child: x.rec.LocationChildren[i], loc: x.rec.Locations[i]}
	}
	x.mu.Unlock()
	type seen struct {
		status types.AutomationExecutionStatus
		msg    string
		ok     bool
	}
	got := make([]seen, len(idx))
	for k, s := range states {
		if s.child == "" {
			continue
		}
		st, msg, err := e.opts.Locations.LocationStatus(s.loc, s.child)
		if err != nil {
			st, msg = types.AutomationExecutionStatusFailed, "the child execution "+s.child+" cannot be read: "+err.Error()
		}
		got[k] = seen{status: st, msg: msg, ok: true}
	}
	now := e.now()
	next = -1
	x.mu.Lock()
	defer x.mu.Unlock()
	for k, i := range idx {
		sr := x.rec.Steps[i]
		if g := got[k]; g.ok && !terminal(sr.Status) {
			// A started location is in progress while its child waits
			// for a slot.
			if g.status != types.AutomationExecutionStatusPending {
				sr.Status = g.status
			}
			if terminal(g.status) {
				sr.End = now
				// A new map: Get's callers may still read the old one.
				sr.Outputs = map[string][]string{"ExecutionId": sr.Outputs["ExecutionId"], "Status": {string(g.status)}}
				if g.status != types.AutomationExecutionStatusSuccess && g.msg != "" {
					sr.FailureMessage = g.msg
				}
			}
		}
		switch {
		case sr.Status == types.AutomationExecutionStatusPending && x.rec.LocationChildren[i] == "":
			if next < 0 {
				next = i
			}
		case !terminal(sr.Status):
			running++
		case sr.Status == types.AutomationExecutionStatusSuccess || sr.Status == types.AutomationExecutionStatusCompletedWithSuccess:
			done++
		default:
			done++
			failed++
		}
	}
	return running, failed, done, next
}

// startLocation starts location i's child; a location that cannot start
// fails, counted as an error.
func (e *Engine) startLocation(ctx context.Context, x *execution, rec record, i int) error {
	x.mu.Lock()
	content := x.rec.Content
	params := x.rec.RawParameters
	sr := x.rec.Steps[i]
	sr.Status, sr.Start = types.AutomationExecutionStatusInprogress, e.now()
	x.rec.CurrentStep, x.rec.CurrentAction = sr.Name, sr.Action
	x.mu.Unlock()
	loc := rec.Locations[i]
	ls := LocationStart{
		ParentID: rec.ID, Location: loc, Principal: rec.Principal, AdministrationRole: rec.AdministrationRole, ExecutedBy: rec.ExecutedBy,
		DocumentName: rec.DocumentName, DocumentVersion: rec.DocumentVersion, Content: content, DocumentHash: rec.DocumentHash,
		Parameters: params, TargetParameterName: rec.TargetParameterName, Targets: rec.Targets, TargetMaps: rec.TargetMaps,
		MaxConcurrency: rec.MaxConcurrency, MaxErrors: rec.MaxErrors,
	}
	if tl := rec.TargetLocations[loc.Group]; len(tl.Targets) > 0 {
		// The location's own Targets and rate control take precedence.
		ls.Targets, ls.TargetMaps = tl.Targets, nil
		if v := aws.ToString(tl.TargetsMaxConcurrency); v != "" {
			ls.MaxConcurrency = v
		}
		if v := aws.ToString(tl.TargetsMaxErrors); v != "" {
			ls.MaxErrors = v
		}
	}
	id, failure, err := e.opts.Locations.StartLocation(ctx, ls)
	if err != nil && ctx.Err() != nil {
		// Stopped or closing: the location has not started.
		x.mu.Lock()
		sr.Status, sr.Start = types.AutomationExecutionStatusPending, time.Time{}
		x.mu.Unlock()
		return context.Cause(ctx)
	}
	x.mu.Lock()
	switch {
	case err != nil || failure != "":
		if failure == "" {
			failure = err.Error()
		}
		sr.Status, sr.End, sr.FailureMessage = types.AutomationExecutionStatusFailed, e.now(), failure
		sr.FailureStage, sr.FailureType = "Invocation", "Permission"
	default:
		x.rec.LocationChildren[i] = id
		sr.Outputs = map[string][]string{"ExecutionId": {id}}
	}
	x.mu.Unlock()
	e.changed(rec.ID)
	return nil
}

// stopLocations cancels every running child of x.
func (e *Engine) stopLocations(x *execution) {
	x.mu.Lock()
	var stop []int
	for i, s := range x.rec.Steps {
		if i < len(x.rec.LocationChildren) && x.rec.LocationChildren[i] != "" && !terminal(s.Status) {
			stop = append(stop, i)
		}
	}
	locs := make([]Location, len(stop))
	ids := make([]string, len(stop))
	for k, i := range stop {
		locs[k], ids[k] = x.rec.Locations[i], x.rec.LocationChildren[i]
	}
	x.mu.Unlock()
	for k := range stop {
		e.opts.Locations.StopLocation(locs[k], ids[k])
	}
	now := e.now()
	x.mu.Lock()
	for _, i := range stop {
		if s := x.rec.Steps[i]; !terminal(s.Status) {
			s.Status, s.End = types.AutomationExecutionStatusCancelled, now
		}
	}
	x.mu.Unlock()
}

// locationTargets reports whether a TargetLocation selects Targets.
func locationTargets(tls []types.TargetLocation) bool {
	for _, tl := range tls {
		if len(tl.Targets) > 0 {
			return true
		}
	}
	return false
}

// checkLocationTargets validates the Targets of TargetLocations as a
// rate-control start's: they fill TargetParameterName in each location.
func checkLocationTargets(doc *runbook.Document, in StartInput) error {
	for _, tl := range in.TargetLocations {
		if len(tl.Targets) == 0 {
			continue
		}
		loc := in
		loc.Targets, loc.TargetMaps, loc.MaxConcurrency, loc.MaxErrors = tl.Targets, nil, aws.ToString(tl.TargetsMaxConcurrency), aws.ToString(tl.TargetsMaxErrors)
		if err := checkRateControl(doc, loc); err != nil {
			return err
		}
	}
	return nil
}
