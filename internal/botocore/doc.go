// Package botocore reads the service models botocore ships, the one reader
// the generators of the embedded model data share, and decodes that
// embedded data.
//
// # Service models
//
// botocore's data directory holds, per service, a directory per API
// version with service-2.json (sometimes gzipped) and, for some services,
// waiters-2.json. [Services] picks each service's newest version; [Read]
// decodes its service-2.json into a [Model]: the metadata (protocol, API
// version, signing name), the operations (HTTP binding, input and output
// shapes, result wrapper) and the shapes with their members, locations,
// XML names and flattened lists. Only the traits the generators use are
// read. See https://github.com/boto/botocore/tree/develop/botocore/data
// and https://smithy.io/2.0/aws/protocols/index.html.
//
// # Generators
//
// Each generator is a small program run by go generate. [NewGenerator]
// reads its flags (-data, botocore's data directory, and -out) and the
// models' version into the [Header] every generated file starts with;
// [Generator.Each] passes every service's model to the generator's own
// step; [WriteGzipJSON] writes the result.
//
// # Embedded data
//
// The generated files are gzipped JSON; [DecodeEmbedded] reads one back
// into the loader's structure.
//
// # Licence
//
// botocore is licensed under the Apache License 2.0, Copyright
// Amazon.com, Inc. or its affiliates; [License] is the line the generated
// files record.
package botocore
