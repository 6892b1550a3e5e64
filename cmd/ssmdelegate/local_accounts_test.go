package main

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

var accountBlock = regexp.MustCompile(`administrator of account (\d{12}), (\S+):\n  export AWS_ACCESS_KEY_ID=(\S+)\n  export AWS_SECRET_ACCESS_KEY=(\S+)\n`)

func TestLocalAccounts(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		extra []string
	}{
		{"none", nil, nil},
		{"two more", []string{"--accounts", "222222222222,333333333333"}, []string{"222222222222", "333333333333"}},
		{"home listed too", []string{"--account", "111111111111", "--accounts", "111111111111, 222222222222"}, []string{"222222222222"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, home, out, stop := runLocal(t, tt.args...)
			defer func() { assert.Equal(t, 0, stop()) }()
			ctx := context.Background()
			identity := func(key, secret string) *sts.GetCallerIdentityOutput {
				c := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), HTTPClient: ssmlocal.HTTPClient(),
					Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
				got, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				require.NoError(t, err)
				return got
			}
			blocks := accountBlock.FindAllStringSubmatch(out.String(), -1)
			require.Len(t, blocks, len(tt.extra))
			if len(tt.extra) == 0 {
				assert.NotContains(t, out.String(), "more accounts")
			}
			// The first credentials printed stay the home account's.
			homeID := aws.ToString(identity(home.AccessKeyID, home.SecretAccessKey).Account)
			assert.NotContains(t, tt.extra, homeID)
			for i, b := range blocks {
				assert.Equal(t, tt.extra[i], b[1])
				assert.Equal(t, "arn:aws:iam::"+b[1]+":user/admin", b[2])
				got := identity(b[3], b[4])
				assert.Equal(t, b[1], aws.ToString(got.Account))
			}
		})
	}
}

func TestLocalAccountsBad(t *testing.T) {
	var out, errOut lockedBuffer
	code := cmdLocal(context.Background(), []string{"--addr", "127.0.0.1:0", "--accounts", "12345"}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), `account id "12345" is not 12 digits`)
}
