package ssmlocal

import (
	"fmt"
	"strconv"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// The AWS-owned runbooks the endpoint ships, equivalent to the public ones
// of the same names.
const (
	RestartEC2Instance = "AWS-RestartEC2Instance"
	StopEC2Instance    = "AWS-StopEC2Instance"
	StartEC2Instance   = "AWS-StartEC2Instance"
)

func assumeRoleParameter() runbook.ParameterBuilder {
	return runbook.StringParameter("AutomationAssumeRole").
		Description("(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.").
		Default(runbook.String(""))
}

func changeState(name, state string) runbook.StepBuilder {
	return runbook.NewStep(name, runbook.ChangeInstanceState{
		InstanceIds:  runbook.Param("InstanceId"),
		DesiredState: runbook.String(state),
	})
}

// awsRunbooks builds the AWS-owned runbooks.
func awsRunbooks() (map[string]*runbook.Document, error) {
	restart := runbook.New().
		Description("Restart EC2 instances(s)").
		AssumeRole("{{ AutomationAssumeRole }}").
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance(s) to restart")).
		Parameter(assumeRoleParameter()).
		Step(changeState("stopInstances", "stopped")).
		Step(changeState("startInstances", "running"))
	stop := runbook.New().
		Description("Stop EC2 instances(s)").
		AssumeRole("{{ AutomationAssumeRole }}").
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance(s) to stop")).
		Parameter(assumeRoleParameter()).
		Step(changeState("stopInstances", "stopped").OnFailure(runbook.Continue)).
		Step(runbook.NewStep("forceStopInstances", runbook.ChangeInstanceState{
			InstanceIds:    runbook.Param("InstanceId"),
			CheckStateOnly: runbook.Bool(false),
			DesiredState:   runbook.String("stopped"),
			Force:          runbook.Bool(true),
		}))
	start := runbook.New().
		Description("Start EC2 instances(s)").
		AssumeRole("{{ AutomationAssumeRole }}").
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance(s) to start")).
		Parameter(assumeRoleParameter()).
		Step(changeState("startInstances", "running"))
	out := map[string]*runbook.Document{}
	for name, b := range map[string]runbook.Builder{RestartEC2Instance: restart, StopEC2Instance: stop, StartEC2Instance: start} {
		doc, err := b.Build()
		if err != nil {
			return nil, fmt.Errorf("ssmlocal: build %s: %w", name, err)
		}
		out[name] = doc
	}
	return out, nil
}

// bootstrap makes sure the account has what every endpoint starts with: the
// AdministratorAccess managed policy, the AWS managed policies Automation's
// setup attaches (awsManagedPolicies), the "admin" user with
// AdministratorAccess attached and
// its access key, and the AWS-owned runbooks in every Region. It is
// idempotent, so it also runs after a state file is loaded.
func (s *Server) bootstrap() error {
	docs, err := awsRunbooks()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().UTC()
	adminPolicy := s.arnOf("iam", "", "aws", "policy/AdministratorAccess")
	if _, ok := s.iam.Policies[adminPolicy]; !ok {
		s.iam.Policies[adminPolicy] = &managedPolicy{
			Name: "AdministratorAccess", ID: "ANPAIWMBCKSKIEE64ZLYK", ARN: adminPolicy, Path: "/",
			Description: "Provides full access to AWS services and resources.", Created: now, Updated: now,
			DefaultVersion: "v1", NextVersion: 2,
			Versions: []policyVersion{{ID: "v1", Created: now, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}},
		}
	}
	for _, m := range awsManagedPolicies() {
		arn := s.arnOf("iam", "", "aws", "policy"+m.path+m.name)
		if _, ok := s.iam.Policies[arn]; ok {
			continue
		}
		s.iam.Policies[arn] = &managedPolicy{
			Name: m.name, ID: newID("ANPA", 17), ARN: arn, Path: m.path, Description: m.description, Created: now, Updated: now,
			DefaultVersion: "v" + strconv.Itoa(m.version), NextVersion: m.version + 1,
			Versions: []policyVersion{{ID: "v" + strconv.Itoa(m.version), Created: now, Document: m.document}},
		}
	}
	admin, ok := s.iam.Users["admin"]
	if !ok {
		admin = &iamUser{Name: "admin", ID: newID("AIDA", 17), ARN: s.AdminARN(), Path: "/", Created: now, Inline: map[string]string{}}
		s.iam.Users["admin"] = admin
	}
	if !containsString(admin.Attached, adminPolicy) {
		admin.Attached = append(admin.Attached, adminPolicy)
		s.iam.Policies[adminPolicy].Attachments++
	}
	var key *accessKey
	for _, k := range s.iam.AccessKeys {
		if k.UserName == "admin" && (s.opts.AdminAccessKeyID == "" || k.ID == s.opts.AdminAccessKeyID) {
			if key == nil || k.Created.Before(key.Created) || (k.Created.Equal(key.Created) && k.ID < key.ID) {
				key = k
			}
		}
	}
	if key == nil {
		key = &accessKey{ID: s.opts.AdminAccessKeyID, Secret: s.opts.AdminSecretAccessKey, UserName: "admin", Status: "Active", Created: now}
		if key.ID == "" {
			key.ID = newID("AKIA", 16)
		}
		if key.Secret == "" {
			key.Secret = newSecret()
		}
		s.iam.AccessKeys[key.ID] = key
	}
	if s.opts.AdminSecretAccessKey != "" {
		key.Secret = s.opts.AdminSecretAccessKey
	}
	s.admin = Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	for _, r := range s.regions {
		for name, doc := range docs {
			content, err := doc.JSON()
			if err != nil {
				return fmt.Errorf("ssmlocal: encode %s: %w", name, err)
			}
			v := &docVersion{Version: 1, Content: string(content), Format: "JSON", Hash: hashContent(string(content)), Created: now}
			r.Documents[name] = &ssmDocument{Name: name, Owner: "Amazon", Type: "Automation", Created: now, Default: 1, Latest: 1, Versions: []*docVersion{v}}
		}
	}
	return nil
}

// awsManagedPolicy is an AWS managed policy the endpoint ships.
type awsManagedPolicy struct {
	path, name, description, document string
	version                           int
}

// awsManagedPolicies are the AWS managed policies that Automation's setup
// guide attaches, with their published documents, so a service role or an
// approver can be set up as in AWS
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html).
// The version is AWS's; the endpoint stores only that one.
func awsManagedPolicies() []awsManagedPolicy {
	return []awsManagedPolicy{
		{
			path: "/service-role/", name: "AmazonSSMAutomationRole", version: 9,
			description: "Provides permissions for EC2 Automation service to execute activities defined within Automation documents",
			document: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["arn:aws:lambda:*:*:function:Automation*"]},` +
				`{"Effect":"Allow","Action":["ec2:CreateImage","ec2:CopyImage","ec2:DeregisterImage","ec2:DescribeImages","ec2:DeleteSnapshot","ec2:StartInstances","ec2:RunInstances","ec2:StopInstances","ec2:TerminateInstances","ec2:DescribeInstanceStatus","ec2:CreateTags","ec2:DeleteTags","ec2:DescribeTags","cloudformation:CreateStack","cloudformation:DescribeStackEvents","cloudformation:DescribeStacks","cloudformation:UpdateStack","cloudformation:DeleteStack","cloudformation:TagResource","cloudformation:UntagResource"],"Resource":["*"]},` +
				`{"Effect":"Allow","Action":["ssm:*"],"Resource":["*"]},` +
				`{"Effect":"Allow","Action":["sns:Publish"],"Resource":["arn:aws:sns:*:*:Automation*"]},` +
				`{"Effect":"Allow","Action":["ssmmessages:OpenDataChannel"],"Resource":["arn:*:ssm:*:*:session/*"]}]}`,
		},
		{
			path: "/", name: "AmazonSSMAutomationApproverAccess", version: 1,
			description: "Provides access to view automation executions and send approval decisions to automation waiting for approval",
			document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:DescribeAutomationExecutions","ssm:GetAutomationExecution","ssm:SendAutomationSignal"],"Resource":["*"]}]}`,
		},
		{
			path: "/", name: "AmazonSSMReadOnlyAccess", version: 1,
			description: "Provides read only access to Amazon SSM.",
			document:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:Describe*","ssm:Get*","ssm:List*"],"Resource":"*"}]}`,
		},
	}
}
