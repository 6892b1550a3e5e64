package runbook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// ParseYAML decodes a YAML document.
func ParseYAML(data []byte) (*Document, error) {
	data, err := stripBOM(data)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &ParseError{Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if root.Kind == 0 {
		return nil, &ParseError{Msg: "empty document"}
	}
	var b bytes.Buffer
	if err := yamlToJSON(&b, &root, "", 0); err != nil {
		return nil, err
	}
	d, err := decodeDocument(b.Bytes())
	var pe *ParseError
	if errors.As(err, &pe) && pe.Line == 0 {
		// Structural errors name a wire path; find its line in the source.
		c := *pe
		c.Line = lineOfPath(&root, pe.Path)
		return nil, &c
	}
	return d, err
}

// lineOfPath returns the line of the node at a wire path such as
// mainSteps[1].inputs.Duration, or of its nearest existing ancestor.
func lineOfPath(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for path != "" && n != nil {
		var key string
		idx := -1
		switch {
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return line
			}
			i, err := strconv.Atoi(path[1:end])
			if err != nil {
				return line
			}
			idx, path = i, path[end+1:]
		default:
			path = strings.TrimPrefix(path, ".")
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			key, path = path[:end], path[end:]
		}
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil {
			return line
		}
		var next *yaml.Node
		switch {
		case idx >= 0 && n.Kind == yaml.SequenceNode && idx < len(n.Content):
			next = n.Content[idx]
		case idx < 0 && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
		line = n.Line
	}
	return line
}

const maxYAMLExpansion = 4 << 20

// yamlToJSON converts a YAML node to JSON, keeping mapping order.
func yamlToJSON(b *bytes.Buffer, n *yaml.Node, path string, depth int) error {
	if depth > 200 {
		return &ParseError{Path: path, Line: n.Line, Msg: "nesting too deep"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return yamlToJSON(b, n.Content[0], path, depth+1)
	case yaml.AliasNode:
		// Aliases can expand exponentially ("billion laughs"); runbooks
		// are at most 64 KB, so a far larger expansion is an attack.
		if b.Len() > maxYAMLExpansion {
			return &ParseError{Path: path, Line: n.Line, Msg: "YAML aliases expand beyond 4 MiB"}
		}
		return yamlToJSON(b, n.Alias, path, depth+1)
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := yamlToJSON(b, c, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.MappingNode:
		b.WriteByte('{')
		seen := map[string]int{} // key → line
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return &ParseError{Path: path, Line: k.Line, Msg: "mapping keys must be scalars"}
			}
			if k.Tag == "!!merge" {
				return &ParseError{Path: path, Line: k.Line, Msg: "merge keys (<<) are not supported in runbooks"}
			}
			if first, dup := seen[k.Value]; dup {
				return &ParseError{Path: join(path, k.Value), Line: k.Line,
					Msg: fmt.Sprintf("duplicate key %q on lines %d and %d", k.Value, first, k.Line)}
			}
			seen[k.Value] = k.Line
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(mustMarshal(k.Value))
			b.WriteByte(':')
			if err := yamlToJSON(b, v, join(path, k.Value), depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.ScalarNode:
		return scalarToJSON(b, n, path)
	}
	return &ParseError{Path: path, Line: n.Line, Msg: "unsupported YAML node"}
}

func scalarToJSON(b *bytes.Buffer, n *yaml.Node, path string) error {
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return &ParseError{Path: path, Line: n.Line, Msg: err.Error()}
		}
		b.WriteString(strconv.FormatBool(v))
	case "!!int":
		var v int64
		if err := n.Decode(&v); err != nil {
			return &ParseError{Path: path, Line: n.Line, Msg: "integer out of range: " + n.Value}
		}
		b.WriteString(strconv.FormatInt(v, 10))
	case "!!float":
		if json.Valid([]byte(n.Value)) && kindOf([]byte(n.Value)) == KindNumber {
			b.WriteString(n.Value)
			return nil
		}
		var v float64
		if err := n.Decode(&v); err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return &ParseError{Path: path, Line: n.Line, Msg: fmt.Sprintf("number %q has no JSON form", n.Value)}
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	default: // !!str, !!timestamp, !!binary and custom tags keep their text
		b.Write(mustMarshal(n.Value))
	}
	return nil
}

// YAML returns the document as YAML in the canonical key order. schemaVersion
// and every string that looks like another type are quoted.
func (d *Document) YAML() ([]byte, error) {
	n, err := jsonToYAML(d.CompactJSON())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("runbook: encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("runbook: encode yaml: %w", err)
	}
	return b.Bytes(), nil
}

func jsonToYAML(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return jsonNode(dec)
}

func jsonNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("runbook: encode yaml: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := jsonNode(dec)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, strNode(k), v)
			}
			_, err := dec.Token()
			return n, err
		}
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for dec.More() {
			v, err := jsonNode(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		_, err := dec.Token()
		return n, err
	case string:
		return strNode(t), nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("runbook: encode yaml: unexpected token %v", tok)
}

func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n") && literalSafe(s):
		n.Style = yaml.LiteralStyle
	case looksNonString(s):
		// '0.3', 'true', '10': single quotes, as AWS writes schemaVersion.
		n.Style = yaml.SingleQuotedStyle
	}
	return n
}

// looksNonString reports whether s, written plain, would read back as a
// number, boolean or null.
func looksNonString(s string) bool {
	switch strings.ToLower(s) {
	case "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf", ".nan":
		return true
	}
	if s[0] != '-' && s[0] != '+' && s[0] != '.' && (s[0] < '0' || s[0] > '9') {
		return false
	}
	_, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err == nil {
		return true
	}
	_, err = strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	return err == nil
}

// literalSafe reports whether a multi-line string survives a literal block:
// no trailing blanks on lines, no leading blank line, no control characters.
func literalSafe(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") || strings.HasSuffix(line, "\r") {
			return false
		}
	}
	if strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\n") {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

// ErrYAMLLoss is matched by the errors of [YAMLLoss] and
// [Document.YAMLKeeping]: encoding the document again would drop a
// comment or expand an anchor.
var ErrYAMLLoss = errors.New("runbook: re-encoding loses YAML text")

// YAMLLoss reports what encoding YAML source again with [Document.YAML]
// would lose: comments, which the model does not hold, and anchors and
// aliases, which encoding expands. It returns nil when data is not YAML
// or loses nothing, and otherwise an error matching [ErrYAMLLoss] that
// names the first line.
func YAMLLoss(data []byte) error {
	data, err := stripBOM(data)
	if err != nil || DetectFormat(data) != YAML {
		return nil
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return nil // Parse reports the syntax error
	}
	return lossIn(&root, true)
}

// lossIn returns the first anchor or alias under n, and the first comment
// when comments is set.
func lossIn(n *yaml.Node, comments bool) error {
	var found error
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if found != nil || n == nil || depth > 200 {
			return
		}
		switch {
		case comments && n.HeadComment != "":
			found = fmt.Errorf("%w: the comment before line %d would be lost", ErrYAMLLoss, n.Line)
		case comments && n.LineComment != "":
			found = fmt.Errorf("%w: the comment on line %d would be lost", ErrYAMLLoss, n.Line)
		case comments && n.FootComment != "":
			found = fmt.Errorf("%w: the comment after line %d would be lost", ErrYAMLLoss, n.Line)
		case n.Kind == yaml.AliasNode:
			found = fmt.Errorf("%w: the alias *%s on line %d would be expanded", ErrYAMLLoss, n.Value, n.Line)
		case n.Anchor != "":
			found = fmt.Errorf("%w: the anchor &%s on line %d would be lost", ErrYAMLLoss, n.Anchor, n.Line)
		}
		if n.Kind != yaml.AliasNode {
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
	}
	walk(n, 0)
	return found
}

// YAMLKeeping encodes the document as [Document.YAML] does and carries
// over the comments of src, the YAML it was parsed from, to the keys and
// items at the same paths. It fails with an error matching [ErrYAMLLoss]
// when src holds anchors or aliases, or a comment that finds no place in
// the output (its key was dropped); the output is checked to read back as
// the same document with every comment line of src.
func (d *Document) YAMLKeeping(src []byte) ([]byte, error) {
	src, err := stripBOM(src)
	if err != nil {
		return nil, err
	}
	var from yaml.Node
	if err := yaml.Unmarshal(src, &from); err != nil {
		return nil, &ParseError{Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if err := lossIn(&from, false); err != nil {
		return nil, err
	}
	body, err := jsonToYAML(d.CompactJSON())
	if err != nil {
		return nil, err
	}
	to := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{body}}
	carryComments(&from, to, 0)
	// The comment above the first key heads the file: keep it first
	// though canonical order moves that key.
	if len(from.Content) == 1 && from.Content[0].Kind == yaml.MappingNode && len(from.Content[0].Content) > 0 &&
		body.Kind == yaml.MappingNode && len(body.Content) > 0 {
		head := from.Content[0].Content[0]
		for j := 0; j < len(body.Content); j += 2 {
			if k := body.Content[j]; j > 0 && k.Value == head.Value && k.HeadComment == head.HeadComment && head.HeadComment != "" {
				first := body.Content[0]
				first.HeadComment = strings.TrimSuffix(k.HeadComment+"\n"+first.HeadComment, "\n")
				k.HeadComment = ""
				break
			}
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(to); err != nil {
		return nil, fmt.Errorf("runbook: encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("runbook: encode yaml: %w", err)
	}
	out := b.Bytes()
	again, err := ParseYAML(out)
	if err != nil || !bytes.Equal(again.CompactJSON(), d.CompactJSON()) {
		return nil, fmt.Errorf("%w: the comments cannot be placed without changing the document", ErrYAMLLoss)
	}
	var back yaml.Node
	if err := yaml.Unmarshal(out, &back); err != nil {
		return nil, fmt.Errorf("runbook: encode yaml: %w", err)
	}
	want, got := commentLines(&from), commentLines(&back)
	for line, n := range want {
		if got[line] < n {
			return nil, fmt.Errorf("%w: the comment %q has no place in the formatted runbook", ErrYAMLLoss, field.Truncate(line, 60))
		}
	}
	return out, nil
}

// carryComments copies the comments of src to dst and, matching mapping
// keys by name and sequence items by index, to their descendants.
func carryComments(src, dst *yaml.Node, depth int) {
	if depth > 200 {
		return
	}
	dst.HeadComment, dst.LineComment, dst.FootComment = src.HeadComment, src.LineComment, src.FootComment
	switch {
	case src.Kind == yaml.DocumentNode && dst.Kind == yaml.DocumentNode,
		src.Kind == yaml.SequenceNode && dst.Kind == yaml.SequenceNode:
		for i := 0; i < len(src.Content) && i < len(dst.Content); i++ {
			carryComments(src.Content[i], dst.Content[i], depth+1)
		}
	case src.Kind == yaml.MappingNode && dst.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(src.Content); i += 2 {
			for j := 0; j+1 < len(dst.Content); j += 2 {
				if dst.Content[j].Value == src.Content[i].Value {
					k, v := dst.Content[j], dst.Content[j+1]
					carryComments(src.Content[i], k, depth+1)
					carryComments(src.Content[i+1], v, depth+1)
					if v.Kind != yaml.ScalarNode && v.LineComment != "" && k.LineComment == "" {
						// A comment after a flow collection that is now
						// written as a block goes after its key.
						k.LineComment, v.LineComment = v.LineComment, ""
					}
					break
				}
			}
		}
	}
}

// commentLines counts each comment line under n. It walks the whole tree,
// with no depth cut-off of its own: a comment below the level that
// carryComments reaches must be counted, so that YAMLKeeping fails rather
// than drop it. The YAML decoder already bounds how deep a tree can be.
func commentLines(n *yaml.Node) map[string]int {
	out := map[string]int{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, line := range strings.Split(c, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					out[line]++
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return out
}
