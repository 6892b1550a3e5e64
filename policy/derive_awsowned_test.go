package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// grantsOf returns the resources of every need granting action.
func grantsOf(d *Derived, action string) []string {
	var out []string
	for _, n := range d.Needs {
		for _, a := range n.Actions {
			if a == action {
				out = append(out, n.Resources...)
			}
		}
	}
	return out
}

func TestForRunbookAWSOwnedChildren(t *testing.T) {
	const instance = "arn:aws:ec2:us-east-1:111122223333:instance/"
	parse := func(t *testing.T, params, steps string) *runbook.Document {
		t.Helper()
		d, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}","parameters":` + params + `,"mainSteps":` + steps + `}`))
		require.NoError(t, err)
		return d
	}
	const roleParam = `"AutomationAssumeRole":{"type":"String","default":""}`
	tests := []struct {
		name     string
		params   string
		step     string
		children func(t *testing.T) map[string]*runbook.Document
		action   string
		want     []string
		notWant  []string
		// unresolved is a substring of the only unresolved detail.
		unresolved string
		note       string
	}{
		{name: "bundled child with a literal instance",
			params: `{` + roleParam + `}`,
			step:   runChild("stop", "AWS-StopEC2Instance", `{"InstanceId":["i-0a"]}`),
			action: "ec2:StopInstances", want: []string{instance + "i-0a"}, notWant: []string{instance + "*"},
			note: `AWS-owned runbook "AWS-StopEC2Instance" come from its bundled published copy`},
		{name: "bundled child given the caller's parameter with allowedValues",
			params: `{"Ids":{"type":"StringList","allowedValues":["i-0a","i-0b"]},` + roleParam + `}`,
			step:   runChild("stop", "AWS-StopEC2Instance", `{"InstanceId":"{{ Ids }}","AutomationAssumeRole":"{{ AutomationAssumeRole }}"}`),
			action: "ec2:StopInstances", want: []string{instance + "i-0a", instance + "i-0b"}, notWant: []string{instance + "*"}},
		{name: "bundled child given a free parameter",
			params: `{"Ids":{"type":"StringList"},` + roleParam + `}`,
			step:   runChild("start", "AWS-StartEC2Instance", `{"InstanceId":"{{ Ids }}"}`),
			action: "ec2:StartInstances", want: []string{instance + "*"}},
		{name: "bundled child given an instance-typed parameter tags only instances",
			params: `{"Id":{"type":"AWS::EC2::Instance::Id"},` + roleParam + `}`,
			step:   runChild("image", "AWS-CreateImage", `{"InstanceId":"{{ Id }}"}`),
			action: "ec2:CreateImage", want: []string{instance + "*"}},
		{name: "caller's document wins over the bundled copy",
			params: `{` + roleParam + `}`,
			step:   runChild("stop", "AWS-StopEC2Instance", `{"InstanceId":["i-0a"]}`),
			children: func(t *testing.T) map[string]*runbook.Document {
				return map[string]*runbook.Document{"AWS-StopEC2Instance": parse(t, `{"InstanceId":{"type":"StringList"},`+roleParam+`}`,
					`[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":"{{ InstanceId }}","DesiredState":"running"}}]`)}
			},
			action: "ec2:StartInstances", want: []string{instance + "i-0a"}},
		{name: "child run as another role needs only PassRole",
			params: `{` + roleParam + `}`,
			step:   runChild("stop", "AWS-StopEC2Instance", `{"InstanceId":["i-0a"],"AutomationAssumeRole":"arn:aws:iam::111122223333:role/Other"}`),
			action: "iam:PassRole", want: []string{"arn:aws:iam::111122223333:role/Other"}},
		{name: "AWS-owned child that is not bundled",
			params: `{` + roleParam + `}`,
			step:   runChild("snap", "AWS-CreateSnapshot", `{"VolumeId":"vol-1"}`),
			action: "ssm:StartAutomationExecution", want: []string{"arn:aws:ssm:us-east-1::document/AWS-CreateSnapshot"},
			unresolved: `child runbook "AWS-CreateSnapshot" may run as this role and is AWS-owned but not bundled, so its needs are unknown; pass its document (aws ssm get-document --name AWS-CreateSnapshot) in ChildRunbooks["AWS-CreateSnapshot"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var children map[string]*runbook.Document
			if tt.children != nil {
				children = tt.children(t)
			}
			d, err := ForRunbook(parse(t, tt.params, "["+tt.step+"]"), testScope, func(o *RunbookOptions) { o.ChildRunbooks = children })
			if tt.unresolved != "" {
				var ue *UnderivableError
				require.ErrorAs(t, err, &ue)
				require.Len(t, ue.Unresolved, 1)
				assert.Contains(t, ue.Unresolved[0].Detail, tt.unresolved)
			} else {
				require.NoError(t, err)
			}
			got := grantsOf(d, tt.action)
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, got, w)
			}
			if tt.note != "" {
				assert.Contains(t, strings.Join(d.Notes, "\n"), tt.note)
			}
		})
	}
}

// TestForRunbookChildDefaults checks that a parameter the starting step
// does not pass takes the child's literal default.
func TestForRunbookChildDefaults(t *testing.T) {
	const instance = "arn:aws:ec2:us-east-1:111122223333:instance/"
	child := childDoc(t, "", `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["{{ Target }}"],"DesiredState":"stopped"}}]`)
	child.Parameters = append(child.Parameters, runbook.Parameter{Name: "Target", Type: runbook.TypeString, Default: runbook.String("i-0default")})
	tests := []struct {
		name    string
		runtime string
		want    string
	}{
		{"default when not passed", "", instance + "i-0default"},
		{"passed value over the default", `{"Target":"i-0passed"}`, instance + "i-0passed"},
		{"free value passed over the default", `{"Target":"{{ global:DATE }}"}`, instance + "*"},
		{"parameters passed as a whole reference", `"{{ Params }}"`, instance + "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := childDoc(t, "", "["+runChild("e", "Child", tt.runtime)+"]")
			parent.Parameters = append(parent.Parameters, runbook.Parameter{Name: "Params", Type: runbook.TypeStringMap})
			d, err := ForRunbook(parent, testScope, func(o *RunbookOptions) {
				o.ChildRunbooks = map[string]*runbook.Document{"Child": child}
			})
			require.NoError(t, err)
			assert.Equal(t, []string{tt.want}, grantsOf(d, "ec2:StopInstances"))
		})
	}
}
