package iamcatalog

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	c := Load()
	if c.Len() < 10000 {
		t.Fatalf("catalog has %d actions", c.Len())
	}
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
		if !ok {
			t.Fatalf("%s not found", tt.name)
		}
		if a.Name != tt.canonical || a.Access != tt.access || a.WildcardOnly() != tt.wildcardOnly || a.Writes() != tt.writes {
			t.Errorf("%s: %+v", tt.name, a)
		}
		if tt.firstType != "" && (len(a.ResourceTypes) == 0 || a.ResourceTypes[0].Name != tt.firstType) {
			t.Errorf("%s: resource types %+v", tt.name, a.ResourceTypes)
		}
	}
	a, _ := c.Lookup("ec2:StopInstances")
	if rt := a.ResourceTypes[0]; !rt.Required || !rt.Tags || rt.ARN != "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}" {
		t.Errorf("instance type: %+v", rt)
	}
	if _, ok := c.Lookup("ec2:StopInstance"); ok {
		t.Error("unknown action found")
	}
	if !c.HasPrefix("states") || c.HasPrefix("stepfunctions") {
		t.Error("prefixes wrong")
	}
}

// TestMatchesReference checks the embedded catalog against the reference
// data it was generated from, when that is at hand.
func TestMatchesReference(t *testing.T) {
	fh, err := os.Open(filepath.Join("..", "..", "..", "testdata", "iam-actions.tsv"))
	if err != nil {
		t.Fatal("reference IAM actions:", err)
	}
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
		if !ok || a.Name != f[0] || a.Access != f[1] {
			t.Fatalf("%s: catalog has %+v; regenerate with go generate", f[0], a)
		}
		n++
	}
	if n != c.Len() {
		t.Fatalf("reference has %d actions, catalog %d; regenerate with go generate", n, c.Len())
	}
}
