package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// TestForRunbookChildParameters checks that the steps of a child that runs
// as this role resolve their parameter and step references against the
// child's own document, not the parent's.
func TestForRunbookChildParameters(t *testing.T) {
	doc := func(t *testing.T, params, steps string) *runbook.Document {
		t.Helper()
		d, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","parameters":` + params + `,"mainSteps":` + steps + `}`))
		require.NoError(t, err)
		return d
	}
	const (
		stopParam = `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["{{ Target }}"],"DesiredState":"stopped"}}]`
		tagParam  = `[{"name":"t","action":"aws:createTags","inputs":{"ResourceIds":["{{ Target }}"],"Tags":[{"Key":"k","Value":"v"}]}}]`
		stackRole = `[{"name":"st","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://example.com/t.json","RoleARN":"{{ Role }}"}}]`
		instance  = "arn:aws:ec2:us-east-1:111122223333:instance/"
	)
	tests := []struct {
		name          string
		parentParams  string
		childParams   string
		childSteps    string
		action        string
		want, notWant []string
	}{
		{name: "child allowedValues narrow the child's step",
			parentParams: `{}`,
			childParams:  `{"Target":{"type":"String","allowedValues":["i-0a","i-0b"]}}`,
			childSteps:   stopParam, action: "ec2:StopInstances",
			want: []string{instance + "i-0a", instance + "i-0b"}, notWant: []string{instance + "*"}},
		{name: "child allowedPattern narrows the child's role",
			parentParams: `{}`,
			childParams:  `{"Role":{"type":"String","allowedPattern":"^arn:aws:iam::\\d{12}:role/Child-.*$"}}`,
			childSteps:   stackRole, action: "iam:PassRole",
			want: []string{"arn:aws:iam::111122223333:role/Child-*"}},
		{name: "parent allowedValues of the same name do not narrow the child",
			parentParams: `{"Target":{"type":"String","allowedValues":["i-0parent"]}}`,
			childParams:  `{"Target":{"type":"String"}}`,
			childSteps:   stopParam, action: "ec2:StopInstances",
			want: []string{instance + "*"}, notWant: []string{instance + "i-0parent"}},
		{name: "parent and child allowedValues of the same name differ",
			parentParams: `{"Target":{"type":"String","allowedValues":["i-0parent"]}}`,
			childParams:  `{"Target":{"type":"String","allowedValues":["i-0child"]}}`,
			childSteps:   stopParam, action: "ec2:StopInstances",
			want: []string{instance + "i-0child"}, notWant: []string{instance + "i-0parent"}},
		{name: "parent pattern of the same name does not narrow the child's role",
			parentParams: `{"Role":{"type":"String","allowedPattern":"^arn:aws:iam::\\d{12}:role/Parent-.*$"}}`,
			childParams:  `{"Role":{"type":"String"}}`,
			childSteps:   stackRole, action: "iam:PassRole",
			want: []string{"arn:aws:iam::111122223333:role/*"}, notWant: []string{"arn:aws:iam::111122223333:role/Parent-*"}},
		{name: "parent parameter typed as an instance does not type the child's",
			parentParams: `{"Target":{"type":"AWS::EC2::Instance::Id"}}`,
			childParams:  `{"Target":{"type":"String"}}`,
			childSteps:   tagParam, action: "ec2:CreateTags",
			want: []string{"arn:aws:ec2:us-east-1:111122223333:*/*"}, notWant: []string{instance + "*"}},
		{name: "child parameter typed as an instance",
			parentParams: `{"Target":{"type":"String"}}`,
			childParams:  `{"Target":{"type":"AWS::EC2::Instance::Id"}}`,
			childSteps:   tagParam, action: "ec2:CreateTags",
			want: []string{instance + "*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := doc(t, tt.parentParams, `[`+runChild("e", "Child", "")+`]`)
			child := doc(t, tt.childParams, tt.childSteps)
			d, err := ForRunbook(parent, testScope, func(o *RunbookOptions) {
				o.ChildRunbooks = map[string]*runbook.Document{"Child": child}
			})
			require.NoError(t, err)
			var got []string
			for _, n := range d.Needs {
				for _, a := range n.Actions {
					if a == tt.action {
						got = append(got, n.Resources...)
					}
				}
			}
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, got, w)
			}
		})
	}
}
