package runbook

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLosslessEmptyValues checks that empty descriptions and sections
// survive parse and encode in both formats, against the source's JSON.
func TestLosslessEmptyValues(t *testing.T) {
	for _, file := range []string{"empty-values.yaml", "empty-values.json"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "roundtrip", file))
			require.NoError(t, err)
			doc, err := Parse(data)
			require.NoError(t, err)
			want := asJSONValue(t, data)
			for _, f := range []Format{JSON, YAML} {
				enc, err := doc.Encode(f)
				require.NoError(t, err)
				require.True(t, want.Equal(asJSONValue(t, enc)), "%s lost data:\n%s", f, enc)
			}
		})
	}
}

func TestNullTopLevelFieldsStayAbsent(t *testing.T) {
	for _, file := range []string{"null-fields.yaml", "null-fields.json"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "accepted", file))
			require.NoError(t, err)
			doc, err := Parse(data)
			require.NoError(t, err)
			out := string(doc.CompactJSON())
			require.NotContains(t, out, "description")
			require.NotContains(t, out, "outputs")
			require.NotContains(t, out, "null")
		})
	}
}

func TestByteOrderMarks(t *testing.T) {
	yamlDoc := "schemaVersion: '0.3'\nmainSteps:\n" + sleepStep
	jsonDoc := `{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`
	utf16 := func(s string, bigEndian bool) []byte {
		out := []byte{0xFF, 0xFE}
		if bigEndian {
			out = []byte{0xFE, 0xFF}
		}
		for _, r := range s {
			if bigEndian {
				out = append(out, 0, byte(r))
			} else {
				out = append(out, byte(r), 0)
			}
		}
		return out
	}
	cases := []struct {
		name  string
		data  []byte
		parse func([]byte) (*Document, error)
		utf16 bool
	}{
		{name: "UTF-8 BOM YAML", data: append([]byte("\ufeff"), yamlDoc...), parse: Parse},
		{name: "UTF-8 BOM JSON", data: append([]byte("\ufeff"), jsonDoc...), parse: Parse},
		{name: "UTF-8 BOM ParseJSON", data: append([]byte("\ufeff"), jsonDoc...), parse: ParseJSON},
		{name: "UTF-8 BOM ParseYAML", data: append([]byte("\ufeff"), yamlDoc...), parse: ParseYAML},
		{name: "UTF-16LE", data: utf16(yamlDoc, false), parse: Parse, utf16: true},
		{name: "UTF-16BE JSON", data: utf16(jsonDoc, true), parse: ParseJSON, utf16: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := c.parse(c.data)
			if c.utf16 {
				require.ErrorIs(t, err, ErrUTF16)
				require.ErrorContains(t, err, "UTF-16 is not supported; save as UTF-8")
				return
			}
			require.NoError(t, err)
			require.Equal(t, "nap", doc.MainSteps[0].Name)
		})
	}
}

func TestDuplicateKeysNameBothLines(t *testing.T) {
	cases := []struct{ name, src, path, msg string }{
		{name: "YAML top level", src: "schemaVersion: '0.3'\ndescription: a\nschemaVersion: '0.3'\n", path: "schemaVersion", msg: `line 3: schemaVersion: duplicate key "schemaVersion" on lines 1 and 3`},
		{name: "YAML step input", src: "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs:\n    Duration: PT1S\n    Duration: PT2S\n",
			path: "mainSteps[0].inputs.Duration", msg: "on lines 6 and 7"},
		{name: "JSON", src: "{\n\"schemaVersion\": \"0.3\",\n\"schemaVersion\": \"0.3\"\n}", path: "schemaVersion", msg: "on lines 2 and 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.src))
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%v", err)
			require.Equal(t, c.path, pe.Path)
			require.ErrorContains(t, err, c.msg)
		})
	}
}

func TestYAMLLoss(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{name: "no comments", src: "schemaVersion: '0.3'\nmainSteps: []\n"},
		{name: "JSON", src: `{"schemaVersion": "0.3"}`},
		{name: "hash in a string", src: "schemaVersion: '0.3'\ndescription: 'issue #3'\n"},
		{name: "hash in a literal block", src: "schemaVersion: '0.3'\ndescription: |\n  # heading\n  text\n"},
		{name: "foot comment", src: "schemaVersion: '0.3'\nmainSteps: []\n# end\n", want: "comment after line"},
		{name: "alias", src: "a: &x [1]\nb: *x\n", want: "the anchor &x on line 1 would be lost"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := YAMLLoss([]byte(c.src))
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrYAMLLoss)
			require.ErrorContains(t, err, c.want)
		})
	}
}

func TestYAMLKeeping(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // substrings of the output, in order
		lost      string   // part of the error when comments cannot be kept
	}{
		{name: "comments by path",
			src:  "mainSteps:\n# stop first\n- name: stop # the step\n  action: aws:changeInstanceState\n  inputs: {DesiredState: stopped, InstanceIds: [i-1]}\n# then sleep\n- {name: nap, action: aws:sleep, inputs: {Duration: PT1S}}\nschemaVersion: '0.3'\n",
			want: []string{"schemaVersion: '0.3'", "# stop first", "- name: stop # the step", "# then sleep", "- name: nap"}},
		{name: "file header", src: "# Restarts an instance.\n\nschemaVersion: '0.3'\nmainSteps: []\n", want: []string{"# Restarts an instance.", "schemaVersion: '0.3'"}},
		{name: "header on a moved key", src: "# Restarts an instance.\nmainSteps: []\nschemaVersion: '0.3'\n", want: []string{"# Restarts an instance.\nschemaVersion: '0.3'\nmainSteps: []"}},
		{name: "parameter comment", src: "schemaVersion: '0.3'\nparameters:\n  Id: # the instance\n    type: String\nmainSteps: []\n", want: []string{"Id: # the instance"}},
		{name: "comment on a dropped key", src: "schemaVersion: '0.3'\n# nothing yet\noutputs:\nmainSteps: []\n", lost: "nothing yet"},
		{name: "anchor", src: "schemaVersion: '0.3'\nmainSteps: &s []\n", lost: "anchor &s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := mustParse(t, c.src)
			out, err := doc.YAMLKeeping([]byte(c.src))
			if c.lost != "" {
				require.ErrorIs(t, err, ErrYAMLLoss)
				require.ErrorContains(t, err, c.lost)
				return
			}
			require.NoError(t, err)
			rest := string(out)
			for _, w := range c.want {
				i := strings.Index(rest, w)
				require.GreaterOrEqual(t, i, 0, "want %q after the previous parts in:\n%s", w, out)
				rest = rest[i+len(w):]
			}
			again, err := doc.YAMLKeeping(out)
			require.NoError(t, err)
			require.Equal(t, string(out), string(again), "formatting twice changes nothing")
		})
	}
}
