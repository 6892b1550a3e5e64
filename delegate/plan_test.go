package delegate

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func TestPlanGolden(t *testing.T) {
	tests := []struct {
		name   string
		src    func(t *testing.T) Source
		mode   Mode
		optFns []func(*Options)
	}{
		{"embedded-restart-demo", func(*testing.T) Source { return NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()) }, Embedded, nil},
		{"runtime-restart-demo", func(*testing.T) Source { return NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()) }, Runtime, nil},
		{"caller-restart-demo", func(*testing.T) Source { return NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()) }, Caller,
			[]func(*Options){func(o *Options) { o.Parameters = map[string][]string{"InstanceId": {"i-1234567890abcdef0"}} }}},
		{"runtime-aws-restart", func(t *testing.T) Source { return ExistingDocument("AWS-RestartEC2Instance", awsRestart(t)) }, Runtime,
			[]func(*Options){func(o *Options) {
				o.RoleARN = "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"
				o.Parameters = map[string][]string{"InstanceId": {"i-1234567890abcdef0"}}
			}}},
		{"runtime-aws-restart-supplied-policy", func(*testing.T) Source { return ExistingDocument("AWS-RestartEC2Instance", nil) }, Runtime,
			[]func(*Options){func(o *Options) { o.RolePolicy = stopOnly() }}},
		{"embedded-copy-of-aws-restart", func(t *testing.T) Source { return NewDocument("Restart-EC2InstanceDemo", awsRestart(t)) }, Embedded,
			[]func(*Options){func(o *Options) { o.RoleName = "AutomationServiceRole"; o.RolePath = "/service-role/" }}},
		{"runtime-china-pinned", func(*testing.T) Source { return NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()) }, Runtime,
			[]func(*Options){func(o *Options) { o.DocumentVersion = "3"; o.OperatorControl = true }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			region := testRegion
			if tt.name == "runtime-china-pinned" {
				region = "cn-north-1"
			}
			p, err := NewPlan(tt.src(t), tt.mode, testAccount, region, tt.optFns...)
			require.NoError(t, err)
			b, err := p.JSON()
			require.NoError(t, err)
			golden(t, tt.name+".json", b)
			cfn, err := p.CloudFormation(func(o *TemplateOptions) { o.OperatorUsers = []string{"AutomationRestrictedOperator"} })
			require.NoError(t, err)
			golden(t, tt.name+".cfn.json", cfn)
			again, err := p.JSON()
			require.NoError(t, err)
			assert.Equal(t, string(b), string(again), "deterministic")
		})
	}
}

func TestPlanModes(t *testing.T) {
	src := NewDocument("Restart-EC2InstanceDemo", restartDemo().Document())
	role := "arn:aws:iam::123456789012:role/Restart-EC2InstanceDemo-Automation"
	t.Run("embedded", func(t *testing.T) {
		p := mustPlan(t, src, Embedded)
		assert.Equal(t, role, p.Document.AssumeRole)
		assert.Nil(t, p.PassRole)
		assert.NotContains(t, p.OperatorPolicy.String(), "iam:PassRole", "the operator cannot reuse an embedded role")
		assert.Nil(t, p.Start.Parameters)
		assert.Equal(t, "Restart-EC2InstanceDemo", *p.Start.DocumentName)
		assertAllowed(t, p.OperatorPolicy, "ssm:StartAutomationExecution", "arn:aws:ssm:us-east-1:123456789012:automation-definition/Restart-EC2InstanceDemo:1")
		assertAllowed(t, p.Role.Trust, "sts:AssumeRole", "")
	})
	t.Run("runtime", func(t *testing.T) {
		p := mustPlan(t, src, Runtime)
		assert.Equal(t, "{{ AutomationAssumeRole }}", p.Document.AssumeRole)
		i := findParam(p.Document, AssumeRoleParameter)
		require.GreaterOrEqual(t, i, 0)
		prm := p.Document.Parameters[i]
		assert.Equal(t, runbook.TypeString, prm.Type)
		assert.Equal(t, RoleARNPattern, prm.AllowedPattern)
		assert.NotEmpty(t, prm.Description)
		assert.Equal(t, map[string][]string{AssumeRoleParameter: {role}}, p.Start.Parameters)
		require.NotNil(t, p.PassRole)
		assert.Equal(t, []string{role}, p.PassRole.Resource.Values)
		res := policy.Evaluate(policy.Request{Principal: "arn:aws:iam::123456789012:user/op", Action: "iam:PassRole", Resource: role,
			Context: map[string][]string{"iam:PassedToService": {"ssm.amazonaws.com"}}}, []policy.NamedPolicy{{Name: "op", Policy: p.OperatorPolicy}}, nil)
		assert.True(t, res.Allowed())
		res = policy.Evaluate(policy.Request{Principal: "arn:aws:iam::123456789012:user/op", Action: "iam:PassRole", Resource: role,
			Context: map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}}, []policy.NamedPolicy{{Name: "op", Policy: p.OperatorPolicy}}, nil)
		assert.False(t, res.Allowed(), "the role goes to Automation only")
	})
	t.Run("caller", func(t *testing.T) {
		p := mustPlan(t, src, Caller)
		assert.Empty(t, p.Document.AssumeRole)
		assert.Nil(t, p.Role)
		assert.Nil(t, p.PassRole)
		assertAllowed(t, p.OperatorPolicy, "ec2:StopInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0")
		assert.True(t, hasWarning(p, "12h0m0s"), "caller mode warns about the session limit: %v", p.Warnings)
	})
	t.Run("source untouched", func(t *testing.T) {
		doc := restartDemo().Document()
		_ = mustPlan(t, NewDocument("Restart-EC2InstanceDemo", doc), Runtime)
		assert.Empty(t, doc.AssumeRole)
		assert.Len(t, doc.Parameters, 1)
	})
}

func assertAllowed(t *testing.T, p *policy.Policy, action, resource string) {
	t.Helper()
	req := policy.Request{Principal: "arn:aws:iam::123456789012:user/op", Action: action, Resource: resource}
	if resource == "" {
		// A trust policy: Automation assuming the role for this account.
		req = policy.Request{Principal: "ssm.amazonaws.com", Action: action, Resource: "arn:aws:iam::123456789012:role/r",
			Context: map[string][]string{"aws:SourceAccount": {testAccount}, "aws:SourceArn": {"arn:aws:ssm:us-east-1:123456789012:automation-execution/abc"}}}
		res := policy.Evaluate(req, nil, &policy.NamedPolicy{Name: "trust", Policy: p})
		assert.True(t, res.Allowed(), "%s by Automation: %v", action, res.Decision)
		req.Context["aws:SourceAccount"] = []string{"999999999999"}
		req.Context["aws:SourceArn"] = []string{"arn:aws:ssm:us-east-1:999999999999:automation-execution/abc"}
		res = policy.Evaluate(req, nil, &policy.NamedPolicy{Name: "trust", Policy: p})
		assert.False(t, res.Allowed(), "another account's execution must not assume the role")
		return
	}
	res := policy.Evaluate(req, []policy.NamedPolicy{{Name: "p", Policy: p}}, nil)
	assert.True(t, res.Allowed(), "%s on %s: %v", action, resource, res.Decision)
}

func hasWarning(p *Plan, substr string) bool {
	for _, w := range p.Warnings {
		if strings.Contains(w.String(), substr) {
			return true
		}
	}
	return false
}

func TestPlanAWSOwnedRunbook(t *testing.T) {
	p := mustPlan(t, ExistingDocument("AWS-RestartEC2Instance", awsRestart(t)), Runtime)
	assert.False(t, p.CreateDocument)
	assert.Equal(t, "arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance", p.DocumentARN)
	assert.Contains(t, p.OperatorPolicy.String(), "arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance")
	assert.Equal(t, "{{ AutomationAssumeRole }}", p.Document.AssumeRole, "an existing document is not rewritten")
	assert.Equal(t, []string{p.Role.ARN}, p.Start.Parameters[AssumeRoleParameter])
	require.NotNil(t, p.Role.Permissions)
	assert.Contains(t, p.Role.Permissions.String(), "ec2:StopInstances")

	_, err := NewPlan(ExistingDocument("AWS-RestartEC2Instance", nil), Runtime, testAccount, testRegion)
	require.ErrorIs(t, err, ErrNeedsInput)
	assert.Contains(t, err.Error(), "cannot be derived")
}

func TestPlanConflicts(t *testing.T) {
	demo := func() runbook.Builder { return restartDemo() }
	tests := []struct {
		name   string
		src    Source
		mode   Mode
		optFns []func(*Options)
		kind   error
		field  string
	}{
		{"literal assumeRole in runtime mode", NewDocument("Demo-Doc", demo().AssumeRole("arn:aws:iam::123456789012:role/Fixed").Document()), Runtime, nil, ErrConflict, "assumeRole"},
		{"assumeRole from another parameter", NewDocument("Demo-Doc", demo().Parameter(runbook.StringParameter("Role")).AssumeRole("{{ Role }}").Document()), Runtime, nil, ErrConflict, "assumeRole"},
		{"wrong-typed AutomationAssumeRole", NewDocument("Demo-Doc", demo().Parameter(runbook.StringListParameter(AssumeRoleParameter)).Document()), Runtime, nil, ErrConflict, "parameters.AutomationAssumeRole.type"},
		{"allowedPattern rejects the role", NewDocument("Demo-Doc", demo().Parameter(runbook.StringParameter(AssumeRoleParameter).AllowedPattern(`^arn:aws:iam::\d{12}:role/Only$`)).Document()), Runtime, nil, ErrConflict, "parameters.AutomationAssumeRole.allowedPattern"},
		{"role in another account", NewDocument("Demo-Doc", demo().Document()), Embedded, []func(*Options){func(o *Options) { o.RoleARN = "arn:aws:iam::210987654321:role/R" }}, ErrConflict, "roleArn"},
		{"role in another partition", NewDocument("Demo-Doc", demo().Document()), Runtime, []func(*Options){func(o *Options) { o.RoleARN = "arn:aws-cn:iam::123456789012:role/R" }}, ErrConflict, "roleArn"},
		{"not a role ARN", NewDocument("Demo-Doc", demo().Document()), Runtime, []func(*Options){func(o *Options) { o.RoleARN = "arn:aws:iam::123456789012:user/R" }}, ErrInvalidInput, "roleArn"},
		{"role name disagrees with ARN", NewDocument("Demo-Doc", demo().Document()), Runtime, []func(*Options){func(o *Options) { o.RoleARN = "arn:aws:iam::123456789012:role/R"; o.RoleName = "S" }}, ErrConflict, "roleName"},
		{"embedded over another literal role", NewDocument("Demo-Doc", demo().AssumeRole("arn:aws:iam::123456789012:role/Other").Document()), Embedded,
			[]func(*Options){func(o *Options) { o.RoleName = "Planned" }}, ErrConflict, "assumeRole"},
		{"embedded literal role of another account", NewDocument("Demo-Doc", demo().AssumeRole("arn:aws:iam::210987654321:role/Other").Document()), Embedded, nil, ErrConflict, "roleArn"},
		{"embedded into an existing document", ExistingDocument("AWS-RestartEC2Instance", nil), Embedded, nil, ErrNeedsInput, "document"},
		{"caller mode with a literal role", NewDocument("Demo-Doc", demo().AssumeRole("arn:aws:iam::123456789012:role/Fixed").Document()), Caller, nil, ErrConflict, "assumeRole"},
		{"caller mode with a required role parameter", NewDocument("Demo-Doc", demo().Parameter(runbook.StringParameter(AssumeRoleParameter)).AssumeRole("{{ AutomationAssumeRole }}").Document()), Caller, nil, ErrConflict, "parameters.AutomationAssumeRole"},
		{"caller mode naming a role", NewDocument("Demo-Doc", demo().Document()), Caller, []func(*Options){func(o *Options) { o.RoleARN = "arn:aws:iam::123456789012:role/R" }}, ErrConflict, "roleArn"},
		{"runtime start parameter names another role", NewDocument("Demo-Doc", demo().Document()), Runtime, []func(*Options){func(o *Options) {
			o.Parameters = map[string][]string{AssumeRoleParameter: {"arn:aws:iam::123456789012:role/Other"}}
		}}, ErrConflict, "parameters.AutomationAssumeRole"},
		{"embedded start parameter passes a role", NewDocument("Demo-Doc", demo().Document()), Embedded, []func(*Options){func(o *Options) {
			o.Parameters = map[string][]string{AssumeRoleParameter: {"arn:aws:iam::123456789012:role/Other"}}
		}}, ErrConflict, "parameters.AutomationAssumeRole"},
		{"undeclared start parameter", NewDocument("Demo-Doc", demo().Document()), Runtime, []func(*Options){func(o *Options) { o.Parameters = map[string][]string{"InstanceIds": {"i-1"}} }}, ErrInvalidInput, "parameters.InstanceIds"},
		{"reserved name for a new document", NewDocument("AWS-MyRestart", demo().Document()), Runtime, nil, ErrConflict, "name"},
		{"bad account", NewDocument("Demo-Doc", demo().Document()), Runtime, nil, ErrInvalidInput, "account"},
		{"partition disagrees with Region", NewDocument("Demo-Doc", demo().Document()), Runtime, []func(*Options){func(o *Options) { o.Partition = "aws-cn" }}, ErrConflict, "partition"},
		{"invalid runbook", NewDocument("Demo-Doc", runbook.New().Step(runbook.NewStep("bad name", runbook.Sleep{Duration: runbook.String("PT1S")})).Document()), Runtime, nil, ErrInvalidOutput, "document"},
		{"new document without content", NewDocument("Demo-Doc", nil), Runtime, nil, ErrNeedsInput, "document"},
		{"existing document without the parameter", ExistingDocument("Shared-Doc", demo().Document()), Runtime, nil, ErrConflict, "assumeRole"},
		{"supplied role policy fails lint", NewDocument("Demo-Doc", demo().Document()), Embedded, []func(*Options){func(o *Options) {
			o.RolePolicy = mustParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"not-an-arn"}]}`)
		}}, ErrInvalidOutput, "role.permissionsPolicy"},
		{"identity policy with a principal", NewDocument("Demo-Doc", demo().Document()), Caller, []func(*Options){func(o *Options) {
			o.RolePolicy = mustParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Principal":"*"}]}`)
		}}, ErrInvalidOutput, "operatorPolicy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			account := testAccount
			if tt.name == "bad account" {
				account = "12345"
			}
			p, err := NewPlan(tt.src, tt.mode, account, testRegion, tt.optFns...)
			require.Error(t, err)
			assert.Nil(t, p)
			require.ErrorIs(t, err, tt.kind)
			var pe *PlanError
			require.ErrorAs(t, err, &pe)
			var fields []string
			for _, e := range pe.Problems {
				var pr *Problem
				if errors.As(e, &pr) && errors.Is(pr, tt.kind) {
					fields = append(fields, pr.Field)
				}
			}
			assert.Contains(t, fields, tt.field, "problems: %v", pe.Problems)
		})
	}
}

func TestPlanReportsEveryProblemAtOnce(t *testing.T) {
	doc := restartDemo().AssumeRole("arn:aws:iam::123456789012:role/Fixed").
		Parameter(runbook.StringListParameter(AssumeRoleParameter)).Document()
	_, err := NewPlan(NewDocument("Demo-Doc", doc), Runtime, testAccount, testRegion, func(o *Options) {
		o.Parameters = map[string][]string{"Nope": {"x"}}
	})
	var pe *PlanError
	require.ErrorAs(t, err, &pe)
	assert.GreaterOrEqual(t, len(pe.Problems), 3, "%v", err)
	assert.Contains(t, err.Error(), "assumeRole")
	assert.Contains(t, err.Error(), "parameters.AutomationAssumeRole.type")
	assert.Contains(t, err.Error(), "parameters.Nope")
}

func TestPlanEmbeddedAdoptsTheSeedRole(t *testing.T) {
	// The user guide's document, with its role already written in.
	seed := restartDemo().AssumeRole("arn:aws:iam::123456789012:role/AutomationServiceRole").MustBuild()
	p := mustPlan(t, NewDocument("Restart-EC2InstanceDemo", seed), Embedded)
	assert.Equal(t, "AutomationServiceRole", p.Role.Name)
	assert.Equal(t, seed.AssumeRole, p.Document.AssumeRole)
}

func TestPlanRuntimeAdoptsAWSStyleParameter(t *testing.T) {
	p := mustPlan(t, NewDocument("Restart-Copy", awsRestart(t)), Runtime)
	prm := p.Document.Parameters[findParam(p.Document, AssumeRoleParameter)]
	assert.Equal(t, RoleARNPattern, prm.AllowedPattern)
	assert.True(t, prm.Default.IsZero(), "an empty default would run as the caller")
	assert.True(t, hasWarning(p, "made required"))
}

func TestPlanEmbeddedKeepsParameterStepsRead(t *testing.T) {
	doc := runbook.New().
		Parameter(runbook.StringParameter(AssumeRoleParameter).Default(runbook.String(""))).
		AssumeRole("{{ AutomationAssumeRole }}").
		Step(runbook.NewStep("child", runbook.ExecuteAutomation{
			DocumentName:      runbook.String("AWS-RestartEC2Instance"),
			RuntimeParameters: runbook.Map(runbook.Member{Key: "AutomationAssumeRole", Value: runbook.Param(AssumeRoleParameter)}),
		}).TimeoutSeconds(600)).Document()
	p := mustPlan(t, NewDocument("Parent-Doc", doc), Embedded, func(o *Options) { o.RolePolicy = stopOnly() })
	assert.GreaterOrEqual(t, findParam(p.Document, AssumeRoleParameter), 0)
	assert.True(t, hasWarning(p, "kept"))
	assert.Equal(t, p.Role.ARN, p.Document.AssumeRole)
}

func TestCallerModeTwelveHourRule(t *testing.T) {
	sleep := func(d string) *runbook.Document {
		return runbook.New().Step(runbook.NewStep("wait", runbook.Sleep{Duration: runbook.String(d)})).Document()
	}
	child := runbook.New().
		Parameter(runbook.StringParameter("AutomationAssumeRole").Default(runbook.String(""))).
		Step(runbook.NewStep("wait", runbook.Sleep{Duration: runbook.String("PT1H")})).
		Document()
	withChild := runbook.New().Step(runbook.NewStep("child", runbook.ExecuteAutomation{DocumentName: runbook.String("Child-Doc")})).Document()
	cycle := runbook.New().
		Parameter(runbook.StringParameter("Again").Default(runbook.String("yes"))).
		Step(runbook.NewStep("wait", runbook.Sleep{Duration: runbook.String("PT1M")})).
		Step(runbook.NewStep("again", runbook.Branch{
			Choices: []runbook.Choice{runbook.When(runbook.Param("Again"), runbook.StringEquals, runbook.String("yes")).Then("wait")},
			Default: "done",
		})).
		Step(runbook.NewStep("done", runbook.Sleep{Duration: runbook.String("PT1S")}).IsEnd(true)).
		Document()
	none := func(*Options) {}
	tests := []struct {
		name      string
		doc       *runbook.Document
		opt       func(*Options)
		refused   bool
		unbounded bool
	}{
		{"just below 12 hours", sleep("PT11H59M59S"), none, false, false},
		{"exactly 12 hours", sleep("PT12H"), none, false, false},
		{"just above 12 hours", sleep("PT12H0M1S"), none, true, false},
		{"approval waits 7 days", runbook.New().Step(runbook.NewStep("ok", runbook.Approve{Approvers: runbook.Strings("arn:aws:iam::123456789012:user/boss")})).Document(), none, true, false},
		{"unknown child automation", withChild, none, true, true},
		{"known child automation", withChild, func(o *Options) {
			o.ChildDocument = func(name string) (*runbook.Document, bool) { return child, name == "Child-Doc" }
			o.RolePolicy = stopOnly()
		}, false, false},
		{"cycle of steps", cycle, none, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(NewDocument("Long-Runbook", tt.doc), Caller, testAccount, testRegion, tt.opt)
			if !tt.refused {
				require.NoError(t, err)
				assert.True(t, hasWarning(p, "session limit"), "%v", p.Warnings)
				return
			}
			require.ErrorIs(t, err, ErrModeRefused)
			var cm *CallerModeError
			require.ErrorAs(t, err, &cm)
			assert.Equal(t, tt.unbounded, cm.Unbounded)
			assert.Contains(t, err.Error(), "caller mode refused")
			if !tt.unbounded {
				assert.Greater(t, cm.Bound, CallerSessionLimit)
			}
			// A service role lifts the limit.
			_, err = NewPlan(NewDocument("Long-Runbook", tt.doc), Embedded, testAccount, testRegion, tt.opt, func(o *Options) { o.RolePolicy = stopOnly() })
			require.NoError(t, err)
		})
	}
}

func TestModeText(t *testing.T) {
	for _, m := range Modes() {
		b, err := m.MarshalText()
		require.NoError(t, err)
		var back Mode
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, m, back)
	}
	_, err := ParseMode("sideways")
	require.Error(t, err)
	_, err = Mode(0).MarshalText()
	require.Error(t, err)
	assert.Equal(t, "Mode(9)", fmt.Sprint(Mode(9)))
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		name     string
		reserved bool
	}{{"AWS-RestartEC2Instance", true}, {"aws-lower", true}, {"AmazonEKS-Thing", true}, {"amzn-x", true}, {"Restart-EC2InstanceDemo", false}, {"MyAWS-Doc", false}} {
		assert.Equal(t, tt.reserved, ReservedName(tt.name), tt.name)
	}
	long := "Runbook-With-A-Name-That-Is-Far-Too-Long-To-Become-A-Role-Name-Too"
	_, err := NewPlan(NewDocument(long, restartDemo().Document()), Runtime, testAccount, testRegion)
	require.ErrorIs(t, err, ErrNeedsInput)
	assert.Contains(t, err.Error(), "roleName")
	p := mustPlan(t, NewDocument(long, restartDemo().Document()), Runtime, func(o *Options) { o.RoleName = "Short" })
	assert.Equal(t, "arn:aws:iam::123456789012:role/Short", p.Role.ARN)

	for _, tt := range []struct{ arn, partition, account, path, name string }{
		{"arn:aws:iam::123456789012:role/R", "aws", "123456789012", "/", "R"},
		{"arn:aws-us-gov:iam::123456789012:role/service-role/a/R+=,.@-_", "aws-us-gov", "123456789012", "/service-role/a/", "R+=,.@-_"},
	} {
		part, acct, path, name, ok := parseRoleARN(tt.arn)
		require.True(t, ok, tt.arn)
		assert.Equal(t, []string{tt.partition, tt.account, tt.path, tt.name}, []string{part, acct, path, name})
	}
	for _, bad := range []string{"", "arn:aws:iam::123:role/R", "arn:aws:iam::123456789012:user/R", "arn:aws:iam:us-east-1:123456789012:role/R", "arn:aws:iam::123456789012:role/", "arn:aws:sts::123456789012:role/R"} {
		_, _, _, _, ok := parseRoleARN(bad)
		assert.False(t, ok, bad)
	}
}

func TestPlanInGovCloud(t *testing.T) {
	p, err := NewPlan(NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), Runtime, testAccount, "us-gov-west-1")
	require.NoError(t, err)
	assert.Equal(t, "aws-us-gov", p.Partition)
	assert.Equal(t, "arn:aws-us-gov:iam::123456789012:role/Restart-EC2InstanceDemo-Automation", p.Role.ARN)
	assert.Contains(t, p.Role.Trust.String(), "arn:aws-us-gov:ssm:*:123456789012:automation-execution/*")
	assert.Regexp(t, RoleARNPattern, p.Role.ARN)
}

func mustParsePolicy(js string) *policy.Policy {
	p, err := policy.Parse([]byte(js))
	if err != nil {
		panic(err)
	}
	return p
}

func TestPlanRuntimeWarnsAboutAnotherDefaultRole(t *testing.T) {
	doc := restartDemo().Parameter(runbook.StringParameter(AssumeRoleParameter).Default(runbook.String("arn:aws:iam::123456789012:role/Legacy"))).Document()
	p := mustPlan(t, NewDocument("Demo-Doc", doc), Runtime)
	assert.True(t, hasWarning(p, "parameters.AutomationAssumeRole.default: names arn:aws:iam::123456789012:role/Legacy, not the planned role"), "%v", p.Warnings)
	assert.Equal(t, []string{p.Role.ARN}, p.Start.Parameters[AssumeRoleParameter], "the start input passes the planned role")

	same := restartDemo().Parameter(runbook.StringParameter(AssumeRoleParameter).Default(runbook.String("arn:aws:iam::123456789012:role/Demo-Doc-Automation"))).Document()
	p = mustPlan(t, NewDocument("Demo-Doc", same), Runtime)
	assert.False(t, hasWarning(p, ".default"), "%v", p.Warnings)
}

// TestCallerModeNamesTheDecidingStep: the refusal names the step that makes
// the run too long, not the first steps in document order.
func TestCallerModeNamesTheDecidingStep(t *testing.T) {
	doc := runbook.New().
		Step(runbook.NewStep("warmUp", runbook.Sleep{Duration: runbook.String("PT1M")})).
		Step(runbook.NewStep("settle", runbook.Sleep{Duration: runbook.String("PT2M")})).
		Step(runbook.NewStep("check", runbook.Sleep{Duration: runbook.String("PT3M")})).
		Step(runbook.NewStep("soak", runbook.Sleep{Duration: runbook.String("PT13H")})).
		MustBuild()
	_, err := NewPlan(NewDocument("Soak", doc), Caller, "123456789012", "us-east-1")
	var refused *CallerModeError
	require.ErrorAs(t, err, &refused)
	assert.Contains(t, refused.Cause, "soak")
	assert.Contains(t, err.Error(), "soak")
	assert.NotContains(t, err.Error(), "warmUp")
}

// TestEmbeddedRoleFromGlobals: an assumeRole built from automation
// variables names one role in the plan's account and Region; embedded mode
// plans that role and keeps the document's text.
func TestEmbeddedRoleFromGlobals(t *testing.T) {
	const expr = "arn:{{ global:AWS_PARTITION }}:iam::{{ global:ACCOUNT_ID }}:role/Restart-{{ global:REGION }}"
	doc := runbook.New().
		AssumeRole(expr).
		Parameter(runbook.StringListParameter("InstanceId")).
		Step(runbook.NewStep("stop", runbook.ChangeInstanceState{
			InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		MustBuild()
	plan, err := NewPlan(NewDocument("Restart", doc), Embedded, "123456789012", "eu-west-1", func(o *Options) {
		o.Parameters = map[string][]string{"InstanceId": {"i-0123456789abcdef0"}}
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:role/Restart-eu-west-1", plan.Role.ARN)
	assert.Equal(t, expr, plan.Document.AssumeRole)
}
