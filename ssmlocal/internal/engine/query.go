package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Page sizes of the list operations.
const (
	defaultDescribeResults = 50
	maxDescribeResults     = 50
	defaultStepResults     = 50
	maxStepResults         = 50
	maxFilterValues        = 10
)

// parseFilterTime reads a StartTimeBefore/StartTimeAfter value.
func parseFilterTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(n)
		return time.Unix(sec, int64((n-float64(sec))*1e9)), true
	}
	return time.Time{}, false
}

type execFilter func(r *record) bool

// knownStatuses rejects a status filter naming no status, as AWS does with
// InvalidFilterValue rather than matching nothing.
func knownStatuses[K ~string](key K, vals []string) error {
	for _, v := range vals {
		if !slices.Contains(types.AutomationExecutionStatus("").Values(), types.AutomationExecutionStatus(v)) {
			return &types.InvalidFilterValue{Message: aws.String(fmt.Sprintf("filter %s: %q is not an automation status", key, v))}
		}
	}
	return nil
}

// emptyValue reports whether a filter has an empty value, which AWS
// rejects (each value is 1 to 150 characters).
func emptyValue(vals []string) bool {
	return slices.Contains(vals, "")
}

func describeFilter(filters []types.AutomationExecutionFilter) ([]execFilter, error) {
	var out []execFilter
	for _, f := range filters {
		if len(f.Values) == 0 || len(f.Values) > maxFilterValues || emptyValue(f.Values) {
			return nil, &types.InvalidFilterValue{Message: aws.String(fmt.Sprintf("filter %s takes 1 to %d non-empty values", f.Key, maxFilterValues))}
		}
		match, err := executionFilter(f)
		if err != nil {
			return nil, err
		}
		out = append(out, match)
	}
	return out, nil
}

// executionFilter returns the match of one automation execution filter,
// checking its values.
func executionFilter(f types.AutomationExecutionFilter) (execFilter, error) {
	vals := f.Values
	in := func(s string) bool { return slices.Contains(vals, s) }
	switch f.Key {
	case types.AutomationExecutionFilterKeyExecutionId:
		return func(r *record) bool { return in(r.ID) }, nil
	case types.AutomationExecutionFilterKeyExecutionStatus:
		if err := knownStatuses(f.Key, vals); err != nil {
			return nil, err
		}
		return func(r *record) bool { return in(string(r.Status)) }, nil
	case types.AutomationExecutionFilterKeyDocumentNamePrefix:
		return matchDocumentPrefix(vals), nil
	case types.AutomationExecutionFilterKeyParentExecutionId:
		return func(r *record) bool { return in(r.ParentID) }, nil
	case types.AutomationExecutionFilterKeyCurrentAction:
		return func(r *record) bool { return in(r.CurrentAction) }, nil
	case types.AutomationExecutionFilterKeyStartTimeBefore, types.AutomationExecutionFilterKeyStartTimeAfter:
		t, ok := parseFilterTime(vals[0])
		if !ok {
			return nil, &types.InvalidFilterValue{Message: aws.String(fmt.Sprintf("filter %s: %q is not a time", f.Key, vals[0]))}
		}
		if f.Key == types.AutomationExecutionFilterKeyStartTimeBefore {
			return func(r *record) bool { return r.Start.Before(t) }, nil
		}
		return func(r *record) bool { return !r.Start.Before(t) }, nil
	case types.AutomationExecutionFilterKeyAutomationType:
		for _, v := range vals {
			if v != string(types.AutomationTypeLocal) && v != string(types.AutomationTypeCrossAccount) {
				return nil, &types.InvalidFilterValue{Message: aws.String(fmt.Sprintf("filter AutomationType: %q is not one of CrossAccount, Local", v))}
			}
		}
		return func(r *record) bool { return in(string(r.automationType())) }, nil
	case types.AutomationExecutionFilterKeyTagKey:
		return matchTagKey(in), nil
	case types.AutomationExecutionFilterKeyTargetResourceGroup:
		return matchResourceGroup(in), nil
	case types.AutomationExecutionFilterKeyAutomationSubtype:
		// Change requests are not simulated: no execution has a subtype.
		return func(*record) bool { return false }, nil
	case types.AutomationExecutionFilterKeyOpsItemId:
		// OpsCenter is not simulated: no execution has an OpsItem.
		return func(*record) bool { return false }, nil
	default:
		return nil, &types.InvalidFilterKey{Message: aws.String(fmt.Sprintf("filter key %q is not valid", f.Key))}
	}
}

// matchDocumentPrefix matches executions of a document whose name starts
// with one of prefixes.
func matchDocumentPrefix(prefixes []string) execFilter {
	return func(r *record) bool {
		for _, v := range prefixes {
			if strings.HasPrefix(r.DocumentName, v) {
				return true
			}
		}
		return false
	}
}

// matchTagKey matches executions with a tag whose key is in.
func matchTagKey(in func(string) bool) execFilter {
	return func(r *record) bool {
		for _, t := range r.Tags {
			if in(aws.ToString(t.Key)) {
				return true
			}
		}
		return false
	}
}

// matchResourceGroup matches executions targeting a resource group in.
func matchResourceGroup(in func(string) bool) execFilter {
	return func(r *record) bool {
		for _, t := range r.Targets {
			if aws.ToString(t.Key) == "ResourceGroup" {
				for _, v := range t.Values {
					if in(v) {
						return true
					}
				}
			}
		}
		return false
	}
}

type pageKey struct {
	Start int64  `json:"s"`
	Seq   uint64 `json:"q"`
}

func encodeToken(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	if err != nil {
		return &types.InvalidNextToken{Message: aws.String("the next token is not valid")}
	}
	return nil
}

// Describe lists executions matching every filter, newest first.
func (e *Engine) Describe(filters []types.AutomationExecutionFilter, maxResults int32, nextToken string) ([]types.AutomationExecutionMetadata, string, error) {
	fs, err := describeFilter(filters)
	if err != nil {
		return nil, "", err
	}
	n := int(maxResults)
	if n <= 0 {
		n = defaultDescribeResults
	}
	if n > maxDescribeResults {
		return nil, "", validationErr(fmt.Sprintf("MaxResults %d is more than %d", maxResults, maxDescribeResults))
	}
	var after *pageKey
	if nextToken != "" {
		after = new(pageKey)
		if err := decodeToken(nextToken, after); err != nil {
			return nil, "", err
		}
	}
	e.mu.RLock()
	all := make([]*execution, 0, len(e.execs))
	for _, x := range e.execs {
		all = append(all, x)
	}
	e.mu.RUnlock()
	type item struct {
		key pageKey
		x   *execution
	}
	var items []item
	for _, x := range all {
		x.mu.Lock()
		ok := true
		for _, f := range fs {
			if !f(&x.rec) {
				ok = false
				break
			}
		}
		key := pageKey{Start: x.rec.Start.UnixNano(), Seq: x.rec.Seq}
		if ok && after != nil && !less(key, *after) {
			ok = false
		}
		if ok {
			items = append(items, item{key: key, x: x})
		}
		x.mu.Unlock()
	}
	slices.SortFunc(items, func(a, b item) int {
		if less(a.key, b.key) {
			return 1
		}
		if less(b.key, a.key) {
			return -1
		}
		return 0
	})
	token := ""
	if len(items) > n {
		items = items[:n]
		token = encodeToken(items[n-1].key)
	}
	// Only the page is rendered; an execution that changed since it was
	// matched is reported as it is now.
	out := make([]types.AutomationExecutionMetadata, len(items))
	for i, it := range items {
		it.x.mu.Lock()
		out[i] = it.x.rec.metadata()
		it.x.mu.Unlock()
	}
	return out, token, nil
}

// less orders page keys oldest first.
func less(a, b pageKey) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return a.Seq < b.Seq
}

type stepToken struct {
	Offset int `json:"o"`
}

// stepFilter returns the match of one step execution filter, checking its
// values.
func stepFilter(f types.StepExecutionFilter) (func(*stepRecord) bool, error) {
	vals := f.Values
	in := func(s string) bool { return slices.Contains(vals, s) }
	switch f.Key {
	case types.StepExecutionFilterKeyStepExecutionStatus:
		if err := knownStatuses(f.Key, vals); err != nil {
			return nil, err
		}
		return func(s *stepRecord) bool { return in(string(s.Status)) }, nil
	case types.StepExecutionFilterKeyStepExecutionId:
		return func(s *stepRecord) bool { return in(s.ID) }, nil
	case types.StepExecutionFilterKeyStepName:
		return func(s *stepRecord) bool { return in(s.Name) }, nil
	case types.StepExecutionFilterKeyAction:
		return func(s *stepRecord) bool { return in(s.Action) }, nil
	case types.StepExecutionFilterKeyParentStepExecutionId:
		return func(s *stepRecord) bool { return s.Parent != nil && in(s.Parent.ID) }, nil
	case types.StepExecutionFilterKeyParentStepIteration:
		for _, v := range vals {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return nil, &types.InvalidFilterValue{Message: aws.String(fmt.Sprintf("filter %s: %q is not an iteration number", f.Key, v))}
			}
		}
		return func(s *stepRecord) bool { return s.Parent != nil && in(strconv.Itoa(int(s.Parent.Iteration))) }, nil
	case types.StepExecutionFilterKeyParentStepIteratorValue:
		return func(s *stepRecord) bool { return s.Parent != nil && in(s.Parent.IteratorValue) }, nil
	case types.StepExecutionFilterKeyStartTimeBefore, types.StepExecutionFilterKeyStartTimeAfter:
		t, ok := parseFilterTime(vals[0])
		if !ok {
			return nil, &types.InvalidFilterValue{Message: aws.String(fmt.Sprintf("filter %s: %q is not a time", f.Key, vals[0]))}
		}
		if f.Key == types.StepExecutionFilterKeyStartTimeBefore {
			return func(s *stepRecord) bool { return !s.Start.IsZero() && s.Start.Before(t) }, nil
		}
		return func(s *stepRecord) bool { return !s.Start.IsZero() && !s.Start.Before(t) }, nil
	default:
		return nil, &types.InvalidFilterKey{Message: aws.String(fmt.Sprintf("filter key %q is not valid", f.Key))}
	}
}

// Steps lists an execution's step executions.
func (e *Engine) Steps(id string, filters []types.StepExecutionFilter, reverse bool, maxResults int32, nextToken string) ([]types.StepExecution, string, error) {
	x, err := e.lookup(id)
	if err != nil {
		return nil, "", err
	}
	n := int(maxResults)
	if n <= 0 {
		n = defaultStepResults
	}
	if n > maxStepResults {
		return nil, "", validationErr(fmt.Sprintf("MaxResults %d is more than %d", maxResults, maxStepResults))
	}
	var fs []func(*stepRecord) bool
	for _, f := range filters {
		if len(f.Values) == 0 || len(f.Values) > maxFilterValues || emptyValue(f.Values) {
			return nil, "", &types.InvalidFilterValue{Message: aws.String(fmt.Sprintf("filter %s takes 1 to %d non-empty values", f.Key, maxFilterValues))}
		}
		match, err := stepFilter(f)
		if err != nil {
			return nil, "", err
		}
		fs = append(fs, match)
	}
	offset := 0
	if nextToken != "" {
		var t stepToken
		if err := decodeToken(nextToken, &t); err != nil {
			return nil, "", err
		}
		offset = t.Offset
	}
	x.mu.Lock()
	var matched []types.StepExecution
	for i := range x.rec.Steps {
		s := x.rec.Steps[i]
		if reverse {
			s = x.rec.Steps[len(x.rec.Steps)-1-i]
		}
		ok := true
		for _, f := range fs {
			if !f(s) {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, s.sdk())
		}
	}
	x.mu.Unlock()
	if offset < 0 || offset > len(matched) {
		return nil, "", &types.InvalidNextToken{Message: aws.String("the next token is not valid")}
	}
	matched = matched[offset:]
	token := ""
	if len(matched) > n {
		matched = matched[:n]
		token = encodeToken(stepToken{Offset: offset + n})
	}
	return matched, token, nil
}

// snapshot is the format of Snapshot.
type snapshot struct {
	Version    int             `json:"version"`
	Executions []snapshotEntry `json:"executions"`
}

type snapshotEntry struct {
	Record record          `json:"record"`
	State  json.RawMessage `json:"state,omitempty"`
}

// Snapshot returns every execution's state, oldest first, for
// Options.State.
func (e *Engine) Snapshot() ([]byte, error) {
	all := e.all()
	s := snapshot{Version: 1, Executions: make([]snapshotEntry, 0, len(all))}
	for _, x := range all {
		ent, err := x.entry()
		if err != nil {
			return nil, err
		}
		s.Executions = append(s.Executions, ent)
	}
	slices.SortFunc(s.Executions, func(a, b snapshotEntry) int {
		switch {
		case a.Record.Seq < b.Record.Seq:
			return -1
		case a.Record.Seq > b.Record.Seq:
			return 1
		}
		return 0
	})
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("engine: snapshot: %w", err)
	}
	return b.Bytes(), nil
}

func (e *Engine) all() []*execution {
	e.mu.RLock()
	defer e.mu.RUnlock()
	all := make([]*execution, 0, len(e.execs))
	for _, x := range e.execs {
		all = append(all, x)
	}
	return all
}

// entry copies x for a snapshot.
func (x *execution) entry() (snapshotEntry, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	ent := snapshotEntry{Record: x.rec}
	// The copy is encoded after x.mu is released, while a cross-account
	// parent records its children: it needs its own slice of them.
	ent.Record.LocationChildren = slices.Clone(x.rec.LocationChildren)
	ent.Record.Steps = make([]*stepRecord, len(x.rec.Steps))
	for i, st := range x.rec.Steps {
		c := *st
		ent.Record.Steps[i] = &c
	}
	if x.st != nil {
		var err error
		if ent.State, err = json.Marshal(x.st); err != nil {
			return snapshotEntry{}, fmt.Errorf("engine: snapshot of %s: %w", ent.Record.ID, err)
		}
	}
	return ent, nil
}

// SnapshotEach returns each execution's state by execution id, so a store
// can keep one value per execution and rewrite only those that changed;
// [JoinSnapshot] turns the values back into Options.State.
func (e *Engine) SnapshotEach() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, x := range e.all() {
		x.mu.Lock()
		id, enc := x.rec.ID, x.enc
		x.mu.Unlock()
		if enc != nil {
			out[id] = enc
			continue
		}
		ent, err := x.entry()
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(ent)
		if err != nil {
			return nil, fmt.Errorf("engine: snapshot of %s: %w", ent.Record.ID, err)
		}
		out[ent.Record.ID] = b
		x.mu.Lock()
		// A finished execution no longer changes: encode it once.
		if terminal(ent.Record.Status) && x.st == nil && x.rt == nil && terminal(x.rec.Status) {
			x.enc = b
		}
		x.mu.Unlock()
	}
	return out, nil
}

// CheckEntry reports what is wrong with one value of SnapshotEach stored
// under id, without restoring it.
func CheckEntry(id string, b []byte) error {
	var ent snapshotEntry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&ent); err != nil {
		return fmt.Errorf("engine: execution cannot be read: %w", err)
	}
	if dec.More() {
		return errors.New("engine: execution is followed by more data")
	}
	if ent.Record.ID != id {
		return fmt.Errorf("engine: execution %q is stored under %q", ent.Record.ID, id)
	}
	if ent.Record.Status == "" {
		return errors.New("engine: execution has no status")
	}
	if len(ent.State) > 0 && !bytes.Equal(ent.State, []byte("null")) {
		if err := decodeState(ent.State, &runState{}); err != nil {
			return fmt.Errorf("engine: working state cannot be read: %w", err)
		}
	}
	return nil
}

// JoinSnapshot builds Options.State from values of SnapshotEach.
func JoinSnapshot(entries [][]byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"version":1,"executions":[`)
	for i, ent := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(ent)
	}
	b.WriteString("]}")
	return b.Bytes()
}

func decodeState(b []byte, st *runState) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(st)
}

// restore loads a snapshot and resumes the executions that were running.
func (e *Engine) restore(data []byte) error {
	var s snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("engine: state cannot be read: %w", err)
	}
	if s.Version != 1 {
		return fmt.Errorf("engine: state version %d is not supported", s.Version)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ent := range s.Executions {
		x := &execution{rec: ent.Record}
		x.rec.Steps = slices.DeleteFunc(x.rec.Steps, func(s *stepRecord) bool { return s == nil })
		if x.rec.ID == "" {
			return fmt.Errorf("engine: state holds an execution without an id")
		}
		e.execs[x.rec.ID] = x
		if x.rec.ClientToken != "" {
			e.tokens[tokenKey(x.rec.ClientToken)] = x.rec.ID
		}
		if x.rec.Seq > e.seq {
			e.seq = x.rec.Seq
		}
	}
	for _, ent := range s.Executions {
		x := e.execs[ent.Record.ID]
		if terminal(x.rec.Status) {
			continue
		}
		doc, _, err := e.document(x.rec.DocumentHash, x.rec.Content)
		if err != nil {
			x.rec.Status = types.AutomationExecutionStatusFailed
			x.rec.FailureMessage = "the execution could not resume after a restart: " + err.Error()
			x.rec.End = e.now()
			continue
		}
		x.st = &runState{}
		if len(ent.State) > 0 {
			if err := decodeState(ent.State, x.st); err != nil {
				return fmt.Errorf("engine: state of %s cannot be read: %w", x.rec.ID, err)
			}
		}
		if x.st.Values == nil {
			x.st.Values = map[string]map[string]any{}
		}
		if x.rec.Status == types.AutomationExecutionStatusCancelling {
			x.rec.Status = types.AutomationExecutionStatusCancelled
			x.rec.End = e.now()
			x.st = nil
			continue
		}
		e.launch(x, doc)
	}
	return nil
}
