package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/botomodel"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// psRunbook builds a runbook with one PowerShell aws:executeScript step
// "ps" running script.
func psRunbook(t *testing.T, script string) *runbook.Document {
	t.Helper()
	steps, err := json.Marshal([]map[string]any{{"name": "ps", "action": "aws:executeScript",
		"inputs": map[string]any{"Runtime": "PowerShell 7.4", "Script": script}}})
	require.NoError(t, err)
	return runbookJSON(t, "", string(steps))
}

func TestForRunbookPowerShell(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "scripts", "ops.ps1"))
	require.NoError(t, err)
	d, err := ForRunbook(psRunbook(t, string(src)), testScope)
	require.NoError(t, err)
	assertCatalogActions(t, d)
	for _, a := range []string{"ec2:DescribeInstances", "ec2:StopInstances", "ec2:CopySnapshot", "ec2:DescribeSnapshots",
		"ssm:PutParameter", "s3:PutObject", "kms:ReEncryptTo", "kms:CreateGrant"} {
		assert.Contains(t, d.Actions(), a)
	}
	for _, a := range []string{"ec2:TerminateInstances", "ec2:CreateImage"} {
		assert.NotContains(t, d.Actions(), a, "commands in comments and strings do not run")
	}
	resources := func(action string) []string {
		res, _ := grantedOn(d, action)
		return res
	}
	assert.Equal(t, []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0a"}, resources("ec2:StopInstances"))
	assert.Equal(t, []string{"arn:aws:ssm:us-east-1:111122223333:parameter/ops/last-snapshot"}, resources("ssm:PutParameter"))
	assert.Equal(t, []string{"arn:aws:s3:::reports/runs/last.txt"}, resources("s3:PutObject"))
	assert.Equal(t, []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, resources("kms:ReEncryptTo"))
	var b strings.Builder
	require.NoError(t, d.Explain(&b))
	assert.Contains(t, b.String(), "line 8: Stop-EC2Instance -> ec2:StopInstances")
	assert.Contains(t, b.String(), "line 13: Write-S3Object (CreateMultipartUpload) -> s3:PutObject")
	assert.Contains(t, b.String(), "line 17: Get-EC2Snapshot -> ec2:DescribeSnapshots")
}

func TestForRunbookPowerShellUnderivable(t *testing.T) {
	const declare = `declare what the script calls with ScriptPermissions["ps"]`
	tests := []struct {
		name   string
		script string
		detail []string
	}{
		{name: "AWS cmdlet without a mapping", script: "Get-Date\nRemove-EC2Snapshot -SnapshotId snap-1\n",
			detail: []string{"script line 2: Remove-EC2Snapshot is not a command the derivation knows; if it calls AWS, " + declare}},
		{name: "command from elsewhere", script: "Import-Module MyOps\nInvoke-Cleanup\n",
			detail: []string{"script line 2: Invoke-Cleanup is not a command the derivation knows; if it calls AWS, " + declare}},
		{name: "code built at run time", script: "$c = 'Stop-EC2Instance'\n& $c -InstanceId i-1\nInvoke-Expression \"Get-EC2Instance\"\n",
			detail: []string{
				"script line 2: the call operator & runs a command chosen at run time; " + declare,
				"script line 3: Invoke-Expression runs a string as code; " + declare,
			}},
		{name: "AWS CLI", script: "aws ec2 stop-instances --instance-ids i-1\n",
			detail: []string{"script line 1: the AWS CLI (aws) calls APIs the scan does not read; " + declare}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(psRunbook(t, tt.script), testScope)
			var ue *UnderivableError
			require.ErrorAs(t, err, &ue)
			var got []string
			for _, u := range ue.Unresolved {
				assert.Equal(t, "ps", u.Step)
				got = append(got, u.Detail)
			}
			assert.Equal(t, tt.detail, got)
			require.NotNil(t, d)
		})
	}
}

func TestForRunbookPowerShellDerivable(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		actions []string
	}{
		{name: "no AWS call", script: "$x = Get-Date\nWrite-Output \"now $x\" | Out-Null\n", actions: nil},
		{name: "local AWS configuration", script: "Set-DefaultAWSRegion us-east-1\nGet-STSCallerIdentity\n", actions: nil},
		{name: "role handed to Automation in a computed hashtable",
			script:  "Start-SSMAutomationExecution -DocumentName Child -Parameter @{AutomationAssumeRole = $role}\n",
			actions: []string{"iam:PassRole", "ssm:StartAutomationExecution"}},
		{name: "S3 object written under a computed key",
			script:  "Write-S3Object -BucketName b -Key k -ServerSideEncryptionKeyManagementServiceKeyId $key -Content x\n",
			actions: []string{"kms:Decrypt", "kms:GenerateDataKey", "s3:PutObject"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(psRunbook(t, tt.script), testScope)
			require.NoError(t, err)
			assert.Equal(t, tt.actions, d.Actions())
		})
	}
}

// TestPowerShellCmdletTable checks that every cmdlet maps to operations of
// the botocore model of its client whose IAM actions the catalog knows.
func TestPowerShellCmdletTable(t *testing.T) {
	models := botomodel.Load()
	names := make([]string, 0, len(psCmdlets))
	for n := range psCmdlets {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			assert.Equal(t, strings.ToLower(n), n, "keys are lower case")
			c := psCmdlets[n]
			for _, op := range c.ops {
				got, ok := models.Operation(c.service, op)
				require.True(t, ok, "%s is not an operation of %s", op, c.service)
				assert.Equal(t, op, got)
			}
			d, err := ForRunbook(psRunbook(t, n+"\n"), testScope)
			require.NoError(t, err)
			assertCatalogActions(t, d)
		})
	}
}

func BenchmarkForRunbookPowerShell(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "scripts", "ops.ps1"))
	require.NoError(b, err)
	steps, err := json.Marshal([]map[string]any{{"name": "ps", "action": "aws:executeScript",
		"inputs": map[string]any{"Runtime": "PowerShell 7.4", "Script": string(src)}}})
	require.NoError(b, err)
	doc := runbookJSON(b, "", string(steps))
	// The first run decodes the embedded catalogs once for the process.
	_, err = ForRunbook(doc, testScope)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ForRunbook(doc, testScope); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(src))/1024), "ns/KB")
}
