package psscan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanInputPayloadMembers(t *testing.T) {
	const read = "$p = $env:InputPayload | ConvertFrom-Json\n"
	tests := []struct {
		name string
		src  string
		want map[string]Arg // Stop-EC2Instance's arguments
	}{
		{"payload member", read + "Stop-EC2Instance -InstanceId $p.InstanceId -Force", map[string]Arg{"InstanceId": {Event: "InstanceId"}, "Force": {Switch: true}}},
		{"last argument", read + "Stop-EC2Instance -InstanceId $p.InstanceId", map[string]Arg{"InstanceId": {Event: "InstanceId"}}},
		{"scoped and braced", "$script:In = $env:InputPayload | ConvertFrom-Json;\nStop-EC2Instance -InstanceId ${in}.Id", map[string]Arg{"InstanceId": {Event: "Id"}}},
		{"nested member", read + "Stop-EC2Instance -InstanceId $p.Ids.First", map[string]Arg{"InstanceId": {Unknown: true}}},
		{"indexed member", read + "Stop-EC2Instance -InstanceId $p.Ids[0]", map[string]Arg{"InstanceId": {Unknown: true}}},
		{"joined to more text", read + "Stop-EC2Instance -InstanceId $p.Id,'i-2'", map[string]Arg{"InstanceId": {Unknown: true}}},
		{"reassigned", read + "$p = Get-Thing\nStop-EC2Instance -InstanceId $p.InstanceId", map[string]Arg{"InstanceId": {Unknown: true}}},
		{"member assigned", read + "$p.InstanceId = 'i-9'\nStop-EC2Instance -InstanceId $p.InstanceId", map[string]Arg{"InstanceId": {Unknown: true}}},
		{"compound assignment", read + "$p += 1\nStop-EC2Instance -InstanceId $p.InstanceId", map[string]Arg{"InstanceId": {Unknown: true}}},
		{"piped further", "$p = $env:InputPayload | ConvertFrom-Json | Select-Object -First 1\nStop-EC2Instance -InstanceId $p.InstanceId", map[string]Arg{"InstanceId": {Unknown: true}}},
		{"another variable", read + "Stop-EC2Instance -InstanceId $q.InstanceId", map[string]Arg{"InstanceId": {Unknown: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Scan([]byte(tt.src))
			require.NoError(t, err)
			var got map[string]Arg
			for _, c := range r.Commands {
				if c.Name == "Stop-EC2Instance" {
					got = c.Args
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
