package ssmlocal

import (
	"context"
	"encoding/base64"
	"regexp"
	"time"
)

var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]*$`)

func stsOps() []opDef {
	return []opDef{
		{"sts", "GetCallerIdentity", false, (*Server).stsGetCallerIdentity, authSpec{action: "sts:GetCallerIdentity", unauthorized: true}},
		{"sts", "AssumeRole", false, (*Server).stsAssumeRole, authSpec{action: "sts:AssumeRole", targets: assumeRoleTargets, unlocked: crossRoleTags}},
	}
}

// GetCallerIdentity needs no permission, as in AWS.
func (s *Server) stsGetCallerIdentity(_ context.Context, c *call, _ map[string]any) (map[string]any, error) {
	return map[string]any{"Account": s.opts.AccountID, "Arn": c.who.ARN, "UserId": c.who.UserID}, nil
}

func (s *Server) stsAssumeRole(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	roleARN, err := str(in, "RoleArn")
	if err != nil {
		return nil, err
	}
	if len(roleARN) < 20 || len(roleARN) > 2048 {
		return nil, apiErr("ValidationError", "1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", roleARN)
	}
	sessionName, err := str(in, "RoleSessionName")
	if err != nil {
		return nil, err
	}
	if len(sessionName) < 2 || len(sessionName) > 64 || !sessionPattern.MatchString(sessionName) {
		return nil, apiErr("ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", sessionName)
	}
	duration, err := integer(in, "DurationSeconds", 3600)
	if err != nil {
		return nil, err
	}
	externalID, err := str(in, "ExternalId")
	if err != nil {
		return nil, err
	}
	if len(externalID) > 1224 || !externalIDPattern.MatchString(externalID) {
		return nil, apiErr("ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]*")
	}
	if p, _ := str(in, "Policy"); p != "" {
		return nil, apiErr("ValidationError", "session policies are not simulated by the local endpoint")
	}
	if arns, _ := objects(in, "PolicyArns"); len(arns) > 0 {
		return nil, apiErr("ValidationError", "session policies are not simulated by the local endpoint")
	}
	if s.crossAccountRole(roleARN) {
		// The caller's side was decided before the handler ran; the
		// role's account decides its own under its own lock.
		sess, owner, err := s.assumeAcross(c, roleARN, sessionName, duration, assumeContext(in))
		if err != nil {
			return nil, err
		}
		return assumeRoleOutput(sess, sess.identity(owner)), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	role := s.assumable(roleARN)
	if role == nil {
		// Authorization refused it already; a role deleted since fails
		// the same way.
		return nil, &deniedError{principal: c.who.ARN, action: "sts:AssumeRole", resource: roleARN}
	}
	if duration < 900 || duration > role.MaxSession {
		return nil, apiErr("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	// A role session chaining into another role is limited to one hour.
	if c.who.RoleName != "" && duration > 3600 {
		return nil, apiErr("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	sess := s.newSession(role, sessionName, s.clock.Now().Add(time.Duration(duration)*time.Second))
	return assumeRoleOutput(sess, sess.identity(s)), nil
}

func assumeRoleOutput(sess *stsSession, id identity) map[string]any {
	return map[string]any{
		"Credentials": map[string]any{
			"AccessKeyId": sess.AccessKeyID, "SecretAccessKey": sess.Secret, "SessionToken": sess.Token, "Expiration": sess.Expires,
		},
		"AssumedRoleUser":  map[string]any{"AssumedRoleId": id.UserID, "Arn": id.ARN},
		"PackedPolicySize": int64(0),
	}
}

// assumeContext is the sts: condition keys an AssumeRole request carries.
func assumeContext(in map[string]any) map[string][]string {
	ctx := map[string][]string{"sts:RoleSessionName": {member(in, "RoleSessionName")}}
	if id := member(in, "ExternalId"); id != "" {
		ctx["sts:ExternalId"] = []string{id}
	}
	return ctx
}

// assumeRoleTargets authorizes sts:AssumeRole on the role with its trust
// policy, which must allow the caller too. A role that does not exist is
// refused like one whose trust does not admit the caller: AWS does not
// reveal whether it exists.
func assumeRoleTargets(s *Server, _ *call, in map[string]any) []authTarget {
	roleARN := member(in, "RoleArn")
	ctx := assumeContext(in)
	if s.crossAccountRole(roleARN) {
		// The caller's side only; the role's account decides its trust.
		return []authTarget{{resource: roleARN, context: ctx, crossAccount: true}}
	}
	role := s.assumable(roleARN)
	if role == nil {
		return []authTarget{
			{resource: roleARN, context: ctx},
			{resource: roleARN, context: ctx, trust: &namedDoc{name: "trust", doc: `{"Version":"2012-10-17","Statement":[]}`}},
		}
	}
	for k, v := range resourceTagContext(role.Tags, "iam") {
		ctx[k] = v
	}
	return []authTarget{{resource: roleARN, context: ctx, trust: &namedDoc{name: role.ARN + " trust policy", doc: role.Trust}}}
}

// assumable returns the role a role ARN names, or nil. Callers hold s.mu.
func (s *Server) assumable(roleARN string) *iamRole {
	name, ok := roleARNName(roleARN)
	if !ok {
		return nil
	}
	if r := s.iam.Roles[name]; r != nil && r.ARN == roleARN {
		return r
	}
	return nil
}

// newSession issues temporary credentials for role. The caller holds s.mu.
func (s *Server) newSession(role *iamRole, sessionName string, expires time.Time) *stsSession {
	s.pruneSessions()
	tok := make([]byte, 0, 96)
	tok = append(tok, newSecret()...)
	tok = append(tok, newSecret()...)
	sess := &stsSession{
		AccessKeyID: newID("ASIA", 16),
		Secret:      newSecret(),
		Token:       "IQoJb3JpZ2luX2Vj" + base64.RawURLEncoding.EncodeToString(tok),
		RoleName:    role.Name,
		RoleARN:     role.ARN,
		RoleID:      role.ID,
		SessionName: sessionName,
		Expires:     expires.UTC(),
	}
	s.iam.Sessions[sess.AccessKeyID] = sess
	role.LastUsed = s.clock.Now().UTC()
	s.changed()
	return sess
}

// pruneSessions forgets sessions that expired more than a day ago, so
// long-running endpoints do not grow without bound.
func (s *Server) pruneSessions() {
	cutoff := s.clock.Now().Add(-24 * time.Hour)
	for k, sess := range s.iam.Sessions {
		if sess.Expires.Before(cutoff) {
			delete(s.iam.Sessions, k)
		}
	}
}

// newSessionToken returns a session token shaped as STS's are.
func newSessionToken() string {
	tok := make([]byte, 0, 96)
	tok = append(tok, newSecret()...)
	tok = append(tok, newSecret()...)
	return "IQoJb3JpZ2luX2Vj" + base64.RawURLEncoding.EncodeToString(tok)
}
