package iamcatalog

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	c := Load()
	require.GreaterOrEqual(t, c.Len(), 10000, "catalog size")
	tests := []struct {
		name, canonical, access string
		wildcardOnly, writes    bool
		firstType               string
	}{
		{"ec2:stopinstances", "ec2:StopInstances", "Write", false, true, "instance"},
		{"EC2:DescribeInstances", "ec2:DescribeInstances", "List", true, false, ""},
		{"iam:PassRole", "iam:PassRole", "Write", false, true, "role"},
		{"ssm:StartAutomationExecution", "ssm:StartAutomationExecution", "Write", false, true, "automation-definition"},
	}
	for _, tt := range tests {
		a, ok := c.Lookup(tt.name)
		require.True(t, ok, "%s not found", tt.name)
		assert.Equal(t, tt.canonical, a.Name, tt.name)
		assert.Equal(t, tt.access, a.Access, tt.name)
		assert.Equal(t, tt.wildcardOnly, a.WildcardOnly(), "%s: wildcard only", tt.name)
		assert.Equal(t, tt.writes, a.Writes(), "%s: writes", tt.name)
		if tt.firstType != "" && assert.NotEmpty(t, a.ResourceTypes, tt.name) {
			assert.Equal(t, tt.firstType, a.ResourceTypes[0].Name, "%s: first resource type", tt.name)
		}
	}
	a, _ := c.Lookup("ec2:StopInstances")
	rt := a.ResourceTypes[0]
	assert.True(t, rt.Required, "instance type required")
	assert.True(t, rt.Tags, "instance type takes tags")
	assert.Equal(t, "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}", rt.ARN)
	_, ok := c.Lookup("ec2:StopInstance")
	assert.False(t, ok, "unknown action found")
	assert.True(t, c.HasPrefix("states"), "states prefix")
	assert.False(t, c.HasPrefix("stepfunctions"), "stepfunctions is not an IAM prefix")
}

// TestMatchesReference checks the embedded catalog against the reference
// data it was generated from, when that is at hand.
func TestMatchesReference(t *testing.T) {
	fh, err := os.Open(filepath.Join("..", "..", "..", "testdata", "iam-actions.tsv"))
	require.NoError(t, err, "reference IAM actions")
	defer fh.Close()
	c := Load()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "action\t") {
			continue
		}
		f := strings.Split(line, "\t")
		a, ok := c.Lookup(f[0])
		require.True(t, ok, "%s missing from the catalog; regenerate with go generate", f[0])
		require.Equal(t, f[0], a.Name, "regenerate with go generate")
		require.Equal(t, f[1], a.Access, "%s; regenerate with go generate", f[0])
		n++
	}
	require.Equal(t, n, c.Len(), "actions in the reference and the catalog; regenerate with go generate")
}
