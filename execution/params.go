package execution

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// paramDecl is what a start needs to know of a declared parameter.
type paramDecl struct {
	Name           string
	Type           string
	List           bool
	Required       bool // no default
	AllowedValues  []string
	AllowedPattern string
	MinItems       *int
	MaxItems       *int
	MinChars       *int
	MaxChars       *int
}

// ssmReference matches a Parameter Store reference the service resolves at
// start, such as {{ssm:/app/ami}}: its content cannot be checked here.
var ssmReference = regexp.MustCompile(`^\{\{\s*ssm(-secure)?:[^{}]+\}\}$`)

func checkParameters(ps *problems, in *ssm.StartAutomationExecutionInput, decls []paramDecl) {
	byName := make(map[string]paramDecl, len(decls))
	names := make([]string, 0, len(decls))
	for _, d := range decls {
		byName[d.Name] = d
		names = append(names, d.Name)
	}
	sort.Strings(names)
	declared := strings.Join(names, ", ")
	if declared == "" {
		declared = "none"
	}

	check := func(path *field.Path, params map[string][]string) {
		for _, k := range slices.Sorted(maps.Keys(params)) {
			d, ok := byName[k]
			if !ok {
				ps.add(path.Child(k), "", "is not a parameter of the runbook (declared: %s)", declared)
				continue
			}
			checkValues(ps, path.Child(k), d, params[k])
		}
	}
	check(field.NewPath("Parameters"), in.Parameters)
	for i, m := range in.TargetMaps {
		check(field.NewPath("TargetMaps").Index(i), m)
	}
	tpn := aws.ToString(in.TargetParameterName)
	if tpn != "" {
		if _, ok := byName[tpn]; !ok {
			ps.add(field.NewPath("TargetParameterName"), tpn, "is not a parameter of the runbook (declared: %s)", declared)
		}
	}

	// A required parameter may come from Parameters, from the target
	// parameter of a rate-controlled start, or from every target map.
	for _, n := range names {
		d := byName[n]
		if !d.Required {
			continue
		}
		if _, ok := in.Parameters[n]; ok || n == tpn {
			continue
		}
		if len(in.TargetMaps) > 0 {
			missing := -1
			for i, m := range in.TargetMaps {
				if _, ok := m[n]; !ok {
					missing = i
					break
				}
			}
			if missing < 0 {
				continue
			}
			ps.add(field.NewPath("TargetMaps").Index(missing).Child(n), "", "is required (the parameter has no default)")
			continue
		}
		ps.add(field.NewPath("Parameters", n), "", "is required (the parameter has no default)")
	}
}

func checkValues(ps *problems, path *field.Path, d paramDecl, values []string) {
	if !d.List && len(values) != 1 {
		ps.add(path, strings.Join(values, ","), "a %s parameter takes exactly one value, got %d", d.Type, len(values))
		return
	}
	if d.MinItems != nil && len(values) < *d.MinItems {
		ps.add(path, "", "has %d values, at least %d required (minItems)", len(values), *d.MinItems)
	}
	if d.MaxItems != nil && len(values) > *d.MaxItems {
		ps.add(path, "", "has %d values, at most %d allowed (maxItems)", len(values), *d.MaxItems)
	}
	// A pattern RE2 cannot compile is left to the service, which
	// evaluates it (runbook.ErrUncheckablePattern).
	pattern, _ := runbook.CompilePattern(d.AllowedPattern)
	for _, v := range values {
		if ssmReference.MatchString(v) {
			continue
		}
		checkType(ps, path, d.Type, v)
		if len(d.AllowedValues) > 0 && !slices.Contains(d.AllowedValues, v) {
			ps.add(path, v, "must be one of %s (allowedValues)", strings.Join(d.AllowedValues, ", "))
		}
		if pattern != nil && !pattern.MatchString(v) {
			ps.add(path, v, "must match %s (allowedPattern)", d.AllowedPattern)
		}
		n := utf8.RuneCountInString(v)
		if d.MinChars != nil && n < *d.MinChars {
			ps.add(path, v, "has %d characters, at least %d required (minChars)", n, *d.MinChars)
		}
		if d.MaxChars != nil && n > *d.MaxChars {
			ps.add(path, v, "has %d characters, at most %d allowed (maxChars)", n, *d.MaxChars)
		}
	}
}

// checkType checks one value against its parameter's type.
func checkType(ps *problems, path *field.Path, typ, v string) {
	switch typ {
	case "Integer":
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			ps.add(path, v, "an Integer parameter takes a whole number")
		}
	case "Boolean":
		if v != "true" && v != "false" {
			ps.add(path, v, "a Boolean parameter takes true or false")
		}
	case "StringMap":
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			ps.add(path, v, "a StringMap parameter takes a JSON object")
		}
	case "MapList":
		var m map[string]json.RawMessage
		var l []map[string]json.RawMessage
		if json.Unmarshal([]byte(v), &m) != nil && json.Unmarshal([]byte(v), &l) != nil {
			ps.add(path, v, "a MapList parameter takes JSON objects")
		}
	}
}
