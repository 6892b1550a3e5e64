package policy

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
)

// assertCatalogActions checks that every action derived exists in IAM.
func assertCatalogActions(t *testing.T, d *Derived) {
	t.Helper()
	cat := iamcatalog.Load()
	for _, a := range d.Actions() {
		_, ok := cat.Lookup(a)
		assert.True(t, ok, "%s is not in the IAM catalog", a)
	}
}

// createTagsResources derives a runbook and returns the resources of its
// ec2:CreateTags grants that carry no condition (tags on existing
// resources, not at launch).
func createTagsResources(t *testing.T, d *Derived) []string {
	t.Helper()
	var out []string
	for _, st := range d.Policy.Statement {
		if len(st.Condition) == 0 && slices.Contains(st.Action.Values, "ec2:CreateTags") {
			out = append(out, st.Resource.Values...)
		}
	}
	return out
}

func TestForRunbookCreateTagsTypeFromSource(t *testing.T) {
	const launch = `{"name":"launch","action":"aws:runInstances","inputs":{"ImageId":"ami-1","MinInstanceCount":1,"MaxInstanceCount":1}}`
	const image = `{"name":"image","action":"aws:createImage","inputs":{"InstanceId":"i-1","ImageName":"n"}}`
	tag := func(ids string) string {
		return `{"name":"tag","action":"aws:createTags","inputs":{"ResourceIds":` + ids + `,"Tags":[{"Key":"k","Value":"v"}]}}`
	}
	tests := []struct {
		name   string
		params string
		steps  []string
		want   []string
	}{
		{name: "instances launched by aws:runInstances",
			steps: []string{launch, tag(`"{{ launch.InstanceIds }}"`)},
			want:  []string{"arn:aws:ec2:us-east-1:111122223333:instance/*"}},
		{name: "launched instances in a list",
			steps: []string{launch, tag(`["{{ launch.InstanceIds }}"]`)},
			want:  []string{"arn:aws:ec2:us-east-1:111122223333:instance/*"}},
		{name: "image made by aws:createImage",
			steps: []string{image, tag(`["{{ image.ImageId }}"]`)},
			want:  []string{"arn:aws:ec2:us-east-1::image/*"}},
		{name: "instance ID parameter",
			params: `{"InstanceId":{"type":"AWS::EC2::Instance::Id"}}`,
			steps:  []string{tag(`["{{ InstanceId }}"]`)},
			want:   []string{"arn:aws:ec2:us-east-1:111122223333:instance/*"}},
		{name: "instance ID list parameter and a literal volume",
			params: `{"Ids":{"type":"List<AWS::EC2::Instance::Id>"}}`,
			steps:  []string{tag(`["{{ Ids }}","vol-1"]`)},
			want:   []string{"arn:aws:ec2:us-east-1:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:volume/vol-1"}},
		{name: "instance ID parameter with allowed values stays literal",
			params: `{"InstanceId":{"type":"AWS::EC2::Instance::Id","allowedValues":["i-0abc"]}}`,
			steps:  []string{tag(`["{{ InstanceId }}"]`)},
			want:   []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"}},
		{name: "untyped parameter stays every type",
			params: `{"Ids":{"type":"StringList"}}`,
			steps:  []string{tag(`"{{ Ids }}"`)},
			want:   []string{"arn:aws:ec2:us-east-1:111122223333:*/*"}},
		{name: "output of an API call stays every type",
			steps: []string{`{"name":"find","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeVolumes"},"outputs":[{"Name":"Ids","Selector":"$.Volumes..VolumeId","Type":"StringList"}]}`,
				tag(`"{{ find.Ids }}"`)},
			want: []string{"arn:aws:ec2:us-east-1:111122223333:*/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw []json.RawMessage
			for _, s := range tt.steps {
				raw = append(raw, json.RawMessage(s))
			}
			steps, err := json.Marshal(raw)
			require.NoError(t, err)
			d, err := ForRunbook(runbookJSON(t, tt.params, string(steps)), testScope)
			require.NoError(t, err)
			assert.Equal(t, tt.want, createTagsResources(t, d))
			assertCatalogActions(t, d)
		})
	}
}
