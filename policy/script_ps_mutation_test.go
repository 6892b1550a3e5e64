package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestForRunbookPowerShellNeedReasons pins the report of a PowerShell
// script: one need per operation a cmdlet calls (named with the operation
// when the cmdlet calls several), "makes no AWS call" only when nothing
// was called and nothing is unresolved.
func TestForRunbookPowerShellNeedReasons(t *testing.T) {
	tests := []struct {
		name       string
		script     string
		reasons    []string
		unresolved int
	}{
		{name: "no AWS call", script: "Get-Date\n",
			reasons: []string{"the script makes no AWS call"}},
		{name: "one cmdlet, one operation", script: "Stop-EC2Instance -InstanceId i-0a\n",
			reasons: []string{"line 1: Stop-EC2Instance -> ec2:StopInstances"}},
		{name: "an operation that needs no permission", script: "Get-STSCallerIdentity\n",
			reasons: []string{"line 1: Get-STSCallerIdentity -> GetCallerIdentity, which needs no permission"}},
		{name: "a cmdlet calling two operations", script: "Read-S3Object -BucketName b -Key k -File f\n",
			reasons: []string{"line 1: Read-S3Object (GetObject) -> s3:GetObject", "line 1: Read-S3Object (ListObjects) -> s3:ListBucket"}},
		{name: "an unknown command only", script: "Get-Date\nRemove-EC2Snapshot -SnapshotId snap-1\n",
			unresolved: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(psRunbook(t, tt.script), testScope)
			if tt.unresolved > 0 {
				var ue *UnderivableError
				require.ErrorAs(t, err, &ue)
				assert.Len(t, ue.Unresolved, tt.unresolved)
			} else {
				require.NoError(t, err)
			}
			var reasons []string
			for _, n := range d.Needs {
				assert.Equal(t, "ps", n.Step)
				reasons = append(reasons, n.Reason)
			}
			assert.Equal(t, tt.reasons, reasons)
		})
	}
}
