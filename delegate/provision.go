package delegate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

// Step is one stage of provisioning.
type Step string

// The stages of provisioning, in the order they run.
const (
	StepRole           Step = "role"
	StepRolePolicy     Step = "role policy"
	StepOperatorPolicy Step = "operator policy"
	StepAttach         Step = "operator attachment"
	StepDocument       Step = "document"
)

// ChangeKind says what provisioning changed.
type ChangeKind int

// The changes provisioning makes.
const (
	RoleCreated ChangeKind = iota + 1
	RoleTrustUpdated
	RolePolicyPut
	OperatorPolicyCreated
	OperatorPolicyVersionCreated
	OperatorPolicyVersionDeleted
	OperatorPolicyAttached
	DocumentCreated
	DocumentVersionCreated
	DocumentDefaultVersionSet
)

func (k ChangeKind) String() string {
	switch k {
	case RoleCreated:
		return "role created"
	case RoleTrustUpdated:
		return "role trust updated"
	case RolePolicyPut:
		return "role policy put"
	case OperatorPolicyCreated:
		return "operator policy created"
	case OperatorPolicyVersionCreated:
		return "operator policy version created"
	case OperatorPolicyVersionDeleted:
		return "operator policy version deleted"
	case OperatorPolicyAttached:
		return "operator policy attached"
	case DocumentCreated:
		return "document created"
	case DocumentVersionCreated:
		return "document version created"
	case DocumentDefaultVersionSet:
		return "document default version set"
	}
	if s, ok := eventChangeString(k); ok {
		return s
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Change is one thing provisioning changed.
type Change struct {
	Kind ChangeKind
	// Resource is the ARN or name of what changed.
	Resource string
	// Detail adds what a reader needs, such as the new version number.
	Detail string
}

func (c Change) String() string {
	s := c.Kind.String() + ": " + c.Resource
	if c.Detail != "" {
		s += " (" + c.Detail + ")"
	}
	return s
}

// StepError is the failure of one provisioning step.
type StepError struct {
	Step     Step
	Resource string
	Err      error
}

func (e *StepError) Error() string {
	return string(e.Step) + " " + e.Resource + ": " + e.Err.Error()
}

func (e *StepError) Unwrap() error { return e.Err }

// ProvisionError reports every failed step together with what was already
// done and what was skipped because it depended on a failed step.
type ProvisionError struct {
	Failed  []*StepError
	Done    []Change
	Skipped []Step
}

func (e *ProvisionError) Error() string {
	var b strings.Builder
	b.WriteString("delegate: provisioning failed: ")
	for i, f := range e.Failed {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Error())
	}
	if len(e.Done) > 0 {
		fmt.Fprintf(&b, "; already done: %d change(s)", len(e.Done))
		for _, c := range e.Done {
			b.WriteString(", ")
			b.WriteString(c.String())
		}
	}
	if len(e.Skipped) > 0 {
		b.WriteString("; skipped: ")
		for i, s := range e.Skipped {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(string(s))
		}
	}
	return b.String()
}

// Unwrap returns each step's error, so errors.As finds the API errors.
func (e *ProvisionError) Unwrap() []error {
	out := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		out[i] = f
	}
	return out
}

// ProvisionOptions tune Provision.
type ProvisionOptions struct {
	// OperatorUser and OperatorGroup, when set, receive the operator policy
	// as a customer managed policy named Plan.OperatorPolicyName.
	OperatorUser  string
	OperatorGroup string
	// Operator is the IAM client for the operator policy; by default the
	// role client when it implements OperatorAPIClient (*iam.Client does).
	Operator OperatorAPIClient
	// RoleDescription describes a created role.
	RoleDescription string
	// DryRun only reads: Provision returns the changes a real run would
	// make and writes nothing.
	DryRun bool
}

// maxPolicyVersions is IAM's limit of versions per managed policy.
const maxPolicyVersions = 5

// Provision applies the plan idempotently: it creates or repairs the
// service role, its trust and inline policy, the operator's managed policy
// and its attachment, and the document, changing only what differs. It
// returns the changes made; run twice, the second run returns none. When
// steps fail, the error is a *ProvisionError and the changes already made
// are returned too.
func Provision(ctx context.Context, roles RoleAPIClient, docs DocumentAPIClient, plan *Plan, optFns ...func(*ProvisionOptions)) ([]Change, error) {
	if plan == nil {
		return nil, errors.New("delegate: no plan to provision")
	}
	o := ProvisionOptions{}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Operator == nil {
		if oc, ok := roles.(OperatorAPIClient); ok {
			o.Operator = oc
		}
	}
	if o.DryRun {
		if roles != nil {
			roles = dryRoles{roles}
		}
		if o.Operator != nil {
			o.Operator = dryOperator{o.Operator}
		}
		if docs != nil {
			docs = dryDocuments{docs}
		}
	}
	if o.RoleDescription == "" {
		o.RoleDescription = "Service role for the Automation runbook " + plan.DocumentName
	}
	pr := &provisioner{plan: plan, opts: o}
	if plan.Role != nil {
		if roles == nil {
			pr.fail(StepRole, plan.Role.ARN, errors.New("no IAM client"))
		} else if pr.run(ctx, StepRole, plan.Role.ARN, func() error { return pr.role(ctx, roles) }) {
			// A runbook that needs no permissions gets a role with its
			// trust policy only.
			if plan.Role.Permissions != nil {
				pr.run(ctx, StepRolePolicy, plan.Role.ARN, func() error { return pr.rolePolicy(ctx, roles) })
			}
		} else if plan.Role.Permissions != nil {
			pr.skip(StepRolePolicy)
		}
	}
	if o.OperatorUser != "" || o.OperatorGroup != "" {
		arn := pr.operatorPolicyARN()
		switch {
		case o.Operator == nil:
			pr.fail(StepOperatorPolicy, arn, errors.New("no IAM client for the operator policy"))
			pr.skip(StepAttach)
		case pr.run(ctx, StepOperatorPolicy, arn, func() error { return pr.operatorPolicy(ctx, arn) }):
			pr.run(ctx, StepAttach, arn, func() error { return pr.attach(ctx, arn) })
		default:
			pr.skip(StepAttach)
		}
	}
	if plan.CreateDocument && plan.Document != nil {
		if docs == nil {
			pr.fail(StepDocument, plan.DocumentARN, errors.New("no SSM client"))
		} else {
			pr.run(ctx, StepDocument, plan.DocumentARN, func() error { return pr.document(ctx, docs) })
		}
	}
	if len(pr.failed) > 0 {
		return pr.done, &ProvisionError{Failed: pr.failed, Done: slices.Clone(pr.done), Skipped: pr.skipped}
	}
	return pr.done, nil
}

type provisioner struct {
	plan    *Plan
	opts    ProvisionOptions
	done    []Change
	failed  []*StepError
	skipped []Step
}

func (pr *provisioner) changed(k ChangeKind, resource, detail string) {
	pr.done = append(pr.done, Change{Kind: k, Resource: resource, Detail: detail})
}

func (pr *provisioner) fail(step Step, resource string, err error) {
	pr.failed = append(pr.failed, &StepError{Step: step, Resource: resource, Err: err})
}

func (pr *provisioner) skip(step Step) { pr.skipped = append(pr.skipped, step) }

// run runs one step, unless the context is done, and reports success.
func (pr *provisioner) run(ctx context.Context, step Step, resource string, f func() error) bool {
	if err := ctx.Err(); err != nil {
		pr.fail(step, resource, err)
		return false
	}
	if err := f(); err != nil {
		pr.fail(step, resource, err)
		return false
	}
	return true
}

func isNoSuchEntity(err error) bool {
	var nse *iamtypes.NoSuchEntityException
	if errors.As(err, &nse) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity"
}

// isDuplicateContent reports an update refused because a version of the
// document already holds the content.
func isDuplicateContent(err error) bool {
	var dup *ssmtypes.DuplicateDocumentContent
	if errors.As(err, &dup) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "DuplicateDocumentContent"
}

// versionHolding returns the newest version before latest whose content is
// the plan's, reading versions from the newest down.
func (pr *provisioner) versionHolding(ctx context.Context, c DocumentAPIClient, latest string) (string, error) {
	n, err := strconv.Atoi(latest)
	if err != nil {
		return "", fmt.Errorf("update document: latest version %q is not a number", latest)
	}
	name := aws.String(pr.plan.DocumentName)
	for v := n - 1; v >= 1; v-- {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		out, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: name, DocumentVersion: aws.String(strconv.Itoa(v))})
		if err != nil {
			return "", fmt.Errorf("get document version %d: %w", v, err)
		}
		if sameContent(aws.ToString(out.Content), pr.plan.Document) {
			return strconv.Itoa(v), nil
		}
	}
	return "", fmt.Errorf("update document: SSM reports the planned content as a duplicate, but no version before %s holds it", latest)
}

func isMissingDocument(err error) bool {
	var inv *ssmtypes.InvalidDocument
	if errors.As(err, &inv) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "InvalidDocument"
}

// isAlreadyExists reports a create that lost a race with another run.
func isAlreadyExists(err error) bool {
	var ee *iamtypes.EntityAlreadyExistsException
	var de *ssmtypes.DocumentAlreadyExists
	if errors.As(err, &ee) || errors.As(err, &de) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "EntityAlreadyExists" || ae.ErrorCode() == "DocumentAlreadyExists")
}

func compactPolicy(p *policy.Policy) (string, error) {
	b, err := p.Compact()
	return string(b), err
}

func (pr *provisioner) role(ctx context.Context, c RoleAPIClient) error {
	r := pr.plan.Role
	trust, err := compactPolicy(r.Trust)
	if err != nil {
		return err
	}
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.Name)})
	if isNoSuchEntity(err) {
		_, err = c.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(r.Name),
			Path:                     aws.String(r.Path),
			AssumeRolePolicyDocument: aws.String(trust),
			Description:              aws.String(pr.opts.RoleDescription),
		})
		if err == nil {
			pr.changed(RoleCreated, r.ARN, "")
			return nil
		}
		if !isAlreadyExists(err) {
			return fmt.Errorf("create role: %w", err)
		}
		// Another run created it meanwhile: check it like an existing one.
		got, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.Name)})
	}
	if err != nil {
		return fmt.Errorf("get role: %w", err)
	}
	if got.Role == nil {
		return errors.New("get role: empty response")
	}
	if arn := aws.ToString(got.Role.Arn); arn != "" && arn != r.ARN {
		// IAM cannot move a role to another path; never silently use a
		// different role than the plan (and the document) names.
		return fmt.Errorf("role %s exists as %s; plan with that role ARN or another role name", r.Name, arn)
	}
	current, err := decodePolicyDocument(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if err == nil && samePolicy(current, r.Trust) {
		return nil
	}
	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(r.Name), PolicyDocument: aws.String(trust)}); err != nil {
		return fmt.Errorf("update trust policy: %w", err)
	}
	pr.changed(RoleTrustUpdated, r.ARN, "")
	return nil
}

func (pr *provisioner) rolePolicy(ctx context.Context, c RoleAPIClient) error {
	r := pr.plan.Role
	if r.Permissions == nil {
		return errors.New("the plan has no permissions policy for the role")
	}
	doc, err := compactPolicy(r.Permissions)
	if err != nil {
		return err
	}
	got, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(r.PolicyName)})
	switch {
	case isNoSuchEntity(err):
	case err != nil:
		return fmt.Errorf("get role policy: %w", err)
	default:
		current, err := decodePolicyDocument(aws.ToString(got.PolicyDocument))
		if err == nil && samePolicy(current, r.Permissions) {
			return nil
		}
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(r.PolicyName), PolicyDocument: aws.String(doc)}); err != nil {
		return fmt.Errorf("put role policy: %w", err)
	}
	pr.changed(RolePolicyPut, r.ARN, r.PolicyName)
	return nil
}

func (pr *provisioner) operatorPolicyARN() string {
	return arn.ARN{Partition: pr.plan.Partition, Service: "iam", Account: pr.plan.Account, Resource: "policy/" + pr.plan.OperatorPolicyName}.String()
}

func (pr *provisioner) operatorPolicy(ctx context.Context, arn string) error {
	c := pr.opts.Operator
	doc, err := compactPolicy(pr.plan.OperatorPolicy)
	if err != nil {
		return err
	}
	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if isNoSuchEntity(err) {
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{
			PolicyName:     aws.String(pr.plan.OperatorPolicyName),
			PolicyDocument: aws.String(doc),
			Description:    aws.String("Start and follow the Automation runbook " + pr.plan.DocumentName),
		})
		if err == nil {
			pr.changed(OperatorPolicyCreated, arn, "")
			return nil
		}
		if !isAlreadyExists(err) {
			return fmt.Errorf("create policy: %w", err)
		}
		got, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	}
	if err != nil {
		return fmt.Errorf("get policy: %w", err)
	}
	if got.Policy == nil || got.Policy.DefaultVersionId == nil {
		return errors.New("get policy: no default version")
	}
	ver, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: got.Policy.DefaultVersionId})
	if err != nil {
		return fmt.Errorf("get policy version: %w", err)
	}
	if ver.PolicyVersion != nil {
		current, err := decodePolicyDocument(aws.ToString(ver.PolicyVersion.Document))
		if err == nil && samePolicy(current, pr.plan.OperatorPolicy) {
			return nil
		}
	}
	// IAM keeps at most five versions: make room by deleting the oldest
	// version that is not the default.
	list, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("list policy versions: %w", err)
	}
	if len(list.Versions) >= maxPolicyVersions {
		var oldest *iamtypes.PolicyVersion
		for i := range list.Versions {
			v := &list.Versions[i]
			if v.IsDefaultVersion || v.CreateDate == nil {
				continue
			}
			if oldest == nil || v.CreateDate.Before(*oldest.CreateDate) {
				oldest = v
			}
		}
		if oldest != nil {
			if _, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: oldest.VersionId}); err != nil {
				return fmt.Errorf("delete policy version: %w", err)
			}
			pr.changed(OperatorPolicyVersionDeleted, arn, aws.ToString(oldest.VersionId))
		}
	}
	out, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc), SetAsDefault: true})
	if err != nil {
		return fmt.Errorf("create policy version: %w", err)
	}
	detail := ""
	if out.PolicyVersion != nil {
		detail = aws.ToString(out.PolicyVersion.VersionId)
	}
	pr.changed(OperatorPolicyVersionCreated, arn, detail)
	return nil
}

func (pr *provisioner) attach(ctx context.Context, arn string) error {
	c := pr.opts.Operator
	if u := pr.opts.OperatorUser; u != "" {
		attached, err := attachedTo(ctx, arn, func(marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			out, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(u), Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, nextMarker(out.IsTruncated, out.Marker), nil
		})
		if err != nil {
			return fmt.Errorf("list policies of user %s: %w", u, err)
		}
		if !attached {
			if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(u), PolicyArn: aws.String(arn)}); err != nil {
				return fmt.Errorf("attach to user %s: %w", u, err)
			}
			pr.changed(OperatorPolicyAttached, arn, "user "+u)
		}
	}
	if g := pr.opts.OperatorGroup; g != "" {
		attached, err := attachedTo(ctx, arn, func(marker *string) ([]iamtypes.AttachedPolicy, *string, error) {
			out, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(g), Marker: marker})
			if err != nil {
				return nil, nil, err
			}
			return out.AttachedPolicies, nextMarker(out.IsTruncated, out.Marker), nil
		})
		if err != nil {
			return fmt.Errorf("list policies of group %s: %w", g, err)
		}
		if !attached {
			if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(g), PolicyArn: aws.String(arn)}); err != nil {
				return fmt.Errorf("attach to group %s: %w", g, err)
			}
			pr.changed(OperatorPolicyAttached, arn, "group "+g)
		}
	}
	return nil
}

func nextMarker(truncated bool, marker *string) *string {
	if !truncated || aws.ToString(marker) == "" {
		return nil
	}
	return marker
}

// attachedTo pages through attached policies looking for arn.
func attachedTo(ctx context.Context, arn string, page func(marker *string) ([]iamtypes.AttachedPolicy, *string, error)) (bool, error) {
	var marker *string
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		ps, next, err := page(marker)
		if err != nil {
			return false, err
		}
		for _, p := range ps {
			if aws.ToString(p.PolicyArn) == arn {
				return true, nil
			}
		}
		if next == nil {
			return false, nil
		}
		marker = next
	}
}

func (pr *provisioner) document(ctx context.Context, c DocumentAPIClient) error {
	p := pr.plan
	content, err := p.Document.JSON()
	if err != nil {
		return err
	}
	name := aws.String(p.DocumentName)
	cur, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: name})
	if isMissingDocument(err) {
		_, err = c.CreateDocument(ctx, &ssm.CreateDocumentInput{
			Name:           name,
			Content:        aws.String(string(content)),
			DocumentType:   ssmtypes.DocumentTypeAutomation,
			DocumentFormat: ssmtypes.DocumentFormatJson,
		})
		if err == nil {
			pr.changed(DocumentCreated, p.DocumentARN, "version 1")
			return nil
		}
		if !isAlreadyExists(err) {
			return fmt.Errorf("create document: %w", err)
		}
		cur, err = c.GetDocument(ctx, &ssm.GetDocumentInput{Name: name})
	}
	if err != nil {
		return fmt.Errorf("get document: %w", err)
	}
	if t := cur.DocumentType; t != "" && t != ssmtypes.DocumentTypeAutomation {
		return fmt.Errorf("document %s exists with type %s, not Automation", p.DocumentName, t)
	}
	if sameContent(aws.ToString(cur.Content), p.Document) {
		return nil
	}
	// The default version differs. When the latest version already holds
	// the planned content (an earlier run stopped half-way, or someone
	// reverted the default), making it the default is enough: SSM refuses
	// a version with duplicate content anyway.
	latest, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: name, DocumentVersion: aws.String("$LATEST")})
	if err != nil {
		return fmt.Errorf("get latest document version: %w", err)
	}
	version := aws.ToString(latest.DocumentVersion)
	if !sameContent(aws.ToString(latest.Content), p.Document) {
		out, err := c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{
			Name:            name,
			Content:         aws.String(string(content)),
			DocumentVersion: aws.String("$LATEST"),
			DocumentFormat:  ssmtypes.DocumentFormatJson,
		})
		switch {
		case isDuplicateContent(err):
			// An older version holds the planned content (someone pushed
			// and defaulted another one since): SSM refuses to store it
			// twice, so make that version the default again.
			version, err = pr.versionHolding(ctx, c, version)
			if err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("update document: %w", err)
		case out.DocumentDescription == nil || out.DocumentDescription.DocumentVersion == nil:
			return errors.New("update document: no version in the response")
		default:
			version = aws.ToString(out.DocumentDescription.DocumentVersion)
			pr.changed(DocumentVersionCreated, p.DocumentARN, "version "+version)
		}
	}
	if _, err := c.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{Name: name, DocumentVersion: aws.String(version)}); err != nil {
		return fmt.Errorf("set default version %s: %w", version, err)
	}
	pr.changed(DocumentDefaultVersionSet, p.DocumentARN, "version "+version)
	return nil
}
