package ssmlocal_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/require"
)

// BenchmarkDurableWriteStateSize measures one acknowledged write against
// the size of the state it lands in: a commit encodes the whole state and
// writes the keys that changed, so its cost grows with the state, not with
// the change.
func BenchmarkDurableWriteStateSize(b *testing.B) {
	for _, instances := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("instances=%d", instances), func(b *testing.B) {
			srv := newServer(b, durableOpts(filepath.Join(b.TempDir(), "state.db")))
			if instances > 0 {
				_, err := srv.AddInstances(instances)
				require.NoError(b, err)
			}
			client := iam.NewFromConfig(pooledConfig(srv))
			ctx := context.Background()
			_, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")})
			require.NoError(b, err)
			b.ResetTimer()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				_, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bench"), PolicyName: aws.String("p"),
					PolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetDocument","Resource":"arn:aws:ssm:*:*:document/D%d"}]}`, i))})
				require.NoError(b, err)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/write")
		})
	}
}
