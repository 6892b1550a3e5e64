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
//
// EC2 Describe* filter values use the same characters with backslash
// escapes ("\*amazon\?\\" is the literal "*amazon?\"). The EC2 user
// guide says '?' there matches zero or one character, where the EC2 API's
// Filter reference says exactly one; Match implements exactly one, so a
// caller that wants the user guide's reading must allow for it, see
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html
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
