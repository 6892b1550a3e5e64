package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func cmdLocal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("local", "usage: ssmdelegate local [--addr 127.0.0.1:4583] [--state FILE] [--export-state FILE] [--audit] [--account ID] [--accounts ID[,ID...]] [--region R[,R...]] [--clock wall|auto] [--stubs FILE]", stderr)
	addr := fs.String("addr", "127.0.0.1:4583", "loopback address to listen on")
	state := fs.String("state", "", "durable state store (a bbolt file): every change is on disk before it is answered; a JSON state found there (as --export-state writes) is imported, and kept as FILE.format1.json")
	export := fs.String("export-state", "", "write the state as JSON to this file on shutdown, for people to read or to import with --state")
	audit := fs.Bool("audit", false, "print every API call as it is audited")
	account := fs.String("account", "123456789012", "simulated account id")
	accounts := fs.String("accounts", "", "comma-separated more accounts to serve from the same endpoint, each with its own IAM, resources and administrator (listing --account too is allowed); a request is served by the account that owns its access key")
	regions := fs.String("region", "us-east-1", "comma-separated Regions to serve; the first is the default")
	keyID := fs.String("access-key-id", "", "fixed access key id for the bootstrap administrator (random when empty)")
	secret := fs.String("secret-access-key", "", "fixed secret access key for the bootstrap administrator (random when empty)")
	stubsFile := fs.String("stubs", "", "stubs file (YAML or JSON) answering the AWS calls the endpoint does not emulate, still under IAM; see ssmlocal's Stubs documentation")
	clockName := fs.String("clock", "wall", "time source: wall (real time) or auto (a virtual clock that jumps to each sleep's end, so long runbooks finish in seconds)")
	runScripts := fs.Bool("run-scripts", false, "run aws:executeScript steps' Python (and, with pwsh installed, PowerShell) scripts on this machine, as the user running the endpoint; their AWS calls use temporary credentials of the execution's role")
	attachments := fs.String("attachments", "", "directory holding the attachments aws:executeScript steps name (a .py or .zip file, by name)")
	throttle := fs.Bool("throttle", false, "throttle StartAutomationExecution as the service does past its quota (ThrottlingException beyond 5 requests a second, bursts of 10), to exercise callers' retries")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	if (*keyID == "") != (*secret == "") {
		fmt.Fprintln(stderr, "ssmdelegate local: --access-key-id and --secret-access-key go together")
		return 2
	}
	clk, clockNote, ok := localClock(*clockName)
	if !ok {
		fmt.Fprintf(stderr, "ssmdelegate local: --clock %q: want wall or auto\n", *clockName)
		return 2
	}
	var stubs *ssmlocal.StubRegistry
	if *stubsFile != "" {
		var err error
		if stubs, err = ssmlocal.LoadStubs(*stubsFile); err != nil {
			fmt.Fprintf(stderr, "ssmdelegate local: --stubs %s: %v\n", *stubsFile, err)
			return 2
		}
	}
	extra := moreAccounts(*accounts, *account)
	var mu sync.Mutex
	printf := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, format, a...)
	}
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) {
		o.Addr = *addr
		o.Clock = clk
		o.StateFile = *state
		o.AccountID = *account
		o.Accounts = extra
		o.Regions = strings.Split(*regions, ",")
		o.AdminAccessKeyID, o.AdminSecretAccessKey = *keyID, *secret
		o.Stubs = stubs
		o.RunScripts, o.AttachmentsDir = *runScripts, *attachments
		if *throttle {
			o.StartThrottle = ssmlocal.DefaultStartThrottle()
		}
		if *audit {
			o.OnAudit = func(e ssmlocal.AuditEvent) { printf("audit: %s\n", e) }
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "ssmdelegate local: %v\n", err)
		return 1
	}
	admin := srv.Admin()
	printf("ssmdelegate local: serving on %s\n", srv.URL())
	printf("account %s, regions %s\n", srv.AccountID(), *regions)
	if len(extra) > 0 {
		printf("more accounts %s\n", strings.Join(extra, ", "))
	}
	printf("clock %s: %s\n", *clockName, clockNote)
	if stubs != nil {
		printf("stubs: %s\n", strings.Join(stubs.Operations(), ", "))
	}
	printf("%s\n", scriptsNote(*runScripts))
	if *throttle {
		t := ssmlocal.DefaultStartThrottle()
		printf("throttling StartAutomationExecution: %g requests a second, bursts of %d\n", t.Rate, t.Burst)
	}
	printf("\n")
	printf("bootstrap administrator %s:\n", srv.AdminARN())
	printf("  export AWS_ACCESS_KEY_ID=%s\n", admin.AccessKeyID)
	printf("  export AWS_SECRET_ACCESS_KEY=%s\n", admin.SecretAccessKey)
	printf("  export AWS_DEFAULT_REGION=%s\n", srv.Region())
	printf("  export AWS_ENDPOINT_URL=%s\n", srv.URL())
	printf("  aws sts get-caller-identity\n\n")
	if err := printAccounts(srv, extra, printf); err != nil {
		fmt.Fprintf(stderr, "ssmdelegate local: %v\n", err)
		_ = srv.Close()
		return 1
	}
	printf("serving until interrupted\n")
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "ssmdelegate local: shutdown: %v\n", err)
		return 1
	}
	if *export != "" {
		if err := srv.SaveState(*export); err != nil {
			fmt.Fprintf(stderr, "ssmdelegate local: export state: %v\n", err)
			return 1
		}
	}
	printf("ssmdelegate local: stopped\n")
	return 0
}

// printAccounts prints the variables to export for each extra account.
func printAccounts(srv *ssmlocal.Server, extra []string, printf func(string, ...any)) error {
	for _, id := range extra {
		a, err := srv.Account(id)
		if err != nil {
			return err
		}
		creds := a.AdminCredentials()
		printf("administrator of account %s, %s:\n", id, a.AdminARN())
		printf("  export AWS_ACCESS_KEY_ID=%s\n", creds.AccessKeyID)
		printf("  export AWS_SECRET_ACCESS_KEY=%s\n", creds.SecretAccessKey)
		printf("  export AWS_DEFAULT_REGION=%s\n", srv.Region())
		printf("  export AWS_ENDPOINT_URL=%s\n\n", srv.URL())
	}
	return nil
}

// moreAccounts is the --accounts list without empty entries and without
// the home account, which is always served.
func moreAccounts(list, home string) []string {
	var out []string
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" && id != home {
			out = append(out, id)
		}
	}
	return out
}

// scriptsNote is the banner line saying whether scripts run.
func scriptsNote(run bool) string {
	if run {
		return "scripts: aws:executeScript runs scripts as this user, with this machine's files and network; only their AWS credentials are scoped to the execution"
	}
	return "scripts: aws:executeScript steps fail unless --run-scripts is given"
}

// localClock returns the endpoint clock --clock names (nil for the wall
// clock, the endpoint's default) and the banner line explaining it.
func localClock(name string) (ssmlocal.Clock, string, bool) {
	switch name {
	case "wall":
		return nil, "sleeps, timeouts and instance state changes take real time", true
	case "auto":
		// Virtual time starts now so the first timestamps look familiar.
		return ssmlocal.AutoClock(time.Now()), "sleeps pass at once; virtual time moves only when a runbook waits", true
	}
	return nil, "", false
}
