package ssmlocal

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds of a stubs file.
const (
	maxStubFileBytes = 1 << 20
	maxStubEntries   = 1000
	maxStubReplies   = 1000
	maxStubDepth     = 32
)

// StubFile is a stubs file as ParseStubFile reads it: see "Stubs" in the
// package documentation for the format.
type StubFile struct {
	Stubs []StubEntry `json:"stubs"`
}

// StubEntry is one stub of a file: an operation, an optional input match,
// its replies in order (the last repeating) and optionally the IAM actions
// it is authorized as.
type StubEntry struct {
	Service   string         `json:"service"`
	Operation string         `json:"operation"`
	Match     map[string]any `json:"match,omitempty"`
	Replies   []StubReply    `json:"replies"`
	Actions   []string       `json:"actions,omitempty"`
}

// StubReply is a response document or an AWS error.
type StubReply struct {
	Response map[string]any    `json:"response,omitempty"`
	Error    *StubFileAWSError `json:"error,omitempty"`
}

// StubFileAWSError is the error form of a reply.
type StubFileAWSError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Status is the HTTP status over the wire; 400 when zero.
	Status int `json:"status,omitempty"`
}

// StubFileError is a problem in a stubs file, at a path such as
// "stubs[2].responses[0]" and its line. It matches ErrInvalidStub.
type StubFileError struct {
	Path string
	Line int
	Msg  string
}

func (e *StubFileError) Error() string {
	var b strings.Builder
	b.WriteString("stubs file")
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	if e.Line > 0 {
		b.WriteString(" (line " + strconv.Itoa(e.Line) + ")")
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Is makes a StubFileError match ErrInvalidStub.
func (e *StubFileError) Is(target error) bool { return target == ErrInvalidStub }

// LoadStubs reads a stubs file (YAML or JSON) into a registry.
func LoadStubs(path string) (*StubRegistry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStubFileBytes+1))
	if err != nil {
		return nil, err
	}
	sf, err := ParseStubFile(data)
	if err != nil {
		return nil, err
	}
	return sf.Registry()
}

// Registry returns a new registry holding the file's stubs, in file order.
func (f *StubFile) Registry() (*StubRegistry, error) {
	r := NewStubRegistry()
	for i, e := range f.Stubs {
		steps := make([]Stub, 0, len(e.Replies))
		for _, rep := range e.Replies {
			if rep.Error != nil {
				steps = append(steps, errorStub{err: &APIError{Code: rep.Error.Code, Message: rep.Error.Message, Status: rep.Error.Status}})
			} else {
				steps = append(steps, StubResponse(rep.Response))
			}
		}
		var st Stub
		switch len(steps) {
		case 0:
			return nil, &StubFileError{Path: fmt.Sprintf("stubs[%d]", i), Msg: "no response"}
		case 1:
			st = steps[0]
		default:
			st = StubSequence(steps...)
		}
		if e.Match != nil {
			st = StubMatching(e.Match, st)
		}
		if err := r.Add(e.Service, e.Operation, st); err != nil {
			return nil, &StubFileError{Path: fmt.Sprintf("stubs[%d]", i), Msg: err.Error()}
		}
		if len(e.Actions) > 0 {
			if err := r.SetActions(e.Service, e.Operation, e.Actions...); err != nil {
				return nil, &StubFileError{Path: fmt.Sprintf("stubs[%d].actions", i), Msg: err.Error()}
			}
		}
	}
	return r, nil
}

// ParseStubFile reads a stubs file, YAML or JSON, strictly: unknown keys,
// missing or conflicting members, anchors and aliases are errors with
// their path; the file is at most 1 MiB, with at most 1000 stubs of at
// most 1000 replies, nested at most 32 deep.
func ParseStubFile(data []byte) (*StubFile, error) {
	if len(data) > maxStubFileBytes {
		return nil, &StubFileError{Msg: fmt.Sprintf("the file is larger than %d bytes", maxStubFileBytes)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &StubFileError{Msg: clipTo(err.Error(), maxMessage)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &StubFileError{Msg: "the file is empty; want {stubs: [...]}"}
	}
	root := doc.Content[0]
	top, err := fields(root, "", []string{"stubs"})
	if err != nil {
		return nil, err
	}
	list := top["stubs"]
	if list == nil {
		return nil, &StubFileError{Line: root.Line, Msg: "missing key stubs"}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, nodeErr(list, "stubs", "want a list of stubs")
	}
	if len(list.Content) > maxStubEntries {
		return nil, nodeErr(list, "stubs", fmt.Sprintf("more than %d stubs", maxStubEntries))
	}
	f := &StubFile{Stubs: make([]StubEntry, 0, len(list.Content))}
	for i, n := range list.Content {
		e, err := stubEntry(n, fmt.Sprintf("stubs[%d]", i))
		if err != nil {
			return nil, err
		}
		f.Stubs = append(f.Stubs, e)
	}
	return f, nil
}

func nodeErr(n *yaml.Node, path, msg string) *StubFileError {
	return &StubFileError{Path: path, Line: n.Line, Msg: msg}
}

// fields reads a mapping of known keys, refusing unknown and repeated ones.
func fields(n *yaml.Node, path string, known []string) (map[string]*yaml.Node, error) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return nil, nodeErr(n, path, "anchors and aliases are not allowed")
	}
	if n.Kind != yaml.MappingNode {
		return nil, nodeErr(n, path, "want a mapping")
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		key := k.Value
		p := joinPath(path, key)
		if k.Kind != yaml.ScalarNode {
			return nil, nodeErr(k, path, "keys must be strings")
		}
		if !containsString(known, key) {
			return nil, nodeErr(k, p, "unknown key; want one of "+strings.Join(known, ", "))
		}
		if _, dup := out[key]; dup {
			return nil, nodeErr(k, p, "repeated key")
		}
		out[key] = n.Content[i+1]
	}
	return out, nil
}

func joinPath(path, key string) string {
	if path == "" {
		return clip(key)
	}
	return path + "." + clip(key)
}

func scalarString(n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", nodeErr(n, path, "want a string")
	}
	if strings.TrimSpace(n.Value) == "" {
		return "", nodeErr(n, path, "must not be empty")
	}
	return n.Value, nil
}

func stubEntry(n *yaml.Node, path string) (StubEntry, error) {
	var e StubEntry
	m, err := fields(n, path, []string{"service", "operation", "match", "response", "responses", "error", "actions"})
	if err != nil {
		return e, err
	}
	if e.Service, e.Operation, err = stubTarget(n, m, path); err != nil {
		return e, err
	}
	if v := m["match"]; v != nil {
		if e.Match, err = yamlObject(v, path+".match"); err != nil {
			return e, err
		}
	}
	if e.Replies, err = stubReplies(n, m, path); err != nil {
		return e, err
	}
	if v := m["actions"]; v != nil {
		if e.Actions, err = stubActions(v, path+".actions"); err != nil {
			return e, err
		}
	}
	return e, nil
}

// stubTarget reads an entry's service and operation, both required.
func stubTarget(n *yaml.Node, m map[string]*yaml.Node, path string) (service, operation string, err error) {
	var vals [2]string
	for i, k := range []string{"service", "operation"} {
		v := m[k]
		if v == nil {
			return "", "", nodeErr(n, path, "missing key "+k)
		}
		if vals[i], err = scalarString(v, path+"."+k); err != nil {
			return "", "", err
		}
	}
	if err := checkStubName(vals[0], vals[1]); err != nil {
		return "", "", nodeErr(n, path, strings.TrimPrefix(err.Error(), ErrInvalidStub.Error()+": "))
	}
	return vals[0], vals[1], nil
}

// stubReplies reads the one of response, responses and error an entry
// has.
func stubReplies(n *yaml.Node, m map[string]*yaml.Node, path string) ([]StubReply, error) {
	forms := 0
	for _, k := range []string{"response", "responses", "error"} {
		if m[k] != nil {
			forms++
		}
	}
	if forms != 1 {
		return nil, nodeErr(n, path, "want exactly one of response, responses and error")
	}
	switch {
	case m["response"] != nil:
		doc, err := yamlObject(m["response"], path+".response")
		if err != nil {
			return nil, err
		}
		return []StubReply{{Response: doc}}, nil
	case m["error"] != nil:
		ae, err := awsError(m["error"], path+".error")
		if err != nil {
			return nil, err
		}
		return []StubReply{{Error: ae}}, nil
	}
	return stubReplyList(m["responses"], path+".responses")
}

// stubReplyList reads responses: a list of responses and errors, in order.
func stubReplyList(list *yaml.Node, p string) ([]StubReply, error) {
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, nodeErr(list, p, "want a non-empty list of responses")
	}
	if len(list.Content) > maxStubReplies {
		return nil, nodeErr(list, p, fmt.Sprintf("more than %d responses", maxStubReplies))
	}
	var out []StubReply
	for i, it := range list.Content {
		ip := fmt.Sprintf("%s[%d]", p, i)
		if it.Kind == yaml.MappingNode && len(it.Content) == 2 && it.Content[0].Value == "error" {
			ae, err := awsError(it.Content[1], ip+".error")
			if err != nil {
				return nil, err
			}
			out = append(out, StubReply{Error: ae})
			continue
		}
		doc, err := yamlObject(it, ip)
		if err != nil {
			return nil, err
		}
		out = append(out, StubReply{Response: doc})
	}
	return out, nil
}

// stubActions reads actions: a non-empty list of IAM actions.
func stubActions(v *yaml.Node, path string) ([]string, error) {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		return nil, nodeErr(v, path, "want a non-empty list of IAM actions")
	}
	var out []string
	for i, a := range v.Content {
		ap := fmt.Sprintf("%s[%d]", path, i)
		s, err := scalarString(a, ap)
		if err != nil {
			return nil, err
		}
		if p, name, ok := strings.Cut(s, ":"); !ok || p == "" || name == "" || strings.ContainsAny(s, " \t") {
			return nil, nodeErr(a, ap, fmt.Sprintf("%q is not an IAM action (prefix:Action)", clip(s)))
		}
		out = append(out, s)
	}
	return out, nil
}

func awsError(n *yaml.Node, path string) (*StubFileAWSError, error) {
	m, err := fields(n, path, []string{"code", "message", "status"})
	if err != nil {
		return nil, err
	}
	if m["code"] == nil {
		return nil, nodeErr(n, path, "missing key code")
	}
	code, err := scalarString(m["code"], path+".code")
	if err != nil {
		return nil, err
	}
	out := &StubFileAWSError{Code: code}
	if v := m["message"]; v != nil {
		if v.Kind != yaml.ScalarNode {
			return nil, nodeErr(v, path+".message", "want a string")
		}
		out.Message = v.Value
	}
	if v := m["status"]; v != nil {
		st, err := strconv.Atoi(v.Value)
		if v.Kind != yaml.ScalarNode || err != nil || st < 400 || st > 599 {
			return nil, nodeErr(v, path+".status", "want an HTTP error status, 400 to 599")
		}
		out.Status = st
	}
	return out, nil
}

// yamlObject converts a mapping node to a JSON-shaped document.
func yamlObject(n *yaml.Node, path string) (map[string]any, error) {
	if n.Kind != yaml.MappingNode {
		return nil, nodeErr(n, path, "want a mapping (a JSON object)")
	}
	v, err := jsonValue(n, path, 1)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// jsonValue converts a node to the value encoding/json would decode from
// the same JSON, refusing aliases and nesting deeper than maxStubDepth.
func jsonValue(n *yaml.Node, path string, depth int) (any, error) {
	if depth > maxStubDepth {
		return nil, nodeErr(n, path, fmt.Sprintf("nested deeper than %d levels", maxStubDepth))
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return nil, nodeErr(n, path, "anchors and aliases are not allowed")
	}
	switch n.Kind {
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, nodeErr(k, path, "keys must be strings")
			}
			p := joinPath(path, k.Value)
			if _, dup := out[k.Value]; dup {
				return nil, nodeErr(k, p, "repeated key")
			}
			v, err := jsonValue(n.Content[i+1], p, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, it := range n.Content {
			v, err := jsonValue(it, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!timestamp", "!!binary":
			return n.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, nodeErr(n, path, err.Error())
			}
			return b, nil
		case "!!int", "!!float":
			var f float64
			if err := json.Unmarshal([]byte(n.Value), &f); err != nil {
				if err := n.Decode(&f); err != nil || f != f || f > 1e308 || f < -1e308 {
					return nil, nodeErr(n, path, fmt.Sprintf("%q is not a JSON number", clip(n.Value)))
				}
			}
			return f, nil
		}
		return nil, nodeErr(n, path, fmt.Sprintf("unsupported tag %s", clip(n.Tag)))
	}
	return nil, nodeErr(n, path, "unsupported YAML node")
}
