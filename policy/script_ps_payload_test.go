package policy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForRunbookPowerShellInputPayload(t *testing.T) {
	const read = "$payload = $env:InputPayload | ConvertFrom-Json\n"
	tests := []struct {
		name    string
		params  string
		script  string
		payload map[string]any
		want    []string // resources of ec2:StopInstances
	}{
		{
			name:    "a literal payload value",
			script:  read + "Stop-EC2Instance -InstanceId $payload.Id",
			payload: map[string]any{"Id": "i-0a"},
			want:    []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0a"},
		},
		{
			name:    "a parameter with allowed values",
			params:  `{"Id":{"type":"String","allowedValues":["i-0a","i-0b"]}}`,
			script:  read + "Stop-EC2Instance -InstanceId $payload.Id",
			payload: map[string]any{"Id": "{{ Id }}"},
			want:    []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0a", "arn:aws:ec2:us-east-1:111122223333:instance/i-0b"},
		},
		{
			name:    "a key the payload lacks",
			script:  read + "Stop-EC2Instance -InstanceId $payload.Other",
			payload: map[string]any{"Id": "i-0a"},
			want:    []string{"arn:aws:ec2:us-east-1:111122223333:instance/*"},
		},
		{
			name:    "a payload variable changed before the call",
			script:  read + "$payload.Id = (Get-Random)\nStop-EC2Instance -InstanceId $payload.Id",
			payload: map[string]any{"Id": "i-0a"},
			want:    []string{"arn:aws:ec2:us-east-1:111122223333:instance/*"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, err := json.Marshal([]map[string]any{{"name": "ps", "action": "aws:executeScript",
				"inputs": map[string]any{"Runtime": "PowerShell 7.4", "Script": tt.script, "InputPayload": tt.payload}}})
			require.NoError(t, err)
			d, err := ForRunbook(runbookJSON(t, tt.params, string(steps)), testScope)
			require.NoError(t, err)
			res, _ := grantedOn(d, "ec2:StopInstances")
			assert.Equal(t, tt.want, res)
		})
	}
}
