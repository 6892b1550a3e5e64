package execution_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// multiFake models a multi-account execution as the administrator account
// sees it: a parent whose steps are its locations, each mirroring a child
// execution in the target account; the parent's status aggregates them.
type multiFake struct {
	mu    sync.Mutex
	id    string
	start time.Time
	locs  []fakeLocation
	// cancelAt > 0 cancels the parent then: locations still running end
	// Cancelled.
	cancelAt time.Duration
	// truncateAt > 0 truncates GetAutomationExecution's steps; pageSize
	// pages DescribeAutomationStepExecutions.
	truncateAt int
	pageSize   int
	// crossAccount sets AutomationType in DescribeAutomationExecutions.
	crossAccount bool
	// noCounters leaves ProgressCounters out.
	noCounters bool
	// mirrorWaiting puts the parent in Waiting while a location waits.
	mirrorWaiting bool
	callLog
}

// fakeLocation is one location's timeline, from the parent's start.
type fakeLocation struct {
	account, region, role string
	// child is the child execution's id, empty when none is started
	// (the role could not be assumed).
	child       string
	failureType string
	phases      []locPhase
	// childPhases, when set, is the child's own timeline in its account;
	// by default it is phases.
	childPhases []locPhase
}

type locPhase struct {
	at      time.Duration
	status  types.AutomationExecutionStatus
	failure string
}

const parentID = "aaaaaaaa-0000-4000-8000-000000000001"

func newMultiFake(locs ...fakeLocation) *multiFake {
	f := &multiFake{id: parentID, start: time.Now(), locs: locs, pageSize: 50, crossAccount: true}
	f.callLog = newCallLog(&f.mu)
	return f
}

func phaseAt(phases []locPhase, el time.Duration) locPhase {
	cur := locPhase{status: types.AutomationExecutionStatusPending}
	for _, p := range phases {
		if p.at <= el {
			cur = p
		}
	}
	return cur
}

func (f *multiFake) cancelled(el time.Duration) bool { return f.cancelAt > 0 && el >= f.cancelAt }

// step is location i's step at el.
func (f *multiFake) step(i int, el time.Duration) types.StepExecution {
	l := f.locs[i]
	p := phaseAt(l.phases, el)
	if f.cancelled(el) && p.status != types.AutomationExecutionStatusSuccess && p.status != types.AutomationExecutionStatusFailed {
		p = locPhase{at: f.cancelAt, status: types.AutomationExecutionStatusCancelled}
	}
	s := types.StepExecution{
		StepName:        aws.String(fmt.Sprintf("%s-%s", l.account, l.region)),
		Action:          aws.String("aws:executeAutomation"),
		StepExecutionId: aws.String(fmt.Sprintf("loc-%d", i)),
		StepStatus:      p.status,
		TargetLocation: &types.TargetLocation{Accounts: []string{l.account}, Regions: []string{l.region},
			ExecutionRoleName: aws.String(l.role)},
	}
	if p.status != types.AutomationExecutionStatusPending {
		s.ExecutionStartTime = aws.Time(f.start.Add(l.phases[0].at))
		if l.child != "" {
			s.Outputs = map[string][]string{"ExecutionId": {l.child}}
		}
	}
	if p.failure != "" {
		s.FailureMessage = aws.String(p.failure)
		s.FailureDetails = &types.FailureDetails{FailureType: aws.String(l.failureType)}
	}
	if p.status != types.AutomationExecutionStatusPending && p.status != types.AutomationExecutionStatusInprogress && p.status != types.AutomationExecutionStatusWaiting {
		s.ExecutionEndTime = aws.Time(f.start.Add(p.at))
	}
	return s
}

func (f *multiFake) view(now time.Time) *types.AutomationExecution {
	el := now.Sub(f.start)
	ex := &types.AutomationExecution{
		AutomationExecutionId: aws.String(f.id),
		DocumentName:          aws.String("Demo"),
		ExecutionStartTime:    aws.Time(f.start),
		TargetLocations:       []types.TargetLocation{{Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}}},
	}
	c := &types.ProgressCounters{TotalSteps: int32(len(f.locs))}
	running, failed, waiting := false, false, false
	for i := range f.locs {
		s := f.step(i, el)
		ex.StepExecutions = append(ex.StepExecutions, s)
		switch s.StepStatus {
		case types.AutomationExecutionStatusSuccess:
			c.SuccessSteps++
		case types.AutomationExecutionStatusFailed:
			c.FailedSteps++
			failed = true
		case types.AutomationExecutionStatusCancelled:
			c.CancelledSteps++
		case types.AutomationExecutionStatusWaiting:
			waiting, running = true, true
		default:
			running = true
		}
	}
	if !f.noCounters {
		ex.ProgressCounters = c
	}
	switch {
	case f.cancelled(el):
		ex.AutomationExecutionStatus = types.AutomationExecutionStatusCancelled
	case waiting && f.mirrorWaiting:
		ex.AutomationExecutionStatus = types.AutomationExecutionStatusWaiting
	case running:
		ex.AutomationExecutionStatus = types.AutomationExecutionStatusInprogress
	case failed:
		ex.AutomationExecutionStatus = types.AutomationExecutionStatusFailed
		ex.FailureMessage = aws.String("one or more locations failed")
	default:
		ex.AutomationExecutionStatus = types.AutomationExecutionStatusSuccess
	}
	if st := ex.AutomationExecutionStatus; st != types.AutomationExecutionStatusInprogress && st != types.AutomationExecutionStatusWaiting {
		ex.ExecutionEndTime = aws.Time(now)
	}
	return ex
}

func (f *multiFake) GetAutomationExecution(_ context.Context, in *ssm.GetAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.next("GetAutomationExecution"); err != nil {
		return nil, err
	}
	if id := aws.ToString(in.AutomationExecutionId); id != f.id {
		return nil, notFound(id)
	}
	ex := f.view(time.Now())
	truncate(ex, f.truncateAt)
	return &ssm.GetAutomationExecutionOutput{AutomationExecution: ex}, nil
}

func (f *multiFake) DescribeAutomationStepExecutions(_ context.Context, in *ssm.DescribeAutomationStepExecutionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.next("DescribeAutomationStepExecutions"); err != nil {
		return nil, err
	}
	if id := aws.ToString(in.AutomationExecutionId); id != f.id {
		return nil, notFound(id)
	}
	out := &ssm.DescribeAutomationStepExecutionsOutput{}
	out.StepExecutions, out.NextToken = page(f.view(time.Now()).StepExecutions, in.NextToken, f.pageSize)
	return out, nil
}

func (f *multiFake) DescribeAutomationExecutions(_ context.Context, in *ssm.DescribeAutomationExecutionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.next("DescribeAutomationExecutions"); err != nil {
		return nil, err
	}
	out := &ssm.DescribeAutomationExecutionsOutput{}
	for _, flt := range in.Filters {
		if flt.Key != types.AutomationExecutionFilterKeyExecutionId {
			if flt.Key == types.AutomationExecutionFilterKeyParentExecutionId {
				continue // the children live in their own accounts
			}
			return nil, &smithy.GenericAPIError{Code: "InvalidFilterKey", Message: "unsupported filter " + string(flt.Key)}
		}
		for _, id := range flt.Values {
			if id != f.id {
				continue
			}
			ex := f.view(time.Now())
			m := types.AutomationExecutionMetadata{
				AutomationExecutionId:     ex.AutomationExecutionId,
				AutomationExecutionStatus: ex.AutomationExecutionStatus,
				DocumentName:              ex.DocumentName,
				ExecutionStartTime:        ex.ExecutionStartTime,
				ExecutionEndTime:          ex.ExecutionEndTime,
				FailureMessage:            ex.FailureMessage,
			}
			if f.crossAccount {
				m.AutomationType = types.AutomationTypeCrossAccount
			}
			out.AutomationExecutionMetadataList = append(out.AutomationExecutionMetadataList, m)
		}
	}
	return out, nil
}

// childClient answers for the child executions of one account, along
// their own timelines.
type childClient struct {
	f     *multiFake
	calls int
	err   error
}

func (c *childClient) GetAutomationExecution(_ context.Context, in *ssm.GetAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.calls++
	if c.err != nil {
		return nil, c.err
	}
	id := aws.ToString(in.AutomationExecutionId)
	for _, l := range c.f.locs {
		if l.child != id {
			continue
		}
		phases := l.childPhases
		if phases == nil {
			phases = l.phases
		}
		p := phaseAt(phases, time.Since(c.f.start))
		ex := &types.AutomationExecution{AutomationExecutionId: aws.String(id), AutomationExecutionStatus: p.status}
		if p.failure != "" {
			ex.FailureMessage = aws.String(p.failure)
		}
		return &ssm.GetAutomationExecutionOutput{AutomationExecution: ex}, nil
	}
	return nil, notFound(id)
}

// fourLocations: two accounts × two Regions ending at different times;
// 444455556666/us-east-1 fails, 444455556666/us-west-2 cannot assume its
// role, 111122223333/us-west-2 waits for input between two runs.
func fourLocations() []fakeLocation {
	const (
		inProgress = types.AutomationExecutionStatusInprogress
		success    = types.AutomationExecutionStatusSuccess
		failed     = types.AutomationExecutionStatusFailed
		waiting    = types.AutomationExecutionStatusWaiting
	)
	role := "AWS-SystemsManager-AutomationExecutionRole"
	return []fakeLocation{
		{account: "111122223333", region: "us-east-1", role: role, child: "c0000000-0000-4000-8000-000000000001",
			phases: []locPhase{{at: 0, status: inProgress}, {at: 60 * time.Second, status: success}}},
		{account: "111122223333", region: "us-west-2", role: role, child: "c0000000-0000-4000-8000-000000000002",
			phases: []locPhase{{at: 0, status: inProgress}, {at: 30 * time.Second, status: waiting}, {at: 90 * time.Second, status: inProgress}, {at: 150 * time.Second, status: success}}},
		{account: "444455556666", region: "us-east-1", role: role, child: "c0000000-0000-4000-8000-000000000003", failureType: "Step",
			phases: []locPhase{{at: 0, status: inProgress}, {at: 120 * time.Second, status: failed, failure: "Step fails when it is verifying the command has completed."}}},
		{account: "444455556666", region: "us-west-2", role: role, failureType: "Verification",
			phases: []locPhase{{at: 5 * time.Second, status: failed, failure: "Automation could not assume the role AWS-SystemsManager-AutomationExecutionRole in 444455556666 (us-west-2)"}}},
	}
}
