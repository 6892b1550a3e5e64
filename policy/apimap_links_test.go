package policy

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
)

// TestHandEntriesAreNeeded keeps the hand table to what the data does not
// say: every hand entry names the AWS documentation it follows and gives
// other actions than the same-named action or the Service Authorization
// Reference's links would.
func TestHandEntriesAreNeeded(t *testing.T) {
	cat := iamcatalog.Load()
	for _, k := range slices.Sorted(maps.Keys(apiRules)) {
		r := apiRules[k]
		if len(r.actions) == 0 {
			continue
		}
		t.Run(k, func(t *testing.T) {
			assert.NotEmpty(t, r.why, "a hand entry says which AWS documentation it follows")
			prefix, api, _ := strings.Cut(k, ":")
			var fromData []string
			if a, ok := cat.Lookup(k); ok {
				fromData = []string{a.Name}
			} else {
				fromData = cat.Linked(prefix, prefix, api)
			}
			assert.NotEqual(t, fromData, r.actions, "the data gives the same actions: remove the hand entry")
		})
	}
}

// TestOperationActionsFromData pins calls whose actions come from the
// Service Authorization Reference's links rather than from a hand entry.
func TestOperationActionsFromData(t *testing.T) {
	scope := Scope{Partition: "aws", Region: "us-east-1", Account: "111122223333"}
	for name, tc := range map[string]struct {
		service, api string
		want         []string
	}{
		"S3 ListObjectsV2 lists the bucket":                 {"s3", "ListObjectsV2", []string{"s3:ListBucket"}},
		"boto3 spelling":                                    {"s3", "list_objects_v2", []string{"s3:ListBucket"}},
		"S3 ListBuckets":                                    {"s3", "ListBuckets", []string{"s3:ListAllMyBuckets"}},
		"S3 GetBucketEncryption":                            {"s3", "GetBucketEncryption", []string{"s3:GetEncryptionConfiguration"}},
		"bucket public access block on S3":                  {"s3", "GetPublicAccessBlock", []string{"s3:GetBucketPublicAccessBlock"}},
		"account public access block on S3 Control":         {"s3control", "GetPublicAccessBlock", []string{"s3:GetAccountPublicAccessBlock"}},
		"S3 Control operation with a same-named action":     {"s3control", "CreateJob", []string{"s3:CreateJob"}},
		"KMS ReEncrypt needs both directions":               {"kms", "ReEncrypt", []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}},
		"Lambda Invoke":                                     {"lambda", "Invoke", []string{"lambda:InvokeFunction"}},
		"a same-named action wins over a link to its page":  {"iam", "AddClientIDToOpenIDConnectProvider", []string{"iam:AddClientIDToOpenIDConnectProvider"}},
		"a hand entry wins where the reference has no link": {"s3", "HeadObject", []string{"s3:GetObject"}},
	} {
		t.Run(name, func(t *testing.T) {
			reqs, err := ActionsForCall(tc.service, tc.api, map[string]any{}, scope)
			require.NoError(t, err)
			var got []string
			for _, r := range reqs {
				got = append(got, r.Action)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestOperationWithoutActionOrLink(t *testing.T) {
	_, err := ActionsForCall("s3", "NoSuchOperation", nil, Scope{Partition: "aws", Region: "us-east-1", Account: "111122223333"})
	require.ErrorIs(t, err, ErrUnknownCallAction)
	assert.Contains(t, err.Error(), "documents no action with it")
	assert.Contains(t, err.Error(), `APIActions["s3.NoSuchOperation"]`)
}
