package ssmlocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/smithy-go"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// Stub answers the calls of one API operation the endpoint does not
// emulate. in is the call's input by API member names, as a step passes it
// or as the wire decodes it; the result is the operation's output document,
// shaped as encoding/json decodes JSON. An error that satisfies
// smithy.APIError (such as *APIError) reaches the caller with its code and
// message; any other error is an InternalFailure. See "Stubs" in the
// package documentation.
type Stub interface {
	Respond(ctx context.Context, in map[string]any) (map[string]any, error)
}

// StubFunc is a Stub written as a Go function.
type StubFunc func(ctx context.Context, in map[string]any) (map[string]any, error)

// Respond calls f.
func (f StubFunc) Respond(ctx context.Context, in map[string]any) (map[string]any, error) {
	return f(ctx, in)
}

// StubResponse returns a stub that answers every call with out.
func StubResponse(out map[string]any) Stub { return staticStub{out: out} }

type staticStub struct{ out map[string]any }

func (s staticStub) Respond(context.Context, map[string]any) (map[string]any, error) {
	return s.out, nil
}

// StubError returns a stub that fails every call with the AWS error code
// and message (HTTP status 400).
func StubError(code, message string) Stub {
	return errorStub{err: &APIError{Code: code, Message: message}}
}

type errorStub struct{ err *APIError }

func (s errorStub) Respond(context.Context, map[string]any) (map[string]any, error) {
	return nil, &APIError{Code: s.err.Code, Message: s.err.Message, Status: s.err.Status}
}

// StubSequence returns a stub that answers successive calls with each of
// steps in turn, the last one repeating: a resource that is "creating" on
// the first poll and "available" from the second on, for
// aws:waitForAwsResourceProperty. Calls are counted per sequence, across
// executions.
func StubSequence(steps ...Stub) Stub { return &sequenceStub{steps: steps} }

type sequenceStub struct {
	mu    sync.Mutex
	steps []Stub
	next  int
}

func (s *sequenceStub) Respond(ctx context.Context, in map[string]any) (map[string]any, error) {
	if len(s.steps) == 0 {
		return nil, errors.New("the stub sequence is empty")
	}
	s.mu.Lock()
	step := s.steps[s.next]
	if s.next < len(s.steps)-1 {
		s.next++
	}
	s.mu.Unlock()
	return step.Respond(ctx, in)
}

// StubMatching returns a stub that answers, with stub, only the calls
// whose input contains match: every member of match is in the input with
// an equal value, objects compared member by member the same way (extra
// input members are ignored), lists item by item, and scalars by their
// text, so 5 matches "5" as query-protocol input sends it. Calls that do
// not match go on to the operation's next stub.
func StubMatching(match map[string]any, stub Stub) Stub {
	return matchStub{match: normalizeJSON(match), stub: stub}
}

type matchStub struct {
	match any
	stub  Stub
}

func (s matchStub) Respond(ctx context.Context, in map[string]any) (map[string]any, error) {
	return s.stub.Respond(ctx, in)
}

func (s matchStub) matches(in any) bool { return subsetOf(s.match, in) }

// subsetOf reports whether want is contained in got.
func subsetOf(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !subsetOf(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !subsetOf(w[i], g[i]) {
				return false
			}
		}
		return true
	case nil:
		return got == nil
	}
	switch got.(type) {
	case map[string]any, []any, nil:
		return false
	}
	return scalarText(want) == scalarText(got)
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// normalizeJSON returns v as encoding/json decodes it, or nil when v
// cannot be encoded.
func normalizeJSON(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil
	}
	return out
}

// StubRegistry holds the stubs of the operations the endpoint does not
// emulate, by service and operation, and the IAM actions of operations
// whose action the derivation table does not know. It is safe for
// concurrent use and may be changed while the endpoint runs. The zero
// value is an empty registry.
type StubRegistry struct {
	mu      sync.RWMutex
	ops     map[string]*stubOp
	actions map[string][]string
}

// stubOp is the stubs of one operation, in the order they were added.
type stubOp struct {
	service, operation string
	stubs              []Stub
}

// NewStubRegistry returns an empty registry.
func NewStubRegistry() *StubRegistry {
	return &StubRegistry{ops: map[string]*stubOp{}, actions: map[string][]string{}}
}

// WithStubs sets Options.Stubs.
func WithStubs(r *StubRegistry) func(*Options) {
	return func(o *Options) { o.Stubs = r }
}

// ErrInvalidStub is matched (errors.Is) by the errors of StubRegistry.Add
// and SetActions for a missing service, operation or stub.
var ErrInvalidStub = errors.New("ssmlocal: invalid stub")

// stubServiceAliases maps SigV4 signing names that differ from both the
// SDK client name and the IAM prefix.
var stubServiceAliases = map[string]string{"monitoring": "cloudwatch", "email": "ses"}

// stubService is the registry's name of a service: its IAM prefix when the
// SDK client name is known ("stepfunctions" and "states" are one service),
// else its lower-case name.
func stubService(service string) string {
	n := strings.ToLower(strings.TrimSpace(service))
	if a, ok := stubServiceAliases[n]; ok {
		n = a
	}
	if p, ok := policy.ServicePrefix(n); ok {
		return p
	}
	return n
}

func stubKey(service, operation string) string {
	return stubService(service) + ":" + strings.ToLower(strings.TrimSpace(operation))
}

func checkStubName(service, operation string) error {
	if strings.TrimSpace(service) == "" || strings.TrimSpace(operation) == "" {
		return fmt.Errorf("%w: a stub needs a service and an operation (got %q and %q)", ErrInvalidStub, service, operation)
	}
	if strings.ContainsAny(service+operation, ":. \t\n") || len(operation) > maxActionName || len(service) > maxActionName {
		return fmt.Errorf("%w: %q and %q are not an SDK client name and an API operation name", ErrInvalidStub, service, operation)
	}
	if op := strings.TrimSpace(operation); !isXMLName(op) {
		// Query and rest-xml responses are elements named after it.
		return fmt.Errorf("%w: the operation name %q is not letters, digits, dashes and underscores", ErrInvalidStub, op)
	}
	return nil
}

// Add registers stub for an operation of a service, named as
// aws:executeAwsApi names them (SDK client name and API operation name,
// matched case-insensitively: "sns" and "Publish", "rds" and
// "DescribeDBInstances"). An operation may have several stubs: a call is
// answered by the first, in the order added, that matches its input (see
// [StubMatching]); stubs without a matcher match every call.
func (r *StubRegistry) Add(service, operation string, stub Stub) error {
	if err := checkStubName(service, operation); err != nil {
		return err
	}
	if stub == nil {
		return fmt.Errorf("%w: the stub of %s:%s is nil", ErrInvalidStub, service, operation)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ops == nil {
		r.ops = map[string]*stubOp{}
	}
	k := stubKey(service, operation)
	op := r.ops[k]
	if op == nil {
		op = &stubOp{service: strings.ToLower(strings.TrimSpace(service)), operation: strings.TrimSpace(operation)}
		r.ops[k] = op
	}
	op.stubs = append(op.stubs, stub)
	return nil
}

// SetActions declares the IAM actions a call of the operation is
// authorized as, for operations the derivation's table does not know (or
// to override it), as policy.RunbookOptions.APIActions does: give the same
// entries to the derivation (see [StubRegistry.APIActions]) so the derived
// role allows what the endpoint checks.
func (r *StubRegistry) SetActions(service, operation string, actions ...string) error {
	if err := checkStubName(service, operation); err != nil {
		return err
	}
	if len(actions) == 0 {
		return fmt.Errorf("%w: no IAM action given for %s:%s", ErrInvalidStub, service, operation)
	}
	for _, a := range actions {
		if p, n, ok := strings.Cut(a, ":"); !ok || p == "" || n == "" {
			return fmt.Errorf("%w: %q is not an IAM action (prefix:Action)", ErrInvalidStub, a)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.actions == nil {
		r.actions = map[string][]string{}
	}
	r.actions[strings.ToLower(strings.TrimSpace(service))+"."+strings.TrimSpace(operation)] = slices.Clone(actions)
	return nil
}

// APIActions returns the actions declared with SetActions, keyed
// "service.Operation" as policy.RunbookOptions.APIActions takes them.
func (r *StubRegistry) APIActions() map[string][]string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string][]string, len(r.actions))
	for k, v := range r.actions {
		out[k] = slices.Clone(v)
	}
	return out
}

// Operations lists the stubbed operations as "service:Operation", sorted.
func (r *StubRegistry) Operations() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.ops))
	for _, op := range r.ops {
		out = append(out, op.service+":"+op.operation)
	}
	slices.Sort(out)
	return out
}

// lookup returns the operation's stubs.
func (r *StubRegistry) lookup(service, operation string) ([]Stub, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	op, ok := r.ops[stubKey(service, operation)]
	if !ok {
		return nil, false
	}
	return slices.Clone(op.stubs), true
}

// checkStubs refuses stubs of operations the endpoint emulates: stubs
// never replace an emulated operation, whose state and checks would be
// bypassed.
func (s *Server) checkStubs() error {
	r := s.opts.Stubs
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range slices.Sorted(maps.Keys(r.ops)) {
		op := r.ops[k]
		if h, ok := s.lookupOp(stubService(op.service), op.operation); ok {
			return fmt.Errorf("%w: %s:%s is emulated by the endpoint; stubs answer only operations it does not emulate", ErrInvalidStub, h.service, h.name)
		}
	}
	return nil
}

// stubHint says how to stub an operation.
func stubHint(service, operation string) string {
	return fmt.Sprintf("add a stub with ssmlocal.WithStubs and StubRegistry.Add(%q, %q, ssmlocal.StubResponse(...)), or in a --stubs file: {stubs: [{service: %s, operation: %s, response: {...}}]}",
		service, operation, service, operation)
}

// notSimulated is the error of a call of an operation that is neither
// emulated nor stubbed: over the wire the code the service gives an
// unknown operation, to a step NotSimulated (which aws:approve tolerates
// for its notification).
func (c *call) notSimulated() error {
	err := &APIError{Code: "NotSimulated", Message: fmt.Sprintf("%s:%s is not simulated by the local endpoint and has no stub: %s", c.service, c.api, stubHint(c.service, c.api))}
	if c.executionID == "" {
		switch c.service {
		case "ssm":
			err.Code = "UnknownOperationException"
		default:
			err.Code = "InvalidAction"
		}
	}
	return err
}

// dispatchStub runs a call of an operation the endpoint does not emulate:
// it is authenticated already; here it is authorized with the IAM actions
// and resources policy.ActionsForCall computes, answered by the first
// matching stub, and audited.
func (s *Server) dispatchStub(ctx context.Context, c *call, in map[string]any) (map[string]any, error) {
	// The call keeps its caller's spelling of the operation in the audit
	// trail, as the stubs match it case-insensitively.
	stubs, ok := s.opts.Stubs.lookup(c.service, c.api)
	if !ok {
		err := c.notSimulated()
		s.record(c, err)
		return nil, err
	}
	if err := s.checkSession(c); err != nil {
		s.record(c, err)
		return nil, err
	}
	// The signature check admitted the Region (or a global service's
	// signing Region); stubs keep no per-Region state.
	if r, err := s.region(c.regionNm); err == nil {
		c.region = r
	}
	if err := s.authorizeStub(c, in); err != nil {
		s.record(c, err)
		return nil, err
	}
	out, err := respondStub(ctx, c, stubs, in)
	s.record(c, err)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// authorizeStub authorizes a stubbed call as IAM would, failing closed: an
// operation whose IAM action cannot be determined is denied.
func (s *Server) authorizeStub(c *call, in map[string]any) error {
	scope := policy.Scope{Partition: s.opts.Partition, Region: c.regionNm, Account: s.opts.AccountID}
	reqs, err := policy.ActionsForCall(c.service, c.api, in, scope, func(o *policy.RunbookOptions) {
		o.APIActions = s.opts.Stubs.APIActions()
	})
	if err != nil {
		c.decision = "Denied"
		detail := err.Error()
		var ce *policy.CallActionError
		if errors.As(err, &ce) {
			detail = ce.Detail
		}
		return c.deniedAs(&deniedError{principal: c.who.ARN, action: c.service + ":" + c.api,
			reason: "because its IAM action cannot be determined (" + detail + "); declare it with StubRegistry.SetActions or actions: in the --stubs file"})
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(reqs) == 0 {
		c.decision = "Allowed"
		return nil
	}
	for _, req := range reqs {
		if len(req.Resources) == 0 {
			c.decision = "Denied"
			return c.deniedAs(&deniedError{principal: c.who.ARN, action: req.Action, reason: "because the request names no resource"})
		}
		for _, res := range req.Resources {
			if err := c.authorizeWith(req.Action, res, req.Context, nil); err != nil {
				return c.deniedAs(err)
			}
		}
	}
	return nil
}

// respondStub answers with the first stub that matches the input. A stub
// that panics fails the call, never the endpoint.
func respondStub(ctx context.Context, c *call, stubs []Stub, in map[string]any) (map[string]any, error) {
	plainIn, _ := normalizeJSON(in).(map[string]any)
	if plainIn == nil {
		plainIn = map[string]any{}
	}
	for _, st := range stubs {
		if m, ok := st.(interface{ matches(any) bool }); ok && !m.matches(plainIn) {
			continue
		}
		res, err := callStub(ctx, c, st, deepCopy(plainIn))
		if err != nil {
			return nil, err
		}
		doc, ok := normalizeJSON(res).(map[string]any)
		if res != nil && !ok {
			return nil, &APIError{Code: "InternalFailure", Status: 500, Message: fmt.Sprintf("the response of the stub of %s:%s cannot be encoded as JSON", c.service, c.api)}
		}
		if doc == nil {
			doc = map[string]any{}
		}
		return doc, nil
	}
	return nil, &APIError{Code: "NotSimulated", Message: fmt.Sprintf("no stub of %s:%s matches the input; add one without match:, or with a match: the input contains", c.service, c.api)}
}

// callStub calls one stub with its own copy of the input, so it cannot
// change what the next call sees; a panic becomes an InternalFailure.
func callStub(ctx context.Context, c *call, st Stub, in map[string]any) (out map[string]any, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, &APIError{Code: "InternalFailure", Status: 500, Message: fmt.Sprintf("the stub of %s:%s panicked: %v", c.service, c.api, p)}
		}
	}()
	out, err = st.Respond(ctx, in)
	var ae smithy.APIError
	if err != nil && !errors.As(err, &ae) {
		err = &APIError{Code: "InternalFailure", Status: 500, Message: fmt.Sprintf("the stub of %s:%s failed: %v", c.service, c.api, err)}
	}
	return out, err
}

func deepCopy(m map[string]any) map[string]any {
	out, _ := normalizeJSON(m).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}
