package runbook

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// Limits Automation enforces on documents.
const (
	MaxParameters          = 200
	MaxParameterNameLength = 50
	MaxApprovers           = 10
	MaxLoopIterations      = 100
	MaxSleep               = 7 * 24 * time.Hour
	MaxExecuteScriptSecs   = 600
	MaxLambdaSecs          = 300
	MaxPauseSecs           = 30 * 24 * 3600
	MaxContentBytes        = 64 * 1024
)

// Problem codes, stable identifiers for tools that filter findings.
const (
	CodeSchemaVersion  = "schema-version"
	CodeNoSteps        = "no-steps"
	CodeStepName       = "step-name"
	CodeDuplicateName  = "duplicate-name"
	CodeUnknownStep    = "unknown-step"
	CodeOnCancel       = "on-cancel-target"
	CodeFlow           = "flow-value"
	CodeUnknownAction  = "unknown-action"
	CodeUnknownInput   = "unknown-input"
	CodeRequiredInput  = "required-input"
	CodeEnum           = "not-allowed-value"
	CodeExclusive      = "exclusive-inputs"
	CodeType           = "type-mismatch"
	CodeDuration       = "duration"
	CodeReference      = "unresolved-reference"
	CodeSSMReference   = "ssm-reference"
	CodeOutput         = "output"
	CodeParameter      = "parameter"
	CodeLimit          = "limit"
	CodeContentSize    = "content-size"
	CodeDocumentName   = "document-name"
	CodeAssumeRole     = "assume-role"
	CodeUnreachable    = "unreachable-step"
	CodeNoAssumeRole   = "no-assume-role"
	CodeUncheckedRegex = "unchecked-pattern"
	CodeRetiredRuntime = "retired-runtime"
	CodeLoopExit       = "loop-exit"
)

var (
	documentNameRE = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	partitionRE    = regexp.MustCompile(`^aws[a-z-]*$`)
	accountIDRE    = regexp.MustCompile(`^\d{12}$`)
	roleResourceRE = regexp.MustCompile(`^role/[\w+=,.@/-]{1,512}$`)
	reservedPrefix = []string{"aws", "amazon", "amzn"}
)

// isStepName reports whether s matches ^[a-zA-Z0-9_]+$, the names of
// steps, outputs and variables, by bytes: a regular expression costs more
// than the rest of a step's name checks.
func isStepName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isRoleARN reports whether s is an IAM role ARN:
// arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME, with no Region.
func isRoleARN(s string) bool {
	a, err := arn.Parse(s)
	return err == nil && partitionRE.MatchString(a.Partition) && a.Service == "iam" && a.Region == "" &&
		accountIDRE.MatchString(a.Account) && roleResourceRE.MatchString(a.Resource)
}

// onCancelForbidden lists the actions a step:NAME onCancel may not target.
var onCancelForbidden = map[string]bool{
	"aws:approve": true, "aws:copyImage": true, "aws:createImage": true, "aws:createStack": true,
	"aws:createTags": true, "aws:pause": true, "aws:runInstances": true, "aws:sleep": true,
}

// shape is the JSON shape of a parameter, variable, output or reference.
type shape int

const (
	shUnknown shape = iota
	shString
	shInteger
	shBoolean
	shStringList
	shMap
	shMapList
)

var shapeNames = [...]string{"unknown", "String", "Integer", "Boolean", "StringList", "StringMap", "MapList"}

func (s shape) String() string { return shapeNames[s] }

func shapeOfType(t ParameterType) shape {
	switch t {
	case TypeString, TypeInstanceID, TypeRoleARN, TypeBucketName:
		return shString
	case TypeStringList, TypeInstanceIDs, TypeRoleARNs, TypeBucketNames:
		return shStringList
	case TypeInteger:
		return shInteger
	case TypeBoolean:
		return shBoolean
	case TypeMapList:
		return shMapList
	case TypeStringMap:
		return shMap
	}
	return shUnknown
}

func shapeOfOutput(t OutputType) shape { return shapeOfType(ParameterType(t)) }

// fits reports whether a value of shape s may fill an input of kind k.
func (k inputKind) fits(s shape) bool {
	if s == shUnknown || k == kindAny {
		return true
	}
	switch k {
	case kindString:
		return s == shString || s == shInteger || s == shBoolean
	case kindStringList:
		return s == shStringList
	case kindInteger:
		return s == shInteger
	case kindBoolean:
		return s == shBoolean
	case kindMap:
		return s == shMap
	case kindMapList:
		return s == shMapList
	}
	return true
}

// stepInfo is what later steps may reference of a step.
type stepInfo struct {
	step    *Step
	path    *field.Path
	list    *Step // first of the step's siblings, naming its list
	index   int   // position among its siblings
	defined bool  // checked already: later steps may reference it
	spec    *actionSpec
	// pathNode holds path for a step recorded by collectNames.
	pathNode field.Path
	outputs  map[string]shape
	// loop is set for an aws:loop step; its iteration outputs are visible
	// only to its own steps.
	loop *Loop
}

type scope struct {
	// all makes every step defined, as the document's outputs see them;
	// otherwise the steps checked before are, in document order.
	all   bool
	loops []*stepInfo // enclosing loops, innermost last
}

// defined returns the step named name if the scope sees it run before.
func (v *validator) defined(sc *scope, name string) *stepInfo {
	if info := v.allSteps[name]; info != nil && (sc.all || info.defined) {
		return info
	}
	return nil
}

// siblings are the steps of one list, which flow targets name.
type siblings struct {
	steps []Step
	// names holds the steps by name, the last of a repeated name, when
	// some step of the document repeats a name or has none; otherwise
	// allSteps finds them and names stays nil, sparing a map per list.
	names map[string]*Step
}

// sibling returns the step named name among sib.
func (v *validator) sibling(sib *siblings, name string) (*Step, bool) {
	if name == "" {
		// "step:" names no step, even where a step lacks a name.
		return nil, false
	}
	if sib.names != nil {
		s, ok := sib.names[name]
		return s, ok
	}
	if info := v.allSteps[name]; info != nil && len(sib.steps) > 0 && info.list == &sib.steps[0] {
		return info.step, true
	}
	return nil, false
}

// lazyPath is a wire path built only when a problem is recorded at it:
// most values are fine, and building each one's path cost allocations.
// It is base followed by up to two children, then an index.
type lazyPath struct {
	base    *field.Path
	child   [2]string
	nchild  int
	index   int
	indexed bool
}

func at(p *field.Path) lazyPath { return lazyPath{base: p} }

func (l lazyPath) Child(name string) lazyPath {
	if l.indexed || l.nchild == len(l.child) {
		return at(l.path().Child(name))
	}
	l.child[l.nchild] = name
	l.nchild++
	return l
}

func (l lazyPath) Index(i int) lazyPath {
	if l.indexed {
		return at(l.path().Index(i))
	}
	l.index, l.indexed = i, true
	return l
}

// path builds the path.
func (l lazyPath) path() *field.Path {
	p := l.base
	for _, c := range l.child[:l.nchild] {
		p = p.Child(c)
	}
	if l.indexed {
		p = p.Index(l.index)
	}
	return p
}

func (v *validator) add(e field.Error) { v.problems.Add(e) }

// report returns the problems found, errors apart from warnings.
func (v *validator) report() Report {
	return Report{Errors: problemsOf(v.problems.Errors()), Warnings: problemsOf(v.problems.Warnings())}
}

func (v *validator) fail(code string, path *field.Path, value, allowed, msg string) {
	v.add(field.New(code, path, value, allowed, msg))
}

func (v *validator) warn(code string, path *field.Path, value, allowed, msg string) {
	v.add(field.Warning(code, path, value, allowed, msg))
}

// rules runs the document checks beyond the basics of run.
func (v *validator) rules() {
	d := v.doc
	v.params = map[string]*Parameter{}
	v.vars = map[string]*Variable{}
	v.files = map[string]bool{}
	for i := range d.Files {
		v.files[d.Files[i].Name] = true
	}
	v.checkParameters()
	v.checkVariables()
	v.checkAssumeRole()
	// Sized once: growing maps of every step rehashes them several times.
	// It is the only map of the steps when names are unique.
	v.allSteps = make(map[string]*stepInfo, len(d.MainSteps))
	sc := &scope{}
	v.collectNames(d.MainSteps, field.NewPath("mainSteps"))
	v.checkSteps(d.MainSteps, field.NewPath("mainSteps"), sc)
	v.checkReachable(d.MainSteps, field.NewPath("mainSteps"))
	v.checkDocumentOutputs()
	v.checkLimits()
}

func (v *validator) checkAssumeRole() {
	role := v.doc.AssumeRole
	if role == "" {
		v.warn(CodeNoAssumeRole, field.NewPath("assumeRole"), "", "a role ARN or {{ AutomationAssumeRole }}",
			"no assumeRole: the automation runs with the caller's permissions and stops after 12 hours")
		return
	}
	if ref, ok := WholeReference(role); ok {
		if ref.Kind != RefParameter {
			v.fail(CodeAssumeRole, field.NewPath("assumeRole"), quote(role), "a role ARN or a String parameter reference", "assumeRole must name a parameter")
			return
		}
		p := v.params[ref.Name]
		if p == nil {
			v.fail(CodeReference, field.NewPath("assumeRole"), quote(role), v.paramNames(), fmt.Sprintf("parameter %q is not declared", ref.Name))
			return
		}
		if s := shapeOfType(p.Type); s != shString && s != shUnknown {
			v.fail(CodeType, field.NewPath("assumeRole"), quote(role), "a String or AWS::IAM::Role::Arn parameter",
				fmt.Sprintf("parameter %q is %s", ref.Name, p.Type))
		}
		return
	}
	if strings.Contains(role, "{{") {
		// arn:{{ global:AWS_PARTITION }}:iam::{{ global:ACCOUNT_ID }}:role/Name:
		// each reference must resolve to a string, and the text with
		// sample values in their place must be a role ARN.
		sample := role
		for _, ref := range ParseReferences(role) {
			v.checkRef(ref, at(field.NewPath("assumeRole")), &scope{})
			switch ref.Kind {
			case RefGlobal, RefParameter:
				if sh := v.refShape(ref, nil); sh != shString && sh != shUnknown {
					v.fail(CodeType, field.NewPath("assumeRole"), quote(role), "String references", fmt.Sprintf("%s %s is %s", ref.Kind, ref.String(), sh))
					return
				}
			default:
				v.fail(CodeAssumeRole, field.NewPath("assumeRole"), quote(role), "global variables or String parameters", fmt.Sprintf("assumeRole cannot use the %s %s", ref.Kind, ref.Text))
				return
			}
			sample = strings.Replace(sample, ref.Text, sampleGlobals.value(ref), 1)
		}
		if !isRoleARN(sample) {
			v.fail(CodeAssumeRole, field.NewPath("assumeRole"), quote(role), "arn:PARTITION:iam::ACCOUNT:role/NAME", "assumeRole is not an IAM role ARN once its references are filled in")
		}
		return
	}
	if !isRoleARN(role) {
		v.fail(CodeAssumeRole, field.NewPath("assumeRole"), quote(role), "arn:PARTITION:iam::ACCOUNT:role/NAME", "assumeRole is not an IAM role ARN")
	}
}

func (v *validator) paramNames() string {
	names := make([]string, 0, len(v.doc.Parameters))
	for _, p := range v.doc.Parameters {
		names = append(names, p.Name)
	}
	if len(names) == 0 {
		return "no parameters are declared"
	}
	return "declared parameters: " + strings.Join(names, ", ")
}

func (v *validator) checkParameters() {
	d := v.doc
	if len(d.Parameters) > MaxParameters {
		v.fail(CodeLimit, field.NewPath("parameters"), strconv.Itoa(len(d.Parameters)), fmt.Sprintf("at most %d parameters", MaxParameters), "too many parameters")
	}
	for i := range d.Parameters {
		p := &d.Parameters[i]
		path := field.NewPath("parameters", p.Name)
		if _, dup := v.params[p.Name]; dup {
			v.fail(CodeDuplicateName, path, quote(p.Name), "unique parameter names", "duplicate parameter")
		}
		v.params[p.Name] = p
		if p.Name == "" || len(p.Name) > MaxParameterNameLength {
			v.fail(CodeLimit, path, quote(p.Name), fmt.Sprintf("1 to %d characters", MaxParameterNameLength), "parameter name length")
		}
		if !p.Type.Known() {
			v.fail(CodeParameter, path.Child("type"), quote(string(p.Type)), typeNames(), "unknown parameter type")
		}
		if p.DisplayType != "" && p.DisplayType != "textfield" && p.DisplayType != "textarea" {
			v.fail(CodeEnum, path.Child("displayType"), quote(p.DisplayType), "textfield, textarea", "unknown display type")
		}
		v.checkParameterBounds(p, path)
		var re *regexp.Regexp
		if p.AllowedPattern != "" {
			var err error
			re, err = CompilePattern(p.AllowedPattern)
			var pe *PatternError
			if errors.As(err, &pe) {
				// Valid on AWS (Java regular expressions), but values
				// cannot be checked here: see ErrUncheckablePattern.
				v.warn(CodeUncheckedRegex, path.Child("allowedPattern"), quote(p.AllowedPattern), "an RE2-compatible pattern",
					"pattern cannot be checked here: "+pe.Err.Error())
			}
		}
		v.checkAllowedValues(p, path)
		if !p.Default.IsZero() {
			v.checkDefault(p, path.Child("default"), re)
		}
	}
}

// checkParameterBounds checks minItems/maxItems and minChars/maxChars:
// neither negative, the minimum at most the maximum.
func (v *validator) checkParameterBounds(p *Parameter, path *field.Path) {
	for _, b := range []struct {
		lo, hi *int
		name   string
	}{{p.MinItems, p.MaxItems, "Items"}, {p.MinChars, p.MaxChars, "Chars"}} {
		if b.lo != nil && *b.lo < 0 {
			v.fail(CodeParameter, path.Child("min"+b.name), strconv.Itoa(*b.lo), "a number of at least 0", "negative minimum")
		}
		if b.hi != nil && *b.hi < 0 {
			v.fail(CodeParameter, path.Child("max"+b.name), strconv.Itoa(*b.hi), "a number of at least 0", "negative maximum")
		}
		if b.lo != nil && b.hi != nil && *b.lo > *b.hi {
			v.fail(CodeParameter, path.Child("min"+b.name), strconv.Itoa(*b.lo), fmt.Sprintf("at most max%s (%d)", b.name, *b.hi),
				fmt.Sprintf("min%s exceeds max%s", b.name, b.name))
		}
	}
}

// checkAllowedValues checks that each allowed value has the parameter's
// type; allowedValues of a list type list the allowed items.
func (v *validator) checkAllowedValues(p *Parameter, path *field.Path) {
	sh := shapeOfType(p.Type)
	switch sh {
	case shStringList:
		sh = shString
	case shMapList:
		sh = shMap
	}
	allowed := article(string(p.Type)) + " value"
	if p.Type.IsList() {
		allowed = "an item of a " + string(p.Type)
	}
	for j, av := range p.AllowedValues {
		if msg := valueFitsShape(av, sh); msg != "" {
			v.fail(CodeType, path.Child("allowedValues").Index(j), av.String(), allowed, msg)
		}
	}
}

func typeNames() string {
	ts := ParameterTypes()
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return strings.Join(out, ", ")
}

// valueFitsShape returns why a literal value does not have the shape, or "".
// Values holding references are accepted: they are resolved at run time.
func valueFitsShape(val Value, sh shape) string {
	if s, ok := val.AsString(); ok && strings.Contains(s, "{{") {
		return ""
	}
	k := val.Kind()
	switch sh {
	case shString:
		if k != KindString {
			return "expected a string, got " + k.String()
		}
	case shInteger:
		if _, ok := val.AsInt(); !ok {
			if s, ok := val.AsString(); !ok || !isIntText(s) {
				return "expected an integer, got " + k.String()
			}
		}
	case shBoolean:
		if k != KindBool {
			if s, ok := val.AsString(); !ok || (s != "true" && s != "false") {
				return "expected a boolean, got " + k.String()
			}
		}
	case shStringList:
		items, ok := val.AsList()
		if !ok {
			return "expected a list of strings, got " + k.String()
		}
		for i, it := range items {
			if it.Kind() != KindString {
				return fmt.Sprintf("item %d: expected a string, got %s", i, it.Kind())
			}
		}
	case shMap:
		if k != KindMap {
			return "expected a map, got " + k.String()
		}
	case shMapList:
		items, ok := val.AsList()
		if !ok {
			return "expected a list of maps, got " + k.String()
		}
		for i, it := range items {
			if it.Kind() != KindMap {
				return fmt.Sprintf("item %d: expected a map, got %s", i, it.Kind())
			}
		}
	}
	return ""
}

func isIntText(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func (v *validator) checkDefault(p *Parameter, path *field.Path, re *regexp.Regexp) {
	def := p.Default
	secure := false
	def.Walk(func(_, s string) {
		secure = secure || strings.Contains(s, "{{ssm-secure:") || strings.Contains(s, "{{ ssm-secure:")
	})
	if secure {
		v.fail(CodeSSMReference, path, field.Truncate(def.String(), 60), "{{ssm:NAME}} of a String or StringList parameter",
			"SecureString parameters cannot be referenced in the parameters section")
		return
	}
	if s, ok := def.AsString(); ok && strings.Contains(s, "{{") {
		// {{ssm:…}} is resolved when the execution starts; other references
		// in defaults are left to the service, as AWS-owned runbooks use them.
		return
	}
	sh := shapeOfType(p.Type)
	if msg := valueFitsShape(def, sh); msg != "" {
		v.fail(CodeType, path, def.String(), article(string(p.Type))+" value", msg)
		return
	}
	v.checkDefaultAllowed(p, path)
	v.checkDefaultStrings(p, path, re)
}

// checkDefaultAllowed checks a default against allowedValues; a list
// default is allowed when each item is.
func (v *validator) checkDefaultAllowed(p *Parameter, path *field.Path) {
	def := p.Default
	if len(p.AllowedValues) == 0 || slices.ContainsFunc(p.AllowedValues, def.Equal) {
		return
	}
	items, isList := def.AsList()
	ok := isList && len(items) > 0
	for _, it := range items {
		if !slices.ContainsFunc(p.AllowedValues, it.Equal) {
			ok = false
		}
	}
	if !ok {
		v.fail(CodeEnum, path, def.String(), joinValues(p.AllowedValues), "default is not among allowedValues")
	}
}

// checkDefaultStrings checks a string or string-list default against the
// parameter's item counts, lengths and allowedPattern.
func (v *validator) checkDefaultStrings(p *Parameter, path *field.Path, re *regexp.Regexp) {
	def := p.Default
	var strs []string
	if s, ok := def.AsString(); ok {
		strs = []string{s}
	} else if ss, ok := def.AsStrings(); ok {
		strs = ss
		if p.MinItems != nil && len(ss) < *p.MinItems {
			v.fail(CodeParameter, path, def.String(), fmt.Sprintf("at least %d items", *p.MinItems), "default has too few items")
		}
		if p.MaxItems != nil && len(ss) > *p.MaxItems {
			v.fail(CodeParameter, path, def.String(), fmt.Sprintf("at most %d items", *p.MaxItems), "default has too many items")
		}
	}
	for _, s := range strs {
		n := len([]rune(s))
		if p.MinChars != nil && n < *p.MinChars && s != "" {
			v.fail(CodeParameter, path, quote(s), fmt.Sprintf("at least %d characters", *p.MinChars), "default is too short")
		}
		if p.MaxChars != nil && n > *p.MaxChars {
			v.fail(CodeParameter, path, quote(s), fmt.Sprintf("at most %d characters", *p.MaxChars), "default is too long")
		}
		// An empty default means "not supplied" and is not matched.
		if re != nil && s != "" && !re.MatchString(s) {
			v.fail(CodeParameter, path, quote(s), "values matching "+p.AllowedPattern, "default does not match allowedPattern")
		}
	}
}

func joinValues(vs []Value) string {
	out := make([]string, len(vs))
	for i, x := range vs {
		if s, ok := x.AsString(); ok {
			out[i] = s
		} else {
			out[i] = x.String()
		}
	}
	return strings.Join(out, ", ")
}

func (v *validator) checkVariables() {
	for i := range v.doc.Variables {
		vr := &v.doc.Variables[i]
		path := field.NewPath("variables", vr.Name)
		if _, dup := v.vars[vr.Name]; dup {
			v.fail(CodeDuplicateName, path, quote(vr.Name), "unique variable names", "duplicate variable")
		}
		v.vars[vr.Name] = vr
		if !isStepName(vr.Name) {
			v.fail(CodeParameter, path, quote(vr.Name), "letters, digits and _", "invalid variable name")
		}
		sh := shapeOfType(vr.Type)
		if sh == shUnknown || strings.Contains(string(vr.Type), "::") {
			v.fail(CodeParameter, path.Child("type"), quote(string(vr.Type)), "String, StringList, Integer, Boolean, MapList, StringMap", "unknown variable type")
			continue
		}
		if !vr.Default.IsZero() {
			if msg := valueFitsShape(vr.Default, sh); msg != "" {
				v.fail(CodeType, path.Child("default"), vr.Default.String(), article(string(vr.Type))+" value", msg)
			}
		}
	}
}

// collectNames checks step names document-wide: unique, and
// ^[a-zA-Z0-9_]+$, in loops too.
func (v *validator) collectNames(steps []Step, path *field.Path) {
	for i := range steps {
		s := &steps[i]
		var sp *field.Path
		prev, dup := v.allSteps[s.Name]
		if s.Name != "" && !dup {
			info := v.newInfo(s, nil)
			// The step's path lives in its record: no allocation of its own.
			sp = path.IndexIn(&info.pathNode, i)
			info.path, info.list, info.index = sp, &steps[0], i
			v.allSteps[s.Name] = info
		} else {
			sp = path.Index(i)
		}
		switch {
		case s.Name == "":
			v.fail(CodeStepName, sp.Child("name"), "", "letters, digits and _", "a step needs a name")
		case !isStepName(s.Name):
			v.fail(CodeStepName, sp.Child("name"), quote(s.Name), "letters, digits and _", "invalid step name")
		}
		if dup && s.Name != "" {
			v.fail(CodeDuplicateName, sp.Child("name"), quote(s.Name), "unique step names", "step name already used at "+prev.path.String())
		}
		if dup || s.Name == "" {
			v.namesRepeat = true
		}
		if l, ok := s.Inputs.(Loop); ok {
			v.collectNames(l.Steps, sp.Child("inputs", "Steps"))
		}
	}
}

func (v *validator) newInfo(s *Step, path *field.Path) *stepInfo {
	// From one slab for the top-level steps rather than one allocation
	// each; the slab never grows, so the pointers stay valid.
	if len(v.infoSlab) == cap(v.infoSlab) {
		v.infoSlab = make([]stepInfo, 0, max(len(v.doc.MainSteps), 8))
	}
	v.infoSlab = append(v.infoSlab, stepInfo{step: s, path: path})
	info := &v.infoSlab[len(v.infoSlab)-1]
	// Allocated only for a step with outputs: most steps have none.
	var predefined []PredefinedOutput
	action := s.Action()
	if info.spec = specFor(action); info.spec != nil {
		predefined = info.spec.outputs
	}
	if n := len(predefined) + len(s.Outputs); n > 0 || action == "aws:loop" {
		info.outputs = make(map[string]shape, n+1)
	}
	for _, o := range predefined {
		info.outputs[o.Name] = shapeOfOutput(o.Type)
	}
	if l, ok := s.Inputs.(Loop); ok {
		info.loop = new(Loop) // not &l, which puts l on the heap for every step
		*info.loop = l
		switch dt, _ := l.IteratorDataType.AsString(); dt {
		case "Integer":
			info.outputs["CurrentIteratorValue"] = shInteger
		case "Boolean":
			info.outputs["CurrentIteratorValue"] = shBoolean
		case "StringMap":
			info.outputs["CurrentIteratorValue"] = shMap
		}
	}
	for _, o := range s.Outputs {
		if _, predefined := info.outputs[o.Name]; !predefined && o.Name != "" {
			info.outputs[o.Name] = shapeOfOutput(o.Type)
		}
	}
	return info
}

func (v *validator) checkSteps(steps []Step, path *field.Path, sc *scope) {
	names := &siblings{steps: steps}
	if v.namesRepeat {
		names.names = make(map[string]*Step, len(steps))
		for i := range steps {
			names.names[steps[i].Name] = &steps[i]
		}
	}
	for i := range steps {
		s := &steps[i]
		info := v.allSteps[s.Name]
		var sp *field.Path
		var spec *actionSpec
		if info != nil && info.step == s {
			sp, spec = info.path, info.spec // as collectNames found them
		} else {
			sp, spec = path.Index(i), specFor(s.Action())
		}
		v.checkStep(s, sp, spec, names, sc)
		if info != nil && info.step == s {
			info.defined = true
		}
	}
}

// checkStep checks step s at sp, whose action has spec (nil if unknown).
func (v *validator) checkStep(s *Step, sp *field.Path, spec *actionSpec, siblings *siblings, sc *scope) {
	if s.MaxAttempts != nil && *s.MaxAttempts < 1 {
		v.fail(CodeLimit, sp.Child("maxAttempts"), strconv.Itoa(*s.MaxAttempts), "an integer of at least 1", "maxAttempts below 1")
	}
	if s.TimeoutSeconds != nil && *s.TimeoutSeconds < 1 {
		v.fail(CodeLimit, sp.Child("timeoutSeconds"), strconv.Itoa(*s.TimeoutSeconds), "an integer of at least 1", "timeoutSeconds below 1")
	}
	for _, m := range s.Verbatim {
		ref, ok := m.Value.Ref()
		if !ok {
			continue
		}
		v.checkRef(ref, at(sp.Child(m.Key)), sc)
		want, kind := shInteger, "an Integer or String parameter"
		if m.Key == "isEnd" || m.Key == "isCritical" {
			want, kind = shBoolean, "a Boolean or String parameter"
		}
		if sh := v.refShape(ref, sc); sh != shUnknown && sh != want && sh != shString {
			v.fail(CodeType, sp.Child(m.Key), m.Value.String(), kind, fmt.Sprintf("%s %s is %s", ref.Kind, ref.String(), sh))
		}
	}
	v.checkFlow(s, sp, siblings)
	v.checkOutputs(s, sp)
	switch in := s.Inputs.(type) {
	case nil:
		v.fail(CodeUnknownAction, sp.Child("action"), "", strings.Join(Actions(), ", "), "a step needs an action")
		return
	case RawInputs:
		v.fail(CodeUnknownAction, sp.Child("action"), quote(in.Name), strings.Join(Actions(), ", "), "unknown action")
		return
	}
	v.checkInputs(s, sp, spec, sc)
	v.checkAction(s, sp, siblings, sc)
}

func (v *validator) checkFlow(s *Step, sp *field.Path, siblings *siblings) {
	target := func(field, name string) {
		if _, ok := v.sibling(siblings, name); !ok {
			v.fail(CodeUnknownStep, sp.Child(field), quote(name), v.stepList(siblings), fmt.Sprintf("no step named %q here", name))
		}
	}
	if s.NextStep != "" {
		target("nextStep", s.NextStep)
	}
	if s.OnFailure != "" && s.OnFailure != Abort && s.OnFailure != Continue {
		name, ok := strings.CutPrefix(s.OnFailure, "step:")
		if !ok {
			v.fail(CodeFlow, sp.Child("onFailure"), quote(s.OnFailure), "Abort, Continue, step:NAME", "invalid onFailure")
		} else {
			target("onFailure", name)
		}
	}
	if s.OnCancel != "" && s.OnCancel != Abort {
		name, ok := strings.CutPrefix(s.OnCancel, "step:")
		if !ok {
			v.fail(CodeFlow, sp.Child("onCancel"), quote(s.OnCancel), "Abort, step:NAME", "invalid onCancel")
		} else if t, found := v.sibling(siblings, name); !found {
			target("onCancel", name)
		} else if onCancelForbidden[t.Action()] {
			v.fail(CodeOnCancel, sp.Child("onCancel"), quote(s.OnCancel), "a step whose action is not approve, copyImage, createImage, createStack, createTags, pause, runInstances or sleep",
				fmt.Sprintf("onCancel may not go to %s step %q", t.Action(), name))
		}
	}
}

// stepList lists the names of siblings, computed once per list so that
// a problem at every step costs linear time, not quadratic.
func (v *validator) stepList(sib *siblings) string {
	if len(sib.steps) == 0 {
		return stepList(nil)
	}
	if l, ok := v.stepLists[&sib.steps[0]]; ok {
		return l
	}
	l := stepList(sib.steps)
	if v.stepLists == nil {
		v.stepLists = make(map[*Step]string)
	}
	v.stepLists[&sib.steps[0]] = l
	return l
}

// stepList lists the distinct names of steps, sorted.
func stepList(steps []Step) string {
	names := make([]string, 0, len(steps))
	for _, s := range steps {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return "steps: " + field.Truncate(strings.Join(names, ", "), 200)
}

var outputTypes = []OutputType{OutputString, OutputInteger, OutputBoolean, OutputStringList, OutputStringMap, OutputMapList}

func (v *validator) checkOutputs(s *Step, sp *field.Path) {
	if len(s.Outputs) == 0 {
		return
	}
	predefined := map[string]bool{}
	for _, o := range PredefinedOutputs(s.Action()) {
		predefined[o.Name] = true
	}
	seen := map[string]bool{}
	for i, o := range s.Outputs {
		op := sp.Child("outputs").Index(i)
		switch {
		case o.Name == "":
			v.fail(CodeOutput, op.Child("Name"), "", "a name", "an output needs a name")
		case predefined[o.Name]:
			v.fail(CodeOutput, op.Child("Name"), quote(o.Name), "a name that is not a predefined output of "+s.Action(), "output reuses a predefined output name")
		case seen[o.Name]:
			v.fail(CodeDuplicateName, op.Child("Name"), quote(o.Name), "unique output names", "duplicate output")
		case !isStepName(o.Name):
			v.fail(CodeOutput, op.Child("Name"), quote(o.Name), "letters, digits and _", "invalid output name")
		}
		seen[o.Name] = true
		if !strings.HasPrefix(o.Selector, "$") {
			v.fail(CodeOutput, op.Child("Selector"), quote(o.Selector), "a JSONPath starting with $", "invalid selector")
		}
		if !slices.Contains(outputTypes, o.Type) {
			v.fail(CodeOutput, op.Child("Type"), quote(string(o.Type)), "String, Integer, Boolean, StringList, StringMap, MapList", "invalid output type")
		}
	}
}

// checkInputs checks unknown, required, typed and enumerated inputs and
// every reference inside them.
func (v *validator) checkInputs(s *Step, sp *field.Path, spec *actionSpec, sc *scope) {
	ip := at(sp).Child("inputs")
	members := v.members.of(s.Inputs)
	for _, m := range members {
		path := ip.Child(m.Key)
		is := spec.input(m.Key)
		if is == nil && !spec.apiCall {
			v.fail(CodeUnknownInput, path.path(), field.Truncate(m.Value.String(), 60), inputNames(spec), fmt.Sprintf("%s has no input %q", spec.name, m.Key))
		}
		if m.Key == "Steps" || m.Key == "LoopCondition" || m.Key == "Choices" {
			continue // checked with their own scope rules
		}
		// Decode a string that may hold a reference once for every check.
		var str string
		isStr := false
		if mayHoldRef(m.Value) {
			str, isStr = m.Value.AsString()
		}
		var ref Reference
		isRef := false
		if isStr {
			// A whole reference is the only one its string holds.
			if ref, isRef = WholeReference(str); isRef {
				v.checkRef(ref, path, sc)
			} else {
				v.checkRefsIn(str, path, sc)
			}
		} else {
			v.checkRefs(m.Value, path, sc)
		}
		if is == nil {
			continue
		}
		if is.kind != kindAny {
			v.checkKindRef(m.Value, ref, isRef, path, is.kind, sc, false)
		}
		if len(is.enum) > 0 {
			v.checkEnum(m.Value, ref, isRef, path, is.enum)
		}
	}
	for _, is := range spec.inputs {
		if !is.required {
			continue
		}
		if slices.ContainsFunc(members, func(m Member) bool { return m.Key == is.name }) {
			continue
		}
		if s.Action() == "aws:executeScript" && is.name == "Handler" {
			continue // only Python needs it; checked with the runtime
		}
		v.fail(CodeRequiredInput, ip.Child(is.name).path(), "", "", fmt.Sprintf("%s requires input %s", spec.name, is.name))
	}
}

// input returns the spec of the input named key, or nil. Actions have a
// handful of inputs, so a scan beats building a map for every step.
func (spec *actionSpec) input(key string) *inputSpec {
	for i := range spec.inputs {
		if spec.inputs[i].name == key {
			return &spec.inputs[i]
		}
	}
	return nil
}

func inputNames(spec *actionSpec) string {
	out := make([]string, len(spec.inputs))
	for i, is := range spec.inputs {
		out[i] = is.name
	}
	return strings.Join(out, ", ")
}

// checkKindIn checks that val, an item of a list when inList is set, has
// the shape the input expects. A value made of one reference keeps the
// referenced value's shape.
func (v *validator) checkKindIn(val Value, path lazyPath, k inputKind, sc *scope, inList bool) {
	if k == kindAny {
		return
	}
	ref, isRef := val.Ref()
	v.checkKindRef(val, ref, isRef, path, k, sc, inList)
}

// checkKindRef is checkKindIn given val.Ref().
func (v *validator) checkKindRef(val Value, ref Reference, isRef bool, path lazyPath, k inputKind, sc *scope, inList bool) {
	if isRef {
		v.checkRefKind(val, ref, path, k, sc, inList)
		return
	}
	switch k {
	case kindString:
		if val.Kind() != KindString {
			v.fail(CodeType, path.path(), field.Truncate(val.String(), 60), k.String(), "expected a string, got "+val.Kind().String())
		}
	case kindInteger:
		if msg := valueFitsShape(val, shInteger); msg != "" {
			v.fail(CodeType, path.path(), field.Truncate(val.String(), 60), k.String(), msg)
		}
	case kindBoolean:
		if msg := valueFitsShape(val, shBoolean); msg != "" {
			v.fail(CodeType, path.path(), field.Truncate(val.String(), 60), k.String(), msg)
		}
	case kindMap:
		if val.Kind() != KindMap {
			v.fail(CodeType, path.path(), field.Truncate(val.String(), 60), k.String(), "expected a map, got "+val.Kind().String())
		}
	case kindStringList, kindMapList:
		items, ok := val.AsList()
		if !ok {
			v.fail(CodeType, path.path(), field.Truncate(val.String(), 60), k.String(), "expected a list, got "+val.Kind().String())
			return
		}
		item := kindString
		if k == kindMapList {
			item = kindMap
		}
		for i, it := range items {
			v.checkKindIn(it, path.Index(i), item, sc, true)
		}
	}
}

// checkRefKind checks that what a reference resolves to fits the input.
func (v *validator) checkRefKind(val Value, ref Reference, path lazyPath, k inputKind, sc *scope, inList bool) {
	sh := v.refShape(ref, sc)
	switch {
	case k.fits(sh):
	case inList && ((k == kindString && sh == shStringList) || (k == kindMap && sh == shMapList)):
		// AWS expands a list reference written as a list item
		// into the list: ['{{ launch.InstanceIds }}'].
	case k == kindString && sh == shStringList && v.atMostOne(ref):
	case k == kindString && sh == shStringList:
		v.warn(CodeType, path.path(), val.String(), k.String(),
			fmt.Sprintf("%s %s is a StringList: the step fails if it holds more than one value", ref.Kind, ref.String()))
	default:
		v.fail(CodeType, path.path(), val.String(), k.String(), fmt.Sprintf("%s %s is %s", ref.Kind, ref.String(), sh))
	}
}

// atMostOne reports whether a list parameter holds at most one value.
func (v *validator) atMostOne(r Reference) bool {
	p := v.params[r.Name]
	return r.Kind == RefParameter && p != nil && p.MaxItems != nil && *p.MaxItems <= 1
}

// checkEnum checks the string or strings of val against enum, given
// val.Ref().
func (v *validator) checkEnum(val Value, ref Reference, isRef bool, path lazyPath, enum []string) {
	check := func(it Value, ref Reference, isRef bool, p lazyPath) {
		if isRef {
			if ref.Kind == RefParameter {
				if prm := v.params[ref.Name]; prm != nil {
					for _, av := range prm.AllowedValues {
						if s, ok := av.AsString(); ok && !slices.Contains(enum, s) {
							v.fail(CodeEnum, p.path(), quote(s), strings.Join(enum, ", "),
								fmt.Sprintf("parameter %s allows a value this input does not", ref.Name))
						}
					}
				}
			}
			return
		}
		if inner, ok := it.plainString(); ok {
			// The common case, compared without decoding the string.
			if !bytes.Contains(inner, []byte("{{")) && !slices.ContainsFunc(enum, func(e string) bool { return e == string(inner) }) {
				v.fail(CodeEnum, p.path(), quote(string(inner)), strings.Join(enum, ", "), "value not allowed")
			}
			return
		}
		s, ok := it.AsString()
		if !ok || strings.Contains(s, "{{") {
			return
		}
		if !slices.Contains(enum, s) {
			v.fail(CodeEnum, p.path(), quote(s), strings.Join(enum, ", "), "value not allowed")
		}
	}
	if items, ok := val.AsList(); ok {
		for i, it := range items {
			ref, isRef := it.Ref()
			check(it, ref, isRef, path.Index(i))
		}
		return
	}
	check(val, ref, isRef, path)
}

// refShape returns the shape of what a reference resolves to.
func (v *validator) refShape(r Reference, sc *scope) shape {
	switch r.Kind {
	case RefParameter:
		if p := v.params[r.Name]; p != nil {
			return shapeOfType(p.Type)
		}
	case RefVariable:
		if vr := v.vars[r.Name]; vr != nil {
			return shapeOfType(vr.Type)
		}
	case RefGlobal, RefAutomation:
		return shString
	case RefStepOutput:
		for _, l := range sc.loops {
			if l.step.Name == r.Name {
				return l.outputs[r.Output]
			}
		}
		if info := v.defined(sc, r.Name); info != nil {
			return info.outputs[r.Output]
		}
	}
	return shUnknown
}

var globals = []string{GlobalAccountID, GlobalRegion, GlobalPartition, GlobalDate, GlobalDateTime}

// checkRefs checks that every reference in val resolves from the scope.
func (v *validator) checkRefs(val Value, path lazyPath, sc *scope) {
	if !mayHoldRef(val) {
		return
	}
	if s, ok := val.AsString(); ok {
		// The common case, without a path for the string.
		v.checkRefsIn(s, path, sc)
		return
	}
	walkStrings(val, path.path(), func(p *field.Path, s string) { v.checkRefsIn(s, at(p), sc) })
}

func (v *validator) checkRefsIn(s string, path lazyPath, sc *scope) {
	if !strings.Contains(s, "{{") {
		return
	}
	eachReference(s, func(r Reference) { v.checkRef(r, path, sc) })
}

// mayHoldRef reports whether a string in val may hold "{{": the compact
// JSON holds it, or an escape that may spell it.
func mayHoldRef(val Value) bool {
	return bytes.Contains(val.raw, []byte("{{")) || bytes.IndexByte(val.raw, '\\') >= 0
}

func (v *validator) checkRef(r Reference, path lazyPath, sc *scope) {
	switch r.Kind {
	case RefInvalid:
		v.fail(CodeReference, path.path(), quote(r.Text), "{{ Parameter }}, {{ step.Output }}, {{ global:NAME }}, {{ automation:EXECUTION_ID }}, {{ variable:NAME }}", "malformed reference")
	case RefSSMParameter:
		v.fail(CodeSSMReference, path.path(), quote(r.Text), "{{ssm:…}} in parameter defaults only", "Parameter Store reference outside a parameter default")
	case RefParameter:
		if v.params[r.Name] == nil {
			v.fail(CodeReference, path.path(), quote(r.Text), v.paramNames(), fmt.Sprintf("parameter %q is not declared", r.Name))
		}
	case RefGlobal:
		if !slices.Contains(globals, r.Name) {
			v.fail(CodeReference, path.path(), quote(r.Text), "global:"+strings.Join(globals, ", global:"), "unknown global variable")
		}
	case RefAutomation:
		if r.Name != AutomationExecutionID {
			v.fail(CodeReference, path.path(), quote(r.Text), "automation:EXECUTION_ID", "unknown automation variable")
		}
	case RefVariable:
		if v.vars[r.Name] == nil {
			v.fail(CodeReference, path.path(), quote(r.Text), "variables declared under variables", fmt.Sprintf("variable %q is not declared", r.Name))
		}
	case RefStepOutput:
		v.checkStepOutputRef(r, path, sc)
	}
}

func (v *validator) checkStepOutputRef(r Reference, path lazyPath, sc *scope) {
	for _, l := range sc.loops {
		if l.step.Name == r.Name {
			if _, ok := l.outputs[r.Output]; !ok {
				v.fail(CodeReference, path.path(), quote(r.Text), "CurrentIteration, CurrentIteratorValue", fmt.Sprintf("loop %q has no output %q", r.Name, r.Output))
			}
			return
		}
	}
	info := v.defined(sc, r.Name)
	if info == nil {
		if later := v.allSteps[r.Name]; later != nil {
			v.fail(CodeReference, path.path(), quote(r.Text), "outputs of steps that run earlier", fmt.Sprintf("step %q does not run before this one", r.Name))
			return
		}
		// A step output reference to no step may be a parameter whose name
		// holds a dot; those are not valid parameter names either.
		v.fail(CodeReference, path.path(), quote(r.Text), "outputs of earlier steps", fmt.Sprintf("no step named %q", r.Name))
		return
	}
	if info.loop != nil {
		v.fail(CodeReference, path.path(), quote(r.Text), "the loop's own steps", fmt.Sprintf("%s.%s is only defined inside loop %q", r.Name, r.Output, r.Name))
		return
	}
	if _, ok := info.outputs[r.Output]; !ok {
		v.fail(CodeReference, path.path(), quote(r.Text), outputList(info), fmt.Sprintf("step %q has no output %q", r.Name, r.Output))
	}
}

func outputList(info *stepInfo) string {
	names := make([]string, 0, len(info.outputs))
	for n := range info.outputs {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "step " + info.step.Name + " has no outputs"
	}
	return "outputs: " + strings.Join(names, ", ")
}

func (v *validator) checkDocumentOutputs() {
	sc := &scope{all: true}
	for i, o := range v.doc.Outputs {
		path := field.NewPath("outputs").Index(i)
		step, out, ok := strings.Cut(o, ".")
		if !ok || step == "" || out == "" {
			v.fail(CodeOutput, path, quote(o), "step.Output", "document output must name a step output")
			continue
		}
		v.checkStepOutputRef(Reference{Kind: RefStepOutput, Name: step, Output: out, Text: o}, at(path), sc)
	}
}

func (v *validator) checkLimits() {
	n := v.size
	if n == 0 {
		n = len(v.doc.CompactJSON())
	}
	if n > MaxContentBytes {
		v.fail(CodeContentSize, nil, strconv.Itoa(n)+" bytes", fmt.Sprintf("at most %d bytes", MaxContentBytes), "document content too large")
	}
	if name := v.opts.Name; name != "" {
		if !documentNameRE.MatchString(name) {
			v.fail(CodeDocumentName, nil, quote(name), `3 to 128 of a-z, A-Z, 0-9, _, -, .`, "invalid document name")
		}
		lower := strings.ToLower(name)
		for _, p := range reservedPrefix {
			if strings.HasPrefix(lower, p) {
				v.fail(CodeDocumentName, nil, quote(name), "a name not starting with aws, amazon or amzn", "document name uses a reserved prefix")
				break
			}
		}
	}
}

// successors returns the indexes of the steps that may follow step i.
func successors(steps []Step, i int, index map[string]int) []int {
	return appendSuccessors(nil, steps, i, index)
}

// appendSuccessors is successors appending to out.
func appendSuccessors(out []int, steps []Step, i int, index map[string]int) []int {
	return appendSuccessorsBy(out, steps, i, func(name string) (int, bool) {
		j, ok := index[name]
		return j, ok
	})
}

// appendSuccessorsBy is appendSuccessors with find giving the index of the
// step of steps named name.
func appendSuccessorsBy(out []int, steps []Step, i int, find func(name string) (int, bool)) []int {
	s := &steps[i] // not a copy: steps are large
	add := func(name string) {
		if j, ok := find(name); ok {
			out = append(out, j)
		}
	}
	if b, ok := s.Inputs.(Branch); ok {
		for _, c := range b.Choices {
			add(c.NextStep)
		}
		// Without a Default, no true choice goes on to the next step
		// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-branch.html).
		if b.Default != "" {
			add(b.Default)
		} else if i+1 < len(steps) {
			out = append(out, i+1)
		}
	} else if s.IsEnd == nil || !*s.IsEnd {
		if s.NextStep != "" {
			add(s.NextStep)
		} else if i+1 < len(steps) {
			out = append(out, i+1)
		}
	}
	// onFailure Continue follows the same edges as success.
	if name, ok := strings.CutPrefix(s.OnFailure, "step:"); ok {
		add(name)
	}
	if name, ok := strings.CutPrefix(s.OnCancel, "step:"); ok {
		add(name)
	}
	return out
}

func stepIndex(steps []Step) map[string]int {
	index := make(map[string]int, len(steps))
	for i, s := range steps {
		if _, dup := index[s.Name]; !dup {
			index[s.Name] = i
		}
	}
	return index
}

// checkReachable warns about steps no path from the first step reaches.
func (v *validator) checkReachable(steps []Step, path *field.Path) {
	if len(steps) == 0 {
		return
	}
	find := func(name string) (int, bool) {
		if info := v.allSteps[name]; info != nil && info.list == &steps[0] {
			return info.index, true
		}
		return 0, false
	}
	if v.namesRepeat {
		index := stepIndex(steps)
		find = func(name string) (int, bool) {
			j, ok := index[name]
			return j, ok
		}
	}
	seen := make([]bool, len(steps))
	stack := []int{0}
	seen[0] = true
	var next []int // reused for every step
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		next = appendSuccessorsBy(next[:0], steps, i, find)
		for _, j := range next {
			if !seen[j] {
				seen[j] = true
				stack = append(stack, j)
			}
		}
	}
	for i := range steps {
		s := &steps[i]
		if !seen[i] {
			v.warn(CodeUnreachable, path.Index(i), quote(s.Name), "", "step is never reached")
		}
		if l, ok := s.Inputs.(Loop); ok {
			v.checkReachable(l.Steps, path.Index(i).Child("inputs", "Steps"))
		}
	}
}

// article returns s with "a" or "an" before it.
func article(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "AEIOUaeiou") {
		return "an " + s
	}
	return "a " + s
}
