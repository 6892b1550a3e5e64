package ssmlocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	awsarn "github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
)

// Options configure a [Server].
type Options struct {
	// Addr is the loopback address to listen on; "127.0.0.1:0" (any free
	// port) when empty.
	Addr string
	// AccountID is the simulated account; "123456789012" when empty. With
	// Accounts it is the home account, the one [Server]'s own methods
	// speak for.
	AccountID string
	// Accounts are more accounts served by the same endpoint, each with
	// its own IAM, Regions, documents, resources, executions, audit trail
	// and state file; a request is served by the account that owns its
	// access key. At most 50, 12 digits each, none repeated or equal to
	// AccountID. See "Several accounts" in the package documentation.
	Accounts []string
	// Regions are the Regions served; the first is the default. Documents,
	// instances and executions are per Region; IAM and STS are global.
	// ["us-east-1"] when empty.
	Regions []string
	// Partition is the ARN partition; "aws" when empty.
	Partition string
	// Clock is the time source; the wall clock when nil. Use
	// [VirtualClock] or [AutoClock] to run hours of automation in
	// milliseconds.
	Clock Clock
	// StateFile, when set, is the durable store of the state (a bbolt
	// file), loaded at start when it exists: every change is on disk before
	// the call that made it is answered, so a restart, even after a crash,
	// loses no acknowledged document, IAM entity, instance or execution. A
	// JSON state file (as SaveState writes) found there is imported. See
	// "Durable state" in the package documentation.
	StateFile string
	// Logger receives the endpoint's operational errors (a state that
	// cannot be written); slog.Default() when nil.
	Logger *slog.Logger
	// AdminAccessKeyID and AdminSecretAccessKey fix the bootstrap
	// administrator's credentials; random when empty.
	AdminAccessKeyID     string
	AdminSecretAccessKey string
	// MaxClockSkew is how far a request's signing time may be from the
	// wall clock (never the simulated Clock: clients sign with real time);
	// 15 minutes, as AWS allows, when zero.
	MaxClockSkew time.Duration
	// OnAudit, when set, is called with every audit event as it is
	// recorded (ssmdelegate local --audit prints them).
	OnAudit func(AuditEvent)
	// AuditLimit caps the audit trail's events; the oldest are dropped
	// first. 100,000 when zero; negative sets no count, but the trail is
	// also capped at 64 MiB whatever the count.
	AuditLimit int
	// InstanceTransition is how long pending, stopping and shutting-down
	// instances take to settle; 10 seconds when zero.
	InstanceTransition time.Duration
	// Stubs answer the calls of operations the endpoint does not emulate,
	// still authenticated, authorized and audited; see "Stubs" in the
	// package documentation and [WithStubs].
	Stubs *StubRegistry
	// RunScripts lets aws:executeScript steps run their Python or
	// PowerShell scripts in child processes on this machine, as the user
	// running the endpoint, with temporary credentials of the execution's
	// principal. Off by default: see "Scripts" in the package documentation.
	RunScripts bool
	// AttachmentsDir is where aws:executeScript finds the Attachment a
	// step names (a .py file or a .zip), by file name.
	AttachmentsDir string
	// StorageTransition is how long images, snapshots and volumes take to
	// settle (pending to available or completed, creating to available,
	// attaching to attached, detaching to detached); 5 seconds when zero.
	StorageTransition time.Duration
	// StartThrottle, when its Rate is positive, throttles callers'
	// StartAutomationExecution requests with a token bucket on the
	// endpoint's clock, answering ThrottlingException as the service does
	// past its quota; off when zero. [DefaultStartThrottle] is the rate
	// ssmdelegate local --throttle sets.
	StartThrottle Throttle
	// limits lets the package's tests turn the endpoint's bounds down.
	limits limits
}

// Clock is the endpoint's time source; see [VirtualClock].
type Clock = clock.Clock

// Timer is a one-shot timer of a [Clock].
type Timer = clock.Timer

// Virtual is the clock [VirtualClock] and [AutoClock] return: it moves only
// through Advance and AdvanceToNext, or, in auto mode, to each timer's
// deadline as the timer is set.
type Virtual = clock.Virtual

// VirtualClock returns a clock that moves only when its Advance or
// AdvanceToNext method is called.
func VirtualClock(start time.Time) *Virtual { return clock.NewVirtual(start) }

// AutoClock returns a virtual clock that jumps to every timer's deadline as
// soon as the timer is set, so waits take no real time.
func AutoClock(start time.Time) *Virtual { return clock.NewAuto(start) }

// Credentials identify a caller of the endpoint.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is set for temporary credentials from AssumeRole.
	SessionToken string
	// Expires is when temporary credentials stop working.
	Expires time.Time
}

// Server is a running local endpoint.
type Server struct {
	opts    Options
	clock   Clock
	ln      net.Listener
	http    *http.Server
	url     string
	served  chan struct{}
	admin   Credentials
	mu      sync.RWMutex
	iam     *iamState
	regions map[string]*region
	audit   auditLog
	dur     *durable
	closeMu sync.Mutex
	// transport is this server's own connection pool for the configs it
	// hands out, so a closed server's connections never serve another one
	// that reuses its port.
	transport *http.Transport
	connMu    sync.Mutex
	fresh     map[net.Conn]struct{}
	closed    bool
	policies  policyCache
	ops       map[string]opDef
	// runbooks caches parsed document versions by content hash.
	runbooks sync.Map
	// restoredExecutions are the engines' snapshots read from the state
	// file, by Region.
	restoredExecutions map[string][]byte
	// scripts are the credentials running aws:executeScript steps use;
	// listening is closed once URL is known.
	scripts   scriptSessions
	listening chan struct{}
	// starts throttles StartAutomationExecution per Region; nil when off.
	starts *throttles
	// fleet is every account's core, this one included; set before any
	// engine starts and never changed after.
	fleet *fleet
}

// New starts an endpoint listening on loopback.
func New(optFns ...func(*Options)) (*Server, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if !policy.IsAccountID(o.AccountID) {
		return nil, fmt.Errorf("ssmlocal: account id %q is not 12 digits", o.AccountID)
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1"}
	}
	if o.Partition == "" {
		o.Partition = "aws"
	}
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.MaxClockSkew == 0 {
		o.MaxClockSkew = 15 * time.Minute
	}
	if o.AuditLimit == 0 {
		o.AuditLimit = 100_000
	}
	if o.InstanceTransition == 0 {
		o.InstanceTransition = 10 * time.Second
	}
	if o.StorageTransition == 0 {
		o.StorageTransition = 5 * time.Second
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("ssmlocal: address %q: %w", o.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("ssmlocal: address %q is not a loopback address", o.Addr)
	}
	accounts, err := accountList(o.AccountID, o.Accounts)
	if err != nil {
		return nil, err
	}
	cores, undo, err := startCores(o, accounts)
	if err != nil {
		return nil, err
	}
	s := cores[0]
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		undo()
		return nil, fmt.Errorf("ssmlocal: %w", err)
	}
	s.ln = ln
	for _, c := range cores {
		c.url = "http://" + ln.Addr().String()
	}
	close(s.listening)
	// Timeouts close connections that trickle headers or a body or sit
	// idle, so slow clients cannot hold goroutines and memory.
	lim := o.limits.orDefault()
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: lim.readHeaderTimeout,
		ReadTimeout:       lim.readTimeout,
		WriteTimeout:      lim.writeTimeout,
		IdleTimeout:       lim.idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         s.trackConn,
	}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// startCores makes every account's core, the home account's first, and
// starts their engines; undo stops and closes them all.
func startCores(o Options, accounts []string) (cores []*Server, undo func(), err error) {
	home, err := newCore(o, nil)
	if err != nil {
		return nil, nil, err
	}
	f := &fleet{order: accounts, cores: map[string]*Server{o.AccountID: home}}
	cores = []*Server{home}
	undo = func() {
		for _, c := range cores {
			c.stopEngines()
			c.closeDurable()
		}
	}
	for _, id := range accounts[1:] {
		co := o
		co.AccountID, co.Accounts = id, nil
		co.StateFile = accountStateFile(o.StateFile, id)
		co.AdminAccessKeyID, co.AdminSecretAccessKey = "", ""
		c, err := newCore(co, home)
		if err != nil {
			undo()
			return nil, nil, err
		}
		f.cores[id] = c
		cores = append(cores, c)
	}
	// Every core knows the fleet before any engine runs, so a restored
	// execution reaching into another account finds it.
	for _, c := range cores {
		c.fleet = f
	}
	for _, c := range cores {
		if err := c.startEngines(); err != nil {
			undo()
			return nil, nil, err
		}
	}
	// Write once now, so a state that cannot be written fails the start.
	for _, c := range cores {
		if err := c.flush(); err != nil {
			undo()
			return nil, nil, err
		}
	}
	return cores, undo, nil
}

// newCore makes the state of one account: its IAM, Regions, documents and
// state file; home is the core whose listener and connection pool it
// shares (nil for the home core itself). Its engines start later.
func newCore(o Options, home *Server) (*Server, error) {
	s := &Server{
		opts:    o,
		clock:   o.Clock,
		served:  make(chan struct{}),
		regions: map[string]*region{},
		ops:     buildOps(),
	}
	if home != nil {
		s.listening = home.listening
		s.transport = home.transport
	} else {
		s.listening = make(chan struct{})
		s.transport = http.DefaultTransport.(*http.Transport).Clone()
		s.transport.MaxIdleConnsPerHost = 64
	}
	s.audit.limit = o.AuditLimit
	if err := s.checkStubs(); err != nil {
		return nil, err
	}
	if o.StartThrottle.Rate > 0 {
		s.starts = newThrottles(o.StartThrottle)
	}
	s.iam = newIAMState()
	for _, r := range o.Regions {
		s.regions[r] = newRegion(r)
	}
	if err := s.bootstrap(); err != nil {
		return nil, err
	}
	if o.StateFile != "" {
		if err := s.openDurable(o.StateFile); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// URL is the endpoint's base URL, for --endpoint-url and aws.Config.
func (s *Server) URL() string { return s.url }

// AccountID is the simulated account.
func (s *Server) AccountID() string { return s.opts.AccountID }

// Region is the default (first) Region.
func (s *Server) Region() string { return s.opts.Regions[0] }

// Partition is the ARN partition.
func (s *Server) Partition() string { return s.opts.Partition }

// Clock is the endpoint's time source.
func (s *Server) Clock() Clock { return s.clock }

// Admin returns the bootstrap administrator's credentials: the IAM user
// "admin" with the AWS managed policy AdministratorAccess attached.
func (s *Server) Admin() Credentials { return s.admin }

// AdminARN is the bootstrap administrator's ARN.
func (s *Server) AdminARN() string { return s.arn("iam", "", "user/admin") }

// Config returns an aws.Config that calls this endpoint as creds in the
// default Region. It reads no shared files or environment.
func (s *Server) Config(creds Credentials) aws.Config {
	return aws.Config{
		Region:       s.Region(),
		Credentials:  credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		BaseEndpoint: aws.String(s.url),
		HTTPClient:   &http.Client{Timeout: time.Minute, Transport: ownedBody{next: s.transport}},
	}
}

// HTTPClient returns an HTTP client for SDK configs that call a local
// endpoint by URL (aws.Config.HTTPClient or config.WithHTTPClient). The SDK
// closes a request's body as soon as the response headers arrive, while
// net/http may still read that body once more to check its length; on a
// loopback connection the response can arrive first, the transport then
// fails that read and closes the connection, and a response larger than its
// read buffer is cut off ("use of closed network connection"). This client
// sends its own copy of every body, so that never happens. [Server.Config]
// uses it.
func HTTPClient() *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: ownedBody{next: http.DefaultTransport}}
}

// ownedBody sends a private copy of each request body.
type ownedBody struct{ next http.RoundTripper }

func (o ownedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return o.next.RoundTrip(r)
	}
	data, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(data))
	c.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	c.ContentLength = int64(len(data))
	return o.next.RoundTrip(c)
}

// AdminConfig returns an aws.Config for the bootstrap administrator.
func (s *Server) AdminConfig() aws.Config { return s.Config(s.admin) }

// Close stops the listener and every running execution, then writes the
// last changes to the state file and closes it.
func (s *Server) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	s.closeMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- s.http.Shutdown(ctx) }()
	// Connections a client opened but never used would hold Shutdown for
	// five seconds; nothing is lost by closing them.
	tick := time.NewTicker(20 * time.Millisecond)
	var err error
wait:
	for {
		s.closeUnused()
		select {
		case err = <-shut:
			break wait
		case <-tick.C:
		}
	}
	tick.Stop()
	<-s.served
	s.transport.CloseIdleConnections()
	for _, c := range s.cores() {
		if e := c.stopEngines(); e != nil && err == nil {
			err = e
		}
		if e := c.closeDurable(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// arn is the ARN of a resource of the simulated account.
func (s *Server) arn(service, region, resource string) string {
	return s.arnOf(service, region, s.opts.AccountID, resource)
}

// arnOf is the ARN of a resource in the endpoint's partition owned by
// account: "" for account-less resources such as images, "aws" for AWS
// managed policies.
func (s *Server) arnOf(service, region, account, resource string) string {
	return awsarn.ARN{Partition: s.opts.Partition, Service: service, Region: region, Account: account, Resource: resource}.String()
}

func (s *Server) region(name string) (*region, error) {
	r, ok := s.regions[name]
	if !ok {
		return nil, &APIError{Code: "InvalidRegion", Message: fmt.Sprintf("region %q is not served by this endpoint (it serves %s)", name, strings.Join(s.opts.Regions, ", "))}
	}
	return r, nil
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newID returns prefix followed by n random characters of AWS's key id
// alphabet.
func newID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + string(b)
}

// newSecret returns a 40-character secret access key.
func newSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func newHex(n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = hex[int(b[i])%16]
	}
	return string(b)
}

// ServeHTTP routes a request by protocol: awsJson1_1 by X-Amz-Target, the
// query protocols by the SigV4 credential scope's service. It authenticates
// the request before decoding its body: the signature covers the raw
// bytes, and an unauthenticated caller gets no decoding work done.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newUUID()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			http.Error(w, "cannot read request", http.StatusBadRequest)
			return
		}
		// The protocol is judged by the headers alone; the body is not
		// looked at.
		p := detectProtocol(r, nil)
		if p == nil {
			p = protocolFor("iam")
		}
		code := "RequestEntityTooLarge"
		if p.kind == awsJSON {
			code += "Exception"
		}
		p.writeError(w, reqID, &APIError{Code: code, Message: fmt.Sprintf("the request body is larger than %d bytes", maxBodyBytes), Status: http.StatusRequestEntityTooLarge})
		return
	}
	p := detectProtocol(r, body)
	// The account that owns the access key serves the call; a key no
	// account knows fails in the home account as it always has.
	s = s.fleet.owner(r, s)
	if p == nil && s.serveStubWire(w, r, body, reqID) {
		return
	}
	if p == nil {
		writeQueryError(w, "https://iam.amazonaws.com/doc/2010-05-08/", reqID, &APIError{Code: "InvalidAction", Message: "the request is not an AWS API call this endpoint serves"})
		return
	}
	sig, err := s.verify(r, body, p.service)
	if err != nil {
		ae := asAPIError(err)
		s.audit.add(s, AuditEvent{Time: s.clock.Now(), Service: p.service, API: p.operation(r, body), SourceIP: remoteIP(r), ErrorCode: ae.Code, ErrorMessage: ae.Message, RequestID: reqID})
		p.writeError(w, reqID, ae)
		return
	}
	c := &call{
		s:         s,
		who:       sig.who,
		service:   p.service,
		api:       p.operation(r, body),
		regionNm:  sig.region,
		sourceIP:  remoteIP(r),
		userAgent: r.UserAgent(),
		requestID: reqID,
	}
	s.tagScriptCall(c)
	op, in, err := p.decode(r, body)
	if err != nil {
		s.record(c, err)
		p.writeError(w, reqID, asAPIError(err))
		return
	}
	c.api = op
	out, err := s.dispatch(r.Context(), c, in)
	if err != nil {
		p.writeError(w, reqID, asAPIError(err))
		return
	}
	p.writeResult(w, reqID, op, out)
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// dispatch runs one operation as c.who: looks the operation up, runs it and
// records the audit event.
func (s *Server) dispatch(ctx context.Context, c *call, in map[string]any) (map[string]any, error) {
	h, ok := s.lookupOp(c.service, c.api)
	if !ok {
		return s.dispatchStub(ctx, c, in)
	}
	c.api = h.name
	if err := s.checkSession(c); err != nil {
		s.record(c, err)
		return nil, err
	}
	if h.regional {
		r, err := s.region(c.regionNm)
		if err != nil {
			s.record(c, err)
			return nil, err
		}
		c.region = r
	}
	if err := s.throttle(c); err != nil {
		s.record(c, err)
		return nil, err
	}
	if err := s.authorizeOp(c, h, in); err != nil {
		s.record(c, err)
		return nil, err
	}
	if err := s.refuseChanges(c); err != nil {
		s.record(c, err)
		return nil, err
	}
	gen := s.stateGen()
	out, err := h.fn(s, ctx, c, in)
	if err != nil {
		err = c.deniedAs(err)
	}
	if perr := s.persistCall(c, gen); perr != nil {
		err = perr
	}
	s.record(c, err)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}

// checkSession refuses calls made after a temporary session ended.
func (s *Server) checkSession(c *call) error {
	if c.who.Expires.IsZero() || s.clock.Now().Before(c.who.Expires) {
		return nil
	}
	code := "ExpiredToken"
	switch c.service {
	case "ssm":
		code = "ExpiredTokenException"
	case "ec2":
		code = "RequestExpired"
	}
	return &APIError{Code: code, Message: "The security token included in the request is expired", Status: http.StatusForbidden}
}

func (s *Server) record(c *call, err error) {
	ev := AuditEvent{
		Time:        s.clock.Now(),
		Service:     c.service,
		API:         c.api,
		Region:      c.regionNm,
		Principal:   c.who.ARN,
		AccessKeyID: c.who.AccessKeyID,
		Resources:   slices.Clone(c.resources),
		Decision:    c.decision,
		Actions:     slices.Clone(c.actions),
		ExecutionID: c.executionID,
		StepName:    c.stepName,
		SourceIP:    c.sourceIP,
		RequestID:   c.requestID,
	}
	if err != nil {
		ae := asAPIError(err)
		ev.ErrorCode, ev.ErrorMessage = ae.Code, ae.Message
	}
	s.audit.add(s, ev)
}

// trackConn remembers connections that have not sent a request yet.
func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.fresh == nil {
		s.fresh = map[net.Conn]struct{}{}
	}
	if state == http.StateNew {
		s.fresh[c] = struct{}{}
	} else {
		delete(s.fresh, c)
	}
}

func (s *Server) closeUnused() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
		delete(s.fresh, c)
	}
}
