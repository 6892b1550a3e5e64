package awsowned

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

//go:embed runbooks/*.json runbooks/*.yml
var files embed.FS

// Sources maps each bundled runbook name to the file of
// testdata/aws-runbooks it is copied from.
var Sources = map[string]string{
	"AWS-StopEC2Instance":                  "StopInstance--aws-StopEC2Instance.json",
	"AWS-StartEC2Instance":                 "StartInstance--aws-StartEC2Instance.json",
	"AWS-RestartEC2Instance":               "RestartInstance--aws-RestartEC2Instance.json",
	"AWS-TerminateEC2Instance":             "TerminateInstance--aws-TerminateEC2Instance.json",
	"AWS-StopEC2InstanceWithApproval":      "StopInstanceWithApproval--aws-StopEC2InstanceWithApproval.json",
	"AWS-StartEC2InstanceWithApproval":     "StartInstanceWithApproval--aws-StartEC2InstanceWithApproval.json",
	"AWS-RestartEC2InstanceWithApproval":   "RestartInstanceWithApproval--aws-RestartEC2Instance.json",
	"AWS-TerminateEC2InstanceWithApproval": "TerminateInstanceWithApproval--aws-TerminateEC2InstanceWithApproval.json",
	"AWS-CreateImage":                      "CreateImage--aws-CreateImage.json",
	"AWS-DeleteImage":                      "DeleteImage--aws-DeleteImage.json",
	"AWS-EnableS3BucketKeys":               "EnableS3BucketKeys--aws-EnableS3BucketKeys.yml",
	"AWS-EnableSQSEncryption":              "EnableSQSEncryption--aws-EnableSQSEncryption.yml",
}

// Names returns the names of the bundled runbooks, sorted.
func Names() []string {
	out := make([]string, 0, len(Sources))
	for n := range Sources {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Source returns the bundled file of name as published.
func Source(name string) ([]byte, bool) {
	src, ok := Sources[name]
	if !ok {
		return nil, false
	}
	b, err := files.ReadFile("runbooks/" + name + path.Ext(src))
	return b, err == nil
}

// Lookup returns the parsed document of the bundled runbook name. The
// document is shared: callers must not modify it.
func Lookup(name string) (*runbook.Document, bool) {
	d, ok := parsed()[name]
	return d, ok
}

// IsAWSOwned reports whether name is spelled like an AWS-owned runbook:
// AWS publishes its runbooks under the AWS-, AWSSupport- and
// AWSConfigRemediation- prefixes, which other owners cannot use.
func IsAWSOwned(name string) bool {
	return strings.HasPrefix(name, "AWS-") || strings.HasPrefix(name, "AWSSupport-") ||
		strings.HasPrefix(name, "AWSConfigRemediation-") || strings.HasPrefix(name, "AWSEC2-")
}

var parsed = sync.OnceValue(func() map[string]*runbook.Document {
	out := make(map[string]*runbook.Document, len(Sources))
	for name := range Sources {
		b, ok := Source(name)
		if !ok {
			panic(fmt.Sprintf("awsowned: %s is not embedded", name))
		}
		d, err := runbook.Parse(b)
		if err != nil {
			// The files are fixed at build time and checked by tests.
			panic(fmt.Sprintf("awsowned: %s does not parse: %v", name, err))
		}
		out[name] = d
	}
	return out
})
