package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// errNoTarget is the usage error of a command that would call AWS without
// being told where.
var errNoTarget = errors.New("no target: pass --endpoint URL (such as that of ssmdelegate local), set AWS_ENDPOINT_URL, or pass --aws to use real AWS")

// targetFlags say where the commands that call AWS send their calls.
// Nothing is sent before the target is explicit: --endpoint, --aws, or
// AWS_ENDPOINT_URL (or the service-specific variables of every service
// the command calls) in the environment.
type targetFlags struct {
	endpoint string
	aws      bool
	region   string
	profile  string
}

func (t *targetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.endpoint, "endpoint", "", "endpoint URL, such as that of ssmdelegate local (overrides AWS_ENDPOINT_URL*)")
	fs.BoolVar(&t.aws, "aws", false, "call real AWS with the default credential chain")
	fs.StringVar(&t.region, "region", "", "Region (default: from the AWS configuration)")
	fs.StringVar(&t.profile, "profile", "", "shared configuration profile")
}

// serviceEnv is the endpoint variable of each service's SDK id.
var serviceEnv = map[string]string{"SSM": "AWS_ENDPOINT_URL_SSM", "IAM": "AWS_ENDPOINT_URL_IAM", "STS": "AWS_ENDPOINT_URL_STS", "EC2": "AWS_ENDPOINT_URL_EC2"}

// ignoreEnvEndpoints reports whether the SDK is told to ignore the
// configured endpoints: they then name no target.
func ignoreEnvEndpoints() bool {
	return strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")
}

// envEndpoint reports whether the environment names an endpoint for every
// one of services.
func envEndpoint(services ...string) bool {
	if ignoreEnvEndpoints() {
		return false
	}
	if os.Getenv("AWS_ENDPOINT_URL") != "" {
		return true
	}
	for _, s := range services {
		if os.Getenv(serviceEnv[s]) == "" {
			return false
		}
	}
	return len(services) > 0
}

// anyEnvEndpoint reports whether any endpoint variable is set.
func anyEnvEndpoint() string {
	if ignoreEnvEndpoints() {
		return ""
	}
	if os.Getenv("AWS_ENDPOINT_URL") != "" {
		return "AWS_ENDPOINT_URL"
	}
	for _, s := range []string{"SSM", "IAM", "STS", "EC2"} {
		if os.Getenv(serviceEnv[s]) != "" {
			return serviceEnv[s]
		}
	}
	return ""
}

// check returns the usage problem of the target flags, if any, for a
// command calling services.
func (t *targetFlags) check(services ...string) error {
	env := anyEnvEndpoint()
	switch {
	case t.endpoint != "" && t.aws:
		return errors.New("--endpoint and --aws exclude each other")
	case t.aws && env != "":
		return fmt.Errorf("--aws, but %s is set: unset it to use real AWS, or drop --aws", env)
	case t.endpoint == "" && !t.aws && !envEndpoint(services...):
		return errNoTarget
	}
	return nil
}

// target is a loaded AWS configuration and the clients built from it.
type target struct {
	cfg      aws.Config
	endpoint string // --endpoint, which wins over the environment
}

// connect loads the AWS configuration (the default chain, which reads
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>) and applies the flags.
func (t *targetFlags) connect(ctx context.Context) (*target, error) {
	var opts []func(*config.LoadOptions) error
	if t.region != "" {
		opts = append(opts, config.WithRegion(t.region))
	}
	if t.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(t.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no Region: pass --region or set AWS_REGION")
	}
	if t.endpoint != "" || anyEnvEndpoint() != "" {
		// Loopback endpoints meet an SDK body-close race that cuts off
		// large responses; this client avoids it and is harmless elsewhere.
		cfg.HTTPClient = ssmlocal.HTTPClient()
	}
	return &target{cfg: cfg, endpoint: t.endpoint}, nil
}

// The clients set --endpoint in their own options, which apply after the
// SDK has resolved the service-specific variables, so the flag wins.

func (t *target) ssm() *ssm.Client {
	return ssm.NewFromConfig(t.cfg, func(o *ssm.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	})
}

func (t *target) iam() *iam.Client {
	return iam.NewFromConfig(t.cfg, func(o *iam.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	})
}

func (t *target) sts() *sts.Client {
	return sts.NewFromConfig(t.cfg, func(o *sts.Options) {
		if t.endpoint != "" {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	})
}

// account returns the caller's account.
func (t *target) account(ctx context.Context) (string, error) {
	who, err := t.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("find the account: %w", err)
	}
	return aws.ToString(who.Account), nil
}

// where describes the endpoints the clients call: the distinct base
// endpoints of services, or "AWS" for the Regional AWS endpoints.
func (t *target) where(services ...string) string {
	var seen []string
	for _, s := range services {
		var ep *string
		switch s {
		case "SSM":
			ep = t.ssm().Options().BaseEndpoint
		case "IAM":
			ep = t.iam().Options().BaseEndpoint
		case "STS":
			ep = t.sts().Options().BaseEndpoint
		}
		e := "AWS"
		if ep != nil {
			e = *ep
		}
		if !slices.Contains(seen, e) {
			seen = append(seen, e)
		}
	}
	return strings.Join(seen, ", ")
}

// announce prints what a command will change before it changes anything.
func (t *target) announce(w io.Writer, account string, services ...string) {
	fmt.Fprintf(w, "target: account %s, Region %s, endpoint %s\n", account, t.cfg.Region, t.where(services...))
}
