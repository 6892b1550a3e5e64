package ssmlocal_test

import (
	"context"
	"strings"
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
	if *d.DocumentVersion != "1" || *d.LatestVersion != "1" || *d.DefaultVersion != "1" || d.HashType != ssmtypes.DocumentHashTypeSha256 || len(*d.Hash) != 64 || *d.Description != "Sleeps." {
		t.Fatalf("description %+v", d)
	}
	if len(d.Parameters) != 1 || *d.Parameters[0].Name != "Seconds" || *d.Parameters[0].DefaultValue != "PT1S" {
		t.Fatalf("parameters %+v", d.Parameters)
	}
	if d.CreatedDate == nil || d.CreatedDate.IsZero() {
		t.Fatal("no created date")
	}
	up, err := c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Sleeper"), Content: aws.String(sleepDocV2), DocumentVersion: aws.String("$LATEST")})
	require.NoError(t, err)
	if *up.DocumentDescription.DocumentVersion != "2" || *up.DocumentDescription.DefaultVersion != "1" {
		t.Fatalf("update %+v", up.DocumentDescription)
	}
	if _, err := c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Sleeper"), Content: aws.String(sleepDocV2), DocumentVersion: aws.String("$LATEST")}); errCode(err) != "DuplicateDocumentContent" {
		t.Fatalf("same content again: %v", err)
	}
	got, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Sleeper")})
	require.NoError(t, err)
	if *got.DocumentVersion != "1" || *got.Content != sleepDoc || *got.VersionName != "first" {
		t.Fatalf("default version %s", *got.DocumentVersion)
	}
	latest, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("$LATEST"), DocumentFormat: ssmtypes.DocumentFormatYaml})
	require.NoError(t, err)
	if latest.DocumentFormat != ssmtypes.DocumentFormatYaml || !strings.Contains(*latest.Content, "name: again") {
		t.Fatalf("latest as YAML:\n%s", *latest.Content)
	}
	if _, err := c.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String("Sleeper")})
	require.NoError(t, err)
	if *desc.Document.DefaultVersion != "2" || *desc.Document.DocumentVersion != "2" {
		t.Fatalf("describe %+v", desc.Document)
	}
	versions, err := c.ListDocumentVersions(ctx, &ssm.ListDocumentVersionsInput{Name: aws.String("Sleeper")})
	require.NoError(t, err)
	if len(versions.DocumentVersions) != 2 || !versions.DocumentVersions[0].IsDefaultVersion || *versions.DocumentVersions[0].DocumentVersion != "2" {
		t.Fatalf("versions %+v", versions.DocumentVersions)
	}
	if _, err := c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("2")}); errCode(err) != "InvalidDocumentOperation" {
		t.Fatalf("delete the default version: %v", err)
	}
	if _, err := c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Sleeper"), DocumentVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("YamlOne"), Content: aws.String(sleepYAML), DocumentType: ssmtypes.DocumentTypeAutomation, DocumentFormat: ssmtypes.DocumentFormatYaml}); err != nil {
		t.Fatal(err)
	}
	mine, err := c.ListDocuments(ctx, &ssm.ListDocumentsInput{Filters: []ssmtypes.DocumentKeyValuesFilter{{Key: aws.String("Owner"), Values: []string{"Self"}}}})
	require.NoError(t, err)
	var names []string
	for _, d := range mine.DocumentIdentifiers {
		names = append(names, *d.Name)
	}
	if strings.Join(names, ",") != "Sleeper,YamlOne" {
		t.Fatalf("own documents %v", names)
	}
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
	if strings.Join(all, ",") != "AWS-RestartEC2Instance,AWS-StartEC2Instance,AWS-StopEC2Instance,Sleeper,YamlOne" {
		t.Fatalf("all documents %v", all)
	}
	if _, err := c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Sleeper")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Sleeper")}); errCode(err) != "InvalidDocument" {
		t.Fatalf("deleted document: %v", err)
	}
}

func TestDocumentValidation(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	if _, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Exists"), Content: aws.String(sleepDoc), DocumentType: ssmtypes.DocumentTypeAutomation}); err != nil {
		t.Fatal(err)
	}
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
			if errCode(err) != tt.code || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("got %v, want %s containing %q", err, tt.code, tt.message)
			}
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
			if errCode(err) != tt.code {
				t.Fatalf("got %v, want %q", err, tt.code)
			}
		})
	}
	if _, err := c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("AWS-RestartEC2Instance")}); errCode(err) != "InvalidDocumentOperation" {
		t.Fatalf("delete an AWS-owned runbook: %v", err)
	}
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
			if g, w := canonicalJSON(t, *got.Content), canonicalJSON(t, want); g != w {
				t.Fatalf("%s differs from the published runbook:\n got %s\nwant %s", name, g, w)
			}
			if got.DocumentType != ssmtypes.DocumentTypeAutomation {
				t.Fatalf("type %s", got.DocumentType)
			}
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
