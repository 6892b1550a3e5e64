package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: its name, a one-line summary and its entry point.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"lint", "validate runbooks and report every problem with its path", cmdLint},
		{"fmt", "print a runbook in canonical JSON or YAML", cmdFmt},
		{"policy", "derive, generate, lint or simulate IAM policies", cmdPolicy},
		{"plan", "wire a service role into a runbook and print the bundle", cmdPlan},
		{"local", "serve the embedded Automation endpoint", cmdLocal},
		{"run", "provision a runbook, start an automation and wait for it", cmdRun},
		{"test", "run a runbook on an in-process endpoint as its derived role", cmdTest},
		{"approve", "approve an execution's aws:approve step", cmdApprove},
		{"reject", "reject an execution's aws:approve step", cmdReject},
		{"signal", "send StartStep, StopStep, Resume or Revoke to an execution", cmdSignal},
		{"stop", "cancel or complete an execution", cmdStop},
		{"watch", "follow executions to their end, one line per change", cmdWatch},
		{"describe", "print an execution with its steps", cmdDescribe},
		{"version", "print the version and VCS revision", cmdVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stderr)
		return 2
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		usage(stdout)
		return 0
	case args[0] == "--version" || args[0] == "-version":
		return cmdVersion(ctx, args[1:], stdout, stderr)
	case args[0] == "help":
		return help(ctx, args[1:], stdout, stderr)
	}
	if c, ok := lookup(args[0]); ok {
		return c.run(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "ssmdelegate: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// help prints the usage of a command ("help policy role" reaches a
// subcommand's) on standard output, or the list of commands.
func help(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return 0
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "ssmdelegate help: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	// A command prints its usage for --help on its error stream: here it
	// is the answer, so it goes to standard output.
	return c.run(ctx, append(append([]string(nil), args[1:]...), "--help"), stdout, stdout)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ssmdelegate <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

// newFlagSet returns a flag set for a subcommand that reports to stderr and
// whose usage is the line usage followed by the flags' defaults.
// parseInterspersed parses flags given before, between and after the
// positional arguments, which it returns; code is the exit status when
// parsing ends the command (0 for -h, 2 for a bad flag), else -1.
func parseInterspersed(fs *flag.FlagSet, args []string) (positional []string, code int) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0
			}
			return nil, 2
		}
		if fs.NArg() == 0 {
			return positional, -1
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}
