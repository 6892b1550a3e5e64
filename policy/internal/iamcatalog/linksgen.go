//go:build ignore

// Linksgen extracts, from the iam-floyd npm package, the API operation the
// Service Authorization Reference links each IAM action to, and writes the
// actions whose operation has another name (s3:ListBucket documents
// ListObjectsV2) as a TSV. iam-floyd generates its statement classes from
// the Service Authorization Reference, one method per action with the
// action's documentation link. Run from this directory after
// `npm pack iam-floyd@VERSION && tar xzf iam-floyd-VERSION.tgz`:
//
//	go run linksgen.go -floyd package -date YYYY-MM-DD -o ../../../testdata/iam-operation-links.tsv
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

var (
	prefixRE = regexp.MustCompile(`this\.servicePrefix = '([^']+)'`)
	// A documented method: its comment, then the action it adds.
	methodRE = regexp.MustCompile(`(?s)/\*\*((?:[^*]|\*[^/])*)\*/\s*to\w+\(\) \{\s*return this\.to\('([^']+)'\);`)
	// The comment's documentation link, when it is an API reference page.
	apiRE = regexp.MustCompile(`https://\S+/API_([A-Za-z0-9_]+)\.html`)
)

func main() {
	dir := flag.String("floyd", "", "unpacked iam-floyd npm package")
	out := flag.String("o", "iam-operation-links.tsv", "output file")
	date := flag.String("date", time.Now().UTC().Format(time.DateOnly), "the day the package was retrieved")
	flag.Parse()
	if *dir == "" {
		log.Fatal("usage: go run linksgen.go -floyd DIR [-o FILE]")
	}
	var pkg struct{ Version, License string }
	b, err := os.ReadFile(filepath.Join(*dir, "package.json"))
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		log.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(*dir, "lib", "generated", "policy-statements", "*.js"))
	if err != nil || len(files) == 0 {
		log.Fatalf("no statement classes under %s: %v", *dir, err)
	}
	var rows []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		m := prefixRE.FindSubmatch(src)
		if m == nil {
			continue
		}
		prefix := string(m[1])
		for _, mm := range methodRE.FindAllSubmatch(src, -1) {
			action := string(mm[2])
			link := apiRE.FindSubmatch(mm[1])
			if link == nil {
				continue
			}
			op := string(link[1])
			if !strings.EqualFold(op, action) {
				rows = append(rows, prefix+":"+action+"\t"+op)
			}
		}
	}
	sort.Strings(rows)
	rows = dedupe(rows)
	fh, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(fh)
	fmt.Fprintf(w, "# IAM actions whose Service Authorization Reference entry links to the API reference page of an operation of another name: action, page (the operation, sometimes after a lower-case section prefix such as control_). Data: iam-floyd %s (%s, https://github.com/udondan/iam-floyd), lib/generated/policy-statements, generated from the AWS Service Authorization Reference; retrieved %s.\n", pkg.Version, pkg.License, *date)
	fmt.Fprintln(w, "action\tpage")
	for _, r := range rows {
		fmt.Fprintln(w, r)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		log.Fatal(err)
	}
}

func dedupe(rows []string) []string {
	out := rows[:0]
	for i, r := range rows {
		if i == 0 || r != rows[i-1] {
			out = append(out, r)
		}
	}
	return out
}
