package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

var updateMulti = flag.Bool("update-multiaccount", false, "rewrite the multi-account golden files in testdata/multiaccount")

func goldenMulti(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "multiaccount", name)
	if *updateMulti {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update-multiaccount to create %s", path)
	assert.Equal(t, string(want), got)
}

func TestPlanMultiAccountGolden(t *testing.T) {
	dir := t.TempDir()
	demo := filepath.Join(dir, "Restart-EC2InstanceDemo.json")
	require.NoError(t, os.WriteFile(demo, []byte(planDemo), 0o644))
	accounts := []string{demo, "--admin-account", "123456789012", "--accounts", "111122223333,444455556666",
		"--regions", "us-east-1,us-west-2", "--region", "us-east-1", "--location-max-concurrency", "2"}
	ous := []string{"--name", "AWS-RestartEC2Instance", "--execution-role-policy", planFile(t, "stop.json",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:StopInstances","ec2:StartInstances"],"Resource":"arn:aws:ec2:*:*:instance/*"}]}`),
		"--admin-account", "123456789012", "--ous", "ou-ab12-cdef3456", "--organization-access", "--organization-id", "o-a1b2c3d4e5",
		"--include-child-ous", "--exclude-accounts", "777788889999", "--regions", "eu-west-1", "--region", "us-east-1"}
	with := func(base []string, extra ...string) []string { return append(append([]string{}, base...), extra...) }
	tests := []struct {
		name string
		args []string
	}{
		{"accounts.txt", with(accounts, "--format", "text")},
		{"accounts.json", with(accounts)},
		{"accounts.admin.cfn.json", with(accounts, "--format", "cloudformation")},
		{"accounts.stackset.cfn.json", with(accounts, "--format", "stackset")},
		{"ous.txt", with(ous, "--format", "text")},
		{"ous.stackset.cfn.json", with(ous, "--format", "stackset")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runPlan(tt.args...)
			require.Equal(t, 0, code, stderr)
			goldenMulti(t, tt.name, stdout)
		})
	}
}

func TestPlanMultiAccountErrors(t *testing.T) {
	demo := planFile(t, "demo.json", planDemo)
	base := []string{demo, "--admin-account", "123456789012", "--region", "us-east-1"}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"OUs without organization access", with("--ous", "ou-ab12-cdef3456", "--regions", "us-east-1"), 1,
			[]string{"cannot plan demo across accounts", "targetLocations[0].Accounts", "organization access"}},
		{"admin account as a target", with("--accounts", "123456789012", "--regions", "us-east-1"), 1,
			[]string{"targetLocations[0].Accounts[0]", "administrator account"}},
		{"admin account allowed", with("--accounts", "123456789012", "--regions", "us-east-1", "--allow-admin-account", "--format", "text"), 0, nil},
		{"bad account", with("--accounts", "12", "--regions", "us-east-1"), 1, []string{"12-digit"}},
		{"no Regions", with("--accounts", "111122223333"), 1, []string{"targetLocations[0].Regions"}},
		{"caller-style literal role", []string{planFile(t, "lit.json", `{"schemaVersion":"0.3","assumeRole":"arn:aws:iam::111122223333:role/Fixed",
		  "mainSteps":[{"name":"s","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`), "--admin-account", "123456789012", "--region", "us-east-1",
			"--accounts", "111122223333", "--regions", "us-east-1"}, 1, []string{"assumeRole", "account 111122223333"}},
		{"bad format", with("--accounts", "111122223333", "--regions", "us-east-1", "--format", "yaml"), 2, []string{"unknown format"}},
		{"no home Region", []string{demo, "--admin-account", "123456789012", "--accounts", "111122223333", "--regions", "us-east-1"}, 2, []string{"--region"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runPlan(tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			for _, s := range tt.stderr {
				assert.Contains(t, stderr, s)
			}
		})
	}
}

func TestLocationFlags(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  string
	}{
		{"accounts and OUs", "accounts=111122223333,ou-ab12-cdef3456;regions=us-east-1,us-west-2;children=true;exclude=777788889999;max-concurrency=2;max-errors=1", ""},
		{"not key=value", "accounts", "not KEY=VALUE"},
		{"unknown key", "zones=a", "unknown location key"},
		{"bad children", "children=yes", "want true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l locationFlags
			err := l.Set(tt.in)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, l.locs, 1)
			loc := l.locs[0]
			assert.Equal(t, []string{"111122223333"}, loc.Accounts)
			assert.Equal(t, []string{"ou-ab12-cdef3456"}, loc.OrganizationalUnits)
			assert.Equal(t, []string{"us-east-1", "us-west-2"}, loc.Regions)
			assert.True(t, loc.IncludeChildOrganizationUnits)
			assert.Equal(t, "2", loc.MaxConcurrency)
			assert.Equal(t, "1", loc.MaxErrors)
		})
	}
}

func TestRunDryRunWithLocations(t *testing.T) {
	srv := localEndpoint(t)
	acct := srv.AccountID()
	admin := "arn:aws:iam::" + acct + ":role/AWS-SystemsManager-AutomationAdministrationRole"
	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--dry-run", "--param", "InstanceId=i-1",
		"--mode", "runtime", "--role", admin,
		"--locations", "accounts=111122223333,444455556666;regions=us-east-1,us-west-2;max-concurrency=2;max-errors=1",
		"--locations", "accounts=777788889999;regions=eu-west-1", "--endpoint", srv.URL()}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "would start: AWS-RestartEC2Instance\n"+
		"  parameter AutomationAssumeRole = "+admin+"\n"+
		"  parameter InstanceId = i-1\n"+
		"  location 111122223333, 444455556666 in us-east-1, us-west-2 as AWS-SystemsManager-AutomationExecutionRole, concurrency 2, errors 1\n"+
		"  location 777788889999 in eu-west-1 as AWS-SystemsManager-AutomationExecutionRole\n", stdout.String())

	// The JSON result lists the locations as the API takes them.
	stdout.Reset()
	stderr.Reset()
	code = runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--dry-run", "--param", "InstanceId=i-1",
		"--mode", "runtime", "--role", admin, "--format", "json", "--organization-access", "--execution-role-name", "Exec",
		"--locations", "accounts=ou-ab12-cdef3456;regions=us-east-1;children=true;exclude=777788889999", "--endpoint", srv.URL()}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	var res struct {
		TargetLocations []map[string]any `json:"targetLocations"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &res))
	assert.Equal(t, []map[string]any{{"Accounts": []any{"ou-ab12-cdef3456"}, "ExcludeAccounts": []any{"777788889999"}, "ExecutionRoleName": "Exec",
		"IncludeChildOrganizationUnits": true, "Regions": []any{"us-east-1"}}}, res.TargetLocations)

	stdout.Reset()
	stderr.Reset()
	code = runWith(t.Context(), []string{"--document", ssmlocal.RestartEC2Instance, "--dry-run", "--param", "InstanceId=i-1",
		"--mode", "runtime", "--role", admin,
		"--locations", "accounts=ou-ab12-cdef3456;regions=us-east-1", "--endpoint", srv.URL()}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.True(t, strings.Contains(stderr.String(), "organization access"), stderr.String())
}

func TestRunLocationsUsage(t *testing.T) {
	loc := "accounts=111122223333;regions=us-east-1"
	role := "arn:aws:iam::123456789012:role/AWS-SystemsManager-AutomationAdministrationRole"
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"with a FILE", []string{"runbook.json", "--mode", "runtime", "--role", role, "--locations", loc, "--aws"}, "--locations needs --document"},
		{"without runtime mode", []string{"--document", "AWS-RestartEC2Instance", "--locations", loc, "--aws"}, "--locations needs --document"},
		{"execution role without locations", []string{"--document", "AWS-RestartEC2Instance", "--execution-role-name", "R", "--aws"}, "go with --locations"},
		{"bad location", []string{"--document", "AWS-RestartEC2Instance", "--locations", "zones=a", "--aws"}, "unknown location key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, code := parseRunFlags(tt.args, &stderr)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr.String(), tt.msg)
		})
	}
}

func FuzzLocationFlag(f *testing.F) {
	f.Add("accounts=111122223333,ou-ab12-cdef3456;regions=us-east-1;children=true;max-errors=1")
	f.Add(";;=;accounts=")
	f.Fuzz(func(t *testing.T, s string) {
		var l locationFlags
		if err := l.Set(s); err != nil {
			return
		}
		require.Len(t, l.locs, 1)
		// Whatever parses is then checked, never trusted.
		_, _ = delegateTargetLocations(l.locs)
	})
}

func delegateTargetLocations(locs []delegate.Location) ([]types.TargetLocation, error) {
	return delegate.NewTargetLocations("123456789012", "us-east-1", locs, func(o *delegate.MultiAccountOptions) { o.OrganizationAccess = true })
}
