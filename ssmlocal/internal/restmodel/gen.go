//go:build ignore

// gen compacts the routing data of botocore's REST-protocol service models
// (rest-json and rest-xml) into routes.json.gz: per operation its HTTP
// method, request URI template, success code and the members bound to the
// URI, query string, headers and payload. Run it with the botocore data
// directory:
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

type binding struct {
	Member   string `json:"m"`
	Location string `json:"l"`
	Name     string `json:"n,omitempty"`
}

type operation struct {
	Name    string    `json:"n"`
	Method  string    `json:"m"`
	URI     string    `json:"u"`
	Code    int       `json:"c,omitempty"`
	In      []binding `json:"i,omitempty"`
	Payload string    `json:"p,omitempty"`
	InRaw   bool      `json:"pr,omitempty"`
	Out     []binding `json:"o,omitempty"`
	OutBody string    `json:"op,omitempty"`
	OutRaw  bool      `json:"or,omitempty"`
	Root    string    `json:"r,omitempty"`
	// InShape and OutShape are the shapes of the XML bodies of a
	// rest-xml operation.
	InShape  string `json:"is,omitempty"`
	OutShape string `json:"os,omitempty"`
}

type service struct {
	Name       string                        `json:"s"`
	Protocol   string                        `json:"p"`
	Operations []*operation                  `json:"ops"`
	Shapes     map[string]*botocore.XMLShape `json:"shapes,omitempty"`
}

type file struct {
	botocore.Header
	Services map[string][]*service `json:"services"`
}

func main() {
	g, err := botocore.NewGenerator(os.Args[1:], "routes.json.gz", "data/<service>/<version>/service-2.json")
	if err != nil {
		log.Fatal(err)
	}
	f := file{Header: g.Header, Services: map[string][]*service{}}
	err = g.Each(func(svc botocore.Service, m *botocore.Model) error {
		proto := m.Metadata.Protocol
		if proto != "rest-json" && proto != "rest-xml" {
			return nil
		}
		s := &service{Name: svc.Name, Protocol: proto}
		for name, op := range m.Operations {
			o := route(m, name, op)
			if proto == "rest-xml" {
				if s.Shapes == nil {
					s.Shapes = map[string]*botocore.XMLShape{}
				}
				o.InShape, o.OutShape = bodyShape(m, op.Input, o.Payload, o.InRaw), bodyShape(m, op.Output, o.OutBody, o.OutRaw)
				for _, n := range []string{o.InShape, o.OutShape} {
					if n != "" {
						m.ReachXML(s.Shapes, n)
					}
				}
			}
			s.Operations = append(s.Operations, o)
		}
		slices.SortFunc(s.Operations, func(a, b *operation) int { return strings.Compare(a.Name, b.Name) })
		sign := m.Metadata.Signing()
		f.Services[sign] = append(f.Services[sign], s)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := botocore.WriteGzipJSON(g.Out, f); err != nil {
		log.Fatal(err)
	}
}

// route is an operation's routing data: its HTTP binding, the input
// members bound outside the body, and how the output is written.
func route(m *botocore.Model, name string, op botocore.Operation) *operation {
	o := &operation{Name: name, Method: op.HTTP.Method, URI: op.HTTP.RequestURI}
	if c := op.HTTP.ResponseCode; c != 0 && c != 200 {
		o.Code = c
	}
	if op.Input != nil {
		in := m.Shapes[op.Input.Shape]
		o.In = bindings(in, "uri", "querystring", "header", "headers")
		if p := in.Payload; p != "" {
			o.Payload = p
			t := m.Shapes[in.Members[p].Shape]
			o.InRaw = t.Type == "blob" || t.Type == "string"
		}
	}
	if op.Output != nil {
		outShape := m.Shapes[op.Output.Shape]
		o.Out = bindings(outShape, "header", "headers", "statusCode")
		o.Root = outShape.LocationName
		if p := outShape.Payload; p != "" {
			o.OutBody = p
			t := m.Shapes[outShape.Members[p].Shape]
			o.OutRaw = t.Type == "blob" || t.Type == "string"
			if o.Root == "" && !o.OutRaw {
				o.Root = outShape.Members[p].LocationName
				if o.Root == "" {
					o.Root = t.LocationName
				}
				if o.Root == "" {
					o.Root = outShape.Members[p].Shape
				}
			}
		}
	}
	return o
}

func bindings(s botocore.Shape, locations ...string) []binding {
	var out []binding
	for name, m := range s.Members {
		if slices.Contains(locations, m.Location) {
			b := binding{Member: name, Location: m.Location}
			if m.LocationName != name {
				b.Name = m.LocationName
			}
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b binding) int { return strings.Compare(a.Member, b.Member) })
	return out
}

// bodyShape is the shape of an XML body: the payload member's, or the
// input or output shape itself; none for a raw payload.
func bodyShape(m *botocore.Model, r *botocore.Ref, payload string, raw bool) string {
	if r == nil || raw {
		return ""
	}
	if payload != "" {
		return m.Shapes[r.Shape].Members[payload].Shape
	}
	return r.Shape
}
