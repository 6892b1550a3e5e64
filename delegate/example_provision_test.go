package delegate

import (
	"context"
	"fmt"
)

// Provision applies a plan and changes only what differs: the second run
// changes nothing. Real callers pass an *iam.Client and an *ssm.Client.
func ExampleProvision() {
	plan, err := NewPlan(NewDocument("Restart-EC2InstanceDemo", restartDemo().MustBuild()), Embedded, "123456789012", "us-east-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	clients := newFakeAWS("123456789012") // IAM and SSM in memory
	ctx := context.Background()
	for run := 1; run <= 2; run++ {
		changes, err := Provision(ctx, clients, clients, plan, func(o *ProvisionOptions) { o.OperatorUser = "AutomationRestrictedOperator" })
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("run %d: %d change(s)\n", run, len(changes))
		for _, c := range changes {
			fmt.Println(" ", c)
		}
	}
	// Output:
	// run 1: 5 change(s)
	//   role created: arn:aws:iam::123456789012:role/Restart-EC2InstanceDemo-Automation
	//   role policy put: arn:aws:iam::123456789012:role/Restart-EC2InstanceDemo-Automation (AutomationPermissions)
	//   operator policy created: arn:aws:iam::123456789012:policy/Restart-EC2InstanceDemo-Operator
	//   operator policy attached: arn:aws:iam::123456789012:policy/Restart-EC2InstanceDemo-Operator (user AutomationRestrictedOperator)
	//   document created: arn:aws:ssm:us-east-1:123456789012:document/Restart-EC2InstanceDemo (version 1)
	// run 2: 0 change(s)
}
