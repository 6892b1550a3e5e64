package ssmlocal

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEC2TypedInputsOnTheWire: the EC2 handlers read the SDK's input
// structs, so a member of the wrong type is the SerializationException
// naming it, before any EC2 validation error; the query names reach their
// model members (Owner.N is DescribeSnapshots' OwnerIds).
func TestEC2TypedInputsOnTheWire(t *testing.T) {
	srv := startServer(t)
	ids, err := srv.addInstances(1)
	require.NoError(t, err)
	rootSnapshot(t, srv)
	ec2Req := func(body string) wireRequest {
		return wireRequest{service: "ec2", body: "Version=2016-11-15&" + body}
	}
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
	}{
		{"text for MaxResults", ec2Req("Action=DescribeInstances&MaxResults=ten"), "SerializationException", `member MaxResults: expected an integer, got "ten"`},
		{"MaxResults past int32", ec2Req("Action=DescribeVolumes&MaxResults=4294967296"), "SerializationException", "member MaxResults: expected an integer, got 4294967296, out of range"},
		{"bad DryRun before a malformed name", ec2Req("Action=CreateImage&InstanceId=" + ids[0] + "&Name=x&DryRun=maybe"), "SerializationException", `member DryRun: expected a boolean, got "maybe"`},
		{"bad MinCount before a missing image", ec2Req("Action=RunInstances&MinCount=one&MaxCount=1"), "SerializationException", `member MinCount: expected an integer, got "one"`},
		{"malformed name once read", ec2Req("Action=CreateImage&InstanceId=" + ids[0] + "&Name=x"), "InvalidAMIName.Malformed", "AMI names must be"},
		{"MaxResults out of bounds", ec2Req("Action=DescribeSnapshots&MaxResults=4"), "InvalidParameterValue", "Value ( 4 ) for parameter maxResults is invalid. Expecting a value between 5 and 1000."},
		{"a volume type not in the model", ec2Req("Action=CreateVolume&AvailabilityZone=us-east-1a&Size=8&VolumeType=fast"), "InvalidParameterValue", "Value (fast) for parameter volumeType is invalid"},
		{"Owner.N as OwnerIds, another owner", ec2Req("Action=DescribeSnapshots&Owner.1=amazon"), "", "<snapshotSet></snapshotSet>"},
		{"Owner.N as OwnerIds, the account", ec2Req("Action=DescribeSnapshots&Owner.1=self"), "", "<snapshotSet><item><description></description>"},
		{"instance ids by their query name", ec2Req("Action=RebootInstances&InstanceId.1=" + ids[0]), "", "<return>true</return>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := send(t, srv, tt.req)
			if tt.wantCode == "" {
				require.Equal(t, http.StatusOK, got.status, got.raw)
				assert.Contains(t, got.raw, tt.wantMsg)
				return
			}
			assert.Equal(t, tt.wantCode, got.code, got.raw)
			assert.Contains(t, got.msg, tt.wantMsg)
		})
	}
}

// TestEC2OwnerIdsKeepsItsName: a request that names OwnerIds itself (a
// step's input) is read as it is, whatever an Owners member says.
func TestEC2OwnerIdsKeepsItsName(t *testing.T) {
	srv := newTestServer(t)
	_, err := srv.addInstances(1)
	require.NoError(t, err)
	rootSnapshot(t, srv)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		in   map[string]any
		want int
	}{
		{"OwnerIds self", map[string]any{"OwnerIds": []any{"self"}}, 1},
		{"OwnerIds other", map[string]any{"OwnerIds": []any{"amazon"}}, 0},
		{"Owners alone", map[string]any{"Owners": []any{"amazon"}}, 0},
		{"OwnerIds over Owners", map[string]any{"OwnerIds": []any{"self"}, "Owners": []any{"amazon"}}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := srv.dispatch(ctx, adminCall(t, srv, "ec2:DescribeSnapshots"), tt.in)
			require.NoError(t, err)
			assert.Len(t, out["Snapshots"], tt.want)
		})
	}
}

// rootSnapshot snapshots the first volume of the Region.
func rootSnapshot(t *testing.T, srv *Server) {
	t.Helper()
	ctx := context.Background()
	vols, err := srv.dispatch(ctx, adminCall(t, srv, "ec2:DescribeVolumes"), map[string]any{})
	require.NoError(t, err)
	require.NotEmpty(t, vols["Volumes"])
	vol := vols["Volumes"].([]any)[0].(map[string]any)["VolumeId"].(string)
	_, err = srv.dispatch(ctx, adminCall(t, srv, "ec2:CreateSnapshot"), map[string]any{"VolumeId": vol})
	require.NoError(t, err)
}

// TestEC2StepShapes: a step's input (JSON numbers, booleans, lists) is
// decoded into the same input structs, and the output is the shape the
// wire answer is written from.
func TestEC2StepShapes(t *testing.T) {
	srv := newTestServer(t)
	ids, err := srv.addInstances(2)
	require.NoError(t, err)
	ctx := context.Background()
	out, err := srv.dispatch(ctx, adminCall(t, srv, "ec2:DescribeInstances"), map[string]any{"InstanceIds": []any{ids[1], ids[0]}, "DryRun": false})
	require.NoError(t, err)
	res := out["Reservations"].([]any)
	require.Len(t, res, 1)
	insts := res[0].(map[string]any)["Instances"].([]any)
	require.Len(t, insts, 2)
	first := insts[0].(map[string]any)
	assert.Equal(t, ids[1], first["InstanceId"], "named instances stay in the order asked for")
	assert.Equal(t, "", first["StateTransitionReason"], "an empty reason is still answered")
	assert.Equal(t, map[string]any{"Code": int64(16), "Name": "running"}, first["State"])
	assert.NotContains(t, out, "NextToken")

	_, err = srv.dispatch(ctx, adminCall(t, srv, "ec2:StopInstances"), map[string]any{"InstanceIds": []any{ids[0]}, "DryRun": true})
	assert.Equal(t, "DryRunOperation", asAPIError(err).Code)
	_, err = srv.dispatch(ctx, adminCall(t, srv, "ec2:StopInstances"), map[string]any{"InstanceIds": ids[0], "Hibernate": "yes"})
	assert.Equal(t, "SerializationException", asAPIError(err).Code, "text that is no boolean")
	stopped, err := srv.dispatch(ctx, adminCall(t, srv, "ec2:StopInstances"), map[string]any{"InstanceIds": ids[0]})
	require.NoError(t, err, "a lone string is a list of one")
	change := stopped["StoppingInstances"].([]any)[0].(map[string]any)
	assert.Equal(t, "stopping", change["CurrentState"].(map[string]any)["Name"])

	page, err := srv.dispatch(ctx, adminCall(t, srv, "ec2:DescribeTags"), map[string]any{"MaxResults": float64(5)})
	require.NoError(t, err)
	assert.Equal(t, []any{}, page["Tags"], "no tags is an empty list, not a missing member")
}

// TestEC2DryRunAfterChecks: a dry run is refused with DryRunOperation only
// once what the call names was found and checked, and a ClientToken seen
// before answers the earlier call even to a dry run.
func TestEC2DryRunAfterChecks(t *testing.T) {
	srv := newTestServer(t)
	ctx := context.Background()
	run := func(in map[string]any) (map[string]any, error) {
		return srv.dispatch(ctx, adminCall(t, srv, "ec2:RunInstances"), in)
	}
	first, err := run(map[string]any{"ImageId": "ami-0abcdef1234567890", "MinCount": 1, "MaxCount": 1, "ClientToken": "tok"})
	require.NoError(t, err)
	again, err := run(map[string]any{"ImageId": "ami-0abcdef1234567890", "MinCount": 1, "MaxCount": 1, "ClientToken": "tok", "DryRun": true})
	require.NoError(t, err, "a replay answers even a dry run")
	assert.Equal(t, first["ReservationId"], again["ReservationId"])
	_, err = run(map[string]any{"ImageId": "ami-0abcdef1234567890", "MinCount": 1, "MaxCount": 1, "ClientToken": "other", "DryRun": true})
	assert.Equal(t, "DryRunOperation", asAPIError(err).Code)

	for _, tt := range []struct {
		op   string
		in   map[string]any
		want string
	}{
		{"ec2:DeleteVolume", map[string]any{"VolumeId": "vol-0123456789abcdef0", "DryRun": true}, "InvalidVolume.NotFound"},
		{"ec2:DeleteSnapshot", map[string]any{"SnapshotId": "snap-0123456789abcdef0", "DryRun": true}, "InvalidSnapshot.NotFound"},
		{"ec2:DeregisterImage", map[string]any{"ImageId": "ami-0123456789abcdef0", "DryRun": true}, "InvalidAMIID.NotFound"},
		{"ec2:RebootInstances", map[string]any{"InstanceIds": []any{"i-0123456789abcdef0"}, "DryRun": true}, "InvalidInstanceID.NotFound"},
		{"ec2:CreateTags", map[string]any{"Resources": []any{"vol-0123456789abcdef0"}, "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}, "DryRun": true}, "InvalidVolume.NotFound"},
		{"ec2:RebootInstances", map[string]any{"DryRun": true}, "MissingParameter"},
	} {
		t.Run(tt.op+"/"+tt.want, func(t *testing.T) {
			_, err := srv.dispatch(ctx, adminCall(t, srv, tt.op), tt.in)
			assert.Equal(t, tt.want, asAPIError(err).Code, "%v", err)
		})
	}
}
