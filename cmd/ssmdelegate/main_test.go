package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelpEverywhere: --help exits 0 for every command and prints its
// usage once; "help CMD" prints the same on standard output.
func TestHelpEverywhere(t *testing.T) {
	clearEndpointEnv(t)
	cmds := [][]string{{"policy", "role"}, {"policy", "operator"}, {"policy", "trust"}, {"policy", "lint"}, {"policy", "simulate"}}
	for _, c := range commands() {
		cmds = append(cmds, []string{c.name})
	}
	for _, c := range cmds {
		name := strings.Join(c, " ")
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(t.Context(), append(append([]string(nil), c...), "--help"), &stdout, &stderr)
			assert.Equal(t, 0, code, stderr.String())
			usage := stderr.String() + stdout.String()
			assert.Contains(t, usage, "ssmdelegate "+name)
			assert.Equal(t, 1, strings.Count(usage, "usage:"), usage)

			stdout.Reset()
			stderr.Reset()
			code = dispatch(t.Context(), append([]string{"help"}, c...), &stdout, &stderr)
			assert.Equal(t, 0, code, stderr.String())
			assert.Empty(t, stderr.String())
			assert.Contains(t, stdout.String(), "ssmdelegate "+name)
			assert.Equal(t, 1, strings.Count(stdout.String(), "usage:"), stdout.String())
		})
	}
}

func TestDispatch(t *testing.T) {
	for _, tc := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"no command", nil, 2, "", "usage: ssmdelegate <command>"},
		{"help", []string{"help"}, 0, "usage: ssmdelegate <command>", ""},
		{"--help", []string{"--help"}, 0, "usage: ssmdelegate <command>", ""},
		{"unknown", []string{"nope"}, 2, "", `unknown command "nope"`},
		{"help unknown", []string{"help", "nope"}, 2, "", `ssmdelegate help: unknown command "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := dispatch(t.Context(), tc.args, &stdout, &stderr)
			assert.Equal(t, tc.code, code)
			if tc.stdout == "" {
				assert.Empty(t, stdout.String())
			} else {
				assert.Contains(t, stdout.String(), tc.stdout)
			}
			if tc.stderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tc.stderr)
			}
		})
	}
}

// withStdin replaces standard input for one test.
func withStdin(t *testing.T, s string) {
	t.Helper()
	orig := stdin
	t.Cleanup(func() { stdin = orig })
	stdin = strings.NewReader(s)
}

const napRunbook = `{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}","parameters":{"AutomationAssumeRole":{"type":"String","default":""}},"mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`

// TestStdinFileArguments: "-" reads standard input wherever a FILE is read.
func TestStdinFileArguments(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"lint", []string{"lint", "-v", "-"}, 0, "-: ok\n"},
		{"lint twice", []string{"lint", "-", "-"}, 2, "can be given once"},
		{"fmt", []string{"fmt", "--format", "yaml", "-"}, 0, "  - name: nap\n"},
		{"fmt -w", []string{"fmt", "-w", "-"}, 2, "-w needs a FILE"},
		{"policy role", []string{"policy", "role", "--account", "123456789012", "--region", "us-east-1", "-"}, 0, `"Statement"`},
		{"plan", []string{"plan", "--mode", "caller", "--account", "123456789012", "--region", "us-east-1", "--name", "Nap", "-"}, 0, `"mode": "caller"`},
		{"run needs --name", []string{"run", "-", "--aws"}, 2, "needs --name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withStdin(t, napRunbook)
			var stdout, stderr bytes.Buffer
			code := dispatch(t.Context(), tc.args, &stdout, &stderr)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			assert.Contains(t, stdout.String()+stderr.String(), tc.want)
		})
	}
}

func TestReadInputBounded(t *testing.T) {
	withStdin(t, strings.Repeat("x", maxStdin+1))
	_, err := readInput("-")
	require.ErrorIs(t, err, errStdinTooLarge)
}
