package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The AWS element of a principal names an account id, an IAM or STS ARN,
// or "*"; ARNs there cannot hold wildcards, per
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func TestLintAWSPrincipal(t *testing.T) {
	for _, tc := range []struct {
		id   string
		code string // "" when the principal is accepted
	}{
		{"*", ""},
		{"123456789012", ""},
		{"arn:aws:iam::123456789012:root", ""},
		{"arn:aws:iam::123456789012:role/Admin", ""},
		{"arn:aws:sts::123456789012:assumed-role/Admin/alice", ""},
		{"12345678901", CodeBadPrincipal},
		{"alice", CodeBadPrincipal},
		{"arn:aws:s3:::bucket", CodeBadPrincipal},
		{"arn:aws:iam", CodeBadPrincipal},
		{"arn:aws:iam::123456789012:role/*", CodeWildcardPrincipal},
		{"arn:aws:iam::123456789012:user/a?", CodeWildcardPrincipal},
	} {
		t.Run(tc.id, func(t *testing.T) {
			p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + tc.id + `"},"Action":"sts:AssumeRole"}]}`))
			require.NoError(t, err)
			var codes []string
			for _, f := range Lint(p, KindTrust).Errors() {
				codes = append(codes, f.Code)
				assert.Equal(t, "Statement[0].Principal.AWS", f.Path)
			}
			if tc.code == "" {
				assert.Empty(t, codes)
				return
			}
			assert.Equal(t, []string{tc.code}, codes)
		})
	}
}

// A Principal has no place in an identity policy.
func TestLintPrincipalInIdentityPolicy(t *testing.T) {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`))
	require.NoError(t, err)
	errs := Lint(p, KindIdentity).Errors()
	require.Len(t, errs, 1)
	assert.Equal(t, CodePrincipalInIdentity, errs[0].Code)
	assert.Equal(t, "Statement[0]", errs[0].Path)
	err = Lint(p, KindIdentity).Err()
	assert.ErrorIs(t, err, ErrInvalidPolicy)
	assert.NotErrorIs(t, err, ErrPolicyTooLarge, "only a size finding makes a lint error a quota error")
	assert.Equal(t, "policy: Statement[0]: Principal and NotPrincipal belong in trust and resource policies, not identity policies", err.Error())
}

func TestSizeError(t *testing.T) {
	err := &SizeError{Kind: KindIdentity, Size: 6200, Limit: 6144}
	assert.ErrorIs(t, err, ErrPolicyTooLarge)
	assert.NotErrorIs(t, err, ErrInvalidPolicy)
	assert.Contains(t, err.Error(), "size 6200 exceeds the 6144 character quota")
}

// IAM defines its condition operators with IfExists and the
// ForAnyValue:/ForAllValues: set forms, per
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func TestValidOperator(t *testing.T) {
	for _, tc := range []struct {
		op   string
		want bool
	}{
		{"StringEquals", true},
		{"StringLikeIfExists", true},
		{"ForAnyValue:StringLike", true},
		{"ForAllValues:ArnEquals", true},
		{"Null", true},
		{"Bool", true},
		{"NumericLessThanEquals", true},
		{"DateGreaterThan", true},
		{"IpAddress", true},
		{"NotIpAddress", true},
		{"BinaryEquals", true},
		{"stringequals", false},
		{"StringEqual", false},
		{"ForSomeValues:StringLike", false},
		{"", false},
	} {
		t.Run(tc.op, func(t *testing.T) {
			assert.Equal(t, tc.want, ValidOperator(tc.op))
		})
	}
}

// Regions map to partitions by prefix, per
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
func TestPartitionForRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1":       "aws",
		"eu-west-3":       "aws",
		"":                "aws",
		"cn-north-1":      "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"us-isof-south-1": "aws-iso-f",
		"eu-isoe-west-1":  "aws-iso-e",
	} {
		t.Run(region, func(t *testing.T) {
			assert.Equal(t, want, PartitionForRegion(region))
		})
	}
}
