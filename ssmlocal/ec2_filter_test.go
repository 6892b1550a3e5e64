package ssmlocal

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pathological makes a backtracking matcher try every way of placing its
// stars: exponential in their number.
const pathological = "*a*a*a*a*a*a*a*b"

// TestFilterWildcards: filter values take * and ?, a backslash makes the
// next character literal, and matching is case-sensitive.
func TestFilterWildcards(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"web-*", "web-1", true},
		{"web-?", "web-12", false},
		{"web-??", "web-12", true},
		{"Web-*", "web-1", false},
		{`\*amazon\?\\`, `*amazon?\`, true},
		{`\*amazon\?\\`, `xamazony\`, false},
		{"*", "", true},
		{"", "", true},
		{"?", "é", true},
		{pathological, strings.Repeat("a", 100_000), false},
		{pathological, strings.Repeat("a", 100_000) + "b", true},
	}
	for _, tt := range tests {
		t.Run(clipTo(tt.pattern+" "+tt.value, 40), func(t *testing.T) {
			done := make(chan bool, 1)
			go func() { done <- anyMatch([]string{tt.value}, []string{tt.pattern}) }()
			select {
			case got := <-done:
				assert.Equal(t, tt.want, got)
			case <-time.After(5 * time.Second):
				require.FailNow(t, "matching did not finish")
			}
		})
	}
}

// TestFilterPathological: a pathological filter value against a long tag
// value is answered promptly over the wire.
func TestFilterPathological(t *testing.T) {
	srv := startServer(t)
	_, err := srv.AddInstances(3, func(o *InstanceOptions) { o.Tags = map[string]string{"Name": strings.Repeat("a", 255)} })
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := ec2.NewFromConfig(srv.AdminConfig()).DescribeInstances(ctx, &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{pathological, pathological + "?"}}},
	})
	require.NoError(t, err)
	assert.Empty(t, out.Reservations)
}
