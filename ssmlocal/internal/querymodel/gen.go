//go:build ignore

// gen compacts the response shapes of botocore's query-protocol service
// models into shapes.json.gz: per operation its result wrapper and output
// shape, and the structures, lists and maps reachable from the outputs
// with their XML names. Run it with the botocore data directory:
//
//	go run gen.go -data "$(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data"
package main

import (
	"log"
	"os"
	"slices"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/botocore"
)

type operation struct {
	Wrapper string `json:"w,omitempty"`
	Output  string `json:"o,omitempty"`
}

type service struct {
	Name       string                        `json:"s"`
	Version    string                        `json:"v"`
	Operations map[string]operation          `json:"ops"`
	Shapes     map[string]*botocore.XMLShape `json:"shapes"`
}

type file struct {
	botocore.Header
	Services map[string][]*service `json:"services"`
}

func main() {
	g, err := botocore.NewGenerator(os.Args[1:], "shapes.json.gz", "data/<service>/<version>/service-2.json")
	if err != nil {
		log.Fatal(err)
	}
	f := file{Header: g.Header, Services: map[string][]*service{}}
	err = g.Each(func(svc botocore.Service, m *botocore.Model) error {
		if m.Metadata.Protocol != "query" {
			return nil
		}
		s := &service{Name: svc.Name, Version: m.Metadata.APIVersion, Operations: map[string]operation{}, Shapes: map[string]*botocore.XMLShape{}}
		for name, op := range m.Operations {
			o := operation{}
			if op.Output != nil {
				o.Output = op.Output.Shape
				o.Wrapper = op.Output.ResultWrapper
				if o.Wrapper == "" {
					o.Wrapper = m.Shapes[o.Output].ResultWrapper
				}
				m.ReachXML(s.Shapes, o.Output)
			}
			s.Operations[name] = o
		}
		sign := m.Metadata.Signing()
		f.Services[sign] = append(f.Services[sign], s)
		return nil
	})
	if err != nil {
		log.Fatal(err)
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
	if err := botocore.WriteGzipJSON(g.Out, f); err != nil {
		log.Fatal(err)
	}
}
