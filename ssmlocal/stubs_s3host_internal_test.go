package ssmlocal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestS3HostBucket(t *testing.T) {
	tests := []struct {
		host, bucket string
		ok           bool
	}{
		{host: "bkt.localhost:4566", bucket: "bkt", ok: true},
		{host: "BKT.LocalHost.", bucket: "bkt", ok: true},
		{host: "my.bkt.localhost", bucket: "my.bkt", ok: true},
		{host: "localhost:4566"},
		{host: "127.0.0.1:4566"},
		{host: "[::1]:4566"},
		{host: "b.localhost"},
		{host: "-bkt.localhost"},
		{host: "bkt-.localhost"},
		{host: "b_k.localhost"},
		{host: "bkt.s3.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3.us-east-1.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3-us-west-2.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3-external-1.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3-fips.us-gov-west-1.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3-fips.dualstack.us-east-1.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3.dualstack.eu-west-1.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3-accelerate.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3-accelerate.dualstack.amazonaws.com", bucket: "bkt", ok: true},
		{host: "bkt.s3.cn-north-1.amazonaws.com.cn", bucket: "bkt", ok: true},
		{host: "s3.bkt.s3.amazonaws.com", bucket: "s3.bkt", ok: true},
		{host: "a.b.c.s3.us-east-1.amazonaws.com", bucket: "a.b.c", ok: true},
		{host: "s3.amazonaws.com"},
		{host: "s3.us-east-1.amazonaws.com"},
		{host: "s3.dualstack.us-east-1.amazonaws.com"},
		{host: "123456789012.s3-control.us-east-1.amazonaws.com"},
		{host: "ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com"},
		{host: "bkt.s3-website-us-east-1.amazonaws.com"},
		{host: "bkt.sqs.us-east-1.amazonaws.com"},
		{host: "bkt.s3.us-east-1.example.com"},
		{host: ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			b, ok := s3HostBucket(tt.host)
			assert.Equal(t, tt.ok, ok)
			if tt.ok {
				assert.Equal(t, tt.bucket, b)
			}
		})
	}
}

func FuzzS3HostBucket(f *testing.F) {
	for _, s := range []string{"bkt.localhost:1", "bkt.s3.us-east-1.amazonaws.com", "s3.amazonaws.com", "x.s3-.amazonaws.com", "a..s3.amazonaws.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		b, ok := s3HostBucket(host)
		require.Falsef(t, ok && !isBucketName(b), "%q gives bucket %q", host, b)
	})
}
