package runbook

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzParse checks that no input panics or hangs Parse, Validate,
// MaxDuration or the encoders, and that whatever parses round-trips
// through JSON and YAML.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, p := range append(seeds, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(header + sleepStep))
	f.Add([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"l","action":"aws:loop","inputs":{"Iterators":[1],"Steps":[{"name":"a","action":"aws:branch","inputs":{"Choices":[{"NextStep":"a","Not":{"Variable":"{{ l.CurrentIteratorValue }}","NumericEquals":1}}]}}]}}]}`))
	f.Add([]byte("schemaVersion: 0.3\nmainSteps:\n- {name: a, action: 'aws:sleep', nextStep: a, inputs: {Duration: P1W}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("# head\nmainSteps: # steps\n# first\n- {name: a, action: 'aws:sleep', inputs: {Duration: PT1S}} # one\nschemaVersion: '0.3'\n# foot\n"))
	f.Add([]byte("\ufeffschemaVersion: '0.3'\ndescription:\nparameters: {}\nmainSteps:\n- {name: a, description: '', action: 'aws:sleep', inputs: {Duration: PT1S}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		doc, err := Parse(data)
		if err != nil {
			return
		}
		_ = doc.Validate(func(o *ValidateOptions) { o.Name = "Fuzzed" })
		_ = doc.MaxDuration(func(o *DurationOptions) {
			o.ChildDocument = func(string) (*Document, bool) { return doc, true }
		})
		want := string(doc.CompactJSON())
		for _, f := range []Format{JSON, YAML} {
			enc, err := doc.Encode(f)
			require.NoError(t, err, "%s encode", f)
			again, err := Parse(enc)
			require.NoError(t, err, "%s output does not parse:\n%s", f, enc)
			require.Equal(t, want, string(again.CompactJSON()), "%s round trip changed the document", f)
		}
		// Keeping comments may refuse, never change the document.
		if kept, err := doc.YAMLKeeping(data); err == nil {
			again, err := Parse(kept)
			require.NoError(t, err, "YAMLKeeping output does not parse:\n%s", kept)
			require.Equal(t, want, string(again.CompactJSON()), "YAMLKeeping changed the document:\n%s", kept)
		}
	})
}

// FuzzParseReferences checks the {{ }} scanner never panics and that a
// reference's canonical text reads back as the same reference.
func FuzzParseReferences(f *testing.F) {
	for _, s := range []string{"{{ a }}", "x{{ s.o }}y{{global:REGION}}", "{{ssm:/p}}", "{{", "}}{{", "{{ variable:V }}", "{{ a b }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range ParseReferences(s) {
			if r.Kind == RefInvalid {
				continue
			}
			back, ok := WholeReference(r.String())
			require.True(t, ok, "%q -> %q does not read back", r.Text, r.String())
			require.Equal(t, r.Kind, back.Kind, "%q -> %q", r.Text, r.String())
			require.Equal(t, r.Name, back.Name, "%q -> %q", r.Text, r.String())
			require.Equal(t, r.Output, back.Output, "%q -> %q", r.Text, r.String())
		}
	})
}

// FuzzISO8601 checks the duration and timestamp parsers never panic and
// never return a negative duration.
func FuzzISO8601(f *testing.F) {
	for _, s := range []string{"PT10M", "P1DT2H", "P1W", "PT0.5S", "P99999999999999999999D", "2026-01-02T15:04:05Z", "P", "PT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseISODuration(s); err == nil {
			require.GreaterOrEqual(t, d, time.Duration(0), "%q: negative duration", s)
		}
		_, _ = ParseISOTimestamp(s)
	})
}
