package ssmlocal

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/engine"
)

// AdministrationRoleName is the role Automation assumes in the
// administrator account to run a multi-account and multi-Region execution.
const AdministrationRoleName = "AWS-SystemsManager-AutomationAdministrationRole"

// Limits of StartAutomationExecution's TargetLocations
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_TargetLocation.html).
const (
	maxTargetLocations  = 100
	maxLocationAccounts = 50
	maxLocationRegions  = 50
)

var (
	executionRoleNamePattern = regexp.MustCompile(`^[\w+=,.@/-]+$`)
	accountIDPattern         = regexp.MustCompile(`^\d{12}$`)
)

func notSimulatedLocation(what string) error {
	return apiErr("ValidationException", "%s is not simulated by the local endpoint", what)
}

// checkTargetLocations validates TargetLocations and fills AWS's defaults:
// the caller's account and Region, the default execution role,
// TargetLocationMaxConcurrency 1 and TargetLocationMaxErrors 0.
func (s *Server) checkTargetLocations(c *call, in *ssm.StartAutomationExecutionInput) error {
	if in.TargetLocationsURL != nil {
		return notSimulatedLocation("TargetLocationsURL (target locations read from an Amazon S3 object; the endpoint serves no S3)")
	}
	if len(in.TargetLocations) == 0 {
		return nil
	}
	if len(in.TargetLocations) > maxTargetLocations {
		return validation("targetLocations", len(in.TargetLocations), fmt.Sprintf("Member must have length less than or equal to %d", maxTargetLocations))
	}
	out := make([]types.TargetLocation, len(in.TargetLocations))
	for i, tl := range in.TargetLocations {
		if err := checkLocationMembers(i, tl, derefStr(in.TargetParameterName)); err != nil {
			return err
		}
		if err := s.checkLocationScope(i, tl); err != nil {
			return err
		}
		out[i] = s.withLocationDefaults(c, tl)
	}
	in.TargetLocations = out
	return nil
}

// patternBad reports whether an optional member is set and longer than
// max or not matched by re.
func patternBad(v *string, max int, re *regexp.Regexp) bool {
	return v != nil && (len(*v) > max || !re.MatchString(*v))
}

// checkLocationMembers checks the members of target location i (0-based)
// against the API's constraints, in the order the service reports them.
func checkLocationMembers(i int, tl types.TargetLocation, targetParameter string) error {
	member := func(m string) string { return fmt.Sprintf("targetLocations.%d.member.%s", i+1, m) }
	switch {
	case len(tl.Accounts) > maxLocationAccounts:
		return validation(member("accounts"), len(tl.Accounts), fmt.Sprintf("Member must have length less than or equal to %d", maxLocationAccounts))
	case len(tl.Regions) > maxLocationRegions:
		return validation(member("regions"), len(tl.Regions), fmt.Sprintf("Member must have length less than or equal to %d", maxLocationRegions))
	case patternBad(tl.ExecutionRoleName, 64, executionRoleNamePattern):
		return validation(member("executionRoleName"), *tl.ExecutionRoleName, `Member must satisfy regular expression pattern: [\w+=,.@/-]+`)
	case patternBad(tl.TargetLocationMaxConcurrency, 7, concurrencyPattern):
		return validation(member("targetLocationMaxConcurrency"), *tl.TargetLocationMaxConcurrency, "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
	case patternBad(tl.TargetLocationMaxErrors, 7, errorsPattern):
		return validation(member("targetLocationMaxErrors"), *tl.TargetLocationMaxErrors, "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")
	case len(tl.ExcludeAccounts) > 0 || tl.IncludeChildOrganizationUnits:
		return notSimulatedLocation("ExcludeAccounts and IncludeChildOrganizationUnits (AWS Organizations)")
	case tl.TargetLocationAlarmConfiguration != nil:
		return notSimulatedLocation("TargetLocationAlarmConfiguration")
	case len(tl.Targets) > 5:
		return validation(member("targets"), len(tl.Targets), "Member must have length less than or equal to 5")
	case len(tl.Targets) > 0 && targetParameter == "":
		return apiErr("ValidationException", "TargetParameterName must be provided with the Targets of target location %d.", i+1)
	case patternBad(tl.TargetsMaxConcurrency, 7, concurrencyPattern):
		return validation(member("targetsMaxConcurrency"), *tl.TargetsMaxConcurrency, "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
	case patternBad(tl.TargetsMaxErrors, 7, errorsPattern):
		return validation(member("targetsMaxErrors"), *tl.TargetsMaxErrors, "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")
	}
	return nil
}

// checkLocationScope checks that target location i names accounts, not
// organizational units, and only Regions this endpoint serves.
func (s *Server) checkLocationScope(i int, tl types.TargetLocation) error {
	for _, a := range tl.Accounts {
		if strings.HasPrefix(a, "ou-") {
			return notSimulatedLocation("an organizational unit as a target account (AWS Organizations)")
		}
		if !accountIDPattern.MatchString(a) {
			return validation(fmt.Sprintf("targetLocations.%d.member.accounts", i+1), a, "Member must be a 12-digit account ID")
		}
	}
	for _, r := range tl.Regions {
		if !slices.Contains(s.opts.Regions, r) {
			return apiErr("ValidationException", "Region %s of target location %d is not served by this endpoint (it serves %s)", r, i+1, strings.Join(s.opts.Regions, ", "))
		}
	}
	return nil
}

// withLocationDefaults fills AWS's defaults into a target location: the
// caller's account and Region, the default execution role, concurrency 1
// and no errors allowed.
func (s *Server) withLocationDefaults(c *call, tl types.TargetLocation) types.TargetLocation {
	if len(tl.Accounts) == 0 {
		tl.Accounts = []string{s.opts.AccountID}
	}
	if len(tl.Regions) == 0 {
		tl.Regions = []string{c.region.Name}
	}
	if tl.ExecutionRoleName == nil {
		tl.ExecutionRoleName = aws.String(engine.DefaultExecutionRoleName)
	}
	if tl.TargetLocationMaxConcurrency == nil {
		tl.TargetLocationMaxConcurrency = aws.String("1")
	}
	if tl.TargetLocationMaxErrors == nil {
		tl.TargetLocationMaxErrors = aws.String("0")
	}
	return tl
}

// startAcrossLocations starts a CrossAccount execution once the start is
// authorized and its document resolved: Automation assumes the
// administration role of the caller's account (the runbook's service role,
// usually passed as AutomationAssumeRole, or
// AWS-SystemsManager-AutomationAdministrationRole when it has none), which
// the caller passes (iam:PassRole); the parent runs as that role's session
// and each location then assumes its execution role. s.mu is read-locked
// on entry and released here.
func (s *Server) startAcrossLocations(ctx context.Context, c *call, in *ssm.StartAutomationExecutionInput, start engine.StartInput, adminARN string) (string, error) {
	if adminARN == "" {
		adminARN = s.arn("iam", "", "role/"+AdministrationRoleName)
	}
	name, ok := roleARNName(adminARN)
	if !ok {
		s.mu.RUnlock()
		return "", apiErr("InvalidAutomationExecutionParametersException", "The administration role %s is not a role ARN", adminARN)
	}
	start.AdministrationRole = name
	if err := c.authorize("iam:PassRole", adminARN, map[string][]string{"iam:PassedToService": {"ssm.amazonaws.com"}}); err != nil {
		s.mu.RUnlock()
		return "", err
	}
	start.TargetLocations = in.TargetLocations
	role, trusted, ev := s.assumeForAutomation(c, adminARN, s.executionARN(c.region.Name, start.ID), start.ID)
	if role == nil || !trusted {
		// Each location then fails, reached through the same role.
		start.Principal = engine.Principal{ARN: c.who.ARN, RoleARN: c.who.RoleARN}
	} else {
		start.Principal = engine.Principal{ARN: s.arn("sts", "", "assumed-role/"+role.Name+"/"+start.ID), RoleARN: role.ARN}
	}
	s.mu.RUnlock()
	s.audit.add(s, ev)
	if role != nil && trusted {
		s.mu.Lock()
		role.LastUsed, role.LastRegion = s.clock.Now().UTC(), c.region.Name
		s.mu.Unlock()
	}
	return c.region.engine.Start(ctx, start)
}

// locationHost runs the locations of the CrossAccount executions of one
// core's engines: s is the administrator account's core.
type locationHost struct {
	s    *Server
	home string
}

var _ engine.Locations = locationHost{}

// StartLocation reaches the location as Automation does (the
// administration role assumed by ssm.amazonaws.com, then the execution role
// in the target account assumed by that session, both sides decided and
// audited) and starts the child in the target account's engine for the
// Region, as the execution role's session.
func (h locationHost) StartLocation(ctx context.Context, in engine.LocationStart) (string, string, error) {
	loc := in.Location
	sess, err := h.s.assumeLocation(ctx, locationAssume{
		Account: loc.Account, Region: loc.Region, ExecutionRole: loc.ExecutionRoleName, AdministrationRole: in.AdministrationRole,
		ParentID: in.ParentID, ParentARN: h.s.executionARN(h.home, in.ParentID),
	})
	var denied *locationRoleError
	if errors.As(err, &denied) {
		return "", denied.Error(), nil
	}
	if err != nil {
		return "", "", err
	}
	r, ok := sess.Core.regions[loc.Region]
	if !ok || r.engine == nil {
		return "", fmt.Sprintf("Region %s is not served by this endpoint", loc.Region), nil
	}
	id, err := r.engine.Start(ctx, engine.StartInput{
		DocumentName: in.DocumentName, DocumentVersion: in.DocumentVersion, Content: in.Content, DocumentHash: in.DocumentHash,
		Parameters: in.Parameters, TargetParameterName: in.TargetParameterName, Targets: in.Targets, TargetMaps: in.TargetMaps,
		MaxConcurrency: in.MaxConcurrency, MaxErrors: in.MaxErrors, ExecutedBy: in.ExecutedBy, ParentID: in.ParentID,
		Principal: engine.Principal{ARN: sess.Who.ARN, RoleARN: sess.Who.RoleARN},
	})
	if err != nil {
		return "", "", err
	}
	return id, "", nil
}

// locationEngine is the engine of a location's account and Region.
func (h locationHost) locationEngine(loc engine.Location) (engine.API, error) {
	c, ok := h.s.core(loc.Account)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAccount, loc.Account)
	}
	r, ok := c.regions[loc.Region]
	if !ok || r.engine == nil {
		return nil, fmt.Errorf("ssmlocal: region %s is not served", loc.Region)
	}
	return r.engine, nil
}

// LocationStatus reads a child's status in its location.
func (h locationHost) LocationStatus(loc engine.Location, id string) (types.AutomationExecutionStatus, string, error) {
	e, err := h.locationEngine(loc)
	if err != nil {
		return "", "", err
	}
	x, err := e.Get(id)
	if err != nil {
		return "", "", err
	}
	return x.AutomationExecutionStatus, aws.ToString(x.FailureMessage), nil
}

// StopLocation cancels a child in its location.
func (h locationHost) StopLocation(loc engine.Location, id string) {
	if e, err := h.locationEngine(loc); err == nil {
		_ = e.Stop(id, types.StopTypeCancel) // a child that already ended refuses; that is fine
	}
}

// fleetStart lets the engines of every account's core wait, before any
// execution acts, until all cores have their engines: a restored
// CrossAccount execution follows children in other accounts' engines.
type fleetStart struct {
	mu      sync.Mutex
	pending int
	ready   chan struct{}
}

// fleetStarts holds the start of each fleet whose cores are starting.
var fleetStarts sync.Map // *fleet → *fleetStart

// startOfFleet returns s's fleet's start; nil without a fleet.
func (s *Server) startOfFleet() *fleetStart {
	if s.fleet == nil {
		return nil
	}
	v, _ := fleetStarts.LoadOrStore(s.fleet, &fleetStart{pending: len(s.fleet.order), ready: make(chan struct{})})
	return v.(*fleetStart)
}

// started records that one core has its engines, or failed to (ok false):
// the last core, or a failure, releases every core's executions.
func (f *fleetStart) started(key *fleet, ok bool) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pending == 0 {
		return
	}
	f.pending--
	if !ok {
		f.pending = 0
	}
	if f.pending == 0 {
		close(f.ready)
		fleetStarts.Delete(key)
	}
}

// wait blocks until every core of the fleet has its engines.
func (f *fleetStart) wait() {
	if f != nil {
		<-f.ready
	}
}
