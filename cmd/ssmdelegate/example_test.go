package main

import (
	"context"
	"fmt"
	"os"
)

// Lint a runbook: no output and exit status 0 when it is valid.
func Example_lint() {
	code := dispatch(context.Background(), []string{"lint", "../../examples/runbooks/restart-ec2-demo.json"}, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// exit 0
}

// Derive the least-privilege service-role policy of a runbook.
func Example_policyRole() {
	code := dispatch(context.Background(), []string{"policy", "role", "--account", "123456789012", "--region", "us-east-1",
		"../../examples/runbooks/restart-ec2-demo.json"}, os.Stdout, os.Stderr)
	fmt.Println("exit", code)
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Effect": "Allow",
	//       "Action": [
	//         "ec2:DescribeInstanceStatus"
	//       ],
	//       "Resource": [
	//         "*"
	//       ]
	//     },
	//     {
	//       "Effect": "Allow",
	//       "Action": [
	//         "ec2:StartInstances",
	//         "ec2:StopInstances"
	//       ],
	//       "Resource": [
	//         "arn:aws:ec2:us-east-1:123456789012:instance/*"
	//       ]
	//     }
	//   ]
	// }
	// exit 0
}
