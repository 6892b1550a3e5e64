package ssmlocal_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const allowDescribe = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`

// TestIAMListPaging: each listing pages with MaxItems and Marker through
// every entity under PathPrefix, once each, in name order.
func TestIAMListPaging(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	for _, n := range []string{"e", "c", "a", "d", "b"} {
		_, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u-" + n), Path: aws.String("/team/"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		require.NoError(t, err)
		_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r-" + n), Path: aws.String("/team/"), AssumeRolePolicyDocument: aws.String(trustSSM)})
		require.NoError(t, err)
		_, err = admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g-" + n), Path: aws.String("/team/")})
		require.NoError(t, err)
		_, err = admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p-" + n), Path: aws.String("/team/"), PolicyDocument: aws.String(allowDescribe), Description: aws.String("d")})
		require.NoError(t, err)
	}
	want := []string{"a", "b", "c", "d", "e"}
	prefix := aws.String("/team/")
	two := aws.Int32(2)

	t.Run("ListUsers", func(t *testing.T) {
		var got []string
		pages := iam.NewListUsersPaginator(admin, &iam.ListUsersInput{PathPrefix: prefix, MaxItems: two})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(out.Users), 2)
			for _, u := range out.Users {
				assert.Empty(t, u.Tags, "ListUsers leaves tags out")
				got = append(got, (*u.UserName)[2:])
			}
		}
		assert.Equal(t, want, got)
		all, err := admin.ListUsers(ctx, &iam.ListUsersInput{})
		require.NoError(t, err)
		assert.Len(t, all.Users, 6, "the five and the administrator")
		assert.False(t, all.IsTruncated)
	})
	t.Run("ListRoles", func(t *testing.T) {
		var got []string
		pages := iam.NewListRolesPaginator(admin, &iam.ListRolesInput{PathPrefix: prefix, MaxItems: two})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			require.NoError(t, err)
			for _, r := range out.Roles {
				got = append(got, (*r.RoleName)[2:])
			}
		}
		assert.Equal(t, want, got)
	})
	t.Run("ListGroups", func(t *testing.T) {
		var got []string
		pages := iam.NewListGroupsPaginator(admin, &iam.ListGroupsInput{PathPrefix: prefix, MaxItems: aws.Int32(3)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			require.NoError(t, err)
			for _, g := range out.Groups {
				got = append(got, (*g.GroupName)[2:])
			}
		}
		assert.Equal(t, want, got)
		none, err := admin.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/other/")})
		require.NoError(t, err)
		assert.Empty(t, none.Groups)
	})
	t.Run("ListPolicies", func(t *testing.T) {
		var got []string
		pages := iam.NewListPoliciesPaginator(admin, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: prefix, MaxItems: two})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			require.NoError(t, err)
			for _, p := range out.Policies {
				assert.Nil(t, p.Description, "ListPolicies leaves the description out")
				got = append(got, (*p.PolicyName)[2:])
			}
		}
		assert.Equal(t, want, got)

		aws, err := admin.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: two})
		require.NoError(t, err)
		require.NotEmpty(t, aws.Policies)
		for _, p := range aws.Policies {
			assert.Contains(t, *p.Arn, ":iam::aws:policy/")
		}
	})
	t.Run("OnlyAttached", func(t *testing.T) {
		local, err := admin.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true})
		require.NoError(t, err)
		assert.Empty(t, local.Policies)
		arn := "arn:aws:iam::" + srv.AccountID() + ":policy/team/p-c"
		_, err = admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r-a"), PolicyArn: aws.String(arn)})
		require.NoError(t, err)
		local, err = admin.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true})
		require.NoError(t, err)
		require.Len(t, local.Policies, 1)
		assert.Equal(t, arn, *local.Policies[0].Arn)
		assert.EqualValues(t, 1, *local.Policies[0].AttachmentCount)
	})
	t.Run("deleted between pages", func(t *testing.T) {
		first, err := admin.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: prefix, MaxItems: two})
		require.NoError(t, err)
		require.True(t, first.IsTruncated)
		_, err = admin.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g-c")})
		require.NoError(t, err)
		rest, err := admin.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: prefix, Marker: first.Marker})
		require.NoError(t, err)
		var got []string
		for _, g := range rest.Groups {
			got = append(got, *g.GroupName)
		}
		assert.Equal(t, []string{"g-d", "g-e"}, got)
	})
	t.Run("bad input", func(t *testing.T) {
		_, err := admin.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
		assert.Equal(t, "ValidationError", errCode(err))
		_, err = admin.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("not base64!")})
		assert.Equal(t, "InvalidInput", errCode(err))
		_, err = admin.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Everything"})
		assert.Equal(t, "ValidationError", errCode(err))
		_, err = admin.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("team")})
		assert.Equal(t, "ValidationError", errCode(err))
	})
}

// TestIAMDeleteConflicts: each delete is refused with DeleteConflict while
// IAM's rule says something still hangs on the entity, and succeeds once
// that is removed.
func TestIAMDeleteConflicts(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Describe"), PolicyDocument: aws.String(allowDescribe)})
	require.NoError(t, err)
	policyARN := pol.Policy.Arn
	user := aws.String("leaver")
	role := aws.String("Leaver")
	group := aws.String("Leavers")
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: user})
	require.NoError(t, err)
	_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: aws.String(trustSSM)})
	require.NoError(t, err)
	_, err = admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: group})
	require.NoError(t, err)
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: user})
	require.NoError(t, err)

	setup := []func() error{
		func() error {
			_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("inline"), PolicyDocument: aws.String(allowDescribe)})
			return err
		},
		func() error {
			_, err := admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: policyARN})
			return err
		},
		func() error {
			_, err := admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: user, GroupName: group})
			return err
		},
		func() error {
			_, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("inline"), PolicyDocument: aws.String(allowDescribe)})
			return err
		},
		func() error {
			_, err := admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: policyARN})
			return err
		},
		func() error {
			_, err := admin.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: group, PolicyName: aws.String("inline"), PolicyDocument: aws.String(allowDescribe)})
			return err
		},
		func() error {
			_, err := admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: group, PolicyArn: policyARN})
			return err
		},
		func() error {
			_, err := admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: policyARN, PolicyDocument: aws.String(allowDescribe)})
			return err
		},
	}
	for _, f := range setup {
		require.NoError(t, f())
	}
	groups, err := admin.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})
	require.NoError(t, err)
	require.Len(t, groups.Groups, 1)
	assert.Equal(t, *group, *groups.Groups[0].GroupName)
	names, err := admin.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: group})
	require.NoError(t, err)
	assert.Equal(t, []string{"inline"}, names.PolicyNames)

	deleteUser := func() error { _, err := admin.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}); return err }
	deleteRole := func() error { _, err := admin.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role}); return err }
	deleteGroup := func() error { _, err := admin.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: group}); return err }
	deletePolicy := func() error {
		_, err := admin.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: policyARN})
		return err
	}

	// Each step removes one thing in the way; the deletes are tried
	// before it (refused) and the one it frees is tried after.
	steps := []struct {
		name    string
		blocked []func() error // refused before the step
		remove  func() error
		freed   func() error // succeeds after the step, if set
	}{
		{"access key", []func() error{deleteUser}, func() error {
			_, err := admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: key.AccessKey.AccessKeyId})
			return err
		}, nil},
		{"user inline policy", []func() error{deleteUser}, func() error {
			_, err := admin.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String("inline")})
			return err
		}, nil},
		{"user attached policy", []func() error{deleteUser, deletePolicy}, func() error {
			_, err := admin.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: policyARN})
			return err
		}, nil},
		{"group membership", []func() error{deleteUser, deleteGroup}, func() error {
			_, err := admin.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: user, GroupName: group})
			return err
		}, deleteUser},
		{"role inline policy", []func() error{deleteRole}, func() error {
			_, err := admin.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("inline")})
			return err
		}, nil},
		{"role attached policy", []func() error{deleteRole, deletePolicy}, func() error {
			_, err := admin.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: policyARN})
			return err
		}, deleteRole},
		{"group inline policy", []func() error{deleteGroup}, func() error {
			_, err := admin.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: group, PolicyName: aws.String("inline")})
			return err
		}, nil},
		{"group attached policy", []func() error{deleteGroup, deletePolicy}, func() error {
			_, err := admin.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: group, PolicyArn: policyARN})
			return err
		}, deleteGroup},
		{"policy version", []func() error{deletePolicy}, func() error {
			_, err := admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: policyARN, VersionId: aws.String("v2")})
			return err
		}, deletePolicy},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			for _, f := range s.blocked {
				assert.Equal(t, "DeleteConflict", errCode(f()))
			}
			require.NoError(t, s.remove())
			if s.freed != nil {
				require.NoError(t, s.freed())
			}
		})
	}

	t.Run("gone", func(t *testing.T) {
		for _, f := range []func() error{deleteUser, deleteRole, deleteGroup, deletePolicy} {
			assert.Equal(t, "NoSuchEntity", errCode(f()))
		}
		_, err := admin.GetUser(ctx, &iam.GetUserInput{UserName: user})
		assert.Equal(t, "NoSuchEntity", errCode(err))
		_, err = admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: policyARN})
		assert.Equal(t, "NoSuchEntity", errCode(err))
		_, err = admin.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
		assert.Equal(t, "AccessDenied", errCode(err))
	})
}

// TestIAMAccessKeys: ListAccessKeys, UpdateAccessKey and DeleteAccessKey;
// an inactive or deleted key no longer signs requests.
func TestIAMAccessKeys(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	creds := user(t, srv, "keyholder", "")
	other := user(t, srv, "other", "")
	callerErr := func(c ssmlocal.Credentials) string {
		_, err := sts.NewFromConfig(cfg(srv, c)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return errCode(err)
	}
	name := aws.String("keyholder")
	id := aws.String(creds.AccessKeyID)

	keys, err := admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: name})
	require.NoError(t, err)
	require.Len(t, keys.AccessKeyMetadata, 1)
	assert.Equal(t, creds.AccessKeyID, *keys.AccessKeyMetadata[0].AccessKeyId)
	assert.Equal(t, types.StatusTypeActive, keys.AccessKeyMetadata[0].Status)
	assert.NotNil(t, keys.AccessKeyMetadata[0].CreateDate)

	steps := []struct {
		name   string
		run    func() error
		code   string // of the call itself
		status types.StatusType
		signs  string // error code of a call signed with the key afterwards
	}{
		{"deactivate", func() error {
			_, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: name, AccessKeyId: id, Status: types.StatusTypeInactive})
			return err
		}, "", types.StatusTypeInactive, "InvalidClientTokenId"},
		{"another user's key", func() error {
			_, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("other"), AccessKeyId: id, Status: types.StatusTypeActive})
			return err
		}, "NoSuchEntity", types.StatusTypeInactive, "InvalidClientTokenId"},
		{"bad status", func() error {
			_, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: name, AccessKeyId: id, Status: "Paused"})
			return err
		}, "ValidationError", types.StatusTypeInactive, "InvalidClientTokenId"},
		{"reactivate", func() error {
			_, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: name, AccessKeyId: id, Status: types.StatusTypeActive})
			return err
		}, "", types.StatusTypeActive, ""},
		{"delete", func() error {
			_, err := admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: name, AccessKeyId: id})
			return err
		}, "", "", "InvalidClientTokenId"},
		{"delete again", func() error {
			_, err := admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: name, AccessKeyId: id})
			return err
		}, "NoSuchEntity", "", "InvalidClientTokenId"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			assert.Equal(t, s.code, errCode(s.run()))
			keys, err := admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: name})
			require.NoError(t, err)
			if s.status == "" {
				assert.Empty(t, keys.AccessKeyMetadata)
			} else if assert.Len(t, keys.AccessKeyMetadata, 1) {
				assert.Equal(t, s.status, keys.AccessKeyMetadata[0].Status)
			}
			assert.Equal(t, s.signs, callerErr(creds))
			assert.Empty(t, callerErr(other), "the other user's key is untouched")
		})
	}

	t.Run("own keys without UserName", func(t *testing.T) {
		self := iam.NewFromConfig(cfg(srv, other))
		_, err := self.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		assert.Equal(t, "AccessDenied", errCode(err), "no policy grants it")
		_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("other"), PolicyName: aws.String("keys"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)})
		require.NoError(t, err)
		own, err := self.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		require.NoError(t, err)
		require.Len(t, own.AccessKeyMetadata, 1)
		assert.Equal(t, "other", *own.AccessKeyMetadata[0].UserName)
		_, err = self.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("admin")})
		assert.Equal(t, "AccessDenied", errCode(err))
	})
}

// TestIAMDeletesSurviveRestart: a deleted user stays deleted and an
// inactive key stays refused after the endpoint restarts on its state.
func TestIAMDeletesSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	opts := func(o *ssmlocal.Options) {
		o.StateFile = path
		o.AdminAccessKeyID, o.AdminSecretAccessKey = "AKIASTATETESTADMIN02", "state-test-secret"
	}
	ctx := context.Background()
	srv, err := ssmlocal.New(opts)
	require.NoError(t, err)
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gone")})
	require.NoError(t, err)
	_, err = admin.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("gone")})
	require.NoError(t, err)
	creds := user(t, srv, "paused", "")
	_, err = admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("paused"), AccessKeyId: aws.String(creds.AccessKeyID), Status: types.StatusTypeInactive})
	require.NoError(t, err)
	require.NoError(t, srv.Close())

	srv = newServer(t, opts)
	admin = iam.NewFromConfig(cfg(srv, srv.Admin()))
	_, err = admin.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("gone")})
	assert.Equal(t, "NoSuchEntity", errCode(err))
	_, err = sts.NewFromConfig(cfg(srv, creds)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assert.Equal(t, "InvalidClientTokenId", errCode(err))
}

// TestIAMRoleTags: TagRole merges by key, UntagRole removes keys, and
// ListRoleTags pages; aws:TagKeys in a policy limits which keys a caller
// may set.
func TestIAMRoleTags(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	role := aws.String("Tagged")
	_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: aws.String(trustSSM)})
	require.NoError(t, err)
	tags := func(kv ...string) []types.Tag {
		var out []types.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	list := func(t *testing.T) map[string]string {
		out := map[string]string{}
		pages := iam.NewListRoleTagsPaginator(admin, &iam.ListRoleTagsInput{RoleName: role, MaxItems: aws.Int32(1)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(page.Tags), 1)
			for _, tg := range page.Tags {
				out[*tg.Key] = *tg.Value
			}
		}
		return out
	}
	_, err = admin.TagRole(ctx, &iam.TagRoleInput{RoleName: role, Tags: tags("team", "a", "env", "dev")})
	require.NoError(t, err)
	_, err = admin.TagRole(ctx, &iam.TagRoleInput{RoleName: role, Tags: tags("env", "prod", "owner", "x")})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "a", "env": "prod", "owner": "x"}, list(t))
	_, err = admin.UntagRole(ctx, &iam.UntagRoleInput{RoleName: role, TagKeys: []string{"owner", "absent"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"team": "a", "env": "prod"}, list(t))
	got, err := admin.GetRole(ctx, &iam.GetRoleInput{RoleName: role})
	require.NoError(t, err)
	assert.Len(t, got.Role.Tags, 2)

	_, err = admin.TagRole(ctx, &iam.TagRoleInput{RoleName: role, Tags: tags("aws:reserved", "v")})
	assert.Equal(t, "InvalidInput", errCode(err))
	_, err = admin.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("Missing"), Tags: tags("k", "v")})
	assert.Equal(t, "NoSuchEntity", errCode(err))
	many := make([]string, 0, 100)
	for i := range 49 {
		many = append(many, "k"+string(rune('A'+i/26))+string(rune('a'+i%26)), "v")
	}
	_, err = admin.TagRole(ctx, &iam.TagRoleInput{RoleName: role, Tags: tags(many...)})
	assert.Equal(t, "LimitExceeded", errCode(err), "49 new tags and 2 kept exceed 50")

	tagger := iam.NewFromConfig(cfg(srv, user(t, srv, "tagger", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagRole","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}`)))
	_, err = tagger.TagRole(ctx, &iam.TagRoleInput{RoleName: role, Tags: tags("team", "b")})
	require.NoError(t, err)
	_, err = tagger.TagRole(ctx, &iam.TagRoleInput{RoleName: role, Tags: tags("env", "dev")})
	assert.Equal(t, "AccessDenied", errCode(err))
	assert.Equal(t, map[string]string{"team": "b", "env": "prod"}, list(t))
}

// TestIAMPolicyVersionsAndEntities: SetDefaultPolicyVersion changes the
// document in force; ListEntitiesForPolicy names who has the policy.
func TestIAMPolicyVersionsAndEntities(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Shared"), PolicyDocument: aws.String(allowDescribe)})
	require.NoError(t, err)
	arn := pol.Policy.Arn
	_, err = admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})
	require.NoError(t, err)

	steps := []struct {
		version, code, def string
	}{
		{"v2", "", "v2"},
		{"v9", "NoSuchEntity", "v2"},
		{"x1", "ValidationError", "v2"},
		{"v1", "", "v1"},
	}
	for _, s := range steps {
		t.Run("SetDefaultPolicyVersion "+s.version, func(t *testing.T) {
			_, err := admin.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String(s.version)})
			assert.Equal(t, s.code, errCode(err))
			got, err := admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
			require.NoError(t, err)
			assert.Equal(t, s.def, *got.Policy.DefaultVersionId)
		})
	}

	for _, n := range []string{"u2", "u1"} {
		_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)})
		require.NoError(t, err)
		_, err = admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(n), PolicyArn: arn})
		require.NoError(t, err)
	}
	_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("R"), AssumeRolePolicyDocument: aws.String(trustSSM)})
	require.NoError(t, err)
	_, err = admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("R"), PolicyArn: arn})
	require.NoError(t, err)
	_, err = admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("G")})
	require.NoError(t, err)
	_, err = admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("G"), PolicyArn: arn})
	require.NoError(t, err)
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("unattached")})
	require.NoError(t, err)

	var got []string
	pages := iam.NewListEntitiesForPolicyPaginator(admin, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, MaxItems: aws.Int32(3)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err)
		for _, g := range page.PolicyGroups {
			got = append(got, "group "+*g.GroupName)
		}
		for _, u := range page.PolicyUsers {
			got = append(got, "user "+*u.UserName)
		}
		for _, r := range page.PolicyRoles {
			got = append(got, "role "+*r.RoleName)
		}
	}
	assert.Equal(t, []string{"group G", "user u1", "user u2", "role R"}, got)
	roles, err := admin.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: types.EntityTypeRole})
	require.NoError(t, err)
	assert.Empty(t, roles.PolicyUsers)
	require.Len(t, roles.PolicyRoles, 1)
	_, err = admin.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + srv.AccountID() + ":policy/Missing")})
	assert.Equal(t, "NoSuchEntity", errCode(err))
}

// TestIAMAccountAuthorizationDetails: every user, group, role and managed
// policy with its policies, filtered by Filter and paged; AWS managed
// policies only while attached.
func TestIAMAccountAuthorizationDetails(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Local"), PolicyDocument: aws.String(allowDescribe)})
	require.NoError(t, err)
	user(t, srv, "alice", allowDescribe)
	_, err = admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("G")})
	require.NoError(t, err)
	_, err = admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("G"), UserName: aws.String("alice")})
	require.NoError(t, err)
	_, err = admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("G"), PolicyArn: pol.Policy.Arn})
	require.NoError(t, err)
	_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("R"), AssumeRolePolicyDocument: aws.String(trustSSM)})
	require.NoError(t, err)

	var users, groups, roles, policies []string
	var alice types.UserDetail
	pages := iam.NewGetAccountAuthorizationDetailsPaginator(admin, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.UserDetailList)+len(page.GroupDetailList)+len(page.RoleDetailList)+len(page.Policies), 2)
		for _, u := range page.UserDetailList {
			users = append(users, *u.UserName)
			if *u.UserName == "alice" {
				alice = u
			}
		}
		for _, g := range page.GroupDetailList {
			groups = append(groups, *g.GroupName)
		}
		for _, r := range page.RoleDetailList {
			roles = append(roles, *r.RoleName)
		}
		for _, p := range page.Policies {
			policies = append(policies, *p.PolicyName)
			assert.NotEmpty(t, p.PolicyVersionList)
		}
	}
	assert.Contains(t, users, "alice")
	assert.Equal(t, []string{"G"}, groups)
	assert.Equal(t, []string{"R"}, roles)
	assert.ElementsMatch(t, []string{"Local", "AdministratorAccess"}, policies, "the local policy and the administrator's attached AWS policy")
	assert.Equal(t, []string{"G"}, alice.GroupList)
	require.Len(t, alice.UserPolicyList, 1)
	assert.Equal(t, "p", *alice.UserPolicyList[0].PolicyName)

	_, err = admin.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("P")})
	require.NoError(t, err)
	_, err = admin.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("P"), RoleName: aws.String("R")})
	require.NoError(t, err)
	_, err = admin.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("Empty")})
	require.NoError(t, err)
	only, err := admin.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}})
	require.NoError(t, err)
	assert.Empty(t, only.UserDetailList)
	assert.Empty(t, only.Policies)
	require.Len(t, only.RoleDetailList, 1)
	assert.NotNil(t, only.RoleDetailList[0].AssumeRolePolicyDocument)
	profiles := only.RoleDetailList[0].InstanceProfileList
	require.Len(t, profiles, 1, "the profile holding the role, not the empty one")
	assert.Equal(t, "P", aws.ToString(profiles[0].InstanceProfileName))
	require.Len(t, profiles[0].Roles, 1)
	assert.Equal(t, "R", aws.ToString(profiles[0].Roles[0].RoleName))
	_, err = admin.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Bucket"}})
	assert.Equal(t, "ValidationError", errCode(err))
}
