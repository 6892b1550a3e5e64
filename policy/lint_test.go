package policy

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLint(t *testing.T) {
	tests := []struct {
		name   string
		kind   Kind
		policy string
		code   string // expected finding code; "" means no findings at all
		sev    Severity
		path   string
	}{
		{"clean identity", KindIdentity, `[{"Sid":"A1","Effect":"Allow","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:*:111122223333:instance/*"}]`, "", 0, ""},
		{"bad version", KindIdentity, `{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`, "bad-version", SeverityError, "Version"},
		{"legacy version", KindIdentity, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`, "legacy-version", SeverityWarning, "Version"},
		{"missing version", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}`, "missing-version", SeverityWarning, "Version"},
		{"no statements", KindIdentity, `{"Version":"2012-10-17","Statement":[]}`, "no-statement", SeverityError, "Statement"},
		{"action and notaction", KindIdentity, `[{"Effect":"Allow","Action":"ec2:DescribeInstances","NotAction":"iam:*","Resource":"*"}]`, "action-and-notaction", SeverityError, "Statement[0]"},
		{"no action", KindIdentity, `[{"Effect":"Allow","Resource":"*"}]`, "no-action", SeverityError, "Statement[0]"},
		{"resource and notresource", KindIdentity, `[{"Effect":"Deny","Action":"ec2:DescribeInstances","Resource":"*","NotResource":"*"}]`, "resource-and-notresource", SeverityError, "Statement[0]"},
		{"no resource", KindIdentity, `[{"Effect":"Deny","Action":"ec2:DescribeInstances"}]`, "no-resource", SeverityError, "Statement[0]"},
		{"no effect", KindIdentity, `[{"Action":"ec2:DescribeInstances","Resource":"*"}]`, "no-effect", SeverityError, "Statement[0].Effect"},
		{"principal in identity", KindIdentity, `[{"Effect":"Deny","Principal":"*","Action":"ec2:DescribeInstances","Resource":"*"}]`, "principal-in-identity", SeverityError, "Statement[0]"},
		{"bad sid", KindIdentity, `[{"Sid":"has space","Effect":"Deny","Action":"ec2:DescribeInstances","Resource":"*"}]`, "bad-sid", SeverityError, "Statement[0].Sid"},
		{"duplicate sid", KindIdentity, `[{"Sid":"A","Effect":"Deny","Action":"ec2:DescribeInstances","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"ec2:DescribeImages","Resource":"*"}]`, "duplicate-sid", SeverityError, "Statement[1].Sid"},
		{"bad action", KindIdentity, `[{"Effect":"Deny","Action":["ec2:DescribeInstances","StopInstances"],"Resource":"*"}]`, "bad-action", SeverityError, "Statement[0].Action[1]"},
		{"unknown action", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstance","Resource":"*"}]`, "unknown-action", SeverityWarning, "Statement[0].Action"},
		{"unknown service", KindIdentity, `[{"Effect":"Deny","Action":"ecc:StopInstances","Resource":"*"}]`, "unknown-service", SeverityWarning, "Statement[0].Action"},
		{"bad resource", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"i-123"}]`, "bad-resource", SeverityError, "Statement[0].Resource"},
		{"short arn", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"arn:aws:ec2:us-east-1"}]`, "bad-resource", SeverityError, "Statement[0].Resource"},
		{"bad operator", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringEqual":{"a:b":"c"}}}]`, "bad-operator", SeverityError, "Statement[0].Condition.StringEqual"},
		{"bad numeric", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"NumericLessThan":{"a:b":"ten"}}}]`, "bad-condition-value", SeverityError, `Statement[0].Condition.NumericLessThan["a:b"]`},
		{"bad date", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":["2020-01-01T00:00:00Z","soon"]}}}]`, "bad-condition-value", SeverityError, `Statement[0].Condition.DateLessThan["aws:CurrentTime"][1]`},
		{"bad bool", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]`, "bad-condition-value", SeverityError, `Statement[0].Condition.Bool["aws:SecureTransport"]`},
		{"bad ip", KindIdentity, `[{"Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]`, "bad-condition-value", SeverityError, `Statement[0].Condition.IpAddress["aws:SourceIp"]`},
		{"star action", KindIdentity, `[{"Effect":"Allow","Action":"*","Resource":"*"}]`, "star-action", SeverityWarning, "Statement[0].Action"},
		{"service star action", KindIdentity, `[{"Effect":"Allow","Action":["ssm:*"],"Resource":"arn:aws:ssm:*:*:document/*"}]`, "star-action", SeverityWarning, "Statement[0].Action[0]"},
		{"passrole star", KindIdentity, `[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ssm.amazonaws.com"}}}]`, "passrole-star", SeverityWarning, "Statement[0].Resource"},
		{"passrole no service", KindIdentity, `[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/R"}]`, "passrole-no-service", SeverityWarning, "Statement[0]"},
		{"write on star", KindIdentity, `[{"Effect":"Allow","Action":["ec2:StopInstances","ec2:DescribeInstances"],"Resource":"*"}]`, "write-star", SeverityWarning, "Statement[0].Resource"},
		{"allow notaction", KindIdentity, `[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]`, "allow-notaction", SeverityWarning, "Statement[0].NotAction"},
		{"allow notresource", KindIdentity, `[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::x/*"}]`, "allow-notresource", SeverityWarning, "Statement[0].NotResource"},
		{"clean trust", KindTrust, `[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]`, "", 0, ""},
		{"trust without principal", KindTrust, `[{"Effect":"Allow","Action":"sts:AssumeRole"}]`, "no-principal", SeverityError, "Statement[0]"},
		{"trust with resource", KindTrust, `[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Resource":"*"}]`, "resource-in-trust", SeverityError, "Statement[0].Resource"},
		{"trust notprincipal", KindTrust, `[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]`, "notprincipal-in-trust", SeverityError, "Statement[0].NotPrincipal"},
		{"trust confused deputy", KindTrust, `[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]`, "confused-deputy", SeverityWarning, "Statement[0].Condition"},
		{"trust anyone", KindTrust, `[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]`, "trust-anyone", SeverityWarning, "Statement[0].Principal"},
		{"trust wildcard arn", KindTrust, `[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"sts:AssumeRole"}]`, "wildcard-principal", SeverityError, "Statement[0].Principal.AWS"},
		{"trust bad service", KindTrust, `[{"Effect":"Allow","Principal":{"Service":"ssm"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"1"}}}]`, "bad-service", SeverityError, "Statement[0].Principal.Service"},
		{"trust non-sts action", KindTrust, `[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["sts:AssumeRole","ec2:RunInstances"]}]`, "trust-action", SeverityError, "Statement[0].Action[1]"},
		{"resource policy needs resource", KindResource, `[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]`, "no-resource", SeverityError, "Statement[0]"},
		{"single statement path", KindIdentity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:StopInstances"}}`, "no-resource", SeverityError, "Statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Lint(mustPolicy(t, tt.policy), tt.kind)
			if tt.code == "" {
				require.Empty(t, r.Findings, "unexpected findings")
				return
			}
			i := slices.IndexFunc(r.Findings, func(f Finding) bool { return f.Code == tt.code })
			require.GreaterOrEqual(t, i, 0, "no %s finding in %v", tt.code, r.Findings)
			assert.Equal(t, tt.sev, r.Findings[i].Severity, "severity of %+v", r.Findings[i])
			assert.Equal(t, tt.path, r.Findings[i].Path, "path of %+v", r.Findings[i])
		})
	}
}

func TestLintSize(t *testing.T) {
	var actions []string
	for i := range 400 {
		actions = append(actions, fmt.Sprintf("ec2:DescribeThing%03d", i))
	}
	p := New(Allowing(actions...).Resources("*").MustBuild())
	r := Lint(p, KindIdentity)
	require.Greater(t, r.Size, LimitManaged, "size should exceed the managed quota")
	assert.True(t, slices.ContainsFunc(r.Errors(), func(f Finding) bool { return f.Code == "size" }), "no size error in %v", r.Errors())
	assert.Empty(t, Lint(p, KindIdentity, func(o *LintOptions) { o.SizeLimit = LimitRoleInline }).Errors(), "role inline quota should fit")
	// White space between tokens does not count; inside strings it does.
	assert.Equal(t, 9, Size([]byte("{ \"a b\" :\n\t1 }")))
	var le *LintError
	err := Lint(p, KindTrust).Err()
	require.ErrorAs(t, err, &le)
	require.ErrorIs(t, err, ErrInvalidPolicy)
	assert.ErrorContains(t, err, "quota")
}

func TestBuilder(t *testing.T) {
	base := Allowing("ec2:StopInstances").Sid("Stop")
	a := base.Resources("arn:aws:ec2:*:*:instance/i-1")
	b := base.Resources("arn:aws:ec2:*:*:instance/i-2").Condition("StringEquals", "aws:ResourceTag/env", "dev")
	sa, sb := a.MustBuild(), b.MustBuild()
	require.Equal(t, []string{"arn:aws:ec2:*:*:instance/i-1"}, sa.Resource.Values, "builder not copy-on-write")
	require.Nil(t, sa.Condition, "builder not copy-on-write")
	require.Equal(t, "arn:aws:ec2:*:*:instance/i-2", sb.Resource.Values[0])
	require.Equal(t, "dev", sb.Condition["StringEquals"]["aws:ResourceTag/env"].Values[0].Text)
	// Editing the built statement does not reach back into the builder.
	sa.Resource.Values[0] = "changed"
	require.NotEqual(t, "changed", a.MustBuild().Resource.Values[0], "built statement aliases the builder")
	_, err := NewStatement("Maybe").Sid("bad sid").Build()
	var le *LintError
	require.ErrorAs(t, err, &le)
	require.GreaterOrEqual(t, len(le.Findings), 4, "Build must report every problem: %v", err)
	trust, err := NewStatement(Allow).Principal(ServicePrincipal(SSMServicePrincipal)).Actions("sts:AssumeRole").Build()
	require.NoError(t, err, "trust statement")
	require.Equal(t, SSMServicePrincipal, trust.Principal.Service.Values[0])
	deny := Denying("s3:*").NotResources("arn:aws:s3:::keep/*").NotPrincipal(AWSPrincipal(userArn)).MustBuild()
	require.NotNil(t, deny.NotPrincipal)
	require.Equal(t, "arn:aws:s3:::keep/*", deny.NotResource.Values[0])
	na := NewStatement(Deny).NotActions("iam:*").Resources("*").MustBuild()
	require.Equal(t, "iam:*", na.NotAction.Values[0], "NotActions")
}
