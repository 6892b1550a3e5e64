// Package runbook models, builds, parses, encodes and validates schema 0.3
// AWS Systems Manager Automation documents (runbooks).
//
// # Model
//
// A [Document] holds parameters, variables, steps, outputs and file
// attachments. Each step's inputs are a typed struct per action
// ([ChangeInstanceState], [ExecuteAwsApi], [Branch], [Loop], …, see
// [Actions]); an action this package does not know is kept as [RawInputs]
// and an unknown input of a known action in the struct's Unknown field, so
// nothing is lost. Input values are [Value]s, which keep the exact JSON they
// were read from; [Param], [StepOutput], [Global], [Automation], [Var] and
// [CurrentIteratorValue] build {{ }} references, and [ParseReferences]
// reads them back. A value made of one reference keeps the referenced
// value's type: a StringList parameter fills InstanceIds.
//
// # Building
//
// [New] returns a [Builder]: every method returns a new value, so one
// builder can serve as a template for several documents, from several
// goroutines too. Builder values share what they have in common: the value
// at the tip appends in place, and a second branch from the same template
// copies its prefix, so building n steps takes O(n) time and memory.
// [Builder.Build] validates and returns every problem at once;
// [Builder.MustBuild] is for examples and tests. The document returned
// shares nothing with the builder.
//
// # Encoding
//
// [Parse] reads JSON or YAML (detected) strictly, with the wire path and
// line of structural errors in a [*ParseError], and losslessly: parse,
// encode and parse again gives an equal document. Duplicate keys are
// refused in both formats, naming the key and both of its lines, since
// one of the two values would silently be lost. timeoutSeconds, maxAttempts,
// isEnd and isCritical written as strings or references are kept as
// written ([Step].Verbatim), and so are empty descriptions and empty
// parameters, variables and files sections. A UTF-8 byte
// order mark is skipped; a UTF-16 or UTF-32 one is refused with
// [ErrUTF16]. YAML comments are not part of the model:
// [Document.YAMLKeeping] carries them from the source to the same keys
// and items of the canonical YAML, and refuses ([ErrYAMLLoss]) when one
// has no place or the source uses anchors or aliases, which encoding
// would expand; [YAMLLoss] tells what plain encoding would lose. fmt -w
// uses them and leaves the file untouched rather than lose text.
// [Document.JSON] and
// [Document.YAML] write a canonical, deterministic form without HTML
// escaping; schemaVersion is the string '0.3' in YAML.
//
// # Validation
//
// [Document.Validate] applies the rules Automation applies when a document
// is created or run: schema version, step names and flow targets, known
// actions with their required, typed and enumerated inputs and exclusive
// pairs, ISO 8601 durations, references that resolve to a declared
// parameter, an earlier step's output, a loop's iteration value or a
// global, automation or document variable, parameter defaults, outputs,
// and the service limits. Each [Problem] carries the wire path (such as
// mainSteps[1].inputs.DesiredState), the bad value, what is allowed and a
// stable Code; errors come as a [*ValidationError] usable with errors.As,
// warnings (unreachable steps, no assumeRole) separately in the [Report].
//
// What AWS accepts is accepted. A StringList written as a list item
// (InstanceIds: ['{{ launch.InstanceIds }}']) is expanded into the list; a
// StringList filling a String input (InstanceId) is only a warning, as the
// step fails only when the list holds several values. Top-level fields
// written with no value (description: with nothing after it, or JSON
// null) are absent. A PropertySelector without the leading "$"
// (Attributes.KmsMasterKeyId) is kept as written. An assumeRole may be
// built from global variables and String parameters
// (arn:{{ global:AWS_PARTITION }}:iam::{{ global:ACCOUNT_ID }}:role/Name);
// [Globals] and [Document.ResolveAssumeRole] fill them in for a known
// account and Region. An aws:branch inside an aws:loop that jumps to a step
// outside the loop is a warning ([CodeLoopExit]): the aws:loop
// documentation does not say what happens. timeoutSeconds above 600 on
// aws:executeScript, like above 300 on aws:invokeLambdaFunction, is a
// warning, as the runtime stops the step anyway. An aws:loop's
// IteratorDataType may be Boolean, Integer, String or StringMap, which
// types its CurrentIteratorValue. The Python runtimes AWS
// no longer accepts (python3.6, 3.7 and 3.8) are errors
// ([CodeRetiredRuntime]).
//
// One parser reads ISO 8601 durations ([ParseISODuration]) and one compiles
// allowedPattern ([CompilePattern]) for the whole module, the local
// endpoint included. AWS evaluates allowedPattern with Java's regular
// expressions; a pattern RE2 cannot compile ([ErrUncheckablePattern]) is a
// validation warning, is skipped by client-side checks before a start, and
// refuses the start on the local endpoint, which cannot decide it.
//
// # Performance
//
// Building, parsing, validating and encoding take time and memory linear
// in the number of steps; validation finds steps, parameters and outputs
// by name through maps, one map of the steps when their names are unique.
// BenchmarkBuild builds, validates and encodes 200, 800 and 2,000
// aws:changeInstanceState steps: about 1 KB and 6 allocations per step at
// every size, down from 1.5 KB and 12, and about a third less CPU time
// (where quadratic building once took 8.5 MB for 200 steps and 520 MB for
// 2,000). A builder keeps its steps in chunks that are never copied as it
// grows. Validation builds a problem's wire path only when it records the
// problem, checks names without regular expressions, decodes each input's
// string once for all its checks, and adds up the content size from the
// parts of the steps rather than encoding them again. [Document.JSON]
// indents as it encodes, in one pass.
// BenchmarkParseValidateEncode reports its ratio to an encoding/json round
// trip of the same document through map[string]any (x-json-map): 1.1 to
// 1.3 in CPU time.
//
// Measured on two idle cores (Go 1.26, -count 3): 200 steps in 0.27 to
// 0.29 ms, 1.35 to 1.45 µs a step; 800 steps 1.44 to 1.58 µs a step;
// 2,000 steps 2.25 µs a step; parse+validate+encode 1.10 times the map
// round trip. With the collector off (GOGC=off) a step costs the same at
// every size (1.42, 1.16 and 1.11 µs), so what grows at 2,000 steps is
// the collector marking a larger live document, not the building.
//
// # Duration bound
//
// [Document.MaxDuration] gives the worst-case duration of a run along its
// longest path: each step's timeout (timeoutSeconds or the action's
// documented default, capped at its documented maximum) times maxAttempts,
// sleeps, loops times their iterations and, when a resolver is supplied,
// child automations. Actions that make one API call and wait for nothing
// (aws:executeAwsApi, aws:createTags, aws:deleteImage) last at most
// [APICallSecs] per attempt: Automation's throttling retries, at most 3600
// s as documented, plus a 60 s allowance for the call, which AWS does not
// document. An aws:sleep whose Duration holds a reference ('PT{{ M }}M')
// sleeps at most the documented 7 days. A branch without Default goes on
// to the next step when no choice holds. Steps without a documented
// default timeout, maxAttempts from a reference, children started over
// targets or target maps, unknown children and cycles make the run
// unbounded. [DurationBound].Cause names the step that decides the bound:
// the first without one, or the heaviest on the longest path. Runs
// without a service role stop after 12 hours, so [DurationBound.Exceeds]
// tells when a runbook needs one.
//
// # References
//
//   - Creating runbooks: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-authoring-runbooks.html
//   - Document syntax and data elements: https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
//   - Automation actions reference: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
//   - Handling timeouts in runbooks: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-handling-timeouts.html
//   - Throttling retries: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-throttling-retry.html
//   - aws:branch: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-branch.html
//   - Automation system variables: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-variables.html
//   - aws:loop: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-loop.html
//   - aws:executeScript and its runtimes: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html
//   - Running an automation with delegated administration (the 12-hour limit): https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-delegated.html
//   - Systems Manager quotas: https://docs.aws.amazon.com/general/latest/gr/ssm.html
//   - CreateDocument naming rules: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html
package runbook
