package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// opCommand is the common part of the operator subcommands: the target
// flags, the usage line, and the SSM client once connected.
type opCommand struct {
	name   string
	usage  string
	fs     *flag.FlagSet
	target targetFlags
	stderr io.Writer

	// format, when set by formatFlag, must be one of formats.
	format  *string
	formats []string
}

func newOpCommand(name, usage string, stderr io.Writer) *opCommand {
	c := &opCommand{name: name, usage: "usage: ssmdelegate " + name + " " + usage, stderr: stderr}
	c.fs = newFlagSet(name, c.usage, stderr)
	c.target.register(c.fs)
	return c
}

// parse parses args, flags anywhere, and checks that between min and max
// positional arguments (max < 0: any number) were given and that the
// target is explicit. It returns the positional arguments, or the exit
// code: 0 for --help, 2 for a usage error.
func (c *opCommand) parse(args []string, minArgs, maxArgs int) ([]string, int) {
	pos, err := parseInterleaved(c.fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0
		}
		return nil, 2
	}
	switch {
	case len(pos) < minArgs:
		return nil, c.usageErr("EXECUTION_ID is required")
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, c.usageErr("unexpected argument %q", pos[maxArgs])
	}
	if err := c.target.check("SSM"); err != nil {
		return nil, c.usageErr("%v", err)
	}
	if c.format != nil && !slices.Contains(c.formats, *c.format) {
		return nil, c.usageErr("--format: want %s", strings.Join(c.formats, " or "))
	}
	return pos, -1
}

// formatFlag registers --format, which parse checks is one of formats;
// the first is the default.
func (c *opCommand) formatFlag(usage string, formats ...string) *string {
	c.format, c.formats = c.fs.String("format", formats[0], usage), formats
	return c.format
}

func (c *opCommand) usageErr(format string, a ...any) int {
	fmt.Fprintf(c.stderr, "ssmdelegate %s: "+format+"\n", append([]any{c.name}, a...)...)
	fmt.Fprintln(c.stderr, c.usage)
	return 2
}

func (c *opCommand) fail(err error) int {
	fmt.Fprintf(c.stderr, "ssmdelegate %s: %v\n", c.name, err)
	return 1
}

func (c *opCommand) client(ctx context.Context) (*ssm.Client, error) {
	t, err := c.target.connect(ctx)
	if err != nil {
		return nil, err
	}
	return t.ssm(), nil
}

const targetUsage = "(--endpoint URL | --aws) [--region R] [--profile P]"

func cmdApprove(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return approveOrReject(ctx, "approve", args, stdout, stderr)
}

func cmdReject(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return approveOrReject(ctx, "reject", args, stdout, stderr)
}

func approveOrReject(ctx context.Context, name string, args []string, stdout, stderr io.Writer) int {
	c := newOpCommand(name, "EXECUTION_ID [--comment TEXT] "+targetUsage, stderr)
	comment := c.fs.String("comment", "", "comment recorded with the decision")
	pos, code := c.parse(args, 1, 1)
	if code >= 0 {
		return code
	}
	client, err := c.client(ctx)
	if err != nil {
		return c.fail(err)
	}
	decide, done := execution.Approve, "approved"
	if name == "reject" {
		decide, done = execution.Reject, "rejected"
	}
	if err := decide(ctx, client, pos[0], *comment); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(stdout, "%s %s\n", done, pos[0])
	return 0
}

func cmdSignal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newOpCommand("signal", "EXECUTION_ID --type StartStep|StopStep|Resume|Revoke [--step NAME] [--payload K=V]... "+targetUsage, stderr)
	typ := c.fs.String("type", "", "signal type: StartStep, StopStep, Resume or Revoke (approve and reject have their own commands)")
	step := c.fs.String("step", "", "with StartStep: the step to run; with StopStep: the running step to stop; with Resume: the paused step (default: the one waiting)")
	var payload kvFlags
	c.fs.Var(&payload, "payload", "further payload KEY=VALUE (repeatable)")
	pos, code := c.parse(args, 1, 1)
	if code >= 0 {
		return code
	}
	st := types.SignalType(*typ)
	switch st {
	case types.SignalTypeStartStep, types.SignalTypeStopStep:
		if *step == "" {
			return c.usageErr("--type %s needs --step NAME", st)
		}
	case types.SignalTypeResume:
	case types.SignalTypeRevoke:
		if *step != "" {
			return c.usageErr("--step goes with StartStep, StopStep and Resume")
		}
	case "":
		return c.usageErr("--type is required")
	default:
		return c.usageErr("--type: want StartStep, StopStep, Resume or Revoke (approve and reject have their own commands)")
	}
	client, err := c.client(ctx)
	if err != nil {
		return c.fail(err)
	}
	id := pos[0]
	opts := []func(*execution.SignalOptions){execution.WithPayload(payload.values(nil))}
	switch st {
	case types.SignalTypeStartStep:
		err = execution.StartStep(ctx, client, id, *step, opts...)
	case types.SignalTypeStopStep:
		var sid string
		if sid, err = runningStepID(ctx, client, id, *step); err == nil {
			err = execution.StopStep(ctx, client, id, sid, opts...)
		}
	case types.SignalTypeResume:
		if *step != "" {
			opts = append(opts, execution.WithStepName(*step))
		}
		err = execution.Resume(ctx, client, id, opts...)
	default:
		err = execution.Revoke(ctx, client, id, opts...)
	}
	if err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(stdout, "sent %s to %s\n", st, id)
	return 0
}

// errNoRunningStep is returned when StopStep names a step that is not
// running.
var errNoRunningStep = errors.New("no running step of that name")

// runningStepID finds the step execution id StopStep needs from the
// step's name: the execution's running step of that name.
func runningStepID(ctx context.Context, client execution.GetAutomationExecutionAPIClient, id, name string) (string, error) {
	out, err := client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("read %s: %w", id, err)
	}
	steps := out.AutomationExecution.StepExecutions
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if aws.ToString(s.StepName) == name && execution.Classify(s.StepStatus) == execution.InProgress && s.StepStatus != types.AutomationExecutionStatusPending {
			return aws.ToString(s.StepExecutionId), nil
		}
	}
	return "", fmt.Errorf("%s: step %s: %w", id, name, errNoRunningStep)
}

func cmdStop(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newOpCommand("stop", "EXECUTION_ID [--type Cancel|Complete] "+targetUsage, stderr)
	typ := c.fs.String("type", "Cancel", "Cancel (the running step is cancelled) or Complete (the execution is marked complete)")
	pos, code := c.parse(args, 1, 1)
	if code >= 0 {
		return code
	}
	stop := execution.Cancel
	switch types.StopType(*typ) {
	case types.StopTypeCancel:
	case types.StopTypeComplete:
		stop = execution.Complete
	default:
		return c.usageErr("--type: want Cancel or Complete")
	}
	client, err := c.client(ctx)
	if err != nil {
		return c.fail(err)
	}
	if err := stop(ctx, client, pos[0]); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(stdout, "stopped %s (%s)\n", pos[0], *typ)
	return 0
}

// watchEvent is one line of watch --format json.
type watchEvent struct {
	ExecutionID    string `json:"executionId"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previousStatus,omitempty"`
	Step           string `json:"step,omitempty"`
	Action         string `json:"action,omitempty"`
	Final          bool   `json:"final,omitempty"`
	Error          string `json:"error,omitempty"`
	// Location is set on a location's change in a multi-account
	// execution: "ACCOUNT/REGION", its status and its child execution.
	Location         string `json:"location,omitempty"`
	LocationStatus   string `json:"locationStatus,omitempty"`
	ChildExecutionID string `json:"childExecutionId,omitempty"`
}

func cmdWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return watchWith(ctx, args, stdout, stderr)
}

// watchWith is cmdWatch with watcher options on top of the defaults
// (tests sweep a local endpoint faster).
func watchWith(ctx context.Context, args []string, stdout, stderr io.Writer, opts ...func(*execution.WatcherOptions)) int {
	c := newOpCommand("watch", "EXECUTION_ID... [--format text|json] "+targetUsage, stderr)
	format := c.formatFlag("output: text (one line per change) or json (one object per line)", "text", "json")
	ids, code := c.parse(args, 1, -1)
	if code >= 0 {
		return code
	}
	client, err := c.client(ctx)
	if err != nil {
		return c.fail(err)
	}
	failed := 0
	enc := json.NewEncoder(stdout)
	err = execution.NewWatcher(client, opts...).Run(ctx, ids, func(ev execution.Event) {
		ev2 := watchEvent{ExecutionID: ev.ExecutionID, Status: string(ev.Status), PreviousStatus: string(ev.PreviousStatus),
			Step: ev.StepName, Action: ev.Action, Final: ev.Final}
		if ev.Err != nil {
			failed++
			ev2.Error = ev.Err.Error()
		}
		if l := ev.Location; l != nil {
			ev2.Location, ev2.LocationStatus, ev2.ChildExecutionID = l.Key(), string(l.Status), l.ChildExecutionID
		}
		if *format == "json" {
			_ = enc.Encode(ev2)
			return
		}
		if l := ev.Location; l != nil {
			fmt.Fprintln(stdout, locationWatchLine(ev.ExecutionID, l))
			return
		}
		line := fmt.Sprintf("%s %-10s %s", ev.ExecutionID, ev.Status, orDash(ev.StepName))
		if ev.Action != "" {
			line += "  (" + ev.Action + ")"
		}
		if ev.Err != nil {
			line += "  error: " + ev.Err.Error()
		}
		fmt.Fprintln(stdout, line)
	})
	if err != nil {
		return c.fail(err)
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// describedExecution is describe's output: the execution and its steps.
type describedExecution struct {
	ExecutionID    string              `json:"executionId"`
	Document       string              `json:"document"`
	Version        string              `json:"documentVersion,omitempty"`
	Status         string              `json:"status"`
	Mode           string              `json:"mode,omitempty"`
	ExecutedBy     string              `json:"executedBy,omitempty"`
	Start          *time.Time          `json:"start,omitempty"`
	End            *time.Time          `json:"end,omitempty"`
	FailureMessage string              `json:"failureMessage,omitempty"`
	Parameters     map[string][]string `json:"parameters,omitempty"`
	Outputs        map[string][]string `json:"outputs,omitempty"`
	Steps          []describedStep     `json:"steps"`
	// Locations and LocationTotals describe a multi-account execution.
	Locations      []locationResult `json:"locations,omitempty"`
	LocationTotals *locationTotals  `json:"locationTotals,omitempty"`
}

type describedStep struct {
	Name           string     `json:"name"`
	Action         string     `json:"action"`
	Status         string     `json:"status"`
	StepID         string     `json:"stepExecutionId,omitempty"`
	Start          *time.Time `json:"start,omitempty"`
	End            *time.Time `json:"end,omitempty"`
	FailureMessage string     `json:"failureMessage,omitempty"`
}

func describe(ex *types.AutomationExecution) describedExecution {
	d := describedExecution{
		ExecutionID: aws.ToString(ex.AutomationExecutionId), Document: aws.ToString(ex.DocumentName),
		Version: aws.ToString(ex.DocumentVersion), Status: string(ex.AutomationExecutionStatus), Mode: string(ex.Mode),
		ExecutedBy: aws.ToString(ex.ExecutedBy), Start: utc(ex.ExecutionStartTime), End: utc(ex.ExecutionEndTime),
		FailureMessage: aws.ToString(ex.FailureMessage), Parameters: ex.Parameters, Outputs: ex.Outputs,
		Steps: []describedStep{},
	}
	for _, s := range ex.StepExecutions {
		d.Steps = append(d.Steps, describedStep{Name: aws.ToString(s.StepName), Action: aws.ToString(s.Action), Status: string(s.StepStatus),
			StepID: aws.ToString(s.StepExecutionId), Start: utc(s.ExecutionStartTime), End: utc(s.ExecutionEndTime),
			FailureMessage: aws.ToString(s.FailureMessage)})
	}
	if execution.IsMultiAccount(ex) {
		d.Locations, d.LocationTotals = locationResults(execution.LocationsOf(ex))
	}
	return d
}

func utc(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func cmdDescribe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := newOpCommand("describe", "EXECUTION_ID [--format table|json] "+targetUsage, stderr)
	format := c.formatFlag("output: table or json", "table", "json")
	pos, code := c.parse(args, 1, 1)
	if code >= 0 {
		return code
	}
	client, err := c.client(ctx)
	if err != nil {
		return c.fail(err)
	}
	out, err := client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(pos[0])})
	if err != nil {
		return c.fail(fmt.Errorf("read %s: %w", pos[0], err))
	}
	if err := readAllSteps(ctx, client, out.AutomationExecution); err != nil {
		return c.fail(err)
	}
	d := describe(out.AutomationExecution)
	if *format == "json" {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	fmt.Fprintf(stdout, "execution  %s\n", d.ExecutionID)
	doc := d.Document
	if d.Version != "" {
		doc += " (version " + d.Version + ")"
	}
	fmt.Fprintf(stdout, "document   %s\n", doc)
	fmt.Fprintf(stdout, "status     %s\n", d.Status)
	if d.Mode != "" {
		fmt.Fprintf(stdout, "mode       %s\n", d.Mode)
	}
	if d.ExecutedBy != "" {
		fmt.Fprintf(stdout, "by         %s\n", d.ExecutedBy)
	}
	fmt.Fprintf(stdout, "start      %s\n", fmtTime(d.Start))
	fmt.Fprintf(stdout, "end        %s\n", fmtTime(d.End))
	if d.FailureMessage != "" {
		fmt.Fprintf(stdout, "failure    %s\n", d.FailureMessage)
	}
	for _, k := range slices.Sorted(maps.Keys(d.Parameters)) {
		fmt.Fprintf(stdout, "parameter  %s = %s\n", k, strings.Join(d.Parameters[k], ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(d.Outputs)) {
		fmt.Fprintf(stdout, "output     %s = %s\n", k, strings.Join(d.Outputs[k], ", "))
	}
	fmt.Fprintln(stdout)
	rows := [][]string{{"STEP", "ACTION", "STATUS", "START", "END", "FAILURE"}}
	for _, s := range d.Steps {
		rows = append(rows, []string{s.Name, s.Action, s.Status, fmtTime(s.Start), fmtTime(s.End), s.FailureMessage})
	}
	printTable(stdout, rows)
	if execution.IsMultiAccount(out.AutomationExecution) {
		fmt.Fprintln(stdout)
		printLocationTable(stdout, execution.LocationsOf(out.AutomationExecution))
	}
	return 0
}

// printTable prints rows in columns padded to their widest cell.
func printTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			if i == len(r)-1 {
				b.WriteString(cell)
				break
			}
			fmt.Fprintf(&b, "%-*s  ", widths[i], cell)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
