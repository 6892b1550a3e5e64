package delegate

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// GetRoleAPIClient is the IAM GetRole operation, as *iam.Client has it.
type GetRoleAPIClient interface {
	GetRole(ctx context.Context, params *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
}

// CreateRoleAPIClient is the IAM CreateRole operation, as *iam.Client has it.
type CreateRoleAPIClient interface {
	CreateRole(ctx context.Context, params *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
}

// UpdateAssumeRolePolicyAPIClient is the IAM UpdateAssumeRolePolicy operation, as *iam.Client has it.
type UpdateAssumeRolePolicyAPIClient interface {
	UpdateAssumeRolePolicy(ctx context.Context, params *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
}

// GetRolePolicyAPIClient is the IAM GetRolePolicy operation, as *iam.Client has it.
type GetRolePolicyAPIClient interface {
	GetRolePolicy(ctx context.Context, params *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
}

// PutRolePolicyAPIClient is the IAM PutRolePolicy operation, as *iam.Client has it.
type PutRolePolicyAPIClient interface {
	PutRolePolicy(ctx context.Context, params *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
}

// GetPolicyAPIClient is the IAM GetPolicy operation, as *iam.Client has it.
type GetPolicyAPIClient interface {
	GetPolicy(ctx context.Context, params *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
}

// GetPolicyVersionAPIClient is the IAM GetPolicyVersion operation, as *iam.Client has it.
type GetPolicyVersionAPIClient interface {
	GetPolicyVersion(ctx context.Context, params *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

// CreatePolicyAPIClient is the IAM CreatePolicy operation, as *iam.Client has it.
type CreatePolicyAPIClient interface {
	CreatePolicy(ctx context.Context, params *iam.CreatePolicyInput, optFns ...func(*iam.Options)) (*iam.CreatePolicyOutput, error)
}

// CreatePolicyVersionAPIClient is the IAM CreatePolicyVersion operation, as *iam.Client has it.
type CreatePolicyVersionAPIClient interface {
	CreatePolicyVersion(ctx context.Context, params *iam.CreatePolicyVersionInput, optFns ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error)
}

// ListPolicyVersionsAPIClient is the IAM ListPolicyVersions operation, as *iam.Client has it.
type ListPolicyVersionsAPIClient interface {
	ListPolicyVersions(ctx context.Context, params *iam.ListPolicyVersionsInput, optFns ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error)
}

// DeletePolicyVersionAPIClient is the IAM DeletePolicyVersion operation, as *iam.Client has it.
type DeletePolicyVersionAPIClient interface {
	DeletePolicyVersion(ctx context.Context, params *iam.DeletePolicyVersionInput, optFns ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error)
}

// AttachUserPolicyAPIClient is the IAM AttachUserPolicy operation, as *iam.Client has it.
type AttachUserPolicyAPIClient interface {
	AttachUserPolicy(ctx context.Context, params *iam.AttachUserPolicyInput, optFns ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error)
}

// AttachGroupPolicyAPIClient is the IAM AttachGroupPolicy operation, as *iam.Client has it.
type AttachGroupPolicyAPIClient interface {
	AttachGroupPolicy(ctx context.Context, params *iam.AttachGroupPolicyInput, optFns ...func(*iam.Options)) (*iam.AttachGroupPolicyOutput, error)
}

// ListAttachedUserPoliciesAPIClient is the IAM ListAttachedUserPolicies operation, as *iam.Client has it.
type ListAttachedUserPoliciesAPIClient interface {
	ListAttachedUserPolicies(ctx context.Context, params *iam.ListAttachedUserPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
}

// ListAttachedGroupPoliciesAPIClient is the IAM ListAttachedGroupPolicies operation, as *iam.Client has it.
type ListAttachedGroupPoliciesAPIClient interface {
	ListAttachedGroupPolicies(ctx context.Context, params *iam.ListAttachedGroupPoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedGroupPoliciesOutput, error)
}

// GetDocumentAPIClient is the SSM GetDocument operation, as *ssm.Client has it.
type GetDocumentAPIClient interface {
	GetDocument(ctx context.Context, params *ssm.GetDocumentInput, optFns ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error)
}

// CreateDocumentAPIClient is the SSM CreateDocument operation, as *ssm.Client has it.
type CreateDocumentAPIClient interface {
	CreateDocument(ctx context.Context, params *ssm.CreateDocumentInput, optFns ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error)
}

// UpdateDocumentAPIClient is the SSM UpdateDocument operation, as *ssm.Client has it.
type UpdateDocumentAPIClient interface {
	UpdateDocument(ctx context.Context, params *ssm.UpdateDocumentInput, optFns ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error)
}

// UpdateDocumentDefaultVersionAPIClient is the SSM UpdateDocumentDefaultVersion operation, as *ssm.Client has it.
type UpdateDocumentDefaultVersionAPIClient interface {
	UpdateDocumentDefaultVersion(ctx context.Context, params *ssm.UpdateDocumentDefaultVersionInput, optFns ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error)
}

// RoleAPIClient is what provisioning the service role calls.
type RoleAPIClient interface {
	GetRoleAPIClient
	CreateRoleAPIClient
	UpdateAssumeRolePolicyAPIClient
	GetRolePolicyAPIClient
	PutRolePolicyAPIClient
}

// OperatorAPIClient is what attaching the operator policy calls.
type OperatorAPIClient interface {
	GetPolicyAPIClient
	GetPolicyVersionAPIClient
	CreatePolicyAPIClient
	CreatePolicyVersionAPIClient
	ListPolicyVersionsAPIClient
	DeletePolicyVersionAPIClient
	AttachUserPolicyAPIClient
	AttachGroupPolicyAPIClient
	ListAttachedUserPoliciesAPIClient
	ListAttachedGroupPoliciesAPIClient
}

// DocumentAPIClient is what provisioning the document calls.
type DocumentAPIClient interface {
	GetDocumentAPIClient
	CreateDocumentAPIClient
	UpdateDocumentAPIClient
	UpdateDocumentDefaultVersionAPIClient
}

var (
	_ GetRoleAPIClient                      = (*iam.Client)(nil)
	_ CreateRoleAPIClient                   = (*iam.Client)(nil)
	_ UpdateAssumeRolePolicyAPIClient       = (*iam.Client)(nil)
	_ GetRolePolicyAPIClient                = (*iam.Client)(nil)
	_ PutRolePolicyAPIClient                = (*iam.Client)(nil)
	_ GetPolicyAPIClient                    = (*iam.Client)(nil)
	_ GetPolicyVersionAPIClient             = (*iam.Client)(nil)
	_ CreatePolicyAPIClient                 = (*iam.Client)(nil)
	_ CreatePolicyVersionAPIClient          = (*iam.Client)(nil)
	_ ListPolicyVersionsAPIClient           = (*iam.Client)(nil)
	_ DeletePolicyVersionAPIClient          = (*iam.Client)(nil)
	_ AttachUserPolicyAPIClient             = (*iam.Client)(nil)
	_ AttachGroupPolicyAPIClient            = (*iam.Client)(nil)
	_ ListAttachedUserPoliciesAPIClient     = (*iam.Client)(nil)
	_ ListAttachedGroupPoliciesAPIClient    = (*iam.Client)(nil)
	_ GetDocumentAPIClient                  = (*ssm.Client)(nil)
	_ CreateDocumentAPIClient               = (*ssm.Client)(nil)
	_ UpdateDocumentAPIClient               = (*ssm.Client)(nil)
	_ UpdateDocumentDefaultVersionAPIClient = (*ssm.Client)(nil)
	_ RoleAPIClient                         = (*iam.Client)(nil)
	_ OperatorAPIClient                     = (*iam.Client)(nil)
	_ DocumentAPIClient                     = (*ssm.Client)(nil)
)
