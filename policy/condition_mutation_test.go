package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseDateForms pins the Date operators' operands: ISO 8601 dates and
// date-times, or epoch seconds ("aws:EpochTime" is a number of seconds).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
func TestParseDateForms(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		name, in string
		want     time.Time
		ok       bool
	}{
		{"epoch zero starts with the digit 0", "0", utc("1970-01-01T00:00:00Z"), true},
		{"epoch starting with the digit 9", "946684800", utc("2000-01-01T00:00:00Z"), true},
		{"negative epoch before 1970", "-86400", utc("1969-12-31T00:00:00Z"), true},
		{"fractional epoch keeps the fraction", "1700000000.5", utc("2023-11-14T22:13:20.5Z"), true},
		{"epoch with surrounding space", " 1700000000 ", utc("2023-11-14T22:13:20Z"), true},
		{"date only is midnight UTC", "2026-01-02", utc("2026-01-02T00:00:00Z"), true},
		{"date-time without zone is UTC", "2026-01-02T03:04:05", utc("2026-01-02T03:04:05Z"), true},
		{"date-time with minutes only", "2026-01-02T03:04", utc("2026-01-02T03:04:00Z"), true},
		{"date-time with offset", "2026-01-02T03:04:05+0200", utc("2026-01-02T01:04:05Z"), true},
		{"exponent is not an epoch", "1e9", time.Time{}, false},
		{"infinity is not an epoch", "-Inf", time.Time{}, false},
		{"empty", "", time.Time{}, false},
		{"blank", "   ", time.Time{}, false},
		{"words", "tomorrow", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseDate(tt.in)
			require.Equal(t, tt.ok, ok)
			if tt.ok {
				assert.True(t, tt.want.Equal(got), "got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestEvaluateConditionOperands covers operands at the edges of each
// operator family's parsing: single IP addresses against CIDR ranges,
// base64 that does not decode, and Date conditions whose epoch and ISO
// forms name the same instant.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func TestEvaluateConditionOperands(t *testing.T) {
	stmt := func(cond string) []string {
		return []string{`[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":` + cond + `}]`}
	}
	one := func(k, v string) map[string][]string { return map[string][]string{k: {v}} }
	a := "ec2:StopInstances"
	runEvalCases(t, []evalCase{
		{name: "IpAddress single address matches itself", identity: stmt(`{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`), ctx: one("aws:SourceIp", "203.0.113.7"), action: a, want: DecisionAllow},
		{name: "IpAddress single address not a neighbour", identity: stmt(`{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`), ctx: one("aws:SourceIp", "203.0.113.8"), action: a, want: DecisionImplicitDeny},
		{name: "IpAddress IPv4-mapped caller", identity: stmt(`{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`), ctx: one("aws:SourceIp", "::ffff:203.0.113.9"), action: a, want: DecisionAllow},
		{name: "IpAddress policy value not an address", identity: stmt(`{"IpAddress":{"aws:SourceIp":"not-an-ip"}}`), ctx: one("aws:SourceIp", "203.0.113.7"), action: a, want: DecisionImplicitDeny},
		{name: "IpAddress malformed range", identity: stmt(`{"IpAddress":{"aws:SourceIp":"203.0.113.0/33"}}`), ctx: one("aws:SourceIp", "203.0.113.7"), action: a, want: DecisionImplicitDeny},
		{name: "IpAddress caller not an address", identity: stmt(`{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`), ctx: one("aws:SourceIp", "localhost"), action: a, want: DecisionImplicitDeny},
		{name: "BinaryEquals other bytes", identity: stmt(`{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`), ctx: one("k", "T3RoZXI="), action: a, want: DecisionImplicitDeny},
		{name: "BinaryEquals context not base64", identity: stmt(`{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`), ctx: one("k", "BinaryValue"), action: a, want: DecisionImplicitDeny},
		{name: "BinaryEquals policy not base64", identity: stmt(`{"BinaryEquals":{"k":"***"}}`), ctx: one("k", "QmluYXJ5VmFsdWU="), action: a, want: DecisionImplicitDeny},
		{name: "DateEquals epoch 0", identity: stmt(`{"DateEquals":{"aws:CurrentTime":"1970-01-01T00:00:00Z"}}`), ctx: one("aws:CurrentTime", "0"), action: a, want: DecisionAllow},
		{name: "DateEquals epoch starting with 9", identity: stmt(`{"DateEquals":{"aws:CurrentTime":"2000-01-01"}}`), ctx: one("aws:CurrentTime", "946684800"), action: a, want: DecisionAllow},
		{name: "DateEquals fractional epoch", identity: stmt(`{"DateEquals":{"aws:CurrentTime":"2023-11-14T22:13:20.5Z"}}`), ctx: one("aws:CurrentTime", "1700000000.5"), action: a, want: DecisionAllow},
		{name: "DateLessThan negative epoch", identity: stmt(`{"DateLessThan":{"aws:CurrentTime":"1970-01-01"}}`), ctx: one("aws:CurrentTime", "-1"), action: a, want: DecisionAllow},
		{name: "Null false holds for a present key", identity: stmt(`{"Null":{"aws:SourceIp":"false"}}`), ctx: one("aws:SourceIp", "203.0.113.7"), action: a, want: DecisionAllow},
		{name: "Null false fails for a missing key", identity: stmt(`{"Null":{"aws:SourceIp":"false"}}`), action: a, want: DecisionImplicitDeny},
		{name: "Null with a non-boolean value never holds", identity: stmt(`{"Null":{"aws:SourceIp":"maybe"}}`), action: a, want: DecisionImplicitDeny},
		{name: "ForAnyValue:Null is not an operator", identity: stmt(`{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`), action: a, want: DecisionImplicitDeny},
	})
}

// TestValidOperatorForms: IfExists and the set qualifiers combine with
// every operator but Null.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
func TestValidOperatorForms(t *testing.T) {
	for op, want := range map[string]bool{
		"StringEquals":                         true,
		"StringEqualsIfExists":                 true,
		"ForAnyValue:StringLike":               true,
		"ForAllValues:NumericLessThanIfExists": true,
		"Null":                                 true,
		"NullIfExists":                         false,
		"ForAllValues:Null":                    false,
		"ForAnyValue:Null":                     false,
		"StringMatches":                        false,
		"IfExists":                             false,
	} {
		t.Run(op, func(t *testing.T) {
			assert.Equal(t, want, ValidOperator(op))
		})
	}
}
