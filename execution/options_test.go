package execution

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go/logging"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

type testLogger struct{}

func (testLogger) Logf(logging.Classification, string, ...any) {}

func TestWatcherOptionsResolve(t *testing.T) {
	lim := rate.NewLimiter(1, 1)
	tests := []struct {
		name string
		in   WatcherOptions
		want WatcherOptions // RateLimiter and Logger checked apart
	}{
		{"zero takes every default", WatcherOptions{}, WatcherOptions{
			MinDelay: DefaultWatchMinDelay, MaxDelay: DefaultWatchMaxDelay,
			NotFoundGracePeriod: DefaultNotFoundGracePeriod, MaxTransientErrors: DefaultMaxTransientErrors}},
		{"set values are kept", WatcherOptions{MinDelay: time.Second, MaxDelay: 10 * time.Second, NotFoundGracePeriod: time.Minute, MaxTransientErrors: 2, SkipDetail: true, FollowChildren: true},
			WatcherOptions{MinDelay: time.Second, MaxDelay: 10 * time.Second, NotFoundGracePeriod: time.Minute, MaxTransientErrors: 2, SkipDetail: true, FollowChildren: true}},
		{"negative minimum takes the default", WatcherOptions{MinDelay: -time.Second, MaxDelay: 10 * time.Second},
			WatcherOptions{MinDelay: DefaultWatchMinDelay, MaxDelay: 10 * time.Second, NotFoundGracePeriod: DefaultNotFoundGracePeriod, MaxTransientErrors: DefaultMaxTransientErrors}},
		{"maximum equal to minimum is kept", WatcherOptions{MinDelay: 5 * time.Second, MaxDelay: 5 * time.Second},
			WatcherOptions{MinDelay: 5 * time.Second, MaxDelay: 5 * time.Second, NotFoundGracePeriod: DefaultNotFoundGracePeriod, MaxTransientErrors: DefaultMaxTransientErrors}},
		{"maximum below minimum takes the default", WatcherOptions{MinDelay: 5 * time.Second, MaxDelay: 4 * time.Second},
			WatcherOptions{MinDelay: 5 * time.Second, MaxDelay: DefaultWatchMaxDelay, NotFoundGracePeriod: DefaultNotFoundGracePeriod, MaxTransientErrors: DefaultMaxTransientErrors}},
		{"minimum above the default maximum stretches it", WatcherOptions{MinDelay: 5 * time.Minute},
			WatcherOptions{MinDelay: 5 * time.Minute, MaxDelay: 5 * time.Minute, NotFoundGracePeriod: DefaultNotFoundGracePeriod, MaxTransientErrors: DefaultMaxTransientErrors}},
		{"negatives disable grace and transient retries", WatcherOptions{NotFoundGracePeriod: -1, MaxTransientErrors: -1},
			WatcherOptions{MinDelay: DefaultWatchMinDelay, MaxDelay: DefaultWatchMaxDelay, NotFoundGracePeriod: -1, MaxTransientErrors: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got := tc.in.resolve()
				require.NotNil(t, got.RateLimiter)
				assert.Equal(t, rate.Limit(DefaultRequestsPerSec), got.RateLimiter.Limit())
				assert.Equal(t, DefaultRequestsPerSec, got.RateLimiter.Burst())
				assert.Equal(t, logging.Nop{}, got.Logger)
				got.RateLimiter, got.Logger = nil, nil
				assert.Equal(t, tc.want, got)
				assert.Equal(t, got, func() WatcherOptions {
					again := got.resolve()
					again.RateLimiter, again.Logger = nil, nil
					return again
				}(), "resolving twice changes nothing")
			})
		})
	}
	t.Run("set limiter and logger are kept", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			got := WatcherOptions{RateLimiter: lim, Logger: testLogger{}}.resolve()
			assert.Same(t, lim, got.RateLimiter)
			assert.Equal(t, testLogger{}, got.Logger)
			w := NewWatcher(nil, func(o *WatcherOptions) { o.RateLimiter = lim; o.MaxTransientErrors = 7 })
			assert.Same(t, lim, w.options.RateLimiter)
			assert.Equal(t, 7, w.options.MaxTransientErrors)
			assert.Equal(t, DefaultWatchMinDelay, w.options.MinDelay, "NewWatcher resolves")
		})
	})
}

func TestExecutionWaiterOptionsResolve(t *testing.T) {
	retryable := func(context.Context, *ssm.GetAutomationExecutionInput, *ssm.GetAutomationExecutionOutput, error) (bool, error) {
		return true, nil
	}
	defaults := ExecutionWaiterOptions{MinDelay: DefaultMinDelay, MaxDelay: DefaultMaxDelay,
		NotFoundGracePeriod: DefaultNotFoundGracePeriod, MaxTransientErrors: DefaultMaxTransientErrors}
	with := func(fn func(*ExecutionWaiterOptions)) ExecutionWaiterOptions {
		o := defaults
		fn(&o)
		return o
	}
	tests := []struct {
		name          string
		in            ExecutionWaiterOptions
		want          ExecutionWaiterOptions // Retryable and Logger checked apart
		wantErr       string
		wantRetryable bool // the caller's, else DefaultRetryable
	}{
		{name: "zero takes every default", want: defaults},
		{name: "negative delays take the defaults", in: ExecutionWaiterOptions{MinDelay: -1, MaxDelay: -1}, want: defaults},
		{name: "set values are kept",
			in:   ExecutionWaiterOptions{MinDelay: time.Second, MaxDelay: time.Second, NotFoundGracePeriod: time.Minute, MaxTransientErrors: 9, ReturnOnAwaitingInput: true, Retryable: retryable},
			want: ExecutionWaiterOptions{MinDelay: time.Second, MaxDelay: time.Second, NotFoundGracePeriod: time.Minute, MaxTransientErrors: 9, ReturnOnAwaitingInput: true}, wantRetryable: true},
		{name: "negatives disable grace and transient retries", in: ExecutionWaiterOptions{NotFoundGracePeriod: -1, MaxTransientErrors: -1},
			want: with(func(o *ExecutionWaiterOptions) { o.NotFoundGracePeriod, o.MaxTransientErrors = -1, -1 })},
		{name: "minimum above maximum", in: ExecutionWaiterOptions{MinDelay: 2 * time.Second, MaxDelay: time.Second}, wantErr: "minimum delay 2s is greater than maximum delay 1s"},
		{name: "minimum above the default maximum", in: ExecutionWaiterOptions{MinDelay: 3 * time.Minute}, wantErr: "minimum delay 3m0s is greater than maximum delay 2m0s"},
		{name: "maximum below the default minimum", in: ExecutionWaiterOptions{MaxDelay: time.Millisecond}, wantErr: "minimum delay 1s is greater than maximum delay 1ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got, err := tc.in.resolve()
				if tc.wantErr != "" {
					require.EqualError(t, err, "execution: "+tc.wantErr)
					return
				}
				require.NoError(t, err)
				require.NotNil(t, got.Retryable)
				// DefaultRetryable stops on an error; the test's polls on.
				retry, _ := got.Retryable(t.Context(), nil, nil, context.Canceled)
				assert.Equal(t, tc.wantRetryable, retry)
				assert.Equal(t, logging.Nop{}, got.Logger)
				got.Retryable, got.Logger = nil, nil
				assert.Equal(t, tc.want, got)
			})
		})
	}
	t.Run("per-wait options apply over the waiter's", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := NewExecutionWaiter(nil, func(o *ExecutionWaiterOptions) { o.MaxDelay = time.Second })
			assert.Zero(t, w.options.MinDelay, "defaults wait for the wait's own options")
			_, err := w.WaitForOutput(t.Context(), "id", time.Minute, func(o *ExecutionWaiterOptions) { o.MinDelay = 2 * time.Second })
			require.EqualError(t, err, "execution: minimum delay 2s is greater than maximum delay 1s")
		})
	})
}

func TestResolveStartOptions(t *testing.T) {
	tests := []struct {
		name      string
		fns       []func(*StartOptions)
		wantToken string // empty: a new UUID
		wantMode  string
	}{
		{name: "no options: a new token"},
		{name: "token kept", fns: []func(*StartOptions){WithClientToken("6f1f0a1e-3d3c-4a55-9a51-0d6c2b3a4e5f")}, wantToken: "6f1f0a1e-3d3c-4a55-9a51-0d6c2b3a4e5f"},
		{name: "later options win", fns: []func(*StartOptions){WithClientToken("a"), WithClientToken("b"), WithInteractive()}, wantToken: "b", wantMode: "Interactive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got, err := resolveStartOptions(tc.fns)
				require.NoError(t, err)
				assert.Equal(t, tc.wantMode, string(got.Mode))
				if tc.wantToken != "" {
					assert.Equal(t, tc.wantToken, got.ClientToken)
					return
				}
				_, err = uuid.Parse(got.ClientToken)
				require.NoError(t, err, "a generated token is a UUID")
				again, err := resolveStartOptions(tc.fns)
				require.NoError(t, err)
				assert.NotEqual(t, got.ClientToken, again.ClientToken, "each resolve draws a new token")
			})
		})
	}
}
