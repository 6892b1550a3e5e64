package policy

import (
	"strconv"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/pyscan"
)

// helperPositions names the positional parameters of the boto3 S3 transfer
// methods, which, unlike API operations, take Bucket and Key by position
// (https://boto3.amazonaws.com/v1/documentation/api/latest/reference/services/s3/client/upload_file.html).
var helperPositions = map[string][]string{
	"s3.upload_file":      {"Filename", "Bucket", "Key", "ExtraArgs"},
	"s3.upload_fileobj":   {"Fileobj", "Bucket", "Key", "ExtraArgs"},
	"s3.download_file":    {"Bucket", "Key", "Filename", "ExtraArgs"},
	"s3.download_fileobj": {"Bucket", "Key", "Fileobj", "ExtraArgs"},
	"s3.copy":             {"CopySource", "Bucket", "Key", "ExtraArgs"},
}

// transferWrites are the transfer methods whose ExtraArgs are parameters
// of a write that can name a customer managed key (SSEKMSKeyId), by
// method name, for clients and resources alike.
var transferWrites = map[string]bool{"upload_file": true, "upload_fileobj": true, "copy": true}

// transferArgs rewrites a transfer method's arguments as the request
// parameters of the operations it makes: positional arguments by name and
// the entries of ExtraArgs, which the transfer manager passes on to
// PutObject, CopyObject or CreateMultipartUpload
// (boto3.s3.transfer.S3Transfer.ALLOWED_UPLOAD_ARGS). It reports, as a
// problem, a write whose ExtraArgs is not a dict literal in the call,
// since then whether it names a customer managed key is not known.
func transferArgs(c pyscan.Call) (pyscan.Call, string) {
	var names []string
	switch c.Kind {
	case pyscan.Method:
		names = helperPositions[c.Client+"."+c.Name]
		if names == nil {
			return c, ""
		}
	case pyscan.ResourceAction:
		// A Bucket's or Object's transfer methods take fewer
		// positional arguments; only their keywords are read.
		if c.Client != "s3" || !transferWrites[c.Name] && !strings.HasPrefix(c.Name, "download_") {
			return c, ""
		}
	default:
		return c, ""
	}
	args := make(map[string]pyscan.Arg, len(c.Args))
	for k, v := range c.Args {
		args[k] = v
	}
	for k, v := range c.Args {
		pos, ok := strings.CutPrefix(k, "#")
		if !ok {
			continue
		}
		idx, entry, _ := strings.Cut(pos, ".")
		i, err := strconv.Atoi(idx)
		if err != nil || i >= len(names) {
			continue
		}
		name := names[i]
		if entry != "" {
			name += "." + entry
		}
		if _, set := args[name]; !set {
			args[name] = v
		}
	}
	extra, passed := args["ExtraArgs"]
	for k, v := range args {
		if p, ok := strings.CutPrefix(k, "ExtraArgs."); ok {
			if _, set := args[p]; !set {
				args[p] = v
			}
		}
	}
	c.Args = args
	if passed && !extra.Dict && transferWrites[c.Name] {
		return c, "its ExtraArgs is not a dict literal written in the call, so whether it names a customer managed key (SSEKMSKeyId, which needs kms:GenerateDataKey and kms:Decrypt on the key) is not known"
	}
	return c, ""
}
