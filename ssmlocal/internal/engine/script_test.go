package engine

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type zipEntry struct {
	name, body string
	mode       os.FileMode
}

func makeZip(t *testing.T, entries []zipEntry) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.zip")
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return path
}

func TestExtractZipBounds(t *testing.T) {
	oldBytes, oldFiles := maxAttachmentBytes, maxAttachmentFiles
	maxAttachmentBytes, maxAttachmentFiles = 1024, 3
	t.Cleanup(func() { maxAttachmentBytes, maxAttachmentFiles = oldBytes, oldFiles })
	tests := []struct {
		name    string
		entries []zipEntry
		want    string // error text; empty for success
		files   []string
	}{
		{name: "files and directories", entries: []zipEntry{{name: "lib/"}, {name: "lib/a.py", body: "x = 1\n"}, {name: "main.py", body: "y = 2\n"}},
			files: []string{"lib/a.py", "main.py"}},
		{name: "parent path", entries: []zipEntry{{name: "../up.py", body: "x"}}, want: `entry "../up.py" is not a relative path inside the archive`},
		{name: "nested parent path", entries: []zipEntry{{name: "lib/../../up.py", body: "x"}}, want: "is not a relative path"},
		{name: "absolute path", entries: []zipEntry{{name: "/etc/up.py", body: "x"}}, want: "is not a relative path"},
		{name: "backslash path", entries: []zipEntry{{name: `..\up.py`, body: "x"}}, want: "is not a relative path"},
		{name: "symbolic link", entries: []zipEntry{{name: "link", body: "/etc/passwd", mode: os.ModeSymlink | 0o777}}, want: `entry "link" is not a regular file`},
		{name: "too many entries", entries: []zipEntry{{name: "a"}, {name: "b"}, {name: "c"}, {name: "d"}}, want: "it holds 4 entries, more than 3"},
		{name: "too large once expanded", entries: []zipEntry{{name: "a", body: strings.Repeat("z", 700)}, {name: "b", body: strings.Repeat("z", 700)}},
			want: "it expands to more than 0 MiB"},
		{name: "duplicate entry", entries: []zipEntry{{name: "a", body: "1"}, {name: "a", body: "2"}}, want: `entry "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := makeZip(t, tt.entries)
			dest := filepath.Join(t.TempDir(), "out")
			require.NoError(t, os.Mkdir(dest, 0o700))
			err := extractZip(src, dest)
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				_, statErr := os.Stat(filepath.Join(filepath.Dir(dest), "up.py"))
				assert.True(t, errors.Is(statErr, os.ErrNotExist), "an entry landed outside the directory")
				return
			}
			require.NoError(t, err)
			for _, f := range tt.files {
				assert.FileExists(t, filepath.Join(dest, filepath.FromSlash(f)))
			}
		})
	}
}

func TestResolveAttachmentRefusals(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = 1\n"), 0o600))
	tests := []struct {
		name, dir, file, sha, want string
	}{
		{name: "no directory", file: "a.py", want: "set ssmlocal.Options.AttachmentsDir (ssmdelegate local --attachments DIR)"},
		{name: "path, not a name", dir: dir, file: "../a.py", want: `input Attachment "../a.py" must name a file, not a path`},
		{name: "missing", dir: dir, file: "b.py", want: `attachment "b.py" is not a file in the attachments directory ` + dir},
		{name: "checksum", dir: dir, file: "a.py", sha: strings.Repeat("0", 64), want: "and the document declares " + strings.Repeat("0", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveAttachment(tt.dir, tt.file, tt.sha, filepath.Join(t.TempDir(), "x"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			var se *stepError
			require.ErrorAs(t, err, &se)
			assert.True(t, se.permanent, "running again cannot find the attachment")
		})
	}
}

func TestBoundedBuffer(t *testing.T) {
	b := &boundedBuffer{limit: 4}
	for _, p := range []string{"ab", "cde", "fgh"} {
		n, err := b.Write([]byte(p))
		require.NoError(t, err)
		assert.Equal(t, len(p), n, "a bounded writer never fails the script")
	}
	assert.Equal(t, "abcd\n[output truncated: 4 more bytes were written after the first 0 KiB]", b.String())
	assert.Equal(t, "xy", (&boundedBuffer{limit: 4}).writeString("xy"))
}

func (b *boundedBuffer) writeString(s string) string {
	_, _ = b.Write([]byte(s))
	return b.String()
}

func TestParseRuntime(t *testing.T) {
	tests := []struct {
		in           string
		lang         scriptLang
		major, minor int
	}{
		{"python3.11", langPython, 3, 11},
		{"python3.8", langPython, 3, 8},
		{"PowerShell 7.4", langPowerShell, 7, 4},
		{"PowerShell Core 6.0", langPowerShell, 6, 0},
		{"python2.7", 0, 0, 0},
		{"python3", 0, 0, 0},
		{"nodejs18.x", 0, 0, 0},
		{"PowerShell 7", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rt, err := parseRuntime(tt.in)
			if tt.lang == 0 {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "is not a runtime aws:executeScript supports")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.lang, rt.lang)
			assert.Equal(t, [2]int{tt.major, tt.minor}, [2]int{rt.major, rt.minor})
		})
	}
}

// fakeInterpreter writes an executable that prints out, standing in for an
// interpreter of another version.
func fakeInterpreter(t *testing.T, name, out string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake interpreter is a shell script")
	}
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\necho '"+out+"'\n"), 0o700))
	return path
}

func TestRuntimeFind(t *testing.T) {
	old := lookPath
	t.Cleanup(func() { lookPath = old })
	py39 := fakeInterpreter(t, "python3", "3.9.18 /nonexistent/python3.9")
	py312 := fakeInterpreter(t, "python3.12", "3.12.1 /nonexistent/python3.12")
	pwsh72 := fakeInterpreter(t, "pwsh", "7.2.0")
	tests := []struct {
		name, runtime string
		path          map[string]string
		want          string // the path found, or the error
		fail          bool
	}{
		{name: "python3 matches", runtime: "python3.9", path: map[string]string{"python3": py39}, want: py39},
		{name: "exact binary", runtime: "python3.12", path: map[string]string{"python3": py39, "python3.12": py312}, want: py312},
		{name: "none matches", runtime: "python3.11", path: map[string]string{"python3": py39}, fail: true,
			want: "runtime python3.11 needs Python 3.11 (python3 or python3.11 on PATH): python3 on PATH is Python 3.9.18, no python3.11 on PATH"},
		{name: "no python", runtime: "python3.11", path: map[string]string{}, fail: true,
			want: "no python3 on PATH, no python3.11 on PATH"},
		{name: "pwsh new enough", runtime: "PowerShell Core 6.0", path: map[string]string{"pwsh": pwsh72}, want: pwsh72},
		{name: "pwsh too old", runtime: "PowerShell 7.4", path: map[string]string{"pwsh": pwsh72}, fail: true,
			want: "runtime PowerShell 7.4 needs PowerShell 7.4 or later, and pwsh on PATH is PowerShell 7.2"},
		{name: "no pwsh", runtime: "PowerShell 7.4", path: map[string]string{}, fail: true,
			want: "runtime PowerShell 7.4 needs PowerShell (pwsh) on PATH, and none was found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookPath = func(name string) (string, error) {
				if p, ok := tt.path[name]; ok {
					return p, nil
				}
				return "", errors.New("not found")
			}
			rt, err := parseRuntime(tt.runtime)
			require.NoError(t, err)
			got, err := rt.find()
			if tt.fail {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "a reported executable that does not exist is not used")
		})
	}
}

func TestReadResult(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{name: "payload", data: `{"Payload":{"a":1}}`},
		{name: "exception", data: `{"error":{"type":"ValueError","message":"m","traceback":"t","code":""}}`},
		{name: "not JSON", data: `{"Payload":`, want: "the handler's return value cannot be read"},
		{name: "too large", data: `{"Payload":"` + strings.Repeat("y", maxScriptPayload) + `"}`, want: "Automation returns at most 100 KB of Payload"},
		{name: "too large and cut", data: `{"Payload":"` + strings.Repeat("y", maxScriptPayload+4*maxScriptError+10) + `"}`, want: "Automation returns at most 100 KB of Payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "result.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.data), 0o600))
			_, err := readResult(path)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := readResult(filepath.Join(t.TempDir(), "absent"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the script ended without returning from its handler")
}

func FuzzParseRuntime(f *testing.F) {
	for _, s := range []string{"python3.11", "PowerShell 7.4", "PowerShell Core 6.0", "python3.", "PowerShell 99.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rt, err := parseRuntime(s)
		if err != nil {
			return
		}
		require.Equal(t, s, rt.name, "parseRuntime(%q)", s)
		require.NotEmpty(t, rt.wrapper, "parseRuntime(%q)", s)
		require.Contains(t, []scriptLang{langPython, langPowerShell}, rt.lang, "parseRuntime(%q)", s)
	})
}

func FuzzReadResult(f *testing.F) {
	for _, s := range []string{`{"Payload":1}`, `{"error":{"type":"E"}}`, `null`, `{"Payload":`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "result.json")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		res, err := readResult(path)
		if err == nil {
			require.NotNil(t, res, "no result and no error")
		}
	})
}
