package policy

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// grantedOn returns the resources the policy grants action on, and
// whether any of those statements carries a condition.
func grantedOn(d *Derived, action string) (res []string, conditioned bool) {
	for _, st := range d.Policy.Statement {
		if slices.Contains(st.Action.Values, action) {
			res = append(res, st.Resource.Values...)
			conditioned = conditioned || len(st.Condition) > 0
		}
	}
	slices.Sort(res)
	return res, conditioned
}

func TestForRunbookVolumeSnapshotAndCustomerKey(t *testing.T) {
	const keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/" + keyID
	const allKeys = "arn:aws:kms:us-east-1:111122223333:key/*"
	api := func(op, params string) string {
		return `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"ec2","Api":"` + op + `"` + params + `}}]`
	}
	tests := []struct {
		name         string
		params       string
		steps        string
		createVolume []string // resources of ec2:CreateVolume, when checked
		key          []string // resources of the KMS actions; nil: none granted
		notes        []string
	}{
		{name: "volume from a snapshot",
			steps:        api("CreateVolume", `,"AvailabilityZone":"us-east-1a","SnapshotId":"snap-1"`),
			createVolume: []string{"arn:aws:ec2:us-east-1:111122223333:volume/*", "arn:aws:ec2:us-east-1::snapshot/snap-1"}},
		{name: "volume from a referenced snapshot",
			params:       `{"Snap":{"type":"String"}}`,
			steps:        api("CreateVolume", `,"AvailabilityZone":"us-east-1a","SnapshotId":"{{ Snap }}"`),
			createVolume: []string{"arn:aws:ec2:us-east-1:111122223333:volume/*", "arn:aws:ec2:us-east-1::snapshot/*"}},
		{name: "empty volume",
			steps:        api("CreateVolume", `,"AvailabilityZone":"us-east-1a","Size":8`),
			createVolume: []string{"arn:aws:ec2:us-east-1:111122223333:volume/*"}},
		{name: "volume encrypted with a key ID",
			steps: api("CreateVolume", `,"AvailabilityZone":"us-east-1a","Size":8,"Encrypted":true,"KmsKeyId":"`+keyID+`"`),
			key:   []string{keyARN}},
		{name: "snapshot copy encrypted with a key ARN",
			steps: api("CopySnapshot", `,"SourceRegion":"us-west-2","SourceSnapshotId":"snap-1","Encrypted":true,"KmsKeyId":"`+keyARN+`"`),
			key:   []string{keyARN}},
		{name: "image copy with a key from a parameter",
			params: `{"Key":{"type":"String"}}`,
			steps:  api("CopyImage", `,"SourceRegion":"us-west-2","SourceImageId":"ami-1","Name":"n","Encrypted":true,"KmsKeyId":"{{ Key }}"`),
			key:    []string{allKeys}},
		{name: "aws:copyImage with an alias",
			steps: `[{"name":"a","action":"aws:copyImage","inputs":{"SourceImageId":"ami-1","SourceRegion":"us-west-2","ImageName":"n","Encrypted":true,"KmsKeyId":"alias/ebs"}}]`,
			key:   []string{allKeys},
			notes: []string{`a: KmsKeyId "alias/ebs" is an alias`}},
		{name: "aws:copyImage without a key",
			steps: `[{"name":"a","action":"aws:copyImage","inputs":{"SourceImageId":"ami-1","SourceRegion":"us-west-2","ImageName":"n"}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, tt.params, tt.steps), testScope)
			require.NoError(t, err)
			assertCatalogActions(t, d)
			if tt.createVolume != nil {
				got, _ := grantedOn(d, "ec2:CreateVolume")
				assert.Equal(t, tt.createVolume, got)
			}
			for _, a := range ebsKeyActions {
				got, conditioned := grantedOn(d, a)
				assert.Equal(t, tt.key, got, a)
				assert.False(t, conditioned, a)
			}
			got, conditioned := grantedOn(d, "kms:CreateGrant")
			assert.Equal(t, tt.key, got)
			assert.Equal(t, tt.key != nil, conditioned, "kms:CreateGrant is limited to grants for AWS resources")
			for _, n := range tt.notes {
				found := false
				for _, have := range d.Notes {
					found = found || len(have) >= len(n) && have[:len(n)] == n
				}
				assert.True(t, found, "note %q missing from %q", n, d.Notes)
			}
		})
	}
}

func TestForRunbookS3CustomerKey(t *testing.T) {
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	api := func(op, params string) string {
		return `[{"name":"a","action":"aws:executeAwsApi","inputs":{"Service":"s3","Api":"` + op + `","Bucket":"b","Key":"k"` + params + `}}]`
	}
	tests := []struct {
		name   string
		params string
		steps  string
		key    []string // resources of kms:GenerateDataKey and kms:Decrypt; nil: none
	}{
		{name: "put with a key ARN", steps: api("PutObject", `,"ServerSideEncryption":"aws:kms","SSEKMSKeyId":"`+keyARN+`"`), key: []string{keyARN}},
		{name: "copy with a key from a parameter", params: `{"Key":{"type":"String"}}`,
			steps: api("CopyObject", `,"CopySource":"src/k","SSEKMSKeyId":"{{ Key }}"`), key: []string{"arn:aws:kms:us-east-1:111122223333:key/*"}},
		{name: "multipart upload with a key ID", steps: api("CreateMultipartUpload", `,"SSEKMSKeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"`), key: []string{keyARN}},
		{name: "put with the S3 managed key", steps: api("PutObject", `,"ServerSideEncryption":"aws:kms"`)},
		{name: "read names no key", steps: api("GetObject", `,"SSEKMSKeyId":"`+keyARN+`"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ForRunbook(runbookJSON(t, tt.params, tt.steps), testScope)
			require.NoError(t, err)
			for _, a := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
				got, _ := grantedOn(d, a)
				assert.Equal(t, tt.key, got, a)
			}
		})
	}
}
