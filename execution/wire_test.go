package execution_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// wireReply is one scripted GetAutomationExecution response.
type wireReply struct {
	status int
	body   string
}

func wireError(status int, code, message string) wireReply {
	return wireReply{status, fmt.Sprintf(`{"__type":%q,"message":%q}`, code, message)}
}

func wireStatus(s types.AutomationExecutionStatus) wireReply {
	return wireReply{200, fmt.Sprintf(`{"AutomationExecution":{"AutomationExecutionId":%q,"AutomationExecutionStatus":%q}}`, execID, s)}
}

// wireClient is a real SDK client whose GetAutomationExecution calls get
// the scripted replies in turn (the last one repeats). The SDK makes a
// single attempt per call, so every error reaches the waiter as the SDK
// wraps it.
func wireClient(t *testing.T, replies ...wireReply) (*ssm.Client, func() int) {
	t.Helper()
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		rep := replies[min(calls, len(replies)-1)]
		calls++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte(rep.body))
	}))
	t.Cleanup(srv.Close)
	client := ssm.New(ssm.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
	return client, func() int {
		mu.Lock()
		defer mu.Unlock()
		return calls
	}
}

// TestWaitWireErrors checks the waiter's error handling on errors as the
// real SDK client returns them (operation errors around typed or generic
// API errors), not only on bare errors.
func TestWaitWireErrors(t *testing.T) {
	throttled := wireError(400, "ThrottlingException", "Rate exceeded")
	for _, tc := range []struct {
		name    string
		replies []wireReply
		calls   int
		check   func(t *testing.T, err error)
	}{
		{"throttling is polled through", []wireReply{throttled, throttled, throttled, wireStatus(types.AutomationExecutionStatusInprogress), throttled, wireStatus(types.AutomationExecutionStatusSuccess)}, 6,
			func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"server errors are polled through", []wireReply{wireError(500, "InternalServerError", "oops"), wireError(503, "ServiceUnavailable", "busy"), wireStatus(types.AutomationExecutionStatusSuccess)}, 3,
			func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"not found right after start", []wireReply{wireError(400, "AutomationExecutionNotFoundException", "not found"), wireStatus(types.AutomationExecutionStatusFailed)}, 2,
			func(t *testing.T, err error) {
				var fe *execution.ExecutionFailedError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, types.AutomationExecutionStatusFailed, fe.Status)
			}},
		{"access denied ends at once", []wireReply{wireError(400, "AccessDeniedException", "User: arn:aws:iam::111122223333:user/op is not authorized to perform: ssm:GetAutomationExecution")}, 1,
			func(t *testing.T, err error) {
				var api smithy.APIError
				require.ErrorAs(t, err, &api)
				assert.Equal(t, "AccessDeniedException", api.ErrorCode())
				assert.Contains(t, err.Error(), "not authorized")
			}},
		{"gone after being seen", []wireReply{wireStatus(types.AutomationExecutionStatusInprogress), wireError(400, "AutomationExecutionNotFoundException", "not found")}, 2,
			func(t *testing.T, err error) {
				var nf *types.AutomationExecutionNotFoundException
				require.ErrorAs(t, err, &nf)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, calls := wireClient(t, tc.replies...)
			err := execution.NewExecutionWaiter(client, func(o *execution.ExecutionWaiterOptions) {
				o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
			}).Wait(t.Context(), execID, time.Minute)
			tc.check(t, err)
			assert.False(t, errors.Is(err, execution.ErrWaitTimeout))
			assert.Equal(t, tc.calls, calls())
		})
	}
}
