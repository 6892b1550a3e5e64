package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// parameters applies defaults to the caller's parameters and checks them
// against the document's declarations, as StartAutomationExecution does.
// It returns the typed values steps see and the map the API reports. A
// parameter named skip ("*" for all) may be missing: rate control fills it
// per child.
func (e *Engine) parameters(ctx context.Context, doc *runbook.Document, given map[string][]string, who Principal, skip string) (map[string]any, map[string][]string, error) {
	var problems []string
	declared := make(map[string]bool, len(doc.Parameters))
	typed := make(map[string]any, len(doc.Parameters))
	reported := make(map[string][]string, len(doc.Parameters))
	for _, p := range doc.Parameters {
		declared[p.Name] = true
		raw, ok := given[p.Name]
		if !ok {
			if skip == "*" || skip == p.Name {
				continue
			}
			if p.Required() {
				problems = append(problems, fmt.Sprintf("parameter %q is required", p.Name))
				continue
			}
			v, err := e.defaultValue(ctx, p, who)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			typed[p.Name] = v
			reported[p.Name] = textList(v)
			continue
		}
		v, err := convertParameter(p, raw)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if msgs := checkParameter(p, v); len(msgs) > 0 {
			problems = append(problems, msgs...)
			continue
		}
		typed[p.Name] = v
		reported[p.Name] = append([]string(nil), raw...)
	}
	for _, k := range slices.Sorted(maps.Keys(given)) {
		if !declared[k] {
			problems = append(problems, fmt.Sprintf("parameter %q is not defined in the document", k))
		}
	}
	if len(problems) > 0 {
		return nil, nil, &types.InvalidAutomationExecutionParametersException{Message: aws.String("Parameters provided are not valid: " + strings.Join(problems, "; "))}
	}
	return typed, reported, nil
}

// defaultValue returns a parameter's default, resolving Parameter Store
// references through the invoker.
func (e *Engine) defaultValue(ctx context.Context, p runbook.Parameter, who Principal) (any, error) {
	v := decodeValue(p.Default)
	s, isString := v.(string)
	if !isString || !strings.Contains(s, "{{") {
		return v, nil
	}
	var b strings.Builder
	rest := s
	for _, ref := range runbook.ParseReferences(s) {
		if ref.Kind != runbook.RefSSMParameter {
			return nil, fmt.Errorf("parameter %q: default %q may reference Parameter Store only", p.Name, s)
		}
		out, err := e.opts.Invoker.Invoke(ctx, Call{Principal: who, Service: "ssm", API: "GetParameter",
			Params: map[string]any{"Name": ref.Name, "WithDecryption": true}})
		if err != nil {
			return nil, fmt.Errorf("parameter %q: default %s cannot be resolved: %v", p.Name, ref.Text, err)
		}
		val := ""
		if pm, ok := out["Parameter"].(map[string]any); ok {
			val, _ = pm["Value"].(string)
		}
		i := strings.Index(rest, ref.Text)
		b.WriteString(rest[:i])
		b.WriteString(val)
		rest = rest[i+len(ref.Text):]
	}
	b.WriteString(rest)
	if p.Type.IsList() {
		items := strings.Split(b.String(), ",")
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = it
		}
		return out, nil
	}
	return convertParameter(p, []string{b.String()})
}

// convertParameter parses the API's string values into the parameter's type.
func convertParameter(p runbook.Parameter, raw []string) (any, error) {
	one := func() (string, error) {
		if len(raw) != 1 {
			return "", fmt.Errorf("parameter %q of type %s takes one value, got %d", p.Name, p.Type, len(raw))
		}
		return raw[0], nil
	}
	switch p.Type {
	case runbook.TypeStringList, runbook.TypeInstanceIDs, runbook.TypeRoleARNs, runbook.TypeBucketNames:
		out := make([]any, len(raw))
		for i, s := range raw {
			out[i] = s
		}
		return out, nil
	case runbook.TypeInteger:
		s, err := one()
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %q is not an Integer", p.Name, s)
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	case runbook.TypeBoolean:
		s, err := one()
		if err != nil {
			return nil, err
		}
		b, ok := asBool(s)
		if !ok {
			return nil, fmt.Errorf("parameter %q: %q is not a Boolean (true or false)", p.Name, s)
		}
		return b, nil
	case runbook.TypeStringMap:
		s, err := one()
		if err != nil {
			return nil, err
		}
		m, ok := decodeJSON([]byte(s)).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("parameter %q: %q is not a StringMap (a JSON object)", p.Name, s)
		}
		return m, nil
	case runbook.TypeMapList:
		if len(raw) == 1 {
			if l, ok := decodeJSON([]byte(raw[0])).([]any); ok {
				return mapList(p.Name, l)
			}
		}
		out := make([]any, len(raw))
		for i, s := range raw {
			out[i] = decodeJSON([]byte(s))
		}
		return mapList(p.Name, out)
	}
	// String and the single-valued console types.
	return one()
}

func mapList(name string, l []any) (any, error) {
	for _, it := range l {
		if _, ok := it.(map[string]any); !ok {
			return nil, fmt.Errorf("parameter %q: a MapList takes JSON objects, got %s", name, encodeJSON(it))
		}
	}
	return l, nil
}

// checkParameter applies allowedValues, allowedPattern and the item and
// character limits.
func checkParameter(p runbook.Parameter, v any) []string {
	var msgs []string
	items := []any{v}
	if l, ok := v.([]any); ok {
		items = l
		if p.MinItems != nil && len(l) < *p.MinItems {
			msgs = append(msgs, fmt.Sprintf("parameter %q has %d items, fewer than minItems %d", p.Name, len(l), *p.MinItems))
		}
		if p.MaxItems != nil && len(l) > *p.MaxItems {
			msgs = append(msgs, fmt.Sprintf("parameter %q has %d items, more than maxItems %d", p.Name, len(l), *p.MaxItems))
		}
	}
	if len(p.AllowedValues) > 0 {
		allowed := make([]string, len(p.AllowedValues))
		for i, a := range p.AllowedValues {
			allowed[i] = text(decodeValue(a))
		}
		for _, it := range items {
			t := text(it)
			found := false
			for _, a := range allowed {
				if a == t {
					found = true
					break
				}
			}
			if !found {
				msgs = append(msgs, fmt.Sprintf("parameter %q: %q is not one of the allowed values [%s]", p.Name, t, strings.Join(allowed, ", ")))
			}
		}
	}
	if p.AllowedPattern != "" {
		// The endpoint stands in for the service, so a pattern it cannot
		// evaluate refuses the start (runbook.ErrUncheckablePattern).
		re, err := runbook.CompilePattern(p.AllowedPattern)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("parameter %q: %v", p.Name, err))
		} else {
			for _, it := range items {
				if s, ok := it.(string); ok && !re.MatchString(s) {
					msgs = append(msgs, fmt.Sprintf("parameter %q: %q does not match the allowed pattern %s", p.Name, s, p.AllowedPattern))
				}
			}
		}
	}
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			continue
		}
		n := utf8.RuneCountInString(s)
		if p.MinChars != nil && n < *p.MinChars {
			msgs = append(msgs, fmt.Sprintf("parameter %q: %q is shorter than minChars %d", p.Name, s, *p.MinChars))
		}
		if p.MaxChars != nil && n > *p.MaxChars {
			msgs = append(msgs, fmt.Sprintf("parameter %q: %q is longer than maxChars %d", p.Name, s, *p.MaxChars))
		}
	}
	return msgs
}
