package delegate

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

const (
	targetA = "111122223333"
	targetB = "444455556666"
	testOU  = "ou-ab12-cdef3456"
)

func accountsLocation() []Location {
	return []Location{{Accounts: []string{targetB, targetA}, Regions: []string{"us-east-1", "us-west-2"}, MaxConcurrency: "2", MaxErrors: "1"}}
}

func ouLocation() []Location {
	return []Location{{OrganizationalUnits: []string{testOU}, IncludeChildOrganizationUnits: true,
		ExcludeAccounts: []string{"777788889999"}, Regions: []string{"eu-west-1"}}}
}

func withOrg(o *MultiAccountOptions) { o.OrganizationAccess = true; o.OrganizationID = "o-a1b2c3d4e5" }

func mustMulti(t testing.TB, src Source, locs []Location, optFns ...func(*MultiAccountOptions)) *MultiAccountPlan {
	t.Helper()
	p, err := NewMultiAccountPlan(src, testAccount, testRegion, locs, optFns...)
	require.NoError(t, err)
	return p
}

func TestMultiAccountGolden(t *testing.T) {
	tests := []struct {
		name   string
		src    func(t *testing.T) Source
		locs   []Location
		optFns []func(*MultiAccountOptions)
	}{
		{"multi-accounts-restart-demo", func(*testing.T) Source { return NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()) },
			accountsLocation(), []func(*MultiAccountOptions){func(o *MultiAccountOptions) {
				o.Parameters = map[string][]string{"InstanceId": {"i-1234567890abcdef0"}}
			}}},
		{"multi-ou-aws-restart", func(t *testing.T) Source { return ExistingDocument("AWS-RestartEC2Instance", awsRestart(t)) },
			[]Location{{OrganizationalUnits: []string{testOU}, IncludeChildOrganizationUnits: true, ExcludeAccounts: []string{"777788889999"},
				Regions: []string{"eu-west-1"}, Targets: []types.Target{{Key: aws.String("tag:Patch"), Values: []string{"yes"}}}, TargetsMaxConcurrency: "10%"}},
			[]func(*MultiAccountOptions){withOrg, func(o *MultiAccountOptions) { o.TargetParameterName = "InstanceId" }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustMulti(t, tt.src(t), tt.locs, tt.optFns...)
			b, err := p.JSON()
			require.NoError(t, err)
			golden(t, tt.name+".json", b)
			admin, err := p.AdministratorTemplate(func(o *TemplateOptions) { o.OperatorUsers = []string{"AutomationOperator"} })
			require.NoError(t, err)
			golden(t, tt.name+".admin.cfn.json", admin)
			ss, err := p.StackSetTemplate()
			require.NoError(t, err)
			golden(t, tt.name+".stackset.cfn.json", ss)
			golden(t, tt.name+".txt", p.Text())
			again, err := p.JSON()
			require.NoError(t, err)
			assert.Equal(t, string(b), string(again), "deterministic")
		})
	}
}

func TestMultiAccountProblems(t *testing.T) {
	demo := func(*testing.T) Source { return NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()) }
	literal := func(t *testing.T) Source {
		d, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","assumeRole":"arn:aws:iam::111122223333:role/Fixed",
		  "mainSteps":[{"name":"s","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`))
		require.NoError(t, err)
		return NewDocument("Fixed-Role", d)
	}
	many := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	tests := []struct {
		name   string
		src    func(*testing.T) Source
		locs   []Location
		optFns []func(*MultiAccountOptions)
		kind   error
		field  string
		msg    string
	}{
		{"execution role differs between locations", demo,
			[]Location{accountsLocation()[0], {Accounts: []string{"777788889999"}, Regions: []string{"eu-west-1"}, ExecutionRoleName: "Other"}}, nil,
			ErrConflict, "targetLocations[1].ExecutionRoleName", `"Other" differs`},
		{"caller mode", demo, accountsLocation(), []func(*MultiAccountOptions){func(o *MultiAccountOptions) { o.Mode = Caller }},
			ErrModeRefused, "mode", "caller mode"},
		{"embedded mode", demo, accountsLocation(), []func(*MultiAccountOptions){func(o *MultiAccountOptions) { o.Mode = Embedded }},
			ErrModeRefused, "mode", "embedded mode"},
		{"literal role of one account", literal, accountsLocation(), nil,
			ErrConflict, "assumeRole", "account 111122223333"},
		{"OUs without organization access", demo, ouLocation(), nil,
			ErrNeedsInput, "targetLocations[0].Accounts", "organization access"},
		{"too many locations", demo, make([]Location, MaxTargetLocations+1), nil,
			ErrInvalidInput, "targetLocations", "at most 100"},
		{"too many accounts", demo, []Location{{Accounts: many(51, func(i int) string { return "1000000000" + string(rune('0'+i/10)) + string(rune('0'+i%10)) }), Regions: []string{"us-east-1"}}}, nil,
			ErrInvalidInput, "targetLocations[0].Accounts", "at most 50"},
		{"too many Regions", demo, []Location{{Accounts: []string{targetA}, Regions: many(51, func(int) string { return "us-east-1" })}}, nil,
			ErrInvalidInput, "targetLocations[0].Regions", "at most 50"},
		{"admin account among targets", demo, []Location{{Accounts: []string{testAccount}, Regions: []string{"us-east-1"}}}, nil,
			ErrConflict, "targetLocations[0].Accounts[0]", "administrator account"},
		{"invalid account", demo, []Location{{Accounts: []string{"12345"}, Regions: []string{"us-east-1"}}}, nil,
			ErrInvalidInput, "targetLocations[0].Accounts[0]", "12-digit"},
		{"invalid Region", demo, []Location{{Accounts: []string{targetA}, Regions: []string{"mars-1"}}}, nil,
			ErrInvalidInput, "targetLocations[0].Regions[0]", "not a Region"},
		{"Region of another partition", demo, []Location{{Accounts: []string{targetA}, Regions: []string{"cn-north-1"}}}, nil,
			ErrConflict, "targetLocations[0].Regions[0]", "partition aws-cn"},
		{"invalid OU", demo, []Location{{OrganizationalUnits: []string{"ou-x"}, Regions: []string{"us-east-1"}}}, []func(*MultiAccountOptions){withOrg},
			ErrInvalidInput, "targetLocations[0].Accounts[0]", "OU id"},
		{"invalid exclusion", demo, []Location{{OrganizationalUnits: []string{testOU}, ExcludeAccounts: []string{"nope"}, Regions: []string{"us-east-1"}}}, []func(*MultiAccountOptions){withOrg},
			ErrInvalidInput, "targetLocations[0].ExcludeAccounts[0]", "neither"},
		{"exclusion without OU", demo, []Location{{Accounts: []string{targetA}, ExcludeAccounts: []string{targetB}, Regions: []string{"us-east-1"}}}, nil,
			ErrConflict, "targetLocations[0].ExcludeAccounts", "no OU"},
		{"bad concurrency", demo, []Location{{Accounts: []string{targetA}, Regions: []string{"us-east-1"}, MaxConcurrency: "0"}}, nil,
			ErrInvalidInput, "targetLocations[0].TargetLocationMaxConcurrency", "percentage"},
		{"bad max errors", demo, []Location{{Accounts: []string{targetA}, Regions: []string{"us-east-1"}, MaxErrors: "101%"}}, nil,
			ErrInvalidInput, "targetLocations[0].TargetLocationMaxErrors", "percentage"},
		{"targets without parameter", demo, []Location{{Accounts: []string{targetA}, Regions: []string{"us-east-1"},
			Targets: []types.Target{{Key: aws.String("tag:App"), Values: []string{"web"}}}}}, nil,
			ErrNeedsInput, "targetLocations[0].Targets", "TargetParameterName"},
		{"target parameter not declared", demo, []Location{{Accounts: []string{targetA}, Regions: []string{"us-east-1"},
			Targets: []types.Target{{Key: aws.String("tag:App"), Values: []string{"web"}}}}},
			[]func(*MultiAccountOptions){func(o *MultiAccountOptions) { o.TargetParameterName = "Nope" }},
			ErrInvalidInput, "targetParameterName", "Nope"},
		{"no locations", demo, nil, nil, ErrNeedsInput, "targetLocations", "at least one"},
		{"no Regions", demo, []Location{{Accounts: []string{targetA}}}, nil, ErrNeedsInput, "targetLocations[0].Regions", "at least one Region"},
		{"invalid admin account", demo, accountsLocation(), nil, nil, "", ""}, // replaced below
		{"bad organization id", demo, ouLocation(), []func(*MultiAccountOptions){func(o *MultiAccountOptions) { o.OrganizationAccess = true; o.OrganizationID = "org" }},
			ErrInvalidInput, "organizationId", "o-a1b2c3d4e5"},
		{"bad URL", demo, accountsLocation(), []func(*MultiAccountOptions){func(o *MultiAccountOptions) { o.TargetLocationsURL = "http://x" }},
			ErrInvalidInput, "targetLocationsURL", "https"},
		{"unknown content", func(*testing.T) Source { return ExistingDocument("AWS-RestartEC2Instance", nil) }, accountsLocation(), nil,
			ErrNeedsInput, "executionRolePolicy", "cannot be derived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admin := testAccount
			if tt.kind == nil {
				admin, tt.kind, tt.field, tt.msg = "1234", ErrInvalidInput, "adminAccount", "12-digit"
			}
			_, err := NewMultiAccountPlan(tt.src(t), admin, testRegion, tt.locs, tt.optFns...)
			require.Error(t, err)
			require.ErrorIs(t, err, tt.kind)
			var pe *PlanError
			require.ErrorAs(t, err, &pe)
			found := false
			for _, p := range pe.Problems {
				var pr *Problem
				if errors.As(p, &pr) && pr.Field == tt.field && strings.Contains(pr.Message, tt.msg) && errors.Is(pr, tt.kind) {
					found = true
				}
			}
			assert.True(t, found, "no %v problem at %s mentioning %q in %v", tt.kind, tt.field, tt.msg, err)
		})
	}
}

func TestMultiAccountAllowsAdminAccountWhenAsked(t *testing.T) {
	p := mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()),
		[]Location{{Accounts: []string{testAccount, targetA}, Regions: []string{"us-east-1"}}},
		func(o *MultiAccountOptions) { o.AllowAdminAccount = true })
	assert.Equal(t, []string{targetA, testAccount}, p.Accounts)
	require.Len(t, p.ExecutionRoles, 2)
}

func TestMultiAccountDoesNotModifyInput(t *testing.T) {
	doc := restartDemo().Document()
	before := string(doc.CompactJSON())
	mustMulti(t, NewDocument("Restart-EC2InstanceDemo", doc), accountsLocation())
	assert.Equal(t, before, string(doc.CompactJSON()))
}

func TestMultiAccountExecutionRoleWithPath(t *testing.T) {
	p := mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), accountsLocation(),
		func(o *MultiAccountOptions) { o.ExecutionRoleName = "automation/Exec" })
	r := p.ExecutionRoles[0]
	assert.Equal(t, "/automation/", r.Path)
	assert.Equal(t, "Exec", r.Name)
	assert.Equal(t, "arn:aws:iam::111122223333:role/automation/Exec", r.ARN)
	assert.Equal(t, "automation/Exec", *p.Start.TargetLocations[0].ExecutionRoleName)
}

func TestMultiAccountTargetLocationsURL(t *testing.T) {
	p := mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), accountsLocation(),
		func(o *MultiAccountOptions) {
			o.TargetLocationsURL = "https://bucket.s3.amazonaws.com/locations.json?X-Amz-Signature=abc"
		})
	assert.Nil(t, p.Start.TargetLocations)
	require.NotNil(t, p.Start.TargetLocationsURL)
	require.Len(t, p.Locations, 1)
	b, err := p.JSON()
	require.NoError(t, err)
	assert.Contains(t, string(b), `"targetLocations": [`)
}

func FuzzMultiAccountLocations(f *testing.F) {
	f.Add(targetA, testOU, "us-east-1", "777788889999", "2", "1", true)
	f.Add("", "", "", "", "", "", false)
	f.Add("123456789012", "ou-x", "cn-north-1", "ou-ab12-cdef3456", "0", "101%", true)
	doc := restartDemo().Document()
	f.Fuzz(func(t *testing.T, accounts, ous, regions, exclude, conc, errs string, children bool) {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		locs := []Location{{Accounts: split(accounts), OrganizationalUnits: split(ous), Regions: split(regions),
			ExcludeAccounts: split(exclude), MaxConcurrency: conc, MaxErrors: errs, IncludeChildOrganizationUnits: children}}
		p, err := NewMultiAccountPlan(NewDocument("Restart-EC2InstanceDemo", doc), testAccount, testRegion, locs, withOrg)
		if err != nil {
			var pe *PlanError
			require.ErrorAs(t, err, &pe)
			require.NotEmpty(t, pe.Problems)
			return
		}
		// A plan that is made holds roles IAM accepts.
		require.NoError(t, policy.Lint(p.AdministrationRole.Permissions, policy.KindIdentity).Err())
		for _, r := range p.ExecutionRoles {
			require.NoError(t, policy.Lint(r.Trust, policy.KindTrust).Err())
		}
		_, err = p.JSON()
		require.NoError(t, err)
	})
}

func TestMultiAccountSharedDocument(t *testing.T) {
	const arn = "arn:aws:ssm:us-east-1:999988887777:document/Shared-Restart"
	p := mustMulti(t, ExistingDocument(arn, awsRestart(t)), accountsLocation())
	assert.Equal(t, arn, p.DocumentName)
	assert.Equal(t, arn, *p.Start.DocumentName)
	assert.False(t, p.CreateDocument)
	operator := []policy.NamedPolicy{{Name: "operator", Policy: p.OperatorPolicy}}
	caller := "arn:aws:iam::" + testAccount + ":user/operator"
	for _, tc := range []struct {
		resource string
		allowed  bool
	}{
		{"arn:aws:ssm:us-east-1:999988887777:automation-definition/Shared-Restart:$DEFAULT", true},
		{arn, true},
		{"arn:aws:ssm:us-east-1:" + testAccount + ":document/Shared-Restart", false},
		{"arn:aws:ssm:us-east-1:" + testAccount + ":automation-definition/Shared-Restart:$DEFAULT", false},
	} {
		res := policy.Evaluate(policy.Request{Principal: caller, Action: "ssm:StartAutomationExecution", Resource: tc.resource, ResourceAccount: testAccount},
			operator, nil)
		assert.Equal(t, tc.allowed, res.Allowed(), tc.resource)
	}
	for _, r := range p.ExecutionRoles {
		start := r.Permissions.Statement[len(r.Permissions.Statement)-3]
		require.Equal(t, "AutomationStartInTarget", start.Sid)
		assert.Equal(t, []string{arn, "arn:aws:ssm:us-east-1:999988887777:automation-definition/Shared-Restart:*",
			"arn:aws:ssm:*:" + r.Account + ":automation-execution/*"}, start.Resource.Values)
	}

	for _, tc := range []struct {
		name string
		src  Source
		msg  string
		kind error
	}{
		{"a new document by ARN", NewDocument(arn, awsRestart(t)), "cannot be created", ErrConflict},
		{"not a document ARN", ExistingDocument("arn:aws:ssm:us-east-1:999988887777:parameter/x", nil), "not a document ARN", ErrInvalidInput},
		{"another Region", ExistingDocument("arn:aws:ssm:eu-west-1:999988887777:document/Shared-Restart", nil), "is in eu-west-1", ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewMultiAccountPlan(tc.src, testAccount, testRegion, accountsLocation())
			require.ErrorIs(t, err, tc.kind)
			assert.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestMultiAccountAlarmsAndTargets(t *testing.T) {
	locs := []Location{{Accounts: []string{targetA}, Regions: []string{"us-east-1"}, Alarms: []string{"HighErrors", "Latency p99"},
		IgnorePollAlarmFailure: true, Targets: []types.Target{{Key: aws.String("ResourceGroup"), Values: []string{"WebServers"}}},
		TargetsMaxConcurrency: "5", TargetsMaxErrors: "0"}}
	p := mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), locs,
		func(o *MultiAccountOptions) { o.TargetParameterName = "InstanceId" })
	assert.Equal(t, "InstanceId", *p.Start.TargetParameterName)
	wire := StartWire(p.Start)
	require.Len(t, wire.TargetLocations, 1)
	l := wire.TargetLocations[0]
	assert.Equal(t, &alarmConfigJSON{Alarms: []alarmJSON{{Name: "HighErrors"}, {Name: "Latency p99"}}, IgnorePollAlarmFailure: true}, l.TargetLocationAlarmConfiguration)
	assert.Equal(t, []targetJSON{{Key: "ResourceGroup", Values: []string{"WebServers"}}}, l.Targets)
	assert.Equal(t, "5", l.TargetsMaxConcurrency)
	assert.Equal(t, "0", l.TargetsMaxErrors)
	// Resolving the resource group needs its reads in every target.
	res := policy.Evaluate(policy.Request{Principal: p.ExecutionRoles[0].ARN, Action: "resource-groups:ListGroupResources", Resource: "*"},
		[]policy.NamedPolicy{{Name: "execution", Policy: p.ExecutionRoles[0].Permissions}}, nil)
	assert.True(t, res.Allowed())
	for _, w := range p.Warnings {
		assert.NotEqual(t, "start.Parameters.InstanceId", w.Field, "the targets fill InstanceId")
	}

	_, err := NewMultiAccountPlan(NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), testAccount, testRegion,
		[]Location{{Accounts: []string{targetA}, Regions: []string{"us-east-1"}, Alarms: []string{""}}})
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, "TargetLocationAlarmConfiguration.Alarms[0]")
}

func TestMultiAccountTooManyAccountsForOnePolicy(t *testing.T) {
	var locs []Location
	for i := range 4 {
		var accts []string
		for j := range MaxLocationAccounts {
			accts = append(accts, fmt.Sprintf("%012d", 100000000000+i*100+j))
		}
		locs = append(locs, Location{Accounts: accts, Regions: []string{"us-east-1"}})
	}
	_, err := NewMultiAccountPlan(NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), testAccount, testRegion, locs)
	require.ErrorIs(t, err, ErrNeedsInput)
	assert.ErrorContains(t, err, "administrationRole.permissionsPolicy: the execution roles of 200 accounts")
	assert.ErrorContains(t, err, "through their OUs")
}

func TestMultiAccountLocationsDiffer(t *testing.T) {
	const other = "ou-ab12-11112222"
	p := mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), []Location{
		{OrganizationalUnits: []string{testOU}, IncludeChildOrganizationUnits: true, Regions: []string{"us-east-1"}},
		{OrganizationalUnits: []string{other}, Regions: []string{"us-east-1"}},
		{Accounts: []string{targetA}, Regions: []string{"us-east-1"}},
		{Accounts: []string{targetA}, Regions: []string{"us-east-1", "us-west-2"}},
	}, withOrg)
	admin := []policy.NamedPolicy{{Name: "admin", Policy: p.AdministrationRole.Permissions}}
	trust := policy.New(policy.Statement{Effect: policy.Allow, Principal: policy.AWSPrincipal(p.AdministrationRole.ARN), Action: policy.One("sts:AssumeRole")})
	assume := func(path string) bool {
		return policy.Evaluate(policy.Request{Principal: p.AdministrationRole.ARN, Action: "sts:AssumeRole", Resource: roleARN(targetB, policy.ExecutionRoleName),
			Context: map[string][]string{"aws:ResourceOrgPaths": {path}}}, admin, &policy.NamedPolicy{Name: "trust", Policy: trust}).Allowed()
	}
	assert.True(t, assume("o-a1b2c3d4e5/r-ab12/"+testOU+"/ou-ab12-99998888/"), "children of an OU that includes them")
	assert.True(t, assume("o-a1b2c3d4e5/r-ab12/"+other+"/"), "the other OU itself")
	assert.False(t, assume("o-a1b2c3d4e5/r-ab12/"+other+"/ou-ab12-99998888/"), "children of an OU that does not include them")
	var dup []string
	for _, w := range p.Warnings {
		if w.Field == "targetLocations" {
			dup = append(dup, w.Message)
		}
	}
	assert.Equal(t, []string{targetA + " in us-east-1 is named more than once, so the runbook runs there more than once"}, dup)
}
