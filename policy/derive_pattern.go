package policy

import (
	"regexp/syntax"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// patternGlob turns an allowedPattern into an IAM wildcard pattern that
// matches every value the pattern accepts: the literal runs of a
// concatenation stay, anything else (classes, repeats, alternations,
// case-folded text) becomes "*", and an unanchored end becomes "*" too.
// It returns "*" when nothing literal is fixed or the pattern does not
// parse.
func patternGlob(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "*"
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var b strings.Builder
	star := func() {
		if !strings.HasSuffix(b.String(), "*") {
			b.WriteByte('*')
		}
	}
	if len(subs) == 0 || subs[0].Op != syntax.OpBeginText {
		star()
	}
	for i, s := range subs {
		for s.Op == syntax.OpCapture && len(s.Sub) == 1 {
			s = s.Sub[0]
		}
		switch {
		case s.Op == syntax.OpBeginText && i == 0:
		case s.Op == syntax.OpEndText && i == len(subs)-1:
		case s.Op == syntax.OpEmptyMatch:
		case s.Op == syntax.OpLiteral && s.Flags&syntax.FoldCase == 0:
			b.WriteString(string(s.Rune))
		default:
			star()
		}
	}
	if last := subs[len(subs)-1]; last.Op != syntax.OpEndText {
		star()
	}
	return b.String()
}

// roleFromPattern narrows a role given by a whole reference to a
// parameter without allowedValues: its allowedPattern, as a wildcard
// pattern, fixes part of the ARN or name ("^arn:aws:iam::\d{12}:role/App-.*$"
// becomes role/App-*). The partition and account stay the scope's, since
// iam:PassRole passes roles of the account only. ok is false when the
// pattern fixes nothing of the role's name.
func (d *deriver) roleFromPattern(v runbook.Value) (arn string, ok bool) {
	g, ok := d.paramGlob(v)
	if !ok {
		return "", false
	}
	name := g
	if strings.HasPrefix(g, "arn:") {
		parts, split := splitARN(g, false)
		if !split || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
			return "", false
		}
		name = strings.TrimPrefix(parts[5], "role/")
	} else if strings.Contains(g, ":") || strings.HasPrefix(g, "*") {
		// An unanchored or ARN-shaped pattern whose start is not fixed
		// says nothing reliable about the name.
		return "", false
	}
	if strings.Trim(name, "*") == "" {
		return "", false
	}
	return ARN{Partition: d.scope.partition(), Service: "iam", Account: d.scope.account(), Resource: "role/" + name}.String(), true
}

// paramGlob returns the allowedPattern of the parameter v wholly refers
// to, as a wildcard pattern (patternGlob); ok is false when v is not such
// a reference or the parameter has allowedValues or no pattern.
func (d *deriver) paramGlob(v runbook.Value) (glob string, ok bool) {
	s, isStr := v.AsString()
	if !isStr {
		return "", false
	}
	r, whole := runbook.WholeReference(strings.TrimSpace(s))
	if !whole || r.Kind != runbook.RefParameter {
		return "", false
	}
	if d.inCaller(r.Name, func(v runbook.Value) { glob, ok = d.paramGlob(v) }) && ok {
		return glob, true
	}
	p, found := findParameter(d.cur, r.Name)
	if !found || p.AllowedPattern == "" || len(p.AllowedValues) > 0 {
		return "", false
	}
	return patternGlob(p.AllowedPattern), true
}

// topicFromPattern narrows an SNS topic given by a whole reference to a
// parameter by its allowedPattern, as roleFromPattern does for roles: a
// fixed topic-name prefix stays, and the partition, Region and account
// are the pattern's where it fixes them, the scope's otherwise (as for a
// free topic name). ok is false when the pattern fixes nothing of the
// name.
func (d *deriver) topicFromPattern(v runbook.Value) (arn string, ok bool) {
	g, ok := d.paramGlob(v)
	if !ok {
		return "", false
	}
	a := ARN{Partition: d.scope.partition(), Service: "sns", Region: d.scope.region(), Account: d.scope.account(), Resource: g}
	if strings.HasPrefix(g, "arn:") {
		parts, split := splitARN(g, false)
		if !split || parts[2] != "sns" || strings.Contains(parts[5], ":") {
			return "", false
		}
		fixed := func(seg string, dflt *string) {
			if seg != "" && !strings.Contains(seg, "*") {
				*dflt = seg
			}
		}
		fixed(parts[1], &a.Partition)
		fixed(parts[3], &a.Region)
		fixed(parts[4], &a.Account)
		a.Resource = parts[5]
	} else if strings.Contains(g, ":") || strings.HasPrefix(g, "*") {
		return "", false
	}
	if strings.Trim(a.Resource, "*") == "" {
		return "", false
	}
	return a.String(), true
}
