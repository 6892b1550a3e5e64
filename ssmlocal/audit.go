package ssmlocal

import (
	"strings"
	"sync"
	"time"
)

// AuditEvent is one API call, recorded like a CloudTrail event: who made
// it, what it touched, and whether it was allowed.
type AuditEvent struct {
	Time time.Time
	// Service and API name the call: "ec2", "StopInstances".
	Service string
	API     string
	Region  string
	// Principal is the caller's ARN: a user, or an assumed-role session
	// such as arn:aws:sts::123456789012:assumed-role/Role/EXECUTION-ID when
	// a step acted as the execution's service role. "ssm.amazonaws.com"
	// when Automation assumed a role.
	Principal   string
	AccessKeyID string
	// Resources are the ARNs the call was authorized on.
	Resources []string
	// Decision is "Allowed" or "Denied"; empty when the call failed before
	// authorization (a bad signature, invalid input).
	Decision string
	// Actions are the IAM actions the call was authorized as
	// ("sns:Publish"; "lambda:CreateFunction" and "iam:PassRole").
	Actions      []string
	ErrorCode    string
	ErrorMessage string
	// ExecutionID and StepName are set when an Automation step made the call.
	ExecutionID string
	StepName    string
	// SourceIP is the caller's address, or "ssm.amazonaws.com" for calls
	// Automation made.
	SourceIP  string
	RequestID string
	// Account is the account whose trail holds the event; set only when
	// the endpoint serves several accounts.
	Account string
}

// String formats the event on one line.
func (e AuditEvent) String() string {
	var b strings.Builder
	b.WriteString(e.Time.UTC().Format(time.RFC3339))
	b.WriteString(" " + e.Service + ":" + e.API)
	who := e.Principal
	if who == "" {
		who = "-"
	}
	b.WriteString(" principal=" + who)
	decision := e.Decision
	if decision == "" {
		decision = "-"
	}
	b.WriteString(" decision=" + decision)
	if len(e.Actions) > 0 {
		b.WriteString(" actions=" + strings.Join(e.Actions, ","))
	}
	if len(e.Resources) > 0 {
		b.WriteString(" resources=" + strings.Join(e.Resources, ","))
	}
	if e.ExecutionID != "" {
		b.WriteString(" execution=" + e.ExecutionID)
	}
	if e.StepName != "" {
		b.WriteString(" step=" + e.StepName)
	}
	if e.ErrorCode != "" {
		b.WriteString(" error=" + e.ErrorCode)
	}
	if e.Account != "" {
		b.WriteString(" account=" + e.Account)
	}
	return b.String()
}

// auditLog is the trail, bounded by count (Options.AuditLimit) and by
// bytes, dropping the oldest events first.
type auditLog struct {
	mu      sync.Mutex
	events  []AuditEvent
	limit   int
	dropped int
	// bytes is the size of events, as eventSize counts it.
	bytes int
}

// eventSize approximates an event's memory: its text plus a fixed cost for
// the struct and slice headers.
func eventSize(e *AuditEvent) int {
	n := 256 + len(e.Service) + len(e.API) + len(e.Region) + len(e.Principal) + len(e.AccessKeyID) +
		len(e.Decision) + len(e.ErrorCode) + len(e.ErrorMessage) + len(e.ExecutionID) + len(e.StepName) +
		len(e.SourceIP) + len(e.RequestID) + len(e.Account)
	for _, r := range e.Resources {
		n += 16 + len(r)
	}
	for _, a := range e.Actions {
		n += 16 + len(a)
	}
	return n
}

// bound clips an event's fields, which may repeat a caller's input, so no
// single event is large.
func (e *AuditEvent) bound() {
	for _, f := range []*string{&e.Service, &e.API, &e.Region, &e.Principal, &e.AccessKeyID, &e.Decision,
		&e.ErrorCode, &e.ExecutionID, &e.StepName, &e.SourceIP, &e.RequestID} {
		*f = clip(*f)
	}
	e.ErrorMessage = clipTo(e.ErrorMessage, maxMessage)
	for i, r := range e.Resources {
		e.Resources[i] = clipTo(r, maxMessage)
	}
	for i, a := range e.Actions {
		e.Actions[i] = clip(a)
	}
}

func (l *auditLog) add(s *Server, e AuditEvent) {
	e.bound()
	maxBytes := defaultAuditBytes
	if s != nil {
		maxBytes = s.opts.limits.orDefault().auditBytes
		if s.multiAccount() {
			e.Account = s.opts.AccountID
		}
	}
	l.mu.Lock()
	l.events = append(l.events, e)
	l.bytes += eventSize(&e)
	drop := 0
	for drop < len(l.events)-1 && (l.bytes > maxBytes || l.limit > 0 && len(l.events)-drop > l.limit) {
		l.bytes -= eventSize(&l.events[drop])
		drop++
	}
	if drop > 0 {
		// Reslicing costs nothing per event; append copies the live tail
		// when it next grows the array, and the cleared entries free
		// their strings now.
		clear(l.events[:drop])
		l.dropped += drop
		l.events = l.events[drop:]
	}
	l.mu.Unlock()
	if s != nil && s.opts.OnAudit != nil {
		s.opts.OnAudit(e)
	}
}

// auditBytes is the audit trail's size as it is bounded.
func (s *Server) auditBytes() int {
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	return s.audit.bytes
}

// Audit returns the recorded calls, oldest first (the oldest are dropped
// past Options.AuditLimit, or when the trail passes 64 MiB).
func (s *Server) Audit() []AuditEvent {
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	out := make([]AuditEvent, len(s.audit.events))
	copy(out, s.audit.events)
	return out
}

// AuditFor returns the calls made by one execution's steps, oldest first.
func (s *Server) AuditFor(executionID string) []AuditEvent {
	var out []AuditEvent
	for _, e := range s.Audit() {
		if e.ExecutionID == executionID {
			out = append(out, e)
		}
	}
	return out
}
