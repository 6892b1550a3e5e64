package ssmlocal

import (
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"

	awsarn "github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

// call is one operation in progress: who makes it, where, and what the
// authorization decided, for the audit trail.
type call struct {
	s         *Server
	who       identity
	service   string
	api       string
	regionNm  string
	region    *region
	sourceIP  string
	userAgent string
	requestID string
	// executionID and stepName are set when a step makes the call.
	executionID string
	stepName    string
	resources   []string
	decision    string
	// actions are the IAM actions the call was authorized as.
	actions []string
	// startID is the id of the execution a start creates, chosen before
	// authorization so the call is authorized on that execution's ARN.
	startID string
}

// startingExecutionID is the id of the execution this call starts.
func (c *call) startingExecutionID() string {
	if c.startID == "" {
		c.startID = newUUID()
	}
	return c.startID
}

// deniedError is an authorization failure, rendered per protocol.
type deniedError struct {
	principal, action, resource string
	reason                      string
}

func (e *deniedError) Error() string {
	msg := "User: " + e.principal + " is not authorized to perform: " + e.action
	if e.resource != "" {
		msg += " on resource: " + e.resource
	}
	if e.reason != "" {
		msg += " " + e.reason
	}
	return msg
}

// deniedAs gives an authorization failure the error code and message shape
// of the service that refused it.
func (c *call) deniedAs(err error) error {
	var d *deniedError
	if !errors.As(err, &d) {
		return err
	}
	switch c.service {
	case "ssm":
		return &APIError{Code: "AccessDeniedException", Message: d.Error()}
	case "events":
		return &APIError{Code: "AccessDeniedException", Message: d.Error()}
	case "ec2":
		return &APIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation. " + d.Error(), Status: http.StatusForbidden}
	}
	return &APIError{Code: "AccessDenied", Message: d.Error(), Status: http.StatusForbidden}
}

// requestContext returns the global condition keys of a call.
func (c *call) requestContext(extra map[string][]string) map[string][]string {
	now := c.s.clock.Now().UTC()
	ctx := map[string][]string{
		"aws:PrincipalArn":           {c.who.ARN},
		"aws:PrincipalAccount":       {c.s.opts.AccountID},
		"aws:PrincipalType":          {c.who.principalType()},
		"aws:userid":                 {c.who.UserID},
		"aws:CurrentTime":            {now.Format("2006-01-02T15:04:05Z")},
		"aws:EpochTime":              {strconv.FormatInt(now.Unix(), 10)},
		"aws:SecureTransport":        {"false"},
		"aws:MultiFactorAuthPresent": {"false"},
	}
	if c.who.UserName != "" {
		ctx["aws:username"] = []string{c.who.UserName}
	}
	if c.regionNm != "" {
		ctx["aws:RequestedRegion"] = []string{c.regionNm}
	}
	if c.sourceIP != "" {
		ctx["aws:SourceIp"] = []string{c.sourceIP}
	}
	if c.executionID != "" {
		// Calls a step makes come from Automation itself.
		ctx["aws:ViaAWSService"] = []string{"true"}
		ctx["aws:CalledVia"] = []string{"ssm.amazonaws.com"}
		ctx["aws:CalledViaFirst"] = []string{"ssm.amazonaws.com"}
		ctx["aws:CalledViaLast"] = []string{"ssm.amazonaws.com"}
	} else {
		ctx["aws:ViaAWSService"] = []string{"false"}
	}
	if c.who.RoleName != "" {
		ctx["aws:TokenIssueTime"] = []string{now.Format("2006-01-02T15:04:05Z")}
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

// authSpec is how the dispatcher authorizes an operation before its handler
// runs: the IAM action, and the resources and condition context the
// request carries, computed from the decoded input.
type authSpec struct {
	// action is the IAM action ("iam:CreateUser"); empty means the
	// operation has no authorization metadata, and every call of it is
	// refused.
	action string
	// targets returns what the call is authorized on; nil means the
	// action's only resource is "*". It runs under s.mu (read) and reads
	// the input leniently: the handler reports bad input after the
	// decision, as AWS authorizes before it looks at most members.
	targets func(s *Server, c *call, in map[string]any) []authTarget
	// unlocked, when set, reads condition context kept outside the
	// server's state (an execution's tags, which the engine keeps) before
	// s.mu is taken; it applies to every target.
	unlocked func(s *Server, c *call, in map[string]any) map[string][]string
	// unauthorized marks an operation IAM never denies
	// (sts:GetCallerIdentity).
	unauthorized bool
}

// authTarget is one resource a call is authorized on.
type authTarget struct {
	resource string
	context  map[string][]string
	// trust is the resource-based policy evaluated with the identity
	// policies: a role's trust policy for sts:AssumeRole.
	trust *namedDoc
	// optional marks a resource of one of the action's optional resource
	// types: a policy may deny it, but need not allow it.
	optional bool
	// crossAccount marks a resource of another account: only the caller's
	// side is decided here; the resource's account decides its own.
	crossAccount bool
}

// authAny is the spec of an action that supports no resource-level
// permissions.
func authAny(action string) authSpec { return authSpec{action: action} }

// authOn is the spec of an action authorized on resources computed from
// the input.
func authOn(action string, targets func(s *Server, c *call, in map[string]any) []authTarget) authSpec {
	return authSpec{action: action, targets: targets}
}

// authOnInput is authOn for a target function written against the SDK's
// input type. The input is decoded leniently: members up to the first one
// of the wrong type are read and the rest left zero, because the handler,
// which runs after the decision, reports the bad member.
func authOnInput[In any](action string, targets func(s *Server, c *call, in *In) []authTarget) authSpec {
	return authOn(action, func(s *Server, c *call, shape map[string]any) []authTarget {
		in := new(In)
		_ = decodeInput(shape, in)
		return targets(s, c, in)
	})
}

// on is a single target.
func on(resource string, ctx map[string][]string) []authTarget {
	return []authTarget{{resource: resource, context: ctx}}
}

// authorizeOp decides a call from its operation's metadata before the
// handler runs, failing closed: an operation without metadata, or one whose
// targets are empty, is refused.
func (s *Server) authorizeOp(c *call, op opDef, in map[string]any) error {
	if op.auth.unauthorized {
		c.decision = "Allowed"
		return nil
	}
	if op.auth.action == "" {
		c.decision = "Denied"
		return c.deniedAs(&deniedError{principal: c.who.ARN, action: op.service + ":" + op.name, reason: "because the operation has no authorization metadata"})
	}
	var outside map[string][]string
	if op.auth.unlocked != nil {
		outside = op.auth.unlocked(s, c, in)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	targets := []authTarget{{resource: "*"}}
	if op.auth.targets != nil {
		targets = op.auth.targets(s, c, in)
	}
	for i := range targets {
		targets[i].context = merged(targets[i].context, outside)
	}
	if len(targets) == 0 {
		c.decision = "Denied"
		return c.deniedAs(&deniedError{principal: c.who.ARN, action: op.auth.action, reason: "because the request names no resource"})
	}
	for _, t := range targets {
		var err error
		switch {
		case t.optional:
			err = c.refuseDenied(op.auth.action, t.resource, t.context)
		case t.crossAccount:
			err = c.authorizeCrossIdentity(op.auth.action, t.resource, t.context)
		default:
			err = c.authorizeWith(op.auth.action, t.resource, t.context, t.trust)
		}
		if err != nil {
			return c.deniedAs(err)
		}
	}
	return nil
}

// merged returns ctx with extra's keys added.
func merged(ctx, extra map[string][]string) map[string][]string {
	if len(extra) == 0 {
		return ctx
	}
	out := make(map[string][]string, len(ctx)+len(extra))
	maps.Copy(out, ctx)
	maps.Copy(out, extra)
	return out
}

// authorize decides one action on one resource as the caller, against the
// caller's identity policies. The caller holds s.mu (read or write).
func (c *call) authorize(action, resource string, extra map[string][]string) error {
	return c.authorizeWith(action, resource, extra, nil)
}

// errUnreadablePolicy marks a stored policy that no longer parses: it
// denies, since what it would have denied cannot be known.
var errUnreadablePolicy = errors.New("ssmlocal: a stored policy cannot be read")

// identityPolicies parses the caller's identity policies. A stored policy
// that no longer parses is an error, never skipped.
func (c *call) identityPolicies() ([]policy.NamedPolicy, string, error) {
	docs := c.s.policiesOf(c.who)
	ids := make([]policy.NamedPolicy, 0, len(docs))
	for _, d := range docs {
		p, err := c.s.policies.parse(d.doc)
		if err != nil {
			return nil, d.name, errUnreadablePolicy
		}
		ids = append(ids, policy.NamedPolicy{Name: d.name, Policy: p})
	}
	return ids, "", nil
}

// authorizeWith is authorize with a resource-based policy (a trust policy).
func (c *call) authorizeWith(action, resource string, extra map[string][]string, res *namedDoc) error {
	c.resources = appendUnique(c.resources, resource)
	c.actions = appendUnique(c.actions, action)
	ids, bad, err := c.identityPolicies()
	if err != nil {
		return c.unreadable(action, resource, bad)
	}
	var rp *policy.NamedPolicy
	if res != nil {
		p, err := c.s.policies.parse(res.doc)
		if err != nil {
			return c.unreadable(action, resource, res.name)
		}
		rp = &policy.NamedPolicy{Name: res.name, Policy: p}
	}
	req := policy.Request{Principal: c.who.ARN, Action: action, Resource: resource, Context: c.requestContext(extra)}
	result := policy.Evaluate(req, ids, rp)
	switch result.Decision {
	case policy.DecisionAllow:
		if c.decision == "" {
			c.decision = "Allowed"
		}
		return nil
	case policy.DecisionExplicitDeny:
		return c.explicitDeny(action, resource, rp != nil && result.Policy == rp.Name)
	}
	c.decision = "Denied"
	reason := "because no identity-based policy allows the " + action + " action"
	if rp != nil {
		reason = ""
	}
	return &deniedError{principal: c.who.ARN, action: action, resource: resource, reason: reason}
}

// refuseDenied checks a resource of an optional resource type: only an
// explicit deny refuses it.
func (c *call) refuseDenied(action, resource string, extra map[string][]string) error {
	c.resources = appendUnique(c.resources, resource)
	c.actions = appendUnique(c.actions, action)
	ids, bad, err := c.identityPolicies()
	if err != nil {
		return c.unreadable(action, resource, bad)
	}
	req := policy.Request{Principal: c.who.ARN, Action: action, Resource: resource, Context: c.requestContext(extra)}
	if policy.Evaluate(req, ids, nil).Decision == policy.DecisionExplicitDeny {
		return c.explicitDeny(action, resource, false)
	}
	return nil
}

func (c *call) explicitDeny(action, resource string, resourcePolicy bool) error {
	c.decision = "Denied"
	kind := "an identity-based policy"
	if resourcePolicy {
		kind = "a resource-based policy"
	}
	return &deniedError{principal: c.who.ARN, action: action, resource: resource, reason: "with an explicit deny in " + kind}
}

func (c *call) unreadable(action, resource, name string) error {
	c.decision = "Denied"
	return &deniedError{principal: c.who.ARN, action: action, resource: resource, reason: "because the stored policy " + name + " cannot be read"}
}

func appendUnique(list []string, v string) []string {
	for _, e := range list {
		if e == v {
			return list
		}
	}
	return append(list, v)
}

// policyCache keeps parsed policies by their text, so authorizing a call
// does not re-parse the same documents every time.
type policyCache struct {
	m  sync.Map // string -> *policy.Policy
	n  int64
	mu sync.Mutex
}

func (pc *policyCache) parse(doc string) (*policy.Policy, error) {
	if p, ok := pc.m.Load(doc); ok {
		return p.(*policy.Policy), nil
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return nil, err
	}
	pc.mu.Lock()
	if pc.n > 10_000 {
		pc.m.Clear()
		pc.n = 0
	}
	pc.n++
	pc.mu.Unlock()
	pc.m.Store(doc, p)
	return p, nil
}

// roleARNName extracts the role name from a role ARN (path included or not).
func roleARNName(arn string) (string, bool) {
	a, err := awsarn.Parse(arn)
	if err != nil || !strings.HasPrefix(a.Resource, "role/") {
		return "", false
	}
	name := a.Name()
	return name, name != ""
}
