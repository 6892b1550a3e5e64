package ssmlocal

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// Bounds of the simulated SQS. AWS sets no cap on a standard queue's
// stored messages; the endpoint does, so a producer nobody reads cannot
// grow its memory without bound.
const (
	// maxQueuesPerRegion caps the queues of one Region.
	maxQueuesPerRegion = 1000
	// maxQueueMessages caps the messages one queue holds, visible or in
	// flight; SendMessage beyond it fails with OverLimit.
	maxQueueMessages = 10_000
	// maxSQSBatch is SQS's batch size and ReceiveMessage's maximum.
	maxSQSBatch = 10
	// maxSQSMessageBytes is SQS's largest message (1 MiB).
	maxSQSMessageBytes = 1 << 20
)

// sqsErrorShapes maps the endpoint's SQS error codes (the query-protocol
// codes AWS reports in X-Amzn-Query-Error, which the SDKs surface as the
// error code) to the JSON protocol's error shape names.
var sqsErrorShapes = map[string]string{
	"AWS.SimpleQueueService.NonExistentQueue":             "QueueDoesNotExist",
	"QueueAlreadyExists":                                  "QueueNameExists",
	"ReceiptHandleIsInvalid":                              "ReceiptHandleIsInvalid",
	"InvalidAttributeName":                                "InvalidAttributeName",
	"InvalidAttributeValue":                               "InvalidAttributeValue",
	"AWS.SimpleQueueService.EmptyBatchRequest":            "EmptyBatchRequest",
	"AWS.SimpleQueueService.TooManyEntriesInBatchRequest": "TooManyEntriesInBatchRequest",
	"AWS.SimpleQueueService.BatchEntryIdsNotDistinct":     "BatchEntryIdsNotDistinct",
	"AWS.SimpleQueueService.InvalidBatchEntryId":          "InvalidBatchEntryId",
	"OverLimit":             "OverLimit",
	"InvalidParameterValue": "InvalidParameterValueException",
	"MissingParameter":      "MissingRequiredParameterException",
}

// sqsErrorType writes the X-Amzn-Query-Error header SQS's JSON protocol
// carries for query compatibility and returns the error's shape name.
func sqsErrorType(w http.ResponseWriter, e *APIError) string {
	fault := "Sender"
	if e.status() >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("X-Amzn-Query-Error", e.Code+";"+fault)
	if shape, ok := sqsErrorShapes[e.Code]; ok {
		return "com.amazonaws.sqs#" + shape
	}
	return e.Code
}

func noQueue() *APIError {
	return &APIError{Code: "AWS.SimpleQueueService.NonExistentQueue", Message: "The specified queue does not exist."}
}

// sqsQueues are one Region's queues. The zero value is ready to use. Queues
// and their messages live in memory only: they are not part of the durable
// state (see "Events" in the package documentation).
type sqsQueues struct {
	mu     sync.Mutex
	byName map[string]*sqsQueue
}

type sqsQueue struct {
	name, arn, url string
	attrs          queueAttrs
	created        time.Time
	modified       time.Time
	msgs           []*sqsMessage
	receipts       map[string]*sqsMessage
	// arrived is closed and replaced whenever a message is added, waking
	// long polls.
	arrived chan struct{}
	seq     uint64
}

type queueAttrs struct {
	Policy                        string
	VisibilityTimeout             int64
	MessageRetentionPeriod        int64
	ReceiveMessageWaitTimeSeconds int64
	MaximumMessageSize            int64
	DelaySeconds                  int64
}

type sqsMessage struct {
	id, body, md5 string
	sent          time.Time
	visibleAt     time.Time
	firstReceive  time.Time
	receives      int
	receipt       string
	seq           uint64
}

func defaultQueueAttrs() queueAttrs {
	return queueAttrs{VisibilityTimeout: 30, MessageRetentionPeriod: 345_600, MaximumMessageSize: 262_144}
}

// queueAttrBounds are the settable attributes with their allowed ranges.
var queueAttrBounds = map[string][2]int64{
	"VisibilityTimeout":             {0, 43_200},
	"MessageRetentionPeriod":        {60, 1_209_600},
	"ReceiveMessageWaitTimeSeconds": {0, 20},
	"MaximumMessageSize":            {1024, maxSQSMessageBytes},
	"DelaySeconds":                  {0, 900},
}

// set applies one attribute, refusing names and values SQS refuses and the
// attributes the endpoint does not simulate (FIFO, dead-letter queues,
// encryption).
func (a *queueAttrs) set(name, value string) error {
	if name == "Policy" {
		if value != "" {
			if _, err := policy.Parse([]byte(value)); err != nil {
				return &APIError{Code: "InvalidAttributeValue", Message: "Invalid value for the parameter Policy: " + clip(err.Error())}
			}
		}
		a.Policy = value
		return nil
	}
	b, ok := queueAttrBounds[name]
	if !ok {
		return &APIError{Code: "InvalidAttributeName", Message: "Unknown Attribute " + clip(name) + "."}
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil || n < b[0] || n > b[1] {
		return &APIError{Code: "InvalidAttributeValue", Message: fmt.Sprintf("Invalid value for the parameter %s.", name)}
	}
	switch name {
	case "VisibilityTimeout":
		a.VisibilityTimeout = n
	case "MessageRetentionPeriod":
		a.MessageRetentionPeriod = n
	case "ReceiveMessageWaitTimeSeconds":
		a.ReceiveMessageWaitTimeSeconds = n
	case "MaximumMessageSize":
		a.MaximumMessageSize = n
	case "DelaySeconds":
		a.DelaySeconds = n
	}
	return nil
}

func sqsOps() []opDef {
	return []opDef{
		{"sqs", "CreateQueue", true, typed((*Server).sqsCreateQueue), authOnInput("sqs:CreateQueue", queueNameTarget(func(in *sqs.CreateQueueInput) *string { return in.QueueName }))},
		{"sqs", "GetQueueUrl", true, typed((*Server).sqsGetQueueURL), authOnInput("sqs:GetQueueUrl", queueNameTarget(func(in *sqs.GetQueueUrlInput) *string { return in.QueueName }))},
		{"sqs", "GetQueueAttributes", true, typed((*Server).sqsGetQueueAttributes), authOnInput("sqs:GetQueueAttributes", queueURLTarget(func(in *sqs.GetQueueAttributesInput) *string { return in.QueueUrl }))},
		{"sqs", "SetQueueAttributes", true, typed((*Server).sqsSetQueueAttributes), authOnInput("sqs:SetQueueAttributes", queueURLTarget(func(in *sqs.SetQueueAttributesInput) *string { return in.QueueUrl }))},
		{"sqs", "DeleteQueue", true, typed((*Server).sqsDeleteQueue), authOnInput("sqs:DeleteQueue", queueURLTarget(func(in *sqs.DeleteQueueInput) *string { return in.QueueUrl }))},
		{"sqs", "SendMessage", true, typed((*Server).sqsSendMessage), authOnInput("sqs:SendMessage", queueURLTarget(func(in *sendMessageInput) *string { return in.QueueUrl }))},
		{"sqs", "SendMessageBatch", true, typed((*Server).sqsSendMessageBatch), authOnInput("sqs:SendMessage", queueURLTarget(func(in *sendMessageBatchInput) *string { return in.QueueUrl }))},
		{"sqs", "ReceiveMessage", true, typed((*Server).sqsReceiveMessage), authOnInput("sqs:ReceiveMessage", queueURLTarget(func(in *receiveMessageInput) *string { return in.QueueUrl }))},
		{"sqs", "DeleteMessage", true, typed((*Server).sqsDeleteMessage), authOnInput("sqs:DeleteMessage", queueURLTarget(func(in *sqs.DeleteMessageInput) *string { return in.QueueUrl }))},
		{"sqs", "DeleteMessageBatch", true, typed((*Server).sqsDeleteMessageBatch), authOnInput("sqs:DeleteMessage", queueURLTarget(func(in *sqs.DeleteMessageBatchInput) *string { return in.QueueUrl }))},
	}
}

// The SDK's SendMessage, SendMessageBatch and ReceiveMessage inputs hold
// DelaySeconds, MaxNumberOfMessages, WaitTimeSeconds and VisibilityTimeout
// by value, so an absent member would read as zero; SQS tells the two
// apart (an absent one takes the queue's setting or the default), so those
// operations read their members into these inputs, which hold the numbers
// by pointer. Message attributes are not simulated and left unread.

type sendMessageInput struct {
	QueueUrl     *string
	MessageBody  *string
	DelaySeconds *int64
}

type sendMessageBatchInput struct {
	QueueUrl *string
	Entries  []sendMessageEntry
}

type sendMessageEntry struct {
	Id           *string
	MessageBody  *string
	DelaySeconds *int64
}

type receiveMessageInput struct {
	QueueUrl                    *string
	MaxNumberOfMessages         *int64
	WaitTimeSeconds             *int64
	VisibilityTimeout           *int64
	MessageSystemAttributeNames []string
	AttributeNames              []string
}

func (s *Server) queueARN(region, name string) string { return s.arn("sqs", region, name) }

// queueTarget authorizes on a queue, with its queue policy as the
// resource-based policy. Callers hold s.mu (read).
func (s *Server) queueTarget(r *region, name string) []authTarget {
	t := authTarget{resource: s.queueARN(r.Name, name)}
	r.queues.mu.Lock()
	if q, ok := r.queues.byName[name]; ok && q.attrs.Policy != "" {
		t.trust = &namedDoc{name: "queue policy of " + name, doc: q.attrs.Policy}
	}
	r.queues.mu.Unlock()
	return []authTarget{t}
}

// queueNameTarget authorizes on the queue an input names by QueueName.
func queueNameTarget[In any](name func(*In) *string) func(s *Server, c *call, in *In) []authTarget {
	return func(s *Server, c *call, in *In) []authTarget {
		return s.queueTarget(c.region, aws.ToString(name(in)))
	}
}

// queueURLTarget authorizes on the queue an input names by QueueUrl.
func queueURLTarget[In any](url func(*In) *string) func(s *Server, c *call, in *In) []authTarget {
	return func(s *Server, c *call, in *In) []authTarget {
		name, _ := s.queueNameOf(aws.ToString(url(in)))
		return s.queueTarget(c.region, name)
	}
}

// queueNameOf reads a queue URL of this endpoint's account:
// <base>/<account>/<name>.
func (s *Server) queueNameOf(url string) (string, bool) {
	i := strings.LastIndexByte(url, '/')
	if i < 0 {
		return "", false
	}
	name, rest := url[i+1:], url[:i]
	account := rest[strings.LastIndexByte(rest, '/')+1:]
	if account != s.opts.AccountID || !queueNameRE.MatchString(name) {
		return "", false
	}
	return name, true
}

var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// queue returns the queue a request's QueueUrl names: the lookup every
// operation on a queue starts with.
func (s *Server) queue(r *region, queueURL *string) (*sqsQueue, error) {
	url := aws.ToString(queueURL)
	if url == "" {
		return nil, &APIError{Code: "MissingParameter", Message: "The request must contain the parameter QueueUrl."}
	}
	name, ok := s.queueNameOf(url)
	if !ok {
		return nil, noQueue()
	}
	r.queues.mu.Lock()
	q := r.queues.byName[name]
	r.queues.mu.Unlock()
	if q == nil {
		return nil, noQueue()
	}
	return q, nil
}

func (s *Server) sqsCreateQueue(_ context.Context, c *call, in *sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
	name := aws.ToString(in.QueueName)
	if strings.HasSuffix(name, ".fifo") {
		return nil, &APIError{Code: "InvalidParameterValue", Message: "FIFO queues are not simulated by the local endpoint."}
	}
	if !queueNameRE.MatchString(name) {
		return nil, &APIError{Code: "InvalidParameterValue", Message: "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"}
	}
	attrs := defaultQueueAttrs()
	for _, k := range sortedKeys(in.Attributes) {
		if err := attrs.set(k, in.Attributes[k]); err != nil {
			return nil, err
		}
	}
	r := c.region
	qs := &r.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if q, ok := qs.byName[name]; ok {
		if q.attrs != attrs {
			return nil, &APIError{Code: "QueueAlreadyExists", Message: "A queue already exists with the same name and a different value for attribute(s) " + strings.Join(sortedKeys(in.Attributes), ", ")}
		}
		return &sqs.CreateQueueOutput{QueueUrl: aws.String(q.url)}, nil
	}
	if len(qs.byName) >= maxQueuesPerRegion {
		return nil, &APIError{Code: "OverLimit", Message: fmt.Sprintf("the local endpoint holds at most %d queues per Region", maxQueuesPerRegion)}
	}
	if qs.byName == nil {
		qs.byName = map[string]*sqsQueue{}
	}
	now := s.clock.Now()
	q := &sqsQueue{
		name: name, arn: s.queueARN(r.Name, name), url: s.url + "/" + s.opts.AccountID + "/" + name,
		attrs: attrs, created: now, modified: now, receipts: map[string]*sqsMessage{}, arrived: make(chan struct{}),
	}
	qs.byName[name] = q
	return &sqs.CreateQueueOutput{QueueUrl: aws.String(q.url)}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) sqsGetQueueURL(_ context.Context, c *call, in *sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
	if owner := aws.ToString(in.QueueOwnerAWSAccountId); owner != "" && owner != s.opts.AccountID {
		return nil, noQueue()
	}
	c.region.queues.mu.Lock()
	q := c.region.queues.byName[aws.ToString(in.QueueName)]
	c.region.queues.mu.Unlock()
	if q == nil {
		return nil, noQueue()
	}
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(q.url)}, nil
}

func (s *Server) sqsDeleteQueue(_ context.Context, c *call, in *sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	delete(qs.byName, q.name)
	close(q.arrived) // long polls on the queue return at once
	q.arrived = make(chan struct{})
	qs.mu.Unlock()
	return &sqs.DeleteQueueOutput{}, nil
}

func (s *Server) sqsSetQueueAttributes(_ context.Context, c *call, in *sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	attrs := q.attrs
	for _, k := range sortedKeys(in.Attributes) {
		if err := attrs.set(k, in.Attributes[k]); err != nil {
			return nil, err
		}
	}
	q.attrs = attrs
	q.modified = s.clock.Now()
	return &sqs.SetQueueAttributesOutput{}, nil
}

// queueAttrNames are the attributes GetQueueAttributes reports for All.
var queueAttrNames = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
	"CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod",
	"Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout",
}

// wantedQueueAttrs reads GetQueueAttributes' AttributeNames, All standing
// for every attribute.
func wantedQueueAttrs(names []sqstypes.QueueAttributeName) (map[string]bool, error) {
	want := map[string]bool{}
	for _, n := range names {
		if n == sqstypes.QueueAttributeNameAll {
			for _, a := range queueAttrNames {
				want[a] = true
			}
			continue
		}
		if !containsString(queueAttrNames, string(n)) {
			return nil, &APIError{Code: "InvalidAttributeName", Message: "Unknown Attribute " + clip(string(n)) + "."}
		}
		want[string(n)] = true
	}
	return want, nil
}

func (s *Server) sqsGetQueueAttributes(_ context.Context, c *call, in *sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	want, err := wantedQueueAttrs(in.AttributeNames)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	out := map[string]string{}
	for k, v := range q.attributes(s.clock.Now()) {
		if want[k] {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return &sqs.GetQueueAttributesOutput{}, nil
	}
	return &sqs.GetQueueAttributesOutput{Attributes: out}, nil
}

// attributes are all the queue's attributes as GetQueueAttributes reports
// them. Callers hold the queues' lock.
func (q *sqsQueue) attributes(now time.Time) map[string]string {
	q.expire(now)
	visible, inFlight, delayed := 0, 0, 0
	for _, m := range q.msgs {
		switch {
		case m.receives == 0 && m.visibleAt.After(now):
			delayed++
		case m.visibleAt.After(now):
			inFlight++
		default:
			visible++
		}
	}
	all := map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(delayed),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inFlight),
		"CreatedTimestamp":                      strconv.FormatInt(q.created.Unix(), 10),
		"LastModifiedTimestamp":                 strconv.FormatInt(q.modified.Unix(), 10),
		"DelaySeconds":                          strconv.FormatInt(q.attrs.DelaySeconds, 10),
		"MaximumMessageSize":                    strconv.FormatInt(q.attrs.MaximumMessageSize, 10),
		"MessageRetentionPeriod":                strconv.FormatInt(q.attrs.MessageRetentionPeriod, 10),
		"QueueArn":                              q.arn,
		"ReceiveMessageWaitTimeSeconds":         strconv.FormatInt(q.attrs.ReceiveMessageWaitTimeSeconds, 10),
		"VisibilityTimeout":                     strconv.FormatInt(q.attrs.VisibilityTimeout, 10),
	}
	if q.attrs.Policy != "" {
		all["Policy"] = q.attrs.Policy
	}
	return all
}

// expire drops messages older than the retention period. Messages are
// kept in the order they were sent, so the expired ones are a prefix.
// Callers hold the queues' lock.
func (q *sqsQueue) expire(now time.Time) {
	keep := time.Duration(q.attrs.MessageRetentionPeriod) * time.Second
	n := 0
	for n < len(q.msgs) && now.Sub(q.msgs[n].sent) >= keep {
		delete(q.receipts, q.msgs[n].receipt)
		n++
	}
	if n > 0 {
		q.msgs = slices.Delete(q.msgs, 0, n)
	}
}

// enqueue adds a message. Callers hold the queues' lock.
func (q *sqsQueue) enqueue(now time.Time, body string, delay int64) (*sqsMessage, error) {
	if !utf8.ValidString(body) || body == "" {
		return nil, &APIError{Code: "InvalidParameterValue", Message: "The message body must be non-empty valid Unicode."}
	}
	if int64(len(body)) > q.attrs.MaximumMessageSize {
		return nil, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.attrs.MaximumMessageSize)}
	}
	q.expire(now)
	if len(q.msgs) >= maxQueueMessages {
		return nil, &APIError{Code: "OverLimit", Message: fmt.Sprintf("the queue holds %d messages, the local endpoint's limit", maxQueueMessages)}
	}
	sum := md5.Sum([]byte(body))
	q.seq++
	m := &sqsMessage{id: newUUID(), body: body, md5: hex.EncodeToString(sum[:]), sent: now, visibleAt: now.Add(time.Duration(delay) * time.Second), seq: q.seq}
	q.msgs = append(q.msgs, m)
	close(q.arrived)
	q.arrived = make(chan struct{})
	return m, nil
}

func (s *Server) sqsSendMessage(_ context.Context, c *call, in *sendMessageInput) (*sqs.SendMessageOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	delay, err := messageDelay(in.DelaySeconds, q)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	m, err := q.enqueue(s.clock.Now(), aws.ToString(in.MessageBody), delay)
	if err != nil {
		return nil, err
	}
	return &sqs.SendMessageOutput{MessageId: aws.String(m.id), MD5OfMessageBody: aws.String(m.md5)}, nil
}

// messageDelay is a message's delay: the queue's when the request gives
// none.
func messageDelay(given *int64, q *sqsQueue) (int64, error) {
	if given == nil || *given < 0 {
		return q.attrs.DelaySeconds, nil
	}
	if *given > 900 {
		return 0, &APIError{Code: "InvalidParameterValue", Message: "Value for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided."}
	}
	return *given, nil
}

// checkBatch checks the rules SQS checks of a batch's entry ids before any
// entry runs.
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return &APIError{Code: "AWS.SimpleQueueService.EmptyBatchRequest", Message: "There should be at least one SendMessageBatchRequestEntry in the request."}
	}
	if len(ids) > maxSQSBatch {
		return &APIError{Code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Message: fmt.Sprintf("Maximum number of entries per request are %d. You have sent %d.", maxSQSBatch, len(ids))}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchIDRE.MatchString(id) {
			return &APIError{Code: "AWS.SimpleQueueService.InvalidBatchEntryId", Message: "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."}
		}
		if seen[id] {
			return &APIError{Code: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", Message: "Id " + id + " repeated."}
		}
		seen[id] = true
	}
	return nil
}

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// entryIDs are a batch's entry ids.
func entryIDs[E any](entries []E, id func(E) *string) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = aws.ToString(id(e))
	}
	return out
}

func batchFailure(id string, err error) sqstypes.BatchResultErrorEntry {
	ae := asAPIError(err)
	return sqstypes.BatchResultErrorEntry{Id: aws.String(id), Code: aws.String(ae.Code), Message: aws.String(ae.Message), SenderFault: ae.status() < 500}
}

func (s *Server) sqsSendMessageBatch(_ context.Context, c *call, in *sendMessageBatchInput) (*sqs.SendMessageBatchOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(entryIDs(in.Entries, func(e sendMessageEntry) *string { return e.Id })); err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	out := &sqs.SendMessageBatchOutput{Successful: []sqstypes.SendMessageBatchResultEntry{}, Failed: []sqstypes.BatchResultErrorEntry{}}
	for _, e := range in.Entries {
		delay, err := messageDelay(e.DelaySeconds, q)
		var m *sqsMessage
		if err == nil {
			m, err = q.enqueue(s.clock.Now(), aws.ToString(e.MessageBody), delay)
		}
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(aws.ToString(e.Id), err))
			continue
		}
		out.Successful = append(out.Successful, sqstypes.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String(m.id), MD5OfMessageBody: aws.String(m.md5)})
	}
	return out, nil
}

// receiveLimits are ReceiveMessage's count, wait and visibility timeout,
// checked, the queue's settings standing in for the absent ones.
func (s *Server) receiveLimits(qs *sqsQueues, q *sqsQueue, in *receiveMessageInput) (max, wait, vis int64, err error) {
	max = 1
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
	}
	if max < 1 || max > maxSQSBatch {
		return 0, 0, 0, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)}
	}
	qs.mu.Lock()
	wait, vis = q.attrs.ReceiveMessageWaitTimeSeconds, q.attrs.VisibilityTimeout
	qs.mu.Unlock()
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	if wait < 0 || wait > 20 {
		return 0, 0, 0, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", wait)}
	}
	if in.VisibilityTimeout != nil {
		vis = *in.VisibilityTimeout
	}
	if vis < 0 || vis > 43_200 {
		return 0, 0, 0, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", vis)}
	}
	return max, wait, vis, nil
}

func (s *Server) sqsReceiveMessage(ctx context.Context, c *call, in *receiveMessageInput) (*sqs.ReceiveMessageOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	max, wait, vis, err := s.receiveLimits(qs, q, in)
	if err != nil {
		return nil, err
	}
	attrNames := append(slices.Clone(in.MessageSystemAttributeNames), in.AttributeNames...)
	deadline := s.clock.Now().Add(time.Duration(wait) * time.Second)
	for {
		qs.mu.Lock()
		now := s.clock.Now()
		msgs, nextVisible := q.take(now, int(max), time.Duration(vis)*time.Second)
		arrived := q.arrived
		_, live := qs.byName[q.name]
		qs.mu.Unlock()
		if len(msgs) > 0 || !now.Before(deadline) || !live {
			return &sqs.ReceiveMessageOutput{Messages: messagesOut(msgs, attrNames)}, nil
		}
		// Sleep until a message arrives, one becomes visible again, the
		// wait ends, the caller goes or the endpoint closes.
		wake := deadline
		if !nextVisible.IsZero() && nextVisible.Before(wake) {
			wake = nextVisible
		}
		t := s.clock.NewTimer(wake.Sub(now))
		select {
		case <-arrived:
		case <-t.C():
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-s.served:
			t.Stop()
			return &sqs.ReceiveMessageOutput{Messages: []sqstypes.Message{}}, nil
		}
		t.Stop()
	}
}

// take receives up to max visible messages, oldest first, and returns when
// the next invisible one becomes visible (zero when none). Callers hold the
// queues' lock.
func (q *sqsQueue) take(now time.Time, max int, vis time.Duration) ([]sqsMessage, time.Time) {
	q.expire(now)
	var out []sqsMessage
	var next time.Time
	for _, m := range q.msgs {
		if m.visibleAt.After(now) {
			if next.IsZero() || m.visibleAt.Before(next) {
				next = m.visibleAt
			}
			continue
		}
		if len(out) == max {
			continue
		}
		delete(q.receipts, m.receipt)
		m.receipt = receiptPrefix + newHex(48)
		q.receipts[m.receipt] = m
		m.receives++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.visibleAt = now.Add(vis)
		out = append(out, *m)
	}
	return out, next
}

// receiptPrefix marks the endpoint's receipt handles; anything else is
// not a receipt handle at all.
const receiptPrefix = "ssmlocal-rh-"

func messagesOut(msgs []sqsMessage, attrNames []string) []sqstypes.Message {
	out := make([]sqstypes.Message, 0, len(msgs))
	all := containsString(attrNames, "All")
	for _, m := range msgs {
		msg := sqstypes.Message{MessageId: aws.String(m.id), ReceiptHandle: aws.String(m.receipt), MD5OfBody: aws.String(m.md5), Body: aws.String(m.body)}
		attrs := map[string]string{}
		for name, v := range map[string]string{
			"ApproximateReceiveCount":          strconv.Itoa(m.receives),
			"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
		} {
			if all || containsString(attrNames, name) {
				attrs[name] = v
			}
		}
		if len(attrs) > 0 {
			msg.Attributes = attrs
		}
		out = append(out, msg)
	}
	return out
}

// deleteMessage deletes the message a receipt handle names. A handle of a
// message already deleted is accepted, as SQS does; one the endpoint never
// issued is not. Callers hold the queues' lock.
func (q *sqsQueue) deleteMessage(receipt string) error {
	if !strings.HasPrefix(receipt, receiptPrefix) {
		return &APIError{Code: "ReceiptHandleIsInvalid", Message: "The input receipt handle \"" + clip(receipt) + "\" is not a valid receipt handle."}
	}
	m, ok := q.receipts[receipt]
	if !ok {
		return nil
	}
	delete(q.receipts, receipt)
	for i, e := range q.msgs {
		if e == m {
			q.msgs = slices.Delete(q.msgs, i, i+1)
			break
		}
	}
	return nil
}

func (s *Server) sqsDeleteMessage(_ context.Context, c *call, in *sqs.DeleteMessageInput) (*sqs.DeleteMessageOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	receipt := aws.ToString(in.ReceiptHandle)
	if receipt == "" {
		return nil, &APIError{Code: "MissingParameter", Message: "The request must contain the parameter ReceiptHandle."}
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	return done[sqs.DeleteMessageOutput](q.deleteMessage(receipt))
}

func (s *Server) sqsDeleteMessageBatch(_ context.Context, c *call, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
	q, err := s.queue(c.region, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(entryIDs(in.Entries, func(e sqstypes.DeleteMessageBatchRequestEntry) *string { return e.Id })); err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	out := &sqs.DeleteMessageBatchOutput{Successful: []sqstypes.DeleteMessageBatchResultEntry{}, Failed: []sqstypes.BatchResultErrorEntry{}}
	for _, e := range in.Entries {
		if err := q.deleteMessage(aws.ToString(e.ReceiptHandle)); err != nil {
			out.Failed = append(out.Failed, batchFailure(aws.ToString(e.Id), err))
			continue
		}
		out.Successful = append(out.Successful, sqstypes.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}
