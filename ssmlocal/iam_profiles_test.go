package ssmlocal_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// TestInstanceProfiles: a profile holds one role at most; neither the role
// nor the profile can be deleted while they are linked; the listings and
// Get show the role.
func TestInstanceProfiles(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(cfg(srv, srv.Admin()))
	for _, r := range []string{"web", "db"} {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r), AssumeRolePolicyDocument: aws.String(trustEC2)})
		require.NoError(t, err)
	}
	made, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Path: aws.String("/app/")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:instance-profile/app/web-profile", aws.ToString(made.InstanceProfile.Arn))
	assert.Empty(t, made.InstanceProfile.Roles)
	_, err = c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
	assert.Equal(t, "EntityAlreadyExists", errCode(err))

	profile := aws.String("web-profile")
	steps := []struct {
		name string
		call func() error
		code string
	}{
		{"add role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: profile, RoleName: aws.String("web")})
			return err
		}, ""},
		{"a second role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: profile, RoleName: aws.String("db")})
			return err
		}, "LimitExceeded"},
		{"unknown role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: profile, RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity"},
		{"delete the role", func() error {
			_, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
			return err
		}, "DeleteConflict"},
		{"delete the profile", func() error {
			_, err := c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: profile})
			return err
		}, "DeleteConflict"},
		{"remove another role", func() error {
			_, err := c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: profile, RoleName: aws.String("db")})
			return err
		}, "NoSuchEntity"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { assert.Equal(t, s.code, errCode(s.call())) })
	}

	got, err := c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: profile})
	require.NoError(t, err)
	require.Len(t, got.InstanceProfile.Roles, 1)
	assert.Equal(t, "web", aws.ToString(got.InstanceProfile.Roles[0].RoleName))
	forRole, err := c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")})
	require.NoError(t, err)
	require.Len(t, forRole.InstanceProfiles, 1)
	forDB, err := c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("db")})
	require.NoError(t, err)
	assert.Empty(t, forDB.InstanceProfiles)
	_, err = c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("other")})
	require.NoError(t, err)
	page, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(1)})
	require.NoError(t, err)
	assert.True(t, page.IsTruncated)
	assert.Equal(t, "other", aws.ToString(page.InstanceProfiles[0].InstanceProfileName))
	apps, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/app/")})
	require.NoError(t, err)
	assert.Len(t, apps.InstanceProfiles, 1)

	_, err = c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: profile, RoleName: aws.String("web")})
	require.NoError(t, err)
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
	require.NoError(t, err)
	_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: profile})
	require.NoError(t, err)
	_, err = c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: profile})
	assert.Equal(t, "NoSuchEntity", errCode(err))
}

// TestRunInstancesProfile: RunInstances resolves IamInstanceProfile to a
// real profile, by name or ARN, and needs iam:PassRole on its role.
func TestRunInstancesProfile(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg(srv, srv.Admin()))
	_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trustEC2)})
	require.NoError(t, err)
	prof, err := admin.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
	require.NoError(t, err)
	_, err = admin.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")})
	require.NoError(t, err)
	const launch = `{"Effect":"Allow","Action":["ec2:RunInstances","ec2:DescribeInstances"],"Resource":"*"}`
	launcher := ec2.NewFromConfig(cfg(srv, user(t, srv, "launcher", `{"Version":"2012-10-17","Statement":[`+launch+`]}`)))
	passer := ec2.NewFromConfig(cfg(srv, user(t, srv, "passer", `{"Version":"2012-10-17","Statement":[`+launch+
		`,{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/web","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)))
	run := func(c *ec2.Client, spec *ec2types.IamInstanceProfileSpecification) (*ec2.RunInstancesOutput, error) {
		return c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), IamInstanceProfile: spec})
	}
	_, err = run(launcher, &ec2types.IamInstanceProfileSpecification{Name: aws.String("web-profile")})
	assert.Equal(t, "UnauthorizedOperation", errCode(err), "no iam:PassRole on the profile's role")
	_, err = run(passer, &ec2types.IamInstanceProfileSpecification{Name: aws.String("web")})
	assert.Equal(t, "InvalidParameterValue", errCode(err), "a role name is not a profile name")
	out, err := run(passer, &ec2types.IamInstanceProfileSpecification{Arn: prof.InstanceProfile.Arn})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(prof.InstanceProfile.Arn), aws.ToString(out.Instances[0].IamInstanceProfile.Arn))
	out, err = run(passer, &ec2types.IamInstanceProfileSpecification{Name: aws.String("web-profile")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(prof.InstanceProfile.Arn), aws.ToString(out.Instances[0].IamInstanceProfile.Arn))
}

// TestDocumentPermissions: a document is shared with accounts and
// publicly, removal wins over adding, the limits and errors are the API
// reference's, sharing survives a restart, and a shared document cannot be
// deleted.
func TestDocumentPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	srv, err := ssmlocal.New(durableOpts(path))
	require.NoError(t, err)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, c, "Shared-Doc", sleepDoc)
	share := ssmtypes.DocumentPermissionTypeShare
	name := aws.String("Shared-Doc")
	modify := func(add, remove []string) error {
		_, err := c.ModifyDocumentPermission(ctx, &ssm.ModifyDocumentPermissionInput{Name: name, PermissionType: share, AccountIdsToAdd: add, AccountIdsToRemove: remove})
		return err
	}
	describe := func(c *ssm.Client) []string {
		t.Helper()
		out, err := c.DescribeDocumentPermission(ctx, &ssm.DescribeDocumentPermissionInput{Name: name, PermissionType: share})
		require.NoError(t, err)
		return out.AccountIds
	}
	require.NoError(t, modify([]string{"111122223333", "444455556666"}, nil))
	require.NoError(t, modify([]string{"777788889999"}, []string{"777788889999", "444455556666"}))
	assert.Equal(t, []string{"111122223333"}, describe(c))

	many := make([]string, 21)
	for i := range many {
		many[i] = "1111222233" + string(rune('0'+i/10)) + string(rune('0'+i%10))
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"more than 20 accounts", func() error { return modify(many, nil) }, "DocumentPermissionLimit"},
		{"bad account id", func() error { return modify([]string{"12"}, nil) }, "ValidationException"},
		{"bad permission type", func() error {
			_, err := c.ModifyDocumentPermission(ctx, &ssm.ModifyDocumentPermissionInput{Name: name, PermissionType: "Read", AccountIdsToAdd: []string{"111122223333"}})
			return err
		}, "InvalidPermissionType"},
		{"unknown document", func() error {
			_, err := c.DescribeDocumentPermission(ctx, &ssm.DescribeDocumentPermissionInput{Name: aws.String("Nope-Doc"), PermissionType: share})
			return err
		}, "InvalidDocument"},
		{"AWS-owned document", func() error {
			_, err := c.ModifyDocumentPermission(ctx, &ssm.ModifyDocumentPermissionInput{Name: aws.String(ssmlocal.RestartEC2Instance), PermissionType: share, AccountIdsToAdd: []string{"all"}})
			return err
		}, "InvalidDocument"},
		{"delete while shared", func() error {
			_, err := c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: name})
			return err
		}, "InvalidDocumentOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.code, errCode(tt.call())) })
	}
	require.NoError(t, modify([]string{"All"}, nil))
	require.NoError(t, srv.Close())

	srv = newServer(t, durableOpts(path))
	c = ssm.NewFromConfig(cfg(srv, srv.Admin()))
	assert.Equal(t, []string{"111122223333", "all"}, describe(c))
	require.NoError(t, modify(nil, []string{"all", "111122223333"}))
	assert.Empty(t, describe(c))
	_, err = c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: name})
	require.NoError(t, err)
}
