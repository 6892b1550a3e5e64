package runbook

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	require.Equal(t, string(want), string(got))
}

// everyAction builds a valid runbook that uses every action this package
// types.
func everyAction() Builder {
	return New().
		Description("Every Automation action, for golden tests.").
		AssumeRole("{{ AutomationAssumeRole }}").
		Parameter(StringParameter("AutomationAssumeRole").Description("Role the automation assumes").
			AllowedPattern(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)).
		Parameter(NewParameter("InstanceIds", TypeInstanceIDs).Description("Instances to work on").MinItems(1).MaxItems(50)).
		Parameter(StringParameter("ImageId").Default(String("{{ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}"))).
		Parameter(StringParameter("Mode").AllowedValues(String("fast"), String("safe")).Default(String("safe"))).
		Parameter(IntegerParameter("Retries").Default(Int(2))).
		Parameter(BooleanParameter("DryRun").Default(Bool(false))).
		Parameter(NewParameter("Tags", TypeMapList).Default(List(Map(Member{"Key", String("Team")}, Member{"Value", String("ops")})))).
		Parameter(NewParameter("Payload", TypeStringMap).Default(StringMap(map[string]string{"greeting": "hello <world> & co"}))).
		Variable("Attempts", TypeInteger, Int(0)).
		File("check.py", "0c6b3b7b0e5d0f7c9a0e8d3f1b2a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d").
		Step(NewStep("approve", Approve{Approvers: Strings("arn:aws:iam::123456789012:role/Approver"), MinRequiredApprovals: Int(1),
			Message: String("Restart {{ InstanceIds }}?"), NotificationArn: String("arn:aws:sns:us-east-1:123456789012:AutomationApprovals")}).
			TimeoutSeconds(3600).OnFailure(Abort)).
		Step(NewStep("checkMode", Branch{Choices: []Choice{
			AllOf(When(Param("Mode"), StringEquals, String("fast")), NotOf(When(Param("DryRun"), BooleanEquals, Bool(true)))).Then("stop"),
			AnyOf(When(Param("Retries"), NumericGreater, Int(5)), When(Param("Mode"), EqualsIgnoreCase, String("SAFE"))).Then("assertRunning"),
		}, Default: "assertRunning"})).
		Step(NewStep("assertRunning", AssertAwsResourceProperty{APICall: APICall{Service: String("ec2"), Api: String("DescribeInstanceStatus"),
			Params: []Member{{"InstanceIds", Param("InstanceIds")}, {"IncludeAllInstances", Bool(true)}}},
			PropertySelector: String("$.InstanceStatuses[0].InstanceState.Name"), DesiredValues: Strings("running")})).
		Step(NewStep("stop", ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("stopped"), Force: Param("DryRun")}).
			MaxAttempts(2).OnCancel(GoTo("describe"))).
		Step(NewStep("waitStopped", WaitForAwsResourceProperty{APICall: APICall{Service: String("ec2"), Api: String("DescribeInstances"),
			Params: []Member{{"InstanceIds", Param("InstanceIds")}}},
			PropertySelector: String("$.Reservations[0].Instances[0].State.Name"), DesiredValues: Strings("stopped")}).TimeoutSeconds(600)).
		Step(NewStep("describe", ExecuteAwsApi{APICall: APICall{Service: String("ec2"), Api: String("DescribeInstances"),
			Params: []Member{{"InstanceIds", Param("InstanceIds")}}}}).
			Output("FirstInstance", "$.Reservations[0].Instances[0].InstanceId", OutputString).
			Output("Volumes", "$.Reservations[0].Instances[0].BlockDeviceMappings", OutputMapList)).
		Step(NewStep("image", CreateImage{InstanceId: StepOutput("describe", "FirstInstance"), ImageName: String("backup-{{ global:DATE_TIME }}"), NoReboot: Bool(true)})).
		Step(NewStep("copy", CopyImage{SourceImageId: StepOutput("image", "ImageId"), SourceRegion: Global(GlobalRegion), ImageName: String("copy"), Encrypted: Bool(true)})).
		Step(NewStep("tag", CreateTags{ResourceIds: List(StepOutput("copy", "ImageId")), Tags: Param("Tags"), ResourceType: String("EC2")})).
		Step(NewStep("launch", RunInstances{ImageId: Param("ImageId"), InstanceType: String("t3.micro"), MinInstanceCount: Int(1), MaxInstanceCount: Int(1),
			TagSpecifications: List(Map(Member{"ResourceType", String("instance")}, Member{"Tags", Param("Tags")}))})).
		Step(NewStep("command", RunCommand{DocumentName: String("AWS-RunShellScript"), InstanceIds: StepOutput("launch", "InstanceIds"),
			Parameters: Map(Member{"commands", Strings("echo {{ automation:EXECUTION_ID }}")}), DocumentHashType: String("Sha256")}).TimeoutSeconds(900)).
		Step(NewStep("stack", CreateStack{StackName: String("demo-{{ global:ACCOUNT_ID }}"), TemplateURL: String("https://s3.amazonaws.com/bucket/template.yaml"),
			Capabilities: Strings("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"), OnFailure: String("DELETE")}).TimeoutSeconds(1800)).
		Step(NewStep("deleteStack", DeleteStack{StackName: StepOutput("stack", "StackId")}).TimeoutSeconds(1800)).
		Step(NewStep("deleteCopy", DeleteImage{ImageId: StepOutput("copy", "ImageId")}).TimeoutSeconds(300)).
		Step(NewStep("child", ExecuteAutomation{DocumentName: String("AWS-StopEC2Instance"),
			RuntimeParameters: Map(Member{"InstanceId", Param("InstanceIds")}, Member{"AutomationAssumeRole", Param("AutomationAssumeRole")})}).TimeoutSeconds(3600)).
		Step(NewStep("script", ExecuteScript{Runtime: String("python3.11"), Handler: String("handler"), Attachment: String("check.py"),
			InputPayload: Map(Member{"instance", StepOutput("describe", "FirstInstance")})})).
		Step(NewStep("stateMachine", ExecuteStateMachine{StateMachineArn: String("arn:aws:states:us-east-1:123456789012:stateMachine:Cleanup"),
			Input: String(`{"execution":"{{ automation:EXECUTION_ID }}"}`)}).TimeoutSeconds(600)).
		Step(NewStep("lambda", InvokeLambdaFunction{FunctionName: String("notify"), InvocationType: String("RequestResponse"), LogType: String("Tail"),
			InputPayload: Param("Payload")}).TimeoutSeconds(120)).
		Step(NewStep("webhook", InvokeWebhook{IntegrationName: String("ops-chat"), Body: String("done {{ automation:EXECUTION_ID }}")}).TimeoutSeconds(60)).
		Step(NewStep("eachInstance", Loop{Iterators: Param("InstanceIds"), MaxIterations: Int(50), Steps: []Step{
			NewStep("countAttempt", UpdateVariable{Name: String("variable:Attempts"), Value: Int(1)}).Step(),
			NewStep("nap", Sleep{Duration: String("PT30S")}).Step(),
			NewStep("startOne", ChangeInstanceState{InstanceIds: List(CurrentIteratorValue("eachInstance")), DesiredState: String("running")}).Step(),
		}})).
		Step(NewStep("hold", Pause{}).TimeoutSeconds(600)).
		Step(NewStep("until", Sleep{Timestamp: String("2030-01-01T00:00:00Z")}).TimeoutSeconds(60).IsEnd(true)).
		Output("describe", "FirstInstance").
		Output("launch", "InstanceIds")
}

func TestEveryActionGolden(t *testing.T) {
	doc, err := everyAction().Build()
	require.NoError(t, err)
	used := map[string]bool{}
	var walk func([]Step)
	walk = func(steps []Step) {
		for _, s := range steps {
			used[s.Action()] = true
			if l, ok := s.Inputs.(Loop); ok {
				walk(l.Steps)
			}
		}
	}
	walk(doc.MainSteps)
	for _, a := range Actions() {
		require.True(t, used[a], "golden runbook misses %s", a)
	}
	js, err := doc.JSON()
	require.NoError(t, err)
	golden(t, "every-action.json", js)
	y, err := doc.YAML()
	require.NoError(t, err)
	golden(t, "every-action.yaml", y)

	// Both forms parse back to the same document.
	for _, data := range [][]byte{js, y} {
		again, err := Parse(data)
		require.NoError(t, err)
		require.Equal(t, string(doc.CompactJSON()), string(again.CompactJSON()))
	}
	require.NotContains(t, string(js), `\u003c`, "no HTML escaping")
	require.True(t, strings.HasPrefix(string(y), "description:"))
	require.Contains(t, string(y), "schemaVersion: '0.3'\n")
}

// TestProblemsGolden pins the wording of problems, which lint prints.
func TestProblemsGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "invalid.yaml"))
	require.NoError(t, err)
	doc, err := Parse(data)
	require.NoError(t, err)
	var b strings.Builder
	for _, p := range doc.Validate(named("AWS-Invalid")).Problems() {
		b.WriteString(p.Code + "\t" + p.Error() + "\n")
	}
	golden(t, "invalid.problems", []byte(b.String()))
}

func TestMaxDurationGolden(t *testing.T) {
	b := everyAction().MustBuild().MaxDuration()
	golden(t, "every-action.duration", []byte(b.String()+"\n"+strings.Join(b.Reasons, "\n")+"\n"))
}
