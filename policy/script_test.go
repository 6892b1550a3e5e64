//go:build cgo

package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// scriptRunbook builds a runbook with one aws:executeScript step "sc".
func scriptRunbook(t testing.TB, params string, inputs map[string]any) *runbook.Document {
	t.Helper()
	if _, ok := inputs["Runtime"]; !ok {
		inputs["Runtime"] = "python3.11"
	}
	if _, ok := inputs["Handler"]; !ok {
		inputs["Handler"] = "handler"
	}
	if f, ok := inputs["Script"].(fixture); ok {
		src, err := os.ReadFile(filepath.Join("testdata", "scripts", string(f)))
		require.NoError(t, err)
		inputs["Script"] = string(src)
	}
	steps, err := json.Marshal([]map[string]any{{"name": "sc", "action": "aws:executeScript", "inputs": inputs}})
	require.NoError(t, err)
	if a, ok := inputs["Attachment"].(string); ok {
		return runbookWithFiles(t, params, string(steps), a)
	}
	return runbookJSON(t, params, string(steps))
}

type fixture string

func TestForRunbookScripts(t *testing.T) {
	tests := []struct {
		name      string
		params    string
		inputs    map[string]any
		actions   []string
		explain   []string // lines the report contains
		resources map[string][]string
	}{
		{
			name:    "helpers, class attributes, paginator, waiter, constants",
			params:  `{"InstanceId":{"type":"String","allowedValues":["i-0a","i-0b"]}}`,
			inputs:  map[string]any{"Script": fixture("ops.py"), "InputPayload": map[string]any{"InstanceId": "{{ InstanceId }}"}},
			actions: []string{"ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances", "sns:Publish"},
			explain: []string{
				"line 16: sns.publish -> sns:Publish",
				`line 20: ec2.get_paginator("describe_instances") -> ec2:DescribeInstances`,
				"line 25: ec2.stop_instances -> ec2:StopInstances",
				`line 26: ec2.get_waiter("instance_stopped") -> ec2:DescribeInstances`,
				"line 27: ec2.start_instances -> ec2:StartInstances",
			},
			resources: map[string][]string{
				"ec2:StopInstances": {"arn:aws:ec2:us-east-1:111122223333:instance/i-0a", "arn:aws:ec2:us-east-1:111122223333:instance/i-0b"},
				"sns:Publish":       {"arn:aws:sns:us-east-1:111122223333:ops"},
			},
		},
		{
			name:    "free parameter stands as a pattern",
			params:  `{"InstanceId":{"type":"String"}}`,
			inputs:  map[string]any{"Script": fixture("ops.py"), "InputPayload": map[string]any{"InstanceId": "{{ InstanceId }}"}},
			actions: []string{"ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances", "sns:Publish"},
			explain: []string{`note: sc.inputs.InstanceIds[0]: "{{ InstanceId }}" is not fixed by the runbook`},
			resources: map[string][]string{
				"ec2:StopInstances": {"arn:aws:ec2:us-east-1:111122223333:instance/*"},
			},
		},
		{
			name:    "resources",
			inputs:  map[string]any{"Script": fixture("resources.py")},
			actions: []string{"dynamodb:DescribeTable", "dynamodb:PutItem", "ec2:DescribeInstances", "ec2:StopInstances", "s3:GetObject", "s3:PutObject"},
			explain: []string{
				"line 6: ec2.instances.filter (resource) -> ec2:DescribeInstances",
				"line 7: ec2.Instance.stop (resource) -> ec2:StopInstances",
				"line 9: dynamodb.Table.put_item (resource) -> dynamodb:PutItem",
				"line 11: s3.Object.put (resource) -> s3:PutObject",
				"note: sc: script line 7: the arguments of ec2.Instance.stop (resource) that name its resources are not literals or fixed InputPayload values, so ec2:StopInstances is granted on arn:aws:ec2:us-east-1:111122223333:instance/*",
			},
			resources: map[string][]string{
				"dynamodb:PutItem":  {"arn:aws:dynamodb:us-east-1:111122223333:table/runs"},
				"ec2:StopInstances": {"arn:aws:ec2:us-east-1:111122223333:instance/*"},
				"s3:PutObject":      {"arn:aws:s3:::reports/latest.json"},
			},
		},
		{
			name:    "operations authorized under other action names",
			inputs:  map[string]any{"Script": fixture("renames.py"), "InputPayload": map[string]any{"Machine": "arn:aws:states:us-east-1:111122223333:stateMachine:m"}},
			actions: []string{"lambda:InvokeFunction", "s3:ListBucket", "s3:PutObject", "states:StartExecution"},
			explain: []string{
				"line 7: sts.get_caller_identity -> GetCallerIdentity, which needs no permission",
				"line 8: s3.list_objects_v2 -> s3:ListBucket",
				"line 9: s3.upload_file -> s3:PutObject",
				"line 10: lambda.invoke -> lambda:InvokeFunction",
			},
			resources: map[string][]string{
				"s3:ListBucket":         {"arn:aws:s3:::logs"},
				"lambda:InvokeFunction": {"arn:aws:lambda:us-east-1:111122223333:function:audit"},
				"states:StartExecution": {"arn:aws:states:us-east-1:111122223333:stateMachine:m"},
			},
		},
		{
			name:    "sub-resource identifiers narrow resources",
			inputs:  map[string]any{"Script": "import boto3\ndef handler(events, context):\n    boto3.resource('ec2').Instance(events['Id']).terminate()\n", "InputPayload": map[string]any{"Id": "i-0c"}},
			actions: []string{"ec2:DescribeInstances", "ec2:TerminateInstances"},
			explain: []string{"line 3: ec2.Instance.terminate (resource) -> ec2:TerminateInstances"},
			resources: map[string][]string{
				"ec2:TerminateInstances": {"arn:aws:ec2:us-east-1:111122223333:instance/i-0c"},
			},
		},
		{
			name:    "no AWS calls",
			inputs:  map[string]any{"Script": "def handler(events, context):\n    return {'a': 1}\n"},
			explain: []string{"sc (aws:executeScript): the script makes no AWS call"},
		},
		{
			name:   "declared permissions replace the analysis",
			inputs: map[string]any{"Script": "import boto3\ndef handler(e, c):\n    getattr(boto3.client('ec2'), e['Op'])()\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := scriptRunbook(t, tt.params, tt.inputs)
			var opts []func(*RunbookOptions)
			if tt.name == "declared permissions replace the analysis" {
				opts = append(opts, func(o *RunbookOptions) {
					o.ScriptPermissions = map[string][]Permission{"sc": {{Actions: []string{"ec2:RebootInstances"}}}}
				})
				tt.actions = []string{"ec2:RebootInstances"}
			}
			d, err := ForRunbook(doc, testScope, opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.actions, nilIfEmpty(d.Actions()))
			var b bytes.Buffer
			require.NoError(t, d.Explain(&b))
			for _, line := range tt.explain {
				assert.Contains(t, b.String(), line)
			}
			for action, want := range tt.resources {
				assert.Equal(t, want, resourcesOf(d.Policy, action), action)
			}
			cat := iamcatalog.Load()
			for _, a := range d.Actions() {
				_, ok := cat.Lookup(a)
				assert.True(t, ok, "%s is not an IAM action", a)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// resourcesOf collects the resources granted to action.
func resourcesOf(p *Policy, action string) []string {
	var out []string
	for _, s := range p.Statement {
		for _, a := range s.Action.Values {
			if a == action {
				out = append(out, s.Resource.Values...)
			}
		}
	}
	return sortedUnique(out)
}

func TestForRunbookScriptsUnderivable(t *testing.T) {
	tests := []struct {
		name   string
		inputs map[string]any
		detail string
	}{
		{name: "service computed at run time",
			inputs: map[string]any{"Script": "import boto3\ndef handler(events, context):\n    boto3.client(events['Service']).list_things()\n"},
			detail: "script line 3: the service name of this boto3 client is computed at run time"},
		{name: "getattr",
			inputs: map[string]any{"Script": "import boto3\ndef handler(events, context):\n    c = boto3.client('ec2')\n    getattr(c, events['Op'])()\n"},
			detail: "script line 4: getattr on the ec2 client made at line 3"},
		{name: "client meta",
			inputs: map[string]any{"Script": "import boto3\ndef handler(events, context):\n    c = boto3.client('ec2')\n    c.meta.client.describe_instances()\n"},
			detail: "script line 4: ec2.meta reaches the client's internals"},
		{name: "attachment",
			inputs: map[string]any{"Handler": "restart.handler", "Attachment": "restart.zip"},
			detail: `the script is the attachment "restart.zip", which the runbook does not contain`},
		{name: "PowerShell cmdlet without a mapping",
			inputs: map[string]any{"Runtime": "PowerShell 7.4", "Script": "Get-EC2Unicorn"},
			detail: `script line 1: Get-EC2Unicorn is not a command the derivation knows; if it calls AWS, declare what the script calls with ScriptPermissions["sc"]`},
		{name: "syntax error",
			inputs: map[string]any{"Script": "def handler(events, context):\n    return = 1\n"},
			detail: "script line 2: the script does not parse"},
		{name: "not an operation",
			inputs: map[string]any{"Script": "import boto3\ndef handler(e, c):\n    boto3.client('ec2').describe_unicorns()\n"},
			detail: "script line 3: ec2.describe_unicorns is not an operation of the ec2 client"},
		{name: "unknown waiter",
			inputs: map[string]any{"Script": "import boto3\ndef handler(e, c):\n    boto3.client('ec2').get_waiter('unicorn_ready')\n"},
			detail: `script line 3: ec2.get_waiter("unicorn_ready") names no waiter of the ec2 client`},
		{name: "unknown resource method",
			inputs: map[string]any{"Script": "import boto3\ndef handler(e, c):\n    boto3.resource('ec2').wobble()\n"},
			detail: "script line 3: ec2.wobble (resource): the operations of this resource method are not known"},
		{name: "unknown service",
			inputs: map[string]any{"Script": "import boto3\ndef handler(e, c):\n    boto3.client('unicorns').list_unicorns()\n"},
			detail: `script line 3: "unicorns" is not a boto3 service name`},
		{name: "client in a dict",
			inputs: map[string]any{"Script": "import boto3\ndef handler(e, c):\n    cs = {'ec2': boto3.client('ec2')}\n    cs['ec2'].terminate_instances(InstanceIds=['i-1'])\n"},
			detail: "script line 3: a ec2 client made at line 3 is stored or passed where the analysis cannot follow it"},
		{name: "missing handler",
			inputs: map[string]any{"Handler": "main", "Script": "def handler(e, c):\n    pass\n"},
			detail: `script line 1: the handler function "main" is not defined at module level`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(scriptRunbook(t, "", tt.inputs), testScope)
			var ue *UnderivableError
			require.True(t, errors.As(err, &ue), "%v", err)
			require.ErrorIs(t, err, ErrUnderivable)
			require.Len(t, ue.Unresolved, 1)
			u := ue.Unresolved[0]
			assert.Equal(t, "sc", u.Step)
			assert.Equal(t, "aws:executeScript", u.StepAction)
			assert.Contains(t, u.Detail, tt.detail)
			assert.Contains(t, u.Detail, `ScriptPermissions["sc"]`)
			assert.Empty(t, d.Actions(), "nothing is guessed")
		})
	}
}

func BenchmarkForRunbookScript(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "scripts", "ops.py"))
	require.NoError(b, err)
	doc := scriptRunbook(b, "", map[string]any{"Script": string(src)})
	// The first run decodes the embedded catalogs once for the process.
	_, err = ForRunbook(doc, testScope)
	require.NoError(b, err)
	b.ResetTimer()
	for b.Loop() {
		if _, err := ForRunbook(doc, testScope); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(src))/1024), "ns/KB")
}
