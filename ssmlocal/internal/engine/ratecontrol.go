package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// maxReportedTargets is how many resolved target values an execution
// reports before ResolvedTargets.Truncated is set.
const maxReportedTargets = 50

var ratePattern = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
var errorsPattern = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)

// checkRateControl validates a rate-control start before anything runs.
func checkRateControl(doc *runbook.Document, in StartInput) error {
	if len(in.Targets) > 0 && len(in.TargetMaps) > 0 {
		return validationErr("Targets and TargetMaps exclude each other")
	}
	if len(in.Targets) > 5 {
		return validationErr("at most 5 targets may be given")
	}
	if len(in.Targets) > 0 {
		if in.TargetParameterName == "" {
			return &types.InvalidAutomationExecutionParametersException{Message: aws.String("TargetParameterName is required with Targets")}
		}
		found := false
		for _, p := range doc.Parameters {
			if p.Name == in.TargetParameterName {
				found = true
			}
		}
		if !found {
			return &types.InvalidAutomationExecutionParametersException{Message: aws.String(fmt.Sprintf("TargetParameterName %q is not a parameter of the document", in.TargetParameterName))}
		}
		for _, t := range in.Targets {
			if aws.ToString(t.Key) == "" || len(t.Values) == 0 {
				return validationErr("every target needs a Key and Values")
			}
		}
	}
	if in.MaxConcurrency != "" && !ratePattern.MatchString(in.MaxConcurrency) {
		return validationErr(fmt.Sprintf("MaxConcurrency %q is not a number or a percentage such as 10 or 10%%", in.MaxConcurrency))
	}
	if in.MaxErrors != "" && !errorsPattern.MatchString(in.MaxErrors) {
		return validationErr(fmt.Sprintf("MaxErrors %q is not a number or a percentage such as 10 or 10%%", in.MaxErrors))
	}
	return nil
}

// threshold turns "10" or "10%" of total into a count; a percentage rounds
// down but never below min.
func threshold(s string, total, min int) int {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, _ := strconv.Atoi(p)
		v := int(math.Floor(float64(total) * float64(n) / 100))
		if v < min {
			v = min
		}
		return v
	}
	n, _ := strconv.Atoi(s)
	return n
}

// runParent drives a rate-control execution: one child execution per
// target, at most MaxConcurrency at a time, stopping new starts once more
// than MaxErrors children failed.
func (e *Engine) runParent(ctx context.Context, x *execution, doc *runbook.Document, admitted chan struct{}) {
	defer e.wg.Done()
	if !e.acquire(ctx, admitted) {
		e.unqueued(ctx, x, doc)
		return
	}
	defer e.release()
	status, msg, closed := e.parent(ctx, x, doc)
	if closed {
		return
	}
	e.finish(x, doc, status, msg)
}

func (e *Engine) parent(ctx context.Context, x *execution, doc *runbook.Document) (types.AutomationExecutionStatus, string, bool) {
	x.mu.Lock()
	x.rec.Status = types.AutomationExecutionStatusInprogress
	rec := x.rec // a copy of the immutable start fields
	resolved := x.rec.ResolvedTargets != nil || len(x.rec.Children) > 0
	x.mu.Unlock()
	e.changed(rec.ID)

	if !resolved {
		values, err := e.resolveTargets(ctx, rec)
		if err != nil {
			if errors.Is(context.Cause(ctx), errClosed) {
				return "", "", true
			}
			return types.AutomationExecutionStatusFailed, "targets cannot be resolved: " + err.Error(), false
		}
		x.mu.Lock()
		x.rec.ResolvedTargets = values
		if x.rec.ResolvedTargets == nil {
			x.rec.ResolvedTargets = []string{}
		}
		x.mu.Unlock()
	}
	x.mu.Lock()
	targets := x.rec.ResolvedTargets
	x.mu.Unlock()
	total := len(targets)
	if total == 0 {
		return types.AutomationExecutionStatusFailed, "the targets resolved to no values", false
	}
	conc := threshold(rec.MaxConcurrency, total, 1)
	maxErr := threshold(rec.MaxErrors, total, 0)
	x.mu.Lock()
	wake := x.rt.wake
	x.mu.Unlock()
	for {
		x.mu.Lock()
		started := len(x.rec.Children)
		x.mu.Unlock()
		running, failed, done := e.childCounts(x)
		if failed > maxErr && running == 0 {
			return types.AutomationExecutionStatusFailed, fmt.Sprintf("%d of %d target executions failed, more than MaxErrors %s allows", failed, total, rec.MaxErrors), false
		}
		if done == total {
			if failed > 0 {
				return types.AutomationExecutionStatusCompletedWithFailure, fmt.Sprintf("%d of %d target executions failed", failed, total), false
			}
			return types.AutomationExecutionStatusSuccess, "", false
		}
		if ctx.Err() == nil && failed <= maxErr && running < ramp(conc, done) && started < total {
			// A child that cannot start counts as a failed target.
			if err := e.startChild(ctx, x, rec, targets[started], started); errors.Is(err, errClosed) {
				return "", "", true
			}
			continue
		}
		// Wait for a child to end (or for the parent to be stopped).
		select {
		case <-wake:
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), errClosed) {
				return "", "", true
			}
			return types.AutomationExecutionStatusCancelled, "", false
		}
	}
}

// ramp is how many children may run once done have ended: AWS starts one
// target, then two once it ends, then doubles up to MaxConcurrency.
func ramp(conc, done int) int {
	n := 1
	for n <= done && n < conc {
		n *= 2
	}
	return min(n, conc)
}

// childCounts counts x's children by state and refreshes the parent's step
// records from them.
func (e *Engine) childCounts(x *execution) (running, failed, done int) {
	x.mu.Lock()
	children := append([]string(nil), x.rec.Children...)
	x.mu.Unlock()
	statuses := make([]types.AutomationExecutionStatus, len(children))
	for i, id := range children {
		if id == "" {
			statuses[i] = types.AutomationExecutionStatusFailed
			continue
		}
		c, err := e.lookup(id)
		if err != nil {
			statuses[i] = types.AutomationExecutionStatusFailed
			continue
		}
		c.mu.Lock()
		statuses[i] = c.rec.Status
		c.mu.Unlock()
	}
	now := e.now()
	x.mu.Lock()
	for i, st := range statuses {
		if i < len(x.rec.Steps) && x.rec.Steps[i].Status != st && x.rec.Steps[i].FailureMessage == "" {
			x.rec.Steps[i].Status = st
			if terminal(st) {
				x.rec.Steps[i].End = now
			}
		}
		switch {
		case !terminal(st):
			running++
		case st == types.AutomationExecutionStatusSuccess || st == types.AutomationExecutionStatusCompletedWithSuccess:
			done++
		default:
			done++
			failed++
		}
	}
	x.mu.Unlock()
	return running, failed, done
}

// startChild starts the child execution of target i.
func (e *Engine) startChild(ctx context.Context, x *execution, rec record, target string, i int) error {
	params := make(map[string][]string, len(rec.RawParameters)+1)
	for k, v := range rec.RawParameters {
		params[k] = v
	}
	name := rec.DocumentName
	if len(rec.TargetMaps) > 0 {
		for k, v := range rec.TargetMaps[i] {
			params[k] = v
		}
	} else {
		params[rec.TargetParameterName] = []string{target}
	}
	x.mu.Lock()
	content := x.rec.Content
	x.mu.Unlock()
	sr := &stepRecord{ID: newStepID(), Name: "Invocation" + strconv.Itoa(i+1), Action: "aws:executeAutomation",
		Status: types.AutomationExecutionStatusInprogress, Start: e.now(), MaxAttempts: 1, OnFailure: runbook.Abort, IsCritical: true,
		Inputs: map[string]string{"DocumentName": encodeJSON(name), "RuntimeParameters": encodeJSON(params)}}
	if rec.TargetParameterName != "" {
		sr.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: []string{target}}}
	}
	id, err := e.Start(ctx, StartInput{
		DocumentName: name, DocumentVersion: rec.DocumentVersion, Content: content, DocumentHash: rec.DocumentHash,
		Parameters: params, Mode: types.ExecutionModeAuto, TargetParameterName: rec.TargetParameterName,
		Principal: rec.Principal, ExecutedBy: rec.ExecutedBy, ParentID: rec.ID,
	})
	if err != nil && ctx.Err() != nil {
		return context.Cause(ctx) // stopped or closing: no child, no failure
	}
	if errors.Is(err, errClosed) {
		return err // the engine is closing: the child starts after a restore
	}
	x.mu.Lock()
	if err != nil {
		sr.Status = types.AutomationExecutionStatusFailed
		sr.End = e.now()
		sr.FailureMessage = err.Error()
		sr.FailureStage, sr.FailureType = "InputValidation", "Verification"
	} else {
		sr.Outputs = map[string][]string{"ExecutionId": {id}}
	}
	x.rec.Children = append(x.rec.Children, id)
	x.rec.Steps = append(x.rec.Steps, sr)
	x.rec.CurrentStep, x.rec.CurrentAction = sr.Name, sr.Action
	x.mu.Unlock()
	e.changed(rec.ID)
	return err
}

// resolveTargets turns Targets into parameter values (one child each);
// TargetMaps give one child per map.
func (e *Engine) resolveTargets(ctx context.Context, rec record) ([]string, error) {
	if len(rec.TargetMaps) > 0 {
		out := make([]string, len(rec.TargetMaps))
		for i, m := range rec.TargetMaps {
			out[i] = encodeJSON(m)
		}
		return out, nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	for _, t := range rec.Targets {
		key := aws.ToString(t.Key)
		switch {
		case key == "ParameterValues":
			add(t.Values...)
		case key == "InstanceIds":
			ids, err := e.describeInstances(ctx, rec, map[string]any{"InstanceIds": anyStrings(t.Values)})
			if err != nil {
				return nil, err
			}
			add(ids...)
		case strings.HasPrefix(key, "tag:") || key == "tag-key":
			ids, err := e.describeInstances(ctx, rec, map[string]any{"Filters": []any{map[string]any{"Name": key, "Values": anyStrings(t.Values)}}})
			if err != nil {
				return nil, err
			}
			add(ids...)
		default:
			return nil, fmt.Errorf("target key %q is not simulated by the local endpoint (ParameterValues, InstanceIds, tag:KEY and tag-key are)", key)
		}
	}
	return out, nil
}

func (e *Engine) describeInstances(ctx context.Context, rec record, params map[string]any) ([]string, error) {
	out, err := e.opts.Invoker.Invoke(ctx, Call{Principal: rec.Principal, Service: "ec2", API: "DescribeInstances", Params: params, ExecutionID: rec.ID})
	if err != nil {
		return nil, err
	}
	var ids []string
	res, _ := out["Reservations"].([]any)
	for _, r := range res {
		m, _ := r.(map[string]any)
		insts, _ := m["Instances"].([]any)
		for _, i := range insts {
			im, _ := i.(map[string]any)
			if st, _ := im["State"].(map[string]any); st != nil {
				if n, _ := st["Name"].(string); n == "terminated" || n == "shutting-down" {
					continue
				}
			}
			if id, ok := im["InstanceId"].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}
