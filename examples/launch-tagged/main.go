// Command launch-tagged is the AWS blog walkthrough "Improving Security
// through Delegated Administration with Amazon EC2 Systems Manager
// Automation": a user with an explicit deny on ec2:* cannot launch an
// instance, yet launches a correctly tagged one by running a runbook whose
// service role may do exactly that.
//
// It runs on an in-process local endpoint by default; --endpoint URL uses a
// running `ssmdelegate local`, and --aws real AWS (it launches a real
// instance: pass --image with an AMI of your Region).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/ssmdelegate/ssmdelegate/delegate"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/ec2query"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/runbooks"
	"github.com/ssmdelegate/ssmdelegate/examples/internal/walk"
	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

const (
	documentName = runbooks.LaunchTaggedName
	userName     = "LaunchOperator"
	roleName     = "AutomationServiceRole-LaunchTagged"
	defaultImage = "ami-0abcdef1234567890"
)

func main() { walk.Main("launch-tagged", run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var image *string
	flags, err := walk.Parse("launch-tagged", args, stderr, func(fs *flag.FlagSet) {
		image = fs.String("image", defaultImage, "AMI to launch (required with --aws)")
	})
	if err != nil {
		return err
	}
	if flags.AWS && *image == defaultImage {
		return errors.New("--aws needs --image=ami-… of an AMI in your Region")
	}
	env, err := walk.Setup(ctx, flags, stdout)
	if err != nil {
		return err
	}
	defer env.Close()

	env.Section("Administrator: a user denied ec2:*")
	user, userARN, err := env.User(ctx, userName)
	if err != nil {
		return err
	}
	deny, err := policy.DenyEC2().JSON()
	if err != nil {
		return err
	}
	if _, err := env.IAM().PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String(userName), PolicyName: aws.String("DenyEC2"), PolicyDocument: aws.String(string(deny)),
	}); err != nil {
		return fmt.Errorf("put the deny policy: %w", err)
	}
	env.Printf("IAM user %s (%s) with an explicit deny on ec2:*", userName, userARN)

	env.Section("User: launch an instance directly")
	_, err = ec2query.New(user).RunInstances(ctx, *image, "t3.micro", 1)
	if err == nil {
		return errors.New("the user launched an instance directly: the walkthrough's premise does not hold")
	}
	env.Printf("ec2:RunInstances directly: %s", walk.ErrorCode(err))

	env.Section("Administrator and author: service role and runbook")
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, roleName)
	doc, err := runbooks.LaunchTagged(roleARN)
	if err != nil {
		return err
	}
	plan, err := delegate.NewPlan(delegate.NewDocument(documentName, doc), delegate.Embedded, env.Account, env.Region,
		func(o *delegate.Options) {
			o.Partition = env.Partition
			o.RoleARN = roleARN
			o.Parameters = map[string][]string{"ImageId": {*image}, "CostCenter": {"CC-1234"}}
		})
	if err != nil {
		return err
	}
	env.PrintPlan(plan)
	if err := env.Provision(ctx, plan, func(o *delegate.ProvisionOptions) {
		o.OperatorUser = userName
	}); err != nil {
		return err
	}

	env.Section("User: run " + documentName)
	opSSM := ssm.NewFromConfig(user)
	started, err := execution.StartInput(ctx, opSSM, plan.Start)
	if err != nil {
		return fmt.Errorf("start %s: %w", documentName, err)
	}
	env.Printf("started %s with CostCenter=CC-1234", documentName)
	final, err := env.Follow(ctx, opSSM, started.ExecutionID)
	if err != nil {
		return err
	}
	ex := final.AutomationExecution
	env.Printf("status %s, executed by %s", ex.AutomationExecutionStatus, aws.ToString(ex.ExecutedBy))
	launched := ex.Outputs["launch.InstanceIds"]
	if len(launched) == 0 {
		return errors.New("the execution reported no launched instance")
	}

	got, err := env.EC2().DescribeInstances(ctx, launched)
	if err != nil {
		return fmt.Errorf("describe the launched instance: %w", err)
	}
	for _, in := range got {
		var tags []string
		for k, v := range in.Tags {
			tags = append(tags, k+"="+v)
		}
		slices.Sort(tags)
		env.Printf("instance %s is %s, tagged %s", in.ID, in.State, strings.Join(tags, ", "))
	}
	env.Section("Audit: who acted")
	env.PrintAudit(started.ExecutionID)
	return nil
}
