package readme_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/examples/internal/runbooks"
	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the role-policy table in README.md")

const (
	readmePath  = "../../README.md"
	tableBegin  = "<!-- role-policy-table:begin -->"
	tableEnd    = "<!-- role-policy-table:end -->"
	managedName = "AmazonSSMAutomationRole"
)

// scope is where the table's policies are derived; the counts do not depend
// on it.
var scope = policy.Scope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}

// TestREADMESnippets keeps the README's Go blocks compiling and running:
// each must be an excerpt, up to whitespace, of this package's examples.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	blocks := goBlocks(string(readme))
	require.NotEmpty(t, blocks, "README.md has no ```go blocks")
	sources, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	var all strings.Builder
	for _, f := range sources {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all.WriteString(squash(string(b)))
		all.WriteString("\n")
	}
	for i, b := range blocks {
		// Contains would print every example; the block alone says enough.
		assert.True(t, strings.Contains(all.String(), squash(b.text)), "README.md line %d: go block %d is not an excerpt of the examples in examples/readme:\n%s", b.line, i+1, b.text)
	}
}

type block struct {
	line int
	text string
}

// goBlocks returns the fenced ```go blocks of a Markdown text.
func goBlocks(md string) []block {
	var out []block
	var cur *block
	var buf strings.Builder
	sc := bufio.NewScanner(strings.NewReader(md))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fence := strings.TrimSpace(line)
		switch {
		case cur == nil && fence == "```go":
			cur = &block{line: n}
			buf.Reset()
		case cur != nil && fence == "```":
			cur.text = buf.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			buf.WriteString(line)
			buf.WriteString("\n")
		}
	}
	return out
}

// squash makes whitespace insignificant: indentation and line breaks differ
// between Go source and Markdown.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestGoBlocks(t *testing.T) {
	md := "text\n```go\nfmt.Println(1)\n\tx := 2\n```\n```sh\nls\n```\n  ```go\ny()\n  ```\n"
	got := goBlocks(md)
	require.Len(t, got, 2)
	assert.Equal(t, block{line: 2, text: "fmt.Println(1)\n\tx := 2\n"}, got[0])
	assert.Equal(t, "y()\n", got[1].text)
	assert.Equal(t, "a b c", squash("a\n\t b  c\n"), "squash keeps whitespace")
}

// policyStats are the table's figures for one policy.
type policyStats struct {
	Actions, OnStar, WritesOnStar int
}

// catalog maps every IAM action (lower case) to its canonical name and
// access level.
type catalog map[string][2]string

func loadCatalog(file string) (catalog, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c := catalog{}
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "action\t") {
			continue
		}
		f := strings.Split(strings.TrimRight(line, "\r\n"), "\t")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		c[strings.ToLower(f[0])] = [2]string{f[0], f[1]}
	}
	if len(c) == 0 {
		return nil, fmt.Errorf("%s: no actions", file)
	}
	return c, nil
}

// writes reports whether an access level changes something: Write, Tagging
// or Permissions management.
func writes(access string) bool {
	return strings.Contains(access, "Write") || strings.Contains(access, "Tagging") || strings.Contains(access, "Permissions management")
}

// expand returns the actions a pattern such as "ssm:*" or "ec2:Describe*"
// grants, as IAM matches them (case-insensitive, * and ?).
func (c catalog) expand(pattern string) ([]string, error) {
	p := strings.ToLower(pattern)
	if !strings.ContainsAny(p, "*?") {
		if a, ok := c[p]; ok {
			return []string{a[0]}, nil
		}
		return nil, fmt.Errorf("action %q is not in the IAM reference", pattern)
	}
	var out []string
	for name, a := range c {
		if ok, _ := path.Match(p, name); ok && !strings.Contains(name, "/") {
			out = append(out, a[0])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("pattern %q matches no action", pattern)
	}
	return out, nil
}

// stats counts the distinct actions a policy allows, those allowed on
// Resource "*", and the write actions among them.
func (c catalog) stats(p *policy.Policy) (policyStats, error) {
	all, onStar := map[string]bool{}, map[string]bool{}
	for _, s := range p.Statement {
		if s.Effect != policy.Allow || len(s.NotAction.Values) > 0 {
			if s.Effect == policy.Allow {
				return policyStats{}, fmt.Errorf("NotAction is not counted")
			}
			continue
		}
		star := slices.Contains(s.Resource.Values, "*")
		for _, pat := range s.Action.Values {
			names, err := c.expand(pat)
			if err != nil {
				return policyStats{}, err
			}
			for _, n := range names {
				all[n] = true
				if star {
					onStar[n] = true
				}
			}
		}
	}
	st := policyStats{Actions: len(all), OnStar: len(onStar)}
	for n := range onStar {
		if writes(c[strings.ToLower(n)][1]) {
			st.WritesOnStar++
		}
	}
	return st, nil
}

func TestCatalogStats(t *testing.T) {
	c := catalog{
		"ssm:getdocument":      {"ssm:GetDocument", "Read"},
		"ssm:startautomation":  {"ssm:StartAutomation", "Write"},
		"ec2:createtags":       {"ec2:CreateTags", "Tagging"},
		"ec2:describeinstance": {"ec2:DescribeInstance", "List"},
	}
	p := policy.New(
		policy.Allowing("SSM:*").Resources("*").MustBuild(),
		policy.Allowing("ec2:CreateTags", "ec2:Describe*").Resources("arn:aws:ec2:*:*:instance/*").MustBuild(),
		policy.Denying("ssm:GetDocument").Resources("*").MustBuild(),
	)
	got, err := c.stats(p)
	require.NoError(t, err)
	require.Equal(t, policyStats{Actions: 4, OnStar: 2, WritesOnStar: 1}, got)
	_, err = c.stats(policy.New(policy.Allowing("ec2:NoSuchAction").Resources("*").MustBuild()))
	require.Error(t, err, "an unknown action was counted")
}

// testdataDir holds copies of the reference data the README's figures are
// computed from; testdata/README.md names their sources and licences.
const testdataDir = "testdata"

// row is one line of the README's table.
type row struct {
	label string
	stats policyStats
}

// tableRows derives the role policy of every example runbook and counts it
// beside the managed policy people attach instead.
func tableRows(t *testing.T) []row {
	c, err := loadCatalog(filepath.Join(testdataDir, "iam-actions.tsv.gz"))
	require.NoError(t, err)
	managedPolicy, err := policy.Parse(managedPolicyDocument(t))
	require.NoError(t, err)

	published, err := os.ReadFile(filepath.Join(testdataDir, "AWS-RestartEC2Instance.json"))
	require.NoError(t, err)
	awsRestart, err := runbook.Parse(published)
	require.NoError(t, err)
	demo, err := runbooks.RestartDemo("arn:aws:iam::123456789012:role/AutomationServiceRole-RestartDemo")
	require.NoError(t, err)
	launch, err := runbooks.LaunchTagged("arn:aws:iam::123456789012:role/AutomationServiceRole-LaunchTagged")
	require.NoError(t, err)

	var rows []row
	for _, r := range []struct {
		label string
		doc   *runbook.Document
	}{
		{"Derived for `Restart-EC2InstanceDemo` (restart-ec2)", demo},
		{"Derived for `LaunchTaggedInstance` (launch-tagged)", launch},
		{"Derived for `AWS-RestartEC2Instance` (runtime-role)", awsRestart},
	} {
		d, err := policy.ForRunbook(r.doc, scope)
		require.NoError(t, err, "%s", r.label)
		st, err := c.stats(d.Policy)
		require.NoError(t, err, "%s", r.label)
		rows = append(rows, row{r.label, st})
	}
	st, err := c.stats(managedPolicy)
	require.NoError(t, err, "%s", managedName)
	return append(rows, row{"`" + managedName + "`, the managed policy usually attached to any of them", st})
}

func renderTable(rows []row) string {
	var b strings.Builder
	b.WriteString("| Service-role policy | Actions | Actions on `\"*\"` | Write actions on `\"*\"` |\n")
	b.WriteString("|---|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", r.label, r.stats.Actions, r.stats.OnStar, r.stats.WritesOnStar)
	}
	return b.String()
}

var tableRE = regexp.MustCompile(`(?s)` + regexp.QuoteMeta(tableBegin) + `\n(.*?)` + regexp.QuoteMeta(tableEnd))

// TestREADMETable recomputes the comparison table and fails when README.md
// shows other figures; -update rewrites it.
func TestREADMETable(t *testing.T) {
	want := renderTable(tableRows(t))
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	m := tableRE.FindSubmatchIndex(readme)
	require.NotNil(t, m, "README.md lacks the %s … %s markers", tableBegin, tableEnd)
	got := string(readme[m[2]:m[3]])
	if got != want && *update {
		var out bytes.Buffer
		out.Write(readme[:m[2]])
		out.WriteString(want)
		out.Write(readme[m[3]:])
		require.NoError(t, os.WriteFile(readmePath, out.Bytes(), 0o644))
		return
	}
	assert.Equal(t, want, got, "README.md's role-policy table is stale (go test ./examples/readme -run TestREADMETable -update rewrites it)")
}
