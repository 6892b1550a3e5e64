package delegate_test

import (
	"fmt"

	"github.com/ssmdelegate/ssmdelegate/delegate"
)

// A runbook run from an administrator account in two accounts and two
// Regions: the administration role may assume exactly the two execution
// roles, and the operator starts with TargetLocations.
func ExampleNewMultiAccountPlan() {
	plan, err := delegate.NewMultiAccountPlan(delegate.NewDocument("Restart-EC2InstanceDemo", restartDemo()), "123456789012", "us-east-1",
		[]delegate.Location{{Accounts: []string{"111122223333", "444455556666"}, Regions: []string{"us-east-1", "us-west-2"}, MaxConcurrency: "2"}},
		func(o *delegate.MultiAccountOptions) {
			o.Parameters = map[string][]string{"InstanceId": {"i-1234567890abcdef0"}}
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("administration role assumes:", plan.AdministrationRole.Permissions.Statement[0].Resource.Values)
	fmt.Println("passed as:", plan.Start.Parameters[delegate.AssumeRoleParameter])
	loc := plan.Start.TargetLocations[0]
	fmt.Println("location:", loc.Accounts, loc.Regions, *loc.ExecutionRoleName, *loc.TargetLocationMaxConcurrency)
	for _, r := range plan.ExecutionRoles {
		fmt.Println("execution role trusts:", r.Trust.Statement[0].Principal.AWS.Values)
	}
	// Output:
	// administration role assumes: [arn:aws:iam::111122223333:role/AWS-SystemsManager-AutomationExecutionRole arn:aws:iam::444455556666:role/AWS-SystemsManager-AutomationExecutionRole]
	// passed as: [arn:aws:iam::123456789012:role/AWS-SystemsManager-AutomationAdministrationRole]
	// location: [111122223333 444455556666] [us-east-1 us-west-2] AWS-SystemsManager-AutomationExecutionRole 2
	// execution role trusts: [arn:aws:iam::123456789012:role/AWS-SystemsManager-AutomationAdministrationRole]
	// execution role trusts: [arn:aws:iam::123456789012:role/AWS-SystemsManager-AutomationAdministrationRole]
}
