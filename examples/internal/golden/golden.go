// Package golden compares a walkthrough's output with its golden file, after
// masking what changes from run to run (ids, ports, keys, times).
package golden

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var masks = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+`), "http://127.0.0.1:PORT"},
	{regexp.MustCompile(`\bi-[0-9a-f]{8,17}\b`), "i-INSTANCE"},
	{regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "EXECUTION-ID"},
	{regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`), "ACCESS-KEY"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "TIME"},
}

// Mask replaces what differs between runs with placeholders and drops the
// live progress lines (prefix "  ~ "), whose number depends on timing.
func Mask(s string) string {
	var kept []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "  ~ ") {
			kept = append(kept, line)
		}
	}
	s = strings.Join(kept, "\n")
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.repl)
	}
	return s
}

// Check compares the masked output with testdata/NAME.golden, rewriting it
// under -update.
func Check(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got = Mask(got)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Walkthrough runs a walkthrough on an in-process endpoint, checks that its
// output holds every wanted line part, and compares it with
// testdata/walkthrough.golden.
func Walkthrough(t *testing.T, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error, wants ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), nil, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	s := out.String()
	for _, want := range wants {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	Check(t, "walkthrough", s)
}
