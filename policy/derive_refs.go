package policy

import (
	"strconv"
	"strings"

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
