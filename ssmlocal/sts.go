package ssmlocal

import (
	"context"
	"encoding/base64"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]*$`)

func stsOps() []opDef {
	assume := authOnInput("sts:AssumeRole", assumeRoleTargets)
	assume.unlocked = crossRoleTags
	return []opDef{
		{"sts", "GetCallerIdentity", false, typed((*Server).stsGetCallerIdentity), authSpec{action: "sts:GetCallerIdentity", unauthorized: true}},
		{"sts", "AssumeRole", false, typed((*Server).stsAssumeRole), assume},
	}
}

// GetCallerIdentity needs no permission, as in AWS.
func (s *Server) stsGetCallerIdentity(_ context.Context, c *call, _ *sts.GetCallerIdentityInput) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String(s.opts.AccountID), Arn: aws.String(c.who.ARN), UserId: aws.String(c.who.UserID)}, nil
}

// checkAssumeRole checks AssumeRole's members in the order STS reports
// them and returns the session's duration in seconds, an hour unless
// DurationSeconds says otherwise.
func checkAssumeRole(in *sts.AssumeRoleInput) (int64, error) {
	roleARN, sessionName, externalID := aws.ToString(in.RoleArn), aws.ToString(in.RoleSessionName), aws.ToString(in.ExternalId)
	if len(roleARN) < 20 || len(roleARN) > 2048 {
		return 0, apiErr("ValidationError", "1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", roleARN)
	}
	if len(sessionName) < 2 || len(sessionName) > 64 || !sessionPattern.MatchString(sessionName) {
		return 0, apiErr("ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", sessionName)
	}
	if len(externalID) > 1224 || !externalIDPattern.MatchString(externalID) {
		return 0, apiErr("ValidationError", "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]*")
	}
	if aws.ToString(in.Policy) != "" || len(in.PolicyArns) > 0 {
		return 0, apiErr("ValidationError", "session policies are not simulated by the local endpoint")
	}
	if in.DurationSeconds == nil {
		return 3600, nil
	}
	return int64(*in.DurationSeconds), nil
}

func (s *Server) stsAssumeRole(_ context.Context, c *call, in *sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error) {
	duration, err := checkAssumeRole(in)
	if err != nil {
		return nil, err
	}
	roleARN, sessionName := aws.ToString(in.RoleArn), aws.ToString(in.RoleSessionName)
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

func assumeRoleOutput(sess *stsSession, id identity) *sts.AssumeRoleOutput {
	out := &sts.AssumeRoleOutput{
		Credentials: &ststypes.Credentials{
			AccessKeyId: aws.String(sess.AccessKeyID), SecretAccessKey: aws.String(sess.Secret), SessionToken: aws.String(sess.Token), Expiration: aws.Time(sess.Expires),
		},
		AssumedRoleUser: &ststypes.AssumedRoleUser{AssumedRoleId: aws.String(id.UserID), Arn: aws.String(id.ARN)},
	}
	// STS still returns PackedPolicySize, 0 without session policies.
	//lint:ignore SA1019 the member is deprecated in the SDK, not on the wire
	out.PackedPolicySize = aws.Int32(0)
	return out
}

// assumeContext is the sts: condition keys an AssumeRole request carries.
func assumeContext(in *sts.AssumeRoleInput) map[string][]string {
	ctx := map[string][]string{"sts:RoleSessionName": {aws.ToString(in.RoleSessionName)}}
	if id := aws.ToString(in.ExternalId); id != "" {
		ctx["sts:ExternalId"] = []string{id}
	}
	return ctx
}

// assumeRoleTargets authorizes sts:AssumeRole on the role with its trust
// policy, which must allow the caller too. A role that does not exist is
// refused like one whose trust does not admit the caller: AWS does not
// reveal whether it exists.
func assumeRoleTargets(s *Server, _ *call, in *sts.AssumeRoleInput) []authTarget {
	roleARN := aws.ToString(in.RoleArn)
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
