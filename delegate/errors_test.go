package delegate

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProblemError(t *testing.T) {
	underlying := errors.New("boom")
	for _, tc := range []struct {
		name string
		p    *Problem
		want string
	}{
		{"no field", &Problem{Message: "a new document needs its content", Kind: ErrNeedsInput}, "a new document needs its content"},
		{"field", &Problem{Field: "parameters.AutomationAssumeRole.type", Message: "is Integer", Kind: ErrConflict},
			"parameters.AutomationAssumeRole.type: is Integer"},
		{"wrapped", &Problem{Field: "document", Message: "boom", Kind: ErrInvalidOutput, Err: underlying}, "document: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.p.Error())
			assert.ErrorIs(t, tc.p, tc.p.Kind)
			assert.NotErrorIs(t, tc.p, ErrModeRefused, "a problem matches its own kind only")
			assert.Equal(t, tc.p.Err, errors.Unwrap(tc.p))
		})
	}
	assert.False(t, (&Problem{Message: "m"}).Is(nil), "a problem without a kind matches nothing")
}

// The caller's session lasts at most 12 hours, so caller mode is refused
// for a run that may last longer; the message says why, in order of
// usefulness: the deciding step, the unbounded cause, the steps' shares.
func TestCallerModeErrorMessage(t *testing.T) {
	const tail = ", longer than the caller's 12h0m0s session; use a service role (embedded or runtime mode)"
	for _, tc := range []struct {
		name string
		err  *CallerModeError
		want string
	}{
		{"bound alone", &CallerModeError{Bound: 13 * time.Hour},
			"caller mode refused: the runbook may run for 13h0m0s" + tail},
		{"cause first", &CallerModeError{Bound: 13 * time.Hour, Cause: "step wait: aws:sleep 13h", Reasons: []string{"a", "b"}},
			"caller mode refused: the runbook may run for 13h0m0s (step wait: aws:sleep 13h)" + tail},
		{"unbounded names its last reason", &CallerModeError{Unbounded: true, Reasons: []string{"step a: 1h", "step p: aws:pause unbounded"}},
			"caller mode refused: the runbook's duration is unbounded (step p: aws:pause unbounded)" + tail},
		{"three shares", &CallerModeError{Bound: 15 * time.Hour, Reasons: []string{"a 5h", "b 5h", "c 5h"}},
			"caller mode refused: the runbook may run for 15h0m0s (a 5h; b 5h; c 5h)" + tail},
		{"more shares are counted", &CallerModeError{Bound: 20 * time.Hour, Reasons: []string{"a", "b", "c", "d", "e"}},
			"caller mode refused: the runbook may run for 20h0m0s (a; b; c; and 2 more steps)" + tail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
			assert.ErrorIs(t, tc.err, ErrModeRefused)
			assert.NotErrorIs(t, tc.err, ErrConflict)
		})
	}
}

func TestPlanErrorUnwrapsEveryProblem(t *testing.T) {
	var ps problems
	require.NoError(t, ps.err(), "no problems, no error")
	ps.add(ErrInvalidInput, "account", "%q is not a 12-digit account id", "12")
	ps.wrap(ErrNeedsInput, "rolePolicy", errors.New("unknown content"))
	err := ps.err()
	require.Error(t, err)
	assert.Equal(t, `delegate: cannot plan: account: "12" is not a 12-digit account id; rolePolicy: unknown content`, err.Error())
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorIs(t, err, ErrNeedsInput)
	assert.NotErrorIs(t, err, ErrConflict)
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, "account", p.Field)
}
