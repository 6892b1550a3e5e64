package ssmlocal_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestStubsAWSCLI drives stubbed services with the AWS CLIs (v1 and v2):
// a query service (SNS) and a JSON one (Secrets Manager) answer from
// stubs, still refusing a caller whose policy does not allow the call.
func TestStubsAWSCLI(t *testing.T) {
	slowtest.Require(t, "runs the AWS CLIs")
	t.Parallel()
	clis := awsCLIs()
	if len(clis) == 0 {
		if os.Getenv("CI") != "" {
			require.FailNow(t, "the AWS CLI is not installed")
		}
		t.Skip("the AWS CLI is not installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, ssmlocal.WithStubs(wireStubs(t)))
			admin := cliEnv(t, srv.Admin(), srv.Region())
			run := cliRunner(t, cli, admin, srv.URL())

			sent := run("sns", "publish", "--topic-arn", topic, "--message", "hello")
			assert.Equal(t, "m-1", sent["MessageId"])
			secret := run("secretsmanager", "get-secret-value", "--secret-id", secretARN)
			assert.Equal(t, "s3cret", secret["SecretString"])

			_, stderr, err := runCLI(t, cli, admin, srv.URL(), "secretsmanager", "get-secret-value", "--secret-id", "other")
			require.Error(t, err)
			assert.Contains(t, stderr, "ResourceNotFoundException")

			reader := cliEnv(t, user(t, srv, "cli-reader", allow(`"sns:ListTopics"`, "*")), srv.Region())
			topics := cliRunner(t, cli, reader, srv.URL())("sns", "list-topics")
			assert.NotEmpty(t, topics["Topics"])
			_, stderr, err = runCLI(t, cli, reader, srv.URL(), "sns", "publish", "--topic-arn", topic, "--message", "hello")
			require.Error(t, err)
			assert.Contains(t, stderr, "AccessDenied")
			assert.Contains(t, stderr, "sns:Publish")
		})
	}
}
