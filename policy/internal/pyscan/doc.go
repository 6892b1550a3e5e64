// Package pyscan finds the AWS calls of an aws:executeScript Python script
// by static analysis, for the least-privilege derivation of the role that
// runs it.
//
// # Parsing
//
// Scripts are parsed with the tree-sitter Python grammar
// (github.com/tree-sitter/tree-sitter-python), which covers current
// Python syntax (f-strings, match, walrus, type hints). Input is bounded to
// [MaxScript] bytes; a script that does not parse is a [*SyntaxError].
// The grammar is C, so the parser needs cgo; a build without cgo still
// compiles and [Analyze] returns [ErrNoParser].
//
// # Analysis
//
// The analysis starts at the handler function and follows, within the
// script, the functions, classes and methods it calls, with the abstract
// values of their arguments: boto3 clients (boto3.client, Session().client,
// session.client), resources (boto3.resource, sub-resources such as
// ec2.Instance(id), collections such as ec2.instances.filter()), string
// constants, and the handler's events payload (events["Key"],
// events.get("Key")). Client methods, paginators (get_paginator) and
// waiters (get_waiter) are reported as [Call]s with their line and their
// literal or payload keyword arguments. A paginator's or waiter's
// arguments are those of its paginate or wait, the request parameters of
// the operation it calls; each further use with other arguments is another
// Call, and one handed to code the analysis cannot follow (or never used)
// keeps a Call with no arguments, which the derivation grants on every
// resource. Module-level code, which runs on import, is included;
// functions the handler never reaches are not.
//
// Nested functions see their enclosing variables; functions of the script
// handed to code outside it (executor.map, callbacks) and lambdas are
// followed as well, since they may run. Statements are followed in order,
// branches one after the other.
//
// What cannot be known is reported as a [Problem] with its line, never
// guessed: a service name computed at run time, getattr on a client,
// client.meta, a client stored or passed where the analysis does not
// follow it (a dict, a list, a function outside the script), or a name
// that holds different clients depending on the branch taken.
//
// See https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html
// and https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html.
package pyscan
