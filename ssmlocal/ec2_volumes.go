package ssmlocal

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2Volume is an EBS volume: creating until StorageTransition has passed
// since Created, then available, or in-use while attached. An attachment
// is attaching, then attached, and detaching, then gone, each after
// StorageTransition.
type ec2Volume struct {
	ID         string         `json:"id"`
	Size       int64          `json:"size"`
	Type       string         `json:"type"`
	Iops       int64          `json:"iops,omitempty"`
	SnapshotID string         `json:"snapshot,omitempty"`
	Zone       string         `json:"zone"`
	Created    time.Time      `json:"created"`
	Tags       []tag          `json:"tags,omitempty"`
	Attachment *volAttachment `json:"attachment,omitempty"`
}

// volAttachment links a volume to an instance's block device.
type volAttachment struct {
	InstanceID          string    `json:"instance"`
	Device              string    `json:"device"`
	State               string    `json:"state"` // attaching, attached or detaching
	Since               time.Time `json:"since"`
	Attached            time.Time `json:"attached"`
	DeleteOnTermination bool      `json:"deleteOnTermination"`
}

// attachmentAt returns the attachment's state at now; "" once detached.
func (v *ec2Volume) attachmentAt(now time.Time, d time.Duration) string {
	a := v.Attachment
	if a == nil {
		return ""
	}
	if !settled(now, a.Since, d) {
		return a.State
	}
	switch a.State {
	case "attaching":
		return "attached"
	case "detaching":
		return ""
	}
	return a.State
}

func (v *ec2Volume) stateAt(now time.Time, d time.Duration) string {
	if v.attachmentAt(now, d) != "" {
		return "in-use"
	}
	if !settled(now, v.Created, d) {
		return "creating"
	}
	return "available"
}

func (s *Server) volumeNamed(r *region, id string) (*ec2Volume, error) {
	if !volumeIDPattern.MatchString(id) {
		return nil, apiErr("InvalidVolumeID.Malformed", "Invalid id: \"%s\" (expecting \"vol-...\")", id)
	}
	v, ok := r.Volumes[id]
	if !ok {
		return nil, apiErr("InvalidVolume.NotFound", "The volume '%s' does not exist.", id)
	}
	return v, nil
}

// instanceVolumes returns the volumes attached to an instance (attaching,
// attached or detaching), in device order.
func (s *Server) instanceVolumes(r *region, i *instance, now time.Time) []*ec2Volume {
	var out []*ec2Volume
	for _, id := range i.Volumes {
		v, ok := r.Volumes[id]
		if ok && v.Attachment != nil && v.Attachment.InstanceID == i.ID && v.attachmentAt(now, s.transition()) != "" {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Attachment.Device < out[b].Attachment.Device })
	return out
}

// rootVolume gives a new instance its root volume, attached at /dev/xvda
// and deleted on termination, from the image's root snapshot when the
// image is one of the account's. The caller holds s.mu.
func (s *Server) rootVolume(r *region, i *instance, now time.Time) {
	v := &ec2Volume{ID: "vol-" + newHex(17), Size: 8, Type: "gp3", Iops: 3000, Zone: i.Zone, Created: now.Add(-s.transition()),
		Attachment: &volAttachment{InstanceID: i.ID, Device: "/dev/xvda", State: "attached", Since: now, Attached: now, DeleteOnTermination: true}}
	if im, ok := r.Images[i.ImageID]; ok {
		for _, m := range im.Mappings {
			if m.Device == im.RootDevice {
				v.SnapshotID, v.Size, v.Type = m.SnapshotID, m.Size, m.Type
			}
		}
	}
	r.Volumes[v.ID] = v
	i.Volumes = append(i.Volumes, v.ID)
}

// releaseVolumes acts on an instance's volumes as it terminates: those
// marked DeleteOnTermination go, the others detach. The caller holds s.mu.
func (s *Server) releaseVolumes(r *region, i *instance, now time.Time) {
	for _, v := range s.instanceVolumes(r, i, now) {
		if v.Attachment.DeleteOnTermination {
			delete(r.Volumes, v.ID)
			continue
		}
		v.Attachment.State, v.Attachment.Since = "detaching", now
	}
}

func volumeOps() []opDef {
	return []opDef{
		{"ec2", "CreateVolume", true, typed((*Server).ec2CreateVolume), authOnInput("ec2:CreateVolume", createVolumeTargets)},
		{"ec2", "AttachVolume", true, typed((*Server).ec2AttachVolume), authOnInput("ec2:AttachVolume", func(s *Server, c *call, in *ec2.AttachVolumeInput) []authTarget {
			return attachTargets(s, c, aws.ToString(in.VolumeId), aws.ToString(in.InstanceId), false)
		})},
		{"ec2", "DetachVolume", true, typed((*Server).ec2DetachVolume), authOnInput("ec2:DetachVolume", func(s *Server, c *call, in *ec2.DetachVolumeInput) []authTarget {
			return attachTargets(s, c, aws.ToString(in.VolumeId), aws.ToString(in.InstanceId), true)
		})},
		{"ec2", "DeleteVolume", true, typed((*Server).ec2DeleteVolume), authOnInput("ec2:DeleteVolume", idTargets(func(in *ec2.DeleteVolumeInput) []string { return one(in.VolumeId) }))},
		{"ec2", "DescribeVolumes", true, typed((*Server).ec2DescribeVolumes), authOn("ec2:DescribeVolumes", regionTarget)},
		{"ec2", "RebootInstances", true, typed((*Server).ec2RebootInstances), authOnInput("ec2:RebootInstances", func(s *Server, c *call, in *ec2.RebootInstancesInput) []authTarget {
			return s.instanceTargets(c, in.InstanceIds)
		})},
	}
}

// createVolumeTargets: the new volume, and the snapshot it restores.
func createVolumeTargets(s *Server, c *call, in *ec2.CreateVolumeInput) []authTarget {
	out := []authTarget{newResourceTarget(s.ec2ResourceARN(c.regionNm, "vol-*"), c.regionNm, specTags(in.TagSpecifications, "volume"))}
	if snap := one(in.SnapshotId); snap != nil {
		// The snapshot is an optional resource type of CreateVolume.
		for _, t := range s.resourceTargets(c, snap, nil) {
			t.optional = true
			out = append(out, t)
		}
	}
	return out
}

// attachTargets: the volume and the instance (DetachVolume may leave the
// instance out: then the one it is attached to). The instance is an
// optional resource type of DetachVolume.
func attachTargets(s *Server, c *call, volID, inst string, optionalInstance bool) []authTarget {
	out := s.resourceTargets(c, one(&volID), nil)
	if inst == "" {
		if v, ok := c.region.Volumes[volID]; ok && v.Attachment != nil {
			inst = v.Attachment.InstanceID
		}
	}
	if inst == "" {
		return out
	}
	for _, t := range s.resourceTargets(c, []string{inst}, nil) {
		t.optional = optionalInstance
		out = append(out, t)
	}
	return out
}

func (s *Server) volumeOut(v *ec2Volume, now time.Time) ec2types.Volume {
	out := ec2types.Volume{
		VolumeId: aws.String(v.ID), Size: aws.Int32(int32(v.Size)), VolumeType: ec2types.VolumeType(v.Type), AvailabilityZone: aws.String(v.Zone), CreateTime: aws.Time(v.Created),
		State: ec2types.VolumeState(v.stateAt(now, s.transition())), Encrypted: aws.Bool(false), MultiAttachEnabled: aws.Bool(false), SnapshotId: aws.String(v.SnapshotID),
		Attachments: []ec2types.VolumeAttachment{}, Tags: ec2TagList(v.Tags),
	}
	if v.Iops != 0 {
		out.Iops = aws.Int32(int32(v.Iops))
	}
	if st := v.attachmentAt(now, s.transition()); st != "" {
		out.Attachments = []ec2types.VolumeAttachment{s.attachmentOut(v, st)}
	}
	return out
}

func (s *Server) attachmentOut(v *ec2Volume, state string) ec2types.VolumeAttachment {
	a := v.Attachment
	return ec2types.VolumeAttachment{VolumeId: aws.String(v.ID), InstanceId: aws.String(a.InstanceID), Device: aws.String(a.Device), State: ec2types.VolumeAttachmentState(state),
		AttachTime: aws.Time(a.Attached), DeleteOnTermination: aws.Bool(a.DeleteOnTermination)}
}

var volumeTypes = map[string][2]int64{ // size bounds in GiB
	"gp2": {1, 16384}, "gp3": {1, 65536}, "io1": {4, 16384}, "io2": {4, 65536}, "st1": {125, 16384}, "sc1": {125, 16384}, "standard": {1, 1024},
}

func (s *Server) ec2CreateVolume(_ context.Context, c *call, in *ec2.CreateVolumeInput) (*ec2.CreateVolumeOutput, error) {
	zone := aws.ToString(in.AvailabilityZone)
	if err := required("AvailabilityZone", zone); err != nil {
		return nil, err
	}
	if len(zone) < len(c.regionNm)+1 || zone[:len(c.regionNm)] != c.regionNm {
		return nil, apiErr("InvalidParameterValue", "Invalid availability zone: [%s]", zone)
	}
	vtype := string(in.VolumeType)
	if vtype == "" {
		vtype = "gp2"
	}
	if _, ok := volumeTypes[vtype]; !ok {
		return nil, apiErr("InvalidParameterValue", "Value (%s) for parameter volumeType is invalid. Valid values: gp2, gp3, io1, io2, st1, sc1, standard", vtype)
	}
	tags, err := tagSpecs(in.TagSpecifications, "volume")
	if err != nil {
		return nil, err
	}
	snapID := aws.ToString(in.SnapshotId)
	return ec2Change[int64, ec2.CreateVolumeOutput]{
		find: func(now time.Time) (int64, error) {
			size, err := s.newVolumeSize(c.region, snapID, vtype, int64(aws.ToInt32(in.Size)), now)
			if err != nil {
				return 0, err
			}
			return size, s.authorizeCreateTags(c, s.ec2ResourceARN(c.regionNm, "vol-*"), tags)
		},
		apply: func(size int64, now time.Time) (*ec2.CreateVolumeOutput, error) {
			iops := int64(aws.ToInt32(in.Iops))
			if iops == 0 && vtype == "gp3" {
				iops = 3000
			}
			v := &ec2Volume{ID: "vol-" + newHex(17), Size: size, Type: vtype, Iops: iops, SnapshotID: snapID, Zone: zone, Created: now, Tags: tags}
			c.region.Volumes[v.ID] = v
			o := s.volumeOut(v, now)
			return &ec2.CreateVolumeOutput{VolumeId: o.VolumeId, Size: o.Size, VolumeType: o.VolumeType, AvailabilityZone: o.AvailabilityZone, CreateTime: o.CreateTime,
				State: o.State, Encrypted: o.Encrypted, MultiAttachEnabled: o.MultiAttachEnabled, SnapshotId: o.SnapshotId, Attachments: o.Attachments, Iops: o.Iops, Tags: o.Tags}, nil
		},
	}.run(s, in.DryRun)
}

// newVolumeSize is the size of a new volume: the one asked for, or the
// snapshot's it restores, which must be completed and fit; within the
// volume type's bounds. The caller holds s.mu.
func (s *Server) newVolumeSize(r *region, snapID, vtype string, size int64, now time.Time) (int64, error) {
	if snapID != "" {
		sn, err := snapshotNamed(r, snapID)
		if err != nil {
			return 0, err
		}
		if st, _ := sn.stateAt(now, s.transition()); st != "completed" {
			return 0, apiErr("IncorrectState", "Snapshot '%s' is in the '%s' state.", sn.ID, st)
		}
		if size == 0 {
			size = sn.Size
		}
		if size < sn.Size {
			return 0, apiErr("InvalidParameterValue", "Volume of size %dGB is smaller than snapshot '%s', expect size >= %dGB", size, sn.ID, sn.Size)
		}
	} else if size == 0 {
		return 0, apiErr("MissingParameter", "The request must contain the parameter size or snapshotId")
	}
	bounds := volumeTypes[vtype]
	if size < bounds[0] || size > bounds[1] {
		return 0, apiErr("InvalidParameterValue", "Volume size %d GiB is out of range for %s volumes (%d to %d GiB)", size, vtype, bounds[0], bounds[1])
	}
	return size, nil
}

// volumeOnInstance is a volume and the instance a call attaches it to.
type volumeOnInstance struct {
	v *ec2Volume
	i *instance
}

func (s *Server) ec2AttachVolume(_ context.Context, c *call, in *ec2.AttachVolumeInput) (*ec2.AttachVolumeOutput, error) {
	volID, instID, device := aws.ToString(in.VolumeId), aws.ToString(in.InstanceId), aws.ToString(in.Device)
	for _, m := range []struct{ name, value string }{{"Device", device}, {"InstanceId", instID}, {"VolumeId", volID}} {
		if err := required(m.name, m.value); err != nil {
			return nil, err
		}
	}
	return ec2Change[volumeOnInstance, ec2.AttachVolumeOutput]{
		find: func(now time.Time) (volumeOnInstance, error) {
			return s.attachable(c.region, volID, instID, device, now)
		},
		apply: func(vi volumeOnInstance, now time.Time) (*ec2.AttachVolumeOutput, error) {
			v, i := vi.v, vi.i
			v.Attachment = &volAttachment{InstanceID: i.ID, Device: device, State: "attaching", Since: now, Attached: now}
			// Drop ids of volumes that have since gone or detached.
			i.Volumes = slices.DeleteFunc(i.Volumes, func(id string) bool {
				o, ok := c.region.Volumes[id]
				return !ok || o.Attachment == nil || o.Attachment.InstanceID != i.ID || o.attachmentAt(now, s.transition()) == ""
			})
			i.Volumes = append(i.Volumes, v.ID)
			a := s.attachmentOut(v, "attaching")
			return &ec2.AttachVolumeOutput{VolumeId: a.VolumeId, InstanceId: a.InstanceId, Device: a.Device, State: a.State, AttachTime: a.AttachTime, DeleteOnTermination: a.DeleteOnTermination}, nil
		},
	}.run(s, in.DryRun)
}

// attachable looks up a volume and an instance and checks the volume can
// be attached to the instance at device. The caller holds s.mu.
func (s *Server) attachable(r *region, volID, instID, device string, now time.Time) (volumeOnInstance, error) {
	v, err := s.volumeNamed(r, volID)
	if err != nil {
		return volumeOnInstance{}, err
	}
	i, err := s.instanceNamed(r, instID)
	if err != nil {
		return volumeOnInstance{}, err
	}
	switch st := v.stateAt(now, s.transition()); st {
	case "available":
	case "in-use":
		return volumeOnInstance{}, apiErr("VolumeInUse", "%s is already attached to an instance", v.ID)
	default:
		return volumeOnInstance{}, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, st)
	}
	if st := i.stateAt(now, s.opts.InstanceTransition); st != "running" && st != "stopped" {
		return volumeOnInstance{}, apiErr("IncorrectInstanceState", "Instance '%s' is not 'running' or 'stopped'.", i.ID)
	}
	if v.Zone != i.Zone {
		return volumeOnInstance{}, apiErr("InvalidVolume.ZoneMismatch", "The volume '%s' is not in the same availability zone as instance '%s'", v.ID, i.ID)
	}
	for _, other := range s.instanceVolumes(r, i, now) {
		if other.Attachment.Device == device {
			return volumeOnInstance{}, apiErr("InvalidParameterValue", "Invalid value '%s' for unixDevice. Attachment point %s is already in use", device, device)
		}
	}
	return volumeOnInstance{v, i}, nil
}

func (s *Server) ec2DetachVolume(_ context.Context, c *call, in *ec2.DetachVolumeInput) (*ec2.DetachVolumeOutput, error) {
	volID := aws.ToString(in.VolumeId)
	if err := required("VolumeId", volID); err != nil {
		return nil, err
	}
	return ec2Change[*ec2Volume, ec2.DetachVolumeOutput]{
		find: func(now time.Time) (*ec2Volume, error) {
			v, err := s.volumeNamed(c.region, volID)
			if err != nil {
				return nil, err
			}
			st := v.attachmentAt(now, s.transition())
			if st == "" {
				return nil, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, v.stateAt(now, s.transition()))
			}
			if inst := aws.ToString(in.InstanceId); inst != "" && inst != v.Attachment.InstanceID {
				return nil, apiErr("InvalidAttachment.NotFound", "Volume '%s' is not attached to instance '%s'", v.ID, inst)
			}
			if dev := aws.ToString(in.Device); dev != "" && dev != v.Attachment.Device {
				return nil, apiErr("InvalidAttachment.NotFound", "Volume '%s' is not attached at '%s'", v.ID, dev)
			}
			if st != "attached" {
				return nil, apiErr("IncorrectState", "Volume '%s' is %s.", v.ID, st)
			}
			return v, nil
		},
		apply: func(v *ec2Volume, now time.Time) (*ec2.DetachVolumeOutput, error) {
			v.Attachment.State, v.Attachment.Since = "detaching", now
			a := s.attachmentOut(v, "detaching")
			return &ec2.DetachVolumeOutput{VolumeId: a.VolumeId, InstanceId: a.InstanceId, Device: a.Device, State: a.State, AttachTime: a.AttachTime, DeleteOnTermination: a.DeleteOnTermination}, nil
		},
	}.run(s, in.DryRun)
}

func (s *Server) ec2DeleteVolume(_ context.Context, c *call, in *ec2.DeleteVolumeInput) (*ec2Return, error) {
	volID := aws.ToString(in.VolumeId)
	if err := required("VolumeId", volID); err != nil {
		return nil, err
	}
	return ec2Change[*ec2Volume, ec2Return]{
		find: func(now time.Time) (*ec2Volume, error) {
			v, err := s.volumeNamed(c.region, volID)
			if err != nil {
				return nil, err
			}
			switch st := v.stateAt(now, s.transition()); st {
			case "in-use":
				return nil, apiErr("VolumeInUse", "Volume %s is currently attached to %s", v.ID, v.Attachment.InstanceID)
			case "creating":
				return nil, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, st)
			}
			return v, nil
		},
		apply: func(v *ec2Volume, _ time.Time) (*ec2Return, error) {
			delete(c.region.Volumes, v.ID)
			return returnedTrue(), nil
		},
	}.run(s, in.DryRun)
}

func (s *Server) ec2DescribeVolumes(_ context.Context, c *call, in *ec2.DescribeVolumesInput) (*ec2.DescribeVolumesOutput, error) {
	req := describeRequest{ids: in.VolumeIds, filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken}
	page, next, err := describeEC2(s, c, req, describeSpec[*ec2Volume, ec2types.Volume]{
		set: "volumeSet", lo: 5, hi: 500,
		filter: func(n string) bool {
			switch n {
			case "status", "volume-id", "volume-type", "size", "snapshot-id", "availability-zone", "encrypted",
				"attachment.instance-id", "attachment.status", "attachment.device", "attachment.delete-on-termination":
				return true
			}
			return isTagFilter(n)
		},
		named: namedEach(s.volumeNamed),
		all:   func(r *region) []*ec2Volume { return mapValues(r.Volumes) },
		compare: func(a, b *ec2Volume) int {
			return byTimeThenID(a.Created, b.Created, a.ID, b.ID)
		},
		values: s.volumeFilterValues,
		shape:  shapeEach(s.volumeOut),
	})
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeVolumesOutput{Volumes: page, NextToken: next}, nil
}

// volumeFilterValues gives a volume's values for DescribeVolumes' filters.
func (s *Server) volumeFilterValues(v *ec2Volume, now time.Time) func(name string) []string {
	att := v.attachmentAt(now, s.transition())
	return func(name string) []string {
		if have, ok := tagFilterValues(v.Tags, name); ok {
			return have
		}
		switch name {
		case "status":
			return []string{v.stateAt(now, s.transition())}
		case "volume-id":
			return []string{v.ID}
		case "volume-type":
			return []string{v.Type}
		case "size":
			return []string{strconv.FormatInt(v.Size, 10)}
		case "snapshot-id":
			return []string{v.SnapshotID}
		case "availability-zone":
			return []string{v.Zone}
		case "encrypted":
			return []string{"false"}
		}
		if att == "" {
			return nil
		}
		switch name {
		case "attachment.instance-id":
			return []string{v.Attachment.InstanceID}
		case "attachment.status":
			return []string{att}
		case "attachment.device":
			return []string{v.Attachment.Device}
		}
		return []string{strconv.FormatBool(v.Attachment.DeleteOnTermination)}
	}
}

// ec2RebootInstances reboots running instances: they stay running (a
// reboot is no state change), and a stopped or terminated one is refused.
func (s *Server) ec2RebootInstances(_ context.Context, c *call, in *ec2.RebootInstancesInput) (*ec2Return, error) {
	if len(in.InstanceIds) == 0 {
		return nil, errNoInstanceID
	}
	return ec2Change[[]*instance, ec2Return]{
		find: func(now time.Time) ([]*instance, error) {
			insts, err := s.instancesNamed(c.region, in.InstanceIds)
			if err != nil {
				return nil, err
			}
			for _, i := range insts {
				if st := i.stateAt(now, s.opts.InstanceTransition); st != "running" && st != "pending" {
					return nil, apiErr("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be rebooted.", i.ID)
				}
			}
			return insts, nil
		},
		apply:    func([]*instance, time.Time) (*ec2Return, error) { return returnedTrue(), nil },
		readOnly: true,
	}.run(s, in.DryRun)
}
