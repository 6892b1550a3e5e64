package delegate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// accessCase is one authorization question about a multi-account plan's
// roles, decided by policy.Evaluate and by the independent simulator.
type accessCase struct {
	name      string
	principal string
	action    string
	resource  string
	identity  *policy.Policy
	trust     *policy.Policy // the role's trust policy for sts:AssumeRole
	context   map[string][]string
	allowed   bool
}

func (c accessCase) evaluate() policy.Result {
	var ids []policy.NamedPolicy
	if c.identity != nil {
		ids = append(ids, policy.NamedPolicy{Name: "identity", Policy: c.identity})
	}
	var rp *policy.NamedPolicy
	if c.trust != nil {
		rp = &policy.NamedPolicy{Name: "trust", Policy: c.trust}
	}
	return policy.Evaluate(policy.Request{Principal: c.principal, Action: c.action, Resource: c.resource, Context: c.context}, ids, rp)
}

// allowAssumeAny is the identity policy of a principal that may assume any
// role, so that only the trust policy decides.
func allowAssumeAny() *policy.Policy {
	return policy.New(policy.Statement{Effect: policy.Allow, Action: policy.List("sts:AssumeRole"), Resource: policy.List("*")})
}

func roleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// multiAccessCases asks what the accounts plan and the OU plan allow.
func multiAccessCases(t *testing.T) []accessCase {
	t.Helper()
	p := mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), accountsLocation())
	admin := p.AdministrationRole
	execName := policy.ExecutionRoleName
	var cases []accessCase
	trustOf := func(acct string) *policy.Policy {
		for _, r := range p.ExecutionRoles {
			if r.Account == acct {
				return r.Trust
			}
		}
		// An account outside the plan whose role trusts the admin role.
		return policy.New(policy.Statement{Effect: policy.Allow, Principal: policy.AWSPrincipal(admin.ARN), Action: policy.One("sts:AssumeRole")})
	}
	for _, acct := range []string{targetA, targetB} {
		cases = append(cases, accessCase{name: "admin role assumes the execution role of " + acct, principal: admin.ARN, action: "sts:AssumeRole",
			resource: roleARN(acct, execName), identity: admin.Permissions, trust: trustOf(acct), allowed: true})
		cases = append(cases, accessCase{name: "admin role cannot assume another role of " + acct, principal: admin.ARN, action: "sts:AssumeRole",
			resource: roleARN(acct, "OrganizationAccountAccessRole"), identity: admin.Permissions, trust: trustOf("999999999999")})
	}
	cases = append(cases,
		accessCase{name: "admin role cannot assume the execution role of an account outside the plan", principal: admin.ARN, action: "sts:AssumeRole",
			resource: roleARN("777788889999", execName), identity: admin.Permissions, trust: trustOf("777788889999")},
		accessCase{name: "admin role cannot do anything else", principal: admin.ARN, action: "ec2:StopInstances",
			resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-1", identity: admin.Permissions},
	)
	for _, r := range p.ExecutionRoles {
		acct := r.Account
		cases = append(cases,
			accessCase{name: acct + " trust: another role of the admin account", principal: roleARN(testAccount, "Other"), action: "sts:AssumeRole",
				resource: r.ARN, identity: allowAssumeAny(), trust: r.Trust},
			accessCase{name: acct + " trust: the admin role's name in another account", principal: roleARN("999999999999", admin.Name), action: "sts:AssumeRole",
				resource: r.ARN, identity: allowAssumeAny(), trust: r.Trust},
			accessCase{name: acct + " trust: the admin account's root", principal: "arn:aws:iam::" + testAccount + ":root", action: "sts:AssumeRole",
				resource: r.ARN, identity: allowAssumeAny(), trust: r.Trust},
			accessCase{name: acct + " trust: Systems Manager for this account", principal: policy.SSMServicePrincipal, action: "sts:AssumeRole",
				resource: r.ARN, trust: r.Trust, allowed: true, context: map[string][]string{
					"aws:SourceAccount": {acct}, "aws:SourceArn": {"arn:aws:ssm:us-west-2:" + acct + ":automation-execution/abc"}}},
			accessCase{name: acct + " trust: Systems Manager for another account", principal: policy.SSMServicePrincipal, action: "sts:AssumeRole",
				resource: r.ARN, trust: r.Trust, context: map[string][]string{
					"aws:SourceAccount": {"999999999999"}, "aws:SourceArn": {"arn:aws:ssm:us-west-2:999999999999:automation-execution/abc"}}},
		)
		for _, region := range p.Regions {
			for _, action := range []string{"ec2:StopInstances", "ec2:StartInstances"} {
				cases = append(cases, accessCase{name: acct + " " + region + " " + action, principal: r.ARN, action: action,
					resource: "arn:aws:ec2:" + region + ":" + acct + ":instance/i-0123", identity: r.Permissions, allowed: true})
			}
			cases = append(cases,
				accessCase{name: acct + " " + region + " ec2:DescribeInstanceStatus", principal: r.ARN, action: "ec2:DescribeInstanceStatus",
					resource: "*", identity: r.Permissions, allowed: true},
				accessCase{name: acct + " " + region + " starts the runbook", principal: r.ARN, action: "ssm:StartAutomationExecution",
					resource: "arn:aws:ssm:" + region + ":" + acct + ":automation-definition/Restart-EC2InstanceDemo:$DEFAULT", identity: r.Permissions, allowed: true},
				accessCase{name: acct + " " + region + " cannot start another runbook", principal: r.ARN, action: "ssm:StartAutomationExecution",
					resource: "arn:aws:ssm:" + region + ":" + acct + ":automation-definition/Other:$DEFAULT", identity: r.Permissions},
				accessCase{name: acct + " " + region + " cannot terminate", principal: r.ARN, action: "ec2:TerminateInstances",
					resource: "arn:aws:ec2:" + region + ":" + acct + ":instance/i-0123", identity: r.Permissions},
			)
		}
		cases = append(cases,
			accessCase{name: acct + " passes itself to Systems Manager", principal: r.ARN, action: "iam:PassRole", resource: r.ARN,
				identity: r.Permissions, allowed: true, context: map[string][]string{"iam:PassedToService": {policy.SSMServicePrincipal}}},
			accessCase{name: acct + " does not pass itself to Lambda", principal: r.ARN, action: "iam:PassRole", resource: r.ARN,
				identity: r.Permissions, context: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}},
		)
	}

	ou := mustMulti(t, ExistingDocument("AWS-RestartEC2Instance", awsRestart(t)), ouLocation(), withOrg)
	oadmin := ou.AdministrationRole
	execIn := func(acct string) string { return roleARN(acct, execName) }
	paths := func(acct, path string) map[string][]string {
		return map[string][]string{"aws:ResourceOrgPaths": {path}, "aws:ResourceAccount": {acct}}
	}
	for _, c := range []struct {
		name, acct, path string
		allowed          bool
	}{
		{"an account of the OU", targetA, "o-a1b2c3d4e5/r-ab12/ou-ab12-cdef3456/", true},
		{"an account of a child OU", targetB, "o-a1b2c3d4e5/r-ab12/ou-ab12-cdef3456/ou-ab12-99998888/", true},
		{"an account of another OU", targetA, "o-a1b2c3d4e5/r-ab12/ou-ab12-11112222/", false},
		{"the same OU id in another organization", targetA, "o-zzzzzzzzzz/r-ab12/ou-ab12-cdef3456/", false},
		{"an excluded account", "777788889999", "o-a1b2c3d4e5/r-ab12/ou-ab12-cdef3456/", false},
	} {
		cases = append(cases, accessCase{name: "OU plan: " + c.name, principal: oadmin.ARN, action: "sts:AssumeRole",
			resource: execIn(c.acct), identity: oadmin.Permissions, allowed: c.allowed, context: paths(c.acct, c.path),
			trust: policy.New(policy.Statement{Effect: policy.Allow, Principal: policy.AWSPrincipal(oadmin.ARN), Action: policy.One("sts:AssumeRole")})})
	}
	// An excluded OU below a targeted one.
	xou := mustMulti(t, ExistingDocument("AWS-RestartEC2Instance", awsRestart(t)), []Location{{OrganizationalUnits: []string{testOU},
		IncludeChildOrganizationUnits: true, ExcludeAccounts: []string{"ou-ab12-77778888"}, Regions: []string{"eu-west-1"}}}, withOrg)
	xadmin := xou.AdministrationRole
	for _, c := range []struct {
		name, path string
		allowed    bool
	}{
		{"an account of an included child OU", "o-a1b2c3d4e5/r-ab12/ou-ab12-cdef3456/ou-ab12-99998888/", true},
		{"an account of the excluded child OU", "o-a1b2c3d4e5/r-ab12/ou-ab12-cdef3456/ou-ab12-77778888/", false},
		{"an account below the excluded child OU", "o-a1b2c3d4e5/r-ab12/ou-ab12-cdef3456/ou-ab12-77778888/ou-ab12-66665555/", false},
	} {
		cases = append(cases, accessCase{name: "OU plan with an excluded OU: " + c.name, principal: xadmin.ARN, action: "sts:AssumeRole",
			resource: execIn(targetA), identity: xadmin.Permissions, allowed: c.allowed, context: paths(targetA, c.path),
			trust: policy.New(policy.Statement{Effect: policy.Allow, Principal: policy.AWSPrincipal(xadmin.ARN), Action: policy.One("sts:AssumeRole")})})
	}
	cases = append(cases,
		// The administrator is the management account here, which owns the
		// organization's OUs.
		accessCase{name: "OU plan: lists the accounts of the OU", principal: oadmin.ARN, action: "organizations:ListAccountsForParent",
			resource: "arn:aws:organizations::" + testAccount + ":ou/o-a1b2c3d4e5/ou-ab12-cdef3456", identity: oadmin.Permissions, allowed: true},
		accessCase{name: "OU plan: lists nothing of another organization", principal: oadmin.ARN, action: "organizations:ListAccountsForParent",
			resource: "arn:aws:organizations::" + testAccount + ":ou/o-zzzzzzzzzz/ou-ab12-cdef3456", identity: oadmin.Permissions},
	)
	return cases
}

func TestMultiAccountRolesEvaluate(t *testing.T) {
	for _, c := range multiAccessCases(t) {
		t.Run(c.name, func(t *testing.T) {
			res := c.evaluate()
			assert.Equal(t, c.allowed, res.Allowed(), "decision %v", res.Decision)
		})
	}
}

// TestStackSetRoleMatchesAccountRoles checks that the StackSet's generic
// role, once an account fills it in, is that account's planned role.
func TestStackSetRoleMatchesAccountRoles(t *testing.T) {
	p := mustMulti(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), accountsLocation())
	require.NotNil(t, p.StackSetRole)
	for _, r := range p.ExecutionRoles {
		t.Run(r.Account, func(t *testing.T) {
			fill := func(pol *policy.Policy) string {
				b, err := pol.JSON()
				require.NoError(t, err)
				s := strings.ReplaceAll(string(b), placeholderAccount, r.Account)
				return strings.ReplaceAll(s, placeholderAdmin, p.AdminAccount)
			}
			assert.Equal(t, mustJSON(t, r.Trust), fill(p.StackSetRole.Trust))
			assert.Equal(t, mustJSON(t, r.Permissions), fill(p.StackSetRole.Permissions))
		})
	}
}

func mustJSON(t *testing.T, p *policy.Policy) string {
	t.Helper()
	b, err := p.JSON()
	require.NoError(t, err)
	return string(b)
}

// The simulator is the one the policy package's differential test pins.
const simulatorDir = "../policy/testdata/iamsim"

func requireSimulator(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(simulatorDir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err != nil {
		missing = "the simulator is not installed (run: npm ci --prefix policy/testdata/iamsim)"
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		require.FailNow(t, "simulator check cannot run in CI: "+missing)
	}
	t.Skipf("simulator check skipped: %s", missing)
}

type simPolicy struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

type simCase struct {
	ID              string              `json:"id"`
	Identity        []simPolicy         `json:"identityPolicies"`
	ResourcePolicy  json.RawMessage     `json:"resourcePolicy,omitempty"`
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	Resource        string              `json:"resource"`
	ResourceAccount string              `json:"resourceAccount"`
	Context         map[string][]string `json:"context"`
}

type simAnswer struct {
	ID       string `json:"id"`
	Decision string `json:"decision"`
	Error    string `json:"error"`
}

// TestMultiAccountRolesSimulate asks the independent simulator the same
// questions as TestMultiAccountRolesEvaluate.
func TestMultiAccountRolesSimulate(t *testing.T) {
	requireSimulator(t)
	cases := multiAccessCases(t)
	var wire []simCase
	for i, c := range cases {
		sc := simCase{ID: fmt.Sprint(i), Principal: c.principal, Action: c.action, Resource: c.resource, Context: c.context}
		if c.identity != nil {
			b, err := c.identity.Compact()
			require.NoError(t, err)
			sc.Identity = []simPolicy{{Name: "identity", Policy: b}}
		}
		if c.trust != nil {
			b, err := c.trust.Compact()
			require.NoError(t, err)
			sc.ResourcePolicy = b
		}
		if a, err := policy.ParseARN(c.resource); err == nil && a.Account != "" {
			sc.ResourceAccount = a.Account
		} else if a, err := policy.ParseARN(c.principal); err == nil {
			sc.ResourceAccount = a.Account
		}
		if v, ok := c.context["aws:ResourceAccount"]; ok {
			sc.ResourceAccount = v[0]
		}
		if sc.Context == nil {
			sc.Context = map[string][]string{}
		}
		wire = append(wire, sc)
	}
	in, err := json.Marshal(wire)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "simulate.mjs")
	cmd.Dir = simulatorDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "simulator: %s", stderr.String())
	var answers []simAnswer
	require.NoError(t, json.Unmarshal(out, &answers))
	require.Len(t, answers, len(cases))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := answers[i]
			require.Empty(t, a.Error)
			assert.Equal(t, c.allowed, a.Decision == "Allowed", "simulator decided %s", a.Decision)
		})
	}
}
