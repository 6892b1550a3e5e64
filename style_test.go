package ssmdelegate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// directAssertionAllowed lists the test files, by slash-separated path
// from the module root, that may call t.Errorf, t.Fatalf, t.Error or
// t.Fatal directly, each with the reason testify does not fit there.
var directAssertionAllowed = map[string]string{}

// TestAssertionStyle keeps one assertion style across the module: tests
// assert with testify (require for preconditions, assert for checks)
// rather than calling t.Errorf, t.Fatalf, t.Error or t.Fatal themselves.
func TestAssertionStyle(t *testing.T) {
	var offenders []string
	used := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == "." {
				return nil
			}
			name := d.Name()
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		calls, err := directAssertions(path, nil)
		if err != nil {
			return err
		}
		file := filepath.ToSlash(path)
		if _, ok := directAssertionAllowed[file]; ok {
			used[file] = len(calls) > 0
			return nil
		}
		offenders = append(offenders, calls...)
		return nil
	})
	require.NoError(t, err)
	for file := range directAssertionAllowed {
		assert.True(t, used[file], "%s is allowed direct assertions but makes none: drop it from directAssertionAllowed", file)
	}
	assert.Empty(t, offenders, "assert with testify's require or assert instead, or add the file with a reason to directAssertionAllowed:\n%s",
		strings.Join(offenders, "\n"))
}

// directAssertions lists, as "file:line: t.Fatalf", the calls of Errorf,
// Fatalf, Error or Fatal on a test's t or tb (or a field named t, as in
// h.t) in a Go file; src is as for [parser.ParseFile].
func directAssertions(filename string, src any) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var calls []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		switch sel.Sel.Name {
		case "Errorf", "Fatalf", "Error", "Fatal":
		default:
			return true
		}
		var recv string
		switch x := sel.X.(type) {
		case *ast.Ident:
			recv = x.Name
		case *ast.SelectorExpr:
			recv = x.Sel.Name
		}
		if recv == "t" || recv == "tb" {
			pos := fset.Position(call.Pos())
			calls = append(calls, pos.Filename+":"+strconv.Itoa(pos.Line)+": "+recv+"."+sel.Sel.Name)
		}
		return true
	})
	return calls, nil
}

func TestDirectAssertions(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"testify", `require.NoError(t, err); assert.Error(t, err); t.Helper(); t.Skip("slow")`, nil},
		{"direct", "t.Fatal(err)\nt.Errorf(\"x\")", []string{"x_test.go:4: t.Fatal", "x_test.go:5: t.Errorf"}},
		{"helper field and TB", "h.t.Fatalf(\"x\")\ntb.Error(err)", []string{"x_test.go:4: t.Fatalf", "x_test.go:5: tb.Error"}},
		{"other receivers", `log.Fatal(err); b.Fatal(err); err.Error(); e.t.Name()`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package x\n\nfunc f() {\n" + tt.body + "\n}\n"
			got, err := directAssertions("x_test.go", src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
