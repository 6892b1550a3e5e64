// Package ssmdelegate is the module root of a toolkit for AWS Systems
// Manager Automation run with delegated administration: a restricted
// operator starts a runbook, and the runbook acts through a service role
// (the "assume role") that the operator never holds.
//
// # Packages
//
// Each persona finds its job in one package:
//
//   - [github.com/ssmdelegate/ssmdelegate/runbook]: the author's typed
//     builders, parser, validator and duration bound for schema 0.3
//     Automation documents.
//   - [github.com/ssmdelegate/ssmdelegate/policy]: the administrator's IAM
//     policy model, canned and derived least-privilege policies, lint and
//     evaluator.
//   - [github.com/ssmdelegate/ssmdelegate/delegate]: the administrator's
//     plans for the three ways of naming the service role, provisioned
//     idempotently through IAM and SSM.
//   - [github.com/ssmdelegate/ssmdelegate/execution]: the operator's start,
//     wait and watch of executions.
//   - [github.com/ssmdelegate/ssmdelegate/ssmlocal]: an embedded Automation
//     endpoint with IAM semantics for offline runs and tests.
//
// # References
//
//   - Running an automation by using delegated administration:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-delegated.html
//   - Running an automation by using an IAM service role:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-assume.html
package ssmdelegate
