package ssmlocal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

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

// authorize decides one action on one resource as the caller, against the
// caller's identity policies. The caller holds s.mu (read or write).
func (c *call) authorize(action, resource string, extra map[string][]string) error {
	return c.authorizeWith(action, resource, extra, nil)
}

// authorizeWith is authorize with a resource-based policy (a trust policy).
func (c *call) authorizeWith(action, resource string, extra map[string][]string, res *namedDoc) error {
	c.resources = appendUnique(c.resources, resource)
	docs := c.s.policiesOf(c.who)
	ids := make([]policy.NamedPolicy, 0, len(docs))
	for _, d := range docs {
		p, err := c.s.policies.parse(d.doc)
		if err != nil {
			continue // stored policies were validated when written
		}
		ids = append(ids, policy.NamedPolicy{Name: d.name, Policy: p})
	}
	var rp *policy.NamedPolicy
	if res != nil {
		if p, err := c.s.policies.parse(res.doc); err == nil {
			rp = &policy.NamedPolicy{Name: res.name, Policy: p}
		}
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
		c.decision = "Denied"
		kind := "an identity-based policy"
		if rp != nil && result.Policy == rp.Name {
			kind = "a resource-based policy"
		}
		return &deniedError{principal: c.who.ARN, action: action, resource: resource, reason: "with an explicit deny in " + kind}
	}
	c.decision = "Denied"
	reason := "because no identity-based policy allows the " + action + " action"
	if rp != nil {
		reason = ""
	}
	return &deniedError{principal: c.who.ARN, action: action, resource: resource, reason: reason}
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
	i := strings.Index(arn, ":role/")
	if i < 0 || !strings.HasPrefix(arn, "arn:") {
		return "", false
	}
	name := arn[i+len(":role/"):]
	name = name[strings.LastIndexByte(name, '/')+1:]
	return name, name != ""
}
