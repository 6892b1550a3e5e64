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

func baseOperator(s string) (operator, bool) {
	switch s {
	case "StringEquals":
		return operator{family: opStringEquals}, true
	case "StringNotEquals":
		return operator{family: opStringEquals, negate: true}, true
	case "StringEqualsIgnoreCase":
		return operator{family: opStringEqualsIgnoreCase}, true
	case "StringNotEqualsIgnoreCase":
		return operator{family: opStringEqualsIgnoreCase, negate: true}, true
	case "StringLike":
		return operator{family: opStringLike}, true
	case "StringNotLike":
		return operator{family: opStringLike, negate: true}, true
	case "NumericEquals":
		return operator{family: opNumericEquals}, true
	case "NumericNotEquals":
		return operator{family: opNumericEquals, negate: true}, true
	case "NumericLessThan":
		return operator{family: opNumericLessThan}, true
	case "NumericLessThanEquals":
		return operator{family: opNumericLessThanEquals}, true
	case "NumericGreaterThan":
		return operator{family: opNumericGreaterThan}, true
	case "NumericGreaterThanEquals":
		return operator{family: opNumericGreaterThanEquals}, true
	case "DateEquals":
		return operator{family: opDateEquals}, true
	case "DateNotEquals":
		return operator{family: opDateEquals, negate: true}, true
	case "DateLessThan":
		return operator{family: opDateLessThan}, true
	case "DateLessThanEquals":
		return operator{family: opDateLessThanEquals}, true
	case "DateGreaterThan":
		return operator{family: opDateGreaterThan}, true
	case "DateGreaterThanEquals":
		return operator{family: opDateGreaterThanEquals}, true
	case "Bool":
		return operator{family: opBool}, true
	case "BinaryEquals":
		return operator{family: opBinaryEquals}, true
	case "IpAddress":
		return operator{family: opIPAddress}, true
	case "NotIpAddress":
		return operator{family: opIPAddress, negate: true}, true
	case "ArnEquals":
		return operator{family: opArnLike}, true
	case "ArnLike":
		return operator{family: opArnLike}, true
	case "ArnNotEquals":
		return operator{family: opArnLike, negate: true}, true
	case "ArnNotLike":
		return operator{family: opArnLike, negate: true}, true
	case "Null":
		return operator{family: opNull}, true
	}
	return operator{}, false
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
		for _, v := range policyValues {
			want, err := strconv.ParseBool(strings.ToLower(v.Text))
			if err == nil && want == !present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case op.ifExists:
			return true
		case op.set == setForAllValues:
			return true
		case op.set == setForAnyValue:
			return false
		}
		return op.negate
	}
	// matches reports whether one context value matches any policy value
	// under the operator's positive form.
	matches := func(cv string) bool {
		for _, pv := range policyValues {
			if ev.valueMatches(op.family, pv, cv) {
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
	for _, cv := range ctx {
		if matches(cv) {
			return !op.negate
		}
	}
	return op.negate
}

func (ev *evaluation) valueMatches(f opFamily, pv Value, cv string) bool {
	switch f {
	case opStringEquals:
		p, _, ok := ev.expand(pv.Text, ev.vars, false)
		return ok && p == cv
	case opStringEqualsIgnoreCase:
		p, _, ok := ev.expand(pv.Text, ev.vars, false)
		return ok && strings.EqualFold(p, cv)
	case opStringLike:
		p, esc, ok := ev.expand(pv.Text, ev.vars, true)
		return ok && wildcard.Match(p, cv, false, esc)
	case opArnLike:
		return matchARN(pv.Text, cv, ev, ev.vars)
	case opBool:
		p, _, ok := ev.expand(pv.Text, ev.vars, false)
		return ok && strings.EqualFold(p, cv)
	case opBinaryEquals:
		a, err1 := base64.StdEncoding.DecodeString(pv.Text)
		b, err2 := base64.StdEncoding.DecodeString(cv)
		return err1 == nil && err2 == nil && string(a) == string(b)
	case opIPAddress:
		return ipMatches(pv.Text, cv)
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		p, err1 := strconv.ParseFloat(pv.Text, 64)
		c, err2 := strconv.ParseFloat(cv, 64)
		if err1 != nil || err2 != nil || math.IsNaN(p) || math.IsNaN(c) {
			return false
		}
		return compare(f-opNumericEquals, cmpFloat(c, p))
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		p, ok1 := ParseDate(pv.Text)
		c, ok2 := ParseDate(cv)
		if !ok1 || !ok2 {
			return false
		}
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
