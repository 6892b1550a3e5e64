package psscan

import "strings"

// payloadVars finds the variables that hold the step's InputPayload:
// every assignment to them is $env:InputPayload | ConvertFrom-Json, and
// none of their members is assigned. A variable assigned anything else
// anywhere may hold something else when a command reads it.
func payloadVars(lists [][]token) map[string]bool {
	seen := map[string]bool{}
	for _, toks := range lists {
		for i, t := range toks {
			if t.kind != tVar || i+1 >= len(toks) {
				continue
			}
			name := varName(t.text)
			next := toks[i+1]
			switch {
			case next.kind == tOp && next.text == "=":
				ok, known := seen[name]
				seen[name] = isPayloadRead(toks[i+2:]) && (ok || !known)
			case next.kind == tWord && assignOps[next.text]:
				seen[name] = false
			case next.kind == tWord && strings.HasPrefix(next.text, ".") && next.start == t.end &&
				i+2 < len(toks) && (toks[i+2].kind == tOp && toks[i+2].text == "=" || toks[i+2].kind == tWord && assignOps[toks[i+2].text]):
				seen[name] = false // $p.Key = ...
			}
		}
	}
	out := map[string]bool{}
	for name, ok := range seen {
		if ok {
			out[name] = true
		}
	}
	return out
}

// isPayloadRead reports whether toks start with
// $env:InputPayload | ConvertFrom-Json and the statement ends there.
func isPayloadRead(toks []token) bool {
	if len(toks) < 3 || toks[0].kind != tVar || !strings.EqualFold(toks[0].text, "$env:InputPayload") ||
		toks[1].kind != tOp || toks[1].text != "|" || toks[2].kind != tWord || !strings.EqualFold(toks[2].text, "ConvertFrom-Json") {
		return false
	}
	if len(toks) == 3 {
		return true
	}
	end := toks[3]
	return end.kind == tNewline || end.kind == tOp && (end.text == ";" || end.text == "}")
}

// varName is a variable's name in lower case, without $, braces or a
// script, global, local or private scope.
func varName(v string) string {
	name := strings.ToLower(strings.TrimPrefix(v, "$"))
	name = strings.TrimSuffix(strings.TrimPrefix(name, "{"), "}")
	for _, scope := range []string{"script:", "global:", "local:", "private:"} {
		name = strings.TrimPrefix(name, scope)
	}
	return name
}

// payloadKey returns Key when toks[j:] start with $VAR.Key, VAR holding
// the payload and Key a single member name written right after it.
func (s *scanner) payloadKey(toks []token, j int) string {
	v, m := toks[j], toks[j+1]
	if v.kind != tVar || !s.payload[varName(v.text)] || m.kind != tWord || m.start != v.end {
		return ""
	}
	key, ok := strings.CutPrefix(m.text, ".")
	if !ok || key == "" || strings.ContainsAny(key, ".[(") {
		return ""
	}
	return key
}
