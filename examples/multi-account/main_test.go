package main

import (
	"testing"

	"github.com/ssmdelegate/ssmdelegate/examples/internal/golden"
)

func TestWalkthrough(t *testing.T) {
	golden.Walkthrough(t, run,
		"CompletedWithFailure, type CrossAccount, 4 locations: 2 succeeded, 2 failed",
		"111122223333 us-west-2: Success, child ",
		`readConfig.Value "fleet of 111122223333 in us-west-2"`,
		"444455556666 us-east-1: Failed: The provided role: arn:aws:iam::444455556666:role/AWS-SystemsManager-AutomationExecutionRole can't be assumed. (Service: null; Status Code: 0; Error Code: null; Request ID: null; Proxy: null)",
		"AssumeRole Denied by arn:aws:sts::123456789012:assumed-role/AWS-SystemsManager-AutomationAdministrationRole/",
	)
}
