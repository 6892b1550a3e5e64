package ssmlocal

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// maxAccounts bounds how many accounts one endpoint serves, the home
// account included.
const maxAccounts = 50

// ErrUnknownAccount is returned for an account the endpoint does not serve.
var ErrUnknownAccount = errors.New("ssmlocal: account not served by this endpoint")

// fleet is every account an endpoint serves, each by its own core: a
// [Server] value holding that account's IAM, Regions, engines, audit trail
// and state file. Only the home core listens. Built before any engine
// starts and read-only after, so it needs no lock.
type fleet struct {
	order []string // the home account first, then Options.Accounts
	cores map[string]*Server
}

// accountList checks the extra accounts and returns every account served,
// the home account first.
func accountList(home string, extra []string) ([]string, error) {
	if len(extra)+1 > maxAccounts {
		return nil, fmt.Errorf("ssmlocal: %d accounts; an endpoint serves at most %d", len(extra)+1, maxAccounts)
	}
	out := make([]string, 0, len(extra)+1)
	out = append(out, home)
	for _, id := range extra {
		if !policy.IsAccountID(id) {
			return nil, fmt.Errorf("ssmlocal: account id %q is not 12 digits", clip(id))
		}
		if slices.Contains(out, id) {
			return nil, fmt.Errorf("ssmlocal: account %s is given twice", id)
		}
		out = append(out, id)
	}
	return out, nil
}

// accountStateFile is where an extra account keeps its state: next to the
// home account's file, named after the account, so a single-account
// state file keeps loading unchanged. "" without a state file.
func accountStateFile(home, account string) string {
	if home == "" {
		return ""
	}
	ext := filepath.Ext(home)
	return strings.TrimSuffix(home, ext) + "." + account + ext
}

// cores returns every account's core, the home account's first.
func (s *Server) cores() []*Server {
	if s.fleet == nil {
		return []*Server{s}
	}
	out := make([]*Server, 0, len(s.fleet.order))
	for _, id := range s.fleet.order {
		out = append(out, s.fleet.cores[id])
	}
	return out
}

// core returns the core serving account: s itself for s's own account.
// The Automation engine uses it to run a child execution in another
// account; ok is false for an account the endpoint does not serve.
func (s *Server) core(account string) (*Server, bool) {
	if account == s.opts.AccountID {
		return s, true
	}
	if s.fleet == nil {
		return nil, false
	}
	c, ok := s.fleet.cores[account]
	return c, ok
}

// multiAccount reports whether the endpoint serves more than one account.
func (s *Server) multiAccount() bool { return s.fleet != nil && len(s.fleet.order) > 1 }

// owner returns the core owning the request's access key, or home when no
// account knows it (or the request carries none), so the request fails
// there as it would in a single-account endpoint.
func (f *fleet) owner(r *http.Request, home *Server) *Server {
	if f == nil || len(f.order) < 2 {
		return home
	}
	a, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return home
	}
	for _, id := range f.order {
		if c := f.cores[id]; c.ownsKey(a.accessKey) {
			return c
		}
	}
	return home
}

// ownsKey reports whether an access key is one of this account's: a user's
// key (active or not), an STS session's or a running script's.
func (s *Server) ownsKey(key string) bool {
	if _, ok := s.scripts.get(key); ok {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.iam.AccessKeys[key]; ok {
		return true
	}
	_, ok := s.iam.Sessions[key]
	return ok
}

// Account is one of the accounts a [Server] serves, to act as its
// administrator in tests and examples.
type Account struct{ s *Server }

// Accounts returns the IDs of the accounts served, the home account first.
func (s *Server) Accounts() []string {
	if s.fleet == nil {
		return []string{s.opts.AccountID}
	}
	return slices.Clone(s.fleet.order)
}

// Account returns a served account; the home account's is the Server's own.
// It fails with [ErrUnknownAccount] for an account not served.
func (s *Server) Account(id string) (*Account, error) {
	c, ok := s.core(id)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAccount, clip(id))
	}
	return &Account{s: c}, nil
}

// ID is the account's 12-digit ID.
func (a *Account) ID() string { return a.s.opts.AccountID }

// AdminCredentials are the credentials of the account's bootstrap
// administrator, the IAM user "admin" with AdministratorAccess.
func (a *Account) AdminCredentials() Credentials { return a.s.admin }

// AdminARN is the account's bootstrap administrator's ARN.
func (a *Account) AdminARN() string { return a.s.AdminARN() }

// Config returns an aws.Config that calls the endpoint as creds in the
// default Region, as [Server.Config] does.
func (a *Account) Config(creds Credentials) aws.Config { return a.s.Config(creds) }

// AdminConfig returns an aws.Config for the account's administrator.
func (a *Account) AdminConfig() aws.Config { return a.s.Config(a.s.admin) }

// Audit returns the account's audit trail, oldest first.
func (a *Account) Audit() []AuditEvent { return a.s.Audit() }

// AddInstances creates n settled instances in the account, as
// [Server.AddInstances] does in the home account.
func (a *Account) AddInstances(n int, optFns ...func(*InstanceOptions)) ([]string, error) {
	return a.s.AddInstances(n, optFns...)
}

// InstanceState returns an instance's state in the account.
func (a *Account) InstanceState(region, id string) (string, error) {
	return a.s.InstanceState(region, id)
}
