package restmodel

import (
	"net/url"
	"strings"
)

// template is a parsed request URI template.
type template struct {
	segs []segment
	// query holds the template's literal query keys and their values
	// ("" when the key stands alone).
	query   map[string]string
	literal int // literal characters, for specificity
	greedy  bool
	// slash says the path ends in a slash, which some SDKs leave out
	// (the Go SDK sends Route 53's /rrset/ as /rrset).
	slash bool
}

// segment is one path segment: prefix, optional label, suffix.
type segment struct {
	prefix, label, suffix string
	greedy                bool
}

func parseTemplate(uri string) *template {
	t := &template{query: map[string]string{}}
	path, query, _ := strings.Cut(uri, "?")
	for kv := range strings.SplitSeq(query, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		t.query[k] = v
		t.literal += len(kv)
	}
	for s := range strings.SplitSeq(strings.TrimPrefix(path, "/"), "/") {
		seg := segment{prefix: s}
		if i := strings.IndexByte(s, '{'); i >= 0 {
			if j := strings.IndexByte(s[i:], '}'); j > 0 {
				seg.prefix, seg.label, seg.suffix = s[:i], s[i+1:i+j], s[i+j+1:]
				if l, ok := strings.CutSuffix(seg.label, "+"); ok {
					seg.label, seg.greedy, t.greedy = l, true, true
				}
			}
		}
		t.literal += len(seg.prefix) + len(seg.suffix) + 1
		t.segs = append(t.segs, seg)
	}
	t.slash = len(t.segs) > 1 && t.segs[len(t.segs)-1] == segment{}
	return t
}

// match matches the escaped path's segments and the query against the
// template, returning the labels' values, URL-decoded. A template's
// trailing slash may be left out.
func (t *template) match(segs []string, query url.Values) (map[string]string, bool) {
	labels, ok := t.matchSegs(segs, query)
	if !ok && t.slash && len(segs) == len(t.segs)-1 {
		labels, ok = t.matchSegs(append(segs[:len(segs):len(segs)], ""), query)
	}
	return labels, ok
}

func (t *template) matchSegs(segs []string, query url.Values) (map[string]string, bool) {
	for k, v := range t.query {
		got, ok := query[k]
		if !ok || (v != "" && (len(got) == 0 || got[0] != v)) {
			return nil, false
		}
	}
	labels := map[string]string{}
	for i, seg := range t.segs {
		if i >= len(segs) {
			return nil, false
		}
		raw := segs[i]
		if seg.greedy {
			if i != len(t.segs)-1 {
				return nil, false
			}
			raw = strings.Join(segs[i:], "/")
		}
		if !strings.HasPrefix(raw, seg.prefix) || !strings.HasSuffix(raw[len(seg.prefix):], seg.suffix) {
			return nil, false
		}
		if seg.label == "" {
			if raw != seg.prefix {
				return nil, false
			}
			continue
		}
		v, err := url.PathUnescape(raw[len(seg.prefix) : len(raw)-len(seg.suffix)])
		if err != nil || v == "" {
			return nil, false
		}
		labels[seg.label] = v
		if seg.greedy {
			return labels, true
		}
	}
	if len(segs) != len(t.segs) {
		return nil, false
	}
	return labels, true
}

// Match is a routed request.
type Match struct {
	Service   *Service
	Operation *Operation
	// Labels holds the path labels' values by label name.
	Labels map[string]string
}

// maxSegments bounds the path a request may have; no template is deeper.
const maxSegments = 256

// Route finds the operation of a request to a service signing as
// signingName: method, escaped path and query. Of several matching
// operations the most specific wins (most literal characters, then a
// non-greedy template, then the name, for a deterministic answer).
func (m *Model) Route(signingName, method, escapedPath string, query url.Values) (Match, bool) {
	if !strings.HasPrefix(escapedPath, "/") || strings.Count(escapedPath, "/") > maxSegments {
		return Match{}, false
	}
	segs := strings.Split(escapedPath[1:], "/")
	var best Match
	for _, s := range m.Services[signingName] {
		for _, op := range s.Operations {
			if op.Method != method {
				continue
			}
			labels, ok := op.tmpl.match(segs, query)
			if !ok {
				continue
			}
			if best.Operation == nil || better(op, best.Operation) {
				best = Match{Service: s, Operation: op, Labels: labels}
			}
		}
	}
	return best, best.Operation != nil
}

func better(a, b *Operation) bool {
	if a.tmpl.literal != b.tmpl.literal {
		return a.tmpl.literal > b.tmpl.literal
	}
	if a.tmpl.greedy != b.tmpl.greedy {
		return !a.tmpl.greedy
	}
	return a.Name < b.Name
}
