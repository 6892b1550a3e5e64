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
		"ec2:RunInstances directly: UnauthorizedOperation",
		"status Success, executed by arn:aws:iam::123456789012:user/LaunchOperator",
		"tagged CostCenter=CC-1234, LaunchedBy=",
		"ec2:RunInstances by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-LaunchTagged/",
	)
}

func TestAWSNeedsAnImage(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"--aws"}, &out, &errOut)
	require.ErrorContains(t, err, "--image", "--aws without --image")
}
