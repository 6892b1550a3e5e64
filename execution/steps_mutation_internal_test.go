package execution

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func logStep(id, name string, status types.AutomationExecutionStatus) types.StepExecution {
	s := types.StepExecution{StepName: aws.String(name), StepStatus: status}
	if id != "" {
		s.StepExecutionId = aws.String(id)
	}
	return s
}

func TestStepKey(t *testing.T) {
	tests := []struct {
		name string
		step types.StepExecution
		i    int
		want string
	}{
		{"execution id wins", logStep("id-1", "copy", ""), 3, "id-1"},
		{"name and position without an id", logStep("", "copy", ""), 3, "copy#3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, stepKey(&tc.step, tc.i))
		})
	}
}

func TestStepLogUpdateReportsChangesOnce(t *testing.T) {
	const (
		running = types.AutomationExecutionStatusInprogress
		done    = types.AutomationExecutionStatusSuccess
	)
	l := newStepLog()
	names := func(ss []*types.StepExecution) []string {
		var out []string
		for _, s := range ss {
			out = append(out, aws.ToString(s.StepName))
		}
		return out
	}
	assert.Equal(t, []string{"a", "b"}, names(l.update([]types.StepExecution{logStep("1", "a", done), logStep("", "b", running)})))
	assert.Empty(t, l.update([]types.StepExecution{logStep("1", "a", done), logStep("", "b", running)}), "nothing changed")
	assert.Equal(t, []string{"b"}, names(l.update([]types.StepExecution{logStep("1", "a", done), logStep("", "b", done)})))
	require.Len(t, l.list, 2)

	// A read without steps keeps the known list.
	assert.Empty(t, l.update(nil))
	assert.Len(t, l.list, 2)
}

func TestStepLogHoldsEnded(t *testing.T) {
	l := newStepLog()
	l.update([]types.StepExecution{
		logStep("1", "a", types.AutomationExecutionStatusSuccess),
		logStep("2", "b", types.AutomationExecutionStatusInprogress),
		logStep("", "c", types.AutomationExecutionStatusFailed),
	})
	tests := []struct {
		name string
		page []types.StepExecution
		want bool
	}{
		{"recorded ended step", []types.StepExecution{logStep("1", "a", types.AutomationExecutionStatusSuccess)}, true},
		{"recorded running step", []types.StepExecution{logStep("2", "b", types.AutomationExecutionStatusSuccess)}, false},
		{"unknown step", []types.StepExecution{logStep("9", "z", types.AutomationExecutionStatusSuccess)}, false},
		{"step without id", []types.StepExecution{logStep("", "c", types.AutomationExecutionStatusFailed)}, false},
		{"empty page", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, l.holdsEnded(tc.page))
		})
	}
}

func TestStepLogMerged(t *testing.T) {
	l := newStepLog()
	l.update([]types.StepExecution{
		logStep("1", "a", types.AutomationExecutionStatusSuccess),
		logStep("2", "b", types.AutomationExecutionStatusInprogress),
	})
	got := l.merged([]types.StepExecution{
		logStep("2", "b", types.AutomationExecutionStatusSuccess),
		logStep("3", "c", types.AutomationExecutionStatusInprogress),
	})
	assert.Equal(t, []types.StepExecution{
		logStep("1", "a", types.AutomationExecutionStatusSuccess),
		logStep("2", "b", types.AutomationExecutionStatusSuccess),
		logStep("3", "c", types.AutomationExecutionStatusInprogress),
	}, got)
	assert.Equal(t, types.AutomationExecutionStatusInprogress, l.list[1].StepStatus, "merged leaves the log alone")
}

// TestClassifyErrorRetryableClientFault covers a code the SDK retries that
// is not a server fault: it is transient by the SDK's list alone.
func TestClassifyErrorRetryableClientFault(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errKind
	}{
		{"request timeout", &smithy.GenericAPIError{Code: "RequestTimeout", Fault: smithy.FaultClient}, errTransient},
		{"validation", &smithy.GenericAPIError{Code: "ValidationException", Fault: smithy.FaultClient}, errOther},
		{"wrapped not found", errors.Join(errors.New("get"), &types.AutomationExecutionNotFoundException{}), errNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, classifyError(tc.err))
		})
	}
}

func TestProblemsErr(t *testing.T) {
	assert.NoError(t, problems(nil).err())

	ps := problems{
		{Field: "Parameters.B", Message: "first"},
		{Field: "Parameters.A", Message: "only"},
		{Field: "Parameters.B", Message: "second"},
	}
	var invalid *InvalidInputError
	require.ErrorAs(t, ps.err(), &invalid)
	var got []string
	for _, p := range invalid.Problems {
		got = append(got, p.Field+" "+p.Message)
	}
	// Sorted by field; problems of one field keep the order they were found in.
	assert.Equal(t, []string{"Parameters.A only", "Parameters.B first", "Parameters.B second"}, got)
	assert.Equal(t, "Parameters.B", ps[0].Field, "the caller's list is not reordered")

	var one *InputProblem
	require.ErrorAs(t, ps.err(), &one)
	assert.Equal(t, "Parameters.A", one.Field)
}
