package runbook

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func restartDemo() Builder {
	return New().
		Description("Restart EC2 instances(s)").
		AssumeRole("arn:aws:iam::123456789012:role/AutomationServiceRole").
		Parameter(StringListParameter("InstanceId").Description("(Required) EC2 Instance to restart")).
		Step(NewStep("stopInstances", ChangeInstanceState{InstanceIds: Param("InstanceId"), DesiredState: String("stopped")})).
		Step(NewStep("startInstances", ChangeInstanceState{InstanceIds: Param("InstanceId"), DesiredState: String("running")}))
}

func TestBuilderProducesSeedDocument(t *testing.T) {
	doc, err := restartDemo().Build()
	require.NoError(t, err)
	got, err := doc.JSON()
	require.NoError(t, err)
	want, err := os.ReadFile("testdata/restart-ec2-demo.json")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

func TestBuilderIsCopyOnWrite(t *testing.T) {
	base := New().Description("base").Step(NewStep("a", Sleep{Duration: String("PT1S")}))
	b1 := base.Step(NewStep("b1", Sleep{Duration: String("PT2S")}))
	b2 := base.Step(NewStep("b2", Sleep{Duration: String("PT3S")}))
	require.Len(t, base.Document().MainSteps, 1)
	require.Equal(t, "b1", b1.Document().MainSteps[1].Name)
	require.Equal(t, "b2", b2.Document().MainSteps[1].Name)
}
