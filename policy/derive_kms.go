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
// the resources its action table gives (opExtras).
func (d *deriver) apiExtras(name, act string, call runbook.APICall) {
	d.opExtras(name, act, call.ServiceName(), call.APIName(), call.Param)
}

// opExtras adds what a call of operation api of SDK client svc, from an
// aws:executeAwsApi step or a script, is authorized for beyond the
// resources its action table gives: the source snapshot of
// ec2:CreateVolume, the customer managed key that encrypts an EBS copy or
// a new volume or an S3 object, and the tags an RDS call copies.
func (d *deriver) opExtras(name, act, svc, api string, param paramFunc) {
	api = strings.ToLower(strings.ReplaceAll(api, "_", ""))
	switch prefix, _ := d.iamPrefix(svc); prefix {
	case "rds":
		d.rdsCopyTags(name, act, api, param)
	case "s3":
		d.s3Key(name, act, api, param)
	case "ec2":
		d.ec2Extras(name, act, api, param)
	}
}

// ec2Extras adds the source snapshot of ec2:CreateVolume and the customer
// managed key of an encrypted copy or volume.
func (d *deriver) ec2Extras(name, act, api string, param paramFunc) {
	switch api {
	case "createvolume":
		if v, ok := param("SnapshotId"); ok && !v.IsZero() {
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
	if v, ok := param("KmsKeyId"); ok {
		d.customerKey(name, act, v)
	}
}

// s3KeyOps are the S3 operations whose SSEKMSKeyId encrypts the object
// written with a customer managed key.
var s3KeyOps = map[string]bool{"putobject": true, "copyobject": true, "createmultipartupload": true}

// s3Key grants what writing an object encrypted with the customer managed
// key in SSEKMSKeyId needs: kms:GenerateDataKey for the object's data key
// and kms:Decrypt, which a multipart upload and a copy use to read it
// back, per the S3 SSE-KMS permissions.
func (d *deriver) s3Key(name, act, api string, param paramFunc) {
	if !s3KeyOps[api] {
		return
	}
	v, ok := param("SSEKMSKeyId")
	if !ok || isEmptyValue(v) {
		return
	}
	d.need(name, act, "encrypts the object with the customer managed key in SSEKMSKeyId",
		[]string{"kms:Decrypt", "kms:GenerateDataKey"}, d.keyARNs(name, "SSEKMSKeyId", v), nil)
}

// customerKey grants what EBS encryption with the customer managed key
// kmsKeyID needs, scoped to the key when its ID or ARN is fixed and to
// key/* of the account otherwise (an alias names no key in a policy).
func (d *deriver) customerKey(name, act string, kmsKeyID runbook.Value) {
	if isEmptyValue(kmsKeyID) {
		return
	}
	keys := d.keyARNs(name, "KmsKeyId", kmsKeyID)
	d.need(name, act, "encrypts with the customer managed key in KmsKeyId", ebsKeyActions, keys, nil)
	d.need(name, act, "lets EC2 create the grant EBS uses with the customer managed key", []string{"kms:CreateGrant"}, keys,
		Conditions{}.Add("Bool", "kms:GrantIsForAWSResource", Values("true")))
}

// keyARNs turns a KMS key given by ID, ARN or alias into the key ARNs a
// policy can name: the key's ARN when its ID or ARN is fixed, key/* of the
// account for an alias (which names no key in a policy) or a free value.
func (d *deriver) keyARNs(name, input string, v runbook.Value) []string {
	var keys []string
	for _, k := range d.values(v, name+"."+input) {
		switch {
		case strings.HasPrefix(k, "arn:") && strings.Contains(k, ":key/"):
			keys = append(keys, k)
		case strings.HasPrefix(k, "alias/") || strings.HasPrefix(k, "arn:"):
			d.note("%s: %s %q is an alias, so the KMS permissions cover every key of the account; give the key ID or ARN to scope them", name, input, k)
			keys = append(keys, d.scope.ARN("kms", "key/*"))
		default:
			keys = append(keys, d.scope.ARN("kms", "key/"+k))
		}
	}
	return keys
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
func (d *deriver) rdsCopyTags(name, act, api string, param paramFunc) {
	ct, ok := rdsCopyTags[api]
	if !ok {
		return
	}
	v, ok := param(ct.flag)
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
	if id, ok := param(ct.id); ok && ct.id != "" && !id.IsZero() {
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
