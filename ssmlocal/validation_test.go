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
)

// TestServerSideValidation: the SDK checks only required members, so the
// model's patterns, lengths and enums are the endpoint's to enforce, with
// ValidationException naming the member, as SSM does.
func TestServerSideValidation(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	doc := aws.String("AWS-StopEC2Instance")
	six := make([]ssmtypes.Target, 6)
	for i := range six {
		six[i] = ssmtypes.Target{Key: aws.String("ParameterValues"), Values: []string{"i-0123456789abcdef0"}}
	}
	tests := []struct {
		name, member string
		call         func() error
	}{
		{"start: document name pattern", "documentName", func() error {
			_, err := c.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("bad name!")})
			return err
		}},
		{"start: mode enum", "mode", func() error {
			_, err := c.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: doc, Mode: "Sometimes"})
			return err
		}},
		{"start: max concurrency pattern", "maxConcurrency", func() error {
			_, err := c.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: doc, MaxConcurrency: aws.String("0")})
			return err
		}},
		{"start: max errors pattern", "maxErrors", func() error {
			_, err := c.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: doc, MaxErrors: aws.String("101%")})
			return err
		}},
		{"start: at most five targets", "targets", func() error {
			_, err := c.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: doc, TargetParameterName: aws.String("InstanceId"), Targets: six})
			return err
		}},
		{"start: parameter name length", "parameters", func() error {
			_, err := c.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: doc, Parameters: map[string][]string{strings.Repeat("p", 51): {"x"}}})
			return err
		}},
		{"start: target parameter name length", "targetParameterName", func() error {
			_, err := c.StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{DocumentName: doc, TargetParameterName: aws.String(strings.Repeat("p", 51))})
			return err
		}},
		{"create: name too long", "name", func() error {
			_, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String(strings.Repeat("n", 129)), Content: aws.String(sleepDoc), DocumentType: ssmtypes.DocumentTypeAutomation})
			return err
		}},
		{"get: version pattern", "documentVersion", func() error {
			_, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: doc, DocumentVersion: aws.String("v1")})
			return err
		}},
		{"list: max results", "maxResults", func() error {
			_, err := c.ListDocuments(ctx, &ssm.ListDocumentsInput{MaxResults: aws.Int32(51)})
			return err
		}},
		{"stop: type enum", "type", func() error {
			_, err := c.StopAutomationExecution(ctx, &ssm.StopAutomationExecutionInput{AutomationExecutionId: aws.String("00000000-0000-0000-0000-000000000000"), Type: "Pause"})
			return err
		}},
		{"steps: filter key enum", "filters.1.member.key", func() error {
			_, err := c.DescribeAutomationStepExecutions(ctx, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String("00000000-0000-0000-0000-000000000000"),
				Filters: []ssmtypes.StepExecutionFilter{{Key: "Colour", Values: []string{"x"}}}})
			return err
		}},
		{"describe: filter value length", "filters.1.member.values", func() error {
			_, err := c.DescribeAutomationExecutions(ctx, &ssm.DescribeAutomationExecutionsInput{Filters: []ssmtypes.AutomationExecutionFilter{{Key: "ExecutionId", Values: []string{strings.Repeat("x", 151)}}}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Equal(t, "ValidationException", errCode(err), "%v", err)
			assert.ErrorContains(t, err, "at '"+tt.member+"' failed to satisfy constraint")
		})
	}
}
