package ssmlocal_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// The endpoint serves the real SDK clients; the administrator bootstraps
// everything else.
func ExampleNew() {
	srv, err := ssmlocal.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	id, err := sts.NewFromConfig(srv.AdminConfig()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*id.Arn)
	// Output: arn:aws:iam::123456789012:user/admin
}

// An operator without ec2:StopInstances is refused, with the message AWS
// would give.
func ExampleServer_Config() {
	srv, err := ssmlocal.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	ids, _ := srv.AddInstances(1)
	admin := iam.NewFromConfig(srv.AdminConfig())
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("operator")}); err != nil {
		log.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("operator")})
	if err != nil {
		log.Fatal(err)
	}
	operator := srv.Config(ssmlocal.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey})
	_, err = ec2.NewFromConfig(operator).StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: ids})
	fmt.Println(errCode(err))
	// Output: UnauthorizedOperation
}

// A restart runs as the service role under virtual time, and the audit
// trail shows the role, not the operator, stopping the instance.
func ExampleServer_Audit() {
	srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) })
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	ids, _ := srv.AddInstances(1)
	admin := iam.NewFromConfig(srv.AdminConfig())
	if _, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("RestartRole"), AssumeRolePolicyDocument: aws.String(trustSSM)}); err != nil {
		log.Fatal(err)
	}
	if _, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("RestartRole"), PolicyName: aws.String("restart"), PolicyDocument: aws.String(restartRolePolicy)}); err != nil {
		log.Fatal(err)
	}
	client := ssm.NewFromConfig(srv.AdminConfig())
	out, err := client.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{
		DocumentName: aws.String(ssmlocal.RestartEC2Instance),
		Parameters:   map[string][]string{"InstanceId": ids, "AutomationAssumeRole": {"arn:aws:iam::123456789012:role/RestartRole"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Virtual time runs the restart at once; the deadline bounds the wait
	// for its goroutine should it ever stick.
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		x, err := client.GetAutomationExecution(wait, &ssm.GetAutomationExecutionInput{AutomationExecutionId: out.AutomationExecutionId})
		if err != nil {
			log.Fatal(err)
		}
		if s := x.AutomationExecution.AutomationExecutionStatus; s == ssmtypes.AutomationExecutionStatusSuccess || s == ssmtypes.AutomationExecutionStatusFailed {
			fmt.Println(s)
			break
		}
		select {
		case <-wait.Done():
			log.Fatal("the restart did not finish: ", wait.Err())
		case <-tick.C:
		}
	}
	for _, e := range srv.AuditFor(*out.AutomationExecutionId) {
		if e.API == "StopInstances" || e.API == "StartInstances" {
			fmt.Println(e.Service+":"+e.API, e.Decision, "as", e.Principal[:len("arn:aws:sts::123456789012:assumed-role/RestartRole")])
		}
	}
	// Output:
	// Success
	// ec2:StopInstances Allowed as arn:aws:sts::123456789012:assumed-role/RestartRole
	// ec2:StartInstances Allowed as arn:aws:sts::123456789012:assumed-role/RestartRole
}
