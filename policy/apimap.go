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
	// the same-named action.
	actions []string
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

func renamed(actions ...string) apiRule { return apiRule{actions: actions} }

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
	"lambda:invoke":                      renamed("lambda:InvokeFunction"),
	"lambda:invokewithresponsestream":    renamed("lambda:InvokeFunction"),
	"lambda:createfunction":              passes("lambda.amazonaws.com", "Role"),
	"lambda:updatefunctionconfiguration": passes("lambda.amazonaws.com", "Role"),
	// S3: many operations are authorized under older action names.
	"s3:listobjectsv2":                            renamed("s3:ListBucket"),
	"s3:listobjects":                              renamed("s3:ListBucket"),
	"s3:listobjectversions":                       renamed("s3:ListBucketVersions"),
	"s3:headobject":                               renamed("s3:GetObject"),
	"s3:headbucket":                               renamed("s3:ListBucket"),
	"s3:listbuckets":                              renamed("s3:ListAllMyBuckets"),
	"s3:getbucketencryption":                      renamed("s3:GetEncryptionConfiguration"),
	"s3:putbucketencryption":                      renamed("s3:PutEncryptionConfiguration"),
	"s3:deletebucketencryption":                   renamed("s3:PutEncryptionConfiguration"),
	"s3:getbucketlifecycleconfiguration":          renamed("s3:GetLifecycleConfiguration"),
	"s3:getbucketlifecycle":                       renamed("s3:GetLifecycleConfiguration"),
	"s3:putbucketlifecycleconfiguration":          renamed("s3:PutLifecycleConfiguration"),
	"s3:putbucketlifecycle":                       renamed("s3:PutLifecycleConfiguration"),
	"s3:deletebucketlifecycle":                    renamed("s3:PutLifecycleConfiguration"),
	"s3:copyobject":                               renamed("s3:GetObject", "s3:PutObject"),
	"s3:uploadpartcopy":                           renamed("s3:GetObject", "s3:PutObject"),
	"s3:deleteobjects":                            renamed("s3:DeleteObject"),
	"s3:createmultipartupload":                    renamed("s3:PutObject"),
	"s3:uploadpart":                               renamed("s3:PutObject"),
	"s3:completemultipartupload":                  renamed("s3:PutObject"),
	"s3:getbucketcors":                            renamed("s3:GetBucketCORS"),
	"s3:putbucketcors":                            renamed("s3:PutBucketCORS"),
	"s3:deletebucketcors":                         renamed("s3:PutBucketCORS"),
	"s3:getpublicaccessblock":                     renamed("s3:GetBucketPublicAccessBlock"),
	"s3:putpublicaccessblock":                     renamed("s3:PutBucketPublicAccessBlock"),
	"s3:deletepublicaccessblock":                  renamed("s3:PutBucketPublicAccessBlock"),
	"s3:getbucketreplication":                     renamed("s3:GetReplicationConfiguration"),
	"s3:putbucketreplication":                     renamed("s3:PutReplicationConfiguration"),
	"s3:deletebucketreplication":                  renamed("s3:PutReplicationConfiguration"),
	"s3:getbucketnotificationconfiguration":       renamed("s3:GetBucketNotification"),
	"s3:putbucketnotificationconfiguration":       renamed("s3:PutBucketNotification"),
	"s3:getbucketaccelerateconfiguration":         renamed("s3:GetAccelerateConfiguration"),
	"s3:putbucketaccelerateconfiguration":         renamed("s3:PutAccelerateConfiguration"),
	"s3:getbucketanalyticsconfiguration":          renamed("s3:GetAnalyticsConfiguration"),
	"s3:getbucketmetricsconfiguration":            renamed("s3:GetMetricsConfiguration"),
	"s3:getbucketinventoryconfiguration":          renamed("s3:GetInventoryConfiguration"),
	"s3:getbucketintelligenttieringconfiguration": renamed("s3:GetIntelligentTieringConfiguration"),
	"s3:deletebuckettagging":                      renamed("s3:PutBucketTagging"),
	"s3:deletebucketownershipcontrols":            renamed("s3:PutBucketOwnershipControls"),
	"s3:getobjectattributes":                      renamed("s3:GetObject", "s3:GetObjectAttributes"),
	"s3:selectobjectcontent":                      renamed("s3:GetObject"),
	// SQS batch calls are authorized as their single forms.
	"sqs:sendmessagebatch":             renamed("sqs:SendMessage"),
	"sqs:deletemessagebatch":           renamed("sqs:DeleteMessage"),
	"sqs:changemessagevisibilitybatch": renamed("sqs:ChangeMessageVisibility"),
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
// else the rule, else the same-named action of the catalog. ok is false
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
	a, found := d.catalog.Lookup(prefix + ":" + apiKey)
	if !found {
		d.unresolved(name, act, "%sno IAM action is known for %s.%s (%s:%s does not exist): supply it with APIActions[%q]", where, svc, api, prefix, api, svc+"."+api)
		return prefix, rule, nil, false
	}
	return prefix, rule, []string{a.Name}, true
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
