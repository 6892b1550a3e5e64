package delegate

import (
	"github.com/ssmdelegate/ssmdelegate/internal/field"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func (p *Plan) scope() policy.Scope {
	return policy.Scope{Partition: p.Partition, Region: p.Region, Account: p.Account}
}

// globals are the automation variables the plan's account and Region fix,
// for an assumeRole built from them.
func (p *Plan) globals() runbook.Globals {
	return runbook.Globals{Partition: p.Partition, AccountID: p.Account, Region: p.Region}
}

// lintPolicies checks every policy the plan produces; errors fail the plan,
// warnings are passed on.
func (p *Plan) lintPolicies(ps *problems) {
	check := func(name string, pol *policy.Policy, kind policy.Kind, limit int) {
		if pol == nil {
			return
		}
		rep := policy.Lint(pol, kind, func(o *policy.LintOptions) { o.SizeLimit = limit })
		if err := rep.Err(); err != nil {
			ps.wrap(ErrInvalidOutput, name, err)
		}
		for _, f := range rep.Warnings() {
			p.warn(field.NewPath(name, f.Path).String(), "%s", f.Message)
		}
	}
	if r := p.Role; r != nil {
		check("role.trustPolicy", r.Trust, policy.KindTrust, policy.LimitTrust)
		check("role.permissionsPolicy", r.Permissions, policy.KindIdentity, policy.LimitRoleInline)
	}
	check("operatorPolicy", p.OperatorPolicy, policy.KindIdentity, policy.LimitManaged)
}
