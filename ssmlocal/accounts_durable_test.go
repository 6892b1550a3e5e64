package ssmlocal_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// accountsOpts serve the durable test's home account and acctB from path.
func accountsOpts(path string) func(*ssmlocal.Options) {
	return func(o *ssmlocal.Options) {
		durableOpts(path)(o)
		o.Accounts = []string{acctB}
	}
}

// TestAccountsSurviveRestart: every account's state is on disk, in a file
// of its own next to the home account's, and comes back after a restart.
func TestAccountsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	ctx := context.Background()

	srv, err := ssmlocal.New(accountsOpts(path))
	require.NoError(t, err)
	b := account(t, srv, acctB)
	adminB := b.AdminCredentials()
	_, err = iam.NewFromConfig(adminOf(t, srv, acctB)).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("only-in-b")})
	require.NoError(t, err)
	ids, err := b.AddInstances(1)
	require.NoError(t, err)
	acctRole(t, srv, acctB, "InB", trustOf("123456789012"), "")
	alice := acctUser(t, srv, "123456789012", "alice", allowAssume)
	sess, err := assume(ctx, srv, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/InB")})
	require.NoError(t, err)
	sessCreds, err := sess.Credentials.Retrieve(ctx)
	require.NoError(t, err)
	require.NoError(t, srv.Close())

	assert.FileExists(t, filepath.Join(dir, "state.222222222222.db"))

	srv = newServer(t, accountsOpts(path))
	b = account(t, srv, acctB)
	assert.Equal(t, adminB, b.AdminCredentials(), "the account's administrator keeps its key")
	_, err = iam.NewFromConfig(adminOf(t, srv, acctB)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("only-in-b")})
	require.NoError(t, err)
	_, err = iam.NewFromConfig(cfg(srv, srv.Admin())).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("only-in-b")})
	assert.Equal(t, "NoSuchEntity", errCode(err))
	state, err := b.InstanceState("us-east-1", ids[0])
	require.NoError(t, err)
	assert.Equal(t, "running", state)
	// The session B issued still works and is still B's.
	out, err := sts.NewFromConfig(cfg(srv, ssmlocal.Credentials{AccessKeyID: sessCreds.AccessKeyID, SecretAccessKey: sessCreds.SecretAccessKey, SessionToken: sessCreds.SessionToken})).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, acctB, aws.ToString(out.Account))
}

// TestAccountsAddedToAnExistingState: a single-account state file loads
// unchanged when more accounts are served from it, and an account dropped
// from the list keeps its file for when it is served again.
func TestAccountsAddedToAnExistingState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	ctx := context.Background()

	srv, err := ssmlocal.New(durableOpts(path))
	require.NoError(t, err)
	_, err = iam.NewFromConfig(cfg(srv, srv.Admin())).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("home-user")})
	require.NoError(t, err)
	require.NoError(t, srv.Close())

	srv, err = ssmlocal.New(accountsOpts(path))
	require.NoError(t, err)
	_, err = iam.NewFromConfig(cfg(srv, srv.Admin())).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("home-user")})
	require.NoError(t, err)
	_, err = iam.NewFromConfig(adminOf(t, srv, acctB)).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("b-user")})
	require.NoError(t, err)
	require.NoError(t, srv.Close())

	srv, err = ssmlocal.New(durableOpts(path))
	require.NoError(t, err)
	_, err = iam.NewFromConfig(cfg(srv, srv.Admin())).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("b-user")})
	assert.Equal(t, "NoSuchEntity", errCode(err), "B's user is not the home account's")
	require.NoError(t, srv.Close())

	srv = newServer(t, accountsOpts(path))
	_, err = iam.NewFromConfig(adminOf(t, srv, acctB)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("b-user")})
	require.NoError(t, err)
}

// TestAccountsFailedWriteIsNotAcknowledged: a second account's write that
// cannot be persisted fails its call, as the home account's does.
func TestAccountsFailedWriteIsNotAcknowledged(t *testing.T) {
	restore := ssmlocal.FailCommitsAfter(4)
	defer restore()
	// Each account commits once at start, so two writes go through.
	srv, err := ssmlocal.New(accountsOpts(filepath.Join(t.TempDir(), "state.db")))
	require.NoError(t, err)
	defer func() { _ = srv.Close() }()
	ctx := context.Background()
	c := iam.NewFromConfig(adminOf(t, srv, acctB))
	var failed error
	for i := 0; i < 10 && failed == nil; i++ {
		_, failed = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d", i))})
	}
	require.Error(t, failed)
	assert.Equal(t, "ServiceFailure", errCode(failed))
}

const accountsCrashEnv = "SSMLOCAL_ACCOUNTS_CRASH_STATE"

// TestAccountsHelperProcess is the endpoint
// TestAccountsKillNineLosesNoAcknowledgedWrite kills: it serves two
// accounts from the state file named by the environment and prints its URL
// and the second account's administrator key.
func TestAccountsHelperProcess(t *testing.T) {
	path := os.Getenv(accountsCrashEnv)
	if path == "" {
		t.Skip("run by TestAccountsKillNineLosesNoAcknowledgedWrite")
	}
	srv, err := ssmlocal.New(accountsOpts(path))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	b, err := srv.Account(acctB)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(srv.URL())
	fmt.Println(b.AdminCredentials().AccessKeyID + " " + b.AdminCredentials().SecretAccessKey)
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	os.Exit(0)
}

func startAccountsChild(t *testing.T, path string) (*crashChild, crashClients) {
	t.Helper()
	c := spawnChild(t, "TestAccountsHelperProcess", accountsCrashEnv+"="+path)
	key, secret, ok := strings.Cut(c.line(t), " ")
	require.True(t, ok)
	conf := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		BaseEndpoint:     aws.String(c.url),
		HTTPClient:       ssmlocal.HTTPClient(),
		RetryMaxAttempts: 1,
	}
	return c, crashClients{iam: iam.NewFromConfig(conf), ssm: ssm.NewFromConfig(conf), ec2: ec2.NewFromConfig(conf)}
}

// TestAccountsKillNineLosesNoAcknowledgedWrite kills an endpoint serving
// two accounts with SIGKILL while writers load both, restarts it and checks
// that every write either account acknowledged is there, in that account.
func TestAccountsKillNineLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const seed = 20261202
	rng := rand.New(rand.NewPCG(seed, 0))
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	// Users and documents: their reads name no account.
	kinds := []*crashWrite{&crashWrites[0], &crashWrites[2]}
	type acked struct {
		ackedWrite
		inB bool
	}
	var all []acked
	verify := func(home, b crashClients, round int) {
		for _, a := range all {
			c, other := home, b
			if a.inB {
				c, other = b, home
			}
			require.NoError(t, a.kind.read(ctx, c, a.name), "after kill %d: acknowledged %s %s (in B: %v) is lost", round, a.kind.kind, a.name, a.inB)
			require.Error(t, a.kind.read(ctx, other, a.name), "%s %s is in the other account too", a.kind.kind, a.name)
		}
	}
	budget := time.Now().Add(15 * time.Second)
	rounds := 0
	for round := 0; round < 4 && time.Now().Before(budget); round++ {
		rounds++
		child, b := startAccountsChild(t, path)
		home := crashClientsFor(child.url)
		verify(home, b, round)

		killAfter := len(all) + 5 + rng.IntN(40)
		var mu sync.Mutex
		kill := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				inB := w%2 == 1
				c := home
				if inB {
					c = b
				}
				for i := 0; i < 100; i++ {
					kind := kinds[(w+i)%len(kinds)]
					name := fmt.Sprintf("Acct-r%d-w%d-%d", round, w, i)
					if err := kind.write(ctx, c, name); err != nil {
						return // the process is gone
					}
					mu.Lock()
					all = append(all, acked{ackedWrite{kind, name}, inB})
					n := len(all)
					mu.Unlock()
					if n >= killAfter {
						once.Do(func() { close(kill) })
					}
				}
			}()
		}
		go func() { wg.Wait(); once.Do(func() { close(kill) }) }()
		<-kill
		child.kill()
		wg.Wait()
	}
	child, b := startAccountsChild(t, path)
	verify(crashClientsFor(child.url), b, rounds)
	inB := 0
	for _, a := range all {
		if a.inB {
			inB++
		}
	}
	t.Logf("%d acknowledged writes (%d in the second account) survived %d kills (seed %d)", len(all), inB, rounds, seed)
	require.Positive(t, inB)
}
