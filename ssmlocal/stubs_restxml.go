package ssmlocal

import (
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/querymodel"
)

// maxRESTXMLShapeDepth bounds the nesting the shaped XML reader follows;
// decodeRESTXML's documents are no deeper.
const maxRESTXMLShapeDepth = maxRESTXMLDepth + 1

// shapeRESTXML rewrites a rest-xml body parsed by decodeRESTXML as the
// operation's input shape says: members found under their XML names, a
// list a service wraps (<Changes><Change>...</Change></Changes>) or
// flattens into a list, even of one item or none, and a map's entries
// into a map. Elements the shape does not know are kept as parsed.
func shapeRESTXML(svc *querymodel.Service, shape string, v any, depth int) any {
	sh := svc.Shape(shape)
	if sh == nil || depth > maxRESTXMLShapeDepth {
		return v
	}
	switch sh.Type {
	case querymodel.Structure:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = x
		}
		for i := range sh.Members {
			ref := &sh.Members[i]
			el := ref.Element(ref.Name)
			x, ok := m[el]
			if !ok {
				continue
			}
			delete(out, el)
			out[ref.Name] = shapeRESTXMLMember(svc, ref, x, depth+1)
		}
		return out
	case querymodel.List:
		if sh.Item == nil {
			return v
		}
		// The wrapper's content: its items under their element name.
		items := []any{}
		if m, ok := v.(map[string]any); ok {
			items = asList(m[sh.Item.Element("member")])
		}
		return shapeRESTXMLItems(svc, sh.Item.Shape, items, depth)
	case querymodel.Map:
		if sh.Key == nil || sh.Value == nil {
			return v
		}
		out := map[string]any{}
		if m, ok := v.(map[string]any); ok {
			addRESTXMLEntries(svc, sh, asList(m["entry"]), out, depth)
		}
		return out
	}
	return v
}

// shapeRESTXMLMember reads one structure member: a flattened list's or
// map's repeated elements, or the member's single element.
func shapeRESTXMLMember(svc *querymodel.Service, ref *querymodel.Ref, v any, depth int) any {
	if sh := svc.Shape(ref.Shape); ref.Flat && sh != nil {
		switch {
		case sh.Type == querymodel.List && sh.Item != nil:
			return shapeRESTXMLItems(svc, sh.Item.Shape, asList(v), depth)
		case sh.Type == querymodel.Map && sh.Key != nil && sh.Value != nil:
			out := map[string]any{}
			addRESTXMLEntries(svc, sh, asList(v), out, depth)
			return out
		}
	}
	return shapeRESTXML(svc, ref.Shape, v, depth)
}

func shapeRESTXMLItems(svc *querymodel.Service, shape string, items []any, depth int) []any {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = shapeRESTXML(svc, shape, it, depth+1)
	}
	return out
}

// addRESTXMLEntries adds map entries, each a key element and a value
// element, to out; an entry without a text key is skipped.
func addRESTXMLEntries(svc *querymodel.Service, sh *querymodel.Shape, entries []any, out map[string]any, depth int) {
	kn, vn := sh.Key.Element("key"), sh.Value.Element("value")
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		k, ok := m[kn].(string)
		if !ok {
			continue
		}
		out[k] = shapeRESTXML(svc, sh.Value.Shape, m[vn], depth+1)
	}
}

// asList is a repeated element's values as a list: decodeRESTXML gives
// one element as its value and several as a list; an absent or empty
// element gives none.
func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return []any{}
	case []any:
		return x
	case string:
		if x == "" {
			return []any{}
		}
	}
	return []any{v}
}
