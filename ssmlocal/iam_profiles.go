package ssmlocal

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// IAM instance profiles: containers of at most one role that EC2 instances
// launch with (RunInstances' IamInstanceProfile). A role in a profile
// cannot be deleted, nor a profile that holds a role (DeleteConflict).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html

// instanceProfile is an IAM instance profile.
type instanceProfile struct {
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	ARN     string    `json:"arn"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	// Role is the name of the profile's role; empty when it has none.
	Role string `json:"role,omitempty"`
	Tags []tag  `json:"tags,omitempty"`
}

func iamProfileOps() []opDef {
	return []opDef{
		{"iam", "CreateInstanceProfile", false, typed((*Server).iamCreateInstanceProfile), authOnRef("iam:CreateInstanceProfile", newEntityTarget("instance-profile", "InstanceProfileName"))},
		{"iam", "DeleteInstanceProfile", false, typed((*Server).iamDeleteInstanceProfile), authOnRef("iam:DeleteInstanceProfile", profileTarget)},
		{"iam", "GetInstanceProfile", false, typed((*Server).iamGetInstanceProfile), authOnRef("iam:GetInstanceProfile", profileTarget)},
		{"iam", "ListInstanceProfiles", false, typed((*Server).iamListInstanceProfiles), authAny("iam:ListInstanceProfiles")},
		{"iam", "ListInstanceProfilesForRole", false, typed((*Server).iamListInstanceProfilesForRole), authOnInput("iam:ListInstanceProfilesForRole", roleTarget)},
		{"iam", "AddRoleToInstanceProfile", false, typed((*Server).iamAddRoleToInstanceProfile), authOnRef("iam:AddRoleToInstanceProfile", profileTarget)},
		{"iam", "RemoveRoleFromInstanceProfile", false, typed((*Server).iamRemoveRoleFromInstanceProfile), authOnRef("iam:RemoveRoleFromInstanceProfile", profileTarget)},
	}
}

// profileRef is the member naming the instance profile of a call.
type profileRef struct{ InstanceProfileName *string }

// profileTarget is the profile the call names, by its ARN (with its path)
// when it exists.
func profileTarget(s *Server, _ *call, in *profileRef) []authTarget {
	name := aws.ToString(in.InstanceProfileName)
	if p, ok := s.iam.InstanceProfiles[name]; ok {
		return on(p.ARN, nil)
	}
	return on(s.iamARN("instance-profile", "/", name), nil)
}

// roleTarget is the role ListInstanceProfilesForRole names.
func roleTarget(s *Server, _ *call, in *iam.ListInstanceProfilesForRoleInput) []authTarget {
	name := aws.ToString(in.RoleName)
	if r, ok := s.iam.Roles[name]; ok {
		return on(r.ARN, nil)
	}
	return on(s.iamARN("role", "/", name), nil)
}

// profileType is a profile with its role, if any; callers hold s.mu.
func (s *Server) profileType(p *instanceProfile) iamtypes.InstanceProfile {
	roles := []iamtypes.Role{}
	if r, ok := s.iam.Roles[p.Role]; ok {
		roles = append(roles, roleType(r))
	}
	return iamtypes.InstanceProfile{InstanceProfileName: aws.String(p.Name), InstanceProfileId: aws.String(p.ID), Arn: aws.String(p.ARN),
		Path: aws.String(p.Path), CreateDate: aws.Time(p.Created), Roles: roles, Tags: iamTags(p.Tags)}
}

func (s *Server) profileShape(p *instanceProfile) map[string]any { return shapeMap(s.profileType(p)) }

// profileNamed checks an InstanceProfileName member and finds its profile;
// callers hold s.mu.
func (s *Server) profileNamed(name *string) (*instanceProfile, error) {
	if err := checkName("InstanceProfileName", aws.ToString(name), 128); err != nil {
		return nil, err
	}
	p, ok := s.iam.InstanceProfiles[*name]
	if !ok {
		return nil, notFound("NoSuchEntity", "Instance Profile %s cannot be found.", *name)
	}
	return p, nil
}

func (s *Server) iamCreateInstanceProfile(_ context.Context, _ *call, in *iam.CreateInstanceProfileInput) (*iam.CreateInstanceProfileOutput, error) {
	name := aws.ToString(in.InstanceProfileName)
	if err := checkName("InstanceProfileName", name, 128); err != nil {
		return nil, err
	}
	path, err := iamPath(aws.ToString(in.Path))
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.iam.InstanceProfiles[name]; ok {
		return nil, conflict("Instance Profile %s already exists.", name)
	}
	p := &instanceProfile{Name: name, ID: newID("AIPA", 17), ARN: s.iamARN("instance-profile", path, name), Path: path,
		Created: s.clock.Now().UTC(), Tags: tags}
	s.iam.InstanceProfiles[name] = p
	s.changed()
	out := s.profileType(p)
	return &iam.CreateInstanceProfileOutput{InstanceProfile: &out}, nil
}

func (s *Server) iamDeleteInstanceProfile(_ context.Context, _ *call, in *iam.DeleteInstanceProfileInput) (*iam.DeleteInstanceProfileOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.profileNamed(in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	if p.Role != "" {
		return nil, deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
	}
	delete(s.iam.InstanceProfiles, p.Name)
	s.changed()
	return &iam.DeleteInstanceProfileOutput{}, nil
}

func (s *Server) iamGetInstanceProfile(_ context.Context, _ *call, in *iam.GetInstanceProfileInput) (*iam.GetInstanceProfileOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.profileNamed(in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	out := s.profileType(p)
	return &iam.GetInstanceProfileOutput{InstanceProfile: &out}, nil
}

func (s *Server) iamListInstanceProfiles(_ context.Context, _ *call, in *iam.ListInstanceProfilesInput) (*iam.ListInstanceProfilesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	profiles, end, err := listByPath(s.iam.InstanceProfiles, in.PathPrefix, in.Marker, in.MaxItems, s.profileType)
	if err != nil {
		return nil, err
	}
	return &iam.ListInstanceProfilesOutput{InstanceProfiles: profiles, IsTruncated: end.truncated, Marker: end.marker}, nil
}

func (s *Server) iamListInstanceProfilesForRole(_ context.Context, _ *call, in *iam.ListInstanceProfilesForRoleInput) (*iam.ListInstanceProfilesForRoleOutput, error) {
	name := aws.ToString(in.RoleName)
	pg, err := pageRequest(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.roleNamed(name); err != nil {
		return nil, err
	}
	all := slices.DeleteFunc(slices.Collect(maps.Values(s.iam.InstanceProfiles)), func(p *instanceProfile) bool { return p.Role != name })
	profiles, end := shapePage(all, (*instanceProfile).entityName, pg, s.profileType)
	return &iam.ListInstanceProfilesForRoleOutput{InstanceProfiles: profiles, IsTruncated: end.truncated, Marker: end.marker}, nil
}

// iamAddRoleToInstanceProfile puts a role in a profile. As IAM, it needs
// iam:PassRole on the role too, and a profile holds one role at most.
func (s *Server) iamAddRoleToInstanceProfile(_ context.Context, c *call, in *iam.AddRoleToInstanceProfileInput) (*iam.AddRoleToInstanceProfileOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.profileNamed(in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	r, err := s.roleNamed(aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	if err := c.authorize("iam:PassRole", r.ARN, map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}); err != nil {
		return nil, err
	}
	if p.Role != "" {
		e := apiErr("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		e.Status = http.StatusConflict
		return nil, e
	}
	p.Role = r.Name
	s.changed()
	return &iam.AddRoleToInstanceProfileOutput{}, nil
}

func (s *Server) iamRemoveRoleFromInstanceProfile(_ context.Context, _ *call, in *iam.RemoveRoleFromInstanceProfileInput) (*iam.RemoveRoleFromInstanceProfileOutput, error) {
	roleName := aws.ToString(in.RoleName)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.profileNamed(in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	if _, err := s.roleNamed(roleName); err != nil {
		return nil, err
	}
	if p.Role != roleName {
		return nil, notFound("NoSuchEntity", "The role with name %s cannot be found in instance profile %s.", roleName, p.Name)
	}
	p.Role = ""
	s.changed()
	return &iam.RemoveRoleFromInstanceProfileOutput{}, nil
}

// roleInProfile refuses to delete a role still in an instance profile.
func (s *Server) roleInProfile(name string) error {
	for _, p := range s.iam.InstanceProfiles {
		if p.Role == name {
			return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
	}
	return nil
}

// launchProfile resolves RunInstances' IamInstanceProfile (by Arn or Name)
// to a profile, as EC2 does. The caller holds s.mu.
func (s *Server) launchProfile(arn, name string) (*instanceProfile, error) {
	if arn != "" {
		for _, p := range s.iam.InstanceProfiles {
			if p.ARN == arn {
				return p, nil
			}
		}
		return nil, apiErr("InvalidParameterValue", "Value (%s) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN", arn)
	}
	if p, ok := s.iam.InstanceProfiles[name]; ok && name != "" {
		return p, nil
	}
	return nil, apiErr("InvalidParameterValue", "Value (%s) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name", name)
}
