package ssmlocal

import (
	"context"
	"sync"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/engine"
)

// scriptSession is the temporary credentials one aws:executeScript attempt
// runs with: the execution's principal, tied to the execution and step so
// the audit trail names them. They live in memory only and end with the
// attempt.
type scriptSession struct {
	who         identity
	secret      string
	token       string
	executionID string
	stepName    string
}

// scriptSessions are the script credentials in use, by access key id.
type scriptSessions struct {
	mu    sync.Mutex
	byKey map[string]*scriptSession
}

func (ss *scriptSessions) add(key string, sess *scriptSession) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.byKey == nil {
		ss.byKey = map[string]*scriptSession{}
	}
	ss.byKey[key] = sess
}

func (ss *scriptSessions) remove(key string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byKey, key)
}

func (ss *scriptSessions) get(key string) (*scriptSession, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess, ok := ss.byKey[key]
	return sess, ok
}

// scriptHost is what a Region's engine needs to run scripts; nil unless
// Options.RunScripts allows them.
func (s *Server) scriptHost(region string) *engine.Scripts {
	if !s.opts.RunScripts {
		return nil
	}
	return &engine.Scripts{
		AttachmentsDir: s.opts.AttachmentsDir,
		Session: func(ctx context.Context, call engine.Call) (map[string]string, func(), error) {
			return s.issueScriptSession(ctx, region, call)
		},
	}
}

// issueScriptSession issues credentials for the step's principal, as
// AssumeRole issues them for a role session (or, in the caller's session,
// for the caller), and returns the environment a script's SDK reads.
func (s *Server) issueScriptSession(ctx context.Context, region string, call engine.Call) (map[string]string, func(), error) {
	// A restored execution may reach a script before the endpoint listens.
	select {
	case <-s.listening:
	case <-ctx.Done():
		return nil, nil, context.Cause(ctx)
	}
	who, err := s.principalIdentity(call.Principal)
	if err != nil {
		return nil, nil, err
	}
	key := newID("ASIA", 16)
	who.AccessKeyID = key
	sess := &scriptSession{who: who, secret: newSecret(), token: newSessionToken(),
		executionID: call.ExecutionID, stepName: call.StepName}
	s.scripts.add(key, sess)
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     key,
		"AWS_SECRET_ACCESS_KEY": sess.secret,
		"AWS_SESSION_TOKEN":     sess.token,
		"AWS_ENDPOINT_URL":      s.url,
		"AWS_REGION":            region,
		"AWS_DEFAULT_REGION":    region,
	}
	return env, func() { s.scripts.remove(key) }, nil
}

// scriptCredentials finds script credentials by access key id.
func (s *Server) scriptCredentials(key string) (identity, string, string, bool) {
	sess, ok := s.scripts.get(key)
	if !ok {
		return identity{}, "", "", false
	}
	return sess.who, sess.secret, sess.token, true
}

// tagScriptCall marks a call made with script credentials as made by the
// script's execution and step.
func (s *Server) tagScriptCall(c *call) {
	if sess, ok := s.scripts.get(c.who.AccessKeyID); ok {
		c.executionID, c.stepName = sess.executionID, sess.stepName
	}
}
