package botocore

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// License is the licence line the generated files record.
const License = "Apache-2.0; Copyright Amazon.com, Inc. or its affiliates"

// ErrNoVersion is returned when botocore's version cannot be found.
var ErrNoVersion = errors.New("botocore: no __version__ beside the data directory")

// ErrNoData is returned when a generator is not given -data.
var ErrNoData = errors.New("botocore: -data, the botocore data directory, is required")

// Model is the part of a service-2.json the generators use.
type Model struct {
	Metadata   Metadata             `json:"metadata"`
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]Shape     `json:"shapes"`
}

// Metadata describes the service.
type Metadata struct {
	Protocol       string   `json:"protocol"`
	Protocols      []string `json:"protocols"`
	APIVersion     string   `json:"apiVersion"`
	SigningName    string   `json:"signingName"`
	EndpointPrefix string   `json:"endpointPrefix"`
}

// Signing is the name the service signs requests with: its signingName, or
// its endpoint prefix when it has none.
func (m Metadata) Signing() string {
	if m.SigningName != "" {
		return m.SigningName
	}
	return m.EndpointPrefix
}

// Operation is an operation's HTTP binding and its input and output.
type Operation struct {
	HTTP   HTTP `json:"http"`
	Input  *Ref `json:"input"`
	Output *Ref `json:"output"`
}

// HTTP is an operation's method, request URI template and success code.
type HTTP struct {
	Method       string `json:"method"`
	RequestURI   string `json:"requestUri"`
	ResponseCode int    `json:"responseCode"`
}

// Ref refers to a shape: an operation's input or output, a structure's
// member, a list's item or a map's key or value, with the traits the
// reference adds.
type Ref struct {
	Shape         string `json:"shape"`
	ResultWrapper string `json:"resultWrapper"`
	Location      string `json:"location"`
	LocationName  string `json:"locationName"`
	Flattened     bool   `json:"flattened"`
}

// Shape is a named shape: a structure (Members), list (Member), map (Key,
// Value) or scalar.
type Shape struct {
	Type          string         `json:"type"`
	LocationName  string         `json:"locationName"`
	Flattened     bool           `json:"flattened"`
	ResultWrapper string         `json:"resultWrapper"`
	Payload       string         `json:"payload"`
	Members       map[string]Ref `json:"members"`
	Member        *Ref           `json:"member"`
	Key           *Ref           `json:"key"`
	Value         *Ref           `json:"value"`
}

// Service is one service's newest model directory.
type Service struct {
	// Name is the directory's name, the boto3 client name.
	Name string
	// Dir holds service-2.json and, if any, waiters-2.json.
	Dir string
}

// Services lists the services under data, in name order, each at its
// newest API version that has a service-2.json.
func Services(data string) ([]Service, error) {
	entries, err := os.ReadDir(data)
	if err != nil {
		return nil, err
	}
	var out []Service
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		versions, err := os.ReadDir(filepath.Join(data, e.Name()))
		if err != nil {
			return nil, err
		}
		var newest string
		for _, v := range versions {
			if v.IsDir() && Exists(filepath.Join(data, e.Name(), v.Name(), "service-2.json")) && v.Name() > newest {
				newest = v.Name()
			}
		}
		if newest != "" {
			out = append(out, Service{Name: e.Name(), Dir: filepath.Join(data, e.Name(), newest)})
		}
	}
	return out, nil
}

// Read decodes the service's service-2.json.
func (s Service) Read() (*Model, error) {
	var m Model
	if err := ReadJSON(filepath.Join(s.Dir, "service-2.json"), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Waiters maps the service's waiters to the operation each polls; nil
// when it has none.
func (s Service) Waiters() (map[string]string, error) {
	path := filepath.Join(s.Dir, "waiters-2.json")
	if !Exists(path) {
		return nil, nil
	}
	var w struct {
		Waiters map[string]struct {
			Operation string `json:"operation"`
		} `json:"waiters"`
	}
	if err := ReadJSON(path, &w); err != nil {
		return nil, err
	}
	if len(w.Waiters) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(w.Waiters))
	for name, def := range w.Waiters {
		out[name] = def.Operation
	}
	return out, nil
}

// Exists reports whether path or path.gz exists.
func Exists(path string) bool {
	for _, p := range []string{path, path + ".gz"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// ReadJSON decodes path, or path.gz when path is absent, into v.
func ReadJSON(path string, v any) error {
	var r io.Reader
	f, err := os.Open(path)
	if err != nil {
		if f, err = os.Open(path + ".gz"); err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s.gz: %w", path, err)
		}
		r = zr
	} else {
		defer f.Close()
		r = f
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Version reads botocore's __version__ from the package beside data.
func Version(data string) (string, error) {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Clean(data)), "__init__.py"))
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "__version__ = "); ok {
			return strings.Trim(v, `'" `), nil
		}
	}
	return "", ErrNoVersion
}

// Source is the provenance line of a file generated from version's files.
func Source(version, files string) string {
	return "botocore " + version + " (https://github.com/boto/botocore), " + files
}

// WriteGzipJSON writes v as gzipped JSON, as the embedded files are.
func WriteGzipJSON(path string, v any) error {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// DecodeEmbedded decodes gzipped JSON, an embedded generated file, into v.
func DecodeEmbedded(data []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Header is the provenance every generated file starts with.
type Header struct {
	Source  string `json:"source"`
	Version string `json:"version"`
	License string `json:"license"`
}

// Generator is the frame of a generator program: the botocore data
// directory, the output path and the provenance of what it writes.
type Generator struct {
	Data, Out string
	Header    Header
}

// NewGenerator reads the generator's flags (-data, required, and -out,
// defaulting to defaultOut) and the models' version; files names the
// model files the output comes from.
func NewGenerator(args []string, defaultOut, files string) (*Generator, error) {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	data := fs.String("data", "", "botocore data directory")
	out := fs.String("out", defaultOut, "output file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *data == "" {
		return nil, ErrNoData
	}
	version, err := Version(*data)
	if err != nil {
		return nil, err
	}
	return &Generator{Data: *data, Out: *out, Header: Header{Source: Source(version, files), Version: version, License: License}}, nil
}

// Each reads every service's model, in name order, and passes it to visit.
func (g *Generator) Each(visit func(Service, *Model) error) error {
	services, err := Services(g.Data)
	if err != nil {
		return err
	}
	for _, svc := range services {
		m, err := svc.Read()
		if err != nil {
			return err
		}
		if err := visit(svc, m); err != nil {
			return fmt.Errorf("%s: %w", svc.Name, err)
		}
	}
	return nil
}
