package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func TestForRunbookRefusesInvalidDocuments(t *testing.T) {
	tests := []struct {
		name string
		src  string
		path string // wire path of a validation problem
	}{
		{name: "parameters-only fragment",
			src:  `{"schemaVersion":"0.3","parameters":{"InstanceId":{"type":"String"}}}`,
			path: "mainSteps"},
		{name: "step missing a required input",
			src:  `{"schemaVersion":"0.3","mainSteps":[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"]}}]}`,
			path: "mainSteps[0].inputs"},
		{name: "attachment not declared",
			src:  `{"schemaVersion":"0.3","mainSteps":[{"name":"s","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"s.h","Attachment":"s.zip"}}]}`,
			path: "mainSteps[0].inputs.Attachment"},
		{name: "document over the size limit",
			src:  `{"schemaVersion":"0.3","description":"` + strings.Repeat("x", 70_000) + `","mainSteps":[{"name":"s","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`,
			path: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := runbook.Parse([]byte(tt.src))
			require.NoError(t, err)
			d, err := ForRunbook(doc, testScope)
			require.Error(t, err)
			assert.Nil(t, d, "an invalid runbook has no derivation")
			assert.NotErrorIs(t, err, ErrUnderivable)
			ve, ok := runbook.AsValidationError(err)
			require.True(t, ok, "%v", err)
			var paths []string
			for _, p := range ve.Problems {
				paths = append(paths, p.Path)
			}
			found := false
			for _, p := range paths {
				found = found || strings.HasPrefix(p, tt.path)
			}
			assert.True(t, found, "problems at %v, want one at %s", paths, tt.path)
		})
	}
}
