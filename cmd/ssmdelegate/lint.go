package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// lintProblem is one finding in lint's JSON output.
type lintProblem struct {
	Path     string `json:"path"`
	Message  string `json:"message"`
	Value    string `json:"value,omitempty"`
	Allowed  string `json:"allowed,omitempty"`
	Code     string `json:"code,omitempty"`
	Severity string `json:"severity"`
	Line     int    `json:"line,omitempty"`
}

// lintFile is one file's result in lint's JSON output.
type lintFile struct {
	File     string        `json:"file"`
	Valid    bool          `json:"valid"`
	Errors   []lintProblem `json:"errors"`
	Warnings []lintProblem `json:"warnings"`
}

func cmdLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", "usage: ssmdelegate lint [--format text|json] [--name NAME] [-v] FILE|DIR...", stderr)
	format := fs.String("format", "text", "output format: text or json")
	name := fs.String("name", "", "document name to check against SSM naming rules (one FILE only)")
	verbose := fs.Bool("v", false, "also print a line for each valid file")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "ssmdelegate lint: unknown format %q: use text or json\n", *format)
		return 2
	}
	if len(files) == 0 {
		fs.Usage()
		return 2
	}
	if n := countStdin(files); n > 1 {
		fmt.Fprintln(stderr, "ssmdelegate lint: - (standard input) can be given once")
		return 2
	}
	if *name != "" && len(files) > 1 {
		fmt.Fprintln(stderr, "ssmdelegate lint: --name applies to a single FILE")
		return 2
	}
	files, err = expandDirs(files)
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate lint: %v\n", err)
		return 1
	}
	results := make([]lintFile, 0, len(files))
	for _, f := range files {
		results = append(results, lintOne(f, *name))
	}
	code := 0
	for _, r := range results {
		if !r.Valid {
			code = 1
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			fmt.Fprintf(stderr, "ssmdelegate lint: %v\n", err)
			return 1
		}
		return code
	}
	for _, r := range results {
		for _, p := range append(r.Errors, r.Warnings...) {
			fmt.Fprintln(stdout, textLine(r.File, p))
		}
		if *verbose && r.Valid {
			fmt.Fprintf(stdout, "%s: ok\n", r.File)
		}
	}
	return code
}

// textLine renders "FILE: PATH: message" ("FILE: PATH: warning: message").
func textLine(file string, p lintProblem) string {
	s := file + ": "
	if p.Path != "" {
		s += p.Path + ": "
	}
	if p.Severity == "warning" {
		s += "warning: "
	}
	s += p.Message
	if p.Line > 0 {
		s += fmt.Sprintf(" (line %d)", p.Line)
	}
	if p.Value != "" {
		s += " (got " + p.Value + ")"
	}
	if p.Allowed != "" {
		s += "; allowed: " + p.Allowed
	}
	return s
}

func lintOne(file, name string) lintFile {
	r := lintFile{File: file, Errors: []lintProblem{}, Warnings: []lintProblem{}}
	data, err := readInput(file)
	if err != nil {
		r.Errors = append(r.Errors, lintProblem{Message: "cannot read: " + errText(err), Severity: "error", Code: "read"})
		return r
	}
	doc, err := runbook.Parse(data)
	if err != nil {
		p := lintProblem{Message: err.Error(), Severity: "error", Code: "parse"}
		var pe *runbook.ParseError
		if errors.As(err, &pe) {
			p.Path, p.Line, p.Message = pe.Path, pe.Line, pe.Msg
		}
		r.Errors = append(r.Errors, p)
		return r
	}
	rep := doc.Validate(func(o *runbook.ValidateOptions) { o.Name = name })
	for _, p := range rep.Errors {
		r.Errors = append(r.Errors, toLintProblem(p))
	}
	for _, p := range rep.Warnings {
		r.Warnings = append(r.Warnings, toLintProblem(p))
	}
	r.Valid = len(r.Errors) == 0
	return r
}

func toLintProblem(p runbook.Problem) lintProblem {
	return lintProblem{Path: p.Path, Message: p.Message, Value: p.Value, Allowed: p.Allowed, Code: p.Code, Severity: p.Severity.String()}
}

// errText strips the operation prefix of a path error, whose path the line
// already names.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// countStdin counts the "-" arguments.
func countStdin(args []string) int {
	n := 0
	for _, a := range args {
		if a == "-" {
			n++
		}
	}
	return n
}

// expandDirs replaces each directory argument by the runbooks in it
// (*.json, *.yaml, *.yml), sorted; other arguments stay as given.
func expandDirs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if a == "-" || err != nil || !st.IsDir() {
			out = append(out, a) // a missing file is reported per file
			continue
		}
		var found []string
		for _, pat := range []string{"*.json", "*.yaml", "*.yml"} {
			m, err := filepath.Glob(filepath.Join(a, pat))
			if err != nil {
				return nil, err
			}
			found = append(found, m...)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// parseInterleaved parses flags that may follow positional arguments, as
// in "lint a.json --format json"; "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
