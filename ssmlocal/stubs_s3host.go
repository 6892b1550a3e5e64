package ssmlocal

import (
	"net"
	"net/url"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/restmodel"
)

// routeREST finds the operation of a REST request. An S3 request whose
// Host names a bucket (virtual-hosted-style addressing, the SDKs'
// default) is routed as its path-style twin, /BUCKET/KEY; S3 Control
// signs as s3 too and puts the account ID where a bucket would be, so a
// path of S3 Control's keeps its own route.
func routeREST(model *restmodel.Model, service, method, host, escapedPath string, query url.Values) (restmodel.Match, bool) {
	if service == "s3" {
		if bucket, ok := s3HostBucket(host); ok {
			if m, ok := model.Route(service, method, escapedPath, query); ok && m.Service.Name != "s3" {
				return m, true
			}
			path := "/" + url.PathEscape(bucket)
			if escapedPath != "/" {
				path += escapedPath
			}
			return model.Route(service, method, path, query)
		}
	}
	return model.Route(service, method, escapedPath, query)
}

// s3HostBucket returns the bucket a virtual-hosted-style S3 Host header
// names: BUCKET.localhost (the local endpoint under its own name; an IP
// address cannot carry a bucket, and the SDKs fall back to path style
// for one) or one of S3's own forms, BUCKET.s3.amazonaws.com,
// BUCKET.s3.REGION.amazonaws.com, BUCKET.s3-REGION.amazonaws.com,
// BUCKET.s3.dualstack.REGION.amazonaws.com and their fips, accelerate and
// amazonaws.com.cn variants. See
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html.
func s3HostBucket(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if b, ok := strings.CutSuffix(host, ".localhost"); ok {
		return b, isBucketName(b)
	}
	rest, ok := strings.CutSuffix(host, ".amazonaws.com")
	if !ok {
		rest, ok = strings.CutSuffix(host, ".amazonaws.com.cn")
	}
	if !ok {
		return "", false
	}
	labels := strings.Split(rest, ".")
	// The endpoint's part is s3 (or s3-REGION, s3-fips, s3-accelerate),
	// then optionally dualstack and a Region: at most three labels, and
	// at least one is left for the bucket.
	for n := 1; n <= 3 && n < len(labels); n++ {
		ep := labels[len(labels)-n:]
		if !isS3HostLabel(ep[0]) || !isS3HostTail(ep[1:]) {
			continue
		}
		b := strings.Join(labels[:len(labels)-n], ".")
		return b, isBucketName(b)
	}
	return "", false
}

// isS3HostLabel reports whether l is the first label of an S3 endpoint
// that serves buckets (not s3-control, s3-accesspoint or s3-website).
func isS3HostLabel(l string) bool {
	switch l {
	case "s3", "s3-fips", "s3-accelerate", "s3-external-1":
		return true
	}
	r, ok := strings.CutPrefix(l, "s3-")
	return ok && isRegionName(r)
}

func isS3HostTail(ls []string) bool {
	if len(ls) > 0 && ls[0] == "dualstack" {
		ls = ls[1:]
	}
	return len(ls) == 0 || (len(ls) == 1 && isRegionName(ls[0]))
}

// isRegionName reports whether s looks like a Region code: two letters,
// dashed words, a dash and digits (us-east-1, cn-north-1, us-gov-west-1).
func isRegionName(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for _, r := range p {
			digit := '0' <= r && r <= '9'
			if (i == len(parts)-1) != digit || (!digit && (r < 'a' || r > 'z')) {
				return false
			}
		}
	}
	return true
}

// isBucketName reports whether s can be a bucket named in a Host: 3 to 63
// lower-case letters, digits, dots and dashes, starting and ending with a
// letter or digit. See
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html.
func isBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i, r := range s {
		alnum := ('a' <= r && r <= 'z') || ('0' <= r && r <= '9')
		if !alnum && ((i == 0 || i == len(s)-1) || (r != '.' && r != '-')) {
			return false
		}
	}
	return true
}
