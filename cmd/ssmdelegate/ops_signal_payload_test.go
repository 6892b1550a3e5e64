package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignalWithPayload(t *testing.T) {
	f := newOpsFixture(t)
	f.document("HoldPayload", `{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:pause","inputs":{}}]}`)
	t.Run("resume finds the paused step", func(t *testing.T) {
		id := f.start("HoldPayload")
		code, out, errOut := f.cmd(wrap(cmdSignal), id, "--type", "Resume", "--payload", "Ticket=CHG-7")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, "sent Resume to "+id+"\n", out)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, f.end(id))
	})
	t.Run("revoke is refused by an execution started directly", func(t *testing.T) {
		id := f.start("HoldPayload")
		code, out, errOut := f.cmd(wrap(cmdSignal), id, "--type", "Revoke", "--payload", "Ticket=CHG-7")
		assert.Equal(t, 1, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "InvalidAutomationSignalException")
	})
}
