package policy

import (
	"strings"

	"github.com/ssmdelegate/ssmdelegate/internal/arn"
)

// ARN is a parsed Amazon Resource Name: its Partition, Service, Region,
// Account and Resource fields, String to build it back, and ResourceType,
// ResourceID and Name to split the resource ("role", "path/Name", "Name"
// of "role/path/Name"). It is the one ARN type of the module.
type ARN = arn.ARN

// ErrInvalidARN is matched (errors.Is) by ParseARN's errors.
var ErrInvalidARN = arn.ErrInvalid

// ParseARN parses "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE".
func ParseARN(s string) (ARN, error) { return arn.Parse(s) }

// Scope is where a runbook runs: the partition, Region and account that
// resource ARNs are built for. An empty Region or Account stands for every
// Region or account ("*").
type Scope struct {
	Partition string
	Region    string
	Account   string
}

// PartitionForRegion returns the partition a Region belongs to: aws-cn for
// China, aws-us-gov for GovCloud, the ISO partitions, else aws.
func PartitionForRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

func (s Scope) partition() string {
	if s.Partition != "" {
		return s.Partition
	}
	return PartitionForRegion(s.Region)
}

func (s Scope) region() string {
	if s.Region == "" {
		return "*"
	}
	return s.Region
}

func (s Scope) account() string {
	if s.Account == "" {
		return "*"
	}
	return s.Account
}

// ARN builds an ARN in the scope for a regional service resource.
func (s Scope) ARN(service, resource string) string {
	return ARN{Partition: s.partition(), Service: service, Region: s.region(), Account: s.account(), Resource: resource}.String()
}

// IsAWSOwnedDocument reports whether a document name belongs to an
// AWS-owned runbook ("AWS-…", "AWSSupport-…", "AWSConfigRemediation-…",
// "AWSEC2-…", "AmazonEKS-…"…); their ARNs have an empty account field.
func IsAWSOwnedDocument(name string) bool {
	for _, p := range [...]string{"AWS-", "AWSSupport-", "AWSConfigRemediation-", "AWSEC2-", "AWSDocs-", "AWSIncidents-", "AWSResilienceHub-", "AWSPremiumSupport-", "AWSFIS-", "AmazonEKS-", "AmazonCloudWatch-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func (s Scope) documentAccount(name string) string {
	if IsAWSOwnedDocument(name) {
		return ""
	}
	return s.account()
}

// DocumentARN is the ARN of an SSM document; for AWS-owned runbooks the
// account field is empty, as in
// arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance. A document given
// as an ARN already is returned unchanged.
func (s Scope) DocumentARN(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return ARN{Partition: s.partition(), Service: "ssm", Region: s.region(), Account: s.documentAccount(name), Resource: "document/" + name}.String()
}

// AutomationDefinitionARN is the ARN of an Automation runbook version.
// version is a version number, "$DEFAULT", "$LATEST", or "*" (every
// version, which is what an operator policy usually wants).
func (s Scope) AutomationDefinitionARN(name, version string) string {
	if version == "" {
		version = "*"
	}
	if a, err := ParseARN(name); err == nil {
		// A shared document: its definition lives where the document does.
		a.Resource = "automation-definition/" + strings.TrimPrefix(a.Resource, "document/") + ":" + version
		return a.String()
	}
	return ARN{Partition: s.partition(), Service: "ssm", Region: s.region(), Account: s.documentAccount(name), Resource: "automation-definition/" + name + ":" + version}.String()
}

// AutomationExecutionARN is the ARN of an Automation execution; id "*"
// covers every execution in the scope.
func (s Scope) AutomationExecutionARN(id string) string {
	if id == "" {
		id = "*"
	}
	return s.ARN("ssm", "automation-execution/"+id)
}

// InstanceARN is the ARN of an EC2 instance; id "*" covers every instance.
func (s Scope) InstanceARN(id string) string {
	if id == "" {
		id = "*"
	}
	return s.ARN("ec2", "instance/"+id)
}

// RoleARN is the ARN of an IAM role (IAM is global: no Region). path is the
// role's path such as "/service-role/"; empty means "/".
func (s Scope) RoleARN(path, name string) string {
	return ARN{Partition: s.partition(), Service: "iam", Account: s.account(), Resource: "role" + normalizePath(path) + name}.String()
}

// AccountRootARN is "arn:PARTITION:iam::ACCOUNT:root", the principal that
// stands for the whole account.
func (s Scope) AccountRootARN() string {
	return ARN{Partition: s.partition(), Service: "iam", Account: s.account(), Resource: "root"}.String()
}

func normalizePath(path string) string {
	if path == "" {
		return "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	return path
}

// RoleName returns the name of a role given its ARN (dropping any path), or
// the argument itself when it is not an ARN.
func RoleName(roleARN string) string {
	a, err := ParseARN(roleARN)
	if err != nil || !strings.HasPrefix(a.Resource, "role/") {
		return roleARN
	}
	return a.Name()
}
