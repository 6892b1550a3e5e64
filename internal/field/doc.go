// Package field is the one model of a problem found in a named field of an
// input: a runbook, a policy, a plan's inputs or a start request.
//
// # Paths
//
// A [Path] is built from its root outwards, in the spirit of Kubernetes'
// apimachinery field paths:
//
//	field.NewPath("mainSteps").Index(2).Child("inputs").Child("InstanceIds")
//
// renders as "mainSteps[2].inputs.InstanceIds", the wire path of the JSON
// or YAML the user wrote. [Path.Key] renders a map key the way IAM policy
// paths do: plainly when it is an identifier, else quoted in brackets
// (Condition["aws:SourceAccount"]). A nil *Path is the root, the document
// itself, and renders as "".
//
// # Errors
//
// An [Error] carries a stable Code, the rendered Path, the offending Value,
// what is Allowed, a Detail for people and a [Severity]. A [List] collects
// them in the order found. The library packages keep their own exported
// types (runbook.Problem, policy.Finding, delegate.Problem,
// execution.InputProblem) as thin wrappers built from an Error, so that
// their callers do not change.
package field
