package walk

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

// Provision applies plan as the administrator and prints each change it
// made, also those made before an error.
func (e *Env) Provision(ctx context.Context, plan *delegate.Plan, optFns ...func(*delegate.ProvisionOptions)) error {
	changes, err := delegate.Provision(ctx, e.IAM(), e.SSM(), plan, optFns...)
	for _, c := range changes {
		e.Printf("  %s", c)
	}
	return err
}

// PutUserPolicy puts p inline on user as the administrator.
func (e *Env) PutUserPolicy(ctx context.Context, user, name string, p *policy.Policy) error {
	doc, err := p.JSON()
	if err != nil {
		return err
	}
	if _, err := e.IAM().PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String(user), PolicyName: aws.String(name), PolicyDocument: aws.String(string(doc)),
	}); err != nil {
		return fmt.Errorf("put policy %s on %s: %w", name, user, err)
	}
	return nil
}
