package policy

import (
	"strconv"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/awsowned"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// findStep returns the step of the document named name, looking into
// aws:loop bodies too (their steps are referenced by their own names).
func findStep(steps []runbook.Step, name string) (runbook.Step, bool) {
	for _, st := range steps {
		if st.Name == name {
			return st, true
		}
		if l, ok := st.Inputs.(runbook.Loop); ok {
			if s, ok := findStep(l.Steps, name); ok {
				return s, true
			}
		}
	}
	return runbook.Step{}, false
}

// findParameter returns the document parameter named name.
func findParameter(doc *runbook.Document, name string) (runbook.Parameter, bool) {
	for _, p := range doc.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return runbook.Parameter{}, false
}

// ec2RefType returns the IAM resource type of the EC2 IDs that the whole
// reference s yields, known from where they come from: the instances an
// aws:runInstances step launched, the AMI aws:createImage or aws:copyImage
// made, or a parameter typed as instance IDs. It is "" otherwise.
func (d *deriver) ec2RefType(s string) string {
	r, ok := runbook.WholeReference(strings.TrimSpace(s))
	if !ok {
		return ""
	}
	switch r.Kind {
	case runbook.RefStepOutput:
		st, ok := findStep(d.cur.MainSteps, r.Name)
		if !ok {
			return ""
		}
		switch st.Inputs.(type) {
		case runbook.RunInstances:
			if r.Output == "InstanceIds" {
				return "instance"
			}
		case runbook.CreateImage, runbook.CopyImage:
			if r.Output == "ImageId" {
				return "image"
			}
		}
	case runbook.RefParameter:
		typ := ""
		if d.inCaller(r.Name, func(v runbook.Value) {
			if s, ok := v.AsString(); ok {
				typ = d.ec2RefType(s)
			}
		}) && typ != "" {
			return typ
		}
		p, ok := findParameter(d.cur, r.Name)
		if ok && (p.Type == runbook.TypeInstanceID || p.Type == runbook.TypeInstanceIDs) {
			return "instance"
		}
	}
	return ""
}

// ec2ARNs turns a value holding EC2 IDs of any type into ARNs: literal IDs
// by their prefix, references by where their IDs come from, and anything
// else to the "*/*" pattern of every EC2 resource type.
func (d *deriver) ec2ARNs(v runbook.Value, path string) []string {
	if ids, fixed := d.enumerate(v); fixed {
		var out []string
		for _, id := range ids {
			out = append(out, d.ec2ARNForID(id))
		}
		return out
	}
	if items, ok := v.AsList(); ok {
		var out []string
		for i, it := range items {
			out = append(out, d.ec2ARNs(it, path+"["+strconv.Itoa(i)+"]")...)
		}
		return out
	}
	if s, ok := v.AsString(); ok {
		if typ := d.ec2RefType(s); typ != "" {
			d.note("%s: %q holds %s IDs, so it stands as %s/* in the resource ARNs", path, s, typ, typ)
			switch typ {
			case "image":
				return []string{d.imageARN("*")}
			case "instance":
				return []string{d.scope.InstanceARN("*")}
			}
			return []string{d.scope.ARN("ec2", typ+"/*")}
		}
	}
	var out []string
	for _, id := range d.values(v, path) {
		out = append(out, d.ec2ARNForID(id))
	}
	return out
}

// inCaller runs fn, in the document of the step that started the current
// child, on the value that step passes the child's parameter name in
// RuntimeParameters: Automation starts the child with exactly that value.
// A parameter the step does not pass takes the child's literal default,
// which fn gets in the child's document. It reports false at the top
// level, and for a parameter that neither fixes.
func (d *deriver) inCaller(name string, fn func(runbook.Value)) bool {
	n := len(d.frames)
	if n == 0 {
		return false
	}
	f := d.frames[n-1]
	if _, isMap := f.runtime.AsMap(); !isMap && !f.runtime.IsZero() {
		// RuntimeParameters given as a whole reference ("{{ Params }}")
		// may pass any value: neither it nor the default is known.
		return false
	}
	if v, ok := f.runtime.Get(name); ok {
		cur, chain := d.cur, d.chain
		d.cur, d.frames, d.chain = f.parent, d.frames[:n-1], d.chain[:len(d.chain)-1]
		fn(v)
		d.cur, d.frames, d.chain = cur, d.frames[:n], chain
		return true
	}
	p, ok := findParameter(d.cur, name)
	if !ok || isEmptyValue(p.Default) || hasReferences(p.Default) {
		return false
	}
	fn(p.Default)
	return true
}

// hasReferences reports whether v or any item of it holds a {{ }}
// reference.
func hasReferences(v runbook.Value) bool {
	if s, ok := v.AsString(); ok {
		return len(runbook.ParseReferences(s)) > 0
	}
	if items, ok := v.AsList(); ok {
		for _, it := range items {
			if hasReferences(it) {
				return true
			}
		}
	}
	return false
}

// childRunbook returns the document of child runbook name: the caller's
// ChildRunbooks entry, else the bundled copy of an AWS-owned runbook.
func (d *deriver) childRunbook(step, name string) (*runbook.Document, bool) {
	if doc, ok := d.opts.ChildRunbooks[name]; ok && doc != nil {
		return doc, true
	}
	if doc, ok := awsowned.Lookup(name); ok {
		d.note("%s: the needs of AWS-owned runbook %q come from its bundled published copy; pass the version AWS runs in ChildRunbooks[%q] if it has changed", step, name, name)
		return doc, true
	}
	return nil, false
}
