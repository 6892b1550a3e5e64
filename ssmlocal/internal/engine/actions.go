package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/theory/jsonpath"

	"github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// actResult is what an action produced.
type actResult struct {
	// outputs are the action's predefined outputs.
	outputs map[string]any
	// response is what user-defined output selectors read.
	response map[string]any
	// branch is the step aws:branch chose.
	branch string
}

// act runs one attempt of a step's action.
func (r *runner) act(ctx context.Context, step runbook.Step, in map[string]any, sr *stepRecord) (actResult, error) {
	switch a := step.Inputs.(type) {
	case runbook.ChangeInstanceState:
		return r.changeInstanceState(ctx, step.Name, in)
	case runbook.RunInstances:
		return r.runInstances(ctx, step.Name, in)
	case runbook.CreateTags:
		return r.createTags(ctx, step.Name, in)
	case runbook.Sleep:
		return actResult{}, r.sleepAction(ctx, in)
	case runbook.Pause:
		return actResult{}, r.pause(ctx, step.Name, sr)
	case runbook.Approve:
		return r.approve(ctx, step.Name, in, sr)
	case runbook.Branch:
		return r.branch(a)
	case runbook.ExecuteAwsApi:
		return r.executeAwsApi(ctx, step.Name, in)
	case runbook.WaitForAwsResourceProperty:
		return r.waitForProperty(ctx, step.Name, in)
	case runbook.AssertAwsResourceProperty:
		return r.assertProperty(ctx, step.Name, in)
	case runbook.ExecuteAutomation:
		return r.executeAutomation(ctx, step.Name, in)
	case runbook.Loop:
		return r.loop(ctx, step, a, sr)
	case runbook.UpdateVariable:
		return actResult{}, r.updateVariable(in)
	case runbook.ExecuteScript:
		return r.executeScript(ctx, step, in, sr)
	case runbook.CreateImage:
		return r.createImage(ctx, step.Name, in)
	case runbook.CopyImage:
		return r.copyImage(ctx, step.Name, in)
	case runbook.DeleteImage:
		return r.deleteImage(ctx, step.Name, in)
	}
	return actResult{}, notSimulated(step.Action())
}

func inString(in map[string]any, key string, required bool) (string, error) {
	v, ok := in[key]
	if !ok || v == nil {
		if required {
			return "", inputErr("input %s is required", key)
		}
		return "", nil
	}
	s, ok := asString(v)
	if !ok {
		return "", inputErr("input %s must be a string, got %s", key, encodeJSON(v))
	}
	return s, nil
}

func inStrings(in map[string]any, key string, required bool) ([]string, error) {
	v, ok := in[key]
	if !ok || v == nil {
		if required {
			return nil, inputErr("input %s is required", key)
		}
		return nil, nil
	}
	l, ok := asStrings(v)
	if !ok {
		return nil, inputErr("input %s must be a list of strings, got %s", key, encodeJSON(v))
	}
	if required && len(l) == 0 {
		return nil, inputErr("input %s must not be empty", key)
	}
	return l, nil
}

func inBool(in map[string]any, key string) (bool, error) {
	v, ok := in[key]
	if !ok || v == nil {
		return false, nil
	}
	b, ok := asBool(v)
	if !ok {
		return false, inputErr("input %s must be a boolean, got %s", key, encodeJSON(v))
	}
	return b, nil
}

func inInt(in map[string]any, key string, def int64) (int64, error) {
	v, ok := in[key]
	if !ok || v == nil {
		return def, nil
	}
	n, ok := asInt(v)
	if !ok {
		return 0, inputErr("input %s must be an integer, got %s", key, encodeJSON(v))
	}
	return n, nil
}

func anyStrings(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// changeInstanceState implements aws:changeInstanceState: request the state
// (unless CheckStateOnly), then poll until every instance reaches it.
func (r *runner) changeInstanceState(ctx context.Context, step string, in map[string]any) (actResult, error) {
	ids, err := inStrings(in, "InstanceIds", true)
	if err != nil {
		return actResult{}, err
	}
	desired, err := inString(in, "DesiredState", true)
	if err != nil {
		return actResult{}, err
	}
	checkOnly, err := inBool(in, "CheckStateOnly")
	if err != nil {
		return actResult{}, err
	}
	force, err := inBool(in, "Force")
	if err != nil {
		return actResult{}, err
	}
	var api string
	switch desired {
	case "running":
		api = "StartInstances"
	case "stopped":
		api = "StopInstances"
	case "terminated":
		api = "TerminateInstances"
	default:
		return actResult{}, inputErr("input DesiredState %q is not one of running, stopped, terminated", desired)
	}
	if !checkOnly {
		params := map[string]any{"InstanceIds": anyStrings(ids)}
		if force && desired == "stopped" {
			params["Force"] = true
		}
		if add, _ := inString(in, "AdditionalInfo", false); add != "" && desired == "running" {
			params["AdditionalInfo"] = add
		}
		if _, err := r.invoke(ctx, step, "ec2", api, params); err != nil {
			return actResult{}, err
		}
	}
	return actResult{}, r.waitInstances(ctx, step, ids, desired)
}

// waitInstances polls DescribeInstanceStatus until every instance is in
// state desired.
func (r *runner) waitInstances(ctx context.Context, step string, ids []string, desired string) error {
	for {
		out, err := r.invoke(ctx, step, "ec2", "DescribeInstanceStatus",
			map[string]any{"InstanceIds": anyStrings(ids), "IncludeAllInstances": true})
		if err != nil {
			return err
		}
		states := map[string]string{}
		list, _ := out["InstanceStatuses"].([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			id, _ := m["InstanceId"].(string)
			st, _ := m["InstanceState"].(map[string]any)
			name, _ := st["Name"].(string)
			states[id] = name
		}
		done := true
		for _, id := range ids {
			s, ok := states[id]
			if !ok {
				if desired == "terminated" {
					continue // terminated instances drop out of the listing
				}
				return &stepError{msg: fmt.Sprintf("instance %s was not found", id), stage: "Invocation", kind: "Action", code: "InvalidInstanceID.NotFound"}
			}
			if s == desired {
				continue
			}
			if (s == "terminated" || s == "shutting-down") && desired != "terminated" {
				return &stepError{msg: fmt.Sprintf("instance %s is %s and can never become %s", id, s, desired), stage: "Invocation", kind: "Action", permanent: true}
			}
			done = false
		}
		if done {
			return nil
		}
		if err := r.sleep(ctx, pollInterval); err != nil {
			return err
		}
	}
}

// runInstancesRenames maps aws:runInstances inputs to RunInstances members.
var runInstancesRenames = map[string]string{"MinInstanceCount": "MinCount", "MaxInstanceCount": "MaxCount"}

// runInstances implements aws:runInstances: launch, then wait until the
// instances run.
func (r *runner) runInstances(ctx context.Context, step string, in map[string]any) (actResult, error) {
	params := map[string]any{"MinCount": json.Number("1"), "MaxCount": json.Number("1")}
	for k, v := range in {
		switch k {
		case "IamInstanceProfileArn":
			params["IamInstanceProfile"] = map[string]any{"Arn": v}
		case "IamInstanceProfileName":
			params["IamInstanceProfile"] = map[string]any{"Name": v}
		case "Monitoring":
			b, ok := asBool(v)
			if !ok {
				return actResult{}, inputErr("input Monitoring must be a boolean, got %s", encodeJSON(v))
			}
			params["Monitoring"] = map[string]any{"Enabled": b}
		default:
			if n, ok := runInstancesRenames[k]; ok {
				k = n
			}
			params[k] = v
		}
	}
	if _, err := inString(in, "ImageId", true); err != nil {
		return actResult{}, err
	}
	out, err := r.invoke(ctx, step, "ec2", "RunInstances", params)
	if err != nil {
		return actResult{}, err
	}
	var ids []string
	list, _ := out["Instances"].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		if id, ok := m["InstanceId"].(string); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return actResult{}, &stepError{msg: "RunInstances returned no instances", stage: "Invocation", kind: "Action"}
	}
	if err := r.waitInstances(ctx, step, ids, "running"); err != nil {
		return actResult{}, err
	}
	outputs := map[string]any{"InstanceIds": anyStrings(ids)}
	return actResult{outputs: outputs, response: out}, nil
}

// createTags implements aws:createTags: EC2 resources through ec2
// CreateTags, Systems Manager resources through ssm AddTagsToResource.
func (r *runner) createTags(ctx context.Context, step string, in map[string]any) (actResult, error) {
	ids, err := inStrings(in, "ResourceIds", true)
	if err != nil {
		return actResult{}, err
	}
	tags, ok := in["Tags"].([]any)
	if !ok {
		return actResult{}, inputErr("input Tags must be a list of {Key, Value} maps")
	}
	for _, t := range tags {
		m, ok := t.(map[string]any)
		if _, hasKey := m["Key"]; !ok || !hasKey {
			return actResult{}, inputErr("input Tags must be a list of {Key, Value} maps, got %s", encodeJSON(t))
		}
	}
	rt, err := inString(in, "ResourceType", false)
	if err != nil {
		return actResult{}, err
	}
	switch rt {
	case "", "EC2":
		_, err := r.invoke(ctx, step, "ec2", "CreateTags", map[string]any{"Resources": anyStrings(ids), "Tags": tags})
		return actResult{}, err
	case "ManagedInstance", "MaintenanceWindow", "Parameter":
		for _, id := range ids {
			if _, err := r.invoke(ctx, step, "ssm", "AddTagsToResource",
				map[string]any{"ResourceType": rt, "ResourceId": id, "Tags": tags}); err != nil {
				return actResult{}, err
			}
		}
		return actResult{}, nil
	}
	return actResult{}, inputErr("input ResourceType %q is not one of EC2, ManagedInstance, MaintenanceWindow, Parameter", rt)
}

// sleepAction implements aws:sleep.
func (r *runner) sleepAction(ctx context.Context, in map[string]any) error {
	dur, err := inString(in, "Duration", false)
	if err != nil {
		return err
	}
	ts, err := inString(in, "Timestamp", false)
	if err != nil {
		return err
	}
	var d time.Duration
	switch {
	case dur != "" && ts != "":
		return inputErr("inputs Duration and Timestamp exclude each other")
	case dur != "":
		d, err = runbook.ParseISODuration(dur)
		if err != nil {
			return inputErr("input Duration: %v", err)
		}
	case ts != "":
		t, err := runbook.ParseISOTimestamp(ts)
		if err != nil {
			return inputErr("input Timestamp: %v", err)
		}
		d = t.Sub(r.clk.Now())
	default:
		return inputErr("aws:sleep needs Duration or Timestamp")
	}
	if d > 7*24*time.Hour {
		return inputErr("aws:sleep waits at most 7 days, asked for %s", d)
	}
	if dur != "" {
		// Count from the attempt's start, so a restored sleep ends on time.
		d -= r.clk.Now().Sub(r.attemptStart)
	}
	if d <= 0 {
		return nil
	}
	return r.sleep(ctx, d)
}

// pause implements aws:pause: wait for a Resume signal.
func (r *runner) pause(ctx context.Context, step string, sr *stepRecord) error {
	_, err := r.waitSignal(ctx, waitState{kind: waitResume, step: step, rec: sr})
	return err
}

// approve implements aws:approve.
func (r *runner) approve(ctx context.Context, step string, in map[string]any, sr *stepRecord) (actResult, error) {
	approvers, err := inStrings(in, "Approvers", true)
	if err != nil {
		return actResult{}, err
	}
	need, err := inInt(in, "MinRequiredApprovals", 1)
	if err != nil {
		return actResult{}, err
	}
	if need < 1 || int(need) > len(approvers) {
		return actResult{}, inputErr("MinRequiredApprovals %d must be between 1 and the %d approvers", need, len(approvers))
	}
	if topic, _ := inString(in, "NotificationArn", false); topic != "" {
		msg, _ := inString(in, "Message", false)
		if msg == "" {
			msg = fmt.Sprintf("Automation execution %s is waiting for approval at step %s", r.id, step)
		}
		_, err := r.invoke(ctx, step, "sns", "Publish", map[string]any{"TopicArn": topic, "Subject": "Automation approval request", "Message": msg})
		var se *stepError
		if errors.As(err, &se) && se.code == "NotSimulated" {
			// The approval works without its notification; say it was not sent.
			r.x.mu.Lock()
			sr.Response = "the approval request was not sent to " + topic + ": SNS is not simulated by the local endpoint"
			r.x.mu.Unlock()
		} else if err != nil {
			return actResult{}, err
		}
	}
	var decisions []any
	approved := map[string]bool{}
	for {
		sig, err := r.waitSignal(ctx, waitState{kind: waitApproval, step: step, approvers: approvers, rec: sr})
		if err != nil {
			return actResult{}, err
		}
		d := map[string]any{"Type": string(sig.typ), "Approver": sig.by, "ApprovalDate": r.e.now().Format(time.RFC3339)}
		if c := first(sig.payload["Comment"]); c != "" {
			d["Comment"] = c
		}
		decisions = append(decisions, d)
		if sig.typ == types.SignalTypeReject {
			r.storeValues(step, map[string]any{"ApprovalStatus": "Rejected", "ApproverDecisions": decisions})
			return actResult{}, fmt.Errorf("%w by %s", errRejected, sig.by)
		}
		approved[sig.by] = true
		if int64(len(approved)) >= need {
			return actResult{outputs: map[string]any{"ApprovalStatus": "Approved", "ApproverDecisions": decisions}}, nil
		}
	}
}

// approverAllowed matches a signalling caller against aws:approve's
// Approvers: user and role ARNs, user names and role names (an
// assumed-role session counts as its role).
func approverAllowed(approvers []string, caller string) bool {
	name, role := principalNames(caller)
	for _, a := range approvers {
		parsed, err := arn.Parse(a)
		switch {
		case a == caller:
			return true
		case err == nil:
			an, ar := principalNames(a)
			if ar != "" && ar == role && accountOf(a) == accountOf(caller) {
				return true
			}
			if ar == "" && role == "" && an != "" && an == name && accountOf(a) == accountOf(caller) && strings.HasPrefix(parsed.Resource, "user/") {
				return true
			}
		case role != "" && a == role:
			return true
		case role == "" && a == name:
			return true
		}
	}
	return false
}

// principalNames returns the user name, or the role name of a role or
// assumed-role ARN; a string that is no ARN is a name.
func principalNames(s string) (name, role string) {
	a, err := arn.Parse(s)
	if err != nil {
		return s, ""
	}
	res := a.Resource
	switch {
	case strings.HasPrefix(res, "user/"):
		return a.Name(), ""
	case strings.HasPrefix(res, "role/"):
		return "", a.Name()
	case strings.HasPrefix(res, "assumed-role/"):
		role, _, _ := strings.Cut(a.ResourceID(), "/")
		return "", role
	}
	return res, ""
}

// accountOf is the account of an ARN, or "" when s is no ARN.
func accountOf(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Account
}

// branch implements aws:branch.
func (r *runner) branch(in runbook.Branch) (actResult, error) {
	for i, c := range in.Choices {
		ok, err := r.eval(c)
		if err != nil {
			return actResult{}, inputErr("Choices[%d]: %v", i, err)
		}
		if ok {
			if c.NextStep == "" {
				return actResult{}, inputErr("Choices[%d] matched but has no NextStep", i)
			}
			return actResult{branch: c.NextStep}, nil
		}
	}
	// With no Default the automation goes on to the step after the branch,
	// as AWS documents.
	return actResult{branch: in.Default}, nil
}

// eval evaluates a choice or loop condition.
func (r *runner) eval(c runbook.Choice) (bool, error) {
	switch {
	case c.And != nil:
		for _, t := range c.And {
			ok, err := r.eval(t)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case c.Or != nil:
		for _, t := range c.Or {
			ok, err := r.eval(t)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case c.Not != nil:
		ok, err := r.eval(*c.Not)
		return !ok, err
	}
	v, err := r.resolve(c.Variable)
	if err != nil {
		return false, err
	}
	op, err := r.resolve(c.Operand)
	if err != nil {
		return false, err
	}
	return compare(c.Operator, v, op)
}

func compare(op runbook.ChoiceOperator, v, operand any) (bool, error) {
	switch op {
	case runbook.StringEquals, runbook.EqualsIgnoreCase, runbook.StartsWith, runbook.EndsWith, runbook.Contains:
		o := text(operand)
		if l, ok := v.([]any); ok && op == runbook.Contains {
			for _, it := range l {
				if text(it) == o {
					return true, nil
				}
			}
			return false, nil
		}
		s := text(v)
		switch op {
		case runbook.StringEquals:
			return s == o, nil
		case runbook.EqualsIgnoreCase:
			return strings.EqualFold(s, o), nil
		case runbook.StartsWith:
			return strings.HasPrefix(s, o), nil
		case runbook.EndsWith:
			return strings.HasSuffix(s, o), nil
		}
		return strings.Contains(s, o), nil
	case runbook.NumericEquals, runbook.NumericGreater, runbook.NumericLesser, runbook.NumericGreaterOrEquals, runbook.NumericLesserOrEquals:
		a, ok := asFloat(v)
		if !ok {
			return false, fmt.Errorf("%s: %s is not a number", op, encodeJSON(v))
		}
		b, ok := asFloat(operand)
		if !ok {
			return false, fmt.Errorf("%s: operand %s is not a number", op, encodeJSON(operand))
		}
		switch op {
		case runbook.NumericEquals:
			return a == b, nil
		case runbook.NumericGreater:
			return a > b, nil
		case runbook.NumericLesser:
			return a < b, nil
		case runbook.NumericGreaterOrEquals:
			return a >= b, nil
		}
		return a <= b, nil
	case runbook.BooleanEquals:
		a, ok := asBool(v)
		if !ok {
			return false, fmt.Errorf("BooleanEquals: %s is not a boolean", encodeJSON(v))
		}
		b, ok := asBool(operand)
		if !ok {
			return false, fmt.Errorf("BooleanEquals: operand %s is not a boolean", encodeJSON(operand))
		}
		return a == b, nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

// apiCall splits an API action's resolved inputs into service, API and
// request parameters.
func apiCall(in map[string]any) (string, string, map[string]any, error) {
	service, err := inString(in, "Service", true)
	if err != nil {
		return "", "", nil, err
	}
	api, err := inString(in, "Api", true)
	if err != nil {
		return "", "", nil, err
	}
	params := make(map[string]any, len(in))
	for k, v := range in {
		switch k {
		case "Service", "Api", "PropertySelector", "DesiredValues":
			continue
		}
		params[k] = v
	}
	return service, api, params, nil
}

// callAPI makes the call the step's Service, Api and other inputs name.
func (r *runner) callAPI(ctx context.Context, step string, in map[string]any) (map[string]any, error) {
	service, api, params, err := apiCall(in)
	if err != nil {
		return nil, err
	}
	return r.invoke(ctx, step, service, api, params)
}

func (r *runner) executeAwsApi(ctx context.Context, step string, in map[string]any) (actResult, error) {
	out, err := r.callAPI(ctx, step, in)
	if err != nil {
		return actResult{}, err
	}
	return actResult{response: out}, nil
}

// property selects PropertySelector from out and reports whether it has
// one of DesiredValues (every value, when it selects several).
func property(in map[string]any, out map[string]any) (bool, []string, error) {
	sel, err := inString(in, "PropertySelector", true)
	if err != nil {
		return false, nil, err
	}
	desired, err := inStrings(in, "DesiredValues", true)
	if err != nil {
		return false, nil, err
	}
	p, err := jsonpath.Parse(sel)
	if err != nil {
		return false, nil, inputErr("PropertySelector %q is not a JSONPath: %v", sel, err)
	}
	var got []string
	for _, n := range p.Select(normalize(out)) {
		if l, ok := n.([]any); ok {
			got = append(got, textList(l)...)
			continue
		}
		got = append(got, text(n))
	}
	if len(got) == 0 {
		return false, got, nil
	}
	for _, g := range got {
		found := false
		for _, d := range desired {
			if g == d {
				found = true
				break
			}
		}
		if !found {
			return false, got, nil
		}
	}
	return true, got, nil
}

func (r *runner) waitForProperty(ctx context.Context, step string, in map[string]any) (actResult, error) {
	for {
		out, err := r.callAPI(ctx, step, in)
		if err != nil {
			return actResult{}, err
		}
		ok, _, err := property(in, out)
		if err != nil {
			return actResult{}, err
		}
		if ok {
			return actResult{response: out}, nil
		}
		if err := r.sleep(ctx, pollInterval); err != nil {
			return actResult{}, err
		}
	}
}

func (r *runner) assertProperty(ctx context.Context, step string, in map[string]any) (actResult, error) {
	out, err := r.callAPI(ctx, step, in)
	if err != nil {
		return actResult{}, err
	}
	ok, got, err := property(in, out)
	if err != nil {
		return actResult{}, err
	}
	if !ok {
		sel, _ := inString(in, "PropertySelector", false)
		desired, _ := inStrings(in, "DesiredValues", false)
		return actResult{}, verifyErr("%s is %s, not one of the desired values %s", sel, encodeJSON(got), encodeJSON(desired))
	}
	return actResult{response: out}, nil
}

// executeAutomation implements aws:executeAutomation: start the child
// through the endpoint (so it is authorized like any start) and follow it.
func (r *runner) executeAutomation(ctx context.Context, step string, in map[string]any) (actResult, error) {
	name, err := inString(in, "DocumentName", true)
	if err != nil {
		return actResult{}, err
	}
	params := map[string]any{"DocumentName": name}
	if v, _ := inString(in, "DocumentVersion", false); v != "" {
		params["DocumentVersion"] = v
	}
	if rp, ok := in["RuntimeParameters"]; ok && rp != nil {
		m, ok := rp.(map[string]any)
		if !ok {
			return actResult{}, inputErr("input RuntimeParameters must be a map")
		}
		p := make(map[string][]string, len(m))
		for k, v := range m {
			p[k] = textList(v)
		}
		params["Parameters"] = p
	}
	for _, k := range []string{"TargetParameterName", "Targets", "TargetMaps", "MaxConcurrency", "MaxErrors", "Tags", "TargetLocations"} {
		if v, ok := in[k]; ok && v != nil {
			params[k] = v
		}
	}
	out, err := r.invoke(ctx, step, "ssm", "StartAutomationExecution", params)
	if err != nil {
		return actResult{}, err
	}
	child, _ := out["AutomationExecutionId"].(string)
	if child == "" {
		return actResult{}, &stepError{msg: "StartAutomationExecution returned no execution id", stage: "Invocation", kind: "Internal"}
	}
	for {
		got, err := r.invoke(ctx, step, "ssm", "GetAutomationExecution", map[string]any{"AutomationExecutionId": child})
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, errStepTimeout) || errors.Is(err, errExpired) {
				r.stopChild(step, child)
			}
			return actResult{}, err
		}
		ae, _ := got["AutomationExecution"].(map[string]any)
		status, _ := ae["AutomationExecutionStatus"].(string)
		if terminal(types.AutomationExecutionStatus(status)) {
			outputs := map[string]any{"ExecutionId": child, "Status": status, "Output": encodeJSON(ae["Outputs"])}
			if ae["Outputs"] == nil {
				outputs["Output"] = "{}"
			}
			r.storeValues(step, outputs)
			if status != string(types.AutomationExecutionStatusSuccess) && status != string(types.AutomationExecutionStatusCompletedWithSuccess) {
				msg, _ := ae["FailureMessage"].(string)
				return actResult{}, &stepError{msg: fmt.Sprintf("child execution %s ended %s: %s", child, status, msg), stage: "Invocation", kind: "Action"}
			}
			return actResult{outputs: outputs, response: ae}, nil
		}
		if err := r.sleep(ctx, pollInterval); err != nil {
			r.stopChild(step, child)
			return actResult{}, err
		}
	}
}

func (r *runner) stopChild(step, child string) {
	ctx := context.WithoutCancel(r.ctx)
	_, _ = r.e.opts.Invoker.Invoke(ctx, Call{Principal: r.who, Service: "ssm", API: "StopAutomationExecution",
		Params: map[string]any{"AutomationExecutionId": child, "Type": "Cancel"}, ExecutionID: r.id, StepName: step})
}

// loop implements aws:loop: for each iterator value, or do-while the
// condition holds, run the nested steps.
func (r *runner) loop(ctx context.Context, step runbook.Step, in runbook.Loop, sr *stepRecord) (actResult, error) {
	max := int64(maxLoopIterations)
	if !in.MaxIterations.IsZero() {
		v, err := r.resolve(in.MaxIterations)
		if err != nil {
			return actResult{}, inputErr("input MaxIterations: %v", err)
		}
		n, ok := asInt(v)
		if !ok || n < 1 || n > maxLoopIterations {
			return actResult{}, inputErr("input MaxIterations must be an integer from 1 to 100, got %s", encodeJSON(v))
		}
		max = n
	}
	var items []any
	hasIterators := !in.Iterators.IsZero()
	if hasIterators {
		v, err := r.resolve(in.Iterators)
		if err != nil {
			return actResult{}, inputErr("input Iterators: %v", err)
		}
		l, ok := asStrings(v)
		if !ok {
			return actResult{}, inputErr("input Iterators must be a list, got %s", encodeJSON(v))
		}
		dt := "String"
		if !in.IteratorDataType.IsZero() {
			d, _ := r.resolve(in.IteratorDataType)
			dt = text(d)
		}
		for _, s := range l {
			if dt == "Integer" {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return actResult{}, inputErr("iterator %q is not an Integer", s)
				}
				items = append(items, json.Number(strconv.FormatInt(n, 10)))
				continue
			}
			items = append(items, s)
		}
		if int64(len(items)) > maxLoopIterations {
			return actResult{}, inputErr("input Iterators has %d items, more than 100", len(items))
		}
	} else if in.LoopCondition == nil {
		return actResult{}, inputErr("aws:loop needs Iterators or LoopCondition")
	}
	if len(in.Steps) == 0 {
		return actResult{}, inputErr("aws:loop has no Steps")
	}
	outputs := map[string]any{}
	for i := int64(0); i < max; i++ {
		if hasIterators && i >= int64(len(items)) {
			break
		}
		outputs = map[string]any{"CurrentIteration": json.Number(strconv.FormatInt(i+1, 10))}
		parent := &parentStep{ID: sr.ID, Name: step.Name, Action: step.Action(), Iteration: int32(i + 1)}
		if hasIterators {
			outputs["CurrentIteratorValue"] = items[i]
			parent.IteratorValue = text(items[i])
		}
		r.storeValues(step.Name, outputs)
		if err := r.iteration(ctx, in.Steps, parent); err != nil {
			return actResult{}, err
		}
		if !hasIterators {
			ok, err := r.eval(*in.LoopCondition)
			if err != nil {
				return actResult{}, inputErr("LoopCondition: %v", err)
			}
			if !ok {
				break
			}
		}
	}
	return actResult{outputs: outputs}, nil
}

// iteration runs a loop's nested steps once, with their own nextStep,
// isEnd and onFailure inside the loop.
func (r *runner) iteration(ctx context.Context, steps []runbook.Step, parent *parentStep) error {
	name := steps[0].Name
	for name != "" {
		s, ok := findStep(steps, name)
		if !ok {
			if _, outside := findStep(r.doc.MainSteps, name); outside {
				return &loopExit{target: name}
			}
			return inputErr("step %q is not a step of the loop", name)
		}
		out := r.runStep(ctx, s, parent)
		switch {
		case out.closed:
			return errClosed
		case out.expired:
			return errExpired
		case out.status == types.AutomationExecutionStatusCancelled:
			if err := context.Cause(ctx); err != nil {
				return err
			}
			return errStepStopped
		case out.status == types.AutomationExecutionStatusSuccess:
			name = following(steps, s, out.branch)
			continue
		}
		of := s.OnFailure
		if target, ok := strings.CutPrefix(of, "step:"); ok {
			name = target
			continue
		}
		if of == runbook.Continue {
			if s.IsCritical != nil && *s.IsCritical {
				r.x.mu.Lock()
				if r.x.st.Failed == "" {
					r.x.st.Failed = failureMessage(fmt.Sprintf("%s in iteration %d of loop %s", s.Name, parent.Iteration, parent.Name), out.status, errors.New(out.msg))
				}
				r.x.mu.Unlock()
			}
			name = following(steps, s, "")
			continue
		}
		if out.status == types.AutomationExecutionStatusTimedout && !r.deadline.IsZero() && !r.clk.Now().Before(r.deadline) {
			return errStepTimeout // the loop's own time ran out
		}
		return &stepError{msg: fmt.Sprintf("step %s failed in iteration %d: %s", s.Name, parent.Iteration, out.msg), stage: "Invocation", kind: "Action"}
	}
	return nil
}

// loopExit ends an aws:loop early: a nested step moved to a step outside
// the loop (nextStep, onFailure), which leaves the loop Exited.
type loopExit struct{ target string }

func (e *loopExit) Error() string { return "the loop exited to step " + e.target }

// updateVariable implements aws:updateVariable.
func (r *runner) updateVariable(in map[string]any) error {
	name, err := inString(in, "Name", true)
	if err != nil {
		return err
	}
	name = strings.TrimPrefix(name, "variable:")
	var decl *runbook.Variable
	for i := range r.doc.Variables {
		if r.doc.Variables[i].Name == name {
			decl = &r.doc.Variables[i]
		}
	}
	if decl == nil {
		return inputErr("variable %q is not declared in the document", name)
	}
	v, ok := in["Value"]
	if !ok {
		return inputErr("input Value is required")
	}
	switch decl.Type {
	case runbook.TypeInteger:
		n, ok := asInt(v)
		if !ok {
			return inputErr("variable %s is an Integer, got %s", name, encodeJSON(v))
		}
		v = json.Number(strconv.FormatInt(n, 10))
	case runbook.TypeBoolean:
		b, ok := asBool(v)
		if !ok {
			return inputErr("variable %s is a Boolean, got %s", name, encodeJSON(v))
		}
		v = b
	case runbook.TypeStringList:
		l, ok := asStrings(v)
		if !ok {
			return inputErr("variable %s is a StringList, got %s", name, encodeJSON(v))
		}
		v = anyStrings(l)
	case runbook.TypeString:
		s, ok := asString(v)
		if !ok {
			return inputErr("variable %s is a String, got %s", name, encodeJSON(v))
		}
		v = s
	}
	r.x.mu.Lock()
	if r.x.st.Vars == nil {
		r.x.st.Vars = map[string]any{}
	}
	r.x.st.Vars[name] = v
	r.x.mu.Unlock()
	return nil
}

// storeValues makes outputs visible to references while a step runs.
func (r *runner) storeValues(step string, values map[string]any) {
	r.x.mu.Lock()
	r.x.st.Values[step] = values
	r.x.mu.Unlock()
}

// storeOutputs records a successful step's predefined and user-defined
// outputs.
func (r *runner) storeOutputs(step runbook.Step, sr *stepRecord, res actResult) error {
	values := make(map[string]any, len(res.outputs)+len(step.Outputs))
	for k, v := range res.outputs {
		values[k] = v
	}
	if len(step.Outputs) > 0 {
		doc := res.response
		if doc == nil {
			doc = res.outputs
		}
		in := normalize(doc)
		for _, o := range step.Outputs {
			v, ok, err := selectOutput(in, o)
			if err != nil {
				return &stepError{msg: fmt.Sprintf("output %s: %v", o.Name, err), stage: "PostVerification", kind: "Verification", permanent: true}
			}
			if ok {
				values[o.Name] = v
			}
		}
	}
	r.x.mu.Lock()
	r.x.st.Values[step.Name] = values
	if len(values) > 0 {
		sr.Outputs = reportValues(values)
	}
	r.x.mu.Unlock()
	return nil
}

// normalize makes a value JSONPath-ready: maps and lists of the shapes
// encoding/json produces.
func normalize(a any) any {
	switch t := a.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[k] = normalize(v)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			out[i] = normalize(v)
		}
		return out
	case []string:
		return anyStrings(t)
	case map[string][]string:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[k] = anyStrings(v)
		}
		return out
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		f, _ := t.Float64()
		return f
	case int:
		return int64(t)
	case int32:
		return int64(t)
	}
	return a
}

// selectOutput applies an output's selector and converts the result to
// its declared type. It reports false when the selector matches nothing.
func selectOutput(doc any, o runbook.Output) (any, bool, error) {
	p, err := jsonpath.Parse(o.Selector)
	if err != nil {
		return nil, false, fmt.Errorf("selector %q is not a JSONPath: %v", o.Selector, err)
	}
	nodes := p.Select(doc)
	if len(nodes) == 0 {
		return nil, false, nil
	}
	var v any = nodes[0]
	if len(nodes) > 1 {
		v = []any(nodes)
	}
	out, err := convertOutput(v, o.Type)
	return out, err == nil, err
}

func convertOutput(v any, t runbook.OutputType) (any, error) {
	switch t {
	case runbook.OutputString, "":
		switch v.(type) {
		case map[string]any, []any:
			return encodeJSON(v), nil
		}
		return text(v), nil
	case runbook.OutputInteger:
		n, ok := asInt(v)
		if !ok {
			return nil, fmt.Errorf("%s is not an Integer", encodeJSON(v))
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	case runbook.OutputBoolean:
		b, ok := asBool(v)
		if !ok {
			return nil, fmt.Errorf("%s is not a Boolean", encodeJSON(v))
		}
		return b, nil
	case runbook.OutputStringList:
		l, ok := v.([]any)
		if !ok {
			return []any{text(v)}, nil
		}
		out := make([]any, len(l))
		for i, it := range l {
			switch it.(type) {
			case map[string]any, []any:
				out[i] = encodeJSON(it)
			default:
				out[i] = text(it)
			}
		}
		return out, nil
	case runbook.OutputStringMap:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a StringMap", encodeJSON(v))
		}
		return m, nil
	case runbook.OutputMapList:
		l, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a MapList", encodeJSON(v))
		}
		for _, it := range l {
			if _, ok := it.(map[string]any); !ok {
				return nil, fmt.Errorf("%s is not a MapList", encodeJSON(v))
			}
		}
		return l, nil
	}
	return nil, fmt.Errorf("unknown output type %q", t)
}
