package policy

import (
	"strconv"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/botomodel"
	"github.com/ssmdelegate/ssmdelegate/policy/internal/pyscan"
)

// clientHelpers are boto3 client methods that are not API operations, by
// "client.method", with the operations they make. An empty list makes no
// call.
var clientHelpers = map[string][]string{
	// The S3 transfer manager uploads in one request or in parts, and
	// downloads with ranged gets; both are authorized as s3:PutObject
	// and s3:GetObject.
	"s3.upload_file":      {"PutObject"},
	"s3.upload_fileobj":   {"PutObject"},
	"s3.download_file":    {"GetObject"},
	"s3.download_fileobj": {"GetObject"},
	"s3.copy":             {"CopyObject"},
	// Signing happens locally; whoever uses the URL acts with the role's
	// permissions, which the URL's operation must then be granted.
	"s3.generate_presigned_url":  nil,
	"s3.generate_presigned_post": nil,
}

// resourceActions maps boto3 resource methods, by "client.Type.method"
// (Type empty for the service resource, the collection name for
// collections), to the operations they make, where the method is not
// named after its operation. "load" is the read that fills a
// sub-resource's attributes.
var resourceActions = map[string][]string{
	"ec2..create_instances":               {"RunInstances"},
	"ec2.Instance.load":                   {"DescribeInstances"},
	"ec2.Instance.start":                  {"StartInstances"},
	"ec2.Instance.stop":                   {"StopInstances"},
	"ec2.Instance.terminate":              {"TerminateInstances"},
	"ec2.Instance.reboot":                 {"RebootInstances"},
	"ec2.Instance.monitor":                {"MonitorInstances"},
	"ec2.Instance.unmonitor":              {"UnmonitorInstances"},
	"ec2.Instance.modify_attribute":       {"ModifyInstanceAttribute"},
	"ec2.Instance.describe_attribute":     {"DescribeInstanceAttribute"},
	"ec2.Instance.attach_volume":          {"AttachVolume"},
	"ec2.Instance.detach_volume":          {"DetachVolume"},
	"ec2.Instance.wait_until_running":     {"DescribeInstances"},
	"ec2.Instance.wait_until_stopped":     {"DescribeInstances"},
	"ec2.Instance.wait_until_terminated":  {"DescribeInstances"},
	"ec2.Instance.wait_until_exists":      {"DescribeInstances"},
	"ec2.Instance.reload":                 {"DescribeInstances"},
	"ec2.Volume.load":                     {"DescribeVolumes"},
	"ec2.Volume.delete":                   {"DeleteVolume"},
	"ec2.Volume.attach_to_instance":       {"AttachVolume"},
	"ec2.Volume.detach_from_instance":     {"DetachVolume"},
	"ec2.Snapshot.load":                   {"DescribeSnapshots"},
	"ec2.Snapshot.delete":                 {"DeleteSnapshot"},
	"ec2.Snapshot.copy":                   {"CopySnapshot"},
	"ec2.Image.load":                      {"DescribeImages"},
	"ec2.Image.deregister":                {"DeregisterImage"},
	"ec2.SecurityGroup.load":              {"DescribeSecurityGroups"},
	"ec2.SecurityGroup.delete":            {"DeleteSecurityGroup"},
	"ec2.SecurityGroup.authorize_ingress": {"AuthorizeSecurityGroupIngress"},
	"ec2.SecurityGroup.revoke_ingress":    {"RevokeSecurityGroupIngress"},
	"ec2.SecurityGroup.authorize_egress":  {"AuthorizeSecurityGroupEgress"},
	"ec2.SecurityGroup.revoke_egress":     {"RevokeSecurityGroupEgress"},
	"ec2.Vpc.load":                        {"DescribeVpcs"},
	"ec2.Subnet.load":                     {"DescribeSubnets"},
	"ec2.instances.*":                     {"DescribeInstances"},
	"ec2.instances.start":                 {"StartInstances"},
	"ec2.instances.stop":                  {"StopInstances"},
	"ec2.instances.terminate":             {"TerminateInstances"},
	"ec2.instances.reboot":                {"RebootInstances"},
	"ec2.instances.create_tags":           {"CreateTags"},
	"ec2.volumes.*":                       {"DescribeVolumes"},
	"ec2.snapshots.*":                     {"DescribeSnapshots"},
	"ec2.images.*":                        {"DescribeImages"},
	"ec2.security_groups.*":               {"DescribeSecurityGroups"},
	"ec2.vpcs.*":                          {"DescribeVpcs"},
	"ec2.subnets.*":                       {"DescribeSubnets"},
	// A Bucket resource loads lazily from ListBuckets only for
	// creation_date; constructing one makes no call.
	"s3.Bucket.load":              nil,
	"s3.Bucket.create":            {"CreateBucket"},
	"s3.Bucket.delete":            {"DeleteBucket"},
	"s3.Bucket.upload_file":       {"PutObject"},
	"s3.Bucket.upload_fileobj":    {"PutObject"},
	"s3.Bucket.download_file":     {"GetObject"},
	"s3.Bucket.download_fileobj":  {"GetObject"},
	"s3.Bucket.copy":              {"CopyObject"},
	"s3.Object.load":              {"HeadObject"},
	"s3.Object.get":               {"GetObject"},
	"s3.Object.put":               {"PutObject"},
	"s3.Object.delete":            {"DeleteObject"},
	"s3.Object.copy_from":         {"CopyObject"},
	"s3.Object.upload_file":       {"PutObject"},
	"s3.Object.download_file":     {"GetObject"},
	"s3.ObjectSummary.get":        {"GetObject"},
	"s3.ObjectSummary.put":        {"PutObject"},
	"s3.ObjectSummary.delete":     {"DeleteObject"},
	"s3.buckets.*":                {"ListBuckets"},
	"s3.objects.*":                {"ListObjects"},
	"s3.objects.delete":           {"DeleteObjects"},
	"dynamodb.Table.load":         {"DescribeTable"},
	"dynamodb.Table.delete":       {"DeleteTable"},
	"dynamodb.Table.batch_writer": {"BatchWriteItem"},
	"dynamodb.tables.*":           {"ListTables"},
	"sqs..get_queue_by_name":      {"GetQueueUrl"},
	"sqs.Queue.load":              {"GetQueueAttributes"},
	"sqs.Queue.send_messages":     {"SendMessageBatch"},
	"sqs.Queue.receive_messages":  {"ReceiveMessage"},
	"sqs.Queue.delete_messages":   {"DeleteMessageBatch"},
	"sqs.Queue.delete":            {"DeleteQueue"},
	"sqs.Queue.purge":             {"PurgeQueue"},
	"sns.Topic.load":              {"GetTopicAttributes"},
	"iam.Role.load":               {"GetRole"},
	"iam.User.load":               {"GetUser"},
}

// resourceIdentifiers names, per "client.Type", the request parameters
// that the sub-resource's identifiers (its constructor's arguments) fill.
var resourceIdentifiers = map[string][]string{
	"ec2.Instance":      {"InstanceId"},
	"ec2.Volume":        {"VolumeId"},
	"ec2.Snapshot":      {"SnapshotId"},
	"ec2.Image":         {"ImageId"},
	"ec2.SecurityGroup": {"GroupId"},
	"ec2.Vpc":           {"VpcId"},
	"ec2.Subnet":        {"SubnetId"},
	"s3.Bucket":         {"Bucket"},
	"s3.Object":         {"Bucket", "Key"},
	"s3.ObjectSummary":  {"Bucket", "Key"},
	"dynamodb.Table":    {"TableName"},
	"sqs.Queue":         {"QueueUrl"},
	"sns.Topic":         {"TopicArn"},
	"iam.Role":          {"RoleName"},
	"iam.User":          {"UserName"},
}

// identifierArg returns the constructor argument of c's sub-resource that
// fills request parameter p.
func identifierArg(c pyscan.Call, p string) (pyscan.Arg, bool) {
	typ, _, _ := strings.Cut(c.Type, ".")
	for i, name := range resourceIdentifiers[c.Client+"."+typ] {
		if name == p {
			arg, ok := c.Args["$"+strconv.Itoa(i)]
			return arg, ok
		}
	}
	return pyscan.Arg{}, false
}

// resourceOperations maps a resource call to its operations: the table,
// else a method named after an operation of the service (Table.get_item
// is GetItem). ok is false when neither knows it.
func resourceOperations(models *botomodel.Models, c pyscan.Call) (ops []string, ok bool) {
	typ := c.Type
	name := c.Name
	if i := strings.LastIndexByte(typ, '.'); i >= 0 || (typ != "" && !isUpperName(typ)) {
		// A collection: key by its name; all, filter, limit and
		// page_size list it.
		typ = typ[i+1:]
		if name == "all" || name == "filter" || name == "limit" || name == "page_size" {
			name = "*"
		}
	}
	if ops, ok := resourceActions[c.Client+"."+typ+"."+name]; ok {
		return ops, true
	}
	if name == "*" || name == "load" {
		return nil, false
	}
	if op, ok := models.Operation(c.Client, name); ok {
		return []string{op}, true
	}
	return nil, false
}

func isUpperName(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }
