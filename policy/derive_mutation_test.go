package policy

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// TestForRunbookExactPolicy pins whole derived policies: which grants
// share a statement, the statements' order, resource narrowing and
// minimization, and the conditions each statement carries.
func TestForRunbookExactPolicy(t *testing.T) {
	const (
		shell   = `"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"],"Parameters":{"commands":["ls"]}`
		tagCond = `"Condition":{"StringEquals":{"aws:ResourceTag/env":"prod","aws:ResourceTag/team":"ops"}}`
	)
	tests := []struct {
		name       string
		params     string
		steps      string
		scope      *Scope
		opts       func(*RunbookOptions)
		policy     string
		notes      []string
		unresolved []string
	}{
		{name: "no permissions",
			steps:  `[{"name":"z","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]`,
			policy: `{"Version":"2012-10-17","Statement":[]}`,
			notes:  []string{NoteNoPermissions}},
		{name: "nothing derivable is not a runbook that needs nothing",
			steps:      `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeUnicorns"}}]`,
			policy:     `{"Version":"2012-10-17","Statement":[]}`,
			unresolved: []string{`a (aws:executeAwsApi): no IAM action is known for ec2.DescribeUnicorns (ec2:DescribeUnicorns does not exist and the Service Authorization Reference documents no action with it): supply it with APIActions["ec2.DescribeUnicorns"]`}},
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount
		{name: "bucket split from the other resources of one grant",
			steps: `[{"name":"r","action":"aws:runCommand","inputs":{` + shell + `,"OutputS3BucketName":"logs","ServiceRoleArn":"arn:aws:iam::111122223333:role/notify"}}]`,
			policy: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["ssm:DescribeInstanceInformation","ssm:ListCommandInvocations","ssm:ListCommands"],"Resource":["*"]},` +
				`{"Effect":"Allow","Action":["ssm:SendCommand"],"Resource":["arn:aws:ec2:us-east-1:111122223333:instance/i-1","arn:aws:ssm:us-east-1::document/AWS-RunShellScript"]},` +
				`{"Effect":"Allow","Action":["ssm:SendCommand"],"Resource":["arn:aws:s3:::logs"],"Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"}}},` +
				`{"Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::111122223333:role/notify"],"Condition":{"StringEquals":{"iam:PassedToService":"ssm.amazonaws.com"}}}]}`},
		{name: "no bucket condition without the scope's account",
			scope: &Scope{Region: "us-east-1"},
			steps: `[{"name":"r","action":"aws:runCommand","inputs":{` + shell + `,"OutputS3BucketName":"logs"}}]`,
			policy: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["ssm:DescribeInstanceInformation","ssm:ListCommandInvocations","ssm:ListCommands"],"Resource":["*"]},` +
				`{"Effect":"Allow","Action":["ssm:SendCommand"],"Resource":["arn:aws:ec2:us-east-1:*:instance/i-1","arn:aws:s3:::logs","arn:aws:ssm:us-east-1::document/AWS-RunShellScript"]}]}`},
		{name: "declared permissions",
			steps: `[{"name":"c","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://x"}},` +
				`{"name":"d","action":"aws:deleteStack","inputs":{"StackName":"old"}},` +
				`{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"h","Script":"def h(e,c): pass"}}]`,
			opts: func(o *RunbookOptions) {
				o.StackPermissions = map[string][]Permission{"c": {}, "d": {{Actions: []string{"sqs:DeleteQueue", "sqs:DeleteQueue", "sns:DeleteTopic"}}}}
				o.ScriptPermissions = map[string][]Permission{"sc": {
					{Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*"}},
					// arn:aws:ec2:* and arn:aws:ec2:*:*:* cover each other; the
					// shorter stays. An ARN with an empty partition is no bucket.
					{Actions: []string{"ec2:StopInstances"}, Resources: []string{"arn:aws:ec2:*:*:*", "arn:aws:ec2:*", "arn::s3:::x"}},
					{Actions: []string{"ec2:StartInstances"}, Resources: []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:us-east-1:111122223333:instance/*"}},
					// instance/* and instance/** match the same ARNs; the
					// shorter stays, whichever comes first.
					{Actions: []string{"ec2:RebootInstances"}, Resources: []string{"arn:aws:ec2:us-east-1:111122223333:instance/**", "arn:aws:ec2:us-east-1:111122223333:instance/*"}},
				}}
			},
			policy: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["cloudformation:CreateStack"],"Resource":["arn:aws:cloudformation:us-east-1:111122223333:stack/app/*"]},` +
				`{"Effect":"Allow","Action":["cloudformation:DeleteStack"],"Resource":["arn:aws:cloudformation:us-east-1:111122223333:stack/old/*"]},` +
				`{"Effect":"Allow","Action":["cloudformation:DescribeStacks"],"Resource":["arn:aws:cloudformation:us-east-1:111122223333:stack/app/*","arn:aws:cloudformation:us-east-1:111122223333:stack/old/*"]},` +
				`{"Effect":"Allow","Action":["ec2:RebootInstances","ec2:StartInstances"],"Resource":["arn:aws:ec2:us-east-1:111122223333:instance/*"]},` +
				`{"Effect":"Allow","Action":["ec2:StopInstances"],"Resource":["arn::s3:::x","arn:aws:ec2:*"]},` +
				`{"Effect":"Allow","Action":["sns:DeleteTopic","sqs:DeleteQueue"],"Resource":["*"]},` +
				`{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"],"Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"}}}]}`},
		{name: "stacks without RoleARN or declaration",
			steps: `[{"name":"c","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://x"}},` +
				`{"name":"d","action":"aws:deleteStack","inputs":{"StackName":"old"}}]`,
			policy: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["cloudformation:CreateStack"],"Resource":["arn:aws:cloudformation:us-east-1:111122223333:stack/app/*"]},` +
				`{"Effect":"Allow","Action":["cloudformation:DeleteStack"],"Resource":["arn:aws:cloudformation:us-east-1:111122223333:stack/old/*"]},` +
				`{"Effect":"Allow","Action":["cloudformation:DescribeStacks"],"Resource":["arn:aws:cloudformation:us-east-1:111122223333:stack/app/*","arn:aws:cloudformation:us-east-1:111122223333:stack/old/*"]}]}`,
			unresolved: []string{
				"c (aws:createStack): without RoleARN, CloudFormation creates the template's resources with the service role's permissions; declare them with StackPermissions or give the stack a RoleARN",
				"d (aws:deleteStack): without RoleARN, CloudFormation deletes the template's resources with the service role's permissions; declare them with StackPermissions or give the stack a RoleARN",
			}},
		// FunctionName takes a name, an ARN or a partial ARN; Qualifier adds a
		// version or alias to an unqualified one:
		// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax
		{name: "lambda function names",
			steps: `[{"name":"l1","action":"aws:invokeLambdaFunction","inputs":{"FunctionName":"111122223333:function:fn1"}},` +
				`{"name":"l2","action":"aws:invokeLambdaFunction","inputs":{"FunctionName":"function:fn2"}},` +
				`{"name":"l3","action":"aws:invokeLambdaFunction","inputs":{"FunctionName":"arn:aws:lambda:us-east-1:111122223333:function:fn3","Qualifier":"prod"}},` +
				`{"name":"l4","action":"aws:invokeLambdaFunction","inputs":{"FunctionName":"arn:aws:lambda:us-east-1:111122223333:function:fn4:1","Qualifier":"1"}}]`,
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":[` +
				`"arn:aws:lambda:us-east-1:111122223333:function:fn1","arn:aws:lambda:us-east-1:111122223333:function:fn2",` +
				`"arn:aws:lambda:us-east-1:111122223333:function:fn3:prod","arn:aws:lambda:us-east-1:111122223333:function:fn4:1"]}]}`},
		{name: "launch into a subnet and groups with a key, delete an image",
			steps: `[{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1","SubnetId":"subnet-1","SecurityGroupIds":["sg-1","sg-2"],"KeyName":"ops"}},` +
				`{"name":"del","action":"aws:deleteImage","inputs":{"ImageId":"ami-2"}}]`,
			policy: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["ec2:DeleteSnapshot"],"Resource":["arn:aws:ec2:us-east-1::snapshot/*"]},` +
				`{"Effect":"Allow","Action":["ec2:DeregisterImage"],"Resource":["arn:aws:ec2:us-east-1::image/ami-2"]},` +
				`{"Effect":"Allow","Action":["ec2:DescribeImages","ec2:DescribeInstanceStatus","ec2:DescribeSnapshots"],"Resource":["*"]},` +
				`{"Effect":"Allow","Action":["ec2:RunInstances"],"Resource":["arn:aws:ec2:us-east-1:111122223333:instance/*","arn:aws:ec2:us-east-1:111122223333:key-pair/ops",` +
				`"arn:aws:ec2:us-east-1:111122223333:network-interface/*","arn:aws:ec2:us-east-1:111122223333:security-group/sg-1","arn:aws:ec2:us-east-1:111122223333:security-group/sg-2",` +
				`"arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1","arn:aws:ec2:us-east-1:111122223333:volume/*","arn:aws:ec2:us-east-1::image/ami-1"]}]}`},
		{name: "global variables filled in, parameters as *",
			params: `{"Machine":{"type":"String"}}`,
			steps:  `[{"name":"m","action":"aws:executeStateMachine","inputs":{"stateMachineArn":"arn:{{ global:AWS_PARTITION }}:states:{{ global:REGION }}:{{ global:ACCOUNT_ID }}:stateMachine:{{ Machine }}"}}]`,
			policy: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["states:DescribeExecution"],"Resource":["arn:aws:states:us-east-1:111122223333:execution:*:*"]},` +
				`{"Effect":"Allow","Action":["states:StartExecution"],"Resource":["arn:aws:states:us-east-1:111122223333:stateMachine:*"]}]}`,
			notes: []string{`m.stateMachineArn: "arn:{{ global:AWS_PARTITION }}:states:{{ global:REGION }}:{{ global:ACCOUNT_ID }}:stateMachine:{{ Machine }}" is not fixed by the runbook, so it stands as "arn:aws:states:us-east-1:111122223333:stateMachine:*" in the resource ARNs`}},
		// The tags go to actions on one existing, taggable resource type
		// (StartInstances starts an existing instance), also to their "*"
		// grants; never to launches, to actions on "*" only, or in place
		// of a condition the grant already has (iam:PassedToService).
		{name: "resource tags",
			steps: `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"stopped"}},` +
				`{"name":"u","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-2"],"DesiredState":"running"}},` +
				`{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1","IamInstanceProfileName":"web"}},` +
				`{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"h","Script":"def h(e,c): pass"}}]`,
			opts: func(o *RunbookOptions) {
				o.ResourceTags = map[string]string{"team": "ops", "env": "prod"}
				o.ScriptPermissions = map[string][]Permission{"sc": {
					{Actions: []string{"iam:PassRole"}, Resources: []string{"arn:aws:iam::111122223333:role/other"}},
					{Actions: []string{"ec2:StopInstances"}},
				}}
				o.InstanceProfileRoles = map[string]string{"web": "arn:aws:iam::111122223333:role/web"}
			},
			policy: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["ec2:DescribeInstanceStatus"],"Resource":["*"]},` +
				`{"Effect":"Allow","Action":["ec2:RunInstances"],"Resource":["arn:aws:ec2:us-east-1:111122223333:instance/*","arn:aws:ec2:us-east-1:111122223333:network-interface/*",` +
				`"arn:aws:ec2:us-east-1:111122223333:security-group/*","arn:aws:ec2:us-east-1:111122223333:subnet/*","arn:aws:ec2:us-east-1:111122223333:volume/*","arn:aws:ec2:us-east-1::image/ami-1"]},` +
				`{"Effect":"Allow","Action":["ec2:StartInstances"],"Resource":["arn:aws:ec2:us-east-1:111122223333:instance/i-2"],` + tagCond + `},` +
				`{"Effect":"Allow","Action":["ec2:StopInstances"],"Resource":["*"],` + tagCond + `},` +
				`{"Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::111122223333:role/other"],` + tagCond + `},` +
				`{"Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::111122223333:role/web"],"Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := runbookJSON(t, tt.params, tt.steps)
			scope := testScope
			if tt.scope != nil {
				scope = *tt.scope
			}
			var opts []func(*RunbookOptions)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			// Statements come from maps: derive several times so that an
			// order that depends on iteration shows.
			for range 8 {
				d, err := ForRunbook(doc, scope, opts...)
				if len(tt.unresolved) > 0 {
					var ue *UnderivableError
					require.ErrorAs(t, err, &ue)
					var got []string
					for _, u := range ue.Unresolved {
						got = append(got, u.String())
					}
					require.Equal(t, tt.unresolved, got)
				} else {
					require.NoError(t, err)
				}
				js, err := d.Policy.Compact()
				require.NoError(t, err)
				require.Equal(t, tt.policy, string(js))
				if len(tt.notes) == 0 {
					require.Empty(t, d.Notes)
				} else {
					require.Equal(t, tt.notes, d.Notes)
				}
			}
		})
	}
}

// TestExplainExact pins the report: one block per need, "no permissions"
// for a step that needs none (or declared to need none), conditions only
// where there are some, no empty block for a launch without an instance
// profile or for a grant on buckets only, then the unresolved steps and
// the notes.
func TestExplainExact(t *testing.T) {
	doc := runbookJSON(t, `{"Machine":{"type":"String"}}`,
		`[{"name":"z","action":"aws:sleep","inputs":{"Duration":"PT1S"}},`+
			`{"name":"r","action":"aws:runCommand","inputs":{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"],"Parameters":{"commands":["ls"]},"OutputS3BucketName":"logs"}},`+
			`{"name":"m","action":"aws:executeStateMachine","inputs":{"stateMachineArn":"arn:aws:states:us-east-1:111122223333:stateMachine:{{ Machine }}"}},`+
			`{"name":"c","action":"aws:createStack","inputs":{"StackName":"app","TemplateURL":"https://x"}},`+
			`{"name":"d","action":"aws:deleteStack","inputs":{"StackName":"old"}},`+
			`{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1"}},`+
			`{"name":"sc","action":"aws:executeScript","inputs":{"Runtime":"python3.11","Handler":"h","Script":"def h(e,c): pass"}}]`)
	d, err := ForRunbook(doc, testScope, func(o *RunbookOptions) {
		o.StackPermissions = map[string][]Permission{"c": {}}
		o.ScriptPermissions = map[string][]Permission{"sc": {{Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*"}}}}
	})
	require.ErrorIs(t, err, ErrUnderivable)
	var b bytes.Buffer
	require.NoError(t, d.Explain(&b))
	assert.Equal(t, `z (aws:sleep): control flow only
    no permissions
r (aws:runCommand): sends the command
    actions:   ssm:SendCommand
    resources: arn:aws:ec2:us-east-1:111122223333:instance/i-1, arn:aws:ssm:us-east-1::document/AWS-RunShellScript
r (aws:runCommand): sends the command
    actions:   ssm:SendCommand
    resources: arn:aws:s3:::logs
    condition: {"StringEquals":{"aws:ResourceAccount":"111122223333"}}
r (aws:runCommand): follows the command and checks the instances
    actions:   ssm:DescribeInstanceInformation, ssm:ListCommandInvocations, ssm:ListCommands
    resources: *
m (aws:executeStateMachine): starts the state machine
    actions:   states:StartExecution
    resources: arn:aws:states:us-east-1:111122223333:stateMachine:*
m (aws:executeStateMachine): follows the execution until it ends
    actions:   states:DescribeExecution
    resources: arn:aws:states:us-east-1:111122223333:execution:*:*
c (aws:createStack): creates the stack
    actions:   cloudformation:CreateStack
    resources: arn:aws:cloudformation:us-east-1:111122223333:stack/app/*
c (aws:createStack): follows the stack's status
    actions:   cloudformation:DescribeStacks
    resources: arn:aws:cloudformation:us-east-1:111122223333:stack/app/*
c (aws:createStack): declared to call no AWS API
    no permissions
d (aws:deleteStack): deletes the stack
    actions:   cloudformation:DeleteStack
    resources: arn:aws:cloudformation:us-east-1:111122223333:stack/old/*
d (aws:deleteStack): follows the stack's status
    actions:   cloudformation:DescribeStacks
    resources: arn:aws:cloudformation:us-east-1:111122223333:stack/old/*
launch (aws:runInstances): launches the instances
    actions:   ec2:RunInstances
    resources: arn:aws:ec2:us-east-1:111122223333:instance/*, arn:aws:ec2:us-east-1:111122223333:network-interface/*, arn:aws:ec2:us-east-1:111122223333:security-group/*, arn:aws:ec2:us-east-1:111122223333:subnet/*, arn:aws:ec2:us-east-1:111122223333:volume/*, arn:aws:ec2:us-east-1::image/ami-1
launch (aws:runInstances): waits until the instances run
    actions:   ec2:DescribeInstanceStatus
    resources: *
sc (aws:executeScript): the script runs with the role's permissions (declared)
    actions:   s3:GetObject
    resources: arn:aws:s3:::b/*
    condition: {"StringEquals":{"aws:ResourceAccount":"111122223333"}}
unresolved: d (aws:deleteStack): without RoleARN, CloudFormation deletes the template's resources with the service role's permissions; declare them with StackPermissions or give the stack a RoleARN
note: m.stateMachineArn: "arn:aws:states:us-east-1:111122223333:stateMachine:{{ Machine }}" is not fixed by the runbook, so it stands as "arn:aws:states:us-east-1:111122223333:stateMachine:*" in the resource ARNs
`, b.String())
}

// TestForRunbookThisRoleSpelling checks that a child passed this runbook's
// own role parameter, however spaced, runs as this role (its steps' needs
// are added, beside iam:PassRole for passing the role on), and that
// another parameter is another role, whose needs are its own.
func TestForRunbookThisRoleSpelling(t *testing.T) {
	const stop = `[{"name":"s","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1"],"DesiredState":"stopped"}}]`
	tests := []struct {
		name    string
		passed  string
		actions []string
	}{
		{name: "same parameter without spaces", passed: "{{AutomationAssumeRole}}",
			actions: []string{"ec2:DescribeInstanceStatus", "ec2:StopInstances", "iam:PassRole", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}},
		{name: "same parameter", passed: "{{ AutomationAssumeRole }}",
			actions: []string{"ec2:DescribeInstanceStatus", "ec2:StopInstances", "iam:PassRole", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}},
		{name: "another parameter", passed: "{{ OtherRole }}",
			actions: []string{"iam:PassRole", "ssm:GetAutomationExecution", "ssm:StartAutomationExecution"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `{"schemaVersion":"0.3","assumeRole":"{{ AutomationAssumeRole }}","parameters":{` +
				`"AutomationAssumeRole":{"type":"String"},"OtherRole":{"type":"String"}},"mainSteps":[` +
				runChild("e", "Child", `{"AutomationAssumeRole":"`+tt.passed+`"}`) + `]}`
			doc, err := runbook.Parse([]byte(src))
			require.NoError(t, err)
			d, err := ForRunbook(doc, testScope, func(o *RunbookOptions) {
				o.ChildRunbooks = map[string]*runbook.Document{"Child": childDoc(t, "{{ AutomationAssumeRole }}", stop)}
			})
			require.NoError(t, err)
			assert.Equal(t, tt.actions, d.Actions())
		})
	}
}

// TestForRunbookChildParameterType checks that a child's parameter of
// instance type narrows tags to instances when the parent passes a value
// whose type the parent does not know, and that a value the parent knows
// to be instances narrows them when the child's parameter is untyped.
func TestForRunbookChildParameterType(t *testing.T) {
	const launch = `{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1"}}`
	child := func(t *testing.T, typ string) *runbook.Document {
		src := `{"schemaVersion":"0.3","parameters":{"Ids":{"type":"` + typ + `"}},"mainSteps":[` +
			`{"name":"tag","action":"aws:createTags","inputs":{"ResourceIds":"{{ Ids }}","Tags":[{"Key":"k","Value":"v"}]}}]}`
		doc, err := runbook.Parse([]byte(src))
		require.NoError(t, err)
		return doc
	}
	tests := []struct {
		name, childType, passed string
		want                    []string
	}{
		{name: "typed child parameter, untyped parent value", childType: "List<AWS::EC2::Instance::Id>", passed: "{{ ParentIds }}",
			want: []string{"arn:aws:ec2:us-east-1:111122223333:instance/*"}},
		{name: "untyped child parameter, launched instances", childType: "StringList", passed: "{{ launch.InstanceIds }}",
			want: []string{"arn:aws:ec2:us-east-1:111122223333:instance/*"}},
		{name: "untyped both", childType: "StringList", passed: "{{ ParentIds }}",
			want: []string{"arn:aws:ec2:us-east-1:111122223333:*/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := runbookJSON(t, `{"ParentIds":{"type":"StringList"}}`,
				`[`+launch+`,`+runChild("e", "Child", `{"Ids":"`+tt.passed+`"}`)+`]`)
			d, err := ForRunbook(doc, testScope, func(o *RunbookOptions) {
				o.ChildRunbooks = map[string]*runbook.Document{"Child": child(t, tt.childType)}
			})
			require.NoError(t, err)
			assert.Equal(t, tt.want, createTagsResources(t, d))
		})
	}
}
