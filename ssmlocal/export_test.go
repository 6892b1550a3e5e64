package ssmlocal

import (
	"errors"
	"sync/atomic"
)

// errInjected is the failure of an injected store.
var errInjected = errors.New("injected: no space left on device")

// failingStore is a real store whose commits fail after the first ok.
type failingStore struct {
	store
	ok *atomic.Int64
}

func (f failingStore) commit(buckets []string, changes []change) error {
	if f.ok.Add(-1) < 0 {
		return errInjected
	}
	return f.store.commit(buckets, changes)
}

// FailCommitsAfter makes the stores New opens fail every commit after the
// first ok ones, until the returned function restores them.
func FailCommitsAfter(ok int64) (restore func()) {
	n := new(atomic.Int64)
	n.Store(ok)
	open := openStore
	openStore = func(path string) (store, error) {
		st, err := open(path)
		if err != nil {
			return nil, err
		}
		return failingStore{store: st, ok: n}, nil
	}
	return func() { openStore = open }
}
