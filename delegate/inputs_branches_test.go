package delegate

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// problemAt reports whether err holds a problem of kind at field whose
// message contains msg.
func problemAt(t *testing.T, err error, kind error, field, msg string) bool {
	t.Helper()
	var pe *PlanError
	require.ErrorAs(t, err, &pe)
	for _, p := range pe.Problems {
		var pr *Problem
		if errors.As(p, &pr) && pr.Field == field && strings.Contains(pr.Message, msg) && errors.Is(pr, kind) {
			return true
		}
	}
	return false
}

// TestMultiAccountInputRules covers the input rules of a multi-account
// plan that TestMultiAccountProblems leaves out, one case a rule.
func TestMultiAccountInputRules(t *testing.T) {
	demo := NewDocument("Restart-EC2InstanceDemo", restartDemo().Document())
	target := []types.Target{{Key: aws.String("tag:App"), Values: []string{"web"}}}
	loc := func(edit func(*Location)) []Location {
		l := Location{Accounts: []string{targetA}, Regions: []string{"us-east-1"}}
		edit(&l)
		return []Location{l}
	}
	tests := []struct {
		name   string
		region string
		locs   []Location
		optFn  func(*MultiAccountOptions)
		kind   error
		field  string
		msg    string
	}{
		{"unknown mode", testRegion, accountsLocation(), func(o *MultiAccountOptions) { o.Mode = Mode(42) },
			ErrInvalidInput, "mode", "unknown mode 42"},
		{"invalid Region", "mars-1", accountsLocation(), nil,
			ErrInvalidInput, "region", "not a Region"},
		{"invalid execution role name", testRegion, accountsLocation(), func(o *MultiAccountOptions) { o.ExecutionRoleName = "a//b" },
			ErrInvalidInput, "executionRoleName", "not a role name"},
		{"invalid execution policy name", testRegion, accountsLocation(), func(o *MultiAccountOptions) { o.ExecutionPolicyName = "no spaces" },
			ErrInvalidInput, "executionPolicyName", "inline policy name"},
		{"child OUs without an OU", testRegion, loc(func(l *Location) { l.IncludeChildOrganizationUnits = true }), nil,
			ErrConflict, "targetLocations[0].IncludeChildOrganizationUnits", "without an OU"},
		{"too many exclusions", testRegion, []Location{{OrganizationalUnits: []string{testOU}, Regions: []string{"us-east-1"},
			ExcludeAccounts: make([]string, MaxExcludeAccounts+1)}}, withOrg,
			ErrInvalidInput, "targetLocations[0].ExcludeAccounts", "at most"},
		{"bad targets concurrency", testRegion, loc(func(l *Location) { l.Targets, l.TargetsMaxConcurrency = target, "0" }),
			func(o *MultiAccountOptions) { o.TargetParameterName = "InstanceId" },
			ErrInvalidInput, "targetLocations[0].TargetsMaxConcurrency", "percentage"},
		{"bad targets max errors", testRegion, loc(func(l *Location) { l.Targets, l.TargetsMaxErrors = target, "x" }),
			func(o *MultiAccountOptions) { o.TargetParameterName = "InstanceId" },
			ErrInvalidInput, "targetLocations[0].TargetsMaxErrors", "percentage"},
		{"targets rate without targets", testRegion, loc(func(l *Location) { l.TargetsMaxErrors = "1" }), nil,
			ErrConflict, "targetLocations[0].TargetsMaxConcurrency", "without Targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var optFns []func(*MultiAccountOptions)
			if tt.optFn != nil {
				optFns = append(optFns, tt.optFn)
			}
			_, err := NewMultiAccountPlan(demo, testAccount, tt.region, tt.locs, optFns...)
			require.Error(t, err)
			assert.True(t, problemAt(t, err, tt.kind, tt.field, tt.msg), "no %v problem at %s mentioning %q in %v", tt.kind, tt.field, tt.msg, err)
		})
	}
}

// TestPlanRuntimeRoleParameterRules covers the runtime-mode rules of the
// document's assumeRole and role parameter that TestPlanConflicts leaves
// out.
func TestPlanRuntimeRoleParameterRules(t *testing.T) {
	role := runbook.String("arn:aws:iam::123456789012:role/Other")
	for _, tt := range []struct {
		name  string
		doc   *runbook.Document
		field string
		msg   string
	}{
		{"assumeRole expression", restartDemo().AssumeRole("arn:aws:iam::{{ global:ACCOUNT_ID }}:role/R").Document(),
			"assumeRole", "is an expression"},
		{"allowedValues without the role", restartDemo().Parameter(runbook.StringParameter(AssumeRoleParameter).AllowedValues(role)).Document(),
			"parameters.AutomationAssumeRole.allowedValues", "does not allow the role"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPlan(NewDocument("Demo-Doc", tt.doc), Runtime, testAccount, testRegion)
			require.Error(t, err)
			assert.True(t, problemAt(t, err, ErrConflict, tt.field, tt.msg), "problems: %v", err)
		})
	}

	// A role in allowedValues is accepted.
	p, err := NewPlan(NewDocument("Demo-Doc", restartDemo().Parameter(runbook.StringParameter(AssumeRoleParameter).
		AllowedValues(role, runbook.String("arn:aws:iam::123456789012:role/Demo-Doc-AutomationRole"))).Document()),
		Runtime, testAccount, testRegion, func(o *Options) { o.RoleName = "Demo-Doc-AutomationRole" })
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:role/Demo-Doc-AutomationRole", p.Role.ARN)
}
