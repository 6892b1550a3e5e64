package policy

import (
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/internal/wildcard"
)

// splitARN splits an ARN (or ARN pattern) into its six colon-separated
// components; the last keeps any further colons. Colons inside "${...}"
// policy variables do not split when vars is set.
func splitARN(s string, vars bool) (parts [6]string, ok bool) { return arn.Split(s, vars) }

// arnMode selects the ARN matching rules of a policy element.
type arnMode uint8

const (
	// arnResource is the Resource and NotResource elements: a '*' that ends
	// one of the first five components may run on past the colons, and
	// policy variables are expanded only in the resource component.
	arnResource arnMode = iota
	// arnCondition is the Arn* condition operators: each of the six
	// components is matched on its own, variables anywhere.
	arnCondition
)

// matchARN matches an ARN against an ARN pattern the way IAM matches the
// Resource element (mode arnResource) and the Arn* condition operators
// (arnCondition); vars says whether the policy's version has policy
// variables. resolved is false when a policy variable the match needed has
// no value: match is then false, and the caller decides what that means for
// its statement. Patterns that do not start with "arn:", such as "*", are
// matched against the whole string.
func matchARN(pattern, value string, ev *evaluation, vars bool, mode arnMode) (match, resolved bool) {
	if pattern == "*" {
		return true, true
	}
	if !strings.HasPrefix(pattern, "arn:") {
		p, ok := ev.globPattern(pattern, vars)
		if !ok {
			return false, false
		}
		return wildcard.Match(p, value, false, true), true
	}
	vp, ok := splitARN(value, false)
	if !ok {
		return false, true
	}
	if mode == arnCondition {
		return ev.matchARNComponents(pattern, &vp, vars)
	}
	segs, n, ok := ev.resourcePatternSegments(pattern, vars)
	if !ok {
		return false, false
	}
	var memo [7][7]int8
	return matchSegments(segs[:n], &vp, 0, 0, &memo), true
}

// matchARNComponents matches a six-component pattern component by
// component; a pattern with fewer components matches nothing.
func (ev *evaluation) matchARNComponents(pattern string, vp *[6]string, vars bool) (match, resolved bool) {
	pp, ok := splitARN(pattern, vars)
	if !ok {
		return false, true
	}
	for i := range pp {
		p, ok := ev.globPattern(pp[i], vars)
		if !ok {
			return false, false
		}
		if !wildcard.Match(p, vp[i], false, true) {
			return false, true
		}
	}
	return true, true
}

// resourcePatternSegments splits a Resource pattern at its first five
// colons into at most six segments, in escaped glob form. Only the sixth,
// the resource component, has its policy variables expanded: IAM takes
// "${...}" in the partition, service, Region or account literally. ok is
// false when a variable there has no value.
func (ev *evaluation) resourcePatternSegments(pattern string, vars bool) (segs [6]string, n int, ok bool) {
	for n < 5 {
		i := strings.IndexByte(pattern, ':')
		if i < 0 {
			break
		}
		segs[n] = strings.ReplaceAll(pattern[:i], `\`, `\\`)
		pattern = pattern[i+1:]
		n++
	}
	if n < 5 {
		segs[n] = strings.ReplaceAll(pattern, `\`, `\\`)
		return segs, n + 1, true
	}
	segs[5], ok = ev.globPattern(pattern, vars)
	return segs, 6, ok
}

// matchSegments matches pattern segments segs[i:] against ARN components
// vp[j:]. A segment that ends in a wildcard '*' may cover further whole
// components, colons included, as IAM documents for the Resource element;
// once the resource component is reached the rest of the pattern is
// matched against it as one string, since it may hold colons of its own.
// memo caches failures: 1 for a known mismatch.
func matchSegments(segs []string, vp *[6]string, i, j int, memo *[7][7]int8) bool {
	switch {
	case i == len(segs):
		return j == len(vp)
	case j == len(vp):
		return false
	case j == 5:
		return wildcard.Match(strings.Join(segs[i:], ":"), vp[5], false, true)
	case memo[i][j] != 0:
		return false
	}
	ok := wildcard.Match(segs[i], vp[j], false, true)
	if ok && endsInWildcard(segs[i]) {
		ok = false
		for k := j + 1; k <= len(vp) && !ok; k++ {
			ok = matchSegments(segs, vp, i+1, k, memo)
		}
	} else if ok {
		ok = matchSegments(segs, vp, i+1, j+1, memo)
	}
	if !ok {
		memo[i][j] = 1
	}
	return ok
}

// endsInWildcard reports whether an escaped glob pattern ends in a '*'
// that is a wildcard, not an escaped literal.
func endsInWildcard(p string) bool {
	if !strings.HasSuffix(p, "*") {
		return false
	}
	n := 0
	for i := len(p) - 2; i >= 0 && p[i] == '\\'; i-- {
		n++
	}
	return n%2 == 0
}

// matchAction matches an action such as "ec2:StopInstances" against a
// pattern such as "ec2:Stop*"; IAM compares actions case-insensitively.
func matchAction(pattern, action string) bool {
	return wildcard.Match(pattern, action, true, false)
}

// expandVars substitutes policy variables in s. Each "${name}" or
// "${name, 'default'}" is replaced by the single value of the request
// context key name (looked up case-insensitively) or the default; "${*}",
// "${?}" and "${$}" stand for the literal characters. With forGlob the
// substituted text is escaped so it matches literally and the result must be
// matched with escaping on. ok is false when a variable has no value and no
// default: the element then matches nothing, as in IAM.
func expandVars(s string, forGlob bool, lookup func(string) ([]string, bool)) (out string, escaped, ok bool) {
	if !strings.Contains(s, "${") {
		return s, false, true
	}
	var b strings.Builder
	// Pattern text keeps its wildcards (only backslashes need escaping);
	// substituted values are literal through and through.
	pat := func(t string) {
		if forGlob {
			t = strings.ReplaceAll(t, `\`, `\\`)
		}
		b.WriteString(t)
	}
	lit := func(t string) {
		if forGlob {
			t = wildcard.Escape(t)
		}
		b.WriteString(t)
	}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			pat(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			pat(s)
			break
		}
		pat(s[:i])
		inner := s[i+2 : i+j]
		s = s[i+j+1:]
		switch inner {
		case "*", "?", "$":
			lit(inner)
			continue
		}
		name, def, hasDef := inner, "", false
		if c := strings.IndexByte(inner, ','); c >= 0 {
			name = strings.TrimSpace(inner[:c])
			d := strings.TrimSpace(inner[c+1:])
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
		}
		vals, present := lookup(strings.TrimSpace(name))
		switch {
		case present && len(vals) == 1:
			lit(vals[0])
		case hasDef:
			lit(def)
		default:
			return "", false, false
		}
	}
	return b.String(), forGlob, true
}
