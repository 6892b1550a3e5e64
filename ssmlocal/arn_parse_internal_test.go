package ssmlocal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestARNsParsed: malformed ARNs, with too few parts or empty required
// parts, are refused wherever the endpoint reads one.
func TestARNsParsed(t *testing.T) {
	s, err := New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	t.Run("roleARNName", func(t *testing.T) {
		tests := []struct {
			arn, name string
			ok        bool
		}{
			{"arn:aws:iam::123456789012:role/Ops", "Ops", true},
			{"arn:aws:iam::123456789012:role/path/to/Ops", "Ops", true},
			{"arn:aws:iam::123456789012:role/", "", false},
			{"arn:aws:iam::123456789012:user/Ops", "", false},
			{"arn:aws:sts::123456789012:assumed-role/Ops/s", "", false},
			{"arn:aws:role/Ops", "", false},
			{"arn::iam::123456789012:role/Ops", "", false},
			{"nope:aws:iam::123456789012:role/Ops", "", false},
			{"", "", false},
		}
		for _, tt := range tests {
			t.Run(tt.arn, func(t *testing.T) {
				name, ok := roleARNName(tt.arn)
				assert.Equal(t, tt.ok, ok)
				assert.Equal(t, tt.name, name)
			})
		}
	})
	t.Run("policyByARN", func(t *testing.T) {
		tests := []struct{ arn, code string }{
			{"arn:aws:iam::aws:policy/AdministratorAccess", ""},
			{"arn:aws:iam::123456789012:policy/Missing", "NoSuchEntity"},
			{"arn:aws:iam", "InvalidInput"},
			{"arn:aws:iam::123456789012:", "InvalidInput"},
			{"arn-aws-iam--123456789012-policy/X", "InvalidInput"},
		}
		for _, tt := range tests {
			t.Run(tt.arn, func(t *testing.T) {
				_, err := s.policyByARN(tt.arn)
				if tt.code == "" {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				assert.Equal(t, tt.code, asAPIError(err).Code)
			})
		}
	})
	t.Run("awsManaged", func(t *testing.T) {
		assert.True(t, s.awsManaged("arn:aws:iam::aws:policy/ReadOnlyAccess"))
		assert.False(t, s.awsManaged("arn:aws:iam::aws:"), "no resource")
		assert.False(t, s.awsManaged("arn:aws:iam::123456789012:policy/ReadOnlyAccess"))
		assert.False(t, s.awsManaged("arn:aws-cn:iam::aws:policy/ReadOnlyAccess"), "another partition")
	})
	t.Run("isQueueARN", func(t *testing.T) {
		assert.True(t, s.isQueueARN("arn:aws:sqs:us-east-1:123456789012:q"))
		assert.False(t, s.isQueueARN("arn:aws:sqs:us-east-1"), "too few parts")
		assert.False(t, s.isQueueARN("arn:aws:sqs:us-east-1:123456789012:"), "no queue name")
		assert.False(t, s.isQueueARN("arn:aws:sns:us-east-1:123456789012:q"))
	})
}
