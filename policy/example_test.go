package policy_test

import (
	"fmt"
	"os"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func ExampleParse() {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":["ec2:*"],"Resource":"*"}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := p.Compact()
	fmt.Println(string(out))

	_, err = policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Actions":"ec2:*"}]}`))
	fmt.Println(err)
	// Output:
	// {"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":["ec2:*"],"Resource":"*"}}
	// policy: Statement[0].Actions: unknown statement element (want Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource or Condition) (line 1, column 65)
}

func ExampleEvaluate() {
	scope := policy.Scope{Region: "us-east-1", Account: "111122223333"}
	operator, _ := policy.Operator(scope, []string{"Restart-EC2InstanceDemo"})
	identity := []policy.NamedPolicy{
		{Name: "OperatorPolicy", Policy: operator},
		{Name: "DenyEC2", Policy: policy.DenyEC2()},
	}
	user := "arn:aws:iam::111122223333:user/AutomationRestrictedOperator"
	for _, req := range []policy.Request{
		{Principal: user, Action: "ssm:StartAutomationExecution", Resource: scope.DocumentARN("Restart-EC2InstanceDemo")},
		{Principal: user, Action: "ec2:StopInstances", Resource: scope.InstanceARN("i-0123456789abcdef0")},
		{Principal: user, Action: "iam:PassRole", Resource: scope.RoleARN("/", "AutomationServiceRole")},
	} {
		r := policy.Evaluate(req, identity, nil)
		fmt.Printf("%s: %s (%s[%d])\n", req.Action, r.Decision, r.Policy, r.StatementIndex)
	}
	// Output:
	// ssm:StartAutomationExecution: allowed (OperatorPolicy[0])
	// ec2:StopInstances: explicitDeny (DenyEC2[0])
	// iam:PassRole: implicitDeny ([-1])
}

func ExampleForRunbook() {
	doc := runbook.New().
		Description("Restart EC2 instances(s)").
		AssumeRole("arn:aws:iam::111122223333:role/AutomationServiceRole").
		Parameter(runbook.StringListParameter("InstanceId").Description("(Required) EC2 Instance to restart")).
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")})).
		MustBuild()
	d, err := policy.ForRunbook(doc, policy.Scope{Region: "us-east-1", Account: "111122223333"})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := d.Policy.JSON()
	os.Stdout.Write(out)
	fmt.Println(d.Actions())
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Effect": "Allow",
	//       "Action": [
	//         "ec2:DescribeInstanceStatus"
	//       ],
	//       "Resource": [
	//         "*"
	//       ]
	//     },
	//     {
	//       "Effect": "Allow",
	//       "Action": [
	//         "ec2:StartInstances",
	//         "ec2:StopInstances"
	//       ],
	//       "Resource": [
	//         "arn:aws:ec2:us-east-1:111122223333:instance/*"
	//       ]
	//     }
	//   ]
	// }
	// [ec2:DescribeInstanceStatus ec2:StartInstances ec2:StopInstances]
}

func ExampleAutomationTrust() {
	out, _ := policy.AutomationTrust(policy.Scope{Account: "111122223333"}).JSON()
	os.Stdout.Write(out)
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Effect": "Allow",
	//       "Principal": {
	//         "Service": "ssm.amazonaws.com"
	//       },
	//       "Action": "sts:AssumeRole",
	//       "Condition": {
	//         "ArnLike": {
	//           "aws:SourceArn": "arn:aws:ssm:*:111122223333:automation-execution/*"
	//         },
	//         "StringEquals": {
	//           "aws:SourceAccount": "111122223333"
	//         }
	//       }
	//     }
	//   ]
	// }
}

func ExampleLint() {
	p, _ := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"pass role","Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`))
	for _, f := range policy.Lint(p, policy.KindIdentity).Findings {
		fmt.Println(f)
	}
	// Output:
	// Statement[0].Sid: Sid "pass role" must be alphanumeric (A-Z, a-z, 0-9)
	// Statement[0].Resource: warning: iam:PassRole on "*" lets the holder hand any role to any service; name the roles
	// Statement[0]: warning: iam:PassRole without an iam:PassedToService condition lets the role be passed to any service
}

func ExampleAllowing() {
	st := policy.Allowing("iam:PassRole").
		Resources("arn:aws:iam::111122223333:role/AutomationServiceRole").
		Condition("StringEquals", "iam:PassedToService", "ssm.amazonaws.com").
		MustBuild()
	out, _ := st.MarshalJSON()
	fmt.Println(string(out))
	// Output:
	// {"Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::111122223333:role/AutomationServiceRole"],"Condition":{"StringEquals":{"iam:PassedToService":"ssm.amazonaws.com"}}}
}
