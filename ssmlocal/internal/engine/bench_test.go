package engine

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
)

// benchEngine is an engine on an auto clock whose fake cloud keeps no call
// log, with a channel that receives every execution that ends.
func benchEngine(b *testing.B) (*Engine, *fakeCloud, chan string) {
	clk := clock.NewAuto(epoch)
	cloud := newFakeCloud(clk)
	cloud.quiet = true
	ended := make(chan string, 1024)
	var e *Engine
	var seen sync.Map
	e, err := New(Options{Clock: clk, Invoker: cloud, Account: testAccount, Region: "eu-west-1", OnChange: func(id string) {
		x, err := e.lookup(id)
		if err != nil {
			return
		}
		x.mu.Lock()
		done := terminal(x.rec.Status)
		x.mu.Unlock()
		if done {
			if _, dup := seen.LoadOrStore(id, true); !dup {
				ended <- id
			}
		}
	}})
	require.NoError(b, err)
	cloud.engine = e
	b.Cleanup(func() { _ = e.Close() })
	return e, cloud, ended
}

// BenchmarkTwoStepExecutions runs the two-step restart runbook end to end
// (stop, poll, start, poll) many at a time on the virtual clock.
func BenchmarkTwoStepExecutions(b *testing.B) {
	e, cloud, ended := benchEngine(b)
	content, _ := restartDoc().JSON()
	insts := make([]string, b.N)
	for i := range insts {
		insts[i] = cloud.addInstance("running")
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	go func() {
		for i := range b.N {
			_, err := e.Start(context.Background(), StartInput{DocumentName: "Restart", DocumentVersion: "1", Content: content,
				Parameters: map[string][]string{"InstanceId": {insts[i]}}, Principal: rolePrincipal, ExecutedBy: operatorARN})
			if err != nil {
				b.Error(err)
				return
			}
		}
	}()
	for range b.N {
		id := <-ended
		if a, _ := e.Get(id); a.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			b.Fatalf("%s: %s", a.AutomationExecutionStatus, *a.FailureMessage)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "executions/s")
}

// BenchmarkRetainedPerExecution measures the heap a finished two-step
// execution keeps.
func BenchmarkRetainedPerExecution(b *testing.B) {
	e, cloud, ended := benchEngine(b)
	content, _ := restartDoc().JSON()
	insts := make([]string, b.N)
	for i := range insts {
		insts[i] = cloud.addInstance("running")
	}
	// Warm the document cache so it is not counted per execution.
	if _, _, err := e.document("", content); err != nil {
		b.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := range b.N {
		if _, err := e.Start(context.Background(), StartInput{DocumentName: "Restart", DocumentVersion: "1", Content: content,
			Parameters: map[string][]string{"InstanceId": {insts[i]}}, Principal: rolePrincipal, ExecutedBy: operatorARN}); err != nil {
			b.Fatal(err)
		}
	}
	for range b.N {
		<-ended
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/execution")
	runtime.KeepAlive(e)
}
