package ssmlocal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/engine"
)

// Formats of the state: format 1 is the JSON file of earlier versions and
// of SaveState; format 2 is the bbolt store --state keeps.
const (
	jsonFormat  = 1
	storeFormat = 2
)

// Buckets of the store: one per entity family, one key per entity, each
// value the entity's JSON.
const (
	bucketMeta       = "meta"
	bucketUsers      = "iam/users"
	bucketRoles      = "iam/roles"
	bucketPolicies   = "iam/policies"
	bucketGroups     = "iam/groups"
	bucketAccessKeys = "iam/accessKeys"
	bucketSessions   = "iam/sessions"
	// bucketProfiles is optional: stores written before instance profiles
	// were simulated lack it.
	bucketProfiles   = "iam/instanceProfiles"
	familyDocuments  = "documents"
	familyInstances  = "instances"
	familyExecutions = "executions"
	// familyParameters is optional: stores written before Parameter
	// Store was simulated lack it.
	familyParameters = "parameters"
	// The EBS families are optional too: stores written before images,
	// snapshots and volumes were simulated lack them.
	familyImages    = "images"
	familySnapshots = "snapshots"
	familyVolumes   = "volumes"
)

// optionalFamilies are the Region families a store may lack.
var optionalFamilies = []string{familyParameters, familyImages, familySnapshots, familyVolumes}

var (
	iamBuckets     = []string{bucketUsers, bucketRoles, bucketPolicies, bucketGroups, bucketAccessKeys, bucketSessions}
	regionFamilies = []string{familyDocuments, familyInstances, familyExecutions}
)

func regionBucket(region, family string) string { return "regions/" + region + "/" + family }

// ErrStateCorrupt is wrapped by every error about a state that cannot be
// loaded: the endpoint refuses to start rather than start empty over it.
var ErrStateCorrupt = errors.New("ssmlocal: state cannot be loaded")

// ErrStateNotPersisted is wrapped by the error of a call whose changes could
// not be made durable, and of every call refused after it.
var ErrStateNotPersisted = errors.New("ssmlocal: state not persisted")

// corrupt names what is wrong with a state, by bucket and key.
func corrupt(where string, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrStateCorrupt, where, fmt.Sprintf(format, args...))
}

// change is one key to write (value set) or delete (value nil).
type change struct {
	bucket, key string
	value       []byte
}

// store keeps the state durably. commit applies every change, and creates
// the buckets that do not exist yet, in one transaction that is on disk
// when it returns.
type store interface {
	load() (map[string]map[string][]byte, error)
	commit(buckets []string, changes []change) error
	close() error
}

// openStore opens the store at path; tests replace it to inject faults.
var openStore = openBolt

// boltStore is a bbolt file: copy-on-write pages and a meta page switch
// make every transaction atomic, and each commit is fsync'd.
type boltStore struct{ db *bolt.DB }

func openBolt(path string) (_ store, err error) {
	if err := checkBoltFile(path); err != nil {
		return nil, err
	}
	// bbolt reads the file through mmap: a corrupt page can point past its
	// end, which faults. Make that a panic, and the panic an error.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = corrupt(path, "%v", p)
		}
	}()
	// A second endpoint on the same file waits a second for the lock, then
	// fails, rather than hanging.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("ssmlocal: state file %s is in use by another process", path)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
		return nil, corrupt(path, "not a state file: %v", err)
	case err != nil:
		return nil, fmt.Errorf("ssmlocal: open state file: %w", err)
	}
	return &boltStore{db: db}, nil
}

func (b *boltStore) load() (out map[string]map[string][]byte, err error) {
	// bbolt panics on some corrupt pages: report them as a corrupt state.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, corrupt(b.db.Path(), "%v", p)
		}
	}()
	out = map[string]map[string][]byte{}
	err = b.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			kv := map[string][]byte{}
			err := bk.ForEach(func(k, v []byte) error {
				if v == nil {
					return corrupt("bucket "+string(name), "key %q is a nested bucket", k)
				}
				kv[string(k)] = bytes.Clone(v)
				return nil
			})
			out[string(name)] = kv
			return err
		})
	})
	return out, err
}

// checkBoltFile checks a bbolt file's structure before bbolt reads it:
// bbolt trusts its pages, so a corrupt one can send it past the end of
// the file (a fault) or round a cycle of pages for ever. Every page the
// tree and the freelist use must lie inside the file and below the high
// water mark, be of the right kind, be used once, and hold its elements.
// A crash never leaves such damage (bbolt grows the file before it writes
// there, and switches meta pages last); a bad copy or a bad disk does.
func checkBoltFile(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ssmlocal: read state: %w", err)
	}
	if len(data) == 0 {
		return nil
	}
	// Two meta pages: at 0 and one page further; bbolt uses the valid one
	// with the newer transaction.
	best := readBoltMeta(data, 0)
	second := os.Getpagesize()
	if best != nil {
		second = int(best.pageSize)
	}
	if m := readBoltMeta(data, second); m != nil && (best == nil || m.txid > best.txid) {
		best = m
	}
	if best == nil {
		return nil // bbolt reports what is wrong
	}
	c := &boltChecker{data: data, pageSize: uint64(best.pageSize), hwm: best.pgid, used: map[uint64]bool{}}
	if uint64(len(data)) < c.hwm*c.pageSize {
		return corrupt(path, "truncated: %d bytes, the file says %d", len(data), c.hwm*c.pageSize)
	}
	if err := c.tree(best.root, 0); err != nil {
		return corrupt(path, "%v", err)
	}
	if err := c.freelist(best.freelist); err != nil {
		return corrupt(path, "%v", err)
	}
	return nil
}

// boltMeta is what checkBoltFile reads of a bbolt meta page.
type boltMeta struct {
	pageSize                   uint32
	root, freelist, pgid, txid uint64
}

// readBoltMeta reads the meta page at off; nil when it is not a valid one.
// Layout: a 16-byte page header, then magic, version, page size, flags
// (4 bytes each), the root bucket (root page, sequence), the freelist page,
// the high water mark, the transaction id and an FNV-64a checksum of what
// precedes it (8 bytes each), little-endian on the platforms bbolt writes.
func readBoltMeta(data []byte, off int) *boltMeta {
	if off < 0 || len(data) < off+16+64 {
		return nil
	}
	m := data[off+16 : off+16+64]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != 0xED0CDAED || le.Uint32(m[4:]) != 2 {
		return nil
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return nil
	}
	ps := le.Uint32(m[8:])
	if ps < 1024 || ps > 1<<16 || ps&(ps-1) != 0 {
		return nil
	}
	return &boltMeta{pageSize: ps, root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
}

// boltChecker walks a bbolt file's pages.
type boltChecker struct {
	data     []byte
	pageSize uint64
	hwm      uint64
	used     map[uint64]bool
}

// Page flags and the leaf flag of a nested bucket, as bbolt writes them.
const (
	boltBranch   = 0x01
	boltLeaf     = 0x02
	boltFreelist = 0x10
	boltBucket   = 0x01
	boltMaxDepth = 64
)

// page returns the bytes of page id and its overflow pages, marking them
// used.
func (c *boltChecker) page(id uint64) ([]byte, error) {
	if id < 2 || id >= c.hwm {
		return nil, fmt.Errorf("page %d is outside the file's pages 2..%d", id, c.hwm)
	}
	hdr := c.data[id*c.pageSize:]
	le := binary.LittleEndian
	if got := le.Uint64(hdr); got != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, got)
	}
	overflow := uint64(le.Uint32(hdr[12:]))
	if overflow >= c.hwm-id {
		return nil, fmt.Errorf("page %d overflows past the file's pages", id)
	}
	for p := id; p <= id+overflow; p++ {
		if c.used[p] {
			return nil, fmt.Errorf("page %d is used twice", p)
		}
		c.used[p] = true
	}
	return c.data[id*c.pageSize : (id+overflow+1)*c.pageSize], nil
}

// tree checks the B+tree of a bucket rooted at page id.
func (c *boltChecker) tree(id uint64, depth int) error {
	if depth > boltMaxDepth {
		return fmt.Errorf("page %d is nested too deep", id)
	}
	pg, err := c.page(id)
	if err != nil {
		return err
	}
	return c.node(pg, id, depth)
}

// node checks one branch or leaf page (pg, header included).
func (c *boltChecker) node(pg []byte, id uint64, depth int) error {
	le := binary.LittleEndian
	if len(pg) < 16 {
		return fmt.Errorf("page %d is too short", id)
	}
	flags, count := le.Uint16(pg[8:]), int(le.Uint16(pg[10:]))
	if 16+count*16 > len(pg) {
		return fmt.Errorf("page %d holds more elements than fit", id)
	}
	for i := range count {
		at := 16 + i*16
		el := pg[at : at+16]
		switch flags {
		case boltBranch:
			pos, ksize := int(le.Uint32(el[0:])), int(le.Uint32(el[4:]))
			if at+pos+ksize > len(pg) || pos < 0 || ksize < 0 {
				return fmt.Errorf("page %d element %d is out of its page", id, i)
			}
			if err := c.tree(le.Uint64(el[8:]), depth+1); err != nil {
				return err
			}
		case boltLeaf:
			fl, pos, ksize, vsize := le.Uint32(el[0:]), int(le.Uint32(el[4:])), int(le.Uint32(el[8:])), int(le.Uint32(el[12:]))
			end := at + pos + ksize + vsize
			if pos < 0 || ksize < 0 || vsize < 0 || end > len(pg) || end < at {
				return fmt.Errorf("page %d element %d is out of its page", id, i)
			}
			if fl&boltBucket == 0 {
				continue
			}
			v := pg[at+pos+ksize : end]
			if len(v) < 16 {
				return fmt.Errorf("page %d element %d is a bucket too short", id, i)
			}
			if root := le.Uint64(v); root != 0 {
				if err := c.tree(root, depth+1); err != nil {
					return err
				}
			} else if err := c.inline(v[16:], id, depth+1); err != nil {
				return err
			}
		default:
			return fmt.Errorf("page %d is not a branch or leaf page (flags %#x)", id, flags)
		}
	}
	return nil
}

// inline checks a bucket stored inside its parent's value: a leaf page.
func (c *boltChecker) inline(pg []byte, parent uint64, depth int) error {
	if depth > boltMaxDepth {
		return fmt.Errorf("page %d is nested too deep", parent)
	}
	if len(pg) < 16 || binary.LittleEndian.Uint16(pg[8:]) != boltLeaf {
		return fmt.Errorf("page %d holds an inline bucket that is not a leaf", parent)
	}
	return c.node(pg, parent, depth)
}

// freelist checks the freelist page and the free pages it lists.
func (c *boltChecker) freelist(id uint64) error {
	if id == ^uint64(0) {
		return nil // not synced: bbolt rebuilds it
	}
	pg, err := c.page(id)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	le := binary.LittleEndian
	if le.Uint16(pg[8:])&boltFreelist == 0 {
		return fmt.Errorf("freelist page %d is not a freelist page", id)
	}
	start, count := 16, uint64(le.Uint16(pg[10:]))
	if count == 0xFFFF {
		count = le.Uint64(pg[16:])
		start += 8
	}
	if count > uint64(len(pg)-start)/8 {
		return fmt.Errorf("freelist page %d lists more pages than fit", id)
	}
	for i := range count {
		free := le.Uint64(pg[start+int(i)*8:])
		if free < 2 || free >= c.hwm || c.used[free] {
			return fmt.Errorf("freelist page %d lists page %d, which is not free", id, free)
		}
	}
	return nil
}

func (b *boltStore) commit(buckets []string, changes []change) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		for _, name := range buckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		for _, c := range changes {
			bk, err := tx.CreateBucketIfNotExists([]byte(c.bucket))
			if err != nil {
				return err
			}
			if c.value == nil {
				err = bk.Delete([]byte(c.key))
			} else {
				err = bk.Put([]byte(c.key), c.value)
			}
			if err != nil {
				return fmt.Errorf("bucket %s key %s: %w", c.bucket, c.key, err)
			}
		}
		return nil
	})
}

func (b *boltStore) close() error { return b.db.Close() }

// durable makes changes durable before they are acknowledged. Handlers and
// the engines call changed, which moves gen; a call that moved it waits in
// flush until a commit that started after its change is on disk. Commits
// are serialized, and each one writes everything changed since the last,
// so concurrent writers share one fsync (group commit).
type durable struct {
	s    *Server
	st   store
	gen  atomic.Uint64
	bad  atomic.Bool
	wake chan struct{}
	quit chan struct{}
	done chan struct{}

	mu        sync.Mutex // serializes commits; guards the fields below
	committed uint64
	last      map[string]map[string][]byte
	err       error
}

// changed notes that the state changed. Cheap and non-blocking; callers may
// hold s.mu. A change no call waits for (an engine's, a timer's) is
// committed by the background writer.
func (s *Server) changed() {
	if s.dur == nil {
		return
	}
	s.dur.gen.Add(1)
	select {
	case s.dur.wake <- struct{}{}:
	default:
	}
}

// stateGen is the change counter the dispatcher compares around a call.
func (s *Server) stateGen() uint64 {
	if s.dur == nil {
		return 0
	}
	return s.dur.gen.Load()
}

// flush returns once every change made before it is on disk, or the error
// that kept it from being written. Callers must not hold s.mu.
func (s *Server) flush() error {
	if s.dur == nil {
		return nil
	}
	return s.dur.sync(s.dur.gen.Add(1))
}

// sync commits unless a commit covering target is already on disk.
func (d *durable) sync(target uint64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	if d.committed >= target {
		return nil
	}
	// Read the counter before the snapshot: every change counted up to g
	// was made before it, so the snapshot holds it.
	g := d.gen.Load()
	if err := d.commit(); err != nil {
		d.err = fmt.Errorf("%w: %w", ErrStateNotPersisted, err)
		d.bad.Store(true)
		d.s.logger().Error("ssmlocal: state could not be written; refusing changes until restarted", "error", err)
		return d.err
	}
	d.committed = g
	return nil
}

// commit writes the keys whose values changed since the last commit.
func (d *durable) commit() error {
	cur, err := d.s.encodeState()
	if err != nil {
		return err
	}
	var changes []change
	for b, kv := range cur {
		for k, v := range kv {
			if old, ok := d.last[b][k]; !ok || !bytes.Equal(old, v) {
				changes = append(changes, change{b, k, v})
			}
		}
	}
	for b, kv := range d.last {
		for k := range kv {
			if _, ok := cur[b][k]; !ok {
				changes = append(changes, change{b, k, nil})
			}
		}
	}
	if len(changes) == 0 && d.last != nil {
		return nil
	}
	slices.SortFunc(changes, func(a, b change) int {
		if c := strings.Compare(a.bucket, b.bucket); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	buckets := make([]string, 0, len(cur))
	for b := range cur {
		buckets = append(buckets, b)
	}
	slices.Sort(buckets)
	if err := d.st.commit(buckets, changes); err != nil {
		return err
	}
	d.last = cur
	return nil
}

// run commits the changes no call waits for.
func (d *durable) run() {
	defer close(d.done)
	for {
		select {
		case <-d.wake:
			_ = d.sync(d.gen.Load())
		case <-d.quit:
			return
		}
	}
}

// close writes the last changes and closes the store.
func (d *durable) close() error {
	close(d.quit)
	<-d.done
	err := d.sync(d.gen.Add(1))
	return errors.Join(err, d.st.close())
}

func (s *Server) logger() *slog.Logger {
	if s.opts.Logger != nil {
		return s.opts.Logger
	}
	return slog.Default()
}

// refuseChanges fails a call that may change state once a write has
// failed: memory and disk differ, so nothing more is acknowledged until a
// restart reloads what is on disk. Reads keep working.
func (s *Server) refuseChanges(c *call) error {
	if s.dur == nil || !s.dur.bad.Load() || engine.ReadOnlyAPI(c.api) {
		return nil
	}
	return &APIError{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable,
		Message: "the endpoint could not write its state and refuses changes until it is restarted"}
}

// persistCall makes the changes of a call durable before it is answered:
// a change that cannot be written fails the call with the service's
// internal error, never a success.
func (s *Server) persistCall(c *call, before uint64) error {
	if s.dur == nil || s.stateGen() == before {
		return nil
	}
	if s.dur.bad.Load() && engine.ReadOnlyAPI(c.api) {
		return nil // a read answers from memory, as it did before the failure
	}
	err := s.flush()
	if err == nil {
		return nil
	}
	code := "InternalFailure"
	switch c.service {
	case "ssm":
		code = "InternalServerError"
	case "iam":
		code = "ServiceFailure"
	case "ec2":
		code = "InternalError"
	}
	return &APIError{Code: code, Status: http.StatusInternalServerError,
		Message: "the change could not be written to the endpoint's state and is not acknowledged"}
}

// AddInstances creates n settled instances directly, without a caller or an
// authorization check, so tests and examples have something to act on. With
// Options.StateFile they are on disk when it returns.
func (s *Server) AddInstances(n int, optFns ...func(*InstanceOptions)) ([]string, error) {
	ids, err := s.addInstances(n, optFns...)
	if err != nil {
		return nil, err
	}
	if err := s.flush(); err != nil {
		return nil, err
	}
	return ids, nil
}

// encodeState returns every persisted entity's JSON by bucket and key:
// everything but the AWS-owned documents, which every start rebuilds.
func (s *Server) encodeState() (map[string]map[string][]byte, error) {
	out := map[string]map[string][]byte{}
	// The engines first, without s.mu: their runners take it.
	for name, r := range s.regions {
		ex := map[string][]byte{}
		if r.engine != nil {
			var err error
			if ex, err = r.engine.SnapshotEach(); err != nil {
				return nil, err
			}
		}
		out[regionBucket(name, familyExecutions)] = ex
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var err error
	put := func(bucket, key string, v any) {
		if out[bucket] == nil {
			out[bucket] = map[string][]byte{}
		}
		b, e := json.Marshal(v)
		if e != nil && err == nil {
			err = fmt.Errorf("bucket %s key %s: %w", bucket, key, e)
		}
		out[bucket][key] = b
	}
	put(bucketMeta, "format", storeFormat)
	put(bucketMeta, "account", s.opts.AccountID)
	for _, b := range iamBuckets {
		out[b] = map[string][]byte{}
	}
	for k, v := range s.iam.Users {
		put(bucketUsers, k, v)
	}
	for k, v := range s.iam.Roles {
		put(bucketRoles, k, v)
	}
	for k, v := range s.iam.Policies {
		put(bucketPolicies, k, v)
	}
	for k, v := range s.iam.Groups {
		put(bucketGroups, k, v)
	}
	for k, v := range s.iam.AccessKeys {
		put(bucketAccessKeys, k, v)
	}
	for k, v := range s.iam.Sessions {
		put(bucketSessions, k, v)
	}
	out[bucketProfiles] = map[string][]byte{}
	for k, v := range s.iam.InstanceProfiles {
		put(bucketProfiles, k, v)
	}
	for name, r := range s.regions {
		out[regionBucket(name, familyDocuments)] = map[string][]byte{}
		out[regionBucket(name, familyInstances)] = map[string][]byte{}
		for k, d := range r.Documents {
			if !d.awsOwned() {
				put(regionBucket(name, familyDocuments), k, d)
			}
		}
		for k, i := range r.Instances {
			put(regionBucket(name, familyInstances), k, i)
		}
		out[regionBucket(name, familyParameters)] = map[string][]byte{}
		for k, p := range r.Parameters {
			put(regionBucket(name, familyParameters), k, p)
		}
		for _, f := range []string{familyImages, familySnapshots, familyVolumes} {
			out[regionBucket(name, f)] = map[string][]byte{}
		}
		for k, v := range r.Images {
			put(regionBucket(name, familyImages), k, v)
		}
		for k, v := range r.Snapshots {
			put(regionBucket(name, familySnapshots), k, v)
		}
		for k, v := range r.Volumes {
			put(regionBucket(name, familyVolumes), k, v)
		}
	}
	return out, err
}

// loadedState is a decoded, checked state.
type loadedState struct {
	iam     *iamState
	regions map[string]*regionState
}

type regionState struct {
	Instances  map[string]*instance     `json:"instances"`
	Documents  map[string]*ssmDocument  `json:"documents"`
	Executions json.RawMessage          `json:"executions,omitempty"`
	Parameters map[string]*ssmParameter `json:"parameters,omitempty"`
	Images     map[string]*ec2Image     `json:"images,omitempty"`
	Snapshots  map[string]*ec2Snapshot  `json:"snapshots,omitempty"`
	Volumes    map[string]*ec2Volume    `json:"volumes,omitempty"`
}

// decodeStore checks and decodes a store's buckets. Anything missing,
// null, undecodable or inconsistent is an error naming its bucket and key.
func decodeStore(data map[string]map[string][]byte, account string, regions []string) (*loadedState, error) {
	if err := decodeMeta(data, account); err != nil {
		return nil, err
	}
	st := &loadedState{iam: newIAMState(), regions: map[string]*regionState{}}
	if err := checkBuckets(data, regions, st); err != nil {
		return nil, err
	}
	if err := decodeIAMBuckets(data, st.iam); err != nil {
		return nil, err
	}
	if err := checkIAM(st.iam); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(st.regions)) {
		if err := decodeRegion(data, name, st.regions[name]); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// decodeMeta checks the store's format and account.
func decodeMeta(data map[string]map[string][]byte, account string) error {
	meta, ok := data[bucketMeta]
	if !ok {
		return corrupt("bucket "+bucketMeta, "missing")
	}
	var format int
	if err := decodeValue(bucketMeta, "format", meta["format"], &format); err != nil {
		return err
	}
	if format != storeFormat {
		return corrupt("bucket meta key format", "format %d is not supported (this version reads %d)", format, storeFormat)
	}
	var acct string
	if err := decodeValue(bucketMeta, "account", meta["account"], &acct); err != nil {
		return err
	}
	if acct != account {
		return corrupt("bucket meta key account", "the state belongs to account %s, not %s", acct, account)
	}
	return nil
}

// checkBuckets checks that the store holds every IAM bucket, all or none
// of each served Region's families, and nothing else, and adds an empty
// regionState to st for each Region the store holds.
func checkBuckets(data map[string]map[string][]byte, regions []string, st *loadedState) error {
	known := map[string]bool{bucketMeta: true, bucketProfiles: true}
	for _, b := range iamBuckets {
		if _, ok := data[b]; !ok {
			return corrupt("bucket "+b, "missing")
		}
		known[b] = true
	}
	for _, r := range regions {
		held, err := checkRegionBuckets(data, r, known)
		if err != nil {
			return err
		}
		if held {
			st.regions[r] = &regionState{Instances: map[string]*instance{}, Documents: map[string]*ssmDocument{}, Parameters: map[string]*ssmParameter{},
				Images: map[string]*ec2Image{}, Snapshots: map[string]*ec2Snapshot{}, Volumes: map[string]*ec2Volume{}}
		}
	}
	for _, b := range slices.Sorted(maps.Keys(data)) {
		if known[b] {
			continue
		}
		if parts := strings.Split(b, "/"); len(parts) == 3 && parts[0] == "regions" {
			return corrupt("bucket "+b, "the state holds Region %s, which is not served", parts[1])
		}
		return corrupt("bucket "+b, "unknown bucket")
	}
	return nil
}

// checkRegionBuckets marks Region r's buckets known and reports whether
// the store holds the Region: all of its families, or none of them (a
// Region served for the first time) and then no optional one either.
func checkRegionBuckets(data map[string]map[string][]byte, r string, known map[string]bool) (bool, error) {
	have := 0
	for _, f := range regionFamilies {
		if _, ok := data[regionBucket(r, f)]; ok {
			have++
		}
		known[regionBucket(r, f)] = true
	}
	for _, f := range optionalFamilies {
		known[regionBucket(r, f)] = true
	}
	switch have {
	case 0: // a Region served for the first time
		for _, f := range optionalFamilies {
			if _, ok := data[regionBucket(r, f)]; ok {
				return false, corrupt("bucket "+regionBucket(r, familyDocuments), "missing")
			}
		}
		return false, nil
	case len(regionFamilies):
	default:
		for _, f := range regionFamilies {
			if _, ok := data[regionBucket(r, f)]; !ok {
				return false, corrupt("bucket "+regionBucket(r, f), "missing")
			}
		}
	}
	return true, nil
}

// decodeIAMBuckets decodes the account-wide IAM and STS buckets into st.
func decodeIAMBuckets(data map[string]map[string][]byte, st *iamState) error {
	if err := decodeBucket(data, bucketUsers, st.Users, func(u *iamUser) string { return u.Name }); err != nil {
		return err
	}
	if err := decodeBucket(data, bucketRoles, st.Roles, func(r *iamRole) string { return r.Name }); err != nil {
		return err
	}
	if err := decodeBucket(data, bucketPolicies, st.Policies, func(p *managedPolicy) string { return p.ARN }); err != nil {
		return err
	}
	if err := decodeBucket(data, bucketGroups, st.Groups, func(g *iamGroup) string { return g.Name }); err != nil {
		return err
	}
	if err := decodeBucket(data, bucketAccessKeys, st.AccessKeys, func(k *accessKey) string { return k.ID }); err != nil {
		return err
	}
	if err := decodeBucket(data, bucketSessions, st.Sessions, func(s *stsSession) string { return s.AccessKeyID }); err != nil {
		return err
	}
	return decodeBucket(data, bucketProfiles, st.InstanceProfiles, func(p *instanceProfile) string { return p.Name })
}

// decodeRegion decodes and checks Region name's buckets into rs.
func decodeRegion(data map[string]map[string][]byte, name string, rs *regionState) error {
	if err := decodeBucket(data, regionBucket(name, familyDocuments), rs.Documents, func(d *ssmDocument) string { return d.Name }); err != nil {
		return err
	}
	if err := decodeBucket(data, regionBucket(name, familyInstances), rs.Instances, func(i *instance) string { return i.ID }); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(rs.Documents)) {
		if err := checkDocument(rs.Documents[k]); err != nil {
			return corrupt("bucket "+regionBucket(name, familyDocuments)+" key "+k, "%v", err)
		}
	}
	if err := decodeRegionParameters(data, name, rs); err != nil {
		return err
	}
	if err := decodeBucket(data, regionBucket(name, familyImages), rs.Images, func(im *ec2Image) string { return im.ID }); err != nil {
		return err
	}
	if err := decodeBucket(data, regionBucket(name, familySnapshots), rs.Snapshots, func(sn *ec2Snapshot) string { return sn.ID }); err != nil {
		return err
	}
	if err := decodeBucket(data, regionBucket(name, familyVolumes), rs.Volumes, func(v *ec2Volume) string { return v.ID }); err != nil {
		return err
	}
	return decodeRegionExecutions(data, name, rs)
}

// decodeRegionParameters decodes and checks Region name's parameters, a
// family stores written before it existed lack.
func decodeRegionParameters(data map[string]map[string][]byte, name string, rs *regionState) error {
	pb := regionBucket(name, familyParameters)
	if _, ok := data[pb]; !ok {
		return nil
	}
	if err := decodeBucket(data, pb, rs.Parameters, func(p *ssmParameter) string { return p.Name }); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(rs.Parameters)) {
		if err := checkParameter(rs.Parameters[k]); err != nil {
			return corrupt("bucket "+pb+" key "+k, "%v", err)
		}
	}
	return nil
}

// decodeRegionExecutions checks Region name's execution entries and joins
// them into the engine's snapshot.
func decodeRegionExecutions(data map[string]map[string][]byte, name string, rs *regionState) error {
	eb := regionBucket(name, familyExecutions)
	var entries [][]byte
	for _, k := range slices.Sorted(maps.Keys(data[eb])) {
		v := data[eb][k]
		if err := engine.CheckEntry(k, v); err != nil {
			return corrupt("bucket "+eb+" key "+k, "%v", err)
		}
		entries = append(entries, v)
	}
	if len(entries) > 0 {
		rs.Executions = engine.JoinSnapshot(entries)
	}
	return nil
}

// decodeValue decodes one stored value strictly.
func decodeValue(bucket, key string, v []byte, into any) error {
	where := "bucket " + bucket + " key " + key
	if v == nil {
		return corrupt(where, "missing")
	}
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return corrupt(where, "value is null")
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return corrupt(where, "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return corrupt(where, "unexpected data after the value")
	}
	return nil
}

// decodeBucket decodes every value of a bucket into m, checking that each
// is stored under its own name.
func decodeBucket[T any](data map[string]map[string][]byte, bucket string, m map[string]*T, name func(*T) string) error {
	kv := data[bucket]
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		v := new(T)
		if err := decodeValue(bucket, k, kv[k], v); err != nil {
			return err
		}
		if got := name(v); got != k {
			return corrupt("bucket "+bucket+" key "+k, "holds %q", got)
		}
		m[k] = v
	}
	return nil
}

// checkIAM checks the policies and references of a decoded IAM state and
// fills the maps JSON left nil.
func checkIAM(st *iamState) error {
	if err := checkStoredPolicies(st); err != nil {
		return err
	}
	if err := checkStoredUsers(st); err != nil {
		return err
	}
	if err := checkStoredRoles(st); err != nil {
		return err
	}
	if err := checkStoredGroups(st); err != nil {
		return err
	}
	if st.InstanceProfiles == nil {
		st.InstanceProfiles = map[string]*instanceProfile{}
	}
	for _, k := range slices.Sorted(maps.Keys(st.InstanceProfiles)) {
		if r := st.InstanceProfiles[k].Role; r != "" && st.Roles[r] == nil {
			return corrupt("bucket "+bucketProfiles+" key "+k, "role %s does not exist", r)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(st.AccessKeys)) {
		if u := st.AccessKeys[k].UserName; st.Users[u] == nil {
			return corrupt("bucket "+bucketAccessKeys+" key "+k, "user %s does not exist", u)
		}
	}
	return nil
}

// checkStoredPolicy checks that a stored policy document can be read.
func checkStoredPolicy(where, doc string) error {
	if _, err := policy.Parse([]byte(doc)); err != nil {
		return corrupt(where, "policy cannot be read: %v", err)
	}
	return nil
}

// checkAttached checks that each attached managed policy exists.
func checkAttached(st *iamState, where string, arns []string) error {
	for _, a := range arns {
		if _, ok := st.Policies[a]; !ok {
			return corrupt(where, "attached policy %s does not exist", a)
		}
	}
	return nil
}

// checkInline checks that each inline policy can be read.
func checkInline(where string, m map[string]string) error {
	for _, n := range slices.Sorted(maps.Keys(m)) {
		if err := checkStoredPolicy(where+" inline policy "+n, m[n]); err != nil {
			return err
		}
	}
	return nil
}

// checkStoredPolicies checks every managed policy's versions and that its
// default version exists.
func checkStoredPolicies(st *iamState) error {
	for _, k := range slices.Sorted(maps.Keys(st.Policies)) {
		p, where := st.Policies[k], "bucket "+bucketPolicies+" key "+k
		found := false
		for _, v := range p.Versions {
			if err := checkStoredPolicy(where+" version "+v.ID, v.Document); err != nil {
				return err
			}
			found = found || v.ID == p.DefaultVersion
		}
		if !found {
			return corrupt(where, "default version %q does not exist", p.DefaultVersion)
		}
	}
	return nil
}

// checkStoredUsers checks every user's policies.
func checkStoredUsers(st *iamState) error {
	for _, k := range slices.Sorted(maps.Keys(st.Users)) {
		u, where := st.Users[k], "bucket "+bucketUsers+" key "+k
		if err := checkInline(where, u.Inline); err != nil {
			return err
		}
		if err := checkAttached(st, where, u.Attached); err != nil {
			return err
		}
		if u.Inline == nil {
			u.Inline = map[string]string{}
		}
	}
	return nil
}

// checkStoredRoles checks every role's trust and permission policies.
func checkStoredRoles(st *iamState) error {
	for _, k := range slices.Sorted(maps.Keys(st.Roles)) {
		r, where := st.Roles[k], "bucket "+bucketRoles+" key "+k
		if err := checkStoredPolicy(where+" trust policy", r.Trust); err != nil {
			return err
		}
		if err := checkInline(where, r.Inline); err != nil {
			return err
		}
		if err := checkAttached(st, where, r.Attached); err != nil {
			return err
		}
		if r.Inline == nil {
			r.Inline = map[string]string{}
		}
	}
	return nil
}

// checkStoredGroups checks every group's policies and members.
func checkStoredGroups(st *iamState) error {
	for _, k := range slices.Sorted(maps.Keys(st.Groups)) {
		g, where := st.Groups[k], "bucket "+bucketGroups+" key "+k
		if err := checkInline(where, g.Inline); err != nil {
			return err
		}
		if err := checkAttached(st, where, g.Attached); err != nil {
			return err
		}
		for _, m := range g.Members {
			if _, ok := st.Users[m]; !ok {
				return corrupt(where, "member %s does not exist", m)
			}
		}
		if g.Inline == nil {
			g.Inline = map[string]string{}
		}
	}
	return nil
}

// checkDocument checks a stored document's versions.
func checkDocument(d *ssmDocument) error {
	if d.awsOwned() {
		return errors.New("AWS-owned documents are not stored")
	}
	if len(d.Versions) == 0 {
		return errors.New("no versions")
	}
	for i, v := range d.Versions {
		if v == nil {
			return fmt.Errorf("version %d is null", i)
		}
	}
	if d.version(d.Default) == nil || d.version(d.Latest) == nil {
		return fmt.Errorf("default version %d or latest version %d does not exist", d.Default, d.Latest)
	}
	return nil
}

// openState opens the store at path, migrating a JSON state file of format
// 1 first, and returns what it holds (nil for a new store).
func openState(path, account string, regions []string) (store, *loadedState, map[string]map[string][]byte, error) {
	legacy, err := isJSONFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if legacy {
		if err := migrate(path, account, regions); err != nil {
			return nil, nil, nil, err
		}
	}
	st, err := openStore(path)
	if err != nil {
		return nil, nil, nil, err
	}
	data, err := st.load()
	if err != nil {
		_ = st.close()
		return nil, nil, nil, err
	}
	if len(data) == 0 {
		return st, nil, nil, nil
	}
	loaded, err := decodeStore(data, account, regions)
	if err != nil {
		_ = st.close()
		return nil, nil, nil, fmt.Errorf("%w (state file %s)", err, path)
	}
	return st, loaded, data, nil
}

// isJSONFile reports whether path holds a JSON state file.
func isJSONFile(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ssmlocal: read state: %w", err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("ssmlocal: read state: %w", err)
	}
	head = bytes.TrimLeft(head[:n], " \t\r\n")
	return len(head) > 0 && head[0] == '{', nil
}

// jsonState is the JSON state of format 1, which SaveState writes.
type jsonState struct {
	Format    int                     `json:"format"`
	AccountID string                  `json:"accountId"`
	Saved     time.Time               `json:"saved"`
	IAM       *iamState               `json:"iam"`
	Regions   map[string]*regionState `json:"regions"`
}

// jsonBuckets turns a JSON state into the store's buckets, so it goes
// through the same checks as a store.
func jsonBuckets(data []byte) (map[string]map[string][]byte, error) {
	var raw struct {
		Format    int             `json:"format"`
		AccountID string          `json:"accountId"`
		Saved     time.Time       `json:"saved"`
		IAM       json.RawMessage `json:"iam"`
		Regions   map[string]*struct {
			Instances  map[string]json.RawMessage `json:"instances"`
			Documents  map[string]json.RawMessage `json:"documents"`
			Executions json.RawMessage            `json:"executions"`
			Parameters map[string]json.RawMessage `json:"parameters"`
			Images     map[string]json.RawMessage `json:"images"`
			Snapshots  map[string]json.RawMessage `json:"snapshots"`
			Volumes    map[string]json.RawMessage `json:"volumes"`
		} `json:"regions"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, corrupt("JSON state", "%v", err)
	}
	if raw.Format != jsonFormat {
		return nil, corrupt("JSON state", "format %d is not supported (this version reads %d)", raw.Format, jsonFormat)
	}
	var iam struct {
		Users      map[string]json.RawMessage `json:"users"`
		Roles      map[string]json.RawMessage `json:"roles"`
		Policies   map[string]json.RawMessage `json:"policies"`
		AccessKeys map[string]json.RawMessage `json:"accessKeys"`
		Sessions   map[string]json.RawMessage `json:"sessions"`
		Groups     map[string]json.RawMessage `json:"groups"`
		Profiles   map[string]json.RawMessage `json:"instanceProfiles"`
	}
	if len(raw.IAM) == 0 || bytes.Equal(raw.IAM, []byte("null")) {
		return nil, corrupt("JSON state iam", "missing")
	}
	if err := json.Unmarshal(raw.IAM, &iam); err != nil {
		return nil, corrupt("JSON state iam", "%v", err)
	}
	acct, _ := json.Marshal(raw.AccountID)
	out := map[string]map[string][]byte{bucketMeta: {"format": []byte("2"), "account": acct}}
	for name, m := range map[string]map[string]json.RawMessage{"users": iam.Users, "roles": iam.Roles, "policies": iam.Policies, "accessKeys": iam.AccessKeys} {
		if m == nil {
			return nil, corrupt("JSON state iam."+name, "missing")
		}
	}
	add := func(bucket string, m map[string]json.RawMessage) {
		kv := map[string][]byte{}
		for k, v := range m {
			kv[k] = v
		}
		out[bucket] = kv
	}
	add(bucketUsers, iam.Users)
	add(bucketRoles, iam.Roles)
	add(bucketPolicies, iam.Policies)
	add(bucketAccessKeys, iam.AccessKeys)
	add(bucketSessions, iam.Sessions)
	add(bucketGroups, iam.Groups)
	if iam.Profiles != nil {
		add(bucketProfiles, iam.Profiles)
	}
	for name, r := range raw.Regions {
		if r == nil {
			return nil, corrupt("JSON state region "+name, "value is null")
		}
		add(regionBucket(name, familyInstances), r.Instances)
		add(regionBucket(name, familyDocuments), r.Documents)
		if r.Parameters != nil {
			add(regionBucket(name, familyParameters), r.Parameters)
		}
		for f, m := range map[string]map[string]json.RawMessage{familyImages: r.Images, familySnapshots: r.Snapshots, familyVolumes: r.Volumes} {
			if m != nil {
				add(regionBucket(name, f), m)
			}
		}
		ex := map[string][]byte{}
		if len(r.Executions) > 0 {
			// Executions were kept as the engine's snapshot, base64 in JSON.
			var blob []byte
			if err := json.Unmarshal(r.Executions, &blob); err != nil {
				return nil, corrupt("JSON state region "+name+" executions", "%v", err)
			}
			var snap struct {
				Version    int               `json:"version"`
				Executions []json.RawMessage `json:"executions"`
			}
			if len(blob) > 0 {
				if err := json.Unmarshal(blob, &snap); err != nil {
					return nil, corrupt("JSON state region "+name+" executions", "%v", err)
				}
				if snap.Version != 1 {
					return nil, corrupt("JSON state region "+name+" executions", "version %d is not supported", snap.Version)
				}
			}
			for i, e := range snap.Executions {
				var id struct {
					Record struct {
						ID string `json:"id"`
					} `json:"record"`
				}
				if err := json.Unmarshal(e, &id); err != nil || id.Record.ID == "" {
					return nil, corrupt(fmt.Sprintf("JSON state region %s execution %d", name, i), "no execution id")
				}
				ex[id.Record.ID] = e
			}
		}
		out[regionBucket(name, familyExecutions)] = ex
	}
	return out, nil
}

// migrate turns the JSON state file at path into a store. The JSON file is
// kept beside it (path + ".format1.json"); the store replaces it with a
// rename, so a crash leaves either the JSON file or the complete store.
func migrate(path, account string, regions []string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("ssmlocal: read state: %w", err)
	}
	data, err := jsonBuckets(raw)
	if err != nil {
		return fmt.Errorf("%w (state file %s)", err, path)
	}
	if _, err := decodeStore(data, account, regions); err != nil {
		return fmt.Errorf("%w (state file %s)", err, path)
	}
	tmp := path + ".migrating"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ssmlocal: migrate state: %w", err)
	}
	st, err := openStore(tmp)
	if err != nil {
		return fmt.Errorf("ssmlocal: migrate state: %w", err)
	}
	var changes []change
	var buckets []string
	for _, b := range slices.Sorted(maps.Keys(data)) {
		buckets = append(buckets, b)
		for _, k := range slices.Sorted(maps.Keys(data[b])) {
			changes = append(changes, change{b, k, data[b][k]})
		}
	}
	err = st.commit(buckets, changes)
	if e := st.close(); err == nil {
		err = e
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("ssmlocal: migrate state: %w", err)
	}
	backup := path + ".format1.json"
	if err := os.Remove(backup); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ssmlocal: migrate state: %w", err)
	}
	if err := os.Link(path, backup); err != nil {
		return fmt.Errorf("ssmlocal: migrate state: keep the JSON state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("ssmlocal: migrate state: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// applyState installs a loaded state; New calls it before the engines
// start.
func (s *Server) applyState(st *loadedState) {
	s.mu.Lock()
	s.iam = st.iam
	s.restoredExecutions = map[string][]byte{}
	for name, rs := range st.regions {
		r := s.regions[name]
		for id, i := range rs.Instances {
			r.Instances[id] = i
		}
		for n, d := range rs.Documents {
			r.Documents[n] = d
		}
		for n, p := range rs.Parameters {
			r.Parameters[n] = p
		}
		maps.Copy(r.Images, rs.Images)
		maps.Copy(r.Snapshots, rs.Snapshots)
		maps.Copy(r.Volumes, rs.Volumes)
		s.restoredExecutions[name] = rs.Executions
	}
	s.mu.Unlock()
}

// SaveState writes a snapshot of the endpoint's state to path as JSON
// (format 1), atomically: for people to read, and for moving state. An
// endpoint whose Options.StateFile names such a file imports it at start.
func (s *Server) SaveState(path string) error {
	st := jsonState{Format: jsonFormat, AccountID: s.opts.AccountID, Saved: s.clock.Now().UTC(), Regions: map[string]*regionState{}}
	for name, r := range s.regions {
		if r.engine == nil {
			continue
		}
		ex, err := r.engine.Snapshot()
		if err != nil {
			return fmt.Errorf("ssmlocal: snapshot executions: %w", err)
		}
		st.Regions[name] = &regionState{Executions: nil}
		b, err := json.Marshal(ex) // base64, as format 1 kept it
		if err != nil {
			return fmt.Errorf("ssmlocal: snapshot executions: %w", err)
		}
		st.Regions[name].Executions = b
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
		rs.Parameters = r.Parameters
		rs.Images, rs.Snapshots, rs.Volumes = r.Images, r.Snapshots, r.Volumes
		rs.Documents = map[string]*ssmDocument{}
		for n, d := range r.Documents {
			if !d.awsOwned() {
				rs.Documents[n] = d
			}
		}
	}
	data, err := json.MarshalIndent(st, "", "  ")
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("ssmlocal: encode state: %w", err)
	}
	return writeFileAtomic(path, data)
}

// writeFileAtomic writes data to path through a synced temporary file and
// a rename, so a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("ssmlocal: write state: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if e := tmp.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("ssmlocal: write state: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// openDurable opens the store and installs the state it holds.
func (s *Server) openDurable(path string) error {
	st, loaded, data, err := openState(path, s.opts.AccountID, s.opts.Regions)
	if err != nil {
		return err
	}
	if loaded != nil {
		s.applyState(loaded)
		if err := s.bootstrap(); err != nil {
			_ = st.close()
			return err
		}
	}
	s.dur = &durable{s: s, st: st, last: data, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go s.dur.run()
	return nil
}

// closeDurable writes the last changes and closes the store.
func (s *Server) closeDurable() error {
	if s.dur == nil {
		return nil
	}
	return s.dur.close()
}
