package delegate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// Automation's EventBridge detail types.
const (
	executionStatusChange = "EC2 Automation Execution Status-change Notification"
	stepStatusChange      = "EC2 Automation Step Status-change Notification"
)

// EventTargetID is the id of the queue target on the planned rule.
const EventTargetID = "automation-events-queue"

// Logical IDs of the event resources in the template.
const (
	LogicalEventsQueue       = "AutomationEventsQueue"
	LogicalEventsQueuePolicy = "AutomationEventsQueuePolicy"
	LogicalEventsRule        = "AutomationEventsRule"
)

// EventOptions tune [Plan.AddEvents].
type EventOptions struct {
	// RuleName and QueueName name the rule and the queue; by default the
	// document name followed by "-Events".
	RuleName  string
	QueueName string
	// ExecutionOnly leaves the step events out of the rule's pattern:
	// fewer messages, enough for waiters (each event only wakes them).
	ExecutionOnly bool
	// MessageRetentionPeriod is how long the queue keeps an unread event,
	// in seconds (default 3600: an event older than that has long been
	// overtaken by the waiters' fallback polls).
	MessageRetentionPeriod int
}

// EventPlan is the event delivery of a plan: an EventBridge rule sending
// the runbook's Automation events to an SQS queue that only that rule may
// send to, and what a consumer needs to read it.
type EventPlan struct {
	RuleName string
	RuleARN  string
	// EventPattern matches the runbook's status-change events.
	EventPattern string
	QueueName    string
	QueueARN     string
	// QueueAttributes are the queue's attributes, Policy aside.
	QueueAttributes map[string]string
	// QueuePolicy lets only events.amazonaws.com send, and only for the
	// rule (aws:SourceArn).
	QueuePolicy *policy.Policy
	// ConsumerPolicy is the least privilege of an event consumer:
	// sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on
	// the queue. AddEvents also adds it to the operator policy.
	ConsumerPolicy *policy.Policy
}

// AddEvents adds event delivery to the plan (Plan.Events): the rule, the
// queue and its policy, provisioned by [ProvisionEvents] and exported by
// Plan.CloudFormation, and the consumer's statement in the operator
// policy, so the operator can wait on events.
func (p *Plan) AddEvents(optFns ...func(*EventOptions)) error {
	o := EventOptions{MessageRetentionPeriod: 3600}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.RuleName == "" {
		o.RuleName = p.DocumentName + "-Events"
	}
	if o.QueueName == "" {
		o.QueueName = p.DocumentName + "-Events"
	}
	var ps problems
	if !eventRuleNameRE.MatchString(o.RuleName) {
		ps.add(ErrInvalidInput, "events.ruleName", "%q is not an EventBridge rule name (1 to 64 of A-Z a-z 0-9 . - _)", o.RuleName)
	}
	if !queueNameRE.MatchString(o.QueueName) {
		ps.add(ErrInvalidInput, "events.queueName", "%q is not an SQS queue name (1 to 80 of A-Z a-z 0-9 - _)", o.QueueName)
	}
	if o.MessageRetentionPeriod < 60 || o.MessageRetentionPeriod > 1_209_600 {
		ps.add(ErrInvalidInput, "events.messageRetentionPeriod", "%d is not between 60 and 1209600 seconds", o.MessageRetentionPeriod)
	}
	if err := ps.err(); err != nil {
		return err
	}
	ev := &EventPlan{
		RuleName:  o.RuleName,
		RuleARN:   "arn:" + p.Partition + ":events:" + p.Region + ":" + p.Account + ":rule/" + o.RuleName,
		QueueName: o.QueueName,
		QueueARN:  "arn:" + p.Partition + ":sqs:" + p.Region + ":" + p.Account + ":" + o.QueueName,
		QueueAttributes: map[string]string{
			"MessageRetentionPeriod":        strconv.Itoa(o.MessageRetentionPeriod),
			"ReceiveMessageWaitTimeSeconds": "20",
			"VisibilityTimeout":             "30",
		},
	}
	types := []string{executionStatusChange, stepStatusChange}
	if o.ExecutionOnly {
		types = types[:1]
	}
	ev.EventPattern = string(rawJSON(eventPattern(p.DocumentName, types)))
	var err error
	if ev.QueuePolicy, err = policy.Parse(rawJSON(ev.queuePolicyShape(ev.QueueARN, ev.RuleARN))); err != nil {
		return fmt.Errorf("delegate: queue policy: %w", err)
	}
	if ev.ConsumerPolicy, err = policy.Parse(rawJSON(map[string]any{"Version": "2012-10-17", "Statement": []any{consumerStatement(ev.QueueARN)}})); err != nil {
		return fmt.Errorf("delegate: consumer policy: %w", err)
	}
	rep := policy.Lint(ev.QueuePolicy, policy.KindResource)
	if err := rep.Err(); err != nil {
		return fmt.Errorf("delegate: queue policy: %w", err)
	}
	if p.OperatorPolicy != nil {
		op := p.OperatorPolicy.Clone()
		op.Statement = slices.DeleteFunc(op.Statement, func(st policy.Statement) bool { return st.Sid == consumerSid })
		op.Statement = append(op.Statement, ev.ConsumerPolicy.Statement...)
		p.OperatorPolicy = op
	}
	p.Events = ev
	return nil
}

const consumerSid = "ReadAutomationEvents"

func eventPattern(document string, detailTypes []string) map[string]any {
	return map[string]any{
		"source":      []string{"aws.ssm"},
		"detail-type": detailTypes,
		"detail":      map[string]any{"Definition": []string{document}},
	}
}

// queuePolicyShape is the queue policy with the queue's and the rule's
// ARNs as given: literal ARNs, or CloudFormation intrinsics.
func (ev *EventPlan) queuePolicyShape(queue, rule any) map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "EventBridgeSendsForTheRule",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "events.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queue,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rule}},
		}},
	}
}

func consumerStatement(queue any) map[string]any {
	return map[string]any{
		"Sid":      consumerSid,
		"Effect":   "Allow",
		"Action":   []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
		"Resource": queue,
	}
}

// Templates of the event resources.

type cfnQueue struct {
	QueueName                     string `json:"QueueName"`
	MessageRetentionPeriod        int    `json:"MessageRetentionPeriod"`
	ReceiveMessageWaitTimeSeconds int    `json:"ReceiveMessageWaitTimeSeconds"`
	VisibilityTimeout             int    `json:"VisibilityTimeout"`
}

type cfnQueuePolicy struct {
	Queues         []any          `json:"Queues"`
	PolicyDocument map[string]any `json:"PolicyDocument"`
}

type cfnRule struct {
	Name         string         `json:"Name"`
	Description  string         `json:"Description"`
	State        string         `json:"State"`
	EventPattern map[string]any `json:"EventPattern"`
	Targets      []cfnTarget    `json:"Targets"`
}

type cfnTarget struct {
	ID  string `json:"Id"`
	Arn any    `json:"Arn"`
}

func getAtt(logical, attr string) map[string][]string {
	return map[string][]string{"Fn::GetAtt": {logical, attr}}
}

// addToTemplate adds the queue, its policy and the rule; nothing for a
// plan without events.
func (ev *EventPlan) addToTemplate(p *Plan, t *cfnTemplate) error {
	if ev == nil {
		return nil
	}
	var pattern map[string]any
	if err := json.Unmarshal([]byte(ev.EventPattern), &pattern); err != nil {
		return fmt.Errorf("delegate: event pattern: %w", err)
	}
	attr := func(k string) int {
		n, _ := strconv.Atoi(ev.QueueAttributes[k])
		return n
	}
	t.Resources[LogicalEventsQueue] = cfnResource{Type: "AWS::SQS::Queue", Properties: rawJSON(cfnQueue{
		QueueName:                     ev.QueueName,
		MessageRetentionPeriod:        attr("MessageRetentionPeriod"),
		ReceiveMessageWaitTimeSeconds: attr("ReceiveMessageWaitTimeSeconds"),
		VisibilityTimeout:             attr("VisibilityTimeout"),
	})}
	t.Resources[LogicalEventsRule] = cfnResource{Type: "AWS::Events::Rule", Properties: rawJSON(cfnRule{
		Name: ev.RuleName, Description: "Automation status changes of the runbook " + p.DocumentName, State: "ENABLED",
		EventPattern: pattern,
		Targets:      []cfnTarget{{ID: EventTargetID, Arn: getAtt(LogicalEventsQueue, "Arn")}},
	})}
	t.Resources[LogicalEventsQueuePolicy] = cfnResource{Type: "AWS::SQS::QueuePolicy", Properties: rawJSON(cfnQueuePolicy{
		Queues:         []any{map[string]string{"Ref": LogicalEventsQueue}},
		PolicyDocument: ev.queuePolicyShape(getAtt(LogicalEventsQueue, "Arn"), getAtt(LogicalEventsRule, "Arn")),
	})}
	t.Outputs["EventsQueueUrl"] = cfnOutput{Description: "The queue the runbook's Automation events arrive on", Value: rawJSON(map[string]string{"Ref": LogicalEventsQueue})}
	t.Outputs["EventsRuleArn"] = cfnOutput{Description: "The rule sending the runbook's Automation events", Value: rawJSON(getAtt(LogicalEventsRule, "Arn"))}
	return nil
}

// Steps and changes of event provisioning.
const (
	StepEventQueue  Step = "event queue"
	StepEventRule   Step = "event rule"
	StepEventTarget Step = "event target"
)

// The changes ProvisionEvents makes.
const (
	EventQueueCreated ChangeKind = iota + 100
	EventQueueAttributesSet
	EventRulePut
	EventTargetPut
)

func eventChangeString(k ChangeKind) (string, bool) {
	switch k {
	case EventQueueCreated:
		return "event queue created", true
	case EventQueueAttributesSet:
		return "event queue attributes set", true
	case EventRulePut:
		return "event rule put", true
	case EventTargetPut:
		return "event target put", true
	}
	return "", false
}

// EventBridge and SQS clients of [ProvisionEvents].
type (
	DescribeRuleAPIClient interface {
		DescribeRule(ctx context.Context, params *eventbridge.DescribeRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error)
	}
	PutRuleAPIClient interface {
		PutRule(ctx context.Context, params *eventbridge.PutRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	}
	ListTargetsByRuleAPIClient interface {
		ListTargetsByRule(ctx context.Context, params *eventbridge.ListTargetsByRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
	}
	PutTargetsAPIClient interface {
		PutTargets(ctx context.Context, params *eventbridge.PutTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	}
	GetQueueUrlAPIClient interface {
		GetQueueUrl(ctx context.Context, params *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	}
	CreateQueueAPIClient interface {
		CreateQueue(ctx context.Context, params *sqs.CreateQueueInput, optFns ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	}
	GetQueueAttributesAPIClient interface {
		GetQueueAttributes(ctx context.Context, params *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	}
	SetQueueAttributesAPIClient interface {
		SetQueueAttributes(ctx context.Context, params *sqs.SetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	}
	// EventRuleAPIClient provisions the rule and its target.
	EventRuleAPIClient interface {
		DescribeRuleAPIClient
		PutRuleAPIClient
		ListTargetsByRuleAPIClient
		PutTargetsAPIClient
	}
	// EventQueueAPIClient provisions the queue and its policy.
	EventQueueAPIClient interface {
		GetQueueUrlAPIClient
		CreateQueueAPIClient
		GetQueueAttributesAPIClient
		SetQueueAttributesAPIClient
	}
)

var (
	_ EventRuleAPIClient  = (*eventbridge.Client)(nil)
	_ EventQueueAPIClient = (*sqs.Client)(nil)
)

// ProvisionEvents applies the plan's event delivery idempotently: the queue
// with its attributes and policy first (so the rule never sends to a queue
// that refuses it), then the rule and its queue target, changing only what
// differs. The operator's consumer statement is part of the operator
// policy, which [Provision] applies. ProvisionOptions.DryRun only reads.
func ProvisionEvents(ctx context.Context, rules EventRuleAPIClient, queues EventQueueAPIClient, plan *Plan, optFns ...func(*ProvisionOptions)) ([]Change, error) {
	if plan == nil || plan.Events == nil {
		return nil, errors.New("delegate: the plan has no events to provision")
	}
	var o ProvisionOptions
	for _, fn := range optFns {
		fn(&o)
	}
	pr := &provisioner{plan: plan, opts: o}
	ev := plan.Events
	if pr.run(ctx, StepEventQueue, ev.QueueARN, func() error { return pr.eventQueue(ctx, queues, ev) }) {
		if pr.run(ctx, StepEventRule, ev.RuleARN, func() error { return pr.eventRule(ctx, rules, ev) }) {
			pr.run(ctx, StepEventTarget, ev.RuleARN, func() error { return pr.eventTarget(ctx, rules, ev) })
		} else {
			pr.skip(StepEventTarget)
		}
	} else {
		pr.skip(StepEventRule)
		pr.skip(StepEventTarget)
	}
	if len(pr.failed) > 0 {
		return pr.done, &ProvisionError{Failed: pr.failed, Done: slices.Clone(pr.done), Skipped: pr.skipped}
	}
	return pr.done, nil
}

func isMissingQueue(err error) bool {
	var nq *sqstypes.QueueDoesNotExist
	return errors.As(err, &nq)
}

func (pr *provisioner) eventQueue(ctx context.Context, c EventQueueAPIClient, ev *EventPlan) error {
	if c == nil {
		return errors.New("no SQS client")
	}
	want := maps.Clone(ev.QueueAttributes)
	pol, err := compactPolicy(ev.QueuePolicy)
	if err != nil {
		return err
	}
	want["Policy"] = pol
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(ev.QueueName)})
	if isMissingQueue(err) {
		if !pr.opts.DryRun {
			if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(ev.QueueName), Attributes: want}); err != nil {
				return err
			}
		}
		pr.changed(EventQueueCreated, ev.QueueARN, "")
		return nil
	}
	if err != nil {
		return err
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: got.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		return err
	}
	diff := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		have := attrs.Attributes[k]
		if k == "Policy" {
			if have != "" {
				if hp, err := policy.Parse([]byte(have)); err == nil {
					have, _ = compactPolicy(hp)
				}
			}
		}
		if have != want[k] {
			diff[k] = want[k]
		}
	}
	if len(diff) == 0 {
		return nil
	}
	if !pr.opts.DryRun {
		if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: got.QueueUrl, Attributes: diff}); err != nil {
			return err
		}
	}
	pr.changed(EventQueueAttributesSet, ev.QueueARN, fmt.Sprint(slices.Sorted(maps.Keys(diff))))
	return nil
}

func (pr *provisioner) eventRule(ctx context.Context, c EventRuleAPIClient, ev *EventPlan) error {
	if c == nil {
		return errors.New("no EventBridge client")
	}
	got, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(ev.RuleName)})
	var nf *ebtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return err
	case got.State == ebtypes.RuleStateEnabled && samePattern(aws.ToString(got.EventPattern), ev.EventPattern):
		return nil
	}
	if !pr.opts.DryRun {
		if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(ev.RuleName), EventPattern: aws.String(ev.EventPattern), State: ebtypes.RuleStateEnabled,
			Description: aws.String("Automation status changes of the runbook " + pr.plan.DocumentName)}); err != nil {
			return err
		}
	}
	pr.changed(EventRulePut, ev.RuleARN, "")
	return nil
}

// samePattern compares two event patterns as JSON values.
func samePattern(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return string(rawJSON(x)) == string(rawJSON(y))
}

func (pr *provisioner) eventTarget(ctx context.Context, c EventRuleAPIClient, ev *EventPlan) error {
	if !pr.opts.DryRun || pr.ruleExists(ctx, c, ev) {
		got, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(ev.RuleName)})
		if err != nil {
			return err
		}
		for _, t := range got.Targets {
			if aws.ToString(t.Id) == EventTargetID && aws.ToString(t.Arn) == ev.QueueARN && t.Input == nil && t.InputPath == nil && t.InputTransformer == nil {
				return nil
			}
		}
	}
	if !pr.opts.DryRun {
		out, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(ev.RuleName), Targets: []ebtypes.Target{{Id: aws.String(EventTargetID), Arn: aws.String(ev.QueueARN)}}})
		if err != nil {
			return err
		}
		if out.FailedEntryCount > 0 && len(out.FailedEntries) > 0 {
			f := out.FailedEntries[0]
			return fmt.Errorf("put target %s: %s: %s", EventTargetID, aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage))
		}
	}
	pr.changed(EventTargetPut, ev.RuleARN, EventTargetID+" -> "+ev.QueueARN)
	return nil
}

// ruleExists tells a dry run whether there are targets to read.
func (pr *provisioner) ruleExists(ctx context.Context, c EventRuleAPIClient, ev *EventPlan) bool {
	_, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(ev.RuleName)})
	return err == nil
}

var (
	eventRuleNameRE = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)
	queueNameRE     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
)
