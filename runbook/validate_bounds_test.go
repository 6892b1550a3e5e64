package runbook

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidateBounds holds the document-level bounds at both sides of
// their edge and checks every error reported: step name characters,
// parameter item and character bounds, maxAttempts and timeoutSeconds.
func TestValidateBounds(t *testing.T) {
	for _, c := range []struct {
		name   string
		doc    string
		errors []string
	}{
		{name: "step name of every allowed class", doc: header + "- {name: azAZ09_, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"},
		{name: "maxAttempts 1", doc: header + "- {name: a, action: 'aws:sleep', maxAttempts: 1, inputs: {Duration: PT1S}}\n"},
		{name: "maxAttempts 0", doc: header + "- {name: a, action: 'aws:sleep', maxAttempts: 0, inputs: {Duration: PT1S}}\n",
			errors: []string{CodeLimit + " mainSteps[0].maxAttempts"}},
		{name: "timeoutSeconds 1", doc: header + "- {name: a, action: 'aws:sleep', timeoutSeconds: 1, inputs: {Duration: PT1S}}\n"},
		{name: "timeoutSeconds 0", doc: header + "- {name: a, action: 'aws:sleep', timeoutSeconds: 0, inputs: {Duration: PT1S}}\n",
			errors: []string{CodeLimit + " mainSteps[0].timeoutSeconds"}},
		{name: "minItems 0", doc: paramDoc("{type: StringList, minItems: 0}")},
		{name: "minItems -1", doc: paramDoc("{type: StringList, minItems: -1}"), errors: []string{CodeParameter + " parameters.P.minItems"}},
		{name: "maxItems 0", doc: paramDoc("{type: StringList, maxItems: 0}")},
		{name: "maxItems -1", doc: paramDoc("{type: StringList, maxItems: -1}"), errors: []string{CodeParameter + " parameters.P.maxItems"}},
		{name: "minChars -1", doc: paramDoc("{type: String, minChars: -1}"), errors: []string{CodeParameter + " parameters.P.minChars"}},
		{name: "minItems equal to maxItems", doc: paramDoc("{type: StringList, minItems: 2, maxItems: 2, default: [a, b]}")},
		{name: "minChars equal to maxChars", doc: paramDoc("{type: String, minChars: 2, maxChars: 2, default: ab}")},
		{name: "default one item short", doc: paramDoc("{type: StringList, minItems: 3, default: [a, b]}"), errors: []string{CodeParameter + " parameters.P.default"}},
		{name: "default one character short", doc: paramDoc("{type: String, minChars: 3, default: ab}"), errors: []string{CodeParameter + " parameters.P.default"}},
		{name: "empty default not too short", doc: paramDoc("{type: String, minChars: 3, default: ''}")},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse([]byte(c.doc))
			require.NoError(t, err)
			r := doc.Validate()
			assert.ElementsMatch(t, c.errors, problemList(r.Errors), "errors %v", r.Errors)
		})
	}
}

// TestStepNameCharacters checks that a step name takes letters, digits
// and underscores only, testing the characters on each side of each
// allowed range.
func TestStepNameCharacters(t *testing.T) {
	for _, c := range []struct {
		char string
		ok   bool
	}{
		{"a", true}, {"z", true}, {"A", true}, {"Z", true}, {"0", true}, {"9", true}, {"_", true},
		{"`", false}, {"{", false}, {"@", false}, {"[", false}, {"/", false}, {":", false}, {"-", false},
	} {
		t.Run(c.char, func(t *testing.T) {
			assert.Equal(t, c.ok, isStepName("s"+c.char), "s%s", c.char)
			assert.Equal(t, c.ok, isStepName(c.char+strings.Repeat("s", 2)), "%sss", c.char)
		})
	}
	assert.False(t, isStepName(""))
}
