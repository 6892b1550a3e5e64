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
		"refused: AccessDeniedException: User: arn:aws:iam::123456789012:user/RuntimeRoleOperator is not authorized to perform: iam:PassRole",
		"AWS-RestartEC2Instance version 1: Success, mode Auto, type Local, executed by arn:aws:iam::123456789012:user/RuntimeRoleOperator",
		"ec2:StopInstances by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-RestartRuntime/",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	golden.Check(t, "walkthrough", s)
}
