package psscan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// show renders commands as "LINE Name -Param=value" for comparison, with
// "?" for an unknown value and no "=" for a switch.
func show(r *Result) (cmds, problems []string) {
	for _, c := range r.Commands {
		s := fmt.Sprintf("%d %s", c.Line, c.Name)
		keys := make([]string, 0, len(c.Args))
		for k := range c.Args {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			a := c.Args[k]
			switch {
			case a.Switch:
				s += " -" + k
			case a.Unknown:
				s += " -" + k + "=?"
			default:
				s += " -" + k + "=" + a.Literal
			}
		}
		cmds = append(cmds, s)
	}
	for _, p := range r.Problems {
		problems = append(problems, fmt.Sprintf("%d %s", p.Line, p.Detail))
	}
	return cmds, problems
}

func TestScan(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		cmds      []string
		problems  []string
		functions []string
	}{
		{name: "commands and parameters",
			src:  "Import-Module AWS.Tools.EC2\n$ids = Get-EC2Instance -Filter $f | Select-Object -ExpandProperty Instances\nStop-EC2Instance -InstanceId i-1 -Force\n",
			cmds: []string{"1 Import-Module", "2 Get-EC2Instance -Filter=?", "2 Select-Object -ExpandProperty=Instances", "3 Stop-EC2Instance -Force -InstanceId=i-1"}},
		{name: "comments and strings are not code",
			src:  "# Stop-EC2Instance -InstanceId i-1\n<# Remove-EC2Instance\n  Get-SSMParameter #>\nWrite-Output 'Stop-EC2Instance' \"New-EC2Snapshot\"\n$s = @'\nRemove-EC2Instance\n'@\nGet-Date\n",
			cmds: []string{"4 Write-Output", "8 Get-Date"}},
		{name: "subexpressions in strings are code",
			src:  "Write-Output \"id: $(Get-EC2Instance -InstanceId 'i-1') and $x\"\n$t = @\"\n$(New-EC2Snapshot -VolumeId vol-1)\n\"@\n",
			cmds: []string{"1 Write-Output", "1 Get-EC2Instance -InstanceId=i-1", "3 New-EC2Snapshot -VolumeId=vol-1"}},
		{name: "escaped quotes stay inside strings",
			src:  "Write-Output 'it''s # not a comment' \"say `\"Stop-EC2Instance`\"\"\nGet-Date\n",
			cmds: []string{"1 Write-Output", "2 Get-Date"}},
		{name: "nested pipelines and script blocks",
			src:  "if ((Get-SSMParameter -Name p).Value -eq 'x') { Stop-EC2Instance -InstanceId (Get-Id) -Force }\nforeach ($i in Get-EC2Volume) { $i }\n",
			cmds: []string{"1 Get-SSMParameter -Name=p", "1 Stop-EC2Instance -Force -InstanceId=?", "1 Get-Id", "2 Get-EC2Volume"}},
		{name: "parameter values after a nested pipeline",
			src:  "Copy-EC2Snapshot -SourceSnapshotId (Get-Snap) -KmsKeyId $k -Encrypted:$true\n",
			cmds: []string{"1 Copy-EC2Snapshot -Encrypted=$true -KmsKeyId=? -SourceSnapshotId=?", "1 Get-Snap"}},
		{name: "line continuation",
			src:  "Stop-EC2Instance `\n  -InstanceId i-1 `\n  -Force\nGet-Date\n",
			cmds: []string{"1 Stop-EC2Instance -Force -InstanceId=i-1", "4 Get-Date"}},
		{name: "functions, keywords and module-qualified names",
			src:       "function Stop-All {\n  param($Ids)\n  AWS.Tools.EC2\\Stop-EC2Instance -InstanceId $Ids\n  return Get-Date\n}\ntry { Stop-All -Ids i-1 } catch { throw }\n",
			cmds:      []string{"3 Stop-EC2Instance -InstanceId=?", "4 Get-Date", "6 Stop-All -Ids=i-1"},
			functions: []string{"stop-all"}},
		{name: "call operator with a literal name",
			src:  "& 'Get-EC2Instance' -InstanceId i-1\n& Get-Date\n",
			cmds: []string{"1 Get-EC2Instance -InstanceId=i-1", "2 Get-Date"}},
		{name: "code chosen at run time",
			src:  "& $cmd\n. $block\nInvoke-Expression $s\niex 'Get-Date'\n[scriptblock]::Create($s)\n$ExecutionContext.InvokeCommand.InvokeScript($s)\n. .\\lib.ps1\naws ec2 describe-instances\n$c = New-Object Amazon.EC2.AmazonEC2Client\n[Amazon.S3.AmazonS3Client]::new()\n",
			cmds: []string{"3 Invoke-Expression", "4 iex", "7 .\\lib.ps1", "8 aws", "9 New-Object"},
			problems: []string{
				"1 the call operator & runs a command chosen at run time",
				"2 dot-sourcing runs a command chosen at run time",
				"3 Invoke-Expression runs a string as code",
				"4 iex runs a string as code",
				"5 [scriptblock]::Create runs code built at run time",
				"6 $ExecutionContext can run code built at run time",
				"7 .\\lib.ps1 runs another script or program",
				"8 the AWS CLI (aws) calls APIs the scan does not read",
				"9 uses the AWS SDK for .NET client Amazon.EC2.AmazonEC2Client directly",
				"10 uses the AWS SDK for .NET client Amazon.S3.AmazonS3Client directly",
			}},
		{name: "unterminated string runs to the end",
			src:  "Get-Date\nWrite-Output 'open\nStop-EC2Instance\n",
			cmds: []string{"1 Get-Date", "2 Write-Output"}},
		{name: "hashtable keys are not commands",
			src:  "$h = @{ Name = 'x'; Values = Get-Date\n  Other = 1 }\nGet-EC2Snapshot -Filter @{Name = 'volume-id'; Values = $v}\n",
			cmds: []string{"1 Get-Date", "3 Get-EC2Snapshot -Filter=?"}},
		{name: "lists and joined values are not one literal",
			src:  "Stop-EC2Instance -InstanceId i-1,i-2 -Force\nStop-EC2Instance -InstanceId i-1 , i-2\nGet-SSMParameter -Name '/app/'+$x\nGet-SSMParameter -Name '/app/p' -WithDecryption $true\n",
			cmds: []string{"1 Stop-EC2Instance -Force -InstanceId=?", "2 Stop-EC2Instance -InstanceId=?", "3 Get-SSMParameter -Name=?", "4 Get-SSMParameter -Name=/app/p -WithDecryption=?"}},
		{name: "CRLF line ends",
			src:  "Get-Date\r\nStop-EC2Instance -InstanceId i-1\r\n",
			cmds: []string{"1 Get-Date", "2 Stop-EC2Instance -InstanceId=i-1"}},
		{name: "assignment and inline values",
			src:  "$x=Get-Date\n$y += Get-Random\nWrite-SSMParameter -Name:/app/p -Value v -Type String -Overwrite:$true\n",
			cmds: []string{"1 Get-Date", "2 Get-Random", "3 Write-SSMParameter -Name=/app/p -Overwrite=$true -Type=String -Value=v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Scan([]byte(tt.src))
			require.NoError(t, err)
			cmds, problems := show(r)
			assert.Equal(t, tt.cmds, cmds)
			assert.Equal(t, tt.problems, problems)
			var fns []string
			for f := range r.Functions {
				fns = append(fns, f)
			}
			assert.ElementsMatch(t, tt.functions, fns)
		})
	}
}

func TestScanBounds(t *testing.T) {
	_, err := Scan([]byte(strings.Repeat("#", MaxScript+1)))
	require.ErrorIs(t, err, ErrTooLarge)

	deep := strings.Repeat(`"$(`, 200) + "Get-Date" + strings.Repeat(`)"`, 200)
	r, err := Scan([]byte(deep))
	require.NoError(t, err)
	_, problems := show(r)
	assert.Contains(t, problems, "1 strings nest subexpressions too deeply to scan")

	// Commands nested in each other's arguments stop at a depth, in
	// linear time rather than quadratic.
	nested := strings.Repeat("Get-X (", 30000) + strings.Repeat(")", 30000)
	r, err = Scan([]byte(nested))
	require.NoError(t, err)
	_, problems = show(r)
	assert.Equal(t, []string{"1 commands nest too deeply to scan"}, problems)
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("Stop-EC2Instance -InstanceId i-1\n"))
	f.Add([]byte("Write-Output \"$(Get-EC2Instance)\" @'\nx\n'@ <# c #> & $x"))
	f.Add([]byte("`\n\"`\"$(\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		r, err := Scan(src)
		if err != nil {
			return
		}
		for _, c := range r.Commands {
			require.GreaterOrEqual(t, c.Line, 1, "command %q", c.Name)
		}
	})
}
