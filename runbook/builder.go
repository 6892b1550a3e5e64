package runbook

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// Builder assembles a [Document]. Its methods take and return values, and
// a result never sees what is added to another value, so a Builder can serve
// as a template that several documents branch from, from several goroutines
// too. The values share what they have in common: adding a step, output or
// file costs O(1) amortised, and building n steps O(n).
type Builder struct {
	description string
	assumeRole  string
	parameters  shared[Parameter]
	variables   shared[Variable]
	steps       chunked[Step]
	outputs     shared[string]
	files       shared[File]
}

// New returns a builder for a schema 0.3 document.
func New() Builder { return Builder{} }

// Description sets the document description (Markdown).
func (b Builder) Description(s string) Builder { b.description = s; return b }

// AssumeRole sets the service role: an ARN, or a reference such as
// "{{ AutomationAssumeRole }}".
func (b Builder) AssumeRole(role string) Builder { b.assumeRole = role; return b }

// Parameter adds a parameter, replacing one of the same name.
func (b Builder) Parameter(p ParameterBuilder) Builder {
	if i := slices.IndexFunc(b.parameters.items, func(q Parameter) bool { return q.Name == p.p.Name }); i >= 0 {
		b.parameters = b.parameters.replaced(i, p.Parameter())
	} else {
		b.parameters = b.parameters.appended(p.Parameter())
	}
	return b
}

// Variable adds a document variable, replacing one of the same name.
func (b Builder) Variable(name string, typ ParameterType, def Value) Builder {
	v := Variable{Name: name, Type: typ, Default: def}
	if i := slices.IndexFunc(b.variables.items, func(w Variable) bool { return w.Name == name }); i >= 0 {
		b.variables = b.variables.replaced(i, v)
	} else {
		b.variables = b.variables.appended(v)
	}
	return b
}

// Step appends a step.
func (b Builder) Step(s StepBuilder) Builder {
	b.steps = b.steps.appended(s.Step())
	return b
}

// Output adds "step.output" to the document's outputs.
func (b Builder) Output(step, output string) Builder {
	b.outputs = b.outputs.appended(step + "." + output)
	return b
}

// File declares an attachment with its sha256 checksum.
func (b Builder) File(name, sha256 string) Builder {
	b.files = b.files.appended(File{Name: name, Checksums: []Member{{Key: "sha256", Value: String(sha256)}}})
	return b
}

// view returns the document built so far without its steps; it shares
// the builder's arrays, so it must not be changed or handed out.
func (b Builder) view() Document {
	return Document{
		SchemaVersion: SchemaVersion,
		Description:   b.description,
		AssumeRole:    b.assumeRole,
		Parameters:    b.parameters.items,
		Variables:     b.variables.items,
		Outputs:       b.outputs.items,
		Files:         b.files.items,
	}
}

// Document returns a deep copy of the document as built so far, unvalidated.
func (b Builder) Document() *Document {
	d, _ := b.document()
	return d
}

// document returns Document's copy and the length of its compact JSON,
// or 0 when that is not known.
//
// The copy is what decoding the canonical encoding gives, which shares
// nothing with the builder. Steps, the bulk of a document, are copied
// directly when that gives the same result (see cloneStep); the rest goes
// through the encoding.
func (b Builder) document() (*Document, int) {
	v := b.view()
	var steps []Step
	if n := b.steps.len(); n > 0 {
		steps = make([]Step, n)
		var mb memberBuf
		for i, s := range b.steps.all() {
			if !cloneStep(&steps[i], s, &mb) {
				return b.decoded()
			}
		}
	}
	head := v.CompactJSON()
	d, err := decodeDocument(head)
	if err != nil {
		return b.decoded()
	}
	d.MainSteps = steps
	return d, len(head) + stepsSize(steps, len(head) > len("{}"))
}

// stepsSize returns how many bytes steps add to a document's compact JSON
// when written after its other fields (after a comma when more is set).
// Each step's size is added up from its parts (see stepSize), so the size
// costs no second encoding of the document.
func stepsSize(steps []Step, more bool) int {
	if steps == nil {
		return 0
	}
	n := len(`"mainSteps":[]`) + max(len(steps)-1, 0)
	if more {
		n++
	}
	var b encBuf
	for i := range steps {
		n += stepSize(&steps[i], &b)
	}
	return n
}

// stepSize returns the length of the step's compact JSON as encBuf.step
// writes it. It adds the length of each part rather than writing them,
// except for a step with verbatim properties, which it encodes into b.
func stepSize(s *Step, b *encBuf) int {
	if s.Verbatim != nil {
		b.Reset()
		b.step(s)
		return b.Len()
	}
	n, fields := len("{}"), 0
	// A member "key":value, whose plain key is quoted.
	member := func(key string, size int) {
		n += len(key) + len(`"":`) + size
		fields++
	}
	str := func(key, v string) {
		if v != "" {
			member(key, quotedLen(v))
		}
	}
	var digits [20]byte
	intp := func(key string, v *int) {
		if v != nil {
			member(key, len(strconv.AppendInt(digits[:0], int64(*v), 10)))
		}
	}
	boolp := func(key string, v *bool) {
		if v != nil {
			member(key, len(strconv.AppendBool(digits[:0], *v)))
		}
	}
	str("name", s.Name)
	str("action", s.Action())
	str("description", s.Description)
	intp("maxAttempts", s.MaxAttempts)
	intp("timeoutSeconds", s.TimeoutSeconds)
	str("onFailure", s.OnFailure)
	str("onCancel", s.OnCancel)
	boolp("isEnd", s.IsEnd)
	boolp("isCritical", s.IsCritical)
	str("nextStep", s.NextStep)
	if s.Inputs != nil {
		member("inputs", mapSize(b.members.of(s.Inputs), b))
	}
	if s.Outputs != nil {
		size := len("[]") + max(len(s.Outputs)-1, 0)
		for _, o := range s.Outputs {
			size += len("{}")
			k := 0
			for _, f := range [...]struct{ key, v string }{{"Name", o.Name}, {"Selector", o.Selector}, {"Type", string(o.Type)}} {
				if f.v != "" {
					size += len(f.key) + len(`"":`) + quotedLen(f.v)
					k++
				}
			}
			size += max(k-1, 0)
		}
		member("outputs", size)
	}
	return n + max(fields-1, 0)
}

// mapSize returns len(appendMap(nil, members)), encoding into b only
// when there are too many members to scan pairwise, as appendMap does.
func mapSize(members []Member, b *encBuf) int {
	if len(members) > 16 {
		b.Reset()
		b.Write(appendMap(b.AvailableBuffer(), members))
		return b.Len()
	}
	n, count := len("{}"), 0
	eachLastValue(members, func(m Member) {
		n += quotedLen(m.Key) + len(":") + len(m.Value.raw)
		count++
	})
	return n + max(count-1, 0)
}

// decoded returns the builder's document copied through its encoding, and
// the length of that encoding.
func (b Builder) decoded() (*Document, int) {
	v := b.view()
	v.MainSteps = b.steps.clone()
	data := v.CompactJSON()
	// The decoded copy encodes back to the same bytes.
	d, err := decodeDocument(data)
	if err != nil {
		// The encoder only writes what the decoder reads; keep a copy of
		// the slices rather than lose the document.
		v.Parameters, v.Variables = b.parameters.clone(), b.variables.clone()
		v.Outputs, v.Files = b.outputs.clone(), b.files.clone()
		return &v, 0
	}
	return d, len(data)
}

// cloneStep sets dst to the step decodeStep would read from s's encoding,
// and returns true, when it can tell that without the encoding: Values are
// immutable and shared, the inputs are rebuilt from their members as the
// decoder sets them, and pointers and slices are copied. It returns false
// when the encoding would change something (repeated or absent input keys,
// invalid UTF-8, empty lists, verbatim properties), or decoding would
// fail; dst is then not to be used. Steps are large: writing dst in place
// spares a copy.
func cloneStep(dst, s *Step, mb *memberBuf) bool {
	if !cloneableStep(s) {
		return false
	}
	*dst = *s
	c := dst // the copy, whose pointers and slices are now replaced
	c.MaxAttempts, c.TimeoutSeconds = clonePtr(s.MaxAttempts), clonePtr(s.TimeoutSeconds)
	c.IsEnd, c.IsCritical = clonePtr(s.IsEnd), clonePtr(s.IsCritical)
	if s.Outputs != nil {
		c.Outputs = slices.Clone(s.Outputs)
	}
	if s.Inputs == nil {
		return true
	}
	in, ok := cloneInputs(s.Inputs, mb)
	if ok {
		c.Inputs = in
	}
	return ok
}

// cloneableStep reports whether a step's own fields copy as decoding
// would read them back: no verbatim text, no empty outputs list, and
// valid UTF-8 in every string field.
func cloneableStep(s *Step) bool {
	if s.Verbatim != nil || (s.Outputs != nil && len(s.Outputs) == 0) {
		return false
	}
	for _, f := range [...]string{s.Name, s.Description, s.OnFailure, s.OnCancel, s.NextStep} {
		if !utf8.ValidString(f) {
			return false
		}
	}
	for _, o := range s.Outputs {
		if !utf8.ValidString(o.Name) || !utf8.ValidString(o.Selector) || !utf8.ValidString(string(o.Type)) {
			return false
		}
	}
	return true
}

// cloneInputs copies a step's inputs as decoding them would, or reports
// false when only encoding and decoding would give the same result.
func cloneInputs(inputs Inputs, mb *memberBuf) (Inputs, bool) {
	action := inputs.Action()
	if !utf8.ValidString(action) {
		return nil, false
	}
	if g, ok := inputs.(generatedInputs); ok && !g.hasUnknown() {
		// A pointer, settable, may change later and decodes to a value.
		if _, isPtr := inputs.(settableInputs); !isPtr {
			// Decoding sets the same fields to the same values: share
			// the inputs, which no one can change through the interface.
			return inputs, true
		}
	}
	ms := mb.of(inputs)
	if !distinctMembers(ms) {
		return nil, false
	}
	// As decodeInputs does.
	var in settableInputs
	if spec := specFor(action); spec != nil {
		in = spec.newInputs()
	} else {
		in = &RawInputs{Name: action}
	}
	for _, m := range ms {
		if in.set(m.Key, m.Value) != nil {
			return nil, false
		}
	}
	return deref(in), true
}

// distinctMembers reports whether members are few, set, valid UTF-8 and
// uniquely named; past 32 it gives up rather than compare every pair.
func distinctMembers(ms []Member) bool {
	if len(ms) > 32 {
		return false
	}
	for i, m := range ms {
		if m.Value.raw == nil || !utf8.ValidString(m.Key) {
			return false
		}
		for _, e := range ms[:i] {
			if e.Key == m.Key {
				return false
			}
		}
	}
	return true
}

// generatedInputs is implemented by the generated inputs, whose members
// are their set fields, each once, and their Unknown ones.
type generatedInputs interface {
	hasUnknown() bool
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// Build validates the document and returns it, or a *ValidationError holding
// every problem found.
func (b Builder) Build(optFns ...func(*ValidateOptions)) (*Document, error) {
	d, r := b.build(optFns...)
	if err := r.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

// build returns the document and its validation report.
func (b Builder) build(optFns ...func(*ValidateOptions)) (*Document, Report) {
	d, size := b.document()
	return d, d.validateSized(size, optFns...)
}

// MustBuild is Build for examples and tests: it panics on a problem.
func (b Builder) MustBuild(optFns ...func(*ValidateOptions)) *Document {
	d, err := b.Build(optFns...)
	if err != nil {
		panic(err)
	}
	return d
}

// ParameterBuilder describes one parameter.
type ParameterBuilder struct{ p Parameter }

// NewParameter starts a parameter of the given type.
func NewParameter(name string, typ ParameterType) ParameterBuilder {
	return ParameterBuilder{p: Parameter{Name: name, Type: typ}}
}

// StringParameter starts a String parameter.
func StringParameter(name string) ParameterBuilder { return NewParameter(name, TypeString) }

// StringListParameter starts a StringList parameter.
func StringListParameter(name string) ParameterBuilder { return NewParameter(name, TypeStringList) }

// IntegerParameter starts an Integer parameter.
func IntegerParameter(name string) ParameterBuilder { return NewParameter(name, TypeInteger) }

// BooleanParameter starts a Boolean parameter.
func BooleanParameter(name string) ParameterBuilder { return NewParameter(name, TypeBoolean) }

// Description sets the description.
func (p ParameterBuilder) Description(s string) ParameterBuilder { p.p.Description = s; return p }

// Default sets the default value, which makes the parameter optional.
func (p ParameterBuilder) Default(v Value) ParameterBuilder { p.p.Default = v; return p }

// AllowedValues restricts the values.
func (p ParameterBuilder) AllowedValues(vs ...Value) ParameterBuilder {
	p.p.AllowedValues = slices.Clone(vs)
	return p
}

// AllowedPattern restricts the values to a regular expression.
func (p ParameterBuilder) AllowedPattern(re string) ParameterBuilder {
	p.p.AllowedPattern = re
	return p
}

// DisplayType sets the console display type ("textarea" or "textfield").
func (p ParameterBuilder) DisplayType(s string) ParameterBuilder { p.p.DisplayType = s; return p }

// MinItems sets the fewest list items.
func (p ParameterBuilder) MinItems(n int) ParameterBuilder { p.p.MinItems = &n; return p }

// MaxItems sets the most list items.
func (p ParameterBuilder) MaxItems(n int) ParameterBuilder { p.p.MaxItems = &n; return p }

// MinChars sets the fewest characters.
func (p ParameterBuilder) MinChars(n int) ParameterBuilder { p.p.MinChars = &n; return p }

// MaxChars sets the most characters.
func (p ParameterBuilder) MaxChars(n int) ParameterBuilder { p.p.MaxChars = &n; return p }

// Parameter returns the parameter described.
func (p ParameterBuilder) Parameter() Parameter {
	c := p.p
	c.AllowedValues = slices.Clone(c.AllowedValues)
	return c
}

// StepBuilder describes one step.
type StepBuilder struct{ s Step }

// NewStep starts a step running the action of in, such as
// ChangeInstanceState{…} or Sleep{…}.
func NewStep(name string, in Inputs) StepBuilder {
	return StepBuilder{s: Step{Name: name, Inputs: in}}
}

// Description sets the step description.
func (s StepBuilder) Description(d string) StepBuilder { s.s.Description = d; return s }

// MaxAttempts sets how often the step is tried.
func (s StepBuilder) MaxAttempts(n int) StepBuilder { s.s.MaxAttempts = &n; return s }

// TimeoutSeconds bounds each attempt.
func (s StepBuilder) TimeoutSeconds(n int) StepBuilder { s.s.TimeoutSeconds = &n; return s }

// OnFailure sets what follows a failure: [Abort], [Continue] or [GoTo].
func (s StepBuilder) OnFailure(v string) StepBuilder { s.s.OnFailure = v; return s }

// OnCancel sets what follows a cancellation: [Abort] or [GoTo].
func (s StepBuilder) OnCancel(v string) StepBuilder { s.s.OnCancel = v; return s }

// IsEnd marks the step as the last one run.
func (s StepBuilder) IsEnd(v bool) StepBuilder { s.s.IsEnd = &v; return s }

// IsCritical sets whether the step's failure fails the run.
func (s StepBuilder) IsCritical(v bool) StepBuilder { s.s.IsCritical = &v; return s }

// NextStep sets the step that follows on success.
func (s StepBuilder) NextStep(name string) StepBuilder { s.s.NextStep = name; return s }

// Output declares an output selected from the step's response.
func (s StepBuilder) Output(name, selector string, typ OutputType) StepBuilder {
	s.s.Outputs = append(slices.Clip(s.s.Outputs), Output{Name: name, Selector: selector, Type: typ})
	return s
}

// Step returns the step described.
func (s StepBuilder) Step() Step {
	c := s.s
	c.Outputs = slices.Clone(c.Outputs)
	c.Verbatim = slices.Clone(c.Verbatim)
	return c
}
