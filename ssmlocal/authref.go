package ssmlocal

import "reflect"

// authOnRef is authOnInput for a target that reads a few members several
// operations share (UserName, PolicyArn, Tags, ...) into a struct of its
// own rather than one operation's input. Each member is decoded on its
// own: one of the wrong type, or one the operation does not have, is left
// zero without blanking the others, since the handler, which does not read
// a member it does not have, would not refuse the request for it, and the
// decision must rest on the members the handler acts on.
func authOnRef[Ref any](action string, targets func(s *Server, c *call, in *Ref) []authTarget) authSpec {
	return authOn(action, func(s *Server, c *call, shape map[string]any) []authTarget {
		ref := new(Ref)
		decodeEach(shape, reflect.ValueOf(ref).Elem())
		return targets(s, c, ref)
	})
}

// decodeEach sets each field of the struct v that the shape has a member
// of the right type for.
func decodeEach(shape map[string]any, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		raw, ok := shape[f.Name]
		if !f.IsExported() || !ok || raw == nil {
			continue
		}
		fv := reflect.New(f.Type).Elem()
		if decodeMember(f.Name, raw, fv) == nil {
			v.Field(i).Set(fv)
		}
	}
}
