package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Values inside the engine are JSON-shaped: string, json.Number, bool, nil,
// []any and map[string]any. A whole-value reference keeps the referenced
// value's shape, so a StringList parameter fills a list input.

// runState is a running execution's working state. It is saved in
// snapshots so a restored execution resumes where it was.
type runState struct {
	Params map[string]any            `json:"params,omitempty"`
	Values map[string]map[string]any `json:"values,omitempty"`
	Vars   map[string]any            `json:"vars,omitempty"`
	// Next is the main step to run next; empty before the first step.
	Next string `json:"next,omitempty"`
	// Failed records a critical step that failed without ending the run,
	// which makes the run end Failed.
	Failed string `json:"failed,omitempty"`
	// Attempt counts the current step's attempts, so a restored execution
	// does not retry past maxAttempts.
	Attempt int `json:"attempt,omitempty"`
	// AttemptStart is when the current attempt began: a restored sleep or
	// timeout keeps counting from it.
	AttemptStart time.Time `json:"attemptStart,omitzero"`
	// Last is the outcome of the last main step that ended, so a restore
	// that finds Next already ended moves on instead of running it again.
	Last *lastStep `json:"last,omitempty"`
}

type lastStep struct {
	Name   string                          `json:"name"`
	Status types.AutomationExecutionStatus `json:"status"`
	Msg    string                          `json:"msg,omitempty"`
	Branch string                          `json:"branch,omitempty"`
}

func newRunState(params map[string]any, doc *runbook.Document) *runState {
	st := &runState{Params: params, Values: map[string]map[string]any{}}
	for _, v := range doc.Variables {
		if st.Vars == nil {
			st.Vars = map[string]any{}
		}
		if !v.Default.IsZero() {
			st.Vars[v.Name] = decodeValue(v.Default)
		} else {
			st.Vars[v.Name] = nil
		}
	}
	return st
}

// decodeValue turns a document value into its JSON shape.
func decodeValue(v runbook.Value) any {
	if v.IsZero() {
		return nil
	}
	return decodeJSON(v.JSON())
}

func decodeJSON(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var a any
	if dec.Decode(&a) != nil {
		return nil
	}
	return a
}

// encodeJSON encodes a value compactly without HTML escaping.
func encodeJSON(a any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return fmt.Sprint(a)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// text renders a value the way it reads inside a string: strings as they
// are, numbers and booleans as their literals, containers as JSON.
func text(a any) string {
	switch t := a.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return ""
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return encodeJSON(a)
}

// strings reports a value as the API's []string: a list item by item, any
// other value as one item.
func textList(a any) []string {
	switch t := a.(type) {
	case []any:
		out := make([]string, len(t))
		for i, it := range t {
			out[i] = text(it)
		}
		return out
	case []string:
		return append([]string(nil), t...)
	case nil:
		return []string{}
	}
	return []string{text(a)}
}

func reportValues(m map[string]any) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = textList(v)
	}
	return out
}

// resolver evaluates {{ }} references against an execution's state.
type resolver struct {
	params  map[string]any
	values  map[string]map[string]any
	vars    map[string]any
	globals func(name string) (string, bool)
	execID  string
}

func (r resolver) resolve(v runbook.Value) (any, error) {
	return r.resolveAny(decodeValue(v))
}

func (r resolver) resolveAny(a any) (any, error) {
	switch t := a.(type) {
	case string:
		return r.resolveString(t)
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			v, err := r.resolveAny(it)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, it := range t {
			v, err := r.resolveAny(it)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return a, nil
}

func (r resolver) resolveString(s string) (any, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	if ref, ok := runbook.WholeReference(s); ok {
		return r.lookup(ref)
	}
	refs := runbook.ParseReferences(s)
	var b strings.Builder
	rest := s
	for _, ref := range refs {
		i := strings.Index(rest, ref.Text)
		if i < 0 {
			continue
		}
		v, err := r.lookup(ref)
		if err != nil {
			return nil, err
		}
		b.WriteString(rest[:i])
		b.WriteString(text(v))
		rest = rest[i+len(ref.Text):]
	}
	b.WriteString(rest)
	return b.String(), nil
}

func (r resolver) lookup(ref runbook.Reference) (any, error) {
	switch ref.Kind {
	case runbook.RefParameter:
		if v, ok := r.params[ref.Name]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("reference %s: no parameter %q", ref.Text, ref.Name)
	case runbook.RefStepOutput:
		outs, ok := r.values[ref.Name]
		if !ok {
			return nil, fmt.Errorf("reference %s: step %q has not run or produced no outputs", ref.Text, ref.Name)
		}
		v, ok := outs[ref.Output]
		if !ok {
			return nil, fmt.Errorf("reference %s: step %q has no output %q", ref.Text, ref.Name, ref.Output)
		}
		return v, nil
	case runbook.RefGlobal:
		if v, ok := r.globals(ref.Name); ok {
			return v, nil
		}
		return nil, fmt.Errorf("reference %s: unknown global variable %q", ref.Text, ref.Name)
	case runbook.RefAutomation:
		if ref.Name == runbook.AutomationExecutionID {
			return r.execID, nil
		}
		return nil, fmt.Errorf("reference %s: unknown automation variable %q", ref.Text, ref.Name)
	case runbook.RefVariable:
		if v, ok := r.vars[ref.Name]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("reference %s: no variable %q is declared", ref.Text, ref.Name)
	case runbook.RefSSMParameter:
		return nil, fmt.Errorf("reference %s: Parameter Store references are resolved in parameter defaults only", ref.Text)
	}
	return nil, fmt.Errorf("%s is not a valid reference", ref.Text)
}

// Typed accessors of resolved inputs.

func asString(a any) (string, bool) {
	switch t := a.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func asStrings(a any) ([]string, bool) {
	switch t := a.(type) {
	case []any:
		out := make([]string, len(t))
		for i, it := range t {
			s, ok := asString(it)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	case []string:
		return t, true
	case string:
		// A list given as a JSON text, as a String parameter may carry it.
		if strings.HasPrefix(strings.TrimSpace(t), "[") {
			if l, ok := decodeJSON([]byte(t)).([]any); ok {
				return asStrings(l)
			}
		}
		return []string{t}, true
	}
	return nil, false
}

func asInt(a any) (int64, bool) {
	switch t := a.(type) {
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, true
		}
		f, err := t.Float64()
		if err == nil && f == float64(int64(f)) {
			return int64(f), true
		}
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		return n, err == nil
	case int:
		return int64(t), true
	case int64:
		return t, true
	case float64:
		if t == float64(int64(t)) {
			return int64(t), true
		}
	}
	return 0, false
}

func asFloat(a any) (float64, bool) {
	switch t := a.(type) {
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	n, ok := asInt(a)
	return float64(n), ok
}

func asBool(a any) (bool, bool) {
	switch t := a.(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
