package psscan

import (
	"strings"
)

type tkind int

const (
	tWord    tkind = iota // a bare word: command, argument, keyword, number
	tParam                // -Name or -Name:value
	tVar                  // $x, ${x}, $env:X
	tString               // a quoted string or here-string
	tOp                   // | ; & && || = ( ) { } $( @( @{ [ ] , .
	tNewline              // end of a statement line
)

type token struct {
	kind tkind
	text string // the word, parameter (without -), variable, string value or operator
	line int
	// expand is set for a double-quoted string or here-string that holds
	// a variable or a subexpression: its value is known only at run time.
	expand bool
	// start and end are the token's byte offsets in the script.
	start, end int
}

// lexer splits a script into tokens. Subexpressions of expandable strings
// are lexed into their own token lists, in subs.
type lexer struct {
	src   string
	pos   int
	line  int
	depth int
	subs  [][]token
	// deep is set when nesting exceeded maxDepth.
	deep bool
}

// maxDepth bounds the nesting of subexpressions inside strings.
const maxDepth = 100

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' }

// isWordEnd reports whether c ends a bare word.
func isWordEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\f', '\v', '\r', '\n', '|', ';', '&', '(', ')', '{', '}', ',', '"', '\'':
		return true
	}
	return false
}

// lex returns the tokens up to the end of the script, or, when inParen is
// set, up to the ")" that closes a subexpression (consumed).
func (l *lexer) lex(inParen bool) []token {
	var out []token
	parens := 0
	for l.pos < len(l.src) {
		before, n := l.pos, len(out)
		var done bool
		out, done = l.next(out, inParen, &parens)
		if len(out) > n {
			out[n].start, out[n].end = before, l.pos
		}
		if done {
			return out
		}
	}
	return out
}

// next consumes one token (or space) at l.pos, appending it to out; done
// is set at the ")" that closes the subexpression being lexed.
func (l *lexer) next(out []token, inParen bool, parens *int) (_ []token, done bool) {
	c := l.src[l.pos]
	if isSpace(c) {
		l.pos++
		return out, false
	}
	if l.trivia(&out) {
		return out, false
	}
	if t, ok := l.quoted(); ok {
		return append(out, t), false
	}
	switch {
	case c == ')' && inParen && *parens == 0:
		l.pos++
		return out, true
	case c == ')':
		*parens = max(*parens-1, 0)
		out = append(out, l.op(1))
	case c == '$' && strings.HasPrefix(l.src[l.pos:], "$("), c == '@' && strings.HasPrefix(l.src[l.pos:], "@("):
		*parens++
		out = append(out, l.op(2))
	case c == '@' && strings.HasPrefix(l.src[l.pos:], "@{"):
		out = append(out, l.op(2))
	case c == '(':
		*parens++
		out = append(out, l.op(1))
	case c == '$':
		out = append(out, l.variable())
	default:
		out = append(out, l.operatorOrWord(c))
	}
	return out, false
}

// trivia consumes a line end (a newline token), a line continuation or
// a comment at l.pos, and reports whether there was one.
func (l *lexer) trivia(out *[]token) bool {
	c := l.src[l.pos]
	switch {
	case c == '\n':
		*out = append(*out, token{kind: tNewline, line: l.line})
		l.line++
		l.pos++
	case c == '`' && strings.HasPrefix(l.src[l.pos+1:], "\n"):
		l.line++
		l.pos += 2
	case c == '`' && strings.HasPrefix(l.src[l.pos+1:], "\r\n"):
		l.line++
		l.pos += 3
	case c == '#':
		l.skipLine()
	case strings.HasPrefix(l.src[l.pos:], "<#"):
		l.blockComment()
	default:
		return false
	}
	return true
}

// quoted reads a string or here-string starting at l.pos.
func (l *lexer) quoted() (token, bool) {
	switch {
	case l.src[l.pos] == '\'':
		return l.single(), true
	case l.src[l.pos] == '"':
		return l.double(), true
	case strings.HasPrefix(l.src[l.pos:], "@'") && l.hereStart(2):
		return l.hereString('\''), true
	case strings.HasPrefix(l.src[l.pos:], "@\"") && l.hereStart(2):
		return l.hereString('"'), true
	}
	return token{}, false
}

// operatorOrWord reads an operator, a parameter or a bare word starting
// with c.
func (l *lexer) operatorOrWord(c byte) token {
	next := byte(0)
	if l.pos+1 < len(l.src) {
		next = l.src[l.pos+1]
	}
	switch {
	case (c == '&' || c == '|') && next == c:
		return l.op(2)
	case strings.IndexByte("&|;{},[]=", c) >= 0:
		return l.op(1)
	case c == '.' && (isSpace(next) || next == '\'' || next == '"' || next == '$'):
		// Dot-sourcing: ". path" or ". $block".
		return l.op(1)
	case c == '-' && isParamStart(next):
		w := l.word()
		w.kind, w.text = tParam, w.text[1:]
		return w
	}
	return l.word()
}

func isParamStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '?'
}

func (l *lexer) op(n int) token {
	t := token{kind: tOp, text: l.src[l.pos : l.pos+n], line: l.line}
	l.pos += n
	return t
}

// word reads a bare word, with backtick escapes, up to a word end. Square
// brackets end it too, so type literals such as [Amazon.S3.AmazonS3Client]
// yield their name.
func (l *lexer) word() token {
	t := token{kind: tWord, line: l.line}
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '`' && l.pos+1 < len(l.src) {
			if l.src[l.pos+1] == '\n' {
				break
			}
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
			continue
		}
		if isWordEnd(c) || (c == '[' || c == ']') && b.Len() > 0 || c == '=' && b.Len() == 0 {
			break
		}
		if c == '[' || c == ']' {
			// A lone bracket at a word start is an operator.
			break
		}
		b.WriteByte(c)
		l.pos++
	}
	if b.Len() == 0 && l.pos < len(l.src) {
		// Never stall on a character no rule takes.
		b.WriteByte(l.src[l.pos])
		l.pos++
	}
	t.text = b.String()
	return t
}

func (l *lexer) skipLine() {
	for l.pos < len(l.src) && l.src[l.pos] != '\n' {
		l.pos++
	}
}

func (l *lexer) blockComment() {
	l.pos += 2
	for l.pos < len(l.src) {
		if strings.HasPrefix(l.src[l.pos:], "#>") {
			l.pos += 2
			return
		}
		if l.src[l.pos] == '\n' {
			l.line++
		}
		l.pos++
	}
}

// single reads a single-quoted string: no escapes but a doubled quote.
func (l *lexer) single() token {
	t := token{kind: tString, line: l.line}
	var b strings.Builder
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\'' {
			if l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'' {
				b.WriteByte('\'')
				l.pos += 2
				continue
			}
			l.pos++
			break
		}
		if c == '\n' {
			l.line++
		}
		b.WriteByte(c)
		l.pos++
	}
	t.text = b.String()
	return t
}

// double reads a double-quoted string: backtick escapes, doubled quotes,
// variables and $( ) subexpressions, which are lexed as code into subs.
func (l *lexer) double() token {
	t := token{kind: tString, line: l.line}
	var b strings.Builder
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			if l.pos+1 < len(l.src) && l.src[l.pos+1] == '"' {
				b.WriteByte('"')
				l.pos += 2
				continue
			}
			l.pos++
			t.text = b.String()
			return t
		case c == '`' && l.pos+1 < len(l.src):
			if l.src[l.pos+1] == '\n' {
				l.line++
			}
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
		case c == '$':
			if l.expansion() {
				t.expand = true
				continue
			}
			b.WriteByte(c)
			l.pos++
		default:
			if c == '\n' {
				l.line++
			}
			b.WriteByte(c)
			l.pos++
		}
	}
	t.text = b.String()
	return t
}

// expansion consumes a variable or a subexpression at a $ inside an
// expandable string and reports whether there was one.
func (l *lexer) expansion() bool {
	if l.pos+1 >= len(l.src) {
		return false
	}
	n := l.src[l.pos+1]
	switch {
	case n == '(':
		l.pos += 2
		if l.depth >= maxDepth {
			l.deep = true
			l.skipToClose()
			return true
		}
		l.depth++
		l.subs = append(l.subs, l.lex(true))
		l.depth--
		return true
	case n == '{' || isVarChar(n):
		l.variable()
		return true
	}
	return false
}

// skipToClose skips to the end of the script: past maxDepth nothing more
// is trusted, and the scan reports it.
func (l *lexer) skipToClose() { l.pos = len(l.src) }

func isVarChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ':' || c == '?' || c == '^' || c == '$'
}

// variable reads $name, $scope:name, ${any name} or a special variable.
func (l *lexer) variable() token {
	t := token{kind: tVar, line: l.line}
	start := l.pos
	l.pos++
	if l.pos < len(l.src) && l.src[l.pos] == '{' {
		for l.pos < len(l.src) && l.src[l.pos] != '}' {
			if l.src[l.pos] == '\n' {
				l.line++
			}
			l.pos++
		}
		if l.pos < len(l.src) {
			l.pos++
		}
	} else {
		for l.pos < len(l.src) && isVarChar(l.src[l.pos]) {
			l.pos++
		}
	}
	t.text = l.src[start:l.pos]
	return t
}

// hereStart reports whether the here-string opener at l.pos, n bytes
// long, ends its line, as PowerShell requires.
func (l *lexer) hereStart(n int) bool {
	i := l.pos + n
	for i < len(l.src) && isSpace(l.src[i]) {
		i++
	}
	return i < len(l.src) && l.src[i] == '\n'
}

// hereString reads @'...'@ or @"..."@: the closing quote and @ start a
// line.
func (l *lexer) hereString(q byte) token {
	t := token{kind: tString, line: l.line}
	l.pos += 2
	l.skipLine()
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\n' {
			l.line++
			l.pos++
			if l.pos+1 < len(l.src) && l.src[l.pos] == q && l.src[l.pos+1] == '@' {
				l.pos += 2
				break
			}
			b.WriteByte('\n')
			continue
		}
		if q == '"' && c == '$' && l.expansion() {
			t.expand = true
			continue
		}
		if q == '"' && c == '`' && l.pos+1 < len(l.src) && l.src[l.pos+1] != '\n' {
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
			continue
		}
		b.WriteByte(c)
		l.pos++
	}
	t.text = strings.TrimPrefix(b.String(), "\n")
	return t
}
