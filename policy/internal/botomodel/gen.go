//go:build ignore

// gen compacts the botocore service models into models.json.gz: for every
// service (boto3 client name, newest API version) its operation names and
// its waiters with the operation each one polls. Run it with the botocore
// data directory:
//
//	go run gen.go -data "$(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data"
package main

import (
	"flag"
	"log"
	"slices"

	"github.com/ssmdelegate/ssmdelegate/internal/botocore"
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
	version, err := botocore.Version(*data)
	if err != nil {
		log.Fatal(err)
	}
	f := file{
		Source:   botocore.Source(version, "data/<service>/<version>/service-2.json and waiters-2.json"),
		Version:  version,
		License:  botocore.License,
		Services: map[string]*service{},
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
		s := &service{}
		for op := range m.Operations {
			s.Operations = append(s.Operations, op)
		}
		slices.Sort(s.Operations)
		if s.Waiters, err = svc.Waiters(); err != nil {
			log.Fatal(err)
		}
		f.Services[svc.Name] = s
	}
	if err := botocore.WriteGzipJSON(*out, f); err != nil {
		log.Fatal(err)
	}
}
