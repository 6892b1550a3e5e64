package policy

import (
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/wildcard"
)

// splitARN splits an ARN (or ARN pattern) into its six colon-separated
// components; the last keeps any further colons. Colons inside "${...}"
// policy variables do not split when vars is set.
func splitARN(s string, vars bool) (parts [6]string, ok bool) {
	n, start, depth := 0, 0, 0
	for i := 0; i < len(s) && n < 5; i++ {
		switch {
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case vars && s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			parts[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return parts, false
	}
	parts[5] = s[start:]
	return parts, true
}

// matchARN matches an ARN against an ARN pattern the way IAM matches the
// Resource element and the Arn* condition operators: each of the six
// components separately, wildcards not spanning a component boundary (the
// resource component may contain colons of its own). A pattern that starts
// with "arn:" but has fewer than six components matches nothing (IAM rejects
// it); other patterns, such as "*", are matched against the whole string.
func matchARN(pattern, value string, ev *evaluation, vars bool) bool {
	if pattern == "*" {
		return true
	}
	pp, ok := splitARN(pattern, vars)
	if !ok {
		if strings.HasPrefix(pattern, "arn:") {
			return false
		}
		p, esc, ok := ev.expand(pattern, vars, true)
		return ok && wildcard.Match(p, value, false, esc)
	}
	vp, ok := splitARN(value, false)
	if !ok {
		return false
	}
	for i := range pp {
		p, esc, ok := ev.expand(pp[i], vars, true)
		if !ok || !wildcard.Match(p, vp[i], false, esc) {
			return false
		}
	}
	return true
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
