//go:build cgo

package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestForRunbookScriptCustomerKeys checks that a script call that
// encrypts with a customer managed key gets the same KMS grants as the
// same call in aws:executeAwsApi.
func TestForRunbookScriptCustomerKeys(t *testing.T) {
	const (
		keyID   = "0000aaaa-12ab-34cd-56ef-1234567890ab"
		keyARN  = "arn:aws:kms:us-east-1:111122223333:key/" + keyID
		volKey  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		allKeys = "arn:aws:kms:us-east-1:111122223333:key/*"
	)
	tests := []struct {
		name    string
		handler string
		params  string
		payload map[string]any
		// want maps an action to the resources it must be granted on
		// (exactly, sorted; nil: not granted).
		want map[string][]string
	}{
		{name: "key fixed by allowedValues",
			params:  `{"Key":{"type":"String","allowedValues":["` + keyID + `"]}}`,
			payload: map[string]any{"KeyId": "{{ Key }}", "SnapshotId": "snap-1"},
			want: map[string][]string{
				"kms:ReEncryptTo":     {keyARN, volKey},
				"kms:CreateGrant":     {keyARN, volKey},
				"kms:GenerateDataKey": {keyARN},
				"kms:Decrypt":         {keyARN, volKey},
			}},
		{name: "literal key in the payload",
			payload: map[string]any{"KeyId": keyARN, "SnapshotId": "snap-1"},
			want: map[string][]string{
				"kms:GenerateDataKey": {keyARN},
				"kms:DescribeKey":     {keyARN, volKey},
			}},
		{name: "free key",
			params:  `{"Key":{"type":"String"}}`,
			payload: map[string]any{"KeyId": "{{ Key }}", "SnapshotId": "snap-1"},
			want: map[string][]string{
				"kms:GenerateDataKey": {allKeys},
				"kms:ReEncryptFrom":   {allKeys},
			}},
		{name: "key missing from the payload fails before the calls that use it",
			payload: map[string]any{"SnapshotId": "snap-1"},
			want: map[string][]string{
				"kms:GenerateDataKey": nil,
				"kms:ReEncryptFrom":   {volKey},
			}},
		{name: "alias covers every key", handler: "alias", payload: map[string]any{},
			want: map[string][]string{
				"kms:ReEncryptFrom": {allKeys},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inputs := map[string]any{"Script": fixture("keys.py"), "InputPayload": tt.payload}
			if tt.handler != "" {
				inputs["Handler"] = tt.handler
			}
			doc := scriptRunbook(t, tt.params, inputs)
			d, err := ForRunbook(doc, testScope)
			require.NoError(t, err)
			for action, want := range tt.want {
				got, _ := grantedOn(d, action)
				assert.Equal(t, want, got, action)
			}
			grant, conditioned := grantedOn(d, "kms:CreateGrant")
			assert.NotEmpty(t, grant)
			assert.True(t, conditioned, "kms:CreateGrant is limited to grants for AWS resources")
		})
	}
}

// TestForRunbookScriptComputedArguments checks that a keyword passed a
// value chosen at run time still adds what the parameter needs, for any
// resource, instead of nothing.
func TestForRunbookScriptComputedArguments(t *testing.T) {
	doc := scriptRunbook(t, "", map[string]any{"Script": fixture("keys.py"), "Handler": "computed"})
	d, err := ForRunbook(doc, testScope)
	require.NoError(t, err)
	keys, _ := grantedOn(d, "kms:ReEncryptTo")
	assert.Equal(t, []string{"arn:aws:kms:us-east-1:111122223333:key/*"}, keys)
	roles, conditioned := grantedOn(d, "iam:PassRole")
	assert.Equal(t, []string{"arn:aws:iam::111122223333:role/*"}, roles)
	assert.True(t, conditioned)
}
