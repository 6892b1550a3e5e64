package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMatchARNComponentEdges pins the Resource element's ARN matching where
// a component boundary matters: the resource component may hold colons of
// its own, yet the text before them must still match, and a '*' that spans
// components never lets a later pattern segment go back to an earlier
// component.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
func TestMatchARNComponentEdges(t *testing.T) {
	const doc = "arn:aws:ssm:us-east-1:111122223333:automation-definition/"
	const inst = "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
	for _, tc := range []struct {
		name, pattern, value string
		want                 bool
	}{
		{"colon in the resource, same document", doc + "Demo:*", doc + "Demo:$DEFAULT", true},
		{"colon in the resource, other document", doc + "Demo:*", doc + "Other:$DEFAULT", false},
		{"colon in the resource, other version", doc + "Demo:1", doc + "Demo:2", false},
		{"colon in the resource, exact version", doc + "Demo:1", doc + "Demo:1", true},
		{"spanning star never goes back to the service", "arn:aws:ec2:*:ec2:*", inst, false},
		{"spanning star never goes back to the region", "arn:aws:ec2:us-east-1:*:us-east-1:*", inst, false},
		{"spanning star then the account", "arn:aws:ec2:*:111122223333:*", inst, true},
		{"spanning star in the partition", "arn:*:111122223333:instance/*", inst, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &evaluation{req: &Request{}}
			got, resolved := matchARN(tc.pattern, tc.value, ev, true, arnResource)
			require.True(t, resolved)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestEndsInWildcardEscapes: a '*' preceded by an odd run of backslashes is
// an escaped literal, whatever its position.
func TestEndsInWildcardEscapes(t *testing.T) {
	for p, want := range map[string]bool{
		`\*`:      false,
		`\\*`:     true,
		`\\\*`:    false,
		`a\\\\*`:  true,
		`**`:      true,
		`\*\\*`:   true,
		`\\*\*`:   false,
		`x\\\\\*`: false,
	} {
		t.Run(p, func(t *testing.T) {
			assert.Equal(t, want, endsInWildcard(p))
		})
	}
}

// TestExpandVarsForms covers the policy variable syntax: "${key}",
// "${key, 'default'}" (the default must be quoted, and may be empty), the
// special characters "${*}", "${?}" and "${$}", and text that only looks like
// a variable. A key with several values has no single value to substitute.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func TestExpandVarsForms(t *testing.T) {
	ctx := map[string][]string{
		"aws:username": {"alice"},
		"aws:TagKeys":  {"a", "b"},
		"empty":        {},
		"odd":          {"x*y?"},
	}
	lookup := func(k string) ([]string, bool) {
		for key, v := range ctx {
			if strings.EqualFold(key, k) {
				return v, len(v) > 0
			}
		}
		return nil, false
	}
	tests := []struct {
		name, in string
		forGlob  bool
		want     string
		ok       bool
	}{
		{"no variable", "home/alice", false, "home/alice", true},
		{"variable at the start", "${aws:username}/x", false, "alice/x", true},
		{"variable in the middle", "home/${aws:username}/x", false, "home/alice/x", true},
		{"key case-insensitive", "${AWS:USERNAME}", false, "alice", true},
		{"spaces around the key", "${ aws:username }", false, "alice", true},
		{"two variables", "${aws:username}-${aws:username}", false, "alice-alice", true},
		{"missing key", "${aws:PrincipalTag/team}", false, "", false},
		{"empty value list", "${empty}", false, "", false},
		{"several values", "${aws:TagKeys}", false, "", false},
		{"several values with a default", "${aws:TagKeys, 'one'}", false, "one", true},
		{"default", "${aws:PrincipalTag/team, 'shared'}", false, "shared", true},
		{"default without a space", "${aws:PrincipalTag/team,'shared'}", false, "shared", true},
		{"empty default", "x${aws:PrincipalTag/team, ''}y", false, "xy", true},
		{"value wins over the default", "${aws:username, 'shared'}", false, "alice", true},
		{"default without its closing quote", "${aws:PrincipalTag/team, 'shared}", false, "", false},
		{"default without its opening quote", "${aws:PrincipalTag/team, shared'}", false, "", false},
		{"default not quoted", "${aws:PrincipalTag/team, shared}", false, "", false},
		{"a lone quote is no default", "${aws:PrincipalTag/team, '}", false, "", false},
		{"empty key with a default", "${, 'd'}", false, "d", true},
		{"special star", "a${*}b", false, "a*b", true},
		{"special question mark", "${?}", false, "?", true},
		{"special dollar", "${$}", false, "$", true},
		{"unterminated variable is text", "a${b", false, "a${b", true},
		{"unterminated after a variable", "${aws:username}${b", false, "alice${b", true},
		{"glob: substituted value is literal", "home/${odd}/*", true, `home/x\*y\?/*`, true},
		{"glob: special star is literal", "${*}", true, `\*`, true},
		{"glob: backslash in the text is escaped", `a\${aws:username}`, true, `a\\alice`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, escaped, ok := expandVars(tt.in, tt.forGlob, lookup)
			require.Equal(t, tt.ok, ok, "ok")
			if !tt.ok {
				return
			}
			assert.Equal(t, tt.want, got)
			if strings.Contains(tt.in, "${") {
				assert.Equal(t, tt.forGlob, escaped, "escaped")
			}
		})
	}
}

// TestEvaluateVariableDefaults: in a Resource element a default stands in
// for a key without a single value, even an empty default; a key with
// several values is not substituted.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-default-values
func TestEvaluateVariableDefaults(t *testing.T) {
	tags := map[string][]string{"aws:TagKeys": {"a", "b"}}
	runEvalCases(t, []evalCase{
		{name: "empty default", identity: allowOn("arn:aws:s3:::home/${aws:PrincipalTag/team, ''}shared/*"), action: "s3:GetObject", res: "arn:aws:s3:::home/shared/x", want: DecisionAllow},
		{name: "empty default is not a wildcard", identity: allowOn("arn:aws:s3:::home/${aws:PrincipalTag/team, ''}shared/*"), action: "s3:GetObject", res: "arn:aws:s3:::home/ops-shared/x", want: DecisionImplicitDeny},
		{name: "unclosed default is no default", identity: allowOn("arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared}/*"), action: "s3:GetObject", res: "arn:aws:s3:::home/shared/x", want: DecisionImplicitDeny},
		{name: "multivalued key is not substituted", identity: allowOn("arn:aws:s3:::home/${aws:TagKeys}/*"), ctx: tags, action: "s3:GetObject", res: "arn:aws:s3:::home/a/x", want: DecisionImplicitDeny},
		{name: "multivalued key takes the default", identity: allowOn("arn:aws:s3:::home/${aws:TagKeys, 'all'}/*"), ctx: tags, action: "s3:GetObject", res: "arn:aws:s3:::home/all/x", want: DecisionAllow},
	})
}
