package ssmlocal

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/querymodel"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/restmodel"
)

// Bounds of a rest-xml request body parsed into a generic map.
const (
	maxRESTXMLDepth    = 32
	maxRESTXMLElements = 10000
	maxRESTQueryKeys   = 200
)

// serveStubREST answers a REST-protocol request (rest-json, rest-xml) to a
// service the endpoint does not emulate: the SigV4 signing name picks the
// services, method and path pick the operation, and the input is rebuilt
// from the path labels, query string, headers and body before the call
// goes through the dispatcher to the stubs like any other.
func (s *Server) serveStubREST(w http.ResponseWriter, r *http.Request, body []byte, reqID, service string) {
	model := restmodel.Load()
	errForm := restErrorFormOf(model, service)
	if !model.IsREST(service) {
		s.refuseUnrouted(w, r, body, reqID, service, errForm,
			fmt.Sprintf("%s %s: no service signing as %s speaks a protocol the local endpoint routes (awsJson, query, rest-json or rest-xml)", r.Method, clip(r.URL.Path), clip(service)))
		return
	}
	m, ok := routeREST(model, service, r.Method, r.Host, r.URL.EscapedPath(), r.URL.Query())
	if !ok {
		s.refuseUnrouted(w, r, body, reqID, service, errForm,
			fmt.Sprintf("%s %s: no %s operation has this method and path", r.Method, clip(r.URL.Path), clip(service)))
		return
	}
	p := &stubREST{op: m.Operation, service: m.Service.Name, xml: m.Service.Protocol == restmodel.RestXML}
	if p.xml {
		p.shapes = m.Service.XML()
	}
	c := &call{s: s, service: service, api: m.Operation.Name, sourceIP: remoteIP(r), userAgent: r.UserAgent(), requestID: reqID}
	sig, err := s.verify(r, body, service)
	if err != nil {
		s.record(c, err)
		p.writeError(w, reqID, asAPIError(err))
		return
	}
	c.who, c.regionNm = sig.who, sig.region
	s.tagScriptCall(c)
	in, err := p.decode(r, body, m.Labels)
	if err != nil {
		s.record(c, err)
		p.writeError(w, reqID, asAPIError(err))
		return
	}
	out, err := s.dispatch(r.Context(), c, in)
	if err != nil {
		p.writeError(w, reqID, asAPIError(err))
		return
	}
	p.writeResult(w, reqID, out)
}

// restErrorForm is the body of a REST error: JSON, S3's bare <Error>, or
// the <ErrorResponse> that wraps it for the other rest-xml services
// (Route 53, CloudFront, S3 Control).
type restErrorForm int

const (
	restErrorJSON restErrorForm = iota
	restErrorXML
	restErrorWrappedXML
)

// restErrorFormOf is the error form of a service: of several signing
// alike, a rest-xml one wins, and S3 (signing name s3) keeps its bare
// form when the operation is unknown.
func restErrorFormOf(model *restmodel.Model, signingName string) restErrorForm {
	for _, sv := range model.Services[signingName] {
		if sv.Protocol == restmodel.RestXML {
			if signingName == "s3" {
				return restErrorXML
			}
			return restErrorWrappedXML
		}
	}
	return restErrorJSON
}

// errorForm is the error form of the routed service.
func (p *stubREST) errorForm() restErrorForm {
	switch {
	case !p.xml:
		return restErrorJSON
	case p.service == "s3":
		return restErrorXML
	}
	return restErrorWrappedXML
}

// stubREST is a routed REST-protocol request.
type stubREST struct {
	op *restmodel.Operation
	// service is the botocore service name (s3, s3control, route53).
	service string
	xml     bool
	// shapes are a rest-xml service's body shapes.
	shapes *querymodel.Service
}

// decode builds the operation's input: path labels, bound query string
// members and headers, and the body (a payload member, or the members of
// a JSON object or of the XML root element).
func (p *stubREST) decode(r *http.Request, body []byte, labels map[string]string) (map[string]any, error) {
	in, err := p.decodeInputBody(body)
	if err != nil {
		return nil, err
	}
	query := r.URL.Query()
	if len(query) > maxRESTQueryKeys {
		return nil, &APIError{Code: "SerializationException", Message: fmt.Sprintf("the query string has more than %d keys", maxRESTQueryKeys)}
	}
	for _, b := range p.op.In {
		if v, ok := boundInput(b, r, query, labels); ok {
			in[b.Member] = v
		}
	}
	return in, nil
}

// decodeInputBody reads the body: the members of a JSON object or of the
// XML root element, or the payload member (raw or a document).
func (p *stubREST) decodeInputBody(body []byte) (map[string]any, error) {
	in := map[string]any{}
	if p.op.Payload == "" {
		if len(bytes.TrimSpace(body)) == 0 {
			return in, nil
		}
		doc, err := p.decodeBody(body)
		if err != nil {
			return nil, err
		}
		if p.shapes != nil && p.op.InShape != "" {
			doc, _ = shapeRESTXML(p.shapes, p.op.InShape, doc, 0).(map[string]any)
		}
		if doc == nil {
			doc = map[string]any{}
		}
		return doc, nil
	}
	if len(body) == 0 {
		return in, nil
	}
	if p.op.InRaw {
		in[p.op.Payload] = string(body)
		return in, nil
	}
	doc, err := p.decodeBody(body)
	if err != nil {
		return nil, err
	}
	in[p.op.Payload] = doc
	if p.shapes != nil && p.op.InShape != "" {
		in[p.op.Payload] = shapeRESTXML(p.shapes, p.op.InShape, doc, 0)
	}
	return in, nil
}

// boundInput reads a member bound to a path label, the query string or
// headers.
func boundInput(b restmodel.Binding, r *http.Request, query url.Values, labels map[string]string) (any, bool) {
	switch b.Location {
	case "uri":
		v, ok := labels[b.WireName()]
		return v, ok
	case "querystring":
		switch vs := query[b.WireName()]; len(vs) {
		case 0:
		case 1:
			return vs[0], true
		default:
			return stringsToAny(vs), true
		}
	case "header":
		if vs := r.Header.Values(b.WireName()); len(vs) > 0 {
			return strings.Join(vs, ","), true
		}
	case "headers":
		prefix := http.CanonicalHeaderKey(b.WireName())
		set := map[string]any{}
		for k, vs := range r.Header {
			if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
				set[strings.ToLower(rest)] = strings.Join(vs, ",")
			}
		}
		if len(set) > 0 {
			return set, true
		}
	}
	return nil, false
}

func stringsToAny(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func (p *stubREST) decodeBody(body []byte) (map[string]any, error) {
	if !p.xml {
		return decodeJSON(body)
	}
	return decodeRESTXML(body)
}

// decodeRESTXML parses an XML document into a generic map of its root
// element's children: an element with children becomes a map, one with
// text only a string, and repeated siblings a list. Attributes and
// namespaces are dropped; depth and element count are bounded.
func decodeRESTXML(body []byte) (map[string]any, error) {
	bad := func(msg string) error {
		return &APIError{Code: "MalformedXML", Message: "cannot parse the request body as XML: " + msg}
	}
	type frame struct {
		name     string
		children map[string]any
		text     strings.Builder
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*frame
	var root map[string]any
	elements := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bad(clip(err.Error()))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil {
				return nil, bad("content after the root element")
			}
			elements++
			if len(stack) >= maxRESTXMLDepth || elements > maxRESTXMLElements {
				return nil, bad(fmt.Sprintf("more than %d levels or %d elements", maxRESTXMLDepth, maxRESTXMLElements))
			}
			stack = append(stack, &frame{name: t.Name.Local})
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			var v any = strings.TrimSpace(f.text.String())
			if f.children != nil {
				v = f.children
			}
			if len(stack) == 0 {
				root = f.children
				if root == nil {
					root = map[string]any{}
				}
				continue
			}
			parent := stack[len(stack)-1]
			if parent.children == nil {
				parent.children = map[string]any{}
			}
			switch old := parent.children[f.name].(type) {
			case nil:
				parent.children[f.name] = v
			case []any:
				parent.children[f.name] = append(old, v)
			default:
				parent.children[f.name] = []any{old, v}
			}
		}
	}
	if root == nil {
		return nil, bad("no root element")
	}
	return root, nil
}

// writeResult writes the stub's response: members the output shape binds
// to headers become headers, a bound status code the status, and the rest
// (or the payload member) the body.
func (p *stubREST) writeResult(w http.ResponseWriter, reqID string, out map[string]any) {
	status, rest := p.writeBindings(w, out)
	w.Header().Set("X-Amzn-Requestid", reqID)
	var body []byte
	switch {
	case p.op.OutPayload != "" && p.op.OutRaw:
		body = rawPayload(rest[p.op.OutPayload])
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
	case p.xml:
		body = p.xmlBody(rest)
		w.Header().Set("Content-Type", "application/xml")
	default:
		var doc any = rest
		if p.op.OutPayload != "" {
			doc = rest[p.op.OutPayload]
			if doc == nil {
				doc = map[string]any{}
			}
		}
		body = encodeJSON(doc)
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeBindings sets the headers the output shape binds members to and
// returns the status (a bound status code, else the operation's) and the
// members left for the body.
func (p *stubREST) writeBindings(w http.ResponseWriter, out map[string]any) (int, map[string]any) {
	status := http.StatusOK
	if p.op.Code != 0 {
		status = p.op.Code
	}
	rest := maps.Clone(out)
	for _, b := range p.op.Out {
		v, ok := out[b.Member]
		if !ok {
			continue
		}
		delete(rest, b.Member)
		switch b.Location {
		case "statusCode":
			if n, err := strconv.Atoi(scalarText(v)); err == nil && n >= 200 && n < 300 {
				status = n
			}
		case "header":
			if t := headerText(v); t != "" {
				w.Header().Set(b.WireName(), t)
			}
		case "headers":
			writePrefixedHeaders(w, b.WireName(), v)
		}
	}
	return status, rest
}

// writePrefixedHeaders writes a map member bound to headers with a prefix
// (S3's x-amz-meta-).
func writePrefixedHeaders(w http.ResponseWriter, prefix string, v any) {
	set, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if t := headerText(set[k]); t != "" && isHeaderToken(k) {
			// Left as written: SDKs take the map's keys from the header
			// names (S3 sends them lower-case).
			w.Header()[strings.ToLower(prefix+k)] = []string{t}
		}
	}
}

// xmlBody writes a rest-xml response body under the output's root element.
func (p *stubREST) xmlBody(rest map[string]any) []byte {
	root := p.op.Root
	if root == "" {
		root = p.op.Name + "Result"
	}
	doc := rest
	if p.op.OutPayload != "" {
		doc, _ = rest[p.op.OutPayload].(map[string]any)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<" + root + ">")
	if p.shapes != nil && p.op.OutShape != "" && p.shapes.Shape(p.op.OutShape) != nil {
		// rest-xml shares the query protocol's XML rules: wrapped lists
		// name their items, flattened ones repeat in place.
		writeQueryShape(&b, p.shapes, p.op.OutShape, doc)
	} else {
		writeRESTXML(&b, doc, 0)
	}
	b.WriteString("</" + root + ">")
	return b.Bytes()
}

// headerText formats a header value; header values cannot hold line
// breaks, which would split the response.
func headerText(v any) string {
	var t string
	switch x := v.(type) {
	case time.Time:
		t = x.UTC().Format(http.TimeFormat)
	case map[string]any, []any:
		return ""
	default:
		t = scalarText(v)
	}
	if strings.ContainsAny(t, "\r\n") {
		return ""
	}
	return t
}

// isHeaderToken reports whether s can be part of a header name.
func isHeaderToken(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return s != ""
}

func rawPayload(v any) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []byte(x)
	case []byte:
		return x
	case map[string]any, []any:
		// A JSON document as the payload, as a Lambda function returns.
		return encodeJSON(x)
	default:
		return []byte(scalarText(x))
	}
}

// maxRESTXMLOutDepth bounds the nesting of a stub's response written as
// XML.
const maxRESTXMLOutDepth = 64

// writeRESTXML writes a map's members as elements, in key order: a list
// as its elements repeated under the member's name (rest-xml's flattened
// form). Keys that are not XML names are left out.
func writeRESTXML(b *bytes.Buffer, m map[string]any, depth int) {
	if depth > maxRESTXMLOutDepth {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !isXMLName(k) {
			continue
		}
		items, ok := m[k].([]any)
		if !ok {
			items = []any{m[k]}
		}
		for _, it := range items {
			b.WriteString("<" + k + ">")
			switch x := it.(type) {
			case map[string]any:
				writeRESTXML(b, x, depth+1)
			case time.Time:
				b.WriteString(x.UTC().Format("2006-01-02T15:04:05.000Z"))
			case []any:
				// A list in a list has no element names to give.
			default:
				xmlText(b, scalarText(x))
			}
			b.WriteString("</" + k + ">")
		}
	}
}

func isXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		if !letter && (i == 0 || !(r == '-' || r == '.' || ('0' <= r && r <= '9'))) {
			return false
		}
	}
	return !strings.HasPrefix(strings.ToLower(s), "xml")
}

func (p *stubREST) writeError(w http.ResponseWriter, reqID string, e *APIError) {
	writeRESTError(w, p.errorForm(), reqID, e)
}

// writeRESTError writes an error in rest-xml's form (<Error> with Code and
// Message, S3's bare or wrapped in <ErrorResponse> with the request ID
// beside it) or rest-json's (X-Amzn-ErrorType and a JSON message). See
// https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html#error-response-serialization.
func writeRESTError(w http.ResponseWriter, form restErrorForm, reqID string, e *APIError) {
	e = &APIError{Code: clip(e.Code), Message: clipTo(e.Message, maxMessage), Status: e.Status}
	if form != restErrorJSON {
		var b bytes.Buffer
		if form == restErrorWrappedXML {
			kind := "Sender"
			if e.status() >= 500 {
				kind = "Receiver"
			}
			b.WriteString("<ErrorResponse><Error><Type>" + kind + "</Type><Code>")
		} else {
			b.WriteString("<Error><Code>")
		}
		xmlText(&b, e.Code)
		b.WriteString("</Code><Message>")
		xmlText(&b, e.Message)
		b.WriteString("</Message>")
		if form == restErrorWrappedXML {
			fmt.Fprintf(&b, "</Error><RequestId>%s</RequestId></ErrorResponse>", reqID)
		} else {
			fmt.Fprintf(&b, "<RequestId>%s</RequestId></Error>", reqID)
		}
		writeXML(w, e.status(), reqID, b.Bytes())
		return
	}
	if e.Code == "AccessDenied" {
		// JSON services name it so.
		e.Code = "AccessDeniedException"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.status())
	_, _ = w.Write(encodeJSON(map[string]any{"message": e.Message}))
}

// refuseUnrouted answers a request that names no operation the endpoint
// can route; the refusal is audited, and a bad signature wins over it.
func (s *Server) refuseUnrouted(w http.ResponseWriter, r *http.Request, body []byte, reqID, service string, form restErrorForm, msg string) {
	e := &APIError{Code: "UnknownOperationException", Status: http.StatusNotFound, Message: msg}
	c := &call{s: s, service: service, api: r.Method + " " + clip(r.URL.Path), sourceIP: remoteIP(r), userAgent: r.UserAgent(), requestID: reqID}
	if sig, err := s.verify(r, body, service); err != nil {
		e = asAPIError(err)
	} else {
		c.who, c.regionNm = sig.who, sig.region
	}
	s.record(c, e)
	writeRESTError(w, form, reqID, e)
}
