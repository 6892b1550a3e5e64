package ssmlocal

import (
	"context"
	"maps"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	awsarn "github.com/ssmdelegate/ssmdelegate/internal/arn"
	"github.com/ssmdelegate/ssmdelegate/policy"
)

// iamState is the account's IAM: users, roles, managed policies, access
// keys, groups and temporary sessions. Guarded by Server.mu.
type iamState struct {
	Users      map[string]*iamUser       `json:"users"`
	Roles      map[string]*iamRole       `json:"roles"`
	Policies   map[string]*managedPolicy `json:"policies"`
	AccessKeys map[string]*accessKey     `json:"accessKeys"`
	Sessions   map[string]*stsSession    `json:"sessions"`
	Groups     map[string]*iamGroup      `json:"groups"`
	// InstanceProfiles are by name; absent from states written before
	// instance profiles were simulated.
	InstanceProfiles map[string]*instanceProfile `json:"instanceProfiles,omitempty"`
}

func newIAMState() *iamState {
	return &iamState{
		Users:      map[string]*iamUser{},
		Roles:      map[string]*iamRole{},
		Policies:   map[string]*managedPolicy{},
		AccessKeys: map[string]*accessKey{},
		Sessions:   map[string]*stsSession{},
		Groups:     map[string]*iamGroup{},

		InstanceProfiles: map[string]*instanceProfile{},
	}
}

// iamUser is an IAM user.
type iamUser struct {
	Name     string            `json:"name"`
	ID       string            `json:"id"`
	ARN      string            `json:"arn"`
	Path     string            `json:"path"`
	Created  time.Time         `json:"created"`
	Inline   map[string]string `json:"inline"`
	Attached []string          `json:"attached"`
	Tags     []tag             `json:"tags,omitempty"`
}

// iamRole is an IAM role.
type iamRole struct {
	Name        string            `json:"name"`
	ID          string            `json:"id"`
	ARN         string            `json:"arn"`
	Path        string            `json:"path"`
	Description string            `json:"description,omitempty"`
	Created     time.Time         `json:"created"`
	Trust       string            `json:"trust"`
	MaxSession  int64             `json:"maxSession"`
	Inline      map[string]string `json:"inline"`
	Attached    []string          `json:"attached"`
	Tags        []tag             `json:"tags,omitempty"`
	LastUsed    time.Time         `json:"lastUsed,omitzero"`
	LastRegion  string            `json:"lastRegion,omitempty"`
}

// managedPolicy is a customer or AWS managed policy with its versions.
type managedPolicy struct {
	Name           string          `json:"name"`
	ID             string          `json:"id"`
	ARN            string          `json:"arn"`
	Path           string          `json:"path"`
	Description    string          `json:"description,omitempty"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
	DefaultVersion string          `json:"defaultVersion"`
	Versions       []policyVersion `json:"versions"`
	NextVersion    int             `json:"nextVersion"`
	Attachments    int             `json:"attachments"`
	Tags           []tag           `json:"tags,omitempty"`
}

// policyVersion is one version of a managed policy.
type policyVersion struct {
	ID       string    `json:"id"`
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

func (p *managedPolicy) document() string {
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersion {
			return v.Document
		}
	}
	return ""
}

// accessKey is a user's long-term key.
type accessKey struct {
	ID       string    `json:"id"`
	Secret   string    `json:"secret"`
	UserName string    `json:"userName"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
}

// stsSession is a set of temporary credentials from AssumeRole.
type stsSession struct {
	AccessKeyID string    `json:"accessKeyId"`
	Secret      string    `json:"secret"`
	Token       string    `json:"token"`
	RoleName    string    `json:"roleName"`
	RoleARN     string    `json:"roleArn"`
	RoleID      string    `json:"roleId"`
	SessionName string    `json:"sessionName"`
	Expires     time.Time `json:"expires"`
}

// tag is a key and value.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// identity is an authenticated caller.
type identity struct {
	ARN         string
	AccessKeyID string
	UserID      string // GetCallerIdentity's UserId
	UserName    string // for users
	RoleName    string // for assumed-role sessions
	RoleARN     string
	Expires     time.Time
}

func (id identity) principalType() string {
	if id.RoleName != "" {
		return "AssumedRole"
	}
	return "User"
}

var (
	iamNamePattern   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPathPattern   = regexp.MustCompile(`^(/|/[\x21-\x7E]*/)$`)
	sessionPattern   = regexp.MustCompile(`^[\w+=,.@-]*$`)
	policyVerPattern = regexp.MustCompile(`^v[1-9][0-9]*$`)
)

func checkName(member, v string, max int) error {
	if v == "" {
		return apiErr("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(member))
	}
	if len(v) > max {
		return apiErr("ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, lowerFirst(member), max)
	}
	if !iamNamePattern.MatchString(v) {
		return apiErr("ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", v, lowerFirst(member))
	}
	return nil
}

// iamPath checks a Path member, "/" when absent.
func iamPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !iamPathPattern.MatchString(p) {
		return "", apiErr("ValidationError", "1 validation error detected: Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", p)
	}
	return p, nil
}

// checkPolicyDocument validates a policy document as IAM does on every
// write: well-formed JSON, and no grammar error of its kind
// (MalformedPolicyDocument); the size quotas are checked by the callers,
// which know what the document is added to.
func (s *Server) checkPolicyDocument(doc string, kind policy.Kind) error {
	if doc == "" {
		return apiErr("ValidationError", "1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	}
	if len(doc) > 131072 {
		return apiErr("ValidationError", "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072")
	}
	p, err := s.policies.parse(doc)
	if err != nil {
		return apiErr("MalformedPolicyDocument", "%v", err)
	}
	report := policy.Lint(p, kind, func(o *policy.LintOptions) { o.SizeLimit = -1 })
	if errs := report.Errors(); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, f := range errs {
			msgs[i] = f.String()
		}
		return apiErr("MalformedPolicyDocument", "%s", strings.Join(msgs, "; "))
	}
	return nil
}

// Size quota errors, as IAM words them. Sizes are counted as IAM counts
// them: characters without white space (policy.Size).
func managedSizeError(doc string) error {
	if policy.Size([]byte(doc)) > policy.LimitManaged {
		return apiErr("LimitExceeded", "Cannot exceed quota for PolicySize: %d", policy.LimitManaged)
	}
	return nil
}

func trustSizeError(doc string) error {
	if policy.Size([]byte(doc)) > policy.LimitTrust {
		return apiErr("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d", policy.LimitTrust)
	}
	return nil
}

// inlineSizeError checks the quota on all inline policies of one user,
// role or group together, with doc stored as name.
func inlineSizeError(noun, entity string, limit int, inline map[string]string, name, doc string) error {
	total := policy.Size([]byte(doc))
	for n, d := range inline {
		if n != name {
			total += policy.Size([]byte(d))
		}
	}
	if total > limit {
		return apiErr("LimitExceeded", "Maximum policy size of %d bytes exceeded for %s %s", limit, noun, entity)
	}
	return nil
}

// encodePolicy is how IAM returns policy documents: URL-encoded JSON.
func encodePolicy(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// tagsOf converts the SDK's tags.
func tagsOf(in []iamtypes.Tag) []tag {
	var out []tag
	for _, t := range in {
		out = append(out, tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

// checkTags converts a request's tags, at most 50.
func checkTags(in []iamtypes.Tag) ([]tag, error) {
	return checkTagCount(tagsOf(in))
}

func checkTagCount(out []tag) ([]tag, error) {
	if len(out) > 50 {
		return nil, apiErr("LimitExceeded", "cannot exceed quota for TagsPerUser: 50")
	}
	return out, nil
}

// iamTags converts tags to the SDK's; none is nil, left off the wire.
func iamTags(tags []tag) []iamtypes.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iamtypes.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)}
	}
	return out
}

func userType(u *iamUser) iamtypes.User {
	return iamtypes.User{Path: aws.String(u.Path), UserName: aws.String(u.Name), UserId: aws.String(u.ID), Arn: aws.String(u.ARN),
		CreateDate: aws.Time(u.Created), Tags: iamTags(u.Tags)}
}

func userShape(u *iamUser) map[string]any { return shapeMap(userType(u)) }

func roleType(r *iamRole) iamtypes.Role {
	out := iamtypes.Role{
		Path: aws.String(r.Path), RoleName: aws.String(r.Name), RoleId: aws.String(r.ID), Arn: aws.String(r.ARN), CreateDate: aws.Time(r.Created),
		AssumeRolePolicyDocument: aws.String(encodePolicy(r.Trust)), MaxSessionDuration: aws.Int32(int32(min(r.MaxSession, math.MaxInt32))),
		Description: optString(r.Description), Tags: iamTags(r.Tags),
	}
	if !r.LastUsed.IsZero() {
		out.RoleLastUsed = &iamtypes.RoleLastUsed{LastUsedDate: aws.Time(r.LastUsed), Region: aws.String(r.LastRegion)}
	}
	return out
}

func roleShape(r *iamRole) map[string]any { return shapeMap(roleType(r)) }

func policyType(p *managedPolicy) iamtypes.Policy {
	return iamtypes.Policy{
		PolicyName: aws.String(p.Name), PolicyId: aws.String(p.ID), Arn: aws.String(p.ARN), Path: aws.String(p.Path), DefaultVersionId: aws.String(p.DefaultVersion),
		AttachmentCount: aws.Int32(int32(min(p.Attachments, math.MaxInt32))), PermissionsBoundaryUsageCount: aws.Int32(0), IsAttachable: true,
		CreateDate: aws.Time(p.Created), UpdateDate: aws.Time(p.Updated), Description: optString(p.Description), Tags: iamTags(p.Tags),
	}
}

func policyShape(p *managedPolicy) map[string]any { return shapeMap(policyType(p)) }

// userNamed returns the user, or the caller when name is empty (GetUser,
// CreateAccessKey without UserName).
func (s *Server) userNamed(c *call, name string) (*iamUser, error) {
	if name == "" {
		if c.who.UserName == "" {
			return nil, apiErr("ValidationError", "Must specify userName when calling with non-User credentials")
		}
		name = c.who.UserName
	}
	u, ok := s.iam.Users[name]
	if !ok {
		return nil, notFound("NoSuchEntity", "The user with name %s cannot be found.", name)
	}
	return u, nil
}

func (s *Server) roleNamed(name string) (*iamRole, error) {
	if err := checkName("RoleName", name, 64); err != nil {
		return nil, err
	}
	return s.role(name)
}

func (s *Server) role(name string) (*iamRole, error) {
	r, ok := s.iam.Roles[name]
	if !ok {
		return nil, notFound("NoSuchEntity", "The role with name %s cannot be found.", name)
	}
	return r, nil
}

func (s *Server) policyByARN(arn string) (*managedPolicy, error) {
	if _, err := awsarn.Parse(arn); len(arn) < 20 || err != nil {
		return nil, apiErr("InvalidInput", "ARN %s is not valid.", arn)
	}
	p, ok := s.iam.Policies[arn]
	if !ok {
		return nil, notFound("NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
	}
	return p, nil
}

// awsManaged reports whether arn names an AWS managed policy.
func (s *Server) awsManaged(arn string) bool {
	a, err := awsarn.Parse(arn)
	return err == nil && a.Partition == s.opts.Partition && a.Service == "iam" && a.Region == "" && a.Account == "aws"
}

// localPolicy is policyByARN for a change; an AWS managed policy is
// refused, saying it cannot be what ("changed", "deleted"). Callers hold
// s.mu.
func (s *Server) localPolicy(arn, what string) (*managedPolicy, error) {
	p, err := s.policyByARN(arn)
	if err != nil {
		return nil, err
	}
	if s.awsManaged(arn) {
		return nil, apiErr("AccessDenied", "AWS managed policies cannot be %s", what)
	}
	return p, nil
}

func conflict(format string, args ...any) *APIError {
	e := apiErr("EntityAlreadyExists", format, args...)
	e.Status = http.StatusConflict
	return e
}

func (s *Server) iamARN(kind, path, name string) string {
	return s.arn("iam", "", kind+path+name)
}

func iamOps() []opDef {
	users, roles := userPolicies(), rolePolicies()
	return append([]opDef{
		{"iam", "CreateUser", false, typed((*Server).iamCreateUser), authOnRef("iam:CreateUser", newEntityTarget("user", "UserName"))},
		{"iam", "GetUser", false, typed((*Server).iamGetUser), users.spec("iam:GetUser", false)},
		{"iam", "CreateAccessKey", false, typed((*Server).iamCreateAccessKey), users.spec("iam:CreateAccessKey", false)},
		{"iam", "PutUserPolicy", false, typed((*Server).iamPutUserPolicy), users.spec("iam:PutUserPolicy", false)},
		{"iam", "GetUserPolicy", false, typed((*Server).iamGetUserPolicy), users.spec("iam:GetUserPolicy", false)},
		{"iam", "ListUserPolicies", false, typed((*Server).iamListUserPolicies), users.spec("iam:ListUserPolicies", false)},
		{"iam", "AttachUserPolicy", false, typed((*Server).iamAttachUserPolicy), users.spec("iam:AttachUserPolicy", true)},
		{"iam", "ListAttachedUserPolicies", false, typed((*Server).iamListAttachedUserPolicies), users.spec("iam:ListAttachedUserPolicies", false)},
		{"iam", "CreatePolicy", false, typed((*Server).iamCreatePolicy), authOnRef("iam:CreatePolicy", newEntityTarget("policy", "PolicyName"))},
		{"iam", "GetPolicy", false, typed((*Server).iamGetPolicy), authOnRef("iam:GetPolicy", policyTarget)},
		{"iam", "GetPolicyVersion", false, typed((*Server).iamGetPolicyVersion), authOnRef("iam:GetPolicyVersion", policyTarget)},
		{"iam", "CreatePolicyVersion", false, typed((*Server).iamCreatePolicyVersion), authOnRef("iam:CreatePolicyVersion", policyTarget)},
		{"iam", "ListPolicyVersions", false, typed((*Server).iamListPolicyVersions), authOnRef("iam:ListPolicyVersions", policyTarget)},
		{"iam", "CreateRole", false, typed((*Server).iamCreateRole), authOnRef("iam:CreateRole", newEntityTarget("role", "RoleName"))},
		{"iam", "GetRole", false, typed((*Server).iamGetRole), roles.spec("iam:GetRole", false)},
		{"iam", "UpdateAssumeRolePolicy", false, typed((*Server).iamUpdateAssumeRolePolicy), roles.spec("iam:UpdateAssumeRolePolicy", false)},
		{"iam", "PutRolePolicy", false, typed((*Server).iamPutRolePolicy), roles.spec("iam:PutRolePolicy", false)},
		{"iam", "GetRolePolicy", false, typed((*Server).iamGetRolePolicy), roles.spec("iam:GetRolePolicy", false)},
		{"iam", "DeleteRolePolicy", false, typed((*Server).iamDeleteRolePolicy), roles.spec("iam:DeleteRolePolicy", false)},
		{"iam", "ListRolePolicies", false, typed((*Server).iamListRolePolicies), roles.spec("iam:ListRolePolicies", false)},
		{"iam", "AttachRolePolicy", false, typed((*Server).iamAttachRolePolicy), roles.spec("iam:AttachRolePolicy", true)},
		{"iam", "DetachRolePolicy", false, typed((*Server).iamDetachRolePolicy), roles.spec("iam:DetachRolePolicy", true)},
		{"iam", "ListAttachedRolePolicies", false, typed((*Server).iamListAttachedRolePolicies), roles.spec("iam:ListAttachedRolePolicies", false)},
	}, slices.Concat(iamListOps(), iamRoleTagOps(), iamAccountOps())...)
}

// newEntityRef is what the target of an operation creating an entity
// reads: the entity's name (by the member the operation names it with),
// path and tags.
type newEntityRef struct {
	UserName            *string
	RoleName            *string
	GroupName           *string
	PolicyName          *string
	InstanceProfileName *string
	Path                *string
	Tags                []iamtypes.Tag
}

func (r *newEntityRef) name(key string) string {
	switch key {
	case "UserName":
		return aws.ToString(r.UserName)
	case "RoleName":
		return aws.ToString(r.RoleName)
	case "GroupName":
		return aws.ToString(r.GroupName)
	case "PolicyName":
		return aws.ToString(r.PolicyName)
	}
	return aws.ToString(r.InstanceProfileName)
}

// newEntityTarget is the target of CreateUser, CreateRole, CreateGroup,
// CreatePolicy and CreateInstanceProfile: the ARN the new entity will
// have, with the request's tags.
func newEntityTarget(kind, nameKey string) func(s *Server, c *call, in *newEntityRef) []authTarget {
	return func(s *Server, _ *call, in *newEntityRef) []authTarget {
		path, err := iamPath(aws.ToString(in.Path))
		if err != nil {
			path = "/"
		}
		return on(s.iamARN(kind, path, in.name(nameKey)), requestTagContext(tagsOf(in.Tags), nil))
	}
}

// policyRef is what a managed policy operation's target reads.
type policyRef struct {
	PolicyArn *string
}

// policyTarget is a managed policy operation's target: its PolicyArn.
func policyTarget(_ *Server, _ *call, in *policyRef) []authTarget {
	return on(aws.ToString(in.PolicyArn), nil)
}

func (s *Server) iamCreateUser(_ context.Context, c *call, in *iam.CreateUserInput) (*iam.CreateUserOutput, error) {
	name := aws.ToString(in.UserName)
	if err := checkName("UserName", name, 64); err != nil {
		return nil, err
	}
	path, err := iamPath(aws.ToString(in.Path))
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	arn := s.iamARN("user", path, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.iam.Users[name]; ok {
		return nil, conflict("User with name %s already exists.", name)
	}
	u := &iamUser{Name: name, ID: newID("AIDA", 17), ARN: arn, Path: path, Created: s.clock.Now().UTC(), Inline: map[string]string{}, Tags: tags}
	s.iam.Users[name] = u
	s.changed()
	out := userType(u)
	return &iam.CreateUserOutput{User: &out}, nil
}

func (s *Server) iamGetUser(_ context.Context, c *call, in *iam.GetUserInput) (*iam.GetUserOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.userNamed(c, aws.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	out := userType(u)
	return &iam.GetUserOutput{User: &out}, nil
}

func (s *Server) iamCreateAccessKey(_ context.Context, c *call, in *iam.CreateAccessKeyInput) (*iam.CreateAccessKeyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userNamed(c, aws.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	n := 0
	for _, k := range s.iam.AccessKeys {
		if k.UserName == u.Name {
			n++
		}
	}
	if n >= 2 {
		return nil, apiErr("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	}
	k := &accessKey{ID: newID("AKIA", 16), Secret: newSecret(), UserName: u.Name, Status: "Active", Created: s.clock.Now().UTC()}
	s.iam.AccessKeys[k.ID] = k
	s.changed()
	return &iam.CreateAccessKeyOutput{AccessKey: &iamtypes.AccessKey{
		UserName: aws.String(k.UserName), AccessKeyId: aws.String(k.ID), Status: iamtypes.StatusType(k.Status),
		SecretAccessKey: aws.String(k.Secret), CreateDate: aws.Time(k.Created),
	}}, nil
}

// checkInline checks the members every inline policy call shares: the
// policy's name, and its document when withDoc.
func (s *Server) checkInline(name, doc string, withDoc bool) error {
	if err := checkName("PolicyName", name, 128); err != nil {
		return err
	}
	if !withDoc {
		return nil
	}
	return s.checkPolicyDocument(doc, policy.KindIdentity)
}

// policyHolder is the part of a user, role or group that its inline and
// attached managed policies live in.
type policyHolder struct {
	name     string
	arn      string
	inline   map[string]string
	attached *[]string
}

// nameOrder is when an operation reads and validates the entity's name,
// relative to the operation's own members and the lookup. It decides which
// error a request with several bad members gets, so each kind keeps its own.
type nameOrder int

const (
	// nameFirst reads and validates the name before the other members.
	nameFirst nameOrder = iota
	// nameReadFirst reads the name first and validates it at the lookup.
	nameReadFirst
	// nameLast reads and validates the name at the lookup.
	nameLast
)

// holderKind is what the inline and managed policy operations need to know
// about users, roles or groups: one implementation of each operation serves
// all three, so they cannot drift apart.
type holderKind struct {
	kind string // "User": the middle of Put<kind>Policy and its action name
	noun string // "user": as in "The user policy with name p cannot be found."
	key  string // input and response member naming the entity: UserName
	max  int    // that name's length limit
	// inlineLimit is IAM's quota on all the entity's inline policies
	// together.
	inlineLimit int
	order       nameOrder
	// listAnyName skips the name check of List<kind>Policies, so an
	// omitted name means the caller.
	listAnyName bool
	// find looks the entity up; callers hold s.mu.
	find func(s *Server, c *call, name string) (policyHolder, error)
}

func userPolicies() holderKind {
	return holderKind{kind: "User", noun: "user", key: "UserName", max: 128, order: nameFirst, listAnyName: true, inlineLimit: policy.LimitUserInline,
		find: func(s *Server, c *call, name string) (policyHolder, error) {
			u, err := s.userNamed(c, name)
			if err != nil {
				return policyHolder{}, err
			}
			return policyHolder{name: u.Name, arn: u.ARN, inline: u.Inline, attached: &u.Attached}, nil
		}}
}

func rolePolicies() holderKind {
	return holderKind{kind: "Role", noun: "role", key: "RoleName", max: 64, order: nameReadFirst, inlineLimit: policy.LimitRoleInline,
		find: func(s *Server, _ *call, name string) (policyHolder, error) {
			r, err := s.role(name)
			if err != nil {
				return policyHolder{}, err
			}
			return policyHolder{name: r.Name, arn: r.ARN, inline: r.Inline, attached: &r.Attached}, nil
		}}
}

// holderAccess is how an operation uses the entity: reading, changing, or
// listing its inline policies, where a user's name may be left out.
type holderAccess int

const (
	holderRead holderAccess = iota
	holderWrite
	holderList
)

// with validates the entity's name in the kind's order around check, the
// operation's own members, and runs fn on the entity under s.mu: the
// prologue every policy operation on a user, role or group shares.
func (k holderKind) with(s *Server, c *call, entity string, access holderAccess, check func() error, fn func(policyHolder) error) error {
	if k.order == nameFirst && !(access == holderList && k.listAnyName) {
		if err := checkName(k.key, entity, k.max); err != nil {
			return err
		}
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	if access == holderWrite {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	if k.order != nameFirst {
		if err := checkName(k.key, entity, k.max); err != nil {
			return err
		}
	}
	h, err := k.find(s, c, entity)
	if err != nil {
		return err
	}
	return fn(h)
}

// holderRef is what an authorization target reads of an input naming a
// user, role or group: every such input has one of the three names.
type holderRef struct {
	UserName  *string
	RoleName  *string
	GroupName *string
	PolicyArn *string
}

func (r *holderRef) name(key string) string {
	switch key {
	case "UserName":
		return aws.ToString(r.UserName)
	case "RoleName":
		return aws.ToString(r.RoleName)
	}
	return aws.ToString(r.GroupName)
}

// spec authorizes action on the entity the input names (the caller for a
// user operation without UserName); withPolicyARN adds iam:PolicyARN.
func (k holderKind) spec(action string, withPolicyARN bool) authSpec {
	return authOnRef(action, func(s *Server, c *call, in *holderRef) []authTarget {
		var ctx map[string][]string
		if withPolicyARN {
			ctx = map[string][]string{"iam:PolicyARN": {aws.ToString(in.PolicyArn)}}
		}
		return on(k.arnOf(s, c, in.name(k.key)), ctx)
	})
}

// arnOf is the ARN of the named entity, or the one it would have at the
// root path when there is none. Callers hold s.mu.
func (k holderKind) arnOf(s *Server, c *call, name string) string {
	if h, err := k.find(s, c, name); err == nil {
		return h.arn
	}
	return s.iamARN(strings.ToLower(k.kind), "/", name)
}

func (k holderKind) putPolicy(s *Server, c *call, entity, name, doc string) error {
	return k.with(s, c, entity, holderWrite, func() error { return s.checkInline(name, doc, true) }, func(h policyHolder) error {
		if err := inlineSizeError(k.noun, h.name, k.inlineLimit, h.inline, name, doc); err != nil {
			return err
		}
		h.inline[name] = doc
		s.changed()
		return nil
	})
}

// getPolicy returns the entity's name as stored and the policy's document.
func (k holderKind) getPolicy(s *Server, c *call, entity, name string) (holder, doc string, err error) {
	err = k.with(s, c, entity, holderRead, func() error { return s.checkInline(name, "", false) }, func(h policyHolder) error {
		d, ok := h.inline[name]
		if !ok {
			return notFound("NoSuchEntity", "The %s policy with name %s cannot be found.", k.noun, name)
		}
		holder, doc = h.name, d
		return nil
	})
	return holder, doc, err
}

func (k holderKind) deletePolicy(s *Server, c *call, entity, name string) error {
	return k.with(s, c, entity, holderWrite, func() error { return s.checkInline(name, "", false) }, func(h policyHolder) error {
		if _, ok := h.inline[name]; !ok {
			return notFound("NoSuchEntity", "The %s policy with name %s cannot be found.", k.noun, name)
		}
		delete(h.inline, name)
		s.changed()
		return nil
	})
}

// listPolicies returns the names of the entity's inline policies, sorted
// and never nil.
func (k holderKind) listPolicies(s *Server, c *call, entity string) (names []string, err error) {
	err = k.with(s, c, entity, holderList, nil, func(h policyHolder) error {
		names = slices.AppendSeq(make([]string, 0, len(h.inline)), maps.Keys(h.inline))
		slices.Sort(names)
		return nil
	})
	return names, err
}

func (k holderKind) attachPolicy(s *Server, c *call, entity, arn string) error {
	return k.with(s, c, entity, holderWrite, nil, func(h policyHolder) error {
		return s.attach(arn, h.attached)
	})
}

func (k holderKind) detachPolicy(s *Server, c *call, entity, arn string) error {
	return k.with(s, c, entity, holderWrite, nil, func(h policyHolder) error {
		i := slices.Index(*h.attached, arn)
		if i < 0 {
			return notFound("NoSuchEntity", "Policy %s was not found.", arn)
		}
		*h.attached = slices.Delete(*h.attached, i, i+1)
		if p, ok := s.iam.Policies[arn]; ok {
			p.Attachments--
		}
		s.changed()
		return nil
	})
}

func (k holderKind) listAttachedPolicies(s *Server, c *call, entity string) (out []iamtypes.AttachedPolicy, err error) {
	err = k.with(s, c, entity, holderRead, nil, func(h policyHolder) error {
		out = attachedTypes(s, *h.attached)
		return nil
	})
	return out, err
}

func (s *Server) attach(arn string, list *[]string) error {
	p, err := s.policyByARN(arn)
	if err != nil {
		return err
	}
	if slices.Contains(*list, arn) {
		return nil
	}
	if len(*list) >= 20 {
		return apiErr("LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 20")
	}
	*list = append(*list, arn)
	p.Attachments++
	s.changed()
	return nil
}

// attachedTypes names the attached policies, never nil. Callers hold s.mu.
func attachedTypes(s *Server, arns []string) []iamtypes.AttachedPolicy {
	out := make([]iamtypes.AttachedPolicy, 0, len(arns))
	for _, a := range arns {
		name := a[strings.LastIndex(a, "/")+1:]
		if p, ok := s.iam.Policies[a]; ok {
			name = p.Name
		}
		out = append(out, iamtypes.AttachedPolicy{PolicyName: aws.String(name), PolicyArn: aws.String(a)})
	}
	return out
}

func attachedShapes(s *Server, arns []string) []any {
	return shapeOf(attachedTypes(s, arns)).([]any)
}

func (s *Server) iamCreatePolicy(_ context.Context, c *call, in *iam.CreatePolicyInput) (*iam.CreatePolicyOutput, error) {
	name := aws.ToString(in.PolicyName)
	if err := checkName("PolicyName", name, 128); err != nil {
		return nil, err
	}
	doc := aws.ToString(in.PolicyDocument)
	if err := s.checkPolicyDocument(doc, policy.KindIdentity); err != nil {
		return nil, err
	}
	if err := managedSizeError(doc); err != nil {
		return nil, err
	}
	path, err := iamPath(aws.ToString(in.Path))
	if err != nil {
		return nil, err
	}
	desc := aws.ToString(in.Description)
	if len(desc) > 1000 {
		return nil, apiErr("ValidationError", "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	arn := s.iamARN("policy", path, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.iam.Policies[arn]; ok {
		return nil, conflict("A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	now := s.clock.Now().UTC()
	p := &managedPolicy{Name: name, ID: newID("ANPA", 17), ARN: arn, Path: path, Description: desc, Created: now, Updated: now,
		DefaultVersion: "v1", NextVersion: 2, Versions: []policyVersion{{ID: "v1", Document: doc, Created: now}}, Tags: tags}
	s.iam.Policies[arn] = p
	s.changed()
	out := policyType(p)
	return &iam.CreatePolicyOutput{Policy: &out}, nil
}

func (s *Server) iamGetPolicy(_ context.Context, c *call, in *iam.GetPolicyInput) (*iam.GetPolicyOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.policyByARN(aws.ToString(in.PolicyArn))
	if err != nil {
		return nil, err
	}
	out := policyType(p)
	return &iam.GetPolicyOutput{Policy: &out}, nil
}

// versionType is a policy version; withDoc false leaves the document off,
// as ListPolicyVersions does.
func versionType(p *managedPolicy, v policyVersion, withDoc bool) *iamtypes.PolicyVersion {
	out := &iamtypes.PolicyVersion{VersionId: aws.String(v.ID), IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: aws.Time(v.Created)}
	if withDoc {
		out.Document = aws.String(encodePolicy(v.Document))
	}
	return out
}

func versionShape(p *managedPolicy, v policyVersion) map[string]any {
	return shapeMap(versionType(p, v, true))
}

func (s *Server) iamGetPolicyVersion(_ context.Context, c *call, in *iam.GetPolicyVersionInput) (*iam.GetPolicyVersionOutput, error) {
	arn, id := aws.ToString(in.PolicyArn), aws.ToString(in.VersionId)
	if !policyVerPattern.MatchString(id) {
		return nil, apiErr("ValidationError", "1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", id)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.policyByARN(arn)
	if err != nil {
		return nil, err
	}
	for _, v := range p.Versions {
		if v.ID == id {
			return &iam.GetPolicyVersionOutput{PolicyVersion: versionType(p, v, true)}, nil
		}
	}
	return nil, notFound("NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, id)
}

func (s *Server) iamCreatePolicyVersion(_ context.Context, c *call, in *iam.CreatePolicyVersionInput) (*iam.CreatePolicyVersionOutput, error) {
	doc := aws.ToString(in.PolicyDocument)
	if err := s.checkPolicyDocument(doc, policy.KindIdentity); err != nil {
		return nil, err
	}
	if err := managedSizeError(doc); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(aws.ToString(in.PolicyArn), "changed")
	if err != nil {
		return nil, err
	}
	if len(p.Versions) >= 5 {
		return nil, apiErr("LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	}
	now := s.clock.Now().UTC()
	v := policyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: now}
	p.NextVersion++
	p.Versions = append(p.Versions, v)
	if in.SetAsDefault {
		p.DefaultVersion = v.ID
	}
	p.Updated = now
	s.changed()
	return &iam.CreatePolicyVersionOutput{PolicyVersion: versionType(p, v, true)}, nil
}

func (s *Server) iamListPolicyVersions(_ context.Context, c *call, in *iam.ListPolicyVersionsInput) (*iam.ListPolicyVersionsOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.policyByARN(aws.ToString(in.PolicyArn))
	if err != nil {
		return nil, err
	}
	out := make([]iamtypes.PolicyVersion, 0, len(p.Versions))
	for i := len(p.Versions) - 1; i >= 0; i-- {
		out = append(out, *versionType(p, p.Versions[i], false))
	}
	return &iam.ListPolicyVersionsOutput{Versions: out}, nil
}

func (s *Server) iamCreateRole(_ context.Context, c *call, in *iam.CreateRoleInput) (*iam.CreateRoleOutput, error) {
	name := aws.ToString(in.RoleName)
	if err := checkName("RoleName", name, 64); err != nil {
		return nil, err
	}
	path, err := iamPath(aws.ToString(in.Path))
	if err != nil {
		return nil, err
	}
	trust := aws.ToString(in.AssumeRolePolicyDocument)
	if err := s.checkTrust(trust); err != nil {
		return nil, err
	}
	maxSession := int64(3600)
	if in.MaxSessionDuration != nil {
		maxSession = int64(*in.MaxSessionDuration)
	}
	if maxSession < 3600 || maxSession > 43200 {
		return nil, apiErr("ValidationError", "1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200", maxSession)
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	arn := s.iamARN("role", path, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.iam.Roles[name]; ok {
		return nil, conflict("Role with name %s already exists.", name)
	}
	r := &iamRole{Name: name, ID: newID("AROA", 17), ARN: arn, Path: path, Description: aws.ToString(in.Description), Created: s.clock.Now().UTC(),
		Trust: trust, MaxSession: maxSession, Inline: map[string]string{}, Tags: tags}
	s.iam.Roles[name] = r
	s.changed()
	out := roleType(r)
	return &iam.CreateRoleOutput{Role: &out}, nil
}

// checkTrust validates a trust policy: well-formed, every statement naming
// a principal and granting sts: actions only, within the trust quota.
func (s *Server) checkTrust(doc string) error {
	if err := s.checkPolicyDocument(doc, policy.KindTrust); err != nil {
		return err
	}
	return trustSizeError(doc)
}

func (s *Server) iamGetRole(_ context.Context, c *call, in *iam.GetRoleInput) (*iam.GetRoleOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleNamed(aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	out := roleType(r)
	return &iam.GetRoleOutput{Role: &out}, nil
}

func (s *Server) iamUpdateAssumeRolePolicy(_ context.Context, c *call, in *iam.UpdateAssumeRolePolicyInput) (*iam.UpdateAssumeRolePolicyOutput, error) {
	doc := aws.ToString(in.PolicyDocument)
	if err := s.checkTrust(doc); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleNamed(aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	r.Trust = doc
	s.changed()
	return &iam.UpdateAssumeRolePolicyOutput{}, nil
}

// policiesOf returns the identity policies that apply to who, inline first
// then attached, in a stable order. Callers hold s.mu.
func (s *Server) policiesOf(who identity) []namedDoc {
	var inline map[string]string
	var attached []string
	switch {
	case who.RoleName != "":
		r, ok := s.iam.Roles[who.RoleName]
		if !ok || r.ARN != who.RoleARN {
			return nil
		}
		inline, attached = r.Inline, r.Attached
	case who.UserName != "":
		u, ok := s.iam.Users[who.UserName]
		if !ok {
			return nil
		}
		inline, attached = u.Inline, u.Attached
	}
	out := make([]namedDoc, 0, len(inline)+len(attached))
	for _, n := range slices.Sorted(maps.Keys(inline)) {
		out = append(out, namedDoc{name: n, doc: inline[n]})
	}
	arns := append([]string(nil), attached...)
	if who.UserName != "" {
		// A user's groups lend it their policies.
		for _, g := range s.groupsOf(who.UserName) {
			for _, n := range slices.Sorted(maps.Keys(g.Inline)) {
				out = append(out, namedDoc{name: g.ARN + ":" + n, doc: g.Inline[n]})
			}
			for _, a := range g.Attached {
				if !slices.Contains(arns, a) {
					arns = append(arns, a)
				}
			}
		}
	}
	sort.Strings(arns)
	for _, a := range arns {
		if p, ok := s.iam.Policies[a]; ok {
			out = append(out, namedDoc{name: a, doc: p.document()})
		}
	}
	return out
}

type namedDoc struct{ name, doc string }
