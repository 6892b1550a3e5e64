//go:build ignore

// gen compacts the response shapes of botocore's query-protocol service
// models into shapes.json.gz: per operation its result wrapper and output
// shape, and the structures, lists and maps reachable from the outputs
// with their XML names. Run it with the botocore data directory:
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

type member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
	Flattened    bool   `json:"flattened"`
}

type shape struct {
	Type          string            `json:"type"`
	LocationName  string            `json:"locationName"`
	Flattened     bool              `json:"flattened"`
	ResultWrapper string            `json:"resultWrapper"`
	Members       map[string]member `json:"members"`
	Member        *member           `json:"member"`
	Key           *member           `json:"key"`
	Value         *member           `json:"value"`
}

type model struct {
	Metadata struct {
		Protocol    string `json:"protocol"`
		APIVersion  string `json:"apiVersion"`
		SigningName string `json:"signingName"`
		Endpoint    string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		Output *struct {
			Shape         string `json:"shape"`
			ResultWrapper string `json:"resultWrapper"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]shape `json:"shapes"`
}

func main() {
	data := flag.String("data", "", "botocore data directory")
	out := flag.String("out", "shapes.json.gz", "output file")
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
		if m.Metadata.Protocol != "query" {
			continue
		}
		s := &service{Name: e.Name(), Version: m.Metadata.APIVersion, Operations: map[string]operation{}, Shapes: map[string]*outShape{}}
		for name, op := range m.Operations {
			o := operation{}
			if op.Output != nil {
				o.Output = op.Output.Shape
				o.Wrapper = op.Output.ResultWrapper
				if o.Wrapper == "" {
					o.Wrapper = m.Shapes[o.Output].ResultWrapper
				}
				reach(&m, s.Shapes, o.Output)
			}
			s.Operations[name] = o
		}
		sign := m.Metadata.SigningName
		if sign == "" {
			sign = m.Metadata.Endpoint
		}
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
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.NewEncoder(zw).Encode(f); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// reach adds the structures, lists and maps reachable from name; scalars
// are left out.
func reach(m *model, out map[string]*outShape, name string) {
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
func resolve(m *model, name string, mem member) ref {
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
