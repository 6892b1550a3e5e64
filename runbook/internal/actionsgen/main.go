// Command actionsgen writes actions_gen.go: the typed inputs of the
// Automation actions whose inputs are plain values, with their wire names,
// required inputs, allowed values and predefined outputs.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

type field struct {
	wire     string
	required bool
	enum     []string
	doc      string
	// kind is the input's wire shape (an inputKind constant of the
	// runbook package).
	kind string
}

// as sets the wire shape AWS expects for the input.
func (f field) as(kind string) field { f.kind = kind; return f }

// The wire shapes of inputs, named after the runbook package's constants.
const (
	str     = "kindString"
	strList = "kindStringList"
	integer = "kindInteger"
	boolean = "kindBoolean"
	mapKind = "kindMap"
	mapList = "kindMapList"
	anyKind = "kindAny"
)

type output struct{ name, typ string }

type action struct {
	goName  string
	wire    string
	doc     string
	fields  []field
	outputs []output
}

func f(wire string, doc string) field { return field{wire: wire, doc: doc, kind: str} }
func req(wire string, doc string) field {
	return field{wire: wire, required: true, doc: doc, kind: str}
}
func enum(wire, doc string, vs ...string) field {
	return field{wire: wire, enum: vs, doc: doc, kind: str}
}
func reqEnum(wire, doc string, vs ...string) field {
	return field{wire: wire, required: true, enum: vs, doc: doc, kind: str}
}

var actions = []action{
	{goName: "Approve", wire: "aws:approve", doc: "pauses the run until the designated principals approve or reject it",
		fields: []field{f("NotificationArn", "SNS topic notified of the request"), f("Message", "text sent with the request"),
			f("MinRequiredApprovals", "approvals needed to resume (default 1)").as(integer), req("Approvers", "IAM users, roles or groups (at most 10)").as(strList)},
		outputs: []output{{"ApprovalStatus", "String"}, {"ApproverDecisions", "MapList"}}},
	{goName: "ChangeInstanceState", wire: "aws:changeInstanceState", doc: "changes or asserts the state of EC2 instances",
		fields: []field{req("InstanceIds", "instances to change").as(strList), f("CheckStateOnly", "only wait for the state, change nothing").as(boolean),
			reqEnum("DesiredState", "state to reach", "running", "stopped", "terminated"), f("Force", "force a stop").as(boolean), f("AdditionalInfo", "reserved")}},
	{goName: "CopyImage", wire: "aws:copyImage", doc: "copies an AMI from any Region into the current Region",
		fields: []field{req("SourceImageId", "AMI to copy"), req("SourceRegion", "Region of the source AMI"), req("ImageName", "name of the new AMI"),
			f("ImageDescription", "description of the new AMI"), f("Encrypted", "encrypt the target snapshots").as(boolean), f("KmsKeyId", "KMS key for the target snapshots"), f("ClientToken", "idempotency token")},
		outputs: []output{{"ImageId", "String"}, {"ImageState", "String"}}},
	{goName: "CreateImage", wire: "aws:createImage", doc: "creates an AMI from an instance",
		fields: []field{req("InstanceId", "source instance"), req("ImageName", "name of the AMI"), f("ImageDescription", "description of the AMI"),
			f("NoReboot", "do not reboot the instance first").as(boolean), f("BlockDeviceMappings", "block devices of the AMI").as(anyKind)},
		outputs: []output{{"ImageId", "String"}, {"ImageState", "String"}}},
	{goName: "CreateStack", wire: "aws:createStack", doc: "creates a CloudFormation stack",
		fields: []field{enum("Capabilities", "capabilities to acknowledge", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND").as(strList),
			f("ClientRequestToken", "idempotency token"), f("DisableRollback", "keep the resources of a failed creation").as(boolean), f("NotificationARNs", "SNS topics for stack events").as(strList),
			enum("OnFailure", "action when creation fails", "DO_NOTHING", "ROLLBACK", "DELETE"), f("Parameters", "stack parameters").as(mapList),
			f("ResourceTypes", "resource types allowed").as(strList), f("RoleARN", "role CloudFormation assumes"), req("StackName", "name of the stack"),
			f("StackPolicyBody", "stack policy"), f("StackPolicyURL", "stack policy location"), f("Tags", "stack tags").as(mapList),
			f("TemplateBody", "template text"), f("TemplateURL", "template location"), f("TimeoutInMinutes", "creation timeout").as(integer)},
		outputs: []output{{"StackId", "String"}, {"StackStatus", "String"}, {"StackStatusReason", "String"}}},
	{goName: "CreateTags", wire: "aws:createTags", doc: "tags EC2 resources or Systems Manager managed instances",
		fields: []field{req("ResourceIds", "resources to tag").as(strList), req("Tags", "tags to apply").as(mapList),
			enum("ResourceType", "kind of the resources (default EC2)", "EC2", "ManagedInstance", "MaintenanceWindow", "Parameter")}},
	{goName: "DeleteImage", wire: "aws:deleteImage", doc: "deletes an AMI and its snapshots",
		fields: []field{req("ImageId", "AMI to delete")}},
	{goName: "DeleteStack", wire: "aws:deleteStack", doc: "deletes a CloudFormation stack",
		fields: []field{req("StackName", "stack to delete"), f("RoleARN", "role CloudFormation assumes"), f("RetainResources", "resources to keep").as(strList), f("ClientRequestToken", "idempotency token")}},
	{goName: "ExecuteAutomation", wire: "aws:executeAutomation", doc: "runs a child automation",
		fields: []field{req("DocumentName", "runbook to run"), f("DocumentVersion", "runbook version"), f("MaxConcurrency", "rate control concurrency"),
			f("MaxErrors", "rate control error threshold"), f("RuntimeParameters", "parameters of the child").as(mapKind), f("Tags", "tags of the child execution").as(mapList),
			f("TargetLocations", "accounts and Regions").as(mapList), f("TargetLocationsURL", "location of a target list"), f("TargetMaps", "parameter maps").as(mapList),
			f("TargetParameterName", "parameter that receives targets"), f("Targets", "targets").as(mapList)},
		outputs: []output{{"Output", "String"}, {"ExecutionId", "String"}, {"Status", "String"}}},
	{goName: "ExecuteScript", wire: "aws:executeScript", doc: "runs a Python or PowerShell script",
		fields: []field{reqEnum("Runtime", "script runtime", "python3.6", "python3.7", "python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "PowerShell Core 6.0", "PowerShell 7.0", "PowerShell 7.4"),
			req("Handler", "function to call"), f("InputPayload", "map passed to the handler").as(mapKind), f("Script", "inline script"), f("Attachment", "attached script file")},
		outputs: []output{{"OutputPayload", "StringMap"}}},
	{goName: "ExecuteStateMachine", wire: "aws:executeStateMachine", doc: "runs a Step Functions state machine",
		fields: []field{req("stateMachineArn", "state machine to run"), f("name", "execution name"), f("input", "execution input").as(anyKind)},
		outputs: []output{{"executionArn", "String"}, {"input", "String"}, {"name", "String"}, {"output", "String"},
			{"startDate", "String"}, {"stateMachineArn", "String"}, {"status", "String"}, {"stopDate", "String"}}},
	{goName: "InvokeLambdaFunction", wire: "aws:invokeLambdaFunction", doc: "invokes a Lambda function",
		fields: []field{req("FunctionName", "function to invoke"), f("Qualifier", "version or alias"),
			enum("InvocationType", "how to invoke", "Event", "RequestResponse", "DryRun"), enum("LogType", "log tail to return", "None", "Tail"),
			f("ClientContext", "client context"), f("Payload", "JSON payload").as(anyKind), f("InputPayload", "map turned into the payload").as(mapKind)},
		outputs: []output{{"StatusCode", "Integer"}, {"FunctionError", "String"}, {"LogResult", "String"}, {"Payload", "String"}}},
	{goName: "InvokeWebhook", wire: "aws:invokeWebhook", doc: "calls a webhook integration",
		fields:  []field{req("IntegrationName", "Systems Manager integration"), f("Body", "request body").as(anyKind)},
		outputs: []output{{"Response", "String"}, {"ResponseCode", "Integer"}}},
	{goName: "Pause", wire: "aws:pause", doc: "pauses until a Resume signal"},
	{goName: "RunCommand", wire: "aws:runCommand", doc: "runs a Command document on managed instances",
		fields: []field{req("DocumentName", "Command document"), f("InstanceIds", "instances").as(strList), f("Targets", "targets").as(mapList), f("Parameters", "document parameters").as(mapKind),
			f("CloudWatchOutputConfig", "CloudWatch output").as(mapKind), f("Comment", "comment"), f("DocumentHash", "document hash"),
			enum("DocumentHashType", "hash algorithm", "Sha256", "Sha1"), f("DocumentVersion", "document version"), f("NotificationConfig", "notifications").as(mapKind),
			f("OutputS3BucketName", "S3 output bucket"), f("OutputS3KeyPrefix", "S3 output prefix"), f("ServiceRoleArn", "role for notifications"),
			f("TimeoutSeconds", "delivery timeout").as(integer), f("MaxConcurrency", "concurrency"), f("MaxErrors", "error threshold")},
		outputs: []output{{"CommandId", "String"}, {"Status", "String"}, {"ResponseCode", "Integer"}, {"Output", "String"}}},
	{goName: "RunInstances", wire: "aws:runInstances", doc: "launches EC2 instances and waits until they run",
		fields: []field{f("AdditionalInfo", "reserved"), f("BlockDeviceMappings", "block devices").as(mapList), f("ClientToken", "idempotency token"),
			f("DisableApiTermination", "termination protection").as(boolean), f("EbsOptimized", "EBS optimization").as(boolean), f("IamInstanceProfileArn", "instance profile ARN"),
			f("IamInstanceProfileName", "instance profile name"), req("ImageId", "AMI to launch"), f("InstanceInitiatedShutdownBehavior", "stop or terminate on shutdown"),
			f("InstanceType", "instance type"), f("KernelId", "kernel"), f("KeyName", "key pair"), f("MaxInstanceCount", "most instances").as(integer),
			f("MetadataOptions", "instance metadata options").as(mapKind), f("MinInstanceCount", "fewest instances").as(integer), f("Monitoring", "detailed monitoring").as(boolean),
			f("NetworkInterfaces", "network interfaces").as(mapList), f("Placement", "placement").as(mapKind), f("PrivateIpAddress", "private address"), f("RamdiskId", "RAM disk"),
			f("SecurityGroupIds", "security group IDs").as(strList), f("SecurityGroups", "security group names").as(strList), f("SubnetId", "subnet"),
			f("TagSpecifications", "tags applied at launch").as(mapList), f("UserData", "user data")},
		outputs: []output{{"InstanceIds", "StringList"}}},
	{goName: "Sleep", wire: "aws:sleep", doc: "waits for a duration or until a timestamp",
		fields: []field{f("Duration", "ISO 8601 duration, at most 7 days"), f("Timestamp", "ISO 8601 instant to wait for")}},
	{goName: "UpdateVariable", wire: "aws:updateVariable", doc: "sets a document variable",
		fields: []field{req("Name", "variable to set, as variable:NAME"), req("Value", "new value").as(anyKind)}},
}

func main() {
	var b bytes.Buffer
	fmt.Fprintln(&b, "// Code generated by actionsgen; DO NOT EDIT.")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "package runbook")
	for _, a := range actions {
		fmt.Fprintf(&b, "\n// %s holds the inputs of %s, which %s.\n", a.goName, a.wire, a.doc)
		fmt.Fprintf(&b, "type %s struct {\n", a.goName)
		for _, fl := range a.fields {
			req := ""
			if fl.required {
				req = " Required."
			}
			enum := ""
			if len(fl.enum) > 0 {
				enum = " One of " + strings.Join(fl.enum, ", ") + "."
			}
			fmt.Fprintf(&b, "\t// %s is the %s input: %s.%s%s\n\t%s Value\n", goField(fl.wire), fl.wire, fl.doc, req, enum, goField(fl.wire))
		}
		fmt.Fprintf(&b, "\t// Unknown holds inputs the action does not define, kept verbatim.\n\tUnknown []Member\n}\n")
		fmt.Fprintf(&b, "\n// Action returns %q.\nfunc (%s) Action() string { return %q }\n", a.wire, a.goName, a.wire)
		fmt.Fprintf(&b, "\nfunc (%s) isInputs() {}\n", a.goName)
		// Members
		fmt.Fprintf(&b, "\n// Members returns the set inputs in wire order, unknown ones last.\nfunc (in %s) Members() []Member {\n", a.goName)
		// One allocation rather than a growing slice.
		fmt.Fprintf(&b, "\tms := in.appendMembers(make([]Member, 0, %d+len(in.Unknown)))\n", len(a.fields))
		fmt.Fprintf(&b, "\tif len(ms) == 0 {\n\t\treturn nil\n\t}\n\treturn ms\n}\n")
		// appendMembers: encoding and validation call it for every step
		// with a buffer they reuse.
		fmt.Fprintf(&b, "\nfunc (in %s) appendMembers(ms []Member) []Member {\n", a.goName)
		for _, fl := range a.fields {
			fmt.Fprintf(&b, "\tms = appendMember(ms, %q, in.%s)\n", fl.wire, goField(fl.wire))
		}
		fmt.Fprintf(&b, "\treturn append(ms, in.Unknown...)\n}\n")
		fmt.Fprintf(&b, "\nfunc (in %s) hasUnknown() bool { return in.Unknown != nil }\n", a.goName)
		// set
		fmt.Fprintf(&b, "\nfunc (in *%s) set(key string, v Value) error {\n\tswitch key {\n", a.goName)
		for _, fl := range a.fields {
			fmt.Fprintf(&b, "\tcase %q:\n\t\tin.%s = v\n", fl.wire, goField(fl.wire))
		}
		fmt.Fprintf(&b, "\tdefault:\n\t\tin.Unknown = append(in.Unknown, Member{Key: key, Value: v})\n\t}\n\treturn nil\n}\n")
	}
	// spec table
	fmt.Fprintf(&b, "\nfunc generatedSpecs() []actionSpec {\n\treturn []actionSpec{\n")
	for _, a := range actions {
		fmt.Fprintf(&b, "\t\t{name: %q, newInputs: func() settableInputs { return new(%s) }, inputs: []inputSpec{", a.wire, a.goName)
		for _, fl := range a.fields {
			fmt.Fprintf(&b, "{name: %q, required: %v, kind: %s", fl.wire, fl.required, fl.kind)
			if len(fl.enum) > 0 {
				fmt.Fprintf(&b, ", enum: %#v", fl.enum)
			}
			fmt.Fprintf(&b, "}, ")
		}
		fmt.Fprintf(&b, "}, outputs: []PredefinedOutput{")
		for _, o := range a.outputs {
			fmt.Fprintf(&b, "{Name: %q, Type: %q}, ", o.name, o.typ)
		}
		fmt.Fprintf(&b, "}},\n")
	}
	fmt.Fprintf(&b, "\t}\n}\n")
	fmt.Fprintf(&b, "\nfunc derefGenerated(in settableInputs) Inputs {\n\tswitch v := in.(type) {\n")
	for _, a := range actions {
		fmt.Fprintf(&b, "\tcase *%s:\n\t\treturn *v\n", a.goName)
	}
	fmt.Fprintf(&b, "\t}\n\treturn in\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("format: %v\n%s", err, b.Bytes())
	}
	if err := os.WriteFile("actions_gen.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func goField(wire string) string { return strings.ToUpper(wire[:1]) + wire[1:] }
