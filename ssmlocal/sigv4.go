package ssmlocal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const amzDateFormat = "20060102T150405Z"

type sigInfo struct {
	who    identity
	region string
}

// authHeader is a parsed SigV4 Authorization header.
type authHeader struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseAuthorization(h string) (authHeader, bool) {
	const prefix = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(h, prefix) {
		return authHeader{}, false
	}
	var a authHeader
	for _, part := range strings.Split(h[len(prefix):], ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authHeader{}, false
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return authHeader{}, false
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	return a, a.accessKey != "" && a.signature != "" && len(a.signedHeaders) > 0
}

// authErrors are the codes each protocol uses for an authentication failure.
type authErrors struct {
	missing, unknownKey, badSignature, expired string
	status                                     int
}

func authCodes(service string) authErrors {
	switch service {
	case "ssm":
		return authErrors{"MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException", "InvalidSignatureException", http.StatusBadRequest}
	case "ec2":
		return authErrors{"MissingAuthenticationToken", "AuthFailure", "AuthFailure", "RequestExpired", http.StatusUnauthorized}
	}
	return authErrors{"MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch", "SignatureDoesNotMatch", http.StatusForbidden}
}

// verify authenticates a request: it re-signs it with the secret stored for
// its access key, using the SDK's own signer, and compares signatures.
func (s *Server) verify(r *http.Request, body []byte, service string) (sigInfo, error) {
	codes := authCodes(service)
	fail := func(code, msg string) (sigInfo, error) {
		return sigInfo{}, &APIError{Code: code, Message: msg, Status: codes.status}
	}
	a, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return fail(codes.missing, "Request is missing Authentication Token")
	}
	if a.service != service {
		return fail(codes.badSignature, "Credential should be scoped to correct service: '"+service+"'.")
	}
	if (service == "ssm" || r.Header.Get("X-Amz-Target") != "") && !hasHeader(a.signedHeaders, "x-amz-target") {
		// The target names the operation (and the protocol); unsigned, it
		// could be changed in flight.
		return fail(codes.badSignature, "'X-Amz-Target' must be a signed header.")
	}
	if !s.servesScope(service, a.region) {
		return sigInfo{}, &APIError{Code: "InvalidRegion", Message: fmt.Sprintf("region %q is not served by this endpoint (it serves %s)", clip(a.region), strings.Join(s.opts.Regions, ", "))}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return fail(codes.missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if a.date != amzDate[:8] {
		return fail(codes.badSignature, "Credential should be scoped to a valid date, not "+clip(a.date))
	}
	// Clients sign with the wall clock, whatever time the endpoint
	// simulates, so the signing window is judged by the wall clock too.
	now := time.Now().UTC()
	skew := s.opts.MaxClockSkew
	if signedAt.Before(now.Add(-skew)) || signedAt.After(now.Add(skew)) {
		if service == "ec2" {
			return fail(codes.expired, "Request has expired.")
		}
		return fail(codes.expired, "Signature expired: "+amzDate+" is now earlier than "+now.Add(-skew).Format(amzDateFormat)+" ("+now.Format(amzDateFormat)+" - "+strconv.Itoa(int(skew/time.Minute))+" min.)")
	}
	who, secret, token, err := s.credentialsFor(a.accessKey, codes)
	if err != nil {
		return sigInfo{}, err
	}
	// A long-term key takes no session token and a temporary one needs
	// its own.
	if subtle.ConstantTimeCompare([]byte(token), []byte(r.Header.Get("X-Amz-Security-Token"))) != 1 {
		msg := "The security token included in the request is invalid."
		if service == "ec2" {
			msg = "AWS was not able to validate the provided access credentials"
		}
		return fail(codes.unknownKey, msg)
	}
	if !who.Expires.IsZero() && !s.clock.Now().Before(who.Expires) {
		code := "ExpiredToken"
		switch service {
		case "ssm":
			code = "ExpiredTokenException"
		case "ec2":
			code = "RequestExpired"
		}
		return fail(code, "The security token included in the request is expired")
	}
	want, signed, err := resign(r, body, a, signedAt, aws.Credentials{AccessKeyID: a.accessKey, SecretAccessKey: secret, SessionToken: token})
	if err != nil || signed != strings.Join(a.signedHeaders, ";") || subtle.ConstantTimeCompare([]byte(want), []byte(a.signature)) != 1 {
		if service == "ec2" {
			return fail(codes.badSignature, "AWS was not able to validate the provided access credentials")
		}
		return fail(codes.badSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return sigInfo{who: who, region: a.region}, nil
}

// globalRegions are the Regions that sign requests to each partition's
// global IAM and STS endpoints.
var globalRegions = map[string]string{"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}

// servesScope reports whether a credential scope's Region is one this
// endpoint answers for the service: a served Region, or for IAM and STS
// also the partition's global signing Region.
func (s *Server) servesScope(service, region string) bool {
	if _, ok := s.regions[region]; ok {
		return true
	}
	return (service == "iam" || service == "sts") && region == globalRegions[s.opts.Partition]
}

// credentialsFor finds the secret (and session token) for an access key.
func (s *Server) credentialsFor(key string, codes authErrors) (identity, string, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k, ok := s.iam.AccessKeys[key]; ok && k.Status == "Active" {
		u, ok := s.iam.Users[k.UserName]
		if ok {
			return identity{ARN: u.ARN, AccessKeyID: key, UserID: u.ID, UserName: u.Name}, k.Secret, "", nil
		}
	}
	if sess, ok := s.iam.Sessions[key]; ok {
		return sess.identity(s), sess.Secret, sess.Token, nil
	}
	if who, secret, token, ok := s.scriptCredentials(key); ok {
		return who, secret, token, nil
	}
	msg := "The security token included in the request is invalid."
	if codes.unknownKey == "AuthFailure" {
		msg = "AWS was not able to validate the provided access credentials"
	}
	return identity{}, "", "", &APIError{Code: codes.unknownKey, Message: msg, Status: codes.status}
}

func (sess *stsSession) identity(s *Server) identity {
	return identity{
		ARN:         s.arn("sts", "", "assumed-role/"+sess.RoleName+"/"+sess.SessionName),
		AccessKeyID: sess.AccessKeyID,
		UserID:      sess.RoleID + ":" + sess.SessionName,
		RoleName:    sess.RoleName,
		RoleARN:     sess.RoleARN,
		Expires:     sess.Expires,
	}
}

// resign signs a copy of the request holding only the headers the client
// signed, and returns the signature and signed-header list it produced.
func resign(r *http.Request, body []byte, a authHeader, at time.Time, creds aws.Credentials) (sig, signed string, err error) {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	req, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", "", err
	}
	req.Host = r.Host
	req.ContentLength = 0
	for _, h := range a.signedHeaders {
		switch h {
		case "host":
		case "content-length":
			req.ContentLength = int64(len(body))
		default:
			for _, v := range r.Header.Values(h) {
				req.Header.Add(h, v)
			}
		}
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payload {
		return "", "", errBadSignature
	}
	if !hasHeader(a.signedHeaders, "x-amz-security-token") {
		creds.SessionToken = ""
	}
	// S3 signs the path as sent, escaped once; every other service
	// escapes it again in the canonical request.
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = a.service == "s3" })
	if err := signer.SignHTTP(context.Background(), creds, req, payload, a.service, a.region, at); err != nil {
		return "", "", err
	}
	got, ok := parseAuthorization(req.Header.Get("Authorization"))
	if !ok {
		return "", "", errBadSignature
	}
	return got.signature, strings.Join(got.signedHeaders, ";"), nil
}

func hasHeader(list []string, h string) bool {
	for _, e := range list {
		if e == h {
			return true
		}
	}
	return false
}

var errBadSignature = &APIError{Code: "SignatureDoesNotMatch", Message: "cannot re-sign the request"}
