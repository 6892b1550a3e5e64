package pyscan

import (
	"errors"
	"fmt"
)

// MaxScript bounds the script size analysed.
const MaxScript = 256 << 10

// maxNodes bounds the syntax tree copied out of the parser.
const maxNodes = 1 << 20

// ErrTooLarge is returned for a script longer than MaxScript.
var ErrTooLarge = fmt.Errorf("pyscan: script is larger than %d bytes", MaxScript)

// SyntaxError reports where a script does not parse.
type SyntaxError struct {
	Line int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("pyscan: the script does not parse at line %d", e.Line)
}

// node is a named syntax node copied out of the parser, so the analysis
// runs in Go without a call into C per node.
type node struct {
	kind       string
	field      string // field name in the parent, such as "function"
	line       int    // 1-based
	start, end uint
	kids       []*node
}

// child returns the first child in field f.
func (n *node) child(f string) *node {
	for _, k := range n.kids {
		if k.field == f {
			return k
		}
	}
	return nil
}

// ErrNoParser is returned by a build without cgo, which the Python
// parser needs.
var ErrNoParser = errors.New("pyscan: built without cgo, so scripts cannot be parsed")
