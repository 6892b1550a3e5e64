package ssmlocal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// IAM's policy simulator: SimulateCustomPolicy decides actions against the
// policies in the request, SimulatePrincipalPolicy against a user's, group's
// or role's policies as stored here (plus any in the request). Both use the
// evaluator that authorizes every call.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html

func iamSimulateOps() []opDef {
	return []opDef{
		{"iam", "SimulateCustomPolicy", false, typed((*Server).iamSimulateCustomPolicy), authAny("iam:SimulateCustomPolicy")},
		{"iam", "SimulatePrincipalPolicy", false, typed((*Server).iamSimulatePrincipalPolicy), authOnInput("iam:SimulatePrincipalPolicy", simulatedPrincipal)},
	}
}

// simulatedPrincipal is what SimulatePrincipalPolicy is authorized on: the
// principal whose policies are read. A missing ARN is authorized on "*" and
// then refused by the handler's validation.
func simulatedPrincipal(_ *Server, _ *call, in *iam.SimulatePrincipalPolicyInput) []authTarget {
	source := aws.ToString(in.PolicySourceArn)
	if source == "" {
		source = "*"
	}
	return on(source, nil)
}

const (
	simMaxPolicy    = 131072 // policyDocumentType's max
	simDefaultItems = 100
	simMaxItems     = 1000
	simMaxMarker    = 320
	simSourceNone   = "none"
	simSourceRes    = "resource"
	simResourceKey  = "ResourcePolicy"
	simInputList    = "PolicyInputList"
	simBoundaryList = "PermissionsBoundaryPolicyInputList"
)

// simPolicy is one policy of a simulation: how results name it, and its
// statements' positions in its text.
type simPolicy struct {
	id, typ string // SourcePolicyId, SourcePolicyType
	p       *policy.Policy
	spans   []stmtSpan
}

// simRequest is a decoded simulation request.
type simRequest struct {
	identity   []simPolicy
	boundaries []simPolicy
	resource   *simPolicy
	actions    []string
	resources  []string // nil: "*" without ResourceSpecificResults
	caller     string
	context    map[string][]string
	maxItems   int
	start      int
	sum        string // fingerprint of the request, carried in markers
}

// simMembers are the members both simulation operations take.
type simMembers struct {
	actions, docs, bounds, resources                []string
	caller, owner, handling, resourcePolicy, marker *string
	context                                         []iamtypes.ContextEntry
	maxItems                                        *int32
}

func (s *Server) iamSimulateCustomPolicy(_ context.Context, c *call, in *iam.SimulateCustomPolicyInput) (*iam.SimulateCustomPolicyOutput, error) {
	m := simMembers{actions: in.ActionNames, docs: in.PolicyInputList, bounds: in.PermissionsBoundaryPolicyInputList, resources: in.ResourceArns,
		caller: in.CallerArn, owner: in.ResourceOwner, handling: in.ResourceHandlingOption, resourcePolicy: in.ResourcePolicy, marker: in.Marker,
		context: in.ContextEntries, maxItems: in.MaxItems}
	docs := nonEmpty(m.docs)
	if docs == nil {
		return nil, simValidation("policyInputList", "null", "Member must not be null")
	}
	req, err := s.simulationInput(m)
	if err != nil {
		return nil, err
	}
	if err := req.readPolicies(m, docs, nil); err != nil {
		return nil, err
	}
	if req.resource != nil && req.caller == "" {
		return nil, apiErr("InvalidInput", "CallerArn must be specified when a ResourcePolicy is included, so that its Principal element has a caller to match.")
	}
	out := req.run()
	return &iam.SimulateCustomPolicyOutput{EvaluationResults: out.EvaluationResults, IsTruncated: out.IsTruncated, Marker: out.Marker}, nil
}

func (s *Server) iamSimulatePrincipalPolicy(_ context.Context, c *call, in *iam.SimulatePrincipalPolicyInput) (*iam.SimulatePrincipalPolicyOutput, error) {
	source := aws.ToString(in.PolicySourceArn)
	if source == "" {
		return nil, simValidation("policySourceArn", "null", "Member must not be null")
	}
	if len(source) < 20 || len(source) > 2048 {
		return nil, simValidation("policySourceArn", source, "Member must have length between 20 and 2048")
	}
	m := simMembers{actions: in.ActionNames, docs: in.PolicyInputList, bounds: in.PermissionsBoundaryPolicyInputList, resources: in.ResourceArns,
		caller: in.CallerArn, owner: in.ResourceOwner, handling: in.ResourceHandlingOption, resourcePolicy: in.ResourcePolicy, marker: in.Marker,
		context: in.ContextEntries, maxItems: in.MaxItems}
	req, err := s.simulationInput(m)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	stored, defaultCaller, err := s.principalPolicies(c, source)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if err := req.readPolicies(m, nonEmpty(m.docs), stored); err != nil {
		return nil, err
	}
	if req.caller == "" {
		// Only a user stands in for the caller of a resource policy.
		// principalPolicies has parsed source.
		if a, _ := policy.ParseARN(source); req.resource != nil && !strings.HasPrefix(a.Resource, "user/") {
			return nil, apiErr("InvalidInput", "CallerArn must be specified when a ResourcePolicy is included and PolicySourceArn is not an IAM user.")
		}
		req.caller = defaultCaller
	}
	out := req.run()
	return &iam.SimulatePrincipalPolicyOutput{EvaluationResults: out.EvaluationResults, IsTruncated: out.IsTruncated, Marker: out.Marker}, nil
}

// principalPolicies returns source's policies with the caller they are
// simulated as by default: the user itself, or the role. The dispatcher
// authorized the call on source. Callers hold s.mu.
func (s *Server) principalPolicies(c *call, source string) ([]simPolicy, string, error) {
	a, err := policy.ParseARN(source)
	if err != nil || a.Service != "iam" || a.Region != "" {
		return nil, "", apiErr("InvalidInput", "Invalid ARN %s: PolicySourceArn must name an IAM user, group or role.", source)
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	if kind != "user" && kind != "group" && kind != "role" {
		return nil, "", apiErr("InvalidInput", "Invalid ARN %s: PolicySourceArn must name an IAM user, group or role.", source)
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	missing := notFound("NoSuchEntity", "The %s with name %s cannot be found.", kind, name)
	if a.Partition != s.opts.Partition || a.Account != s.opts.AccountID {
		return nil, "", missing
	}
	var out []simPolicy
	var attached []string
	caller := ""
	add := func(typ string, inline map[string]string) {
		for _, n := range slices.Sorted(maps.Keys(inline)) {
			out = append(out, s.storedSimPolicy(n, typ, inline[n]))
		}
	}
	switch kind {
	case "user":
		u, ok := s.iam.Users[name]
		if !ok || u.ARN != source {
			return nil, "", missing
		}
		add("user", u.Inline)
		attached = append(attached, u.Attached...)
		for _, g := range s.groupsOf(u.Name) {
			add("group", g.Inline)
			attached = append(attached, g.Attached...)
		}
		caller = u.ARN
	case "group":
		g, ok := s.iam.Groups[name]
		if !ok || g.ARN != source {
			return nil, "", missing
		}
		add("group", g.Inline)
		attached = append(attached, g.Attached...)
	case "role":
		r, ok := s.iam.Roles[name]
		if !ok || r.ARN != source {
			return nil, "", missing
		}
		add("role", r.Inline)
		attached = append(attached, r.Attached...)
		caller = r.ARN
	}
	slices.Sort(attached)
	for _, arn := range slices.Compact(attached) {
		p, ok := s.iam.Policies[arn]
		if !ok {
			continue
		}
		typ := "user-managed"
		if s.awsManaged(arn) {
			typ = "aws-managed"
		}
		out = append(out, s.storedSimPolicy(p.Name, typ, p.document()))
	}
	return out, caller, nil
}

// storedSimPolicy parses a stored document, which IAM validated when it
// was written; one that no longer parses simulates as no statements.
func (s *Server) storedSimPolicy(id, typ, doc string) simPolicy {
	p, err := s.policies.parse(doc)
	if err != nil {
		p = &policy.Policy{}
	}
	return simPolicy{id: id, typ: typ, p: p, spans: statementSpans(doc)}
}

// simulationInput reads and checks the members both operations share,
// except the policies.
func (s *Server) simulationInput(in simMembers) (*simRequest, error) {
	req := &simRequest{}
	var err error
	if req.actions, err = simActions(in.actions); err != nil {
		return nil, err
	}
	if req.resources, err = simResources(in.resources); err != nil {
		return nil, err
	}
	if req.caller, err = simCaller(aws.ToString(in.caller)); err != nil {
		return nil, err
	}
	if err := checkSimResourceOwner(aws.ToString(in.owner), aws.ToString(in.handling)); err != nil {
		return nil, err
	}
	if req.context, err = simulationContext(in.context); err != nil {
		return nil, err
	}
	if err := req.readPaging(in.maxItems, aws.ToString(in.marker)); err != nil {
		return nil, err
	}
	return req, nil
}

// simActions checks ActionNames: at least one, each service:Action without
// wildcards.
func simActions(actions []string) ([]string, error) {
	if actions = nonEmpty(actions); actions == nil {
		return nil, simValidation("actionNames", "null", "Member must not be null")
	}
	for _, a := range actions {
		if len(a) < 3 || len(a) > 128 {
			return nil, simValidation("actionNames", a, "Member must have length between 3 and 128")
		}
		svc, op, ok := strings.Cut(a, ":")
		if !ok || svc == "" || op == "" || strings.ContainsAny(a, "*?") {
			return nil, apiErr("InvalidInput", "Invalid action name %s: name one action as service:Action, without wildcards.", a)
		}
	}
	return actions, nil
}

// simResources checks ResourceArns: ARNs or "*", at most simMaxResources.
func simResources(resources []string) ([]string, error) {
	resources = nonEmpty(resources)
	if len(resources) > simMaxResources {
		return nil, apiErr("InvalidInput", "ResourceArns has %d resources; at most %d can be simulated at once.", len(resources), simMaxResources)
	}
	for _, r := range resources {
		if len(r) > 2048 {
			return nil, simValidation("resourceArns", r, "Member must have length less than or equal to 2048")
		}
		if _, err := policy.ParseARN(r); r != "*" && err != nil {
			return nil, apiErr("InvalidInput", "Invalid ARN %s in ResourceArns.", r)
		}
	}
	return resources, nil
}

// simCaller checks CallerArn, which only an IAM user's ARN can be.
func simCaller(caller string) (string, error) {
	if caller == "" {
		return "", nil
	}
	a, err := policy.ParseARN(caller)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "user/") || a.Region != "" || !policy.IsAccountID(a.Account) {
		return "", apiErr("InvalidInput", "Invalid CallerArn %s: only the ARN of an IAM user can be the simulated caller.", caller)
	}
	return caller, nil
}

// checkSimResourceOwner checks ResourceOwner, an account, and
// ResourceHandlingOption, which is only checked for length.
func checkSimResourceOwner(owner, handling string) error {
	if owner != "" {
		if _, err := policy.ParseARN(owner); err != nil && !policy.IsAccountID(owner) {
			return apiErr("InvalidInput", "Invalid ResourceOwner %s: want the ARN of an account, such as arn:aws:iam::123456789012:root.", owner)
		}
	}
	if len(handling) > 64 {
		return simValidation("resourceHandlingOption", handling, "Member must have length less than or equal to 64")
	}
	return nil
}

// readPaging checks MaxItems (simDefaultItems when absent) and Marker; a
// marker is only taken by the request it continues, so the request's
// fingerprint is set first.
func (req *simRequest) readPaging(maxItems *int32, marker string) error {
	items := int32(simDefaultItems)
	if maxItems != nil {
		items = *maxItems
	}
	if items < 1 || items > simMaxItems {
		return simValidation("maxItems", items, "Member must have value between 1 and 1000")
	}
	req.maxItems = int(items)
	req.sum = req.fingerprint()
	if marker == "" {
		return nil
	}
	if len(marker) > simMaxMarker {
		return simValidation("marker", marker, "Member must have length less than or equal to 320")
	}
	var err error
	req.start, err = req.decodeMarker(marker)
	return err
}

// simulationContext checks ContextEntries: each key once, its values
// fitting its ContextKeyType (a single-valued type takes one value).
func simulationContext(entries []iamtypes.ContextEntry) (map[string][]string, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	out := make(map[string][]string, len(entries))
	seen := map[string]bool{}
	for _, e := range entries {
		name, typ := aws.ToString(e.ContextKeyName), string(e.ContextKeyType)
		if err := checkContextEntry(name, typ, e.ContextKeyValues); err != nil {
			return nil, err
		}
		if lk := strings.ToLower(name); seen[lk] {
			return nil, apiErr("InvalidInput", "Context key %s is given more than once.", name)
		} else {
			seen[lk] = true
		}
		out[name] = e.ContextKeyValues
	}
	return out, nil
}

// checkContextEntry checks one context entry's key, type and values.
func checkContextEntry(name, typ string, values []string) error {
	if len(name) < 5 || len(name) > 256 {
		return simValidation("contextEntries.member.contextKeyName", name, "Member must have length between 5 and 256")
	}
	if typ == "" {
		return apiErr("InvalidInput", "ContextKeyType must be specified for context key %s.", name)
	}
	if !slices.Contains(policy.ContextKeyTypes, typ) {
		return simValidation("contextEntries.member.contextKeyType", typ, "Member must satisfy enum value set: ["+strings.Join(policy.ContextKeyTypes, ", ")+"]")
	}
	if err := policy.CheckContextValues(name, typ, values); err != nil {
		return apiErr("InvalidInput", "Invalid context entry: %v", err)
	}
	return nil
}

// readPolicies parses the request's policies after stored ones: identity
// policies, permissions boundaries and the resource policy.
func (req *simRequest) readPolicies(in simMembers, docs []string, stored []simPolicy) error {
	var err error
	if req.identity, err = appendSimPolicies(stored, simInputList, docs); err != nil {
		return err
	}
	if req.boundaries, err = appendSimPolicies(req.boundaries, simBoundaryList, nonEmpty(in.bounds)); err != nil {
		return err
	}
	if rp := aws.ToString(in.resourcePolicy); rp != "" {
		sp, err := parseSimPolicy(simResourceKey, -1, rp)
		if err != nil {
			return err
		}
		sp.typ = simSourceRes
		req.resource = &sp
	}
	return nil
}

// appendSimPolicies parses the policies of a list member onto list.
func appendSimPolicies(list []simPolicy, member string, docs []string) ([]simPolicy, error) {
	for i, d := range docs {
		sp, err := parseSimPolicy(member, i, d)
		if err != nil {
			return nil, err
		}
		list = append(list, sp)
	}
	return list, nil
}

// parseSimPolicy parses the policy a request member carries; i is its
// index in a list member, -1 for a single one.
func parseSimPolicy(member string, i int, doc string) (simPolicy, error) {
	id := member
	if i >= 0 {
		id += "." + strconv.Itoa(i+1)
	}
	lower := lowerFirst(member)
	if len(doc) > simMaxPolicy {
		return simPolicy{}, simValidation(lower, "…", "Member must have length less than or equal to 131072")
	}
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return simPolicy{}, apiErr("InvalidInput", "%s is not a valid policy document: %v", id, strings.TrimPrefix(err.Error(), "policy: "))
	}
	return simPolicy{id: id, typ: simSourceNone, p: p, spans: statementSpans(doc)}, nil
}

// simValidation is IAM's request-validation error.
func simValidation(member string, value any, constraint string) *APIError {
	if value == "null" {
		return apiErr("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: %s", member, constraint)
	}
	return apiErr("ValidationError", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// nonEmpty drops the one empty value the query protocol sends for an
// empty list, and returns nil for no values.
func nonEmpty(list []string) []string {
	if len(list) == 0 || len(list) == 1 && list[0] == "" {
		return nil
	}
	return list
}

// fingerprint identifies a request's results, so a marker is only taken
// by the request it continues.
func (req *simRequest) fingerprint() string {
	h := fnv.New64a()
	for _, l := range [][]string{req.actions, {"\x00"}, req.resources} {
		for _, v := range l {
			h.Write([]byte(v))
			h.Write([]byte{0})
		}
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

func (req *simRequest) marker(next int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sim1:" + strconv.Itoa(next) + ":" + req.sum))
}

func (req *simRequest) decodeMarker(m string) (int, error) {
	bad := apiErr("InvalidInput", "Invalid Marker: it does not continue this simulation.")
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, bad
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != "sim1" || parts[2] != req.sum {
		return 0, bad
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n <= 0 || n >= len(req.actions) {
		return 0, bad
	}
	return n, nil
}

// simOutcome is one action on one resource.
type simOutcome struct {
	decision   policy.Decision
	matched    []iamtypes.Statement
	missing    []string
	byBoundary bool
}

// simPage is one page of a simulation's results.
type simPage struct {
	EvaluationResults []iamtypes.EvaluationResult
	IsTruncated       bool
	Marker            *string
}

// run evaluates one page of actions, each on every resource.
func (req *simRequest) run() simPage {
	end := min(req.start+req.pageSize(), len(req.actions))
	named := func(list []simPolicy, prefix string) []policy.NamedPolicy {
		out := make([]policy.NamedPolicy, len(list))
		for i, sp := range list {
			out[i] = policy.NamedPolicy{Name: prefix + strconv.Itoa(i), Policy: sp.p}
		}
		return out
	}
	ids, bounds := named(req.identity, "i"), named(req.boundaries, "b")
	var rp *policy.NamedPolicy
	all := make([]*policy.Policy, 0, len(req.identity)+len(req.boundaries)+1)
	for _, sp := range req.identity {
		all = append(all, sp.p)
	}
	for _, sp := range req.boundaries {
		all = append(all, sp.p)
	}
	if req.resource != nil {
		rp = &policy.NamedPolicy{Name: "r", Policy: req.resource.p}
		all = append(all, req.resource.p)
	}
	resources := req.resources
	if resources == nil {
		resources = []string{"*"}
	}
	results := make([]iamtypes.EvaluationResult, 0, end-req.start)
	for _, action := range req.actions[req.start:end] {
		outcomes := make([]simOutcome, len(resources))
		for i, r := range resources {
			outcomes[i] = req.evaluate(policy.Request{Principal: req.caller, Action: action, Resource: r, Context: req.context}, ids, bounds, rp, all)
		}
		results = append(results, req.result(action, resources, outcomes))
	}
	out := simPage{EvaluationResults: results, IsTruncated: end < len(req.actions)}
	if end < len(req.actions) {
		out.Marker = aws.String(req.marker(end))
	}
	return out
}

// simMaxWork bounds the statement evaluations of one page, so a large
// request gets shorter pages, as IAM may return fewer than MaxItems.
const simMaxWork = 1 << 21

// simMaxResources bounds ResourceArns: every page holds a result for each.
const simMaxResources = 1000

// pageSize is how many actions one page evaluates.
func (req *simRequest) pageSize() int {
	statements := 1
	for _, list := range [][]simPolicy{req.identity, req.boundaries} {
		for _, sp := range list {
			statements += len(sp.p.Statement)
		}
	}
	if req.resource != nil {
		statements += len(req.resource.p.Statement)
	}
	perAction := max(len(req.resources), 1) * statements
	return max(1, min(req.maxItems, simMaxWork/perAction))
}

// evaluate decides one request: identity and resource policies as IAM
// does, then the permissions boundaries, which cap what identity policies
// allow (a deny in one is an explicit deny).
func (req *simRequest) evaluate(r policy.Request, ids, bounds []policy.NamedPolicy, rp *policy.NamedPolicy, all []*policy.Policy) simOutcome {
	res, matched := policy.Matched(r, ids, rp)
	o := simOutcome{decision: res.Decision, missing: policy.MissingContextKeys(r, all...)}
	if len(bounds) > 0 {
		bres, bmatched := policy.Matched(r, bounds, nil)
		o.byBoundary = bres.Decision == policy.DecisionAllow
		switch {
		case res.Decision == policy.DecisionExplicitDeny:
		case bres.Decision == policy.DecisionExplicitDeny:
			res, matched = bres, bmatched
			o.decision = policy.DecisionExplicitDeny
		case res.Decision == policy.DecisionAllow && !o.byBoundary && res.Policy != "r":
			// Allowed by an identity policy, outside the boundary.
			o.decision, matched = policy.DecisionImplicitDeny, nil
		}
	}
	o.matched = make([]iamtypes.Statement, 0, len(matched))
	for _, m := range matched {
		o.matched = append(o.matched, req.statementShape(m))
	}
	return o
}

// statementShape is a matched statement: its policy and where it is.
func (req *simRequest) statementShape(m policy.Result) iamtypes.Statement {
	var sp *simPolicy
	switch {
	case m.Policy == "r":
		sp = req.resource
	case strings.HasPrefix(m.Policy, "b"):
		i, _ := strconv.Atoi(m.Policy[1:])
		sp = &req.boundaries[i]
	default:
		i, _ := strconv.Atoi(m.Policy[1:])
		sp = &req.identity[i]
	}
	out := iamtypes.Statement{SourcePolicyId: aws.String(sp.id), SourcePolicyType: iamtypes.PolicySourceType(sp.typ)}
	if m.StatementIndex >= 0 && m.StatementIndex < len(sp.spans) {
		span := sp.spans[m.StatementIndex]
		out.StartPosition = span.start.position()
		out.EndPosition = span.end.position()
	}
	return out
}

// result is one action's EvaluationResult: the most restrictive decision
// over the resources, the statements and missing keys behind it, and with
// ResourceArns one ResourceSpecificResult per resource.
func (req *simRequest) result(action string, resources []string, outcomes []simOutcome) iamtypes.EvaluationResult {
	agg := policy.DecisionAllow
	for _, o := range outcomes {
		if o.decision == policy.DecisionExplicitDeny || o.decision == policy.DecisionImplicitDeny && agg == policy.DecisionAllow {
			agg = o.decision
		}
	}
	matched := []iamtypes.Statement{}
	seen := map[string]bool{}
	missing := []string{}
	byBoundary := true
	for _, o := range outcomes {
		byBoundary = byBoundary && o.byBoundary
		for _, k := range o.missing {
			if !slices.Contains(missing, k) {
				missing = append(missing, k)
			}
		}
		if o.decision != agg {
			continue
		}
		for _, m := range o.matched {
			b, _ := json.Marshal(m)
			if !seen[string(b)] {
				seen[string(b)] = true
				matched = append(matched, m)
			}
		}
	}
	out := iamtypes.EvaluationResult{
		EvalActionName:       aws.String(action),
		EvalDecision:         iamtypes.PolicyEvaluationDecisionType(agg.String()),
		MatchedStatements:    matched,
		MissingContextValues: missing,
	}
	if len(resources) == 1 {
		out.EvalResourceName = aws.String(resources[0])
	}
	if len(req.boundaries) > 0 {
		out.PermissionsBoundaryDecisionDetail = &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: byBoundary}
	}
	if req.resources != nil {
		out.ResourceSpecificResults = req.specificResults(resources, outcomes)
	}
	return out
}

// specificResults are an action's ResourceSpecificResults, one for each
// resource.
func (req *simRequest) specificResults(resources []string, outcomes []simOutcome) []iamtypes.ResourceSpecificResult {
	specific := make([]iamtypes.ResourceSpecificResult, len(resources))
	for i, o := range outcomes {
		specific[i] = iamtypes.ResourceSpecificResult{
			EvalResourceName:     aws.String(resources[i]),
			EvalResourceDecision: iamtypes.PolicyEvaluationDecisionType(o.decision.String()),
			MatchedStatements:    o.matched,
			MissingContextValues: append([]string{}, o.missing...),
		}
		if len(req.boundaries) > 0 {
			specific[i].PermissionsBoundaryDecisionDetail = &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: o.byBoundary}
		}
	}
	return specific
}

// textPos is a 1-based line and column (in characters) of a policy text.
type textPos struct{ line, column int }

func (p textPos) position() *iamtypes.Position {
	return &iamtypes.Position{Line: int32(min(p.line, math.MaxInt32)), Column: int32(min(p.column, math.MaxInt32))}
}

// stmtSpan is where a statement is written: its opening brace, and just
// after its closing brace.
type stmtSpan struct{ start, end textPos }

// statementSpans finds each statement of a policy text in order, by
// scanning its JSON: the members of the top-level Statement, or that
// member itself when it is one object. It returns nil for text that is not
// a JSON object.
func statementSpans(doc string) []stmtSpan {
	dec := json.NewDecoder(strings.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var spans []stmtSpan
	object := func() bool {
		start := int(dec.InputOffset()) - 1
		if err := skipRest(dec); err != nil {
			return false
		}
		spans = append(spans, stmtSpan{start: positionOf(doc, start), end: positionOf(doc, int(dec.InputOffset()))})
		return true
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return spans
		}
		t, err := dec.Token()
		if err != nil {
			return spans
		}
		if k != "Statement" {
			if d, ok := t.(json.Delim); ok && (d == '{' || d == '[') && skipRest(dec) != nil {
				return spans
			}
			continue
		}
		switch t {
		case json.Delim('{'):
			if !object() {
				return spans
			}
		case json.Delim('['):
			for dec.More() {
				e, err := dec.Token()
				if err != nil {
					return spans
				}
				if e == json.Delim('{') {
					if !object() {
						return spans
					}
				} else if d, ok := e.(json.Delim); ok && d == '[' && skipRest(dec) != nil {
					return spans
				}
			}
			if _, err := dec.Token(); err != nil {
				return spans
			}
		}
	}
	return spans
}

// skipRest reads the rest of an object or array whose opening delimiter
// was just read.
func skipRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// positionOf returns the line and column of a byte offset.
func positionOf(doc string, off int) textPos {
	off = min(max(off, 0), len(doc))
	before := doc[:off]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return textPos{line: 1 + strings.Count(before, "\n"), column: 1 + utf8.RuneCountInString(before[lineStart:])}
}
