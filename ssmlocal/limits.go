package ssmlocal

import (
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Bounds on what one request may make the endpoint do; doc.go's Limits
// section lists them.
const (
	// maxBodyBytes is the largest request body read; a larger one is
	// refused with 413, never truncated.
	maxBodyBytes = 8 << 20
	// maxQueryParams caps the parameters of a query-protocol request, body
	// and URL together.
	maxQueryParams = 10_000
	// maxQueryDepth caps the dot-separated segments of a parameter name
	// ("TagSpecification.1.Tag.1.Key" has five).
	maxQueryDepth = 32
	// maxQueryName caps a parameter name's length in bytes.
	maxQueryName = 512
	// maxJSONDepth caps the nesting of a JSON request body.
	maxJSONDepth = 32
	// maxActionName caps an operation name (Action or X-Amz-Target).
	maxActionName = 128
	// maxQuoted is how much of a caller's value an error message repeats.
	maxQuoted = 256
	// maxMessage caps a whole error message on the wire and in the audit
	// trail, whatever built it.
	maxMessage = 2048
	// maxHeaderBytes caps the request line and headers.
	maxHeaderBytes = 64 << 10
	// defaultAuditBytes caps the audit trail's size (its events' text).
	defaultAuditBytes = 64 << 20
)

// limits are knobs the package's own tests turn down to exercise the bounds
// quickly; zero fields take the defaults.
type limits struct {
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	auditBytes        int
}

func (l limits) orDefault() limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&l.readHeaderTimeout, 10*time.Second)
	def(&l.readTimeout, time.Minute)
	def(&l.writeTimeout, 2*time.Minute)
	def(&l.idleTimeout, 2*time.Minute)
	if l.auditBytes == 0 {
		l.auditBytes = defaultAuditBytes
	}
	return l
}

// clip returns s, or its first maxQuoted bytes (cut at a character
// boundary) and its length when it is longer: error messages repeat a
// caller's value this way, so a huge value never makes a huge message.
func clip(s string) string { return clipTo(s, maxQuoted) }

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// clipArg clips a message argument that prints as text; numbers and
// other values pass unchanged, so their verbs still apply.
func clipArg(a any) any {
	switch x := a.(type) {
	case string:
		return clip(x)
	case []string:
		return clip(fmt.Sprint(x))
	case error:
		return clip(x.Error())
	case nil:
		return a
	}
	// Named string types (enums) print as their text.
	if v := reflect.ValueOf(a); v.Kind() == reflect.String {
		return clip(v.String())
	}
	return a
}

// Throttle is a request rate: Rate requests a second on average, and up to
// Burst at once.
type Throttle struct {
	// Rate is the requests a second the bucket refills with.
	Rate float64
	// Burst is the bucket's size; Rate rounded up (at least 1) when zero.
	Burst int
}

// DefaultStartThrottle is the StartAutomationExecution rate ssmdelegate
// local --throttle applies: 5 requests a second with bursts of 10. Service
// Quotas shows the rate applied to an account, which may differ; set
// Options.StartThrottle to match it.
func DefaultStartThrottle() Throttle { return Throttle{Rate: 5, Burst: 10} }

// throttles keeps one token bucket per Region (quotas are per account and
// Region).
type throttles struct {
	mu      sync.Mutex
	t       Throttle
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newThrottles(t Throttle) *throttles {
	if t.Burst <= 0 {
		t.Burst = max(1, int(math.Ceil(t.Rate)))
	}
	return &throttles{t: t, buckets: map[string]*bucket{}}
}

// take spends a token of region's bucket at now, refilled for the time
// since the last take; false when it is empty.
func (th *throttles) take(region string, now time.Time) bool {
	th.mu.Lock()
	defer th.mu.Unlock()
	b, ok := th.buckets[region]
	if !ok {
		b = &bucket{tokens: float64(th.t.Burst), last: now}
		th.buckets[region] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(float64(th.t.Burst), b.tokens+el.Seconds()*th.t.Rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// throttle refuses a caller's StartAutomationExecution past the rate with
// ThrottlingException, the code the SDKs' retryers treat as throttling.
// Starts that Automation makes itself (aws:executeAutomation, rate
// control) are not counted.
func (s *Server) throttle(c *call) error {
	if s.starts == nil || c.executionID != "" || c.service != "ssm" || c.api != "StartAutomationExecution" {
		return nil
	}
	if s.starts.take(c.regionNm, s.clock.Now()) {
		return nil
	}
	return &APIError{Code: "ThrottlingException", Message: "Rate exceeded", Status: http.StatusBadRequest}
}
