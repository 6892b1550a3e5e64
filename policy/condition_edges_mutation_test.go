package policy

import "testing"

// TestEvaluateUnparseableAtFamilyEdges: every Numeric and Date operator,
// the first and last of each family included, fails when a value does not
// parse, rather than comparing it as zero (0, or the zero time).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
func TestEvaluateUnparseableAtFamilyEdges(t *testing.T) {
	stmt := func(op, key, value string) []string {
		return []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"` + op + `":{"` + key + `":"` + value + `"}}}]`}
	}
	const zeroTime = "0001-01-01T00:00:00Z"
	num := func(v string) map[string][]string { return map[string][]string{"s3:max-keys": {v}} }
	date := func(v string) map[string][]string { return map[string][]string{"aws:CurrentTime": {v}} }
	a := "s3:ListBucket"
	runEvalCases(t, []evalCase{
		{name: "NumericEquals policy not a number", identity: stmt("NumericEquals", "s3:max-keys", "x"), ctx: num("0"), action: a, want: DecisionImplicitDeny},
		{name: "NumericEquals zero still matches", identity: stmt("NumericEquals", "s3:max-keys", "0"), ctx: num("0"), action: a, want: DecisionAllow},
		{name: "NumericGreaterThanEquals policy not a number", identity: stmt("NumericGreaterThanEquals", "s3:max-keys", "x"), ctx: num("0"), action: a, want: DecisionImplicitDeny},
		{name: "NumericGreaterThanEquals context not a number", identity: stmt("NumericGreaterThanEquals", "s3:max-keys", "0"), ctx: num("x"), action: a, want: DecisionImplicitDeny},
		{name: "NumericGreaterThanEquals zero", identity: stmt("NumericGreaterThanEquals", "s3:max-keys", "0"), ctx: num("0"), action: a, want: DecisionAllow},
		{name: "NumericLessThanEquals context not a number", identity: stmt("NumericLessThanEquals", "s3:max-keys", "0"), ctx: num("zero"), action: a, want: DecisionImplicitDeny},
		{name: "DateEquals policy not a date", identity: stmt("DateEquals", "aws:CurrentTime", "soon"), ctx: date(zeroTime), action: a, want: DecisionImplicitDeny},
		{name: "DateEquals context not a date", identity: stmt("DateEquals", "aws:CurrentTime", zeroTime), ctx: date("soon"), action: a, want: DecisionImplicitDeny},
		{name: "DateEquals zero time still matches", identity: stmt("DateEquals", "aws:CurrentTime", zeroTime), ctx: date(zeroTime), action: a, want: DecisionAllow},
		{name: "DateGreaterThanEquals policy not a date", identity: stmt("DateGreaterThanEquals", "aws:CurrentTime", "soon"), ctx: date(zeroTime), action: a, want: DecisionImplicitDeny},
		{name: "DateGreaterThanEquals context not a date", identity: stmt("DateGreaterThanEquals", "aws:CurrentTime", zeroTime), ctx: date("soon"), action: a, want: DecisionImplicitDeny},
		{name: "DateLessThanEquals policy not a date", identity: stmt("DateLessThanEquals", "aws:CurrentTime", "soon"), ctx: date(zeroTime), action: a, want: DecisionImplicitDeny},
		// Bool and String operators compare text: nothing to parse.
		{name: "Bool compares text case-insensitively", identity: stmt("Bool", "aws:SecureTransport", "true"), ctx: map[string][]string{"aws:SecureTransport": {"True"}}, action: a, want: DecisionAllow},
		{name: "Bool other word", identity: stmt("Bool", "aws:SecureTransport", "true"), ctx: map[string][]string{"aws:SecureTransport": {"yes"}}, action: a, want: DecisionImplicitDeny},
		{name: "StringEquals on a number-like text", identity: stmt("StringEquals", "s3:max-keys", "10"), ctx: num("10.0"), action: a, want: DecisionImplicitDeny},
	})
}

// TestEvaluateSetAndIfExistsEdges covers missing keys and empty sets under
// IfExists and the set qualifiers: ForAllValues holds for no values,
// ForAnyValue does not, even with IfExists.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
func TestEvaluateSetAndIfExistsEdges(t *testing.T) {
	stmt := func(cond string) []string {
		return []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + cond + `}]`}
	}
	deny := func(cond string) []string {
		return []string{allowAll, `[{"Effect":"Deny","Action":"*","Resource":"*","Condition":` + cond + `}]`}
	}
	a := "s3:ListBucket"
	empty := map[string][]string{"aws:TagKeys": {}}
	tags := func(v ...string) map[string][]string { return map[string][]string{"aws:TagKeys": v} }
	runEvalCases(t, []evalCase{
		{name: "ForAnyValue IfExists on a missing key", identity: stmt(`{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"env"}}`), action: a, want: DecisionImplicitDeny},
		{name: "ForAnyValue on an empty set", identity: stmt(`{"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}}`), ctx: empty, action: a, want: DecisionImplicitDeny},
		{name: "ForAnyValue negated on a missing key", identity: stmt(`{"ForAnyValue:StringNotEquals":{"aws:TagKeys":"env"}}`), action: a, want: DecisionImplicitDeny},
		{name: "ForAllValues negated on a missing key", identity: stmt(`{"ForAllValues:StringNotEquals":{"aws:TagKeys":"env"}}`), action: a, want: DecisionAllow},
		{name: "ForAllValues IfExists on an empty set", identity: stmt(`{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"env"}}`), ctx: empty, action: a, want: DecisionAllow},
		{name: "ForAllValues every value matches", identity: stmt(`{"ForAllValues:StringLike":{"aws:TagKeys":["env","team*"]}}`), ctx: tags("env", "team-a", "team-b"), action: a, want: DecisionAllow},
		{name: "ForAllValues last value fails", identity: stmt(`{"ForAllValues:StringLike":{"aws:TagKeys":["env","team*"]}}`), ctx: tags("env", "team-a", "cost"), action: a, want: DecisionImplicitDeny},
		{name: "ForAnyValue last value matches", identity: stmt(`{"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}}`), ctx: tags("cost", "team", "env"), action: a, want: DecisionAllow},
		{name: "ForAnyValue negated with every value listed", identity: stmt(`{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env","team"]}}`), ctx: tags("env", "team"), action: a, want: DecisionImplicitDeny},
		{name: "ForAllValues negated with no value listed", identity: stmt(`{"ForAllValues:StringNotEquals":{"aws:TagKeys":["env","team"]}}`), ctx: tags("cost", "owner"), action: a, want: DecisionAllow},
		{name: "negated IfExists present and matching", identity: stmt(`{"StringNotEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`), ctx: map[string][]string{"ec2:InstanceType": {"t3.micro"}}, action: a, want: DecisionImplicitDeny},
		{name: "negated IfExists present and other", identity: stmt(`{"StringNotEqualsIfExists":{"ec2:InstanceType":"t3.micro"}}`), ctx: map[string][]string{"ec2:InstanceType": {"m5.large"}}, action: a, want: DecisionAllow},
		{name: "NumericLessThanIfExists on a missing key", identity: stmt(`{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`), action: a, want: DecisionAllow},
		{name: "NumericLessThanIfExists present and not a number", identity: stmt(`{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`), ctx: map[string][]string{"s3:max-keys": {"x"}}, action: a, want: DecisionImplicitDeny},
		{name: "deny ForAnyValue on a missing key does not apply", identity: deny(`{"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}}`), action: a, want: DecisionAllow},
		{name: "deny ForAllValues on a missing key applies", identity: deny(`{"ForAllValues:StringEquals":{"aws:TagKeys":"env"}}`), action: a, want: DecisionExplicitDeny, wantPol: "id1"},
	})
}

// TestEvaluateNullEdges: Null "true" asks whether the key is absent,
// "false" whether it is present; a value that is not a boolean never holds,
// and the values of a key are OR'd.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
func TestEvaluateNullEdges(t *testing.T) {
	stmt := func(v string) []string {
		return []string{`[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":` + v + `}}}]`}
	}
	present := map[string][]string{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}
	a := "s3:ListBucket"
	runEvalCases(t, []evalCase{
		{name: "non-boolean on a present key", identity: stmt(`"maybe"`), ctx: present, action: a, want: DecisionImplicitDeny},
		{name: "non-boolean then false on a present key", identity: stmt(`["maybe","false"]`), ctx: present, action: a, want: DecisionAllow},
		{name: "true or false always holds on a missing key", identity: stmt(`["false","true"]`), action: a, want: DecisionAllow},
		{name: "true or false always holds on a present key", identity: stmt(`["false","true"]`), ctx: present, action: a, want: DecisionAllow},
		{name: "upper-case TRUE on a missing key", identity: stmt(`"TRUE"`), action: a, want: DecisionAllow},
		{name: "false on a missing key", identity: stmt(`"false"`), action: a, want: DecisionImplicitDeny},
	})
}
