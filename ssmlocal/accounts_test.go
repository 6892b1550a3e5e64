package ssmlocal_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
	acctC = "333333333333"
)

// multiServer serves acctA (home) and the given more accounts.
func multiServer(t testing.TB, more ...string) *ssmlocal.Server {
	t.Helper()
	return newServer(t, func(o *ssmlocal.Options) {
		o.AccountID = acctA
		o.Accounts = more
	})
}

func account(t testing.TB, srv *ssmlocal.Server, id string) *ssmlocal.Account {
	t.Helper()
	a, err := srv.Account(id)
	require.NoError(t, err)
	return a
}

// adminOf is the administrator's config of an account, without retries.
func adminOf(t testing.TB, srv *ssmlocal.Server, id string) aws.Config {
	t.Helper()
	c := account(t, srv, id).AdminConfig()
	noRetry(&c)
	return c
}

// acctUser creates a user with an access key and an optional inline policy
// in an account.
func acctUser(t testing.TB, srv *ssmlocal.Server, id, name, policyDoc string) aws.Config {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(adminOf(t, srv, id))
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	require.NoError(t, err)
	if policyDoc != "" {
		_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policyDoc)})
		require.NoError(t, err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	require.NoError(t, err)
	return cfg(srv, ssmlocal.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)})
}

// acctRole creates a role in an account with a trust policy and an optional
// inline policy.
func acctRole(t testing.TB, srv *ssmlocal.Server, id, name, trust, policyDoc string) string {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(adminOf(t, srv, id))
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(43200)})
	require.NoError(t, err)
	if policyDoc != "" {
		_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policyDoc)})
		require.NoError(t, err)
	}
	return aws.ToString(out.Role.Arn)
}

// assume assumes a role and returns a config for the session.
func assume(ctx context.Context, srv *ssmlocal.Server, from aws.Config, in *sts.AssumeRoleInput) (aws.Config, error) {
	if in.RoleSessionName == nil {
		in.RoleSessionName = aws.String("test")
	}
	out, err := sts.NewFromConfig(from).AssumeRole(ctx, in)
	if err != nil {
		return aws.Config{}, err
	}
	cr := out.Credentials
	return cfg(srv, ssmlocal.Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey), SessionToken: aws.ToString(cr.SessionToken)}), nil
}

func trustOf(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
}

const (
	allowAssume = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	denyAssumeB = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},
		{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/*"}]}`
)

func TestAccountsOptions(t *testing.T) {
	many := make([]string, 50)
	for i := range many {
		many[i] = fmt.Sprintf("2%011d", i)
	}
	tests := []struct {
		name     string
		accounts []string
		wantErr  string
	}{
		{"none", nil, ""},
		{"two more", []string{acctB, acctC}, ""},
		{"not twelve digits", []string{"2222"}, `account id "2222" is not 12 digits`},
		{"letters", []string{"22222222222x"}, "is not 12 digits"},
		{"repeated", []string{acctB, acctB}, "account 222222222222 is given twice"},
		{"the home account", []string{acctA}, "account 111111111111 is given twice"},
		{"too many", many, "51 accounts; an endpoint serves at most 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := ssmlocal.New(func(o *ssmlocal.Options) { o.AccountID = acctA; o.Accounts = tt.accounts })
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			defer func() { require.NoError(t, srv.Close()) }()
			assert.Equal(t, append([]string{acctA}, tt.accounts...), srv.Accounts())
			_, err = srv.Account("999999999999")
			assert.ErrorIs(t, err, ssmlocal.ErrUnknownAccount)
			home := account(t, srv, acctA)
			assert.Equal(t, srv.Admin(), home.AdminCredentials(), "the home account is the server's own")
		})
	}
}

func TestAccountsCallerIdentity(t *testing.T) {
	srv := multiServer(t, acctB, acctC)
	ctx := context.Background()
	for _, id := range []string{acctA, acctB, acctC} {
		t.Run(id, func(t *testing.T) {
			a := account(t, srv, id)
			out, err := sts.NewFromConfig(adminOf(t, srv, id)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			require.NoError(t, err)
			assert.Equal(t, id, aws.ToString(out.Account))
			assert.Equal(t, "arn:aws:iam::"+id+":user/admin", aws.ToString(out.Arn))
			assert.Equal(t, a.AdminARN(), aws.ToString(out.Arn))
			if id != acctA {
				assert.NotEqual(t, srv.Admin().AccessKeyID, a.AdminCredentials().AccessKeyID, "each account has its own administrator")
			}
		})
	}
	t.Run("unknown key", func(t *testing.T) {
		_, err := sts.NewFromConfig(cfg(srv, ssmlocal.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN12", SecretAccessKey: "x"})).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		assert.Equal(t, "InvalidClientTokenId", errCode(err))
	})
	t.Run("another account's key with a wrong secret", func(t *testing.T) {
		creds := account(t, srv, acctB).AdminCredentials()
		creds.SecretAccessKey = strings.Repeat("x", 40)
		_, err := sts.NewFromConfig(cfg(srv, creds)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		assert.Equal(t, "SignatureDoesNotMatch", errCode(err))
	})
}

// TestCrossAccountAssumeRole: a caller in A assuming a role in B needs both
// A's identity policies and B's trust policy to allow it.
func TestCrossAccountAssumeRole(t *testing.T) {
	srv := multiServer(t, acctB)
	ctx := context.Background()
	alice := acctUser(t, srv, acctA, "alice", allowAssume) // allowed by her policies
	bob := acctUser(t, srv, acctA, "bob", "")              // no policy
	carol := acctUser(t, srv, acctA, "carol", denyAssumeB) // denies B's roles
	selfTrust := trustOf(acctA)
	acctRole(t, srv, acctA, "Admin", selfTrust, allowAssume)
	acctRole(t, srv, acctA, "Other", selfTrust, allowAssume)
	adminA := adminOf(t, srv, acctA)
	adminSession, err := assume(ctx, srv, adminA, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/Admin")})
	require.NoError(t, err)
	otherSession, err := assume(ctx, srv, adminA, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/Other")})
	require.NoError(t, err)
	callers := map[string]aws.Config{"alice": alice, "bob": bob, "carol": carol, "Admin session": adminSession, "Other session": otherSession}
	callerARN := map[string]string{
		"alice": "arn:aws:iam::111111111111:user/alice", "bob": "arn:aws:iam::111111111111:user/bob", "carol": "arn:aws:iam::111111111111:user/carol",
		"Admin session": "arn:aws:sts::111111111111:assumed-role/Admin/test", "Other session": "arn:aws:sts::111111111111:assumed-role/Other/test",
	}
	const externalTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"open-sesame"}}}]}`
	const denyTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sts:AssumeRole"}]}`
	tests := []struct {
		name       string
		caller     string
		trust      string // "" creates no role
		roleARN    string // when not the created role's
		externalID string
		wantErr    bool
	}{
		// The four combinations of the two sides.
		{name: "identity allows, trust allows", caller: "alice", trust: trustOf("arn:aws:iam::111111111111:root")},
		{name: "identity allows, trust names another account", caller: "alice", trust: trustOf("arn:aws:iam::999999999999:root"), wantErr: true},
		{name: "identity silent, trust allows", caller: "bob", trust: trustOf("arn:aws:iam::111111111111:root"), wantErr: true},
		{name: "identity silent, trust names another account", caller: "bob", trust: trustOf("999999999999"), wantErr: true},
		// Cross-account, a trust naming the caller itself is not enough.
		{name: "trust names the user, identity silent", caller: "bob", trust: trustOf("arn:aws:iam::111111111111:user/bob"), wantErr: true},
		{name: "trust names the user", caller: "alice", trust: trustOf("arn:aws:iam::111111111111:user/alice")},
		{name: "trust names the account by id", caller: "alice", trust: trustOf(acctA)},
		{name: "trust names a role, its session calls", caller: "Admin session", trust: trustOf("arn:aws:iam::111111111111:role/Admin")},
		{name: "trust names a role, another role's session calls", caller: "Other session", trust: trustOf("arn:aws:iam::111111111111:role/Admin"), wantErr: true},
		{name: "trust names a role, a user calls", caller: "alice", trust: trustOf("arn:aws:iam::111111111111:role/Admin"), wantErr: true},
		{name: "trust names the account root, a role session calls", caller: "Other session", trust: trustOf("arn:aws:iam::111111111111:root")},
		{name: "explicit deny in the identity", caller: "carol", trust: trustOf("arn:aws:iam::111111111111:root"), wantErr: true},
		{name: "explicit deny in the trust", caller: "alice", trust: denyTrust, wantErr: true},
		{name: "external id given", caller: "alice", trust: externalTrust, externalID: "open-sesame"},
		{name: "external id missing", caller: "alice", trust: externalTrust, wantErr: true},
		{name: "external id wrong", caller: "alice", trust: externalTrust, externalID: "open-barley", wantErr: true},
		{name: "no such role", caller: "alice", wantErr: true},
		{name: "account not served", caller: "alice", roleARN: "arn:aws:iam::333333333333:role/Target", wantErr: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("Target%d", i)
			roleARN := "arn:aws:iam::222222222222:role/" + name
			if tt.trust != "" {
				acctRole(t, srv, acctB, name, tt.trust, "")
			}
			if tt.roleARN != "" {
				roleARN = tt.roleARN
			}
			in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("cross")}
			if tt.externalID != "" {
				in.ExternalId = aws.String(tt.externalID)
			}
			sess, err := assume(ctx, srv, callers[tt.caller], in)
			if tt.wantErr {
				require.Error(t, err)
				assert.Equal(t, "AccessDenied", errCode(err))
				assert.Contains(t, err.Error(), "User: "+callerARN[tt.caller]+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
				return
			}
			require.NoError(t, err)
			out, err := sts.NewFromConfig(sess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			require.NoError(t, err)
			assert.Equal(t, acctB, aws.ToString(out.Account), "the session is the role's account's")
			assert.Equal(t, "arn:aws:sts::222222222222:assumed-role/"+name+"/cross", aws.ToString(out.Arn))
		})
	}
}

// Both sides' decisions are in the trail of the account that made them.
func TestCrossAccountAssumeRoleAudit(t *testing.T) {
	srv := multiServer(t, acctB)
	ctx := context.Background()
	alice := acctUser(t, srv, acctA, "alice", allowAssume)
	acctRole(t, srv, acctB, "Open", trustOf(acctA), "")
	acctRole(t, srv, acctB, "Closed", trustOf("999999999999"), "")
	_, err := assume(ctx, srv, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/Open")})
	require.NoError(t, err)
	_, err = assume(ctx, srv, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/Closed")})
	require.Error(t, err)

	type side struct{ resource, decision, errCode, account string }
	pick := func(events []ssmlocal.AuditEvent) []side {
		var out []side
		for _, e := range events {
			if e.API == "AssumeRole" && e.Principal == "arn:aws:iam::111111111111:user/alice" {
				out = append(out, side{strings.Join(e.Resources, ","), e.Decision, e.ErrorCode, e.Account})
			}
		}
		return out
	}
	want := func(account string) []side {
		return []side{
			{"arn:aws:iam::222222222222:role/Open", "Allowed", "", account},
			{"arn:aws:iam::222222222222:role/Closed", "Denied", "AccessDenied", account},
		}
	}
	assert.Equal(t, want(acctA), pick(account(t, srv, acctA).Audit()), "the caller's account")
	assert.Equal(t, want(acctB), pick(account(t, srv, acctB).Audit()), "the role's account")
	assert.Equal(t, srv.Audit(), account(t, srv, acctA).Audit())
}

// Role chaining keeps its one-hour limit across accounts, and a chain may
// cross several accounts.
func TestCrossAccountRoleChaining(t *testing.T) {
	srv := multiServer(t, acctB, acctC)
	ctx := context.Background()
	alice := acctUser(t, srv, acctA, "alice", allowAssume)
	acctRole(t, srv, acctB, "Hop", trustOf(acctA), allowAssume)
	acctRole(t, srv, acctC, "Last", trustOf("arn:aws:iam::222222222222:role/Hop"), "")
	long := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/Hop"), DurationSeconds: aws.Int32(7200)}
	_, err := assume(ctx, srv, alice, long)
	require.NoError(t, err, "a user may ask for up to the role's maximum")

	hop, err := assume(ctx, srv, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/Hop")})
	require.NoError(t, err)
	_, err = assume(ctx, srv, hop, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::333333333333:role/Last"), DurationSeconds: aws.Int32(7200)})
	require.Error(t, err)
	assert.Equal(t, "ValidationError", errCode(err))
	assert.Contains(t, err.Error(), "1 hour session limit for roles assumed by role chaining")

	last, err := assume(ctx, srv, hop, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::333333333333:role/Last"), DurationSeconds: aws.Int32(3600)})
	require.NoError(t, err)
	out, err := sts.NewFromConfig(last).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, acctC, aws.ToString(out.Account))

	// Back into the first account: its trust must name the hop.
	acctRole(t, srv, acctA, "Home", trustOf("arn:aws:iam::333333333333:role/Last"), "")
	_, err = assume(ctx, srv, last, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/Home")})
	require.Error(t, err, "Last has no identity policy allowing sts:AssumeRole")
	assert.Equal(t, "AccessDenied", errCode(err))
}

// Every account has its own namespace: names and ids of one account are
// not found in another.
func TestAccountsIsolation(t *testing.T) {
	srv := multiServer(t, acctB)
	ctx := context.Background()
	a, b := adminOf(t, srv, acctA), adminOf(t, srv, acctB)

	acctRole(t, srv, acctB, "Shared", trustOf(acctB), "")
	_, err := iam.NewFromConfig(a).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Shared")})
	assert.Equal(t, "NoSuchEntity", errCode(err), "A does not see B's role")
	arnA := acctRole(t, srv, acctA, "Shared", trustOf(acctA), "")
	assert.Equal(t, "arn:aws:iam::111111111111:role/Shared", arnA)
	got, err := iam.NewFromConfig(b).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Shared")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::222222222222:role/Shared", aws.ToString(got.Role.Arn))

	idsB, err := account(t, srv, acctB).AddInstances(2)
	require.NoError(t, err)
	idsA, err := srv.AddInstances(1)
	require.NoError(t, err)
	out, err := ec2.NewFromConfig(a).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	require.NoError(t, err)
	var listed []string
	for _, r := range out.Reservations {
		assert.Equal(t, acctA, aws.ToString(r.OwnerId))
		for _, in := range r.Instances {
			listed = append(listed, aws.ToString(in.InstanceId))
		}
	}
	assert.Equal(t, idsA, listed)
	_, err = ec2.NewFromConfig(a).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: idsB[:1]})
	assert.Equal(t, "InvalidInstanceID.NotFound", errCode(err))
	state, err := account(t, srv, acctB).InstanceState("us-east-1", idsB[0])
	require.NoError(t, err)
	assert.Equal(t, "running", state)

	_, err = ssm.NewFromConfig(b).CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("OnlyInB"), DocumentType: ssmtypes.DocumentTypeAutomation,
		Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)})
	require.NoError(t, err)
	_, err = ssm.NewFromConfig(a).GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("OnlyInB")})
	assert.Equal(t, "InvalidDocument", errCode(err))

	_, err = ssm.NewFromConfig(b).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/only/b"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString})
	require.NoError(t, err)
	_, err = ssm.NewFromConfig(a).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/only/b")})
	assert.Equal(t, "ParameterNotFound", errCode(err))

	// A's administrator has AdministratorAccess in A, which does not
	// reach B's roles: B's trust must admit A.
	_, err = assume(ctx, srv, a, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/Shared")})
	assert.Equal(t, "AccessDenied", errCode(err))
}

// Cross-account AssumeRole in both directions at once takes each account's
// lock alone, never one inside the other.
func TestCrossAccountAssumeRoleConcurrent(t *testing.T) {
	srv := multiServer(t, acctB)
	ctx := context.Background()
	fromA := acctUser(t, srv, acctA, "alice", allowAssume)
	fromB := acctUser(t, srv, acctB, "bruno", allowAssume)
	acctRole(t, srv, acctA, "InA", trustOf(acctB), "")
	acctRole(t, srv, acctB, "InB", trustOf(acctA), "")
	adminA, adminB := iam.NewFromConfig(adminOf(t, srv, acctA)), iam.NewFromConfig(adminOf(t, srv, acctB))
	const rounds = 8
	errs := make(chan error, 6*rounds)
	var wg sync.WaitGroup
	for i := range rounds {
		wg.Add(4)
		go func() {
			defer wg.Done()
			_, err := assume(ctx, srv, fromA, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/InB")})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := assume(ctx, srv, fromB, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/InA")})
			errs <- err
		}()
		// Trust and identity changes race the decisions.
		go func() {
			defer wg.Done()
			_, err := adminB.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("InB"), PolicyDocument: aws.String(trustOf(acctA))})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := adminA.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String(fmt.Sprintf("p%d", i%2)), PolicyDocument: aws.String(allowAssume)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

func TestAccountsUnknownAccountIsTyped(t *testing.T) {
	srv := multiServer(t)
	_, err := srv.Account(acctB)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ssmlocal.ErrUnknownAccount))
	assert.Equal(t, []string{acctA}, srv.Accounts())
}

// The caller's side sees the role's tags, read from the role's account.
func TestCrossAccountAssumeRoleResourceTags(t *testing.T) {
	srv := multiServer(t, acctB)
	ctx := context.Background()
	const byTag = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*",
		"Condition":{"StringEquals":{"aws:ResourceTag/team":"ops","aws:ResourceAccount":"222222222222"}}}]}`
	alice := acctUser(t, srv, acctA, "alice", byTag)
	b := iam.NewFromConfig(adminOf(t, srv, acctB))
	for _, r := range []struct{ name, team string }{{"Ops", "ops"}, {"Dev", "dev"}} {
		_, err := b.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name), AssumeRolePolicyDocument: aws.String(trustOf(acctA)),
			Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String(r.team)}}})
		require.NoError(t, err)
	}
	tests := []struct {
		role    string
		wantErr bool
	}{
		{"Ops", false},
		{"Dev", true},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			_, err := assume(ctx, srv, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/" + tt.role)})
			if tt.wantErr {
				assert.Equal(t, "AccessDenied", errCode(err))
				return
			}
			assert.NoError(t, err)
		})
	}
}
