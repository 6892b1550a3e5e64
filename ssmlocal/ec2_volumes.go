package ssmlocal

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"
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
		{"ec2", "CreateVolume", true, (*Server).ec2CreateVolume, authOn("ec2:CreateVolume", createVolumeTargets)},
		{"ec2", "AttachVolume", true, (*Server).ec2AttachVolume, authOn("ec2:AttachVolume", attachTargets(false))},
		{"ec2", "DetachVolume", true, (*Server).ec2DetachVolume, authOn("ec2:DetachVolume", attachTargets(true))},
		{"ec2", "DeleteVolume", true, (*Server).ec2DeleteVolume, authOn("ec2:DeleteVolume", resourceTargets("VolumeId", false))},
		{"ec2", "DescribeVolumes", true, (*Server).ec2DescribeVolumes, authOn("ec2:DescribeVolumes", regionTarget)},
		{"ec2", "RebootInstances", true, (*Server).ec2RebootInstances, authOn("ec2:RebootInstances", instanceTargets("InstanceIds", false))},
	}
}

// createVolumeTargets: the new volume, and the snapshot it restores.
func createVolumeTargets(s *Server, c *call, in map[string]any) []authTarget {
	tags, _ := tagSpecs(in, "volume")
	out := []authTarget{{resource: s.ec2ResourceARN(c.regionNm, "vol-*"), context: requestTagContext(tags, map[string][]string{"ec2:Region": {c.regionNm}})}}
	if member(in, "SnapshotId") != "" {
		// The snapshot is an optional resource type of CreateVolume.
		for _, t := range resourceTargets("SnapshotId", false)(s, c, in) {
			t.optional = true
			out = append(out, t)
		}
	}
	return out
}

// attachTargets: the volume and the instance (DetachVolume may leave the
// instance out: then the one it is attached to). The instance is an
// optional resource type of DetachVolume.
func attachTargets(optionalInstance bool) func(s *Server, c *call, in map[string]any) []authTarget {
	return func(s *Server, c *call, in map[string]any) []authTarget {
		out := resourceTargets("VolumeId", false)(s, c, in)
		inst := member(in, "InstanceId")
		if inst == "" {
			if v, ok := c.region.Volumes[member(in, "VolumeId")]; ok && v.Attachment != nil {
				inst = v.Attachment.InstanceID
			}
		}
		if inst == "" {
			return out
		}
		for _, t := range resourceTargets("InstanceId", false)(s, c, map[string]any{"InstanceId": inst}) {
			t.optional = optionalInstance
			out = append(out, t)
		}
		return out
	}
}

func (s *Server) volumeShape(v *ec2Volume, now time.Time) map[string]any {
	out := map[string]any{
		"VolumeId": v.ID, "Size": v.Size, "VolumeType": v.Type, "AvailabilityZone": v.Zone, "CreateTime": v.Created,
		"State": v.stateAt(now, s.transition()), "Encrypted": false, "MultiAttachEnabled": false, "SnapshotId": v.SnapshotID,
		"Attachments": []any{},
	}
	if v.Iops != 0 {
		out["Iops"] = v.Iops
	}
	if st := v.attachmentAt(now, s.transition()); st != "" {
		out["Attachments"] = []any{s.attachmentShape(v, st)}
	}
	if t := optTags(v.Tags); t != nil {
		out["Tags"] = t
	}
	return out
}

func (s *Server) attachmentShape(v *ec2Volume, state string) map[string]any {
	a := v.Attachment
	return map[string]any{"VolumeId": v.ID, "InstanceId": a.InstanceID, "Device": a.Device, "State": state,
		"AttachTime": a.Attached, "DeleteOnTermination": a.DeleteOnTermination}
}

var volumeTypes = map[string][2]int64{ // size bounds in GiB
	"gp2": {1, 16384}, "gp3": {1, 65536}, "io1": {4, 16384}, "io2": {4, 65536}, "st1": {125, 16384}, "sc1": {125, 16384}, "standard": {1, 1024},
}

func (s *Server) ec2CreateVolume(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	zone, err := str(in, "AvailabilityZone")
	if err != nil {
		return nil, err
	}
	if zone == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter AvailabilityZone")
	}
	if len(zone) < len(c.regionNm)+1 || zone[:len(c.regionNm)] != c.regionNm {
		return nil, apiErr("InvalidParameterValue", "Invalid availability zone: [%s]", zone)
	}
	size, err := integer(in, "Size", 0)
	if err != nil {
		return nil, err
	}
	vtype, err := str(in, "VolumeType")
	if err != nil {
		return nil, err
	}
	if vtype == "" {
		vtype = "gp2"
	}
	bounds, ok := volumeTypes[vtype]
	if !ok {
		return nil, apiErr("InvalidParameterValue", "Value (%s) for parameter volumeType is invalid. Valid values: gp2, gp3, io1, io2, st1, sc1, standard", vtype)
	}
	iops, err := integer(in, "Iops", 0)
	if err != nil {
		return nil, err
	}
	snapID, err := str(in, "SnapshotId")
	if err != nil {
		return nil, err
	}
	tags, err := tagSpecs(in, "volume")
	if err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().UTC()
	if snapID != "" {
		sn, err := snapshotNamed(c.region, snapID)
		if err != nil {
			return nil, err
		}
		if st, _ := sn.stateAt(now, s.transition()); st != "completed" {
			return nil, apiErr("IncorrectState", "Snapshot '%s' is in the '%s' state.", sn.ID, st)
		}
		if size == 0 {
			size = sn.Size
		}
		if size < sn.Size {
			return nil, apiErr("InvalidParameterValue", "Volume of size %dGB is smaller than snapshot '%s', expect size >= %dGB", size, sn.ID, sn.Size)
		}
	} else if size == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter size or snapshotId")
	}
	if size < bounds[0] || size > bounds[1] {
		return nil, apiErr("InvalidParameterValue", "Volume size %d GiB is out of range for %s volumes (%d to %d GiB)", size, vtype, bounds[0], bounds[1])
	}
	if iops == 0 && vtype == "gp3" {
		iops = 3000
	}
	if err := s.authorizeCreateTags(c, s.ec2ResourceARN(c.regionNm, "vol-*"), tags); err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	v := &ec2Volume{ID: "vol-" + newHex(17), Size: size, Type: vtype, Iops: iops, SnapshotID: snapID, Zone: zone, Created: now, Tags: tags}
	c.region.Volumes[v.ID] = v
	s.changed()
	return s.volumeShape(v, now), nil
}

func (s *Server) ec2AttachVolume(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	volID, instID, device := member(in, "VolumeId"), member(in, "InstanceId"), member(in, "Device")
	for k, v := range map[string]string{"VolumeId": volID, "InstanceId": instID, "Device": device} {
		if v == "" {
			return nil, apiErr("MissingParameter", "The request must contain the parameter %s", k)
		}
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.volumeNamed(c.region, volID)
	if err != nil {
		return nil, err
	}
	insts, err := s.instancesNamed(c.region, []string{instID})
	if err != nil {
		return nil, err
	}
	i := insts[0]
	now := s.clock.Now().UTC()
	switch st := v.stateAt(now, s.transition()); st {
	case "available":
	case "in-use":
		return nil, apiErr("VolumeInUse", "%s is already attached to an instance", v.ID)
	default:
		return nil, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, st)
	}
	if st := i.stateAt(now, s.opts.InstanceTransition); st != "running" && st != "stopped" {
		return nil, apiErr("IncorrectInstanceState", "Instance '%s' is not 'running' or 'stopped'.", i.ID)
	}
	if v.Zone != i.Zone {
		return nil, apiErr("InvalidVolume.ZoneMismatch", "The volume '%s' is not in the same availability zone as instance '%s'", v.ID, i.ID)
	}
	for _, other := range s.instanceVolumes(c.region, i, now) {
		if other.Attachment.Device == device {
			return nil, apiErr("InvalidParameterValue", "Invalid value '%s' for unixDevice. Attachment point %s is already in use", device, device)
		}
	}
	if dry {
		return nil, errDryRun
	}
	v.Attachment = &volAttachment{InstanceID: i.ID, Device: device, State: "attaching", Since: now, Attached: now}
	// Drop ids of volumes that have since gone or detached.
	i.Volumes = slices.DeleteFunc(i.Volumes, func(id string) bool {
		o, ok := c.region.Volumes[id]
		return !ok || o.Attachment == nil || o.Attachment.InstanceID != i.ID || o.attachmentAt(now, s.transition()) == ""
	})
	i.Volumes = append(i.Volumes, v.ID)
	s.changed()
	return s.attachmentShape(v, "attaching"), nil
}

func (s *Server) ec2DetachVolume(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	volID := member(in, "VolumeId")
	if volID == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter VolumeId")
	}
	if _, err := boolean(in, "Force"); err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.volumeNamed(c.region, volID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	st := v.attachmentAt(now, s.transition())
	if st == "" {
		return nil, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, v.stateAt(now, s.transition()))
	}
	if inst := member(in, "InstanceId"); inst != "" && inst != v.Attachment.InstanceID {
		return nil, apiErr("InvalidAttachment.NotFound", "Volume '%s' is not attached to instance '%s'", v.ID, inst)
	}
	if dev := member(in, "Device"); dev != "" && dev != v.Attachment.Device {
		return nil, apiErr("InvalidAttachment.NotFound", "Volume '%s' is not attached at '%s'", v.ID, dev)
	}
	if st != "attached" {
		return nil, apiErr("IncorrectState", "Volume '%s' is %s.", v.ID, st)
	}
	if dry {
		return nil, errDryRun
	}
	v.Attachment.State, v.Attachment.Since = "detaching", now
	s.changed()
	return s.attachmentShape(v, "detaching"), nil
}

func (s *Server) ec2DeleteVolume(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	volID := member(in, "VolumeId")
	if volID == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter VolumeId")
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.volumeNamed(c.region, volID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	switch st := v.stateAt(now, s.transition()); st {
	case "in-use":
		return nil, apiErr("VolumeInUse", "Volume %s is currently attached to %s", v.ID, v.Attachment.InstanceID)
	case "creating":
		return nil, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, st)
	}
	if dry {
		return nil, errDryRun
	}
	delete(c.region.Volumes, v.ID)
	s.changed()
	return map[string]any{"Return": true}, nil
}

func (s *Server) ec2DescribeVolumes(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	return describeEC2(s, c, in, describeSpec[*ec2Volume]{
		idsKey: "VolumeIds", set: "volumeSet", lo: 5, hi: 500,
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
		key:    "Volumes",
		shape:  shapeEach(s.volumeShape),
	})
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
func (s *Server) ec2RebootInstances(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ids, dry, err := readInstanceIDs(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	insts, err := s.instancesNamed(c.region, ids)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for _, i := range insts {
		if st := i.stateAt(now, s.opts.InstanceTransition); st != "running" && st != "pending" {
			return nil, apiErr("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be rebooted.", i.ID)
		}
	}
	if dry {
		return nil, errDryRun
	}
	return map[string]any{"Return": true}, nil
}
