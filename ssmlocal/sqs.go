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
		{"sqs", "CreateQueue", true, (*Server).sqsCreateQueue, authOn("sqs:CreateQueue", queueNameTarget)},
		{"sqs", "GetQueueUrl", true, (*Server).sqsGetQueueURL, authOn("sqs:GetQueueUrl", queueNameTarget)},
		{"sqs", "GetQueueAttributes", true, (*Server).sqsGetQueueAttributes, authOn("sqs:GetQueueAttributes", queueURLTarget)},
		{"sqs", "SetQueueAttributes", true, (*Server).sqsSetQueueAttributes, authOn("sqs:SetQueueAttributes", queueURLTarget)},
		{"sqs", "DeleteQueue", true, (*Server).sqsDeleteQueue, authOn("sqs:DeleteQueue", queueURLTarget)},
		{"sqs", "SendMessage", true, (*Server).sqsSendMessage, authOn("sqs:SendMessage", queueURLTarget)},
		{"sqs", "SendMessageBatch", true, (*Server).sqsSendMessageBatch, authOn("sqs:SendMessage", queueURLTarget)},
		{"sqs", "ReceiveMessage", true, (*Server).sqsReceiveMessage, authOn("sqs:ReceiveMessage", queueURLTarget)},
		{"sqs", "DeleteMessage", true, (*Server).sqsDeleteMessage, authOn("sqs:DeleteMessage", queueURLTarget)},
		{"sqs", "DeleteMessageBatch", true, (*Server).sqsDeleteMessage, authOn("sqs:DeleteMessage", queueURLTarget)},
	}
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

func queueNameTarget(s *Server, c *call, in map[string]any) []authTarget {
	return s.queueTarget(c.region, member(in, "QueueName"))
}

func queueURLTarget(s *Server, c *call, in map[string]any) []authTarget {
	name, _ := s.queueNameOf(member(in, "QueueUrl"))
	return s.queueTarget(c.region, name)
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

// queue returns the queue a request's QueueUrl names.
func (s *Server) queue(r *region, in map[string]any) (*sqsQueue, error) {
	url, err := str(in, "QueueUrl")
	if err != nil {
		return nil, err
	}
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

func stringMap(in map[string]any, key string) (map[string]string, error) {
	m, err := object(in, key)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		sv, ok := v.(string)
		if !ok {
			return nil, apiErr("SerializationException", "member %s: expected a map of strings", key)
		}
		out[k] = sv
	}
	return out, nil
}

func (s *Server) sqsCreateQueue(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, err := str(in, "QueueName")
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(name, ".fifo") {
		return nil, &APIError{Code: "InvalidParameterValue", Message: "FIFO queues are not simulated by the local endpoint."}
	}
	if !queueNameRE.MatchString(name) {
		return nil, &APIError{Code: "InvalidParameterValue", Message: "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"}
	}
	given, err := stringMap(in, "Attributes")
	if err != nil {
		return nil, err
	}
	attrs := defaultQueueAttrs()
	for _, k := range sortedKeys(given) {
		if err := attrs.set(k, given[k]); err != nil {
			return nil, err
		}
	}
	r := c.region
	qs := &r.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if q, ok := qs.byName[name]; ok {
		if q.attrs != attrs {
			return nil, &APIError{Code: "QueueAlreadyExists", Message: "A queue already exists with the same name and a different value for attribute(s) " + strings.Join(sortedKeys(given), ", ")}
		}
		return map[string]any{"QueueUrl": q.url}, nil
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
	return map[string]any{"QueueUrl": q.url}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) sqsGetQueueURL(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, err := str(in, "QueueName")
	if err != nil {
		return nil, err
	}
	if owner := member(in, "QueueOwnerAWSAccountId"); owner != "" && owner != s.opts.AccountID {
		return nil, noQueue()
	}
	c.region.queues.mu.Lock()
	q := c.region.queues.byName[name]
	c.region.queues.mu.Unlock()
	if q == nil {
		return nil, noQueue()
	}
	return map[string]any{"QueueUrl": q.url}, nil
}

func (s *Server) sqsDeleteQueue(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	q, err := s.queue(c.region, in)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	delete(qs.byName, q.name)
	close(q.arrived) // long polls on the queue return at once
	q.arrived = make(chan struct{})
	qs.mu.Unlock()
	return nil, nil
}

func (s *Server) sqsSetQueueAttributes(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	q, err := s.queue(c.region, in)
	if err != nil {
		return nil, err
	}
	given, err := stringMap(in, "Attributes")
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	attrs := q.attrs
	for _, k := range sortedKeys(given) {
		if err := attrs.set(k, given[k]); err != nil {
			return nil, err
		}
	}
	q.attrs = attrs
	q.modified = s.clock.Now()
	return nil, nil
}

// queueAttrNames are the attributes GetQueueAttributes reports for All.
var queueAttrNames = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
	"CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod",
	"Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout",
}

func (s *Server) sqsGetQueueAttributes(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	q, err := s.queue(c.region, in)
	if err != nil {
		return nil, err
	}
	names, err := strList(in, "AttributeNames")
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		if n == "All" {
			for _, a := range queueAttrNames {
				want[a] = true
			}
			continue
		}
		if !containsString(queueAttrNames, n) {
			return nil, &APIError{Code: "InvalidAttributeName", Message: "Unknown Attribute " + clip(n) + "."}
		}
		want[n] = true
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	now := s.clock.Now()
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
	out := map[string]any{}
	for k, v := range all {
		if want[k] {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return map[string]any{"Attributes": out}, nil
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

func (s *Server) sqsSendMessage(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	q, err := s.queue(c.region, in)
	if err != nil {
		return nil, err
	}
	body, err := str(in, "MessageBody")
	if err != nil {
		return nil, err
	}
	delay, err := messageDelay(in, q)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	m, err := q.enqueue(s.clock.Now(), body, delay)
	if err != nil {
		return nil, err
	}
	return map[string]any{"MessageId": m.id, "MD5OfMessageBody": m.md5}, nil
}

func messageDelay(in map[string]any, q *sqsQueue) (int64, error) {
	d, err := integer(in, "DelaySeconds", -1)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return q.attrs.DelaySeconds, nil
	}
	if d > 900 {
		return 0, &APIError{Code: "InvalidParameterValue", Message: "Value for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided."}
	}
	return d, nil
}

// batchEntries reads a batch's entries, checking the batch rules SQS
// checks before any entry runs.
func batchEntries(in map[string]any) ([]map[string]any, error) {
	entries, err := objects(in, "Entries")
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, &APIError{Code: "AWS.SimpleQueueService.EmptyBatchRequest", Message: "There should be at least one SendMessageBatchRequestEntry in the request."}
	}
	if len(entries) > maxSQSBatch {
		return nil, &APIError{Code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Message: fmt.Sprintf("Maximum number of entries per request are %d. You have sent %d.", maxSQSBatch, len(entries))}
	}
	seen := map[string]bool{}
	for _, e := range entries {
		id := member(e, "Id")
		if !batchIDRE.MatchString(id) {
			return nil, &APIError{Code: "AWS.SimpleQueueService.InvalidBatchEntryId", Message: "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."}
		}
		if seen[id] {
			return nil, &APIError{Code: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", Message: "Id " + id + " repeated."}
		}
		seen[id] = true
	}
	return entries, nil
}

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func batchFailure(id string, err error) map[string]any {
	ae := asAPIError(err)
	return map[string]any{"Id": id, "Code": ae.Code, "Message": ae.Message, "SenderFault": ae.status() < 500}
}

func (s *Server) sqsSendMessageBatch(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	q, err := s.queue(c.region, in)
	if err != nil {
		return nil, err
	}
	entries, err := batchEntries(in)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defer qs.mu.Unlock()
	ok, failed := []any{}, []any{}
	for _, e := range entries {
		id := member(e, "Id")
		body, err := str(e, "MessageBody")
		var delay int64
		if err == nil {
			delay, err = messageDelay(e, q)
		}
		var m *sqsMessage
		if err == nil {
			m, err = q.enqueue(s.clock.Now(), body, delay)
		}
		if err != nil {
			failed = append(failed, batchFailure(id, err))
			continue
		}
		ok = append(ok, map[string]any{"Id": id, "MessageId": m.id, "MD5OfMessageBody": m.md5})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (s *Server) sqsReceiveMessage(ctx context.Context, c *call, in map[string]any) (map[string]any, error) {
	q, err := s.queue(c.region, in)
	if err != nil {
		return nil, err
	}
	max, err := integer(in, "MaxNumberOfMessages", 1)
	if err != nil {
		return nil, err
	}
	if max < 1 || max > maxSQSBatch {
		return nil, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)}
	}
	qs := &c.region.queues
	qs.mu.Lock()
	defWait, defVis := q.attrs.ReceiveMessageWaitTimeSeconds, q.attrs.VisibilityTimeout
	qs.mu.Unlock()
	wait, err := integer(in, "WaitTimeSeconds", defWait)
	if err != nil {
		return nil, err
	}
	if wait < 0 || wait > 20 {
		return nil, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", wait)}
	}
	vis, err := integer(in, "VisibilityTimeout", defVis)
	if err != nil {
		return nil, err
	}
	if vis < 0 || vis > 43_200 {
		return nil, &APIError{Code: "InvalidParameterValue", Message: fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", vis)}
	}
	attrNames, err := strList(in, "MessageSystemAttributeNames")
	if err != nil {
		return nil, err
	}
	if legacy, err := strList(in, "AttributeNames"); err == nil {
		attrNames = append(attrNames, legacy...)
	}
	deadline := s.clock.Now().Add(time.Duration(wait) * time.Second)
	for {
		qs.mu.Lock()
		now := s.clock.Now()
		msgs, nextVisible := q.take(now, int(max), time.Duration(vis)*time.Second)
		arrived := q.arrived
		_, live := qs.byName[q.name]
		qs.mu.Unlock()
		if len(msgs) > 0 || !now.Before(deadline) || !live {
			return map[string]any{"Messages": messagesOut(msgs, attrNames)}, nil
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
			return map[string]any{"Messages": []any{}}, nil
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

func messagesOut(msgs []sqsMessage, attrNames []string) []any {
	out := make([]any, 0, len(msgs))
	all := containsString(attrNames, "All")
	for _, m := range msgs {
		msg := map[string]any{"MessageId": m.id, "ReceiptHandle": m.receipt, "MD5OfBody": m.md5, "Body": m.body}
		attrs := map[string]any{}
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
			msg["Attributes"] = attrs
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

// sqsDeleteMessage serves DeleteMessage and DeleteMessageBatch.
func (s *Server) sqsDeleteMessage(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	q, err := s.queue(c.region, in)
	if err != nil {
		return nil, err
	}
	qs := &c.region.queues
	if c.api == "DeleteMessage" {
		receipt, err := str(in, "ReceiptHandle")
		if err != nil {
			return nil, err
		}
		if receipt == "" {
			return nil, &APIError{Code: "MissingParameter", Message: "The request must contain the parameter ReceiptHandle."}
		}
		qs.mu.Lock()
		defer qs.mu.Unlock()
		return nil, q.deleteMessage(receipt)
	}
	entries, err := batchEntries(in)
	if err != nil {
		return nil, err
	}
	qs.mu.Lock()
	defer qs.mu.Unlock()
	ok, failed := []any{}, []any{}
	for _, e := range entries {
		id := member(e, "Id")
		if err := q.deleteMessage(member(e, "ReceiptHandle")); err != nil {
			failed = append(failed, batchFailure(id, err))
			continue
		}
		ok = append(ok, map[string]any{"Id": id})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}
