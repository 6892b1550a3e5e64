package readme_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// command is one "$ …" line of a console block and the output shown under it.
type command struct {
	line int
	args []string
	want []string
}

// consoleCommands returns the commands of the README's ```console blocks.
func consoleCommands(md string) ([]command, error) {
	var out []command
	in := false
	for n, line := range strings.Split(md, "\n") {
		fence := strings.TrimSpace(line)
		switch {
		case !in && fence == "```console":
			in = true
		case in && fence == "```":
			in = false
		case in && strings.HasPrefix(line, "$ "):
			args, err := shellFields(line[2:])
			if err != nil && checked(strings.Fields(line[2:])) {
				return nil, fmt.Errorf("README.md line %d: %w", n+1, err)
			}
			out = append(out, command{line: n + 1, args: args})
		case in && len(out) > 0:
			c := &out[len(out)-1]
			c.want = append(c.want, line)
		}
	}
	return out, nil
}

// shellFields splits a command line on spaces and drops a trailing
// " # comment". Quotes are refused: the checked commands need none.
func shellFields(s string) ([]string, error) {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	if strings.ContainsAny(s, `"'`) {
		return nil, errors.New("quoted arguments are not supported in checked commands")
	}
	return strings.Fields(s), nil
}

// checked reports whether a command's output is deterministic enough to be
// compared: the offline subcommands.
func checked(args []string) bool {
	return len(args) >= 2 && args[0] == "ssmdelegate" && slices.Contains([]string{"lint", "fmt", "policy", "plan"}, args[1])
}

// matches compares output with what the README shows: every shown line
// must be there in order; a "..." line ends the comparison, otherwise the
// output must end where the shown lines do.
func matches(want []string, got string) bool {
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if got == "" {
		lines = nil
	}
	for i, w := range want {
		if w == "..." {
			return true
		}
		if i >= len(lines) || lines[i] != w {
			return false
		}
	}
	return len(lines) == len(want)
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		want []string
		got  string
		ok   bool
	}{
		{nil, "", true},
		{nil, "x\n", false},
		{[]string{"a", "b"}, "a\nb\n", true},
		{[]string{"a", "b"}, "a\nb\nc\n", false},
		{[]string{"a", "..."}, "a\nb\nc\n", true},
		{[]string{"a", "c", "..."}, "a\nb\nc\n", false},
		{[]string{"a", "b", "c"}, "a\nb\n", false},
	} {
		assert.Equal(t, c.ok, matches(c.want, c.got), "matches(%q, %q)", c.want, c.got)
	}
	args, err := shellFields("ssmdelegate lint  a.json   # note")
	assert.NoError(t, err)
	assert.Equal(t, []string{"ssmdelegate", "lint", "a.json"}, args)
	_, err = shellFields(`aws ssm x --filter "Key=A"`)
	assert.Error(t, err, "quotes were accepted")
}

// TestREADMECommands reruns the README's offline ssmdelegate invocations
// and checks their output. "$ cat FILE" lines create FILE with the content
// shown; AmazonSSMAutomationRole.json comes from the reference data.
func TestREADMECommands(t *testing.T) {
	slowtest.Require(t, "builds the command and runs every README invocation")
	if testing.Short() {
		t.Skip("builds the command")
	}
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	cmds, err := consoleCommands(string(readme))
	require.NoError(t, err)
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			require.FailNow(t, "the go command is not on PATH")
		}
		t.Skip("the go command is not on PATH")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "ssmdelegate")
	build := exec.Command(goTool, "build", "-o", bin, "github.com/ssmdelegate/ssmdelegate/cmd/ssmdelegate")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build ssmdelegate:\n%s", out)
	work := filepath.Join(dir, "work")
	demo, err := os.ReadFile("../runbooks/restart-ec2-demo.json")
	require.NoError(t, err)
	writeFile(t, filepath.Join(work, "examples", "runbooks", "restart-ec2-demo.json"), demo)
	writeFile(t, filepath.Join(work, managedName+".json"), managedPolicyDocument(t))

	ran := 0
	for _, c := range cmds {
		if len(c.args) == 2 && c.args[0] == "cat" {
			writeFile(t, filepath.Join(work, c.args[1]), []byte(strings.Join(c.want, "\n")+"\n"))
			continue
		}
		if !checked(c.args) {
			continue
		}
		var out bytes.Buffer
		cmd := exec.Command(bin, c.args[1:]...)
		cmd.Dir = work
		cmd.Stdout, cmd.Stderr = &out, &out // one pipe keeps the order
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil {
			require.ErrorAs(t, err, &exit, "README.md line %d", c.line)
		}
		ran++
		// matches allows "..." lines, so the README's text and the output
		// are shown in full rather than diffed.
		assert.True(t, matches(c.want, out.String()), "README.md line %d: $ %s\nREADME shows:\n%s\noutput:\n%s", c.line, strings.Join(c.args, " "), strings.Join(c.want, "\n"), out.String())
	}
	require.NotZero(t, ran, "README.md shows no ssmdelegate invocation to check")
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
	require.NoError(t, os.WriteFile(name, data, 0o644))
}

// managedPolicyDocument returns the policy document of AmazonSSMAutomationRole
// from the copy of AWS's managed policies in testdata.
func managedPolicyDocument(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdataDir, "aws-managed-policies.json"))
	require.NoError(t, err)
	var managed map[string]struct {
		Document json.RawMessage `json:"document"`
	}
	require.NoError(t, json.Unmarshal(data, &managed))
	require.Contains(t, managed, managedName, "aws-managed-policies.json")
	return managed[managedName].Document
}
