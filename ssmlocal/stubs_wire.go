package ssmlocal

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/querymodel"
)

// stubWire is the protocol of a request to a service the endpoint does not
// emulate, which only stubs can answer: awsJson 1.0 or 1.1 (operation in
// X-Amz-Target) or the query protocol (Action= in the form).
type stubWire struct {
	service string
	json    bool
	// contentType is the awsJson version the client sent, echoed back.
	contentType string
	// version is the query protocol's API version, for the XML namespace.
	version string
}

// serveStubWire answers a request no emulated service's protocol claims,
// when its SigV4 credential scope names a service: awsJson and query
// requests go through the dispatcher to the stubs (authenticated,
// authorized and audited like any call), and so do REST requests, routed
// by serveStubREST. It reports whether it answered.
func (s *Server) serveStubWire(w http.ResponseWriter, r *http.Request, body []byte, reqID string) bool {
	a, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok || a.service == "" || protocolFor(a.service) != nil {
		// The emulated services speak only their own protocols.
		return false
	}
	p := &stubWire{service: strings.ToLower(a.service)}
	target := r.Header.Get("X-Amz-Target")
	switch {
	case target != "":
		p.json = true
		p.contentType = "application/x-amz-json-1.1"
		if strings.Contains(r.Header.Get("Content-Type"), "json-1.0") {
			p.contentType = "application/x-amz-json-1.0"
		}
	case r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && rawParam(string(body), "Action") != "":
		p.version = rawParam(string(body), "Version")
	default:
		s.serveStubREST(w, r, body, reqID, p.service)
		return true
	}
	c := &call{s: s, service: p.service, api: p.operation(target, body), sourceIP: remoteIP(r), userAgent: r.UserAgent(), requestID: reqID}
	sig, err := s.verify(r, body, a.service)
	if err != nil {
		s.record(c, err)
		p.writeError(w, reqID, asAPIError(err))
		return true
	}
	c.who, c.regionNm = sig.who, sig.region
	s.tagScriptCall(c)
	in, err := p.decode(target, body)
	if err == nil {
		err = checkAction(c.api)
	}
	if err != nil {
		s.record(c, err)
		p.writeError(w, reqID, asAPIError(err))
		return true
	}
	out, err := s.dispatch(r.Context(), c, in)
	if err != nil {
		p.writeError(w, reqID, asAPIError(err))
		return true
	}
	p.writeResult(w, reqID, c.api, out)
	return true
}

// operation is the operation a request names: the part of X-Amz-Target
// after its last dot ("secretsmanager.GetSecretValue",
// "DynamoDB_20120810.GetItem"), or the query protocol's Action.
func (p *stubWire) operation(target string, body []byte) string {
	if p.json {
		return clipTo(target[strings.LastIndexByte(target, '.')+1:], maxActionName+1)
	}
	return clipTo(rawParam(string(body), "Action"), maxActionName+1)
}

// decode reads the input: a JSON document, or query parameters rebuilt
// into a shape (lists from "member", maps from "entry" key/value pairs).
func (p *stubWire) decode(target string, body []byte) (map[string]any, error) {
	if p.json {
		return decodeJSON(body)
	}
	var n int
	form := url.Values{}
	if err := parseQuery(form, string(body), &n); err != nil {
		return nil, err
	}
	in := queryShape(form, false)
	entriesToMaps(in)
	return in, nil
}

// entriesToMaps turns the query protocol's map encoding, {"entry": [{key,
// value}...]} (or Name and Value, as SNS spells message attributes), into
// maps, in place and without recursion.
func entriesToMaps(root map[string]any) {
	stack := []any{root}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if m, ok := asEntries(e); ok {
					x[k] = m
				}
				stack = append(stack, x[k])
			}
		case []any:
			stack = append(stack, x...)
		}
	}
}

func asEntries(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, false
	}
	list, ok := m["entry"].([]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]any, len(list))
	for _, it := range list {
		e, ok := it.(map[string]any)
		if !ok || len(e) != 2 {
			return nil, false
		}
		k, kok := e["key"].(string)
		val, vok := e["value"]
		if !kok || !vok {
			k, kok = e["Name"].(string)
			val, vok = e["Value"]
		}
		if !kok || !vok {
			return nil, false
		}
		out[k] = val
	}
	return out, true
}

func (p *stubWire) writeResult(w http.ResponseWriter, reqID, op string, out map[string]any) {
	if p.json {
		body := encodeJSON(out)
		w.Header().Set("Content-Type", p.contentType)
		w.Header().Set("X-Amzn-Requestid", reqID)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return
	}
	svc, o, shaped := querymodel.Load().Lookup(p.service, p.version, op)
	shaped = shaped && o.Output != ""
	if !shaped {
		// The generic encoding names elements after the operation and
		// the stub's keys, so each must be an XML name.
		if err := checkXMLKeys(op, out); err != nil {
			p.writeError(w, reqID, &APIError{Code: "InternalFailure", Status: http.StatusInternalServerError,
				Message: fmt.Sprintf("the response of the stub of %s:%s cannot be encoded as XML: %v", clip(p.service), clip(op), err)})
			return
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, op, p.namespace())
	if shaped {
		// Shaped as the service model says, so the SDKs read named list
		// items, flattened lists and maps.
		if o.Wrapper != "" {
			b.WriteString("<" + o.Wrapper + ">")
		}
		writeQueryShape(&b, svc, o.Output, out)
		if o.Wrapper != "" {
			b.WriteString("</" + o.Wrapper + ">")
		}
	} else {
		fmt.Fprintf(&b, "<%sResult>", op)
		writeXMLMembers(&b, out, false, "")
		fmt.Fprintf(&b, "</%sResult>", op)
	}
	fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", reqID, op)
	writeXML(w, http.StatusOK, reqID, b.Bytes())
}

// maxGenericXMLDepth bounds the nesting of a stub's response written with
// the generic query encoding.
const maxGenericXMLDepth = 64

// checkXMLKeys reports the first key of out, in key order and at any
// depth, that is not an XML element name, or an operation name that is
// not one; the generic query encoding would write a malformed document.
func checkXMLKeys(op string, out map[string]any) error {
	if !isXMLName(op) {
		return fmt.Errorf("the operation name %q is not an XML name", clip(op))
	}
	type item struct {
		v     any
		depth int
	}
	stack := []item{{out, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var children []any
		switch x := it.v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				if !isXMLName(k) {
					return fmt.Errorf("the key %q is not an XML element name; no model describes this operation's response, so its keys name the elements", clip(k))
				}
				children = append(children, x[k])
			}
		case []any:
			children = x
		default:
			continue
		}
		if it.depth >= maxGenericXMLDepth {
			return fmt.Errorf("the response nests deeper than %d levels", maxGenericXMLDepth)
		}
		for i := len(children) - 1; i >= 0; i-- {
			stack = append(stack, item{children[i], it.depth + 1})
		}
	}
	return nil
}

// writeQueryShape writes v as the members of the named shape of svc. A
// structure writes only the members the shape has, in the order of their
// names; members the shape does not know are dropped, as the SDKs would
// ignore them. A scalar is written as text; an object or list where the
// shape has none is dropped, so the stub's keys never name elements.
func writeQueryShape(b *bytes.Buffer, svc *querymodel.Service, shape string, v any) {
	sh := svc.Shape(shape)
	if sh == nil {
		writeQueryScalar(b, v)
		return
	}
	switch sh.Type {
	case querymodel.Structure:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		for i := range sh.Members {
			ref := &sh.Members[i]
			mv, ok := m[ref.Name]
			if !ok || mv == nil {
				continue
			}
			writeQueryMember(b, svc, ref, mv)
		}
		return
	case querymodel.List:
		items, ok := listItems(v)
		if !ok {
			break
		}
		name := sh.Item.Element("member")
		for _, it := range items {
			b.WriteString("<" + name + ">")
			writeQueryShape(b, svc, sh.Item.Shape, it)
			b.WriteString("</" + name + ">")
		}
		return
	case querymodel.Map:
		m, ok := v.(map[string]any)
		if !ok || sh.Key == nil || sh.Value == nil {
			break
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			b.WriteString("<entry>")
			writeQueryEntry(b, svc, sh, k, m[k])
			b.WriteString("</entry>")
		}
		return
	}
	writeQueryScalar(b, v)
}

// writeQueryScalar writes a scalar value as text and drops an object or
// list.
func writeQueryScalar(b *bytes.Buffer, v any) {
	if _, ok := v.(map[string]any); ok {
		return
	}
	if _, ok := listItems(v); ok {
		return
	}
	writeXMLValue(b, v, false, "")
}

// writeQueryMember writes one structure member: its element around its
// value, or for a flattened list or map the items or entries repeated in
// place of that element.
func writeQueryMember(b *bytes.Buffer, svc *querymodel.Service, ref *querymodel.Ref, v any) {
	sh := svc.Shape(ref.Shape)
	if ref.Flat && sh != nil {
		switch sh.Type {
		case querymodel.List:
			if items, ok := listItems(v); ok {
				// The SDKs look a flattened list up by its item's name
				// when the list names it.
				name := ref.Element("member")
				if sh.Item != nil && sh.Item.XML != "" {
					name = sh.Item.XML
				}
				for _, it := range items {
					b.WriteString("<" + name + ">")
					writeQueryShape(b, svc, sh.Item.Shape, it)
					b.WriteString("</" + name + ">")
				}
				return
			}
		case querymodel.Map:
			if m, ok := v.(map[string]any); ok && sh.Key != nil && sh.Value != nil {
				name := ref.Element("entry")
				for _, k := range slices.Sorted(maps.Keys(m)) {
					b.WriteString("<" + name + ">")
					writeQueryEntry(b, svc, sh, k, m[k])
					b.WriteString("</" + name + ">")
				}
				return
			}
		}
	}
	name := ref.Element("member")
	b.WriteString("<" + name + ">")
	writeQueryShape(b, svc, ref.Shape, v)
	b.WriteString("</" + name + ">")
}

// writeQueryEntry writes the key and value of one map entry.
func writeQueryEntry(b *bytes.Buffer, svc *querymodel.Service, sh *querymodel.Shape, k string, v any) {
	kn, vn := sh.Key.Element("key"), sh.Value.Element("value")
	b.WriteString("<" + kn + ">")
	xmlText(b, k)
	b.WriteString("</" + kn + "><" + vn + ">")
	writeQueryShape(b, svc, sh.Value.Shape, v)
	b.WriteString("</" + vn + ">")
}

// listItems returns the items of a list value as stubs hold them.
func listItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// namespace is the query protocol's XML namespace, built from the service
// and the API version the request sent; SDKs read the elements, not it.
// Either part is left out unless it is plain letters, digits, dots and
// dashes, so the attribute stays well-formed whatever the request says.
func (p *stubWire) namespace() string {
	ns := "https://"
	if isNamespacePart(p.service) {
		ns += p.service + "."
	}
	ns += "amazonaws.com/doc/"
	if isNamespacePart(p.version) {
		ns += p.version + "/"
	}
	return ns
}

func isNamespacePart(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z') && !('A' <= r && r <= 'Z') && !('0' <= r && r <= '9') && r != '-' && r != '.' && r != '_' {
			return false
		}
	}
	return s != "" && len(s) <= maxActionName
}

func (p *stubWire) writeError(w http.ResponseWriter, reqID string, e *APIError) {
	if !p.json {
		writeQueryError(w, p.namespace(), reqID, e)
		return
	}
	e = &APIError{Code: clip(e.Code), Message: clipTo(e.Message, maxMessage), Status: e.Status}
	if e.Code == "AccessDenied" {
		// JSON services name it so.
		e.Code = "AccessDeniedException"
	}
	w.Header().Set("Content-Type", p.contentType)
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.status())
	_, _ = w.Write(encodeJSON(map[string]any{"__type": e.Code, "message": e.Message}))
}
