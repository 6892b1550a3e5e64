package main

import (
	"testing"

	"github.com/ssmdelegate/ssmdelegate/examples/internal/golden"
)

func TestWalkthrough(t *testing.T) {
	golden.Walkthrough(t, run,
		"refused: AccessDeniedException: User: arn:aws:iam::123456789012:user/RuntimeRoleOperator is not authorized to perform: iam:PassRole",
		"AWS-RestartEC2Instance version 1: Success, mode Auto, type Local, executed by arn:aws:iam::123456789012:user/RuntimeRoleOperator",
		"ec2:StopInstances by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-RestartRuntime/",
	)
}
