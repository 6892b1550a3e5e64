package ssmlocal

import "strings"

// JSON protocols other than SSM's: EventBridge speaks awsJson1_1 with the
// AWSEvents target prefix, SQS awsJson1_0 with AmazonSQS (the protocol
// current SDKs use; SQS's query protocol is not served).
var jsonTargets = map[string]string{
	"events": "AWSEvents.",
	"sqs":    "AmazonSQS.",
}

// jsonServiceOf returns the service whose target prefix t carries.
func jsonServiceOf(t string) (string, bool) {
	for service, prefix := range jsonTargets {
		if strings.HasPrefix(t, prefix) {
			return service, true
		}
	}
	return "", false
}

// targetPrefix is the X-Amz-Target prefix of an awsJson service.
func (p *protocol) targetPrefix() string {
	if prefix, ok := jsonTargets[p.service]; ok {
		return prefix
	}
	return "AmazonSSM."
}

// contentType is the awsJson content type of the service's protocol
// version.
func (p *protocol) contentType() string {
	if p.service == "sqs" {
		return "application/x-amz-json-1.0"
	}
	return "application/x-amz-json-1.1"
}
