package ssmlocal

import (
	"context"
	"encoding/base64"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// IAM's list and delete operations: the listings page with Marker and
// MaxItems; the deletes refuse, as IAM does, while anything still hangs on
// the entity (DeleteConflict), so clean-up must go in IAM's order.

const (
	listDefaultItems = 100
	listMaxItems     = 1000
	listMaxMarker    = 320
)

func iamListOps() []opDef {
	users, groups := userPolicies(), groupPolicies()
	return []opDef{
		{"iam", "ListUsers", false, typed((*Server).iamListUsers), authAny("iam:ListUsers")},
		{"iam", "ListRoles", false, typed((*Server).iamListRoles), authAny("iam:ListRoles")},
		{"iam", "ListPolicies", false, typed((*Server).iamListPolicies), authAny("iam:ListPolicies")},
		{"iam", "ListGroups", false, typed((*Server).iamListGroups), authAny("iam:ListGroups")},
		{"iam", "ListGroupsForUser", false, typed((*Server).iamListGroupsForUser), users.spec("iam:ListGroupsForUser", false)},
		{"iam", "ListGroupPolicies", false, typed((*Server).iamListGroupPolicies), groups.spec("iam:ListGroupPolicies", false)},
		{"iam", "DeleteUser", false, typed((*Server).iamDeleteUser), users.spec("iam:DeleteUser", false)},
		{"iam", "DeleteRole", false, typed((*Server).iamDeleteRole), rolePolicies().spec("iam:DeleteRole", false)},
		{"iam", "DeletePolicy", false, typed((*Server).iamDeletePolicy), authOnRef("iam:DeletePolicy", policyTarget)},
		{"iam", "DeleteGroup", false, typed((*Server).iamDeleteGroup), groups.spec("iam:DeleteGroup", false)},
		{"iam", "DetachUserPolicy", false, typed((*Server).iamDetachUserPolicy), users.spec("iam:DetachUserPolicy", true)},
		{"iam", "DeleteUserPolicy", false, typed((*Server).iamDeleteUserPolicy), users.spec("iam:DeleteUserPolicy", false)},
		{"iam", "DeleteGroupPolicy", false, typed((*Server).iamDeleteGroupPolicy), groups.spec("iam:DeleteGroupPolicy", false)},
		{"iam", "RemoveUserFromGroup", false, typed((*Server).iamRemoveUserFromGroup), groups.spec("iam:RemoveUserFromGroup", false)},
		{"iam", "ListAccessKeys", false, typed((*Server).iamListAccessKeys), users.spec("iam:ListAccessKeys", false)},
		{"iam", "UpdateAccessKey", false, typed((*Server).iamUpdateAccessKey), users.spec("iam:UpdateAccessKey", false)},
		{"iam", "DeleteAccessKey", false, typed((*Server).iamDeleteAccessKey), users.spec("iam:DeleteAccessKey", false)},
	}
}

// listPage is a listing request's paging: the sort key to start at (from
// Marker) and the page size.
type listPage struct {
	start string
	max   int
}

// pageRequest reads a typed request's Marker and MaxItems.
func pageRequest(marker *string, maxItems *int32) (listPage, error) {
	items := int64(listDefaultItems)
	if maxItems != nil {
		items = int64(*maxItems)
	}
	if err := checkMaxItems(items); err != nil {
		return listPage{}, err
	}
	return newListPage(aws.ToString(marker), items)
}

func checkMaxItems(items int64) error {
	if items < 1 || items > listMaxItems {
		return simValidation("maxItems", items, "Member must have value between 1 and 1000")
	}
	return nil
}

func newListPage(marker string, items int64) (listPage, error) {
	p := listPage{max: int(items)}
	if marker == "" {
		return p, nil
	}
	if len(marker) > listMaxMarker {
		return listPage{}, simValidation("marker", marker, "Member must have length less than or equal to 320")
	}
	start, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || len(start) == 0 {
		return listPage{}, apiErr("InvalidInput", "Invalid Marker.")
	}
	p.start = string(start)
	return p, nil
}

// pageOf pages items sorted by key: the page and the marker of the next
// one. The marker names the next item's key rather than its index, so
// deleting items between calls skips or repeats none of the rest.
func pageOf[T any](items []T, key func(T) string, p listPage) ([]T, string) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	i := sort.Search(len(items), func(i int) bool { return key(items[i]) >= p.start })
	items = items[i:]
	if len(items) <= p.max {
		return items, ""
	}
	return items[:p.max], base64.RawURLEncoding.EncodeToString([]byte(key(items[p.max])))
}

// pageEnd is how a page of a listing ends: truncated, with the marker of
// the next page, or not.
type pageEnd struct {
	marker    *string
	truncated bool
}

// shapePage pages items by key and shapes the page, never nil.
func shapePage[E, Item any](items []E, key func(E) string, p listPage, shape func(E) Item) ([]Item, pageEnd) {
	page, next := pageOf(items, key, p)
	out := make([]Item, len(page))
	for i, e := range page {
		out[i] = shape(e)
	}
	return out, pageEnd{marker: optString(next), truncated: next != ""}
}

// pathEntity is an IAM entity listed by path, in the order of its name.
type pathEntity interface {
	entityPath() string
	entityName() string
}

func (u *iamUser) entityPath() string         { return u.Path }
func (u *iamUser) entityName() string         { return u.Name }
func (r *iamRole) entityPath() string         { return r.Path }
func (r *iamRole) entityName() string         { return r.Name }
func (g *iamGroup) entityPath() string        { return g.Path }
func (g *iamGroup) entityName() string        { return g.Name }
func (p *instanceProfile) entityPath() string { return p.Path }
func (p *instanceProfile) entityName() string { return p.Name }

// listByPath serves ListUsers, ListRoles, ListGroups and
// ListInstanceProfiles: the entities whose path starts with PathPrefix, a
// page at a time from Marker, each shaped. Callers hold s.mu.
func listByPath[E pathEntity, Item any](all map[string]E, prefix, marker *string, maxItems *int32, shape func(E) Item) ([]Item, pageEnd, error) {
	pfx, err := checkPathPrefix(aws.ToString(prefix))
	if err != nil {
		return nil, pageEnd{}, err
	}
	p, err := pageRequest(marker, maxItems)
	if err != nil {
		return nil, pageEnd{}, err
	}
	var hits []E
	for _, e := range all {
		if strings.HasPrefix(e.entityPath(), pfx) {
			hits = append(hits, e)
		}
	}
	items, end := shapePage(hits, E.entityName, p, shape)
	return items, end, nil
}

func checkPathPrefix(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !strings.HasPrefix(p, "/") || strings.IndexFunc(p, func(r rune) bool { return r < 0x21 || r > 0x7f }) >= 0 {
		return "", simValidation("pathPrefix", p, "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*")
	}
	return p, nil
}

// listedUser is a user as ListUsers gives it: without tags, which GetUser
// has.
func listedUser(u *iamUser) iamtypes.User {
	out := userType(u)
	out.Tags = nil
	return out
}

// listedRole is a role as ListRoles gives it: without the tags and last
// use GetRole has.
func listedRole(r *iamRole) iamtypes.Role {
	out := roleType(r)
	out.Tags, out.RoleLastUsed = nil, nil
	return out
}

func (s *Server) iamListUsers(_ context.Context, _ *call, in *iam.ListUsersInput) (*iam.ListUsersOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	users, end, err := listByPath(s.iam.Users, in.PathPrefix, in.Marker, in.MaxItems, listedUser)
	if err != nil {
		return nil, err
	}
	return &iam.ListUsersOutput{Users: users, IsTruncated: end.truncated, Marker: end.marker}, nil
}

func (s *Server) iamListRoles(_ context.Context, _ *call, in *iam.ListRolesInput) (*iam.ListRolesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	roles, end, err := listByPath(s.iam.Roles, in.PathPrefix, in.Marker, in.MaxItems, listedRole)
	if err != nil {
		return nil, err
	}
	return &iam.ListRolesOutput{Roles: roles, IsTruncated: end.truncated, Marker: end.marker}, nil
}

func (s *Server) iamListGroups(_ context.Context, _ *call, in *iam.ListGroupsInput) (*iam.ListGroupsOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	groups, end, err := listByPath(s.iam.Groups, in.PathPrefix, in.Marker, in.MaxItems, groupType)
	if err != nil {
		return nil, err
	}
	return &iam.ListGroupsOutput{Groups: groups, IsTruncated: end.truncated, Marker: end.marker}, nil
}

func (s *Server) iamListGroupsForUser(_ context.Context, c *call, in *iam.ListGroupsForUserInput) (*iam.ListGroupsForUserOutput, error) {
	name := aws.ToString(in.UserName)
	if err := checkName("UserName", name, 128); err != nil {
		return nil, err
	}
	p, err := pageRequest(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.userNamed(c, name); err != nil {
		return nil, err
	}
	groups, end := shapePage(s.groupsOf(name), (*iamGroup).entityName, p, groupType)
	return &iam.ListGroupsForUserOutput{Groups: groups, IsTruncated: end.truncated, Marker: end.marker}, nil
}

// groupsOf returns the groups the user belongs to, in name order; callers
// hold s.mu.
func (s *Server) groupsOf(user string) []*iamGroup {
	var out []*iamGroup
	for _, gn := range slices.Sorted(maps.Keys(s.iam.Groups)) {
		if g := s.iam.Groups[gn]; slices.Contains(g.Members, user) {
			out = append(out, g)
		}
	}
	return out
}

// readUsageFilter reads PolicyUsageFilter, empty when absent.
func checkUsageFilter(usage string) error {
	if usage != "" && usage != "PermissionsPolicy" && usage != "PermissionsBoundary" {
		return simValidation("policyUsageFilter", usage, "Member must satisfy enum value set: [PermissionsBoundary, PermissionsPolicy]")
	}
	return nil
}

// listedPolicy is a policy as ListPolicies gives it: without the
// description and tags GetPolicy has.
func listedPolicy(m *managedPolicy) iamtypes.Policy {
	out := policyType(m)
	out.Description, out.Tags = nil, nil
	return out
}

func (s *Server) iamListPolicies(_ context.Context, _ *call, in *iam.ListPoliciesInput) (*iam.ListPoliciesOutput, error) {
	scope := string(in.Scope)
	switch scope {
	case "":
		scope = "All"
	case "All", "AWS", "Local":
	default:
		return nil, simValidation("scope", scope, "Member must satisfy enum value set: [All, AWS, Local]")
	}
	onlyAttached, usage := in.OnlyAttached, string(in.PolicyUsageFilter)
	if err := checkUsageFilter(usage); err != nil {
		return nil, err
	}
	prefix, err := checkPathPrefix(aws.ToString(in.PathPrefix))
	if err != nil {
		return nil, err
	}
	p, err := pageRequest(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := slices.DeleteFunc(slices.Collect(maps.Values(s.iam.Policies)), func(m *managedPolicy) bool {
		isAWS := s.awsManaged(m.ARN)
		return (scope == "AWS" && !isAWS) || (scope == "Local" && isAWS) ||
			(onlyAttached && m.Attachments == 0) ||
			usage == "PermissionsBoundary" || // no policy is in use as a boundary here
			!strings.HasPrefix(m.Path, prefix)
	})
	// Names are unique in an account but an AWS managed policy may share
	// one; the ID settles the order.
	policies, end := shapePage(all, func(m *managedPolicy) string { return m.Name + "\x00" + m.ID }, p, listedPolicy)
	return &iam.ListPoliciesOutput{Policies: policies, IsTruncated: end.truncated, Marker: end.marker}, nil
}

func deleteConflict(format string, args ...any) *APIError {
	e := apiErr("DeleteConflict", format, args...)
	e.Status = http.StatusConflict
	return e
}

// policiesConflict refuses to delete an entity that still has inline or
// attached policies.
func policiesConflict(inline map[string]string, attached []string) error {
	if len(inline) > 0 {
		return deleteConflict("Cannot delete entity, must delete policies first.")
	}
	if len(attached) > 0 {
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	return nil
}

func (s *Server) iamDeleteUser(_ context.Context, c *call, in *iam.DeleteUserInput) (*iam.DeleteUserOutput, error) {
	name := aws.ToString(in.UserName)
	if err := checkName("UserName", name, 128); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userNamed(c, name)
	if err != nil {
		return nil, err
	}
	for _, k := range s.iam.AccessKeys {
		if k.UserName == name {
			return nil, deleteConflict("Cannot delete entity, must delete access keys first.")
		}
	}
	if err := policiesConflict(u.Inline, u.Attached); err != nil {
		return nil, err
	}
	if len(s.groupsOf(name)) > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove user from all groups first.")
	}
	delete(s.iam.Users, name)
	s.changed()
	return &iam.DeleteUserOutput{}, nil
}

func (s *Server) iamDeleteRole(_ context.Context, _ *call, in *iam.DeleteRoleInput) (*iam.DeleteRoleOutput, error) {
	name := aws.ToString(in.RoleName)
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleNamed(name)
	if err != nil {
		return nil, err
	}
	if err := policiesConflict(r.Inline, r.Attached); err != nil {
		return nil, err
	}
	if err := s.roleInProfile(name); err != nil {
		return nil, err
	}
	delete(s.iam.Roles, name)
	// The role's sessions end with it, so a role created again under the
	// same name lends nothing to them.
	for id, sess := range s.iam.Sessions {
		if sess.RoleName == name {
			delete(s.iam.Sessions, id)
		}
	}
	s.changed()
	return &iam.DeleteRoleOutput{}, nil
}

func (s *Server) iamDeletePolicy(_ context.Context, _ *call, in *iam.DeletePolicyInput) (*iam.DeletePolicyOutput, error) {
	arn := aws.ToString(in.PolicyArn)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(arn, "deleted")
	if err != nil {
		return nil, err
	}
	if p.Attachments > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(s.iam.Policies, arn)
	s.changed()
	return &iam.DeletePolicyOutput{}, nil
}

func (s *Server) iamDeleteGroup(_ context.Context, _ *call, in *iam.DeleteGroupInput) (*iam.DeleteGroupOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupByName(aws.ToString(in.GroupName))
	if err != nil {
		return nil, err
	}
	if len(g.Members) > 0 {
		return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
	}
	if err := policiesConflict(g.Inline, g.Attached); err != nil {
		return nil, err
	}
	delete(s.iam.Groups, g.Name)
	s.changed()
	return &iam.DeleteGroupOutput{}, nil
}

func (s *Server) iamRemoveUserFromGroup(_ context.Context, _ *call, in *iam.RemoveUserFromGroupInput) (*iam.RemoveUserFromGroupOutput, error) {
	user := aws.ToString(in.UserName)
	if err := checkName("UserName", user, 128); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupByName(aws.ToString(in.GroupName))
	if err != nil {
		return nil, err
	}
	i := slices.Index(g.Members, user)
	if i < 0 {
		return nil, notFound("NoSuchEntity", "The user with name %s cannot be found.", user)
	}
	g.Members = slices.Delete(g.Members, i, i+1)
	s.changed()
	return &iam.RemoveUserFromGroupOutput{}, nil
}

func accessKeyType(k *accessKey) iamtypes.AccessKeyMetadata {
	return iamtypes.AccessKeyMetadata{UserName: aws.String(k.UserName), AccessKeyId: aws.String(k.ID), Status: iamtypes.StatusType(k.Status), CreateDate: aws.Time(k.Created)}
}

func (s *Server) iamListAccessKeys(_ context.Context, c *call, in *iam.ListAccessKeysInput) (*iam.ListAccessKeysOutput, error) {
	p, err := pageRequest(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, err := s.userNamed(c, aws.ToString(in.UserName))
	if err != nil {
		return nil, err
	}
	all := slices.DeleteFunc(slices.Collect(maps.Values(s.iam.AccessKeys)), func(k *accessKey) bool { return k.UserName != u.Name })
	keys, end := shapePage(all, func(k *accessKey) string { return k.ID }, p, accessKeyType)
	return &iam.ListAccessKeysOutput{AccessKeyMetadata: keys, IsTruncated: end.truncated, Marker: end.marker}, nil
}

// usersKey finds a key of the named user (the caller when name is empty);
// another user's key is as unknown as a key that does not exist. Callers
// hold s.mu.
func (s *Server) usersKey(c *call, name, id string) (*accessKey, error) {
	u, err := s.userNamed(c, name)
	if err != nil {
		return nil, err
	}
	k, ok := s.iam.AccessKeys[id]
	if !ok || k.UserName != u.Name {
		return nil, notFound("NoSuchEntity", "The Access Key with id %s cannot be found.", id)
	}
	return k, nil
}

// checkAccessKeyID checks the required AccessKeyId member.
func checkAccessKeyID(id string) error {
	if id == "" {
		return simValidation("accessKeyId", "null", "Member must not be null")
	}
	if len(id) < 16 || len(id) > 128 || strings.IndexFunc(id, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	}) >= 0 {
		return simValidation("accessKeyId", id, "Member must satisfy regular expression pattern: [\\w]+")
	}
	return nil
}

func (s *Server) iamUpdateAccessKey(_ context.Context, c *call, in *iam.UpdateAccessKeyInput) (*iam.UpdateAccessKeyOutput, error) {
	id, status := aws.ToString(in.AccessKeyId), string(in.Status)
	if err := checkAccessKeyID(id); err != nil {
		return nil, err
	}
	switch status {
	case "Active", "Inactive":
	case "":
		return nil, simValidation("status", "null", "Member must not be null")
	default:
		return nil, simValidation("status", status, "Member must satisfy enum value set: [Active, Inactive, Expired]")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.usersKey(c, aws.ToString(in.UserName), id)
	if err != nil {
		return nil, err
	}
	if k.Status != status {
		k.Status = status
		s.changed()
	}
	return &iam.UpdateAccessKeyOutput{}, nil
}

func (s *Server) iamDeleteAccessKey(_ context.Context, c *call, in *iam.DeleteAccessKeyInput) (*iam.DeleteAccessKeyOutput, error) {
	id := aws.ToString(in.AccessKeyId)
	if err := checkAccessKeyID(id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.usersKey(c, aws.ToString(in.UserName), id); err != nil {
		return nil, err
	}
	delete(s.iam.AccessKeys, id)
	s.changed()
	return &iam.DeleteAccessKeyOutput{}, nil
}

func iamRoleTagOps() []opDef {
	roles := rolePolicies()
	return []opDef{
		{"iam", "TagRole", false, typed((*Server).iamTagRole), authOnRef("iam:TagRole", roleTagTarget("Tags"))},
		{"iam", "UntagRole", false, typed((*Server).iamUntagRole), authOnRef("iam:UntagRole", roleTagTarget("TagKeys"))},
		{"iam", "ListRoleTags", false, typed((*Server).iamListRoleTags), roles.spec("iam:ListRoleTags", false)},
		{"iam", "SetDefaultPolicyVersion", false, typed((*Server).iamSetDefaultPolicyVersion), authOnRef("iam:SetDefaultPolicyVersion", policyTarget)},
		{"iam", "ListEntitiesForPolicy", false, typed((*Server).iamListEntitiesForPolicy), authOnRef("iam:ListEntitiesForPolicy", policyTarget)},
	}
}

// roleTagRef is what TagRole's and UntagRole's target reads.
type roleTagRef struct {
	RoleName *string
	Tags     []iamtypes.Tag
	TagKeys  []string
}

// roleTagTarget is the role with the request's tags (TagRole) or tag keys
// (UntagRole) as aws:RequestTag and aws:TagKeys.
func roleTagTarget(member string) func(s *Server, c *call, in *roleTagRef) []authTarget {
	return func(s *Server, c *call, in *roleTagRef) []authTarget {
		target := on(rolePolicies().arnOf(s, c, aws.ToString(in.RoleName)), nil)
		if member == "Tags" {
			target[0].context = requestTagContext(tagsOf(in.Tags), nil)
		} else if len(in.TagKeys) > 0 {
			target[0].context = map[string][]string{"aws:TagKeys": in.TagKeys}
		}
		return target
	}
}

func checkTagKey(k string) error {
	if k == "" || len(k) > 128 {
		return simValidation("tags.member.key", k, "Member must have length between 1 and 128")
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return apiErr("InvalidInput", "User-defined tag keys can't start with 'aws:'.")
	}
	return nil
}

// checkRoleTags converts TagRole's tags, 1 to 50 of them, checking each
// in order so the first bad one is the one reported.
func checkRoleTags(in []iamtypes.Tag) ([]tag, error) {
	if len(in) == 0 {
		return nil, simValidation("tags", "null", "Member must not be null")
	}
	if len(in) > 50 {
		return nil, simValidation("tags", len(in), "Member must have length less than or equal to 50")
	}
	out := make([]tag, 0, len(in))
	for _, it := range in {
		t := tag{Key: aws.ToString(it.Key), Value: aws.ToString(it.Value)}
		if err := checkTagKey(t.Key); err != nil {
			return nil, err
		}
		if len(t.Value) > 256 {
			return nil, simValidation("tags.member.value", t.Value, "Member must have length less than or equal to 256")
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Server) iamTagRole(_ context.Context, _ *call, in *iam.TagRoleInput) (*iam.TagRoleOutput, error) {
	tags, err := checkRoleTags(in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleNamed(aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	merged := slices.Clone(r.Tags)
	for _, t := range tags {
		if i := slices.IndexFunc(merged, func(o tag) bool { return o.Key == t.Key }); i >= 0 {
			merged[i].Value = t.Value
		} else {
			merged = append(merged, t)
		}
	}
	if len(merged) > 50 {
		return nil, apiErr("LimitExceeded", "The number of tags has reached the maximum limit.")
	}
	r.Tags = merged
	s.changed()
	return &iam.TagRoleOutput{}, nil
}

func (s *Server) iamUntagRole(_ context.Context, _ *call, in *iam.UntagRoleInput) (*iam.UntagRoleOutput, error) {
	keys := in.TagKeys
	if len(keys) == 0 {
		return nil, simValidation("tagKeys", "null", "Member must not be null")
	}
	if len(keys) > 50 {
		return nil, simValidation("tagKeys", len(keys), "Member must have length less than or equal to 50")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleNamed(aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	kept := slices.DeleteFunc(slices.Clone(r.Tags), func(t tag) bool { return slices.Contains(keys, t.Key) })
	if len(kept) != len(r.Tags) {
		r.Tags = kept
		s.changed()
	}
	return &iam.UntagRoleOutput{}, nil
}

func (s *Server) iamListRoleTags(_ context.Context, _ *call, in *iam.ListRoleTagsInput) (*iam.ListRoleTagsOutput, error) {
	p, err := pageRequest(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleNamed(aws.ToString(in.RoleName))
	if err != nil {
		return nil, err
	}
	tags, end := shapePage(slices.Clone(r.Tags), func(t tag) string { return t.Key }, p, func(t tag) iamtypes.Tag {
		return iamtypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)}
	})
	return &iam.ListRoleTagsOutput{Tags: tags, IsTruncated: end.truncated, Marker: end.marker}, nil
}

func (s *Server) iamSetDefaultPolicyVersion(_ context.Context, _ *call, in *iam.SetDefaultPolicyVersionInput) (*iam.SetDefaultPolicyVersionOutput, error) {
	arn, id := aws.ToString(in.PolicyArn), aws.ToString(in.VersionId)
	if !policyVerPattern.MatchString(id) {
		return nil, simValidation("versionId", id, "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(arn, "changed")
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(p.Versions, func(v policyVersion) bool { return v.ID == id }) {
		return nil, notFound("NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, id)
	}
	if p.DefaultVersion != id {
		p.DefaultVersion = id
		p.Updated = s.clock.Now().UTC()
		s.changed()
	}
	return &iam.SetDefaultPolicyVersionOutput{}, nil
}

// checkEntityFilter checks f, read from member, is an EntityType.
func checkEntityFilter(member, f string) error {
	switch f {
	case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
		return nil
	}
	return simValidation(member, f, "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
}

// attachedEntity is a group, user or role ListEntitiesForPolicy lists, by
// the key that orders groups, then users, then roles, by name; add puts it
// in its page.
type attachedEntity struct {
	key string
	add func(out *iam.ListEntitiesForPolicyOutput)
}

func (s *Server) iamListEntitiesForPolicy(_ context.Context, _ *call, in *iam.ListEntitiesForPolicyInput) (*iam.ListEntitiesForPolicyOutput, error) {
	arn, filter := aws.ToString(in.PolicyArn), string(in.EntityFilter)
	if filter != "" {
		if err := checkEntityFilter("entityFilter", filter); err != nil {
			return nil, err
		}
	}
	usage := string(in.PolicyUsageFilter)
	if err := checkUsageFilter(usage); err != nil {
		return nil, err
	}
	prefix, err := checkPathPrefix(aws.ToString(in.PathPrefix))
	if err != nil {
		return nil, err
	}
	p, err := pageRequest(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.policyByARN(arn); err != nil {
		return nil, err
	}
	var all []attachedEntity
	if usage != "PermissionsBoundary" { // no policy is in use as a boundary here
		all = s.attachedEntities(arn, filter, prefix)
	}
	page, next := pageOf(all, func(e attachedEntity) string { return e.key }, p)
	// Every list is on the wire, even when empty.
	out := &iam.ListEntitiesForPolicyOutput{PolicyGroups: []iamtypes.PolicyGroup{}, PolicyUsers: []iamtypes.PolicyUser{},
		PolicyRoles: []iamtypes.PolicyRole{}, IsTruncated: next != "", Marker: optString(next)}
	for _, e := range page {
		e.add(out)
	}
	return out, nil
}

// attachedEntities is the groups, users and roles of the kind filter names
// (any when empty) under prefix that have the policy arn attached. Callers
// hold s.mu.
func (s *Server) attachedEntities(arn, filter, prefix string) []attachedEntity {
	var all []attachedEntity
	if filter == "" || filter == "Group" {
		for _, g := range s.iam.Groups {
			if slices.Contains(g.Attached, arn) && strings.HasPrefix(g.Path, prefix) {
				e := iamtypes.PolicyGroup{GroupName: aws.String(g.Name), GroupId: aws.String(g.ID)}
				all = append(all, attachedEntity{"1" + g.Name, func(out *iam.ListEntitiesForPolicyOutput) { out.PolicyGroups = append(out.PolicyGroups, e) }})
			}
		}
	}
	if filter == "" || filter == "User" {
		for _, u := range s.iam.Users {
			if slices.Contains(u.Attached, arn) && strings.HasPrefix(u.Path, prefix) {
				e := iamtypes.PolicyUser{UserName: aws.String(u.Name), UserId: aws.String(u.ID)}
				all = append(all, attachedEntity{"2" + u.Name, func(out *iam.ListEntitiesForPolicyOutput) { out.PolicyUsers = append(out.PolicyUsers, e) }})
			}
		}
	}
	if filter == "" || filter == "Role" {
		for _, r := range s.iam.Roles {
			if slices.Contains(r.Attached, arn) && strings.HasPrefix(r.Path, prefix) {
				e := iamtypes.PolicyRole{RoleName: aws.String(r.Name), RoleId: aws.String(r.ID)}
				all = append(all, attachedEntity{"3" + r.Name, func(out *iam.ListEntitiesForPolicyOutput) { out.PolicyRoles = append(out.PolicyRoles, e) }})
			}
		}
	}
	return all
}

func iamAccountOps() []opDef {
	return []opDef{
		{"iam", "GetAccountAuthorizationDetails", false, typed((*Server).iamGetAccountAuthorizationDetails), authAny("iam:GetAccountAuthorizationDetails")},
	}
}

func inlineDetails(inline map[string]string) []any {
	out := make([]any, 0, len(inline))
	for _, n := range slices.Sorted(maps.Keys(inline)) {
		out = append(out, map[string]any{"PolicyName": n, "PolicyDocument": encodePolicy(inline[n])})
	}
	return out
}

// profilesOfRole lists the instance profiles holding the role, by name,
// as RoleDetail's InstanceProfileList does; callers hold s.mu.
func (s *Server) profilesOfRole(role string) []any {
	out := []any{}
	for _, n := range slices.Sorted(maps.Keys(s.iam.InstanceProfiles)) {
		if p := s.iam.InstanceProfiles[n]; p.Role == role {
			out = append(out, s.profileShape(p))
		}
	}
	return out
}

// accountDetailsOutput is GetAccountAuthorizationDetails' output. Its
// entries are the shapes of the SDK's User, Group, Role and Policy with
// their policies added, rather than its detail types, so a role's entry
// keeps the MaxSessionDuration and Description it has always carried,
// which RoleDetail lacks. Every list is present, even when empty.
type accountDetailsOutput struct {
	UserDetailList  []map[string]any
	GroupDetailList []map[string]any
	RoleDetailList  []map[string]any
	Policies        []map[string]any
	IsTruncated     bool
	Marker          *string
}

// accountEntity is an entry of GetAccountAuthorizationDetails, by the key
// that orders users, then groups, roles and managed policies; add puts it
// in its page.
type accountEntity struct {
	key string
	add func(out *accountDetailsOutput)
}

// iamGetAccountAuthorizationDetails pages through users, groups, roles and
// managed policies, in that order, each with its policies. AWS managed
// policies are included only while attached, as IAM does, rather than the
// whole catalogue.
func (s *Server) iamGetAccountAuthorizationDetails(_ context.Context, _ *call, in *iam.GetAccountAuthorizationDetailsInput) (*accountDetailsOutput, error) {
	filter := make([]string, len(in.Filter))
	for i, f := range in.Filter {
		if err := checkEntityFilter("filter", string(f)); err != nil {
			return nil, err
		}
		filter[i] = string(f)
	}
	want := func(kind string) bool { return len(filter) == 0 || slices.Contains(filter, kind) }
	p, err := pageRequest(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []accountEntity
	if want("User") {
		all = append(all, s.userDetails()...)
	}
	if want("Group") {
		all = append(all, s.groupDetails()...)
	}
	if want("Role") {
		all = append(all, s.roleDetails()...)
	}
	all = append(all, s.policyDetails(want("AWSManagedPolicy"), want("LocalManagedPolicy"))...)
	page, next := pageOf(all, func(e accountEntity) string { return e.key }, p)
	out := &accountDetailsOutput{UserDetailList: []map[string]any{}, GroupDetailList: []map[string]any{}, RoleDetailList: []map[string]any{},
		Policies: []map[string]any{}, IsTruncated: next != "", Marker: optString(next)}
	for _, e := range page {
		e.add(out)
	}
	return out, nil
}

// userDetails are the users with their policies and groups; callers hold
// s.mu.
func (s *Server) userDetails() []accountEntity {
	var all []accountEntity
	for _, u := range s.iam.Users {
		m := userShape(u)
		m["UserPolicyList"] = inlineDetails(u.Inline)
		m["AttachedManagedPolicies"] = attachedShapes(s, u.Attached)
		groups := []any{}
		for _, g := range s.groupsOf(u.Name) {
			groups = append(groups, g.Name)
		}
		m["GroupList"] = groups
		all = append(all, accountEntity{"1" + u.Name, func(out *accountDetailsOutput) { out.UserDetailList = append(out.UserDetailList, m) }})
	}
	return all
}

// groupDetails are the groups with their policies; callers hold s.mu.
func (s *Server) groupDetails() []accountEntity {
	var all []accountEntity
	for _, g := range s.iam.Groups {
		m := groupShape(g)
		m["GroupPolicyList"] = inlineDetails(g.Inline)
		m["AttachedManagedPolicies"] = attachedShapes(s, g.Attached)
		all = append(all, accountEntity{"2" + g.Name, func(out *accountDetailsOutput) { out.GroupDetailList = append(out.GroupDetailList, m) }})
	}
	return all
}

// roleDetails are the roles with their policies and instance profiles;
// callers hold s.mu.
func (s *Server) roleDetails() []accountEntity {
	var all []accountEntity
	for _, r := range s.iam.Roles {
		m := roleShape(r)
		m["RolePolicyList"] = inlineDetails(r.Inline)
		m["AttachedManagedPolicies"] = attachedShapes(s, r.Attached)
		m["InstanceProfileList"] = s.profilesOfRole(r.Name)
		all = append(all, accountEntity{"3" + r.Name, func(out *accountDetailsOutput) { out.RoleDetailList = append(out.RoleDetailList, m) }})
	}
	return all
}

// policyDetails are the managed policies with their versions: the
// customer managed ones when local, the attached AWS managed ones when
// awsManaged. Callers hold s.mu.
func (s *Server) policyDetails(awsManaged, local bool) []accountEntity {
	var all []accountEntity
	for _, mp := range s.iam.Policies {
		if isAWS := s.awsManaged(mp.ARN); (isAWS && (!awsManaged || mp.Attachments == 0)) || (!isAWS && !local) {
			continue
		}
		m := policyShape(mp)
		delete(m, "Tags") // not a member of ManagedPolicyDetail
		versions := make([]any, 0, len(mp.Versions))
		for _, v := range mp.Versions {
			versions = append(versions, versionShape(mp, v))
		}
		m["PolicyVersionList"] = versions
		all = append(all, accountEntity{"4" + mp.ARN, func(out *accountDetailsOutput) { out.Policies = append(out.Policies, m) }})
	}
	return all
}
