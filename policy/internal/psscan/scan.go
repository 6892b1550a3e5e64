package psscan

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxScript is the largest script Scan reads.
const MaxScript = 256 << 10

// ErrTooLarge is returned for a script larger than MaxScript.
var ErrTooLarge = errors.New("psscan: script too large")

// Command is one command the script runs.
type Command struct {
	Line int
	// Name is the command as written, without a module qualifier.
	Name string
	// Args are the named parameters, by name as written without the dash.
	Args map[string]Arg
}

// Arg is the value of a named parameter.
type Arg struct {
	// Literal is the value when it is a literal word or string.
	Literal string
	// Event is set, instead of Literal, for $VAR.Key where $VAR holds
	// the step's InputPayload ($VAR = $env:InputPayload | ConvertFrom-Json,
	// as the executeScript documentation writes it, and never assigned
	// otherwise): the value is the payload's Key.
	Event string
	// Unknown is set when the value is computed at run time (a
	// variable, an expression, an expandable string).
	Unknown bool
	// Switch is set for a parameter given without a value.
	Switch bool
}

// Problem is something the scan cannot know.
type Problem struct {
	Line   int
	Detail string
}

// Result is what Scan finds.
type Result struct {
	Commands []Command
	Problems []Problem
	// Functions are the names, in lower case, of the functions and
	// filters the script defines.
	Functions map[string]bool
}

// Scan tokenizes src and reports the commands it runs and what chooses
// code at run time.
func Scan(src []byte) (*Result, error) {
	if len(src) > MaxScript {
		return nil, ErrTooLarge
	}
	l := &lexer{src: strings.ReplaceAll(string(src), "\r\n", "\n"), line: 1}
	main := l.lex(false)
	s := &scanner{res: Result{Functions: map[string]bool{}}, payload: payloadVars(append([][]token{main}, l.subs...))}
	s.statements(main)
	for i := 0; i < len(l.subs); i++ {
		s.statements(l.subs[i])
	}
	if l.deep {
		s.problem(1, "strings nest subexpressions too deeply to scan")
	}
	slices.SortStableFunc(s.res.Commands, func(a, b Command) int { return a.Line - b.Line })
	slices.SortStableFunc(s.res.Problems, func(a, b Problem) int { return a.Line - b.Line })
	return &s.res, nil
}

type scanner struct {
	res Result
	// payload names the variables, in lower case without $, that hold
	// the step's InputPayload.
	payload map[string]bool
	// depth counts the argument groups being scanned; past maxDepth the
	// scan stops descending and reports it once (deep).
	depth int
	deep  bool
}

func (s *scanner) problem(line int, format string, args ...any) {
	s.res.Problems = append(s.res.Problems, Problem{Line: line, Detail: fmt.Sprintf(format, args...)})
}

// startsCommand lists the operators after which PowerShell reads a
// command.
var startsCommand = map[string]bool{"|": true, ";": true, "(": true, "{": true, "$(": true, "@(": true, "=": true, "&&": true, "||": true}

// assignOps are the compound assignments, which the lexer reads as words.
var assignOps = map[string]bool{"+=": true, "-=": true, "*=": true, "/=": true, "%=": true, "??=": true}

// Keywords followed by a pipeline (a command may come next) and keywords
// followed by something else (a condition, a name, a block).
var (
	pipelineKeywords = map[string]bool{"else": true, "do": true, "try": true, "finally": true, "begin": true, "process": true,
		"end": true, "return": true, "throw": true, "exit": true, "clean": true}
	otherKeywords = map[string]bool{"if": true, "elseif": true, "while": true, "for": true, "foreach": true, "switch": true,
		"until": true, "catch": true, "trap": true, "param": true, "using": true, "class": true, "enum": true, "data": true,
		"dynamicparam": true, "break": true, "continue": true, "configuration": true, "hidden": true, "static": true}
	defineKeywords = map[string]bool{"function": true, "filter": true, "workflow": true}
)

// statements walks a token list, finding commands where PowerShell reads
// them.
func (s *scanner) statements(toks []token) {
	cmdPos := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		s.watch(toks, i)
		switch t.kind {
		case tNewline:
			cmdPos = true
			continue
		case tOp:
			switch {
			case startsCommand[t.text]:
				cmdPos = true
			case (t.text == "&" || t.text == ".") && cmdPos:
				i = s.invoke(toks, i)
				cmdPos = false
			default:
				cmdPos = false
			}
			continue
		}
		if t.kind == tWord && (assignOps[t.text] || strings.EqualFold(t.text, "in")) {
			// An assignment, or foreach's "in", takes a pipeline.
			cmdPos = true
			continue
		}
		if !cmdPos || t.kind != tWord {
			cmdPos = false
			continue
		}
		if isNumber(t.text) {
			// A number in statement position is an expression.
			cmdPos = false
			continue
		}
		if i+1 < len(toks) && toks[i+1].kind == tOp && toks[i+1].text == "=" {
			// A hashtable key (@{Name = value}); its value is read next.
			continue
		}
		kw := strings.ToLower(t.text)
		switch {
		case pipelineKeywords[kw]:
			continue
		case otherKeywords[kw]:
			cmdPos = false
			continue
		case defineKeywords[kw]:
			if i+1 < len(toks) && toks[i+1].kind == tWord {
				name := strings.ToLower(toks[i+1].text)
				if _, after, ok := strings.Cut(name, ":"); ok {
					name = after // function script:Name
				}
				s.res.Functions[name] = true
				i++
			}
			cmdPos = false
			continue
		}
		i = s.command(toks, i, t.text)
		cmdPos = false
	}
}

// watch reports tokens that run code chosen at run time wherever they
// appear: .NET SDK clients, [scriptblock]::Create and $ExecutionContext.
func (s *scanner) watch(toks []token, i int) {
	t := toks[i]
	low := strings.ToLower(t.text)
	switch t.kind {
	case tWord:
		if strings.HasPrefix(low, "amazon.") && strings.HasSuffix(low, "client") {
			s.problem(t.line, "uses the AWS SDK for .NET client %s directly", t.text)
		}
		if low == "scriptblock" && i+2 < len(toks) && toks[i+1].text == "]" && strings.HasPrefix(strings.ToLower(toks[i+2].text), "::create") {
			s.problem(t.line, "[scriptblock]::Create runs code built at run time")
		}
	case tVar:
		if strings.HasPrefix(low, "$executioncontext") {
			s.problem(t.line, "$ExecutionContext can run code built at run time")
		}
	}
}

// invoke handles the call operator & and dot-sourcing at toks[i]: a
// literal command name is a command, anything else is chosen at run time.
func (s *scanner) invoke(toks []token, i int) int {
	op := toks[i]
	what := "the call operator &"
	if op.text == "." {
		what = "dot-sourcing"
	}
	if i+1 >= len(toks) {
		return i
	}
	next := toks[i+1]
	if next.kind == tWord || next.kind == tString && !next.expand {
		return s.command(toks, i+1, next.text)
	}
	s.problem(op.line, "%s runs a command chosen at run time", what)
	return i
}

// command records the command name at toks[i] with its named parameters
// and returns the index of its last argument.
func (s *scanner) command(toks []token, i int, name string) int {
	line := toks[i].line
	low := strings.ToLower(name)
	if mod, cmd, ok := strings.Cut(name, `\`); ok && isModuleName(mod) && !strings.ContainsAny(cmd, `\/`) && cmd != "" {
		name, low = cmd, strings.ToLower(cmd)
	}
	switch {
	case low == "invoke-expression" || low == "iex":
		s.problem(line, "%s runs a string as code", name)
	case low == "aws" || low == "aws.exe":
		s.problem(line, "the AWS CLI (%s) calls APIs the scan does not read", name)
	case strings.ContainsAny(name, `\/`) || strings.HasSuffix(low, ".ps1") || strings.HasSuffix(low, ".exe"):
		s.problem(line, "%s runs another script or program", name)
	}
	// Recorded before its arguments, so it comes before the commands
	// nested in them.
	s.res.Commands = append(s.res.Commands, Command{Line: line, Name: name})
	idx := len(s.res.Commands) - 1
	args, end := s.arguments(toks, i+1)
	s.res.Commands[idx].Args = args
	return end
}

// endsCommand lists the operators that end a command's arguments.
var endsCommand = map[string]bool{"|": true, ";": true, ")": true, "}": true, "&&": true, "||": true}

// arguments reads the named parameters of a command from toks[j:],
// scanning the pipelines and script blocks among them, and returns them
// with the index of the command's last token.
func (s *scanner) arguments(toks []token, j int) (map[string]Arg, int) {
	var args map[string]Arg
	for ; j < len(toks); j++ {
		t := toks[j]
		if t.kind == tNewline || t.kind == tOp && endsCommand[t.text] {
			break
		}
		if t.kind == tOp && opens(t.text) {
			// A nested pipeline or script block: scanned on its own, and
			// the command's arguments go on after it.
			j = s.group(toks, j)
			continue
		}
		s.watch(toks, j)
		if t.kind != tParam {
			continue
		}
		if args == nil {
			args = map[string]Arg{}
		}
		pname, val, inline := strings.Cut(t.text, ":")
		switch {
		case inline && val != "":
			args[pname] = Arg{Literal: val}
		case j+2 < len(toks) && s.payloadKey(toks, j+1) != "" && !continues(toks, j+2):
			args[pname] = Arg{Event: s.payloadKey(toks, j+1)}
			j += 2
		case j+1 < len(toks):
			args[pname] = argValue(toks[j+1])
			if !args[pname].Switch && toks[j+1].kind != tOp {
				j++
				if continues(toks, j) {
					// A list (i-1,i-2) or a value joined to more
					// ('/app/'+$x): not one literal.
					args[pname] = Arg{Unknown: true}
				}
			}
		default:
			args[pname] = Arg{Switch: true}
		}
	}
	return args, j - 1
}

// group scans the statements of the group opened at toks[j], up to
// maxDepth groups deep, and returns the index of its closing token.
func (s *scanner) group(toks []token, j int) int {
	k := closeOf(toks, j)
	if s.depth >= maxDepth {
		if !s.deep {
			s.deep = true
			s.problem(toks[j].line, "commands nest too deeply to scan")
		}
		return k
	}
	s.depth++
	s.statements(toks[j+1 : min(k, len(toks))])
	s.depth--
	return k
}

// argValue is the value of a parameter given by token t.
func argValue(t token) Arg {
	switch t.kind {
	case tWord:
		return Arg{Literal: t.text}
	case tString:
		if t.expand {
			return Arg{Unknown: true}
		}
		return Arg{Literal: t.text}
	case tParam, tNewline:
		return Arg{Switch: true}
	case tOp:
		switch t.text {
		case "|", ";", ")", "}", "&&", "||":
			return Arg{Switch: true}
		}
	}
	return Arg{Unknown: true}
}

// isModuleName reports whether s can be a module name such as
// AWS.Tools.EC2.
func isModuleName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func opens(op string) bool { return op == "(" || op == "$(" || op == "@(" || op == "{" || op == "@{" }

// closeOf returns the index of the token that closes the group opened at
// toks[j], or len(toks) when it is not closed.
func closeOf(toks []token, j int) int {
	depth := 0
	for k := j; k < len(toks); k++ {
		if toks[k].kind != tOp {
			continue
		}
		switch {
		case opens(toks[k].text):
			depth++
		case toks[k].text == ")" || toks[k].text == "}":
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return len(toks)
}

// isNumber reports whether a word starts like a number: 5, 0x1F, -1, .5.
func isNumber(w string) bool {
	w = strings.TrimLeft(w, "+-.")
	return w != "" && w[0] >= '0' && w[0] <= '9'
}

// continues reports whether the argument value at toks[j] goes on in the
// next token: a comma that makes a list, or a token written right after it.
func continues(toks []token, j int) bool {
	if j+1 >= len(toks) {
		return false
	}
	n := toks[j+1]
	if n.kind == tOp && n.text == "," {
		return true
	}
	if n.kind == tNewline || n.kind == tOp && endsCommand[n.text] {
		return false
	}
	return n.start == toks[j].end
}
