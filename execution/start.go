package execution

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/uuid"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Limits of StartAutomationExecution, from the SSM API model.
const (
	// MaxTargets is the most Targets a rate-controlled start takes.
	MaxTargets = 5
	// MaxTargetMaps is the most TargetMaps a start takes.
	MaxTargetMaps = 300
	// MaxTargetLocations is the most TargetLocations a start takes.
	MaxTargetLocations = 100
	// MaxStartTags is the most tags StartAutomationExecution accepts; more
	// can be added later with AddTagsToResource.
	MaxStartTags = 5
	// MaxParameters is the most parameters a start takes.
	MaxParameters = 200
)

var (
	documentNamePattern    = regexp.MustCompile(`^[a-zA-Z0-9_\-.:/]{3,128}$`)
	documentVersionPattern = regexp.MustCompile(`^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$`)
	maxConcurrencyPattern  = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	maxErrorsPattern       = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
	targetKeyPattern       = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name$`)
	tagPattern             = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	clientTokenPattern     = regexp.MustCompile(`^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$`)
	roleNamePattern        = regexp.MustCompile(`^[\w+=,.@/-]+$`)
	accountPattern         = regexp.MustCompile(`^([0-9]{12}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$`)
)

// StartOptions are the optional parts of a start. Set them with the With
// functions or directly in an option function.
type StartOptions struct {
	// DocumentVersion pins a version: a number, "$DEFAULT" or "$LATEST".
	DocumentVersion string
	// Parameters are the runbook's input values.
	Parameters map[string][]string
	// Mode is Auto (the default) or Interactive (step by step, driven with
	// [StartStep] and [Resume]).
	Mode types.ExecutionMode

	// TargetParameterName and Targets make a rate-controlled execution: one
	// child per target resource, the resource passed in this parameter.
	TargetParameterName string
	Targets             []types.Target
	// TargetMaps make a rate-controlled execution with one child per map of
	// parameter values. Not with Targets.
	TargetMaps []map[string][]string
	// MaxConcurrency ("10", "10%") and MaxErrors ("0", "3", "5%") steer a
	// rate-controlled execution.
	MaxConcurrency string
	MaxErrors      string

	// TargetLocations run the automation in other accounts and Regions.
	TargetLocations []types.TargetLocation
	// TargetLocationsURL is a presigned S3 URL of a file holding the target
	// locations, instead of TargetLocations.
	TargetLocationsURL string

	// Tags (at most five) are put on the execution.
	Tags []types.Tag
	// AlarmConfiguration stops the execution when a CloudWatch alarm fires.
	AlarmConfiguration *types.AlarmConfiguration

	// ClientToken is the idempotency token. Empty means a new random UUID,
	// so that the SDK's retries of one Start never launch two executions.
	ClientToken string

	// Parameters are checked against this runbook's declarations when set.
	Runbook *runbook.Document

	// ClientOptions apply to the StartAutomationExecution call.
	ClientOptions []func(*ssm.Options)
}

// WithParameters sets the runbook's input values, adding to those set
// before.
func WithParameters(params map[string][]string) func(*StartOptions) {
	return func(o *StartOptions) {
		if o.Parameters == nil {
			o.Parameters = make(map[string][]string, len(params))
		}
		for k, v := range params {
			o.Parameters[k] = append([]string(nil), v...)
		}
	}
}

// WithDocumentVersion pins the runbook version.
func WithDocumentVersion(version string) func(*StartOptions) {
	return func(o *StartOptions) { o.DocumentVersion = version }
}

// WithRateControl runs the automation once per target resource: each
// child gets one resource in targetParameterName.
func WithRateControl(targetParameterName string, targets []types.Target, maxConcurrency, maxErrors string) func(*StartOptions) {
	return func(o *StartOptions) {
		o.TargetParameterName = targetParameterName
		o.Targets = append([]types.Target(nil), targets...)
		o.MaxConcurrency = maxConcurrency
		o.MaxErrors = maxErrors
	}
}

// WithTargetMaps runs the automation once per map of parameter values.
func WithTargetMaps(maps []map[string][]string, maxConcurrency, maxErrors string) func(*StartOptions) {
	return func(o *StartOptions) {
		o.TargetMaps = append([]map[string][]string(nil), maps...)
		o.MaxConcurrency = maxConcurrency
		o.MaxErrors = maxErrors
	}
}

// WithInteractive starts the execution in Interactive mode: each step
// waits for a StartStep signal.
func WithInteractive() func(*StartOptions) {
	return func(o *StartOptions) { o.Mode = types.ExecutionModeInteractive }
}

// WithTargetLocations runs the automation in other accounts and Regions.
func WithTargetLocations(locations ...types.TargetLocation) func(*StartOptions) {
	return func(o *StartOptions) { o.TargetLocations = append(o.TargetLocations, locations...) }
}

// WithTags tags the execution.
func WithTags(tags ...types.Tag) func(*StartOptions) {
	return func(o *StartOptions) { o.Tags = append(o.Tags, tags...) }
}

// WithRunbook checks the parameters against the runbook's declarations
// before the start.
func WithRunbook(doc *runbook.Document) func(*StartOptions) {
	return func(o *StartOptions) { o.Runbook = doc }
}

// WithClientToken sets the idempotency token, to retry a start that may
// have reached the service without launching it twice.
func WithClientToken(token string) func(*StartOptions) {
	return func(o *StartOptions) { o.ClientToken = token }
}

// StartOutput is the result of [Start].
type StartOutput struct {
	// ExecutionID is the new execution's id.
	ExecutionID string
	// Input is the request that was sent, with its ClientToken: send it
	// again with [StartInput] to retry without launching twice.
	Input *ssm.StartAutomationExecutionInput
	// ResultMetadata is the SDK's metadata of the call.
	ResultMetadata middleware.Metadata
}

// Start validates and starts an execution of the named runbook (a name,
// a shared document's ARN). Every problem of the input is reported at
// once as an [*InvalidInputError] before any call is made.
func Start(ctx context.Context, client StartAutomationExecutionAPIClient, documentName string, optFns ...func(*StartOptions)) (*StartOutput, error) {
	o, err := resolveStartOptions(optFns)
	if err != nil {
		return nil, err
	}
	in, err := newStartInput(documentName, &o)
	if err != nil {
		return nil, err
	}
	return send(ctx, client, in, o.ClientOptions)
}

// NewStartInput returns the validated StartAutomationExecution request
// that [Start] would send, with a ClientToken.
func NewStartInput(documentName string, optFns ...func(*StartOptions)) (*ssm.StartAutomationExecutionInput, error) {
	o, err := resolveStartOptions(optFns)
	if err != nil {
		return nil, err
	}
	return newStartInput(documentName, &o)
}

// resolveStartOptions applies optFns and the defaults, the one place they
// are applied: a missing ClientToken becomes a new random UUID.
func resolveStartOptions(optFns []func(*StartOptions)) (StartOptions, error) {
	var o StartOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.ClientToken == "" {
		tok, err := uuid.NewRandom()
		if err != nil {
			return o, fmt.Errorf("execution: generate client token: %w", err)
		}
		o.ClientToken = tok.String()
	}
	return o, nil
}

// StartInput validates and sends a request built elsewhere (for example a
// delegation plan's). The request is copied, never changed. Of the
// options, Runbook and ClientOptions apply, and ClientToken when the
// request has none (a new random UUID when neither has one).
func StartInput(ctx context.Context, client StartAutomationExecutionAPIClient, in *ssm.StartAutomationExecutionInput, optFns ...func(*StartOptions)) (*StartOutput, error) {
	if in == nil {
		return nil, &InvalidInputError{Problems: []*InputProblem{{Field: "input", Message: "is nil"}}}
	}
	o, err := resolveStartOptions(optFns)
	if err != nil {
		return nil, err
	}
	cp := *in
	if aws.ToString(cp.ClientToken) == "" {
		cp.ClientToken = aws.String(o.ClientToken)
	}
	if err := ValidateStartInput(&cp, o.Runbook); err != nil {
		return nil, err
	}
	return send(ctx, client, &cp, o.ClientOptions)
}

// newStartInput builds and validates the request of resolved options.
func newStartInput(documentName string, o *StartOptions) (*ssm.StartAutomationExecutionInput, error) {
	in := &ssm.StartAutomationExecutionInput{
		DocumentName:        aws.String(documentName),
		ClientToken:         aws.String(o.ClientToken),
		DocumentVersion:     optString(o.DocumentVersion),
		Parameters:          o.Parameters,
		Mode:                o.Mode,
		TargetParameterName: optString(o.TargetParameterName),
		Targets:             o.Targets,
		TargetMaps:          o.TargetMaps,
		MaxConcurrency:      optString(o.MaxConcurrency),
		MaxErrors:           optString(o.MaxErrors),
		TargetLocations:     o.TargetLocations,
		TargetLocationsURL:  optString(o.TargetLocationsURL),
		Tags:                o.Tags,
		AlarmConfiguration:  o.AlarmConfiguration,
	}
	if err := ValidateStartInput(in, o.Runbook); err != nil {
		return nil, err
	}
	return in, nil
}

func send(ctx context.Context, client StartAutomationExecutionAPIClient, in *ssm.StartAutomationExecutionInput, clientOptions []func(*ssm.Options)) (*StartOutput, error) {
	out, err := client.StartAutomationExecution(ctx, in, clientOptions...)
	if err != nil {
		return nil, fmt.Errorf("execution: start %s: %w", aws.ToString(in.DocumentName), err)
	}
	id := aws.ToString(out.AutomationExecutionId)
	if id == "" {
		return nil, fmt.Errorf("execution: start %s: the service returned no execution id", aws.ToString(in.DocumentName))
	}
	return &StartOutput{ExecutionID: id, Input: in, ResultMetadata: out.ResultMetadata}, nil
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// ValidateStartInput checks a request against the SSM API model's limits
// and patterns and, when doc is not nil, its parameters against the
// runbook's declarations. It returns every problem at once as an
// [*InvalidInputError].
func ValidateStartInput(in *ssm.StartAutomationExecutionInput, doc *runbook.Document) error {
	var ps problems
	name := aws.ToString(in.DocumentName)
	if name == "" {
		ps.add(field.NewPath("DocumentName"), "", "is required")
	} else if !documentNamePattern.MatchString(name) {
		ps.add(field.NewPath("DocumentName"), name, "must match %s", documentNamePattern)
	}
	if v := in.DocumentVersion; v != nil && !documentVersionPattern.MatchString(*v) {
		ps.add(field.NewPath("DocumentVersion"), *v, "must be a version number, $DEFAULT or $LATEST")
	}
	if t := in.ClientToken; t != nil && !clientTokenPattern.MatchString(*t) {
		ps.add(field.NewPath("ClientToken"), *t, "must be a UUID")
	}
	switch in.Mode {
	case "", types.ExecutionModeAuto, types.ExecutionModeInteractive:
	default:
		ps.add(field.NewPath("Mode"), string(in.Mode), "must be one of %s", joinEnum(types.ExecutionMode("").Values()))
	}
	if len(in.Parameters) > MaxParameters {
		ps.add(field.NewPath("Parameters"), "", "has %d entries, at most %d allowed", len(in.Parameters), MaxParameters)
	}
	for _, k := range slices.Sorted(maps.Keys(in.Parameters)) {
		if n := utf8.RuneCountInString(k); n < 1 || n > 50 {
			ps.add(field.NewPath("Parameters"), k, "parameter names are 1 to 50 characters")
		}
	}

	checkRateControl(&ps, in)
	checkTargetLocations(&ps, in)
	checkTags(&ps, in.Tags)
	if doc != nil {
		checkParameters(&ps, in, declarations(doc))
	}
	return ps.err()
}

func checkRateControl(ps *problems, in *ssm.StartAutomationExecutionInput) {
	tpn := aws.ToString(in.TargetParameterName)
	if in.TargetParameterName != nil && (len(tpn) < 1 || len(tpn) > 50) {
		ps.add(field.NewPath("TargetParameterName"), tpn, "must be 1 to 50 characters")
	}
	if len(in.Targets) > 0 && len(in.TargetMaps) > 0 {
		ps.add(field.NewPath("TargetMaps"), "", "cannot be used together with Targets")
	}
	if len(in.Targets) > MaxTargets {
		ps.add(field.NewPath("Targets"), "", "has %d targets, at most %d allowed", len(in.Targets), MaxTargets)
	}
	if len(in.Targets) > 0 && tpn == "" {
		ps.add(field.NewPath("TargetParameterName"), "", "is required with Targets")
	}
	if tpn != "" && len(in.Targets) == 0 {
		ps.add(field.NewPath("Targets"), "", "are required with TargetParameterName")
	}
	for i, t := range in.Targets {
		checkTarget(ps, field.NewPath("Targets").Index(i), t)
	}
	if len(in.TargetMaps) > MaxTargetMaps {
		ps.add(field.NewPath("TargetMaps"), "", "has %d maps, at most %d allowed", len(in.TargetMaps), MaxTargetMaps)
	}
	for i, m := range in.TargetMaps {
		if len(m) == 0 {
			ps.add(field.NewPath("TargetMaps").Index(i), "", "is empty")
		}
	}
	rateControlled := len(in.Targets) > 0 || len(in.TargetMaps) > 0 || len(in.TargetLocations) > 0 || in.TargetLocationsURL != nil
	for _, f := range []struct {
		field   string
		v       *string
		pattern *regexp.Regexp
		allowed string
	}{
		{"MaxConcurrency", in.MaxConcurrency, maxConcurrencyPattern, "a number from 1 or a percentage from 1% to 100%"},
		{"MaxErrors", in.MaxErrors, maxErrorsPattern, "a number from 0 or a percentage from 0% to 100%"},
	} {
		if f.v == nil {
			continue
		}
		checkRate(ps, field.NewPath(f.field), *f.v, f.pattern, f.allowed)
		if !rateControlled {
			ps.add(field.NewPath(f.field), *f.v, "applies only to a rate-controlled or multi-location execution (Targets, TargetMaps or TargetLocations)")
		}
	}
}

func checkRate(ps *problems, path *field.Path, v string, pattern *regexp.Regexp, allowed string) {
	if len(v) < 1 || len(v) > 7 || !pattern.MatchString(v) {
		ps.add(path, v, "must be %s", allowed)
	}
}

func checkTarget(ps *problems, path *field.Path, t types.Target) {
	k := aws.ToString(t.Key)
	if n := utf8.RuneCountInString(k); n < 1 || n > 163 || !targetKeyPattern.MatchString(k) {
		ps.add(path.Child("Key"), k, "must be 1 to 163 characters such as tag:Name, ParameterValues, ResourceGroup or InstanceIds")
	}
	if len(t.Values) > 50 {
		ps.add(path.Child("Values"), "", "has %d values, at most 50 allowed", len(t.Values))
	}
}

func checkTargetLocations(ps *problems, in *ssm.StartAutomationExecutionInput) {
	if len(in.TargetLocations) > 0 && in.TargetLocationsURL != nil {
		ps.add(field.NewPath("TargetLocationsURL"), aws.ToString(in.TargetLocationsURL), "cannot be used together with TargetLocations")
	}
	if in.TargetLocationsURL != nil && !strings.HasPrefix(*in.TargetLocationsURL, "https://") {
		ps.add(field.NewPath("TargetLocationsURL"), *in.TargetLocationsURL, "must be an https URL (a presigned Amazon S3 URL)")
	}
	if len(in.TargetLocations) > MaxTargetLocations {
		ps.add(field.NewPath("TargetLocations"), "", "has %d locations, at most %d allowed", len(in.TargetLocations), MaxTargetLocations)
	}
	for i, l := range in.TargetLocations {
		f := field.NewPath("TargetLocations").Index(i)
		if len(l.Accounts) == 0 && len(l.Regions) == 0 {
			ps.add(f, "", "names no account and no Region")
		}
		if len(l.Accounts) > 50 {
			ps.add(f.Child("Accounts"), "", "has %d entries, at most 50 allowed", len(l.Accounts))
		}
		for j, a := range l.Accounts {
			if !accountPattern.MatchString(a) {
				ps.add(f.Child("Accounts").Index(j), a, "must be a 12-digit account id, an organizational unit (ou-...) or a root (r-...)")
			}
		}
		if len(l.Regions) > 50 {
			ps.add(f.Child("Regions"), "", "has %d entries, at most 50 allowed", len(l.Regions))
		}
		if len(l.ExcludeAccounts) > 5000 {
			ps.add(f.Child("ExcludeAccounts"), "", "has %d entries, at most 5000 allowed", len(l.ExcludeAccounts))
		}
		if r := l.ExecutionRoleName; r != nil && (len(*r) < 1 || len(*r) > 64 || !roleNamePattern.MatchString(*r)) {
			ps.add(f.Child("ExecutionRoleName"), *r, "must be a role name of 1 to 64 characters")
		}
		if v := l.TargetLocationMaxConcurrency; v != nil {
			checkRate(ps, f.Child("TargetLocationMaxConcurrency"), *v, maxConcurrencyPattern, "a number from 1 or a percentage from 1% to 100%")
		}
		if v := l.TargetLocationMaxErrors; v != nil {
			checkRate(ps, f.Child("TargetLocationMaxErrors"), *v, maxErrorsPattern, "a number from 0 or a percentage from 0% to 100%")
		}
		if v := l.TargetsMaxConcurrency; v != nil {
			checkRate(ps, f.Child("TargetsMaxConcurrency"), *v, maxConcurrencyPattern, "a number from 1 or a percentage from 1% to 100%")
		}
		if v := l.TargetsMaxErrors; v != nil {
			checkRate(ps, f.Child("TargetsMaxErrors"), *v, maxErrorsPattern, "a number from 0 or a percentage from 0% to 100%")
		}
		if len(l.Targets) > 1 {
			ps.add(f.Child("Targets"), "", "has %d targets, at most 1 allowed", len(l.Targets))
		}
		for j, t := range l.Targets {
			checkTarget(ps, f.Child("Targets").Index(j), t)
		}
	}
}

func checkTags(ps *problems, tags []types.Tag) {
	if len(tags) > MaxStartTags {
		ps.add(field.NewPath("Tags"), "", "has %d tags, at most %d allowed at start (add more later with AddTagsToResource)", len(tags), MaxStartTags)
	}
	seen := map[string]bool{}
	for i, t := range tags {
		f := field.NewPath("Tags").Index(i)
		k, v := aws.ToString(t.Key), aws.ToString(t.Value)
		switch n := utf8.RuneCountInString(k); {
		case n < 1 || n > 128:
			ps.add(f.Child("Key"), k, "must be 1 to 128 characters")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			ps.add(f.Child("Key"), k, "must not start with the reserved prefix aws:")
		case !tagPattern.MatchString(k):
			ps.add(f.Child("Key"), k, "may hold only letters, digits, spaces and _ . : / = + - @")
		}
		if seen[k] {
			ps.add(f.Child("Key"), k, "is repeated")
		}
		seen[k] = true
		if t.Value == nil {
			ps.add(f.Child("Value"), "", "is required")
		} else if utf8.RuneCountInString(v) > 256 || !tagPattern.MatchString(v) {
			ps.add(f.Child("Value"), v, "must be at most 256 letters, digits, spaces and _ . : / = + - @")
		}
	}
}

func joinEnum[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
