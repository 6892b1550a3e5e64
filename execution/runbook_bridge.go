package execution

import (
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// declarations reads what a start needs from a runbook's parameters.
func declarations(doc *runbook.Document) []paramDecl {
	out := make([]paramDecl, 0, len(doc.Parameters))
	for _, p := range doc.Parameters {
		d := paramDecl{
			Name:           p.Name,
			Type:           string(p.Type),
			List:           p.Type.IsList(),
			Required:       p.Required(),
			AllowedPattern: p.AllowedPattern,
			MinItems:       p.MinItems,
			MaxItems:       p.MaxItems,
			MinChars:       p.MinChars,
			MaxChars:       p.MaxChars,
		}
		for _, v := range p.AllowedValues {
			if s, ok := v.AsString(); ok {
				d.AllowedValues = append(d.AllowedValues, s)
			} else {
				// Numbers and booleans arrive as their text on the wire.
				d.AllowedValues = append(d.AllowedValues, string(v.JSON()))
			}
		}
		out = append(out, d)
	}
	return out
}
