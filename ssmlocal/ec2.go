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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

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
		{"ec2", "RunInstances", true, typed((*Server).ec2RunInstances), authOnInput("ec2:RunInstances", runInstancesTargets)},
		{"ec2", "DescribeInstances", true, typed((*Server).ec2DescribeInstances), authOn("ec2:DescribeInstances", regionTarget)},
		{"ec2", "DescribeInstanceStatus", true, typed((*Server).ec2DescribeInstanceStatus), authOn("ec2:DescribeInstanceStatus", regionTarget)},
		{"ec2", "StartInstances", true, typed((*Server).ec2StartInstances), authOnInput("ec2:StartInstances", func(s *Server, c *call, in *ec2.StartInstancesInput) []authTarget {
			return s.instanceTargets(c, in.InstanceIds)
		})},
		{"ec2", "StopInstances", true, typed((*Server).ec2StopInstances), authOnInput("ec2:StopInstances", func(s *Server, c *call, in *ec2.StopInstancesInput) []authTarget {
			return s.instanceTargets(c, in.InstanceIds)
		})},
		{"ec2", "TerminateInstances", true, typed((*Server).ec2TerminateInstances), authOnInput("ec2:TerminateInstances", func(s *Server, c *call, in *ec2.TerminateInstancesInput) []authTarget {
			return s.instanceTargets(c, in.InstanceIds)
		})},
		{"ec2", "CreateTags", true, typed((*Server).ec2CreateTags), authOnInput("ec2:CreateTags", func(s *Server, c *call, in *ec2.CreateTagsInput) []authTarget {
			return tagTargets(s, c, in.Resources, in.Tags)
		})},
	}
}

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

// instanceTargets authorizes each instance ids names (none: "*"), with
// its tags (all or nothing, as EC2). Unknown ids are authorized without
// tags; the handler reports them.
func (s *Server) instanceTargets(c *call, ids []string) []authTarget {
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
		ctx["ec2:Region"] = []string{c.regionNm}
		out = append(out, authTarget{resource: s.instanceARN(c.region.Name, id), context: ctx})
	}
	return out
}

// runInstancesTargets authorizes the instances to be launched, with their
// tags and type, and the image they launch from.
func runInstancesTargets(s *Server, c *call, in *ec2.RunInstancesInput) []authTarget {
	itype := string(in.InstanceType)
	if itype == "" {
		itype = "m1.small"
	}
	tags, _ := instanceTagSpecs(in.TagSpecifications)
	region := c.region.Name
	ctx := requestTagContext(tags, map[string][]string{"ec2:InstanceType": {itype}, "ec2:Region": {region}})
	ec2ARN := func(resource string) authTarget {
		return authTarget{resource: s.arn("ec2", region, resource), context: regional(region)}
	}
	// The resource types the service authorization reference marks
	// required for RunInstances (image, instance, network-interface,
	// security-group, subnet), the root volume, and the key pair when one
	// is named. The defaults are the default VPC's, not known here: "*".
	targets := []authTarget{
		{resource: s.instanceARN(region, "*"), context: ctx},
		{resource: s.ec2ImageARN(region, aws.ToString(in.ImageId)), context: regional(region)},
		ec2ARN("network-interface/*"),
		ec2ARN("volume/*"),
	}
	subnet := aws.ToString(in.SubnetId)
	if subnet == "" {
		subnet = "*"
	}
	targets = append(targets, ec2ARN("subnet/"+subnet))
	groups := in.SecurityGroupIds
	if len(groups) == 0 {
		groups = []string{"*"}
	}
	for _, g := range groups {
		targets = append(targets, ec2ARN("security-group/"+g))
	}
	if key := aws.ToString(in.KeyName); key != "" {
		targets = append(targets, ec2ARN("key-pair/"+key))
	}
	return targets
}

// instanceTagSpecs reads the instance tags of RunInstances'
// TagSpecifications; the other resource types RunInstances can tag are
// accepted and not simulated.
func instanceTagSpecs(specs []ec2types.TagSpecification) ([]tag, error) {
	return tagSpecs(specs, "instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu")
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

// checkEC2Tag checks a tag against EC2's limits and reserved prefix.
func checkEC2Tag(t tag) error {
	if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
		return apiErr("InvalidParameterValue", "Tag key must be 1 to 128 characters and tag value at most 256 characters: %q", t.Key)
	}
	if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
		return apiErr("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
	}
	return nil
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
	profile                              *ec2types.IamInstanceProfileSpecification
}

// readRunRequest reads and validates RunInstances' members.
func readRunRequest(in *ec2.RunInstancesInput) (*runRequest, error) {
	image := aws.ToString(in.ImageId)
	if err := required("ImageId", image); err != nil {
		return nil, err
	}
	if !amiPattern.MatchString(image) {
		return nil, apiErr("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", image)
	}
	itype := string(in.InstanceType)
	if itype == "" {
		itype = "m1.small"
	}
	count, err := launchCount(int64(aws.ToInt32(in.MinCount)), int64(aws.ToInt32(in.MaxCount)))
	if err != nil {
		return nil, err
	}
	tags, err := instanceTagSpecs(in.TagSpecifications)
	if err != nil {
		return nil, err
	}
	return &runRequest{image: image, itype: itype, count: count, keyName: aws.ToString(in.KeyName), subnet: aws.ToString(in.SubnetId),
		token: aws.ToString(in.ClientToken), tags: tags, profile: in.IamInstanceProfile}, nil
}

// launchCount checks MinCount and MaxCount and returns how many instances
// to launch: MaxCount, capped at the account's limit of 100.
func launchCount(minCount, maxCount int64) (int64, error) {
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
	p, err := s.launchProfile(aws.ToString(r.profile.Arn), aws.ToString(r.profile.Name))
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

func (s *Server) ec2RunInstances(_ context.Context, c *call, in *ec2.RunInstancesInput) (*ec2.RunInstancesOutput, error) {
	r, err := readRunRequest(in)
	if err != nil {
		return nil, err
	}
	return ec2Change[string, ec2.RunInstancesOutput]{
		replay: func() *ec2.RunInstancesOutput {
			if r.token == "" {
				return nil
			}
			return s.reservationByToken(c.region, r.token)
		},
		find: func(time.Time) (string, error) { return s.authorizeLaunchExtras(c, r) },
		apply: func(profileARN string, now time.Time) (*ec2.RunInstancesOutput, error) {
			return s.launch(c, r, profileARN, now), nil
		},
	}.run(s, in.DryRun)
}

// runOutput is a reservation as RunInstances answers it.
func runOutput(res ec2types.Reservation) *ec2.RunInstancesOutput {
	return &ec2.RunInstancesOutput{ReservationId: res.ReservationId, OwnerId: res.OwnerId, Groups: res.Groups, Instances: res.Instances}
}

// launch creates a request's instances, pending. The caller holds s.mu.
func (s *Server) launch(c *call, r *runRequest, profileARN string, now time.Time) *ec2.RunInstancesOutput {
	resID := "r-" + newHex(17)
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
	return runOutput(s.reservationOut(c.region, resID, insts))
}

func (s *Server) reservationByToken(r *region, token string) *ec2.RunInstancesOutput {
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
	return runOutput(s.reservationOut(r, insts[0].ReservationID, insts))
}

func (s *Server) reservationOut(r *region, resID string, insts []*instance) ec2types.Reservation {
	list := make([]ec2types.Instance, len(insts))
	for n, i := range insts {
		list[n] = s.instanceOut(r, i, n)
	}
	return ec2types.Reservation{ReservationId: aws.String(resID), OwnerId: aws.String(s.opts.AccountID), Groups: []ec2types.GroupIdentifier{}, Instances: list}
}

func (s *Server) instanceOut(r *region, i *instance, index int) ec2types.Instance {
	now := s.clock.Now()
	state := i.stateAt(now, s.opts.InstanceTransition)
	out := ec2types.Instance{
		InstanceId: aws.String(i.ID), ImageId: aws.String(i.ImageID), InstanceType: ec2types.InstanceType(i.InstanceType), LaunchTime: aws.Time(i.Launched),
		AmiLaunchIndex: aws.Int32(int32(index)), Architecture: ec2types.ArchitectureValuesX8664, Hypervisor: ec2types.HypervisorTypeXen,
		VirtualizationType: ec2types.VirtualizationTypeHvm, RootDeviceType: ec2types.DeviceTypeEbs, RootDeviceName: aws.String("/dev/xvda"),
		EbsOptimized: aws.Bool(false), ClientToken: aws.String(i.ClientToken),
		State:                 instanceState(state),
		Placement:             &ec2types.Placement{AvailabilityZone: aws.String(i.Zone), Tenancy: ec2types.TenancyDefault},
		Monitoring:            &ec2types.Monitoring{State: ec2types.MonitoringStateDisabled},
		PrivateDnsName:        aws.String("ip-" + strings.ReplaceAll(i.PrivateIP, ".", "-") + "." + r.Name + ".compute.internal"),
		PrivateIpAddress:      aws.String(i.PrivateIP),
		SubnetId:              aws.String(i.SubnetID),
		VpcId:                 aws.String(i.VpcID),
		StateTransitionReason: aws.String(i.Reason),
		SecurityGroups:        []ec2types.GroupIdentifier{},
		Tags:                  ec2TagList(i.Tags),
	}
	if state == "running" {
		out.PublicDnsName = aws.String("")
	}
	if i.KeyName != "" {
		out.KeyName = aws.String(i.KeyName)
	}
	for _, v := range s.instanceVolumes(r, i, now) {
		a := v.Attachment
		out.BlockDeviceMappings = append(out.BlockDeviceMappings, ec2types.InstanceBlockDeviceMapping{DeviceName: aws.String(a.Device), Ebs: &ec2types.EbsInstanceBlockDevice{
			VolumeId: aws.String(v.ID), Status: ec2types.AttachmentStatus(v.attachmentAt(now, s.transition())), AttachTime: aws.Time(a.Attached), DeleteOnTermination: aws.Bool(a.DeleteOnTermination),
		}})
	}
	if i.Profile != "" {
		out.IamInstanceProfile = &ec2types.IamInstanceProfile{Arn: aws.String(i.Profile), Id: aws.String("AIPA" + strings.ToUpper(i.ID[2:]))}
	}
	return out
}

// instanceState is a state name with its code.
func instanceState(state string) *ec2types.InstanceState {
	return &ec2types.InstanceState{Code: aws.Int32(int32(stateCode(state))), Name: ec2types.InstanceStateName(state)}
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

// instanceNamed looks up one instance id.
func (s *Server) instanceNamed(r *region, id string) (*instance, error) {
	insts, err := s.instancesNamed(r, []string{id})
	if err != nil {
		return nil, err
	}
	return insts[0], nil
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
// keep, when not nil, keeps only some instances; shape renders the page.
func describeInstances[E any](s *Server, c *call, req describeRequest, keep func(*instance, time.Time) bool, shape func(r *region, page []*instance, now time.Time) []E) ([]E, *string, error) {
	return describeEC2(s, c, req, describeSpec[*instance, E]{
		set: "instancesSet", lo: 5, hi: 1000, instanceOrder: true,
		keep: keep,
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
		shape:     shape,
	})
}

func (s *Server) ec2DescribeInstances(_ context.Context, c *call, in *ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) {
	req := describeRequest{ids: in.InstanceIds, filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken}
	page, next, err := describeInstances(s, c, req, nil, func(r *region, page []*instance, _ time.Time) []ec2types.Reservation {
		var order []string
		byRes := map[string][]*instance{}
		for _, i := range page {
			if _, ok := byRes[i.ReservationID]; !ok {
				order = append(order, i.ReservationID)
			}
			byRes[i.ReservationID] = append(byRes[i.ReservationID], i)
		}
		res := make([]ec2types.Reservation, 0, len(order))
		for _, id := range order {
			res = append(res, s.reservationOut(r, id, byRes[id]))
		}
		return res
	})
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeInstancesOutput{Reservations: page, NextToken: next}, nil
}

func (s *Server) ec2DescribeInstanceStatus(_ context.Context, c *call, in *ec2.DescribeInstanceStatusInput) (*ec2.DescribeInstanceStatusOutput, error) {
	all := aws.ToBool(in.IncludeAllInstances)
	settle := s.opts.InstanceTransition
	keep := func(i *instance, now time.Time) bool {
		return all || i.stateAt(now, settle) == "running"
	}
	req := describeRequest{ids: in.InstanceIds, filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken}
	page, next, err := describeInstances(s, c, req, keep, func(_ *region, page []*instance, now time.Time) []ec2types.InstanceStatus {
		list := make([]ec2types.InstanceStatus, 0, len(page))
		for _, i := range page {
			list = append(list, s.instanceStatusOut(i, now))
		}
		return list
	})
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeInstanceStatusOutput{InstanceStatuses: page, NextToken: next}, nil
}

// instanceStatusOut is an instance's InstanceStatus.
func (s *Server) instanceStatusOut(i *instance, now time.Time) ec2types.InstanceStatus {
	settle := s.opts.InstanceTransition
	state := i.stateAt(now, settle)
	status := ec2types.SummaryStatusNotApplicable
	if state == "running" {
		status = ec2types.SummaryStatusOk
		if now.Sub(i.settledSince(settle)) < 2*settle {
			status = ec2types.SummaryStatusInitializing
		}
	}
	check := func() *ec2types.InstanceStatusSummary {
		sum := &ec2types.InstanceStatusSummary{Status: status}
		if status != ec2types.SummaryStatusNotApplicable {
			detail := ec2types.InstanceStatusDetails{Name: ec2types.StatusNameReachability, Status: ec2types.StatusTypePassed}
			if status == ec2types.SummaryStatusInitializing {
				detail.Status = ec2types.StatusTypeInitializing
			}
			sum.Details = []ec2types.InstanceStatusDetails{detail}
		}
		return sum
	}
	return ec2types.InstanceStatus{
		InstanceId: aws.String(i.ID), AvailabilityZone: aws.String(i.Zone),
		InstanceState: instanceState(state), InstanceStatus: check(), SystemStatus: check(),
	}
}

// errNoInstanceID refuses an instance action that names no instance.
var errNoInstanceID = apiErr("MissingParameter", "The request must contain the parameter InstanceId")

// changeStates runs Start/Stop/TerminateInstances once every instance was
// authorized (all or nothing, as EC2): check every instance, then apply.
func (s *Server) changeStates(c *call, ids []string, dryRun *bool, apply func(i *instance, state string) (string, error)) ([]ec2types.InstanceStateChange, error) {
	if len(ids) == 0 {
		return nil, errNoInstanceID
	}
	out, err := ec2Change[[]*instance, []ec2types.InstanceStateChange]{
		find: func(now time.Time) ([]*instance, error) {
			insts, err := s.instancesNamed(c.region, ids)
			if err != nil {
				return nil, err
			}
			// Check every instance before changing any.
			for _, i := range insts {
				if _, err := apply(nil, i.stateAt(now, s.opts.InstanceTransition)); err != nil {
					return nil, &APIError{Code: asAPIError(err).Code, Message: strings.ReplaceAll(asAPIError(err).Message, "%ID%", i.ID)}
				}
			}
			return insts, nil
		},
		apply: func(insts []*instance, now time.Time) (*[]ec2types.InstanceStateChange, error) {
			list := make([]ec2types.InstanceStateChange, 0, len(insts))
			for _, i := range insts {
				prev := i.stateAt(now, s.opts.InstanceTransition)
				next, _ := apply(i, prev)
				list = append(list, ec2types.InstanceStateChange{InstanceId: aws.String(i.ID), PreviousState: instanceState(prev), CurrentState: instanceState(next)})
			}
			return &list, nil
		},
	}.run(s, dryRun)
	if err != nil {
		return nil, err
	}
	return *out, nil
}

func incorrectState(verb string) error {
	return apiErr("IncorrectInstanceState", "The instance '%%ID%%' is not in a state from which it can be %s.", verb)
}

func (s *Server) ec2StartInstances(_ context.Context, c *call, in *ec2.StartInstancesInput) (*ec2.StartInstancesOutput, error) {
	list, err := s.changeStates(c, in.InstanceIds, in.DryRun, func(i *instance, state string) (string, error) {
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
	if err != nil {
		return nil, err
	}
	return &ec2.StartInstancesOutput{StartingInstances: list}, nil
}

func (s *Server) ec2StopInstances(_ context.Context, c *call, in *ec2.StopInstancesInput) (*ec2.StopInstancesOutput, error) {
	if aws.ToBool(in.Hibernate) {
		return nil, apiErr("UnsupportedHibernationConfiguration", "hibernation is not simulated by the local endpoint")
	}
	list, err := s.changeStates(c, in.InstanceIds, in.DryRun, func(i *instance, state string) (string, error) {
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
	if err != nil {
		return nil, err
	}
	return &ec2.StopInstancesOutput{StoppingInstances: list}, nil
}

func (s *Server) ec2TerminateInstances(_ context.Context, c *call, in *ec2.TerminateInstancesInput) (*ec2.TerminateInstancesOutput, error) {
	list, err := s.changeStates(c, in.InstanceIds, in.DryRun, func(i *instance, state string) (string, error) {
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
	if err != nil {
		return nil, err
	}
	return &ec2.TerminateInstancesOutput{TerminatingInstances: list}, nil
}

func (s *Server) ec2CreateTags(_ context.Context, c *call, in *ec2.CreateTagsInput) (*ec2Return, error) {
	if len(in.Resources) == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter resourceIdSet")
	}
	if len(in.Tags) == 0 {
		return nil, apiErr("MissingParameter", "The request must contain the parameter tagSet")
	}
	tags, err := ec2TagsIn(in.Tags)
	if err != nil {
		return nil, err
	}
	return ec2Change[[]ec2Resource, ec2Return]{
		find: func(time.Time) ([]ec2Resource, error) {
			return namedEach(s.ec2ResourceNamed)(c.region, in.Resources)
		},
		apply: func(res []ec2Resource, _ time.Time) (*ec2Return, error) {
			for _, r := range res {
				if len(mergeTags(append([]tag(nil), *r.tags...), tags)) > 50 {
					return nil, apiErr("TagLimitExceeded", "The maximum number of tags for resource '%s' has been reached", r.id)
				}
			}
			for _, r := range res {
				*r.tags = mergeTags(*r.tags, tags)
			}
			return returnedTrue(), nil
		},
	}.run(s, in.DryRun)
}

// tagTargets authorizes CreateTags and DeleteTags on each resource, with
// its tags and the request's.
func tagTargets(s *Server, c *call, resources []string, tags []ec2types.Tag) []authTarget {
	return s.resourceTargets(c, resources, requestTags(tags))
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
