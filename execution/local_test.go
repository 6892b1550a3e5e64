package execution_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// These tests run the real SDK client against the embedded endpoint over
// loopback. The endpoint's virtual clock runs automations at once; the
// waiter polls in real time, so its delays are shortened.

func localServer(t *testing.T, clock ...ssmlocal.Clock) (*ssmlocal.Server, *ssm.Client) {
	t.Helper()
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) {
		o.Clock = ssmlocal.AutoClock(time.Now())
		if len(clock) > 0 {
			o.Clock = clock[0]
		}
		// Virtual time runs ahead of the signing clock.
		o.MaxClockSkew = 100 * 365 * 24 * time.Hour
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv, ssm.NewFromConfig(srv.AdminConfig())
}

func quick(o *execution.ExecutionWaiterOptions) {
	o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
}

func TestLocalRestart(t *testing.T) {
	srv, client := localServer(t)
	ids, err := srv.AddInstances(2)
	require.NoError(t, err)
	doc, err := client.GetDocument(t.Context(), &ssm.GetDocumentInput{Name: aws.String(ssmlocal.RestartEC2Instance), DocumentFormat: types.DocumentFormatJson})
	require.NoError(t, err)
	rb, err := runbook.Parse([]byte(aws.ToString(doc.Content)))
	require.NoError(t, err)

	started, err := execution.Start(t.Context(), client, ssmlocal.RestartEC2Instance,
		execution.WithParameters(map[string][]string{"InstanceId": ids}),
		func(o *execution.StartOptions) { o.Runbook = rb })
	require.NoError(t, err)

	var steps []string
	out, err := execution.NewExecutionWaiter(client, quick, func(o *execution.ExecutionWaiterOptions) {
		o.OnProgress = func(p execution.Progress) {
			if p.StepChanged && execution.Classify(p.StepStatus) == execution.Succeeded {
				steps = append(steps, p.StepName)
			}
		}
	}).WaitForOutput(t.Context(), started.ExecutionID, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, types.AutomationExecutionStatusSuccess, out.AutomationExecution.AutomationExecutionStatus)
	assert.Equal(t, []string{"stopInstances", "startInstances"}, steps)

	// A retried start with the same token does not launch twice.
	again, err := execution.StartInput(t.Context(), client, started.Input)
	if err == nil {
		assert.Equal(t, started.ExecutionID, again.ExecutionID)
	}
}

func TestLocalFailedStep(t *testing.T) {
	_, client := localServer(t)
	out, err := execution.Start(t.Context(), client, ssmlocal.RestartEC2Instance,
		execution.WithParameters(map[string][]string{"InstanceId": {"i-0000000000000dead"}}))
	require.NoError(t, err)
	err = execution.NewExecutionWaiter(client, quick).Wait(t.Context(), out.ExecutionID, time.Minute)
	var fe *execution.ExecutionFailedError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, types.AutomationExecutionStatusFailed, fe.Status)
	require.NotNil(t, fe.FailedStep)
	assert.Equal(t, "stopInstances", aws.ToString(fe.FailedStep.StepName))
}

// advanceWhile moves a virtual clock ten minutes every few milliseconds
// until the test ends.
func advanceWhile(t *testing.T, vc interface{ Advance(time.Duration) }) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				vc.Advance(10 * time.Minute)
			}
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
}

func TestLocalApprovalAndWatcher(t *testing.T) {
	vc := ssmlocal.VirtualClock(time.Now())
	srv, client := localServer(t, vc)
	content := fmt.Sprintf(`{
  "schemaVersion": "0.3",
  "description": "Wait for an approval, then sleep",
  "mainSteps": [
    {"name": "approve", "action": "aws:approve", "inputs": {"Approvers": [%q], "Message": "go?"}},
    {"name": "nap", "action": "aws:sleep", "inputs": {"Duration": "PT1H"}}
  ]
}`, srv.AdminARN())
	_, err := client.CreateDocument(t.Context(), &ssm.CreateDocumentInput{
		Name: aws.String("Approve-Then-Sleep"), Content: aws.String(content),
		DocumentType: types.DocumentTypeAutomation, DocumentFormat: types.DocumentFormatJson,
	})
	require.NoError(t, err)

	var ids []string
	for range 12 {
		out, err := execution.Start(t.Context(), client, "Approve-Then-Sleep")
		require.NoError(t, err)
		ids = append(ids, out.ExecutionID)
	}
	w := execution.NewExecutionWaiter(client, quick, func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true })
	for i, id := range ids {
		err := w.Wait(t.Context(), id, time.Minute)
		require.ErrorIs(t, err, execution.ErrAwaitingInput, id)
		if i%3 == 2 {
			require.NoError(t, execution.Reject(t.Context(), client, id, "not now"))
		} else {
			require.NoError(t, execution.Approve(t.Context(), client, id, "go"))
		}
	}

	advanceWhile(t, vc)
	finals := map[types.AutomationExecutionStatus]int{}
	err = execution.NewWatcher(client, func(o *execution.WatcherOptions) { o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond }).
		Run(t.Context(), ids, func(ev execution.Event) {
			if ev.Final {
				finals[ev.Status]++
				if ev.Status != types.AutomationExecutionStatusSuccess {
					var fe *execution.ExecutionFailedError
					assert.ErrorAs(t, ev.Err, &fe)
				}
			}
		})
	require.NoError(t, err)
	assert.Equal(t, 8, finals[types.AutomationExecutionStatusSuccess], finals)
	assert.Equal(t, 4, finals[types.AutomationExecutionStatusRejected]+finals[types.AutomationExecutionStatusFailed], finals)
}

func TestLocalCancel(t *testing.T) {
	_, client := localServer(t, ssmlocal.VirtualClock(time.Now()))
	content := `{"schemaVersion": "0.3", "mainSteps": [{"name": "pause", "action": "aws:pause", "inputs": {}}]}`
	_, err := client.CreateDocument(t.Context(), &ssm.CreateDocumentInput{
		Name: aws.String("Pause-Forever"), Content: aws.String(content), DocumentType: types.DocumentTypeAutomation,
	})
	require.NoError(t, err)
	out, err := execution.Start(t.Context(), client, "Pause-Forever")
	require.NoError(t, err)
	w := execution.NewExecutionWaiter(client, quick)
	require.ErrorIs(t, w.Wait(t.Context(), out.ExecutionID, time.Minute, func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true }), execution.ErrAwaitingInput)
	require.NoError(t, execution.Cancel(t.Context(), client, out.ExecutionID))
	err = w.Wait(t.Context(), out.ExecutionID, time.Minute)
	var fe *execution.ExecutionFailedError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, types.AutomationExecutionStatusCancelled, fe.Status)
	assert.True(t, strings.Contains(err.Error(), "Cancelled"))
}

func TestLocalRateControlledChildren(t *testing.T) {
	srv, client := localServer(t)
	ids, err := srv.AddInstances(4)
	require.NoError(t, err)
	out, err := execution.Start(t.Context(), client, ssmlocal.RestartEC2Instance,
		execution.WithRateControl("InstanceId", []types.Target{{Key: aws.String("ParameterValues"), Values: ids}}, "2", "0"))
	require.NoError(t, err)
	finals := map[string]types.AutomationExecutionStatus{}
	err = execution.NewWatcher(client, func(o *execution.WatcherOptions) {
		o.FollowChildren = true
		o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	}).Run(t.Context(), []string{out.ExecutionID}, func(ev execution.Event) {
		if ev.Final {
			finals[ev.ExecutionID] = ev.Status
		}
	})
	require.NoError(t, err)
	require.Len(t, finals, 5, "the parent and one child per instance: %v", finals)
	for id, s := range finals {
		assert.Equal(t, execution.Succeeded, execution.Classify(s), id)
	}
}

func TestLocalResume(t *testing.T) {
	_, client := localServer(t)
	content := `{"schemaVersion": "0.3", "mainSteps": [
  {"name": "hold", "action": "aws:pause", "inputs": {}},
  {"name": "nap", "action": "aws:sleep", "inputs": {"Duration": "PT1H"}}
]}`
	_, err := client.CreateDocument(t.Context(), &ssm.CreateDocumentInput{
		Name: aws.String("Pause-Then-Sleep"), Content: aws.String(content), DocumentType: types.DocumentTypeAutomation,
	})
	require.NoError(t, err)
	out, err := execution.Start(t.Context(), client, "Pause-Then-Sleep")
	require.NoError(t, err)
	id := out.ExecutionID
	w := execution.NewExecutionWaiter(client, quick)
	require.ErrorIs(t, w.Wait(t.Context(), id, time.Minute, func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true }), execution.ErrAwaitingInput)

	// The endpoint refuses a step that is not the paused one, as the service does.
	var nf *types.AutomationStepNotFoundException
	require.ErrorAs(t, execution.Resume(t.Context(), client, id, execution.WithStepName("nap")), &nf)

	// Resume finds the paused step by itself and the execution runs on.
	require.NoError(t, execution.Resume(t.Context(), client, id))
	require.NoError(t, w.Wait(t.Context(), id, time.Minute))
}
