package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

type scriptLang int

const (
	langPython scriptLang = iota + 1
	langPowerShell
)

// runtimeSpec is an aws:executeScript Runtime and how to run it here.
type runtimeSpec struct {
	name         string
	lang         scriptLang
	major, minor int
	// scriptFile and wrapperFile name the files the Script input and the
	// wrapper are written to; args come before the wrapper's path.
	scriptFile, wrapperFile string
	args                    []string
	wrapper                 string
}

var (
	pythonRuntime     = regexp.MustCompile(`^python(3)\.([0-9]{1,2})$`)
	powershellRuntime = regexp.MustCompile(`^PowerShell (?:Core )?([0-9])\.([0-9]{1,2})$`)
)

// parseRuntime reads a Runtime input: python3.X, PowerShell 7.X or
// PowerShell Core 6.0.
func parseRuntime(name string) (runtimeSpec, error) {
	if m := pythonRuntime.FindStringSubmatch(name); m != nil {
		minor, _ := strconv.Atoi(m[2])
		return runtimeSpec{name: name, lang: langPython, major: 3, minor: minor,
			scriptFile: "ssm_script.py", wrapperFile: "ssmlocal_runner.py",
			// -B writes no bytecode next to the script; -u keeps stdout and
			// stderr in the order they were written.
			args: []string{"-B", "-u"}, wrapper: pythonWrapper}, nil
	}
	if m := powershellRuntime.FindStringSubmatch(name); m != nil {
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		return runtimeSpec{name: name, lang: langPowerShell, major: major, minor: minor,
			scriptFile: "ssm_script.ps1", wrapperFile: "ssmlocal_runner.ps1",
			args: []string{"-NoLogo", "-NoProfile", "-NonInteractive", "-File"}, wrapper: powershellWrapper}, nil
	}
	return runtimeSpec{}, inputErr("input Runtime %q is not a runtime aws:executeScript supports (python3.X, PowerShell 7.X, PowerShell Core 6.0)", name)
}

// lookPath finds an executable on PATH; tests replace it.
var lookPath = exec.LookPath

// find returns the interpreter that satisfies the runtime, or a permanent
// failure naming the runtime and what this machine has.
func (rt runtimeSpec) find() (string, error) {
	if rt.lang == langPowerShell {
		path, err := lookPath("pwsh")
		if err != nil {
			return "", scriptRefused("RuntimeNotFound", "runtime %s needs PowerShell (pwsh) on PATH, and none was found", rt.name)
		}
		major, minor, found, err := interpreterVersion(path, []string{"-NoLogo", "-NoProfile", "-Command", "$PSVersionTable.PSVersion.ToString()"})
		if err != nil {
			return "", scriptRefused("RuntimeNotFound", "runtime %s: cannot tell the version of %s: %v", rt.name, path, err)
		}
		// PowerShell keeps scripts of earlier versions working.
		if major < rt.major || major == rt.major && minor < rt.minor {
			return "", scriptRefused("RuntimeNotFound", "runtime %s needs PowerShell %d.%d or later, and pwsh on PATH is PowerShell %s", rt.name, rt.major, rt.minor, found)
		}
		return path, nil
	}
	want := fmt.Sprintf("%d.%d", rt.major, rt.minor)
	var seen []string
	for _, name := range []string{"python3", "python" + want} {
		path, err := lookPath(name)
		if err != nil {
			seen = append(seen, "no "+name+" on PATH")
			continue
		}
		major, minor, found, err := interpreterVersion(path, []string{"-c", "import sys; print('%d.%d.%d' % sys.version_info[:3], sys.executable)"})
		if err != nil {
			seen = append(seen, fmt.Sprintf("%s (%s) does not run: %v", name, path, err))
			continue
		}
		if major == rt.major && minor == rt.minor {
			// Run the interpreter itself, not a launcher in front of it
			// (a pyenv shim costs a second or more per start).
			if exe := executableOf(path); exe != "" {
				return exe, nil
			}
			return path, nil
		}
		seen = append(seen, fmt.Sprintf("%s on PATH is Python %s", name, found))
	}
	return "", scriptRefused("RuntimeNotFound", "runtime %s needs Python %s (python3 or python%s on PATH): %s", rt.name, want, want, strings.Join(seen, ", "))
}

// versions caches interpreters' versions by path: asking costs a process.
var versions sync.Map // path → string

var versionPattern = regexp.MustCompile(`([0-9]+)\.([0-9]+)(?:\.[0-9]+)?`)

// interpreterVersion runs path with args, which print its version.
func interpreterVersion(path string, args []string) (major, minor int, found string, err error) {
	v, ok := versions.Load(path)
	if !ok {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Env = (&scriptRun{}).environment()
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if line, _, _ := strings.Cut(strings.TrimSpace(string(ee.Stderr)), "\n"); line != "" {
					err = fmt.Errorf("%w: %s", err, clipHead(line, 200))
				}
			}
			return 0, 0, "", err
		}
		v = strings.TrimSpace(string(out))
		versions.Store(path, v)
	}
	found = v.(string)
	m := versionPattern.FindStringSubmatch(found)
	if m == nil {
		return 0, 0, found, fmt.Errorf("it reports version %q", clipHead(found, 64))
	}
	major, _ = strconv.Atoi(m[1])
	minor, _ = strconv.Atoi(m[2])
	return major, minor, m[0], nil
}

// executableOf is the interpreter path a cached Python probe reported
// after its version, when it is an executable file.
func executableOf(path string) string {
	v, ok := versions.Load(path)
	if !ok {
		return ""
	}
	_, exe, _ := strings.Cut(v.(string), " ")
	if exe == "" || !filepath.IsAbs(exe) {
		return ""
	}
	if fi, err := os.Stat(exe); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	return exe
}

// pythonWrapper loads the script as a module, calls the handler with
// (events, context) as Automation does, and writes {"Payload": value} or
// the exception to the result file; stdout stays the script's own.
const pythonWrapper = `import importlib
import importlib.util
import json
import os
import sys
import traceback


def _load(path):
    spec = importlib.util.spec_from_file_location("ssm_script", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ssm_script"] = module
    spec.loader.exec_module(module)
    return module


def _handler(name, script):
    fn = None
    if script:
        fn = getattr(_load(script), name, None)
    if fn is None and "." in name:
        module, _, attr = name.rpartition(".")
        fn = getattr(importlib.import_module(module), attr, None)
    if not callable(fn):
        raise AttributeError("handler %r is not a function of the script" % name)
    return fn


def _code(error):
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if isinstance(code, str):
            return code
    return ""


def _main():
    result = os.environ["SSMLOCAL_RESULT"]
    lib = os.environ.get("SSMLOCAL_LIB", "")
    if lib:
        sys.path.insert(0, lib if os.path.isdir(lib) else os.path.dirname(lib))
    try:
        with open(os.environ["SSMLOCAL_EVENTS"], encoding="utf-8") as f:
            events = json.load(f)
        with open(os.environ["SSMLOCAL_CONTEXT"], encoding="utf-8") as f:
            context = json.load(f)
        fn = _handler(os.environ["SSMLOCAL_HANDLER"], os.environ.get("SSMLOCAL_SCRIPT", ""))
        text = json.dumps({"Payload": fn(events, context)})
    except BaseException as error:
        tb = error.__traceback__
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next  # the wrapper's own frame says nothing
        text = json.dumps({"error": {
            "type": type(error).__name__,
            "message": str(error),
            "traceback": "".join(traceback.format_exception(type(error), error, tb)[:-1]) + "\n",
            "code": _code(error),
        }})
    sys.stdout.flush()
    sys.stderr.flush()
    with open(result, "w", encoding="utf-8") as f:
        f.write(text)


_main()
`

// powershellWrapper sets $env:InputPayload (as AWS does), dot-sources the
// script, and calls the handler function with $events and $context when
// the script defines one; otherwise the script's own output is the value.
const powershellWrapper = `$ErrorActionPreference = 'Stop'
$ssmlocalResult = $env:SSMLOCAL_RESULT
try {
    $env:InputPayload = Get-Content -Raw -LiteralPath $env:SSMLOCAL_EVENTS
    $events = $env:InputPayload | ConvertFrom-Json
    $context = Get-Content -Raw -LiteralPath $env:SSMLOCAL_CONTEXT | ConvertFrom-Json
    $ssmlocalOut = . $env:SSMLOCAL_SCRIPT
    $ssmlocalHandler = $env:SSMLOCAL_HANDLER
    if ($ssmlocalHandler -and (Get-Command -Name $ssmlocalHandler -CommandType Function -ErrorAction SilentlyContinue)) {
        $ssmlocalOut = & $ssmlocalHandler $events $context
    }
    $ssmlocalText = ConvertTo-Json -InputObject @{ Payload = $ssmlocalOut } -Depth 100 -Compress
} catch {
    $ssmlocalText = ConvertTo-Json -Depth 5 -Compress -InputObject @{ error = @{
        type = $_.Exception.GetType().Name
        message = $_.Exception.Message
        traceback = ($_.ScriptStackTrace | Out-String)
        code = ''
    } }
}
[System.IO.File]::WriteAllText($ssmlocalResult, $ssmlocalText)
`
