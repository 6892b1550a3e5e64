package execution_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

func ExampleExecutionWaiter_WaitForLocations() {
	// A parent execution in the administrator account whose two
	// locations have ended: one succeeded, one could not assume its role.
	role := "AWS-SystemsManager-AutomationExecutionRole"
	client := newMultiFake(
		fakeLocation{account: "111122223333", region: "us-east-1", role: role, child: "c0000000-0000-4000-8000-000000000001",
			phases: []locPhase{{status: types.AutomationExecutionStatusSuccess}}},
		fakeLocation{account: "444455556666", region: "eu-west-1", role: role, failureType: "Verification",
			phases: []locPhase{{status: types.AutomationExecutionStatusFailed, failure: "could not assume " + role}}},
	)
	waiter := execution.NewExecutionWaiter(client)
	report, err := waiter.WaitForLocations(context.Background(), parentID, time.Hour)
	if fe := (*execution.ExecutionFailedError)(nil); errors.As(err, &fe) {
		fmt.Println("parent", fe.Status)
	}
	for _, l := range report.Locations {
		fmt.Printf("%s %s child=%q", l.Key(), l.Status, l.ChildExecutionID)
		if l.FailureMessage != "" {
			fmt.Printf(": %s", l.FailureMessage)
		}
		fmt.Println()
	}
	fmt.Println(report.Totals)
	// Output:
	// parent Failed
	// 111122223333/us-east-1 Success child="c0000000-0000-4000-8000-000000000001"
	// 444455556666/eu-west-1 Failed child="": could not assume AWS-SystemsManager-AutomationExecutionRole
	// 2 locations: 1 succeeded, 1 failed
}
