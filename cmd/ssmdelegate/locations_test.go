package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

var updateLocations = flag.Bool("update-locations", false, "rewrite the golden files in testdata/locations")

func goldenLocations(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "locations", name)
	if *updateLocations {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update-locations to create %s", path)
	assert.Equal(t, string(want), got)
}

const multiParentID = "aaaaaaaa-0000-4000-8000-000000000001"

type locPhaseJSON struct {
	at      time.Duration
	status  string
	failure string
}

type fakeLocationJSON struct {
	account, region, child string
	phases                 []locPhaseJSON
}

// locationsSSM answers the SSM JSON protocol for one multi-account parent
// execution whose steps are its locations, along a timeline from start.
type locationsSSM struct {
	mu       sync.Mutex
	start    time.Time
	locs     []fakeLocationJSON
	truncate int
	pageSize int
	calls    map[string]int
	// at, when set, is the fixed moment every call sees.
	at time.Time
}

func newLocationsSSM(start time.Time) *locationsSSM {
	return &locationsSSM{start: start, pageSize: 50, calls: map[string]int{}, locs: []fakeLocationJSON{
		{account: "111122223333", region: "us-east-1", child: "c0000000-0000-4000-8000-000000000001",
			phases: []locPhaseJSON{{0, "InProgress", ""}, {60 * time.Second, "Success", ""}}},
		{account: "111122223333", region: "us-west-2", child: "c0000000-0000-4000-8000-000000000002",
			phases: []locPhaseJSON{{0, "InProgress", ""}, {30 * time.Second, "Waiting", ""}, {90 * time.Second, "InProgress", ""}, {150 * time.Second, "Success", ""}}},
		{account: "444455556666", region: "us-east-1", child: "c0000000-0000-4000-8000-000000000003",
			phases: []locPhaseJSON{{0, "InProgress", ""}, {120 * time.Second, "Failed", "Step fails when it is verifying the command has completed."}}},
		{account: "444455556666", region: "us-west-2",
			phases: []locPhaseJSON{{5 * time.Second, "Failed", "could not assume AWS-SystemsManager-AutomationExecutionRole in 444455556666"}}},
	}}
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *locationsSSM) view(now time.Time) map[string]any {
	el := now.Sub(s.start)
	var steps []map[string]any
	counters := map[string]any{"TotalSteps": len(s.locs)}
	success, failed, running := 0, 0, false
	for i, l := range s.locs {
		cur := locPhaseJSON{status: "Pending"}
		for _, p := range l.phases {
			if p.at <= el {
				cur = p
			}
		}
		st := map[string]any{
			"StepName": l.account + "-" + l.region, "Action": "aws:executeAutomation", "StepExecutionId": "loc-" + strconv.Itoa(i),
			"StepStatus": cur.status,
			"TargetLocation": map[string]any{"Accounts": []string{l.account}, "Regions": []string{l.region},
				"ExecutionRoleName": "AWS-SystemsManager-AutomationExecutionRole"},
		}
		if cur.status != "Pending" {
			st["ExecutionStartTime"] = epoch(s.start.Add(l.phases[0].at))
			if l.child != "" {
				st["Outputs"] = map[string][]string{"ExecutionId": {l.child}}
			}
		}
		switch cur.status {
		case "Success":
			success++
			st["ExecutionEndTime"] = epoch(s.start.Add(cur.at))
		case "Failed":
			failed++
			st["ExecutionEndTime"] = epoch(s.start.Add(cur.at))
			st["FailureMessage"] = cur.failure
		default:
			running = true
		}
		steps = append(steps, st)
	}
	counters["SuccessSteps"], counters["FailedSteps"] = success, failed
	ex := map[string]any{
		"AutomationExecutionId": multiParentID, "DocumentName": "Restart-EC2InstanceDemo", "ExecutionStartTime": epoch(s.start),
		"TargetLocations":  []map[string]any{{"Accounts": []string{"111122223333", "444455556666"}, "Regions": []string{"us-east-1", "us-west-2"}}},
		"ProgressCounters": counters, "StepExecutions": steps,
	}
	switch {
	case running:
		ex["AutomationExecutionStatus"] = "InProgress"
	case failed > 0:
		ex["AutomationExecutionStatus"] = "Failed"
		ex["FailureMessage"] = "2 of 4 locations failed"
		ex["ExecutionEndTime"] = epoch(now)
	default:
		ex["AutomationExecutionStatus"] = "Success"
		ex["ExecutionEndTime"] = epoch(now)
	}
	return ex
}

// answer handles one call; the clock is the caller's.
func (s *locationsSSM) answer(target string, body []byte) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op := strings.TrimPrefix(target, "AmazonSSM.")
	s.calls[op]++
	var in struct {
		AutomationExecutionId string
		NextToken             string
	}
	_ = json.Unmarshal(body, &in)
	now := time.Now()
	if !s.at.IsZero() {
		now = s.at
	}
	if op == "DescribeAutomationExecutions" {
		ex := s.view(now)
		m := map[string]any{"AutomationType": "CrossAccount"}
		for _, k := range []string{"AutomationExecutionId", "AutomationExecutionStatus", "DocumentName", "ExecutionStartTime", "ExecutionEndTime", "FailureMessage"} {
			if v, ok := ex[k]; ok {
				m[k] = v
			}
		}
		return 200, map[string]any{"AutomationExecutionMetadataList": []any{m}}
	}
	if in.AutomationExecutionId != multiParentID {
		return 400, map[string]any{"__type": "AutomationExecutionNotFoundException", "message": "not found"}
	}
	ex := s.view(now)
	steps := ex["StepExecutions"].([]map[string]any)
	switch op {
	case "GetAutomationExecution":
		if s.truncate > 0 && len(steps) > s.truncate {
			ex["StepExecutions"], ex["StepExecutionsTruncated"] = steps[:s.truncate], true
		}
		return 200, map[string]any{"AutomationExecution": ex}
	case "DescribeAutomationStepExecutions":
		from, _ := strconv.Atoi(in.NextToken)
		to := min(from+s.pageSize, len(steps))
		out := map[string]any{"StepExecutions": steps[from:to]}
		if to < len(steps) {
			out["NextToken"] = strconv.Itoa(to)
		}
		return 200, out
	}
	return 400, map[string]any{"__type": "InvalidAction", "message": op}
}

// Do answers in process, so the calls run on the test's clock.
func (s *locationsSSM) Do(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	code, out := s.answer(req.Header.Get("X-Amz-Target"), body)
	b, _ := json.Marshal(out)
	return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body: io.NopCloser(bytes.NewReader(b)), Request: req}, nil
}

func (s *locationsSSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	code, out := s.answer(r.Header.Get("X-Amz-Target"), body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(out)
}

func (s *locationsSSM) client() *ssm.Client {
	return ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://ssm.test"), HTTPClient: s,
		Credentials: aws.AnonymousCredentials{}})
}

// waitLocations runs run --wait's wait on the fake parent.
func waitLocations(t *testing.T, format string, truncate int) (code int, human, stderr, stdout string) {
	var h, e, o bytes.Buffer
	srv := newLocationsSSM(time.Now())
	srv.truncate, srv.pageSize = truncate, 1
	r := &runner{flags: &runFlags{maxWait: time.Hour, format: format}, stdout: &o, stderr: &e, ssm: srv.client(),
		human: &h, result: &runResult{Document: "Restart-EC2InstanceDemo", ExecutionID: multiParentID, Changes: []runChange{}}}
	code = r.waitFor(t.Context(), multiParentID)
	if format == "json" {
		code = r.emit(code)
	}
	if truncate > 0 {
		assert.Positive(t, srv.calls["DescribeAutomationStepExecutions"], "the truncated steps are paged")
	}
	return code, h.String(), e.String(), o.String()
}

func TestRunWaitLocationsText(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		code, human, stderr, _ := waitLocations(t, "text", 2)
		assert.Equal(t, 1, code)
		goldenLocations(t, "run_wait.txt", human)
		goldenLocations(t, "run_wait.stderr.txt", stderr)
	})
}

func TestRunWaitLocationsJSON(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		code, _, _, stdout := waitLocations(t, "json", 0)
		assert.Equal(t, 1, code)
		var res runResult
		require.NoError(t, json.Unmarshal([]byte(stdout), &res))
		require.Len(t, res.Locations, 4)
		assert.Equal(t, &locationTotals{Total: 4, Succeeded: 2, Failed: 2}, res.LocationTotals)
		goldenLocations(t, "run_wait.json", stdout)
	})
}

// TestRunLiveLocationBlock: on a terminal the locations are a live block,
// one line each, redrawn in place every second; each transition is also
// printed above it.
func TestRunLiveLocationBlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		p := newRunProgress(&buf, true)
		inProgress := execution.LocationChange{LocationStatus: execution.LocationStatus{Account: "111122223333", Region: "us-east-1",
			Status: "InProgress", ChildExecutionID: "c0000000-0000-4000-8000-000000000001"}}
		pending := execution.LocationChange{LocationStatus: execution.LocationStatus{Account: "444455556666", Region: "us-west-2", Status: "Pending"}}
		p.report(execution.Progress{Status: "InProgress", Location: &inProgress})
		p.report(execution.Progress{Status: "InProgress", Location: &pending})
		time.Sleep(time.Second + time.Millisecond)
		failed := execution.LocationChange{PreviousStatus: "Pending", LocationStatus: execution.LocationStatus{Account: "444455556666", Region: "us-west-2",
			Status: "Failed", FailureMessage: "could not assume the role"}}
		p.report(execution.Progress{Status: "InProgress", Location: &failed, Elapsed: 1500 * time.Millisecond})
		time.Sleep(time.Second)
		p.stop()
		out := strings.ReplaceAll(buf.String(), "\033", "ESC")
		goldenLocations(t, "live_block.txt", out)
		assert.True(t, strings.HasSuffix(buf.String(), "\033[3A\033[J"), "the block is erased at the end")
	})
}

// TestRunLocationHeartbeat: off a terminal, silence prints where the
// locations stand.
func TestRunLocationHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		p := newRunProgress(&buf, false)
		a := execution.LocationChange{LocationStatus: execution.LocationStatus{Account: "111122223333", Region: "us-east-1", Status: "InProgress"}}
		b := execution.LocationChange{LocationStatus: execution.LocationStatus{Account: "111122223333", Region: "us-west-2", Status: "Success"}}
		p.report(execution.Progress{Status: "InProgress", Location: &a})
		p.report(execution.Progress{Status: "InProgress", Location: &b})
		time.Sleep(61 * time.Second)
		p.stop()
		assert.Equal(t, "+00:00:00  InProgress 111122223333/us-east-1   InProgress\n"+
			"+00:00:00  InProgress 111122223333/us-west-2   Success\n"+
			"+00:00:30  InProgress locations                still 2 locations: 1 succeeded, 1 in progress\n"+
			"+00:01:00  InProgress locations                still 2 locations: 1 succeeded, 1 in progress\n", buf.String())
	})
}

// TestDescribeLocations: describe of a multi-account execution prints the
// location table, every page of steps read.
func TestDescribeLocations(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fake := newLocationsSSM(start)
	fake.at = start.Add(100 * time.Second)
	fake.truncate, fake.pageSize = 1, 2
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	setFakeCredentials(t)
	for _, format := range []string{"table", "json"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := cmdDescribe(t.Context(), []string{multiParentID, "--endpoint", srv.URL, "--format", format}, &stdout, &stderr)
			require.Equal(t, 0, code, stderr.String())
			goldenLocations(t, "describe."+format, stdout.String())
		})
	}
	assert.Equal(t, 2*2, fake.calls["DescribeAutomationStepExecutions"], "four steps, two a page, per describe")
}

func TestLocationWatchLine(t *testing.T) {
	l := &execution.LocationChange{LocationStatus: execution.LocationStatus{Account: "1", Region: "r", Status: "Failed", ChildExecutionID: "c", FailureMessage: "boom"}}
	assert.Equal(t, "p location 1/r Failed  child c: boom", locationWatchLine("p", l))
	l.Status, l.ChildExecutionID = "InProgress", ""
	assert.Equal(t, "p location 1/r InProgress", locationWatchLine("p", l))
}

// TestWatchLocations: watch prints each location of a multi-account
// execution, then the execution's end.
func TestWatchLocations(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fake := newLocationsSSM(start)
	fake.at = start.Add(200 * time.Second)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	setFakeCredentials(t)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := watchWith(t.Context(), []string{multiParentID, "--endpoint", srv.URL, "--format", format}, &stdout, &stderr)
			assert.Equal(t, 1, code, "the execution failed: %s", stderr.String())
			goldenLocations(t, "watch."+format, stdout.String())
		})
	}
}

func setFakeCredentials(t *testing.T) {
	t.Helper()
	clearEndpointEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
