package field

import (
	"strconv"
	"strings"
)

type step int

const (
	stepChild step = iota
	stepIndex
	stepKey
)

// Path is an immutable wire path; extending it never changes the parent,
// so one prefix can be shared by many children.
type Path struct {
	parent *Path
	name   string
	index  int
	step   step
}

// NewPath starts a path at name, followed by more children.
func NewPath(name string, more ...string) *Path {
	return (*Path)(nil).Child(name, more...)
}

// Child appends ".name" (just "name" at the root), then more children.
// NewPath("") starts a relative path: its children render as ".name".
func (p *Path) Child(name string, more ...string) *Path {
	c := &Path{parent: p, name: name, step: stepChild}
	for _, m := range more {
		c = &Path{parent: c, name: m, step: stepChild}
	}
	return c
}

// Index appends "[i]".
func (p *Path) Index(i int) *Path {
	return &Path{parent: p, index: i, step: stepIndex}
}

// IndexIn is Index written into dst, for callers that hold many paths in
// one allocation of their own; dst must not be changed afterwards.
func (p *Path) IndexIn(dst *Path, i int) *Path {
	*dst = Path{parent: p, index: i, step: stepIndex}
	return dst
}

// Key appends a map key: as a child when it is a plain identifier (letters,
// digits and _), else as a quoted Go string in brackets, so that keys such
// as "aws:SourceAccount" stay unambiguous.
func (p *Path) Key(k string) *Path {
	if !plain(k) {
		return &Path{parent: p, name: k, step: stepKey}
	}
	return p.Child(k)
}

func plain(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Root returns the first element of the path, "" for the root itself.
func (p *Path) Root() string {
	if p == nil {
		return ""
	}
	for p.parent != nil {
		p = p.parent
	}
	return p.String()
}

// String renders the path; the root renders as "".
func (p *Path) String() string {
	if p == nil {
		return ""
	}
	var elems []*Path
	for q := p; q != nil; q = q.parent {
		elems = append(elems, q)
	}
	var b strings.Builder
	for i := len(elems) - 1; i >= 0; i-- {
		e := elems[i]
		switch e.step {
		case stepIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		case stepKey:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(e.name))
			b.WriteByte(']')
		default:
			if i < len(elems)-1 {
				b.WriteByte('.')
			}
			b.WriteString(e.name)
		}
	}
	return b.String()
}
