//go:build ignore

// gen compacts the response shapes of botocore's query-protocol service
// models into shapes.json.gz: per operation its result wrapper and output
// shape, and the structures, lists and maps reachable from the outputs
// with their XML names. Run it with the botocore data directory:
//
//	go run gen.go -data "$(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data"
package main

import (
	"flag"
	"log"
	"slices"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/botocore"
)

type ref struct {
	Name  string `json:"n,omitempty"`
	Shape string `json:"s"`
	XML   string `json:"x,omitempty"`
	Flat  bool   `json:"f,omitempty"`
}

type outShape struct {
	Type    string `json:"t"`
	Members []ref  `json:"m,omitempty"`
	Item    *ref   `json:"i,omitempty"`
	Key     *ref   `json:"k,omitempty"`
	Value   *ref   `json:"v,omitempty"`
}

type operation struct {
	Wrapper string `json:"w,omitempty"`
	Output  string `json:"o,omitempty"`
}

type service struct {
	Name       string               `json:"s"`
	Version    string               `json:"v"`
	Operations map[string]operation `json:"ops"`
	Shapes     map[string]*outShape `json:"shapes"`
}

type file struct {
	Source   string                `json:"source"`
	Version  string                `json:"version"`
	License  string                `json:"license"`
	Services map[string][]*service `json:"services"`
}

func main() {
	data := flag.String("data", "", "botocore data directory")
	out := flag.String("out", "shapes.json.gz", "output file")
	flag.Parse()
	if *data == "" {
		log.Fatal("gen: -data is required")
	}
	version, err := botocore.Version(*data)
	if err != nil {
		log.Fatal(err)
	}
	f := file{
		Source:   botocore.Source(version, "data/<service>/<version>/service-2.json"),
		Version:  version,
		License:  botocore.License,
		Services: map[string][]*service{},
	}
	services, err := botocore.Services(*data)
	if err != nil {
		log.Fatal(err)
	}
	for _, svc := range services {
		m, err := svc.Read()
		if err != nil {
			log.Fatal(err)
		}
		if m.Metadata.Protocol != "query" {
			continue
		}
		s := &service{Name: svc.Name, Version: m.Metadata.APIVersion, Operations: map[string]operation{}, Shapes: map[string]*outShape{}}
		for name, op := range m.Operations {
			o := operation{}
			if op.Output != nil {
				o.Output = op.Output.Shape
				o.Wrapper = op.Output.ResultWrapper
				if o.Wrapper == "" {
					o.Wrapper = m.Shapes[o.Output].ResultWrapper
				}
				reach(m, s.Shapes, o.Output)
			}
			s.Operations[name] = o
		}
		sign := m.Metadata.Signing()
		f.Services[sign] = append(f.Services[sign], s)
	}
	for sign, ss := range f.Services {
		// The service named as it signs comes first (rds before docdb and
		// neptune), then by name.
		slices.SortFunc(ss, func(a, b *service) int {
			if (a.Name == sign) != (b.Name == sign) {
				if a.Name == sign {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Name, b.Name)
		})
	}
	if err := botocore.WriteGzipJSON(*out, f); err != nil {
		log.Fatal(err)
	}
}

// reach adds the structures, lists and maps reachable from name; scalars
// are left out.
func reach(m *botocore.Model, out map[string]*outShape, name string) {
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
		var o *outShape
		switch s.Type {
		case "structure":
			o = &outShape{Type: "structure"}
			for mn, mem := range s.Members {
				if mem.Location != "" {
					continue
				}
				r := resolve(m, mn, mem)
				o.Members = append(o.Members, r)
				stack = append(stack, r.Shape)
			}
			slices.SortFunc(o.Members, func(a, b ref) int { return strings.Compare(a.Name, b.Name) })
		case "list":
			o = &outShape{Type: "list"}
			if s.Member != nil {
				r := resolve(m, "", *s.Member)
				o.Item = &r
				stack = append(stack, r.Shape)
			}
		case "map":
			o = &outShape{Type: "map"}
			if s.Key != nil && s.Value != nil {
				k, v := resolve(m, "", *s.Key), resolve(m, "", *s.Value)
				o.Key, o.Value = &k, &v
				stack = append(stack, v.Shape)
			}
		default:
			continue
		}
		out[n] = o
	}
}

// resolve merges a member reference with its target shape's traits, the
// reference winning, as the SDKs do.
func resolve(m *botocore.Model, name string, mem botocore.Ref) ref {
	t := m.Shapes[mem.Shape]
	r := ref{Name: name, Shape: mem.Shape, XML: mem.LocationName, Flat: mem.Flattened || t.Flattened}
	if r.XML == "" {
		r.XML = t.LocationName
	}
	if r.XML == name {
		r.XML = ""
	}
	return r
}
