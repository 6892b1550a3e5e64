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

// ErrYAMLLoss is matched by [YAMLLoss]'s error: encoding the document
// again would drop a comment or expand an anchor.
var ErrYAMLLoss = errors.New("runbook: re-encoding loses YAML text")

// YAMLLoss reports what re-encoding YAML source would lose: comments,
// which the model does not hold, and anchors and aliases, which encoding
// expands. It returns nil when data is not YAML or loses nothing, and
// otherwise an error matching [ErrYAMLLoss] that names the first line.
func YAMLLoss(data []byte) error {
	data, err := stripBOM(data)
	if err != nil || DetectFormat(data) != YAML {
		return nil
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return nil // Parse reports the syntax error
	}
	var found error
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if found != nil || n == nil || depth > 200 {
			return
		}
		switch {
		case n.HeadComment != "":
			found = fmt.Errorf("%w: the comment before line %d would be lost", ErrYAMLLoss, n.Line)
		case n.LineComment != "":
			found = fmt.Errorf("%w: the comment on line %d would be lost", ErrYAMLLoss, n.Line)
		case n.FootComment != "":
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
	walk(&root, 0)
	return found
}
