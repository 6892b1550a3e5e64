package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const (
	execRoleName = "AWS-SystemsManager-AutomationExecutionRole"
	adminRoleARN = "arn:aws:iam::123456789012:role/" + ssmlocal.AdministrationRoleName
	// trustAdmin admits the administration role of the administrator account.
	trustAdmin = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + adminRoleARN + `"},"Action":"sts:AssumeRole"}]}`
	// adminPolicy lets the administration role assume execution roles.
	adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}]}`
	// execPolicy lets an execution role read the runbook's configuration.
	execPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]}`
	// locationDoc sleeps, then reads its Region's configuration parameter:
	// a location without the parameter fails.
	locationDoc = `{"schemaVersion":"0.3","parameters":{"Wait":{"type":"String","default":"PT1M"}},"mainSteps":[
		{"name":"wait","action":"aws:sleep","inputs":{"Duration":"{{ Wait }}"}},
		{"name":"config","action":"aws:executeAwsApi","inputs":{"Service":"ssm","Api":"GetParameter","Name":"/fleet/{{ global:REGION }}"},
		 "outputs":[{"Name":"Value","Selector":"$.Parameter.Value","Type":"String"}]}],
		"outputs":["config.Value"]}`
)

var fourRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"}

// locationFixture is an endpoint serving Regions, with the administration
// role, the default execution role, the runbook, and the configuration
// parameter in the Regions named by configured.
type locationFixture struct {
	srv   *ssmlocal.Server
	admin *ssm.Client
	clk   *ssmlocal.Virtual
}

func newLocationFixture(t *testing.T, clk *ssmlocal.Virtual, regions []string, configured ...string) *locationFixture {
	t.Helper()
	srv := newServer(t, func(o *ssmlocal.Options) { o.Regions, o.Clock = regions, clk })
	serviceRole(t, srv, ssmlocal.AdministrationRoleName, trustSSM, adminPolicy)
	serviceRole(t, srv, execRoleName, trustAdmin, execPolicy)
	f := &locationFixture{srv: srv, admin: ssm.NewFromConfig(cfg(srv, srv.Admin())), clk: clk}
	createDoc(t, f.admin, "Fleet-Check", locationDoc)
	for _, r := range configured {
		_, err := f.in(r).PutParameter(context.Background(), putConfig(r))
		require.NoError(t, err)
	}
	return f
}

func putConfig(r string) *ssm.PutParameterInput {
	return &ssm.PutParameterInput{Name: aws.String("/fleet/" + r), Value: aws.String("ok-" + r), Type: ssmtypes.ParameterTypeString}
}

// in is the administrator's client in Region r.
func (f *locationFixture) in(r string) *ssm.Client {
	c := cfg(f.srv, f.srv.Admin())
	c.Region = r
	return ssm.NewFromConfig(c)
}

func (f *locationFixture) start(t *testing.T, tls []ssmtypes.TargetLocation, params map[string][]string) string {
	t.Helper()
	return start(t, f.admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Fleet-Check"), TargetLocations: tls, Parameters: params})
}

func (f *locationFixture) get(t *testing.T, r, id string) *ssmtypes.AutomationExecution {
	t.Helper()
	out, err := f.in(r).GetAutomationExecution(context.Background(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
	require.NoError(t, err)
	return out.AutomationExecution
}

// drive moves a manual clock on until the execution ends.
func (f *locationFixture) drive(t *testing.T, id string) *ssmtypes.AutomationExecution {
	t.Helper()
	var x *ssmtypes.AutomationExecution
	require.True(t, pollUntil(t, 20*time.Second, func() (bool, error) {
		x = f.get(t, "us-east-1", id)
		if isTerminal(x.AutomationExecutionStatus) {
			return true, nil
		}
		f.clk.Advance(5 * time.Second)
		return false, nil
	}), "execution %s did not finish", id)
	return x
}

func isTerminal(s ssmtypes.AutomationExecutionStatus) bool {
	switch s {
	case ssmtypes.AutomationExecutionStatusPending, ssmtypes.AutomationExecutionStatusInprogress,
		ssmtypes.AutomationExecutionStatusWaiting, ssmtypes.AutomationExecutionStatusCancelling:
		return false
	}
	return true
}

func childID(t *testing.T, s ssmtypes.StepExecution) string {
	t.Helper()
	require.Len(t, s.Outputs["ExecutionId"], 1, "step %s names no child", aws.ToString(s.StepName))
	return s.Outputs["ExecutionId"][0]
}

// TestLocationsTwoRegions runs a runbook in two Regions of the home account:
// the parent reports one step per location and its children run in their
// Regions as the execution role.
func TestLocationsTwoRegions(t *testing.T) {
	f := newLocationFixture(t, ssmlocal.AutoClock(time.Now()), []string{"us-east-1", "eu-west-1"}, "us-east-1", "eu-west-1")
	ctx := context.Background()
	id := f.start(t, []ssmtypes.TargetLocation{{Regions: []string{"us-east-1", "eu-west-1"}}}, nil)
	x := waitDone(t, f.admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))

	// The defaults AWS documents are filled in and echoed.
	require.Len(t, x.TargetLocations, 1)
	tl := x.TargetLocations[0]
	assert.Equal(t, []string{"123456789012"}, tl.Accounts)
	assert.Equal(t, []string{"us-east-1", "eu-west-1"}, tl.Regions)
	assert.Equal(t, execRoleName, aws.ToString(tl.ExecutionRoleName))
	assert.Equal(t, "1", aws.ToString(tl.TargetLocationMaxConcurrency))
	assert.Equal(t, "0", aws.ToString(tl.TargetLocationMaxErrors))
	assert.Equal(t, &ssmtypes.ProgressCounters{TotalSteps: 2, SuccessSteps: 2}, x.ProgressCounters)

	require.Len(t, x.StepExecutions, 2)
	for i, r := range []string{"us-east-1", "eu-west-1"} {
		s := x.StepExecutions[i]
		assert.Equal(t, "123456789012/"+r, aws.ToString(s.StepName))
		assert.Equal(t, "aws:executeAutomation", aws.ToString(s.Action))
		assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, s.StepStatus)
		require.NotNil(t, s.TargetLocation)
		assert.Equal(t, []string{"123456789012"}, s.TargetLocation.Accounts)
		assert.Equal(t, []string{r}, s.TargetLocation.Regions)
		assert.Equal(t, execRoleName, aws.ToString(s.TargetLocation.ExecutionRoleName))

		child := f.get(t, r, childID(t, s))
		assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, child.AutomationExecutionStatus)
		assert.Equal(t, id, aws.ToString(child.ParentAutomationExecutionId))
		assert.Equal(t, []string{"ok-" + r}, child.Outputs["config.Value"])
		assert.Equal(t, f.srv.AdminARN(), aws.ToString(child.ExecutedBy))
	}
	// The child's steps acted as the execution role's session.
	var asExecRole bool
	for _, e := range f.srv.AuditFor(childID(t, x.StepExecutions[1])) {
		if e.API == "GetParameter" && e.Region == "eu-west-1" && strings.Contains(e.Principal, ":assumed-role/"+execRoleName+"/") {
			asExecRole = true
		}
	}
	assert.True(t, asExecRole, "no GetParameter by the execution role in eu-west-1")

	// AutomationType tells the parent from the children.
	for _, tc := range []struct {
		typ  ssmtypes.AutomationType
		want []string
	}{
		{ssmtypes.AutomationTypeCrossAccount, []string{id}},
		{ssmtypes.AutomationTypeLocal, []string{childID(t, x.StepExecutions[0])}},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			out, err := f.admin.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{
				{Key: ssmtypes.AutomationExecutionFilterKeyAutomationType, Values: []string{string(tc.typ)}}}})
			require.NoError(t, err)
			var got []string
			for _, m := range out.AutomationExecutionMetadataList {
				got = append(got, aws.ToString(m.AutomationExecutionId))
				assert.Equal(t, tc.typ, m.AutomationType)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestLocationsConcurrency: TargetLocationMaxConcurrency bounds how many
// locations run at once, observable on a clock that does not move.
func TestLocationsConcurrency(t *testing.T) {
	for _, tc := range []struct {
		conc    string
		running int
	}{{"1", 1}, {"4", 4}} {
		t.Run(tc.conc, func(t *testing.T) {
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			f := newLocationFixture(t, ssmlocal.VirtualClock(t0), fourRegions, fourRegions...)
			id := f.start(t, []ssmtypes.TargetLocation{{Regions: fourRegions, TargetLocationMaxConcurrency: aws.String(tc.conc)}}, nil)
			// With the clock still, no child can end: the parent starts
			// as many as it may and no more. A step is InProgress while
			// its child is being started, before it names the child.
			require.True(t, pollUntil(t, 10*time.Second, func() (bool, error) {
				n := 0
				for _, s := range f.get(t, "us-east-1", id).StepExecutions {
					if s.StepStatus == ssmtypes.AutomationExecutionStatusInprogress && len(s.Outputs["ExecutionId"]) == 1 {
						n++
					}
				}
				return n == tc.running, nil
			}))
			x := f.get(t, "us-east-1", id)
			pending := 0
			for _, s := range x.StepExecutions {
				switch s.StepStatus {
				case ssmtypes.AutomationExecutionStatusPending:
					pending++
					assert.Nil(t, s.Outputs["ExecutionId"])
				case ssmtypes.AutomationExecutionStatusInprogress:
					assert.Equal(t, t0, aws.ToTime(f.get(t, s.TargetLocation.Regions[0], childID(t, s)).ExecutionStartTime))
				}
			}
			assert.Equal(t, 4-tc.running, pending)

			x = f.drive(t, id)
			require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus)
			var prevEnd time.Time
			for i, s := range x.StepExecutions {
				child := f.get(t, fourRegions[i], childID(t, s))
				start, end := aws.ToTime(child.ExecutionStartTime), aws.ToTime(child.ExecutionEndTime)
				if tc.running == 1 {
					assert.False(t, start.Before(prevEnd), "location %d started at %s, before the previous ended at %s", i, start, prevEnd)
				} else {
					assert.Equal(t, t0, start, "location %d", i)
				}
				prevEnd = end
			}
			total := aws.ToTime(x.ExecutionEndTime).Sub(t0)
			if tc.running == 1 {
				assert.GreaterOrEqual(t, total, 4*time.Minute)
			} else {
				assert.Less(t, total, 2*time.Minute)
			}
		})
	}
}

// TestLocationsMaxErrors: a location that fails stops new locations once
// TargetLocationMaxErrors is exceeded; those never started stay Pending.
func TestLocationsMaxErrors(t *testing.T) {
	regions := []string{"us-east-1", "eu-west-1"}
	for _, tc := range []struct {
		maxErrors string
		status    ssmtypes.AutomationExecutionStatus
		second    ssmtypes.AutomationExecutionStatus
		counters  ssmtypes.ProgressCounters
	}{
		{"0", ssmtypes.AutomationExecutionStatusFailed, ssmtypes.AutomationExecutionStatusPending, ssmtypes.ProgressCounters{TotalSteps: 2, FailedSteps: 1}},
		{"1", ssmtypes.AutomationExecutionStatusCompletedWithFailure, ssmtypes.AutomationExecutionStatusSuccess, ssmtypes.ProgressCounters{TotalSteps: 2, FailedSteps: 1, SuccessSteps: 1}},
	} {
		t.Run(tc.maxErrors, func(t *testing.T) {
			// us-east-1 has no configuration: its location fails.
			f := newLocationFixture(t, ssmlocal.AutoClock(time.Now()), regions, "eu-west-1")
			id := f.start(t, []ssmtypes.TargetLocation{{Regions: regions, TargetLocationMaxErrors: aws.String(tc.maxErrors)}}, nil)
			x := waitDone(t, f.admin, id)
			require.Equal(t, tc.status, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
			assert.Equal(t, &tc.counters, x.ProgressCounters)
			require.Len(t, x.StepExecutions, 2)
			first := x.StepExecutions[0]
			assert.Equal(t, ssmtypes.AutomationExecutionStatusFailed, first.StepStatus)
			child := f.get(t, "us-east-1", childID(t, first))
			assert.Equal(t, ssmtypes.AutomationExecutionStatusFailed, child.AutomationExecutionStatus)
			assert.Equal(t, aws.ToString(child.FailureMessage), aws.ToString(first.FailureMessage))
			assert.Equal(t, tc.second, x.StepExecutions[1].StepStatus)
		})
	}
}

// TestLocationsUnassumable: a location whose execution role cannot be
// assumed fails with AWS's message and counts as an error; the others run.
func TestLocationsUnassumable(t *testing.T) {
	regions := []string{"us-east-1", "eu-west-1"}
	for _, tc := range []struct {
		name, role, trust string
	}{
		{"trust admits only Automation", "WrongTrust", trustSSM},
		{"trust admits another role", "OtherTrust", strings.ReplaceAll(trustAdmin, ssmlocal.AdministrationRoleName, "SomeoneElse")},
		{"missing role", "NoSuchRole", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLocationFixture(t, ssmlocal.AutoClock(time.Now()), regions, regions...)
			if tc.trust != "" {
				serviceRole(t, f.srv, tc.role, tc.trust, execPolicy)
			}
			id := f.start(t, []ssmtypes.TargetLocation{
				{Regions: regions, TargetLocationMaxErrors: aws.String("1")},
				{Regions: []string{"eu-west-1"}, ExecutionRoleName: aws.String(tc.role), TargetLocationMaxErrors: aws.String("1")},
			}, nil)
			x := waitDone(t, f.admin, id)
			require.Equal(t, ssmtypes.AutomationExecutionStatusCompletedWithFailure, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
			assert.Equal(t, &ssmtypes.ProgressCounters{TotalSteps: 3, SuccessSteps: 2, FailedSteps: 1}, x.ProgressCounters)
			denied := x.StepExecutions[2]
			assert.Equal(t, ssmtypes.AutomationExecutionStatusFailed, denied.StepStatus)
			assert.Equal(t, "The provided role: arn:aws:iam::123456789012:role/"+tc.role+" can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)", aws.ToString(denied.FailureMessage))
			assert.Nil(t, denied.Outputs["ExecutionId"], "no child runs where the role cannot be assumed")
			assert.Equal(t, tc.role, aws.ToString(denied.TargetLocation.ExecutionRoleName))

			var audited bool
			for _, e := range f.srv.AuditFor(id) {
				if e.API == "AssumeRole" && e.Decision == "Denied" && strings.HasSuffix(e.Principal, "assumed-role/"+ssmlocal.AdministrationRoleName+"/"+id) {
					audited = true
				}
			}
			assert.True(t, audited, "no denied AssumeRole by the administration role in %+v", f.srv.AuditFor(id))
		})
	}
}

// TestLocationsWithoutAdministrationRole: without the administration role
// (or with one Automation may not assume) no location can start.
func TestLocationsWithoutAdministrationRole(t *testing.T) {
	for _, tc := range []struct{ name, trust string }{
		{"missing", ""},
		{"untrusting", trustAdmin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(o *ssmlocal.Options) {
				o.Regions, o.Clock = []string{"us-east-1", "eu-west-1"}, ssmlocal.AutoClock(time.Now())
			})
			if tc.trust != "" {
				serviceRole(t, srv, ssmlocal.AdministrationRoleName, tc.trust, adminPolicy)
			}
			serviceRole(t, srv, execRoleName, trustAdmin, execPolicy)
			admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
			createDoc(t, admin, "Fleet-Check", locationDoc)
			id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Fleet-Check"),
				TargetLocations: []ssmtypes.TargetLocation{{Regions: []string{"us-east-1", "eu-west-1"}}}})
			x := waitDone(t, admin, id)
			require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
			assert.Equal(t, "The provided role: "+adminRoleARN+" can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)", aws.ToString(x.StepExecutions[0].FailureMessage))
			assert.Equal(t, ssmtypes.AutomationExecutionStatusPending, x.StepExecutions[1].StepStatus)
		})
	}
}

// TestLocationsCancel: cancelling the parent cancels its running children;
// locations never started stay Pending.
func TestLocationsCancel(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newLocationFixture(t, ssmlocal.VirtualClock(t0), fourRegions, fourRegions...)
	ctx := context.Background()
	id := f.start(t, []ssmtypes.TargetLocation{{Regions: fourRegions, TargetLocationMaxConcurrency: aws.String("2")}}, nil)
	// Both running locations have started their children.
	require.True(t, pollUntil(t, 10*time.Second, func() (bool, error) {
		named := 0
		for _, s := range f.get(t, "us-east-1", id).StepExecutions {
			if s.StepStatus == ssmtypes.AutomationExecutionStatusInprogress && len(s.Outputs["ExecutionId"]) == 1 {
				named++
			}
		}
		return named == 2, nil
	}))
	_, err := f.admin.StopAutomationExecution(ctx, &ssm.StopAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
	require.NoError(t, err)
	x := f.drive(t, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusCancelled, x.AutomationExecutionStatus)
	assert.Equal(t, &ssmtypes.ProgressCounters{TotalSteps: 4, CancelledSteps: 2}, x.ProgressCounters)
	for i, s := range x.StepExecutions {
		if i < 2 {
			assert.Equal(t, ssmtypes.AutomationExecutionStatusCancelled, s.StepStatus)
			// The child ends its cancellation on its own.
			var child *ssmtypes.AutomationExecution
			require.True(t, pollUntil(t, 10*time.Second, func() (bool, error) {
				child = f.get(t, fourRegions[i], childID(t, s))
				return isTerminal(child.AutomationExecutionStatus), nil
			}))
			assert.Equal(t, ssmtypes.AutomationExecutionStatusCancelled, child.AutomationExecutionStatus, "child in %s", fourRegions[i])
		} else {
			assert.Equal(t, ssmtypes.AutomationExecutionStatusPending, s.StepStatus)
		}
	}
}

// TestLocationsValidation: what StartAutomationExecution refuses.
func TestLocationsValidation(t *testing.T) {
	f := newLocationFixture(t, ssmlocal.AutoClock(time.Now()), []string{"us-east-1", "eu-west-1"})
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   ssm.StartAutomationExecutionInput
		want string
	}{
		{"51 accounts", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{Accounts: many(51, func(i int) string { return "1234567890" + string(rune('0'+i/10)) + string(rune('0'+i%10)) })}}}, "less than or equal to 50"},
		{"51 Regions", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{Regions: many(51, func(int) string { return "us-east-1" })}}}, "less than or equal to 50"},
		{"101 target locations", ssm.StartAutomationExecutionInput{TargetLocations: make([]ssmtypes.TargetLocation, 101)}, "less than or equal to 100"},
		{"unknown Region", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{Regions: []string{"sa-east-1"}}}}, "Region sa-east-1 of target location 1 is not served"},
		{"URL", ssm.StartAutomationExecutionInput{TargetLocationsURL: aws.String("https://bucket.s3.amazonaws.com/locations.json")}, "TargetLocationsURL"},
		{"organizational unit", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{Accounts: []string{"ou-ab12-abcd1234"}}}}, "organizational unit"},
		{"excluded accounts", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{ExcludeAccounts: []string{"210987654321"}}}}, "ExcludeAccounts"},
		{"not an account", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{Accounts: []string{"12345"}}}}, "12-digit"},
		{"bad concurrency", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{TargetLocationMaxConcurrency: aws.String("0")}}}, "targetLocationMaxConcurrency"},
		{"bad errors", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{TargetLocationMaxErrors: aws.String("-1")}}}, "targetLocationMaxErrors"},
		{"bad role name", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{ExecutionRoleName: aws.String("a role")}}}, "executionRoleName"},
		{"targets without a parameter", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{Targets: []ssmtypes.Target{{Key: aws.String("ParameterValues"), Values: []string{"x"}}}}}}, "TargetParameterName must be provided"},
		{"bad targets concurrency", ssm.StartAutomationExecutionInput{TargetLocations: []ssmtypes.TargetLocation{{TargetsMaxConcurrency: aws.String("0%")}}}, "targetsMaxConcurrency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.DocumentName = aws.String("Fleet-Check")
			_, err := f.admin.StartAutomationExecution(context.Background(), &in)
			require.Error(t, err)
			assert.Equal(t, "ValidationException", errCode(err))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
