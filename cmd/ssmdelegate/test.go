package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const testUsage = "usage: ssmdelegate test RUNBOOK [--stubs FILE] [--run-scripts] [--attachments DIR] [--param K=V]... [--format text|json]"

// testFlags are the parsed arguments of ssmdelegate test. A new flag is
// one line in register and, when it configures the endpoint, one in
// serverOptions.
type testFlags struct {
	file    string
	stubs   string
	params  kvFlags
	format  string
	maxWait time.Duration
	// runScripts and attachments are local's --run-scripts and
	// --attachments: scripts run on this machine only when asked.
	runScripts  bool
	attachments string
}

func (f *testFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.stubs, "stubs", "", "stubs file (YAML or JSON) answering the AWS calls the embedded endpoint does not emulate")
	fs.Var(&f.params, "param", "runbook parameter KEY=VALUE (repeatable; repeat a key, or use commas for a list parameter)")
	fs.StringVar(&f.format, "format", "text", "output: text, or json (one object)")
	fs.BoolVar(&f.runScripts, "run-scripts", false, "run aws:executeScript steps' scripts on this machine, as you, with temporary credentials of the derived role (off: script steps fail)")
	fs.StringVar(&f.attachments, "attachments", "", "directory holding the attachments aws:executeScript steps name (a .py or .zip file, by name)")
	fs.DurationVar(&f.maxWait, "max-wait", 5*time.Minute, "give up after this long in real time (the endpoint's clock jumps over waits)")
}

// serverOptions configure the in-process endpoint from the flags.
func (f *testFlags) serverOptions(stubs *ssmlocal.StubRegistry) []func(*ssmlocal.Options) {
	return []func(*ssmlocal.Options){
		func(o *ssmlocal.Options) {
			o.Clock = ssmlocal.AutoClock(time.Now())
			o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			o.RunScripts, o.AttachmentsDir = f.runScripts, f.attachments
		},
		ssmlocal.WithStubs(stubs),
	}
}

// testHooks let this package's tests change the plan before it is
// provisioned (to take a permission away from the derived role).
type testHooks struct {
	editPlan func(*delegate.Plan)
}

// testResult is test's report, and its --format json output.
type testResult struct {
	Document       string     `json:"document"`
	Role           string     `json:"role,omitempty"`
	ExecutionID    string     `json:"executionId,omitempty"`
	Status         string     `json:"status"`
	FailureMessage string     `json:"failureMessage,omitempty"`
	Steps          []testStep `json:"steps"`
	Calls          []testCall `json:"calls"`
}

type testStep struct {
	Name    string `json:"name"`
	Action  string `json:"action"`
	Status  string `json:"status"`
	Failure string `json:"failure,omitempty"`
}

// testCall is one AWS call the execution made, from the audit trail.
type testCall struct {
	Step      string   `json:"step,omitempty"`
	Service   string   `json:"service"`
	Operation string   `json:"operation"`
	Actions   []string `json:"actions,omitempty"`
	Decision  string   `json:"decision,omitempty"`
	Error     string   `json:"error,omitempty"`
	// Count is how many times in a row the step made this same call
	// with the same outcome (a poll); 1 is omitted.
	Count int `json:"count,omitempty"`
}

// sameCall reports whether b repeats a (a poll), so the report says it
// once with a count.
func sameCall(a, b testCall) bool {
	return a.Step == b.Step && a.Service == b.Service && a.Operation == b.Operation &&
		slices.Equal(a.Actions, b.Actions) && a.Decision == b.Decision && a.Error == b.Error
}

func cmdTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return testWith(ctx, args, stdout, stderr, testHooks{})
}

func parseTestFlags(args []string, stderr io.Writer) (*testFlags, int) {
	var f testFlags
	fs := newFlagSet("test", testUsage, stderr)
	f.register(fs)
	files, code := parseInterspersed(fs, args)
	if code >= 0 {
		return nil, code
	}
	usageErr := func(format string, a ...any) (*testFlags, int) {
		fmt.Fprintf(stderr, "ssmdelegate test: "+format+"\n", a...)
		fmt.Fprintln(stderr, testUsage)
		return nil, 2
	}
	switch {
	case len(files) != 1:
		return usageErr("one RUNBOOK file is required, got %d", len(files))
	case f.format != "text" && f.format != "json":
		return usageErr("--format: want text or json")
	case f.maxWait <= 0:
		return usageErr("--max-wait must be positive")
	}
	f.file = files[0]
	return &f, -1
}

// testWith runs a runbook against an in-process endpoint: it derives the
// service role with package policy, provisions it and the document with
// package delegate (embedded mode, as run does), starts the execution,
// waits for it and reports its steps and every AWS call it made.
func testWith(ctx context.Context, args []string, stdout, stderr io.Writer, hooks testHooks) int {
	f, code := parseTestFlags(args, stderr)
	if code >= 0 {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ssmdelegate test: "+format+"\n", a...)
		return 1
	}
	doc, stubs, err := f.load()
	if err != nil {
		return fail("%v", err)
	}
	srv, err := ssmlocal.New(f.serverOptions(stubs)...)
	if err != nil {
		return fail("start the endpoint: %v", err)
	}
	defer srv.Close()

	name := strings.TrimSuffix(filepath.Base(f.file), filepath.Ext(f.file))
	if name == "" || name == "-" {
		name = "Runbook"
	}
	params := f.params.values(listParams(doc))
	plan, code := planTest(name, doc, srv, stubs, params, stderr)
	if plan == nil {
		return code
	}
	if hooks.editPlan != nil {
		hooks.editPlan(plan)
	}
	cfg := srv.AdminConfig()
	ssmc := ssm.NewFromConfig(cfg)
	if _, err := delegate.Provision(ctx, iam.NewFromConfig(cfg), ssmc, plan); err != nil {
		return fail("provision %s: %v", name, err)
	}
	in := copyStart(plan.Start)
	for k, v := range params {
		if in.Parameters == nil {
			in.Parameters = map[string][]string{}
		}
		in.Parameters[k] = v
	}
	res := &testResult{Document: name, Steps: []testStep{}, Calls: []testCall{}}
	if plan.Role != nil {
		res.Role = plan.Role.ARN
	}
	out, err := execution.StartInput(ctx, ssmc, in, func(o *execution.StartOptions) { o.Runbook = plan.Document })
	if err != nil {
		return fail("start %s: %v", name, err)
	}
	res.ExecutionID = out.ExecutionID
	waiter := execution.NewExecutionWaiter(ssmc, func(o *execution.ExecutionWaiterOptions) {
		o.MinDelay, o.MaxDelay = 5*time.Millisecond, 50*time.Millisecond
	})
	_, werr := waiter.WaitForOutput(ctx, out.ExecutionID, f.maxWait)
	got, err := ssmc.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(out.ExecutionID)})
	if err != nil {
		return fail("read %s: %v", out.ExecutionID, err)
	}
	x := got.AutomationExecution
	res.Status, res.FailureMessage = string(x.AutomationExecutionStatus), aws.ToString(x.FailureMessage)
	for _, s := range x.StepExecutions {
		res.Steps = append(res.Steps, testStep{Name: aws.ToString(s.StepName), Action: aws.ToString(s.Action), Status: string(s.StepStatus), Failure: aws.ToString(s.FailureMessage)})
	}
	tree, err := executionTree(ctx, ssmc, out.ExecutionID)
	if err != nil {
		return fail("list the child executions of %s: %v", out.ExecutionID, err)
	}
	res.addCalls(srv.Audit(), tree)
	var ended *execution.ExecutionFailedError
	if werr != nil && !errors.As(werr, &ended) {
		// Interrupted or out of time: the report shows where it stood.
		fmt.Fprintf(stderr, "ssmdelegate test: waiting for %s: %v\n", out.ExecutionID, werr)
	}
	if err := writeTestResult(stdout, res, f.format); err != nil {
		return fail("%v", err)
	}
	if x.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
		return 1
	}
	return 0
}

// load reads and parses the runbook and the stubs, if any.
func (f *testFlags) load() (*runbook.Document, *ssmlocal.StubRegistry, error) {
	data, err := readInput(f.file)
	if err != nil {
		return nil, nil, err
	}
	doc, err := runbook.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", f.file, err)
	}
	stubs := ssmlocal.NewStubRegistry()
	if f.stubs != "" {
		if stubs, err = ssmlocal.LoadStubs(f.stubs); err != nil {
			return nil, nil, fmt.Errorf("--stubs %s: %w", f.stubs, err)
		}
	}
	return doc, stubs, nil
}

// planTest plans the runbook in embedded mode, as run does; operations
// the stubs declare IAM actions for derive with them. A nil plan comes
// with the exit code, its problems reported on stderr.
func planTest(name string, doc *runbook.Document, srv *ssmlocal.Server, stubs *ssmlocal.StubRegistry, params map[string][]string, stderr io.Writer) (*delegate.Plan, int) {
	plan, err := delegate.NewPlan(delegate.NewDocument(name, doc), delegate.Embedded, srv.AccountID(), srv.Region(), func(o *delegate.Options) {
		o.Parameters = params
		actions := stubs.APIActions()
		o.DeriveOptions = append(o.DeriveOptions, func(ro *policy.RunbookOptions) { ro.APIActions = actions })
	})
	if err == nil {
		return plan, 0
	}
	var pe *delegate.PlanError
	if !errors.As(err, &pe) {
		fmt.Fprintf(stderr, "ssmdelegate test: %v\n", err)
		return nil, 1
	}
	fmt.Fprintf(stderr, "ssmdelegate test: cannot plan %s:\n", name)
	for _, p := range pe.Problems {
		fmt.Fprintf(stderr, "  %v\n", p)
	}
	fmt.Fprintln(stderr, "  (an API call whose IAM action is unknown can be declared with actions: in the --stubs file)")
	return nil, 1
}

// addCalls adds the calls the steps of the execution and its children
// made, in order, counting repeats of one call once.
func (res *testResult) addCalls(audit []ssmlocal.AuditEvent, tree map[string]string) {
	for _, e := range audit {
		prefix, ok := tree[e.ExecutionID]
		if !ok || e.StepName == "" {
			continue // another execution, or Automation's own calls (assuming the role)
		}
		c := testCall{Step: prefix + e.StepName, Service: e.Service, Operation: e.API, Actions: e.Actions, Decision: e.Decision}
		if e.ErrorCode != "" {
			c.Error = e.ErrorCode
		}
		if n := len(res.Calls); n > 0 && sameCall(res.Calls[n-1], c) {
			res.Calls[n-1].Count = max(res.Calls[n-1].Count, 1) + 1
			continue
		}
		res.Calls = append(res.Calls, c)
	}
}

// writeTestResult writes the report as JSON or text.
func writeTestResult(stdout io.Writer, res *testResult, format string) error {
	if format != "json" {
		printTestResult(stdout, res)
		return nil
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", b)
	return nil
}

// maxTestExecutions bounds the executions test reports calls of: AWS
// nests automations five levels deep, and a runbook fanning out by rate
// control can start many children.
const maxTestExecutions = 1000

// executionTree maps the execution and its child executions (started by
// aws:executeAutomation or rate control, at any depth) to the prefix their
// calls are reported with: none for the execution itself, "DOCUMENT/" for
// a child.
func executionTree(ctx context.Context, client execution.DescribeAutomationExecutionsAPIClient, id string) (map[string]string, error) {
	tree := map[string]string{id: ""}
	queue := []string{id}
	for len(queue) > 0 && len(tree) < maxTestExecutions {
		parent := queue[0]
		queue = queue[1:]
		children, err := execution.ListChildExecutions(ctx, client, parent)
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			cid := aws.ToString(c.AutomationExecutionId)
			if _, seen := tree[cid]; seen || cid == "" {
				continue
			}
			tree[cid] = tree[parent] + aws.ToString(c.DocumentName) + "/"
			queue = append(queue, cid)
		}
	}
	return tree, nil
}

func printTestResult(w io.Writer, r *testResult) {
	fmt.Fprintf(w, "%s: execution %s as %s\n", r.Document, r.ExecutionID, r.Role)
	fmt.Fprintln(w, "steps:")
	for _, s := range r.Steps {
		fmt.Fprintf(w, "  %-24s %-32s %s\n", s.Name, s.Action, s.Status)
		if s.Failure != "" {
			fmt.Fprintf(w, "      %s\n", s.Failure)
		}
	}
	fmt.Fprintln(w, "calls:")
	if len(r.Calls) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, c := range r.Calls {
		actions := strings.Join(c.Actions, ",")
		if actions == "" {
			actions = "-"
		}
		decision := c.Decision
		if decision == "" {
			decision = "-"
		}
		line := fmt.Sprintf("  %-24s %-40s %-40s %s", c.Step, c.Service+":"+c.Operation, actions, decision)
		if c.Error != "" {
			line += " " + c.Error
		}
		if c.Count > 1 {
			line += fmt.Sprintf(" (%d times)", c.Count)
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	fmt.Fprintf(w, "status: %s\n", r.Status)
	if r.FailureMessage != "" {
		fmt.Fprintf(w, "failure: %s\n", r.FailureMessage)
	}
}
