package ssmlocal

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	awsarn "github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

// Automation's EventBridge detail types (source aws.ssm).
const (
	executionDetailType = "EC2 Automation Execution Status-change Notification"
	stepDetailType      = "EC2 Automation Step Status-change Notification"
	// eventTimeLayout is how Automation writes StartTime and EndTime in
	// its events ("Nov 29, 2024 7:43:25 PM", UTC).
	eventTimeLayout = "Jan 2, 2006 3:04:05 PM"
)

// Bounds of the simulated EventBridge.
const (
	maxRulesPerRegion    = 300
	maxTargetsPerRule    = 5
	maxEventPatternBytes = 4096
	// maxTrackedExecutions caps the executions whose last statuses are
	// remembered to tell changes apart; finished ones are forgotten first.
	maxTrackedExecutions = 10_000
)

// eventBus is one Region's default event bus: its rules and what it
// remembers of each execution to publish only changes. The zero value is
// ready to use. Like queues, rules live in memory only.
type eventBus struct {
	mu    sync.Mutex
	rules map[string]*ebRule
	seen  map[string]*execSeen
	// dropped counts events a target did not take (no queue, or a queue
	// policy that does not let EventBridge send): delivery is best effort.
	dropped   atomic.Int64
	delivered atomic.Int64
}

type ebRule struct {
	name, arn, description, state string
	patternText                   string
	pattern                       *eventPattern
	targets                       map[string]string // id -> ARN
}

type execSeen struct {
	status string
	steps  map[string]string // step execution id -> status
}

func eventsOps() []opDef {
	return []opDef{
		{"events", "PutRule", true, typed((*Server).ebPutRule), authOnInput("events:PutRule", ruleTarget(func(in *eventbridge.PutRuleInput) *string { return in.Name }))},
		{"events", "DeleteRule", true, typed((*Server).ebDeleteRule), authOnInput("events:DeleteRule", ruleTarget(func(in *eventbridge.DeleteRuleInput) *string { return in.Name }))},
		{"events", "DescribeRule", true, typed((*Server).ebDescribeRule), authOnInput("events:DescribeRule", ruleTarget(func(in *eventbridge.DescribeRuleInput) *string { return in.Name }))},
		{"events", "ListRules", true, typed((*Server).ebListRules), authAny("events:ListRules")},
		{"events", "PutTargets", true, typed((*Server).ebPutTargets), authOnInput("events:PutTargets", putTargetsTarget)},
		{"events", "RemoveTargets", true, typed((*Server).ebRemoveTargets), authOnInput("events:RemoveTargets", ruleTarget(func(in *eventbridge.RemoveTargetsInput) *string { return in.Rule }))},
		{"events", "ListTargetsByRule", true, typed((*Server).ebListTargetsByRule), authOnInput("events:ListTargetsByRule", ruleTarget(func(in *eventbridge.ListTargetsByRuleInput) *string { return in.Rule }))},
	}
}

func (s *Server) ruleARN(region, name string) string { return s.arn("events", region, "rule/"+name) }

// ruleTarget authorizes a rule operation on the rule its input names, by
// the member the operation names it with (Name or Rule).
func ruleTarget[In any](name func(*In) *string) func(s *Server, c *call, in *In) []authTarget {
	return func(s *Server, c *call, in *In) []authTarget {
		return s.ruleOn(c, aws.ToString(name(in)))
	}
}

func (s *Server) ruleOn(c *call, name string) []authTarget {
	return on(s.ruleARN(c.region.Name, name), map[string][]string{"events:creatorAccount": {s.opts.AccountID}})
}

// putTargetsTarget adds the targets' ARNs as events:TargetArn.
func putTargetsTarget(s *Server, c *call, in *eventbridge.PutTargetsInput) []authTarget {
	t := s.ruleOn(c, aws.ToString(in.Rule))
	var arns []string
	for _, tg := range in.Targets {
		arns = append(arns, aws.ToString(tg.Arn))
	}
	if len(arns) > 0 {
		t[0].context["events:TargetArn"] = arns
	}
	return t
}

var ruleNameRE = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)

func ebNotFound(name string) *APIError {
	return &APIError{Code: "ResourceNotFoundException", Message: "Rule " + clip(name) + " does not exist on EventBus default."}
}

// checkBus refuses event buses other than the default one.
func checkBus(name *string) error {
	bus := aws.ToString(name)
	if bus != "" && bus != "default" && !strings.HasSuffix(bus, ":event-bus/default") {
		return &APIError{Code: "ResourceNotFoundException", Message: "Event bus " + clip(bus) + " does not exist."}
	}
	return nil
}

// rule returns a rule by name. Callers hold b.mu.
func (b *eventBus) rule(name string) (*ebRule, error) {
	r, ok := b.rules[name]
	if !ok {
		return nil, ebNotFound(name)
	}
	return r, nil
}

// onRule checks the request's event bus and runs fn on the named rule with
// the bus locked: the prologue every rule and target operation but PutRule
// and DeleteRule shares.
func onRule[Out any](c *call, bus, name *string, fn func(*ebRule) *Out) (*Out, error) {
	if err := checkBus(bus); err != nil {
		return nil, err
	}
	b := &c.region.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.rule(aws.ToString(name))
	if err != nil {
		return nil, err
	}
	return fn(r), nil
}

// putRuleInput checks PutRule's members in EventBridge's order, returning
// the parsed pattern and the state, ENABLED when absent.
func putRuleInput(in *eventbridge.PutRuleInput) (*eventPattern, string, error) {
	if name := aws.ToString(in.Name); !ruleNameRE.MatchString(name) {
		return nil, "", validation("name", name, "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
	}
	if err := checkBus(in.EventBusName); err != nil {
		return nil, "", err
	}
	if aws.ToString(in.ScheduleExpression) != "" {
		return nil, "", &APIError{Code: "ValidationException", Message: "ScheduleExpression is not simulated by the local endpoint: only event patterns are."}
	}
	text := aws.ToString(in.EventPattern)
	if text == "" {
		return nil, "", &APIError{Code: "ValidationException", Message: "Parameter(s) EventPattern or ScheduleExpression must be specified."}
	}
	pat, err := parseEventPattern(text)
	if err != nil {
		return nil, "", err
	}
	state := string(in.State)
	switch state {
	case "":
		state = "ENABLED"
	case "ENABLED", "DISABLED":
	default:
		return nil, "", validation("state", state, "Member must satisfy enum value set: [ENABLED, DISABLED]")
	}
	if desc := aws.ToString(in.Description); len(desc) > 512 {
		return nil, "", validation("description", desc, "Member must have length less than or equal to 512")
	}
	return pat, state, nil
}

func (s *Server) ebPutRule(_ context.Context, c *call, in *eventbridge.PutRuleInput) (*eventbridge.PutRuleOutput, error) {
	pat, state, err := putRuleInput(in)
	if err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	b := &c.region.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.rules[name]
	if !ok {
		if len(b.rules) >= maxRulesPerRegion {
			return nil, &APIError{Code: "LimitExceededException", Message: fmt.Sprintf("The requested resource exceeds the maximum number allowed (%d rules).", maxRulesPerRegion)}
		}
		if b.rules == nil {
			b.rules = map[string]*ebRule{}
		}
		r = &ebRule{name: name, arn: s.ruleARN(c.region.Name, name), targets: map[string]string{}}
		b.rules[name] = r
	}
	r.patternText, r.pattern, r.state, r.description = aws.ToString(in.EventPattern), pat, state, aws.ToString(in.Description)
	return &eventbridge.PutRuleOutput{RuleArn: aws.String(r.arn)}, nil
}

func (s *Server) ebDeleteRule(_ context.Context, c *call, in *eventbridge.DeleteRuleInput) (*eventbridge.DeleteRuleOutput, error) {
	if err := checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	b := &c.region.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.rules[name]
	if !ok {
		return &eventbridge.DeleteRuleOutput{}, nil // deleting a missing rule succeeds, as in EventBridge
	}
	if len(r.targets) > 0 {
		return nil, &APIError{Code: "ValidationException", Message: "Rule can't be deleted since it has targets."}
	}
	delete(b.rules, name)
	return &eventbridge.DeleteRuleOutput{}, nil
}

// ruleType is a rule as ListRules lists it.
func (r *ebRule) ruleType() ebtypes.Rule {
	return ebtypes.Rule{Name: aws.String(r.name), Arn: aws.String(r.arn), EventPattern: aws.String(r.patternText), State: ebtypes.RuleState(r.state),
		EventBusName: aws.String("default"), Description: optString(r.description)}
}

func (s *Server) ebDescribeRule(_ context.Context, c *call, in *eventbridge.DescribeRuleInput) (*eventbridge.DescribeRuleOutput, error) {
	return onRule(c, in.EventBusName, in.Name, func(r *ebRule) *eventbridge.DescribeRuleOutput {
		t := r.ruleType()
		return &eventbridge.DescribeRuleOutput{Name: t.Name, Arn: t.Arn, EventPattern: t.EventPattern, State: t.State, EventBusName: t.EventBusName,
			Description: t.Description, CreatedBy: aws.String(s.opts.AccountID)}
	})
}

func (s *Server) ebListRules(_ context.Context, c *call, in *eventbridge.ListRulesInput) (*eventbridge.ListRulesOutput, error) {
	if err := checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	prefix := aws.ToString(in.NamePrefix)
	limit := int32(100)
	if in.Limit != nil {
		limit = *in.Limit
	}
	if limit < 1 || limit > 100 {
		return nil, validation("limit", limit, "Member must have value between 1 and 100")
	}
	after := aws.ToString(in.NextToken)
	b := &c.region.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	out := &eventbridge.ListRulesOutput{Rules: []ebtypes.Rule{}}
	for _, n := range sortedKeys(b.rules) {
		if !strings.HasPrefix(n, prefix) || (after != "" && n <= after) {
			continue
		}
		if len(out.Rules) == int(limit) {
			out.NextToken = out.Rules[len(out.Rules)-1].Name
			break
		}
		out.Rules = append(out.Rules, b.rules[n].ruleType())
	}
	return out, nil
}

func (s *Server) ebPutTargets(_ context.Context, c *call, in *eventbridge.PutTargetsInput) (*eventbridge.PutTargetsOutput, error) {
	if err := checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	if n := len(in.Targets); n == 0 || n > 10 {
		return nil, validation("targets", n, "Member must have length between 1 and 10")
	}
	return onRule(c, nil, in.Rule, func(r *ebRule) *eventbridge.PutTargetsOutput {
		failed := []ebtypes.PutTargetsResultEntry{}
		for _, t := range in.Targets {
			if code, msg := s.addTarget(r, t); code != "" {
				failed = append(failed, ebtypes.PutTargetsResultEntry{TargetId: t.Id, ErrorCode: aws.String(code), ErrorMessage: aws.String(msg)})
			}
		}
		return &eventbridge.PutTargetsOutput{FailedEntryCount: int32(len(failed)), FailedEntries: failed}
	})
}

// addTarget adds or replaces one of a rule's targets, or says why not: the
// entry's error code and message. Callers hold the bus's lock.
func (s *Server) addTarget(r *ebRule, t ebtypes.Target) (code, msg string) {
	id, arn := aws.ToString(t.Id), aws.ToString(t.Arn)
	switch {
	case !ruleNameRE.MatchString(id):
		return "ValidationException", "Target id must match [\\.\\-_A-Za-z0-9]{1,64}."
	case !s.isQueueARN(arn):
		return "ValidationException", "Only SQS queue targets are simulated by the local endpoint."
	case t.InputTransformer != nil || t.InputPath != nil || t.Input != nil:
		return "ValidationException", "Input, InputPath and InputTransformer are not simulated by the local endpoint."
	case r.targets[id] == "" && len(r.targets) >= maxTargetsPerRule:
		return "LimitExceededException", fmt.Sprintf("The requested resource exceeds the maximum number allowed (%d targets).", maxTargetsPerRule)
	}
	r.targets[id] = arn
	return "", ""
}

func (s *Server) ebRemoveTargets(_ context.Context, c *call, in *eventbridge.RemoveTargetsInput) (*eventbridge.RemoveTargetsOutput, error) {
	return onRule(c, in.EventBusName, in.Rule, func(r *ebRule) *eventbridge.RemoveTargetsOutput {
		failed := []ebtypes.RemoveTargetsResultEntry{}
		for _, id := range in.Ids {
			if _, ok := r.targets[id]; !ok {
				failed = append(failed, ebtypes.RemoveTargetsResultEntry{TargetId: aws.String(id), ErrorCode: aws.String("ResourceNotFoundException"),
					ErrorMessage: aws.String("Target " + clip(id) + " does not exist.")})
				continue
			}
			delete(r.targets, id)
		}
		return &eventbridge.RemoveTargetsOutput{FailedEntryCount: int32(len(failed)), FailedEntries: failed}
	})
}

func (s *Server) ebListTargetsByRule(_ context.Context, c *call, in *eventbridge.ListTargetsByRuleInput) (*eventbridge.ListTargetsByRuleOutput, error) {
	return onRule(c, in.EventBusName, in.Rule, func(r *ebRule) *eventbridge.ListTargetsByRuleOutput {
		out := make([]ebtypes.Target, 0, len(r.targets))
		for _, id := range sortedKeys(r.targets) {
			out = append(out, ebtypes.Target{Id: aws.String(id), Arn: aws.String(r.targets[id])})
		}
		return &eventbridge.ListTargetsByRuleOutput{Targets: out}
	})
}

// publishAutomationEvents compares an execution with what the bus last saw
// of it and publishes a status-change event for the execution and for each
// step whose status changed. The engine calls it (through OnChange)
// without its locks held, from several goroutines at once; the execution
// is read under the bus's lock, so that a call that read it earlier
// cannot compare an older state after a later one and publish a status
// again.
func (s *Server) publishAutomationEvents(regionName, id string) {
	r := s.regions[regionName]
	if r == nil || r.engine == nil {
		return
	}
	b := &r.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	x, err := r.engine.Get(id)
	if err != nil {
		return
	}
	if b.seen == nil {
		b.seen = map[string]*execSeen{}
	}
	seen := b.seen[id]
	if seen == nil {
		b.forgetFinished()
		seen = &execSeen{steps: map[string]string{}}
		b.seen[id] = seen
	}
	var events []map[string]any
	for _, st := range x.StepExecutions {
		sid := aws.ToString(st.StepExecutionId)
		if st.StepStatus == types.AutomationExecutionStatusPending || seen.steps[sid] == string(st.StepStatus) {
			continue
		}
		seen.steps[sid] = string(st.StepStatus)
		d := s.eventDetail(x, string(st.StepStatus), aws.ToTime(st.ExecutionStartTime), aws.ToTime(st.ExecutionEndTime))
		d["StepName"] = aws.ToString(st.StepName)
		d["Action"] = aws.ToString(st.Action)
		events = append(events, s.automationEvent(regionName, x, stepDetailType, d))
	}
	if status := string(x.AutomationExecutionStatus); status != seen.status && status != string(types.AutomationExecutionStatusPending) {
		seen.status = status
		d := s.eventDetail(x, status, aws.ToTime(x.ExecutionStartTime), aws.ToTime(x.ExecutionEndTime))
		d["ExecutedBy"] = aws.ToString(x.ExecutedBy)
		events = append(events, s.automationEvent(regionName, x, executionDetailType, d))
	}
	for _, ev := range events {
		s.deliverLocked(r, b, ev)
	}
}

// forgetFinished makes room among the tracked executions by forgetting
// finished ones. Callers hold b.mu.
func (b *eventBus) forgetFinished() {
	if len(b.seen) < maxTrackedExecutions {
		return
	}
	for id, e := range b.seen {
		if finishedStatus(e.status) {
			delete(b.seen, id)
		}
	}
	if len(b.seen) >= maxTrackedExecutions {
		// Everything is running: forget an arbitrary one; at worst a
		// change of it is published again.
		for id := range b.seen {
			delete(b.seen, id)
			break
		}
	}
}

func finishedStatus(s string) bool {
	switch types.AutomationExecutionStatus(s) {
	case types.AutomationExecutionStatusSuccess, types.AutomationExecutionStatusFailed,
		types.AutomationExecutionStatusCancelled, types.AutomationExecutionStatusTimedout,
		types.AutomationExecutionStatusCompletedWithSuccess, types.AutomationExecutionStatusCompletedWithFailure,
		types.AutomationExecutionStatusRejected, types.AutomationExecutionStatusExited:
		return true
	}
	return false
}

// eventDetail is the detail Automation's events share.
func (s *Server) eventDetail(x types.AutomationExecution, status string, start, end time.Time) map[string]any {
	version := aws.ToString(x.DocumentVersion)
	d := map[string]any{
		"ExecutionId":       aws.ToString(x.AutomationExecutionId),
		"Definition":        aws.ToString(x.DocumentName),
		"DefinitionVersion": json.Number(definitionVersion(version)),
		"Status":            status,
	}
	if !start.IsZero() {
		d["StartTime"] = start.UTC().Format(eventTimeLayout)
	}
	if !end.IsZero() {
		d["EndTime"] = end.UTC().Format(eventTimeLayout)
		if !start.IsZero() {
			d["Time"] = json.Number(fmt.Sprintf("%.1f", float64(end.Sub(start).Milliseconds())))
		}
	}
	return d
}

// definitionVersion writes a document version as the events do: a number
// ("1.0").
func definitionVersion(v string) string {
	for _, c := range v {
		if c < '0' || c > '9' {
			return "0.0"
		}
	}
	if v = strings.TrimLeft(v, "0"); v == "" {
		return "0.0"
	}
	return v + ".0"
}

func (s *Server) automationEvent(region string, x types.AutomationExecution, detailType string, detail map[string]any) map[string]any {
	id := aws.ToString(x.AutomationExecutionId)
	return map[string]any{
		"version":     "0",
		"id":          newUUID(),
		"detail-type": detailType,
		"source":      "aws.ssm",
		"account":     s.opts.AccountID,
		"time":        s.clock.Now().UTC().Format("2006-01-02T15:04:05Z"),
		"region":      region,
		"resources": []any{
			s.arn("ssm", region, "automation-execution/"+id),
			s.arn("ssm", region, "automation-definition/"+aws.ToString(x.DocumentName)+":"+aws.ToString(x.DocumentVersion)),
		},
		"detail": detail,
	}
}

// deliverLocked sends an event to the targets of every enabled rule it
// matches. A target that does not take it (a missing queue, a queue policy
// that does not allow events.amazonaws.com to send for this rule, a full
// queue) loses the event: EventBridge's delivery is best effort. Callers
// hold b.mu.
func (s *Server) deliverLocked(r *region, b *eventBus, ev map[string]any) {
	var doc any
	body := encodeJSON(ev)
	if err := json.Unmarshal(body, &doc); err != nil {
		return
	}
	for _, name := range sortedKeys(b.rules) {
		rule := b.rules[name]
		if rule.state != "ENABLED" || !rule.pattern.matches(doc) {
			continue
		}
		for _, id := range sortedKeys(rule.targets) {
			if s.sendAsEventBridge(r, rule.arn, rule.targets[id], string(body)) {
				b.delivered.Add(1)
			} else {
				b.dropped.Add(1)
			}
		}
	}
}

// isQueueARN reports whether arn is a well-formed SQS queue ARN in the
// endpoint's partition.
func (s *Server) isQueueARN(arn string) bool {
	a, err := awsarn.Parse(arn)
	return err == nil && a.Partition == s.opts.Partition && a.Service == "sqs"
}

// sendAsEventBridge puts body on the queue arn names if its queue policy
// lets events.amazonaws.com send messages for the rule.
func (s *Server) sendAsEventBridge(r *region, ruleARN, queueARN, body string) bool {
	a, err := awsarn.Parse(queueARN)
	if err != nil || a.Partition != s.opts.Partition || a.Service != "sqs" || a.Region != r.Name || a.Account != s.opts.AccountID {
		return false
	}
	name := a.Resource
	qs := &r.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	q := qs.byName[name]
	if q == nil || q.attrs.Policy == "" {
		return false
	}
	p, err := s.policies.parse(q.attrs.Policy)
	if err != nil {
		return false
	}
	req := policy.Request{
		Principal: "events.amazonaws.com",
		Action:    "sqs:SendMessage",
		Resource:  q.arn,
		Context: map[string][]string{
			"aws:SourceArn":     {ruleARN},
			"aws:SourceAccount": {s.opts.AccountID},
			"aws:CurrentTime":   {s.clock.Now().UTC().Format("2006-01-02T15:04:05Z")},
		},
	}
	if policy.Evaluate(req, nil, &policy.NamedPolicy{Name: "queue policy", Policy: p}).Decision != policy.DecisionAllow {
		return false
	}
	_, err = q.enqueue(s.clock.Now(), body, q.attrs.DelaySeconds)
	return err == nil
}

// eventPattern is a parsed EventBridge event pattern: each field maps to a
// nested pattern or to a list of matchers, any of which may match.
type eventPattern struct {
	fields   map[string]*eventPattern
	matchers []matcher
}

type matcherKind int

const (
	matchExact matcherKind = iota
	matchPrefix
	matchSuffix
	matchAnythingBut
	matchExists
	matchEqualsIgnoreCase
)

type matcher struct {
	kind matcherKind
	// value is the literal of an exact match (string, json.Number, bool
	// or nil), the text of prefix, suffix and equals-ignore-case, and the
	// literals of anything-but.
	value  any
	values []any
	exists bool
}

func invalidPattern(format string, args ...any) *APIError {
	return &APIError{Code: "InvalidEventPatternException", Message: "Event pattern is not valid. Reason: " + fmt.Sprintf(format, args...)}
}

// parseEventPattern reads a pattern, refusing the parts of EventBridge's
// pattern language the endpoint cannot evaluate (numeric, cidr, wildcard,
// $or, prefix or suffix inside anything-but) rather than matching them
// wrongly.
func parseEventPattern(text string) (*eventPattern, error) {
	if len(text) > maxEventPatternBytes {
		return nil, invalidPattern("the pattern is longer than %d bytes", maxEventPatternBytes)
	}
	if jsonDepth([]byte(text), 16) > 16 {
		return nil, invalidPattern("the pattern nests deeper than 16 levels")
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, invalidPattern("the pattern is not JSON: %s", clip(err.Error()))
	}
	obj, ok := root.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil, invalidPattern("the pattern must be a non-empty JSON object")
	}
	return parsePatternObject(obj, "")
}

func parsePatternObject(obj map[string]any, path string) (*eventPattern, error) {
	p := &eventPattern{fields: map[string]*eventPattern{}}
	for _, k := range sortedKeys(obj) {
		if strings.HasPrefix(k, "$") {
			return nil, invalidPattern("%s is not simulated by the local endpoint", clip(k))
		}
		field := strings.TrimPrefix(path+"."+k, ".")
		switch v := obj[k].(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, invalidPattern("%s must not be an empty object", clip(field))
			}
			sub, err := parsePatternObject(v, field)
			if err != nil {
				return nil, err
			}
			p.fields[k] = sub
		case []any:
			if len(v) == 0 {
				return nil, invalidPattern("Empty arrays are not allowed at %s", clip(field))
			}
			leaf := &eventPattern{}
			for _, e := range v {
				m, err := parseMatcher(e, field)
				if err != nil {
					return nil, err
				}
				leaf.matchers = append(leaf.matchers, m)
			}
			p.fields[k] = leaf
		default:
			return nil, invalidPattern("'%s' must be an object or an array", clip(field))
		}
	}
	return p, nil
}

func parseMatcher(e any, field string) (matcher, error) {
	switch v := e.(type) {
	case string, json.Number, bool, nil:
		return matcher{kind: matchExact, value: v}, nil
	case map[string]any:
		if len(v) != 1 {
			return matcher{}, invalidPattern("a matcher at %s must have exactly one key", clip(field))
		}
		for op, arg := range v {
			switch op {
			case "prefix", "suffix", "equals-ignore-case":
				text, ok := arg.(string)
				if !ok {
					return matcher{}, invalidPattern("%s match pattern must be a string at %s", op, clip(field))
				}
				kind := map[string]matcherKind{"prefix": matchPrefix, "suffix": matchSuffix, "equals-ignore-case": matchEqualsIgnoreCase}[op]
				return matcher{kind: kind, value: text}, nil
			case "exists":
				b, ok := arg.(bool)
				if !ok {
					return matcher{}, invalidPattern("exists match pattern must be either true or false at %s", clip(field))
				}
				return matcher{kind: matchExists, exists: b}, nil
			case "anything-but":
				var vals []any
				switch a := arg.(type) {
				case string, json.Number, bool:
					vals = []any{a}
				case []any:
					for _, x := range a {
						switch x.(type) {
						case string, json.Number, bool:
						default:
							return matcher{}, invalidPattern("anything-but at %s takes literals only on the local endpoint", clip(field))
						}
					}
					if len(a) == 0 {
						return matcher{}, invalidPattern("Empty arrays are not allowed at %s", clip(field))
					}
					vals = a
				default:
					return matcher{}, invalidPattern("anything-but at %s takes literals only on the local endpoint", clip(field))
				}
				return matcher{kind: matchAnythingBut, values: vals}, nil
			default:
				return matcher{}, invalidPattern("the %s matcher at %s is not simulated by the local endpoint", clip(op), clip(field))
			}
		}
	}
	return matcher{}, invalidPattern("Match value must be String, number, true, false, or null at %s", clip(field))
}

// matches reports whether an event (decoded with encoding/json, so numbers
// are float64) matches the pattern: every field of the pattern must match.
func (p *eventPattern) matches(ev any) bool {
	obj, _ := ev.(map[string]any)
	for k, sub := range p.fields {
		v, present := obj[k]
		if sub.matchers == nil {
			if !present || !sub.matches(v) {
				return false
			}
			continue
		}
		if !sub.leafMatches(v, present) {
			return false
		}
	}
	return true
}

// leafMatches tries the matchers on a value; an array value matches when
// any of its elements does.
func (p *eventPattern) leafMatches(v any, present bool) bool {
	for _, m := range p.matchers {
		if m.kind == matchExists {
			if m.exists == present {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if m.matchValue(e) {
					return true
				}
			}
			continue
		}
		if m.matchValue(v) {
			return true
		}
	}
	return false
}

func (m matcher) matchValue(v any) bool {
	switch m.kind {
	case matchExact:
		return literalEqual(m.value, v)
	case matchPrefix, matchSuffix, matchEqualsIgnoreCase:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t := m.value.(string)
		switch m.kind {
		case matchPrefix:
			return strings.HasPrefix(s, t)
		case matchSuffix:
			return strings.HasSuffix(s, t)
		}
		return strings.EqualFold(s, t)
	case matchAnythingBut:
		for _, x := range m.values {
			if literalEqual(x, v) {
				return false
			}
		}
		return true
	}
	return false
}

// literalEqual compares a pattern literal with an event value; numbers
// compare by value.
func literalEqual(lit, v any) bool {
	switch l := lit.(type) {
	case json.Number:
		f, ok := v.(float64)
		if !ok {
			return false
		}
		lf, err := l.Float64()
		return err == nil && lf == f
	case nil:
		return v == nil
	}
	return lit == v
}

// EventsDelivered and EventsDropped count, across Regions, the events the
// endpoint's EventBridge put on queues and the ones it lost (best-effort
// delivery: no queue, or a queue policy that does not allow the rule).
func (s *Server) EventsDelivered() int64 {
	var n int64
	for _, r := range s.regions {
		n += r.bus.delivered.Load()
	}
	return n
}

// EventsDropped: see [Server.EventsDelivered].
func (s *Server) EventsDropped() int64 {
	var n int64
	for _, r := range s.regions {
		n += r.bus.dropped.Load()
	}
	return n
}
