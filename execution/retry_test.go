package execution

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// TestRetryBudget checks the transient budget runs out exactly after max
// errors in a row, that throttling neither spends it nor is limited, and
// that a success starts a new run.
func TestRetryBudget(t *testing.T) {
	const budget = 3
	tests := []struct {
		name           string
		max            int
		kinds          []errKind
		want           []bool
		wantThrottles  int
		wantTransients int
	}{
		{"budget-1 transient", budget, repeat(errTransient, budget-1), repeat(true, budget-1), 0, budget - 1},
		{"budget transient", budget, repeat(errTransient, budget), repeat(true, budget), 0, budget},
		{"budget+1 transient", budget, repeat(errTransient, budget+1), append(repeat(true, budget), false), 0, budget},
		{"throttles are not limited", budget, repeat(errThrottle, 50), repeat(true, 50), 50, 0},
		{"throttles spend no transient budget", budget,
			[]errKind{errTransient, errThrottle, errTransient, errThrottle, errThrottle, errTransient, errTransient},
			[]bool{true, true, true, true, true, true, false}, 3, budget},
		{"zero budget retries no transient", 0, []errKind{errTransient, errThrottle}, []bool{false, true}, 1, 0},
		{"negative budget retries no transient", -1, []errKind{errTransient}, []bool{false}, 0, 0},
		{"other errors are never retried", budget, []errKind{errOther, errNotFound, errNone}, []bool{false, false, false}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := retryBudget{maxTransient: tc.max}
			got := make([]bool, len(tc.kinds))
			for i, k := range tc.kinds {
				got[i] = b.allow(k)
			}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantThrottles, b.throttles)
			assert.Equal(t, tc.wantTransients, b.transients)

			b.reset()
			assert.Equal(t, retryBudget{maxTransient: tc.max}, b, "a success starts a new run")
		})
	}
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestClassifyErrorKinds(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errKind
	}{
		{"none", nil, errNone},
		{"throttling", &smithy.GenericAPIError{Code: "ThrottlingException", Fault: smithy.FaultClient}, errThrottle},
		{"not found", &types.AutomationExecutionNotFoundException{}, errNotFound},
		{"not found by code", &smithy.GenericAPIError{Code: "AutomationExecutionNotFoundException"}, errNotFound},
		{"internal server error", &types.InternalServerError{}, errTransient},
		{"unknown server fault", &smithy.GenericAPIError{Code: "Whatever", Fault: smithy.FaultServer}, errTransient},
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException", Fault: smithy.FaultClient}, errOther},
		{"plain error", errors.New("boom"), errOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, classifyError(tc.err))
		})
	}
}
