package ssmdelegate

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxComplexity is the highest cyclomatic complexity a function may have
// outside examples: above it a function mixes concepts that read better
// apart.
const maxComplexity = 25

// complexityRoots are the packages held to maxComplexity, with their
// subpackages: the library, the local endpoint and the CLI. examples are
// illustrations, not maintained code paths.
var complexityRoots = []string{"runbook", "policy", "delegate", "execution", "internal", "ssmlocal", "cmd/ssmdelegate"}

// generatedFiles are the generated files under complexityRoots, skipped
// because their shape follows the generator's input. A new generated file
// must be added here.
var generatedFiles = []string{
	"runbook/actions_gen.go",
}

// complexityExceptions are functions allowed above maxComplexity for now,
// with the reason; each must still exceed it, or be removed from here.
var complexityExceptions = map[string]string{}

// cyclomatic counts a function's cyclomatic complexity as gocyclo does: 1,
// plus 1 for each if, for, range, non-default case of a switch or select,
// && and ||, function literals included.
func cyclomatic(fn ast.Node) int {
	n := 1
	ast.Inspect(fn, func(node ast.Node) bool {
		switch x := node.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			n++
		case *ast.CaseClause:
			if x.List != nil {
				n++
			}
		case *ast.CommClause:
			if x.Comm != nil {
				n++
			}
		case *ast.BinaryExpr:
			if x.Op == token.LAND || x.Op == token.LOR {
				n++
			}
		}
		return true
	})
	return n
}

// funcName is "FILE (NAME)" or "FILE ((*RECV).NAME)".
func funcName(path string, fd *ast.FuncDecl) string {
	name := fd.Name.Name
	if fd.Recv != nil && len(fd.Recv.List) > 0 {
		t := fd.Recv.List[0].Type
		star := ""
		if s, ok := t.(*ast.StarExpr); ok {
			star, t = "*", s.X
		}
		if ix, ok := t.(*ast.IndexExpr); ok {
			t = ix.X
		}
		if ix, ok := t.(*ast.IndexListExpr); ok {
			t = ix.X
		}
		if id, ok := t.(*ast.Ident); ok {
			name = "(" + star + id.Name + ")." + name
		}
	}
	return path + " (" + name + ")"
}

func TestCyclomaticCountsLikeGocyclo(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want int
	}{
		{"straight", "x := 1; _ = x", 1},
		{"if and else", "if a { return } else if b { return }", 3},
		{"loops", "for i := 0; i < 3; i++ {}; for range s {}", 3},
		{"switch", "switch a { case 1, 2: case 3: default: }", 3},
		{"type switch", "switch v.(type) { case int: case string: }", 3},
		{"select", "select { case <-c: case c <- 1: default: }", 3},
		{"boolean operators", "_ = a && b || c && !d", 4},
		{"function literal", "f := func() { if a {} }; f()", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), "x.go", "package p\nfunc f() {\n"+tc.body+"\n}\n", 0)
			require.NoError(t, err)
			assert.Equal(t, tc.want, cyclomatic(f.Decls[0]))
		})
	}
}

// TestLibraryComplexity fails when a function of a package under
// complexityRoots exceeds maxComplexity: split it by concept instead.
func TestLibraryComplexity(t *testing.T) {
	fset := token.NewFileSet()
	var over, generated []string
	seen := map[string]bool{}
	for _, root := range complexityRoots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			path = filepath.ToSlash(path)
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			if ast.IsGenerated(f) {
				generated = append(generated, path)
			}
			if slices.Contains(generatedFiles, path) {
				return nil
			}
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				name := funcName(path, fd)
				c := cyclomatic(fd)
				if _, ok := complexityExceptions[name]; ok {
					seen[name] = true
					assert.Greater(t, c, maxComplexity, "%s now has complexity %d: remove it from complexityExceptions", name, c)
					continue
				}
				if c > maxComplexity {
					over = append(over, fmt.Sprintf("%s: %d", name, c))
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	assert.Empty(t, over, "functions above complexity %d: split them by concept", maxComplexity)
	assert.ElementsMatch(t, generatedFiles, generated, "generatedFiles must list exactly the generated files")
	for name := range complexityExceptions {
		assert.True(t, seen[name], "%s in complexityExceptions no longer exists", name)
	}
}
