package ssmlocal

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ssmdelegate/ssmdelegate/internal/wildcard"
)

// instance is a simulated EC2 instance. Its state settles over clock time:
// a transition started at Since completes after the server's
// InstanceTransition.
type instance struct {
	ID            string    `json:"id"`
	ReservationID string    `json:"reservationId"`
	ImageID       string    `json:"imageId"`
	InstanceType  string    `json:"instanceType"`
	KeyName       string    `json:"keyName,omitempty"`
	SubnetID      string    `json:"subnetId"`
	VpcID         string    `json:"vpcId"`
	PrivateIP     string    `json:"privateIp"`
	Zone          string    `json:"zone"`
	Profile       string    `json:"profile,omitempty"`
	ClientToken   string    `json:"clientToken,omitempty"`
	Launched      time.Time `json:"launched"`
	State         string    `json:"state"`
	Since         time.Time `json:"since"`
	Reason        string    `json:"reason,omitempty"`
	RequesterARN  string    `json:"requester,omitempty"`
	Tags          []tag     `json:"tags,omitempty"`
	// Volumes are the ids of the volumes attached to the instance; a
	// volume's own attachment says whether it still is.
	Volumes []string `json:"volumes,omitempty"`
}

// stateCode is EC2's numeric code for a state name.
func stateCode(state string) int64 {
	switch state {
	case "running":
		return 16
	case "shutting-down":
		return 32
	case "terminated":
		return 48
	case "stopping":
		return 64
	case "stopped":
		return 80
	}
	return 0 // pending
}

// stateAt returns the instance's state at now, with transitions settled.
func (i *instance) stateAt(now time.Time, settle time.Duration) string {
	if now.Sub(i.Since) < settle {
		return i.State
	}
	switch i.State {
	case "pending":
		return "running"
	case "stopping":
		return "stopped"
	case "shutting-down":
		return "terminated"
	}
	return i.State
}

// settledSince returns when the instance reached its current settled state.
func (i *instance) settledSince(settle time.Duration) time.Time {
	switch i.State {
	case "pending", "stopping", "shutting-down":
		return i.Since.Add(settle)
	}
	return i.Since
}

func (s *Server) setState(i *instance, state, reason string) {
	i.State, i.Since, i.Reason = state, s.clock.Now().UTC(), reason
}

var (
	instanceIDPattern = regexp.MustCompile(`^i-[0-9a-f]{8}([0-9a-f]{9})?$`)
	amiPattern        = regexp.MustCompile(`^ami-[0-9a-f]{8}([0-9a-f]{9})?$`)
)

func (s *Server) instanceARN(region, id string) string { return s.arn("ec2", region, "instance/"+id) }

func ec2Ops() []opDef {
	return []opDef{
		{"ec2", "RunInstances", true, (*Server).ec2RunInstances, authOn("ec2:RunInstances", runInstancesTargets)},
		{"ec2", "DescribeInstances", true, (*Server).ec2DescribeInstances, authOn("ec2:DescribeInstances", regionTarget)},
		{"ec2", "DescribeInstanceStatus", true, (*Server).ec2DescribeInstanceStatus, authOn("ec2:DescribeInstanceStatus", regionTarget)},
		{"ec2", "StartInstances", true, (*Server).ec2StartInstances, authOn("ec2:StartInstances", instanceTargets("InstanceIds", false))},
		{"ec2", "StopInstances", true, (*Server).ec2StopInstances, authOn("ec2:StopInstances", instanceTargets("InstanceIds", false))},
		{"ec2", "TerminateInstances", true, (*Server).ec2TerminateInstances, authOn("ec2:TerminateInstances", instanceTargets("InstanceIds", false))},
		{"ec2", "CreateTags", true, (*Server).ec2CreateTags, authOn("ec2:CreateTags", resourceTargets("Resources", true))},
	}
}

func dryRun(in map[string]any) (bool, error) { return boolean(in, "DryRun") }

var errDryRun = &APIError{Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set.", Status: http.StatusPreconditionFailed}

// resourceTagContext gives a resource's tags as aws:ResourceTag/ and
// service:ResourceTag/ condition keys.
func resourceTagContext(tags []tag, service string) map[string][]string {
	ctx := map[string][]string{}
	for _, t := range tags {
		ctx["aws:ResourceTag/"+t.Key] = []string{t.Value}
		ctx[service+":ResourceTag/"+t.Key] = []string{t.Value}
	}
	return ctx
}

// regionTarget is the target of an EC2 action that supports no
// resource-level permissions: "*" in the requested Region.
func regionTarget(_ *Server, c *call, _ map[string]any) []authTarget {
	return on("*", map[string][]string{"ec2:Region": {c.regionNm}})
}

// instanceTargets authorizes each instance a member names, with its tags
// (all or nothing, as EC2); withRequestTags adds the tags CreateTags sets.
// Unknown ids are authorized without tags; the handler reports them.
func instanceTargets(key string, withRequestTags bool) func(s *Server, c *call, in map[string]any) []authTarget {
	return func(s *Server, c *call, in map[string]any) []authTarget {
		ids, _ := strList(in, key)
		var tags []tag
		if withRequestTags {
			tl, _ := objects(in, "Tags")
			tags, _ = tagPairs(tl, nil)
		}
		if len(ids) == 0 {
			ids = []string{"*"}
		}
		out := make([]authTarget, 0, len(ids))
		for _, id := range ids {
			var have []tag
			if i, ok := c.region.Instances[id]; ok {
				have = i.Tags
			}
			ctx := resourceTagContext(have, "ec2")
			if withRequestTags {
				ctx = requestTagContext(tags, ctx)
			}
			ctx["ec2:Region"] = []string{c.regionNm}
			out = append(out, authTarget{resource: s.instanceARN(c.region.Name, id), context: ctx})
		}
		return out
	}
}

// runInstancesTargets authorizes the instances to be launched, with their
// tags and type, and the image they launch from.
func runInstancesTargets(s *Server, c *call, in map[string]any) []authTarget {
	itype := member(in, "InstanceType")
	if itype == "" {
		itype = "m1.small"
	}
	tags, _ := instanceTagSpecs(in)
	region := c.region.Name
	ctx := requestTagContext(tags, map[string][]string{"ec2:InstanceType": {itype}, "ec2:Region": {region}})
	regional := map[string][]string{"ec2:Region": {region}}
	ec2ARN := func(resource string) string {
		return s.arn("ec2", region, resource)
	}
	// The resource types the service authorization reference marks
	// required for RunInstances (image, instance, network-interface,
	// security-group, subnet), the root volume, and the key pair when one
	// is named. The defaults are the default VPC's, not known here: "*".
	targets := []authTarget{
		{resource: s.instanceARN(region, "*"), context: ctx},
		{resource: s.ec2ImageARN(region, member(in, "ImageId")), context: regional},
		{resource: ec2ARN("network-interface/*"), context: regional},
		{resource: ec2ARN("volume/*"), context: regional},
	}
	subnet := member(in, "SubnetId")
	if subnet == "" {
		subnet = "*"
	}
	targets = append(targets, authTarget{resource: ec2ARN("subnet/" + subnet), context: regional})
	groups, _ := strList(in, "SecurityGroupIds")
	if len(groups) == 0 {
		groups = []string{"*"}
	}
	for _, g := range groups {
		targets = append(targets, authTarget{resource: ec2ARN("security-group/" + g), context: regional})
	}
	if key := member(in, "KeyName"); key != "" {
		targets = append(targets, authTarget{resource: ec2ARN("key-pair/" + key), context: regional})
	}
	return targets
}

// instanceTagSpecs reads the instance tags of RunInstances'
// TagSpecifications; the other resource types RunInstances can tag are
// accepted and not simulated.
func instanceTagSpecs(in map[string]any) ([]tag, error) {
	return tagSpecs(in, "instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu")
}

func requestTagContext(tags []tag, ctx map[string][]string) map[string][]string {
	if ctx == nil {
		ctx = map[string][]string{}
	}
	var keys []string
	for _, t := range tags {
		ctx["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	if len(keys) > 0 {
		ctx["aws:TagKeys"] = keys
	}
	return ctx
}

func readEC2Tags(list []map[string]any) ([]tag, error) {
	return tagPairs(list, func(t tag) error {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return apiErr("InvalidParameterValue", "Tag key must be 1 to 128 characters and tag value at most 256 characters: %q", t.Key)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return apiErr("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
		}
		return nil
	})
}

func mergeTags(have, add []tag) []tag {
	for _, t := range add {
		found := false
		for i := range have {
			if have[i].Key == t.Key {
				have[i].Value, found = t.Value, true
				break
			}
		}
		if !found {
			have = append(have, t)
		}
	}
	return have
}

// runRequest is a RunInstances request, read and validated.
type runRequest struct {
	image, itype, keyName, subnet, token string
	count                                int64
	tags                                 []tag
	profile                              map[string]any
	dry                                  bool
}

// readRunRequest reads and validates RunInstances' members.
func readRunRequest(in map[string]any) (*runRequest, error) {
	image, err := str(in, "ImageId")
	if err != nil {
		return nil, err
	}
	if image == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter ImageId")
	}
	if !amiPattern.MatchString(image) {
		return nil, apiErr("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", image)
	}
	itype, err := str(in, "InstanceType")
	if err != nil {
		return nil, err
	}
	if itype == "" {
		itype = "m1.small"
	}
	count, err := launchCount(in)
	if err != nil {
		return nil, err
	}
	r := &runRequest{image: image, itype: itype, count: count}
	r.keyName, _ = str(in, "KeyName")
	r.subnet, _ = str(in, "SubnetId")
	if r.token, err = str(in, "ClientToken"); err != nil {
		return nil, err
	}
	if r.tags, err = instanceTagSpecs(in); err != nil {
		return nil, err
	}
	if r.profile, err = object(in, "IamInstanceProfile"); err != nil {
		return nil, err
	}
	if r.dry, err = dryRun(in); err != nil {
		return nil, err
	}
	return r, nil
}

// launchCount checks MinCount and MaxCount and returns how many instances
// to launch: MaxCount, capped at the account's limit of 100.
func launchCount(in map[string]any) (int64, error) {
	minCount, err := integer(in, "MinCount", 0)
	if err != nil {
		return 0, err
	}
	maxCount, err := integer(in, "MaxCount", 0)
	if err != nil {
		return 0, err
	}
	if minCount < 1 || maxCount < 1 {
		return 0, apiErr("InvalidParameterValue", "MinCount and MaxCount must be at least 1")
	}
	if minCount > maxCount {
		return 0, apiErr("InvalidParameterValue", "MinCount (%d) must be less than or equal to MaxCount (%d)", minCount, maxCount)
	}
	if minCount > 100 {
		return 0, apiErr("InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of 100 allows.", minCount)
	}
	return min(maxCount, 100), nil
}

// authorizeLaunchExtras makes the decisions RunInstances needs besides
// ec2:RunInstances: ec2:CreateTags for tags set at launch, and
// iam:PassRole for an instance profile's role. It returns the profile's
// ARN. The caller holds s.mu.
func (s *Server) authorizeLaunchExtras(c *call, r *runRequest) (string, error) {
	if len(r.tags) > 0 {
		ctx := requestTagContext(r.tags, map[string][]string{"ec2:CreateAction": {"RunInstances"}})
		if err := c.authorize("ec2:CreateTags", s.instanceARN(c.region.Name, "*"), ctx); err != nil {
			return "", err
		}
	}
	if r.profile == nil {
		return "", nil
	}
	p, err := s.launchProfile(r.profile)
	if err != nil {
		return "", err
	}
	// EC2 passes the profile's role to the instance: iam:PassRole on it.
	if role, ok := s.iam.Roles[p.Role]; ok {
		if err := c.authorize("iam:PassRole", role.ARN, map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}); err != nil {
			return "", err
		}
	}
	return p.ARN, nil
}

func (s *Server) ec2RunInstances(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	r, err := readRunRequest(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.token != "" {
		if out := s.reservationByToken(c.region, r.token); out != nil {
			return out, nil
		}
	}
	profileARN, err := s.authorizeLaunchExtras(c, r)
	if err != nil {
		return nil, err
	}
	if r.dry {
		return nil, errDryRun
	}
	return s.launch(c, r, profileARN), nil
}

// launch creates a request's instances, pending. The caller holds s.mu.
func (s *Server) launch(c *call, r *runRequest, profileARN string) map[string]any {
	resID := "r-" + newHex(17)
	now := s.clock.Now().UTC()
	var insts []*instance
	for n := range r.count {
		i := &instance{
			ID: "i-" + newHex(17), ReservationID: resID, ImageID: r.image, InstanceType: r.itype, KeyName: r.keyName,
			SubnetID: r.subnet, VpcID: "vpc-" + newHex(8), PrivateIP: fmt.Sprintf("10.0.%d.%d", (len(c.region.Instances)/250)%250, 4+n%250),
			Zone: c.region.Name + "a", Profile: profileARN, ClientToken: r.token, Launched: now, RequesterARN: c.who.ARN,
			Tags: append([]tag(nil), r.tags...),
		}
		if i.SubnetID == "" {
			i.SubnetID = "subnet-" + newHex(8)
		}
		s.setState(i, "pending", "")
		c.region.Instances[i.ID] = i
		s.rootVolume(c.region, i, now)
		insts = append(insts, i)
	}
	s.changed()
	return s.reservationShape(c.region, resID, insts)
}

func (s *Server) reservationByToken(r *region, token string) map[string]any {
	var insts []*instance
	for _, i := range r.Instances {
		if i.ClientToken == token {
			insts = append(insts, i)
		}
	}
	if len(insts) == 0 {
		return nil
	}
	sort.Slice(insts, func(a, b int) bool { return insts[a].ID < insts[b].ID })
	return s.reservationShape(r, insts[0].ReservationID, insts)
}

func (s *Server) reservationShape(r *region, resID string, insts []*instance) map[string]any {
	list := make([]any, len(insts))
	for n, i := range insts {
		list[n] = s.instanceShape(r, i, n)
	}
	return map[string]any{"ReservationId": resID, "OwnerId": s.opts.AccountID, "Groups": []any{}, "Instances": list}
}

func (s *Server) instanceShape(r *region, i *instance, index int) map[string]any {
	now := s.clock.Now()
	state := i.stateAt(now, s.opts.InstanceTransition)
	m := map[string]any{
		"InstanceId": i.ID, "ImageId": i.ImageID, "InstanceType": i.InstanceType, "LaunchTime": i.Launched,
		"AmiLaunchIndex": int64(index), "Architecture": "x86_64", "Hypervisor": "xen", "VirtualizationType": "hvm",
		"RootDeviceType": "ebs", "RootDeviceName": "/dev/xvda", "EbsOptimized": false, "ClientToken": i.ClientToken,
		"State":            map[string]any{"Code": stateCode(state), "Name": state},
		"Placement":        map[string]any{"AvailabilityZone": i.Zone, "Tenancy": "default"},
		"Monitoring":       map[string]any{"State": "disabled"},
		"PrivateDnsName":   "ip-" + strings.ReplaceAll(i.PrivateIP, ".", "-") + "." + r.Name + ".compute.internal",
		"PrivateIpAddress": i.PrivateIP,
		"SubnetId":         i.SubnetID, "VpcId": i.VpcID,
		"StateTransitionReason": i.Reason,
		"SecurityGroups":        []any{},
	}
	if state == "running" {
		m["PublicDnsName"] = ""
	}
	if i.KeyName != "" {
		m["KeyName"] = i.KeyName
	}
	if vols := s.instanceVolumes(r, i, now); len(vols) > 0 {
		bdm := make([]any, len(vols))
		for n, v := range vols {
			a := v.Attachment
			bdm[n] = map[string]any{"DeviceName": a.Device, "Ebs": map[string]any{
				"VolumeId": v.ID, "Status": v.attachmentAt(now, s.transition()), "AttachTime": a.Attached, "DeleteOnTermination": a.DeleteOnTermination,
			}}
		}
		m["BlockDeviceMappings"] = bdm
	}
	if i.Profile != "" {
		m["IamInstanceProfile"] = map[string]any{"Arn": i.Profile, "Id": "AIPA" + strings.ToUpper(i.ID[2:])}
	}
	if len(i.Tags) > 0 {
		tags := make([]any, len(i.Tags))
		for n, t := range i.Tags {
			tags[n] = map[string]any{"Key": t.Key, "Value": t.Value}
		}
		m["Tags"] = tags
	}
	return m
}

// instancesNamed looks up instance ids, reporting every unknown or
// malformed one as EC2 does.
func (s *Server) instancesNamed(r *region, ids []string) ([]*instance, error) {
	var out []*instance
	var missing []string
	for _, id := range ids {
		if !instanceIDPattern.MatchString(id) {
			return nil, apiErr("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
		}
		i, ok := r.Instances[id]
		if !ok || s.gone(i) {
			missing = append(missing, id)
			continue
		}
		out = append(out, i)
	}
	if len(missing) == 1 {
		return nil, apiErr("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	}
	if len(missing) > 1 {
		return nil, apiErr("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
	}
	return out, nil
}

// gone reports a terminated instance that no longer shows up (after an
// hour, as in EC2).
func (s *Server) gone(i *instance) bool {
	st := i.stateAt(s.clock.Now(), s.opts.InstanceTransition)
	return st == "terminated" && s.clock.Now().Sub(i.settledSince(s.opts.InstanceTransition)) > time.Hour
}

// instanceFilterValues gives an instance's values for the filters of
// DescribeInstances and DescribeInstanceStatus.
func (s *Server) instanceFilterValues(r *region) func(i *instance, now time.Time) func(name string) []string {
	return func(i *instance, now time.Time) func(name string) []string {
		state := i.stateAt(now, s.opts.InstanceTransition)
		return func(name string) []string {
			if have, ok := tagFilterValues(i.Tags, name); ok {
				return have
			}
			switch name {
			case "instance-state-name":
				return []string{state}
			case "instance-state-code":
				return []string{fmt.Sprint(stateCode(state))}
			case "instance-id":
				return []string{i.ID}
			case "instance-type":
				return []string{i.InstanceType}
			case "image-id":
				return []string{i.ImageID}
			case "reservation-id":
				return []string{i.ReservationID}
			case "availability-zone":
				return []string{i.Zone}
			}
			var have []string
			for _, v := range s.instanceVolumes(r, i, now) {
				have = append(have, v.ID)
			}
			return have
		}
	}
}

// anyMatch reports whether a value matches a filter value. Filter values
// take * and ? wildcards, and a backslash makes the next character literal
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Filter.html);
// matching is linear, so no pattern makes it backtrack.
func anyMatch(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if wildcard.Match(w, h, false, true) {
				return true
			}
		}
	}
	return false
}

// describeInstances runs DescribeInstances or DescribeInstanceStatus:
// visible, when not nil, keeps only some instances; shape renders the page.
func (s *Server) describeInstances(c *call, in map[string]any, key string, visible func(*instance, time.Time) bool, shape func(r *region, page []*instance, now time.Time) []any) (map[string]any, error) {
	return describeEC2(s, c, in, describeSpec[*instance]{
		idsKey: "InstanceIds", set: "instancesSet", lo: 5, hi: 1000, instanceOrder: true,
		read: func(map[string]any) (func(*instance, time.Time) bool, error) { return visible, nil },
		filter: func(name string) bool {
			switch name {
			case "instance-state-name", "instance-state-code", "instance-id", "instance-type",
				"image-id", "reservation-id", "availability-zone", "block-device-mapping.volume-id":
				return true
			}
			return isTagFilter(name)
		},
		named: s.instancesNamed,
		all: func(r *region) []*instance {
			return slices.DeleteFunc(mapValues(r.Instances), s.gone)
		},
		compare: func(a, b *instance) int {
			return byTimeThenID(a.Launched, b.Launched, a.ID, b.ID)
		},
		keepNamed: true,
		values:    s.instanceFilterValues(c.region),
		key:       key,
		shape:     shape,
	})
}

func (s *Server) ec2DescribeInstances(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	return s.describeInstances(c, in, "Reservations", nil, func(r *region, page []*instance, _ time.Time) []any {
		var order []string
		byRes := map[string][]*instance{}
		for _, i := range page {
			if _, ok := byRes[i.ReservationID]; !ok {
				order = append(order, i.ReservationID)
			}
			byRes[i.ReservationID] = append(byRes[i.ReservationID], i)
		}
		res := make([]any, 0, len(order))
		for _, id := range order {
			res = append(res, s.reservationShape(r, id, byRes[id]))
		}
		return res
	})
}

func (s *Server) ec2DescribeInstanceStatus(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	all, err := boolean(in, "IncludeAllInstances")
	if err != nil {
		return nil, err
	}
	settle := s.opts.InstanceTransition
	visible := func(i *instance, now time.Time) bool {
		return all || i.stateAt(now, settle) == "running"
	}
	return s.describeInstances(c, in, "InstanceStatuses", visible, func(_ *region, page []*instance, now time.Time) []any {
		list := make([]any, 0, len(page))
		for _, i := range page {
			list = append(list, s.instanceStatusShape(i, now))
		}
		return list
	})
}

// instanceStatusShape is an instance's InstanceStatus.
func (s *Server) instanceStatusShape(i *instance, now time.Time) map[string]any {
	settle := s.opts.InstanceTransition
	state := i.stateAt(now, settle)
	status := "not-applicable"
	if state == "running" {
		status = "ok"
		if now.Sub(i.settledSince(settle)) < 2*settle {
			status = "initializing"
		}
	}
	check := func(name string) map[string]any {
		detail := map[string]any{"Name": "reachability", "Status": "passed"}
		if status == "initializing" {
			detail["Status"] = "initializing"
		}
		m := map[string]any{"Status": status}
		if status != "not-applicable" {
			m["Details"] = []any{detail}
		}
		return m
	}
	return map[string]any{
		"InstanceId": i.ID, "AvailabilityZone": i.Zone,
		"InstanceState":  map[string]any{"Code": stateCode(state), "Name": state},
		"InstanceStatus": check("instance"), "SystemStatus": check("system"),
	}
}

// readInstanceIDs reads the InstanceIds an instance action needs and
// DryRun.
func readInstanceIDs(in map[string]any) ([]string, bool, error) {
	ids, err := strList(in, "InstanceIds")
	if err != nil {
		return nil, false, err
	}
	if len(ids) == 0 {
		return nil, false, apiErr("MissingParameter", "The request must contain the parameter InstanceId")
	}
	dry, err := dryRun(in)
	return ids, dry, err
}

// changeStates runs Start/Stop/TerminateInstances once every instance was
// authorized (all or nothing, as EC2): check every instance, then apply.
func (s *Server) changeStates(c *call, in map[string]any, outKey string, apply func(i *instance, state string) (string, error)) (map[string]any, error) {
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
	if dry {
		return nil, errDryRun
	}
	now := s.clock.Now()
	// Check every instance before changing any.
	for _, i := range insts {
		if _, err := apply(nil, i.stateAt(now, s.opts.InstanceTransition)); err != nil {
			return nil, fmt.Errorf("%w", &APIError{Code: asAPIError(err).Code, Message: strings.ReplaceAll(asAPIError(err).Message, "%ID%", i.ID)})
		}
	}
	list := make([]any, 0, len(insts))
	for _, i := range insts {
		prev := i.stateAt(now, s.opts.InstanceTransition)
		next, _ := apply(i, prev)
		list = append(list, map[string]any{
			"InstanceId":    i.ID,
			"PreviousState": map[string]any{"Code": stateCode(prev), "Name": prev},
			"CurrentState":  map[string]any{"Code": stateCode(next), "Name": next},
		})
	}
	s.changed()
	return map[string]any{outKey: list}, nil
}

func incorrectState(verb string) error {
	return apiErr("IncorrectInstanceState", "The instance '%%ID%%' is not in a state from which it can be %s.", verb)
}

func (s *Server) ec2StartInstances(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	return s.changeStates(c, in, "StartingInstances", func(i *instance, state string) (string, error) {
		switch state {
		case "stopped":
			if i != nil {
				s.setState(i, "pending", "")
			}
			return "pending", nil
		case "pending", "running":
			return state, nil
		}
		return "", incorrectState("started")
	})
}

func (s *Server) ec2StopInstances(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	if h, _ := boolean(in, "Hibernate"); h {
		return nil, apiErr("UnsupportedHibernationConfiguration", "hibernation is not simulated by the local endpoint")
	}
	return s.changeStates(c, in, "StoppingInstances", func(i *instance, state string) (string, error) {
		switch state {
		case "running":
			if i != nil {
				s.setState(i, "stopping", "User initiated ("+s.clock.Now().UTC().Format("2006-01-02 15:04:05 MST")+")")
			}
			return "stopping", nil
		case "stopping", "stopped":
			return state, nil
		}
		return "", incorrectState("stopped")
	})
}

func (s *Server) ec2TerminateInstances(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	return s.changeStates(c, in, "TerminatingInstances", func(i *instance, state string) (string, error) {
		switch state {
		case "shutting-down", "terminated":
			return state, nil
		}
		if i != nil {
			s.setState(i, "shutting-down", "User initiated ("+s.clock.Now().UTC().Format("2006-01-02 15:04:05 MST")+")")
			s.releaseVolumes(c.region, i, s.clock.Now().UTC())
		}
		return "shutting-down", nil
	})
}

func (s *Server) ec2CreateTags(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ids, err := strList(in, "Resources")
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter resourceIdSet")
	}
	tl, err := objects(in, "Tags")
	if err != nil {
		return nil, err
	}
	if len(tl) == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter tagSet")
	}
	tags, err := readEC2Tags(tl)
	if err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := namedEach(s.ec2ResourceNamed)(c.region, ids)
	if err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	for _, r := range res {
		merged := mergeTags(append([]tag(nil), *r.tags...), tags)
		if len(merged) > 50 {
			return nil, apiErr("TagLimitExceeded", "The maximum number of tags for resource '%s' has been reached", r.id)
		}
	}
	for _, r := range res {
		*r.tags = mergeTags(*r.tags, tags)
	}
	s.changed()
	return map[string]any{"Return": true}, nil
}

// InstanceOptions configure instances created with [Server.AddInstances].
type InstanceOptions struct {
	// Region is where the instances live; the default Region when empty.
	Region string
	// ImageID and InstanceType default to "ami-0abcdef1234567890" and
	// "t3.micro".
	ImageID      string
	InstanceType string
	// Stopped creates the instances stopped instead of running.
	Stopped bool
	// Tags are set on every instance.
	Tags map[string]string
}

// addInstances creates n settled instances directly, without a caller or an
// authorization check, so tests and examples have something to act on.
func (s *Server) addInstances(n int, optFns ...func(*InstanceOptions)) ([]string, error) {
	var o InstanceOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Region == "" {
		o.Region = s.Region()
	}
	if o.ImageID == "" {
		o.ImageID = "ami-0abcdef1234567890"
	}
	if o.InstanceType == "" {
		o.InstanceType = "t3.micro"
	}
	if n < 1 || n > 10000 {
		return nil, fmt.Errorf("ssmlocal: instance count %d out of range 1..10000", n)
	}
	r, err := s.region(o.Region)
	if err != nil {
		return nil, err
	}
	var tags []tag
	for _, k := range slices.Sorted(maps.Keys(o.Tags)) {
		tags = append(tags, tag{Key: k, Value: o.Tags[k]})
	}
	state := "running"
	if o.Stopped {
		state = "stopped"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resID := "r-" + newHex(17)
	now := s.clock.Now().UTC()
	ids := make([]string, 0, n)
	for k := range n {
		i := &instance{
			ID: "i-" + newHex(17), ReservationID: resID, ImageID: o.ImageID, InstanceType: o.InstanceType,
			SubnetID: "subnet-" + newHex(8), VpcID: "vpc-" + newHex(8), PrivateIP: fmt.Sprintf("10.1.%d.%d", k/250, 4+k%250),
			Zone: r.Name + "a", Launched: now, State: state, Since: now.Add(-s.opts.InstanceTransition), Tags: append([]tag(nil), tags...),
		}
		r.Instances[i.ID] = i
		s.rootVolume(r, i, now)
		ids = append(ids, i.ID)
	}
	s.changed()
	return ids, nil
}

// InstanceState returns an instance's current state name ("running",
// "stopped", …), for tests and examples.
func (s *Server) InstanceState(region, id string) (string, error) {
	if region == "" {
		region = s.Region()
	}
	r, err := s.region(region)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := r.Instances[id]
	if !ok {
		return "", apiErr("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	}
	return i.stateAt(s.clock.Now(), s.opts.InstanceTransition), nil
}
