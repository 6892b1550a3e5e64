package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTestCommandCannotPlan checks that a runbook the plan refuses is
// reported problem by problem before anything runs.
func TestTestCommandCannotPlan(t *testing.T) {
	dir := t.TempDir()
	fixed := filepath.Join(dir, "Fixed.yaml")
	require.NoError(t, os.WriteFile(fixed, []byte("schemaVersion: '0.3'\nassumeRole: arn:aws:iam::111122223333:role/Elsewhere\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"), 0o644))
	broken := filepath.Join(dir, "Broken.yaml")
	require.NoError(t, os.WriteFile(broken, []byte("schemaVersion: [\n"), 0o644))
	for _, tt := range []struct {
		name string
		file string
		want []string
	}{
		{"refused plan", fixed, []string{"ssmdelegate test: cannot plan Fixed:", "already embeds role arn:aws:iam::111122223333:role/Elsewhere", "declared with actions: in the --stubs file"}},
		{"runbook that does not parse", broken, []string{"ssmdelegate test: " + broken + ": "}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := testWith(context.Background(), []string{tt.file}, &stdout, &stderr, testHooks{})
			assert.Equal(t, 1, code)
			for _, w := range tt.want {
				assert.Contains(t, stderr.String(), w)
			}
			assert.Empty(t, stdout.String())
		})
	}
}

// TestCheckMultiPlanArgs covers each argument rule of a multi-account
// plan and the document name taken from the RUNBOOK file.
func TestCheckMultiPlanArgs(t *testing.T) {
	for _, tt := range []struct {
		name, docName, region, format string
		files                         []string
		existing                      bool
		wantName                      string
		wantExisting                  bool
		wantErr                       string
	}{
		{name: "name from the file", files: []string{"dir/Restart.yaml"}, region: "us-east-1", format: "text", wantName: "Restart"},
		{name: "name given", docName: "Other", files: []string{"dir/Restart.yaml"}, region: "us-east-1", format: "json", wantName: "Other"},
		{name: "AWS-owned document without a file", docName: "AWS-RestartEC2Instance", region: "us-east-1", format: "stackset", wantName: "AWS-RestartEC2Instance", wantExisting: true},
		{name: "existing document", docName: "Shared", region: "us-east-1", format: "cloudformation", existing: true, wantName: "Shared", wantExisting: true},
		{name: "bad format", files: []string{"a.yaml"}, region: "us-east-1", format: "xml", wantErr: `unknown format "xml"`},
		{name: "no Region", files: []string{"a.yaml"}, format: "text", wantErr: "--region (the administrator's home Region) is required"},
		{name: "two files", files: []string{"a.yaml", "b.yaml"}, region: "us-east-1", format: "text", wantErr: "one RUNBOOK at most, got 2"},
		{name: "standard input without a name", files: []string{"-"}, region: "us-east-1", format: "text", wantErr: "--name is required"},
		{name: "no file for a new document", docName: "New", region: "us-east-1", format: "text", wantErr: "a RUNBOOK file is required unless the document exists"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name, existing, err := checkMultiPlanArgs(tt.files, tt.docName, tt.region, tt.format, tt.existing)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantName, name)
			assert.Equal(t, tt.wantExisting, existing)
		})
	}
}

// TestReadPlanInputs checks that a policy FILE that does not parse is
// named in the error.
func TestReadPlanInputs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(bad, []byte("{"), 0o644))
	_, _, err := readPlanInputs(nil, bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad+": ")
	_, _, err = readPlanInputs(nil, filepath.Join(dir, "none.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	doc, perms, err := readPlanInputs(nil, "")
	require.NoError(t, err)
	assert.Nil(t, doc)
	assert.Nil(t, perms)
}
