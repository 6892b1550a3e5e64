package ssmlocal_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

var updateStubGolden = flag.Bool("update-stubs", false, "rewrite testdata/stubs golden files")

// TestStubFileGolden reads the example stubs file and compares what it
// holds with its golden JSON.
func TestStubFileGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "stubs", "example.yaml"))
	require.NoError(t, err)
	f, err := ssmlocal.ParseStubFile(data)
	require.NoError(t, err)
	got, err := json.MarshalIndent(f, "", "  ")
	require.NoError(t, err)
	golden := filepath.Join("testdata", "stubs", "example.golden.json")
	if *updateStubGolden {
		require.NoError(t, os.WriteFile(golden, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(string(want)), string(got))

	reg, err := ssmlocal.LoadStubs(filepath.Join("testdata", "stubs", "example.yaml"))
	require.NoError(t, err)
	assert.Equal(t, []string{"billingconductor:ListBillingGroups", "lambda:Invoke", "rds:DescribeDBInstances", "sns:Publish"}, reg.Operations())
	assert.Equal(t, map[string][]string{"billingconductor.ListBillingGroups": {"billingconductor:ListBillingGroups"}}, reg.APIActions())
}

func TestStubFileJSON(t *testing.T) {
	f, err := ssmlocal.ParseStubFile([]byte(`{"stubs":[{"service":"sns","operation":"Publish","match":{"N":5},"responses":[{"error":{"code":"Throttling"}},{"MessageId":"m"}]}]}`))
	require.NoError(t, err)
	require.Len(t, f.Stubs, 1)
	assert.Equal(t, map[string]any{"N": float64(5)}, f.Stubs[0].Match)
	require.Len(t, f.Stubs[0].Replies, 2)
	assert.Equal(t, "Throttling", f.Stubs[0].Replies[0].Error.Code)
	assert.Equal(t, map[string]any{"MessageId": "m"}, f.Stubs[0].Replies[1].Response)
}

// TestStubFileStrict: every mistake is reported with its path.
func TestStubFileStrict(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"empty", ``, "the file is empty"},
		{"not yaml", `stubs: [`, "stubs file: yaml:"},
		{"no stubs key", `{other: 1}`, "other (line 1): unknown key; want one of stubs"},
		{"stubs not a list", `stubs: {}`, "stubs (line 1): want a list of stubs"},
		{"unknown entry key", "stubs:\n  - service: sns\n    operation: Publish\n    respones: {}\n", "stubs[0].respones (line 4): unknown key"},
		{"missing operation", `stubs: [{service: sns, response: {}}]`, "stubs[0] (line 1): missing key operation"},
		{"empty service", `stubs: [{service: "", operation: P, response: {}}]`, "stubs[0].service (line 1): must not be empty"},
		{"bad operation name", `stubs: [{service: sns, operation: "a.b", response: {}}]`, "not an SDK client name and an API operation name"},
		{"no response", `stubs: [{service: sns, operation: Publish}]`, "want exactly one of response, responses and error"},
		{"two forms", `stubs: [{service: sns, operation: Publish, response: {}, error: {code: X}}]`, "want exactly one of"},
		{"response not a mapping", `stubs: [{service: sns, operation: Publish, response: [1]}]`, "stubs[0].response (line 1): want a mapping"},
		{"empty responses", `stubs: [{service: sns, operation: Publish, responses: []}]`, "stubs[0].responses (line 1): want a non-empty list"},
		{"response item not a mapping", `stubs: [{service: sns, operation: Publish, responses: [{}, 3]}]`, "stubs[0].responses[1] (line 1): want a mapping"},
		{"error without code", `stubs: [{service: sns, operation: Publish, error: {message: m}}]`, "stubs[0].error (line 1): missing key code"},
		{"error unknown key", `stubs: [{service: sns, operation: Publish, error: {code: X, mesage: m}}]`, "stubs[0].error.mesage (line 1): unknown key"},
		{"error status", `stubs: [{service: sns, operation: Publish, error: {code: X, status: 200}}]`, "want an HTTP error status"},
		{"bad action", `stubs: [{service: sns, operation: Publish, response: {}, actions: [Publish]}]`, `stubs[0].actions[0] (line 1): "Publish" is not an IAM action`},
		{"repeated key", "stubs:\n  - service: sns\n    service: sns\n", "stubs[0].service (line 3): repeated key"},
		{"repeated member", `stubs: [{service: sns, operation: P, response: {A: 1, A: 2}}]`, "repeated key"},
		{"alias", "stubs:\n  - &a {service: sns, operation: P, response: {}}\n  - *a\n", "anchors and aliases are not allowed"},
		{"alias in response", "x: &v {A: 1}\n", "unknown key"},
		{"custom tag", `stubs: [{service: sns, operation: P, response: {A: !foo 1}}]`, "stubs[0].response.A (line 1): unsupported tag !foo"},
		{"too deep", `stubs: [{service: sns, operation: P, response: ` + strings.Repeat("{a: ", 40) + "1" + strings.Repeat("}", 40) + `}]`, "nested deeper than 32 levels"},
		{"too large", "stubs: []\n#" + strings.Repeat("x", 1<<20), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ssmlocal.ParseStubFile([]byte(tt.file))
			require.Error(t, err)
			assert.ErrorIs(t, err, ssmlocal.ErrInvalidStub)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadStubsMissing(t *testing.T) {
	_, err := ssmlocal.LoadStubs(filepath.Join(t.TempDir(), "none.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestStubFileReplies: a file's sequence answers in order, the last
// repeating, and its match selects the input.
func TestStubFileReplies(t *testing.T) {
	f, err := ssmlocal.ParseStubFile([]byte(`stubs:
  - {service: rds, operation: DescribeDBInstances, match: {DBInstanceIdentifier: db1}, responses: [{S: creating}, {error: {code: Throttling, message: slow}}, {S: available}]}
  - {service: rds, operation: DescribeDBInstances, error: {code: DBInstanceNotFound, message: gone, status: 404}}
`))
	require.NoError(t, err)
	reg, err := f.Registry()
	require.NoError(t, err)
	x, _ := stubRun(t, reg, allow(`"rds:DescribeDBInstances"`, "*"), `
		{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"db1"},"outputs":[{"Name":"S","Selector":"$.S","Type":"String"}]},
		{"name":"b","action":"aws:executeAwsApi","onFailure":"Continue","isCritical":false,"inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"db1"}},
		{"name":"c","action":"aws:executeAwsApi","inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"db1"},"outputs":[{"Name":"S","Selector":"$.S","Type":"String"}]},
		{"name":"d","action":"aws:executeAwsApi","inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"db1"},"outputs":[{"Name":"S","Selector":"$.S","Type":"String"}]},
		{"name":"e","action":"aws:executeAwsApi","inputs":{"Service":"rds","Api":"DescribeDBInstances","DBInstanceIdentifier":"db2"}}`)
	require.Len(t, x.StepExecutions, 5)
	assert.Equal(t, []string{"creating"}, x.StepExecutions[0].Outputs["S"])
	assert.Contains(t, *x.StepExecutions[1].FailureMessage, "Throttling")
	assert.Equal(t, []string{"available"}, x.StepExecutions[2].Outputs["S"])
	assert.Equal(t, []string{"available"}, x.StepExecutions[3].Outputs["S"])
	assert.Contains(t, *x.StepExecutions[4].FailureMessage, "DBInstanceNotFound")
}

func FuzzParseStubFile(f *testing.F) {
	seeds := []string{
		`stubs: [{service: sns, operation: Publish, response: {MessageId: m}}]`,
		`{"stubs":[{"service":"rds","operation":"X","match":{"A":[1,{"B":null}]},"responses":[{"error":{"code":"E","status":500}},{"A":1.5e3}]}]}`,
		"stubs:\n  - service: s3\n    operation: ListBuckets\n    response: {Buckets: [], T: 2024-01-01}\n    actions: [s3:ListAllMyBuckets]\n",
		`stubs: [{service: sns, operation: P, response: {A: &x 1, B: *x}}]`,
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "stubs", "example.yaml")); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := ssmlocal.ParseStubFile(data)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "stubs file"), "error without the file's prefix: %v", err)
			return
		}
		reg, err := sf.Registry()
		if err != nil {
			return
		}
		// What was read encodes as JSON.
		_, err = json.Marshal(sf)
		require.NoError(t, err, "marshal")
		require.LessOrEqual(t, len(reg.Operations()), len(sf.Stubs), "operations from stubs")
	})
}
