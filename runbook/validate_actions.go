package runbook

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// checkAction applies the rules of one action beyond its input table.
func (v *validator) checkAction(s *Step, sp *field.Path, siblings *siblings, sc *scope) {
	// Built by the actions that check more, not for every step.
	inputs := func() *field.Path { return sp.Child("inputs") }
	switch in := s.Inputs.(type) {
	case Branch:
		v.checkBranch(in, inputs(), siblings, sc)
	case Loop:
		v.checkLoop(s, in, inputs(), sc)
	case Approve:
		v.checkApprove(in, inputs())
	case Sleep:
		v.checkSleep(in, inputs())
	case ExecuteScript:
		v.checkExecuteScript(s, in, sp)
	case InvokeLambdaFunction:
		v.checkInvokeLambda(s, in, sp)
	case Pause:
		v.maxTimeout(s, sp, MaxPauseSecs)
	case CreateStack:
		ip := inputs()
		v.exclusive(ip, "TemplateBody", in.TemplateBody, "TemplateURL", in.TemplateURL, true)
		v.exclusive(ip, "StackPolicyBody", in.StackPolicyBody, "StackPolicyURL", in.StackPolicyURL, false)
		v.exclusive(ip, "OnFailure", in.OnFailure, "DisableRollback", in.DisableRollback, false)
	case RunCommand:
		v.exclusive(inputs(), "InstanceIds", in.InstanceIds, "Targets", in.Targets, true)
	case ExecuteAutomation:
		v.checkExecuteAutomation(in, inputs())
	case RunInstances:
		v.checkRunInstances(in, inputs())
	case UpdateVariable:
		v.checkUpdateVariable(in, inputs())
	case ExecuteAwsApi:
		v.checkAPICall(in.APICall, inputs(), Value{})
	case WaitForAwsResourceProperty:
		v.checkAPICall(in.APICall, inputs(), in.PropertySelector)
	case AssertAwsResourceProperty:
		v.checkAPICall(in.APICall, inputs(), in.PropertySelector)
	}
}

// checkSleep checks aws:sleep: Duration or Timestamp, each well formed,
// and a Duration of at most seven days.
func (v *validator) checkSleep(in Sleep, ip *field.Path) {
	v.exclusive(ip, "Duration", in.Duration, "Timestamp", in.Timestamp, true)
	if d, ok := in.Duration.AsString(); ok && !strings.Contains(d, "{{") {
		dur, err := ParseISODuration(d)
		switch {
		case err != nil:
			v.fail(CodeDuration, ip.Child("Duration"), quote(d), "an ISO 8601 duration such as PT30M, at most P7D", err.Error())
		case dur > MaxSleep:
			v.fail(CodeLimit, ip.Child("Duration"), quote(d), "at most 7 days (P7D)", "sleep too long")
		}
	}
	if t, ok := in.Timestamp.AsString(); ok && !strings.Contains(t, "{{") {
		if _, err := ParseISOTimestamp(t); err != nil {
			v.fail(CodeDuration, ip.Child("Timestamp"), quote(t), "an ISO 8601 timestamp such as 2026-01-02T15:04:05Z", err.Error())
		}
	}
}

// checkExecuteScript checks aws:executeScript: its timeout, runtime,
// Script or declared Attachment, and a Handler for Python.
func (v *validator) checkExecuteScript(s *Step, in ExecuteScript, sp *field.Path) {
	ip := sp.Child("inputs")
	// Like aws:invokeLambdaFunction: AWS accepts a longer
	// timeoutSeconds but the runtime stops the script after 600 s.
	if s.TimeoutSeconds != nil && *s.TimeoutSeconds > MaxExecuteScriptSecs {
		v.warn(CodeLimit, sp.Child("timeoutSeconds"), strconv.Itoa(*s.TimeoutSeconds), fmt.Sprintf("at most %d", MaxExecuteScriptSecs),
			"aws:executeScript stops after 600 s whatever timeoutSeconds says")
	}
	v.checkRuntime(in, ip)
	v.exclusive(ip, "Script", in.Script, "Attachment", in.Attachment, true)
	if a, ok := in.Attachment.AsString(); ok && !strings.Contains(a, "{{") && !v.files[a] {
		v.fail(CodeReference, ip.Child("Attachment"), quote(a), "a file declared under files", fmt.Sprintf("attachment %q is not declared", a))
	}
	if rt, ok := in.Runtime.AsString(); ok && strings.HasPrefix(rt, "python") && in.Handler.IsZero() {
		v.fail(CodeRequiredInput, ip.Child("Handler"), "", "the name of the Python function to call", "a Python script needs a Handler")
	}
}

// checkInvokeLambda checks aws:invokeLambdaFunction's timeout and payload.
func (v *validator) checkInvokeLambda(s *Step, in InvokeLambdaFunction, sp *field.Path) {
	// AWS accepts a longer timeoutSeconds (its own runbooks use 600) but
	// stops the step after 300 s, so a longer one is misleading only.
	if s.TimeoutSeconds != nil && *s.TimeoutSeconds > MaxLambdaSecs {
		v.warn(CodeLimit, sp.Child("timeoutSeconds"), strconv.Itoa(*s.TimeoutSeconds), fmt.Sprintf("at most %d", MaxLambdaSecs),
			"aws:invokeLambdaFunction stops after 300 s whatever timeoutSeconds says")
	}
	v.exclusive(sp.Child("inputs"), "Payload", in.Payload, "InputPayload", in.InputPayload, false)
}

func (v *validator) checkExecuteAutomation(in ExecuteAutomation, ip *field.Path) {
	v.exclusive(ip, "Targets", in.Targets, "TargetMaps", in.TargetMaps, false)
	if !in.Targets.IsZero() && in.TargetParameterName.IsZero() {
		v.fail(CodeRequiredInput, ip.Child("TargetParameterName"), "", "the child parameter that receives each target", "Targets needs TargetParameterName")
	}
}

func (v *validator) checkRunInstances(in RunInstances, ip *field.Path) {
	v.exclusive(ip, "IamInstanceProfileArn", in.IamInstanceProfileArn, "IamInstanceProfileName", in.IamInstanceProfileName, false)
	lo, ok1 := in.MinInstanceCount.AsInt()
	hi, ok2 := in.MaxInstanceCount.AsInt()
	if ok1 && ok2 && lo > hi {
		v.fail(CodeLimit, ip.Child("MinInstanceCount"), strconv.FormatInt(lo, 10), fmt.Sprintf("at most MaxInstanceCount (%d)", hi), "MinInstanceCount exceeds MaxInstanceCount")
	}
}

// exclusive reports both a and b set, and, when one is required, neither.
func (v *validator) exclusive(ip *field.Path, a string, va Value, b string, vb Value, oneRequired bool) {
	switch {
	case !va.IsZero() && !vb.IsZero():
		v.fail(CodeExclusive, ip.Child(b), field.Truncate(vb.String(), 60), "either "+a+" or "+b, a+" and "+b+" are mutually exclusive")
	case oneRequired && va.IsZero() && vb.IsZero():
		v.fail(CodeRequiredInput, ip, "", a+" or "+b, "one of "+a+" and "+b+" is required")
	}
}

func (v *validator) maxTimeout(s *Step, sp *field.Path, max int) {
	if s.TimeoutSeconds != nil && *s.TimeoutSeconds > max {
		v.fail(CodeLimit, sp.Child("timeoutSeconds"), strconv.Itoa(*s.TimeoutSeconds), fmt.Sprintf("at most %d for %s", max, s.Action()), "timeout too long")
	}
}

func (v *validator) checkApprove(in Approve, ip *field.Path) {
	approvers, listed := in.Approvers.AsList()
	if listed {
		if len(approvers) == 0 {
			v.fail(CodeRequiredInput, ip.Child("Approvers"), in.Approvers.String(), "1 to 10 principals", "no approvers")
		}
		if len(approvers) > MaxApprovers {
			v.fail(CodeLimit, ip.Child("Approvers"), strconv.Itoa(len(approvers))+" approvers", fmt.Sprintf("at most %d", MaxApprovers), "too many approvers")
		}
	}
	if n, ok := in.MinRequiredApprovals.AsInt(); ok {
		if n < 1 {
			v.fail(CodeLimit, ip.Child("MinRequiredApprovals"), strconv.FormatInt(n, 10), "a positive integer", "MinRequiredApprovals below 1")
		} else if listed && len(approvers) > 0 && int(n) > len(approvers) {
			v.fail(CodeLimit, ip.Child("MinRequiredApprovals"), strconv.FormatInt(n, 10), fmt.Sprintf("at most the number of approvers (%d)", len(approvers)),
				"more approvals required than there are approvers")
		}
	}
}

func (v *validator) checkUpdateVariable(in UpdateVariable, ip *field.Path) {
	name, ok := in.Name.AsString()
	if !ok {
		return
	}
	vn, ok := strings.CutPrefix(name, "variable:")
	if !ok {
		v.fail(CodeReference, ip.Child("Name"), quote(name), "variable:NAME", "Name must be variable:NAME")
		return
	}
	vr := v.vars[vn]
	if vr == nil {
		v.fail(CodeReference, ip.Child("Name"), quote(name), "variables declared under variables", fmt.Sprintf("variable %q is not declared", vn))
		return
	}
	if in.Value.IsZero() {
		return
	}
	if _, isRef := in.Value.Ref(); isRef {
		return
	}
	if msg := valueFitsShape(in.Value, shapeOfType(vr.Type)); msg != "" {
		v.fail(CodeType, ip.Child("Value"), field.Truncate(in.Value.String(), 60), article(string(vr.Type))+" value", msg)
	}
}

func (v *validator) checkAPICall(c APICall, ip *field.Path, selector Value) {
	for _, f := range []struct {
		name string
		val  Value
	}{{"Service", c.Service}, {"Api", c.Api}} {
		if s, ok := f.val.AsString(); ok && strings.TrimSpace(s) == "" {
			v.fail(CodeRequiredInput, ip.Child(f.name), quote(s), "a non-empty name", f.name+" is empty")
		}
	}
	// AWS accepts a PropertySelector without the leading "$"
	// (Attributes.KmsMasterKeyId) and documents no rewriting of it, so it
	// is kept as written; an empty one selects nothing.
	if s, ok := selector.AsString(); ok && strings.TrimSpace(s) == "" {
		v.fail(CodeRequiredInput, ip.Child("PropertySelector"), quote(s), "a JSONPath such as $.Reservations[0].Instances[0].State.Name", "PropertySelector is empty")
	}
}

func (v *validator) checkBranch(in Branch, ip *field.Path, siblings *siblings, sc *scope) {
	if len(in.Choices) == 0 {
		v.fail(CodeRequiredInput, ip.Child("Choices"), "", "one or more choices", "a branch needs choices")
	}
	for i, c := range in.Choices {
		cp := ip.Child("Choices").Index(i)
		if c.NextStep == "" {
			v.fail(CodeRequiredInput, cp.Child("NextStep"), "", v.stepList(siblings), "a choice needs a NextStep")
		} else {
			v.branchTarget(cp.Child("NextStep"), c.NextStep, siblings, sc)
		}
		v.checkChoice(c, cp, sc)
	}
	if in.Default != "" {
		v.branchTarget(ip.Child("Default"), in.Default, siblings, sc)
	}
}

// branchTarget checks a branch's jump. From inside an aws:loop, a jump to a
// step outside the loop is one the aws:loop documentation neither allows
// nor forbids, so it is a warning, not an error.
func (v *validator) branchTarget(path *field.Path, name string, siblings *siblings, sc *scope) {
	if _, ok := v.sibling(siblings, name); ok {
		return
	}
	if info := v.allSteps[name]; info != nil && len(sc.loops) > 0 {
		v.warn(CodeLoopExit, path, quote(name), v.stepList(siblings),
			fmt.Sprintf("branch leaves the loop for step %q at %s; AWS does not document whether the loop ends there", name, info.path))
		return
	}
	v.fail(CodeUnknownStep, path, quote(name), v.stepList(siblings), fmt.Sprintf("no step named %q here", name))
}

// checkChoice checks one condition: a leaf with a Variable and one
// operator, or exactly one of And, Or and Not.
func (v *validator) checkChoice(c Choice, cp *field.Path, sc *scope) {
	forms := 0
	if c.Operator != "" || !c.Variable.IsZero() {
		forms++
	}
	if c.And != nil {
		forms++
	}
	if c.Or != nil {
		forms++
	}
	if c.Not != nil {
		forms++
	}
	if forms != 1 {
		v.fail(CodeExclusive, cp, "", "Variable with one operator, or And, Or or Not", "a condition needs exactly one form")
	}
	for _, t := range []struct {
		name  string
		terms []Choice
	}{{"And", c.And}, {"Or", c.Or}} {
		if t.terms == nil {
			continue
		}
		if len(t.terms) == 0 {
			v.fail(CodeRequiredInput, cp.Child(t.name), "[]", "one or more conditions", t.name+" is empty")
		}
		for i, sub := range t.terms {
			sp := cp.Child(t.name).Index(i)
			if sub.NextStep != "" {
				v.fail(CodeFlow, sp.Child("NextStep"), quote(sub.NextStep), "NextStep on top-level choices only", "nested condition with a NextStep")
			}
			v.checkChoice(sub, sp, sc)
		}
	}
	if c.Not != nil {
		v.checkChoice(*c.Not, cp.Child("Not"), sc)
	}
	if c.Operator == "" && c.Variable.IsZero() {
		return
	}
	if c.Variable.IsZero() {
		v.fail(CodeRequiredInput, cp.Child("Variable"), "", "a reference such as {{ step.Output }}", "a condition needs a Variable")
	} else {
		v.checkRefs(c.Variable, at(cp.Child("Variable")), sc)
	}
	if c.Operator == "" {
		v.fail(CodeRequiredInput, cp, "", operatorNames(), "a condition needs an operator")
		return
	}
	op := cp.Child(string(c.Operator))
	v.checkRefs(c.Operand, at(op), sc)
	if _, isRef := c.Operand.Ref(); isRef {
		return
	}
	switch {
	case strings.HasPrefix(string(c.Operator), "Numeric"):
		if _, ok := c.Operand.AsFloat(); !ok {
			if s, ok := c.Operand.AsString(); !ok || !isNumberText(s) {
				v.fail(CodeType, op, c.Operand.String(), "a number", string(c.Operator)+" compares numbers")
			}
		}
	case c.Operator == BooleanEquals:
		if msg := valueFitsShape(c.Operand, shBoolean); msg != "" {
			v.fail(CodeType, op, c.Operand.String(), "true or false", msg)
		}
	default:
		if c.Operand.Kind() != KindString {
			v.fail(CodeType, op, c.Operand.String(), "a string", string(c.Operator)+" compares strings")
		}
	}
}

func isNumberText(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func operatorNames() string {
	ops := ChoiceOperators()
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = string(o)
	}
	return strings.Join(out, ", ")
}

func (v *validator) checkLoop(s *Step, in Loop, ip *field.Path, sc *scope) {
	hasIter, hasCond := !in.Iterators.IsZero(), in.LoopCondition != nil
	switch {
	case hasIter && hasCond:
		v.fail(CodeExclusive, ip.Child("LoopCondition"), "", "either Iterators or LoopCondition", "Iterators and LoopCondition are mutually exclusive")
	case !hasIter && !hasCond:
		v.fail(CodeRequiredInput, ip, "", "Iterators or LoopCondition", "one of Iterators and LoopCondition is required")
	}
	if items, ok := in.Iterators.AsList(); ok && len(items) > MaxLoopIterations {
		v.fail(CodeLimit, ip.Child("Iterators"), strconv.Itoa(len(items))+" items", fmt.Sprintf("at most %d", MaxLoopIterations), "too many iterators")
	}
	if hasIter {
		if ref, ok := in.Iterators.Ref(); ok {
			if sh := v.refShape(ref, sc); sh != shUnknown && sh != shStringList && sh != shMapList {
				v.fail(CodeType, ip.Child("Iterators"), in.Iterators.String(), "a list or a reference to a list", fmt.Sprintf("%s %s is %s", ref.Kind, ref.String(), sh))
			}
		} else if in.Iterators.Kind() != KindList {
			v.fail(CodeType, ip.Child("Iterators"), field.Truncate(in.Iterators.String(), 60), "a list or a reference to a list", "expected a list, got "+in.Iterators.Kind().String())
		}
	}
	if n, ok := in.MaxIterations.AsInt(); ok && (n < 1 || n > MaxLoopIterations) {
		v.fail(CodeLimit, ip.Child("MaxIterations"), strconv.FormatInt(n, 10), fmt.Sprintf("1 to %d", MaxLoopIterations), "MaxIterations out of range")
	}
	if len(in.Steps) == 0 {
		v.fail(CodeRequiredInput, ip.Child("Steps"), "", "one or more steps", "a loop needs steps")
	}
	info := v.allSteps[s.Name]
	if info == nil || info.step != s {
		info = v.newInfo(s, ip)
	}
	sc.loops = append(sc.loops, info)
	v.checkSteps(in.Steps, ip.Child("Steps"), sc)
	if in.LoopCondition != nil {
		// The condition is evaluated after each pass, so it may read the
		// loop's own steps.
		if in.LoopCondition.NextStep != "" {
			v.fail(CodeFlow, ip.Child("LoopCondition", "NextStep"), quote(in.LoopCondition.NextStep), "no NextStep in a loop condition", "loop condition with a NextStep")
		}
		v.checkChoice(*in.LoopCondition, ip.Child("LoopCondition"), sc)
	}
	sc.loops = slices.Delete(sc.loops, len(sc.loops)-1, len(sc.loops))
}

// iterationBound returns the most iterations a loop runs and why.
func iterationBound(in Loop) (int, string) {
	n := MaxLoopIterations
	why := "MaxIterations defaults to 100"
	if m, ok := in.MaxIterations.AsInt(); ok && m > 0 {
		n, why = int(m), fmt.Sprintf("MaxIterations %d", m)
	}
	if items, ok := in.Iterators.AsList(); ok && len(items) < n {
		n, why = len(items), fmt.Sprintf("%d iterators", len(items))
	}
	return n, why
}

// retiredRuntimes are the aws:executeScript runtimes AWS no longer lets a
// runbook be created or updated with (since 4 December 2024; runs stop on
// 18 February 2025), per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html
var retiredRuntimes = map[string]bool{"python3.6": true, "python3.7": true, "python3.8": true}

func (v *validator) checkRuntime(in ExecuteScript, ip *field.Path) {
	rt, ok := in.Runtime.AsString()
	if !ok || !retiredRuntimes[rt] {
		return
	}
	v.fail(CodeRetiredRuntime, ip.Child("Runtime"), quote(rt), "python3.11 or another supported runtime",
		"AWS no longer accepts runbooks that use the "+rt+" runtime")
}
