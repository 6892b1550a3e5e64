package policy

import (
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ssmdelegate/ssmdelegate/internal/wildcard"
)

// Condition operator families; the negated operators (StringNotEquals,
// NotIpAddress, ...) are the same family with negate set.
type opFamily uint8

const (
	opUnknown opFamily = iota
	opStringEquals
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike
	opNull
)

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAnyValue
	setForAllValues
)

// operator is a parsed condition operator such as
// "ForAllValues:StringNotLikeIfExists".
type operator struct {
	family   opFamily
	negate   bool
	ifExists bool
	set      setQualifier
}

// baseOperators maps the operators IAM defines, without IfExists or a set
// qualifier, to their family.
var baseOperators = map[string]operator{
	"StringEquals":              {family: opStringEquals},
	"StringNotEquals":           {family: opStringEquals, negate: true},
	"StringEqualsIgnoreCase":    {family: opStringEqualsIgnoreCase},
	"StringNotEqualsIgnoreCase": {family: opStringEqualsIgnoreCase, negate: true},
	"StringLike":                {family: opStringLike},
	"StringNotLike":             {family: opStringLike, negate: true},
	"NumericEquals":             {family: opNumericEquals},
	"NumericNotEquals":          {family: opNumericEquals, negate: true},
	"NumericLessThan":           {family: opNumericLessThan},
	"NumericLessThanEquals":     {family: opNumericLessThanEquals},
	"NumericGreaterThan":        {family: opNumericGreaterThan},
	"NumericGreaterThanEquals":  {family: opNumericGreaterThanEquals},
	"DateEquals":                {family: opDateEquals},
	"DateNotEquals":             {family: opDateEquals, negate: true},
	"DateLessThan":              {family: opDateLessThan},
	"DateLessThanEquals":        {family: opDateLessThanEquals},
	"DateGreaterThan":           {family: opDateGreaterThan},
	"DateGreaterThanEquals":     {family: opDateGreaterThanEquals},
	"Bool":                      {family: opBool},
	"BinaryEquals":              {family: opBinaryEquals},
	"IpAddress":                 {family: opIPAddress},
	"NotIpAddress":              {family: opIPAddress, negate: true},
	"ArnEquals":                 {family: opArnLike},
	"ArnLike":                   {family: opArnLike},
	"ArnNotEquals":              {family: opArnLike, negate: true},
	"ArnNotLike":                {family: opArnLike, negate: true},
	"Null":                      {family: opNull},
}

func baseOperator(s string) (operator, bool) {
	op, ok := baseOperators[s]
	return op, ok
}

// parseOperator parses a condition operator; ok is false for an operator
// IAM does not define.
func parseOperator(s string) (operator, bool) {
	var set setQualifier
	switch {
	case strings.HasPrefix(s, "ForAnyValue:"):
		set, s = setForAnyValue, s[len("ForAnyValue:"):]
	case strings.HasPrefix(s, "ForAllValues:"):
		set, s = setForAllValues, s[len("ForAllValues:"):]
	}
	ifExists := false
	if base, ok := strings.CutSuffix(s, "IfExists"); ok {
		s, ifExists = base, true
	}
	op, ok := baseOperator(s)
	if !ok || (op.family == opNull && (ifExists || set != setNone)) {
		return operator{}, false
	}
	op.ifExists, op.set = ifExists, set
	return op, true
}

// ValidOperator reports whether s is a condition operator IAM defines,
// including its IfExists and ForAnyValue:/ForAllValues: forms.
func ValidOperator(s string) bool {
	_, ok := parseOperator(s)
	return ok
}

// conditionsHold evaluates a Condition element: operators AND, keys AND,
// values OR (NOR for negated operators).
func (ev *evaluation) conditionsHold(c Conditions) bool {
	for opName, keys := range c {
		op, ok := parseOperator(opName)
		if !ok {
			return false
		}
		for key, values := range keys {
			if !ev.keyHolds(op, key, values.Values) {
				return false
			}
		}
	}
	return true
}

func (ev *evaluation) keyHolds(op operator, key string, policyValues []Value) bool {
	ctx, present := ev.lookup(key)
	if op.family == opNull {
		return nullHolds(policyValues, present)
	}
	if !present {
		return missingKeyHolds(op)
	}
	if !operandsParse(op.family, policyValues, ctx) {
		return false
	}
	// matches reports whether one context value matches any policy value
	// under the operator's positive form.
	matches := func(cv string) bool {
		for _, pv := range policyValues {
			if ev.valueMatches(op, pv, cv) {
				return true
			}
		}
		return false
	}
	switch op.set {
	case setForAnyValue:
		for _, cv := range ctx {
			if matches(cv) != op.negate {
				return true
			}
		}
		return false
	case setForAllValues:
		for _, cv := range ctx {
			if matches(cv) == op.negate {
				return false
			}
		}
		return true
	}
	// Without a set operator a multivalued key matches when any of its
	// values does (and a negated operator when none does).
	for _, cv := range ctx {
		if matches(cv) {
			return !op.negate
		}
	}
	return op.negate
}

// nullHolds is the Null operator: "true" holds for a missing key, "false"
// for a present one.
func nullHolds(policyValues []Value, present bool) bool {
	for _, v := range policyValues {
		want, err := strconv.ParseBool(strings.ToLower(v.Text))
		if err == nil && want == !present {
			return true
		}
	}
	return false
}

// missingKeyHolds is a condition on a key the request does not have:
// ForAllValues holds (there is no value that fails), ForAnyValue does not
// (there is no value that matches), even with IfExists; otherwise IfExists
// and the negated operators hold and the rest do not.
func missingKeyHolds(op operator) bool {
	switch op.set {
	case setForAllValues:
		return true
	case setForAnyValue:
		return false
	}
	return op.ifExists || op.negate
}

// operandsParse reports whether every policy and context value of a
// Numeric or Date condition parses; one that does not makes the whole
// condition false, negated operators included, rather than compare as 0.
func operandsParse(f opFamily, policyValues []Value, ctx []string) bool {
	var parses func(string) bool
	switch {
	case f >= opNumericEquals && f <= opNumericGreaterThanEquals:
		parses = func(s string) bool { _, ok := parseNumber(s); return ok }
	case f >= opDateEquals && f <= opDateGreaterThanEquals:
		parses = func(s string) bool { _, ok := ParseDate(s); return ok }
	default:
		return true
	}
	for _, pv := range policyValues {
		if !parses(pv.Text) {
			return false
		}
	}
	for _, cv := range ctx {
		if !parses(cv) {
			return false
		}
	}
	return true
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f)
}

// valueMatches compares one policy value with one context value under the
// operator family's positive form.
func (ev *evaluation) valueMatches(op operator, pv Value, cv string) bool {
	switch f := op.family; f {
	case opStringEquals, opStringEqualsIgnoreCase, opBool:
		p, ok := ev.literal(pv.Text, ev.vars)
		switch {
		case !ok:
			return ev.unresolved(op.negate)
		case f == opStringEquals:
			return p == cv
		}
		return strings.EqualFold(p, cv)
	case opStringLike:
		p, ok := ev.globPattern(pv.Text, ev.vars)
		if !ok {
			return ev.unresolved(op.negate)
		}
		return wildcard.Match(p, cv, false, true)
	case opArnLike:
		m, resolved := matchARN(pv.Text, cv, ev, ev.vars, arnCondition)
		if !resolved {
			return ev.unresolved(op.negate)
		}
		return m
	case opBinaryEquals:
		a, err1 := base64.StdEncoding.DecodeString(pv.Text)
		b, err2 := base64.StdEncoding.DecodeString(cv)
		return err1 == nil && err2 == nil && string(a) == string(b)
	case opIPAddress:
		return ipMatches(pv.Text, cv)
	}
	return ordered(op.family, pv.Text, cv)
}

// ordered compares a context value with a policy value under a Numeric or
// Date operator; both parse (operandsParse checked).
func ordered(f opFamily, pv, cv string) bool {
	switch {
	case f >= opNumericEquals && f <= opNumericGreaterThanEquals:
		p, _ := parseNumber(pv)
		c, _ := parseNumber(cv)
		return compare(f-opNumericEquals, cmpFloat(c, p))
	case f >= opDateEquals && f <= opDateGreaterThanEquals:
		p, _ := ParseDate(pv)
		c, _ := ParseDate(cv)
		return compare(f-opDateEquals, c.Compare(p))
	}
	return false
}

// compare applies the rel-th relation of equals, less than, less than or
// equal, greater than, greater than or equal to a three-way comparison of
// the context value with the policy value.
func compare(rel opFamily, cmp int) bool {
	switch rel {
	case 0:
		return cmp == 0
	case 1:
		return cmp < 0
	case 2:
		return cmp <= 0
	case 3:
		return cmp > 0
	case 4:
		return cmp >= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ipMatches(policy, ctx string) bool {
	addr, err := netip.ParseAddr(ctx)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	if strings.Contains(policy, "/") {
		pfx, err := netip.ParsePrefix(policy)
		if err != nil {
			return false
		}
		return pfx.Masked().Contains(addr)
	}
	pa, err := netip.ParseAddr(policy)
	return err == nil && pa.Unmap() == addr
}

// ParseDate parses a Date condition value: an ISO 8601 date or date-time
// (UTC when no zone is given) or epoch seconds.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if s[0] >= '0' && s[0] <= '9' || s[0] == '-' {
		if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") && !math.IsInf(f, 0) {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
		}
	}
	// The ISO 8601 forms IAM accepts in Date conditions.
	for _, l := range [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02",
	} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
