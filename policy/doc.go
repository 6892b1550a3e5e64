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
// encodes back to the same document.
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
//   - Setting up Automation (service role, PassRole):
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html
package policy
