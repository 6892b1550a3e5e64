package main

import (
	"fmt"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// Bounds on KEY=VALUE flags, so a runaway script cannot make the command
// build an unbounded request: SSM caps a parameter name at 50 characters
// and a start's parameters at 512 KB, so these leave room and still stop
// nonsense early.
const (
	maxKVKey    = 1024
	maxKVValues = 10_000
)

// kvFlags collects repeated KEY=VALUE flags (--param, --target, --tag) in
// the order their keys first appear; a repeated key makes a list.
type kvFlags struct {
	m     map[string][]string
	order []string
	n     int
}

func (p *kvFlags) String() string { return "" }

// Set parses one KEY=VALUE. The value may be empty and may contain '='.
func (p *kvFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	switch {
	case !ok || k == "":
		return fmt.Errorf("%s is not KEY=VALUE", quoteArg(s))
	case len(k) > maxKVKey:
		return fmt.Errorf("key of %d bytes is too long; allowed: at most %d", len(k), maxKVKey)
	case p.n >= maxKVValues:
		return fmt.Errorf("more than %d KEY=VALUE values", maxKVValues)
	}
	if p.m == nil {
		p.m = map[string][]string{}
	}
	if _, seen := p.m[k]; !seen {
		p.order = append(p.order, k)
	}
	p.m[k] = append(p.m[k], v)
	p.n++
	return nil
}

// values returns the collected map, or nil when empty. A key given once
// whose value holds commas is split when isList reports it names a list
// parameter, as the AWS CLI does for --parameters.
func (p *kvFlags) values(isList func(key string) bool) map[string][]string {
	if len(p.m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(p.m))
	for _, k := range p.order {
		v := append([]string(nil), p.m[k]...)
		if isList != nil && isList(k) && len(v) == 1 && strings.Contains(v[0], ",") {
			v = strings.Split(v[0], ",")
		}
		out[k] = v
	}
	return out
}

// quoteArg quotes a command-line value for an error message, cut to a
// short prefix so a huge argument does not flood the terminal.
func quoteArg(s string) string {
	const max = 64
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:max], len(s))
}

// listParams reports which of doc's parameters take lists; nil when doc is
// unknown, so no value is split.
func listParams(doc *runbook.Document) func(string) bool {
	if doc == nil {
		return nil
	}
	lists := map[string]bool{}
	for _, p := range doc.Parameters {
		lists[p.Name] = p.Type.IsList()
	}
	return func(k string) bool { return lists[k] }
}
