package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// buildInfo reads the binary's module version and VCS stamp; a variable so
// tests can give one.
var buildInfo = debug.ReadBuildInfo

func cmdVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	const usage = "usage: ssmdelegate version"
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ssmdelegate version: unexpected argument %q\n%s\n", fs.Arg(0), usage)
		return 2
	}
	fmt.Fprintln(stdout, versionLine())
	return 0
}

// versionLine is "ssmdelegate VERSION (REVISION[, modified], GO)", from
// the build information Go records in the binary.
func versionLine() string {
	bi, ok := buildInfo()
	if !ok {
		return "ssmdelegate (unknown version: built without module support)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev == "" {
		rev = "unknown revision"
	}
	return fmt.Sprintf("ssmdelegate %s (%s%s, %s)", version, rev, modified, bi.GoVersion)
}
