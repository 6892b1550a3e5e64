package ssmlocal_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

const sleepDoc = `{"schemaVersion":"0.3","description":"Sleeps.","parameters":{"Seconds":{"type":"String","default":"PT1S","description":"how long"}},"mainSteps":[{"name":"wait","action":"aws:sleep","inputs":{"Duration":"{{ Seconds }}"}}]}`

const sleepDocV2 = `{"schemaVersion":"0.3","description":"Sleeps twice.","mainSteps":[{"name":"wait","action":"aws:sleep","inputs":{"Duration":"PT1S"}},{"name":"again","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`

const sleepYAML = "schemaVersion: '0.3'\nmainSteps:\n  - name: wait\n    action: aws:sleep\n    inputs:\n      Duration: PT2S\n"

func TestDocumentLifecycle(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	created, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Sleeper"), Content: aws.String(sleepDoc), DocumentType: ssmtypes.DocumentTypeAutomation, VersionName: aws.String("first")})
	require.NoError(t, err)
	d := created.DocumentDescription
	assert.Equal(t, "1", aws.ToString(d.DocumentVersion), "DocumentVersion")
	assert.Equal(t, "1", aws.ToString(d.LatestVersion), "LatestVersion")
	assert.Equal(t, "1", aws.ToString(d.DefaultVersion), "DefaultVersion")
	assert.Equal(t, ssmtypes.DocumentHashTypeSha256, d.HashType)
	assert.Len(t, aws.ToString(d.Hash), 64, "Hash")
	assert.Equal(t, "Sleeps.", aws.ToString(d.Description))
	require.Len(t, d.Parameters, 1, "parameters")
	assert.Equal(t, "Seconds", aws.ToString(d.Parameters[0].Name))
	assert.Equal(t, "PT1S", aws.ToString(d.Parameters[0].DefaultValue))
	require.NotNil(t, d.CreatedDate, "no created date")
	require.False(t, d.CreatedDate.IsZero(), "no created date")
	up, err := c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Sleeper"), Content: aws.String(sleepDocV2), DocumentVersion: aws.String("$LATEST")})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(up.DocumentDescription.DocumentVersion), "update: DocumentVersion")
	require.Equal(t, "1", aws.ToString(up.DocumentDescription.DefaultVersion), "update: DefaultVersion")
	_, err = c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Sleeper"), Content: aws.String(sleepDocV2), DocumentVersion: aws.String("$LATEST")})
	require.Equal(t, "DuplicateDocumentContent", errCode(err), "same content again: %v", err)
	got, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Sleeper")})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(got.DocumentVersion), "default version")
	require.Equal(t, sleepDoc, aws.ToString(got.Content), "default version")
	require.Equal(t, "first", aws.ToString(got.VersionName), "default version")
	latest, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("$LATEST"), DocumentFormat: ssmtypes.DocumentFormatYaml})
	require.NoError(t, err)
	require.Equal(t, ssmtypes.DocumentFormatYaml, latest.DocumentFormat)
	require.Contains(t, aws.ToString(latest.Content), "name: again", "latest as YAML")
	_, err = c.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("2")})
	require.NoError(t, err)
	desc, err := c.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String("Sleeper")})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(desc.Document.DefaultVersion), "describe: DefaultVersion")
	require.Equal(t, "2", aws.ToString(desc.Document.DocumentVersion), "describe: DocumentVersion")
	versions, err := c.ListDocumentVersions(ctx, &ssm.ListDocumentVersionsInput{Name: aws.String("Sleeper")})
	require.NoError(t, err)
	require.Len(t, versions.DocumentVersions, 2, "versions")
	require.True(t, versions.DocumentVersions[0].IsDefaultVersion, "the first version listed is the default")
	require.Equal(t, "2", aws.ToString(versions.DocumentVersions[0].DocumentVersion))
	_, err = c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("2")})
	require.Equal(t, "InvalidDocumentOperation", errCode(err), "delete the default version: %v", err)
	_, err = c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("1")})
	require.NoError(t, err)
	_, err = c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("YamlOne"), Content: aws.String(sleepYAML), DocumentType: ssmtypes.DocumentTypeAutomation, DocumentFormat: ssmtypes.DocumentFormatYaml})
	require.NoError(t, err)
	mine, err := c.ListDocuments(ctx, &ssm.ListDocumentsInput{Filters: []ssmtypes.DocumentKeyValuesFilter{{Key: aws.String("Owner"), Values: []string{"Self"}}}})
	require.NoError(t, err)
	var names []string
	for _, d := range mine.DocumentIdentifiers {
		names = append(names, *d.Name)
	}
	require.Equal(t, []string{"Sleeper", "YamlOne"}, names, "own documents")
	// Paginate over everything, AWS-owned runbooks included, two at a time.
	var all []string
	p := ssm.NewListDocumentsPaginator(c, &ssm.ListDocumentsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, d := range page.DocumentIdentifiers {
			all = append(all, *d.Name)
		}
	}
	require.Equal(t, []string{"AWS-RestartEC2Instance", "AWS-StartEC2Instance", "AWS-StopEC2Instance", "Sleeper", "YamlOne"}, all, "all documents")
	_, err = c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Sleeper")})
	require.NoError(t, err)
	_, err = c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Sleeper")})
	require.Equal(t, "InvalidDocument", errCode(err), "deleted document: %v", err)
}

func TestDocumentValidation(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	_, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Exists"), Content: aws.String(sleepDoc), DocumentType: ssmtypes.DocumentTypeAutomation})
	require.NoError(t, err)
	tests := []struct {
		name    string
		in      ssm.CreateDocumentInput
		code    string
		message string
	}{
		{"bad name", ssm.CreateDocumentInput{Name: aws.String("a b"), Content: aws.String(sleepDoc), DocumentType: ssmtypes.DocumentTypeAutomation}, "ValidationException", "regular expression pattern"},
		{"reserved prefix", ssm.CreateDocumentInput{Name: aws.String("AWS-Mine"), Content: aws.String(sleepDoc), DocumentType: ssmtypes.DocumentTypeAutomation}, "ValidationException", "aws"},
		{"exists", ssm.CreateDocumentInput{Name: aws.String("Exists"), Content: aws.String(sleepDoc), DocumentType: ssmtypes.DocumentTypeAutomation}, "DocumentAlreadyExists", ""},
		{"not JSON", ssm.CreateDocumentInput{Name: aws.String("Broken"), Content: aws.String(`{"schemaVersion":`), DocumentType: ssmtypes.DocumentTypeAutomation}, "InvalidDocumentContent", ""},
		{"invalid runbook", ssm.CreateDocumentInput{Name: aws.String("Invalid"), Content: aws.String(`{"schemaVersion":"0.3","mainSteps":[{"name":"x","action":"aws:changeInstanceState","inputs":{"InstanceIds":["i-1234567890abcdef0"],"DesiredState":"sideways"}}]}`), DocumentType: ssmtypes.DocumentTypeAutomation}, "InvalidDocumentContent", "DesiredState"},
		{"YAML declared as JSON", ssm.CreateDocumentInput{Name: aws.String("Mislabelled"), Content: aws.String(sleepYAML), DocumentType: ssmtypes.DocumentTypeAutomation}, "InvalidDocumentContent", ""},
		{"command document", ssm.CreateDocumentInput{Name: aws.String("Cmd"), Content: aws.String(sleepDoc)}, "InvalidDocumentType", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateDocument(ctx, &tt.in)
			require.Equal(t, tt.code, errCode(err), "%v", err)
			require.ErrorContains(t, err, tt.message)
		})
	}
	readTests := []struct {
		name string
		in   ssm.GetDocumentInput
		code string
	}{
		{"bad version", ssm.GetDocumentInput{Name: aws.String("Exists"), DocumentVersion: aws.String("latest")}, "ValidationException"},
		{"missing version", ssm.GetDocumentInput{Name: aws.String("Exists"), DocumentVersion: aws.String("9")}, "InvalidDocumentVersion"},
		{"by ARN", ssm.GetDocumentInput{Name: aws.String("arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance")}, ""},
	}
	for _, tt := range readTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.GetDocument(ctx, &tt.in)
			require.Equal(t, tt.code, errCode(err), "%v", err)
		})
	}
	_, err = c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("AWS-RestartEC2Instance")})
	require.Equal(t, "InvalidDocumentOperation", errCode(err), "delete an AWS-owned runbook: %v", err)
}

// TestAWSRunbooksMatchPublished compares the shipped runbooks with the
// public ones when the reference copies are present.
func TestAWSRunbooksMatchPublished(t *testing.T) {
	srv := newServer(t)
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	for name, file := range map[string]string{
		"AWS-RestartEC2Instance": "RestartInstance--aws-RestartEC2Instance.json",
		"AWS-StopEC2Instance":    "StopInstance--aws-StopEC2Instance.json",
		"AWS-StartEC2Instance":   "StartInstance--aws-StartEC2Instance.json",
	} {
		t.Run(name, func(t *testing.T) {
			want := readReference(t, file)
			got, err := c.GetDocument(context.Background(), &ssm.GetDocumentInput{Name: aws.String(name)})
			require.NoError(t, err)
			require.Equal(t, canonicalJSON(t, want), canonicalJSON(t, aws.ToString(got.Content)), "%s differs from the published runbook", name)
			require.Equal(t, ssmtypes.DocumentTypeAutomation, got.DocumentType)
		})
	}
}

// TestListDocumentsFilters pins each ListDocuments filter key over the
// wire, and the legacy DocumentFilterList.
func TestListDocumentsFilters(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	content := `{"schemaVersion":"0.3","mainSteps":[{"name":"nap","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`
	_, err := admin.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Team-Restart"), Content: aws.String(content), DocumentType: ssmtypes.DocumentTypeAutomation,
		TargetType: aws.String("/AWS::EC2::Instance"), Tags: []ssmtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	require.NoError(t, err)
	_, err = admin.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Team-Cleanup"), Content: aws.String(content), DocumentType: ssmtypes.DocumentTypeAutomation})
	require.NoError(t, err)
	filter := func(key string, values ...string) []ssmtypes.DocumentKeyValuesFilter {
		return []ssmtypes.DocumentKeyValuesFilter{{Key: aws.String(key), Values: values}}
	}
	tests := []struct {
		name    string
		in      *ssm.ListDocumentsInput
		want    []string
		errCode string
	}{
		{"owner self", &ssm.ListDocumentsInput{Filters: filter("Owner", "Self")}, []string{"Team-Cleanup", "Team-Restart"}, ""},
		{"owner amazon", &ssm.ListDocumentsInput{Filters: filter("Owner", "Amazon")}, []string{ssmlocal.RestartEC2Instance, ssmlocal.StartEC2Instance, ssmlocal.StopEC2Instance}, ""},
		{"name prefix", &ssm.ListDocumentsInput{Filters: filter("Name", "Team-R")}, []string{"Team-Restart"}, ""},
		{"tag", &ssm.ListDocumentsInput{Filters: filter("tag:env", "prod")}, []string{"Team-Restart"}, ""},
		{"search keyword", &ssm.ListDocumentsInput{Filters: filter("SearchKeyword", "cleanup")}, []string{"Team-Cleanup"}, ""},
		{"target type", &ssm.ListDocumentsInput{Filters: filter("TargetType", "/AWS::EC2::Instance")}, []string{"Team-Restart"}, ""},
		{"every filter must match", &ssm.ListDocumentsInput{Filters: append(filter("Owner", "Self"), filter("Name", "Team-C")...)}, []string{"Team-Cleanup"}, ""},
		{"legacy filter list", &ssm.ListDocumentsInput{DocumentFilterList: []ssmtypes.DocumentFilter{{Key: ssmtypes.DocumentFilterKeyOwner, Value: aws.String("Self")}}}, []string{"Team-Cleanup", "Team-Restart"}, ""},
		{"unknown key", &ssm.ListDocumentsInput{Filters: filter("Colour", "red")}, nil, "InvalidFilterKey"},
		{"both filter lists", &ssm.ListDocumentsInput{Filters: filter("Owner", "Self"), DocumentFilterList: []ssmtypes.DocumentFilter{{Key: ssmtypes.DocumentFilterKeyOwner, Value: aws.String("Self")}}}, nil, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := admin.ListDocuments(ctx, tt.in)
			if tt.errCode != "" {
				assert.Equal(t, tt.errCode, errCode(err))
				return
			}
			require.NoError(t, err)
			var got []string
			for _, d := range out.DocumentIdentifiers {
				got = append(got, aws.ToString(d.Name))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
