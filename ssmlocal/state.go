package ssmlocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// stateFile is what --state persists: everything but the AWS-owned
// documents, which every start rebuilds.
type stateFile struct {
	Format    int                     `json:"format"`
	AccountID string                  `json:"accountId"`
	Saved     time.Time               `json:"saved"`
	IAM       *iamState               `json:"iam"`
	Regions   map[string]*regionState `json:"regions"`
}

type regionState struct {
	Instances  map[string]*instance    `json:"instances"`
	Documents  map[string]*ssmDocument `json:"documents"`
	Executions []byte                  `json:"executions,omitempty"`
}

const stateFormat = 1

// persister writes the state file after changes, coalescing bursts: a
// change marks the state dirty and wakes the writer, which snapshots and
// writes (temp file + rename, so a crash never leaves a torn file).
type persister struct {
	s       *Server
	path    string
	wake    chan struct{}
	done    chan struct{}
	stopped chan struct{}
	mu      sync.Mutex
	err     error
}

// changed notes that the state changed. Cheap and non-blocking; callers may
// hold s.mu.
func (s *Server) changed() {
	if s.persist == nil {
		return
	}
	select {
	case s.persist.wake <- struct{}{}:
	default:
	}
}

func (p *persister) run() {
	defer close(p.stopped)
	for {
		select {
		case <-p.wake:
			p.write()
		case <-p.done:
			p.write()
			return
		}
		// Coalesce bursts (a thousand executions changing at once) into at
		// most a few snapshots a second; Close still writes the last state.
		pause := time.NewTimer(persistInterval)
		select {
		case <-pause.C:
		case <-p.done:
			pause.Stop()
			p.write()
			return
		}
	}
}

// persistInterval is the least time between two state-file writes.
const persistInterval = 100 * time.Millisecond

func (p *persister) write() {
	err := p.s.SaveState(p.path)
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
}

func (p *persister) close() error {
	close(p.done)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// SaveState writes a snapshot of the endpoint's state to path atomically.
func (s *Server) SaveState(path string) error {
	st := stateFile{Format: stateFormat, AccountID: s.opts.AccountID, Saved: s.clock.Now().UTC(), Regions: map[string]*regionState{}}
	for name, r := range s.regions {
		if r.engine == nil {
			continue
		}
		ex, err := r.engine.Snapshot()
		if err != nil {
			return fmt.Errorf("ssmlocal: snapshot executions: %w", err)
		}
		st.Regions[name] = &regionState{Executions: ex}
	}
	s.mu.RLock()
	st.IAM = s.iam
	for name, r := range s.regions {
		rs := st.Regions[name]
		if rs == nil {
			rs = &regionState{}
			st.Regions[name] = rs
		}
		rs.Instances = r.Instances
		rs.Documents = map[string]*ssmDocument{}
		for n, d := range r.Documents {
			if !d.awsOwned() {
				rs.Documents[n] = d
			}
		}
	}
	data, err := json.Marshal(st)
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("ssmlocal: encode state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("ssmlocal: write state: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("ssmlocal: write state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("ssmlocal: write state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("ssmlocal: write state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("ssmlocal: write state: %w", err)
	}
	return nil
}

// loadState reads the state file when it exists and returns the persister
// that keeps it current.
func (s *Server) loadState(path string) (*persister, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("ssmlocal: read state: %w", err)
	default:
		var st stateFile
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, fmt.Errorf("ssmlocal: state file %s: %w", path, err)
		}
		if st.Format != stateFormat {
			return nil, fmt.Errorf("ssmlocal: state file %s has format %d, want %d", path, st.Format, stateFormat)
		}
		if st.AccountID != s.opts.AccountID {
			return nil, fmt.Errorf("ssmlocal: state file %s belongs to account %s, not %s", path, st.AccountID, s.opts.AccountID)
		}
		if st.IAM != nil {
			fillIAM(st.IAM)
			s.iam = st.IAM
		}
		s.restoredExecutions = map[string][]byte{}
		for name, rs := range st.Regions {
			r, ok := s.regions[name]
			if !ok {
				return nil, fmt.Errorf("ssmlocal: state file %s holds Region %s, which is not served", path, name)
			}
			for id, i := range rs.Instances {
				r.Instances[id] = i
			}
			for n, d := range rs.Documents {
				r.Documents[n] = d
			}
			s.restoredExecutions[name] = rs.Executions
		}
		if err := s.bootstrap(); err != nil {
			return nil, err
		}
	}
	// New starts the persister once the engines hold the restored
	// executions: a snapshot taken earlier would race their start and
	// leave those executions out of the file.
	return &persister{s: s, path: path, wake: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}, nil
}

// fillIAM makes maps of a decoded state usable.
func fillIAM(st *iamState) {
	if st.Users == nil {
		st.Users = map[string]*iamUser{}
	}
	if st.Roles == nil {
		st.Roles = map[string]*iamRole{}
	}
	if st.Policies == nil {
		st.Policies = map[string]*managedPolicy{}
	}
	if st.AccessKeys == nil {
		st.AccessKeys = map[string]*accessKey{}
	}
	if st.Groups == nil {
		st.Groups = map[string]*iamGroup{}
	}
	for _, g := range st.Groups {
		if g.Inline == nil {
			g.Inline = map[string]string{}
		}
	}
	if st.Sessions == nil {
		st.Sessions = map[string]*stsSession{}
	}
	for _, u := range st.Users {
		if u.Inline == nil {
			u.Inline = map[string]string{}
		}
	}
	for _, r := range st.Roles {
		if r.Inline == nil {
			r.Inline = map[string]string{}
		}
	}
}
