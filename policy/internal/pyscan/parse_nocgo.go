//go:build !cgo

package pyscan

// parse needs the tree-sitter parser, a C library.
func parse(src []byte) (*node, error) {
	if len(src) > MaxScript {
		return nil, ErrTooLarge
	}
	return nil, ErrNoParser
}
