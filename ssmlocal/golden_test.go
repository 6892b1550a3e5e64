package ssmlocal_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	require.Equal(t, string(want), got, "%s changed (run go test -update to rewrite it)", name)
}

// TestShippedRunbooksGolden pins the exact content of the AWS-owned
// runbooks the endpoint serves, in both formats.
func TestShippedRunbooksGolden(t *testing.T) {
	srv := newServer(t)
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	for _, name := range []string{ssmlocal.RestartEC2Instance, ssmlocal.StopEC2Instance, ssmlocal.StartEC2Instance} {
		for _, format := range []string{"JSON", "YAML"} {
			t.Run(name+"."+format, func(t *testing.T) {
				out, err := c.GetDocument(context.Background(), &ssm.GetDocumentInput{Name: aws.String(name), DocumentFormat: ssmDocFormat(format)})
				require.NoError(t, err)
				golden(t, name+"."+map[string]string{"JSON": "json", "YAML": "yaml"}[format], *out.Content)
			})
		}
	}
}

func ssmDocFormat(f string) ssmtypes.DocumentFormat { return ssmtypes.DocumentFormat(f) }
