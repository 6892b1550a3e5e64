package policy

import (
	"strings"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// ebsKeyActions are the KMS actions a caller needs to encrypt EBS
// volumes and snapshots with a customer managed key, per the Amazon EBS
// encryption requirements; kms:CreateGrant is separate, limited to grants
// for AWS resources.
var ebsKeyActions = []string{"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"}

// apiExtras adds what an aws:executeAwsApi call is authorized for beyond
// the resources its action table gives: the source snapshot of
// ec2:CreateVolume and the customer managed key that encrypts a copy or a
// new volume.
func (d *deriver) apiExtras(name, act string, call runbook.APICall) {
	if !strings.EqualFold(call.ServiceName(), "ec2") {
		return
	}
	api := strings.ToLower(strings.ReplaceAll(call.APIName(), "_", ""))
	switch api {
	case "createvolume":
		if v, ok := call.Param("SnapshotId"); ok && !v.IsZero() {
			var res []string
			for _, id := range d.values(v, name+".inputs.SnapshotId") {
				if strings.HasPrefix(id, "arn:") {
					res = append(res, id)
				} else {
					res = append(res, d.snapshotARN(id))
				}
			}
			d.need(name, act, "creates the volume from the snapshot, which ec2:CreateVolume also authorizes", []string{"ec2:CreateVolume"}, res, nil)
		}
	case "copyimage", "copysnapshot":
	default:
		return
	}
	if v, ok := call.Param("KmsKeyId"); ok {
		d.customerKey(name, act, v)
	}
}

// customerKey grants what EBS encryption with the customer managed key
// kmsKeyID needs, scoped to the key when its ID or ARN is fixed and to
// key/* of the account otherwise (an alias names no key in a policy).
func (d *deriver) customerKey(name, act string, kmsKeyID runbook.Value) {
	if isEmptyValue(kmsKeyID) {
		return
	}
	var keys []string
	for _, k := range d.values(kmsKeyID, name+".KmsKeyId") {
		switch {
		case strings.HasPrefix(k, "arn:") && strings.Contains(k, ":key/"):
			keys = append(keys, k)
		case strings.HasPrefix(k, "alias/") || strings.HasPrefix(k, "arn:"):
			d.note("%s: KmsKeyId %q is an alias, so the KMS permissions cover every key of the account; give the key ID or ARN to scope them", name, k)
			keys = append(keys, d.scope.ARN("kms", "key/*"))
		default:
			keys = append(keys, d.scope.ARN("kms", "key/"+k))
		}
	}
	d.need(name, act, "encrypts with the customer managed key in KmsKeyId", ebsKeyActions, keys, nil)
	d.need(name, act, "lets EC2 create the grant EBS uses with the customer managed key", []string{"kms:CreateGrant"}, keys,
		Conditions{}.Add("Bool", "kms:GrantIsForAWSResource", Values("true")))
}
