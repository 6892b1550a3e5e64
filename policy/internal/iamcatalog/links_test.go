package iamcatalog

import (
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinked(t *testing.T) {
	c := Load()
	for name, tc := range map[string]struct {
		prefix, client, op string
		want               []string
	}{
		"main pages":                            {"s3", "s3", "ListObjectsV2", []string{"s3:ListBucket"}},
		"case and underscores of the op":        {"S3", "s3", "list_objects_v2", []string{"s3:ListBucket"}},
		"section the client names":              {"s3", "s3control", "GetPublicAccessBlock", []string{"s3:GetAccountPublicAccessBlock"}},
		"main pages for a client of no section": {"s3", "s3", "GetPublicAccessBlock", []string{"s3:GetBucketPublicAccessBlock"}},
		"dashes in the client name":             {"s3", "s3-control", "GetPublicAccessBlock", []string{"s3:GetAccountPublicAccessBlock"}},
		"several actions, sorted":               {"kms", "kms", "ReEncrypt", []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
		"no link":                               {"s3", "s3", "HeadObject", nil},
		"unknown prefix":                        {"nosuch", "nosuch", "ListObjectsV2", nil},
		"section only, client of another":       {"lex", "lex", "RecognizeText", nil},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, c.Linked(tc.prefix, tc.client, tc.op))
		})
	}
}

func TestDecodeLinks(t *testing.T) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte("A\tx:Get\tRead\t\n" +
		"L\tx\tfetch\t\tx:Get\n" +
		"L\tx\tfetch\tadmin\tx:AdminGet\n" +
		"L\tx\tshort\t\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	c, err := decode(b.Bytes())
	require.NoError(t, err)
	assert.Equal(t, []string{"x:Get"}, c.Linked("x", "x", "Fetch"))
	assert.Equal(t, []string{"x:AdminGet"}, c.Linked("x", "x-admin", "Fetch"))
	assert.Nil(t, c.Linked("x", "x", "short"), "a line with too few fields is skipped")
}

func TestLinksNameCatalogActions(t *testing.T) {
	c := Load()
	n := 0
	for key, links := range c.links {
		for _, l := range links {
			_, ok := c.Lookup(l.action)
			assert.True(t, ok, "%s links to %s, not in the catalog", key, l.action)
			n++
		}
	}
	assert.Greater(t, n, 1000, "the embedded catalog carries the reference's operation links; regenerate with go generate")
}
