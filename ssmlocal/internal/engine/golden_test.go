package engine

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, encoded as indented JSON, with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), b.String(), "%s differs from the golden file (run with -update to rewrite it)", path)
}

// TestGoldenExecutions pins what GetAutomationExecution reports for
// finished executions, member for member.
func TestGoldenExecutions(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		params func(h *harness) map[string][]string
	}{
		{name: "restart", params: func(h *harness) map[string][]string {
			return map[string][]string{"InstanceId": {h.cloud.addInstance("running")}}
		}},
		{name: "failed-retry", doc: `
schemaVersion: '0.3'
mainSteps:
- name: describe
  action: aws:executeAwsApi
  maxAttempts: 2
  timeoutSeconds: 30
  onFailure: step:report
  inputs: {Service: ec2, Api: DescribeInstances}
  outputs:
  - {Name: Count, Selector: '$.Reservations[0].Instances.length', Type: Integer}
- name: never
  action: aws:sleep
  inputs: {Duration: PT1M}
- name: report
  action: aws:executeAwsApi
  isEnd: true
  inputs: {Service: ssm, Api: PutParameter, Name: /runs/last, Value: '{{ automation:EXECUTION_ID }}'}
outputs: [describe.Count]
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.cloud.deny["DescribeInstances"] = true
				doc := restartDoc()
				if tt.doc != "" {
					doc = mustParse(t, tt.doc)
				}
				var params map[string][]string
				if tt.params != nil {
					params = tt.params(h)
				}
				id := h.start(doc, params, func(in *StartInput) { in.ID = "00000000-0000-4000-8000-000000000001" })
				got := h.wait(id)
				for i := range got.StepExecutions {
					got.StepExecutions[i].StepExecutionId = aws.String("step-" + itoa(i+1))
				}
				golden(t, tt.name+".golden.json", struct {
					Execution types.AutomationExecution
				}{got})
			})
		})
	}
}
