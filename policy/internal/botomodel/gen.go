//go:build ignore

// gen compacts the botocore service models into models.json.gz: for every
// service (boto3 client name, newest API version) its operation names and
// its waiters with the operation each one polls. Run it with the botocore
// data directory:
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

type service struct {
	Operations []string          `json:"o"`
	Waiters    map[string]string `json:"w,omitempty"`
}

type file struct {
	Source   string              `json:"source"`
	Version  string              `json:"version"`
	License  string              `json:"license"`
	Services map[string]*service `json:"services"`
}

func main() {
	data := flag.String("data", "", "botocore data directory")
	out := flag.String("out", "models.json.gz", "output file")
	flag.Parse()
	if *data == "" {
		log.Fatal("gen: -data is required")
	}
	version := botocoreVersion(*data)
	f := file{
		Source:   "botocore " + version + " (https://github.com/boto/botocore), data/<service>/<version>/service-2.json and waiters-2.json",
		Version:  version,
		License:  "Apache-2.0; Copyright Amazon.com, Inc. or its affiliates",
		Services: map[string]*service{},
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
		dir := filepath.Join(*data, e.Name(), newest)
		var model struct {
			Operations map[string]json.RawMessage `json:"operations"`
		}
		readJSON(filepath.Join(dir, "service-2.json"), &model)
		s := &service{}
		for op := range model.Operations {
			s.Operations = append(s.Operations, op)
		}
		slices.Sort(s.Operations)
		if exists(filepath.Join(dir, "waiters-2.json")) {
			var w struct {
				Waiters map[string]struct {
					Operation string `json:"operation"`
				} `json:"waiters"`
			}
			readJSON(filepath.Join(dir, "waiters-2.json"), &w)
			if len(w.Waiters) > 0 {
				s.Waiters = map[string]string{}
				for name, def := range w.Waiters {
					s.Waiters[name] = def.Operation
				}
			}
		}
		f.Services[e.Name()] = s
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(f); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// exists reports whether path or path.gz exists.
func exists(path string) bool {
	for _, p := range []string{path, path + ".gz"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

func readJSON(path string, v any) {
	var r io.Reader
	if fh, err := os.Open(path); err == nil {
		defer fh.Close()
		r = fh
	} else {
		fh, err := os.Open(path + ".gz")
		if err != nil {
			log.Fatal(err)
		}
		defer fh.Close()
		zr, err := gzip.NewReader(fh)
		if err != nil {
			log.Fatal(err)
		}
		r = zr
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}

// botocoreVersion reads __version__ from the package beside data.
func botocoreVersion(data string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Clean(data)), "__init__.py"))
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "__version__ = "); ok {
			return strings.Trim(v, `'" `)
		}
	}
	log.Fatal("gen: botocore version not found")
	return ""
}
