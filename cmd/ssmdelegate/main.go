package main

import (
	"context"
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
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		return cmdVersion(ctx, args[1:], stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "ssmdelegate: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ssmdelegate <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
