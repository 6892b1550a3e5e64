package runbook

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAcceptedPatterns checks runbooks written the ways AWS accepts: each
// validates without errors, with the warnings listed, and round-trips.
func TestAcceptedPatterns(t *testing.T) {
	type warning struct{ code, path string }
	cases := []struct {
		file     string
		warnings []warning
	}{
		{file: "stringlist-in-list.yaml", warnings: []warning{{CodeType, "mainSteps[3].inputs.InstanceId"}}},
		{file: "null-fields.yaml"},
		{file: "null-fields.json"},
		{file: "selector-without-dollar.yaml"},
		{file: "global-assume-role.yaml"},
		{file: "branch-leaves-loop.yaml", warnings: []warning{{CodeLoopExit, "mainSteps[0].inputs.Steps[1].inputs.Choices[0].NextStep"}}},
		{file: "script-long-timeout.yaml", warnings: []warning{{CodeLimit, "mainSteps[0].timeoutSeconds"}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "accepted", c.file))
			require.NoError(t, err)
			doc, err := Parse(data)
			require.NoError(t, err)
			r := doc.Validate()
			require.Empty(t, r.Errors)
			for _, w := range c.warnings {
				require.True(t, hasProblem(r.Warnings, w.code, w.path), "want warning %s at %s; got %v", w.code, w.path, r.Warnings)
			}
			for _, f := range []Format{JSON, YAML} {
				enc, err := doc.Encode(f)
				require.NoError(t, err)
				again, err := Parse(enc)
				require.NoError(t, err)
				require.Equal(t, string(doc.CompactJSON()), string(again.CompactJSON()))
			}
		})
	}
}

// TestStillRejected checks that widening what is accepted kept refusing
// what AWS refuses.
func TestStillRejected(t *testing.T) {
	cases := []ruleCase{
		{name: "StringList into a Boolean input", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: '{{ Ids }}', DesiredState: stopped, CheckStateOnly: '{{ Ids }}'}}\n",
			code: CodeType, path: "mainSteps[0].inputs.CheckStateOnly"},
		{name: "MapList item in a StringList", steps: "- {name: a, action: 'aws:changeInstanceState', inputs: {InstanceIds: ['{{ Tags }}'], DesiredState: stopped}}\n",
			code: CodeType, path: "mainSteps[0].inputs.InstanceIds[0]"},
		{name: "onCancel to sleep", steps: "- {name: a, action: 'aws:sleep', onCancel: 'step:nap', inputs: {Duration: PT1S}}\n" + sleepStep, code: CodeOnCancel, path: "mainSteps[0].onCancel"},
		{name: "input the action does not take", steps: "- {name: a, action: 'aws:createTags', inputs: {ResourceIds: [i-1], Tags: [{Key: k, Value: v}], Force: true}}\n", code: CodeUnknownInput, path: "mainSteps[0].inputs.Force"},
		{name: "missing action", steps: "- {name: a, inputs: {Duration: PT1S}}\n", code: CodeUnknownAction, path: "mainSteps[0].action"},
		{name: "malformed role ARN", doc: "schemaVersion: '0.3'\nassumeRole: 'arn:aws:iam::12345:role/R'\nmainSteps:\n" + sleepStep, code: CodeAssumeRole, path: "assumeRole"},
		{name: "global role ARN of the wrong service", doc: "schemaVersion: '0.3'\nassumeRole: 'arn:{{ global:AWS_PARTITION }}:s3:::{{ global:ACCOUNT_ID }}'\nmainSteps:\n" + sleepStep, code: CodeAssumeRole, path: "assumeRole"},
		{name: "unknown global in role", doc: "schemaVersion: '0.3'\nassumeRole: 'arn:aws:iam::{{ global:ACCOUNT }}:role/R'\nmainSteps:\n" + sleepStep, code: CodeReference, path: "assumeRole"},
		{name: "step output in role", doc: "schemaVersion: '0.3'\nassumeRole: 'arn:aws:iam::123456789012:role/{{ nap.Name }}'\nmainSteps:\n" + sleepStep, code: CodeAssumeRole, path: "assumeRole"},
		{name: "empty PropertySelector", steps: "- {name: a, action: 'aws:assertAwsResourceProperty', inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: '', DesiredValues: [ok]}}\n",
			code: CodeRequiredInput, path: "mainSteps[0].inputs.PropertySelector"},
		{name: "branch in a loop to no step", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [a], Steps: [{name: b, action: 'aws:branch', inputs: {Choices: [{NextStep: nope, Variable: '{{ Id }}', StringEquals: x}]}}]}}\n",
			code: CodeUnknownStep, path: "mainSteps[0].inputs.Steps[0].inputs.Choices[0].NextStep"},
		{name: "python3.6 retired", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.6, Handler: h, Script: x}}\n", code: CodeRetiredRuntime, path: "mainSteps[0].inputs.Runtime"},
		{name: "python3.7 retired", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.7, Handler: h, Script: x}}\n", code: CodeRetiredRuntime, path: "mainSteps[0].inputs.Runtime"},
		{name: "python3.8 retired", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.8, Handler: h, Script: x}}\n", code: CodeRetiredRuntime, path: "mainSteps[0].inputs.Runtime"},
		{name: "python3.11 current", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python3.11, Handler: h, Script: x}}\n"},
		{name: "IteratorDataType StringMap", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: '{{ Tags }}', IteratorDataType: StringMap, Steps: [{name: in, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: CreateTags, Tags: ['{{ l.CurrentIteratorValue }}'], Resources: [i-1]}}]}}\n"},
		{name: "IteratorDataType Boolean", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [true, false], IteratorDataType: Boolean, Steps: [{name: in, action: 'aws:changeInstanceState', inputs: {InstanceIds: [i-1], DesiredState: stopped, CheckStateOnly: '{{ l.CurrentIteratorValue }}'}}]}}\n"},
		{name: "IteratorDataType StringMap into a String input", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: '{{ Tags }}', IteratorDataType: StringMap, Steps: [{name: in, action: 'aws:deleteImage', inputs: {ImageId: '{{ l.CurrentIteratorValue }}'}}]}}\n",
			code: CodeType, path: "mainSteps[0].inputs.Steps[0].inputs.ImageId"},
		{name: "IteratorDataType Float", steps: "- {name: l, action: 'aws:loop', inputs: {Iterators: [1.5], IteratorDataType: Float, Steps: [{name: in, action: 'aws:sleep', inputs: {Duration: PT1S}}]}}\n", code: CodeEnum, path: "mainSteps[0].inputs.IteratorDataType"},
		{name: "unknown runtime", steps: "- {name: a, action: 'aws:executeScript', inputs: {Runtime: python2.7, Handler: h, Script: x}}\n", code: CodeEnum, path: "mainSteps[0].inputs.Runtime"},
	}
	checkRuleCases(t, cases)
}

func TestParseNullUnknownField(t *testing.T) {
	_, err := Parse([]byte("schemaVersion: '0.3'\nextra:\nmainSteps:\n" + sleepStep))
	require.ErrorContains(t, err, "unknown field")
}

func TestResolveAssumeRole(t *testing.T) {
	doc := mustParse(t, "schemaVersion: '0.3'\nassumeRole: 'arn:{{ global:AWS_PARTITION }}:iam::{{global:ACCOUNT_ID}}:role/Maintenance-{{ global:REGION }}'\nmainSteps:\n"+sleepStep)
	cases := []struct {
		name     string
		g        Globals
		want     string
		complete bool
	}{
		{name: "all known", g: Globals{Partition: "aws-cn", AccountID: "210987654321", Region: "cn-north-1"},
			want: "arn:aws-cn:iam::210987654321:role/Maintenance-cn-north-1", complete: true},
		{name: "region unknown", g: Globals{Partition: "aws", AccountID: "210987654321"},
			want: "arn:aws:iam::210987654321:role/Maintenance-{{ global:REGION }}"},
		{name: "nothing known", want: doc.AssumeRole},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := doc.ResolveAssumeRole(c.g)
			require.Equal(t, c.want, got)
			require.Equal(t, c.complete, ok)
		})
	}
	g := Globals{Now: mustTime(t, "2026-03-04T05:06:07Z")}
	got, ok := g.Expand("img-{{ global:DATE }}-{{ global:DATE_TIME }}")
	require.True(t, ok)
	require.Equal(t, "img-2026-03-04-2026-03-04_05.06.07", got)
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := ParseISOTimestamp(s)
	require.NoError(t, err)
	return tm
}

// TestStringListIntoStringWarnsOnlyWhenSeveral checks that a StringList
// filling a String input warns unless it holds at most one value.
func TestStringListIntoStringWarnsOnlyWhenSeveral(t *testing.T) {
	for _, c := range []struct {
		maxItems string
		warn     bool
	}{{"", true}, {", maxItems: 2", true}, {", maxItems: 1", false}} {
		t.Run("maxItems"+c.maxItems, func(t *testing.T) {
			doc := mustParse(t, "schemaVersion: '0.3'\nassumeRole: arn:aws:iam::123456789012:role/R\nparameters: {Ami: {type: StringList"+c.maxItems+"}}\nmainSteps:\n- {name: a, action: 'aws:deleteImage', inputs: {ImageId: '{{ Ami }}'}}\n")
			r := doc.Validate()
			require.Empty(t, r.Errors)
			require.Equal(t, c.warn, hasProblem(r.Warnings, CodeType, "mainSteps[0].inputs.ImageId"), "%v", r.Warnings)
		})
	}
}
