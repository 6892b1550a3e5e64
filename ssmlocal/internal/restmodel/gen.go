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
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
}

type service struct {
	Name       string       `json:"s"`
	Protocol   string       `json:"p"`
	Operations []*operation `json:"ops"`
}

type file struct {
	Source   string                `json:"source"`
	Version  string                `json:"version"`
	License  string                `json:"license"`
	Services map[string][]*service `json:"services"`
}

type shape struct {
	Type         string            `json:"type"`
	Payload      string            `json:"payload"`
	LocationName string            `json:"locationName"`
	Members      map[string]member `json:"members"`
}

type member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

type model struct {
	Metadata struct {
		Protocol    string   `json:"protocol"`
		Protocols   []string `json:"protocols"`
		SigningName string   `json:"signingName"`
		Endpoint    string   `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method       string `json:"method"`
			RequestURI   string `json:"requestUri"`
			ResponseCode int    `json:"responseCode"`
		} `json:"http"`
		Input  *struct{ Shape string } `json:"input"`
		Output *struct{ Shape string } `json:"output"`
	} `json:"operations"`
	Shapes map[string]shape `json:"shapes"`
}

func main() {
	data := flag.String("data", "", "botocore data directory")
	out := flag.String("out", "routes.json.gz", "output file")
	flag.Parse()
	if *data == "" {
		log.Fatal("gen: -data is required")
	}
	version := botocoreVersion(*data)
	f := file{
		Source:   "botocore " + version + " (https://github.com/boto/botocore), data/<service>/<version>/service-2.json",
		Version:  version,
		License:  "Apache-2.0; Copyright Amazon.com, Inc. or its affiliates",
		Services: map[string][]*service{},
	}
	entries, err := os.ReadDir(*data)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		versions, err := os.ReadDir(filepath.Join(*data, e.Name()))
		if err != nil {
			log.Fatal(err)
		}
		var newest string
		for _, v := range versions {
			if v.IsDir() && exists(filepath.Join(*data, e.Name(), v.Name(), "service-2.json")) && v.Name() > newest {
				newest = v.Name()
			}
		}
		if newest == "" {
			continue
		}
		var m model
		readJSON(filepath.Join(*data, e.Name(), newest, "service-2.json"), &m)
		proto := m.Metadata.Protocol
		if proto != "rest-json" && proto != "rest-xml" {
			continue
		}
		s := &service{Name: e.Name(), Protocol: proto}
		for name, op := range m.Operations {
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
			s.Operations = append(s.Operations, o)
		}
		slices.SortFunc(s.Operations, func(a, b *operation) int { return strings.Compare(a.Name, b.Name) })
		sign := m.Metadata.SigningName
		if sign == "" {
			sign = m.Metadata.Endpoint
		}
		f.Services[sign] = append(f.Services[sign], s)
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	enc := json.NewEncoder(zw)
	if err := enc.Encode(f); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func bindings(s shape, locations ...string) []binding {
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

func botocoreVersion(data string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(data), "__init__.py"))
	if err != nil {
		log.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "__version__ = "); ok {
			return strings.Trim(v, `'"`)
		}
	}
	log.Fatal("gen: no botocore version")
	return ""
}

func exists(p string) bool {
	_, err := os.Stat(p)
	if err != nil {
		_, err = os.Stat(p + ".gz")
	}
	return err == nil
}

func readJSON(p string, v any) {
	var r io.Reader
	f, err := os.Open(p)
	if err == nil {
		defer f.Close()
		r = f
	} else {
		g, err := os.Open(p + ".gz")
		if err != nil {
			log.Fatal(err)
		}
		defer g.Close()
		zr, err := gzip.NewReader(g)
		if err != nil {
			log.Fatal(err)
		}
		r = zr
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		log.Fatalf("%s: %v", p, err)
	}
}
