package policy

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

var testScope = Scope{Region: "us-east-1", Account: acct}

// runbookJSON parses a runbook made of the given parameters and steps.
func runbookJSON(t testing.TB, params, steps string) *runbook.Document {
	t.Helper()
	return runbookWithFiles(t, params, steps)
}

// runbookWithFiles is runbookJSON with attachments declared under files.
func runbookWithFiles(t testing.TB, params, steps string, files ...string) *runbook.Document {
	t.Helper()
	if params == "" {
		params = "{}"
	}
	decl := ""
	for i, f := range files {
		if i > 0 {
			decl += ","
		}
		decl += strconv.Quote(f) + `:{"checksums":{"sha256":"` + strings.Repeat("0", 64) + `"}}`
	}
	src := `{"schemaVersion":"0.3","assumeRole":"arn:aws:iam::111122223333:role/R","parameters":` + params + `,"mainSteps":` + steps + `,"files":{` + decl + `}}`
	doc, err := runbook.Parse([]byte(src))
	require.NoError(t, err, "runbook:\n%s", src)
	return doc
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update")
	require.Equal(t, string(want), string(got), "%s differs", path)
}

func TestForRunbookSeedGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/restart-ec2-demo.json")
	require.NoError(t, err)
	doc, err := runbook.Parse(data)
	require.NoError(t, err)
	d, err := ForRunbook(doc, testScope)
	require.NoError(t, err)
	js, err := d.Policy.JSON()
	require.NoError(t, err)
	golden(t, "restart-ec2-demo.policy.json", js)
	var ex bytes.Buffer
	require.NoError(t, d.Explain(&ex))
	golden(t, "restart-ec2-demo.explain.txt", ex.Bytes())
	r := Lint(d.Policy, KindIdentity, func(o *LintOptions) { o.SizeLimit = LimitRoleInline })
	require.Empty(t, r.Errors(), "derived policy does not lint")

	// The derived role can do exactly what the runbook does.
	ids := []NamedPolicy{{"derived", d.Policy}}
	role := "arn:aws:sts::111122223333:assumed-role/R/Automation-e1"
	for _, c := range []struct {
		action, res string
		want        bool
	}{
		{"ec2:StopInstances", testScope.InstanceARN("i-0abc"), true},
		{"ec2:StartInstances", testScope.InstanceARN("i-0abc"), true},
		{"ec2:DescribeInstanceStatus", "*", true},
		{"ec2:TerminateInstances", testScope.InstanceARN("i-0abc"), false},
		{"ec2:StopInstances", Scope{Region: "eu-west-1", Account: acct}.InstanceARN("i-0abc"), false},
		{"ssm:StartAutomationExecution", testScope.DocumentARN("X"), false},
		{"iam:PassRole", testScope.RoleARN("/", "R"), false},
	} {
		got := Evaluate(Request{Principal: role, Action: c.action, Resource: c.res}, ids, nil).Allowed()
		assert.Equal(t, c.want, got, "%s on %s", c.action, c.res)
	}

	// Compared with AmazonSSMAutomationRole, far fewer actions.
	assert.Len(t, d.Actions(), 3, "derived actions")
}

func TestForRunbookActions(t *testing.T) {
	tests := []struct {
		name       string
		params     string
		steps      string
		opts       func(*RunbookOptions)
		actions    []string // every action of the policy, sorted
		resources  []string // resources that must appear
		conditions []string // condition texts that must appear in the policy
		notes      []string // notes the report must carry
		files      []string // attachments declared under files
		unresolved int
	}{
		{name: "literal instance ids and allowed states",
			params:    `{"State":{"type":"String","allowedValues":["stopped","terminated"]}}`,
			steps:     `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1","i-2"],"DesiredState":"{{ State }}"}}]`,
			actions:   []string{"ec2:DescribeInstanceStatus", "ec2:StopInstances", "ec2:TerminateInstances"},
			resources: []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:us-east-1:111122223333:instance/i-2"}},
		{name: "free desired state is not guessed",
			params:     `{"State":{"type":"String"}}`,
			steps:      `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"{{ State }}"}}]`,
			actions:    []string{"ec2:DescribeInstanceStatus"},
			unresolved: 1},
		{name: "check state only",
			steps:   `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"running","CheckStateOnly":true}}]`,
			actions: []string{"ec2:DescribeInstanceStatus"}},
		{name: "run instances with tags and profile",
			steps: `[{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1","InstanceType":"t3.micro","TagSpecifications":[{"ResourceType":"instance","Tags":[{"Key":"k","Value":"v"}]}],"IamInstanceProfileName":"web"}}]`,
			opts: func(o *RunbookOptions) {
				o.InstanceProfileRoles = map[string]string{"web": "arn:aws:iam::111122223333:role/web-role"}
			},
			actions:    []string{"ec2:CreateTags", "ec2:DescribeInstanceStatus", "ec2:RunInstances", "iam:PassRole"},
			resources:  []string{"arn:aws:ec2:us-east-1::image/ami-1", "arn:aws:iam::111122223333:role/web-role"},
			conditions: []string{`"ec2:CreateAction":"RunInstances"`, `"iam:PassedToService":"ec2.amazonaws.com"`}},
		{name: "create tags on EC2 ids",
			steps:     `[{"name":"t","action":"aws:createTags","inputs":{"ResourceIds":["i-1","ami-2","vol-3"],"Tags":[{"Key":"k","Value":"v"}]}}]`,
			actions:   []string{"ec2:CreateTags"},
			resources: []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:us-east-1::image/ami-2", "arn:aws:ec2:us-east-1:111122223333:volume/vol-3"}},
		{name: "create tags on managed instances",
			steps:     `[{"name":"t","action":"aws:createTags","inputs":{"ResourceType":"ManagedInstance","ResourceIds":["mi-1"],"Tags":[{"Key":"k","Value":"v"}]}}]`,
			actions:   []string{"ssm:AddTagsToResource"},
			resources: []string{"arn:aws:ssm:us-east-1:111122223333:managed-instance/mi-1"}},
		{name: "images",
			steps:     `[{"name":"c","action":"aws:createImage","inputs":{"InstanceId":"i-1","ImageName":"n"}},{"name":"cp","action":"aws:copyImage","inputs":{"SourceImageId":"ami-1","SourceRegion":"eu-west-1","ImageName":"n"}},{"name":"d","action":"aws:deleteImage","inputs":{"ImageId":"ami-9"}}]`,
			actions:   []string{"ec2:CopyImage", "ec2:CreateImage", "ec2:DeleteSnapshot", "ec2:DeregisterImage", "ec2:DescribeImages", "ec2:DescribeSnapshots"},
			resources: []string{"arn:aws:ec2:eu-west-1::image/ami-1", "arn:aws:ec2:us-east-1::image/ami-9"}},
		{name: "stack with role",
			steps:      `[{"name":"c","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://x","RoleARN":"arn:aws:iam::111122223333:role/cfn"}}]`,
			actions:    []string{"cloudformation:CreateStack", "cloudformation:DescribeStacks", "iam:PassRole"},
			resources:  []string{"arn:aws:cloudformation:us-east-1:111122223333:stack/app/*", "arn:aws:iam::111122223333:role/cfn"},
			conditions: []string{`"iam:PassedToService":"cloudformation.amazonaws.com"`}},
		{name: "stack without role is underivable",
			steps:      `[{"name":"c","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://x"}}]`,
			actions:    []string{"cloudformation:CreateStack", "cloudformation:DescribeStacks"},
			unresolved: 1},
		{name: "stack without role, declared",
			steps: `[{"name":"c","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://x"}}]`,
			opts: func(o *RunbookOptions) {
				o.StackPermissions = map[string][]Permission{"c": {{Actions: []string{"sqs:CreateQueue"}}}}
			},
			actions: []string{"cloudformation:CreateStack", "cloudformation:DescribeStacks", "sqs:CreateQueue"}},
		{name: "run command",
			steps:     `[{"name":"r","action":"aws:runCommand","inputs":{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"],"Parameters":{"commands":["ls"]}}}]`,
			actions:   []string{"ssm:DescribeInstanceInformation", "ssm:ListCommandInvocations", "ssm:ListCommands", "ssm:SendCommand"},
			resources: []string{"arn:aws:ssm:us-east-1::document/AWS-RunShellScript", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"}},
		{name: "child automation with role",
			steps:      `[{"name":"e","action":"aws:executeAutomation","inputs":{"DocumentName":"Child","RuntimeParameters":{"AutomationAssumeRole":"arn:aws:iam::111122223333:role/child"}}}]`,
			actions:    []string{"iam:PassRole", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"},
			resources:  []string{"arn:aws:ssm:us-east-1:111122223333:document/Child", "arn:aws:ssm:us-east-1:111122223333:automation-definition/Child:*", "arn:aws:iam::111122223333:role/child"},
			conditions: []string{`"iam:PassedToService":"ssm.amazonaws.com"`}},
		{name: "child automation runs with this role",
			steps: `[{"name":"e","action":"aws:executeAutomation","inputs":{"DocumentName":"Child"}}]`,
			opts: func(o *RunbookOptions) {
				child, _ := runbook.Parse([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"stopped"}}]}`))
				o.ChildRunbooks = map[string]*runbook.Document{"Child": child}
			},
			actions: []string{"ec2:DescribeInstanceStatus", "ec2:StopInstances", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}},
		{name: "lambda with qualifier",
			steps:     `[{"name":"l","action":"aws:invokeLambdaFunction","inputs":{"FunctionName":"fn","Qualifier":"prod"}}]`,
			actions:   []string{"lambda:InvokeFunction"},
			resources: []string{"arn:aws:lambda:us-east-1:111122223333:function:fn:prod"}},
		{name: "state machine",
			steps:     `[{"name":"sm","action":"aws:executeStateMachine","inputs":{"stateMachineArn":"arn:aws:states:us-east-1:111122223333:stateMachine:flow"}}]`,
			actions:   []string{"states:DescribeExecution", "states:StartExecution"},
			resources: []string{"arn:aws:states:us-east-1:111122223333:execution:flow:*"}},
		{name: "webhook",
			steps:     `[{"name":"w","action":"aws:invokeWebhook","inputs":{"IntegrationName":"hook"}}]`,
			actions:   []string{"ssm:GetParameter"},
			resources: []string{"arn:aws:ssm:us-east-1:111122223333:parameter/d9d01087-4a3f-49e0-b0b4-d568d7826553/ssm/integrations/webhook/hook"},
			notes:     []string{"w: when the integration's parameter is encrypted with a customer managed key, the role also needs kms:Decrypt on that key"}},
		{name: "approve with topic from globals",
			steps:     `[{"name":"a","action":"aws:approve","inputs":{"Approvers":["arn:aws:iam::111122223333:user/x"],"NotificationArn":"arn:{{global:AWS_PARTITION}}:sns:{{global:REGION}}:{{global:ACCOUNT_ID}}:approvals"}}]`,
			actions:   []string{"sns:Publish"},
			resources: []string{"arn:aws:sns:us-east-1:111122223333:approvals"}},
		{name: "control flow needs nothing",
			steps:   `[{"name":"s","action":"aws:sleep","inputs":{"Duration":"PT1M"}},{"name":"p","action":"aws:pause","inputs":{}}]`,
			actions: nil},
		{name: "loop steps",
			steps:   `[{"name":"l","action":"aws:loop","inputs":{"Iterators":["i-1","i-2"],"Steps":[{"name":"stop","action":"aws:changeInstanceState","inputs":{"InstanceIds":["{{ l.CurrentIteratorValue }}"],"DesiredState":"stopped"}}]}}]`,
			actions: []string{"ec2:DescribeInstanceStatus", "ec2:StopInstances"}},
		{name: "script without AWS calls",
			steps: `[{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"h","Script":"def h(e,c): pass"}}]`},
		{name: "script attachment undeclared",
			steps:      `[{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"s.h","Attachment":"s.zip"}}]`,
			files:      []string{"s.zip"},
			unresolved: 1},
		{name: "script declared",
			steps: `[{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"h","Script":"def h(e,c): pass"}}]`,
			opts: func(o *RunbookOptions) {
				o.ScriptPermissions = map[string][]Permission{"sc": {{Actions: []string{"ec2:DescribeInstances"}}}}
			},
			actions: []string{"ec2:DescribeInstances"}},
		{name: "api renamed service and action",
			steps: `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"stepfunctions","Api":"StartExecution","stateMachineArn":"arn:aws:states:us-east-1:111122223333:stateMachine:m"}},
				{"name":"b","action":"aws:executeAwsApi","inputs":{"Service":"lambda","Api":"Invoke","FunctionName":"fn"}},
				{"name":"c","action":"aws:executeAwsApi","inputs":{"Service":"s3","Api":"ListObjectsV2","Bucket":"logs"}},
				{"name":"d","action":"aws:executeAwsApi","inputs":{"Service":"elbv2","Api":"DescribeLoadBalancers"}}]`,
			actions:   []string{"elasticloadbalancing:DescribeLoadBalancers", "lambda:InvokeFunction", "s3:ListBucket", "states:StartExecution"},
			resources: []string{"arn:aws:states:us-east-1:111122223333:stateMachine:m", "arn:aws:lambda:us-east-1:111122223333:function:fn", "arn:aws:s3:::logs"}},
		{name: "api snake case and literal ids",
			steps:     `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"EC2","Api":"stop_instances","InstanceIds":["i-9"]}}]`,
			actions:   []string{"ec2:StopInstances"},
			resources: []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-9"}},
		{name: "api hidden pass role",
			steps:      `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ssm","Api":"SendCommand","DocumentName":"AWS-RunShellScript","ServiceRoleArn":"arn:aws:iam::111122223333:role/notify"}}]`,
			actions:    []string{"iam:PassRole", "ssm:SendCommand"},
			resources:  []string{"arn:aws:iam::111122223333:role/notify"},
			conditions: []string{`"iam:PassedToService":"ssm.amazonaws.com"`}},
		{name: "api tag on create",
			steps:      `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"CreateVolume","AvailabilityZone":"us-east-1a","TagSpecifications":[{"ResourceType":"volume","Tags":[{"Key":"k","Value":"v"}]}]}}]`,
			actions:    []string{"ec2:CreateTags", "ec2:CreateVolume"},
			conditions: []string{`"ec2:CreateAction":"CreateVolume"`}},
		{name: "api needing no permission",
			steps:   `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"sts","Api":"GetCallerIdentity"}}]`,
			actions: nil},
		{name: "api unknown",
			steps:      `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeUnicorns"}}]`,
			unresolved: 1},
		{name: "api unknown service",
			steps:      `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"unicorns","Api":"List"}}]`,
			unresolved: 1},
		{name: "api supplied by caller",
			steps: `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeUnicorns"}}]`,
			opts: func(o *RunbookOptions) {
				o.APIActions = map[string][]string{"EC2.describeunicorns": {"ec2:DescribeInstances"}}
			},
			actions: []string{"ec2:DescribeInstances"}},
		{name: "api from a parameter",
			params:     `{"Api":{"type":"String"}}`,
			steps:      `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"{{ Api }}"}}]`,
			unresolved: 1},
		{name: "delete stack with role",
			steps:      `[{"name":"d","action":"aws:deleteStack","inputs":{"StackName":"app","RoleARN":"arn:aws:iam::111122223333:role/cfn"}}]`,
			actions:    []string{"cloudformation:DeleteStack", "cloudformation:DescribeStacks", "iam:PassRole"},
			resources:  []string{"arn:aws:cloudformation:us-east-1:111122223333:stack/app/*", "arn:aws:iam::111122223333:role/cfn"},
			conditions: []string{`"iam:PassedToService":"cloudformation.amazonaws.com"`}},
		{name: "run command with notification role",
			steps:      `[{"name":"r","action":"aws:runCommand","inputs":{"DocumentName":"AWS-RunShellScript","Targets":[{"Key":"tag:env","Values":["dev"]}],"ServiceRoleArn":"arn:aws:iam::111122223333:role/notify"}}]`,
			actions:    []string{"iam:PassRole", "ssm:DescribeInstanceInformation", "ssm:ListCommandInvocations", "ssm:ListCommands", "ssm:SendCommand"},
			resources:  []string{"arn:aws:iam::111122223333:role/notify", "arn:aws:ec2:us-east-1:111122223333:instance/*"},
			conditions: []string{`"iam:PassedToService":"ssm.amazonaws.com"`}},
		{name: "create tags on parameters",
			steps:     `[{"name":"t","action":"aws:createTags","inputs":{"ResourceType":"Parameter","ResourceIds":["/app/db"],"Tags":[{"Key":"k","Value":"v"}]}}]`,
			actions:   []string{"ssm:AddTagsToResource"},
			resources: []string{"arn:aws:ssm:us-east-1:111122223333:parameter/app/db"}},
		{name: "create tags on maintenance windows",
			steps:     `[{"name":"t","action":"aws:createTags","inputs":{"ResourceType":"MaintenanceWindow","ResourceIds":["mw-1"],"Tags":[{"Key":"k","Value":"v"}]}}]`,
			actions:   []string{"ssm:AddTagsToResource"},
			resources: []string{"arn:aws:ssm:us-east-1:111122223333:maintenancewindow/mw-1"}},
		{name: "run instances without tags or profile",
			steps:   `[{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1"}}]`,
			actions: []string{"ec2:DescribeInstanceStatus", "ec2:RunInstances"}},
		{name: "run instances with unknown profile role",
			steps:      `[{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1","IamInstanceProfileArn":"arn:aws:iam::111122223333:instance-profile/web"}}]`,
			actions:    []string{"ec2:DescribeInstanceStatus", "ec2:RunInstances", "iam:PassRole"},
			resources:  []string{"arn:aws:iam::111122223333:role/*"},
			conditions: []string{`"iam:PassedToService":"ec2.amazonaws.com"`},
			notes:      []string{`launch: the role behind instance profile "arn:aws:iam::111122223333:instance-profile/web" is unknown, so iam:PassRole covers every role passed to EC2; name it with InstanceProfileRoles`}},
		{name: "approve without topic",
			steps:   `[{"name":"a","action":"aws:approve","inputs":{"Approvers":["arn:aws:iam::111122223333:user/x"]}}]`,
			actions: nil},
		{name: "branch, update variable and wait need nothing",
			params:  `{"Id":{"type":"String"}}`,
			steps:   `[{"name":"b","action":"aws:branch","inputs":{"Choices":[{"NextStep":"s","Variable":"{{ Id }}","StringEquals":"x"}]}},{"name":"s","action":"aws:sleep","inputs":{"Timestamp":"2026-01-01T00:00:00Z"}}]`,
			actions: nil},
		{name: "api RunInstances passes the profile role",
			steps: `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"RunInstances","ImageId":"ami-1","MinCount":1,"MaxCount":1,"IamInstanceProfile":{"Name":"web"}}}]`,
			opts: func(o *RunbookOptions) {
				o.InstanceProfileRoles = map[string]string{"web": "arn:aws:iam::111122223333:role/web-role"}
			},
			actions:    []string{"ec2:RunInstances", "iam:PassRole"},
			resources:  []string{"arn:aws:iam::111122223333:role/web-role"},
			conditions: []string{`"iam:PassedToService":"ec2.amazonaws.com"`}},
		{name: "api CreateStack passes RoleARN",
			steps:      `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"cloudformation","Api":"CreateStack","StackName":"app","TemplateURL":"https://x","RoleARN":"arn:aws:iam::111122223333:role/cfn"}}]`,
			actions:    []string{"cloudformation:CreateStack", "iam:PassRole"},
			resources:  []string{"arn:aws:iam::111122223333:role/cfn", "arn:aws:cloudformation:us-east-1:111122223333:stack/app/*"},
			conditions: []string{`"iam:PassedToService":"cloudformation.amazonaws.com"`}},
		{name: "api wait and assert",
			steps: `[{"name":"w","action":"aws:waitForAwsResourceProperty","inputs":{"Service":"ec2","Api":"DescribeInstanceStatus","InstanceIds":["i-1"],"PropertySelector":"$.InstanceStatuses[0].InstanceState.Name","DesiredValues":["running"]}},
				{"name":"c","action":"aws:assertAwsResourceProperty","inputs":{"Service":"sfn","Api":"DescribeExecution","executionArn":"arn:aws:states:us-east-1:111122223333:execution:m:1","PropertySelector":"$.status","DesiredValues":["SUCCEEDED"]}}]`,
			actions: []string{"ec2:DescribeInstanceStatus", "states:DescribeExecution"}},
		{name: "resource tags on existing resources only",
			steps:      `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"stopped"}}]`,
			opts:       func(o *RunbookOptions) { o.ResourceTags = map[string]string{"team": "ops"} },
			actions:    []string{"ec2:DescribeInstanceStatus", "ec2:StopInstances"},
			conditions: []string{`"aws:ResourceTag/team":"ops"`}},
	}
	known := referenceActionsIfPresent()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := runbookWithFiles(t, tt.params, tt.steps, tt.files...)
			var opts []func(*RunbookOptions)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			d, err := ForRunbook(doc, testScope, opts...)
			if tt.unresolved > 0 {
				var ue *UnderivableError
				require.ErrorAs(t, err, &ue)
				require.ErrorIs(t, err, ErrUnderivable)
				require.Len(t, ue.Unresolved, tt.unresolved, "unresolved")
			} else {
				require.NoError(t, err)
			}
			if tt.actions != nil || tt.unresolved == 0 {
				if len(tt.actions) == 0 {
					require.Empty(t, d.Actions(), "actions")
				} else {
					require.Equal(t, tt.actions, d.Actions(), "actions")
				}
			}
			for _, a := range d.Actions() {
				if known != nil {
					assert.True(t, known[a], "emitted action %s is not in iam-actions.tsv", a)
				}
			}
			text := d.Policy.String()
			for _, r := range tt.resources {
				assert.Contains(t, text, `"`+r+`"`, "resource %s", r)
			}
			for _, n := range tt.notes {
				assert.Contains(t, d.Notes, n, "note")
			}
			for _, c := range tt.conditions {
				assert.Contains(t, text, c, "condition")
			}
			if len(d.Policy.Statement) > 0 {
				errs := Lint(d.Policy, KindIdentity, func(o *LintOptions) { o.SizeLimit = LimitRoleInline }).Errors()
				assert.Empty(t, errs, "derived policy has lint errors")
			}
			// Every step is in the report.
			for _, st := range doc.MainSteps {
				found := false
				for _, n := range d.Needs {
					found = found || n.Step == st.Name || strings.HasPrefix(n.Step, st.Name+".") || strings.HasPrefix(n.Step, st.Name+" -> ")
				}
				for _, u := range d.Unresolved {
					found = found || u.Step == st.Name
				}
				assert.True(t, found, "step %s missing from the report", st.Name)
			}
		})
	}
}

func TestForRunbookDeterministic(t *testing.T) {
	doc := runbookJSON(t, "", `[{"name":"a","action":"aws:runInstances","inputs":{"ImageId":"ami-1"}},{"name":"b","action":"aws:createTags","inputs":{"ResourceIds":["i-1","i-2"],"Tags":[]}},{"name":"c","action":"aws:runCommand","inputs":{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"]}}]`)
	first, _ := ForRunbook(doc, testScope)
	want, _ := first.Policy.JSON()
	for range 10 {
		d, _ := ForRunbook(doc, testScope)
		got, _ := d.Policy.JSON()
		require.Equal(t, string(want), string(got), "not deterministic")
	}
}

// referenceActions reads the IAM action list when the reference data is at
// hand.
func referenceActions(t *testing.T) map[string]bool {
	t.Helper()
	fh, err := os.Open(filepath.Join("..", "testdata", "iam-actions.tsv"))
	require.NoError(t, err, "reference IAM actions")
	defer fh.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") {
			out[strings.SplitN(line, "\t", 2)[0]] = true
		}
	}
	return out
}

// referenceActionsIfPresent is referenceActions, or nil when the
// reference data is absent.
func referenceActionsIfPresent() map[string]bool {
	fh, err := os.Open(filepath.Join("..", "testdata", "iam-actions.tsv"))
	if err != nil {
		return nil
	}
	defer fh.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") {
			out[strings.SplitN(line, "\t", 2)[0]] = true
		}
	}
	return out
}

func TestDerivedActionsExist(t *testing.T) {
	known := referenceActions(t)
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "aws-runbooks", "*"))
	// The runbook package's golden runbook uses every action.
	files = append(files, "testdata/restart-ec2-demo.json", filepath.Join("..", "runbook", "testdata", "every-action.json"))
	derived := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") && !strings.HasSuffix(f, ".yml") && !strings.HasSuffix(f, ".yaml") {
			continue
		}
		name := f
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		doc, err := runbook.Parse(data)
		if !assert.NoError(t, err, f) {
			continue
		}
		d, err := ForRunbook(doc, testScope)
		var invalid *runbook.ValidationError
		if doc.Validate().Err() != nil {
			// Some published files are fragments (no schemaVersion or
			// mainSteps): refused before anything is derived.
			assert.ErrorAs(t, err, &invalid, "%s: an invalid runbook; want a validation error", f)
			assert.Nil(t, d, "%s: an invalid runbook gave a derivation", f)
			continue
		}
		if err != nil && !assert.ErrorIs(t, err, ErrUnderivable, f) {
			continue
		}
		derived++
		if len(d.Policy.Statement) > 0 {
			findings := Lint(d.Policy, KindIdentity, func(o *LintOptions) { o.SizeLimit = LimitRoleInline }).Findings
			assert.Empty(t, findings, "%s: derived policy has lint findings", filepath.Base(name))
		}
		for _, a := range d.Actions() {
			assert.True(t, known[a], "%s: emitted action %s is not an IAM action", filepath.Base(f), a)
		}
	}
	// Every action the maintained API table emits exists too.
	for k, r := range apiRules {
		for _, a := range r.actions {
			assert.True(t, known[a], "apiRules[%s]: %s is not an IAM action", k, a)
		}
	}
	for _, p := range serviceRenames {
		found := false
		for a := range known {
			if strings.HasPrefix(a, p+":") {
				found = true
				break
			}
		}
		assert.True(t, found, "service rename target %q is not an IAM prefix", p)
	}
	require.NotZero(t, derived, "nothing derived")
}

func TestExplainUnresolved(t *testing.T) {
	doc := runbookJSON(t, "", `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeUnicorns"}}]`)
	d, err := ForRunbook(doc, testScope)
	require.Error(t, err)
	var b bytes.Buffer
	_ = d.Explain(&b)
	require.Contains(t, b.String(), "unresolved: a (aws:executeAwsApi): no IAM action is known for ec2.DescribeUnicorns", "explain")
	require.ErrorContains(t, err, `APIActions["ec2.DescribeUnicorns"]`, "error does not say how to fix")
	_, err = ForRunbook(nil, testScope)
	require.Error(t, err, "nil runbook accepted")
}

func TestForRunbookChildAssumeRole(t *testing.T) {
	const stop = `"mainSteps":[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"stopped"}}]`
	const runbookRole = "arn:aws:iam::111122223333:role/child"
	tests := []struct {
		name       string
		child      string
		runtime    string
		actions    []string
		resources  []string
		unresolved int
	}{
		{name: "literal role", child: `{"schemaVersion":"0.3","assumeRole":"` + runbookRole + `",` + stop + `}`,
			actions: []string{"iam:PassRole", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}, resources: []string{runbookRole}},
		{name: "role parameter default", child: `{"schemaVersion":"0.3","assumeRole":"{{ Role }}","parameters":{"Role":{"type":"String","default":"` + runbookRole + `"}},` + stop + `}`,
			actions: []string{"iam:PassRole", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}, resources: []string{runbookRole}},
		{name: "role parameter passed", child: `{"schemaVersion":"0.3","assumeRole":"{{ Role }}","parameters":{"Role":{"type":"String"}},` + stop + `}`,
			runtime: `,"RuntimeParameters":{"Role":["arn:aws:iam::111122223333:role/passed"]}`,
			actions: []string{"iam:PassRole", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}, resources: []string{"arn:aws:iam::111122223333:role/passed"}},
		{name: "empty role default runs as this role", child: `{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}","parameters":{"AutomationAssumeRole":{"type":"String","default":""}},` + stop + `}`,
			actions: []string{"ec2:DescribeInstanceStatus", "ec2:StopInstances", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}},
		{name: "required role not passed", child: `{"schemaVersion":"0.3","assumeRole":"{{ Role }}","parameters":{"Role":{"type":"String"}},` + stop + `}`,
			unresolved: 1},
		{name: "role from Parameter Store", child: `{"schemaVersion":"0.3","assumeRole":"{{ Role }}","parameters":{"Role":{"type":"String","default":"{{ssm:/role}}"}},` + stop + `}`,
			unresolved: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			child, err := runbook.Parse([]byte(tt.child))
			require.NoError(t, err)
			doc := runbookJSON(t, "", `[{"name":"e","action":"aws:executeAutomation","inputs":{"DocumentName":"Child"`+tt.runtime+`}}]`)
			d, err := ForRunbook(doc, testScope, func(o *RunbookOptions) { o.ChildRunbooks = map[string]*runbook.Document{"Child": child} })
			if tt.unresolved > 0 {
				var ue *UnderivableError
				require.ErrorAs(t, err, &ue)
				require.Len(t, ue.Unresolved, tt.unresolved, "unresolved")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.actions, d.Actions(), "actions")
			text := d.Policy.String()
			for _, r := range tt.resources {
				assert.Contains(t, text, `"`+r+`"`, "resource %s", r)
			}
			if strings.Contains(text, "iam:PassRole") {
				assert.Contains(t, text, `"iam:PassedToService":"ssm.amazonaws.com"`, "PassRole without iam:PassedToService")
			}
		})
	}
}
