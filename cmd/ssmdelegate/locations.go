package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// locationResult is one location of a multi-account execution in run's
// and describe's JSON output.
type locationResult struct {
	Account           string     `json:"account"`
	Region            string     `json:"region"`
	ExecutionRoleName string     `json:"executionRoleName,omitempty"`
	Status            string     `json:"status"`
	ChildExecutionID  string     `json:"childExecutionId,omitempty"`
	FailureMessage    string     `json:"failureMessage,omitempty"`
	FailureType       string     `json:"failureType,omitempty"`
	Start             *time.Time `json:"start,omitempty"`
	End               *time.Time `json:"end,omitempty"`
}

// locationTotals are the counts of a multi-account execution's locations
// by outcome.
type locationTotals struct {
	Total      int `json:"total"`
	Succeeded  int `json:"succeeded"`
	Failed     int `json:"failed"`
	TimedOut   int `json:"timedOut"`
	Cancelled  int `json:"cancelled"`
	InProgress int `json:"inProgress"`
}

func locationResults(r *execution.LocationReport) ([]locationResult, *locationTotals) {
	out := make([]locationResult, 0, len(r.Locations))
	for _, l := range r.Locations {
		out = append(out, locationResult{Account: l.Account, Region: l.Region, ExecutionRoleName: l.ExecutionRoleName,
			Status: string(l.Status), ChildExecutionID: l.ChildExecutionID, FailureMessage: l.FailureMessage,
			FailureType: l.FailureType, Start: utc(timePtr(l.Start)), End: utc(timePtr(l.End))})
	}
	t := r.Totals
	return out, &locationTotals{Total: t.Total, Succeeded: t.Succeeded, Failed: t.Failed, TimedOut: t.TimedOut,
		Cancelled: t.Cancelled, InProgress: t.InProgress}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// printLocationTable prints a multi-account execution's totals and one
// row per location.
func printLocationTable(w io.Writer, r *execution.LocationReport) {
	fmt.Fprintln(w, r.Totals)
	rows := [][]string{{"ACCOUNT", "REGION", "ROLE", "STATUS", "CHILD EXECUTION", "START", "END", "FAILURE"}}
	for _, l := range r.Locations {
		rows = append(rows, []string{orDash(l.Account), orDash(l.Region), orDash(l.ExecutionRoleName), string(l.Status),
			orDash(l.ChildExecutionID), fmtTime(utc(timePtr(l.Start))), fmtTime(utc(timePtr(l.End))), l.FailureMessage})
	}
	printTable(w, rows)
}

// readAllSteps replaces a multi-account execution's truncated step list
// with every step, so that every location is shown.
func readAllSteps(ctx context.Context, client *ssm.Client, ex *types.AutomationExecution) error {
	if ex == nil || !ex.StepExecutionsTruncated || !execution.IsMultiAccount(ex) {
		return nil
	}
	pager := ssm.NewDescribeAutomationStepExecutionsPaginator(client, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: ex.AutomationExecutionId})
	var steps []types.StepExecution
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("read the steps of %s: %w", aws.ToString(ex.AutomationExecutionId), err)
		}
		steps = append(steps, page.StepExecutions...)
	}
	ex.StepExecutions, ex.StepExecutionsTruncated = steps, false
	return nil
}

// reportLocation prints a location's change as one line, and keeps the
// location for the live block and the heartbeat. The caller holds p.mu.
func (p *runProgress) reportLocation(ev execution.Progress) {
	l := ev.Location
	if l == nil {
		// The parent's own change.
		line := fmt.Sprintf("%9s  %-10s %s", fmtElapsed(ev.Elapsed), ev.Status, "execution")
		if c := ev.Counters; c != nil && c.TotalSteps > 0 {
			line += fmt.Sprintf("  [%d/%d locations ok, %d failed]", c.SuccessSteps, c.TotalSteps, c.FailedSteps+c.TimedOutSteps+c.CancelledSteps)
		}
		fmt.Fprintln(p.w, line)
		return
	}
	if p.locs == nil {
		p.locs = map[string]execution.LocationStatus{}
	}
	p.locs[l.Key()] = l.LocationStatus
	line := progressLine(ev.Elapsed, ev.Status, l.Key(), string(l.Status))
	if l.PreviousStatus != "" {
		line += "  (was " + string(l.PreviousStatus) + ")"
	}
	if l.ChildExecutionID != "" && l.PreviousStatus == "" {
		line += "  child " + l.ChildExecutionID
	}
	if l.FailureMessage != "" && l.Outcome() == execution.Failed {
		line += ": " + l.FailureMessage
	}
	fmt.Fprintln(p.w, line)
}

// locationList returns the locations seen, sorted by account and Region.
func (p *runProgress) locationList() []execution.LocationStatus {
	out := make([]execution.LocationStatus, 0, len(p.locs))
	for _, l := range p.locs {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b execution.LocationStatus) int { return strings.Compare(a.Key(), b.Key()) })
	return out
}

// drawBlock draws the live block of a multi-account execution: the
// parent's status with the totals, then one line per location.
func (p *runProgress) drawBlock() {
	ls := p.locationList()
	fmt.Fprintf(p.w, "%s · %s  %s\n", p.status, execution.CountLocations(ls), time.Since(p.start).Truncate(time.Second))
	for _, l := range ls {
		line := fmt.Sprintf("  %-24s %-10s", l.Key(), l.Status)
		if l.ChildExecutionID != "" {
			line += " " + l.ChildExecutionID
		}
		fmt.Fprintln(p.w, strings.TrimRight(line, " "))
	}
	p.block = 1 + len(ls)
}

// clearLive erases the live line, or the live block.
func (p *runProgress) clearLive() {
	if !p.live {
		return
	}
	if p.block > 0 {
		fmt.Fprintf(p.w, "\033[%dA\033[J", p.block)
		p.block = 0
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
}

// locationHeartbeat says, off a terminal, where the locations stand.
func (p *runProgress) locationHeartbeat() {
	t := execution.CountLocations(p.locationList())
	fmt.Fprintln(p.w, progressLine(time.Since(p.start), p.status, "locations", "still "+t.String()))
	p.lastLine = time.Now()
}

// printLocationsEnd prints a multi-account execution's locations at the
// end of run --wait and adds them to the JSON result; failed locations
// are named on standard error.
func (r *runner) printLocationsEnd(ex *types.AutomationExecution) {
	if !execution.IsMultiAccount(ex) {
		return
	}
	rep := execution.LocationsOf(ex)
	r.result.Locations, r.result.LocationTotals = locationResults(rep)
	printLocationTable(r.human, rep)
	for _, l := range rep.Locations {
		if l.Outcome() != execution.Failed {
			continue
		}
		fmt.Fprintf(r.stderr, "  location %s %s", l.Key(), l.Status)
		if l.FailureMessage != "" {
			fmt.Fprintf(r.stderr, ": %s", l.FailureMessage)
		}
		fmt.Fprintln(r.stderr)
	}
}

// locationWatchLine is watch's line for a location's change.
func locationWatchLine(id string, l *execution.LocationChange) string {
	line := fmt.Sprintf("%s location %s %s", id, l.Key(), l.Status)
	if l.ChildExecutionID != "" {
		line += "  child " + l.ChildExecutionID
	}
	if l.FailureMessage != "" && l.Outcome() == execution.Failed {
		line += ": " + l.FailureMessage
	}
	return line
}
