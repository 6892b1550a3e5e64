package execution

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
)

// LocationStatus is where one location (an account and a Region) of a
// multi-account execution stands, read from the parent execution's step
// for that location.
type LocationStatus struct {
	Account string
	Region  string
	// ExecutionRoleName is the role assumed in the account.
	ExecutionRoleName string
	// Status is the location's step status, which mirrors its child
	// execution (or the child's own status, when it was read in the
	// target account).
	Status types.AutomationExecutionStatus
	// ChildExecutionID is the execution run in the target account, empty
	// when none was started (such as when the role could not be assumed).
	ChildExecutionID string
	FailureMessage   string
	// FailureType is the step's FailureDetails.FailureType, if any.
	FailureType string
	// StepName and StepExecutionID name the parent's step.
	StepName        string
	StepExecutionID string
	// Start and End are zero when the service does not say.
	Start time.Time
	End   time.Time
	// FromChild says Status was read from the child execution itself.
	FromChild bool
}

// Key identifies the location: "ACCOUNT/REGION".
func (l LocationStatus) Key() string {
	if l.Account == "" && l.Region == "" {
		return l.StepExecutionID
	}
	return l.Account + "/" + l.Region
}

// Outcome classifies the location's status with [Classify].
func (l LocationStatus) Outcome() Outcome { return Classify(l.Status) }

// LocationTotals count the locations of a multi-account execution by
// outcome.
type LocationTotals struct {
	Total, Succeeded, Failed, Cancelled, TimedOut, InProgress int
	// FromCounters says the counts are the service's ProgressCounters;
	// otherwise they are counted from the locations read.
	FromCounters bool
}

// LocationReport is the per-location view of a multi-account execution.
type LocationReport struct {
	ExecutionID string
	Status      types.AutomationExecutionStatus
	// Locations are sorted by account, then Region.
	Locations []LocationStatus
	Totals    LocationTotals
}

// IsMultiAccount reports whether an execution runs in other accounts or
// Regions: it names target locations, or one of its steps does.
func IsMultiAccount(ex *types.AutomationExecution) bool {
	if ex == nil {
		return false
	}
	if len(ex.TargetLocations) > 0 || aws.ToString(ex.TargetLocationsURL) != "" {
		return true
	}
	for i := range ex.StepExecutions {
		if ex.StepExecutions[i].TargetLocation != nil {
			return true
		}
	}
	return false
}

// childIDKeys are the step outputs that name a location's child
// execution, in the order they are looked for; any other output ending in
// "ExecutionId" comes after them.
var childIDKeys = []string{"ExecutionId", "AutomationExecutionId", "ChildExecutionId"}

// childExecutionID reads the child execution's id from a location step's
// outputs.
func childExecutionID(outputs map[string][]string) string {
	first := func(k string) string {
		for _, v := range outputs[k] {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
		return ""
	}
	for _, k := range childIDKeys {
		if v := first(k); v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		if strings.HasSuffix(strings.ToLower(k), "executionid") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := first(k); v != "" {
			return v
		}
	}
	return ""
}

// locationOf reads one location step; ok is false for a step that names
// no location.
func locationOf(s *types.StepExecution) (LocationStatus, bool) {
	tl := s.TargetLocation
	if tl == nil {
		return LocationStatus{}, false
	}
	l := LocationStatus{
		Account:           strings.Join(tl.Accounts, ","),
		Region:            strings.Join(tl.Regions, ","),
		ExecutionRoleName: aws.ToString(tl.ExecutionRoleName),
		Status:            s.StepStatus,
		ChildExecutionID:  childExecutionID(s.Outputs),
		FailureMessage:    aws.ToString(s.FailureMessage),
		StepName:          aws.ToString(s.StepName),
		StepExecutionID:   aws.ToString(s.StepExecutionId),
	}
	if d := s.FailureDetails; d != nil {
		l.FailureType = aws.ToString(d.FailureType)
	}
	if t := s.ExecutionStartTime; t != nil {
		l.Start = t.UTC()
	}
	if t := s.ExecutionEndTime; t != nil {
		l.End = t.UTC()
	}
	if l.Account == "" && l.Region == "" && l.StepExecutionID == "" {
		l.StepExecutionID = aws.ToString(s.StepName)
	}
	return l, true
}

// progressRank orders statuses by how far along they are: ended, then
// running, then pending.
func progressRank(s types.AutomationExecutionStatus) int {
	switch {
	case Classify(s) != InProgress:
		return 2
	case s == types.AutomationExecutionStatusPending || s == "":
		return 0
	}
	return 1
}

// newer reports whether b is a later record of a location than a: a later
// start (a location run again), or, for the same start, further along (a
// stale copy of the same step).
func newer(a, b LocationStatus) bool {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c < 0
	}
	return progressRank(b.Status) >= progressRank(a.Status)
}

// LocationsOf reads the per-location view of a multi-account execution
// from a GetAutomationExecution output's execution: one entry per
// location, however many steps name it (the latest wins) and in whatever
// order they come, sorted by account and Region. Steps that name no
// location are left out. A nil execution gives an empty report. When the
// step list is truncated, read the rest first ([GetLocations] does).
func LocationsOf(ex *types.AutomationExecution) *LocationReport {
	r := &LocationReport{Locations: []LocationStatus{}}
	if ex == nil {
		return r
	}
	r.ExecutionID, r.Status = aws.ToString(ex.AutomationExecutionId), ex.AutomationExecutionStatus
	r.Locations = mergeLocations(ex.StepExecutions)
	r.Totals = totals(ex.ProgressCounters, r.Locations)
	return r
}

func mergeLocations(steps []types.StepExecution) []LocationStatus {
	byKey := map[string]LocationStatus{}
	for i := range steps {
		l, ok := locationOf(&steps[i])
		if !ok {
			continue
		}
		if prev, seen := byKey[l.Key()]; seen && !newer(prev, l) {
			continue
		}
		byKey[l.Key()] = l
	}
	out := make([]LocationStatus, 0, len(byKey))
	for _, l := range byKey {
		out = append(out, l)
	}
	sortLocations(out)
	return out
}

func sortLocations(ls []LocationStatus) {
	slices.SortFunc(ls, func(a, b LocationStatus) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Key(), b.Key()))
	})
}

// totals are the service's ProgressCounters when it sends them, else
// counted from the locations.
func totals(c *types.ProgressCounters, ls []LocationStatus) LocationTotals {
	if c != nil {
		t := LocationTotals{Total: int(c.TotalSteps), Succeeded: int(c.SuccessSteps), Failed: int(c.FailedSteps),
			Cancelled: int(c.CancelledSteps), TimedOut: int(c.TimedOutSteps), FromCounters: true}
		t.InProgress = max(0, t.Total-t.Succeeded-t.Failed-t.Cancelled-t.TimedOut)
		return t
	}
	return CountLocations(ls)
}

// CountLocations counts locations by outcome: Success and
// CompletedWithSuccess succeed, TimedOut and Cancelled are counted apart
// from the other failures, anything else is in progress.
func CountLocations(ls []LocationStatus) LocationTotals {
	var t LocationTotals
	t.Total = len(ls)
	for _, l := range ls {
		switch {
		case l.Outcome() == Succeeded:
			t.Succeeded++
		case l.Status == types.AutomationExecutionStatusTimedout:
			t.TimedOut++
		case l.Status == types.AutomationExecutionStatusCancelled:
			t.Cancelled++
		case l.Outcome() == Failed:
			t.Failed++
		default:
			t.InProgress++
		}
	}
	return t
}

// String summarizes the totals: "4 locations: 2 succeeded, 1 failed, 1 in
// progress".
func (t LocationTotals) String() string {
	parts := []string{}
	for _, p := range []struct {
		n    int
		word string
	}{{t.Succeeded, "succeeded"}, {t.Failed, "failed"}, {t.TimedOut, "timed out"}, {t.Cancelled, "cancelled"}, {t.InProgress, "in progress"}} {
		if p.n > 0 {
			parts = append(parts, strconv.Itoa(p.n)+" "+p.word)
		}
	}
	s := strconv.Itoa(t.Total) + " locations"
	if t.Total == 1 {
		s = "1 location"
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// GetLocations reads a multi-account execution and, when its step list is
// truncated, every page of DescribeAutomationStepExecutions, and returns
// its per-location view.
func GetLocations(ctx context.Context, client ExecutionWaiterAPIClient, executionID string, optFns ...func(*ssm.Options)) (*LocationReport, error) {
	if executionID == "" {
		return nil, errors.New("execution: execution id is required")
	}
	out, err := client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(executionID)}, optFns...)
	if err != nil {
		return nil, fmt.Errorf("execution: get automation execution %s: %w", executionID, err)
	}
	if out == nil || out.AutomationExecution == nil {
		return nil, errors.New("execution: GetAutomationExecution returned no execution")
	}
	ex := out.AutomationExecution
	if ex.StepExecutionsTruncated {
		steps, err := allStepPages(ctx, client, executionID, optFns, callOnce)
		if err != nil {
			return nil, fmt.Errorf("execution: describe steps of %s: %w", executionID, err)
		}
		ex.StepExecutions, ex.StepExecutionsTruncated = steps, false
	}
	return LocationsOf(ex), nil
}

// allStepPages reads every page of an execution's steps, in order, each
// page's call made through do.
func allStepPages(ctx context.Context, client DescribeAutomationStepExecutionsAPIClient, id string, optFns []func(*ssm.Options), do func(context.Context, string, func() error) error) ([]types.StepExecution, error) {
	pager := ssm.NewDescribeAutomationStepExecutionsPaginator(client, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(id)})
	var steps []types.StepExecution
	for pager.HasMorePages() {
		var page *ssm.DescribeAutomationStepExecutionsOutput
		err := do(ctx, "DescribeAutomationStepExecutions", func() (err error) {
			page, err = pager.NextPage(ctx, optFns...)
			return err
		})
		if err != nil {
			return nil, err
		}
		steps = append(steps, page.StepExecutions...)
	}
	return steps, nil
}

// LocationChange is a location whose status changed.
type LocationChange struct {
	LocationStatus
	// PreviousStatus is the status at the previous change, empty the
	// first time the location is seen.
	PreviousStatus types.AutomationExecutionStatus
}

// locationLog remembers each location's last status, to report each
// change once.
type locationLog struct {
	status   map[string]types.AutomationExecutionStatus
	children map[string]bool
}

func newLocationLog() *locationLog {
	return &locationLog{status: map[string]types.AutomationExecutionStatus{}, children: map[string]bool{}}
}

// update records the locations and returns those whose status changed,
// in the report's order.
func (l *locationLog) update(r *LocationReport) []LocationChange {
	var changed []LocationChange
	for _, loc := range r.Locations {
		k := loc.Key()
		prev, seen := l.status[k]
		if !seen || prev != loc.Status {
			changed = append(changed, LocationChange{LocationStatus: loc, PreviousStatus: prev})
		}
		l.status[k] = loc.Status
		if loc.ChildExecutionID != "" {
			l.children[loc.ChildExecutionID] = true
		}
	}
	return changed
}

// LocationClientFunc returns a client for a target account and Region,
// such as an *ssm.Client whose credentials assume a role there. A waiter
// or watcher given one reads each running location's child execution in
// its own account, which may be ahead of the parent's step; without one,
// or when it fails, the parent's steps are the source of truth.
type LocationClientFunc func(account, region string) (GetAutomationExecutionAPIClient, error)

// childReader reads the child executions of running locations through a
// LocationClientFunc, one client per location, made once.
type childReader struct {
	fn      LocationClientFunc
	logger  logging.Logger
	clients map[string]GetAutomationExecutionAPIClient
	failed  map[string]bool // locations whose client could not be made
	// ended are the children seen ended: not read again, so a later
	// failed read cannot move a location back.
	ended map[string]*types.AutomationExecution
}

func newChildReader(fn LocationClientFunc, logger logging.Logger) *childReader {
	if fn == nil {
		return nil
	}
	return &childReader{fn: fn, logger: logger, clients: map[string]GetAutomationExecutionAPIClient{}, failed: map[string]bool{}, ended: map[string]*types.AutomationExecution{}}
}

// refresh replaces the status of each running location that has a child
// with the child's own status. Any error leaves the parent's view of that
// location as it was: a child that cannot be read never fails a wait.
func (c *childReader) refresh(ctx context.Context, r *LocationReport, optFns []func(*ssm.Options), do func(context.Context, string, func() error) error) {
	if c == nil {
		return
	}
	changed := false
	for i := range r.Locations {
		l := &r.Locations[i]
		if l.ChildExecutionID == "" || l.Outcome() != InProgress {
			continue
		}
		if ch := c.ended[l.ChildExecutionID]; ch != nil {
			applyChild(l, ch)
			changed = true
			continue
		}
		client := c.client(l.Account, l.Region)
		if client == nil {
			continue
		}
		var out *ssm.GetAutomationExecutionOutput
		err := do(ctx, "GetAutomationExecution", func() (err error) {
			out, err = client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(l.ChildExecutionID)}, optFns...)
			return err
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil || out == nil || out.AutomationExecution == nil {
			c.logger.Logf(logging.Debug, "automation execution %s: reading child %s in %s: %v", r.ExecutionID, l.ChildExecutionID, l.Key(), err)
			continue
		}
		ch := out.AutomationExecution
		if ch.AutomationExecutionStatus == "" {
			continue
		}
		if Classify(ch.AutomationExecutionStatus) != InProgress {
			c.ended[l.ChildExecutionID] = ch
		}
		applyChild(l, ch)
		changed = true
	}
	if changed && !r.Totals.FromCounters {
		r.Totals = totals(nil, r.Locations)
	}
}

// applyChild sets a location's status from its child execution.
func applyChild(l *LocationStatus, ch *types.AutomationExecution) {
	l.Status, l.FromChild = ch.AutomationExecutionStatus, true
	if m := aws.ToString(ch.FailureMessage); m != "" {
		l.FailureMessage = m
	}
	if t := ch.ExecutionEndTime; t != nil && l.End.IsZero() {
		l.End = t.UTC()
	}
}

func (c *childReader) client(account, region string) GetAutomationExecutionAPIClient {
	k := account + "/" + region
	if cl, ok := c.clients[k]; ok {
		return cl
	}
	if c.failed[k] {
		return nil
	}
	cl, err := c.fn(account, region)
	if err != nil || cl == nil {
		c.failed[k] = true
		c.logger.Logf(logging.Warn, "location %s: no client, following the parent's steps: %v", k, err)
		return nil
	}
	c.clients[k] = cl
	return cl
}

// childIDs is a set of child execution ids shared with an event source's
// goroutine: an event for a child wakes its parent's waiter or watcher.
type childIDs struct {
	mu  sync.RWMutex
	ids map[string]bool
}

func (c *childIDs) add(ids map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]bool{}
	}
	for id := range ids {
		c.ids[id] = true
	}
}

func (c *childIDs) has(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ids[id]
}

// stepByID returns the step with the given id, nil when there is none.
func stepByID(steps []types.StepExecution, id string) *types.StepExecution {
	if id == "" {
		return nil
	}
	for i := range steps {
		if aws.ToString(steps[i].StepExecutionId) == id {
			return &steps[i]
		}
	}
	return nil
}

// callChild makes a waiter's call to a child execution: once, after the
// rate limiter, since a child that cannot be read is skipped, never
// retried at the cost of the parent's polls.
func (p *poller) callChild(ctx context.Context, _ string, op func() error) error {
	if err := p.limit(ctx); err != nil {
		return err
	}
	return op()
}

// WaitForLocations is [ExecutionWaiter.WaitForOutput] for a multi-account
// execution: it waits for the parent execution to end and returns its
// per-location view, with the wait's error (an [*ExecutionFailedError]
// when the parent did not succeed). The report is nil only when no
// execution was read.
func (w *ExecutionWaiter) WaitForLocations(ctx context.Context, executionID string, maxWait time.Duration, optFns ...func(*ExecutionWaiterOptions)) (*LocationReport, error) {
	out, err := w.WaitForOutput(ctx, executionID, maxWait, optFns...)
	var ex *types.AutomationExecution
	var failed *ExecutionFailedError
	var awaiting *AwaitingInputError
	switch {
	case out != nil:
		ex = out.AutomationExecution
	case errors.As(err, &failed):
		ex = failed.Execution
	case errors.As(err, &awaiting):
		ex = awaiting.Execution
	}
	if ex == nil {
		return nil, err
	}
	return LocationsOf(ex), err
}

// locations reports each location of a multi-account execution whose
// status changed since the last sweep, as one event each.
func (s *sweeper) locations(ctx context.Context, e *watched, m *types.AutomationExecutionMetadata, ex *types.AutomationExecution) {
	if e.locs == nil {
		e.locs = newLocationLog()
	}
	r := LocationsOf(ex)
	s.childReader.refresh(ctx, r, s.o.ClientOptions, s.callChild)
	for _, c := range e.locs.update(r) {
		s.handle(Event{
			ExecutionID:       e.id,
			Status:            m.AutomationExecutionStatus,
			PreviousStatus:    e.status,
			StepName:          c.StepName,
			Metadata:          m,
			Sweep:             s.sweeps,
			ParentExecutionID: aws.ToString(m.ParentAutomationExecutionId),
			Location:          &c,
		})
	}
}

// callChild makes a watch's call to a child execution once, after the
// rate limiter: a child that cannot be read is skipped.
func (s *sweeper) callChild(ctx context.Context, _ string, op func() error) error {
	if err := s.o.RateLimiter.Wait(ctx); err != nil {
		return err
	}
	return op()
}
