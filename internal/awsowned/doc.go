// Package awsowned bundles copies of AWS-owned Automation runbooks, so a
// runbook that starts one with aws:executeAutomation can be derived and run
// without the caller supplying the child's document.
//
// # Source and licence
//
// The files under runbooks/ are byte-for-byte copies of AWS's published
// runbooks of the same names (AWS-StopEC2Instance, AWS-CreateImage, ...)
// as kept in the repository's testdata/aws-runbooks, which AWS publishes
// under the MIT No Attribution licence (runbooks/LICENSE, Copyright
// Amazon.com, Inc. or its affiliates). A test checks that each copy still
// equals its testdata original. Only runbooks whose copy is the
// document AWS runs under that name are bundled: older copies that stand
// up a CloudFormation stack and a Lambda function (AWS-CreateSnapshot,
// AWS-CopySnapshot, AWS-AttachEBSVolume and others) describe what AWS
// replaced since, so those names are left out and must be supplied by the
// caller, for example from "aws ssm get-document --name AWS-CreateSnapshot".
//
// # Use
//
// [Lookup] returns the parsed document of a bundled name; the document
// is shared and must not be modified. AWS updates its runbooks: a
// caller that has the version it runs passes it instead, and callers
// give their own copy precedence. See
// https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-runbook-reference.html
package awsowned
