package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer safe for the command and the test to share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	urlLine    = regexp.MustCompile(`serving on (http://\S+)`)
	keyLine    = regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+)`)
	secretLine = regexp.MustCompile(`AWS_SECRET_ACCESS_KEY=(\S+)`)
)

// runLocal starts "ssmdelegate local" and returns its endpoint, credentials
// and a function that interrupts it and returns its exit code.
func runLocal(t *testing.T, args ...string) (url string, creds aws.Credentials, out *lockedBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &lockedBuffer{}
	var errOut lockedBuffer
	done := make(chan int, 1)
	go func() { done <- cmdLocal(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), out, &errOut) }()
	deadline := time.Now().Add(10 * time.Second)
	for !regexp.MustCompile(`serving until interrupted`).MatchString(out.String()) {
		select {
		case code := <-done:
			cancel()
			require.FailNow(t, fmt.Sprintf("local exited with %d: %s", code, errOut.String()))
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			require.FailNow(t, "local did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	s := out.String()
	url = urlLine.FindStringSubmatch(s)[1]
	creds = aws.Credentials{AccessKeyID: keyLine.FindStringSubmatch(s)[1], SecretAccessKey: secretLine.FindStringSubmatch(s)[1]}
	return url, creds, out, func() int {
		cancel()
		return <-done
	}
}

func localConfig(url string, creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, ""),
		BaseEndpoint: aws.String(url),
	}
}

func TestLocalServesAndKeepsState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	url, creds, out, stop := runLocal(t, "--state", state, "--audit", "--access-key-id", "AKIAEXAMPLEADMIN0001", "--secret-access-key", "secret-for-tests")
	ctx := context.Background()
	id, err := sts.NewFromConfig(localConfig(url, creds)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::123456789012:user/admin", aws.ToString(id.Arn), "caller")
	content := `{"schemaVersion":"0.3","mainSteps":[{"name":"wait","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`
	_, err = ssm.NewFromConfig(localConfig(url, creds)).CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name: aws.String("Kept"), Content: aws.String(content), DocumentType: "Automation",
	})
	require.NoError(t, err)
	client := ssm.NewFromConfig(localConfig(url, creds))
	_, err = client.CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name:         aws.String("Look"),
		Content:      aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"look","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"DescribeInstances"}}]}`),
		DocumentType: "Automation",
	})
	require.NoError(t, err)
	started, err := client.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Look")})
	require.NoError(t, err)
	// The step's call is printed with the execution and step that made it.
	stepLine := regexp.MustCompile(`audit: \S+ ec2:DescribeInstances principal=arn:aws:iam::123456789012:user/admin decision=Allowed .*execution=` + *started.AutomationExecutionId + ` step=look`)
	for deadline := time.Now().Add(10 * time.Second); !stepLine.MatchString(out.String()); time.Sleep(5 * time.Millisecond) {
		require.False(t, time.Now().After(deadline), "no audit line for the step in:\n%s", out.String())
	}
	require.Zero(t, stop(), "exit code")
	require.Regexp(t, `audit: \S+ sts:GetCallerIdentity principal=arn:aws:iam::123456789012:user/admin decision=Allowed`, out.String(), "no audit line")
	require.FileExists(t, state)
	url, creds, _, stop = runLocal(t, "--state", state, "--access-key-id", "AKIAEXAMPLEADMIN0001", "--secret-access-key", "secret-for-tests")
	defer stop()
	got, err := ssm.NewFromConfig(localConfig(url, creds)).GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Kept")})
	require.NoError(t, err, "document lost across restart")
	require.Equal(t, content, aws.ToString(got.Content), "content changed")
}

func TestLocalUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, cmdLocal(context.Background(), []string{"extra"}, &out, &errOut), "exit code")
	assert.Equal(t, 1, cmdLocal(context.Background(), []string{"--addr", "0.0.0.0:0"}, &out, &errOut), "non-loopback address: exit code")
}

// TestLocalStopsOnSignal runs "ssmdelegate local" as its own process (this
// test binary re-executed into main) and interrupts it with SIGINT and
// SIGTERM: each must stop it cleanly, exit 0 and leave the state file.
func TestLocalStopsOnSignal(t *testing.T) {
	if os.Getenv("SSMDELEGATE_LOCAL_MAIN") == "1" {
		os.Args = append([]string{"ssmdelegate", "local", "--addr", "127.0.0.1:0"}, flag.Args()...)
		main()
		return
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state.json")
			cmd := exec.Command(os.Args[0], "-test.run=^TestLocalStopsOnSignal$", "--", "--state", state)
			cmd.Env = append(os.Environ(), "SSMDELEGATE_LOCAL_MAIN=1")
			out := &lockedBuffer{}
			cmd.Stdout, cmd.Stderr = out, out
			require.NoError(t, cmd.Start())
			defer func() { _ = cmd.Process.Kill() }()
			deadline := time.Now().Add(20 * time.Second)
			for !strings.Contains(out.String(), "serving until interrupted") {
				require.False(t, time.Now().After(deadline), "local did not start:\n%s", out.String())
				time.Sleep(10 * time.Millisecond)
			}
			s := out.String()
			creds := aws.Credentials{AccessKeyID: keyLine.FindStringSubmatch(s)[1], SecretAccessKey: secretLine.FindStringSubmatch(s)[1]}
			_, err := sts.NewFromConfig(localConfig(urlLine.FindStringSubmatch(s)[1], creds)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			require.NoError(t, err, "the endpoint does not answer")
			require.NoError(t, cmd.Process.Signal(sig))
			require.NoError(t, cmd.Wait(), "exit after %s:\n%s", sig, out.String())
			require.Contains(t, out.String(), "ssmdelegate local: stopped", "no clean stop")
			require.FileExists(t, state, "state file after %s", sig)
		})
	}
}

// TestLocalExportsAndImportsState: --export-state writes the state as JSON
// on shutdown, and --state imports such a file, keeping it beside the
// store it becomes.
func TestLocalExportsAndImportsState(t *testing.T) {
	dir := t.TempDir()
	store, export := filepath.Join(dir, "state.db"), filepath.Join(dir, "export.json")
	keys := []string{"--access-key-id", "AKIAEXAMPLEADMIN0001", "--secret-access-key", "secret-for-tests"}
	url, creds, _, stop := runLocal(t, append([]string{"--state", store, "--export-state", export}, keys...)...)
	ctx := context.Background()
	content := `{"schemaVersion":"0.3","mainSteps":[{"name":"wait","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`
	_, err := ssm.NewFromConfig(localConfig(url, creds)).CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name: aws.String("Exported"), Content: aws.String(content), DocumentType: "Automation",
	})
	require.NoError(t, err)
	require.Zero(t, stop(), "exit code")
	data, err := os.ReadFile(export)
	require.NoError(t, err)
	require.True(t, json.Valid(data), "export is not JSON:\n%.300s", data)
	require.Contains(t, string(data), `"Exported"`, "export does not hold the document")
	url, creds, _, stop = runLocal(t, append([]string{"--state", export}, keys...)...)
	defer stop()
	_, err = ssm.NewFromConfig(localConfig(url, creds)).GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Exported")})
	require.NoError(t, err, "document not imported")
	kept, err := os.ReadFile(export + ".format1.json")
	require.NoError(t, err, "the imported JSON was not kept")
	require.Equal(t, string(data), string(kept), "the imported JSON was not kept as it was")
}

// TestLocalExportsDriveRun: the lines local prints are all run needs; the
// exported AWS_ENDPOINT_URL is an explicit target.
func TestLocalExportsDriveRun(t *testing.T) {
	clearEndpointEnv(t)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	url, _, out, stop := runLocal(t)
	defer stop()
	exports := regexp.MustCompile(`(?m)^  export (\w+)=(\S+)$`).FindAllStringSubmatch(out.String(), -1)
	got := map[string]string{}
	for _, m := range exports {
		got[m[1]] = m[2]
		t.Setenv(m[1], m[2])
	}
	assert.Equal(t, url, got["AWS_ENDPOINT_URL"])
	assert.Contains(t, out.String(), "  aws sts get-caller-identity\n")

	var stdout, stderr bytes.Buffer
	code := runWith(t.Context(), []string{"--document", "AWS-RestartEC2Instance", "--dry-run", "--param", "InstanceId=i-1"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "target: account 123456789012, Region us-east-1, endpoint "+url+"\n", stderr.String())
}

// TestLocalAutoClock: with --clock auto a two-hour aws:sleep finishes in
// real seconds, and the execution reports the two virtual hours.
func TestLocalAutoClock(t *testing.T) {
	url, creds, out, stop := runLocal(t, "--clock", "auto")
	defer stop()
	assert.Contains(t, out.String(), "clock auto: sleeps pass at once")
	ctx := t.Context()
	client := ssm.NewFromConfig(localConfig(url, creds))
	_, err := client.CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name:         aws.String("LongSleep"),
		Content:      aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"wait","action":"aws:sleep","inputs":{"Duration":"PT2H"}}]}`),
		DocumentType: "Automation",
	})
	require.NoError(t, err)
	started, err := client.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("LongSleep")})
	require.NoError(t, err)
	// Generous for a loaded machine, yet far below the two hours slept.
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: started.AutomationExecutionId})
		require.NoError(t, err)
		ex := got.AutomationExecution
		if ex.AutomationExecutionStatus == types.AutomationExecutionStatusSuccess {
			require.NotNil(t, ex.ExecutionStartTime)
			require.NotNil(t, ex.ExecutionEndTime)
			assert.GreaterOrEqual(t, ex.ExecutionEndTime.Sub(*ex.ExecutionStartTime), 2*time.Hour)
			break
		}
		require.Contains(t, []types.AutomationExecutionStatus{types.AutomationExecutionStatusPending, types.AutomationExecutionStatusInprogress}, ex.AutomationExecutionStatus)
		require.False(t, time.Now().After(deadline), "still %s after 60s of real time", ex.AutomationExecutionStatus)
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLocalClockFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "clock wall: sleeps, timeouts and instance state changes take real time\n"},
		{[]string{"--clock", "wall"}, "clock wall: "},
		{[]string{"--clock", "auto"}, "clock auto: "},
	} {
		t.Run(strings.Join(append([]string{"default"}, tc.args...), " "), func(t *testing.T) {
			_, _, out, stop := runLocal(t, tc.args...)
			require.Equal(t, 0, stop())
			assert.Contains(t, out.String(), tc.want)
		})
	}
	for _, bad := range []string{"", "real", "Auto", "virtual"} {
		t.Run("bad "+bad, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cmdLocal(t.Context(), []string{"--addr", "127.0.0.1:0", "--clock", bad}, &out, &errOut)
			assert.Equal(t, 2, code)
			assert.Contains(t, errOut.String(), "want wall or auto")
			assert.Empty(t, out.String(), "nothing is served")
		})
	}
}
