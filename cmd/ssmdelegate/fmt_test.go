package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func fmtCmd(_ context.Context, args []string, out, errb *bytes.Buffer) int {
	return cmdFmt(context.Background(), args, out, errb)
}

const messyYAML = `mainSteps:
- inputs: {DesiredState: stopped, InstanceIds: ['i-0123456789abcdef0']}
  action: aws:changeInstanceState
  name: stop
schemaVersion: "0.3"
`

func TestFmt(t *testing.T) {
	y := writeTemp(t, "doc.yaml", messyYAML)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"yaml stays yaml", []string{y}, 0, "schemaVersion: '0.3'\nmainSteps:\n  - name: stop\n    action: aws:changeInstanceState\n    inputs:\n      InstanceIds:\n        - i-0123456789abcdef0\n      DesiredState: stopped\n"},
		{"to json", []string{"--to", "json", y}, 0, "{\n  \"schemaVersion\": \"0.3\",\n  \"mainSteps\": [\n    {\n      \"name\": \"stop\",\n      \"action\": \"aws:changeInstanceState\",\n      \"inputs\": {\n        \"InstanceIds\": [\n          \"i-0123456789abcdef0\"\n        ],\n        \"DesiredState\": \"stopped\"\n      }\n    }\n  ]\n}\n"},
		{"bad format", []string{"--to", "xml", y}, 2, ""},
		{"no file", nil, 2, ""},
		{"two files", []string{y, y}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(fmtCmd, tt.args...)
			require.Equal(t, tt.code, code, errOut)
			require.Equal(t, tt.want, out)
		})
	}
}

func TestFmtWriteIsIdempotent(t *testing.T) {
	y := writeTemp(t, "doc.yaml", messyYAML)
	require.NoError(t, os.Chmod(y, 0o600))
	code, out, errOut := runCmd(fmtCmd, "-w", y)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, out)
	first, err := os.ReadFile(y)
	require.NoError(t, err)
	code, _, _ = runCmd(fmtCmd, "-w", y)
	require.Equal(t, 0, code)
	second, err := os.ReadFile(y)
	require.NoError(t, err)
	require.Equal(t, string(first), string(second))
	st, err := os.Stat(y)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}

func TestFmtParseError(t *testing.T) {
	bad := writeTemp(t, "bad.json", `{"schemaVersion": "0.3", "mainSteps": [ {"name": 1} ]}`)
	code, out, errOut := runCmd(fmtCmd, bad)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "mainSteps[0].name: expected a string, got number")
	// The file is untouched on error.
	code, _, _ = runCmd(fmtCmd, "-w", bad)
	require.Equal(t, 1, code)
	data, _ := os.ReadFile(bad)
	require.Equal(t, `{"schemaVersion": "0.3", "mainSteps": [ {"name": 1} ]}`, string(data))
}

// TestFmtWriteKeepsComments checks that -w carries YAML comments over to
// the formatted file, stably.
func TestFmtWriteKeepsComments(t *testing.T) {
	src := "# Stops the build instance.\nmainSteps:\n# the only step\n- inputs: {DesiredState: stopped, InstanceIds: ['i-0123456789abcdef0']}  # by id\n  action: aws:changeInstanceState\n  name: stop\nschemaVersion: \"0.3\"\n"
	y := writeTemp(t, "doc.yaml", src)
	code, out, errOut := runCmd(fmtCmd, "-w", y)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, out)
	first, err := os.ReadFile(y)
	require.NoError(t, err)
	require.Equal(t, "# Stops the build instance.\nschemaVersion: '0.3'\nmainSteps:\n  # the only step\n  - name: stop\n    action: aws:changeInstanceState\n    inputs: # by id\n      InstanceIds:\n        - i-0123456789abcdef0\n      DesiredState: stopped\n", string(first))
	code, _, errOut = runCmd(fmtCmd, "-w", y)
	require.Equal(t, 0, code, errOut)
	second, err := os.ReadFile(y)
	require.NoError(t, err)
	require.Equal(t, string(first), string(second))
}

// TestFmtWriteRefusesLoss checks that -w leaves a YAML file untouched when
// rewriting it would drop comments or expand anchors.
func TestFmtWriteRefusesLoss(t *testing.T) {
	tests := []struct {
		name string
		src  string
		args []string
		msg  string
	}{
		{"comment to json", "schemaVersion: '0.3'\nmainSteps:\n# the only step\n- {name: nap, action: aws:sleep, inputs: {Duration: PT1S}}\n", []string{"--to", "json"}, "the comment before line 4 would be lost"},
		{"anchor and alias", "schemaVersion: '0.3'\nmainSteps:\n- {name: a, action: aws:sleep, inputs: &wait {Duration: PT1S}}\n- {name: b, action: aws:sleep, inputs: *wait}\n", nil, "the anchor &wait on line 3 would be lost"},
		{"comment on a dropped key", "schemaVersion: '0.3'\n# nothing to report\noutputs:\nmainSteps:\n- {name: nap, action: aws:sleep, inputs: {Duration: PT1S}}\n", nil, "nothing to report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := writeTemp(t, "doc.yaml", tt.src)
			code, out, errOut := runCmd(fmtCmd, append(append([]string{"-w"}, tt.args...), y)...)
			require.Equal(t, 1, code)
			require.Empty(t, out)
			require.Contains(t, errOut, tt.msg)
			require.Contains(t, errOut, "not rewritten")
			data, err := os.ReadFile(y)
			require.NoError(t, err)
			require.Equal(t, tt.src, string(data))
			// Without -w the formatted runbook is still printed.
			code, out, errOut = runCmd(fmtCmd, append(tt.args, y)...)
			require.Equal(t, 0, code, errOut)
			require.NotEmpty(t, out)
		})
	}
}
