// Package psscan finds the commands a PowerShell script of an
// aws:executeScript step runs, for the least-privilege derivation of the
// role that runs it.
//
// # Tokens
//
// [Scan] tokenizes the script the way PowerShell reads it, far enough to
// tell code from text: line comments (#), block comments (<# #>),
// single-quoted strings (a doubled quote escapes one), double-quoted strings
// (backtick escapes), here-strings (@' '@ and @" "@), variables ($x,
// ${x}, $env:X), operators, and line continuations (a backtick at the end
// of a line). The $( ) subexpressions of double-quoted strings and
// here-strings are code, and are scanned as such. Nothing inside a
// comment or a string is ever taken for a command.
//
// # Commands
//
// A bare word where PowerShell expects a command (at the start of a
// statement, after |, ;, (, {, =, &&, || and the keywords that take a
// pipeline, such as return) is a [Command], with its line and its named
// parameters (-Name value): literal values are kept, anything else (a
// variable, an expression, a list such as i-1,i-2, a value joined to more
// text) is [Arg.Unknown], except $p.Key where $p holds the step's
// InputPayload ($p = $env:InputPayload | ConvertFrom-Json, and no other
// assignment to $p or its members anywhere in the script), which is
// [Arg.Event]. A module-qualified name (AWS.Tools.EC2\Get-EC2Instance)
// is reported without its module. Functions the script defines are listed
// in [Result.Functions]; the commands in their bodies are reported like
// any other, since the analysis does not follow calls.
//
// What chooses code at run time is a [Problem] with its line: the call
// operator & or dot-sourcing of anything but a literal name,
// Invoke-Expression, [scriptblock]::Create, $ExecutionContext, another
// script file or program (a path), the AWS CLI, and AWS SDK for .NET
// clients used directly.
//
// Input is bounded to [MaxScript] bytes and nesting to [maxDepth]; the
// scanner never fails on odd input: an unterminated string or comment
// runs to the end of the script.
//
// See https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_parsing
// and https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html.
package psscan
