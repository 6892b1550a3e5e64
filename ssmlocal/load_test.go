package ssmlocal_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// pooledConfig is an admin config for many concurrent callers; the
// server's own client keeps enough idle connections for them.
func pooledConfig(srv *ssmlocal.Server) aws.Config {
	c := srv.AdminConfig()
	c.RetryMaxAttempts = 1
	return c
}

// runRestarts starts n restart executions, one instance each, with the
// given number of concurrent callers, and returns their ids.
func runRestarts(tb testing.TB, srv *ssmlocal.Server, client *ssm.Client, role string, n, callers int) []string {
	tb.Helper()
	ids, err := srv.AddInstances(n)
	require.NoError(tb, err)
	execs := make([]string, n)
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			for i := range work {
				out, err := client.StartAutomationExecution(context.Background(), &ssm.StartAutomationExecutionInput{
					DocumentName: aws.String(ssmlocal.RestartEC2Instance),
					Parameters:   map[string][]string{"InstanceId": {ids[i]}, "AutomationAssumeRole": {role}},
				})
				if err != nil {
					errs <- err
					return
				}
				execs[i] = *out.AutomationExecutionId
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(tb, err)
	}
	return execs
}

// waitAll pages through DescribeAutomationExecutions until no execution
// is in progress and returns the count per status.
func waitAll(tb testing.TB, client *ssm.Client) map[ssmtypes.AutomationExecutionStatus]int {
	tb.Helper()
	var counts map[ssmtypes.AutomationExecutionStatus]int
	if !pollUntil(tb, 5*time.Minute, func() (bool, error) {
		counts = map[ssmtypes.AutomationExecutionStatus]int{}
		p := ssm.NewDescribeAutomationExecutionsPaginator(client, &ssm.DescribeAutomationExecutionsInput{MaxResults: aws.Int32(50)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				return false, err
			}
			for _, m := range page.AutomationExecutionMetadataList {
				counts[m.AutomationExecutionStatus]++
			}
		}
		busy := counts[ssmtypes.AutomationExecutionStatusPending] + counts[ssmtypes.AutomationExecutionStatusInprogress] + counts[ssmtypes.AutomationExecutionStatusWaiting]
		return busy == 0, nil
	}) {
		require.FailNow(tb, fmt.Sprintf("executions still running: %v", counts))
	}
	return counts
}

// TestThousandConcurrentRestarts runs 1,000 restart executions at once and
// checks that none is lost: every one succeeds, every instance is running
// again, and the audit trail holds each one's stop and start, made as the
// service role.
func TestThousandConcurrentRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const n = 1000
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	role := serviceRole(t, srv, "LoadRole", trustSSM, restartRolePolicy)
	client := ssm.NewFromConfig(pooledConfig(srv))
	execs := runRestarts(t, srv, client, role, n, 32)
	counts := waitAll(t, client)
	require.Equal(t, map[ssmtypes.AutomationExecutionStatus]int{ssmtypes.AutomationExecutionStatusSuccess: n}, counts, "statuses")
	seen := map[string]bool{}
	stops, starts := map[string]bool{}, map[string]bool{}
	for _, e := range srv.Audit() {
		if e.ExecutionID == "" {
			continue
		}
		if e.Decision == "Allowed" && e.API == "StopInstances" {
			stops[e.ExecutionID] = true
		}
		if e.Decision == "Allowed" && e.API == "StartInstances" {
			starts[e.ExecutionID] = true
		}
	}
	for _, id := range execs {
		require.False(t, seen[id], "execution id %s issued twice", id)
		seen[id] = true
		require.True(t, stops[id], "execution %s: stop not audited", id)
		require.True(t, starts[id], "execution %s: start not audited", id)
	}
}

// BenchmarkRestartExecutions measures two-step executions (the restart
// runbook) per second through the endpoint under virtual time, and the
// memory retained per finished execution.
func BenchmarkRestartExecutions(b *testing.B) {
	srv := newServer(b, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	role := serviceRole(b, srv, "BenchRole", trustSSM, restartRolePolicy)
	client := ssm.NewFromConfig(pooledConfig(srv))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	runRestarts(b, srv, client, role, b.N, 16)
	waitAll(b, client)
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "executions/s")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N)/1024, "KiB-retained/execution")
}
