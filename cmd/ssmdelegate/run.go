package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

const runUsage = "usage: ssmdelegate run (FILE | --document NAME) (--endpoint URL | --aws) [--param K=V]... [--mode embedded|runtime|caller --role ARN] [--dry-run] [--wait] [--format text|json]"

// runFlags are the parsed arguments of ssmdelegate run.
type runFlags struct {
	file            string
	document        string
	name            string
	documentVersion string
	params          kvFlags
	mode            string
	role            string
	wait            bool
	maxWait         time.Duration
	dryRun          bool
	format          string
	target          targetFlags
	targetParam     string
	targets         kvFlags
	maxConcurrency  string
	maxErrors       string
	interactive     bool
	tags            kvFlags
	locations       locationFlags
	execRole        string
	orgAccess       bool
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, stdout, stderr)
}

// runWith is cmdRun with waiter options on top of the defaults (tests poll
// a local endpoint faster).
func runWith(ctx context.Context, args []string, stdout, stderr io.Writer, waitOpts ...func(*execution.ExecutionWaiterOptions)) int {
	f, code := parseRunFlags(args, stderr)
	if code >= 0 {
		return code
	}
	r := &runner{flags: f, stdout: stdout, stderr: stderr, waitOpts: waitOpts}
	return r.run(ctx)
}

func parseRunFlags(args []string, stderr io.Writer) (*runFlags, int) {
	var f runFlags
	fs := newFlagSet("run", runUsage, stderr)
	f.register(fs)
	files, code := parseInterspersed(fs, args)
	if code >= 0 {
		return nil, code
	}
	if err := f.check(files); err != nil {
		fmt.Fprintf(stderr, "ssmdelegate run: %v\n", err)
		fmt.Fprintln(stderr, runUsage)
		return nil, 2
	}
	return &f, -1
}

// register defines run's flags on fs.
func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.document, "document", "", "name or ARN of an existing document to run")
	fs.StringVar(&f.name, "name", "", "with FILE: the document name to create or update (default: the file name without extension)")
	fs.StringVar(&f.documentVersion, "document-version", "", "document version to run: a number, $DEFAULT or $LATEST")
	fs.Var(&f.params, "param", "runbook parameter KEY=VALUE (repeatable; repeat a key, or use commas for a list parameter)")
	fs.StringVar(&f.mode, "mode", "", "with FILE: where the service role is named: embedded (default), runtime or caller; with --document: runtime passes --role as AutomationAssumeRole, caller checks the 12-hour limit")
	fs.StringVar(&f.role, "role", "", "service role ARN (default with FILE: a role named after the document)")
	fs.BoolVar(&f.wait, "wait", false, "wait for the execution to end, printing each step change")
	fs.DurationVar(&f.maxWait, "max-wait", 12*time.Hour, "with --wait: give up waiting after this long")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan, the changes and the start it would make, and change nothing")
	fs.StringVar(&f.format, "format", "text", "output: text, or json (one object on standard output at the end; progress on standard error)")
	f.target.register(fs)
	fs.StringVar(&f.targetParam, "target-parameter-name", "", "rate control: the parameter each target resource is passed in")
	fs.Var(&f.targets, "target", "rate control: target KEY=V1,V2 such as tag:Env=prod or ParameterValues=i-1,i-2 (repeatable, at most 5)")
	fs.StringVar(&f.maxConcurrency, "max-concurrency", "", "rate control: how many targets run at once (10 or 10%)")
	fs.StringVar(&f.maxErrors, "max-errors", "", "rate control: errors allowed before stopping (0, 3 or 5%)")
	fs.BoolVar(&f.interactive, "interactive", false, "start in Interactive mode (each step waits for a StartStep signal)")
	fs.Var(&f.tags, "tag", "execution tag KEY=VALUE (repeatable, at most 5)")
	fs.Var(&f.locations, "locations", "run in other accounts and Regions: accounts=A,B;regions=R1,R2[;max-concurrency=N;max-errors=N;exclude=…;children=true] (repeatable, one TargetLocation each)")
	fs.StringVar(&f.execRole, "execution-role-name", "", "with --locations: the role assumed in each target account (default AWS-SystemsManager-AutomationExecutionRole)")
	fs.BoolVar(&f.orgAccess, "organization-access", false, "with --locations: this account can read the organization, so locations may name OUs")
}

// check checks the flags together with the FILE arguments and sets f.file.
func (f *runFlags) check(files []string) error {
	if err := f.checkSource(files); err != nil {
		return err
	}
	if err := f.checkRole(); err != nil {
		return err
	}
	if f.file == "-" && f.name == "" {
		return errors.New("FILE - (standard input) needs --name")
	}
	if f.file != "" && f.name != "" && filepath.Base(f.name) != f.name {
		return fmt.Errorf("--name %q is a document name, not a path", f.name)
	}
	if f.maxWait <= 0 {
		return errors.New("--max-wait must be positive")
	}
	if f.format != "text" && f.format != "json" {
		return errors.New("--format: want text or json")
	}
	return f.target.check(runServices...)
}

// checkSource checks that one document is named, by FILE or --document,
// and sets f.file.
func (f *runFlags) checkSource(files []string) error {
	switch {
	case len(files) > 1:
		return fmt.Errorf("one FILE at most, got %d", len(files))
	case len(files) == 1 && f.document != "":
		return errors.New("give a FILE or --document, not both")
	case len(files) == 0 && f.document == "":
		return errors.New("a FILE or --document NAME is required")
	}
	if len(files) == 1 {
		f.file = files[0]
	}
	return nil
}

// checkRole checks that --mode, --role and --locations fit together.
func (f *runFlags) checkRole() error {
	if f.mode != "" {
		if _, err := delegate.ParseMode(f.mode); err != nil {
			return errors.New("--mode: want embedded, runtime or caller")
		}
	}
	if f.document != "" && f.mode == "embedded" {
		return errors.New("--mode embedded needs a FILE to wire the role into; with --document use runtime or caller")
	}
	if f.mode == "caller" && f.role != "" {
		return errors.New("--mode caller runs without a role; drop --role")
	}
	if f.document != "" && f.mode == "runtime" && f.role == "" {
		return errors.New("--mode runtime needs --role")
	}
	if len(f.locations.locs) > 0 && (f.document == "" || f.mode != "runtime") {
		// Provisioning a FILE would give its single-account role the
		// runbook's permissions; across accounts the automation runs as the
		// administration role, planned with plan --admin-account.
		return errors.New("--locations needs --document NAME --mode runtime --role ADMINISTRATION-ROLE-ARN")
	}
	if len(f.locations.locs) == 0 && (f.execRole != "" || f.orgAccess) {
		return errors.New("--execution-role-name and --organization-access go with --locations")
	}
	return nil
}

type runner struct {
	flags  *runFlags
	stdout io.Writer
	stderr io.Writer

	waitOpts []func(*execution.ExecutionWaiterOptions)

	target  *target
	ssm     *ssm.Client
	account string

	// human receives the lines for a reader: standard output, or standard
	// error with --format json, whose result is built in result.
	human  io.Writer
	result *runResult
}

// runResult is run's --format json output.
type runResult struct {
	Account        string              `json:"account"`
	Region         string              `json:"region"`
	Endpoint       string              `json:"endpoint"`
	DryRun         bool                `json:"dryRun,omitempty"`
	Document       string              `json:"document"`
	Mode           string              `json:"mode,omitempty"`
	Changes        []runChange         `json:"changes"`
	Parameters     map[string][]string `json:"parameters,omitempty"`
	ExecutionID    string              `json:"executionId,omitempty"`
	Status         string              `json:"status,omitempty"`
	Outputs        map[string][]string `json:"outputs,omitempty"`
	FailureMessage string              `json:"failureMessage,omitempty"`
	FailedStep     *describedStep      `json:"failedStep,omitempty"`

	// TargetLocations are the accounts and Regions of --locations.
	TargetLocations []delegate.TargetLocationJSON `json:"targetLocations,omitempty"`
	// Locations are where each location ended, with --locations --wait.
	Locations      []locationResult `json:"locations,omitempty"`
	LocationTotals *locationTotals  `json:"locationTotals,omitempty"`
}

// runChange is one change provisioning made (or, in a dry run, would
// make).
type runChange struct {
	Kind     string `json:"kind"`
	Resource string `json:"resource"`
	Detail   string `json:"detail,omitempty"`
}

// emit prints the JSON result; with text output it does nothing.
func (r *runner) emit(code int) int {
	if r.flags.format != "json" {
		return code
	}
	b, err := json.MarshalIndent(r.result, "", "  ")
	if err != nil {
		return r.fail("%v", err)
	}
	fmt.Fprintf(r.stdout, "%s\n", b)
	return code
}

// runServices are the services run calls.
var runServices = []string{"SSM", "IAM", "STS"}

func (r *runner) fail(format string, a ...any) int {
	fmt.Fprintf(r.stderr, "ssmdelegate run: "+format+"\n", a...)
	return 1
}

func (r *runner) run(ctx context.Context) int {
	r.human = r.stdout
	if r.flags.format == "json" {
		r.human = r.stderr
	}
	if err := r.connect(ctx); err != nil {
		return r.fail("%v", err)
	}
	r.result = &runResult{Account: r.account, Region: r.target.cfg.Region, Endpoint: r.target.where("SSM"),
		DryRun: r.flags.dryRun, Changes: []runChange{}}
	var (
		in   *ssm.StartAutomationExecutionInput
		doc  *runbook.Document
		plan *delegate.Plan
	)
	if r.flags.file != "" {
		var code int
		if plan, code = r.plan(); code != 0 {
			return code
		}
		in, doc = copyStart(plan.Start), plan.Document
	} else {
		in, doc = r.existing(ctx)
		if r.flags.mode == "caller" {
			if code := r.checkCaller(doc); code != 0 {
				return code
			}
		}
	}
	if err := r.applyStartFlags(in, doc); err != nil {
		return r.fail("%v", err)
	}
	// Everything is checked before anything is changed: a start that
	// would be refused provisions nothing.
	if err := execution.ValidateStartInput(in, doc); err != nil {
		return r.startFailed(in, err)
	}
	r.result.Document, r.result.Parameters = aws.ToString(in.DocumentName), in.Parameters
	r.result.TargetLocations = delegate.TargetLocationsWire(in.TargetLocations)
	if plan != nil {
		r.result.Mode = plan.Mode.String()
		if r.flags.dryRun {
			printPlan(r.human, plan)
		}
		if code := r.provision(ctx, plan); code != 0 {
			return code
		}
	}
	if r.flags.dryRun {
		printStart(r.human, in)
		return r.emit(0)
	}
	out, err := execution.StartInput(ctx, r.ssm, in, func(o *execution.StartOptions) { o.Runbook = doc })
	if err != nil {
		return r.startFailed(in, err)
	}
	r.result.ExecutionID = out.ExecutionID
	if !r.flags.wait {
		if r.flags.format == "json" {
			return r.emit(0)
		}
		fmt.Fprintln(r.stdout, out.ExecutionID)
		return 0
	}
	fmt.Fprintf(r.human, "started %s (%s)\n", out.ExecutionID, aws.ToString(in.DocumentName))
	return r.emit(r.waitFor(ctx, out.ExecutionID))
}

// startFailed prints every reason a start was refused.
func (r *runner) startFailed(in *ssm.StartAutomationExecutionInput, err error) int {
	var invalid *execution.InvalidInputError
	if errors.As(err, &invalid) {
		fmt.Fprintf(r.stderr, "ssmdelegate run: cannot start %s:\n", aws.ToString(in.DocumentName))
		for _, p := range invalid.Problems {
			fmt.Fprintf(r.stderr, "  %v\n", p)
		}
		return 1
	}
	return r.fail("%v", err)
}

func copyStart(s *ssm.StartAutomationExecutionInput) *ssm.StartAutomationExecutionInput {
	in := *s
	in.Parameters = copyParams(s.Parameters)
	return &in
}

// printPlan prints what a dry run plans: the mode, the role and the
// document.
func printPlan(w io.Writer, p *delegate.Plan) {
	fmt.Fprintf(w, "plan: %s in %s mode, account %s, Region %s\n", p.DocumentName, p.Mode, p.Account, p.Region)
	if p.Role != nil {
		fmt.Fprintf(w, "  role: %s (inline policy %s", p.Role.ARN, p.Role.PolicyName)
		if p.Role.Permissions != nil {
			fmt.Fprintf(w, ", %d statements", len(p.Role.Permissions.Statement))
		}
		fmt.Fprintln(w, ")")
	}
	if p.CreateDocument {
		fmt.Fprintf(w, "  document: %s\n", p.DocumentARN)
	}
	switch {
	case p.Unbounded:
		fmt.Fprintln(w, "  duration: unbounded")
	case p.MaxDuration > 0:
		fmt.Fprintf(w, "  duration: at most %s\n", p.MaxDuration)
	}
}

// printStart prints the start a dry run would send.
func printStart(w io.Writer, in *ssm.StartAutomationExecutionInput) {
	fmt.Fprintf(w, "would start: %s", aws.ToString(in.DocumentName))
	if v := aws.ToString(in.DocumentVersion); v != "" {
		fmt.Fprintf(w, " version %s", v)
	}
	if in.Mode != "" {
		fmt.Fprintf(w, " in %s mode", in.Mode)
	}
	fmt.Fprintln(w)
	for _, k := range slices.Sorted(maps.Keys(in.Parameters)) {
		fmt.Fprintf(w, "  parameter %s = %s\n", k, strings.Join(in.Parameters[k], ", "))
	}
	if t := aws.ToString(in.TargetParameterName); t != "" {
		fmt.Fprintf(w, "  rate control: %s per target, concurrency %s, errors %s\n", t, aws.ToString(in.MaxConcurrency), aws.ToString(in.MaxErrors))
	}
	for _, t := range in.Targets {
		fmt.Fprintf(w, "  target %s = %s\n", aws.ToString(t.Key), strings.Join(t.Values, ", "))
	}
	for _, t := range in.Tags {
		fmt.Fprintf(w, "  tag %s = %s\n", aws.ToString(t.Key), aws.ToString(t.Value))
	}
	printLocations(w, in)
}

// connect loads the AWS configuration, finds the account and says what
// run will change before anything is changed.
func (r *runner) connect(ctx context.Context) error {
	t, err := r.flags.target.connect(ctx)
	if err != nil {
		return err
	}
	r.target = t
	r.ssm = t.ssm()
	if r.account, err = t.account(ctx); err != nil {
		return err
	}
	t.announce(r.stderr, r.account, runServices...)
	return nil
}

// existing prepares the start of a document that already exists. Its
// content, when readable, lets the parameters be checked before the start.
func (r *runner) existing(ctx context.Context) (*ssm.StartAutomationExecutionInput, *runbook.Document) {
	in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String(r.flags.document)}
	if r.flags.documentVersion != "" {
		in.DocumentVersion = aws.String(r.flags.documentVersion)
	}
	if r.flags.mode == "runtime" {
		in.Parameters = map[string][]string{delegate.AssumeRoleParameter: {r.flags.role}}
	}
	got, err := r.ssm.GetDocument(ctx, &ssm.GetDocumentInput{
		Name:            aws.String(r.flags.document),
		DocumentVersion: in.DocumentVersion,
		DocumentFormat:  types.DocumentFormatJson,
	})
	if err != nil {
		fmt.Fprintf(r.stderr, "warning: cannot read %s to check its parameters: %v\n", r.flags.document, err)
		return in, nil
	}
	doc, err := runbook.Parse([]byte(aws.ToString(got.Content)))
	if err != nil {
		fmt.Fprintf(r.stderr, "warning: cannot parse %s to check its parameters: %v\n", r.flags.document, err)
		return in, nil
	}
	return in, doc
}

// checkCaller refuses to run an existing document in the caller's session
// when it may outlast the session's 12 hours, with the delegate package's
// rule.
func (r *runner) checkCaller(doc *runbook.Document) int {
	if doc == nil {
		return r.fail("--mode caller needs %s's content to check the 12-hour limit of the caller's session", r.flags.document)
	}
	_, err := delegate.NewPlan(delegate.ExistingDocument(r.flags.document, doc), delegate.Caller, r.account, r.target.cfg.Region,
		func(o *delegate.Options) { o.Parameters = r.paramValues(doc) })
	if err != nil {
		return r.planFailed(r.flags.document, delegate.Caller, err)
	}
	return 0
}

// planFailed prints every reason a plan was refused.
func (r *runner) planFailed(name string, mode delegate.Mode, err error) int {
	var pe *delegate.PlanError
	if errors.As(err, &pe) {
		fmt.Fprintf(r.stderr, "ssmdelegate run: cannot plan %s in %s mode:\n", name, mode)
		for _, p := range pe.Problems {
			fmt.Fprintf(r.stderr, "  %v\n", p)
		}
		return 1
	}
	return r.fail("%v", err)
}

// plan plans the runbook in FILE with the delegate package.
func (r *runner) plan() (*delegate.Plan, int) {
	data, err := readInput(r.flags.file)
	if err != nil {
		return nil, r.fail("%v", err)
	}
	doc, err := runbook.Parse(data)
	if err != nil {
		return nil, r.fail("%s: %v", r.flags.file, err)
	}
	name := r.flags.name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(r.flags.file), filepath.Ext(r.flags.file))
	}
	mode := delegate.Embedded
	if r.flags.mode != "" {
		mode, _ = delegate.ParseMode(r.flags.mode)
	}
	plan, err := delegate.NewPlan(delegate.NewDocument(name, doc), mode, r.account, r.target.cfg.Region, func(o *delegate.Options) {
		o.RoleARN = r.flags.role
		o.DocumentVersion = r.flags.documentVersion
		// The plan checks the command line's values; rate control fills
		// the target parameter per child.
		o.Parameters = r.paramValues(doc)
	})
	if err != nil {
		return nil, r.planFailed(name, mode, err)
	}
	return plan, 0
}

// provision applies the plan (service role, its policies, the document),
// or with --dry-run prints the changes it would make.
func (r *runner) provision(ctx context.Context, plan *delegate.Plan) int {
	printPlanWarnings(r.stderr, plan, func(w delegate.Warning) bool {
		return r.flags.targetParam != "" && w.Field == "start.Parameters."+r.flags.targetParam
	})
	changes, err := delegate.Provision(ctx, r.target.iam(), r.ssm, plan, func(o *delegate.ProvisionOptions) { o.DryRun = r.flags.dryRun })
	verb := "provisioned"
	if r.flags.dryRun {
		verb = "would provision"
	}
	for _, c := range changes {
		r.result.Changes = append(r.result.Changes, runChange{Kind: c.Kind.String(), Resource: c.Resource, Detail: c.Detail})
		fmt.Fprintf(r.human, "%s: %s\n", verb, c)
	}
	if err != nil {
		return r.fail("provision %s: %v", plan.DocumentName, err)
	}
	return 0
}

// paramValues returns the --param values; a single comma-separated value of
// a list parameter is split, as the AWS CLI does.
func (r *runner) paramValues(doc *runbook.Document) map[string][]string {
	return r.flags.params.values(listParams(doc))
}

func copyParams(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// applyStartFlags adds the command line's parameters, rate control and
// tags to the start input. A single comma-separated value of a list
// parameter is split, as the AWS CLI does.
func (r *runner) applyStartFlags(in *ssm.StartAutomationExecutionInput, doc *runbook.Document) error {
	params := r.paramValues(doc)
	if len(params) > 0 && in.Parameters == nil {
		in.Parameters = map[string][]string{}
	}
	for k, v := range params {
		in.Parameters[k] = v
	}
	if r.flags.interactive {
		in.Mode = types.ExecutionModeInteractive
	}
	if r.flags.targetParam != "" {
		in.TargetParameterName = aws.String(r.flags.targetParam)
	}
	for _, k := range r.flags.targets.order {
		var values []string
		for _, v := range r.flags.targets.m[k] {
			values = append(values, strings.Split(v, ",")...)
		}
		in.Targets = append(in.Targets, types.Target{Key: aws.String(k), Values: values})
	}
	if r.flags.maxConcurrency != "" {
		in.MaxConcurrency = aws.String(r.flags.maxConcurrency)
	}
	if r.flags.maxErrors != "" {
		in.MaxErrors = aws.String(r.flags.maxErrors)
	}
	for _, k := range r.flags.tags.order {
		for _, v := range r.flags.tags.m[k] {
			in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
	}
	if len(r.flags.locations.locs) > 0 {
		return applyLocations(in, r.flags.locations.locs, r.account, r.target.cfg.Region, r.flags.execRole, r.flags.orgAccess)
	}
	return nil
}

// waitFor waits for the execution, printing one line per step change (and
// keeping a live status line on a terminal), and turns its end into the
// exit code.
func (r *runner) waitFor(ctx context.Context, id string) int {
	p := newRunProgress(r.human, isTerminal(r.human))
	defer p.stop()
	opts := append([]func(*execution.ExecutionWaiterOptions){func(o *execution.ExecutionWaiterOptions) {
		o.OnProgress = p.report
	}}, r.waitOpts...)
	waiter := execution.NewExecutionWaiter(r.ssm, opts...)
	out, err := waiter.WaitForOutput(ctx, id, r.flags.maxWait)
	p.stop()
	var failed *execution.ExecutionFailedError
	switch {
	case err == nil:
		ex := out.AutomationExecution
		r.result.Status, r.result.Outputs = string(ex.AutomationExecutionStatus), ex.Outputs
		fmt.Fprintf(r.human, "%s %s\n", id, ex.AutomationExecutionStatus)
		printOutputs(r.human, ex.Outputs)
		r.printLocationsEnd(ex)
		return 0
	case errors.As(err, &failed):
		r.result.Status, r.result.FailureMessage = string(failed.Status), failed.FailureMessage
		if s := failed.FailedStep; s != nil {
			d := describe(&types.AutomationExecution{StepExecutions: []types.StepExecution{*s}}).Steps[0]
			r.result.FailedStep = &d
		}
		fmt.Fprintf(r.human, "%s %s\n", id, failed.Status)
		fmt.Fprintf(r.stderr, "ssmdelegate run: %s ended with status %s\n", id, failed.Status)
		if failed.FailureMessage != "" {
			fmt.Fprintf(r.stderr, "  failure: %s\n", failed.FailureMessage)
		}
		if s := failed.FailedStep; s != nil {
			fmt.Fprintf(r.stderr, "  failed step: %s (%s) %s\n", aws.ToString(s.StepName), aws.ToString(s.Action), s.StepStatus)
			// The execution's failure usually quotes the step's: print
			// the cause once.
			if m := aws.ToString(s.FailureMessage); m != "" && !strings.Contains(failed.FailureMessage, m) {
				fmt.Fprintf(r.stderr, "  step failure: %s\n", m)
			}
			if d := s.FailureDetails; d != nil {
				fmt.Fprintf(r.stderr, "  failure type: %s, stage: %s\n", aws.ToString(d.FailureType), aws.ToString(d.FailureStage))
				for _, k := range slices.Sorted(maps.Keys(d.Details)) {
					v := strings.Join(d.Details[k], ", ")
					if !strings.Contains(failed.FailureMessage, v) {
						fmt.Fprintf(r.stderr, "  %s: %s\n", k, v)
					}
				}
			}
		}
		r.printLocationsEnd(failed.Execution)
		return 1
	default:
		return r.fail("%v", err)
	}
}

func printOutputs(w io.Writer, outputs map[string][]string) {
	for _, k := range slices.Sorted(maps.Keys(outputs)) {
		fmt.Fprintf(w, "  output %s = %s\n", k, strings.Join(outputs[k], ", "))
	}
}

// heartbeat is how long progress stays silent off a terminal before it
// says the execution is still where it was: a log reader then knows the
// command is alive during a long sleep or approval.
const heartbeat = 30 * time.Second

// runProgress prints step changes. On a terminal it also keeps a live
// status line at the bottom, redrawn every second with the elapsed time,
// naming the step that is running; elsewhere it prints a heartbeat line
// after each heartbeat of silence.
type runProgress struct {
	mu       sync.Mutex
	w        io.Writer
	live     bool
	start    time.Time
	lastLine time.Time
	status   types.AutomationExecutionStatus
	steps    map[string]types.AutomationExecutionStatus
	order    []string
	actions  map[string]string
	done     chan struct{}
	stopped  sync.Once
	wg       sync.WaitGroup
	// locs are a multi-account execution's locations, by key; block is
	// the number of lines of the live block on screen.
	locs  map[string]execution.LocationStatus
	block int
}

func newRunProgress(w io.Writer, live bool) *runProgress {
	now := time.Now()
	p := &runProgress{w: w, live: live, start: now, lastLine: now, done: make(chan struct{}),
		steps: map[string]types.AutomationExecutionStatus{}, actions: map[string]string{}}
	p.wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.mu.Lock()
				switch {
				case p.live:
					p.redraw()
				case p.locs != nil && time.Since(p.lastLine) >= heartbeat:
					p.locationHeartbeat()
				case p.status != "" && time.Since(p.lastLine) >= heartbeat:
					p.heartbeat()
				}
				p.mu.Unlock()
			}
		}
	})
	return p
}

// running is the step the execution is at: the last one that has started
// and not ended, else the last one reported that is not still pending.
func (p *runProgress) running() string {
	var fallback string
	for i := len(p.order) - 1; i >= 0; i-- {
		name := p.order[i]
		switch st := p.steps[name]; {
		case st == types.AutomationExecutionStatusPending:
		case execution.Classify(st) == execution.InProgress:
			return name
		case fallback == "":
			fallback = name
		}
	}
	if fallback == "" {
		return "-"
	}
	return fallback
}

func (p *runProgress) heartbeat() {
	step := p.running()
	line := progressLine(time.Since(p.start), p.status, step, "still "+string(p.steps[step]))
	if a := p.actions[step]; a != "" {
		line += "  (" + a + ")"
	}
	fmt.Fprintln(p.w, strings.TrimRight(line, " "))
	p.lastLine = time.Now()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *runProgress) redraw() {
	if p.live && p.locs != nil {
		p.clearLive()
		p.drawBlock()
		return
	}
	if p.live && p.status != "" {
		fmt.Fprintf(p.w, "\r\033[K%s · %s  %s", p.status, p.running(), time.Since(p.start).Truncate(time.Second))
	}
}

func (p *runProgress) report(ev execution.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLive()
	if ev.Location != nil || (p.locs != nil && ev.StepName == "") {
		p.reportLocation(ev)
		p.status = ev.Status
		p.lastLine = time.Now()
		p.redraw()
		return
	}
	step := ev.StepName
	if step == "" {
		step = "-"
	} else {
		if _, ok := p.steps[step]; !ok {
			p.order = append(p.order, step)
		}
		p.steps[step] = ev.StepStatus
		p.actions[step] = ev.Action
	}
	line := progressLine(ev.Elapsed, ev.Status, step, string(ev.StepStatus))
	if ev.Action != "" {
		line += "  (" + ev.Action + ")"
	}
	if c := ev.Counters; c != nil && c.TotalSteps > 0 {
		line += fmt.Sprintf("  [%d/%d ok, %d failed]", c.SuccessSteps, c.TotalSteps, c.FailedSteps+c.TimedOutSteps+c.CancelledSteps)
	}
	fmt.Fprintln(p.w, strings.TrimRight(line, " "))
	if execution.WaitsForPerson(ev.Status) && ev.Status != p.status {
		fmt.Fprintf(p.w, "%9s  %s\n", "", inputHint(ev))
	}
	p.status = ev.Status
	p.lastLine = time.Now()
	p.redraw()
}

// inputHint says what the execution waits for and which signal moves it on:
// Approve or Reject for an approval, Resume for a pause, StartStep in
// interactive mode.
func inputHint(ev execution.Progress) string {
	signal := "aws ssm send-automation-signal --automation-execution-id " + ev.ExecutionID + " --signal-type "
	switch {
	case ev.Status == types.AutomationExecutionStatusPendingChangeCalendarOverride:
		return "waiting for a change calendar override to be approved"
	case ev.Action == "aws:approve" || ev.Status == types.AutomationExecutionStatusPendingApproval:
		return "waiting for approval: " + signal + "Approve (or Reject)"
	case ev.Action == "aws:pause":
		return "paused: " + signal + "Resume"
	}
	return "waiting for input: " + signal + "Resume, or StartStep --payload StepName=NAME in interactive mode"
}

// progressLine is the one layout of run's progress lines: the time since
// the start, the execution's status, what changed (a step or a location)
// and how.
func progressLine(elapsed time.Duration, status types.AutomationExecutionStatus, subject, what string) string {
	return fmt.Sprintf("%9s  %-10s %-24s %s", fmtElapsed(elapsed), status, subject, what)
}

func fmtElapsed(d time.Duration) string {
	d = d.Truncate(time.Second)
	return fmt.Sprintf("+%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

func (p *runProgress) stop() {
	p.stopped.Do(func() {
		close(p.done)
		p.wg.Wait()
		p.mu.Lock()
		defer p.mu.Unlock()
		p.clearLive()
	})
}
