package policy

import (
	"maps"
	"slices"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// serviceRenames maps SDK client names (Go and boto3 spellings, lower case)
// to IAM service prefixes where the two differ. A client name that is an
// IAM prefix itself needs no entry.
var serviceRenames = map[string]string{
	"stepfunctions": "states", "sfn": "states", "step-functions": "states",
	"elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing", "elasticloadbalancingv2": "elasticloadbalancing",
	"efs": "elasticfilesystem", "emr": "elasticmapreduce",
	"resourcegroupstaggingapi": "tag", "resource-groups-tagging-api": "tag", "resourcegroups": "resource-groups",
	"cloudwatchlogs": "logs", "cloudwatchevents": "events", "eventbridge": "events",
	"applicationautoscaling": "application-autoscaling", "costexplorer": "ce", "configservice": "config",
	"opensearch": "es", "opensearchservice": "es", "elasticsearchservice": "es", "elasticsearch": "es",
	"sesv2": "ses", "pinpoint": "mobiletargeting", "pinpoint-email": "ses", "dynamodbstreams": "dynamodb",
	"iot-data": "iot", "iotdataplane": "iot", "s3control": "s3", "apigatewayv2": "apigateway",
	"acmpca": "acm-pca", "sagemaker-runtime": "sagemaker", "sagemakerruntime": "sagemaker",
	"lex-models": "lex", "lex-runtime": "lex", "lexmodelsv2": "lex", "lexruntimev2": "lex", "lexv2-models": "lex", "lexv2-runtime": "lex",
	"kinesisanalyticsv2": "kinesisanalytics", "cloudhsmv2": "cloudhsm",
	"timestream-query": "timestream", "timestream-write": "timestream", "timestreamquery": "timestream", "timestreamwrite": "timestream",
	"directoryservice": "ds", "databasemigrationservice": "dms", "docdb": "rds", "neptune": "rds",
	"marketplace-catalog": "aws-marketplace", "marketplacecatalog": "aws-marketplace",
	"ssmincidents": "ssm-incidents", "ssmcontacts": "ssm-contacts", "ecrpublic": "ecr-public",
	"mediastore-data": "mediastore", "mediastoredata": "mediastore", "ssoadmin": "sso", "sso-admin": "sso",
	"kinesisvideo": "kinesisvideo", "cognitoidentityprovider": "cognito-idp", "cognito-identity-provider": "cognito-idp",
	"cognitoidentity": "cognito-identity", "secretsmanager": "secretsmanager", "acm": "acm",
	"autoscaling": "autoscaling", "auto-scaling": "autoscaling", "lambda": "lambda", "rdsdata": "rds-data",
}

// apiRule says what an API call needs where the IAM action is not simply
// "prefix:Api", and which hidden permissions it carries.
type apiRule struct {
	// actions replace the same-named action; empty with none set means
	// the same-named action, else the actions the Service Authorization
	// Reference documents with the operation.
	actions []string
	// why names the AWS documentation a hand entry of actions follows.
	why string
	// none marks calls that need no permission at all.
	none bool
	// passRole lists request parameters that carry a role handed to a
	// service, which needs iam:PassRole.
	passRole []passRoleParam
	// linkedRole is the service principal whose service-linked role the
	// call creates on first use, which needs iam:CreateServiceLinkedRole.
	linkedRole string
}

type passRoleParam struct {
	path    string // dotted parameter path, such as "IamInstanceProfile.Arn"
	service string // iam:PassedToService
	profile bool   // the value names an instance profile, not a role
}

// renamed is a hand entry for an operation the Service Authorization
// Reference does not map to its actions; why says where AWS documents it.
func renamed(why string, actions ...string) apiRule { return apiRule{actions: actions, why: why} }

// Why each hand entry is needed: the service documents the permission
// with the operation, and the reference links the action to another page
// or to none.
const (
	lambdaStream    = "Lambda's API reference: InvokeWithResponseStream needs lambda:InvokeFunction"
	s3ListV1        = "S3's API reference: ListObjects, like ListObjectsV2, needs s3:ListBucket; the reference links s3:ListBucket to ListObjectsV2 only"
	s3Head          = "S3's API reference: HeadObject needs s3:GetObject and HeadBucket needs s3:ListBucket"
	s3Select        = "S3's API reference: SelectObjectContent needs s3:GetObject"
	s3Attributes    = "S3's API reference: GetObjectAttributes needs s3:GetObject and s3:GetObjectAttributes"
	s3Copy          = "S3's API reference: a copy reads the source (s3:GetObject) and writes the target (s3:PutObject)"
	s3Multipart     = "S3's API reference: every step of a multipart upload needs s3:PutObject"
	s3DeleteObjects = "S3's API reference: DeleteObjects needs s3:DeleteObject for each key"
	s3Deprecated    = "S3's API reference: the deprecated lifecycle operations need the actions of the current ones"
	s3Notification  = "S3's API reference: the notification configuration operations need s3:GetBucketNotification and s3:PutBucketNotification, which the reference links to the deprecated pages"
	s3DeleteConfig  = "S3's API reference: deleting a bucket configuration needs the action that puts it"
	sqsBatch        = "SQS's developer guide: a batch call needs the permission of its single form"
)

func passes(service string, paths ...string) apiRule {
	r := apiRule{}
	for _, p := range paths {
		r.passRole = append(r.passRole, passRoleParam{path: p, service: service})
	}
	return r
}

// linking adds the service-linked role the call creates on first use.
func (r apiRule) linking(service string) apiRule {
	r.linkedRole = service
	return r
}

func passesProfile() apiRule {
	return apiRule{passRole: []passRoleParam{
		{path: "IamInstanceProfile.Arn", service: "ec2.amazonaws.com", profile: true},
		{path: "IamInstanceProfile.Name", service: "ec2.amazonaws.com", profile: true},
	}}
}

// apiRules is keyed by "prefix:api" in lower case.
var apiRules = map[string]apiRule{
	// Lambda.
	"lambda:invokewithresponsestream":    renamed(lambdaStream, "lambda:InvokeFunction"),
	"lambda:createfunction":              passes("lambda.amazonaws.com", "Role"),
	"lambda:updatefunctionconfiguration": passes("lambda.amazonaws.com", "Role"),
	// S3: the reference links most renamed operations (ListObjectsV2 to
	// s3:ListBucket); these are the ones it does not.
	"s3:listobjects":                        renamed(s3ListV1, "s3:ListBucket"),
	"s3:headobject":                         renamed(s3Head, "s3:GetObject"),
	"s3:headbucket":                         renamed(s3Head, "s3:ListBucket"),
	"s3:selectobjectcontent":                renamed(s3Select, "s3:GetObject"),
	"s3:getobjectattributes":                renamed(s3Attributes, "s3:GetObject", "s3:GetObjectAttributes"),
	"s3:copyobject":                         renamed(s3Copy, "s3:GetObject", "s3:PutObject"),
	"s3:uploadpartcopy":                     renamed(s3Copy, "s3:GetObject", "s3:PutObject"),
	"s3:createmultipartupload":              renamed(s3Multipart, "s3:PutObject"),
	"s3:uploadpart":                         renamed(s3Multipart, "s3:PutObject"),
	"s3:completemultipartupload":            renamed(s3Multipart, "s3:PutObject"),
	"s3:deleteobjects":                      renamed(s3DeleteObjects, "s3:DeleteObject"),
	"s3:getbucketlifecycle":                 renamed(s3Deprecated, "s3:GetLifecycleConfiguration"),
	"s3:putbucketlifecycle":                 renamed(s3Deprecated, "s3:PutLifecycleConfiguration"),
	"s3:getbucketnotificationconfiguration": renamed(s3Notification, "s3:GetBucketNotification"),
	"s3:putbucketnotificationconfiguration": renamed(s3Notification, "s3:PutBucketNotification"),
	"s3:deletebucketencryption":             renamed(s3DeleteConfig, "s3:PutEncryptionConfiguration"),
	"s3:deletebucketlifecycle":              renamed(s3DeleteConfig, "s3:PutLifecycleConfiguration"),
	"s3:deletebucketcors":                   renamed(s3DeleteConfig, "s3:PutBucketCORS"),
	"s3:deletepublicaccessblock":            renamed(s3DeleteConfig, "s3:PutBucketPublicAccessBlock"),
	"s3:deletebucketreplication":            renamed(s3DeleteConfig, "s3:PutReplicationConfiguration"),
	"s3:deletebuckettagging":                renamed(s3DeleteConfig, "s3:PutBucketTagging"),
	"s3:deletebucketownershipcontrols":      renamed(s3DeleteConfig, "s3:PutBucketOwnershipControls"),
	"sqs:sendmessagebatch":                  renamed(sqsBatch, "sqs:SendMessage"),
	"sqs:deletemessagebatch":                renamed(sqsBatch, "sqs:DeleteMessage"),
	"sqs:changemessagevisibilitybatch":      renamed(sqsBatch, "sqs:ChangeMessageVisibility"),
	// STS.
	"sts:getcalleridentity": {none: true},
	// Hidden iam:PassRole.
	"ec2:runinstances":                         passesProfile(),
	"ec2:associateiaminstanceprofile":          passesProfile(),
	"ec2:replaceiaminstanceprofileassociation": passesProfile(),
	"autoscaling:createlaunchconfiguration":    {passRole: []passRoleParam{{path: "IamInstanceProfile", service: "ec2.amazonaws.com", profile: true}}},
	"cloudformation:createstack":               passes("cloudformation.amazonaws.com", "RoleARN"),
	"cloudformation:updatestack":               passes("cloudformation.amazonaws.com", "RoleARN"),
	"cloudformation:deletestack":               passes("cloudformation.amazonaws.com", "RoleARN"),
	"cloudformation:createchangeset":           passes("cloudformation.amazonaws.com", "RoleARN"),
	"ssm:sendcommand":                          passes(SSMServicePrincipal, "ServiceRoleArn"),
	"ssm:startautomationexecution":             passes(SSMServicePrincipal, "Parameters.AutomationAssumeRole"),
	"ssm:registertaskwithmaintenancewindow":    passes(SSMServicePrincipal, "ServiceRoleArn"),
	"states:createstatemachine":                passes("states.amazonaws.com", "roleArn"),
	"states:updatestatemachine":                passes("states.amazonaws.com", "roleArn"),
	"eks:createcluster":                        passes("eks.amazonaws.com", "roleArn").linking("eks.amazonaws.com"),
	"eks:createnodegroup":                      passes("eks.amazonaws.com", "nodeRole").linking("eks-nodegroup.amazonaws.com"),
	// Hidden iam:CreateServiceLinkedRole on first use.
	"macie2:enablemacie":               {linkedRole: "macie.amazonaws.com"},
	"ecs:registertaskdefinition":       passes("ecs-tasks.amazonaws.com", "taskRoleArn", "executionRoleArn"),
	"glue:createjob":                   passes("glue.amazonaws.com", "Role"),
	"codebuild:createproject":          passes("codebuild.amazonaws.com", "serviceRole"),
	"sagemaker:createtrainingjob":      passes("sagemaker.amazonaws.com", "RoleArn"),
	"sagemaker:createnotebookinstance": passes("sagemaker.amazonaws.com", "RoleArn"),
	"events:putrule":                   passes("events.amazonaws.com", "RoleArn"),
	"events:puttargets":                passes("events.amazonaws.com", "Targets.RoleArn"),
	"scheduler:createschedule":         passes("scheduler.amazonaws.com", "Target.RoleArn"),
	"rds:createdbinstance":             passes("monitoring.rds.amazonaws.com", "MonitoringRoleArn"),
	"backup:startbackupjob":            passes("backup.amazonaws.com", "IamRoleArn"),
	"elasticmapreduce:runjobflow":      passes("elasticmapreduce.amazonaws.com", "ServiceRole"),
	"config:putconfigurationrecorder":  passes("config.amazonaws.com", "ConfigurationRecorder.roleARN"),
	"cloudtrail:createtrail":           passes("cloudtrail.amazonaws.com", "CloudWatchLogsRoleArn"),
	"batch:createcomputeenvironment":   passes("batch.amazonaws.com", "serviceRole"),
	"codepipeline:createpipeline":      passes("codepipeline.amazonaws.com", "pipeline.roleArn"),
	"ecs:runtask":                      passes("ecs-tasks.amazonaws.com", "overrides.taskRoleArn", "overrides.executionRoleArn"),
}

// resourceParams names, per "prefix/resource-type", the request parameters
// that identify the resource, so a literal value scopes the grant.
var resourceParams = map[string][]string{
	"ec2/instance":                 {"InstanceIds", "InstanceId"},
	"ec2/volume":                   {"VolumeId", "VolumeIds"},
	"ec2/snapshot":                 {"SnapshotId", "SnapshotIds"},
	"ec2/image":                    {"ImageId", "ImageIds"},
	"ec2/security-group":           {"GroupId", "GroupIds", "SecurityGroupIds"},
	"ec2/subnet":                   {"SubnetId", "SubnetIds"},
	"ec2/vpc":                      {"VpcId", "VpcIds"},
	"ec2/network-interface":        {"NetworkInterfaceId", "NetworkInterfaceIds"},
	"ec2/key-pair":                 {"KeyName"},
	"s3/bucket":                    {"Bucket"},
	"s3/object":                    {"Bucket"},
	"sqs/queue":                    {"QueueUrl"},
	"sns/topic":                    {"TopicArn"},
	"lambda/function":              {"FunctionName"},
	"states/statemachine":          {"stateMachineArn"},
	"states/execution":             {"executionArn"},
	"ssm/parameter":                {"Name", "Names"},
	"ssm/document":                 {"Name", "DocumentName"},
	"ssm/automation-execution":     {"AutomationExecutionId"},
	"cloudformation/stack":         {"StackName"},
	"dynamodb/table":               {"TableName"},
	"iam/role":                     {"RoleName"},
	"iam/instance-profile":         {"InstanceProfileName"},
	"iam/user":                     {"UserName"},
	"eks/cluster":                  {"name", "clusterName"},
	"logs/log-group":               {"logGroupName"},
	"kms/key":                      {"KeyId"},
	"secretsmanager/Secret":        {"SecretId"},
	"autoscaling/autoScalingGroup": {"AutoScalingGroupName", "AutoScalingGroupNames"},
	"rds/db":                       {"DBInstanceIdentifier"},
}

// iamPrefix maps an SDK client name to its IAM service prefix.
func (d *deriver) iamPrefix(service string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(service))
	if p, ok := serviceRenames[n]; ok {
		return p, true
	}
	if d.catalog.HasPrefix(n) {
		return n, true
	}
	if p, ok := serviceRenames[strings.ReplaceAll(n, "-", "")]; ok {
		return p, true
	}
	return "", false
}

// paramFunc looks up a request parameter of an API call by name.
type paramFunc func(name string) (runbook.Value, bool)

// apiCall derives the needs of aws:executeAwsApi,
// aws:waitForAwsResourceProperty and aws:assertAwsResourceProperty.
func (d *deriver) apiCall(name, act string, call runbook.APICall, verb string) {
	svc, api := call.ServiceName(), call.APIName()
	if svc == "" || api == "" {
		d.unresolved(name, act, "Service and Api must be literal to know the IAM action (got %s and %s)", call.Service, call.Api)
		return
	}
	d.operation(name, act, svc, api, call.Param, "", func(string) string { return verb + " " + svc + "." + api })
}

// operation derives the needs of one call of API operation api of SDK
// client svc: the IAM actions (APIActions, the rules, else the same-named
// action of the catalog), their resources from the request parameters, and
// the hidden iam:PassRole and ec2:CreateTags. where prefixes the details of
// what cannot be derived (a script line); reason words each need.
func (d *deriver) operation(name, act, svc, api string, param paramFunc, where string, reason func(action string) string) {
	prefix, rule, actions, ok := d.opActions(name, act, svc, api, where, reason)
	if !ok {
		return
	}
	for _, a := range actions {
		canon := a
		if info, ok := d.catalog.Lookup(a); ok {
			canon = info.Name
		} else {
			d.note("%s: %s is not in the IAM action catalog", name, a)
		}
		d.need(name, act, reason(canon), []string{canon}, d.apiResources(canon, param, name), nil)
	}
	if prefix == "ec2" && len(actions) > 0 {
		d.tagsAtCreation(name, act, api, actions[0], param)
	}
	if rule.linkedRole != "" {
		role := ARN{Partition: d.scope.partition(), Service: "iam", Account: d.scope.account(), Resource: "role/aws-service-role/" + rule.linkedRole + "/*"}.String()
		d.need(name, act, api+" creates the service-linked role of "+rule.linkedRole+" on first use", []string{"iam:CreateServiceLinkedRole"}, []string{role},
			Conditions{}.Add("StringEquals", "iam:AWSServiceName", Values(rule.linkedRole)))
	}
	for _, pr := range rule.passRole {
		d.passedRole(name, act, api, pr, param)
	}
}

// opActions picks the IAM actions of a call: the caller's APIActions entry,
// else the rule, else the same-named action of the catalog, else the
// actions the Service Authorization Reference documents with the
// operation. ok is false
// when the call needs no permission (its need is recorded) or its actions
// are unknown (it is unresolved).
func (d *deriver) opActions(name, act, svc, api, where string, reason func(string) string) (prefix string, rule apiRule, actions []string, ok bool) {
	apiKey := strings.ToLower(strings.ReplaceAll(api, "_", ""))
	override := false
	for _, k := range d.apiActionKeys() {
		if ks, ka, ok := strings.Cut(k, "."); ok && strings.EqualFold(ks, svc) && strings.EqualFold(strings.ReplaceAll(ka, "_", ""), apiKey) {
			actions, override = d.opts.APIActions[k], true
		}
	}
	prefix, known := d.iamPrefix(svc)
	if !override && !known {
		d.unresolved(name, act, "%sservice %q is not a known SDK client: supply the IAM actions with APIActions[%q]", where, svc, svc+"."+api)
		return "", apiRule{}, nil, false
	}
	rule = apiRules[prefix+":"+apiKey]
	if override {
		return prefix, rule, actions, true
	}
	switch {
	case rule.none:
		d.need(name, act, reason("")+", which needs no permission", nil, nil, nil)
		return prefix, rule, nil, false
	case len(rule.actions) > 0:
		return prefix, rule, rule.actions, true
	}
	if a, found := d.catalog.Lookup(prefix + ":" + apiKey); found {
		return prefix, rule, []string{a.Name}, true
	}
	if linked := d.catalog.Linked(prefix, svc, api); len(linked) > 0 {
		return prefix, rule, linked, true
	}
	d.unresolved(name, act, "%sno IAM action is known for %s.%s (%s:%s does not exist and the Service Authorization Reference documents no action with it): supply it with APIActions[%q]", where, svc, api, prefix, api, svc+"."+api)
	return prefix, rule, nil, false
}

// tagsAtCreation grants ec2:CreateTags on what an EC2 call creates when it
// tags it at creation (TagSpecifications), limited to that call by
// ec2:CreateAction.
func (d *deriver) tagsAtCreation(name, act, api, action string, param paramFunc) {
	tags, ok := param("TagSpecifications")
	if !ok || tags.IsZero() {
		return
	}
	info, _ := d.catalog.Lookup(action)
	var res []string
	for _, rt := range info.ResourceTypes {
		if rt.Required && rt.ARN != "" {
			res = append(res, d.fillARN(rt.ARN, "*", false))
		}
	}
	if len(res) == 0 {
		res = []string{"*"}
	}
	_, apiName, _ := strings.Cut(info.Name, ":")
	d.need(name, act, "tags the resources "+api+" creates", []string{"ec2:CreateTags"}, res,
		Conditions{}.Add("StringEquals", "ec2:CreateAction", Values(apiName)))
}

// passedRole grants iam:PassRole on the role a request parameter hands to
// a service.
func (d *deriver) passedRole(name, act, api string, pr passRoleParam, param paramFunc) {
	v, ok := paramPath(param, pr.path)
	if !ok || v.IsZero() {
		return
	}
	path := name + ".inputs." + pr.path
	var roles []string
	if !pr.profile {
		// A role ARN or name, narrowed like the roles of the dedicated
		// actions (literal, allowedValues, allowedPattern).
		roles = d.arnsOf(v, "iam", "role/", path)
	} else {
		for _, s := range d.values(v, path) {
			if r, ok := d.opts.InstanceProfileRoles[s]; ok {
				roles = append(roles, r)
				continue
			}
			roles = append(roles, d.scope.RoleARN("/", "*"))
			d.note("%s: the role behind instance profile %q is unknown, so iam:PassRole covers every role passed to EC2; name it with InstanceProfileRoles", name, s)
		}
	}
	d.passRole(name, act, api+" hands the role in "+pr.path+" to "+pr.service, roles, pr.service)
}

// apiActionKeys returns the keys of RunbookOptions.APIActions, sorted
// once per derivation so the last matching entry wins deterministically.
func (d *deriver) apiActionKeys() []string {
	if d.apiKeys == nil && len(d.opts.APIActions) > 0 {
		d.apiKeys = slices.Sorted(maps.Keys(d.opts.APIActions))
	}
	return d.apiKeys
}

func paramPath(param paramFunc, path string) (runbook.Value, bool) {
	parts := strings.Split(path, ".")
	v, ok := param(parts[0])
	for _, p := range parts[1:] {
		if !ok {
			break
		}
		v, ok = getPath(v, p)
	}
	return v, ok
}

// getPath is Value.Get that looks into every item of a list (the Targets
// of events PutTargets), collecting the members found.
func getPath(v runbook.Value, name string) (runbook.Value, bool) {
	if s, ok := v.AsString(); ok && s == "*" {
		// A value a script computes at run time may hold any member.
		return v, true
	}
	items, isList := v.AsList()
	if !isList {
		return v.Get(name)
	}
	var found []runbook.Value
	for _, it := range items {
		if m, ok := getPath(it, name); ok {
			found = append(found, m)
		}
	}
	return runbook.List(found...), len(found) > 0
}

// apiResources scopes an action of an API call: for each resource type the
// action requires, the ARN built from the identifying parameter when the
// call has one, otherwise the type's ARN pattern in the scope. Actions
// without required resource types are granted on "*".
func (d *deriver) apiResources(action string, param paramFunc, step string) []string {
	info, ok := d.catalog.Lookup(action)
	if !ok {
		return []string{"*"}
	}
	prefix, apiName, _ := strings.Cut(info.Name, ":")
	anyRegion := strings.HasPrefix(apiName, "Copy")
	// Without required types (S3 lists buckets and access points as
	// alternatives), an optional type named by a parameter scopes the call.
	anyRequired := false
	for _, rt := range info.ResourceTypes {
		anyRequired = anyRequired || rt.Required
	}
	var out []string
	for _, rt := range info.ResourceTypes {
		var ids []string
		for _, p := range resourceParams[prefix+"/"+rt.Name] {
			if v, ok := param(p); ok && !v.IsZero() {
				if prefix == "sns" && rt.Name == "topic" {
					// Narrowed by an allowedPattern like aws:approve's topic.
					ids = d.arnsOf(v, "sns", "", step+".inputs."+p)
				} else {
					ids = d.values(v, step+".inputs."+p)
				}
				break
			}
		}
		if !rt.Required && (anyRequired || len(ids) == 0) {
			continue
		}
		if rt.ARN == "" {
			return []string{"*"}
		}
		if len(ids) == 0 {
			out = append(out, d.fillARN(rt.ARN, "*", anyRegion))
			continue
		}
		for _, id := range ids {
			switch {
			case strings.HasPrefix(id, "arn:"):
				out = append(out, id)
			case rt.Name == "queue":
				out = append(out, d.fillARN(rt.ARN, id[strings.LastIndexByte(id, '/')+1:], anyRegion))
			case rt.Name == "parameter":
				out = append(out, d.fillARN(rt.ARN, strings.TrimPrefix(id, "/"), anyRegion))
			case rt.Name == "object":
				key := "*"
				if k, ok := param("Key"); ok && !k.IsZero() {
					key = d.values(k, step+".inputs.Key")[0]
				}
				out = append(out, strings.Replace(d.fillARN(rt.ARN, id, anyRegion), "/*", "/"+key, 1))
			default:
				out = append(out, d.fillARN(rt.ARN, id, anyRegion))
			}
		}
	}
	if len(out) == 0 {
		return []string{"*"}
	}
	return out
}

// fillARN fills a catalog ARN pattern: partition, Region and account from
// the scope, the first resource placeholder with id, the others with "*".
func (d *deriver) fillARN(pattern, id string, anyRegion bool) string {
	region := d.scope.region()
	if anyRegion {
		region = "*"
	}
	var b strings.Builder
	b.Grow(len(pattern) + len(id))
	first := true
	for {
		i := strings.Index(pattern, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(pattern[:i])
		switch pattern[i+2 : i+j] {
		case "Partition":
			b.WriteString(d.scope.partition())
		case "Region":
			b.WriteString(region)
		case "Account":
			b.WriteString(d.scope.account())
		default:
			if first {
				b.WriteString(id)
				first = false
			} else {
				b.WriteByte('*')
			}
		}
		pattern = pattern[i+j+1:]
	}
	b.WriteString(pattern)
	return b.String()
}
