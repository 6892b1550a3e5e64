package ssmlocal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const durableAdminKey, durableAdminSecret = "AKIADURABLETESTADMIN", "durable-test-secret"

func durableOpts(path string) func(*ssmlocal.Options) {
	return func(o *ssmlocal.Options) {
		o.StateFile = path
		o.AdminAccessKeyID, o.AdminSecretAccessKey = durableAdminKey, durableAdminSecret
	}
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestFailedWriteIsNotAcknowledged: a change that cannot be written fails
// its call with a 5xx and is logged; from then on changes are refused with
// 503 while reads still work, and a restart finds only what was
// acknowledged.
func TestFailedWriteIsNotAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	var logs bytes.Buffer
	restore := ssmlocal.FailCommitsAfter(2) // the first write at start and CreateUser kept
	srv, err := ssmlocal.New(durableOpts(path), func(o *ssmlocal.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	restore()
	require.NoError(t, err)
	ctx := context.Background()
	iamc := iam.NewFromConfig(cfg(srv, srv.Admin()))
	ssmc := ssm.NewFromConfig(cfg(srv, srv.Admin()))

	_, err = iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("kept")})
	require.NoError(t, err)
	_, err = iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("lost")})
	assert.Equal(t, "ServiceFailure", errCode(err))
	assert.Equal(t, 500, httpStatus(err))
	assert.Contains(t, logs.String(), "state could not be written")
	assert.Contains(t, logs.String(), "no space left on device")

	_, err = iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("refused")})
	assert.Equal(t, "ServiceUnavailable", errCode(err))
	assert.Equal(t, 503, httpStatus(err))
	_, err = ssmc.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Refused-Doc"), Content: aws.String(sleepDoc), DocumentType: "Automation"})
	assert.Equal(t, "ServiceUnavailable", errCode(err))
	_, err = iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("refused")})
	assert.Equal(t, "NoSuchEntity", errCode(err), "a refused change reached memory")

	// Reads keep working.
	_, err = iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("kept")})
	assert.NoError(t, err)
	_, err = ssmc.ListDocuments(ctx, &ssm.ListDocumentsInput{})
	assert.NoError(t, err)

	assert.ErrorIs(t, srv.Close(), ssmlocal.ErrStateNotPersisted)

	srv = newServer(t, durableOpts(path))
	iamc = iam.NewFromConfig(cfg(srv, srv.Admin()))
	_, err = iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("kept")})
	assert.NoError(t, err)
	_, err = iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("lost")})
	assert.Equal(t, "NoSuchEntity", errCode(err))
}

// TestUnwritableStateLocation: a state file that cannot be created fails
// New, so no call is ever answered without being persisted.
func TestUnwritableStateLocation(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	readOnly := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(readOnly, 0o500))
	tests := []struct {
		name, path string
		root       bool // whether the case holds for root, who ignores modes
	}{
		{"missing directory", filepath.Join(dir, "missing", "state.db"), true},
		{"parent is a file", filepath.Join(file, "state.db"), true},
		{"path is a directory", dir, true},
		{"read-only directory", filepath.Join(readOnly, "state.db"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.root && os.Geteuid() == 0 {
				t.Skip("root writes to read-only directories")
			}
			srv, err := ssmlocal.New(durableOpts(tt.path))
			if err == nil {
				srv.Close()
			}
			require.Error(t, err, "an unwritable state file was accepted")
		})
	}
}

// validState writes a state holding a user with an inline policy and an
// access key, a customer managed policy, a document and an execution.
func validState(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	srv, err := ssmlocal.New(durableOpts(path))
	require.NoError(t, err)
	ctx := context.Background()
	iamc := iam.NewFromConfig(cfg(srv, srv.Admin()))
	user(t, srv, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:*","Resource":"*"}]}`)
	_, err = iamc.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Ops"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)})
	require.NoError(t, err)
	client := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, client, "Kept-Doc", `{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:pause","inputs":{}}]}`)
	start(t, client, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Kept-Doc")})
	require.NoError(t, srv.Close())
	return path
}

func TestCorruptStateIsRefused(t *testing.T) {
	base := validState(t)
	orig, err := os.ReadFile(base)
	require.NoError(t, err)
	put := func(bucket, key, value string) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucket)).Put([]byte(key), []byte(value)) }
	}
	policyARN := "arn:aws:iam::123456789012:policy/Ops"
	tests := []struct {
		name   string
		mutate func(*bolt.Tx) error
		raw    func([]byte) []byte
		want   string
	}{
		{name: "missing section", mutate: func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("iam/users")) }, want: "bucket iam/users: missing"},
		{name: "missing meta", mutate: func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("meta")) }, want: "bucket meta: missing"},
		{name: "missing Region family", mutate: func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("regions/us-east-1/instances")) }, want: "bucket regions/us-east-1/instances: missing"},
		{name: "null user", mutate: put("iam/users", "alice", "null"), want: "bucket iam/users key alice: value is null"},
		{name: "undecodable user", mutate: put("iam/users", "alice", `[1]`), want: "bucket iam/users key alice: json"},
		{name: "unknown field", mutate: put("iam/users", "alice", `{"name":"alice","colour":"red"}`), want: "bucket iam/users key alice: json: unknown field"},
		{name: "user under another name", mutate: put("iam/users", "bob", `{"name":"alice"}`), want: `bucket iam/users key bob: holds "alice"`},
		{name: "unparseable inline policy", mutate: put("iam/users", "alice", `{"name":"alice","inline":{"p":"{\"Statement\":"}}`), want: "bucket iam/users key alice inline policy p: policy cannot be read"},
		{name: "unparseable managed policy", mutate: put("iam/policies", policyARN, `{"name":"Ops","arn":"`+policyARN+`","defaultVersion":"v1","versions":[{"id":"v1","document":"nope"}]}`), want: "bucket iam/policies key " + policyARN + " version v1: policy cannot be read"},
		{name: "dangling access key", mutate: put("iam/accessKeys", "AKIAORPHAN0000000000", `{"id":"AKIAORPHAN0000000000","userName":"ghost"}`), want: "bucket iam/accessKeys key AKIAORPHAN0000000000: user ghost does not exist"},
		{name: "unknown format", mutate: put("meta", "format", "3"), want: "format 3 is not supported"},
		{name: "other account", mutate: put("meta", "account", `"210987654321"`), want: "belongs to account 210987654321, not 123456789012"},
		{name: "bad execution", mutate: put("regions/us-east-1/executions", "x", `{"record":{"id":"y","status":"Success"}}`), want: "bucket regions/us-east-1/executions key x"},
		{name: "null document", mutate: put("regions/us-east-1/documents", "Kept-Doc", "null"), want: "bucket regions/us-east-1/documents key Kept-Doc: value is null"},
		{name: "Region not served", mutate: func(tx *bolt.Tx) error {
			_, err := tx.CreateBucket([]byte("regions/eu-west-9/documents"))
			return err
		}, want: "Region eu-west-9, which is not served"},
		{name: "unknown bucket", mutate: func(tx *bolt.Tx) error {
			_, err := tx.CreateBucket([]byte("future"))
			return err
		}, want: "bucket future: unknown bucket"},
		{name: "garbage", raw: func([]byte) []byte { return bytes.Repeat([]byte{0xab}, 8192) }, want: "not a state file"},
		{name: "truncated", raw: func(b []byte) []byte { return b[:len(b)/3] }, want: "truncated"},
		{name: "truncated JSON", raw: func([]byte) []byte { return []byte(`{"format":1,"accountId":"1234`) }, want: "JSON state"},
		{name: "JSON without IAM", raw: func([]byte) []byte { return []byte(`{"format":1,"accountId":"123456789012","regions":{}}`) }, want: "JSON state iam: missing"},
		{name: "JSON of another format", raw: func([]byte) []byte { return []byte(`{"format":7,"accountId":"123456789012"}`) }, want: "format 7 is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			data := orig
			if tt.raw != nil {
				data = tt.raw(orig)
			}
			require.NoError(t, os.WriteFile(path, data, 0o600))
			if tt.mutate != nil {
				db, err := bolt.Open(path, 0o600, nil)
				require.NoError(t, err)
				require.NoError(t, db.Update(tt.mutate))
				require.NoError(t, db.Close())
			}
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			srv, err := ssmlocal.New(durableOpts(path))
			if err == nil {
				srv.Close()
			}
			require.Error(t, err, "a corrupt state was accepted")
			if tt.want != "" {
				assert.ErrorIs(t, err, ssmlocal.ErrStateCorrupt)
				assert.Contains(t, err.Error(), tt.want)
			}
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "a state that failed to load was written")
		})
	}
}

// TestJSONStateIsMigrated: a JSON state (format 1, as earlier versions kept
// and SaveState writes) becomes a store with the same content; the JSON
// file is kept beside it.
func TestJSONStateIsMigrated(t *testing.T) {
	ctx := context.Background()
	old := newServer(t)
	user(t, old, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:*","Resource":"*"}]}`)
	client := ssm.NewFromConfig(cfg(old, old.Admin()))
	createDoc(t, client, "Kept-Doc", `{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:pause","inputs":{}}]}`)
	id := start(t, client, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Kept-Doc")})
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, old.SaveState(path))
	exported, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, byte('{'), exported[0])

	for range 2 { // migrated, then opened as a store
		srv, err := ssmlocal.New(durableOpts(path))
		require.NoError(t, err)
		iamc := iam.NewFromConfig(cfg(srv, srv.Admin()))
		_, err = iamc.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")})
		assert.NoError(t, err)
		client := ssm.NewFromConfig(cfg(srv, srv.Admin()))
		_, err = client.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Kept-Doc")})
		assert.NoError(t, err)
		_, err = client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
		assert.NoError(t, err)
		require.NoError(t, srv.Close())
		now, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotEqual(t, byte('{'), now[0], "the JSON file is still in place")
		backup, err := os.ReadFile(path + ".format1.json")
		require.NoError(t, err)
		assert.Equal(t, exported, backup)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"state.json", "state.json.format1.json"}, names)
}

// TestSecondEndpointOnOneStateFails: the store is locked by the endpoint
// using it; a second one fails fast instead of sharing it.
func TestSecondEndpointOnOneStateFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	newServer(t, durableOpts(path))
	_, err := ssmlocal.New(durableOpts(path))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "in use by another process"), err.Error())
}

// BenchmarkDurableWrite measures acknowledged IAM writes per second with
// and without a state file (the cost of an fsync per write), serially and
// with 16 concurrent writers, who share commits.
func BenchmarkDurableWrite(b *testing.B) {
	for _, durable := range []bool{false, true} {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("durable=%v/writers=%d", durable, writers), func(b *testing.B) {
				opts := func(*ssmlocal.Options) {}
				if durable {
					opts = durableOpts(filepath.Join(b.TempDir(), "state.db"))
				}
				srv := newServer(b, opts)
				client := iam.NewFromConfig(pooledConfig(srv))
				ctx := context.Background()
				_, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")})
				require.NoError(b, err)
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
							_, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bench"),
								PolicyName:     aws.String(fmt.Sprintf("p%d", i%4)),
								PolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetDocument","Resource":"arn:aws:ssm:*:*:document/D%d"}]}`, i))})
							if err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
			})
		}
	}
}
