package policy

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForRunbookServiceLinkedRole(t *testing.T) {
	api := func(inputs string) string {
		return `[{"name":"a","action":"aws:executeAwsApi","inputs":{` + inputs + `}}]`
	}
	tests := []struct {
		name    string
		steps   string
		service string // iam:AWSServiceName; empty: no iam:CreateServiceLinkedRole
	}{
		{name: "Macie", steps: api(`"Service":"macie2","Api":"EnableMacie"`), service: "macie.amazonaws.com"},
		{name: "EKS cluster", steps: api(`"Service":"eks","Api":"CreateCluster","name":"c","roleArn":"arn:aws:iam::111122223333:role/eks","resourcesVpcConfig":{"subnetIds":["subnet-1"]}`),
			service: "eks.amazonaws.com"},
		{name: "EKS node group", steps: api(`"Service":"eks","Api":"CreateNodegroup","clusterName":"c","nodegroupName":"n","nodeRole":"arn:aws:iam::111122223333:role/node","subnets":["subnet-1"]`),
			service: "eks-nodegroup.amazonaws.com"},
		{name: "describe needs none", steps: api(`"Service":"eks","Api":"DescribeCluster","name":"c"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, "", tt.steps), testScope)
			require.NoError(t, err)
			assertCatalogActions(t, d)
			got := conditionedResources(t, d, "iam:CreateServiceLinkedRole", "iam:AWSServiceName", tt.service)
			if tt.service == "" {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, []string{"arn:aws:iam::111122223333:role/aws-service-role/" + tt.service + "/*"}, got)
		})
	}
}

func TestForRunbookRDSCopyTags(t *testing.T) {
	api := func(inputs string) string {
		return `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"rds",` + inputs + `}}]`
	}
	const copySnap = `"Api":"CopyDBSnapshot","SourceDBSnapshotIdentifier":"src","TargetDBSnapshotIdentifier":"dst"`
	tests := []struct {
		name   string
		params string
		steps  string
		want   []string // resources of rds:AddTagsToResource; nil: not granted
	}{
		{name: "snapshot copy with tags", steps: api(copySnap + `,"CopyTags":true`),
			want: []string{"arn:aws:rds:us-east-1:111122223333:snapshot:dst"}},
		{name: "snapshot copy with tags from a parameter", params: `{"Copy":{"type":"Boolean"},"Target":{"type":"String"}}`,
			steps: api(`"Api":"CopyDBSnapshot","SourceDBSnapshotIdentifier":"src","TargetDBSnapshotIdentifier":"{{ Target }}","CopyTags":"{{ Copy }}"`),
			want:  []string{"arn:aws:rds:us-east-1:111122223333:snapshot:*"}},
		{name: "cluster snapshot copy with tags", steps: api(`"Api":"CopyDBClusterSnapshot","SourceDBClusterSnapshotIdentifier":"src","TargetDBClusterSnapshotIdentifier":"dst","CopyTags":true`),
			want: []string{"arn:aws:rds:us-east-1:111122223333:cluster-snapshot:dst"}},
		{name: "instance copying tags to its snapshots", steps: api(`"Api":"CreateDBInstance","DBInstanceIdentifier":"db1","DBInstanceClass":"db.t3.micro","Engine":"mysql","CopyTagsToSnapshot":true`),
			want: []string{"arn:aws:rds:us-east-1:111122223333:snapshot:*"}},
		{name: "snapshot copy without tags", steps: api(copySnap + `,"CopyTags":false`)},
		{name: "snapshot copy, flag absent", steps: api(copySnap)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, tt.params, tt.steps), testScope)
			require.NoError(t, err)
			assertCatalogActions(t, d)
			got, conditioned := grantedOn(d, "rds:AddTagsToResource")
			assert.Equal(t, tt.want, got)
			assert.False(t, conditioned)
		})
	}
}

// conditionedResources returns the resources of d's statements that grant
// action, asserting that each is conditioned on key StringEquals value.
func conditionedResources(t *testing.T, d *Derived, action, key, value string) []string {
	t.Helper()
	var got []string
	for _, st := range d.Policy.Statement {
		if !slices.Contains(st.Action.Values, action) {
			continue
		}
		got = append(got, st.Resource.Values...)
		b, err := json.Marshal(st.Condition)
		require.NoError(t, err)
		assert.JSONEq(t, `{"StringEquals":{`+quoteJSON(key)+`:`+quoteJSON(value)+`}}`, string(b))
	}
	return got
}
