package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func cmdFmt(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("fmt", "usage: ssmdelegate fmt [--format json|yaml] [-w] FILE (- reads standard input)", stderr)
	to := fs.String("format", "", "output format: json or yaml (default: the input's)")
	fs.StringVar(to, "to", "", "same as --format")
	write := fs.Bool("w", false, "write the result to FILE instead of standard output")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(files) != 1 {
		fs.Usage()
		return 2
	}
	var format runbook.Format
	switch *to {
	case "":
	case "json":
		format = runbook.JSON
	case "yaml":
		format = runbook.YAML
	default:
		fmt.Fprintf(stderr, "ssmdelegate fmt: unknown format %q: use json or yaml\n", *to)
		return 2
	}
	file := files[0]
	if file == "-" && *write {
		fmt.Fprintln(stderr, "ssmdelegate fmt: -w needs a FILE, not standard input")
		return 2
	}
	data, err := readInput(file)
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot read: %s\n", file, errText(err))
		return 1
	}
	doc, err := runbook.Parse(data)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", file, err)
		return 1
	}
	if format == 0 {
		format = runbook.DetectFormat(data)
	}
	out, err := doc.Encode(format)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", file, err)
		return 1
	}
	// The model holds no comments: YAML to YAML carries them over by
	// path. What cannot be carried (comments into JSON, anchors, a
	// comment on a dropped key) refuses -w, leaving the file as written.
	var lost error
	if runbook.DetectFormat(data) == runbook.YAML {
		if format == runbook.YAML {
			kept, err := doc.YAMLKeeping(data)
			if err == nil {
				out = kept
			}
			lost = err
		} else {
			lost = runbook.YAMLLoss(data)
		}
	}
	if !*write {
		if _, err := stdout.Write(out); err != nil {
			fmt.Fprintf(stderr, "ssmdelegate fmt: %v\n", err)
			return 1
		}
		return 0
	}
	if lost != nil {
		fmt.Fprintf(stderr, "%s: not rewritten: %v; without -w the formatted runbook goes to standard output\n", file, lost)
		return 1
	}
	if err := writeFileAtomic(file, out); err != nil {
		fmt.Fprintf(stderr, "%s: cannot write: %v\n", file, err)
		return 1
	}
	return 0
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, keeping the file's mode, so a crash never leaves half a
// runbook behind.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
