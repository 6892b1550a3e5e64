package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/botomodel"
	"github.com/ssmdelegate/ssmdelegate/policy/internal/pyscan"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// script derives the needs of an aws:executeScript step from its Python
// script: every AWS call the handler can reach, each mapped to its IAM
// action with the script line it comes from. A step declared in
// ScriptPermissions uses the declaration instead.
func (d *deriver) script(name, act string, in runbook.ExecuteScript) {
	if _, ok := d.opts.ScriptPermissions[name]; ok {
		d.declared(name, act, d.opts.ScriptPermissions, "the script runs with the role's permissions", "")
		return
	}
	declare := fmt.Sprintf("declare what the script calls with ScriptPermissions[%q]", name)
	rt, _ := in.Runtime.AsString()
	lang := strings.ToLower(strings.TrimSpace(rt))
	python, powershell := strings.HasPrefix(lang, "python"), strings.HasPrefix(lang, "powershell")
	if !python && !powershell {
		d.unresolved(name, act, "runtime %q: only Python and PowerShell scripts are analysed; %s", rt, declare)
		return
	}
	src, ok := in.Script.AsString()
	if !ok || strings.TrimSpace(src) == "" {
		if att, ok := in.Attachment.AsString(); ok && att != "" {
			d.unresolved(name, act, "the script is the attachment %q, which the runbook does not contain; %s", att, declare)
			return
		}
		d.unresolved(name, act, "the step has no inline Script; %s", declare)
		return
	}
	if powershell {
		d.powershellScript(name, act, src, declare, in.InputPayload)
		return
	}
	handler, ok := in.Handler.AsString()
	if !ok || len(runbook.ParseReferences(handler)) > 0 {
		d.unresolved(name, act, "Handler is not a literal function name; %s", declare)
		return
	}
	// An inline script's handler may be written module.function.
	handler = strings.TrimSpace(handler[strings.LastIndexByte(handler, '.')+1:])
	res, err := pyscan.Analyze([]byte(src), handler)
	if err != nil {
		var se *pyscan.SyntaxError
		switch {
		case errors.As(err, &se):
			d.unresolved(name, act, "script line %d: the script does not parse; %s", se.Line, declare)
		case errors.Is(err, pyscan.ErrTooLarge):
			d.unresolved(name, act, "the script is larger than %d KiB, the most that is analysed; %s", pyscan.MaxScript>>10, declare)
		default:
			d.unresolved(name, act, "the script cannot be analysed (%v); %s", err, declare)
		}
		return
	}
	for _, p := range res.Problems {
		d.unresolved(name, act, "script line %d: %s; %s", p.Line, p.Detail, declare)
	}
	if len(res.Calls) == 0 && len(res.Problems) == 0 {
		d.need(name, act, "the script makes no AWS call", nil, nil, nil)
		return
	}
	models := botomodel.Load()
	for _, c := range res.Calls {
		d.scriptCall(name, act, in.InputPayload, models, c, declare)
	}
}

// scriptCall derives the needs of one call found in a script.
func (d *deriver) scriptCall(name, act string, payload runbook.Value, models *botomodel.Models, c pyscan.Call, declare string) {
	where := fmt.Sprintf("script line %d: ", c.Line)
	var shown string
	switch c.Kind {
	case pyscan.Paginator:
		shown = fmt.Sprintf("%s.get_paginator(%q)", c.Client, c.Name)
	case pyscan.Waiter:
		shown = fmt.Sprintf("%s.get_waiter(%q)", c.Client, c.Name)
	case pyscan.ResourceAction:
		shown = c.Client + "." + joinType(c.Type, c.Name) + " (resource)"
	default:
		shown = c.Client + "." + c.Name
	}
	if !models.HasService(c.Client) {
		d.unresolved(name, act, "%s%q is not a boto3 service name; %s", where, c.Client, declare)
		return
	}
	var ops []string
	switch c.Kind {
	case pyscan.Method:
		if op, ok := models.Operation(c.Client, c.Name); ok {
			ops = []string{op}
		} else if h, ok := clientHelpers[c.Client+"."+c.Name]; ok {
			ops = h
		} else {
			d.unresolved(name, act, "%s%s is not an operation of the %s client; %s", where, shown, c.Client, declare)
			return
		}
	case pyscan.Paginator, pyscan.Waiter:
		lookup, what := models.Operation, "operation"
		if c.Kind == pyscan.Waiter {
			lookup, what = models.Waiter, "waiter"
		}
		op, ok := lookup(c.Client, c.Name)
		if !ok {
			d.unresolved(name, act, "%s%s names no %s of the %s client; %s", where, shown, what, c.Client, declare)
			return
		}
		ops = []string{op}
	case pyscan.ResourceAction:
		var ok bool
		ops, ok = resourceOperations(models, c)
		if !ok {
			d.unresolved(name, act, "%s%s: the operations of this resource method are not known; %s", where, shown, declare)
			return
		}
	}
	if len(ops) == 0 {
		d.need(name, act, fmt.Sprintf("line %d: %s makes no AWS call", c.Line, shown), nil, nil, nil)
		return
	}
	c, problem := transferArgs(c)
	if problem != "" {
		d.unresolved(name, act, "%s%s: %s; %s", where, shown, problem, declare)
	}
	param := d.scriptParams(c, payload)
	first := len(d.out.Needs)
	defer func() {
		for _, n := range d.out.Needs[first:] {
			if len(n.Actions) == 1 && slices.ContainsFunc(n.Resources, func(r string) bool { return strings.Contains(r, "*") }) {
				if info, ok := d.catalog.Lookup(n.Actions[0]); ok && !info.WildcardOnly() {
					d.note("%s: script line %d: the arguments of %s that name its resources are not literals or fixed InputPayload values, so %s is granted on %s",
						name, c.Line, shown, n.Actions[0], strings.Join(n.Resources, ", "))
				}
			}
		}
	}()
	for _, op := range ops {
		d.operation(name, act, c.Client, op, param, where, func(action string) string {
			if action == "" {
				return fmt.Sprintf("line %d: %s -> %s", c.Line, shown, op)
			}
			return fmt.Sprintf("line %d: %s -> %s", c.Line, shown, action)
		})
		// What the call is authorized for beyond its action's resources
		// (a customer managed key, a source snapshot), as for the same
		// call in aws:executeAwsApi.
		d.opExtras(name, act, c.Client, op, param)
	}
}

func joinType(typ, name string) string {
	if typ == "" {
		return name
	}
	return typ + "." + name
}

// scriptParams turns the keyword arguments of a call into request
// parameters: a payload key stands for the InputPayload value the runbook
// binds it to, and is absent when the payload lacks it (reading it fails
// before the call); a value the analysis does not know is "*", so a
// parameter that adds a need (a KmsKeyId, a role handed to a service)
// still adds it, for any resource.
func (d *deriver) scriptParams(c pyscan.Call, payload runbook.Value) paramFunc {
	return func(p string) (runbook.Value, bool) {
		arg, ok := c.Args[p]
		if !ok && c.Kind == pyscan.ResourceAction {
			arg, ok = identifierArg(c, p)
		}
		if !ok {
			return runbook.Value{}, false
		}
		if arg.Unknown {
			// Passed, with a value chosen at run time: any value.
			return runbook.String("*"), true
		}
		items := make([]runbook.Value, 0, len(arg.Items))
		for _, it := range arg.Items {
			if it.Event == "" {
				items = append(items, runbook.String(it.Literal))
				continue
			}
			v, ok := payload.Get(it.Event)
			if !ok {
				// Not in InputPayload: the script reads nothing the
				// runbook fixes.
				return runbook.Value{}, false
			}
			if list, isList := v.AsList(); isList && arg.List {
				items = append(items, list...)
				continue
			}
			items = append(items, v)
		}
		if !arg.List && len(items) == 1 {
			return items[0], true
		}
		return runbook.List(items...), true
	}
}
