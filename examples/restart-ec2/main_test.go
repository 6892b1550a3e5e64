package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/examples/internal/golden"
)

func TestWalkthrough(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	s := out.String()
	for _, want := range []string{
		"ec2:StopInstances directly: UnauthorizedOperation",
		"  ~ ",
		"status Success, executed by arn:aws:iam::123456789012:user/AutomationRestrictedOperator",
		"ec2:StopInstances by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-RestartDemo/",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	golden.Check(t, "walkthrough", s)
}

func TestRefusesConflictingTargets(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"--aws", "--endpoint", "http://127.0.0.1:1"}, &out, &errOut); err == nil {
		t.Fatal("--aws with --endpoint was accepted")
	}
}
