package ssmlocal

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// protocol is one AWS wire protocol: how an operation and its input are
// read from a request and how results and errors are written.
type protocol struct {
	service string
	kind    protoKind
}

type protoKind int

const (
	awsJSON protoKind = iota
	awsQuery
	ec2Query
)

const (
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
	ec2NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

// detectProtocol picks the protocol: awsJson1_1 by its X-Amz-Target, the
// query protocols by the SigV4 credential scope's service (or, unsigned, by
// the API version). It reads no more of the body than a scan for Version.
func detectProtocol(r *http.Request, body []byte) *protocol {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if strings.HasPrefix(t, "AmazonSSM.") {
			return &protocol{service: "ssm", kind: awsJSON}
		}
		if service, ok := jsonServiceOf(t); ok {
			return protocolFor(service)
		}
		return nil
	}
	service := ""
	if a, ok := parseAuthorization(r.Header.Get("Authorization")); ok {
		service = a.service
	} else {
		switch rawParam(string(body), "Version") {
		case "2010-05-08":
			service = "iam"
		case "2011-06-15":
			service = "sts"
		case "2016-11-15":
			service = "ec2"
		}
	}
	if service == "ssm" {
		return nil // SSM is only awsJson1_1, which needs X-Amz-Target
	}
	return protocolFor(service)
}

func protocolFor(service string) *protocol {
	switch service {
	case "ssm", "events", "sqs":
		return &protocol{service: service, kind: awsJSON}
	case "iam", "sts":
		return &protocol{service: service, kind: awsQuery}
	case "ec2":
		return &protocol{service: service, kind: ec2Query}
	}
	return nil
}

// rawParam returns the first value of a query parameter whose name is
// spelled without escapes (as SDKs send Action and Version), or "". It scans
// without building anything, so it is safe before authentication.
func rawParam(query, name string) string {
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if k, v, _ := strings.Cut(pair, "="); k == name {
			if u, err := url.QueryUnescape(v); err == nil {
				return u
			}
			return ""
		}
	}
	return ""
}

// operation is the operation a request names, read cheaply for the audit
// of a request that fails authentication; decode reads it properly.
func (p *protocol) operation(r *http.Request, body []byte) string {
	var op string
	if p.kind == awsJSON {
		op = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), p.targetPrefix())
	} else if op = rawParam(string(body), "Action"); op == "" {
		op = rawParam(r.URL.RawQuery, "Action")
	}
	return clipTo(op, maxActionName)
}

// decode returns the operation name and its input shape.
func (p *protocol) decode(r *http.Request, body []byte) (string, map[string]any, error) {
	if p.kind == awsJSON {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), p.targetPrefix())
		if err := checkAction(op); err != nil {
			return "", nil, err
		}
		in, err := decodeJSON(body)
		return op, in, err
	}
	var n int
	form := url.Values{}
	if err := parseQuery(form, string(body), &n); err != nil {
		return "", nil, err
	}
	fromURL := url.Values{}
	if err := parseQuery(fromURL, r.URL.RawQuery, &n); err != nil {
		return "", nil, err
	}
	for k, v := range fromURL {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	op := form.Get("Action")
	if op == "" {
		return "", nil, &APIError{Code: "MissingAction", Message: "Missing Action"}
	}
	if err := checkAction(op); err != nil {
		return "", nil, err
	}
	return op, queryShape(form, p.kind == ec2Query), nil
}

// checkAction refuses operation names no AWS API has, before they reach
// error messages and the audit trail.
func checkAction(op string) error {
	if len(op) > maxActionName {
		return &APIError{Code: "InvalidAction", Message: fmt.Sprintf("the operation name %s is longer than %d bytes", clip(op), maxActionName)}
	}
	return nil
}

// decodeJSON decodes an awsJson1_1 body, refusing nesting deeper than
// maxJSONDepth before decoding anything.
func decodeJSON(body []byte) (map[string]any, error) {
	in := map[string]any{}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, nil
	}
	if depth := jsonDepth(body, maxJSONDepth); depth > maxJSONDepth {
		return nil, &APIError{Code: "SerializationException", Message: fmt.Sprintf("the request body nests deeper than %d levels", maxJSONDepth)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return nil, &APIError{Code: "SerializationException", Message: "cannot parse the request body as JSON: " + clip(err.Error())}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &APIError{Code: "SerializationException", Message: "cannot parse the request body as JSON: data after the top-level value"}
	}
	if in == nil { // a body of null
		in = map[string]any{}
	}
	return in, nil
}

// jsonDepth returns the deepest nesting of arrays and objects in data, or
// max+1 as soon as it passes max; malformed input is left to the decoder.
func jsonDepth(data []byte, max int) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > max {
					return deepest
				}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// limitError is a request refused for passing one of the endpoint's
// bounds.
func limitError(format string, args ...any) *APIError {
	return &APIError{Code: "MalformedQueryString", Message: fmt.Sprintf(format, args...)}
}

// parseQuery adds the parameters of an application/x-www-form-urlencoded
// string to dst, counting them in n, and refuses the request as soon as it
// passes a bound: more than maxQueryParams parameters, a name longer than
// maxQueryName bytes or of more than maxQueryDepth segments.
func parseQuery(dst url.Values, query string, n *int) error {
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if pair == "" {
			continue
		}
		if *n++; *n > maxQueryParams {
			return limitError("the request has more than %d parameters", maxQueryParams)
		}
		if strings.Contains(pair, ";") {
			return limitError("invalid semicolon separator in query")
		}
		k, v, _ := strings.Cut(pair, "=")
		if d := strings.Count(k, ".") + 1; d > maxQueryDepth {
			return limitError("parameter name %s has %d segments; at most %d are allowed", clip(k), d, maxQueryDepth)
		}
		// An escaped name is at most three times its length.
		if len(k) > 3*maxQueryName {
			return limitError("parameter name %s is longer than %d bytes", clip(k), maxQueryName)
		}
		key, err := url.QueryUnescape(k)
		if err != nil {
			return limitError("parameter name %s: %v", clip(k), err)
		}
		if len(key) > maxQueryName {
			return limitError("parameter name %s is longer than %d bytes", clip(key), maxQueryName)
		}
		if d := strings.Count(key, ".") + 1; d > maxQueryDepth {
			return limitError("parameter name %s has %d segments; at most %d are allowed", clip(key), d, maxQueryDepth)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return limitError("value of parameter %s: %v", clip(key), err)
		}
		dst[key] = append(dst[key], val)
	}
	return nil
}

// qnode is a query key's path segment while a shape is rebuilt.
type qnode struct {
	value    string
	leaf     bool
	children map[string]*qnode
	// out is the node's shape once built.
	out any
}

type qkind int

const (
	qValue  qkind = iota // a leaf: its value
	qMember              // only a "member" child: that child's shape
	qList                // numbered children: a list in number order
	qStruct              // named children: a structure
)

func (n *qnode) kind() qkind {
	if n.leaf && len(n.children) == 0 {
		return qValue
	}
	if _, ok := n.children["member"]; ok && len(n.children) == 1 {
		return qMember
	}
	if len(n.children) == 0 {
		return qStruct
	}
	for k := range n.children {
		if _, err := strconv.Atoi(k); err != nil {
			return qStruct
		}
	}
	return qList
}

// queryShape rebuilds a shape from flattened query keys: "Tags.member.1.Key"
// (query) and "TagSpecification.1.Tag.1.Key" (EC2, whose wire names are
// renamed to member names). It works without recursion, so a key's depth
// costs no stack (parseQuery bounds it anyway).
func queryShape(form url.Values, ec2 bool) map[string]any {
	root := &qnode{children: map[string]*qnode{}}
	for k, v := range form {
		if k == "Action" || k == "Version" || len(v) == 0 {
			continue
		}
		n := root
		for _, seg := range strings.Split(k, ".") {
			if n.children == nil {
				n.children = map[string]*qnode{}
			}
			c, ok := n.children[seg]
			if !ok {
				c = &qnode{}
				n.children[seg] = c
			}
			n = c
		}
		n.leaf, n.value = true, v[0]
	}
	root.build(ec2)
	out, _ := root.out.(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

// build sets every node's out, children before parents, with an explicit
// stack. A node's parent name is the structure member it sits under (the
// EC2 renaming of its own members depends on it); lists and "member"
// wrappers pass theirs through.
func (root *qnode) build(ec2 bool) {
	type frame struct {
		n      *qnode
		parent string
		ready  bool
	}
	stack := []frame{{n: root}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kind := f.n.kind()
		if !f.ready {
			stack = append(stack, frame{f.n, f.parent, true})
			for k, c := range f.n.children {
				parent := f.parent
				if kind == qStruct {
					parent = k
				}
				stack = append(stack, frame{n: c, parent: parent})
			}
			continue
		}
		n := f.n
		switch kind {
		case qValue:
			n.out = n.value
		case qMember:
			n.out = n.children["member"].out
		case qList:
			keys := make([]string, 0, len(n.children))
			for k := range n.children {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool {
				a, _ := strconv.Atoi(keys[i])
				b, _ := strconv.Atoi(keys[j])
				if a != b {
					return a < b
				}
				return keys[i] < keys[j] // "1" and "01": any fixed order
			})
			list := make([]any, 0, len(keys))
			for _, k := range keys {
				list = append(list, n.children[k].out)
			}
			n.out = list
		case qStruct:
			// In key order, so two wire names of one member resolve
			// the same way every time.
			keys := make([]string, 0, len(n.children))
			for k := range n.children {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			m := make(map[string]any, len(n.children))
			for _, k := range keys {
				name := k
				// EC2 renames list members (InstanceId.1 is InstanceIds);
				// a single value keeps its name (AttachVolume's InstanceId).
				if ec2 && n.children[k].kind() != qValue {
					name = ec2InputName(f.parent, k)
				}
				m[name] = n.children[k].out
			}
			n.out = m
		}
		n.children = nil // the shapes hold what is needed now
	}
}

// ec2InputName maps an EC2 query name to its member name where they
// differ; a Filter's Value list is Values, a Tag's Value stays Value.
func ec2InputName(parent, k string) string {
	switch k {
	case "InstanceId":
		return "InstanceIds"
	case "Filter":
		return "Filters"
	case "Value":
		if parent == "Filter" {
			return "Values"
		}
	case "TagSpecification":
		return "TagSpecifications"
	case "Tag":
		return "Tags"
	case "ResourceId":
		return "Resources"
	case "SecurityGroupId":
		return "SecurityGroupIds"
	case "SecurityGroup":
		return "SecurityGroups"
	case "BlockDeviceMapping":
		return "BlockDeviceMappings"
	case "ImageId":
		return "ImageIds"
	case "Owner":
		return "Owners"
	case "ExecutableBy":
		return "ExecutableUsers"
	case "SnapshotId":
		return "SnapshotIds"
	case "VolumeId":
		return "VolumeIds"
	case "RestorableBy":
		return "RestorableByUserIds"
	}
	return k
}

// ec2OutputName maps a member name to its EC2 XML name: the member name
// with a lower-case first letter, except for these.
func ec2OutputName(parent, k string) string {
	switch k {
	case "State":
		// An instance's state is instanceState; a monitoring state is state.
		switch parent {
		case "Instances":
			return "instanceState"
		case "Images":
			return "imageState"
		case "", "Snapshots", "Volumes", "Attachments":
			// Snapshots, volumes and attachments (CreateSnapshot,
			// CreateVolume and AttachVolume answer one at the top).
			return "status"
		}
		return "state"
	case "Reservations":
		return "reservationSet"
	case "Instances", "StartingInstances", "StoppingInstances", "TerminatingInstances":
		return "instancesSet"
	case "Groups", "SecurityGroups":
		return "groupSet"
	case "Tags":
		return "tagSet"
	case "InstanceStatuses":
		return "instanceStatusSet"
	case "StateTransitionReason":
		return "reason"
	case "PublicDnsName":
		return "dnsName"
	case "PublicIpAddress":
		return "ipAddress"
	case "Events":
		return "eventsSet"
	case "NetworkInterfaces":
		return "networkInterfaceSet"
	case "BlockDeviceMappings":
		return "blockDeviceMapping"
	case "Images":
		return "imagesSet"
	case "Snapshots":
		return "snapshotSet"
	case "Volumes":
		return "volumeSet"
	case "Attachments":
		return "attachmentSet"
	case "Public":
		return "isPublic"
	case "OwnerId":
		if parent == "Images" {
			return "imageOwnerId"
		}
	case "DeleteSnapshotResults":
		return "deleteSnapshotResultSet"
	}
	return lowerFirst(k)
}

func (p *protocol) writeResult(w http.ResponseWriter, reqID, op string, out map[string]any) {
	switch p.kind {
	case awsJSON:
		w.Header().Set("Content-Type", p.contentType())
		w.Header().Set("X-Amzn-Requestid", reqID)
		body := encodeJSON(out)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	case awsQuery:
		ns := iamNS
		if p.service == "sts" {
			ns = stsNS
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, op, ns)
		if len(out) > 0 {
			fmt.Fprintf(&b, "<%sResult>", op)
			writeXMLMembers(&b, out, false, "")
			fmt.Fprintf(&b, "</%sResult>", op)
		}
		fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", reqID, op)
		writeXML(w, http.StatusOK, reqID, b.Bytes())
	case ec2Query:
		var b bytes.Buffer
		fmt.Fprintf(&b, `<%sResponse xmlns="%s"><requestId>%s</requestId>`, op, ec2NS, reqID)
		writeXMLMembers(&b, out, true, "")
		fmt.Fprintf(&b, "</%sResponse>", op)
		writeXML(w, http.StatusOK, reqID, b.Bytes())
	}
}

func (p *protocol) writeError(w http.ResponseWriter, reqID string, e *APIError) {
	// Whatever built the message, it goes out bounded.
	e = &APIError{Code: clip(e.Code), Message: clipTo(e.Message, maxMessage), Status: e.Status}
	switch p.kind {
	case awsJSON:
		typ := e.Code
		if p.service == "sqs" {
			typ = sqsErrorType(w, e)
		}
		w.Header().Set("Content-Type", p.contentType())
		w.Header().Set("X-Amzn-Requestid", reqID)
		w.Header().Set("X-Amzn-Errortype", typ)
		w.WriteHeader(e.status())
		_, _ = w.Write(encodeJSON(map[string]any{"__type": typ, "message": e.Message}))
	case awsQuery:
		ns := iamNS
		if p.service == "sts" {
			ns = stsNS
		}
		writeQueryError(w, ns, reqID, e)
	case ec2Query:
		var b bytes.Buffer
		b.WriteString("<Response><Errors><Error><Code>")
		xmlText(&b, e.Code)
		b.WriteString("</Code><Message>")
		xmlText(&b, e.Message)
		fmt.Fprintf(&b, "</Message></Error></Errors><RequestID>%s</RequestID></Response>", reqID)
		writeXML(w, e.status(), reqID, b.Bytes())
	}
}

func writeQueryError(w http.ResponseWriter, ns, reqID string, e *APIError) {
	e = &APIError{Code: clip(e.Code), Message: clipTo(e.Message, maxMessage), Status: e.Status}
	var b bytes.Buffer
	kind := "Sender"
	if e.status() >= 500 {
		kind = "Receiver"
	}
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>`, ns, kind)
	xmlText(&b, e.Code)
	b.WriteString("</Code><Message>")
	xmlText(&b, e.Message)
	fmt.Fprintf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", reqID)
	writeXML(w, e.status(), reqID, b.Bytes())
}

func writeXML(w http.ResponseWriter, status int, reqID string, body []byte) {
	const decl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(decl)+len(body)))
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(decl))
	_, _ = w.Write(body)
}

func xmlText(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

// writeXMLMembers writes a structure's members in key order: query
// protocol lists as <member>, EC2 lists as <item> with EC2's names.
func writeXMLMembers(b *bytes.Buffer, m map[string]any, ec2 bool, parent string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		name := k
		if ec2 {
			name = ec2OutputName(parent, k)
		}
		b.WriteString("<" + name + ">")
		writeXMLValue(b, m[k], ec2, k)
		b.WriteString("</" + name + ">")
	}
}

// writeXMLValue writes v, the value of member key (the parent of its
// members).
func writeXMLValue(b *bytes.Buffer, v any, ec2 bool, key string) {
	item := "member"
	if ec2 {
		item = "item"
	}
	switch x := v.(type) {
	case map[string]any:
		writeXMLMembers(b, x, ec2, key)
	case []any:
		for _, e := range x {
			b.WriteString("<" + item + ">")
			writeXMLValue(b, e, ec2, key)
			b.WriteString("</" + item + ">")
		}
	case []string:
		for _, e := range x {
			b.WriteString("<" + item + ">")
			xmlText(b, e)
			b.WriteString("</" + item + ">")
		}
	case string:
		xmlText(b, x)
	case time.Time:
		b.WriteString(x.UTC().Format("2006-01-02T15:04:05.000Z"))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	case json.Number:
		b.WriteString(x.String())
	case nil:
	default:
		xmlText(b, fmt.Sprint(x))
	}
}
