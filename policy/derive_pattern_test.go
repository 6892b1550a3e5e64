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

func TestForRunbookAPIPassRoleNarrowed(t *testing.T) {
	const (
		pattern   = `{"Role":{"type":"String","allowedPattern":"^arn:aws:iam::\\d{12}:role/App-.*$"}}`
		byName    = `{"Role":{"type":"String","allowedPattern":"^Fn-[A-Za-z]+$"}}`
		free      = `{"Role":{"type":"String"}}`
		anyName   = `{"Role":{"type":"String","allowedPattern":"^arn:aws:iam::\\d{12}:role/[\\w+=,.@-]+$"}}`
		listed    = `{"Role":{"type":"String","allowedValues":["arn:aws:iam::111122223333:role/a","b"]}}`
		stackCall = `"Service":"cloudformation","Api":"CreateStack","StackName":"app","TemplateURL":"https://example.com/t.json","RoleARN":`
	)
	api := func(inputs string) string {
		return `[{"name":"a","action":"aws:executeAwsApi","inputs":{` + inputs + `}}]`
	}
	tests := []struct {
		name    string
		params  string
		steps   string
		want    []string
		service string
		note    string
	}{
		{name: "literal ARN", steps: api(stackCall + `"arn:aws:iam::111122223333:role/cfn"`),
			want: []string{"arn:aws:iam::111122223333:role/cfn"}, service: "cloudformation.amazonaws.com"},
		{name: "allowedPattern fixing an ARN prefix", params: pattern, steps: api(stackCall + `"{{ Role }}"`),
			want: []string{"arn:aws:iam::111122223333:role/App-*"}, service: "cloudformation.amazonaws.com",
			note: `a.inputs.RoleARN: "{{ Role }}" is not fixed by the runbook; its allowedPattern narrows it to "arn:aws:iam::111122223333:role/App-*"`},
		{name: "allowedPattern fixing a name prefix", params: byName,
			steps: api(`"Service":"lambda","Api":"CreateFunction","FunctionName":"f","Code":{"ZipFile":"x"},"Role":"{{ Role }}"`),
			want:  []string{"arn:aws:iam::111122223333:role/Fn-*"}, service: "lambda.amazonaws.com"},
		{name: "allowedValues", params: listed, steps: api(stackCall + `"{{ Role }}"`),
			want: []string{"arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"}, service: "cloudformation.amazonaws.com"},
		{name: "parameter in a list of a nested map", params: pattern,
			steps: api(`"Service":"ssm","Api":"StartAutomationExecution","DocumentName":"Child","Parameters":{"AutomationAssumeRole":["{{ Role }}"]}`),
			want:  []string{"arn:aws:iam::111122223333:role/App-*"}, service: "ssm.amazonaws.com"},
		{name: "roles of a list of targets", params: pattern,
			steps: api(`"Service":"events","Api":"PutTargets","Rule":"r","Targets":[{"Id":"1","Arn":"arn:aws:sqs:us-east-1:111122223333:q"},{"Id":"2","Arn":"arn:aws:states:us-east-1:111122223333:stateMachine:m","RoleArn":"arn:aws:iam::111122223333:role/events"},{"Id":"3","Arn":"arn:aws:states:us-east-1:111122223333:stateMachine:n","RoleArn":"{{ Role }}"}]`),
			want:  []string{"arn:aws:iam::111122223333:role/App-*", "arn:aws:iam::111122223333:role/events"}, service: "events.amazonaws.com"},
		{name: "pattern fixing no name stays role/*", params: anyName, steps: api(stackCall + `"{{ Role }}"`),
			want: []string{"arn:aws:iam::111122223333:role/*"}, service: "cloudformation.amazonaws.com",
			note: `a.inputs.RoleARN: "{{ Role }}" is not fixed by the runbook, so it stands as "*" in the resource ARNs`},
		{name: "free parameter stays role/*", params: free, steps: api(stackCall + `"{{ Role }}"`),
			want: []string{"arn:aws:iam::111122223333:role/*"}, service: "cloudformation.amazonaws.com",
			note: `a.inputs.RoleARN: "{{ Role }}" is not fixed by the runbook, so it stands as "*" in the resource ARNs`},
		{name: "instance profile is not a role name", params: byName,
			steps: api(`"Service":"ec2","Api":"RunInstances","ImageId":"ami-1","MinCount":1,"MaxCount":1,"IamInstanceProfile":{"Name":"{{ Role }}"}`),
			want:  []string{"arn:aws:iam::111122223333:role/*"}, service: "ec2.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, tt.params, tt.steps), testScope)
			require.NoError(t, err)
			got := conditionedResources(t, d, "iam:PassRole", "iam:PassedToService", tt.service)
			assert.Equal(t, tt.want, got)
			if tt.note != "" {
				assert.Contains(t, d.Notes, tt.note)
			}
			assertCatalogActions(t, d)
		})
	}
}

func TestForRunbookTopicFromPattern(t *testing.T) {
	param := func(pattern string) string {
		return `{"Topic":{"type":"String","allowedPattern":` + quoteJSON(pattern) + `}}`
	}
	approve := `[{"name":"a","action":"aws:approve","inputs":{"Approvers":["arn:aws:iam::111122223333:role/approver"],"NotificationArn":"{{ Topic }}"}}]`
	publish := `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"sns","Api":"Publish","TopicArn":"{{ Topic }}","Message":"m"}}]`
	tests := []struct {
		name   string
		params string
		steps  string
		want   []string
	}{
		{name: "approval topic ARN prefix", params: param(`^arn:aws:sns:us-east-1:\d{12}:ops-.*$`), steps: approve,
			want: []string{"arn:aws:sns:us-east-1:111122223333:ops-*"}},
		{name: "published topic ARN prefix", params: param(`^arn:aws:sns:[a-z0-9-]+:\d{12}:ops-[a-z]+$`), steps: publish,
			want: []string{"arn:aws:sns:us-east-1:111122223333:ops-*"}},
		{name: "fixed account elsewhere", params: param(`^arn:aws:sns:us-east-1:444455556666:alerts$`), steps: publish,
			want: []string{"arn:aws:sns:us-east-1:444455556666:alerts"}},
		{name: "topic name prefix", params: param(`^ops-.+$`), steps: approve,
			want: []string{"arn:aws:sns:us-east-1:111122223333:ops-*"}},
		{name: "pattern fixing no name", params: param(`^arn:aws:sns:[a-z0-9-]+:\d{12}:[\w-]+$`), steps: publish,
			want: []string{"arn:aws:sns:us-east-1:111122223333:*"}},
		{name: "no pattern", params: `{"Topic":{"type":"String"}}`, steps: approve,
			want: []string{"arn:aws:sns:us-east-1:111122223333:*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, tt.params, tt.steps), testScope)
			require.NoError(t, err)
			assertCatalogActions(t, d)
			got, conditioned := grantedOn(d, "sns:Publish")
			assert.Equal(t, tt.want, got)
			assert.False(t, conditioned)
		})
	}
}
