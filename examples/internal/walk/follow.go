package walk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/execution"
)

// ProgressPrefix starts the live progress lines, whose number depends on
// timing; the final step lines that follow them do not.
const ProgressPrefix = "  ~ "

// Follow waits for the execution as the operator, printing one line per
// step change, and returns the final execution.
func (e *Env) Follow(ctx context.Context, operator *ssm.Client, id string) (*ssm.GetAutomationExecutionOutput, error) {
	w := execution.NewExecutionWaiter(operator, func(o *execution.ExecutionWaiterOptions) {
		o.MinDelay = e.PollDelay
		o.MaxDelay = 30 * e.PollDelay
		o.OnProgress = func(p execution.Progress) {
			if p.StepName == "" {
				return
			}
			e.Printf("%s%-16s %-26s %s", ProgressPrefix, p.StepName, p.Action, p.StepStatus)
		}
	})
	out, err := w.WaitForOutput(ctx, id, 30*time.Minute)
	if out != nil && out.AutomationExecution != nil {
		for _, st := range out.AutomationExecution.StepExecutions {
			e.Printf("step %-16s %-26s %s", aws.ToString(st.StepName), aws.ToString(st.Action), st.StepStatus)
		}
	}
	var failed *execution.ExecutionFailedError
	if errors.As(err, &failed) {
		return out, fmt.Errorf("execution %s ended %s: %s", id, failed.Status, failed.FailureMessage)
	}
	return out, err
}

// PrintPlan prints what a plan grants: the role's actions and the operator's.
func (e *Env) PrintPlan(p *delegate.Plan) {
	if p.Role != nil {
		e.Printf("service role %s", p.Role.ARN)
		if p.Derived != nil {
			// One line per step, its actions in the order derived.
			var steps []string
			needs := map[string][]string{}
			for _, n := range p.Derived.Needs {
				if _, ok := needs[n.Step]; !ok {
					steps = append(steps, n.Step)
				}
				needs[n.Step] = append(needs[n.Step], n.Actions...)
			}
			for _, st := range steps {
				e.Printf("  step %-16s needs %s", st, strings.Join(needs[st], ", "))
			}
		}
	}
	e.Printf("operator policy %s allows %s", p.OperatorPolicyName, strings.Join(actions(p), ", "))
	for _, w := range p.Warnings {
		e.Printf("  warning: %s", w)
	}
}

func actions(p *delegate.Plan) []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range p.OperatorPolicy.Statement {
		for _, a := range st.Action.Values {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// PrintAudit prints the calls the execution's steps made, with who made
// them, when the endpoint is in-process (elsewhere, CloudTrail or
// `ssmdelegate local --audit` show the same).
func (e *Env) PrintAudit(id string) {
	if e.Local == nil {
		e.Printf("the steps' calls are in CloudTrail (or `ssmdelegate local --audit`) under the service role's session")
		return
	}
	// Polls repeat; each call is shown once, in the order first made.
	seen := map[string]bool{}
	for _, ev := range e.Local.AuditFor(id) {
		line := fmt.Sprintf("  %s:%s by %s: %s", ev.Service, ev.API, ev.Principal, ev.Decision)
		if !seen[line] {
			seen[line] = true
			e.Printf("%s", line)
		}
	}
}

// Stage returns a short form of a delegate change for printing.
func Stage(c delegate.Change) string { return c.String() }

// Str dereferences an optional string.
func Str(p *string) string { return aws.ToString(p) }
