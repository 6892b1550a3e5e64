package engine

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestoreFailsInterruptedStep: a step that acts, found in progress after
// a restart, is failed as interrupted instead of acting twice; its
// onFailure then decides the flow. A wait found in progress runs again.
func TestRestoreFailsInterruptedStep(t *testing.T) {
	tests := []struct {
		name      string
		onFailure string
		// want is the execution's status; stops is how many StopInstances
		// calls the cloud saw in all.
		want  types.AutomationExecutionStatus
		stops int
	}{
		{"abort", "", types.AutomationExecutionStatusFailed, 1},
		{"continue", "Continue", types.AutomationExecutionStatusSuccess, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h1 := newHarness(t)
				i := h1.cloud.addInstance("running")
				onFailure := ""
				if tt.onFailure != "" {
					onFailure = "\n  onFailure: " + tt.onFailure
				}
				doc := mustParse(t, `
schemaVersion: '0.3'
parameters:
  Ids: {type: StringList}
mainSteps:
- name: stop
  action: aws:changeInstanceState
  inputs: {InstanceIds: '{{ Ids }}', DesiredState: stopped}`+onFailure+`
- name: nap
  action: aws:sleep
  inputs: {Duration: PT1M}
`)
				id := h1.start(doc, map[string][]string{"Ids": {i}})
				// The stop call is made; the step waits for the 10 s transition.
				h1.until(func() bool { return h1.cloud.callsTo("StopInstances") == 1 })
				require.NoError(t, h1.e.Close())
				state, err := h1.e.Snapshot()
				require.NoError(t, err)

				h2 := h1.restore(state)
				got := h2.wait(id)
				assert.Equal(t, tt.want, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
				assert.Equal(t, tt.stops, h1.cloud.callsTo("StopInstances"), "the interrupted step acted again")
				stop := stepByName(got, "stop")
				assert.Equal(t, types.AutomationExecutionStatusFailed, stop.StepStatus)
				assert.True(t, strings.Contains(aws.ToString(stop.FailureMessage), "interrupted by a restart"), aws.ToString(stop.FailureMessage))
				require.NotNil(t, stop.FailureDetails)
				assert.Equal(t, []string{"InterruptedByRestart"}, stop.FailureDetails.Details["ErrorCode"])
			})
		})
	}
}

// TestRestoreRepeatsHarmlessStep: a read-only aws:executeAwsApi and a
// sleep found in progress run again after a restore.
func TestRestoreRepeatsHarmlessStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h1 := newHarness(t)
		doc := mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: nap
  action: aws:sleep
  inputs: {Duration: PT1M}
- name: look
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: DescribeInstances}
`)
		id := h1.start(doc, nil)
		h1.until(func() bool {
			return stepByName(h1.get(id), "nap").StepStatus == types.AutomationExecutionStatusInprogress
		})
		require.NoError(t, h1.e.Close())
		state, err := h1.e.Snapshot()
		require.NoError(t, err)
		h2 := h1.restore(state)
		got := h2.wait(id)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
	})
}

func TestRepeatable(t *testing.T) {
	tests := []struct {
		yaml string
		want bool
	}{
		{"{name: s, action: 'aws:sleep', inputs: {Duration: PT1S}}", true},
		{"{name: s, action: 'aws:pause', inputs: {}}", true},
		{"{name: s, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: DescribeInstances}}", true},
		{"{name: s, action: 'aws:executeAwsApi', inputs: {Service: ssm, Api: getParameter}}", true},
		{"{name: s, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: StopInstances}}", false},
		{"{name: s, action: 'aws:changeInstanceState', inputs: {InstanceIds: [i-1], DesiredState: stopped}}", false},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- "+tt.yaml+"\n")
			step := doc.MainSteps[0]
			in := map[string]any{}
			for _, m := range step.Inputs.Members() {
				if s, ok := m.Value.AsString(); ok {
					in[m.Key] = s
				}
			}
			assert.Equal(t, tt.want, repeatable(step, in))
		})
	}
}

// TestSnapshotEachRestores: the per-execution snapshot, joined, restores
// the same executions, finished ones from their cached encoding.
func TestSnapshotEachRestores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h1 := newHarness(t)
		i := h1.cloud.addInstance("running")
		done := h1.start(restartDoc(), map[string][]string{"InstanceId": {i}})
		h1.wait(done)
		running := h1.start(mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:pause', inputs: {}}\n"), nil)
		h1.until(func() bool {
			return h1.get(running).AutomationExecutionStatus == types.AutomationExecutionStatusWaiting
		})
		first, err := h1.e.SnapshotEach()
		require.NoError(t, err)
		second, err := h1.e.SnapshotEach()
		require.NoError(t, err)
		assert.Equal(t, first, second)
		require.Len(t, first, 2)
		for id, b := range first {
			require.NoError(t, CheckEntry(id, b))
		}
		assert.Error(t, CheckEntry("other", first[done]))
		require.NoError(t, h1.e.Close())
		h2 := newHarness(t, func(o *Options) {
			o.State = JoinSnapshot([][]byte{first[done], first[running]})
			o.Clock, o.Invoker = h1.clk, h1.cloud
		})
		h2.clk, h2.cloud = h1.clk, h1.cloud
		assert.Equal(t, h1.get(done), h2.get(done))
		h2.until(func() bool {
			return h2.get(running).AutomationExecutionStatus == types.AutomationExecutionStatusWaiting
		})
	})
}
