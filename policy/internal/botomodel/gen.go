//go:build ignore

// gen compacts the botocore service models into models.json.gz: for every
// service (boto3 client name, newest API version) its operation names and
// its waiters with the operation each one polls. Run it with the botocore
// data directory:
//
//	go run gen.go -data "$(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data"
package main

import (
	"log"
	"os"
	"slices"

	"github.com/ssmdelegate/ssmdelegate/internal/botocore"
)

type service struct {
	Operations []string          `json:"o"`
	Waiters    map[string]string `json:"w,omitempty"`
}

type file struct {
	botocore.Header
	Services map[string]*service `json:"services"`
}

func main() {
	g, err := botocore.NewGenerator(os.Args[1:], "models.json.gz", "data/<service>/<version>/service-2.json and waiters-2.json")
	if err != nil {
		log.Fatal(err)
	}
	f := file{Header: g.Header, Services: map[string]*service{}}
	err = g.Each(func(svc botocore.Service, m *botocore.Model) error {
		s := &service{}
		for op := range m.Operations {
			s.Operations = append(s.Operations, op)
		}
		slices.Sort(s.Operations)
		var err error
		if s.Waiters, err = svc.Waiters(); err != nil {
			return err
		}
		f.Services[svc.Name] = s
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := botocore.WriteGzipJSON(g.Out, f); err != nil {
		log.Fatal(err)
	}
}
