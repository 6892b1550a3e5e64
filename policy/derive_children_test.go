package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// childDoc parses a runbook with the given assumeRole and steps, declaring
// the AutomationAssumeRole parameter it may refer to.
func childDoc(t *testing.T, assumeRole, steps string) *runbook.Document {
	t.Helper()
	src := `{"schemaVersion":"0.3","assumeRole":` + fmt.Sprintf("%q", assumeRole) +
		`,"parameters":{"AutomationAssumeRole":{"type":"String","default":""}},"mainSteps":` + steps + `}`
	doc, err := runbook.Parse([]byte(src))
	require.NoError(t, err, src)
	return doc
}

// runChild is an aws:executeAutomation step named name starting child with
// the given RuntimeParameters JSON ("" for none).
func runChild(name, child, runtime string) string {
	in := `"DocumentName":"` + child + `"`
	if runtime != "" {
		in += `,"RuntimeParameters":` + runtime
	}
	return `{"name":"` + name + `","action":"aws:executeAutomation","inputs":{` + in + `}}`
}

func TestForRunbookChildrenAsThisRole(t *testing.T) {
	const (
		stop     = `{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"stopped"}}`
		role     = "arn:aws:iam::111122223333:role/R"
		other    = "arn:aws:iam::111122223333:role/other"
		sameRef  = `{"AutomationAssumeRole":"{{ AutomationAssumeRole }}"}`
		startAct = "ssm:StartAutomationExecution"
	)
	stopper := func(t *testing.T) *runbook.Document { return childDoc(t, "", "["+stop+"]") }
	// chain returns children C1..Cn where Ci runs Ci+1 and Cn stops i-1.
	chain := func(t *testing.T, n int) map[string]*runbook.Document {
		m := map[string]*runbook.Document{}
		for i := 1; i <= n; i++ {
			step := stop
			if i < n {
				step = runChild("e", fmt.Sprintf("C%d", i+1), "")
			}
			m[fmt.Sprintf("C%d", i)] = childDoc(t, "", "["+step+"]")
		}
		return m
	}
	tests := []struct {
		name       string
		parentRole string
		step       string
		children   func(t *testing.T) map[string]*runbook.Document
		// wantSteps are report steps that must be present.
		wantSteps []string
		// wantActions must be granted; noActions must not.
		wantActions []string
		noActions   []string
		// unresolved is a substring of the only unresolved detail.
		unresolved string
	}{
		{name: "no role passed runs as this role", parentRole: "{{ AutomationAssumeRole }}",
			step: runChild("e", "Child", ""),
			children: func(t *testing.T) map[string]*runbook.Document {
				return map[string]*runbook.Document{"Child": stopper(t)}
			},
			wantSteps:   []string{"e", "e -> child Child: s"},
			wantActions: []string{"ec2:StopInstances", startAct},
			noActions:   []string{"iam:PassRole"}},
		{name: "own role parameter passed on", parentRole: "{{AutomationAssumeRole}}",
			step: runChild("e", "Child", sameRef),
			children: func(t *testing.T) map[string]*runbook.Document {
				return map[string]*runbook.Document{"Child": stopper(t)}
			},
			wantSteps:   []string{"e -> child Child: s"},
			wantActions: []string{"ec2:StopInstances", "iam:PassRole", startAct}},
		{name: "own role parameter passed to a child that runs as it", parentRole: "{{ AutomationAssumeRole }}",
			step: runChild("e", "Child", sameRef),
			children: func(t *testing.T) map[string]*runbook.Document {
				return map[string]*runbook.Document{"Child": childDoc(t, "{{ AutomationAssumeRole }}", "["+stop+"]")}
			},
			wantSteps:   []string{"e -> child Child: s"},
			wantActions: []string{"ec2:StopInstances", "iam:PassRole", startAct}},
		{name: "own literal role passed on", parentRole: role,
			step: runChild("e", "Child", `{"AutomationAssumeRole":"`+role+`"}`),
			children: func(t *testing.T) map[string]*runbook.Document {
				return map[string]*runbook.Document{"Child": stopper(t)}
			},
			wantSteps:   []string{"e -> child Child: s"},
			wantActions: []string{"ec2:StopInstances", "iam:PassRole", startAct}},
		{name: "another role passed needs only PassRole", parentRole: role,
			step:        runChild("e", "Unknown", `{"AutomationAssumeRole":"`+other+`"}`),
			wantActions: []string{"iam:PassRole", startAct},
			noActions:   []string{"ec2:StopInstances"}},
		{name: "role parameter that is not this role needs only PassRole", parentRole: role,
			step:        runChild("e", "Unknown", sameRef),
			wantActions: []string{"iam:PassRole", startAct}},
		{name: "unknown child without a role", parentRole: "{{ AutomationAssumeRole }}",
			step:        runChild("e", "Unknown", ""),
			wantActions: []string{startAct},
			unresolved:  `child runbook "Unknown" may run as this role and its needs are unknown; pass its document in ChildRunbooks["Unknown"]`},
		{name: "unknown child given this role", parentRole: "{{ AutomationAssumeRole }}",
			step:        runChild("e", "Unknown", sameRef),
			wantActions: []string{"iam:PassRole", startAct},
			unresolved:  `ChildRunbooks["Unknown"]`},
		{name: "child that runs itself", parentRole: "{{ AutomationAssumeRole }}",
			step: runChild("e", "Loop", ""),
			children: func(t *testing.T) map[string]*runbook.Document {
				return map[string]*runbook.Document{"Loop": childDoc(t, "", "["+stop+","+runChild("again", "Loop", "")+"]")}
			},
			wantSteps:   []string{"e -> child Loop: s"},
			wantActions: []string{"ec2:StopInstances"},
			unresolved:  `child runbook "Loop" runs itself (Loop -> Loop)`},
		{name: "children that run each other", parentRole: "{{ AutomationAssumeRole }}",
			step: runChild("e", "A", ""),
			children: func(t *testing.T) map[string]*runbook.Document {
				return map[string]*runbook.Document{
					"A": childDoc(t, "{{ AutomationAssumeRole }}", "["+runChild("f", "B", sameRef)+"]"),
					"B": childDoc(t, "{{ AutomationAssumeRole }}", "["+stop+","+runChild("g", "A", "")+"]"),
				}
			},
			wantSteps:   []string{"e -> child A: f -> child B: s"},
			wantActions: []string{"ec2:StopInstances"},
			unresolved:  `child runbook "A" runs itself (A -> B -> A)`},
		{name: "five levels of children", parentRole: "{{ AutomationAssumeRole }}",
			step:        runChild("e", "C1", ""),
			children:    func(t *testing.T) map[string]*runbook.Document { return chain(t, 5) },
			wantSteps:   []string{"e -> child C1: e -> child C2: e -> child C3: e -> child C4: e -> child C5: s"},
			wantActions: []string{"ec2:StopInstances"}},
		{name: "six levels of children", parentRole: "{{ AutomationAssumeRole }}",
			step:       runChild("e", "C1", ""),
			children:   func(t *testing.T) map[string]*runbook.Document { return chain(t, 6) },
			noActions:  []string{"ec2:StopInstances"},
			unresolved: `child runbook "C6" nests deeper than 5 levels`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := childDoc(t, tt.parentRole, "["+tt.step+"]")
			var children map[string]*runbook.Document
			if tt.children != nil {
				children = tt.children(t)
			}
			d, err := ForRunbook(doc, testScope, func(o *RunbookOptions) { o.ChildRunbooks = children })
			if tt.unresolved != "" {
				var ue *UnderivableError
				require.ErrorAs(t, err, &ue)
				require.Len(t, ue.Unresolved, 1)
				assert.Contains(t, ue.Unresolved[0].Detail, tt.unresolved)
				assert.True(t, errors.Is(err, ErrUnderivable))
			} else {
				require.NoError(t, err)
			}
			require.NotNil(t, d)
			var steps []string
			for _, n := range d.Needs {
				steps = append(steps, n.Step)
			}
			for _, s := range tt.wantSteps {
				assert.Contains(t, steps, s)
			}
			for _, a := range tt.wantActions {
				assert.Contains(t, d.Actions(), a)
			}
			for _, a := range tt.noActions {
				assert.NotContains(t, d.Actions(), a)
			}
			if text := d.Policy.String(); strings.Contains(text, "ec2:StopInstances") {
				assert.Contains(t, text, `"arn:aws:ec2:us-east-1:111122223333:instance/i-1"`)
			}
		})
	}
}
