package runbook

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A document's error-level problems make a *ValidationError that lists
// them all, each reachable with errors.As; warnings stay in the report.
func TestValidationErrorListsEveryProblem(t *testing.T) {
	doc := mustParse(t, `schemaVersion: '0.2'
mainSteps:
- {name: a, action: 'aws:sleep', inputs: {Duration: PT1M}}
- {name: b, action: 'aws:sleep', inputs: {Duration: PT1M}}
`)
	rep := doc.Validate()
	require.Len(t, rep.Errors, 1)
	// Without assumeRole the run uses the caller's session, which AWS
	// stops after 12 hours: a warning, not an error.
	require.Len(t, rep.Warnings, 1)
	assert.Equal(t, CodeNoAssumeRole, rep.Warnings[0].Code)
	assert.Equal(t, append(rep.Errors, rep.Warnings...), rep.Problems())
	err := rep.Err()
	require.Error(t, err)
	assert.Equal(t, `runbook: invalid document: schemaVersion: unsupported schema version (got "0.2"); allowed: 0.3`, err.Error())
	ve, ok := AsValidationError(err)
	require.True(t, ok)
	assert.Equal(t, rep.Errors, ve.Problems)
	var p Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, CodeSchemaVersion, p.Code)
	assert.Equal(t, SeverityError, p.Severity)

	_, ok = AsValidationError(errors.New("other"))
	assert.False(t, ok)
	assert.NoError(t, Report{Warnings: rep.Errors}.Err(), "warnings alone are not an error")
}

func TestReportProblemsListsErrorsThenWarnings(t *testing.T) {
	e := Problem{Code: CodeLimit, Message: "e"}
	w := Problem{Code: CodeUnreachable, Message: "w", Severity: SeverityWarning}
	assert.Equal(t, []Problem{e, w}, Report{Errors: []Problem{e}, Warnings: []Problem{w}}.Problems())
	assert.Empty(t, Report{}.Problems())
}

func TestProblemError(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Problem
		want string
	}{
		{"document level", Problem{Message: "document content too large", Value: "70000 bytes", Allowed: "at most 65536 bytes"},
			"document content too large (got 70000 bytes); allowed: at most 65536 bytes"},
		{"warning", Problem{Path: "mainSteps[1]", Message: "step is never reached", Value: `"b"`, Severity: SeverityWarning},
			`mainSteps[1]: warning: step is never reached (got "b")`},
		{"long value is cut", Problem{Path: "p", Message: "m", Value: `"` + string(make([]byte, 100)) + `"`},
			`p: m (got "` + string(make([]byte, 79)) + `…)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.p.Error())
		})
	}
}

// A condition of aws:branch needs an operator; the problem lists the
// operators the Automation documentation defines.
func TestChoiceWithoutOperator(t *testing.T) {
	doc := mustParse(t, `schemaVersion: '0.3'
mainSteps:
- {name: a, action: 'aws:branch', inputs: {Choices: [{NextStep: b, Variable: x}]}}
- {name: b, action: 'aws:sleep', inputs: {Duration: PT1M}}
`)
	var got *Problem
	for _, p := range doc.Validate().Errors {
		if p.Path == "mainSteps[0].inputs.Choices[0]" && p.Code == CodeRequiredInput {
			got = &p
		}
	}
	require.NotNil(t, got, "a condition without an operator is reported")
	assert.Equal(t, "a condition needs an operator", got.Message)
	for _, op := range []string{"StringEquals", "NumericGreater", "BooleanEquals", "Contains", "EqualsIgnoreCase"} {
		assert.Contains(t, got.Allowed, op)
	}
}
