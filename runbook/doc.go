// Package runbook models, builds, parses, encodes and validates schema 0.3
// AWS Systems Manager Automation documents (runbooks).
//
// # Model
//
// A [Document] holds parameters, variables, steps and outputs. Each step's
// inputs are a typed struct per action ([ChangeInstanceState],
// [ExecuteAwsApi], [Branch], [Loop], …); an action this package does not
// know is kept as [RawInputs] and an unknown input of a known action in the
// struct's Unknown field, so nothing is lost. Input values are [Value]s,
// which keep the exact JSON they were read from; [Param], [StepOutput],
// [Global], [Automation] and [Var] build {{ }} references.
//
// # Building
//
// [New] returns a copy-on-write [Builder]; [Builder.Build] validates and
// returns every problem at once.
//
// # Encoding
//
// [Parse] reads JSON or YAML (detected) strictly and losslessly;
// [Document.JSON] and [Document.YAML] write a canonical, deterministic form.
//
// # Validation
//
// [Document.Validate] reports each [Problem] with its wire path, such as
// mainSteps[1].inputs.DesiredState, the bad value and what is allowed.
//
// # References
//
//   - Creating runbooks: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-authoring-runbooks.html
//   - Data elements and parameters: https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
//   - Automation actions reference: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
//   - Variables: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-variables.html
package runbook
