//go:build cgo

package pyscan

import (
	"errors"

	sitter "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

var language = sitter.NewLanguage(python.Language())

// parse parses src with the tree-sitter Python grammar.
func parse(src []byte) (*node, error) {
	if len(src) > MaxScript {
		return nil, ErrTooLarge
	}
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(language); err != nil {
		return nil, err
	}
	tree := p.Parse(src, nil)
	if tree == nil {
		return nil, errors.New("pyscan: the parser gave up")
	}
	defer tree.Close()
	root := tree.RootNode()
	if root.HasError() {
		return nil, &SyntaxError{Line: firstError(tree)}
	}
	return copyTree(tree)
}

// firstError finds the line of the first ERROR or MISSING node.
func firstError(tree *sitter.Tree) int {
	c := tree.Walk()
	defer c.Close()
	for {
		n := c.Node()
		if n.IsError() || n.IsMissing() {
			return int(n.StartPosition().Row) + 1
		}
		if n.HasError() && c.GotoFirstChild() {
			continue
		}
		for !c.GotoNextSibling() {
			if !c.GotoParent() {
				return int(tree.RootNode().StartPosition().Row) + 1
			}
		}
	}
}

// copyTree copies the named nodes (comments left out) iteratively, so a
// deeply nested script cannot exhaust the stack here.
func copyTree(tree *sitter.Tree) (*node, error) {
	c := tree.Walk()
	defer c.Close()
	root := &node{kind: "module"}
	stack := []*node{root}
	count := 0
	if !c.GotoFirstChild() {
		return root, nil
	}
	for {
		n := c.Node()
		var cur *node
		if n.IsNamed() && n.Kind() != "comment" {
			count++
			if count > maxNodes {
				return nil, ErrTooLarge
			}
			cur = &node{kind: n.Kind(), field: c.FieldName(), line: int(n.StartPosition().Row) + 1, start: n.StartByte(), end: n.EndByte()}
			parent := stack[len(stack)-1]
			parent.kids = append(parent.kids, cur)
		}
		if cur != nil && c.GotoFirstChild() {
			stack = append(stack, cur)
			continue
		}
		for !c.GotoNextSibling() {
			if !c.GotoParent() {
				return root, nil
			}
			if len(stack) == 1 {
				return root, nil
			}
			// Leaving a node: it was pushed only when it was named.
			stack = stack[:len(stack)-1]
		}
	}
}
