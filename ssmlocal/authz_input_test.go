package ssmlocal

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
)

func TestAuthOnInputDecodesLeniently(t *testing.T) {
	spec := authOnInput("iam:GetPolicy", func(_ *Server, _ *call, in *iam.GetPolicyInput) []authTarget {
		return on(aws.ToString(in.PolicyArn), nil)
	})
	tests := []struct {
		name  string
		shape map[string]any
		want  string
	}{
		{"member read", map[string]any{"PolicyArn": "arn:aws:iam::123456789012:policy/P"}, "arn:aws:iam::123456789012:policy/P"},
		{"member missing", map[string]any{}, ""},
		{"member of the wrong type", map[string]any{"PolicyArn": []any{"x"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spec.targets(nil, nil, tt.shape)
			assert.Equal(t, "iam:GetPolicy", spec.action)
			if assert.Len(t, got, 1) {
				assert.Equal(t, tt.want, got[0].resource)
			}
		})
	}
}
