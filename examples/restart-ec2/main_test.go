package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/ssmdelegate/ssmdelegate/examples/internal/golden"
	"github.com/stretchr/testify/require"
)

func TestWalkthrough(t *testing.T) {
	golden.Walkthrough(t, run,
		"ec2:StopInstances directly: UnauthorizedOperation",
		"  ~ ",
		"status Success, executed by arn:aws:iam::123456789012:user/AutomationRestrictedOperator",
		"ec2:StopInstances by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-RestartDemo/",
	)
}

func TestRefusesConflictingTargets(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Error(t, run(context.Background(), []string{"--aws", "--endpoint", "http://127.0.0.1:1"}, &out, &errOut), "--aws with --endpoint was accepted")
}
