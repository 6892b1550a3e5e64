package ssmlocal_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// awsCLIv2 returns the installed AWS CLIs of version 2.
func awsCLIv2() []string {
	var out []string
	for _, cli := range awsCLIs() {
		v, err := exec.Command(cli, "--version").Output()
		if err == nil && strings.HasPrefix(string(v), "aws-cli/2.") {
			out = append(out, cli)
		}
	}
	return out
}

// TestAWSCLIStorage images an instance and moves a volume with the AWS CLI
// v2, whose botocore models parse every EC2 response: the XML names of
// images, snapshots, volumes, attachments and tags must be the model's.
// (Each CLI call costs seconds, so only v2 runs, and only the calls whose
// responses have members.)
func TestAWSCLIStorage(t *testing.T) {
	t.Parallel()
	clis := awsCLIv2()
	if len(clis) == 0 {
		t.Skip("the AWS CLI v2 is not installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			vc := ssmlocal.VirtualClock(time.Now())
			srv := newServer(t, func(o *ssmlocal.Options) { o.Clock, o.MaxClockSkew = vc, 24*time.Hour })
			ids, err := srv.AddInstances(1)
			require.NoError(t, err)
			run := cliRunner(t, cli, cliEnv(t, srv.Admin(), srv.Region()), srv.URL())

			img := run("ec2", "create-image", "--instance-id", ids[0], "--name", "cli-image", "--no-reboot",
				"--tag-specifications", "ResourceType=image,Tags=[{Key=team,Value=ops}]")
			ami, _ := img["ImageId"].(string)
			require.NotEmpty(t, ami)
			vc.Advance(5 * time.Second)
			images := run("ec2", "describe-images", "--owners", "self", "--filters", "Name=state,Values=available", "Name=tag:team,Values=ops")
			list, _ := images["Images"].([]any)
			require.Len(t, list, 1, mustJSON(images))
			im := list[0].(map[string]any)
			assert.Equal(t, ami, im["ImageId"])
			assert.Equal(t, "available", im["State"])
			assert.Equal(t, false, im["Public"])
			bdm := im["BlockDeviceMappings"].([]any)[0].(map[string]any)
			snap := bdm["Ebs"].(map[string]any)["SnapshotId"].(string)

			snaps := run("ec2", "describe-snapshots", "--snapshot-ids", snap)
			s0 := snaps["Snapshots"].([]any)[0].(map[string]any)
			assert.Equal(t, "completed", s0["State"])
			assert.Equal(t, "100%", s0["Progress"])

			vol := run("ec2", "create-volume", "--availability-zone", srv.Region()+"a", "--snapshot-id", snap, "--volume-type", "gp3")
			volID, _ := vol["VolumeId"].(string)
			assert.Equal(t, "creating", vol["State"])
			vc.Advance(5 * time.Second)
			att := run("ec2", "attach-volume", "--volume-id", volID, "--instance-id", ids[0], "--device", "/dev/sdf")
			assert.Equal(t, "attaching", att["State"])
			vc.Advance(5 * time.Second)
			vols := run("ec2", "describe-volumes", "--filters", "Name=attachment.instance-id,Values="+ids[0], "Name=status,Values=in-use")
			vl := vols["Volumes"].([]any)
			require.Len(t, vl, 2, "root and new volume: %s", mustJSON(vols))
			tags := run("ec2", "describe-tags", "--filters", "Name=resource-type,Values=image")
			tl := tags["Tags"].([]any)
			require.Len(t, tl, 1)
			assert.Equal(t, map[string]any{"Key": "team", "Value": "ops", "ResourceId": ami, "ResourceType": "image"}, tl[0])
			det := run("ec2", "detach-volume", "--volume-id", volID)
			assert.Equal(t, "detaching", det["State"])
		})
	}
}
