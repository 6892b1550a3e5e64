package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
)

var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const (
	testAccount = "111122223333"
	roleARN     = "arn:aws:iam::111122223333:role/AutomationRole"
	sessionARN  = "arn:aws:sts::111122223333:assumed-role/AutomationRole/Automation-1"
	operatorARN = "arn:aws:iam::111122223333:user/operator"
)

var rolePrincipal = Principal{ARN: sessionARN, RoleARN: roleARN}

// fakeInstance is an EC2 instance whose state settles over the clock.
type fakeInstance struct {
	state  string
	target string
	at     time.Time
	tags   map[string]string
}

// fakeCloud is an in-package EC2 and SSM: instances change state over the
// clock as EC2's do, and SSM starts child executions on the engine.
type fakeCloud struct {
	mu         sync.Mutex
	clk        clock.Clock
	transition time.Duration
	instances  map[string]*fakeInstance
	next       int
	calls      []Call
	// deny answers AccessDenied for these APIs.
	deny map[string]bool
	// failures makes an API fail this many times before it succeeds.
	failures map[string]int
	// responses answer APIs the fake has no model of.
	responses map[string]map[string]any
	engine    *Engine
	docs      map[string][]byte
	// quiet keeps no call log (benchmarks).
	quiet bool
}

func newFakeCloud(clk clock.Clock) *fakeCloud {
	return &fakeCloud{clk: clk, transition: 10 * time.Second, instances: map[string]*fakeInstance{},
		deny: map[string]bool{}, failures: map[string]int{}, responses: map[string]map[string]any{}, docs: map[string][]byte{}}
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

func (f *fakeCloud) addInstance(state string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	id := fmt.Sprintf("i-%017d", f.next)
	f.instances[id] = &fakeInstance{state: state, tags: map[string]string{}}
	return id
}

func (f *fakeCloud) state(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.settle(f.instances[id])
}

func (f *fakeCloud) settle(in *fakeInstance) string {
	if in.target != "" && !f.clk.Now().Before(in.at) {
		in.state, in.target = in.target, ""
	}
	return in.state
}

func (f *fakeCloud) move(in *fakeInstance, via, to string) {
	f.settle(in)
	if in.state == to {
		return
	}
	in.state, in.target, in.at = via, to, f.clk.Now().Add(f.transition)
}

func (f *fakeCloud) callsTo(api string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.API == api {
			n++
		}
	}
	return n
}

func ids(v any) []string {
	l, _ := asStrings(v)
	return l
}

func (f *fakeCloud) Invoke(ctx context.Context, c Call) (map[string]any, error) {
	f.mu.Lock()
	if !f.quiet {
		f.calls = append(f.calls, c)
	}
	key := strings.ToLower(c.Service) + ":" + c.API
	if f.deny[c.API] {
		f.mu.Unlock()
		return nil, apiErr("AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: %s", c.Principal.ARN, key))
	}
	if f.failures[c.API] > 0 {
		f.failures[c.API]--
		f.mu.Unlock()
		return nil, apiErr("InternalError", "injected failure")
	}
	if r, ok := f.responses[c.API]; ok {
		f.mu.Unlock()
		return r, nil
	}
	defer f.mu.Unlock()
	switch key {
	case "ec2:StopInstances", "ec2:StartInstances", "ec2:TerminateInstances":
		for _, id := range ids(c.Params["InstanceIds"]) {
			in, ok := f.instances[id]
			if !ok {
				return nil, apiErr("InvalidInstanceID.NotFound", "The instance ID '"+id+"' does not exist")
			}
			switch c.API {
			case "StopInstances":
				f.move(in, "stopping", "stopped")
			case "StartInstances":
				f.move(in, "pending", "running")
			default:
				f.move(in, "shutting-down", "terminated")
			}
		}
		return map[string]any{}, nil
	case "ec2:DescribeInstanceStatus":
		if c.Params["IncludeAllInstances"] != true {
			return nil, apiErr("InvalidParameter", "the engine must ask for all instances")
		}
		var out []any
		for _, id := range ids(c.Params["InstanceIds"]) {
			in, ok := f.instances[id]
			if !ok {
				return nil, apiErr("InvalidInstanceID.NotFound", "The instance ID '"+id+"' does not exist")
			}
			out = append(out, map[string]any{"InstanceId": id, "InstanceState": map[string]any{"Name": f.settle(in)}})
		}
		return map[string]any{"InstanceStatuses": out}, nil
	case "ec2:DescribeInstances":
		var insts []any
		want := ids(c.Params["InstanceIds"])
		var tagKey string
		var tagVals []string
		if fl, ok := c.Params["Filters"].([]any); ok && len(fl) > 0 {
			m := fl[0].(map[string]any)
			tagKey = strings.TrimPrefix(m["Name"].(string), "tag:")
			tagVals = ids(m["Values"])
		}
		for id, in := range f.instances {
			if len(want) > 0 && !contains(want, id) {
				continue
			}
			if tagKey != "" && !contains(tagVals, in.tags[tagKey]) {
				continue
			}
			insts = append(insts, map[string]any{"InstanceId": id, "State": map[string]any{"Name": f.settle(in)}})
		}
		return map[string]any{"Reservations": []any{map[string]any{"Instances": insts}}}, nil
	case "ec2:RunInstances":
		n, _ := asInt(c.Params["MinCount"])
		var insts []any
		for range n {
			f.next++
			id := fmt.Sprintf("i-%017d", f.next)
			in := &fakeInstance{state: "pending", target: "running", at: f.clk.Now().Add(f.transition), tags: map[string]string{}}
			if specs, ok := c.Params["TagSpecifications"].([]any); ok {
				for _, s := range specs {
					for _, t := range s.(map[string]any)["Tags"].([]any) {
						tm := t.(map[string]any)
						in.tags[tm["Key"].(string)] = tm["Value"].(string)
					}
				}
			}
			f.instances[id] = in
			insts = append(insts, map[string]any{"InstanceId": id, "State": map[string]any{"Name": "pending"}})
		}
		return map[string]any{"Instances": insts}, nil
	case "ec2:CreateTags":
		for _, id := range ids(c.Params["Resources"]) {
			in, ok := f.instances[id]
			if !ok {
				return nil, apiErr("InvalidInstanceID.NotFound", id)
			}
			for _, t := range c.Params["Tags"].([]any) {
				tm := t.(map[string]any)
				in.tags[tm["Key"].(string)] = text(tm["Value"])
			}
		}
		return map[string]any{}, nil
	case "ssm:StartAutomationExecution":
		name, _ := c.Params["DocumentName"].(string)
		content, ok := f.docs[name]
		if !ok {
			return nil, apiErr("InvalidDocument", "document "+name+" not found")
		}
		params, _ := c.Params["Parameters"].(map[string][]string)
		in := StartInput{DocumentName: name, DocumentVersion: "1", Content: content, Parameters: params,
			Principal: c.Principal, ExecutedBy: c.Principal.ARN, ParentID: c.ExecutionID}
		f.mu.Unlock()
		id, err := f.engine.Start(ctx, in)
		f.mu.Lock()
		if err != nil {
			return nil, err
		}
		return map[string]any{"AutomationExecutionId": id}, nil
	case "ssm:GetAutomationExecution":
		id, _ := c.Params["AutomationExecutionId"].(string)
		f.mu.Unlock()
		a, err := f.engine.Get(id)
		f.mu.Lock()
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(map[string]any{"AutomationExecutionStatus": a.AutomationExecutionStatus, "Outputs": a.Outputs, "FailureMessage": aws.ToString(a.FailureMessage)})
		return map[string]any{"AutomationExecution": decodePlain(b)}, nil
	case "ssm:StopAutomationExecution":
		id, _ := c.Params["AutomationExecutionId"].(string)
		f.mu.Unlock()
		err := f.engine.Stop(id, types.StopTypeCancel)
		f.mu.Lock()
		return map[string]any{}, err
	}
	return nil, apiErr("NotSimulated", key+" is not simulated")
}

func decodePlain(b []byte) any {
	var a any
	_ = json.Unmarshal(b, &a)
	return a
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// harness is an engine with a fake cloud on a virtual clock, used inside a
// synctest bubble.
type harness struct {
	t     *testing.T
	clk   *clock.Virtual
	cloud *fakeCloud
	e     *Engine
}

func newHarness(t *testing.T, optFns ...func(*Options)) *harness {
	t.Helper()
	clk := clock.NewVirtual(epoch)
	cloud := newFakeCloud(clk)
	o := Options{Clock: clk, Invoker: cloud, Account: testAccount, Region: "eu-west-1", Partition: "aws"}
	for _, fn := range optFns {
		fn(&o)
	}
	e, err := New(o)
	require.NoError(t, err)
	cloud.engine = e
	t.Cleanup(func() { _ = e.Close() })
	return &harness{t: t, clk: clk, cloud: cloud, e: e}
}

// restore makes a new engine from state on h's clock and cloud, as a
// restarted endpoint would.
func (h *harness) restore(state []byte) *harness {
	h.t.Helper()
	h2 := newHarness(h.t, func(o *Options) { o.State = state; o.Clock = h.clk; o.Invoker = h.cloud })
	h2.clk, h2.cloud = h.clk, h.cloud
	return h2
}

// start starts doc with params as the service role.
func (h *harness) start(doc *runbook.Document, params map[string][]string, optFns ...func(*StartInput)) string {
	h.t.Helper()
	id, err := h.startErr(doc, params, optFns...)
	require.NoError(h.t, err)
	return id
}

func (h *harness) startErr(doc *runbook.Document, params map[string][]string, optFns ...func(*StartInput)) (string, error) {
	content, err := doc.JSON()
	require.NoError(h.t, err)
	in := StartInput{DocumentName: "Test-Runbook", DocumentVersion: "1", Content: content, Parameters: params,
		Principal: rolePrincipal, ExecutedBy: operatorARN}
	for _, fn := range optFns {
		fn(&in)
	}
	return h.e.Start(context.Background(), in)
}

// until advances the clock timer by timer until cond holds.
func (h *harness) until(cond func() bool) {
	h.t.Helper()
	for i := 0; ; i++ {
		synctest.Wait()
		if cond() {
			return
		}
		if _, ok := h.clk.AdvanceToNext(); !ok {
			synctest.Wait()
			if cond() {
				return
			}
			require.FailNow(h.t, "nothing left to run and the condition does not hold")
		}
		require.LessOrEqual(h.t, i, 1_000_000, "the condition never held")
	}
}

func (h *harness) get(id string) types.AutomationExecution {
	h.t.Helper()
	a, err := h.e.Get(id)
	require.NoError(h.t, err)
	return a
}

func (h *harness) status(id string) types.AutomationExecutionStatus {
	return h.get(id).AutomationExecutionStatus
}

// wait runs the clock until id ends and returns it.
func (h *harness) wait(id string) types.AutomationExecution {
	h.t.Helper()
	h.until(func() bool { return terminal(h.status(id)) })
	return h.get(id)
}

// waitStatus runs the clock until id has status s.
func (h *harness) waitStatus(id string, s types.AutomationExecutionStatus) {
	h.t.Helper()
	h.until(func() bool { return h.status(id) == s })
}

func stepByName(a types.AutomationExecution, name string) types.StepExecution {
	for _, s := range a.StepExecutions {
		if aws.ToString(s.StepName) == name {
			return s
		}
	}
	return types.StepExecution{}
}

// restartDoc is the two-step restart runbook of the user guide.
func restartDoc() *runbook.Document {
	return runbook.New().
		Description("Restart EC2 instances").
		AssumeRole(roleARN).
		Parameter(runbook.StringListParameter("InstanceId").Description("instances to restart")).
		Step(runbook.NewStep("stopInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("stopped")})).
		Step(runbook.NewStep("startInstances", runbook.ChangeInstanceState{InstanceIds: runbook.Param("InstanceId"), DesiredState: runbook.String("running")})).
		Document()
}

func mustParse(t *testing.T, src string) *runbook.Document {
	t.Helper()
	d, err := runbook.Parse([]byte(src))
	require.NoError(t, err)
	return d
}

func runbookOp(s string) runbook.ChoiceOperator { return runbook.ChoiceOperator(s) }

func runbookType(s string) runbook.ParameterType { return runbook.ParameterType(s) }

func itoa(n int) string { return strconv.Itoa(n) }
