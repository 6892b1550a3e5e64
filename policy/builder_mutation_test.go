package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildPicksTheGrammar: Build judges a statement with no principal as
// an identity policy's, one with a Principal or NotPrincipal and a
// Resource as a resource policy's, and one with a principal but no
// Resource as a trust policy's.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func TestBuildPicksTheGrammar(t *testing.T) {
	const bucket = "arn:aws:s3:::b/*"
	tests := []struct {
		name string
		b    StatementBuilder
		code string // the finding expected, "" for none
	}{
		{"identity", Allowing("s3:GetObject").Resources(bucket), ""},
		{"identity needs a resource", Allowing("s3:GetObject"), CodeNoResource},
		{"trust", NewStatement(Allow).Principal(ServicePrincipal(SSMServicePrincipal)).Actions("sts:AssumeRole"), ""},
		{"trust allows only sts actions", NewStatement(Allow).Principal(AWSPrincipal(acct)).Actions("s3:GetObject"), CodeTrustAction},
		{"resource", Allowing("s3:GetObject").Principal(AWSPrincipal(acct)).Resources(bucket), ""},
		{"resource with NotResource", Denying("s3:GetObject").Principal(AWSPrincipal(acct)).NotResources(bucket), ""},
		{"NotPrincipal with a resource", Denying("s3:GetObject").NotPrincipal(AWSPrincipal(acct)).Resources(bucket), ""},
		{"NotPrincipal without a resource is a trust statement", Denying("sts:AssumeRole").NotPrincipal(AWSPrincipal(acct)), CodeNotPrincipalInTrust},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.b.Build()
			if tt.code == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.b.statement(), st)
				return
			}
			var le *LintError
			require.ErrorAs(t, err, &le)
			var codes []string
			for _, f := range le.Findings {
				codes = append(codes, f.Code)
			}
			assert.Contains(t, codes, tt.code)
			assert.Equal(t, Statement{}, st)
		})
	}
}

func TestMustBuildPanicsOnlyOnError(t *testing.T) {
	assert.NotPanics(t, func() { Allowing("s3:GetObject").Resources("*").MustBuild() })
	assert.Panics(t, func() { Allowing("s3:GetObject").MustBuild() })
}

func TestBuilderAppends(t *testing.T) {
	b := Allowing("s3:GetObject").Actions().Actions("s3:PutObject").Resources("arn:aws:s3:::a/*").Resources().Resources("arn:aws:s3:::b/*")
	st := b.MustBuild()
	assert.Equal(t, []string{"s3:GetObject", "s3:PutObject"}, st.Action.Values)
	assert.Equal(t, []string{"arn:aws:s3:::a/*", "arn:aws:s3:::b/*"}, st.Resource.Values)
	empty := Allowing().statement()
	assert.True(t, empty.Action.IsZero(), "no actions leave Action absent")
	assert.Equal(t, Allow, empty.Effect)
}
