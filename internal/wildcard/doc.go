// Package wildcard matches strings against the glob patterns used in AWS
// policy documents and API filters.
//
// # Syntax
//
// '*' matches any run of characters, including none, and '?' exactly one
// character (a rune, not a byte). Everything else matches itself, optionally
// ignoring case. This is the syntax of IAM's StringLike and ArnLike
// condition operators and of the Action and Resource elements, see
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
// and of EC2 Describe* filters, see
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html#Filtering_Resources_CLI
//
// # Escaping
//
// With escaping on, a backslash makes the next character literal. Callers
// that substitute values into a pattern (IAM policy variables) pass the
// values through [Escape] so that a '*' inside a user name is not a
// wildcard.
//
// # Cost
//
// [Match] runs in time O(len(pattern)·len(s)) in the worst case and O(1)
// extra space: it backtracks only to the most recent '*', so hostile
// patterns such as "*a*a*a*…b" cannot make it exponential.
package wildcard
