package ssmlocal

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsarn "github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

// A cross-account request is decided on both sides, each by the account
// that owns it: the caller's identity policies in the caller's account, the
// resource's policy (a role's trust policy) in the resource's. Each side is
// evaluated alone by standing the other in with a policy that allows
// everything: the evaluator's cross-account rule (both must allow, a deny
// on either side wins) then reduces to the side being decided.
var (
	otherSideResource = mustPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	otherSideIdentity = mustPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
)

func mustPolicy(doc string) *policy.Policy {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		panic(err)
	}
	return p
}

// roleAccount is the account a role ARN names, "" when it names none.
func roleAccount(roleARN string) string {
	a, err := awsarn.Parse(roleARN)
	if err != nil {
		return ""
	}
	return a.Account
}

// crossAccountRole reports whether roleARN names a role of an account other
// than s's.
func (s *Server) crossAccountRole(roleARN string) bool {
	a := roleAccount(roleARN)
	return a != "" && a != s.opts.AccountID
}

// crossRoleTags reads the tags of the role a cross-account AssumeRole
// names, under its own account's lock, before the caller's account takes
// its own: the identity side's aws:ResourceTag keys come from them. No
// lock is ever held across two accounts.
func crossRoleTags(s *Server, _ *call, shape map[string]any) map[string][]string {
	var in struct{ RoleArn *string }
	decodeEach(shape, reflect.ValueOf(&in).Elem())
	roleARN := aws.ToString(in.RoleArn)
	if !s.crossAccountRole(roleARN) {
		return nil
	}
	b, ok := s.core(roleAccount(roleARN))
	if !ok {
		return nil
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if role := b.assumable(roleARN); role != nil {
		return resourceTagContext(role.Tags, "iam")
	}
	return nil
}

// authorizeCrossIdentity decides the caller's side of a cross-account
// request: its identity policies must allow it. The caller holds c.s.mu.
func (c *call) authorizeCrossIdentity(action, resource string, extra map[string][]string) error {
	c.resources = appendUnique(c.resources, resource)
	c.actions = appendUnique(c.actions, action)
	ids, bad, err := c.identityPolicies()
	if err != nil {
		return c.unreadable(action, resource, bad)
	}
	req := policy.Request{Principal: c.who.ARN, Action: action, Resource: resource, Context: c.requestContext(extra)}
	switch policy.Evaluate(req, ids, &policy.NamedPolicy{Name: "resource account", Policy: otherSideResource}).Decision {
	case policy.DecisionAllow:
		if c.decision == "" {
			c.decision = "Allowed"
		}
		return nil
	case policy.DecisionExplicitDeny:
		return c.explicitDeny(action, resource, false)
	}
	c.decision = "Denied"
	return &deniedError{principal: c.who.ARN, action: action, resource: resource, reason: "because no identity-based policy allows the " + action + " action"}
}

// admitAcross decides the resource account's side of a cross-account
// AssumeRole: the role's trust policy must admit the caller. The caller
// holds b.mu.
func (b *Server) admitAcross(c *call, role *iamRole, extra map[string][]string) error {
	deny := &deniedError{principal: c.who.ARN, action: "sts:AssumeRole", resource: role.ARN}
	trust, err := b.policies.parse(role.Trust)
	if err != nil {
		deny.reason = "because the stored policy " + role.ARN + " trust policy cannot be read"
		return deny
	}
	ctx := merged(extra, resourceTagContext(role.Tags, "iam"))
	req := policy.Request{Principal: c.who.ARN, Action: "sts:AssumeRole", Resource: role.ARN, Context: c.requestContext(ctx)}
	res := policy.Evaluate(req, []policy.NamedPolicy{{Name: "principal account", Policy: otherSideIdentity}}, &policy.NamedPolicy{Name: role.ARN + " trust policy", Policy: trust})
	switch res.Decision {
	case policy.DecisionAllow:
		return nil
	case policy.DecisionExplicitDeny:
		deny.reason = "with an explicit deny in a resource-based policy"
	}
	return deny
}

// assumeAcross issues c's caller a session of a role in another account,
// once the caller's account (c.s) has allowed its side. The role's account
// decides the trust side and issues the session under its own lock, with
// no lock of c.s held, records its decision in its own audit trail and
// makes the session durable. A role that does not exist, or an account the
// endpoint does not serve, is refused like a trust that does not admit the
// caller. It returns the session and the core that owns it.
func (s *Server) assumeAcross(c *call, roleARN, sessionName string, duration int64, extra map[string][]string) (*stsSession, *Server, error) {
	ev := AuditEvent{
		Time: s.clock.Now(), Service: "sts", API: "AssumeRole", Region: c.regionNm, Principal: c.who.ARN,
		AccessKeyID: c.who.AccessKeyID, Resources: []string{roleARN}, Actions: []string{"sts:AssumeRole"},
		ExecutionID: c.executionID, StepName: c.stepName, SourceIP: c.sourceIP, RequestID: c.requestID,
	}
	b, ok := s.core(roleAccount(roleARN))
	if !ok {
		c.decision = "Denied"
		return nil, nil, &deniedError{principal: c.who.ARN, action: "sts:AssumeRole", resource: roleARN}
	}
	var sess *stsSession
	err := func() error {
		b.mu.Lock()
		defer b.mu.Unlock()
		role := b.assumable(roleARN)
		if role == nil {
			return &deniedError{principal: c.who.ARN, action: "sts:AssumeRole", resource: roleARN}
		}
		if err := b.admitAcross(c, role, extra); err != nil {
			return err
		}
		ev.Decision = "Allowed"
		if err := sessionDuration(c, role, duration); err != nil {
			return err
		}
		sess = b.newSession(role, sessionName, b.clock.Now().Add(time.Duration(duration)*time.Second))
		return nil
	}()
	var denied *deniedError
	if errors.As(err, &denied) {
		ev.Decision = "Denied"
		c.decision = "Denied"
	}
	if err != nil {
		ae := asAPIError(c.deniedAs(err))
		ev.ErrorCode, ev.ErrorMessage = ae.Code, ae.Message
	}
	b.audit.add(b, ev)
	if err != nil {
		return nil, nil, err
	}
	if err := b.flush(); err != nil {
		return nil, nil, &APIError{Code: "InternalFailure", Status: http.StatusInternalServerError,
			Message: "the change could not be written to the endpoint's state and is not acknowledged"}
	}
	return sess, b, nil
}

// sessionDuration checks a requested session duration against the role's
// maximum and, for a role session assuming another role, the one-hour
// limit of role chaining.
func sessionDuration(c *call, role *iamRole, duration int64) error {
	if duration < 900 || duration > role.MaxSession {
		return apiErr("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if c.who.RoleName != "" && duration > 3600 {
		return apiErr("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	return nil
}

// The roles Automation assumes to run in other accounts and Regions, as
// the service names them by default.
const (
	automationAdministrationRole = "AWS-SystemsManager-AutomationAdministrationRole"
	automationExecutionRole      = "AWS-SystemsManager-AutomationExecutionRole"
)

// locationAssume asks for the credentials a child execution runs with in
// another account and Region of a multi-account Automation.
type locationAssume struct {
	// Account and Region are the target location.
	Account, Region string
	// AdministrationRole is the role's name in the parent's account;
	// AWS-SystemsManager-AutomationAdministrationRole when empty.
	AdministrationRole string
	// ExecutionRole is the role's name in Account;
	// AWS-SystemsManager-AutomationExecutionRole when empty.
	ExecutionRole string
	// ParentID and ParentARN are the parent execution's id (the sessions'
	// name) and ARN (aws:SourceArn).
	ParentID, ParentARN string
}

// locationSession is what a child execution in a target location runs
// as: the execution role session, issued by the target account's core.
type locationSession struct {
	// Core serves the target account; the child runs in its engine.
	Core        *Server
	Who         identity
	Credentials Credentials
}

// locationRoleError is a location whose role cannot be assumed; its
// message is the one Automation reports for the location.
type locationRoleError struct {
	// RoleARN is the role that could not be assumed.
	RoleARN string
	// Administration is set when the administration role in the parent's
	// account failed, not the execution role in the target.
	Administration bool
	Err            error
}

// Error is the failure message AWS has been seen to give a location
// whose role cannot be assumed, Java SDK exception suffix included
// (https://github.com/aws-solutions/instance-scheduler-on-aws/issues/274);
// AWS documents no wording, and the same one serves both roles.
func (e *locationRoleError) Error() string {
	return "The provided role: " + e.RoleARN + " can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)"
}

func (e *locationRoleError) Unwrap() error { return e.Err }

// assumeLocation is how Automation in s's account reaches a target
// location: ssm.amazonaws.com assumes the administration role in s's
// account (its trust policy sees aws:SourceAccount, s's account, and
// aws:SourceArn, the parent execution), then that role session assumes the
// execution role in the target account, both sides of that request
// evaluated as for any caller. Every decision is recorded in the audit
// trail of the account that made it. It takes no lock on entry and never
// holds two accounts' locks at once. Errors are *locationRoleError.
func (s *Server) assumeLocation(ctx context.Context, p locationAssume) (*locationSession, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.AdministrationRole == "" {
		p.AdministrationRole = automationAdministrationRole
	}
	if p.ExecutionRole == "" {
		p.ExecutionRole = automationExecutionRole
	}
	if len(p.ParentID) < 2 {
		p.ParentID = "Automation"
	}
	// Role ARNs carry their paths: name the roles as their accounts do.
	adminARN := roleARNIn(s, p.AdministrationRole, s.arn("iam", "", "role/"+p.AdministrationRole))
	execARN := s.arnOf("iam", "", p.Account, "role/"+p.ExecutionRole)
	if b, ok := s.core(p.Account); ok {
		execARN = roleARNIn(b, p.ExecutionRole, execARN)
	}
	adminSess, err := s.assumeAsService(p, adminARN)
	if err != nil {
		return nil, &locationRoleError{RoleARN: adminARN, Administration: true, Err: err}
	}
	c := &call{
		s: s, who: adminSess.identity(s), service: "sts", api: "AssumeRole", regionNm: p.Region,
		sourceIP: "ssm.amazonaws.com", requestID: newUUID(), executionID: p.ParentID,
	}
	extra := map[string][]string{"sts:RoleSessionName": {p.ParentID}}
	var sess *stsSession
	var owner *Server
	if p.Account == s.opts.AccountID {
		sess, err = s.assumeWithin(c, execARN, p.ParentID, 3600, extra)
		owner = s
	} else {
		s.mu.RLock()
		err = c.authorizeCrossIdentity("sts:AssumeRole", execARN, extra)
		s.mu.RUnlock()
		if err == nil {
			sess, owner, err = s.assumeAcross(c, execARN, p.ParentID, 3600, extra)
		}
	}
	s.record(c, c.deniedAs(err))
	if err != nil {
		return nil, &locationRoleError{RoleARN: execARN, Err: err}
	}
	return &locationSession{
		Core: owner, Who: sess.identity(owner),
		Credentials: Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: sess.Token, Expires: sess.Expires},
	}, nil
}

// roleARNIn is the ARN of the role named name in b's account, or def when
// b has no such role.
func roleARNIn(b *Server, name, def string) string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if r := b.iam.Roles[name]; r != nil {
		return r.ARN
	}
	return def
}

// assumeWithin issues c's caller a session of a role in its own account,
// deciding it as AssumeRole does: identity policies with the trust policy.
func (s *Server) assumeWithin(c *call, roleARN, sessionName string, duration int64, extra map[string][]string) (*stsSession, error) {
	var sess *stsSession
	err := func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		role := s.assumable(roleARN)
		if role == nil {
			c.resources = appendUnique(c.resources, roleARN)
			c.actions = appendUnique(c.actions, "sts:AssumeRole")
			c.decision = "Denied"
			return &deniedError{principal: c.who.ARN, action: "sts:AssumeRole", resource: roleARN}
		}
		ctx := merged(extra, resourceTagContext(role.Tags, "iam"))
		if err := c.authorizeWith("sts:AssumeRole", roleARN, ctx, &namedDoc{name: role.ARN + " trust policy", doc: role.Trust}); err != nil {
			return err
		}
		if err := sessionDuration(c, role, duration); err != nil {
			return err
		}
		sess = s.newSession(role, sessionName, s.clock.Now().Add(time.Duration(duration)*time.Second))
		return nil
	}()
	if err != nil {
		return nil, err
	}
	if err := s.flush(); err != nil {
		return nil, err
	}
	return sess, nil
}

// assumeAsService lets ssm.amazonaws.com assume a role of s's account for
// an execution, as the trust policy allows with aws:SourceAccount and
// aws:SourceArn, and records the decision in s's audit trail.
func (s *Server) assumeAsService(p locationAssume, roleARN string) (*stsSession, error) {
	ev := AuditEvent{
		Time: s.clock.Now(), Service: "sts", API: "AssumeRole", Region: p.Region, Principal: "ssm.amazonaws.com",
		Resources: []string{roleARN}, Actions: []string{"sts:AssumeRole"}, ExecutionID: p.ParentID,
		SourceIP: "ssm.amazonaws.com", RequestID: newUUID(),
	}
	var sess *stsSession
	err := func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		role := s.assumable(roleARN)
		if role == nil {
			return &deniedError{principal: "ssm.amazonaws.com", action: "sts:AssumeRole", resource: roleARN}
		}
		trust, err := s.policies.parse(role.Trust)
		if err != nil {
			return &deniedError{principal: "ssm.amazonaws.com", action: "sts:AssumeRole", resource: roleARN, reason: "because the stored policy " + role.ARN + " trust policy cannot be read"}
		}
		now := s.clock.Now().UTC()
		req := policy.Request{
			Principal: "ssm.amazonaws.com", Action: "sts:AssumeRole", Resource: roleARN,
			Context: map[string][]string{
				"aws:SourceAccount":         {s.opts.AccountID},
				"aws:SourceArn":             {p.ParentARN},
				"aws:PrincipalServiceName":  {"ssm.amazonaws.com"},
				"aws:PrincipalIsAWSService": {"true"},
				"aws:CurrentTime":           {now.Format("2006-01-02T15:04:05Z")},
				"aws:EpochTime":             {strconv.FormatInt(now.Unix(), 10)},
				"aws:SecureTransport":       {"true"},
				"aws:RequestedRegion":       {p.Region},
				"sts:RoleSessionName":       {p.ParentID},
			},
		}
		res := policy.Evaluate(req, nil, &policy.NamedPolicy{Name: roleARN + " trust policy", Policy: trust})
		if res.Decision != policy.DecisionAllow {
			return &deniedError{principal: "ssm.amazonaws.com", action: "sts:AssumeRole", resource: roleARN}
		}
		sess = s.newSession(role, p.ParentID, now.Add(time.Hour))
		return nil
	}()
	ev.Decision = "Allowed"
	if err != nil {
		ev.Decision, ev.ErrorCode, ev.ErrorMessage = "Denied", "AccessDenied", err.Error()
	}
	s.audit.add(s, ev)
	if err != nil {
		return nil, err
	}
	if err := s.flush(); err != nil {
		return nil, err
	}
	return sess, nil
}
