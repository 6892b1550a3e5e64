package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Scripts lets aws:executeScript steps run their scripts on this machine.
// [Options].Scripts nil refuses them: a script runs with the rights of the
// user running the endpoint, so running one is the endpoint owner's choice.
type Scripts struct {
	// AttachmentsDir is where an Attachment input is looked up by name;
	// empty means attachments cannot be resolved.
	AttachmentsDir string
	// Session issues temporary credentials for call.Principal, bound to
	// call.ExecutionID and call.StepName, and returns the environment the
	// script's AWS SDK reads them from (AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL,
	// AWS_REGION). release revokes them; it is called when the attempt ends.
	Session func(ctx context.Context, call Call) (env map[string]string, release func(), err error)
}

// Bounds of a script run.
const (
	// maxScriptTime is the runtime's own cap on an aws:executeScript
	// attempt, whatever timeoutSeconds says.
	maxScriptTime = 600 * time.Second
	// maxScriptLog bounds the captured stdout and stderr.
	maxScriptLog = 256 << 10
	// maxScriptPayload is the most a handler may return: AWS returns up to
	// 100 KB of Payload.
	maxScriptPayload = 100 << 10
	// maxScriptError bounds an exception's message and traceback.
	maxScriptError = 16 << 10
	// scriptWaitDelay is how long a killed script's pipes may stay open
	// (held by a child it started) before they are closed.
	scriptWaitDelay = time.Second
)

// scriptError is a failure of the script itself (an exception, a crash),
// as opposed to the endpoint's refusal to run it.
func scriptError(code, format string, args ...any) *stepError {
	return &stepError{msg: fmt.Sprintf(format, args...), stage: "Invocation", kind: "Action", code: code}
}

// scriptRefused is a permanent failure: running again cannot change it.
func scriptRefused(code, format string, args ...any) *stepError {
	e := scriptError(code, format, args...)
	e.permanent = true
	return e
}

// errScriptsDisabled words the refusal of an endpoint that does not run
// scripts.
func errScriptsDisabled() error {
	return scriptRefused("ScriptsDisabled", "aws:executeScript runs scripts on this machine only when the local endpoint allows it: "+
		"set ssmlocal.Options.RunScripts (ssmdelegate local --run-scripts); scripts then run as the user running the endpoint")
}

// scriptRun is one attempt's prepared script.
type scriptRun struct {
	rt       runtimeSpec
	handler  string
	dir      string // the attempt's private directory
	script   string // the Script input written to a file; empty when none
	lib      string // the extracted or copied attachment; empty when none
	events   string
	context  string
	result   string
	wrapper  string
	interp   string
	extraEnv map[string]string
}

// executeScript implements aws:executeScript: the script runs in a child
// process (see "# Actions" in the package documentation).
func (r *runner) executeScript(ctx context.Context, step runbook.Step, in map[string]any, sr *stepRecord) (actResult, error) {
	opts := r.e.opts.Scripts
	if opts == nil {
		return actResult{}, errScriptsDisabled()
	}
	si, err := scriptInputs(in)
	if err != nil {
		return actResult{}, err
	}
	rt, handler, script, attachment, payload := si.rt, si.handler, si.script, si.attachment, si.payload
	interp, err := rt.find()
	if err != nil {
		return actResult{}, err
	}

	dir, err := os.MkdirTemp("", "ssmlocal-script-")
	if err != nil {
		return actResult{}, &stepError{msg: "cannot prepare the script: " + err.Error(), stage: "Invocation", kind: "Internal"}
	}
	defer os.RemoveAll(dir)
	run := &scriptRun{rt: rt, handler: handler, dir: dir, interp: interp,
		events: filepath.Join(dir, "events.json"), context: filepath.Join(dir, "context.json"), result: filepath.Join(dir, "result.json")}
	if attachment != "" {
		if run.lib, err = resolveAttachment(opts.AttachmentsDir, attachment, declaredSHA256(r.doc, attachment), filepath.Join(dir, "attachment")); err != nil {
			return actResult{}, err
		}
	}
	if err := run.write(script, payload, r.scriptContext(step.Name)); err != nil {
		return actResult{}, &stepError{msg: "cannot prepare the script: " + err.Error(), stage: "Invocation", kind: "Internal"}
	}

	limit, cause := r.limit()
	wall := maxScriptTime
	if !limit.IsZero() {
		left := limit.Sub(r.clk.Now())
		if left <= 0 {
			return actResult{}, cause
		}
		wall = min(wall, left)
	}
	if opts.Session != nil {
		env, release, err := opts.Session(ctx, Call{Principal: r.who, ExecutionID: r.id, StepName: step.Name})
		if err != nil {
			if ctx.Err() != nil {
				return actResult{}, context.Cause(ctx)
			}
			return actResult{}, &stepError{msg: "cannot issue the script's credentials: " + err.Error(), stage: "Invocation", kind: "Internal", cause: err}
		}
		defer release()
		run.extraEnv = env
	}

	out, log, err := run.exec(ctx, wall)
	if log != "" {
		r.x.mu.Lock()
		if sr.Outputs == nil {
			sr.Outputs = map[string][]string{}
		}
		sr.Outputs["ExecutionLog"] = []string{log}
		r.x.mu.Unlock()
	}
	if err := scriptFailure(ctx, err, cause, wall); err != nil {
		return actResult{}, err
	}
	response := map[string]any{"Payload": out}
	outputs := map[string]any{"OutputPayload": map[string]any{"Payload": out}}
	if log != "" {
		outputs["ExecutionLog"] = log
	}
	return actResult{outputs: outputs, response: response}, nil
}

// scriptInput is aws:executeScript's checked inputs.
type scriptInput struct {
	rt                          runtimeSpec
	handler, script, attachment string
	payload                     any
}

// scriptInputs reads and checks aws:executeScript's inputs: a known
// runtime, a handler for Python, a script or an attachment (the script
// for PowerShell), and a map as InputPayload.
func scriptInputs(in map[string]any) (scriptInput, error) {
	var si scriptInput
	runtime, err := inString(in, "Runtime", true)
	if err != nil {
		return si, err
	}
	if si.rt, err = parseRuntime(runtime); err != nil {
		return si, err
	}
	if si.handler, err = inString(in, "Handler", si.rt.lang == langPython); err != nil {
		return si, err
	}
	if si.script, err = inString(in, "Script", false); err != nil {
		return si, err
	}
	if si.attachment, err = inString(in, "Attachment", false); err != nil {
		return si, err
	}
	if si.script == "" && si.attachment == "" {
		return si, inputErr("aws:executeScript needs a Script or an Attachment")
	}
	if si.script == "" && si.rt.lang == langPowerShell {
		return si, inputErr("a PowerShell runtime needs the Script input (an attachment holds only the files it uses)")
	}
	si.payload = in["InputPayload"]
	if si.payload == nil {
		si.payload = map[string]any{}
	}
	if _, ok := si.payload.(map[string]any); !ok {
		return si, inputErr("input InputPayload must be a map, got %s", encodeJSON(si.payload))
	}
	return si, nil
}

// scriptFailure is the step's error for a script run that returned err:
// the execution's cause when it was cancelled, the step's timeout or the
// execution's limit when the wall time ran out.
func scriptFailure(ctx context.Context, err, cause error, wall time.Duration) error {
	switch {
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case errors.Is(err, context.DeadlineExceeded):
		if errors.Is(cause, errStepTimeout) {
			return &stepError{msg: fmt.Sprintf("the script ran for %s of wall time, its time limit, and was stopped", wall.Round(time.Second)),
				stage: "Invocation", kind: "Action", cause: errStepTimeout}
		}
		return cause
	}
	return err
}

// declaredSHA256 is the sha256 checksum the document's files section
// declares for an attachment; empty when it declares none.
func declaredSHA256(doc *runbook.Document, name string) string {
	for _, f := range doc.Files {
		if f.Name != name {
			continue
		}
		for _, c := range f.Checksums {
			if strings.EqualFold(c.Key, "sha256") {
				if v, ok := c.Value.AsString(); ok {
					return strings.ToLower(v)
				}
			}
		}
	}
	return ""
}

// scriptContext is the handler's context argument.
func (r *runner) scriptContext(step string) map[string]any {
	ctx := map[string]any{"automation:EXECUTION_ID": r.id, "automation:STEP_NAME": step}
	for _, g := range []string{runbook.GlobalAccountID, runbook.GlobalRegion, runbook.GlobalPartition} {
		if v, ok := r.global(g); ok {
			ctx["global:"+g] = v
		}
	}
	return ctx
}

// write lays out the attempt's files: the script, its input, the wrapper.
func (run *scriptRun) write(script string, payload any, context map[string]any) error {
	if script != "" {
		run.script = filepath.Join(run.dir, run.rt.scriptFile)
		if err := os.WriteFile(run.script, []byte(script), 0o600); err != nil {
			return err
		}
	}
	ev, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	cx, err := json.Marshal(context)
	if err != nil {
		return err
	}
	run.wrapper = filepath.Join(run.dir, run.rt.wrapperFile)
	for path, data := range map[string][]byte{run.events: ev, run.context: cx, run.wrapper: []byte(run.rt.wrapper)} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// environment is the script's environment: the endpoint's own, without
// anything that would point an AWS SDK at other credentials, plus the
// step's credentials.
func (run *scriptRun) environment() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(strings.ToUpper(k), "AWS_") || strings.HasPrefix(k, "SSMLOCAL_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		"SSMLOCAL_RESULT="+run.result,
		"SSMLOCAL_EVENTS="+run.events,
		"SSMLOCAL_CONTEXT="+run.context,
		"SSMLOCAL_HANDLER="+run.handler,
		"SSMLOCAL_SCRIPT="+run.script,
		"SSMLOCAL_LIB="+run.lib,
	)
	for k, v := range run.extraEnv {
		env = append(env, k+"="+v)
	}
	return env
}

// wrapperResult is what the wrapper writes: the handler's return value, or
// the exception that ended it.
type wrapperResult struct {
	Payload json.RawMessage `json:"Payload"`
	Error   *struct {
		Type      string `json:"type"`
		Message   string `json:"message"`
		Traceback string `json:"traceback"`
		Code      string `json:"code"`
	} `json:"error"`
}

// exec runs the wrapper with a wall-clock timeout and returns the
// handler's value and the captured output.
func (run *scriptRun) exec(ctx context.Context, wall time.Duration) (any, string, error) {
	tctx, cancel := context.WithTimeout(ctx, wall)
	defer cancel()
	args := append(append([]string(nil), run.rt.args...), run.wrapper)
	cmd := exec.CommandContext(tctx, run.interp, args...)
	cmd.Dir = run.dir
	if run.lib != "" {
		if fi, err := os.Stat(run.lib); err == nil && fi.IsDir() {
			cmd.Dir = run.lib
		}
	}
	cmd.Env = run.environment()
	cmd.Stdin = nil
	log := &boundedBuffer{limit: maxScriptLog}
	cmd.Stdout, cmd.Stderr = log, log
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	cmd.WaitDelay = scriptWaitDelay
	if err := cmd.Start(); err != nil {
		return nil, "", scriptRefused("RuntimeNotFound", "cannot start %s for runtime %s: %v", run.interp, run.rt.name, err)
	}
	waitErr := cmd.Wait()
	// Whatever the script left running dies with the step.
	_ = killProcessGroup(cmd)
	text := log.String()
	if tctx.Err() != nil {
		return nil, text, tctx.Err()
	}
	res, err := readResult(run.result)
	if err != nil {
		if waitErr != nil {
			return nil, text, scriptError("ScriptExited", "the script ended (%v) without returning from its handler%s", waitErr, logTail(text))
		}
		return nil, text, err
	}
	if e := res.Error; e != nil {
		code := e.Code
		if code == "" {
			code = e.Type
		}
		se := scriptError(code, "%s%s - %s", clipHead(e.Traceback, maxScriptError), clipHead(e.Type, 256), clipHead(e.Message, maxScriptError))
		switch c := e.Code; {
		case strings.Contains(c, "AccessDenied") || c == "UnauthorizedOperation" || c == "AuthFailure":
			se.kind = "Permission"
		case strings.Contains(c, "Throttl") || c == "RequestLimitExceeded" || c == "TooManyRequestsException":
			se.kind = "Throttling"
		}
		return nil, text, se
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(res.Payload))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, text, scriptError("InvalidPayload", "the handler's return value is not JSON: %v", err)
	}
	return v, text, nil
}

// readResult reads the wrapper's result file, refusing one larger than a
// Payload may be.
func readResult(path string) (*wrapperResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, scriptError("NoResult", "the script ended without returning from its handler")
	}
	defer f.Close()
	// An error record carries a bounded message and traceback besides.
	data, err := io.ReadAll(io.LimitReader(f, maxScriptPayload+4*maxScriptError+1))
	if err != nil {
		return nil, scriptError("NoResult", "cannot read the handler's return value: %v", err)
	}
	var res wrapperResult
	if err := json.Unmarshal(data, &res); err != nil {
		if len(data) > maxScriptPayload {
			return nil, scriptError("PayloadTooLarge", "the handler returned more than %d KB: Automation returns at most 100 KB of Payload", maxScriptPayload>>10)
		}
		return nil, scriptError("InvalidPayload", "the handler's return value cannot be read: %v", err)
	}
	if res.Error == nil && len(res.Payload) > maxScriptPayload {
		return nil, scriptError("PayloadTooLarge", "the handler returned %d KB: Automation returns at most 100 KB of Payload", len(res.Payload)>>10)
	}
	return &res, nil
}

// logTail quotes the end of a script's output for a failure message.
func logTail(log string) string {
	log = strings.TrimSpace(log)
	if log == "" {
		return ""
	}
	const n = 2048
	if len(log) > n {
		log = "…" + log[len(log)-n:]
	}
	return "; its output ends: " + log
}

// clipHead keeps the last n bytes of s: the end of a traceback names the
// failing line.
func clipHead(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// boundedBuffer keeps the first limit bytes written to it and counts the
// rest, so a chatty script cannot grow the endpoint's memory.
type boundedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	limit   int
	dropped int64
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.limit - b.buf.Len()
	if room > len(p) {
		room = len(p)
	}
	if room > 0 {
		b.buf.Write(p[:room])
	}
	b.dropped += int64(len(p) - max(room, 0))
	return len(p), nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if b.dropped > 0 {
		s += fmt.Sprintf("\n[output truncated: %d more bytes were written after the first %d KiB]", b.dropped, b.limit>>10)
	}
	return s
}
