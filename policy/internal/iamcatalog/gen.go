//go:build ignore

// Gen compacts the IAM service reference (actions with their access level
// and resource types, resource types with their ARN patterns, and the API
// operations actions are documented by) into the gzipped catalog this
// package embeds. Run from this directory:
//
//	go run gen.go -actions ../../../testdata/iam-actions.tsv -resources ../../../testdata/iam-resource-types.tsv -links ../../../testdata/iam-operation-links.tsv
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
)

func main() {
	actions := flag.String("actions", "", "actions TSV: action, access_level, resource_types, dependent_actions, condition_keys")
	resources := flag.String("resources", "", "resource types TSV: service, resource_type, arn, condition_keys")
	links := flag.String("links", "", "operation links TSV: action, API reference page")
	out := flag.String("o", "catalog.tsv.gz", "output file")
	flag.Parse()
	if *actions == "" || *resources == "" || *links == "" {
		log.Fatal("usage: go run gen.go -actions FILE -resources FILE -links FILE")
	}
	var lines []string
	known := map[string]bool{}
	for _, f := range readTSV(*actions) {
		if len(f) < 3 {
			continue
		}
		lines = append(lines, "A\t"+f[0]+"\t"+f[1]+"\t"+f[2])
		known[f[0]] = true
	}
	for _, f := range readTSV(*resources) {
		if len(f) < 3 {
			continue
		}
		// Only whether the type supports aws:ResourceTag conditions is kept.
		tags := ""
		if len(f) > 3 && strings.Contains(f[3], "aws:ResourceTag/") {
			tags = "T"
		}
		lines = append(lines, "R\t"+f[0]+"\t"+f[1]+"\t"+f[2]+"\t"+tags)
	}
	for _, f := range readTSV(*links) {
		if len(f) < 2 || !known[f[0]] {
			// Only actions of the catalog are ever granted.
			continue
		}
		// The page is the operation, after a section prefix ("control_")
		// when the service documents several APIs together.
		prefix, _, _ := strings.Cut(f[0], ":")
		op, section := f[1], ""
		if i := strings.LastIndexByte(op, '_'); i >= 0 {
			op, section = op[i+1:], op[:i]
		}
		lines = append(lines, "L\t"+prefix+"\t"+strings.ToLower(op)+"\t"+section+"\t"+f[0])
	}
	sort.Strings(lines)
	fh, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(fh, gzip.BestCompression)
	for _, l := range lines {
		fmt.Fprintln(zw, l)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		log.Fatal(err)
	}
}

func readTSV(path string) [][]string {
	fh, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer fh.Close()
	var rows [][]string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	header := true
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		if header {
			header = false
			continue
		}
		rows = append(rows, strings.Split(line, "\t"))
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return rows
}
