package pyscan

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Kind says what a Call is.
type Kind int

// The kinds of calls.
const (
	// Method is a client method: Name is the method, such as
	// describe_instances.
	Method Kind = iota
	// Paginator is client.get_paginator(Name).
	Paginator
	// Waiter is client.get_waiter(Name).
	Waiter
	// ResourceAction is a method of a boto3 resource: Type is "" for the
	// service resource, a sub-resource such as "Instance", or a
	// collection path such as "instances" or "Bucket.objects"; Name is
	// the method, or "load" when a sub-resource is created.
	ResourceAction
)

// Call is one AWS call the script can make.
type Call struct {
	Line   int
	Kind   Kind
	Client string // boto3 client or resource name, such as "ec2"
	Type   string // ResourceAction only
	Name   string
	// Args are the keyword arguments (Unknown when the analysis does not
	// know their value) and, for resource calls, the sub-resource's
	// identifiers as "$0", "$1". A client method's positional arguments
	// are "#0", "#1" (the S3 transfer helpers take Bucket and Key so). An
	// argument given as a dict literal in the call has Dict set and its
	// entries as "NAME.KEY" ("ExtraArgs.SSEKMSKeyId", "#3.SSEKMSKeyId").
	Args map[string]Arg
}

// Arg is a keyword argument value built from literals and InputPayload
// keys.
type Arg struct {
	// List is set for a list or tuple value.
	List bool
	// Items are the string values: literals or, when Event is set, the
	// InputPayload key the handler reads.
	Items []Item
	// Unknown is set, with no Items, for a keyword passed a value the
	// analysis does not know (a variable computed at run time, a number):
	// the call has the parameter, with any value.
	Unknown bool
	// Dict is set, with Unknown, for a dict literal written in the call
	// whose keys are all string literals: its entries are recorded, and
	// a key it lacks is not passed. A dict held in a variable may have
	// been changed since, so it is only Unknown.
	Dict bool
}

// Item is one string of an Arg.
type Item struct {
	Literal string
	Event   string // InputPayload key, such as "InstanceId"
}

// Problem is something the analysis cannot know.
type Problem struct {
	Line   int
	Detail string
}

// Result is what Analyze finds.
type Result struct {
	Calls    []Call
	Problems []Problem
}

// Analyze parses src and follows the handler function and everything it
// calls within the script, reporting the AWS calls it can make and what it
// cannot know. Code at module level runs on import and is included.
func Analyze(src []byte, handler string) (*Result, error) {
	root, err := parse(src)
	if err != nil {
		return nil, err
	}
	a := &analyzer{src: src, globals: &scope{vars: map[string]val{}}, memo: map[string]val{}, active: map[*node]bool{}, bound: map[int]bool{}}
	a.block(root, a.globals, nil)
	h, ok := a.globals.vars[handler]
	if !ok || h.kind != vFunc {
		a.problem(1, fmt.Sprintf("the handler function %q is not defined at module level", handler))
	} else {
		a.callFunc(h.fn, h.env, h.fn.line, []val{{kind: vEvents}, {}}, nil, nil)
	}
	a.sort()
	return &a.res, nil
}

type vkind int

const (
	vUnknown vkind = iota
	vStr
	vList
	vBoto3        // the boto3 module
	vSessionMod   // boto3.session
	vSessionClass // boto3.Session
	vSession
	vClientFactory   // boto3.client or session.client
	vResourceFactory // boto3.resource or session.resource
	vClient
	vResource    // service resource
	vResourceObj // sub-resource (typ) or collection (coll)
	vEvents
	vEventKey
	vFunc
	vClass
	vInstance
	vBound // a method bound to an instance
	vPager // a paginator or waiter; call is the Call get_paginator or get_waiter recorded
)

type val struct {
	kind  vkind
	s     string // string, service name or event key
	typ   string // sub-resource or collection path
	items []val
	fn    *node
	env   *scope // where a function was defined, for its free variables
	cls   *class
	self  *val
	line  int // where a client was made
	// args are a sub-resource's identifiers, as "$0", "$1" for the
	// positional arguments of its constructor (ec2.Instance("i-1")).
	args map[string]Arg
	// call is, for a paginator or waiter, 1 + the index of its Call.
	call int
}

func (v val) isAWS() bool {
	switch v.kind {
	case vClient, vResource, vResourceObj, vSession:
		return true
	}
	return false
}

type class struct {
	node    *node
	methods map[string]*node
	attrs   map[string]val
}

type scope struct {
	vars   map[string]val
	parent *scope
}

func (s *scope) get(name string) (val, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return val{}, false
}

// Bounds keep the analysis linear-ish on hostile input.
const (
	maxDepth    = 64     // nested function calls followed
	maxEvals    = 200000 // expression evaluations
	maxCalls    = 5000   // calls reported
	maxProblems = 200
	maxExprNest = 2000 // expression nesting
)

type analyzer struct {
	src     []byte
	globals *scope
	res     Result
	memo    map[string]val
	active  map[*node]bool
	depth   int
	cond    int // nesting of branches being run
	evals   int
	nest    int
	stopped bool
	// bound marks the paginator and waiter calls (1 + index) that took
	// the arguments of a paginate or wait.
	bound map[int]bool
}

func (a *analyzer) problem(line int, detail string) {
	if len(a.res.Problems) < maxProblems {
		a.res.Problems = append(a.res.Problems, Problem{Line: line, Detail: detail})
	}
}

func (a *analyzer) record(c Call) {
	if len(a.res.Calls) >= maxCalls {
		if !a.stopped {
			a.stopped = true
			a.problem(c.Line, "the script makes too many AWS calls to analyse")
		}
		return
	}
	a.res.Calls = append(a.res.Calls, c)
}

func (a *analyzer) text(n *node) string { return string(a.src[n.start:n.end]) }

// sort orders and deduplicates the result by line.
func (a *analyzer) sort() {
	key := func(c Call) string {
		return fmt.Sprintf("%08d|%d|%s|%s|%s|%v", c.Line, c.Kind, c.Client, c.Type, c.Name, c.Args)
	}
	slices.SortStableFunc(a.res.Calls, func(x, y Call) int { return strings.Compare(key(x), key(y)) })
	a.res.Calls = slices.CompactFunc(a.res.Calls, func(x, y Call) bool { return key(x) == key(y) })
	slices.SortStableFunc(a.res.Problems, func(x, y Problem) int {
		if x.Line != y.Line {
			return x.Line - y.Line
		}
		return strings.Compare(x.Detail, y.Detail)
	})
	a.res.Problems = slices.Compact(a.res.Problems)
}

// block runs the statements of a module, function body or block.
func (a *analyzer) block(n *node, sc *scope, ret *[]val) {
	for _, st := range n.kids {
		a.stmt(st, sc, ret)
	}
}

func (a *analyzer) stmt(n *node, sc *scope, ret *[]val) {
	switch n.kind {
	case "import_statement":
		for _, k := range n.kids {
			a.importName(k, "", sc)
		}
	case "import_from_statement":
		a.importFrom(n, sc)
	case "function_definition":
		if name := n.child("name"); name != nil {
			sc.vars[a.text(name)] = val{kind: vFunc, fn: n, env: sc}
		}
	case "decorated_definition":
		if def := n.child("definition"); def != nil {
			a.stmt(def, sc, ret)
		}
	case "class_definition":
		a.classDef(n, sc)
	case "expression_statement":
		for _, k := range n.kids {
			a.exprStmt(k, sc)
		}
	case "return_statement":
		for _, k := range n.kids {
			v := a.eval(k, sc)
			if ret != nil {
				*ret = append(*ret, v)
			}
		}
	case "for_statement":
		a.forStmt(n, sc, ret)
	case "block", "if_statement", "elif_clause", "else_clause", "while_statement", "try_statement",
		"except_clause", "finally_clause", "with_statement", "with_clause", "match_statement", "case_clause":
		a.compound(n, sc, ret)
	default:
		for _, k := range n.kids {
			a.eval(k, sc)
		}
	}
}

// importFrom binds the names of "from MODULE import NAME".
func (a *analyzer) importFrom(n *node, sc *scope) {
	mod := n.child("module_name")
	if mod == nil {
		return
	}
	for _, k := range n.kids {
		if k.field == "name" {
			a.importName(k, a.text(mod), sc)
		}
	}
}

// forStmt binds the loop variable to an element of what it iterates and
// runs the body and the else clause.
func (a *analyzer) forStmt(n *node, sc *scope, ret *[]val) {
	var left *node
	for _, k := range n.kids {
		switch k.field {
		case "left":
			left = k
		case "right":
			if left != nil {
				a.assign(left, elementOf(a.eval(k, sc)), sc)
			}
		case "body", "alternative":
			a.stmt(k, sc, ret)
		}
	}
}

// compound runs a block or a compound statement's clauses; calls under a
// condition, loop or handler are counted as conditional.
func (a *analyzer) compound(n *node, sc *scope, ret *[]val) {
	if n.kind == "if_statement" && a.isMainGuard(n.child("condition")) {
		// Automation imports the script: a __main__ block never runs.
		return
	}
	if n.kind != "block" && n.kind != "with_statement" && n.kind != "with_clause" && n.kind != "finally_clause" {
		a.cond++
		defer func() { a.cond-- }()
	}
	for _, k := range n.kids {
		switch k.kind {
		case "block", "elif_clause", "else_clause", "except_clause", "finally_clause", "with_clause", "case_clause":
			a.stmt(k, sc, ret)
		case "with_item":
			a.withItem(k, sc)
		default:
			if strings.HasSuffix(k.kind, "_statement") || strings.HasSuffix(k.kind, "_definition") {
				a.stmt(k, sc, ret)
			} else if k.field != "left" {
				a.eval(k, sc)
			}
		}
	}
}

// isMainGuard reports whether cond is __name__ == "__main__".
func (a *analyzer) isMainGuard(cond *node) bool {
	if cond == nil || cond.kind != "comparison_operator" || len(cond.kids) != 2 {
		return false
	}
	l, r := cond.kids[0], cond.kids[1]
	op := strings.TrimSpace(string(a.src[l.end:r.start]))
	if op != "==" {
		return false
	}
	if l.kind != "identifier" {
		l, r = r, l
	}
	s, ok := a.str(r)
	return l.kind == "identifier" && a.text(l) == "__name__" && ok && s == "__main__"
}

func (a *analyzer) withItem(n *node, sc *scope) {
	for _, k := range n.kids {
		if k.kind == "as_pattern" && len(k.kids) > 0 {
			v := a.eval(k.kids[0], sc)
			if t := k.child("alias"); t != nil {
				a.assign(t, v, sc)
			}
			continue
		}
		a.eval(k, sc)
	}
}

func (a *analyzer) importName(k *node, from string, sc *scope) {
	name, alias := k, k
	if k.kind == "aliased_import" {
		name, alias = k.child("name"), k.child("alias")
		if name == nil || alias == nil {
			return
		}
	}
	full := a.text(name)
	bind := a.text(alias)
	if k.kind != "aliased_import" {
		// "import boto3.session" binds boto3.
		bind, _, _ = strings.Cut(full, ".")
	}
	if from != "" {
		full = from + "." + full
	} else if k.kind != "aliased_import" {
		full = bind
	}
	var v val
	switch full {
	case "boto3":
		v = val{kind: vBoto3}
	case "boto3.session":
		v = val{kind: vSessionMod}
	case "boto3.Session", "boto3.session.Session":
		v = val{kind: vSessionClass}
	case "boto3.client":
		v = val{kind: vClientFactory}
	case "boto3.resource":
		v = val{kind: vResourceFactory}
	}
	sc.vars[bind] = v
}

func (a *analyzer) classDef(n *node, sc *scope) {
	name, body := n.child("name"), n.child("body")
	if name == nil || body == nil {
		return
	}
	c := &class{node: n, methods: map[string]*node{}, attrs: map[string]val{}}
	for _, st := range body.kids {
		def := st
		if def.kind == "decorated_definition" {
			def = def.child("definition")
		}
		if def == nil {
			continue
		}
		switch def.kind {
		case "function_definition":
			if mn := def.child("name"); mn != nil {
				c.methods[a.text(mn)] = def
			}
		case "expression_statement":
			// Class attributes: ec2 = boto3.client("ec2").
			for _, k := range def.kids {
				if k.kind == "assignment" {
					if l, r := k.child("left"), k.child("right"); l != nil && r != nil && l.kind == "identifier" {
						c.attrs[a.text(l)] = a.eval(r, sc)
					}
				}
			}
		}
	}
	sc.vars[a.text(name)] = val{kind: vClass, cls: c}
}

func (a *analyzer) exprStmt(n *node, sc *scope) {
	switch n.kind {
	case "assignment":
		l, r := n.child("left"), n.child("right")
		if r == nil {
			return
		}
		v := a.eval(r, sc)
		if l != nil {
			a.assign(l, v, sc)
		}
	case "augmented_assignment":
		if r := n.child("right"); r != nil {
			a.eval(r, sc)
		}
	default:
		a.eval(n, sc)
	}
}

func (a *analyzer) assign(l *node, v val, sc *scope) {
	switch l.kind {
	case "identifier":
		name := a.text(l)
		if old, ok := sc.vars[name]; ok && a.cond > 0 && old.isAWS() && v.isAWS() && (old.kind != v.kind || old.s != v.s) {
			// Branches are run one after the other: the later would
			// hide the earlier.
			a.problem(l.line, fmt.Sprintf("%s is the %s client made at line %d or the %s client made at line %d depending on the branch taken", name, old.s, old.line, v.s, v.line))
		}
		sc.vars[name] = v
		return
	case "attribute":
		obj, attr := l.child("object"), l.child("attribute")
		if obj != nil && attr != nil {
			if o := a.eval(obj, sc); o.kind == vInstance {
				o.cls.attrs[a.text(attr)] = v
				return
			}
		}
	case "pattern_list", "tuple_pattern", "list_pattern":
		if v.kind == vList && len(v.items) == len(l.kids) {
			for i, k := range l.kids {
				a.assign(k, v.items[i], sc)
			}
			return
		}
		for _, k := range l.kids {
			a.assign(k, val{}, sc)
		}
		return
	}
	a.escape(v, l.line)
}

// escape reports an AWS client (or anything holding one) that flows where
// the analysis does not follow it.
func (a *analyzer) escape(v val, line int) {
	if v.isAWS() {
		a.problem(line, fmt.Sprintf("a %s client made at line %d is stored or passed where the analysis cannot follow it", v.s, v.line))
	}
	switch {
	case v.kind == vPager:
		a.pagerUse(v, nil)
	case v.kind == vBound && v.self != nil && v.self.kind == vPager:
		a.pagerUse(*v.self, nil)
	}
	for _, it := range v.items {
		a.escape(it, line)
	}
}

// eval evaluates an expression, reporting the AWS calls it makes.
func (a *analyzer) eval(n *node, sc *scope) val {
	if a.overBudget(n) {
		return val{}
	}
	a.nest++
	defer func() { a.nest-- }()
	switch n.kind {
	case "string":
		if s, ok := a.str(n); ok {
			return val{kind: vStr, s: s}
		}
	case "concatenated_string":
		return a.concatenated(n)
	case "parenthesized_expression":
		if len(n.kids) == 1 {
			return a.eval(n.kids[0], sc)
		}
	case "list", "tuple", "expression_list":
		v := val{kind: vList}
		for _, k := range n.kids {
			v.items = append(v.items, a.eval(k, sc))
		}
		return v
	case "identifier":
		v, _ := sc.get(a.text(n))
		return v
	case "attribute":
		return a.attribute(n, sc)
	case "subscript":
		return a.subscript(n, sc)
	case "call":
		return a.call(n, sc)
	case "function_definition", "class_definition":
		return val{}
	case "dictionary", "set", "list_comprehension", "dictionary_comprehension", "set_comprehension", "generator_expression", "pair":
		for _, k := range n.kids {
			a.escape(a.eval(k, sc), k.line)
		}
		return val{}
	case "boolean_operator", "conditional_expression":
		return a.anyOperand(n, sc)
	}
	for _, k := range n.kids {
		a.eval(k, sc)
	}
	return val{}
}

// overBudget counts an evaluation and reports, once, a script too large
// or too deeply nested to analyse.
func (a *analyzer) overBudget(n *node) bool {
	a.evals++
	if a.evals <= maxEvals && a.nest <= maxExprNest {
		return false
	}
	if !a.stopped {
		a.stopped = true
		a.problem(n.line, "the script is too complex to analyse")
	}
	return true
}

// concatenated is the value of adjacent string literals, "a" "b".
func (a *analyzer) concatenated(n *node) val {
	var b strings.Builder
	for _, k := range n.kids {
		s, ok := a.str(k)
		if !ok {
			return val{}
		}
		b.WriteString(s)
	}
	return val{kind: vStr, s: b.String()}
}

// subscript is events["key"] for the handler's event; any other
// subscript lets its object escape.
func (a *analyzer) subscript(n *node, sc *scope) val {
	obj := a.eval(n.child("value"), sc)
	var key val
	for _, k := range n.kids {
		if k.field == "subscript" {
			key = a.eval(k, sc)
		}
	}
	if obj.kind == vEvents && key.kind == vStr {
		return val{kind: vEventKey, s: key.s}
	}
	a.escape(obj, n.line)
	return val{}
}

// anyOperand is the first known operand of x or boto3.client("ec2"), or
// of a conditional expression: any operand may be the value.
func (a *analyzer) anyOperand(n *node, sc *scope) val {
	var out val
	for _, k := range n.kids {
		if v := a.eval(k, sc); v.kind != vUnknown && out.kind == vUnknown {
			out = v
		}
	}
	return out
}

// str returns the value of a string literal without interpolation.
func (a *analyzer) str(n *node) (string, bool) {
	if n.kind != "string" {
		return "", false
	}
	var b strings.Builder
	raw := false
	for _, k := range n.kids {
		switch k.kind {
		case "string_start":
			p := strings.ToLower(a.text(k))
			raw = strings.Contains(p, "r")
			if strings.Contains(p, "b") {
				return "", false
			}
		case "string_content":
			// Escapes are separate nodes inside the content.
			pos := k.start
			for _, e := range k.kids {
				b.Write(a.src[pos:e.start])
				esc := a.text(e)
				if u, err := strconv.Unquote(`"` + esc + `"`); err == nil && !raw {
					b.WriteString(u)
				} else {
					b.WriteString(esc)
				}
				pos = e.end
			}
			b.Write(a.src[pos:k.end])
		case "string_end":
		default:
			return "", false
		}
	}
	return b.String(), true
}

func (a *analyzer) attribute(n *node, sc *scope) val {
	objN, attrN := n.child("object"), n.child("attribute")
	if objN == nil || attrN == nil {
		return val{}
	}
	obj := a.eval(objN, sc)
	attr := a.text(attrN)
	switch obj.kind {
	case vBoto3, vSessionMod, vSession:
		return sessionAttr(obj.kind, attr)
	case vClient, vResource, vResourceObj:
		return a.awsAttr(n, obj, attr)
	case vInstance, vClass:
		return a.classAttr(obj, attr)
	case vBound:
		if obj.self != nil && (obj.self.kind == vResource || obj.self.kind == vResourceObj) && !isUpper(obj.typ) {
			// A collection: ec2.instances.filter, bucket.objects.all.
			coll := val{kind: vResourceObj, s: obj.s, typ: joinPath(obj.self.typ, obj.typ), line: obj.line, args: obj.self.args}
			return val{kind: vBound, s: obj.s, typ: attr, line: obj.line, self: &coll}
		}
	case vEvents:
		if attr == "get" {
			return val{kind: vBound, typ: "get", self: &obj}
		}
	case vPager:
		if attr == "paginate" || attr == "wait" {
			return val{kind: vBound, s: obj.s, typ: attr, line: obj.line, self: &obj}
		}
	}
	return val{}
}

// sessionAttr is an attribute of the boto3 module, its session module or
// a session: the factories of clients, resources and sessions.
func sessionAttr(kind vkind, attr string) val {
	switch {
	case kind != vSessionMod && attr == "client":
		return val{kind: vClientFactory}
	case kind != vSessionMod && attr == "resource":
		return val{kind: vResourceFactory}
	case kind != vSession && attr == "Session":
		return val{kind: vSessionClass}
	case kind == vBoto3 && attr == "session":
		return val{kind: vSessionMod}
	}
	return val{}
}

// awsAttr is an attribute of a client or resource: an operation, an
// action or a sub-resource bound to it; meta reaches internals that
// cannot be followed.
func (a *analyzer) awsAttr(n *node, obj val, attr string) val {
	if obj.kind == vClient {
		switch attr {
		case "meta":
			a.problem(n.line, fmt.Sprintf("%s.meta reaches the client's internals: what it calls cannot be known", obj.s))
		case "exceptions":
		default:
			return val{kind: vBound, s: obj.s, typ: attr, line: obj.line, self: &val{kind: vClient, s: obj.s}}
		}
		return val{}
	}
	if attr == "meta" {
		a.problem(n.line, fmt.Sprintf("%s.meta reaches the resource's client: what it calls cannot be known", obj.s))
		return val{}
	}
	self := obj
	return val{kind: vBound, s: obj.s, typ: attr, line: obj.line, self: &self}
}

// classAttr is an attribute or method of a class of the script or of an
// instance of one: an instance's attributes come before its methods, a
// class's methods before its attributes.
func (a *analyzer) classAttr(obj val, attr string) val {
	if obj.kind == vInstance {
		if v, ok := obj.cls.attrs[attr]; ok {
			return v
		}
		if m, ok := obj.cls.methods[attr]; ok {
			self := obj
			return val{kind: vBound, fn: m, self: &self}
		}
		return val{}
	}
	if m, ok := obj.cls.methods[attr]; ok {
		return val{kind: vFunc, fn: m, env: a.globals}
	}
	if v, ok := obj.cls.attrs[attr]; ok {
		return v
	}
	return val{}
}

func (a *analyzer) call(n *node, sc *scope) val {
	fnN, argsN := n.child("function"), n.child("arguments")
	if fnN == nil {
		return val{}
	}
	if a.dynamicGetattr(n, fnN, argsN, sc) {
		return val{}
	}
	f := a.eval(fnN, sc)
	args, kw, kwArgs := a.callArgs(argsN, sc)
	switch f.kind {
	case vClientFactory, vResourceFactory:
		return a.factoryCall(n, f, args, kw)
	case vSessionClass:
		return val{kind: vSession}
	case vFunc:
		return a.callFunc(f.fn, f.env, n.line, args, kw, nil)
	case vClass:
		inst := val{kind: vInstance, cls: f.cls}
		if init, ok := f.cls.methods["__init__"]; ok {
			a.callFunc(init, a.globals, n.line, args, kw, &inst)
		}
		return inst
	case vBound:
		return a.boundCall(f, n, args, kw, kwArgs)
	}
	a.escapeArgs(n, args, kw)
	return val{}
}

// dynamicGetattr reports getattr(client, name), which picks the
// operation at run time, as a problem.
func (a *analyzer) dynamicGetattr(n, fnN, argsN *node, sc *scope) bool {
	if fnN.kind != "identifier" || a.text(fnN) != "getattr" || argsN == nil || len(argsN.kids) == 0 {
		return false
	}
	o := a.eval(argsN.kids[0], sc)
	if !o.isAWS() {
		return false
	}
	a.problem(n.line, fmt.Sprintf("getattr on the %s client made at line %d chooses the operation at run time", o.s, o.line))
	return true
}

// callArgs evaluates a call's arguments: the positional ones, the keyword
// ones, and the keyword ones as recorded arguments.
func (a *analyzer) callArgs(argsN *node, sc *scope) (args []val, kw map[string]val, kwArgs map[string]Arg) {
	kw = map[string]val{}
	if argsN == nil {
		return nil, kw, nil
	}
	for _, k := range argsN.kids {
		switch k.kind {
		case "keyword_argument":
			name, value := k.child("name"), k.child("value")
			if name == nil || value == nil {
				continue
			}
			if kwArgs == nil {
				kwArgs = map[string]Arg{}
			}
			kw[a.text(name)] = a.recordArg(kwArgs, a.text(name), value, sc)
		case "list_splat", "dictionary_splat":
			a.escape(a.eval(k, sc), k.line)
			args = append(args, val{})
		default:
			if kwArgs == nil {
				kwArgs = map[string]Arg{}
			}
			args = append(args, a.recordArg(kwArgs, "#"+strconv.Itoa(len(args)), k, sc))
		}
	}
	return args, kw, kwArgs
}

// recordArg evaluates the argument n and records it in out under key,
// with a dict literal's entries under "key.ENTRY".
func (a *analyzer) recordArg(out map[string]Arg, key string, n *node, sc *scope) val {
	if n.kind == "dictionary" {
		entries, complete := a.dictLiteral(n, sc)
		out[key] = Arg{Unknown: true, Dict: complete}
		if complete {
			for k, v := range entries {
				out[key+"."+k] = v
			}
		}
		return val{}
	}
	v := a.eval(n, sc)
	arg, ok := toArg(v)
	if !ok {
		arg = Arg{Unknown: true}
	}
	out[key] = arg
	return v
}

// dictLiteral evaluates a dict literal as eval does (what it holds that
// the analysis cannot follow is reported) and returns its entries;
// complete is false when a key is not a string literal or another dict
// is unpacked into it.
func (a *analyzer) dictLiteral(n *node, sc *scope) (entries map[string]Arg, complete bool) {
	entries, complete = map[string]Arg{}, true
	for _, k := range n.kids {
		key, value := k.child("key"), k.child("value")
		if k.kind != "pair" || key == nil || value == nil {
			complete = false
			a.escape(a.eval(k, sc), k.line)
			continue
		}
		name, literal := a.str(key)
		if !literal {
			// Python evaluates the key first; it may call AWS too.
			complete = false
			a.escape(a.eval(key, sc), key.line)
		}
		v := a.eval(value, sc)
		a.escape(v, k.line)
		if !literal {
			continue
		}
		arg, ok := toArg(v)
		if !ok {
			arg = Arg{Unknown: true}
		}
		entries[name] = arg
	}
	return entries, complete
}

// factoryCall is boto3.client(...) or boto3.resource(...): a client or
// resource of the named service, or a problem when the name is computed.
func (a *analyzer) factoryCall(n *node, f val, args []val, kw map[string]val) val {
	svc := kw["service_name"]
	if len(args) > 0 {
		svc = args[0]
	}
	kind, what := vClient, "client"
	if f.kind == vResourceFactory {
		kind, what = vResource, "resource"
	}
	if svc.kind != vStr {
		a.problem(n.line, fmt.Sprintf("the service name of this boto3 %s is computed at run time: %s", what, a.text(n)))
		return val{}
	}
	return val{kind: kind, s: svc.s, line: n.line}
}

// escapeArgs follows functions of the script handed to code outside it
// (executor.submit, map, callbacks), which may run, with unknown
// arguments.
func (a *analyzer) escapeArgs(n *node, args []val, kw map[string]val) {
	for _, v := range append(args, mapValues(kw)...) {
		a.escape(v, n.line)
		switch {
		case v.kind == vFunc:
			a.callFunc(v.fn, v.env, n.line, nil, nil, nil)
		case v.kind == vBound && v.fn != nil && v.self != nil && v.self.kind == vInstance:
			a.callFunc(v.fn, a.globals, n.line, nil, nil, v.self)
		}
	}
}

func mapValues(m map[string]val) []val {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]val, 0, len(m))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

func (a *analyzer) boundCall(f val, n *node, args []val, kw map[string]val, kwArgs map[string]Arg) val {
	self := *f.self
	switch self.kind {
	case vInstance:
		return a.callFunc(f.fn, a.globals, n.line, args, kw, &self)
	case vEvents:
		if len(args) > 0 && args[0].kind == vStr {
			return val{kind: vEventKey, s: args[0].s}
		}
		return val{}
	case vPager:
		a.pagerCall(self, f.typ, n, args, kwArgs)
		return val{}
	case vClient:
		switch f.typ {
		case "get_paginator", "get_waiter":
			name := arg0(args, kw, "operation_name")
			if f.typ == "get_waiter" {
				name = arg0(args, kw, "waiter_name")
			}
			if name.kind != vStr {
				a.problem(n.line, fmt.Sprintf("%s.%s is given a name computed at run time", self.s, f.typ))
				return val{}
			}
			k := Paginator
			if f.typ == "get_waiter" {
				k = Waiter
			}
			before := len(a.res.Calls)
			a.record(Call{Line: n.line, Kind: k, Client: self.s, Name: name.s})
			if len(a.res.Calls) == before {
				return val{}
			}
			return val{kind: vPager, s: self.s, typ: name.s, line: n.line, call: len(a.res.Calls)}
		case "can_paginate", "close":
			return val{}
		}
		for _, v := range args {
			a.escape(v, n.line)
		}
		a.record(Call{Line: n.line, Kind: Method, Client: self.s, Name: f.typ, Args: kwArgs})
		return val{}
	case vResource, vResourceObj:
		typ := self.typ
		if isUpper(f.typ) {
			// A sub-resource: ec2.Instance("i-1") loads it when used.
			var ids map[string]Arg
			for i, v := range args {
				if arg, ok := toArg(v); ok {
					if ids == nil {
						ids = map[string]Arg{}
					}
					ids["$"+strconv.Itoa(i)] = arg
				}
			}
			a.record(Call{Line: n.line, Kind: ResourceAction, Client: self.s, Type: f.typ, Name: "load", Args: ids})
			return val{kind: vResourceObj, s: self.s, typ: f.typ, line: n.line, args: ids}
		}
		if len(self.args) > 0 {
			merged := make(map[string]Arg, len(self.args)+len(kwArgs))
			for k, v := range self.args {
				merged[k] = v
			}
			for k, v := range kwArgs {
				merged[k] = v
			}
			kwArgs = merged
		}
		a.record(Call{Line: n.line, Kind: ResourceAction, Client: self.s, Type: typ, Name: f.typ, Args: kwArgs})
		if isCollectionMethod(f.typ) {
			// instances.filter(...) returns the collection again.
			return self
		}
		return val{}
	}
	// A collection attribute (ec2.instances) called directly is unusual;
	// an attribute of a resource that is not called is a collection.
	return val{}
}

// pagerCall gives the call a paginator or waiter makes the arguments of
// its paginate or wait: the operation's request parameters, which scope
// its resources.
func (a *analyzer) pagerCall(p val, method string, n *node, args []val, kwArgs map[string]Arg) {
	for _, v := range args {
		a.escape(v, n.line)
	}
	if (a.res.Calls[p.call-1].Kind == Paginator) == (method == "paginate") {
		a.pagerUse(p, kwArgs)
	}
}

// pagerUse records one use of a paginator or waiter with args: the first
// use fills the call get_paginator or get_waiter recorded, another is
// another call. A paginator handed to code the analysis cannot follow is
// used with nil args, any arguments.
func (a *analyzer) pagerUse(p val, args map[string]Arg) {
	if !a.bound[p.call] {
		a.bound[p.call] = true
		a.res.Calls[p.call-1].Args = args
		return
	}
	c := a.res.Calls[p.call-1]
	c.Args = args
	a.record(c)
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// elementOf is what iterating a collection yields: ec2.instances gives
// Instance resources, bucket.objects ObjectSummary resources.
func elementOf(coll val) val {
	name := coll.typ[strings.LastIndexByte(coll.typ, '.')+1:]
	if coll.kind != vResourceObj || name == "" || isUpper(name) {
		return val{}
	}
	if name == "objects" {
		return val{kind: vResourceObj, s: coll.s, typ: "ObjectSummary", line: coll.line}
	}
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimSuffix(name, "s"), "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return val{kind: vResourceObj, s: coll.s, typ: b.String(), line: coll.line}
}

func isCollectionMethod(m string) bool {
	switch m {
	case "all", "filter", "limit", "page_size":
		return true
	}
	return false
}

func arg0(args []val, kw map[string]val, kwName string) val {
	if len(args) > 0 {
		return args[0]
	}
	return kw[kwName]
}

// toArg converts a value of literals and InputPayload keys.
func toArg(v val) (Arg, bool) {
	switch v.kind {
	case vStr:
		return Arg{Items: []Item{{Literal: v.s}}}, true
	case vEventKey:
		return Arg{Items: []Item{{Event: v.s}}}, true
	case vList:
		out := Arg{List: true}
		for _, it := range v.items {
			a, ok := toArg(it)
			if !ok || a.List {
				return Arg{}, false
			}
			out.Items = append(out.Items, a.Items...)
		}
		return out, true
	}
	return Arg{}, false
}

// callFunc follows a function of the script with the given arguments and
// returns what it returns when that is known.
func (a *analyzer) callFunc(fn *node, env *scope, line int, args []val, kw map[string]val, self *val) val {
	if a.active[fn] {
		return val{} // recursion: its calls are already being followed
	}
	if a.depth >= maxDepth {
		a.problem(line, "functions nest too deeply to follow")
		return val{}
	}
	if env == nil {
		env = a.globals
	}
	sc := &scope{vars: map[string]val{}, parent: env}
	params := fn.child("parameters")
	i := 0
	if self != nil {
		args = append([]val{*self}, args...)
	}
	if params != nil {
		for _, p := range params.kids {
			var name *node
			var def *node
			switch p.kind {
			case "identifier":
				name = p
			case "default_parameter", "typed_default_parameter":
				name, def = p.child("name"), p.child("value")
				if name == nil {
					name = firstIdent(p)
				}
			case "typed_parameter":
				name = firstIdent(p)
			default:
				continue
			}
			if name == nil {
				continue
			}
			pn := a.text(name)
			var v val
			switch {
			case i < len(args):
				v = args[i]
			case kw[pn].kind != vUnknown:
				v = kw[pn]
			case def != nil:
				v = a.eval(def, a.globals)
			}
			sc.vars[pn] = v
			i++
		}
	}
	key := a.memoKey(fn, sc, self)
	if v, ok := a.memo[key]; ok {
		return v
	}
	a.memo[key] = val{}
	a.active[fn] = true
	a.depth++
	var rets []val
	if body := fn.child("body"); body != nil {
		a.block(body, sc, &rets)
	}
	a.depth--
	delete(a.active, fn)
	var out val
	for _, r := range rets {
		if r.kind != vUnknown {
			out = r
			break
		}
	}
	a.memo[key] = out
	return out
}

// writeValKey writes what distinguishes v for the memo: two values with
// the same key make the same calls.
func writeValKey(b *strings.Builder, v val, depth int) {
	fmt.Fprintf(b, "%d:%q:%q:%p", v.kind, v.s, v.typ, v.fn)
	if v.cls != nil {
		fmt.Fprintf(b, ":%p", v.cls)
	}
	for _, k := range slices.Sorted(maps.Keys(v.args)) {
		fmt.Fprintf(b, ":%s=%v", k, v.args[k])
	}
	if depth > 4 {
		return
	}
	b.WriteByte('[')
	for _, it := range v.items {
		writeValKey(b, it, depth+1)
		b.WriteByte(',')
	}
	b.WriteByte(']')
}

func firstIdent(n *node) *node {
	for _, k := range n.kids {
		if k.kind == "identifier" {
			return k
		}
	}
	return nil
}

// memoKey identifies a function followed with abstract arguments, so
// each combination is followed once.
func (a *analyzer) memoKey(fn *node, sc *scope, self *val) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%p", fn.start, sc.parent)
	names := make([]string, 0, len(sc.vars))
	for k := range sc.vars {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		b.WriteString("|" + k + "=")
		writeValKey(&b, sc.vars[k], 0)
	}
	if self != nil && self.cls != nil {
		fmt.Fprintf(&b, "|self=%d", self.cls.node.start)
	}
	return b.String()
}
