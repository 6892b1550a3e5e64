// Package arn parses and builds Amazon Resource Names, the one
// implementation the library packages share.
//
// # Format
//
// An ARN is six colon-separated parts,
//
//	arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
//
// where REGION and ACCOUNT may be empty (IAM and S3 ARNs) and RESOURCE may
// itself hold colons and slashes: "role/path/Name",
// "automation-definition/Doc:$DEFAULT", "function:Name:alias". See
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
//
// # Resources
//
// The resource part is "TYPE/ID", "TYPE:ID" or a bare ID, depending on the
// service; [ARN.ResourceType] and [ARN.ResourceID] split it at the first
// '/' or ':', whichever comes first.
//
// # Policy patterns
//
// [Split] also splits ARN patterns of IAM policies, whose policy variables
// (${aws:username}) may hold colons that do not separate parts.
package arn
