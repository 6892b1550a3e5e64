package ssmlocal

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeInput: members of any protocol's spelling (JSON numbers, query
// strings, a step's Go values) land in the SDK's input struct; members of
// the wrong type are the SerializationException naming the member.
func TestDecodeInput(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string]any
		want    ssm.PutParameterInput
		wantErr string
	}{
		{"empty", map[string]any{}, ssm.PutParameterInput{}, ""},
		{"scalars and enums", map[string]any{"Name": "/a", "Value": "v", "Type": "String", "Overwrite": true},
			ssm.PutParameterInput{Name: aws.String("/a"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}, ""},
		{"query protocol strings", map[string]any{"Overwrite": "false", "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}},
			ssm.PutParameterInput{Overwrite: aws.Bool(false), Tags: []ssmtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, ""},
		{"null members are absent", map[string]any{"Name": nil, "Tags": nil}, ssm.PutParameterInput{}, ""},
		{"unknown members are ignored", map[string]any{"Bogus": []any{1}}, ssm.PutParameterInput{}, ""},
		{"number for a string", map[string]any{"Name": 3.5}, ssm.PutParameterInput{}, "member Name: expected a string, got float64"},
		{"bad boolean", map[string]any{"Overwrite": "maybe"}, ssm.PutParameterInput{}, `member Overwrite: expected a boolean, got "maybe"`},
		{"list for a structure list element", map[string]any{"Tags": []any{"x"}}, ssm.PutParameterInput{}, "member Tags: expected a structure, got string"},
		{"string for a list of structures", map[string]any{"Tags": "x"}, ssm.PutParameterInput{}, "member Tags: expected a list of structures, got string"},
		{"nested member", map[string]any{"Tags": []any{map[string]any{"Key": true}}}, ssm.PutParameterInput{}, "member Key: expected a string, got bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got ssm.PutParameterInput
			err := decodeInput(tt.in, &got)
			if tt.wantErr != "" {
				require.Error(t, err)
				ae := asAPIError(err)
				assert.Equal(t, "SerializationException", ae.Code)
				assert.Equal(t, tt.wantErr, ae.Message)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestDecodeInputNumbersAndLists covers integers in each spelling, their
// range, and lists of strings.
func TestDecodeInputNumbersAndLists(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string]any
		want    *int32
		names   []string
		wantErr string
	}{
		{"JSON number", map[string]any{"MaxResults": json.Number("5")}, aws.Int32(5), nil, ""},
		{"query string", map[string]any{"MaxResults": "7"}, aws.Int32(7), nil, ""},
		{"step float", map[string]any{"MaxResults": 9.0}, aws.Int32(9), nil, ""},
		{"step int", map[string]any{"MaxResults": 3}, aws.Int32(3), nil, ""},
		{"fraction", map[string]any{"MaxResults": 1.5}, nil, nil, "member MaxResults: expected an integer, got 1.5"},
		{"out of int32 range", map[string]any{"MaxResults": json.Number("5000000000")}, nil, nil, "member MaxResults: expected an integer, got 5000000000, out of range"},
		{"lone string is a list of one", map[string]any{"Names": "/a"}, nil, []string{"/a"}, ""},
		{"list", map[string]any{"Names": []any{"/a", "/b"}}, nil, []string{"/a", "/b"}, ""},
		{"list with a number", map[string]any{"Names": []any{"/a", 1.0}}, nil, nil, "member Names: expected a list of strings, got an element of type float64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				MaxResults *int32
				Names      []string
			}
			err := decodeInput(tt.in, &got)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, asAPIError(err).Message)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.MaxResults)
			assert.Equal(t, tt.names, got.Names)
		})
	}
}

// TestDecodeInputTimes reads timestamps as the protocols send them.
func TestDecodeInputTimes(t *testing.T) {
	want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		raw  any
	}{
		{"time", want},
		{"RFC 3339", "2026-01-02T03:04:05Z"},
		{"epoch seconds text", "1767323045"},
		{"epoch seconds", json.Number("1767323045")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ At *time.Time }
			require.NoError(t, decodeInput(map[string]any{"At": tt.raw}, &got))
			require.NotNil(t, got.At)
			assert.True(t, want.Equal(*got.At), "got %v", got.At)
		})
	}
	var got struct{ At *time.Time }
	assert.Error(t, decodeInput(map[string]any{"At": "yesterday"}, &got))
}

// TestTypedHandler: the adapter hands the handler its decoded input and
// encodes the output without the SDK's result metadata.
func TestTypedHandler(t *testing.T) {
	fn := typed(func(_ *Server, _ context.Context, _ *call, in *iam.ListRolesInput) (*iam.ListRolesOutput, error) {
		return &iam.ListRolesOutput{IsTruncated: aws.ToInt32(in.MaxItems) == 1, Marker: in.PathPrefix}, nil
	})
	out, err := fn(nil, context.Background(), nil, map[string]any{"MaxItems": "1", "PathPrefix": "/x/"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"IsTruncated": true, "Marker": "/x/"}, out)

	_, err = fn(nil, context.Background(), nil, map[string]any{"MaxItems": []any{}})
	require.Error(t, err)
	assert.Equal(t, "SerializationException", asAPIError(err).Code)
}

// FuzzDecodeInput decodes random JSON shapes into a few input types: it
// never panics, and any refusal is a SerializationException of bounded
// size.
func FuzzDecodeInput(f *testing.F) {
	f.Add(`{"Name":"/a","Value":"v","Tags":[{"Key":"k"}]}`)
	f.Add(`{"MaxItems":"12","PathPrefix":"/"}`)
	f.Add(`{"ParameterFilters":[{"Key":"Name","Values":["a",1]}],"MaxResults":1e40}`)
	f.Add(`{"Names":"x","WithDecryption":"true"}`)
	f.Add(`{"ContextEntries":[{"ContextKeyValues":[{}]}],"PolicyInputList":{}}`)
	f.Fuzz(func(t *testing.T, body string) {
		in, err := decodeJSON([]byte(body))
		if err != nil {
			return
		}
		targets := []any{
			&ssm.PutParameterInput{}, &ssm.GetParametersByPathInput{}, &ssm.DescribeParametersInput{},
			&ssm.LabelParameterVersionInput{}, &iam.ListRolesInput{}, &iam.SimulatePrincipalPolicyInput{},
		}
		for _, target := range targets {
			if err := decodeInput(in, target); err != nil {
				ae := asAPIError(err)
				require.Equal(t, "SerializationException", ae.Code, "%T", target)
				require.LessOrEqual(t, len(ae.Message), maxMessage, "%T", target)
			}
		}
	})
}
