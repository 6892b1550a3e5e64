package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalRunScripts(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "python3 is needed")
		}
		t.Skip("python3 is not available")
	}
	out, err := exec.Command("python3", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])").Output()
	require.NoError(t, err)
	runtime := strings.TrimSpace(string(out))
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tool.py"), []byte("def run(events, context):\n    return {'sum': events['A'] + events['B']}\n"), 0o600))
	sum := sha256.Sum256([]byte("def run(events, context):\n    return {'sum': events['A'] + events['B']}\n"))
	content := `{"schemaVersion":"0.3","files":{"tool.py":{"checksums":{"sha256":"` + hex.EncodeToString(sum[:]) + `"}}},"outputs":["add.Sum"],"mainSteps":[{"name":"add","action":"aws:executeScript",` +
		`"inputs":{"Runtime":"` + runtime + `","Handler":"tool.run","Attachment":"tool.py","InputPayload":{"A":2,"B":3}},` +
		`"outputs":[{"Name":"Sum","Selector":"$.Payload.sum","Type":"Integer"}]}]}`
	tests := []struct {
		name   string
		args   []string
		banner string
		status types.AutomationExecutionStatus
		want   string
	}{
		{name: "opted in", args: []string{"--run-scripts", "--attachments", dir}, banner: "scripts: aws:executeScript runs scripts as this user",
			status: types.AutomationExecutionStatusSuccess, want: "5"},
		{name: "not opted in", banner: "scripts: aws:executeScript steps fail unless --run-scripts is given",
			status: types.AutomationExecutionStatusFailed, want: "ssmdelegate local --run-scripts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, creds, out, stop := runLocal(t, tt.args...)
			defer stop()
			assert.Contains(t, out.String(), tt.banner)
			ctx := context.Background()
			client := ssm.NewFromConfig(localConfig(url, creds))
			_, err := client.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Add"), Content: aws.String(content), DocumentType: "Automation"})
			require.NoError(t, err)
			started, err := client.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Add")})
			require.NoError(t, err)
			var x *types.AutomationExecution
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				got, err := client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: started.AutomationExecutionId})
				require.NoError(t, err)
				x = got.AutomationExecution
				if x.AutomationExecutionStatus == types.AutomationExecutionStatusSuccess || x.AutomationExecutionStatus == types.AutomationExecutionStatusFailed {
					break
				}
				require.True(t, time.Now().Before(deadline), "execution did not end")
			}
			require.Equal(t, tt.status, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
			if tt.status == types.AutomationExecutionStatusSuccess {
				assert.Equal(t, []string{tt.want}, x.Outputs["add.Sum"])
			} else {
				assert.Contains(t, aws.ToString(x.FailureMessage), tt.want)
			}
		})
	}
}
