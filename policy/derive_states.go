package policy

import (
	"strings"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// desiredStates returns the states an aws:changeInstanceState step can
// ask for: the literal DesiredState, the allowedValues of the parameter it
// names, or the states declared in RunbookOptions.DesiredStates. When none
// fixes them the step is unresolved rather than granted every change,
// which would include ec2:TerminateInstances.
func (d *deriver) desiredStates(name, act string, v runbook.Value) ([]string, bool) {
	if states, ok := d.opts.DesiredStates[name]; ok {
		return states, true
	}
	if states, fixed := d.enumerate(v); fixed {
		return states, true
	}
	s, _ := v.AsString()
	from := "a value the runbook does not fix"
	if r, ok := runbook.WholeReference(strings.TrimSpace(s)); ok {
		switch r.Kind {
		case runbook.RefParameter:
			from = "parameter " + r.Name + ", which has no allowedValues"
		case runbook.RefStepOutput:
			from = "the output " + r.Name + "." + r.Output
		case runbook.RefVariable:
			from = "variable " + r.Name
		}
	} else if s != "" {
		from = "the expression " + s
	}
	d.unresolved(name, act, "DesiredState comes from %s, so the state changes it asks for (possibly terminated) are unknown: give the parameter allowedValues or declare the states with DesiredStates[%q]", from, name)
	return nil, false
}
