package ssmlocal_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// TestDescribeExecutionsOverTheWire pages through executions with the SDK's
// paginators and filters them by every key that has an answer here.
func TestDescribeExecutionsOverTheWire(t *testing.T) {
	vc := ssmlocal.AutoClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = vc })
	ctx := context.Background()
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Listed-Alpha", `{"schemaVersion":"0.3","mainSteps":[
		{"name":"first","action":"aws:sleep","inputs":{"Duration":"PT1M"}},
		{"name":"second","action":"aws:sleep","inputs":{"Duration":"PT1M"}}]}`)
	createDoc(t, admin, "Other-Beta", sleepDoc)
	var alpha []string
	for i := range 5 {
		in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Listed-Alpha")}
		if i%2 == 0 {
			in.Tags = []ssmtypes.Tag{{Key: aws.String("Team"), Value: aws.String("blue")}}
		}
		alpha = append(alpha, start(t, admin, in))
	}
	beta := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Other-Beta")})
	for _, id := range append(alpha, beta) {
		require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, waitDone(t, admin, id).AutomationExecutionStatus, id)
	}
	list := func(t *testing.T, filters ...ssmtypes.AutomationExecutionFilter) []string {
		t.Helper()
		var ids []string
		pages := 0
		p := ssm.NewDescribeAutomationExecutionsPaginator(admin, &ssm.DescribeAutomationExecutionsInput{Filters: filters, MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			require.NoError(t, err)
			require.LessOrEqual(t, len(out.AutomationExecutionMetadataList), 2, "a page with MaxResults 2")
			for _, m := range out.AutomationExecutionMetadataList {
				ids = append(ids, aws.ToString(m.AutomationExecutionId))
				require.NotNil(t, m.ExecutionStartTime, "start time")
				require.False(t, m.ExecutionStartTime.Before(vc.Now().Add(-time.Hour)), "start time %v", m.ExecutionStartTime)
			}
			pages++
			require.LessOrEqual(t, pages, 10, "pagination does not end")
		}
		sort.Strings(ids)
		return ids
	}
	sorted := func(ids ...string) []string {
		out := append([]string(nil), ids...)
		sort.Strings(out)
		return out
	}
	f := func(k ssmtypes.AutomationExecutionFilterKey, v ...string) ssmtypes.AutomationExecutionFilter {
		return ssmtypes.AutomationExecutionFilter{Key: k, Values: v}
	}
	tests := []struct {
		name    string
		filters []ssmtypes.AutomationExecutionFilter
		want    []string
	}{
		{"all, in pages", nil, sorted(append(alpha, beta)...)},
		{"document name prefix", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyDocumentNamePrefix, "Listed-")}, sorted(alpha...)},
		{"execution ids", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyExecutionId, alpha[1], beta)}, sorted(alpha[1], beta)},
		{"status", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyExecutionStatus, "Failed")}, nil},
		{"tag key", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyTagKey, "Team")}, sorted(alpha[0], alpha[2], alpha[4])},
		{"tag key and prefix", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyTagKey, "Team"), f(ssmtypes.AutomationExecutionFilterKeyDocumentNamePrefix, "Other")}, nil},
		{"started after now", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyStartTimeAfter, vc.Now().Add(time.Hour).Format(time.RFC3339))}, nil},
		{"started before now", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyStartTimeBefore, vc.Now().Add(time.Hour).Format(time.RFC3339))}, sorted(append(alpha, beta)...)},
		{"automation type", []ssmtypes.AutomationExecutionFilter{f(ssmtypes.AutomationExecutionFilterKeyAutomationType, "Local"), f(ssmtypes.AutomationExecutionFilterKeyDocumentNamePrefix, "Other")}, []string{beta}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, fmt.Sprint(tt.want), fmt.Sprint(list(t, tt.filters...)))
		})
	}
	p := ssm.NewDescribeAutomationStepExecutionsPaginator(admin, &ssm.DescribeAutomationStepExecutionsInput{AutomationExecutionId: aws.String(alpha[0]), MaxResults: aws.Int32(1)})
	var steps []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(out.StepExecutions), 1, "a page of steps with MaxResults 1")
		for _, s := range out.StepExecutions {
			steps = append(steps, aws.ToString(s.StepName))
		}
		require.LessOrEqual(t, len(steps), 10, "step pagination does not end")
	}
	require.Equal(t, []string{"first", "second"}, steps)
}
