package ssmlocal_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/ssmdelegate/ssmdelegate/internal/slowtest"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

func putParam(t *testing.T, c *ssm.Client, name, value string, typ ssmtypes.ParameterType, overwrite bool) int64 {
	t.Helper()
	out, err := c.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ, Overwrite: aws.Bool(overwrite)})
	require.NoError(t, err)
	return out.Version
}

func TestParameterLifecycle(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))

	out, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/host"), Value: aws.String("db1"), Type: ssmtypes.ParameterTypeString, Description: aws.String("host")})
	require.NoError(t, err)
	assert.Equal(t, int64(1), out.Version)
	assert.Equal(t, ssmtypes.ParameterTierStandard, out.Tier)

	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/host"), Value: aws.String("db2"), Type: ssmtypes.ParameterTypeString})
	assert.Equal(t, "ParameterAlreadyExists", errCode(err))
	assert.Equal(t, int64(2), putParam(t, c, "/app/db/host", "db2", "", true), "overwrite keeps the type")

	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/host")})
	require.NoError(t, err)
	p := got.Parameter
	assert.Equal(t, "db2", *p.Value)
	assert.Equal(t, int64(2), p.Version)
	assert.Equal(t, ssmtypes.ParameterTypeString, p.Type)
	assert.Equal(t, "arn:aws:ssm:us-east-1:123456789012:parameter/app/db/host", *p.ARN)
	assert.Equal(t, "text", *p.DataType)

	putParam(t, c, "plain", "v", ssmtypes.ParameterTypeString, false)
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("plain")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:ssm:us-east-1:123456789012:parameter/plain", *got.Parameter.ARN)

	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/host:1")})
	require.NoError(t, err)
	assert.Equal(t, "db1", *got.Parameter.Value)
	assert.Equal(t, ":1", *got.Parameter.Selector)

	putParam(t, c, "/app/secret", "hunter2", ssmtypes.ParameterTypeSecureString, false)
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/secret")})
	require.NoError(t, err)
	assert.NotEqual(t, "hunter2", *got.Parameter.Value, "a SecureString read without decryption")
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/secret"), WithDecryption: aws.Bool(true)})
	require.NoError(t, err)
	assert.Equal(t, "hunter2", *got.Parameter.Value)

	many, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/db/host", "/nope", "plain"}})
	require.NoError(t, err)
	require.Len(t, many.Parameters, 2)
	assert.Equal(t, []string{"/nope"}, many.InvalidParameters)

	_, err = c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("plain")})
	require.NoError(t, err)
	_, err = c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("plain")})
	assert.Equal(t, "ParameterNotFound", errCode(err))
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("plain")})
	assert.Equal(t, "ParameterNotFound", errCode(err))

	del, err := c.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: []string{"/app/secret", "/gone"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"/app/secret"}, del.DeletedParameters)
	assert.Equal(t, []string{"/gone"}, del.InvalidParameters)
}

func TestParameterValidation(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	putParam(t, c, "/exists", "x", ssmtypes.ParameterTypeString, false)
	long := make([]byte, 4097)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct {
		name string
		in   ssm.PutParameterInput
		code string
	}{
		{"no type", ssm.PutParameterInput{Name: aws.String("/new"), Value: aws.String("v")}, "ValidationException"},
		{"not fully qualified", ssm.PutParameterInput{Name: aws.String("a/b"), Value: aws.String("v"), Type: "String"}, "ValidationException"},
		{"bad character", ssm.PutParameterInput{Name: aws.String("/a b"), Value: aws.String("v"), Type: "String"}, "ValidationException"},
		{"reserved prefix", ssm.PutParameterInput{Name: aws.String("/aws/x"), Value: aws.String("v"), Type: "String"}, "AccessDeniedException"},
		{"too deep", ssm.PutParameterInput{Name: aws.String("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16"), Value: aws.String("v"), Type: "String"}, "HierarchyLevelLimitExceededException"},
		{"pattern", ssm.PutParameterInput{Name: aws.String("/n"), Value: aws.String("abc"), Type: "String", AllowedPattern: aws.String(`^\d+$`)}, "ParameterPatternMismatchException"},
		{"tags with overwrite", ssm.PutParameterInput{Name: aws.String("/exists"), Value: aws.String("v"), Overwrite: aws.Bool(true), Tags: []ssmtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "ValidationException"},
		{"standard too long", ssm.PutParameterInput{Name: aws.String("/long"), Value: aws.String(string(long)), Type: "String", Tier: ssmtypes.ParameterTierStandard}, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutParameter(ctx, &tc.in)
			assert.Equal(t, tc.code, errCode(err))
		})
	}
	out, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/long"), Value: aws.String(string(long)), Type: "String", Tier: ssmtypes.ParameterTierIntelligentTiering})
	require.NoError(t, err)
	assert.Equal(t, ssmtypes.ParameterTierAdvanced, out.Tier)
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/long"), Value: aws.String("short"), Overwrite: aws.Bool(true), Tier: ssmtypes.ParameterTierStandard})
	assert.Equal(t, "ValidationException", errCode(err), "no downgrade from advanced")
}

func TestParametersByPathAndDescribePaging(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	for i := range 13 {
		putParam(t, c, fmt.Sprintf("/svc/a/p%02d", i), "v", ssmtypes.ParameterTypeString, false)
	}
	putParam(t, c, "/svc/top", "v", ssmtypes.ParameterTypeStringList, false)
	putParam(t, c, "/other/x", "v", ssmtypes.ParameterTypeSecureString, false)

	var names []string
	pager := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{Path: aws.String("/svc"), Recursive: aws.Bool(true), MaxResults: aws.Int32(5)})
	pages := 0
	for pager.HasMorePages() {
		out, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, p := range out.Parameters {
			names = append(names, *p.Name)
		}
	}
	assert.Equal(t, 3, pages)
	require.Len(t, names, 14)
	assert.Equal(t, "/svc/a/p00", names[0])
	assert.Equal(t, "/svc/top", names[13])

	one, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/svc/")})
	require.NoError(t, err)
	require.Len(t, one.Parameters, 1, "one level only")
	assert.Equal(t, "/svc/top", *one.Parameters[0].Name)

	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("svc")})
	assert.Equal(t, "ValidationException", errCode(err))
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/svc"), NextToken: aws.String("bogus")})
	assert.Equal(t, "InvalidNextToken", errCode(err))

	for _, tc := range []struct {
		name    string
		filters []ssmtypes.ParameterStringFilter
		want    int
	}{
		{"all", nil, 15},
		{"type", []ssmtypes.ParameterStringFilter{{Key: aws.String("Type"), Values: []string{"SecureString"}}}, 1},
		{"name begins", []ssmtypes.ParameterStringFilter{{Key: aws.String("Name"), Option: aws.String("BeginsWith"), Values: []string{"/svc/a/p1"}}}, 3},
		{"name equals", []ssmtypes.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"/svc/top"}}}, 1},
		{"path one level", []ssmtypes.ParameterStringFilter{{Key: aws.String("Path"), Values: []string{"/svc"}}}, 1},
		{"path recursive", []ssmtypes.ParameterStringFilter{{Key: aws.String("Path"), Option: aws.String("Recursive"), Values: []string{"/svc"}}}, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			pager := ssm.NewDescribeParametersPaginator(c, &ssm.DescribeParametersInput{ParameterFilters: tc.filters, MaxResults: aws.Int32(4)})
			for pager.HasMorePages() {
				out, err := pager.NextPage(ctx)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(out.Parameters), 4)
				for _, p := range out.Parameters {
					assert.NotEmpty(t, *p.ARN)
					assert.Equal(t, int64(1), p.Version)
				}
				n += len(out.Parameters)
			}
			assert.Equal(t, tc.want, n)
		})
	}
	_, err = c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssmtypes.ParameterStringFilter{{Key: aws.String("Colour"), Values: []string{"x"}}}})
	assert.Equal(t, "InvalidFilterKey", errCode(err))
}

func TestParameterVersionsAndLabels(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	for i := 1; i <= 3; i++ {
		assert.Equal(t, int64(i), putParam(t, c, "/ver", fmt.Sprintf("v%d", i), ssmtypes.ParameterTypeString, i > 1))
	}
	lab, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/ver"), ParameterVersion: aws.Int64(1), Labels: []string{"prod", "1bad", "awsy"}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), lab.ParameterVersion)
	assert.ElementsMatch(t, []string{"1bad", "awsy"}, lab.InvalidLabels)

	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ver:prod")})
	require.NoError(t, err)
	assert.Equal(t, "v1", *got.Parameter.Value)
	assert.Equal(t, ":prod", *got.Parameter.Selector)

	// A label moves: without a version it goes to the latest.
	lab, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/ver"), Labels: []string{"prod"}})
	require.NoError(t, err)
	assert.Equal(t, int64(3), lab.ParameterVersion)
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ver:prod")})
	require.NoError(t, err)
	assert.Equal(t, "v3", *got.Parameter.Value)

	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ver:9")})
	assert.Equal(t, "ParameterVersionNotFound", errCode(err))
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ver:staging")})
	assert.Equal(t, "ParameterVersionNotFound", errCode(err))
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/ver"), ParameterVersion: aws.Int64(7), Labels: []string{"x"}})
	assert.Equal(t, "ParameterVersionNotFound", errCode(err))

	hist, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/ver"), MaxResults: aws.Int32(2)})
	require.NoError(t, err)
	require.Len(t, hist.Parameters, 2)
	assert.Equal(t, "v1", *hist.Parameters[0].Value)
	assert.Empty(t, hist.Parameters[0].Labels)
	require.NotNil(t, hist.NextToken)
	hist, err = c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/ver"), NextToken: hist.NextToken})
	require.NoError(t, err)
	require.Len(t, hist.Parameters, 1)
	assert.Equal(t, int64(3), hist.Parameters[0].Version)
	assert.Equal(t, []string{"prod"}, hist.Parameters[0].Labels)
	assert.Equal(t, "arn:aws:iam::123456789012:user/admin", *hist.Parameters[0].LastModifiedUser)
}

func TestParameterAuthorization(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	putParam(t, admin, "/team/a/key", "a", ssmtypes.ParameterTypeString, false)
	putParam(t, admin, "/team/b/key", "b", ssmtypes.ParameterTypeString, false)
	creds := user(t, srv, "reader", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ssm:GetParameter","ssm:GetParameters","ssm:GetParameterHistory"],"Resource":"arn:aws:ssm:*:*:parameter/team/a/*"},
		{"Effect":"Allow","Action":"ssm:GetParametersByPath","Resource":"arn:aws:ssm:*:*:parameter/team/a"},
		{"Effect":"Allow","Action":"ssm:DescribeParameters","Resource":"*"}]}`)
	c := ssm.NewFromConfig(cfg(srv, creds))

	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"get allowed", func() error {
			_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/team/a/key")})
			return err
		}, ""},
		{"get denied", func() error {
			_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/team/b/key")})
			return err
		}, "AccessDeniedException"},
		{"get with selector denied", func() error {
			_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/team/b/key:1")})
			return err
		}, "AccessDeniedException"},
		{"get many: one denied denies all", func() error {
			_, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/team/a/key", "/team/b/key"}})
			return err
		}, "AccessDeniedException"},
		{"by path allowed", func() error {
			_, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/team/a")})
			return err
		}, ""},
		{"by path denied", func() error {
			_, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/team/b")})
			return err
		}, "AccessDeniedException"},
		{"describe allowed", func() error {
			_, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
			return err
		}, ""},
		{"put denied", func() error {
			_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/team/a/key"), Value: aws.String("x"), Overwrite: aws.Bool(true)})
			return err
		}, "AccessDeniedException"},
		{"delete denied", func() error {
			_, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/team/a/key")})
			return err
		}, "AccessDeniedException"},
		{"label denied", func() error {
			_, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/team/a/key"), Labels: []string{"x"}})
			return err
		}, "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.code, errCode(tc.call()))
		})
	}
}

func TestParametersSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	srv, err := ssmlocal.New(durableOpts(path))
	require.NoError(t, err)
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	putParam(t, c, "/keep", "one", ssmtypes.ParameterTypeString, false)
	putParam(t, c, "/keep", "two", ssmtypes.ParameterTypeString, true)
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/keep"), ParameterVersion: aws.Int64(1), Labels: []string{"old"}})
	require.NoError(t, err)
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("tagged"), Value: aws.String("t"), Type: "SecureString", Tags: []ssmtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	require.NoError(t, err)
	require.NoError(t, srv.Close())

	srv2, err := ssmlocal.New(durableOpts(path))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv2.Close()) }()
	c = ssm.NewFromConfig(cfg(srv2, srv2.Admin()))
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/keep:old")})
	require.NoError(t, err)
	assert.Equal(t, "one", *got.Parameter.Value)
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/keep")})
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Parameter.Version)
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("tagged"), WithDecryption: aws.Bool(true)})
	require.NoError(t, err)
	assert.Equal(t, "t", *got.Parameter.Value)
	assert.Equal(t, ssmtypes.ParameterTypeSecureString, got.Parameter.Type)
}

const paramRefDoc = `{"schemaVersion":"0.3","parameters":{
	"Duration":{"type":"String","default":"{{ssm:/cfg/duration}}"},
	"Greeting":{"type":"String","default":"plain"},
	"Zones":{"type":"StringList","default":"{{ ssm:zones }}"}},
	"mainSteps":[{"name":"wait","action":"aws:sleep","inputs":{"Duration":"{{ Duration }}"}}]}`

func TestParameterReferencesResolvedAtStart(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	_, err := admin.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("UsesParams"), Content: aws.String(paramRefDoc), DocumentType: ssmtypes.DocumentTypeAutomation})
	require.NoError(t, err)
	putParam(t, admin, "/cfg/duration", "PT1S", ssmtypes.ParameterTypeString, false)
	putParam(t, admin, "/cfg/duration", "PT2S", ssmtypes.ParameterTypeString, true)
	putParam(t, admin, "zones", "a,b", ssmtypes.ParameterTypeStringList, false)
	putParam(t, admin, "/cfg/greeting", "hello", ssmtypes.ParameterTypeString, false)
	putParam(t, admin, "/cfg/secret", "s3cret", ssmtypes.ParameterTypeSecureString, false)

	const startOnly = `{"Effect":"Allow","Action":["ssm:StartAutomationExecution","ssm:GetAutomationExecution"],"Resource":"*"}`
	reader := ssm.NewFromConfig(cfg(srv, user(t, srv, "reader", `{"Version":"2012-10-17","Statement":[`+startOnly+`,
		{"Effect":"Allow","Action":"ssm:GetParameters","Resource":["arn:aws:ssm:*:*:parameter/cfg/*","arn:aws:ssm:*:*:parameter/zones"]}]}`)))
	blind := ssm.NewFromConfig(cfg(srv, user(t, srv, "blind", `{"Version":"2012-10-17","Statement":[`+startOnly+`,
		{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]}`)))

	for _, tc := range []struct {
		name   string
		client *ssm.Client
		params map[string][]string
		code   string
		want   map[string][]string
	}{
		{"defaults", reader, nil, "", map[string][]string{"Duration": {"PT2S"}, "Greeting": {"plain"}, "Zones": {"a", "b"}}},
		{"given with version", reader, map[string][]string{"Duration": {"{{ssm:/cfg/duration:1}}"}, "Greeting": {"{{ ssm:/cfg/greeting }} world"}},
			"", map[string][]string{"Duration": {"PT1S"}, "Greeting": {"hello world"}, "Zones": {"a", "b"}}},
		{"missing", reader, map[string][]string{"Greeting": {"{{ssm:/cfg/none}}"}}, "InvalidAutomationExecutionParametersException", nil},
		{"missing version", reader, map[string][]string{"Duration": {"{{ssm:/cfg/duration:7}}"}}, "InvalidAutomationExecutionParametersException", nil},
		{"secure string", reader, map[string][]string{"Greeting": {"{{ssm:/cfg/secret}}"}}, "InvalidAutomationExecutionParametersException", nil},
		{"denied: GetParameter alone is not enough", blind, nil, "AccessDeniedException", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.client.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("UsesParams"), Parameters: tc.params})
			if tc.code != "" {
				assert.Equal(t, tc.code, errCode(err), "%v", err)
				return
			}
			require.NoError(t, err)
			got, err := tc.client.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: out.AutomationExecutionId})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.AutomationExecution.Parameters)
		})
	}
}

// paramState writes a store holding one parameter, /p, with two versions.
func paramState(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	srv, err := ssmlocal.New(durableOpts(path))
	require.NoError(t, err)
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	putParam(t, c, "/p", "one", ssmtypes.ParameterTypeString, false)
	putParam(t, c, "/p", "two", ssmtypes.ParameterTypeString, true)
	require.NoError(t, srv.Close())
	return path
}

func TestCorruptParameterStateIsRefused(t *testing.T) {
	const bucket = "regions/us-east-1/parameters"
	put := func(key, value string) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucket)).Put([]byte(key), []byte(value)) }
	}
	version := func(n int, typ, labels string) string {
		return fmt.Sprintf(`{"version":%d,"type":%q,"value":"v","tier":"Standard","dataType":"text","labels":%s,"modified":"2026-01-01T00:00:00Z","modifiedBy":"x"}`, n, typ, labels)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*bolt.Tx) error
		want   string
	}{
		{"null", put("/p", "null"), "key /p: value is null"},
		{"undecodable", put("/p", "[1]"), "key /p: json"},
		{"unknown field", put("/p", `{"name":"/p","colour":"red","versions":[]}`), "key /p: json: unknown field"},
		{"under another name", put("/q", `{"name":"/p","versions":[`+version(1, "String", "[]")+`]}`), `key /q: holds "/p"`},
		{"no versions", put("/p", `{"name":"/p","versions":[]}`), "key /p: 0 versions"},
		{"null version", put("/p", `{"name":"/p","versions":[null]}`), "key /p: version 0 is null"},
		{"versions out of order", put("/p", `{"name":"/p","versions":[`+version(2, "String", "[]")+`,`+version(1, "String", "[]")+`]}`), "version 1 follows version 2"},
		{"unknown type", put("/p", `{"name":"/p","versions":[`+version(1, "Blob", "[]")+`]}`), `type "Blob"`},
		{"label on two versions", put("/p", `{"name":"/p","versions":[`+version(1, "String", `["x"]`)+`,`+version(2, "String", `["x"]`)+`]}`), `label "x"`},
		{"bad name", put("a/b", `{"name":"a/b","versions":[`+version(1, "String", "[]")+`]}`), "key a/b: name"},
		{"parameters without the Region's other buckets", func(tx *bolt.Tx) error {
			for _, f := range []string{"documents", "instances", "executions"} {
				if err := tx.DeleteBucket([]byte("regions/us-east-1/" + f)); err != nil {
					return err
				}
			}
			return nil
		}, "bucket regions/us-east-1/documents: missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := paramState(t)
			db, err := bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, db.Update(tc.mutate))
			require.NoError(t, db.Close())
			srv, err := ssmlocal.New(durableOpts(path))
			if err == nil {
				srv.Close()
			}
			require.Error(t, err, "a corrupt state was accepted")
			assert.ErrorIs(t, err, ssmlocal.ErrStateCorrupt)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestStoreWithoutParametersLoads: a store written before parameters were
// kept has no parameters bucket, and loads empty of them.
func TestStoreWithoutParametersLoads(t *testing.T) {
	path := paramState(t)
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("regions/us-east-1/parameters")) }))
	require.NoError(t, db.Close())
	srv := newServer(t, durableOpts(path))
	_, err = ssm.NewFromConfig(cfg(srv, srv.Admin())).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/p")})
	assert.Equal(t, "ParameterNotFound", errCode(err))
}

// TestParametersInJSONState: SaveState exports parameters and a JSON state
// holding them is imported with them.
func TestParametersInJSONState(t *testing.T) {
	old := newServer(t)
	putParam(t, ssm.NewFromConfig(cfg(old, old.Admin())), "/exported", "yes", ssmtypes.ParameterTypeString, false)
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, old.SaveState(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"/exported"`)
	srv := newServer(t, durableOpts(path))
	got, err := ssm.NewFromConfig(cfg(srv, srv.Admin())).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/exported")})
	require.NoError(t, err)
	assert.Equal(t, "yes", *got.Parameter.Value)
}

// TestParameterStoreAWSCLI drives Parameter Store with the AWS CLI, whose
// paginators follow NextToken.
func TestParameterStoreAWSCLI(t *testing.T) {
	slowtest.Require(t, "AWS CLI conformance")
	t.Parallel()
	clis := awsCLIs()
	if len(clis) == 0 {
		t.Skip("the AWS CLI is not installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			env := cliEnv(t, srv.Admin(), srv.Region())
			run := cliRunner(t, cli, env, srv.URL())
			for i := range 5 {
				run("ssm", "put-parameter", "--name", fmt.Sprintf("/cli/p%d", i), "--value", fmt.Sprintf("v%d", i), "--type", "String")
			}
			put := run("ssm", "put-parameter", "--name", "/cli/p0", "--value", "again", "--overwrite")
			assert.EqualValues(t, 2, put["Version"])
			run("ssm", "put-parameter", "--name", "/cli/secret", "--value", "pw", "--type", "SecureString")

			got := run("ssm", "get-parameter", "--name", "/cli/secret", "--with-decryption")
			assert.Equal(t, "pw", got["Parameter"].(map[string]any)["Value"])
			byPath := run("ssm", "get-parameters-by-path", "--path", "/cli", "--page-size", "2")
			assert.Len(t, byPath["Parameters"], 6, "the CLI follows NextToken")
			described := run("ssm", "describe-parameters", "--parameter-filters", "Key=Type,Values=SecureString")
			assert.Len(t, described["Parameters"], 1)

			run("ssm", "label-parameter-version", "--name", "/cli/p0", "--parameter-version", "1", "--labels", "first")
			got = run("ssm", "get-parameter", "--name", "/cli/p0:first")
			assert.Equal(t, "v0", got["Parameter"].(map[string]any)["Value"])
			hist := run("ssm", "get-parameter-history", "--name", "/cli/p0")
			assert.Len(t, hist["Parameters"], 2)

			run("ssm", "delete-parameter", "--name", "/cli/p0")
			_, stderr, err := runCLI(t, cli, env, srv.URL(), "ssm", "get-parameter", "--name", "/cli/p0")
			assert.Error(t, err)
			assert.True(t, strings.Contains(stderr, "ParameterNotFound"), stderr)
		})
	}
}
