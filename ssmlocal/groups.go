package ssmlocal

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// iamGroup is an IAM group; its policies apply to its members.
type iamGroup struct {
	Name     string            `json:"name"`
	ID       string            `json:"id"`
	ARN      string            `json:"arn"`
	Path     string            `json:"path"`
	Created  time.Time         `json:"created"`
	Inline   map[string]string `json:"inline"`
	Attached []string          `json:"attached"`
	Members  []string          `json:"members"`
}

func groupType(g *iamGroup) iamtypes.Group {
	return iamtypes.Group{Path: aws.String(g.Path), GroupName: aws.String(g.Name), GroupId: aws.String(g.ID), Arn: aws.String(g.ARN), CreateDate: aws.Time(g.Created)}
}

func groupShape(g *iamGroup) map[string]any { return shapeMap(groupType(g)) }

func iamGroupOps() []opDef {
	groups := groupPolicies()
	return []opDef{
		{"iam", "CreateGroup", false, typed((*Server).iamCreateGroup), authOnRef("iam:CreateGroup", newEntityTarget("group", "GroupName"))},
		{"iam", "GetGroup", false, typed((*Server).iamGetGroup), groups.spec("iam:GetGroup", false)},
		{"iam", "AddUserToGroup", false, typed((*Server).iamAddUserToGroup), groups.spec("iam:AddUserToGroup", false)},
		{"iam", "PutGroupPolicy", false, typed((*Server).iamPutGroupPolicy), groups.spec("iam:PutGroupPolicy", false)},
		{"iam", "AttachGroupPolicy", false, typed((*Server).iamAttachGroupPolicy), groups.spec("iam:AttachGroupPolicy", true)},
		{"iam", "DetachGroupPolicy", false, typed((*Server).iamDetachGroupPolicy), groups.spec("iam:DetachGroupPolicy", true)},
		{"iam", "ListAttachedGroupPolicies", false, typed((*Server).iamListAttachedGroupPolicies), groups.spec("iam:ListAttachedGroupPolicies", false)},
		{"iam", "DeletePolicyVersion", false, typed((*Server).iamDeletePolicyVersion), authOnRef("iam:DeletePolicyVersion", policyTarget)},
	}
}

// groupByName checks a GroupName member and finds its group; callers hold
// s.mu.
func (s *Server) groupByName(name string) (*iamGroup, error) {
	if err := checkName("GroupName", name, 128); err != nil {
		return nil, err
	}
	return s.group(name)
}

func (s *Server) group(name string) (*iamGroup, error) {
	g, ok := s.iam.Groups[name]
	if !ok {
		return nil, notFound("NoSuchEntity", "The group with name %s cannot be found.", name)
	}
	return g, nil
}

func groupPolicies() holderKind {
	return holderKind{kind: "Group", noun: "group", key: "GroupName", max: 128, order: nameLast, inlineLimit: policy.LimitGroupInline,
		find: func(s *Server, _ *call, name string) (policyHolder, error) {
			g, err := s.group(name)
			if err != nil {
				return policyHolder{}, err
			}
			return policyHolder{name: g.Name, arn: g.ARN, inline: g.Inline, attached: &g.Attached}, nil
		}}
}

func (s *Server) iamCreateGroup(_ context.Context, c *call, in *iam.CreateGroupInput) (*iam.CreateGroupOutput, error) {
	name := aws.ToString(in.GroupName)
	if err := checkName("GroupName", name, 128); err != nil {
		return nil, err
	}
	path, err := iamPath(aws.ToString(in.Path))
	if err != nil {
		return nil, err
	}
	arn := s.iamARN("group", path, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.iam.Groups[name]; ok {
		return nil, conflict("Group with name %s already exists.", name)
	}
	g := &iamGroup{Name: name, ID: newID("AGPA", 17), ARN: arn, Path: path, Created: s.clock.Now().UTC(), Inline: map[string]string{}}
	s.iam.Groups[name] = g
	s.changed()
	gt := groupType(g)
	return &iam.CreateGroupOutput{Group: &gt}, nil
}

func (s *Server) iamGetGroup(_ context.Context, _ *call, in *iam.GetGroupInput) (*iam.GetGroupOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.groupByName(aws.ToString(in.GroupName))
	if err != nil {
		return nil, err
	}
	users := make([]iamtypes.User, 0, len(g.Members))
	for _, m := range g.Members {
		if u, ok := s.iam.Users[m]; ok {
			users = append(users, userType(u))
		}
	}
	gt := groupType(g)
	return &iam.GetGroupOutput{Group: &gt, Users: users}, nil
}

func (s *Server) iamAddUserToGroup(_ context.Context, _ *call, in *iam.AddUserToGroupInput) (*iam.AddUserToGroupOutput, error) {
	user := aws.ToString(in.UserName)
	if err := checkName("UserName", user, 64); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupByName(aws.ToString(in.GroupName))
	if err != nil {
		return nil, err
	}
	if _, ok := s.iam.Users[user]; !ok {
		return nil, notFound("NoSuchEntity", "The user with name %s cannot be found.", user)
	}
	if !slices.Contains(g.Members, user) {
		g.Members = append(g.Members, user)
		s.changed()
	}
	return &iam.AddUserToGroupOutput{}, nil
}

func (s *Server) iamDeletePolicyVersion(_ context.Context, _ *call, in *iam.DeletePolicyVersionInput) (*iam.DeletePolicyVersionOutput, error) {
	arn, id := aws.ToString(in.PolicyArn), aws.ToString(in.VersionId)
	if !policyVerPattern.MatchString(id) {
		return nil, apiErr("ValidationError", "1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.policyByARN(arn)
	if err != nil {
		return nil, err
	}
	if id == p.DefaultVersion {
		return nil, &APIError{Code: "DeleteConflict", Message: "Cannot delete the default version of a policy.", Status: http.StatusConflict}
	}
	i := slices.IndexFunc(p.Versions, func(v policyVersion) bool { return v.ID == id })
	if i < 0 {
		return nil, notFound("NoSuchEntity", "Policy %s version %s does not exist.", arn, id)
	}
	p.Versions = slices.Delete(p.Versions, i, i+1)
	s.changed()
	return &iam.DeletePolicyVersionOutput{}, nil
}
