package ssmlocal_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestLocationTargets: Targets inside a TargetLocation make each of its
// locations a rate-control execution over them, with the location's own
// TargetsMaxConcurrency; a location without Targets runs the start's.
func TestLocationTargets(t *testing.T) {
	regions := []string{"us-east-1", "eu-west-1"}
	f := newLocationFixture(t, ssmlocal.AutoClock(time.Now()), regions, regions...)
	targets := []ssmtypes.Target{{Key: aws.String("ParameterValues"), Values: []string{"PT1S", "PT2S", "PT3S"}}}
	id := start(t, f.admin, &ssm.StartAutomationExecutionInput{
		DocumentName: aws.String("Fleet-Check"), TargetParameterName: aws.String("Wait"),
		Targets: []ssmtypes.Target{{Key: aws.String("ParameterValues"), Values: []string{"PT1S"}}},
		TargetLocations: []ssmtypes.TargetLocation{
			{Regions: []string{"us-east-1"}, Targets: targets, TargetsMaxConcurrency: aws.String("3")},
			{Regions: []string{"eu-west-1"}},
		},
	})
	x := waitDone(t, f.admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	for i, tc := range []struct {
		region      string
		values      []string
		concurrency string
	}{
		{"us-east-1", []string{"PT1S", "PT2S", "PT3S"}, "3"},
		{"eu-west-1", []string{"PT1S"}, "10"},
	} {
		t.Run(tc.region, func(t *testing.T) {
			child := f.get(t, tc.region, childID(t, x.StepExecutions[i]))
			assert.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, child.AutomationExecutionStatus)
			require.NotNil(t, child.ResolvedTargets)
			assert.Equal(t, tc.values, child.ResolvedTargets.ParameterValues)
			assert.Equal(t, tc.concurrency, aws.ToString(child.MaxConcurrency))
			assert.Len(t, child.StepExecutions, len(tc.values), "one invocation per target")
		})
	}
}
