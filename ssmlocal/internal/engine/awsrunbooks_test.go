package engine

import (
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// awsRunbook reads one of AWS's published runbooks from the reference
// material beside the module, when it is there.
func awsRunbook(t *testing.T, name string) *runbook.Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "aws-runbooks", name))
	require.NoError(t, err, "AWS runbook %s", name)
	d, err := runbook.Parse(b)
	require.NoError(t, err)
	return d
}

// TestAWSRunbooks runs AWS's own EC2 runbooks, approvals included, as
// published.
func TestAWSRunbooks(t *testing.T) {
	tests := []struct {
		file     string
		initial  string
		want     string
		approval bool
	}{
		{file: "RestartInstance--aws-RestartEC2Instance.json", initial: "running", want: "running"},
		{file: "StartInstance--aws-StartEC2Instance.json", initial: "stopped", want: "running"},
		{file: "StopInstance--aws-StopEC2Instance.json", initial: "running", want: "stopped"},
		{file: "TerminateInstance--aws-TerminateEC2Instance.json", initial: "running", want: "terminated"},
		{file: "RestartInstanceWithApproval--aws-RestartEC2Instance.json", initial: "running", want: "running", approval: true},
		{file: "StartInstanceWithApproval--aws-StartEC2InstanceWithApproval.json", initial: "stopped", want: "running", approval: true},
		{file: "StopInstanceWithApproval--aws-StopEC2InstanceWithApproval.json", initial: "running", want: "stopped", approval: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := awsRunbook(t, tt.file)
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				a, b := h.cloud.addInstance(tt.initial), h.cloud.addInstance(tt.initial)
				params := map[string][]string{"InstanceId": {a, b}, "AutomationAssumeRole": {roleARN}}
				if tt.approval {
					params["Approvers"] = []string{"alice"}
					params["SNSTopicArn"] = []string{"arn:aws:sns:eu-west-1:111122223333:AutomationApprovals"}
				}
				id := h.start(doc, params)
				if tt.approval {
					h.waitStatus(id, types.AutomationExecutionStatusWaiting)
					require.NoError(t, h.e.Signal(id, types.SignalTypeApprove, nil, "arn:aws:iam::111122223333:user/alice"))
				}
				got := h.wait(id)
				require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, "failure: %s", aws.ToString(got.FailureMessage))
				for _, i := range []string{a, b} {
					assert.Equal(t, tt.want, h.cloud.state(i), "instance %s", i)
				}
			})
		})
	}
}
