package delegate

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// fakeAWS models the IAM and SSM state provisioning touches, returning
// policy documents URL-encoded as IAM does and the SDK's typed errors.
type fakeAWS struct {
	mu       sync.Mutex
	account  string
	roles    map[string]*fakeRole
	policies map[string]*fakePolicy
	users    map[string][]string
	groups   map[string][]string
	docs     map[string]*fakeDoc
	calls    []string
	fail     map[string]error
	clock    time.Time
}

type fakeRole struct {
	arn, path, trust string
	inline           map[string]string
}

type fakePolicyVersion struct {
	id, doc string
	created time.Time
}

type fakePolicy struct {
	versions []fakePolicyVersion
	def      string
	next     int
}

type fakeDoc struct {
	typ      ssmtypes.DocumentType
	versions []string
	def      int
}

var (
	_ RoleAPIClient     = (*fakeAWS)(nil)
	_ OperatorAPIClient = (*fakeAWS)(nil)
	_ DocumentAPIClient = (*fakeAWS)(nil)
)

func newFakeAWS(account string) *fakeAWS {
	return &fakeAWS{
		account: account, roles: map[string]*fakeRole{}, policies: map[string]*fakePolicy{},
		users: map[string][]string{}, groups: map[string][]string{}, docs: map[string]*fakeDoc{},
		fail: map[string]error{}, clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// iamEncode percent-encodes a document as IAM's Get* responses do.
func iamEncode(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

func (f *fakeAWS) call(op string) error {
	f.calls = append(f.calls, op)
	return f.fail[op]
}

// writes returns the mutating calls made.
func (f *fakeAWS) writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if !strings.HasPrefix(c, "Get") && !strings.HasPrefix(c, "List") {
			out = append(out, c)
		}
	}
	return out
}

func noSuchEntity(msg string) error {
	return &iamtypes.NoSuchEntityException{Message: aws.String(msg)}
}

func (f *fakeAWS) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetRole"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, noSuchEntity("The role with name " + aws.ToString(in.RoleName) + " cannot be found.")
	}
	return &iam.GetRoleOutput{Role: &iamtypes.Role{RoleName: in.RoleName, Arn: aws.String(r.arn), Path: aws.String(r.path), AssumeRolePolicyDocument: aws.String(iamEncode(r.trust))}}, nil
}

func (f *fakeAWS) CreateRole(_ context.Context, in *iam.CreateRoleInput, _ ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateRole"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.RoleName)
	if _, ok := f.roles[name]; ok {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: aws.String("exists")}
	}
	path := aws.ToString(in.Path)
	if path == "" {
		path = "/"
	}
	arn := "arn:aws:iam::" + f.account + ":role" + path + name
	f.roles[name] = &fakeRole{arn: arn, path: path, trust: aws.ToString(in.AssumeRolePolicyDocument), inline: map[string]string{}}
	return &iam.CreateRoleOutput{Role: &iamtypes.Role{Arn: aws.String(arn), RoleName: in.RoleName}}, nil
}

func (f *fakeAWS) UpdateAssumeRolePolicy(_ context.Context, in *iam.UpdateAssumeRolePolicyInput, _ ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateAssumeRolePolicy"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, noSuchEntity("no role")
	}
	r.trust = aws.ToString(in.PolicyDocument)
	return &iam.UpdateAssumeRolePolicyOutput{}, nil
}

func (f *fakeAWS) GetRolePolicy(_ context.Context, in *iam.GetRolePolicyInput, _ ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetRolePolicy"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, noSuchEntity("no role")
	}
	doc, ok := r.inline[aws.ToString(in.PolicyName)]
	if !ok {
		return nil, noSuchEntity("no policy")
	}
	return &iam.GetRolePolicyOutput{RoleName: in.RoleName, PolicyName: in.PolicyName, PolicyDocument: aws.String(iamEncode(doc))}, nil
}

func (f *fakeAWS) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("PutRolePolicy"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, noSuchEntity("no role")
	}
	r.inline[aws.ToString(in.PolicyName)] = aws.ToString(in.PolicyDocument)
	return &iam.PutRolePolicyOutput{}, nil
}

func (f *fakeAWS) policyARN(name string) string {
	return "arn:aws:iam::" + f.account + ":policy/" + name
}

func (f *fakeAWS) GetPolicy(_ context.Context, in *iam.GetPolicyInput, _ ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetPolicy"); err != nil {
		return nil, err
	}
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok {
		return nil, noSuchEntity("no policy")
	}
	return &iam.GetPolicyOutput{Policy: &iamtypes.Policy{Arn: in.PolicyArn, DefaultVersionId: aws.String(p.def)}}, nil
}

func (f *fakeAWS) GetPolicyVersion(_ context.Context, in *iam.GetPolicyVersionInput, _ ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetPolicyVersion"); err != nil {
		return nil, err
	}
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok {
		return nil, noSuchEntity("no policy")
	}
	for _, v := range p.versions {
		if v.id == aws.ToString(in.VersionId) {
			return &iam.GetPolicyVersionOutput{PolicyVersion: &iamtypes.PolicyVersion{VersionId: aws.String(v.id), Document: aws.String(iamEncode(v.doc)), IsDefaultVersion: v.id == p.def}}, nil
		}
	}
	return nil, noSuchEntity("no version")
}

func (f *fakeAWS) tick() time.Time {
	f.clock = f.clock.Add(time.Minute)
	return f.clock
}

func (f *fakeAWS) CreatePolicy(_ context.Context, in *iam.CreatePolicyInput, _ ...func(*iam.Options)) (*iam.CreatePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreatePolicy"); err != nil {
		return nil, err
	}
	arn := f.policyARN(aws.ToString(in.PolicyName))
	if _, ok := f.policies[arn]; ok {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: aws.String("exists")}
	}
	f.policies[arn] = &fakePolicy{versions: []fakePolicyVersion{{id: "v1", doc: aws.ToString(in.PolicyDocument), created: f.tick()}}, def: "v1", next: 2}
	return &iam.CreatePolicyOutput{Policy: &iamtypes.Policy{Arn: aws.String(arn), DefaultVersionId: aws.String("v1")}}, nil
}

func (f *fakeAWS) CreatePolicyVersion(_ context.Context, in *iam.CreatePolicyVersionInput, _ ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreatePolicyVersion"); err != nil {
		return nil, err
	}
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok {
		return nil, noSuchEntity("no policy")
	}
	if len(p.versions) >= maxPolicyVersions {
		return nil, &iamtypes.LimitExceededException{Message: aws.String("A managed policy can have up to 5 versions.")}
	}
	id := "v" + strconv.Itoa(p.next)
	p.next++
	p.versions = append(p.versions, fakePolicyVersion{id: id, doc: aws.ToString(in.PolicyDocument), created: f.tick()})
	if in.SetAsDefault {
		p.def = id
	}
	return &iam.CreatePolicyVersionOutput{PolicyVersion: &iamtypes.PolicyVersion{VersionId: aws.String(id), IsDefaultVersion: in.SetAsDefault}}, nil
}

func (f *fakeAWS) ListPolicyVersions(_ context.Context, in *iam.ListPolicyVersionsInput, _ ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListPolicyVersions"); err != nil {
		return nil, err
	}
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok {
		return nil, noSuchEntity("no policy")
	}
	out := &iam.ListPolicyVersionsOutput{}
	for _, v := range p.versions {
		out.Versions = append(out.Versions, iamtypes.PolicyVersion{VersionId: aws.String(v.id), IsDefaultVersion: v.id == p.def, CreateDate: aws.Time(v.created)})
	}
	return out, nil
}

func (f *fakeAWS) DeletePolicyVersion(_ context.Context, in *iam.DeletePolicyVersionInput, _ ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DeletePolicyVersion"); err != nil {
		return nil, err
	}
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok {
		return nil, noSuchEntity("no policy")
	}
	id := aws.ToString(in.VersionId)
	if id == p.def {
		return nil, &iamtypes.DeleteConflictException{Message: aws.String("cannot delete the default version")}
	}
	p.versions = slices.DeleteFunc(p.versions, func(v fakePolicyVersion) bool { return v.id == id })
	return &iam.DeletePolicyVersionOutput{}, nil
}

func (f *fakeAWS) AttachUserPolicy(_ context.Context, in *iam.AttachUserPolicyInput, _ ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("AttachUserPolicy"); err != nil {
		return nil, err
	}
	u := aws.ToString(in.UserName)
	if !slices.Contains(f.users[u], aws.ToString(in.PolicyArn)) {
		f.users[u] = append(f.users[u], aws.ToString(in.PolicyArn))
	}
	return &iam.AttachUserPolicyOutput{}, nil
}

func (f *fakeAWS) AttachGroupPolicy(_ context.Context, in *iam.AttachGroupPolicyInput, _ ...func(*iam.Options)) (*iam.AttachGroupPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("AttachGroupPolicy"); err != nil {
		return nil, err
	}
	g := aws.ToString(in.GroupName)
	if !slices.Contains(f.groups[g], aws.ToString(in.PolicyArn)) {
		f.groups[g] = append(f.groups[g], aws.ToString(in.PolicyArn))
	}
	return &iam.AttachGroupPolicyOutput{}, nil
}

// attachedPage pages one attached policy at a time to exercise markers.
func attachedPage(arns []string, marker *string) ([]iamtypes.AttachedPolicy, bool, *string) {
	i := 0
	if marker != nil {
		i, _ = strconv.Atoi(*marker)
	}
	if i >= len(arns) {
		return nil, false, nil
	}
	page := []iamtypes.AttachedPolicy{{PolicyArn: aws.String(arns[i])}}
	if i+1 < len(arns) {
		return page, true, aws.String(strconv.Itoa(i + 1))
	}
	return page, false, nil
}

func (f *fakeAWS) ListAttachedUserPolicies(_ context.Context, in *iam.ListAttachedUserPoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListAttachedUserPolicies"); err != nil {
		return nil, err
	}
	ps, more, next := attachedPage(f.users[aws.ToString(in.UserName)], in.Marker)
	return &iam.ListAttachedUserPoliciesOutput{AttachedPolicies: ps, IsTruncated: more, Marker: next}, nil
}

func (f *fakeAWS) ListAttachedGroupPolicies(_ context.Context, in *iam.ListAttachedGroupPoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedGroupPoliciesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListAttachedGroupPolicies"); err != nil {
		return nil, err
	}
	ps, more, next := attachedPage(f.groups[aws.ToString(in.GroupName)], in.Marker)
	return &iam.ListAttachedGroupPoliciesOutput{AttachedPolicies: ps, IsTruncated: more, Marker: next}, nil
}

func (f *fakeAWS) GetDocument(_ context.Context, in *ssm.GetDocumentInput, _ ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetDocument"); err != nil {
		return nil, err
	}
	d, ok := f.docs[aws.ToString(in.Name)]
	if !ok {
		return nil, &ssmtypes.InvalidDocument{Message: aws.String("Document with name " + aws.ToString(in.Name) + " does not exist.")}
	}
	v := d.def
	switch ver := aws.ToString(in.DocumentVersion); ver {
	case "", "$DEFAULT":
	case "$LATEST":
		v = len(d.versions)
	default:
		n, err := strconv.Atoi(ver)
		if err != nil || n < 1 || n > len(d.versions) {
			return nil, &ssmtypes.InvalidDocumentVersion{Message: aws.String("bad version")}
		}
		v = n
	}
	return &ssm.GetDocumentOutput{Name: in.Name, Content: aws.String(d.versions[v-1]), DocumentType: d.typ, DocumentVersion: aws.String(strconv.Itoa(v)), DocumentFormat: ssmtypes.DocumentFormatJson}, nil
}

func (f *fakeAWS) CreateDocument(_ context.Context, in *ssm.CreateDocumentInput, _ ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateDocument"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	if _, ok := f.docs[name]; ok {
		return nil, &ssmtypes.DocumentAlreadyExists{Message: aws.String("exists")}
	}
	f.docs[name] = &fakeDoc{typ: in.DocumentType, versions: []string{aws.ToString(in.Content)}, def: 1}
	return &ssm.CreateDocumentOutput{DocumentDescription: &ssmtypes.DocumentDescription{Name: in.Name, DocumentVersion: aws.String("1")}}, nil
}

func (f *fakeAWS) UpdateDocument(_ context.Context, in *ssm.UpdateDocumentInput, _ ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateDocument"); err != nil {
		return nil, err
	}
	d, ok := f.docs[aws.ToString(in.Name)]
	if !ok {
		return nil, &ssmtypes.InvalidDocument{Message: aws.String("no document")}
	}
	if slices.Contains(d.versions, aws.ToString(in.Content)) {
		// SSM refuses content that any version already holds.
		return nil, &ssmtypes.DuplicateDocumentContent{Message: aws.String("The content of the association document matches another document.")}
	}
	d.versions = append(d.versions, aws.ToString(in.Content))
	v := strconv.Itoa(len(d.versions))
	return &ssm.UpdateDocumentOutput{DocumentDescription: &ssmtypes.DocumentDescription{Name: in.Name, DocumentVersion: aws.String(v)}}, nil
}

func (f *fakeAWS) UpdateDocumentDefaultVersion(_ context.Context, in *ssm.UpdateDocumentDefaultVersionInput, _ ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateDocumentDefaultVersion"); err != nil {
		return nil, err
	}
	d, ok := f.docs[aws.ToString(in.Name)]
	if !ok {
		return nil, &ssmtypes.InvalidDocument{Message: aws.String("no document")}
	}
	n, err := strconv.Atoi(aws.ToString(in.DocumentVersion))
	if err != nil || n < 1 || n > len(d.versions) {
		return nil, &ssmtypes.InvalidDocumentVersion{Message: aws.String(fmt.Sprintf("bad version %s", aws.ToString(in.DocumentVersion)))}
	}
	d.def = n
	return &ssm.UpdateDocumentDefaultVersionOutput{}, nil
}
