package execution_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// fleetCheck sleeps, then reads its Region's configuration parameter: a
// Region without the parameter fails its location.
const fleetCheck = `{"schemaVersion":"0.3","parameters":{"Wait":{"type":"String","default":"PT1M"}},"mainSteps":[
	{"name":"wait","action":"aws:sleep","inputs":{"Duration":"{{ Wait }}"}},
	{"name":"config","action":"aws:executeAwsApi","inputs":{"Service":"ssm","Api":"GetParameter","Name":"/fleet/{{ global:REGION }}"},
	 "outputs":[{"Name":"Value","Selector":"$.Parameter.Value","Type":"String"}]}]}`

// TestLocalLocations runs a runbook in four Regions of the endpoint, one
// of them without its configuration, and follows it with the waiter (its
// children read in their Regions) and the watcher.
func TestLocalLocations(t *testing.T) {
	slowtest.Require(t, "a multi-Region automation on the local endpoint")
	regions := []string{"ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"}
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) {
		o.Clock = ssmlocal.AutoClock(time.Now())
		o.Regions = regions
		o.MaxClockSkew = 100 * 365 * 24 * time.Hour
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	ctx := t.Context()
	acct := srv.AccountID()
	adminRole := "arn:aws:iam::" + acct + ":role/" + ssmlocal.AdministrationRoleName
	trustSSM := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	trustAdmin := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + adminRole + `"},"Action":"sts:AssumeRole"}]}`
	admin := iam.NewFromConfig(srv.AdminConfig())
	for _, r := range []struct{ name, trust, policy string }{
		{ssmlocal.AdministrationRoleName, trustSSM, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}]}`},
		{"AWS-SystemsManager-AutomationExecutionRole", trustAdmin, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]}`},
	} {
		_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), AssumeRolePolicyDocument: aws.String(r.trust)})
		require.NoError(t, err)
		_, err = admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.name), PolicyName: aws.String("permissions"), PolicyDocument: aws.String(r.policy)})
		require.NoError(t, err)
	}
	in := func(region string) *ssm.Client {
		c := srv.AdminConfig()
		c.Region = region
		return ssm.NewFromConfig(c)
	}
	home := in("us-east-1")
	_, err = home.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Fleet-Check"), Content: aws.String(fleetCheck), DocumentType: types.DocumentTypeAutomation})
	require.NoError(t, err)
	for _, r := range regions[1:] { // ap-southeast-2 is left unconfigured
		_, err := in(r).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/fleet/" + r), Value: aws.String("ok"), Type: types.ParameterTypeString})
		require.NoError(t, err)
	}

	started, err := execution.Start(ctx, home, "Fleet-Check", func(o *execution.StartOptions) {
		o.TargetLocations = []types.TargetLocation{{Regions: regions, TargetLocationMaxConcurrency: aws.String("2"), TargetLocationMaxErrors: aws.String("1")}}
	})
	require.NoError(t, err)

	changes := map[string][]types.AutomationExecutionStatus{}
	report, err := execution.NewExecutionWaiter(home, quick).WaitForLocations(ctx, started.ExecutionID, time.Minute, func(o *execution.ExecutionWaiterOptions) {
		o.OnProgress = func(p execution.Progress) {
			if l := p.Location; l != nil {
				changes[l.Key()] = append(changes[l.Key()], l.Status)
			}
		}
		o.LocationClient = func(account, region string) (execution.GetAutomationExecutionAPIClient, error) {
			if account != acct {
				return nil, fmt.Errorf("no credentials for %s", account)
			}
			return in(region), nil
		}
	})
	var fe *execution.ExecutionFailedError
	require.ErrorAs(t, err, &fe, "one location fails")
	assert.Equal(t, execution.Failed, execution.Classify(fe.Status))
	require.NotNil(t, report)
	assert.Equal(t, started.ExecutionID, report.ExecutionID)
	require.Len(t, report.Locations, 4)
	for i, l := range report.Locations {
		assert.Equal(t, acct, l.Account)
		assert.Equal(t, regions[i], l.Region, "sorted by Region")
		assert.Equal(t, "AWS-SystemsManager-AutomationExecutionRole", l.ExecutionRoleName)
		assert.NotEmpty(t, l.ChildExecutionID, l.Key())
		want := types.AutomationExecutionStatusSuccess
		if l.Region == "ap-southeast-2" {
			want = types.AutomationExecutionStatusFailed
			assert.NotEmpty(t, l.FailureMessage)
		}
		assert.Equal(t, want, l.Status, "%s: %s", l.Key(), l.FailureMessage)
		st := changes[l.Key()]
		require.NotEmpty(t, st, "%s was reported", l.Key())
		assert.Equal(t, want, st[len(st)-1], "%s's last change is its end", l.Key())
		assert.Len(t, slices.Compact(slices.Clone(st)), len(st), "%s: each change once", l.Key())
	}
	assert.True(t, report.Totals.FromCounters)
	assert.Equal(t, 4, report.Totals.Total)
	assert.Equal(t, 3, report.Totals.Succeeded)
	assert.Equal(t, 1, report.Totals.Failed)

	// The child of a location is readable in its Region.
	child, err := in("eu-west-1").GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(report.Locations[1].ChildExecutionID)})
	require.NoError(t, err)
	assert.Equal(t, types.AutomationExecutionStatusSuccess, child.AutomationExecution.AutomationExecutionStatus)

	// The watcher tells the same story: each location, then the parent's
	// end.
	var events []string
	err = execution.NewWatcher(home, func(o *execution.WatcherOptions) {
		o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
		o.MinDelay = 10 * time.Millisecond
	}).Run(context.WithoutCancel(ctx), []string{started.ExecutionID}, func(ev execution.Event) {
		if l := ev.Location; l != nil {
			events = append(events, l.Key()+" "+string(l.Status))
			return
		}
		events = append(events, fmt.Sprintf("parent %s final=%v", ev.Status, ev.Final))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{
		acct + "/ap-southeast-2 Failed",
		acct + "/eu-west-1 Success",
		acct + "/us-east-1 Success",
		acct + "/us-west-2 Success",
		fmt.Sprintf("parent %s final=true", fe.Status),
	}, events)
}
