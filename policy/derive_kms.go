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
// ec2:CreateVolume, the customer managed key that encrypts a copy or a
// new volume, and the tags an RDS call copies.
func (d *deriver) apiExtras(name, act string, call runbook.APICall) {
	api := strings.ToLower(strings.ReplaceAll(call.APIName(), "_", ""))
	if prefix, _ := d.iamPrefix(call.ServiceName()); prefix == "rds" {
		d.rdsCopyTags(name, act, api, call)
		return
	}
	if !strings.EqualFold(call.ServiceName(), "ec2") {
		return
	}
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

// rdsCopyTag says which flag of an RDS call copies tags onto which
// snapshots: the one named by id (a parameter), or every snapshot of the
// type when id is empty (the snapshots RDS takes later).
type rdsCopyTag struct{ flag, typ, id string }

var rdsCopyTags = map[string]rdsCopyTag{
	"copydbsnapshot":                  {"CopyTags", "snapshot", "TargetDBSnapshotIdentifier"},
	"copydbclustersnapshot":           {"CopyTags", "cluster-snapshot", "TargetDBClusterSnapshotIdentifier"},
	"createdbinstance":                {"CopyTagsToSnapshot", "snapshot", ""},
	"modifydbinstance":                {"CopyTagsToSnapshot", "snapshot", ""},
	"restoredbinstancefromdbsnapshot": {"CopyTagsToSnapshot", "snapshot", ""},
	"restoredbinstancetopointintime":  {"CopyTagsToSnapshot", "snapshot", ""},
	"createdbcluster":                 {"CopyTagsToSnapshot", "cluster-snapshot", ""},
	"modifydbcluster":                 {"CopyTagsToSnapshot", "cluster-snapshot", ""},
	"restoredbclusterfromsnapshot":    {"CopyTagsToSnapshot", "cluster-snapshot", ""},
	"restoredbclustertopointintime":   {"CopyTagsToSnapshot", "cluster-snapshot", ""},
}

// rdsCopyTags grants rds:AddTagsToResource on the snapshots an RDS call
// copies tags onto: RDS tags them on the caller's behalf. A flag that is
// not literally false may be true at run time, so it counts.
func (d *deriver) rdsCopyTags(name, act, api string, call runbook.APICall) {
	ct, ok := rdsCopyTags[api]
	if !ok {
		return
	}
	v, ok := call.Param(ct.flag)
	if !ok || isEmptyValue(v) {
		return
	}
	if b, isBool := v.AsBool(); isBool && !b {
		return
	}
	if s, isStr := v.AsString(); isStr && strings.EqualFold(strings.TrimSpace(s), "false") {
		return
	}
	var res []string
	if id, ok := call.Param(ct.id); ok && ct.id != "" && !id.IsZero() {
		for _, s := range d.values(id, name+".inputs."+ct.id) {
			if strings.HasPrefix(s, "arn:") {
				res = append(res, s)
			} else {
				res = append(res, d.scope.ARN("rds", ct.typ+":"+s))
			}
		}
	} else {
		res = []string{d.scope.ARN("rds", ct.typ+":*")}
	}
	d.need(name, act, "copies tags onto the snapshots ("+ct.flag+")", []string{"rds:AddTagsToResource"}, res, nil)
}
