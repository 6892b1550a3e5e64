package ssmlocal

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The inline and attached policy operations of users, roles and groups: a
// thin handler each on the SDK's input type, holderKind doing the work for
// all three kinds alike.

// done is an operation's empty output, or err.
func done[Out any](err error) (*Out, error) {
	if err != nil {
		return nil, err
	}
	return new(Out), nil
}

func (s *Server) iamPutUserPolicy(_ context.Context, c *call, in *iam.PutUserPolicyInput) (*iam.PutUserPolicyOutput, error) {
	return done[iam.PutUserPolicyOutput](userPolicies().putPolicy(s, c, aws.ToString(in.UserName), aws.ToString(in.PolicyName), aws.ToString(in.PolicyDocument)))
}

func (s *Server) iamPutRolePolicy(_ context.Context, c *call, in *iam.PutRolePolicyInput) (*iam.PutRolePolicyOutput, error) {
	return done[iam.PutRolePolicyOutput](rolePolicies().putPolicy(s, c, aws.ToString(in.RoleName), aws.ToString(in.PolicyName), aws.ToString(in.PolicyDocument)))
}

func (s *Server) iamPutGroupPolicy(_ context.Context, c *call, in *iam.PutGroupPolicyInput) (*iam.PutGroupPolicyOutput, error) {
	return done[iam.PutGroupPolicyOutput](groupPolicies().putPolicy(s, c, aws.ToString(in.GroupName), aws.ToString(in.PolicyName), aws.ToString(in.PolicyDocument)))
}

func (s *Server) iamGetUserPolicy(_ context.Context, c *call, in *iam.GetUserPolicyInput) (*iam.GetUserPolicyOutput, error) {
	name := aws.ToString(in.PolicyName)
	user, doc, err := userPolicies().getPolicy(s, c, aws.ToString(in.UserName), name)
	if err != nil {
		return nil, err
	}
	return &iam.GetUserPolicyOutput{UserName: &user, PolicyName: &name, PolicyDocument: aws.String(encodePolicy(doc))}, nil
}

func (s *Server) iamGetRolePolicy(_ context.Context, c *call, in *iam.GetRolePolicyInput) (*iam.GetRolePolicyOutput, error) {
	name := aws.ToString(in.PolicyName)
	role, doc, err := rolePolicies().getPolicy(s, c, aws.ToString(in.RoleName), name)
	if err != nil {
		return nil, err
	}
	return &iam.GetRolePolicyOutput{RoleName: &role, PolicyName: &name, PolicyDocument: aws.String(encodePolicy(doc))}, nil
}

func (s *Server) iamDeleteUserPolicy(_ context.Context, c *call, in *iam.DeleteUserPolicyInput) (*iam.DeleteUserPolicyOutput, error) {
	return done[iam.DeleteUserPolicyOutput](userPolicies().deletePolicy(s, c, aws.ToString(in.UserName), aws.ToString(in.PolicyName)))
}

func (s *Server) iamDeleteRolePolicy(_ context.Context, c *call, in *iam.DeleteRolePolicyInput) (*iam.DeleteRolePolicyOutput, error) {
	return done[iam.DeleteRolePolicyOutput](rolePolicies().deletePolicy(s, c, aws.ToString(in.RoleName), aws.ToString(in.PolicyName)))
}

func (s *Server) iamDeleteGroupPolicy(_ context.Context, c *call, in *iam.DeleteGroupPolicyInput) (*iam.DeleteGroupPolicyOutput, error) {
	return done[iam.DeleteGroupPolicyOutput](groupPolicies().deletePolicy(s, c, aws.ToString(in.GroupName), aws.ToString(in.PolicyName)))
}

func (s *Server) iamListUserPolicies(_ context.Context, c *call, in *iam.ListUserPoliciesInput) (*iam.ListUserPoliciesOutput, error) {
	names, err := userPolicies().listPolicies(s, c, aws.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	return &iam.ListUserPoliciesOutput{PolicyNames: names}, nil
}

func (s *Server) iamListRolePolicies(_ context.Context, c *call, in *iam.ListRolePoliciesInput) (*iam.ListRolePoliciesOutput, error) {
	names, err := rolePolicies().listPolicies(s, c, aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	return &iam.ListRolePoliciesOutput{PolicyNames: names}, nil
}

func (s *Server) iamListGroupPolicies(_ context.Context, c *call, in *iam.ListGroupPoliciesInput) (*iam.ListGroupPoliciesOutput, error) {
	names, err := groupPolicies().listPolicies(s, c, aws.ToString(in.GroupName))
	if err != nil {
		return nil, err
	}
	return &iam.ListGroupPoliciesOutput{PolicyNames: names}, nil
}

func (s *Server) iamAttachUserPolicy(_ context.Context, c *call, in *iam.AttachUserPolicyInput) (*iam.AttachUserPolicyOutput, error) {
	return done[iam.AttachUserPolicyOutput](userPolicies().attachPolicy(s, c, aws.ToString(in.UserName), aws.ToString(in.PolicyArn)))
}

func (s *Server) iamAttachRolePolicy(_ context.Context, c *call, in *iam.AttachRolePolicyInput) (*iam.AttachRolePolicyOutput, error) {
	return done[iam.AttachRolePolicyOutput](rolePolicies().attachPolicy(s, c, aws.ToString(in.RoleName), aws.ToString(in.PolicyArn)))
}

func (s *Server) iamAttachGroupPolicy(_ context.Context, c *call, in *iam.AttachGroupPolicyInput) (*iam.AttachGroupPolicyOutput, error) {
	return done[iam.AttachGroupPolicyOutput](groupPolicies().attachPolicy(s, c, aws.ToString(in.GroupName), aws.ToString(in.PolicyArn)))
}

func (s *Server) iamDetachUserPolicy(_ context.Context, c *call, in *iam.DetachUserPolicyInput) (*iam.DetachUserPolicyOutput, error) {
	return done[iam.DetachUserPolicyOutput](userPolicies().detachPolicy(s, c, aws.ToString(in.UserName), aws.ToString(in.PolicyArn)))
}

func (s *Server) iamDetachRolePolicy(_ context.Context, c *call, in *iam.DetachRolePolicyInput) (*iam.DetachRolePolicyOutput, error) {
	return done[iam.DetachRolePolicyOutput](rolePolicies().detachPolicy(s, c, aws.ToString(in.RoleName), aws.ToString(in.PolicyArn)))
}

func (s *Server) iamDetachGroupPolicy(_ context.Context, c *call, in *iam.DetachGroupPolicyInput) (*iam.DetachGroupPolicyOutput, error) {
	return done[iam.DetachGroupPolicyOutput](groupPolicies().detachPolicy(s, c, aws.ToString(in.GroupName), aws.ToString(in.PolicyArn)))
}

func (s *Server) iamListAttachedUserPolicies(_ context.Context, c *call, in *iam.ListAttachedUserPoliciesInput) (*iam.ListAttachedUserPoliciesOutput, error) {
	list, err := userPolicies().listAttachedPolicies(s, c, aws.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	return &iam.ListAttachedUserPoliciesOutput{AttachedPolicies: list}, nil
}

func (s *Server) iamListAttachedRolePolicies(_ context.Context, c *call, in *iam.ListAttachedRolePoliciesInput) (*iam.ListAttachedRolePoliciesOutput, error) {
	list, err := rolePolicies().listAttachedPolicies(s, c, aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	return &iam.ListAttachedRolePoliciesOutput{AttachedPolicies: list}, nil
}

func (s *Server) iamListAttachedGroupPolicies(_ context.Context, c *call, in *iam.ListAttachedGroupPoliciesInput) (*iam.ListAttachedGroupPoliciesOutput, error) {
	list, err := groupPolicies().listAttachedPolicies(s, c, aws.ToString(in.GroupName))
	if err != nil {
		return nil, err
	}
	return &iam.ListAttachedGroupPoliciesOutput{AttachedPolicies: list}, nil
}
