package execution_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

func TestSignalsWithPayload(t *testing.T) {
	extra := map[string][]string{"Ticket": {"CHG-7"}, "StepName": {"not-this"}, "Comment": {"not-this"}}
	for _, tc := range []struct {
		name    string
		send    func(ctx context.Context, f *fakeSSM, opt func(*execution.SignalOptions)) error
		typ     types.SignalType
		payload map[string][]string
	}{
		{"approve keeps its comment", func(ctx context.Context, f *fakeSSM, opt func(*execution.SignalOptions)) error {
			return execution.Approve(ctx, f, execID, "ok", opt)
		}, types.SignalTypeApprove, map[string][]string{"Comment": {"ok"}, "Ticket": {"CHG-7"}, "StepName": {"not-this"}}},
		{"resume keeps its step", func(ctx context.Context, f *fakeSSM, opt func(*execution.SignalOptions)) error {
			return execution.Resume(ctx, f, execID, execution.WithStepName("hold"), opt)
		}, types.SignalTypeResume, map[string][]string{"StepName": {"hold"}, "Ticket": {"CHG-7"}, "Comment": {"not-this"}}},
		{"start step", func(ctx context.Context, f *fakeSSM, opt func(*execution.SignalOptions)) error {
			return execution.StartStep(ctx, f, execID, "run", opt)
		}, types.SignalTypeStartStep, map[string][]string{"StepName": {"run"}, "Ticket": {"CHG-7"}, "Comment": {"not-this"}}},
		{"revoke", func(ctx context.Context, f *fakeSSM, opt func(*execution.SignalOptions)) error {
			return execution.Revoke(ctx, f, execID, opt)
		}, types.SignalTypeRevoke, extra},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			require.NoError(t, tc.send(t.Context(), f, execution.WithPayload(extra)))
			require.Len(t, f.signals, 1)
			assert.Equal(t, tc.typ, f.signals[0].SignalType)
			assert.Equal(t, tc.payload, f.signals[0].Payload)
			assert.Len(t, extra, 3, "the caller's map is not changed")
		})
	}
}

func TestRevokeWithoutPayload(t *testing.T) {
	f := newFake()
	require.NoError(t, execution.Revoke(t.Context(), f, execID))
	require.Len(t, f.signals, 1)
	assert.Nil(t, f.signals[0].Payload)
	assert.ErrorContains(t, execution.Revoke(t.Context(), f, ""), "execution id is required")
}
