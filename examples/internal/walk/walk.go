// Package walk is the shared set-up of the runnable walkthroughs: where they
// run (an in-process local endpoint, a running "ssmdelegate local", or real
// AWS), the administrator's clients, the operator's credentials and the
// instances the runbooks act on.
package walk

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ssmdelegate/ssmdelegate/examples/internal/ec2query"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// Env is where a walkthrough runs and who runs it.
type Env struct {
	// Admin is the administrator's (and author's) configuration.
	Admin aws.Config
	// Account, Region and Partition locate the resources.
	Account, Region, Partition string
	// Local is the in-process endpoint; nil against a running endpoint or
	// AWS.
	Local *ssmlocal.Server
	// Real is set against real AWS.
	Real bool
	// PollDelay is the waiters' shortest delay.
	PollDelay time.Duration

	out       io.Writer
	endpoint  string
	instances []string
	stop      func()
}

// Flags are the options every walkthrough takes.
type Flags struct {
	Endpoint  string
	AWS       bool
	Region    string
	Instances stringList
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// Parse reads the common flags from args; extra adds a walkthrough's own.
func Parse(name string, args []string, stderr io.Writer, extra ...func(*flag.FlagSet)) (Flags, error) {
	var f Flags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.Endpoint, "endpoint", "", "URL of a running `ssmdelegate local` (credentials from the environment)")
	fs.BoolVar(&f.AWS, "aws", false, "run against real AWS with the default credential chain: this changes real resources")
	fs.StringVar(&f.Region, "region", "", "Region (default: us-east-1 locally, the configured one on AWS)")
	fs.Var(&f.Instances, "instance", "instance id to act on (repeatable; required with --aws)")
	for _, fn := range extra {
		fn(fs)
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.AWS && f.Endpoint != "" {
		return f, errors.New("--aws and --endpoint exclude each other")
	}
	return f, nil
}

// Setup opens the environment the flags name. Close releases it.
func Setup(ctx context.Context, f Flags, out io.Writer, localOpts ...func(*ssmlocal.Options)) (*Env, error) {
	e := &Env{out: out, PollDelay: time.Second, instances: f.Instances, endpoint: f.Endpoint}
	switch {
	case f.AWS:
		cfg, err := config.LoadDefaultConfig(ctx, optRegion(f.Region))
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		e.Admin, e.Real = cfg, true
		e.Printf("running against AWS in %s: real resources are created and changed", cfg.Region)
	case f.Endpoint != "":
		cfg, err := config.LoadDefaultConfig(ctx, optRegion(orDefault(f.Region, "us-east-1")),
			config.WithBaseEndpoint(f.Endpoint))
		if err != nil {
			return nil, fmt.Errorf("load configuration: %w", err)
		}
		// This client avoids an SDK body-close race that cuts off large
		// responses on loopback.
		cfg.HTTPClient = ssmlocal.HTTPClient()
		e.Admin = cfg
		e.PollDelay = 200 * time.Millisecond
		e.Printf("running against the local endpoint %s", f.Endpoint)
	default:
		opts := append([]func(*ssmlocal.Options){func(o *ssmlocal.Options) {
			if f.Region != "" {
				o.Regions = []string{f.Region}
			}
			// Instances settle and steps wait in virtual time, so the
			// walkthrough takes milliseconds. It starts now because
			// requests are signed with the wall clock.
			o.Clock = ssmlocal.AutoClock(time.Now())
		}}, localOpts...)
		srv, err := ssmlocal.New(opts...)
		if err != nil {
			return nil, fmt.Errorf("start the local endpoint: %w", err)
		}
		e.Local, e.Admin, e.stop = srv, srv.AdminConfig(), func() { _ = srv.Close() }
		e.PollDelay = 20 * time.Millisecond
		e.Printf("running against an in-process local endpoint (%s)", srv.URL())
	}
	id, err := sts.NewFromConfig(e.Admin).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("who am I: %w", err)
	}
	arn := aws.ToString(id.Arn)
	e.Account, e.Region, e.Partition = aws.ToString(id.Account), e.Admin.Region, strings.Split(arn, ":")[1]
	return e, nil
}

func optRegion(r string) func(*config.LoadOptions) error {
	return func(o *config.LoadOptions) error {
		if r != "" {
			o.Region = r
		}
		return nil
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Close stops the in-process endpoint.
func (e *Env) Close() {
	if e.stop != nil {
		e.stop()
	}
}

// Printf writes one line of the walkthrough.
func (e *Env) Printf(format string, args ...any) { fmt.Fprintf(e.out, format+"\n", args...) }

// Section starts a part of the walkthrough done by one persona.
func (e *Env) Section(title string) { fmt.Fprintf(e.out, "\n== %s\n", title) }

// SSM, IAM and EC2 return the administrator's clients.
func (e *Env) SSM() *ssm.Client { return ssm.NewFromConfig(e.Admin) }

// IAM returns the administrator's IAM client.
func (e *Env) IAM() *iam.Client { return iam.NewFromConfig(e.Admin) }

// EC2 returns the administrator's EC2 client: the few calls the
// walkthroughs make, without compiling the SDK's EC2 package.
func (e *Env) EC2() *ec2query.Client { return ec2query.New(e.Admin) }

// As returns a configuration that calls as the given access key, against
// the same endpoint and Region as the administrator.
func (e *Env) As(key, secret string) aws.Config {
	if e.Local != nil {
		return e.Local.Config(ssmlocal.Credentials{AccessKeyID: key, SecretAccessKey: secret})
	}
	cfg := e.Admin.Copy()
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, ""))
	return cfg
}

// User creates (or reuses) an IAM user with a fresh access key and returns
// a configuration calling as that user.
func (e *Env) User(ctx context.Context, name string) (aws.Config, string, error) {
	c := e.IAM()
	out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	var arn string
	switch {
	case err == nil:
		arn = aws.ToString(out.User.Arn)
	case ErrorCode(err) == "EntityAlreadyExists":
		got, gerr := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
		if gerr != nil {
			return aws.Config{}, "", fmt.Errorf("get user %s: %w", name, gerr)
		}
		arn = aws.ToString(got.User.Arn)
	default:
		return aws.Config{}, "", fmt.Errorf("create user %s: %w", name, err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		return aws.Config{}, "", fmt.Errorf("create access key for %s: %w", name, err)
	}
	cfg := e.As(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	if e.Real {
		// New IAM keys take a few seconds to be accepted everywhere.
		if err := e.waitUsable(ctx, cfg); err != nil {
			return aws.Config{}, "", err
		}
	}
	return cfg, arn, nil
}

func (e *Env) waitUsable(ctx context.Context, cfg aws.Config) error {
	client := sts.NewFromConfig(cfg)
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the new access key is still refused: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// Instances returns n instance ids to act on: created in the local
// endpoint, or those given with --instance on AWS.
func (e *Env) Instances(ctx context.Context, n int) ([]string, error) {
	switch {
	case e.Local != nil:
		return e.Local.AddInstances(n)
	case e.Real:
		if len(e.instances) == 0 {
			return nil, errors.New("name the instances to act on with --instance i-… (repeatable)")
		}
		return e.instances, nil
	}
	ids, err := e.EC2().RunInstances(ctx, "ami-0abcdef1234567890", "t3.micro", n)
	if err != nil {
		return nil, fmt.Errorf("launch instances: %w", err)
	}
	return ids, e.EC2().WaitRunning(ctx, ids, time.Second, 5*time.Minute)
}

// States returns each instance's state, as the administrator sees it.
func (e *Env) States(ctx context.Context, ids []string) (map[string]string, error) {
	got, err := e.EC2().DescribeInstances(ctx, ids)
	if err != nil {
		return nil, err
	}
	states := map[string]string{}
	for _, in := range got {
		if in.State != "" {
			states[in.ID] = in.State
		}
	}
	return states, nil
}

// ErrorCode returns the AWS error code of err, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// ErrorMessage returns the AWS error message of err, or its text.
func ErrorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// Main runs a walkthrough as a command: interrupted by Ctrl-C, exiting 1
// with the error.
func Main(name string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		}
		os.Exit(1)
	}
}
