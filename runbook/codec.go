package runbook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// ParseError is a structural problem found while decoding a document: a
// wrong type, an unknown field or invalid syntax. Path is the wire path
// ("mainSteps[1].maxAttempts"); Line is set when the position is known.
type ParseError struct {
	Path string
	Line int
	Msg  string
	err  error
}

// Unwrap returns the cause when it is a sentinel such as [ErrUTF16].
func (e *ParseError) Unwrap() error { return e.err }

func (e *ParseError) Error() string {
	var b bytes.Buffer
	b.WriteString("runbook: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func prefixErr(err error, prefix string) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		c := *pe
		if c.Path == "" {
			c.Path = prefix
		} else if prefix != "" {
			if c.Path[0] == '[' {
				c.Path = prefix + c.Path
			} else {
				c.Path = prefix + "." + c.Path
			}
		}
		return &c
	}
	return &ParseError{Path: prefix, Msg: err.Error()}
}

// Format is a document's encoding.
type Format int

// The encodings of a document.
const (
	JSON Format = iota + 1
	YAML
)

func (f Format) String() string {
	switch f {
	case JSON:
		return "JSON"
	case YAML:
		return "YAML"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// DetectFormat guesses the encoding of data: JSON when it starts with "{".
func DetectFormat(data []byte) Format {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(t) > 0 && t[0] == '{' {
		return JSON
	}
	return YAML
}

// Parse decodes a document in JSON or YAML (detected). It is strict about
// structure and keeps unknown actions and inputs verbatim; call
// [Document.Validate] for the semantic checks.
func Parse(data []byte) (*Document, error) {
	data, err := stripBOM(data)
	if err != nil {
		return nil, err
	}
	if DetectFormat(data) == JSON {
		return ParseJSON(data)
	}
	return ParseYAML(data)
}

// ParseJSON decodes a JSON document.
func ParseJSON(data []byte) (*Document, error) {
	data, err := stripBOM(data)
	if err != nil {
		return nil, err
	}
	// Compact validates as it goes, so one pass both checks and
	// normalises the input.
	if !utf8.Valid(data) {
		data = validUTF8(data)
	}
	var b bytes.Buffer
	b.Grow(len(data))
	if err := json.Compact(&b, data); err != nil {
		// Compact's offsets are not reliable; Unmarshal's are.
		var raw json.RawMessage
		if uerr := json.Unmarshal(data, &raw); uerr != nil {
			err = uerr
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParseError{Line: lineOf(data, se.Offset), Msg: "invalid JSON: " + se.Error()}
		}
		return nil, &ParseError{Msg: "invalid JSON: " + err.Error()}
	}
	if path, dup := duplicateKey(b.Bytes()); dup {
		// JSON is YAML too: the YAML reader names both lines.
		var root yaml.Node
		if yaml.Unmarshal(data, &root) == nil {
			var sink bytes.Buffer
			var pe *ParseError
			if err := yamlToJSON(&sink, &root, "", 0); errors.As(err, &pe) && pe.Path == path {
				return nil, pe
			}
		}
		return nil, &ParseError{Path: path, Msg: "duplicate key"}
	}
	d, err := decodeDocument(b.Bytes())
	var pe *ParseError
	if errors.As(err, &pe) && pe.Line == 0 && pe.Path != "" {
		// Structural errors name a wire path; JSON is YAML too, so the
		// YAML parser finds its line in the source. Only on this error
		// path, so valid documents pay nothing.
		var root yaml.Node
		if yaml.Unmarshal(data, &root) == nil {
			c := *pe
			c.Line = lineOfPath(&root, pe.Path)
			return nil, &c
		}
	}
	return d, err
}

func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func kindOf(raw []byte) Kind { return Value{raw: raw}.Kind() }

func expect(raw []byte, k Kind, path string) error {
	if got := kindOf(raw); got != k {
		return &ParseError{Path: path, Msg: fmt.Sprintf("expected a %s, got %s", k, got)}
	}
	return nil
}

func decodeString(raw []byte, path string) (string, error) {
	if err := expect(raw, KindString, path); err != nil {
		return "", err
	}
	s, ok := Value{raw: raw}.AsString()
	if !ok {
		return "", &ParseError{Path: path, Msg: "invalid string"}
	}
	return s, nil
}

func decodeInt(raw []byte, path string) (*int, error) {
	n, ok := Value{raw: raw}.AsInt()
	if !ok {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("expected an integer, got %s %s", kindOf(raw), field.Truncate(string(raw), 40))}
	}
	i := int(n)
	return &i, nil
}

// decodeIntProp reads an integer common property, which AWS also accepts
// as a numeric string or a {{ }} reference; those are kept verbatim.
func (s *Step) decodeIntProp(key string, raw []byte, path string) (*int, error) {
	v := Value{raw: raw}
	str, ok := v.AsString()
	if !ok {
		return decodeInt(raw, path)
	}
	if _, isRef := WholeReference(str); isRef {
		s.Verbatim = append(s.Verbatim, Member{Key: key, Value: v})
		return nil, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(str))
	if err != nil {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("expected an integer or a {{ }} reference, got %q", field.Truncate(str, 40))}
	}
	s.Verbatim = append(s.Verbatim, Member{Key: key, Value: v})
	return &n, nil
}

// decodeBoolProp reads a boolean common property, which AWS also accepts
// as "true", "false" or a {{ }} reference; those are kept verbatim.
func (s *Step) decodeBoolProp(key string, raw []byte, path string) (*bool, error) {
	v := Value{raw: raw}
	str, ok := v.AsString()
	if !ok {
		return decodeBool(raw, path)
	}
	if _, isRef := WholeReference(str); isRef {
		s.Verbatim = append(s.Verbatim, Member{Key: key, Value: v})
		return nil, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(str))
	if err != nil {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("expected a boolean or a {{ }} reference, got %q", field.Truncate(str, 40))}
	}
	s.Verbatim = append(s.Verbatim, Member{Key: key, Value: v})
	return &b, nil
}

func decodeBool(raw []byte, path string) (*bool, error) {
	b, ok := Value{raw: raw}.AsBool()
	if !ok {
		return nil, &ParseError{Path: path, Msg: fmt.Sprintf("expected a boolean, got %s %s", kindOf(raw), field.Truncate(string(raw), 40))}
	}
	return &b, nil
}

// members iterates an object, rejecting duplicate keys.
func members(raw []byte, path string, fn func(key string, raw json.RawMessage) error) error {
	if err := expect(raw, KindMap, path); err != nil {
		return err
	}
	var small [16]string
	seen := small[:0]
	var big map[string]bool
	return eachMember(raw, func(key string, v json.RawMessage) error {
		dup := false
		if big != nil {
			dup = big[key]
			big[key] = true
		} else {
			for _, k := range seen {
				if k == key {
					dup = true
				}
			}
			seen = append(seen, key)
			if len(seen) > 16 {
				big = make(map[string]bool, 32)
				for _, k := range seen {
					big[k] = true
				}
			}
		}
		if dup {
			return &ParseError{Path: join(path, key), Msg: "duplicate key"}
		}
		return fn(key, v)
	})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func unknownField(path, key, allowed string) error {
	return &ParseError{Path: join(path, key), Msg: fmt.Sprintf("unknown field %q; allowed: %s", key, allowed)}
}

// nullableTopLevel lists the top-level fields a document may write with no
// value; schemaVersion and mainSteps stay required to be typed.
var nullableTopLevel = map[string]bool{"description": true, "assumeRole": true, "parameters": true,
	"variables": true, "outputs": true, "files": true}

func decodeDocument(data []byte) (*Document, error) {
	d := &Document{}
	err := members(data, "", func(key string, raw json.RawMessage) error {
		if kindOf(raw) == KindNull && nullableTopLevel[key] {
			// "description:" with no value: YAML's null, which AWS
			// reads as absent; it stays absent when encoded.
			return nil
		}
		var err error
		switch key {
		case "schemaVersion":
			d.SchemaVersion, err = decodeString(raw, key)
		case "description":
			d.Description, err = decodeString(raw, key)
			d.emptyDescription = err == nil && d.Description == ""
		case "assumeRole":
			d.AssumeRole, err = decodeString(raw, key)
		case "parameters":
			d.Parameters, err = decodeParameters(raw, key)
		case "variables":
			d.Variables, err = decodeVariables(raw, key)
		case "mainSteps":
			d.MainSteps, err = decodeSteps(raw, key)
		case "outputs":
			d.Outputs, err = decodeStrings(raw, key)
		case "files":
			d.Files, err = decodeFiles(raw, key)
		default:
			return unknownField("", key, "schemaVersion, description, assumeRole, parameters, variables, mainSteps, outputs, files")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func decodeStrings(raw []byte, path string) ([]string, error) {
	if err := expect(raw, KindList, path); err != nil {
		return nil, err
	}
	items, _ := Value{raw: raw}.AsList()
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, err := decodeString(it.raw, path+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeParameters(raw []byte, path string) ([]Parameter, error) {
	ps := []Parameter{} // parameters: {} stays written
	err := members(raw, path, func(name string, raw json.RawMessage) error {
		p := Parameter{Name: name}
		pp := join(path, name)
		err := members(raw, pp, func(key string, raw json.RawMessage) error {
			var err error
			kp := join(pp, key)
			switch key {
			case "type":
				var s string
				s, err = decodeString(raw, kp)
				p.Type = ParameterType(s)
			case "description":
				p.Description, err = decodeString(raw, kp)
				p.emptyDescription = err == nil && p.Description == ""
			case "default":
				p.Default = Value{raw: raw}
			case "allowedValues":
				if err = expect(raw, KindList, kp); err == nil {
					p.AllowedValues, _ = Value{raw: raw}.AsList()
					if p.AllowedValues == nil {
						p.AllowedValues = []Value{}
					}
				}
			case "allowedPattern":
				p.AllowedPattern, err = decodeString(raw, kp)
			case "displayType":
				p.DisplayType, err = decodeString(raw, kp)
			case "minItems":
				p.MinItems, err = decodeInt(raw, kp)
			case "maxItems":
				p.MaxItems, err = decodeInt(raw, kp)
			case "minChars":
				p.MinChars, err = decodeInt(raw, kp)
			case "maxChars":
				p.MaxChars, err = decodeInt(raw, kp)
			default:
				return unknownField(pp, key, "type, description, default, allowedValues, allowedPattern, displayType, minItems, maxItems, minChars, maxChars")
			}
			return err
		})
		ps = append(ps, p)
		return err
	})
	return ps, err
}

func decodeVariables(raw []byte, path string) ([]Variable, error) {
	vs := []Variable{}
	err := members(raw, path, func(name string, raw json.RawMessage) error {
		v := Variable{Name: name}
		vp := join(path, name)
		err := members(raw, vp, func(key string, raw json.RawMessage) error {
			var err error
			switch key {
			case "type":
				var s string
				s, err = decodeString(raw, join(vp, key))
				v.Type = ParameterType(s)
			case "description":
				v.Description, err = decodeString(raw, join(vp, key))
				v.emptyDescription = err == nil && v.Description == ""
			case "default":
				v.Default = Value{raw: raw}
			default:
				return unknownField(vp, key, "type, description, default")
			}
			return err
		})
		vs = append(vs, v)
		return err
	})
	return vs, err
}

func decodeFiles(raw []byte, path string) ([]File, error) {
	fs := []File{}
	err := members(raw, path, func(name string, raw json.RawMessage) error {
		f := File{Name: name}
		fp := join(path, name)
		err := members(raw, fp, func(key string, raw json.RawMessage) error {
			if key != "checksums" {
				return unknownField(fp, key, "checksums")
			}
			if err := expect(raw, KindMap, join(fp, key)); err != nil {
				return err
			}
			f.Checksums, _ = Value{raw: raw}.AsMap()
			return nil
		})
		fs = append(fs, f)
		return err
	})
	return fs, err
}

func decodeSteps(raw []byte, path string) ([]Step, error) {
	if err := expect(raw, KindList, path); err != nil {
		return nil, err
	}
	items, _ := Value{raw: raw}.AsList()
	steps := make([]Step, 0, len(items))
	for i, it := range items {
		s, err := decodeStep(it.raw, path+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}
	return steps, nil
}

func decodeStep(raw []byte, path string) (Step, error) {
	var s Step
	var action string
	var inputs json.RawMessage
	err := members(raw, path, func(key string, raw json.RawMessage) error {
		var err error
		kp := join(path, key)
		switch key {
		case "name":
			s.Name, err = decodeString(raw, kp)
		case "action":
			action, err = decodeString(raw, kp)
		case "description":
			s.Description, err = decodeString(raw, kp)
			if err == nil && s.Description == "" {
				s.Verbatim = append(s.Verbatim, Member{Key: key, Value: String("")})
			}
		case "maxAttempts":
			s.MaxAttempts, err = s.decodeIntProp(key, raw, kp)
		case "timeoutSeconds":
			s.TimeoutSeconds, err = s.decodeIntProp(key, raw, kp)
		case "onFailure":
			s.OnFailure, err = decodeString(raw, kp)
		case "onCancel":
			s.OnCancel, err = decodeString(raw, kp)
		case "isEnd":
			s.IsEnd, err = s.decodeBoolProp(key, raw, kp)
		case "isCritical":
			s.IsCritical, err = s.decodeBoolProp(key, raw, kp)
		case "nextStep":
			s.NextStep, err = decodeString(raw, kp)
		case "inputs":
			inputs = raw
		case "outputs":
			s.Outputs, err = decodeOutputs(raw, kp)
		default:
			return unknownField(path, key, "name, action, description, maxAttempts, timeoutSeconds, onFailure, onCancel, isEnd, isCritical, nextStep, inputs, outputs")
		}
		return err
	})
	if err != nil {
		return s, err
	}
	if action == "" && inputs == nil {
		return s, nil
	}
	in, err := decodeInputs(action, inputs, join(path, "inputs"))
	s.Inputs = in
	return s, err
}

func decodeInputs(action string, raw []byte, path string) (Inputs, error) {
	var in settableInputs
	if spec := specFor(action); spec != nil {
		in = spec.newInputs()
	} else {
		in = &RawInputs{Name: action}
	}
	if raw != nil {
		err := members(raw, path, func(key string, raw json.RawMessage) error {
			if err := in.set(key, Value{raw: raw}); err != nil {
				return prefixErr(err, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return deref(in), nil
}

// deref returns the inputs by value so documents hold immutable copies.
func deref(in settableInputs) Inputs {
	switch v := in.(type) {
	case *ExecuteAwsApi:
		return *v
	case *WaitForAwsResourceProperty:
		return *v
	case *AssertAwsResourceProperty:
		return *v
	case *Branch:
		return *v
	case *Loop:
		return *v
	case *RawInputs:
		return *v
	}
	return derefGenerated(in)
}

func decodeOutputs(raw []byte, path string) ([]Output, error) {
	if err := expect(raw, KindList, path); err != nil {
		return nil, err
	}
	items, _ := Value{raw: raw}.AsList()
	out := make([]Output, 0, len(items))
	for i, it := range items {
		op := path + "[" + strconv.Itoa(i) + "]"
		var o Output
		err := members(it.raw, op, func(key string, raw json.RawMessage) error {
			var err error
			switch key {
			case "Name":
				o.Name, err = decodeString(raw, join(op, key))
			case "Selector":
				o.Selector, err = decodeString(raw, join(op, key))
			case "Type":
				var t string
				t, err = decodeString(raw, join(op, key))
				o.Type = OutputType(t)
			default:
				return unknownField(op, key, "Name, Selector, Type")
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// encBuf writes compact JSON in the canonical key order, or, with indent
// set, what indenting that JSON by two spaces gives (see appendIndented),
// in the same pass.
type encBuf struct {
	bytes.Buffer
	members memberBuf
	indent  bool
	depth   int  // containers open, when indenting
	bad     bool // a value did not indent: see raw
}

// memberAppender is implemented by the generated inputs, whose members can
// be written into a reused slice.
type memberAppender interface {
	appendMembers(ms []Member) []Member
}

// memberBuf spares the slice Members allocates for each step. What of
// returns is valid until its next call.
type memberBuf struct{ buf []Member }

func (mb *memberBuf) of(in Inputs) []Member {
	if a, ok := in.(memberAppender); ok {
		mb.buf = a.appendMembers(mb.buf[:0])
		return mb.buf
	}
	// Not the buffer: Members may return the inputs' own slice.
	return in.Members()
}

// open starts an object or a list.
func (b *encBuf) open(c byte) {
	b.WriteByte(c)
	b.depth++
}

// close ends what open started; empty says nothing was written in it,
// which indenting keeps on one line.
func (b *encBuf) close(c byte, empty bool) {
	b.depth--
	if b.indent && !empty {
		b.newline()
	}
	b.WriteByte(c)
}

func (b *encBuf) newline() {
	b.WriteByte('\n')
	for n := 2 * b.depth; n > 0; n -= len(indentSpaces) {
		b.WriteString(indentSpaces[:min(n, len(indentSpaces))])
	}
}

// item starts a member or list item.
func (b *encBuf) item(first *bool) {
	if !*first {
		b.WriteByte(',')
	}
	*first = false
	if b.indent {
		b.newline()
	}
}

// name writes a member name the encoder itself spells, which needs no
// escape.
func (b *encBuf) name(first *bool, k string) {
	b.item(first)
	b.WriteByte('"')
	b.WriteString(k)
	if b.indent {
		b.WriteString(`": `)
	} else {
		b.WriteString(`":`)
	}
}

// key writes a member name from the document.
func (b *encBuf) key(first *bool, k string) {
	b.item(first)
	b.Write(appendQuoted(b.AvailableBuffer(), k))
	if b.indent {
		b.WriteString(": ")
	} else {
		b.WriteByte(':')
	}
}

// raw writes a value's JSON, indented to the current depth when indenting.
func (b *encBuf) raw(v []byte) {
	if !b.indent || (len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"') {
		// A string value is all one token.
		b.Write(v)
		return
	}
	out, ok := indentBody(b.AvailableBuffer(), v, b.depth)
	b.bad = b.bad || !ok
	b.Write(out)
}

func (b *encBuf) str(first *bool, k, v string) {
	if v == "" {
		return
	}
	b.name(first, k)
	b.Write(appendQuoted(b.AvailableBuffer(), v))
}

// desc writes a description, and an empty one the source wrote.
func (b *encBuf) desc(first *bool, v string, writtenEmpty bool) {
	if v == "" && writtenEmpty {
		b.name(first, "description")
		b.WriteString(`""`)
		return
	}
	b.str(first, "description", v)
}

func (b *encBuf) intp(first *bool, k string, v *int) {
	if v == nil {
		return
	}
	b.name(first, k)
	b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(*v), 10))
}

func (b *encBuf) boolp(first *bool, k string, v *bool) {
	if v == nil {
		return
	}
	b.name(first, k)
	b.WriteString(strconv.FormatBool(*v))
}

// intProp writes an integer common property, or its verbatim string when
// the typed field is unset or still equal to it.
func (b *encBuf) intProp(first *bool, s *Step, k string, v *int) {
	if raw, ok := s.verbatim(k); ok {
		str, _ := raw.AsString()
		n, err := strconv.Atoi(strings.TrimSpace(str))
		_, isRef := WholeReference(str)
		if (v == nil && isRef) || (v != nil && err == nil && n == *v) {
			b.val(first, k, raw)
			return
		}
	}
	b.intp(first, k, v)
}

// boolProp is intProp for booleans.
func (b *encBuf) boolProp(first *bool, s *Step, k string, v *bool) {
	if raw, ok := s.verbatim(k); ok {
		str, _ := raw.AsString()
		x, err := strconv.ParseBool(strings.TrimSpace(str))
		_, isRef := WholeReference(str)
		if (v == nil && isRef) || (v != nil && err == nil && x == *v) {
			b.val(first, k, raw)
			return
		}
	}
	b.boolp(first, k, v)
}

func (b *encBuf) val(first *bool, k string, v Value) {
	if v.IsZero() {
		return
	}
	b.name(first, k)
	b.raw(v.raw)
}

func (b *encBuf) document(d *Document) {
	// A typical step takes 100 to 250 bytes compact, half again indented;
	// growing the buffer step by step would copy it several times over.
	perStep := 192
	if b.indent {
		perStep = 288
	}
	b.Grow(512 + perStep*len(d.MainSteps))
	first := true
	b.open('{')
	b.desc(&first, d.Description, d.emptyDescription)
	b.str(&first, "schemaVersion", d.SchemaVersion)
	b.str(&first, "assumeRole", d.AssumeRole)
	if d.Parameters != nil {
		b.name(&first, "parameters")
		b.open('{')
		pf := true
		for _, p := range d.Parameters {
			b.key(&pf, p.Name)
			b.parameter(p)
		}
		b.close('}', pf)
	}
	if d.Variables != nil {
		b.name(&first, "variables")
		b.open('{')
		vf := true
		for _, v := range d.Variables {
			b.key(&vf, v.Name)
			f := true
			b.open('{')
			b.str(&f, "type", string(v.Type))
			b.desc(&f, v.Description, v.emptyDescription)
			b.val(&f, "default", v.Default)
			b.close('}', f)
		}
		b.close('}', vf)
	}
	if d.MainSteps != nil {
		b.name(&first, "mainSteps")
		b.steps(d.MainSteps)
	}
	if d.Outputs != nil {
		b.name(&first, "outputs")
		b.raw(Strings(d.Outputs...).raw)
	}
	if d.Files != nil {
		b.name(&first, "files")
		b.open('{')
		ff := true
		for _, f := range d.Files {
			b.key(&ff, f.Name)
			b.open('{')
			cf := true
			b.name(&cf, "checksums")
			b.raw(Map(f.Checksums...).raw)
			b.close('}', cf)
		}
		b.close('}', ff)
	}
	b.close('}', first)
}

func (b *encBuf) parameter(p Parameter) {
	f := true
	b.open('{')
	b.str(&f, "type", string(p.Type))
	b.desc(&f, p.Description, p.emptyDescription)
	b.val(&f, "default", p.Default)
	if p.AllowedValues != nil {
		b.name(&f, "allowedValues")
		b.raw(List(p.AllowedValues...).raw)
	}
	b.str(&f, "allowedPattern", p.AllowedPattern)
	b.str(&f, "displayType", p.DisplayType)
	b.intp(&f, "minItems", p.MinItems)
	b.intp(&f, "maxItems", p.MaxItems)
	b.intp(&f, "minChars", p.MinChars)
	b.intp(&f, "maxChars", p.MaxChars)
	b.close('}', f)
}

func (b *encBuf) steps(steps []Step) {
	b.open('[')
	f := true
	for i := range steps {
		b.item(&f)
		b.step(&steps[i])
	}
	b.close(']', f)
}

// step writes s, a pointer because steps are large.
func (b *encBuf) step(s *Step) {
	f := true
	b.open('{')
	b.str(&f, "name", s.Name)
	b.str(&f, "action", s.Action())
	_, empty := s.verbatim("description")
	b.desc(&f, s.Description, empty)
	b.intProp(&f, s, "maxAttempts", s.MaxAttempts)
	b.intProp(&f, s, "timeoutSeconds", s.TimeoutSeconds)
	b.str(&f, "onFailure", s.OnFailure)
	b.str(&f, "onCancel", s.OnCancel)
	b.boolProp(&f, s, "isEnd", s.IsEnd)
	b.boolProp(&f, s, "isCritical", s.IsCritical)
	b.str(&f, "nextStep", s.NextStep)
	if s.Inputs != nil {
		b.name(&f, "inputs")
		ms := b.members.of(s.Inputs)
		if b.indent {
			b.inputs(ms)
		} else {
			b.Write(appendMap(b.AvailableBuffer(), ms))
		}
	}
	if s.Outputs != nil {
		b.name(&f, "outputs")
		b.open('[')
		lf := true
		for _, o := range s.Outputs {
			b.item(&lf)
			of := true
			b.open('{')
			b.str(&of, "Name", o.Name)
			b.str(&of, "Selector", o.Selector)
			b.str(&of, "Type", string(o.Type))
			b.close('}', of)
		}
		b.close(']', lf)
	}
	b.close('}', f)
}

// inputs writes appendMap's map of members, indented.
func (b *encBuf) inputs(ms []Member) {
	if len(ms) > 16 {
		// Rare: appendMap settles repeated keys with a map.
		b.raw(appendMap(nil, ms))
		return
	}
	f := true
	b.open('{')
outer:
	for i, m := range ms {
		// As appendMap: a key where it first occurs, with its last value.
		if m.Value.raw == nil {
			continue
		}
		for _, e := range ms[:i] {
			if e.Key == m.Key && e.Value.raw != nil {
				continue outer
			}
		}
		for _, l := range ms[i+1:] {
			if l.Key == m.Key && l.Value.raw != nil {
				m = l
			}
		}
		b.key(&f, m.Key)
		b.raw(m.Value.raw)
	}
	b.close('}', f)
}

// JSON returns the document as indented JSON with a trailing newline, in the
// canonical key order, without HTML escaping.
func (d *Document) JSON() ([]byte, error) {
	b := compactBufs.Get().(*encBuf)
	defer putCompactBuf(b)
	b.indent = true
	b.document(d)
	if b.bad {
		// A value that is not JSON: json.Indent names the problem.
		var o bytes.Buffer
		if err := json.Indent(&o, d.CompactJSON(), "", "  "); err != nil {
			return nil, fmt.Errorf("runbook: encode: %w", err)
		}
		return append(o.Bytes(), '\n'), nil
	}
	out := make([]byte, b.Len()+1)
	copy(out, b.Bytes())
	out[b.Len()] = '\n'
	return out, nil
}

// compactBufs holds the buffers JSON writes into, which would otherwise be
// allocated and grown each time.
var compactBufs = sync.Pool{New: func() any { return new(encBuf) }}

func putCompactBuf(b *encBuf) {
	if b.Cap() > 1<<20 {
		return // keep no huge buffer alive
	}
	*b = encBuf{Buffer: b.Buffer} // nor the members of a document
	b.Reset()
	compactBufs.Put(b)
}

// CompactJSON returns the document as compact JSON, the form whose size
// counts against the 64 KB limit.
func (d *Document) CompactJSON() []byte {
	var b encBuf
	b.document(d)
	return b.Bytes()
}

// Encode returns the document in the given format.
func (d *Document) Encode(f Format) ([]byte, error) {
	if f == YAML {
		return d.YAML()
	}
	return d.JSON()
}

// MarshalJSON implements json.Marshaler with the canonical form.
func (d Document) MarshalJSON() ([]byte, error) { return d.CompactJSON(), nil }

// UnmarshalJSON implements json.Unmarshaler with [ParseJSON]'s rules.
func (d *Document) UnmarshalJSON(data []byte) error {
	nd, err := ParseJSON(data)
	if err != nil {
		return err
	}
	*d = *nd
	return nil
}

// validUTF8 replaces each byte of an invalid UTF-8 sequence by U+FFFD, as
// encoding/json does when it decodes a string, so that the JSON and YAML
// forms of a document hold the same text.
func validUTF8(data []byte) []byte {
	out := make([]byte, 0, len(data)+16)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, data[:n]...)
		}
		data = data[n:]
	}
	return out
}

// ErrUTF16 is returned for a document saved as UTF-16 or UTF-32, which
// Automation does not read.
var ErrUTF16 = errors.New("UTF-16 is not supported; save as UTF-8")

// stripBOM drops a UTF-8 byte order mark, which editors on Windows write,
// and names the encodings a BOM reveals that cannot be read.
func stripBOM(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}),
		bytes.HasPrefix(data, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return nil, &ParseError{Line: 1, Msg: ErrUTF16.Error(), err: ErrUTF16}
	}
	return data, nil
}
