package ssmlocal_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// One endpoint serves a central account and a member account; the
// central administrator assumes a role the member account trusts it with.
func ExampleServer_Account() {
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) {
		o.AccountID = "111111111111"
		o.Accounts = []string{"222222222222"}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	member, err := srv.Account("222222222222")
	if err != nil {
		log.Fatal(err)
	}
	_, err = iam.NewFromConfig(member.AdminConfig()).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("Operator"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	out, err := sts.NewFromConfig(srv.AdminConfig()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::222222222222:role/Operator"), RoleSessionName: aws.String("central"),
	})
	if err != nil {
		log.Fatal(err)
	}
	c := out.Credentials
	session := srv.Config(ssmlocal.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken})
	id, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*id.Account, *id.Arn)
	// Output: 222222222222 arn:aws:sts::222222222222:assumed-role/Operator/central
}
