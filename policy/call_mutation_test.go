package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// TestActionsForCallReason: each authorization says which call needs which
// action, hidden ones included.
func TestActionsForCallReason(t *testing.T) {
	got, err := policy.ActionsForCall("lambda", "CreateFunction",
		map[string]any{"FunctionName": "fn", "Role": "arn:aws:iam::123456789012:role/fn-role"}, callScope)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "lambda.CreateFunction needs lambda:CreateFunction", got[0].Reason)
	assert.Equal(t, "iam:PassRole", got[1].Action)
	assert.Contains(t, got[1].Reason, "CreateFunction")
	assert.Nil(t, got[0].Context, "a call with no condition has no context")
	assert.Equal(t, map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}, got[1].Context)
}

func TestActionsForCallUnreadableParameter(t *testing.T) {
	tests := []struct {
		name  string
		value any
	}{
		{"channel", make(chan int)},
		{"function", func() {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.ActionsForCall("sns", "Publish", map[string]any{"TopicArn": tt.value}, callScope)
			require.ErrorIs(t, err, policy.ErrUnknownCallAction)
			var ce *policy.CallActionError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "sns", ce.Service)
			assert.Equal(t, "Publish", ce.Operation)
			assert.Contains(t, err.Error(), "parameter TopicArn cannot be read")
			assert.Equal(t, "policy: cannot determine the IAM action of sns.Publish: "+ce.Detail, err.Error())
			assert.Nil(t, got)
		})
	}
}

func TestCallActionErrorMatchesOnlyItsSentinel(t *testing.T) {
	err := &policy.CallActionError{Service: "s", Operation: "o", Detail: "d"}
	assert.ErrorIs(t, err, policy.ErrUnknownCallAction)
	assert.NotErrorIs(t, err, policy.ErrInvalidARN)
	assert.Equal(t, "policy: cannot determine the IAM action of s.o: d", err.Error())
}
