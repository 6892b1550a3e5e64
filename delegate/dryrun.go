package delegate

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// nextVersion stands for the version a dry run would have created.
const nextVersion = "next"

// The dry-run clients read through to the real ones and accept every
// write without sending it, so a dry run reports exactly the changes a
// real run would make.
type dryRoles struct{ RoleAPIClient }

func (dryRoles) CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	return &iam.CreateRoleOutput{}, nil
}

func (dryRoles) UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	return &iam.UpdateAssumeRolePolicyOutput{}, nil
}

func (dryRoles) PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	return &iam.PutRolePolicyOutput{}, nil
}

type dryOperator struct{ OperatorAPIClient }

func (dryOperator) CreatePolicy(context.Context, *iam.CreatePolicyInput, ...func(*iam.Options)) (*iam.CreatePolicyOutput, error) {
	return &iam.CreatePolicyOutput{}, nil
}

func (dryOperator) CreatePolicyVersion(context.Context, *iam.CreatePolicyVersionInput, ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error) {
	return &iam.CreatePolicyVersionOutput{PolicyVersion: &iamtypes.PolicyVersion{VersionId: aws.String(nextVersion)}}, nil
}

func (dryOperator) DeletePolicyVersion(context.Context, *iam.DeletePolicyVersionInput, ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error) {
	return &iam.DeletePolicyVersionOutput{}, nil
}

func (dryOperator) AttachUserPolicy(context.Context, *iam.AttachUserPolicyInput, ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error) {
	return &iam.AttachUserPolicyOutput{}, nil
}

func (dryOperator) AttachGroupPolicy(context.Context, *iam.AttachGroupPolicyInput, ...func(*iam.Options)) (*iam.AttachGroupPolicyOutput, error) {
	return &iam.AttachGroupPolicyOutput{}, nil
}

type dryDocuments struct{ DocumentAPIClient }

func (dryDocuments) CreateDocument(context.Context, *ssm.CreateDocumentInput, ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error) {
	return &ssm.CreateDocumentOutput{}, nil
}

// UpdateDocument refuses, as SSM does, content that a version already
// holds, reading the versions through the real client.
func (d dryDocuments) UpdateDocument(ctx context.Context, in *ssm.UpdateDocumentInput, optFns ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error) {
	latest, err := d.GetDocument(ctx, &ssm.GetDocumentInput{Name: in.Name, DocumentVersion: aws.String("$LATEST")}, optFns...)
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(aws.ToString(latest.DocumentVersion))
	for v := n; v >= 1; v-- {
		got, err := d.GetDocument(ctx, &ssm.GetDocumentInput{Name: in.Name, DocumentVersion: aws.String(strconv.Itoa(v))}, optFns...)
		if err != nil {
			return nil, err
		}
		if aws.ToString(got.Content) == aws.ToString(in.Content) {
			return nil, &ssmtypes.DuplicateDocumentContent{Message: aws.String("The content of the document matches version " + strconv.Itoa(v) + ".")}
		}
	}
	return &ssm.UpdateDocumentOutput{DocumentDescription: &ssmtypes.DocumentDescription{Name: in.Name, DocumentVersion: aws.String(nextVersion)}}, nil
}

func (dryDocuments) UpdateDocumentDefaultVersion(context.Context, *ssm.UpdateDocumentDefaultVersionInput, ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error) {
	return &ssm.UpdateDocumentDefaultVersionOutput{}, nil
}
