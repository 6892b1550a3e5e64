package ssmlocal_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestStubRoute53WrappedLists calls Route 53 stubs from the Go SDK:
// rest-xml lists that the service wraps (<HostedZones><HostedZone>,
// <Changes><Change>, <ResourceRecords><ResourceRecord>) are written and
// read under their item names, with one item, several or none.
func TestStubRoute53WrappedLists(t *testing.T) {
	reg := ssmlocal.NewStubRegistry()
	zone := func(id, name string, private bool) map[string]any {
		return map[string]any{"Id": "/hostedzone/" + id, "Name": name, "CallerReference": "ref-" + id,
			"Config": map[string]any{"PrivateZone": private, "Comment": "c"}, "ResourceRecordSetCount": 3}
	}
	require.NoError(t, reg.Add("route53", "ListHostedZones", ssmlocal.StubMatching(map[string]any{"MaxItems": "2"},
		ssmlocal.StubResponse(map[string]any{"HostedZones": []any{zone("Z1", "example.com.", false), zone("Z2", "corp.internal.", true)},
			"IsTruncated": true, "NextMarker": "Z3", "MaxItems": "2", "Marker": ""}))))
	require.NoError(t, reg.Add("route53", "ListHostedZones", ssmlocal.StubResponse(map[string]any{"HostedZones": []any{}, "IsTruncated": false, "MaxItems": "100", "Marker": ""})))
	change := func(action, name string, values ...string) map[string]any {
		var recs []any
		for _, v := range values {
			recs = append(recs, map[string]any{"Value": v})
		}
		return map[string]any{"Action": action, "ResourceRecordSet": map[string]any{"Name": name, "Type": "A", "TTL": 300, "ResourceRecords": recs}}
	}
	info := map[string]any{"ChangeInfo": map[string]any{"Id": "/change/C1", "Status": "PENDING", "SubmittedAt": "2026-01-02T03:04:05Z"}}
	require.NoError(t, reg.Add("route53", "ChangeResourceRecordSets", ssmlocal.StubMatching(
		map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Comment": "two", "Changes": []any{
			change("UPSERT", "a.example.com.", "10.0.0.1", "10.0.0.2"), change("DELETE", "b.example.com.", "10.0.0.3"),
		}}}, ssmlocal.StubResponse(info))))
	require.NoError(t, reg.Add("route53", "ChangeResourceRecordSets", ssmlocal.StubMatching(
		map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Comment": "one", "Changes": []any{change("CREATE", "c.example.com.", "10.0.0.4")}}},
		ssmlocal.StubResponse(map[string]any{"ChangeInfo": map[string]any{"Id": "/change/C2", "Status": "INSYNC", "SubmittedAt": "2026-01-02T03:04:05Z"}}))))
	srv := newServer(t, ssmlocal.WithStubs(reg))
	c := route53.NewFromConfig(cfg(srv, srv.Admin()))
	ctx := context.Background()

	t.Run("list of two", func(t *testing.T) {
		out, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{MaxItems: aws.Int32(2)})
		require.NoError(t, err)
		require.Len(t, out.HostedZones, 2)
		assert.Equal(t, "/hostedzone/Z1", aws.ToString(out.HostedZones[0].Id))
		assert.Equal(t, "example.com.", aws.ToString(out.HostedZones[0].Name))
		assert.Equal(t, int64(3), aws.ToInt64(out.HostedZones[0].ResourceRecordSetCount))
		assert.False(t, out.HostedZones[0].Config.PrivateZone)
		assert.Equal(t, "corp.internal.", aws.ToString(out.HostedZones[1].Name))
		assert.True(t, out.HostedZones[1].Config.PrivateZone)
		assert.True(t, out.IsTruncated)
		assert.Equal(t, "Z3", aws.ToString(out.NextMarker))
		assert.Equal(t, int32(2), aws.ToInt32(out.MaxItems))
	})
	t.Run("empty list", func(t *testing.T) {
		out, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		require.NoError(t, err)
		assert.Empty(t, out.HostedZones)
		assert.False(t, out.IsTruncated)
	})
	batch := func(comment string, changes ...r53types.Change) *route53.ChangeResourceRecordSetsInput {
		return &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String("/hostedzone/Z1"), ChangeBatch: &r53types.ChangeBatch{Comment: aws.String(comment), Changes: changes}}
	}
	set := func(action r53types.ChangeAction, name string, values ...string) r53types.Change {
		var recs []r53types.ResourceRecord
		for _, v := range values {
			recs = append(recs, r53types.ResourceRecord{Value: aws.String(v)})
		}
		return r53types.Change{Action: action, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeA, TTL: aws.Int64(300), ResourceRecords: recs}}
	}
	t.Run("request lists of several items", func(t *testing.T) {
		out, err := c.ChangeResourceRecordSets(ctx, batch("two", set(r53types.ChangeActionUpsert, "a.example.com.", "10.0.0.1", "10.0.0.2"), set(r53types.ChangeActionDelete, "b.example.com.", "10.0.0.3")))
		require.NoError(t, err)
		assert.Equal(t, "/change/C1", aws.ToString(out.ChangeInfo.Id))
		assert.Equal(t, r53types.ChangeStatusPending, out.ChangeInfo.Status)
		assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), aws.ToTime(out.ChangeInfo.SubmittedAt))
	})
	t.Run("request lists of one item", func(t *testing.T) {
		out, err := c.ChangeResourceRecordSets(ctx, batch("one", set(r53types.ChangeActionCreate, "c.example.com.", "10.0.0.4")))
		require.NoError(t, err)
		assert.Equal(t, "/change/C2", aws.ToString(out.ChangeInfo.Id))
	})
	t.Run("input that matches no stub", func(t *testing.T) {
		_, err := c.ChangeResourceRecordSets(ctx, batch("one", set(r53types.ChangeActionCreate, "c.example.com.", "10.0.0.4", "10.0.0.5")))
		assert.Equal(t, "NotSimulated", errCode(err))
	})
}
