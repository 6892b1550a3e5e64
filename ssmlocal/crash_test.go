package ssmlocal_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const (
	crashStateEnv    = "SSMLOCAL_CRASH_TEST_STATE"
	crashInstanceEnv = "SSMLOCAL_CRASH_TEST_INSTANCE"
)

// TestHelperProcess is the endpoint TestKillNineLosesNoAcknowledgedWrite
// kills: it serves the state file named by the environment, prints its URL
// and runs until killed or until its standard input closes.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(crashStateEnv)
	if path == "" {
		t.Skip("run by TestKillNineLosesNoAcknowledgedWrite")
	}
	srv, err := ssmlocal.New(durableOpts(path))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(srv.URL())
	if os.Getenv(crashInstanceEnv) != "" {
		ids, err := srv.AddInstances(1)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(ids[0])
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	os.Exit(0)
}

// crashChild is a running helper process.
type crashChild struct {
	cmd   *exec.Cmd
	stdin io.Closer
	url   string
	lines chan string
}

func startCrashChild(t *testing.T, path string, env ...string) *crashChild {
	t.Helper()
	return spawnChild(t, "TestHelperProcess", append([]string{crashStateEnv + "=" + path}, env...)...)
}

// spawnChild runs this test binary's helper test run, with env added to
// the environment, and reads the endpoint URL it prints first.
func spawnChild(t *testing.T, run string, env ...string) *crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	c := &crashChild{cmd: cmd, stdin: stdin, lines: make(chan string, 4)}
	t.Cleanup(c.kill)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case c.lines <- strings.TrimSpace(sc.Text()):
			default:
			}
		}
	}()
	c.url = c.line(t)
	require.True(t, strings.HasPrefix(c.url, "http://"), "the endpoint process said %q", c.url)
	return c
}

// line is the next line the endpoint process prints.
func (c *crashChild) line(t *testing.T) string {
	t.Helper()
	select {
	case l := <-c.lines:
		return l
	case <-time.After(30 * time.Second):
		require.FailNow(t, "the endpoint process printed nothing")
		return ""
	}
}

// kill sends SIGKILL: no Close, no deferred write.
func (c *crashChild) kill() {
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	}
	_ = c.stdin.Close()
}

type crashClients struct {
	iam *iam.Client
	ssm *ssm.Client
	ec2 *ec2.Client
}

func crashClientsFor(url string) crashClients {
	c := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(durableAdminKey, durableAdminSecret, ""),
		BaseEndpoint:     aws.String(url),
		HTTPClient:       ssmlocal.HTTPClient(),
		RetryMaxAttempts: 1,
	}
	return crashClients{iam: iam.NewFromConfig(c), ssm: ssm.NewFromConfig(c), ec2: ec2.NewFromConfig(c)}
}

// crashWrite is one kind of write and how to find it again.
type crashWrite struct {
	kind  string
	write func(ctx context.Context, c crashClients, name string) error
	read  func(ctx context.Context, c crashClients, name string) error
}

var crashWrites = []crashWrite{
	{"user", func(ctx context.Context, c crashClients, name string) error {
		_, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		return err
	}, func(ctx context.Context, c crashClients, name string) error {
		_, err := c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
		return err
	}},
	{"policy", func(ctx context.Context, c crashClients, name string) error {
		_, err := c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetDocument","Resource":"*"}]}`)})
		return err
	}, func(ctx context.Context, c crashClients, name string) error {
		_, err := c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/" + name)})
		return err
	}},
	{"document", func(ctx context.Context, c crashClients, name string) error {
		_, err := c.ssm.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String(name), DocumentType: "Automation",
			Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:pause","inputs":{}}]}`)})
		return err
	}, func(ctx context.Context, c crashClients, name string) error {
		_, err := c.ssm.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(name)})
		return err
	}},
}

type ackedWrite struct {
	kind *crashWrite
	name string
}

// TestKillNineLosesNoAcknowledgedWrite kills a real endpoint process with
// SIGKILL while writers load it, restarts it on the same state file and
// checks that every write it acknowledged is there, over several rounds.
// The kill comes after a seeded random number of acknowledgements, with
// other writes in flight.
func TestKillNineLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const seed = 20261201
	rng := rand.New(rand.NewPCG(seed, 0))
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	var acked []ackedWrite
	budget := time.Now().Add(15 * time.Second)
	rounds := 0
	for round := 0; round < 6 && time.Now().Before(budget); round++ {
		rounds++
		child := startCrashChild(t, path)
		c := crashClientsFor(child.url)
		verifyAcked(t, ctx, c, acked, round)

		killAfter := len(acked) + 5 + rng.IntN(60)
		var mu sync.Mutex
		kill := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100; i++ {
					kind := &crashWrites[(w+i)%len(crashWrites)]
					name := fmt.Sprintf("Crash-r%d-w%d-%d", round, w, i)
					if err := kind.write(ctx, c, name); err != nil {
						return // the process is gone
					}
					mu.Lock()
					acked = append(acked, ackedWrite{kind, name})
					n := len(acked)
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
	child := startCrashChild(t, path)
	verifyAcked(t, ctx, crashClientsFor(child.url), acked, rounds)
	t.Logf("%d acknowledged writes survived %d kills (seed %d)", len(acked), rounds, seed)
	require.Greater(t, len(acked), rounds*5)
}

func verifyAcked(t *testing.T, ctx context.Context, c crashClients, acked []ackedWrite, round int) {
	t.Helper()
	for _, a := range acked {
		require.NoError(t, a.kind.read(ctx, c, a.name), "after kill %d: acknowledged %s %s is lost", round, a.kind.kind, a.name)
	}
}

// TestKillNineMidStepFailsTheStep: an endpoint killed while a step that
// acts (aws:changeInstanceState) is in the middle of its attempt fails
// that step as interrupted after the restart, rather than acting again.
func TestKillNineMidStepFailsTheStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	child := startCrashChild(t, path, crashInstanceEnv+"=1")
	instance := child.line(t)
	c := crashClientsFor(child.url)
	_, err := c.ssm.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Stop-Then-Nap"), DocumentType: "Automation",
		Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[
			{"name":"stop","action":"aws:changeInstanceState","inputs":{"InstanceIds":["` + instance + `"],"DesiredState":"stopped"}},
			{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`)})
	require.NoError(t, err)
	started, err := c.ssm.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Stop-Then-Nap")})
	require.NoError(t, err)
	id := aws.ToString(started.AutomationExecutionId)
	// Instances take 10 s to stop: once the instance is stopping, the step
	// has acted (its start was committed before the call) and is waiting.
	// The step's InProgress status alone can be seen before that commit.
	// The endpoint runs in another process on the wall clock, so this is a
	// bounded wait on what it reports, not virtual time.
	acted := pollUntil(t, 20*time.Second, func() (bool, error) {
		out, err := c.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{instance}})
		if err != nil {
			return false, err
		}
		r := out.Reservations
		return len(r) > 0 && len(r[0].Instances) > 0 && r[0].Instances[0].State != nil &&
			r[0].Instances[0].State.Name == ec2types.InstanceStateNameStopping, nil
	})
	require.True(t, acted, "the step did not act")
	child.kill()

	child = startCrashChild(t, path)
	x := waitDone(t, crashClientsFor(child.url).ssm, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	stop := x.StepExecutions[0]
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, stop.StepStatus)
	require.Contains(t, aws.ToString(stop.FailureMessage), "interrupted by a restart")
	require.NotNil(t, stop.FailureDetails)
	require.Equal(t, []string{"InterruptedByRestart"}, stop.FailureDetails.Details["ErrorCode"])
}
