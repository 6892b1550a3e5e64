package policy

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPatternGlob(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`^arn:aws:iam::\d{12}:role/App-.*$`, `arn:aws:iam::*:role/App-*`},
		{`^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/App-[\w+=,.@-]+$`, `arn:aws*:iam::*:role/App-*`},
		{`^App-.*$`, `App-*`},
		{`^App-`, `App-*`},
		{`App$`, `*App`},
		{`^(?i)app-.*$`, `*`},
		{`^arn:.*|^$`, `*`},
		{`^(App)-x$`, `App-x`},
		{`(`, `*`},
		{``, `*`},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			assert.Equal(t, tt.want, patternGlob(tt.pattern))
		})
	}
}

func TestForRunbookPassRoleFromPattern(t *testing.T) {
	roleParam := func(pattern string) string {
		if pattern == "" {
			return `{"Role":{"type":"String"}}`
		}
		return `{"Role":{"type":"String","allowedPattern":` + quoteJSON(pattern) + `}}`
	}
	const stack = `[{"name":"st","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://example.com/t.json","RoleARN":"{{ Role }}"}}]`
	const command = `[{"name":"rc","action":"aws:runCommand","inputs":{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"],"Parameters":{"commands":["true"]},"ServiceRoleArn":"{{ Role }}"}}]`
	const child = `[{"name":"ch","action":"aws:executeAutomation","inputs":{"DocumentName":"Child","RuntimeParameters":{"AutomationAssumeRole":"{{ Role }}"}}}]`
	tests := []struct {
		name    string
		pattern string
		steps   string
		want    string
	}{
		{name: "stack role ARN with a literal prefix", pattern: `^arn:aws:iam::\d{12}:role/App-.*$`, steps: stack,
			want: "arn:aws:iam::111122223333:role/App-*"},
		{name: "command service role with a partition choice", pattern: `^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/Notify-[\w+=,.@-]+$`, steps: command,
			want: "arn:aws:iam::111122223333:role/Notify-*"},
		{name: "child role by name", pattern: `^Child-[A-Za-z]+$`, steps: child,
			want: "arn:aws:iam::111122223333:role/Child-*"},
		{name: "pattern fixing no name stays role/*", pattern: `^arn:aws:iam::\d{12}:role/[\w+=,.@-]+$`, steps: stack,
			want: "arn:aws:iam::111122223333:role/*"},
		{name: "no pattern stays role/*", steps: stack,
			want: "arn:aws:iam::111122223333:role/*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, roleParam(tt.pattern), tt.steps), testScope)
			require.NoError(t, err)
			var got []string
			for _, st := range d.Policy.Statement {
				if slices.Contains(st.Action.Values, "iam:PassRole") {
					got = append(got, st.Resource.Values...)
				}
			}
			assert.Equal(t, []string{tt.want}, got)
			assertCatalogActions(t, d)
		})
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
