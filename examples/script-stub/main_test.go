package main

import (
	"testing"

	"github.com/ssmdelegate/ssmdelegate/examples/internal/golden"
)

func TestWalkthrough(t *testing.T) {
	golden.Walkthrough(t, run,
		"sns:Publish by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-TeamReport/",
		"ec2:DescribeInstances by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-TeamReport/",
		"failed as on AWS: ",
		"sns:Publish by arn:aws:sts::123456789012:assumed-role/AutomationServiceRole-TeamReport/",
	)
}
