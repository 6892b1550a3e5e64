package ssmlocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/engine"
)

// callerSession is how long an execution without a service role may run in
// its caller's session.
const callerSession = 12 * time.Hour

var (
	executionIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	clientTokenPattern = executionIDPattern
	concurrencyPattern = regexp.MustCompile(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	errorsPattern      = regexp.MustCompile(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
)

func ssmAutomationOps() []opDef {
	return []opDef{
		{"ssm", "StartAutomationExecution", true, withShape(listifyParameters, typed((*Server).ssmStartAutomationExecution)),
			authOnShape("ssm:StartAutomationExecution", listifyParameters, startTargets)},
		{"ssm", "GetAutomationExecution", true, typed((*Server).ssmGetAutomationExecution),
			executionSpec("ssm:GetAutomationExecution", true, func(in *ssm.GetAutomationExecutionInput) *string { return in.AutomationExecutionId })},
		{"ssm", "DescribeAutomationExecutions", true, typed((*Server).ssmDescribeAutomationExecutions), authAny("ssm:DescribeAutomationExecutions")},
		{"ssm", "DescribeAutomationStepExecutions", true, typed((*Server).ssmDescribeAutomationStepExecutions),
			executionSpec("ssm:DescribeAutomationStepExecutions", false, func(in *ssm.DescribeAutomationStepExecutionsInput) *string { return in.AutomationExecutionId })},
		{"ssm", "StopAutomationExecution", true, typed((*Server).ssmStopAutomationExecution),
			executionSpec("ssm:StopAutomationExecution", true, func(in *ssm.StopAutomationExecutionInput) *string { return in.AutomationExecutionId })},
		{"ssm", "SendAutomationSignal", true, withShape(listifyPayload, typed((*Server).ssmSendAutomationSignal)),
			executionSpec("ssm:SendAutomationSignal", true, func(in *ssm.SendAutomationSignalInput) *string { return in.AutomationExecutionId })},
	}
}

func (s *Server) executionARN(region, id string) string {
	return s.arn("ssm", region, "automation-execution/"+id)
}

// executionSpec authorizes an execution operation on the execution's ARN;
// withTags adds the execution's tags as aws:ResourceTag, for the actions
// the service authorization reference lists that key for.
func executionSpec[In any](action string, withTags bool, idOf func(*In) *string) authSpec {
	spec := authOnInput(action, func(s *Server, c *call, in *In) []authTarget {
		return on(s.executionARN(c.region.Name, aws.ToString(idOf(in))), nil)
	})
	if withTags {
		spec.unlocked = func(_ *Server, c *call, shape map[string]any) map[string][]string {
			in := new(In)
			_ = decodeInput(shape, in) // leniently, as authOnInput does
			return executionTags(c, aws.ToString(idOf(in)))
		}
	}
	return spec
}

// executionTags reads an execution's tags from the engine, outside s.mu.
func executionTags(c *call, id string) map[string][]string {
	tags, err := c.region.engine.Tags(id)
	if err != nil {
		return nil
	}
	ctx := map[string][]string{}
	for _, t := range tags {
		ctx["aws:ResourceTag/"+aws.ToString(t.Key)] = []string{aws.ToString(t.Value)}
	}
	return ctx
}

// startTargets authorizes StartAutomationExecution as AWS does: on the
// document (with its tags and type) and on the execution it creates, both
// with the requested ssm:DocumentVersion and request tags; the
// automation-definition ARN, an optional resource type of the action, is
// checked for an explicit deny only, so a policy naming the document alone
// allows the start, as the user guide's examples do
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-identity-based-policies.html).
func startTargets(s *Server, c *call, in *ssm.StartAutomationExecutionInput) []authTarget {
	name := plainDocName(aws.ToString(in.DocumentName))
	version := aws.ToString(in.DocumentVersion)
	request := requestTagContext(ssmTags(in.Tags), nil)
	if version != "" {
		request["ssm:DocumentVersion"] = []string{version}
	}
	doc := documentContext(c.region, name)
	for k, v := range request {
		if doc == nil {
			doc = map[string][]string{}
		}
		doc[k] = v
	}
	asked := version
	if asked == "" {
		asked = "$DEFAULT"
	}
	return []authTarget{
		{resource: s.docARN(c.region.Name, name), context: doc},
		{resource: s.executionARN(c.region.Name, c.startingExecutionID()), context: request},
		{resource: s.definitionARN(c.region.Name, name, asked), context: doc, optional: true},
	}
}

// listifyParameters and listifyPayload take the scalar values steps may
// pass for StartAutomationExecution's Parameters and
// SendAutomationSignal's Payload.
func listifyParameters(in map[string]any) { listify(in, "Parameters") }

func listifyPayload(in map[string]any) { listify(in, "Payload") }

// listify turns scalar parameter values into one-element lists: steps pass
// parameters loosely (aws:executeAutomation as a map of string lists), the
// wire always sends lists. It replaces the member and leaves the map it was
// given as it is.
func listify(in map[string]any, key string) {
	var m map[string]any
	switch x := in[key].(type) {
	case map[string]any:
		m = x
	case map[string][]string:
		m = make(map[string]any, len(x))
		for k, v := range x {
			m[k] = v
		}
	default:
		return
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = []any{x}
		case bool, int, int64, float64:
			out[k] = []any{fmt.Sprint(x)}
		default:
			out[k] = v
		}
	}
	in[key] = out
}

// checkStartInput checks StartAutomationExecution's members as AWS's
// request validation does.
func checkStartInput(in *ssm.StartAutomationExecutionInput) error {
	if in.ClientToken != nil && !clientTokenPattern.MatchString(*in.ClientToken) {
		return validation("clientToken", *in.ClientToken, "Member must satisfy regular expression pattern: [a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}")
	}
	switch in.Mode {
	case "", types.ExecutionModeAuto, types.ExecutionModeInteractive:
	default:
		return validation("mode", in.Mode, "Member must satisfy enum value set: [Auto, Interactive]")
	}
	if err := checkRateInputs(in); err != nil {
		return err
	}
	if len(in.Tags) > 1000 {
		return validation("tags", len(in.Tags), "Member must have length less than or equal to 1000")
	}
	if len(in.Parameters) > 200 {
		return validation("parameters", len(in.Parameters), "Member must have length less than or equal to 200")
	}
	for k := range in.Parameters {
		if len(k) < 1 || len(k) > 50 {
			return validation("parameters", k, "Map keys must have length between 1 and 50")
		}
	}
	if in.AlarmConfiguration != nil {
		return apiErr("ValidationException", "AlarmConfiguration is not simulated by the local endpoint")
	}
	return nil
}

// checkRateInputs checks the rate-control members: the concurrency and
// error thresholds, the targets or target maps and the target parameter.
func checkRateInputs(in *ssm.StartAutomationExecutionInput) error {
	if in.MaxConcurrency != nil && (len(*in.MaxConcurrency) > 7 || !concurrencyPattern.MatchString(*in.MaxConcurrency)) {
		return validation("maxConcurrency", *in.MaxConcurrency, "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
	}
	if in.MaxErrors != nil && (len(*in.MaxErrors) > 7 || !errorsPattern.MatchString(*in.MaxErrors)) {
		return validation("maxErrors", *in.MaxErrors, "Member must satisfy regular expression pattern: ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")
	}
	if len(in.Targets) > 5 {
		return validation("targets", len(in.Targets), "Member must have length less than or equal to 5")
	}
	if len(in.TargetMaps) > 300 {
		return validation("targetMaps", len(in.TargetMaps), "Member must have length less than or equal to 300")
	}
	if len(in.Targets) > 0 && len(in.TargetMaps) > 0 {
		return apiErr("ValidationException", "Targets and TargetMaps cannot be specified together.")
	}
	if in.TargetParameterName != nil && (len(*in.TargetParameterName) < 1 || len(*in.TargetParameterName) > 50) {
		return validation("targetParameterName", *in.TargetParameterName, "Member must have length between 1 and 50")
	}
	if len(in.Targets) > 0 && (in.TargetParameterName == nil || *in.TargetParameterName == "") {
		return apiErr("ValidationException", "TargetParameterName must be provided with Targets.")
	}
	return nil
}

func (s *Server) ssmStartAutomationExecution(ctx context.Context, c *call, in *ssm.StartAutomationExecutionInput) (*ssm.StartAutomationExecutionOutput, error) {
	name, err := docName("DocumentName", in.DocumentName, false)
	if err != nil {
		return nil, err
	}
	if _, err := optVersion("DocumentVersion", in.DocumentVersion); err != nil {
		return nil, err
	}
	in.DocumentName = &name
	if err := checkStartInput(in); err != nil {
		return nil, err
	}
	if err := s.checkTargetLocations(c, in); err != nil {
		return nil, err
	}
	id, err := s.startAutomation(ctx, c, in)
	if err != nil {
		return nil, err
	}
	return &ssm.StartAutomationExecutionOutput{AutomationExecutionId: aws.String(id)}, nil
}

// startAutomation is the start flow of the wire and of steps
// (aws:executeAutomation), once the dispatcher authorized the start: resolve
// the document and its service role, check PassRole and the role's trust,
// and hand the engine the principal to act as.
func (s *Server) startAutomation(ctx context.Context, c *call, in *ssm.StartAutomationExecutionInput) (string, error) {
	name := derefStr(in.DocumentName)
	version := derefStr(in.DocumentVersion)
	id := c.startingExecutionID()
	execARN := s.executionARN(c.region.Name, id)

	// Everything up to the engine's start only reads shared state.
	s.mu.RLock()
	d, v, err := c.region.lookupDoc(name, version, "")
	if err != nil {
		s.mu.RUnlock()
		if asAPIError(err).Code == "InvalidDocumentVersion" {
			return "", apiErr("InvalidDocumentVersion", "The document version is not valid or does not exist.")
		}
		return "", apiErr("InvalidDocument", "Document %s does not exist", name)
	}
	if d.Type != "Automation" {
		s.mu.RUnlock()
		return "", apiErr("InvalidDocument", "Document %s is not an Automation runbook", name)
	}
	doc, err := s.parsed(v)
	if err != nil {
		s.mu.RUnlock()
		return "", apiErr("InvalidDocument", "Document %s cannot be read: %v", name, err)
	}
	if in.Parameters, err = s.resolveParamRefs(c, doc, in.Parameters); err != nil {
		s.mu.RUnlock()
		return "", err
	}
	roleARN, fromParam, err := resolveRole(doc, in.Parameters)
	if err != nil {
		s.mu.RUnlock()
		return "", err
	}
	start := engine.StartInput{
		ID: id, DocumentName: d.Name, DocumentVersion: strconv.Itoa(v.Version), Content: []byte(v.Content), DocumentHash: v.Hash,
		Parameters: in.Parameters, Mode: in.Mode, TargetParameterName: derefStr(in.TargetParameterName),
		Targets: in.Targets, TargetMaps: in.TargetMaps, MaxConcurrency: derefStr(in.MaxConcurrency),
		MaxErrors: derefStr(in.MaxErrors), Tags: in.Tags, ClientToken: derefStr(in.ClientToken),
		ExecutedBy: c.who.ARN, ParentID: c.executionID,
	}
	if len(in.TargetLocations) > 0 {
		return s.startAcrossLocations(ctx, c, in, start, roleARN)
	}
	if roleARN == "" {
		// No service role: the steps run in the caller's own session.
		start.Principal = engine.Principal{ARN: c.who.ARN, RoleARN: c.who.RoleARN, Expires: s.clock.Now().Add(callerSession)}
		if !c.who.Expires.IsZero() && c.who.Expires.Before(start.Principal.Expires) {
			start.Principal.Expires = c.who.Expires
		}
		s.mu.RUnlock()
		return c.region.engine.Start(ctx, start)
	}
	if fromParam {
		// Passing a role to Automation is the caller's right to check; a
		// role written into the document was vetted by its author.
		if err := c.authorize("iam:PassRole", roleARN, map[string][]string{"iam:PassedToService": {"ssm.amazonaws.com"}}); err != nil {
			s.mu.RUnlock()
			return "", err
		}
	}
	role, trusted, ev := s.assumeForAutomation(c, roleARN, execARN, id)
	if role == nil || !trusted {
		start.FailureMessage = "The defined assume role is unable to be assumed."
		start.Principal = engine.Principal{ARN: c.who.ARN, RoleARN: c.who.RoleARN}
	} else {
		start.Principal = engine.Principal{ARN: s.arn("sts", "", "assumed-role/"+role.Name+"/"+id), RoleARN: role.ARN}
	}
	s.mu.RUnlock()
	s.audit.add(s, ev)
	if role != nil && start.FailureMessage == "" {
		s.mu.Lock()
		role.LastUsed, role.LastRegion = s.clock.Now().UTC(), c.region.Name
		s.mu.Unlock()
	}
	return c.region.engine.Start(ctx, start)
}

// assumeForAutomation checks that ssm.amazonaws.com may assume the role for
// this execution (trust policy with aws:SourceAccount and aws:SourceArn) and
// returns the AssumeRole event for the audit trail, which the caller records
// once it has released s.mu (read or write), so OnAudit never runs under it.
func (s *Server) assumeForAutomation(c *call, roleARN, execARN, id string) (*iamRole, bool, AuditEvent) {
	ev := AuditEvent{
		Time: s.clock.Now(), Service: "sts", API: "AssumeRole", Region: c.region.Name, Principal: "ssm.amazonaws.com",
		Resources: []string{roleARN}, ExecutionID: id, SourceIP: "ssm.amazonaws.com", RequestID: newUUID(),
	}
	name, ok := roleARNName(roleARN)
	role := s.iam.Roles[name]
	if !ok || role == nil || role.ARN != roleARN {
		ev.Decision, ev.ErrorCode, ev.ErrorMessage = "Denied", "NoSuchEntity", "The role "+roleARN+" does not exist"
		return nil, false, ev
	}
	trust, err := s.policies.parse(role.Trust)
	if err != nil {
		ev.Decision, ev.ErrorCode, ev.ErrorMessage = "Denied", "MalformedPolicyDocument", err.Error()
		return role, false, ev
	}
	now := s.clock.Now().UTC()
	req := policy.Request{
		Principal: "ssm.amazonaws.com", Action: "sts:AssumeRole", Resource: roleARN,
		Context: map[string][]string{
			"aws:SourceAccount":         {s.opts.AccountID},
			"aws:SourceArn":             {execARN},
			"aws:PrincipalServiceName":  {"ssm.amazonaws.com"},
			"aws:PrincipalIsAWSService": {"true"},
			"aws:CurrentTime":           {now.Format("2006-01-02T15:04:05Z")},
			"aws:EpochTime":             {strconv.FormatInt(now.Unix(), 10)},
			"aws:SecureTransport":       {"true"},
			"aws:RequestedRegion":       {c.region.Name},
			"sts:RoleSessionName":       {id},
		},
	}
	res := policy.Evaluate(req, nil, &policy.NamedPolicy{Name: roleARN + " trust policy", Policy: trust})
	if res.Decision != policy.DecisionAllow {
		ev.Decision, ev.ErrorCode = "Denied", "AccessDenied"
		ev.ErrorMessage = "ssm.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: " + roleARN
		return role, false, ev
	}
	ev.Decision = "Allowed"
	return role, true, ev
}

// resolveRole returns the service role a start runs as: the document's
// literal assumeRole, or the value of the parameter it references (given or
// defaulted). fromParam says the caller chose it.
func resolveRole(doc *runbook.Document, params map[string][]string) (string, bool, error) {
	ar := strings.TrimSpace(doc.AssumeRole)
	if ar == "" {
		return "", false, nil
	}
	if !strings.Contains(ar, "{{") {
		return ar, false, nil
	}
	ref, ok := runbook.WholeReference(ar)
	if !ok || ref.Kind != runbook.RefParameter {
		return "", false, apiErr("InvalidAutomationExecutionParametersException", "assumeRole %q must be a role ARN or a single parameter reference", ar)
	}
	if vals, ok := params[ref.Name]; ok {
		if len(vals) != 1 {
			return "", false, apiErr("InvalidAutomationExecutionParametersException", "Parameter %s must have exactly one value", ref.Name)
		}
		return strings.TrimSpace(vals[0]), vals[0] != "", nil
	}
	for _, p := range doc.Parameters {
		if p.Name == ref.Name {
			def, _ := p.Default.AsString()
			return strings.TrimSpace(def), false, nil
		}
	}
	return "", false, apiErr("InvalidAutomationExecutionParametersException", "assumeRole references parameter %s, which the document does not declare", ref.Name)
}

func derefStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// executionID checks an AutomationExecutionId member.
func executionID(p *string) (string, error) {
	id := aws.ToString(p)
	if id == "" {
		return "", validation("automationExecutionId", "null", "Member must not be null")
	}
	if len(id) != 36 {
		return "", validation("automationExecutionId", id, "Member must have length equal to 36")
	}
	return id, nil
}

func (s *Server) ssmGetAutomationExecution(_ context.Context, c *call, in *ssm.GetAutomationExecutionInput) (*ssm.GetAutomationExecutionOutput, error) {
	id, err := executionID(in.AutomationExecutionId)
	if err != nil {
		return nil, err
	}
	x, err := c.region.engine.Get(id)
	if err != nil {
		return nil, err
	}
	return &ssm.GetAutomationExecutionOutput{AutomationExecution: &x}, nil
}

// filterKeys lists an enum's values as strings.
func filterKeys[E ~string](values []E) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// executionPage checks an Automation listing's MaxResults, 1 to 50 when
// given; 0 leaves the engine's default.
func executionPage(maxResults *int32) (int32, error) {
	if maxResults != nil && (*maxResults < 1 || *maxResults > 50) {
		return 0, validation("maxResults", *maxResults, "Member must have value between 1 and 50")
	}
	return aws.ToInt32(maxResults), nil
}

// checkFilter checks the i-th filter of a listing: a key of the enum keys
// and 1 to 10 values; valueLen, when positive, bounds each value's length.
func checkFilter(i int, key string, keys []string, values []string, valueLen int) error {
	if !containsString(keys, key) {
		return validation(fmt.Sprintf("filters.%d.member.key", i+1), key, "Member must satisfy enum value set: ["+strings.Join(keys, ", ")+"]")
	}
	if len(values) < 1 || len(values) > 10 {
		return validation(fmt.Sprintf("filters.%d.member.values", i+1), values, "Member must have length between 1 and 10")
	}
	for _, v := range values {
		if valueLen > 0 && (len(v) < 1 || len(v) > valueLen) {
			return validation(fmt.Sprintf("filters.%d.member.values", i+1), v, fmt.Sprintf("Member must have length between 1 and %d", valueLen))
		}
	}
	return nil
}

func (s *Server) ssmDescribeAutomationExecutions(_ context.Context, c *call, in *ssm.DescribeAutomationExecutionsInput) (*ssm.DescribeAutomationExecutionsOutput, error) {
	if len(in.Filters) > 10 {
		return nil, validation("filters", len(in.Filters), "Member must have length less than or equal to 10")
	}
	keys := filterKeys(types.AutomationExecutionFilterKey("").Values())
	for i, f := range in.Filters {
		if err := checkFilter(i, string(f.Key), keys, f.Values, 150); err != nil {
			return nil, err
		}
	}
	maxResults, err := executionPage(in.MaxResults)
	if err != nil {
		return nil, err
	}
	list, token, err := c.region.engine.Describe(in.Filters, maxResults, aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []types.AutomationExecutionMetadata{}
	}
	return &ssm.DescribeAutomationExecutionsOutput{AutomationExecutionMetadataList: list, NextToken: optString(token)}, nil
}

func (s *Server) ssmDescribeAutomationStepExecutions(_ context.Context, c *call, in *ssm.DescribeAutomationStepExecutionsInput) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	id, err := executionID(in.AutomationExecutionId)
	if err != nil {
		return nil, err
	}
	if len(in.Filters) > 6 {
		return nil, validation("filters", len(in.Filters), "Member must have length less than or equal to 6")
	}
	keys := filterKeys(types.StepExecutionFilterKey("").Values())
	for i, f := range in.Filters {
		if err := checkFilter(i, string(f.Key), keys, f.Values, 0); err != nil {
			return nil, err
		}
	}
	maxResults, err := executionPage(in.MaxResults)
	if err != nil {
		return nil, err
	}
	steps, token, err := c.region.engine.Steps(id, in.Filters, aws.ToBool(in.ReverseOrder), maxResults, aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	if steps == nil {
		steps = []types.StepExecution{}
	}
	return &ssm.DescribeAutomationStepExecutionsOutput{StepExecutions: steps, NextToken: optString(token)}, nil
}

func (s *Server) ssmStopAutomationExecution(_ context.Context, c *call, in *ssm.StopAutomationExecutionInput) (*ssm.StopAutomationExecutionOutput, error) {
	id, err := executionID(in.AutomationExecutionId)
	if err != nil {
		return nil, err
	}
	typ := in.Type
	switch typ {
	case "":
		typ = types.StopTypeCancel
	case types.StopTypeCancel, types.StopTypeComplete:
	default:
		return nil, validation("type", typ, "Member must satisfy enum value set: [Complete, Cancel]")
	}
	if err := c.region.engine.Stop(id, typ); err != nil {
		return nil, err
	}
	return &ssm.StopAutomationExecutionOutput{}, nil
}

func (s *Server) ssmSendAutomationSignal(_ context.Context, c *call, in *ssm.SendAutomationSignalInput) (*ssm.SendAutomationSignalOutput, error) {
	id, err := executionID(in.AutomationExecutionId)
	if err != nil {
		return nil, err
	}
	switch in.SignalType {
	case types.SignalTypeApprove, types.SignalTypeReject, types.SignalTypeStartStep, types.SignalTypeStopStep, types.SignalTypeResume, types.SignalTypeRevoke:
	case "":
		return nil, validation("signalType", "null", "Member must not be null")
	default:
		return nil, validation("signalType", in.SignalType, "Member must satisfy enum value set: [Approve, Reject, StartStep, StopStep, Resume, Revoke]")
	}
	if err := c.region.engine.Signal(id, in.SignalType, in.Payload, c.who.ARN); err != nil {
		return nil, err
	}
	return &ssm.SendAutomationSignalOutput{}, nil
}

func containsString(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

// invoker performs steps' calls for one Region's engine.
type invoker struct {
	s      *Server
	region string
}

var _ engine.Invoker = invoker{}

// Invoke runs a step's call through the same operations the wire serves,
// authorized as the execution's principal and audited with its execution
// and step.
func (iv invoker) Invoke(ctx context.Context, ec engine.Call) (map[string]any, error) {
	s := iv.s
	who, err := s.principalIdentity(ec.Principal)
	if err != nil {
		return nil, err
	}
	c := &call{
		s: s, who: who, service: strings.ToLower(ec.Service), api: ec.API, regionNm: iv.region,
		sourceIP: "ssm.amazonaws.com", requestID: newUUID(), executionID: ec.ExecutionID, stepName: ec.StepName,
	}
	in := make(map[string]any, len(ec.Params))
	for k, v := range ec.Params {
		in[k] = v
	}
	out, err := s.dispatch(ctx, c, in)
	if err != nil {
		return nil, err
	}
	plain := plainShape(out)
	if c.service == "iam" {
		decodePolicyDocuments(plain)
	}
	return plain, nil
}

// decodePolicyDocuments turns IAM's URL-encoded policy documents into JSON
// objects, as the boto3 client behind aws:executeAwsApi returns them, so
// selectors such as $.Role.AssumeRolePolicyDocument.Statement[0] work.
func decodePolicyDocuments(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && (k == "AssumeRolePolicyDocument" || k == "PolicyDocument" || k == "Document") {
				if text, err := url.QueryUnescape(s); err == nil {
					var doc any
					if json.Unmarshal([]byte(text), &doc) == nil {
						x[k] = doc
						continue
					}
				}
			}
			decodePolicyDocuments(e)
		}
	case []any:
		for _, e := range x {
			decodePolicyDocuments(e)
		}
	}
}

// principalIdentity turns the engine's principal back into an identity.
func (s *Server) principalIdentity(p engine.Principal) (identity, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p.RoleARN != "" {
		name, _ := roleARNName(p.RoleARN)
		id := identity{ARN: p.ARN, RoleName: name, RoleARN: p.RoleARN, Expires: p.Expires}
		if r, ok := s.iam.Roles[name]; ok {
			session := p.ARN[strings.LastIndexByte(p.ARN, '/')+1:]
			id.UserID = r.ID + ":" + session
		}
		return id, nil
	}
	for _, u := range s.iam.Users {
		if u.ARN == p.ARN {
			return identity{ARN: u.ARN, UserID: u.ID, UserName: u.Name, Expires: p.Expires}, nil
		}
	}
	return identity{}, errors.New("ssmlocal: unknown principal " + p.ARN)
}

// startEngines starts one automation engine per Region.
func (s *Server) startEngines() error {
	// Restored executions resume as soon as their engine is made, and a
	// commit reads every Region's engine: their changes wait until all
	// engines are in place.
	ready := make(chan struct{})
	fs := s.startOfFleet()
	for _, name := range s.opts.Regions {
		r := s.regions[name]
		e, err := engine.New(engine.Options{
			Clock: s.clock, Invoker: invoker{s: s, region: name}, Account: s.opts.AccountID, Region: name,
			Partition: s.opts.Partition, State: s.restoredExecutions[name], Scripts: s.scriptHost(name),
			Locations: locationHost{s: s, home: name},
			OnChange: func(id string) {
				<-ready
				fs.wait()
				s.publishAutomationEvents(name, id)
				_ = s.flush()
			},
		})
		if err != nil {
			close(ready) // the stopping engines' last changes must not wait
			fs.started(s.fleet, false)
			s.stopEngines()
			return fmt.Errorf("ssmlocal: start the automation engine for %s: %w", name, err)
		}
		r.engine = e
	}
	close(ready)
	fs.started(s.fleet, true)
	return nil
}

func (s *Server) stopEngines() error {
	var errs []error
	for _, r := range s.regions {
		if r.engine != nil {
			errs = append(errs, r.engine.Close())
		}
	}
	return errors.Join(errs...)
}
