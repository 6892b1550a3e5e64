package delegate

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func kinds(cs []Change) []ChangeKind {
	out := make([]ChangeKind, len(cs))
	for i, c := range cs {
		out[i] = c.Kind
	}
	return out
}

func provisionPlan(t *testing.T, mode Mode) *Plan {
	return mustPlan(t, NewDocument("Restart-EC2InstanceDemo", restartDemo().Document()), mode,
		func(o *Options) { o.RolePolicy = stopOnly() })
}

func withOperator(o *ProvisionOptions) { o.OperatorUser = "AutomationRestrictedOperator" }

func TestProvisionFirstRunThenNoOp(t *testing.T) {
	for _, mode := range []Mode{Embedded, Runtime} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			f := newFakeAWS(testAccount)
			plan := provisionPlan(t, mode)
			changes, err := Provision(ctx, f, f, plan, withOperator)
			require.NoError(t, err)
			assert.Equal(t, []ChangeKind{RoleCreated, RolePolicyPut, OperatorPolicyCreated, OperatorPolicyAttached, DocumentCreated}, kinds(changes))

			role := f.roles["Restart-EC2InstanceDemo-Automation"]
			require.NotNil(t, role)
			assert.Equal(t, plan.Role.ARN, role.arn)
			trust, err := policy.Parse([]byte(role.trust))
			require.NoError(t, err)
			assert.True(t, samePolicy(trust, plan.Role.Trust))
			assert.Contains(t, f.users["AutomationRestrictedOperator"], "arn:aws:iam::123456789012:policy/Restart-EC2InstanceDemo-Operator")
			stored, err := runbook.Parse([]byte(f.docs["Restart-EC2InstanceDemo"].versions[0]))
			require.NoError(t, err)
			assert.Equal(t, plan.Document.AssumeRole, stored.AssumeRole)

			before := len(f.writes())
			again, err := Provision(ctx, f, f, plan, withOperator)
			require.NoError(t, err)
			assert.Empty(t, again, "a second run changes nothing")
			assert.Len(t, f.writes(), before, "a second run makes no write call")
			assert.Len(t, f.docs["Restart-EC2InstanceDemo"].versions, 1, "no new document version")
		})
	}
}

func TestProvisionCallerModeOnlyDocumentAndOperator(t *testing.T) {
	f := newFakeAWS(testAccount)
	plan := provisionPlan(t, Caller)
	changes, err := Provision(context.Background(), f, f, plan, func(o *ProvisionOptions) { o.OperatorGroup = "operators" })
	require.NoError(t, err)
	assert.Equal(t, []ChangeKind{OperatorPolicyCreated, OperatorPolicyAttached, DocumentCreated}, kinds(changes))
	assert.Empty(t, f.roles)
	assert.Equal(t, "group operators", changes[1].Detail)
}

func TestProvisionExistingDocumentCreatesNone(t *testing.T) {
	f := newFakeAWS(testAccount)
	plan := mustPlan(t, ExistingDocument("AWS-RestartEC2Instance", awsRestart(t)), Runtime, func(o *Options) { o.RolePolicy = stopOnly() })
	changes, err := Provision(context.Background(), f, f, plan)
	require.NoError(t, err)
	assert.Equal(t, []ChangeKind{RoleCreated, RolePolicyPut}, kinds(changes))
	assert.Empty(t, f.docs)
	assert.NotContains(t, f.calls, "GetDocument")
}

func TestProvisionRepairsDrift(t *testing.T) {
	ctx := context.Background()
	f := newFakeAWS(testAccount)
	plan := provisionPlan(t, Embedded)
	_, err := Provision(ctx, f, f, plan, withOperator)
	require.NoError(t, err)

	// Someone widened the trust, edited the inline policy and the operator
	// policy, and pushed a new default document version.
	role := f.roles["Restart-EC2InstanceDemo-Automation"]
	role.trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role.inline[DefaultRolePolicyName] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
	op := f.policies["arn:aws:iam::123456789012:policy/Restart-EC2InstanceDemo-Operator"]
	op.versions = append(op.versions, fakePolicyVersion{id: "v2", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:*","Resource":"*"}]}`, created: f.tick()})
	op.def, op.next = "v2", 3
	doc := f.docs["Restart-EC2InstanceDemo"]
	doc.versions = append(doc.versions, `{"schemaVersion":"0.3","mainSteps":[{"name":"x","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)
	doc.def = 2

	changes, err := Provision(ctx, f, f, plan, withOperator)
	require.NoError(t, err)
	// SSM refuses to store content a version already holds: version 1
	// becomes the default again.
	assert.Equal(t, []ChangeKind{RoleTrustUpdated, RolePolicyPut, OperatorPolicyVersionCreated, DocumentDefaultVersionSet}, kinds(changes))
	assert.Equal(t, "version 1", changes[3].Detail)
	assert.Equal(t, 1, doc.def)
	assert.Len(t, doc.versions, 2, "no duplicate version")
	assert.Equal(t, "v3", op.def)

	again, err := Provision(ctx, f, f, plan, withOperator)
	require.NoError(t, err)
	assert.Empty(t, again)
}

func TestProvisionComparesSemantically(t *testing.T) {
	ctx := context.Background()
	f := newFakeAWS(testAccount)
	plan := provisionPlan(t, Embedded)
	_, err := Provision(ctx, f, f, plan)
	require.NoError(t, err)
	// Same grants, other shapes: scalar vs list, other order, other case
	// of actions and condition keys, pretty-printed.
	f.roles["Restart-EC2InstanceDemo-Automation"].trust = `{
  "Version": "2012-10-17",
  "Statement": {
    "Action": ["STS:AssumeRole"],
    "Principal": {"Service": ["ssm.amazonaws.com"]},
    "Effect": "Allow",
    "Condition": {
      "StringEquals": {"AWS:SourceAccount": ["123456789012"]},
      "ArnLike": {"aws:SourceArn": "arn:aws:ssm:*:123456789012:automation-execution/*"}
    }
  }
}`
	f.roles["Restart-EC2InstanceDemo-Automation"].inline[DefaultRolePolicyName] = `{"Statement":[{"Resource":"arn:aws:ec2:us-east-1:123456789012:instance/*","Action":["ec2:StopInstances","ec2:StartInstances"],"Effect":"Allow"}],"Version":"2012-10-17"}`
	// The document stored as YAML with the same content.
	y, err := plan.Document.YAML()
	require.NoError(t, err)
	f.docs["Restart-EC2InstanceDemo"].versions[0] = string(y)

	changes, err := Provision(ctx, f, f, plan)
	require.NoError(t, err)
	assert.Empty(t, changes)
}

func TestProvisionDefaultVersionReverted(t *testing.T) {
	ctx := context.Background()
	f := newFakeAWS(testAccount)
	plan := provisionPlan(t, Embedded)
	f.docs["Restart-EC2InstanceDemo"] = &fakeDoc{typ: ssmtypes.DocumentTypeAutomation, versions: []string{`{"schemaVersion":"0.3","mainSteps":[]}`}, def: 1}
	_, err := Provision(ctx, f, f, plan)
	require.NoError(t, err)
	// The latest version holds the plan; the default was set back.
	f.docs["Restart-EC2InstanceDemo"].def = 1
	changes, err := Provision(ctx, f, f, plan)
	require.NoError(t, err)
	assert.Equal(t, []ChangeKind{DocumentDefaultVersionSet}, kinds(changes))
	assert.Equal(t, "version 2", changes[0].Detail)
	assert.Len(t, f.docs["Restart-EC2InstanceDemo"].versions, 2)
}

func TestProvisionMakesRoomForPolicyVersion(t *testing.T) {
	ctx := context.Background()
	f := newFakeAWS(testAccount)
	plan := provisionPlan(t, Embedded)
	arn := "arn:aws:iam::123456789012:policy/Restart-EC2InstanceDemo-Operator"
	p := &fakePolicy{next: 6, def: "v5"}
	for _, id := range []string{"v1", "v2", "v3", "v4", "v5"} {
		p.versions = append(p.versions, fakePolicyVersion{id: id, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetDocument","Resource":"*"}]}`, created: f.tick()})
	}
	f.policies[arn] = p
	changes, err := Provision(ctx, f, f, plan, withOperator)
	require.NoError(t, err)
	require.Contains(t, kinds(changes), OperatorPolicyVersionDeleted)
	for _, c := range changes {
		if c.Kind == OperatorPolicyVersionDeleted {
			assert.Equal(t, "v1", c.Detail, "the oldest non-default version goes")
		}
	}
	assert.Equal(t, "v6", p.def)
	assert.Len(t, p.versions, 5)
}

func TestProvisionPartialFailure(t *testing.T) {
	boom := &iamtypes.LimitExceededException{Message: aws.String("Cannot exceed quota for PoliciesPerRole: 10")}
	denied := errors.New("access denied")
	tests := []struct {
		name    string
		fail    map[string]error
		failed  []Step
		skipped []Step
		done    []ChangeKind
	}{
		{"role policy fails, the rest goes on", map[string]error{"PutRolePolicy": boom},
			[]Step{StepRolePolicy}, nil, []ChangeKind{RoleCreated, OperatorPolicyCreated, OperatorPolicyAttached, DocumentCreated}},
		{"role fails, its policy is skipped", map[string]error{"CreateRole": denied},
			[]Step{StepRole}, []Step{StepRolePolicy}, []ChangeKind{OperatorPolicyCreated, OperatorPolicyAttached, DocumentCreated}},
		{"several steps fail together", map[string]error{"CreatePolicy": denied, "CreateDocument": boom},
			[]Step{StepOperatorPolicy, StepDocument}, []Step{StepAttach}, []ChangeKind{RoleCreated, RolePolicyPut}},
		{"a read fails", map[string]error{"GetDocument": denied},
			[]Step{StepDocument}, nil, []ChangeKind{RoleCreated, RolePolicyPut, OperatorPolicyCreated, OperatorPolicyAttached}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeAWS(testAccount)
			f.fail = tt.fail
			plan := provisionPlan(t, Embedded)
			changes, err := Provision(ctx, f, f, plan, withOperator)
			var pe *ProvisionError
			require.ErrorAs(t, err, &pe)
			var steps []Step
			for _, s := range pe.Failed {
				steps = append(steps, s.Step)
			}
			assert.Equal(t, tt.failed, steps)
			assert.Equal(t, tt.skipped, pe.Skipped)
			assert.Equal(t, tt.done, kinds(pe.Done))
			assert.Equal(t, tt.done, kinds(changes))
			for _, e := range tt.fail {
				assert.ErrorIs(t, err, e)
			}
			for _, s := range tt.failed {
				assert.Contains(t, err.Error(), string(s))
			}

			// Once the cause is gone, a rerun finishes the job and only that.
			f.fail = nil
			rest, err := Provision(ctx, f, f, plan, withOperator)
			require.NoError(t, err)
			assert.NotEmpty(t, rest)
			again, err := Provision(ctx, f, f, plan, withOperator)
			require.NoError(t, err)
			assert.Empty(t, again)
		})
	}
}

func TestProvisionTypedAPIErrors(t *testing.T) {
	f := newFakeAWS(testAccount)
	f.fail = map[string]error{"PutRolePolicy": &iamtypes.MalformedPolicyDocumentException{Message: aws.String("bad")}}
	_, err := Provision(context.Background(), f, f, provisionPlan(t, Embedded))
	var mal *iamtypes.MalformedPolicyDocumentException
	require.ErrorAs(t, err, &mal)
	var se *StepError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, StepRolePolicy, se.Step)
}

func TestProvisionRefusesOtherRoleOrDocumentType(t *testing.T) {
	ctx := context.Background()
	t.Run("role at another path", func(t *testing.T) {
		f := newFakeAWS(testAccount)
		f.roles["Restart-EC2InstanceDemo-Automation"] = &fakeRole{arn: "arn:aws:iam::123456789012:role/other/Restart-EC2InstanceDemo-Automation", path: "/other/", trust: "{}", inline: map[string]string{}}
		_, err := Provision(ctx, f, f, provisionPlan(t, Embedded))
		var pe *ProvisionError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, StepRole, pe.Failed[0].Step)
		assert.Contains(t, err.Error(), "role/other/")
		assert.NotContains(t, f.writes(), "UpdateAssumeRolePolicy")
	})
	t.Run("command document of the same name", func(t *testing.T) {
		f := newFakeAWS(testAccount)
		f.docs["Restart-EC2InstanceDemo"] = &fakeDoc{typ: ssmtypes.DocumentTypeCommand, versions: []string{"{}"}, def: 1}
		_, err := Provision(ctx, f, f, provisionPlan(t, Embedded))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "type Command")
		assert.Len(t, f.docs["Restart-EC2InstanceDemo"].versions, 1)
	})
}

func TestProvisionHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := newFakeAWS(testAccount)
	changes, err := Provision(ctx, f, f, provisionPlan(t, Embedded), withOperator)
	assert.Empty(t, changes)
	var pe *ProvisionError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, f.calls)
}

func TestProvisionLosesCreateRaces(t *testing.T) {
	ctx := context.Background()
	f := newFakeAWS(testAccount)
	plan := provisionPlan(t, Embedded)
	// A concurrent run creates everything between our reads and our
	// creates: provision first, then make every first read miss.
	_, err := Provision(ctx, f, f, plan, withOperator)
	require.NoError(t, err)
	r := &missOnce{fakeAWS: f, missed: map[string]bool{}}
	changes, err := Provision(ctx, r, r, plan, withOperator)
	require.NoError(t, err)
	assert.Empty(t, changes, "what the other run created is already right")
}

// missOnce reports each entity missing on its first read.
type missOnce struct {
	*fakeAWS
	missed map[string]bool
}

func (m *missOnce) first(op string) bool {
	if m.missed[op] {
		return false
	}
	m.missed[op] = true
	return true
}

func (m *missOnce) GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	if m.first("GetRole") {
		return nil, noSuchEntity("not yet")
	}
	return m.fakeAWS.GetRole(ctx, in, optFns...)
}

func (m *missOnce) GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	if m.first("GetPolicy") {
		return nil, noSuchEntity("not yet")
	}
	return m.fakeAWS.GetPolicy(ctx, in, optFns...)
}

func (m *missOnce) GetDocument(ctx context.Context, in *ssm.GetDocumentInput, optFns ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error) {
	if m.first("GetDocument") {
		return nil, &ssmtypes.InvalidDocument{Message: aws.String("not yet")}
	}
	return m.fakeAWS.GetDocument(ctx, in, optFns...)
}

func TestProvisionAttachPagesThroughPolicies(t *testing.T) {
	ctx := context.Background()
	f := newFakeAWS(testAccount)
	f.users["op"] = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/A"}
	f.groups["ops"] = []string{"arn:aws:iam::123456789012:policy/B", "arn:aws:iam::123456789012:policy/C", "arn:aws:iam::123456789012:policy/D"}
	both := func(o *ProvisionOptions) { o.OperatorUser, o.OperatorGroup = "op", "ops" }
	plan := provisionPlan(t, Runtime)
	changes, err := Provision(ctx, f, f, plan, both)
	require.NoError(t, err)
	var attached []string
	for _, c := range changes {
		if c.Kind == OperatorPolicyAttached {
			attached = append(attached, c.Detail)
		}
	}
	assert.Equal(t, []string{"user op", "group ops"}, attached)
	again, err := Provision(ctx, f, f, plan, both)
	require.NoError(t, err)
	assert.Empty(t, again, "found on a later page")
	assert.Len(t, f.groups["ops"], 4)
}

func TestChangeAndStepText(t *testing.T) {
	for k := RoleCreated; k <= DocumentDefaultVersionSet; k++ {
		b, err := k.MarshalText()
		require.NoError(t, err)
		assert.NotContains(t, string(b), "ChangeKind")
	}
	assert.Equal(t, "ChangeKind(99)", ChangeKind(99).String())
	assert.Equal(t, "role created: arn:x", Change{Kind: RoleCreated, Resource: "arn:x"}.String())
}

func TestProvisionDryRun(t *testing.T) {
	ctx := context.Background()
	f := newFakeAWS(testAccount)
	plan := provisionPlan(t, Embedded)
	dry := func(o *ProvisionOptions) { o.DryRun = true }
	would, err := Provision(ctx, f, f, plan, withOperator, dry)
	require.NoError(t, err)
	assert.Empty(t, f.writes(), "a dry run writes nothing")
	did, err := Provision(ctx, f, f, plan, withOperator)
	require.NoError(t, err)
	assert.Equal(t, kinds(did), kinds(would), "a dry run reports what a real run does")

	f.docs["Restart-EC2InstanceDemo"].versions[0] = `{"schemaVersion":"0.3","mainSteps":[{"name":"x","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`
	would, err = Provision(ctx, f, f, plan, withOperator, dry)
	require.NoError(t, err)
	assert.Equal(t, []ChangeKind{DocumentVersionCreated, DocumentDefaultVersionSet}, kinds(would))
	assert.Len(t, f.docs["Restart-EC2InstanceDemo"].versions, 1)

	// The planned content is in version 1, another version is the default:
	// SSM would refuse a duplicate, so the run only sets the default back.
	planned, err := plan.Document.JSON()
	require.NoError(t, err)
	f.docs["Restart-EC2InstanceDemo"].versions = []string{string(planned), `{"schemaVersion":"0.3","mainSteps":[]}`}
	f.docs["Restart-EC2InstanceDemo"].def = 2
	would, err = Provision(ctx, f, f, plan, withOperator, dry)
	require.NoError(t, err)
	did, err = Provision(ctx, f, f, plan, withOperator)
	require.NoError(t, err)
	assert.Equal(t, []ChangeKind{DocumentDefaultVersionSet}, kinds(would))
	assert.Equal(t, would, did)
}
