package policy

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/awsowned"
	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Permission is a set of actions on a set of resources that a caller
// declares for what the derivation cannot see (a script's API calls, a
// stack template's resources).
type Permission struct {
	Actions   []string
	Resources []string
}

// RunbookOptions tune ForRunbook.
type RunbookOptions struct {
	// APIActions maps "Service.Api" (the SDK client name and operation of
	// aws:executeAwsApi, aws:waitForAwsResourceProperty and
	// aws:assertAwsResourceProperty, for example "ec2.DescribeInstances")
	// to the IAM actions the call needs. It extends and overrides the
	// maintained table; entries are matched case-insensitively.
	APIActions map[string][]string
	// ScriptPermissions declares, per aws:executeScript step name, what the
	// script calls, replacing the analysis of its Python or PowerShell
	// script. Steps the analysis cannot derive (unmapped cmdlets,
	// attachments, calls chosen at run time) need an entry; an entry with
	// no permissions declares that the script calls no AWS API.
	ScriptPermissions map[string][]Permission
	// StackPermissions declares, per aws:createStack or aws:deleteStack step
	// name without a RoleARN, what CloudFormation does with the service
	// role's permissions: the template's resources.
	StackPermissions map[string][]Permission
	// InstanceProfileRoles maps an instance profile name or ARN to the ARN
	// of its role, so iam:PassRole for launches is scoped to that role.
	InstanceProfileRoles map[string]string
	// ChildRunbooks are the documents of aws:executeAutomation children by
	// name. A child that runs as this role (no AutomationAssumeRole
	// passed and none or an empty one of its own, or this runbook's own
	// role passed on) has its needs added to this policy; one that runs as
	// another role needs iam:PassRole on it. A child that may run as this
	// role and is missing here makes the derivation fail.
	ChildRunbooks map[string]*runbook.Document
	// DesiredStates declares, per aws:changeInstanceState step name, the
	// states ("running", "stopped", "terminated") its DesiredState can
	// take when the runbook does not fix them (a step output, a parameter
	// without allowedValues); only those state changes are granted.
	DesiredStates map[string][]string
	// ResourceTags adds aws:ResourceTag/KEY = VALUE conditions to the
	// statements whose actions act on existing, taggable resources; the
	// documents AWS owns, which carry no tags of the account's, are
	// granted in a statement of their own without them.
	ResourceTags map[string]string
}

// Need is one line of the derivation report: what a step needs and why.
type Need struct {
	// Step is the step's name; steps inside an aws:loop are "loop.step",
	// steps of a child runbook that runs as this role
	// "parent -> child DOCUMENT: step".
	Step string
	// StepAction is the Automation action, such as "aws:changeInstanceState".
	StepAction string
	Actions    []string
	Resources  []string
	Condition  Conditions
	Reason     string
}

// Unresolved is a step whose needs cannot be derived.
type Unresolved struct {
	Step       string
	StepAction string
	Detail     string
}

func (u Unresolved) String() string {
	return u.Step + " (" + u.StepAction + "): " + u.Detail
}

// ErrUnderivable is matched (errors.Is) by the error of ForRunbook when some
// step's needs cannot be derived.
var ErrUnderivable = errors.New("policy: runbook needs cannot be derived")

// UnderivableError lists the steps whose needs cannot be derived.
type UnderivableError struct {
	Unresolved []Unresolved
}

func (e *UnderivableError) Error() string {
	var b strings.Builder
	b.WriteString("policy: cannot derive the service role policy:")
	for _, u := range e.Unresolved {
		b.WriteString("\n  ")
		b.WriteString(u.String())
	}
	return b.String()
}

// Is makes an UnderivableError match ErrUnderivable.
func (e *UnderivableError) Is(target error) bool { return target == ErrUnderivable }

// Derived is a derived service-role policy with its report.
type Derived struct {
	// Policy is the least-privilege permissions policy: merged statements,
	// sorted, deterministic.
	Policy *Policy
	// Needs lists, step by step, every action and why it is needed.
	Needs []Need
	// Unresolved lists what could not be derived (ForRunbook then also
	// returns an *UnderivableError).
	Unresolved []Unresolved
	// Notes are remarks a reviewer should read, such as a resource that
	// could not be narrowed because it comes from a free parameter.
	Notes []string
}

// Actions returns the distinct IAM actions of the policy, sorted.
func (d *Derived) Actions() []string {
	var out []string
	if d.Policy != nil {
		for _, s := range d.Policy.Statement {
			out = append(out, s.Action.Values...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Explain writes the report: one block per step with its actions,
// resources and reasons, then the unresolved steps and the notes.
func (d *Derived) Explain(w io.Writer) error {
	var b strings.Builder
	for _, n := range d.Needs {
		fmt.Fprintf(&b, "%s (%s): %s\n", n.Step, n.StepAction, n.Reason)
		if len(n.Actions) == 0 {
			b.WriteString("    no permissions\n")
			continue
		}
		fmt.Fprintf(&b, "    actions:   %s\n", strings.Join(n.Actions, ", "))
		fmt.Fprintf(&b, "    resources: %s\n", strings.Join(n.Resources, ", "))
		if len(n.Condition) > 0 {
			c, _ := n.Condition.MarshalJSON()
			fmt.Fprintf(&b, "    condition: %s\n", c)
		}
	}
	for _, u := range d.Unresolved {
		fmt.Fprintf(&b, "unresolved: %s\n", u)
	}
	for _, n := range d.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ForRunbook derives the least-privilege permissions policy of the service
// role that runs doc in scope, and reports which step needs which action
// and why. Resources are narrowed to what the runbook fixes (literal IDs,
// names and ARNs, parameters with allowedValues) and are otherwise the
// action's ARN pattern in the scope. When a step's needs cannot be derived
// (an API call the table does not know, a script or stack template whose
// calls are not declared) the result still holds everything derivable and
// the error is an *UnderivableError. A document that does not validate (a
// parameters-only fragment, a step without its required inputs) yields no
// result and an error wrapping its *runbook.ValidationError: what it needs
// is unknown, not nothing.
func ForRunbook(doc *runbook.Document, scope Scope, optFns ...func(*RunbookOptions)) (*Derived, error) {
	var o RunbookOptions
	for _, f := range optFns {
		f(&o)
	}
	if doc == nil {
		return nil, errors.New("policy: no runbook")
	}
	if err := doc.Validate().Err(); err != nil {
		return nil, fmt.Errorf("policy: cannot derive the service role policy: %w", err)
	}
	d := &deriver{doc: doc, cur: doc, scope: scope, opts: &o, catalog: iamcatalog.Load(),
		out: &Derived{Needs: make([]Need, 0, 2*len(doc.MainSteps))}, grants: make([]grant, 0, 4*len(doc.MainSteps))}
	d.steps(doc.MainSteps, "", 0)
	d.out.Policy = d.build()
	if len(d.out.Policy.Statement) == 0 && len(d.out.Unresolved) == 0 {
		d.note(NoteNoPermissions)
	}
	if len(d.out.Unresolved) > 0 {
		return d.out, &UnderivableError{Unresolved: slices.Clone(d.out.Unresolved)}
	}
	return d.out, nil
}

// NoteNoPermissions is the note of a derivation whose runbook calls no
// API, such as one of aws:sleep and aws:pause steps only: its policy has
// no statement, which IAM would refuse as a policy.
const NoteNoPermissions = "the runbook's steps need no permissions"

type deriver struct {
	doc     *runbook.Document
	scope   Scope
	opts    *RunbookOptions
	catalog *iamcatalog.Catalog
	out     *Derived
	grants  []grant
	notes   map[string]bool
	// cur is the document whose steps are derived: doc or a child that
	// runs as its role; chain names the children being expanded and
	// frames what each was started with.
	cur    *runbook.Document
	chain  []string
	frames []childFrame
	// apiKeys are the sorted keys of opts.APIActions.
	apiKeys []string
}

// childFrame is a child being derived: the document of the step that
// started it and the RuntimeParameters that step passed.
type childFrame struct {
	parent  *runbook.Document
	runtime runbook.Value
}

// grant is one action on one resource under an optional condition.
type grant struct {
	action   string
	resource string
	cond     Conditions
	condKey  string // canonical encoding of cond, for grouping
}

// maxChildDepth bounds the expansion of child runbooks that name each other.
const maxChildDepth = 5

func (d *deriver) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if d.notes == nil {
		d.notes = map[string]bool{}
	}
	if !d.notes[msg] {
		d.notes[msg] = true
		d.out.Notes = append(d.out.Notes, msg)
	}
}

func (d *deriver) unresolved(step, action, format string, args ...any) {
	d.out.Unresolved = append(d.out.Unresolved, Unresolved{Step: step, StepAction: action, Detail: fmt.Sprintf(format, args...)})
}

// passRole adds the need for iam:PassRole on roles, conditioned on
// iam:PassedToService being service.
func (d *deriver) passRole(step, stepAction, reason string, roles []string, service string) {
	d.need(step, stepAction, reason, []string{"iam:PassRole"}, roles,
		Conditions{}.Add("StringEquals", "iam:PassedToService", Values(service)))
}

// need records a report line and its grants.
func (d *deriver) need(step, stepAction, reason string, actions, resources []string, cond Conditions) {
	if buckets, others := d.splitBuckets(resources, cond); len(buckets) > 0 {
		// S3 bucket and object ARNs name no account, so without the
		// condition the grant would reach another account's bucket of
		// the same name.
		if len(others) > 0 {
			d.need(step, stepAction, reason, actions, others, cond)
		}
		resources = buckets
		cond = cond.Add("StringEquals", "aws:ResourceAccount", Values(d.scope.Account))
	}
	actions = sortedUnique(actions)
	resources = minimizeResources(sortedUnique(resources))
	d.out.Needs = append(d.out.Needs, Need{Step: step, StepAction: stepAction, Actions: actions, Resources: resources, Condition: cond, Reason: reason})
	key := ""
	if len(cond) > 0 {
		b, _ := cond.MarshalJSON()
		key = string(b)
	}
	for _, a := range actions {
		for _, r := range resources {
			d.grants = append(d.grants, grant{action: a, resource: r, cond: cond, condKey: key})
		}
	}
}

// splitBuckets separates the S3 bucket and object ARNs of resources
// (those without a Region and an account) from the others, when the
// scope's account is known and cond does not already limit the resource
// account.
func (d *deriver) splitBuckets(resources []string, cond Conditions) (buckets, others []string) {
	if d.scope.Account == "" || strings.ContainsAny(d.scope.Account, "*?") {
		return nil, resources
	}
	for _, keys := range cond {
		for k := range keys {
			if strings.EqualFold(k, "aws:ResourceAccount") {
				return nil, resources
			}
		}
	}
	found := false
	for _, r := range resources {
		found = found || isBucketARN(r)
	}
	if !found {
		return nil, resources
	}
	for _, r := range resources {
		if isBucketARN(r) {
			buckets = append(buckets, r)
		} else {
			others = append(others, r)
		}
	}
	return buckets, others
}

// isBucketARN reports whether r is an S3 ARN without a Region and an
// account, "arn:PARTITION:s3:::RESOURCE", as ParseARN would split it,
// without allocating: most grants are not.
func isBucketARN(r string) bool {
	rest, ok := strings.CutPrefix(r, "arn:")
	if !ok {
		return false
	}
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return false
	}
	res, ok := strings.CutPrefix(rest[i:], ":s3:::")
	return ok && res != ""
}

func (d *deriver) steps(steps []runbook.Step, prefix string, depth int) {
	for _, st := range steps {
		d.step(st, prefix+st.Name, depth)
	}
}

func (d *deriver) step(st runbook.Step, name string, depth int) {
	act := st.Action()
	if d.ec2Step(name, act, st.Inputs) {
		return
	}
	switch in := st.Inputs.(type) {
	case runbook.CreateStack:
		d.stack(name, act, "cloudformation:CreateStack", in.StackName, in.RoleARN, !in.Tags.IsZero())
	case runbook.DeleteStack:
		d.stack(name, act, "cloudformation:DeleteStack", in.StackName, in.RoleARN, false)
	case runbook.RunCommand:
		d.runCommand(name, act, in)
	case runbook.ExecuteAutomation:
		d.executeAutomation(name, act, in, depth)
	case runbook.InvokeLambdaFunction:
		d.need(name, act, "invokes the function", []string{"lambda:InvokeFunction"}, d.lambdaARNs(in.FunctionName, in.Qualifier, name), nil)
	case runbook.ExecuteStateMachine:
		d.stateMachine(name, act, in)
	case runbook.InvokeWebhook:
		var res []string
		for _, n := range d.values(in.IntegrationName, name+".IntegrationName") {
			res = append(res, d.scope.ARN("ssm", "parameter/d9d01087-4a3f-49e0-b0b4-d568d7826553/ssm/integrations/webhook/"+n))
		}
		d.need(name, act, "reads the webhook integration from Parameter Store", []string{"ssm:GetParameter"}, res, nil)
		d.note("%s: when the integration's parameter is encrypted with a customer managed key, the role also needs kms:Decrypt on that key", name)
	case runbook.Approve:
		if !in.NotificationArn.IsZero() {
			d.need(name, act, "notifies the approvers", []string{"sns:Publish"}, d.arnsOf(in.NotificationArn, "sns", "", name+".NotificationArn"), nil)
		} else {
			d.need(name, act, "waits for approvers; no notification topic", nil, nil, nil)
		}
	case runbook.ExecuteAwsApi:
		d.apiCall(name, act, in.APICall, "calls")
		d.apiExtras(name, act, in.APICall)
	case runbook.WaitForAwsResourceProperty:
		d.apiCall(name, act, in.APICall, "polls")
	case runbook.AssertAwsResourceProperty:
		d.apiCall(name, act, in.APICall, "reads")
	case runbook.ExecuteScript:
		d.script(name, act, in)
	case runbook.Loop:
		d.need(name, act, "control flow only", nil, nil, nil)
		d.steps(in.Steps, name+".", depth)
	case runbook.Sleep, runbook.Pause, runbook.Branch, runbook.UpdateVariable:
		d.need(name, act, "control flow only", nil, nil, nil)
	case runbook.RawInputs:
		d.unresolved(name, act, "unknown action %q: its permissions are not known", in.Name)
	default:
		d.unresolved(name, act, "action %q is not supported by the derivation", act)
	}
}

// ec2Step derives the needs of the EC2 instance and image actions and
// reports whether inputs were one of them.
func (d *deriver) ec2Step(name, act string, inputs runbook.Inputs) bool {
	switch in := inputs.(type) {
	case runbook.ChangeInstanceState:
		d.changeInstanceState(name, act, in)
	case runbook.RunInstances:
		d.runInstances(name, act, in.ImageId, in.SubnetId, in.SecurityGroupIds, in.KeyName, in.TagSpecifications, in.IamInstanceProfileArn, in.IamInstanceProfileName)
		d.need(name, act, "waits until the instances run", []string{"ec2:DescribeInstanceStatus"}, []string{"*"}, nil)
	case runbook.CreateTags:
		d.createTags(name, act, in)
	case runbook.CreateImage:
		d.need(name, act, "creates an AMI (and its snapshots) from the instance", []string{"ec2:CreateImage"},
			append(d.ids(in.InstanceId, "instance", name+".InstanceId"), d.scope.ARN("ec2", "image/*"), d.imageARN("*"), d.snapshotARN("*")), nil)
		d.need(name, act, "waits until the AMI is available", []string{"ec2:DescribeImages"}, []string{"*"}, nil)
	case runbook.CopyImage:
		d.copyImage(name, act, in)
	case runbook.DeleteImage:
		d.need(name, act, "deregisters the AMI", []string{"ec2:DeregisterImage"}, d.ids(in.ImageId, "image", name+".ImageId"), nil)
		d.need(name, act, "deletes the AMI's snapshots", []string{"ec2:DeleteSnapshot"}, []string{d.snapshotARN("*")}, nil)
		d.need(name, act, "finds the AMI's snapshots", []string{"ec2:DescribeImages", "ec2:DescribeSnapshots"}, []string{"*"}, nil)
	default:
		return false
	}
	return true
}

func (d *deriver) copyImage(name, act string, in runbook.CopyImage) {
	src := d.values(in.SourceImageId, name+".SourceImageId")
	srcRegion := d.values(in.SourceRegion, name+".SourceRegion")
	var res []string
	for _, r := range srcRegion {
		for _, id := range src {
			res = append(res, ARN{Partition: d.scope.partition(), Service: "ec2", Region: r, Resource: "image/" + id}.String())
		}
	}
	res = append(res, d.imageARN("*"), d.snapshotARN("*"))
	d.need(name, act, "copies the source AMI into the Region", []string{"ec2:CopyImage"}, res, nil)
	d.customerKey(name, act, in.KmsKeyId)
	d.need(name, act, "waits until the copy is available", []string{"ec2:DescribeImages"}, []string{"*"}, nil)
}

func (d *deriver) stateMachine(name, act string, in runbook.ExecuteStateMachine) {
	sms := d.arnsOf(in.StateMachineArn, "states", "stateMachine:", name+".stateMachineArn")
	d.need(name, act, "starts the state machine", []string{"states:StartExecution"}, sms, nil)
	var execs []string
	for _, sm := range sms {
		execs = append(execs, strings.Replace(sm, ":stateMachine:", ":execution:", 1)+":*")
	}
	d.need(name, act, "follows the execution until it ends", []string{"states:DescribeExecution"}, execs, nil)
}

func (d *deriver) declared(name, act string, table map[string][]Permission, reason, missing string) {
	perms, ok := table[name]
	if !ok {
		d.unresolved(name, act, "%s", missing)
		return
	}
	if len(perms) == 0 {
		d.need(name, act, "declared to call no AWS API", nil, nil, nil)
	}
	for _, p := range perms {
		res := p.Resources
		if len(res) == 0 {
			res = []string{"*"}
		}
		d.need(name, act, reason+" (declared)", p.Actions, res, nil)
	}
}

func (d *deriver) changeInstanceState(name, act string, in runbook.ChangeInstanceState) {
	instances := d.ids(in.InstanceIds, "instance", name+".InstanceIds")
	if b, ok := in.CheckStateOnly.AsBool(); ok && b {
		d.need(name, act, "CheckStateOnly: only reads the instances' state", []string{"ec2:DescribeInstanceStatus"}, []string{"*"}, nil)
		return
	}
	states, _ := d.desiredStates(name, act, in.DesiredState)
	for _, s := range states {
		var a string
		switch s {
		case "running":
			a = "ec2:StartInstances"
		case "stopped":
			a = "ec2:StopInstances"
		case "terminated":
			a = "ec2:TerminateInstances"
		default:
			d.unresolved(name, act, "DesiredState %q is not running, stopped or terminated", s)
			continue
		}
		d.need(name, act, "changes the instances to "+s, []string{a}, instances, nil)
	}
	d.need(name, act, "waits for the instances' state", []string{"ec2:DescribeInstanceStatus"}, []string{"*"}, nil)
}

func (d *deriver) runInstances(name, act string, image, subnet, groups, key, tags, profileArn, profileName runbook.Value) {
	res := d.ids(image, "image", name+".ImageId")
	res = append(res, d.scope.InstanceARN("*"), d.scope.ARN("ec2", "network-interface/*"), d.scope.ARN("ec2", "volume/*"))
	if subnet.IsZero() {
		res = append(res, d.scope.ARN("ec2", "subnet/*"))
	} else {
		res = append(res, d.ids(subnet, "subnet", name+".SubnetId")...)
	}
	if groups.IsZero() {
		res = append(res, d.scope.ARN("ec2", "security-group/*"))
	} else {
		res = append(res, d.ids(groups, "security-group", name+".SecurityGroupIds")...)
	}
	if !key.IsZero() {
		res = append(res, d.ids(key, "key-pair", name+".KeyName")...)
	}
	d.need(name, act, "launches the instances", []string{"ec2:RunInstances"}, res, nil)
	if !tags.IsZero() {
		d.need(name, act, "tags the instances and volumes at launch", []string{"ec2:CreateTags"},
			[]string{d.scope.InstanceARN("*"), d.scope.ARN("ec2", "volume/*")},
			Conditions{}.Add("StringEquals", "ec2:CreateAction", Values("RunInstances")))
	}
	var profiles []string
	for _, v := range []runbook.Value{profileArn, profileName} {
		if !v.IsZero() {
			profiles = append(profiles, d.values(v, name+".IamInstanceProfile")...)
		}
	}
	if len(profiles) > 0 {
		var roles []string
		for _, p := range profiles {
			if r, ok := d.opts.InstanceProfileRoles[p]; ok {
				roles = append(roles, r)
				continue
			}
			roles = append(roles, d.scope.RoleARN("/", "*"))
			d.note("%s: the role behind instance profile %q is unknown, so iam:PassRole covers every role passed to EC2; name it with InstanceProfileRoles", name, p)
		}
		d.passRole(name, act, "passes the instance profile's role to EC2", roles, "ec2.amazonaws.com")
	}
}

func (d *deriver) createTags(name, act string, in runbook.CreateTags) {
	kinds, fixed := d.enumerate(in.ResourceType)
	if in.ResourceType.IsZero() {
		kinds, fixed = []string{"EC2"}, true
	}
	if !fixed {
		kinds = []string{"EC2", "ManagedInstance", "MaintenanceWindow", "Parameter"}
		d.note("%s: ResourceType is not fixed, so tagging is granted for every resource type", name)
	}
	for _, k := range kinds {
		switch k {
		case "EC2":
			res := d.ec2ARNs(in.ResourceIds, name+".ResourceIds")
			d.need(name, act, "tags the EC2 resources", []string{"ec2:CreateTags"}, res, nil)
		case "ManagedInstance", "MaintenanceWindow", "Parameter":
			typ := map[string]string{"ManagedInstance": "managed-instance/", "MaintenanceWindow": "maintenancewindow/", "Parameter": "parameter/"}[k]
			var res []string
			for _, id := range d.values(in.ResourceIds, name+".ResourceIds") {
				res = append(res, d.scope.ARN("ssm", typ+strings.TrimPrefix(id, "/")))
			}
			d.need(name, act, "tags the Systems Manager resources ("+k+")", []string{"ssm:AddTagsToResource"}, res, nil)
		default:
			d.unresolved(name, act, "ResourceType %q is not EC2, ManagedInstance, MaintenanceWindow or Parameter", k)
		}
	}
}

// ec2ARNForID builds the ARN of an EC2 resource from its ID prefix.
func (d *deriver) ec2ARNForID(id string) string {
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	prefix, _, _ := strings.Cut(id, "-")
	typ := ec2TypeForPrefix(prefix)
	switch typ {
	case "":
		return d.scope.ARN("ec2", "*/"+id)
	case "image":
		return d.imageARN(id)
	case "snapshot":
		return d.snapshotARN(id)
	}
	return d.scope.ARN("ec2", typ+"/"+id)
}

// ec2TypeForPrefix maps an EC2 ID prefix ("i", "vol", ...) to its IAM
// resource type.
func ec2TypeForPrefix(prefix string) string {
	switch prefix {
	case "i":
		return "instance"
	case "ami":
		return "image"
	case "vol":
		return "volume"
	case "snap":
		return "snapshot"
	case "sg":
		return "security-group"
	case "subnet":
		return "subnet"
	case "vpc":
		return "vpc"
	case "eni":
		return "network-interface"
	case "igw":
		return "internet-gateway"
	case "rtb":
		return "route-table"
	case "acl":
		return "network-acl"
	case "eipalloc":
		return "elastic-ip"
	case "lt":
		return "launch-template"
	case "key":
		return "key-pair"
	case "nat":
		return "natgateway"
	case "dopt":
		return "dhcp-options"
	}
	return ""
}

func (d *deriver) imageARN(id string) string {
	return ARN{Partition: d.scope.partition(), Service: "ec2", Region: d.scope.region(), Resource: "image/" + id}.String()
}

func (d *deriver) snapshotARN(id string) string {
	return ARN{Partition: d.scope.partition(), Service: "ec2", Region: d.scope.region(), Resource: "snapshot/" + id}.String()
}

func (d *deriver) stack(name, act, action string, stackName, role runbook.Value, tags bool) {
	var stacks []string
	for _, n := range d.values(stackName, name+".StackName") {
		if strings.HasPrefix(n, "arn:") {
			stacks = append(stacks, n)
			continue
		}
		stacks = append(stacks, d.scope.ARN("cloudformation", "stack/"+n+"/*"))
	}
	verb := "creates"
	if action == "cloudformation:DeleteStack" {
		verb = "deletes"
	}
	d.need(name, act, verb+" the stack", []string{action}, stacks, nil)
	d.need(name, act, "follows the stack's status", []string{"cloudformation:DescribeStacks"}, stacks, nil)
	if tags {
		d.need(name, act, "tags the stack", []string{"cloudformation:TagResource"}, stacks, nil)
	}
	if role.IsZero() {
		d.declared(name, act, d.opts.StackPermissions, "CloudFormation acts on the template's resources with the role's permissions",
			"without RoleARN, CloudFormation "+verb[:len(verb)-1]+"s the template's resources with the service role's permissions; declare them with StackPermissions or give the stack a RoleARN")
		return
	}
	roles := d.arnsOf(role, "iam", "role/", name+".RoleARN")
	d.passRole(name, act, "passes RoleARN to CloudFormation, which acts on the template's resources with it", roles, "cloudformation.amazonaws.com")
}

func (d *deriver) runCommand(name, act string, in runbook.RunCommand) {
	res := d.documentARNs(in.DocumentName, name+".DocumentName")
	if in.InstanceIds.IsZero() {
		res = append(res, d.scope.InstanceARN("*"), d.scope.ARN("ssm", "managed-instance/*"))
	} else {
		res = append(res, d.ids(in.InstanceIds, "instance", name+".InstanceIds")...)
	}
	if !in.OutputS3BucketName.IsZero() {
		for _, b := range d.values(in.OutputS3BucketName, name+".OutputS3BucketName") {
			res = append(res, "arn:"+d.scope.partition()+":s3:::"+b)
		}
	}
	d.need(name, act, "sends the command", []string{"ssm:SendCommand"}, res, nil)
	d.need(name, act, "follows the command and checks the instances", []string{"ssm:DescribeInstanceInformation", "ssm:ListCommandInvocations", "ssm:ListCommands"}, []string{"*"}, nil)
	if !in.ServiceRoleArn.IsZero() {
		d.passRole(name, act, "passes ServiceRoleArn to Systems Manager for notifications",
			d.arnsOf(in.ServiceRoleArn, "iam", "role/", name+".ServiceRoleArn"), SSMServicePrincipal)
	}
}

func (d *deriver) executeAutomation(name, act string, in runbook.ExecuteAutomation, depth int) {
	docs := d.values(in.DocumentName, name+".DocumentName")
	var res []string
	for _, n := range docs {
		res = append(res, d.scope.DocumentARN(n), d.scope.AutomationDefinitionARN(n, "*"))
	}
	res = append(res, d.scope.AutomationExecutionARN("*"))
	d.need(name, act, "starts the child automation", []string{"ssm:StartAutomationExecution"}, res, nil)
	d.need(name, act, "follows the child automation", []string{"ssm:GetAutomationExecution"}, []string{d.scope.AutomationExecutionARN("*")}, nil)
	passed, passes := in.RuntimeParameters.Get("AutomationAssumeRole")
	if passes {
		d.passRole(name, act, "passes the child's AutomationAssumeRole to Systems Manager",
			d.arnsOf(passed, "iam", "role/", name+".RuntimeParameters.AutomationAssumeRole"), SSMServicePrincipal)
	}
	if !in.TargetLocations.IsZero() {
		d.note("%s: TargetLocations runs the child in other accounts or Regions through %s; give those accounts ExecutionRolePolicy", name, ExecutionRoleName)
	}
	if passes && !d.isThisRole(passed) {
		// The child runs as the role passed, which needs its own policy.
		return
	}
	for _, n := range docs {
		child, ok := d.childRunbook(name, n)
		switch {
		case !ok && awsowned.IsAWSOwned(n):
			d.unresolved(name, act, "child runbook %q may run as this role and is AWS-owned but not bundled, so its needs are unknown; pass its document (aws ssm get-document --name %s) in ChildRunbooks[%q]", n, n, n)
			continue
		case !ok:
			d.unresolved(name, act, "child runbook %q may run as this role and its needs are unknown; pass its document in ChildRunbooks[%q]", n, n)
			continue
		}
		role, known := runbook.Value{}, true
		if passes {
			role = passed
		}
		if strings.TrimSpace(child.AssumeRole) != "" {
			role, known = childAssumeRole(child, in.RuntimeParameters)
		}
		switch {
		case !known:
			d.unresolved(name, act, "child runbook %q runs as role %q, which is not fixed by its document or this step; pass AutomationAssumeRole in RuntimeParameters", n, child.AssumeRole)
		case !isEmptyValue(role) && !d.isThisRole(role):
			d.passRole(name, act, "passes the child's assumeRole to Systems Manager",
				d.arnsOf(role, "iam", "role/", name+".RuntimeParameters"), SSMServicePrincipal)
			d.note("%s: child runbook %q runs as its own role %q", name, n, child.AssumeRole)
		case slices.Contains(d.chain, n):
			d.unresolved(name, act, "child runbook %q runs itself (%s -> %s)", n, strings.Join(d.chain, " -> "), n)
		case depth >= maxChildDepth:
			d.unresolved(name, act, "child runbook %q nests deeper than %d levels", n, maxChildDepth)
		default:
			// The child runs as this role: its needs belong to this policy.
			cur := d.cur
			d.frames = append(d.frames, childFrame{parent: cur, runtime: in.RuntimeParameters})
			d.cur, d.chain = child, append(d.chain, n)
			d.steps(child.MainSteps, name+" -> child "+n+": ", depth+1)
			d.cur, d.chain = cur, d.chain[:len(d.chain)-1]
			d.frames = d.frames[:len(d.frames)-1]
		}
	}
}

// isThisRole reports whether v names the role the current document runs
// as: its assumeRole written the same way, such as "{{ AutomationAssumeRole }}"
// passed on by a runbook whose assumeRole is that parameter.
func (d *deriver) isThisRole(v runbook.Value) bool {
	s, ok := v.AsString()
	own := strings.TrimSpace(d.cur.AssumeRole)
	if !ok || own == "" {
		return false
	}
	s = strings.TrimSpace(s)
	if s == own {
		return true
	}
	a, wholeA := runbook.WholeReference(s)
	b, wholeB := runbook.WholeReference(own)
	return wholeA && wholeB && a.Kind == runbook.RefParameter && a.Kind == b.Kind && a.Name == b.Name
}

func (d *deriver) lambdaARNs(fn, qualifier runbook.Value, step string) []string {
	quals := []string{""}
	if !qualifier.IsZero() {
		quals = d.values(qualifier, step+".Qualifier")
	}
	var out []string
	for _, f := range d.values(fn, step+".FunctionName") {
		base := f
		if !strings.HasPrefix(f, "arn:") {
			// A name, or a partial ARN "ACCOUNT:function:NAME".
			if i := strings.LastIndex(f, "function:"); i >= 0 {
				f = f[i+len("function:"):]
			}
			base = d.scope.ARN("lambda", "function:"+f)
		}
		for _, q := range quals {
			if q != "" && strings.Count(base, ":") == 6 {
				out = append(out, base+":"+q)
			} else {
				out = append(out, base)
			}
		}
	}
	return out
}

func (d *deriver) documentARNs(v runbook.Value, path string) []string {
	var out []string
	for _, n := range d.values(v, path) {
		out = append(out, d.scope.DocumentARN(n))
	}
	return out
}

// ids turns a value holding IDs of an EC2 resource type into ARNs.
func (d *deriver) ids(v runbook.Value, typ, path string) []string {
	var out []string
	for _, id := range d.values(v, path) {
		switch {
		case strings.HasPrefix(id, "arn:"):
			out = append(out, id)
		case typ == "image":
			out = append(out, d.imageARN(id))
		default:
			out = append(out, d.scope.ARN("ec2", typ+"/"+id))
		}
	}
	return out
}

// arnsOf turns a value holding ARNs (or bare names) into ARNs: bare names
// get the service, the resource prefix and the scope.
func (d *deriver) arnsOf(v runbook.Value, service, prefix, path string) []string {
	if items, ok := v.AsList(); ok {
		if _, fixed := d.enumerate(v); !fixed {
			// Each item may be a parameter with its own allowedPattern.
			var out []string
			for i, it := range items {
				out = append(out, d.arnsOf(it, service, prefix, fmt.Sprintf("%s[%d]", path, i))...)
			}
			return out
		}
	}
	var narrow func(runbook.Value) (string, bool)
	switch {
	case service == "iam" && prefix == "role/":
		narrow = d.roleFromPattern
	case service == "sns" && prefix == "":
		narrow = d.topicFromPattern
	}
	if narrow != nil {
		if arn, ok := narrow(v); ok {
			s, _ := v.AsString()
			d.note("%s: %q is not fixed by the runbook; its allowedPattern narrows it to %q", path, s, arn)
			return []string{arn}
		}
	}
	var out []string
	for _, s := range d.values(v, path) {
		switch {
		case strings.HasPrefix(s, "arn:"):
			out = append(out, s)
		case service == "iam":
			out = append(out, ARN{Partition: d.scope.partition(), Service: "iam", Account: d.scope.account(), Resource: prefix + s}.String())
		default:
			out = append(out, d.scope.ARN(service, prefix+s))
		}
	}
	return out
}

// values resolves an input to the strings it can take: literals as
// written, a parameter with allowedValues to those values, global
// variables of a known scope to their values, and anything else to a "*"
// pattern in its place.
func (d *deriver) values(v runbook.Value, path string) []string {
	if vals, fixed := d.enumerate(v); fixed {
		return vals
	}
	if items, ok := v.AsList(); ok {
		var out []string
		for i, it := range items {
			out = append(out, d.values(it, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	s, ok := v.AsString()
	if !ok {
		return []string{"*"}
	}
	out := d.template(s)
	if out != s {
		d.note("%s: %q is not fixed by the runbook, so it stands as %q in the resource ARNs", path, s, out)
	}
	return []string{out}
}

// enumerate returns the literal values of v when they are fixed: literal
// strings (or lists of them) without references, or a whole reference to a
// parameter with allowedValues.
func (d *deriver) enumerate(v runbook.Value) ([]string, bool) {
	if s, ok := v.AsString(); ok {
		if r, ok := runbook.WholeReference(s); ok && r.Kind == runbook.RefParameter {
			var vals []string
			fixed := false
			if d.inCaller(r.Name, func(v runbook.Value) { vals, fixed = d.enumerate(v) }) && fixed {
				return vals, true
			}
			p, found := findParameter(d.cur, r.Name)
			if !found || len(p.AllowedValues) == 0 {
				return nil, false
			}
			var out []string
			for _, av := range p.AllowedValues {
				as, ok := av.AsString()
				if !ok || len(runbook.ParseReferences(as)) > 0 {
					return nil, false
				}
				out = append(out, as)
			}
			return out, true
		}
		if len(runbook.ParseReferences(s)) > 0 {
			return nil, false
		}
		return []string{s}, true
	}
	if items, ok := v.AsList(); ok {
		var out []string
		for _, it := range items {
			vals, fixed := d.enumerate(it)
			if !fixed {
				return nil, false
			}
			out = append(out, vals...)
		}
		return out, true
	}
	return nil, false
}

// template replaces the references of s by their values when known (global
// variables of the scope) and by "*" otherwise.
func (d *deriver) template(s string) string {
	refs := runbook.ParseReferences(s)
	for _, r := range refs {
		repl := "*"
		if r.Kind == runbook.RefGlobal {
			switch r.Name {
			case runbook.GlobalAccountID:
				repl = d.scope.account()
			case runbook.GlobalRegion:
				repl = d.scope.region()
			case runbook.GlobalPartition:
				repl = d.scope.partition()
			}
		}
		s = strings.Replace(s, r.Text, repl, 1)
	}
	for strings.Contains(s, "**") {
		s = strings.ReplaceAll(s, "**", "*")
	}
	return s
}

// build merges the grants into statements: grants with the same condition
// and the same resources share a statement; actions and resources sorted.
func (d *deriver) build() *Policy {
	tagged := d.tagConditions()
	type key struct{ cond, res string }
	byAction := map[string]map[string][]string{} // condKey -> action -> resources
	conds := map[string]Conditions{}
	for _, g := range d.grants {
		c, ck := g.cond, g.condKey
		if t, ok := tagged[g.action]; ok && ck == "" && !awsOwnedDocument(g.resource) {
			c, ck = t.cond, t.key
		}
		if byAction[ck] == nil {
			byAction[ck] = map[string][]string{}
		}
		byAction[ck][g.action] = append(byAction[ck][g.action], g.resource)
		conds[ck] = c
	}
	groups := map[key][]string{}
	resLists := map[key][]string{}
	for ck, acts := range byAction {
		for a, res := range acts {
			res = minimizeResources(sortedUnique(res))
			k := key{ck, strings.Join(res, "\x00")}
			groups[k] = append(groups[k], a)
			resLists[k] = res
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		slices.Sort(groups[k])
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := strings.Compare(a.cond, b.cond); c != 0 {
			return c
		}
		return strings.Compare(groups[a][0], groups[b][0])
	})
	p := New()
	p.Statement = []Statement{}
	for _, k := range keys {
		st := Statement{Effect: Allow, Action: List(groups[k]...), Resource: List(resLists[k]...)}
		if c := conds[k.cond]; len(c) > 0 {
			st.Condition = c.clone()
		}
		p.Statement = append(p.Statement, st)
	}
	return p
}

// awsOwnedDocument reports whether res is the ARN of a document AWS owns
// (no account: arn:aws:ssm:REGION::document/AWS-RunShellScript), which
// carries no tags of the account's, so a resource-tag condition would
// deny every call that uses it.
func awsOwnedDocument(res string) bool {
	a, err := ParseARN(res)
	if err != nil || a.Service != "ssm" || a.Account != "" {
		return false
	}
	t := a.ResourceType()
	return t == "document" || t == "automation-definition"
}

type tagCond struct {
	cond Conditions
	key  string
}

// tagConditions picks the actions that get the caller's resource-tag
// conditions: actions on exactly one kind of existing, taggable resource.
func (d *deriver) tagConditions() map[string]tagCond {
	if len(d.opts.ResourceTags) == 0 {
		return nil
	}
	var c Conditions
	for _, k := range slices.Sorted(maps.Keys(d.opts.ResourceTags)) {
		c = c.Add("StringEquals", "aws:ResourceTag/"+k, Values(d.opts.ResourceTags[k]))
	}
	b, _ := c.MarshalJSON()
	t := tagCond{cond: c, key: string(b)}
	out := map[string]tagCond{}
	for _, g := range d.grants {
		a, ok := d.catalog.Lookup(g.action)
		if !ok || g.resource == "*" || g.condKey != "" {
			continue
		}
		_, name, _ := strings.Cut(a.Name, ":")
		creates := false
		for _, p := range [...]string{"Create", "Run", "Copy", "Register", "Import", "Allocate", "Start"} {
			if strings.HasPrefix(name, p) && !(p == "Start" && name == "StartInstances") {
				creates = true
			}
		}
		var required []iamcatalog.ResourceType
		for _, rt := range a.ResourceTypes {
			if rt.Required {
				required = append(required, rt)
			}
		}
		if !creates && len(required) == 1 && required[0].Tags {
			out[g.action] = t
		}
	}
	return out
}

func sortedUnique(s []string) []string {
	if len(s) <= 1 {
		return s
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// minimizeResources drops resources covered by another pattern of the list
// ("*" covers everything, instance/* covers instance/i-1).
func minimizeResources(res []string) []string {
	if len(res) <= 1 {
		return res
	}
	if slices.Contains(res, "*") {
		return []string{"*"}
	}
	var wild []string
	for _, r := range res {
		if strings.ContainsAny(r, "*?") {
			wild = append(wild, r)
		}
	}
	if len(wild) == 0 {
		return res
	}
	ev := &evaluation{req: &Request{}}
	out := make([]string, 0, len(res))
	for _, r := range res {
		covered := false
		for _, w := range wild {
			// Two patterns that cover each other keep the smaller.
			if w != r && covers(w, r, ev) && (w < r || !covers(r, w, ev)) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	return out
}

// childAssumeRole resolves the role a child runbook runs as: its literal
// assumeRole, or the parameter its assumeRole names, taken from the
// runtime parameters the step passes or else the child's default. known
// is false when neither fixes it.
func childAssumeRole(child *runbook.Document, runtime runbook.Value) (role runbook.Value, known bool) {
	ar := strings.TrimSpace(child.AssumeRole)
	if len(runbook.ParseReferences(ar)) == 0 {
		return runbook.String(ar), true
	}
	r, whole := runbook.WholeReference(ar)
	if !whole || r.Kind != runbook.RefParameter {
		return runbook.Value{}, false
	}
	if v, ok := runtime.Get(r.Name); ok {
		return v, true
	}
	if p, ok := findParameter(child, r.Name); ok {
		if s, ok := p.Default.AsString(); ok && len(runbook.ParseReferences(s)) == 0 {
			return p.Default, true
		}
	}
	return runbook.Value{}, false
}

// isEmptyValue reports whether v is absent, "" or a list of only "".
func isEmptyValue(v runbook.Value) bool {
	if v.IsZero() {
		return true
	}
	if s, ok := v.AsString(); ok {
		return strings.TrimSpace(s) == ""
	}
	if items, ok := v.AsList(); ok {
		for _, it := range items {
			if !isEmptyValue(it) {
				return false
			}
		}
		return true
	}
	return false
}

// covers reports whether Resource pattern w matches every ARN r names.
func covers(w, r string, ev *evaluation) bool {
	m, _ := matchARN(w, r, ev, false, arnResource)
	return m
}
