package botocore

import (
	"slices"
	"strings"
)

// XMLRef is a member or item reference with the XML traits the query and
// rest-xml protocols use: the element name where it differs from the
// member's, and whether a list is flattened.
type XMLRef struct {
	Name  string `json:"n,omitempty"`
	Shape string `json:"s"`
	XML   string `json:"x,omitempty"`
	Flat  bool   `json:"f,omitempty"`
}

// XMLShape is a structure, list or map as the XML protocols write it.
type XMLShape struct {
	Type    string   `json:"t"`
	Members []XMLRef `json:"m,omitempty"`
	Item    *XMLRef  `json:"i,omitempty"`
	Key     *XMLRef  `json:"k,omitempty"`
	Value   *XMLRef  `json:"v,omitempty"`
}

// ReachXML adds to out the structures, lists and maps reachable from the
// shape name, with their XML traits. Scalars are left out, and so are
// members bound outside the body (to the URI, query string or headers).
func (m *Model) ReachXML(out map[string]*XMLShape, name string) {
	stack := []string{name}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := out[n]; ok {
			continue
		}
		s, ok := m.Shapes[n]
		if !ok {
			continue
		}
		var o *XMLShape
		switch s.Type {
		case "structure":
			o = &XMLShape{Type: "structure"}
			for mn, mem := range s.Members {
				if mem.Location != "" {
					continue
				}
				r := m.xmlRef(mn, mem)
				o.Members = append(o.Members, r)
				stack = append(stack, r.Shape)
			}
			slices.SortFunc(o.Members, func(a, b XMLRef) int { return strings.Compare(a.Name, b.Name) })
		case "list":
			o = &XMLShape{Type: "list"}
			if s.Member != nil {
				r := m.xmlRef("", *s.Member)
				o.Item = &r
				stack = append(stack, r.Shape)
			}
		case "map":
			o = &XMLShape{Type: "map"}
			if s.Key != nil && s.Value != nil {
				k, v := m.xmlRef("", *s.Key), m.xmlRef("", *s.Value)
				o.Key, o.Value = &k, &v
				stack = append(stack, v.Shape)
			}
		default:
			continue
		}
		out[n] = o
	}
}

// xmlRef merges a member reference with its target shape's traits, the
// reference winning, as the SDKs do.
func (m *Model) xmlRef(name string, mem Ref) XMLRef {
	t := m.Shapes[mem.Shape]
	r := XMLRef{Name: name, Shape: mem.Shape, XML: mem.LocationName, Flat: mem.Flattened || t.Flattened}
	if r.XML == "" {
		r.XML = t.LocationName
	}
	if r.XML == name {
		r.XML = ""
	}
	return r
}
