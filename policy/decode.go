package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidPolicy is matched (errors.Is) by every decoding error.
var ErrInvalidPolicy = errors.New("invalid policy")

// DecodeError is a problem found while decoding a policy document: the wire
// path of the element (for example `Statement[1].Condition.StringEquals`),
// the byte offset just after the offending token, and what is wrong.
type DecodeError struct {
	Path   string
	Offset int64
	// Line and Column (1-based) locate Offset in the input.
	Line, Column int
	Msg          string
}

func (e *DecodeError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("policy: %s (line %d, column %d)", e.Msg, e.Line, e.Column)
	}
	return fmt.Sprintf("policy: %s: %s (line %d, column %d)", e.Path, e.Msg, e.Line, e.Column)
}

// locate fills Line and Column of a DecodeError from the input.
func locate(err error, data []byte) error {
	var de *DecodeError
	if errors.As(err, &de) {
		off := int(min(max(de.Offset, 0), int64(len(data))))
		de.Line = 1 + bytes.Count(data[:off], []byte{'\n'})
		de.Column = 1 + off - (bytes.LastIndexByte(data[:off], '\n') + 1)
	}
	return err
}

// Is makes every DecodeError match ErrInvalidPolicy.
func (e *DecodeError) Is(target error) bool { return target == ErrInvalidPolicy }

// node is a parsed JSON value that keeps object key order, duplicate keys
// and offsets, which encoding/json's generic decoding loses.
type node struct {
	kind   nodeKind
	text   string // string value or number literal
	b      bool
	keys   []string
	keyOff []int64 // offset just after each key
	vals   []*node
	offset int64
}

type nodeKind uint8

const (
	nodeNull nodeKind = iota
	nodeString
	nodeNumber
	nodeBool
	nodeObject
	nodeArray
)

func (k nodeKind) String() string {
	switch k {
	case nodeString:
		return "string"
	case nodeNumber:
		return "number"
	case nodeBool:
		return "boolean"
	case nodeObject:
		return "object"
	case nodeArray:
		return "array"
	}
	return "null"
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

// MaxDocumentLength is the longest document Parse reads, in characters: the
// IAM API's limit on a policy document parameter. Longer input is refused
// before any decoding work.
const MaxDocumentLength = 131072

func parseTree(data []byte, root string) (*node, error) {
	n, err := parseTreeAt(data, root)
	return n, locate(err, data)
}

func parseTreeAt(data []byte, root string) (*node, error) {
	// Each character is at most 4 bytes: only longer input needs counting.
	if len(data) > MaxDocumentLength && (len(data) > 4*MaxDocumentLength || utf8.RuneCount(data) > MaxDocumentLength) {
		return nil, &DecodeError{Path: root, Msg: fmt.Sprintf("document is longer than %d characters", MaxDocumentLength)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readNode(dec, root, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &DecodeError{Path: root, Offset: dec.InputOffset(), Msg: "unexpected data after the document"}
	}
	return n, nil
}

func syntaxErr(dec *json.Decoder, path string, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	var se *json.SyntaxError
	off := dec.InputOffset()
	if errors.As(err, &se) {
		off = se.Offset
	}
	return &DecodeError{Path: path, Offset: off, Msg: "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

func readNode(dec *json.Decoder, path string, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &DecodeError{Path: path, Offset: dec.InputOffset(), Msg: "nesting too deep"}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxErr(dec, path, err)
	}
	off := dec.InputOffset()
	switch t := tok.(type) {
	case nil:
		return &node{kind: nodeNull, offset: off}, nil
	case string:
		return &node{kind: nodeString, text: t, offset: off}, nil
	case json.Number:
		return &node{kind: nodeNumber, text: string(t), offset: off}, nil
	case bool:
		return &node{kind: nodeBool, b: t, offset: off}, nil
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: nodeObject, offset: off}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, syntaxErr(dec, path, err)
				}
				key, _ := kt.(string)
				keyEnd := dec.InputOffset()
				kp := childPath(path, key)
				for _, k := range n.keys {
					if k == key {
						return nil, &DecodeError{Path: kp, Offset: dec.InputOffset(), Msg: "duplicate key"}
					}
				}
				v, err := readNode(dec, kp, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.keyOff = append(n.keyOff, keyEnd)
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxErr(dec, path, err)
			}
			return n, nil
		case '[':
			n := &node{kind: nodeArray, offset: off}
			for i := 0; dec.More(); i++ {
				v, err := readNode(dec, indexPath(path, i), depth+1)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxErr(dec, path, err)
			}
			return n, nil
		}
	}
	return nil, &DecodeError{Path: path, Offset: off, Msg: fmt.Sprintf("unexpected token %v", tok)}
}

// childPath appends an object key to a wire path, quoting keys that are not
// plain identifiers (condition keys contain ':' and '/').
func childPath(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func typeErr(n *node, path, want string) error {
	return &DecodeError{Path: path, Offset: n.offset, Msg: fmt.Sprintf("want %s, got %s", want, n.kind)}
}

// Parse decodes a policy document strictly: unknown elements, wrong JSON
// types, duplicate keys, null values and an Effect other than Allow or Deny
// (case-sensitive, as in IAM) are errors naming the element's path. Input
// longer than MaxDocumentLength or nested deeper than 64 levels is refused. Whatever is accepted is kept: a
// round trip through JSON reproduces the same document.
func Parse(data []byte) (*Policy, error) {
	n, err := parseTree(data, "")
	if err != nil {
		return nil, err
	}
	p, err := policyFromNode(n, "")
	return p, locate(err, data)
}

func policyFromNode(n *node, path string) (*Policy, error) {
	if n.kind != nodeObject {
		return nil, typeErr(n, path, "an object")
	}
	p := &Policy{}
	for i, key := range n.keys {
		v := n.vals[i]
		kp := childPath(path, key)
		switch key {
		case "Version":
			if v.kind != nodeString {
				return nil, typeErr(v, kp, "a string")
			}
			p.Version = v.text
		case "Id":
			if v.kind != nodeString {
				return nil, typeErr(v, kp, "a string")
			}
			p.Id = v.text
		case "Statement":
			switch v.kind {
			case nodeObject:
				s, err := statementFromNode(v, kp)
				if err != nil {
					return nil, err
				}
				p.Statement = []Statement{s}
				p.singleStatement = true
			case nodeArray:
				p.Statement = make([]Statement, 0, len(v.vals))
				for j, sv := range v.vals {
					s, err := statementFromNode(sv, indexPath(kp, j))
					if err != nil {
						return nil, err
					}
					p.Statement = append(p.Statement, s)
				}
			default:
				return nil, typeErr(v, kp, "an object or a list of objects")
			}
		default:
			return nil, &DecodeError{Path: kp, Offset: n.keyOff[i], Msg: "unknown policy element (want Version, Id or Statement)"}
		}
	}
	return p, nil
}

func statementFromNode(n *node, path string) (Statement, error) {
	var s Statement
	if n.kind != nodeObject {
		return s, typeErr(n, path, "an object")
	}
	for i, key := range n.keys {
		v := n.vals[i]
		kp := childPath(path, key)
		var err error
		switch key {
		case "Sid":
			if v.kind != nodeString {
				return s, typeErr(v, kp, "a string")
			}
			s.Sid = v.text
		case "Effect":
			if v.kind != nodeString {
				return s, typeErr(v, kp, "a string")
			}
			if v.text != string(Allow) && v.text != string(Deny) {
				return s, &DecodeError{Path: kp, Offset: v.offset, Msg: fmt.Sprintf("effect %q is not Allow or Deny", v.text)}
			}
			s.Effect = Effect(v.text)
		case "Principal":
			s.Principal, err = principalFromNode(v, kp)
		case "NotPrincipal":
			s.NotPrincipal, err = principalFromNode(v, kp)
		case "Action":
			s.Action, err = stringsFromNode(v, kp)
		case "NotAction":
			s.NotAction, err = stringsFromNode(v, kp)
		case "Resource":
			s.Resource, err = stringsFromNode(v, kp)
		case "NotResource":
			s.NotResource, err = stringsFromNode(v, kp)
		case "Condition":
			s.Condition, err = conditionsFromNode(v, kp)
		default:
			return s, &DecodeError{Path: kp, Offset: n.keyOff[i], Msg: "unknown statement element (want Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource or Condition)"}
		}
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

func stringsFromNode(n *node, path string) (Strings, error) {
	switch n.kind {
	case nodeString:
		return Strings{Values: []string{n.text}, Scalar: true}, nil
	case nodeArray:
		out := Strings{Values: make([]string, 0, len(n.vals))}
		for i, v := range n.vals {
			if v.kind != nodeString {
				return Strings{}, typeErr(v, indexPath(path, i), "a string")
			}
			out.Values = append(out.Values, v.text)
		}
		return out, nil
	}
	return Strings{}, typeErr(n, path, "a string or a list of strings")
}

func principalFromNode(n *node, path string) (*Principal, error) {
	switch n.kind {
	case nodeString:
		if n.text != "*" {
			return nil, &DecodeError{Path: path, Offset: n.offset, Msg: fmt.Sprintf("a bare principal must be \"*\", got %q", n.text)}
		}
		return &Principal{Wildcard: true}, nil
	case nodeObject:
		p := &Principal{}
		for i, key := range n.keys {
			v := n.vals[i]
			kp := childPath(path, key)
			s, err := stringsFromNode(v, kp)
			if err != nil {
				return nil, err
			}
			switch key {
			case "AWS":
				p.AWS = s
			case "Service":
				p.Service = s
			case "Federated":
				p.Federated = s
			case "CanonicalUser":
				p.CanonicalUser = s
			default:
				return nil, &DecodeError{Path: kp, Offset: n.keyOff[i], Msg: "unknown principal type (want AWS, Service, Federated or CanonicalUser)"}
			}
		}
		return p, nil
	}
	return nil, typeErr(n, path, `"*" or an object`)
}

func conditionsFromNode(n *node, path string) (Conditions, error) {
	if n.kind != nodeObject {
		return nil, typeErr(n, path, "an object of condition operators")
	}
	out := make(Conditions, len(n.keys))
	for i, op := range n.keys {
		v := n.vals[i]
		op2 := childPath(path, op)
		if v.kind != nodeObject {
			return nil, typeErr(v, op2, "an object of condition keys")
		}
		keys := make(map[string]ConditionValues, len(v.keys))
		for j, key := range v.keys {
			cv, err := conditionValuesFromNode(v.vals[j], childPath(op2, key))
			if err != nil {
				return nil, err
			}
			keys[key] = cv
		}
		out[op] = keys
	}
	return out, nil
}

func conditionValuesFromNode(n *node, path string) (ConditionValues, error) {
	if n.kind == nodeArray {
		out := ConditionValues{Values: make([]Value, 0, len(n.vals))}
		for i, v := range n.vals {
			val, err := conditionValueFromNode(v, indexPath(path, i))
			if err != nil {
				return ConditionValues{}, err
			}
			out.Values = append(out.Values, val)
		}
		return out, nil
	}
	val, err := conditionValueFromNode(n, path)
	if err != nil {
		return ConditionValues{}, err
	}
	return ConditionValues{Values: []Value{val}, Scalar: true}, nil
}

func conditionValueFromNode(n *node, path string) (Value, error) {
	switch n.kind {
	case nodeString:
		return Value{Kind: KindString, Text: n.text}, nil
	case nodeNumber:
		return Value{Kind: KindNumber, Text: n.text}, nil
	case nodeBool:
		return BoolValue(n.b), nil
	}
	return Value{}, typeErr(n, path, "a string, boolean or number")
}

// UnmarshalJSON decodes strictly, as Parse does.
func (p *Policy) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	q, err := Parse(data)
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// UnmarshalJSON decodes one statement strictly.
func (s *Statement) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	n, err := parseTree(data, "")
	if err != nil {
		return err
	}
	st, err := statementFromNode(n, "")
	if err != nil {
		return locate(err, data)
	}
	*s = st
	return nil
}

// UnmarshalJSON decodes a string or a list of strings.
func (s *Strings) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	n, err := parseTree(data, "")
	if err != nil {
		return err
	}
	v, err := stringsFromNode(n, "")
	if err != nil {
		return locate(err, data)
	}
	*s = v
	return nil
}

// UnmarshalJSON decodes "*" or a principal map.
func (p *Principal) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	n, err := parseTree(data, "")
	if err != nil {
		return err
	}
	v, err := principalFromNode(n, "")
	if err != nil {
		return locate(err, data)
	}
	*p = *v
	return nil
}

// UnmarshalJSON decodes a Condition element strictly.
func (c *Conditions) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	n, err := parseTree(data, "")
	if err != nil {
		return err
	}
	v, err := conditionsFromNode(n, "")
	if err != nil {
		return locate(err, data)
	}
	*c = v
	return nil
}

// isNull reports whether data is the JSON null, which encoding/json passes
// to UnmarshalJSON for absent values; it leaves the target unchanged.
func isNull(data []byte) bool { return string(bytes.TrimSpace(data)) == "null" }
