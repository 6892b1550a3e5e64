package runbook

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestYAMLLossDepth checks that the walk for anchors stops exactly below
// level 200, as the parser does.
func TestYAMLLossDepth(t *testing.T) {
	// The scalar inside depth nested lists under key a is level depth+2.
	src := func(depth int) []byte {
		return []byte("a: " + strings.Repeat("[", depth) + "&x 1" + strings.Repeat("]", depth) + "\n")
	}
	err := YAMLLoss(src(198))
	require.ErrorIs(t, err, ErrYAMLLoss)
	assert.ErrorContains(t, err, "the anchor &x on line 1 would be lost")
	assert.NoError(t, YAMLLoss(src(199)))
}

// TestYAMLLossKinds checks each kind of loss YAMLLoss names, and the inputs
// it leaves to Parse.
func TestYAMLLossKinds(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{name: "head comment", src: "schemaVersion: '0.3'\n# steps\nmainSteps: []\n", want: "the comment before line 3 would be lost"},
		{name: "line comment", src: "schemaVersion: '0.3'\nmainSteps: [] # none\n", want: "the comment on line 2 would be lost"},
		{name: "nested anchor", src: "schemaVersion: '0.3'\nmainSteps:\n- &s {name: a, action: aws:sleep}\n", want: "the anchor &s on line 3 would be lost"},
		{name: "UTF-16", src: "\xff\xfe# c\n"},
		{name: "invalid YAML", src: "# c\na: [\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := YAMLLoss([]byte(c.src))
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrYAMLLoss)
			assert.ErrorContains(t, err, c.want)
		})
	}
}

// TestYAMLKeepingExact checks the exact output of YAMLKeeping where the
// comments of the source must move or where source and document differ.
func TestYAMLKeepingExact(t *testing.T) {
	cases := []struct {
		name string
		doc  string // the document; src when empty
		src  string
		want string
		lost string
	}{
		{name: "comment above the first key that stays first",
			src:  "# top\nschemaVersion: '0.3'\nmainSteps: []\n",
			want: "# top\nschemaVersion: '0.3'\nmainSteps: []\n"},
		{name: "comment after a flow mapping goes after its key",
			src:  "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs: {Duration: PT1S} # wait\n",
			want: "schemaVersion: '0.3'\nmainSteps:\n  - name: a\n    action: aws:sleep\n    inputs: # wait\n      Duration: PT1S\n"},
		{name: "source with fewer steps than the document",
			doc:  "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n- name: b\n  action: aws:sleep\n  inputs: {Duration: PT2S}\n",
			src:  "schemaVersion: '0.3'\nmainSteps:\n- name: a # first\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n",
			want: "schemaVersion: '0.3'\nmainSteps:\n  - name: a # first\n    action: aws:sleep\n    inputs:\n      Duration: PT1S\n  - name: b\n    action: aws:sleep\n    inputs:\n      Duration: PT2S\n"},
		{name: "source with more steps than the document",
			doc:  "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n",
			src:  "schemaVersion: '0.3'\nmainSteps:\n- name: a # first\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n- name: b\n  action: aws:sleep\n  inputs: {Duration: PT2S}\n",
			want: "schemaVersion: '0.3'\nmainSteps:\n  - name: a # first\n    action: aws:sleep\n    inputs:\n      Duration: PT1S\n"},
		{name: "comment on a step the document lacks",
			doc:  "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n",
			src:  "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs: {Duration: PT1S}\n- name: b # gone\n  action: aws:sleep\n  inputs: {Duration: PT2S}\n",
			lost: `the comment "# gone" has no place`},
		{name: "empty mapping source",
			doc:  "schemaVersion: '0.3'\nmainSteps: []\n",
			src:  "{}\n",
			want: "schemaVersion: '0.3'\nmainSteps: []\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docSrc := c.doc
			if docSrc == "" {
				docSrc = c.src
			}
			doc, err := ParseYAML([]byte(docSrc))
			require.NoError(t, err)
			var out []byte
			require.NotPanics(t, func() { out, err = doc.YAMLKeeping([]byte(c.src)) })
			if c.lost != "" {
				require.ErrorIs(t, err, ErrYAMLLoss)
				assert.ErrorContains(t, err, c.lost)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, string(out))
		})
	}
}

// TestYAMLKeepingDepth checks that comments are carried and counted down
// to level 200, the deepest a runbook may nest.
func TestYAMLKeepingDepth(t *testing.T) {
	t.Run("carried at the deepest level", func(t *testing.T) {
		src := "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:x\n  inputs:\n    X:\n" +
			nestedBlock(6, 195, "v # deep")
		doc, err := ParseYAML([]byte(src))
		require.NoError(t, err)
		out, err := doc.YAMLKeeping([]byte(src))
		require.NoError(t, err)
		assert.Contains(t, string(out), "- v # deep\n")
	})
	t.Run("counted at level 200 of the source", func(t *testing.T) {
		doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps: []\n")
		src := "a:\n" + nestedBlock(2, 198, "v # deep")
		_, err := doc.YAMLKeeping([]byte(src))
		require.ErrorIs(t, err, ErrYAMLLoss)
		assert.ErrorContains(t, err, `the comment "# deep" has no place`)
	})
}

// nestedBlock returns depth block lists nested one per line from column
// indent on, the innermost holding item.
func nestedBlock(indent, depth int, item string) string {
	var b strings.Builder
	for i := 0; i <= depth; i++ {
		b.WriteString(strings.Repeat(" ", indent+2*i))
		if i < depth {
			b.WriteString("-\n")
		}
	}
	b.WriteString(item + "\n")
	return b.String()
}
