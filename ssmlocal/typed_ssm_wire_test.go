package ssmlocal_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// wireStep is one raw request of a scripted conversation.
type wireStep struct {
	name, service, target, body string
}

// moreVolatile are the parts of SSM, STS and simulator responses that
// differ from run to run, besides those normalize replaces.
var moreVolatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"(\w*(Time|Date))":\d+(\.\d+)?`), `"$1":EPOCH`},
	{regexp.MustCompile(`ASIA[A-Z2-7]{16}`), "ASIAID"},
	{regexp.MustCompile(`<SecretAccessKey>[^<]*</SecretAccessKey>`), "<SecretAccessKey>SECRET</SecretAccessKey>"},
	{regexp.MustCompile(`<SessionToken>[^<]*</SessionToken>`), "<SessionToken>TOKEN</SessionToken>"},
}

// converse sends each step in order and pins their responses together in
// one golden file.
func converse(t *testing.T, srv *ssmlocal.Server, file string, steps []wireStep) {
	t.Helper()
	var b strings.Builder
	for _, st := range steps {
		got := normalize(rawCall(t, srv, st.service, st.target, st.body))
		for _, v := range moreVolatile {
			got = v.re.ReplaceAllString(got, v.with)
		}
		b.WriteString("== " + st.name + "\n" + got)
	}
	golden(t, "wire/"+file+".txt", b.String())
}

func ssmStep(name, op, body string) wireStep {
	return wireStep{name: name, service: "ssm", target: "AmazonSSM." + op, body: body}
}

func jsonText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// TestWireSSMDocumentsAndTags pins the document, tag and sharing
// operations' responses, successes and refusals, byte for byte.
func TestWireSSMDocumentsAndTags(t *testing.T) {
	srv := newServer(t)
	doc := jsonText(sleepDoc)
	converse(t, srv, "ssm-documents", []wireStep{
		ssmStep("create", "CreateDocument", `{"Name":"Wire-Doc","DocumentType":"Automation","VersionName":"one","Content":`+doc+`}`),
		ssmStep("create yaml", "CreateDocument", `{"Name":"Wire-Yaml","DocumentType":"Automation","DocumentFormat":"YAML","TargetType":"/AWS::EC2::Instance","Content":`+jsonText(sleepYAML)+`,"Tags":[{"Key":"team","Value":"ops"}]}`),
		ssmStep("create again", "CreateDocument", `{"Name":"Wire-Doc","DocumentType":"Automation","Content":`+doc+`}`),
		ssmStep("create command", "CreateDocument", `{"Name":"Wire-Cmd","Content":`+doc+`}`),
		ssmStep("create bad type", "CreateDocument", `{"Name":"Wire-Cmd","DocumentType":"Nope","Content":`+doc+`}`),
		ssmStep("create reserved", "CreateDocument", `{"Name":"aws-Mine","DocumentType":"Automation","Content":`+doc+`}`),
		ssmStep("create bad name", "CreateDocument", `{"Name":"a b","DocumentType":"Automation","Content":`+doc+`}`),
		ssmStep("create no content", "CreateDocument", `{"Name":"Wire-Empty","DocumentType":"Automation"}`),
		ssmStep("create bad tag", "CreateDocument", `{"Name":"Wire-Tag","DocumentType":"Automation","Content":`+doc+`,"Tags":[{"Key":"aws:x","Value":"v"}]}`),
		ssmStep("create bad target type", "CreateDocument", `{"Name":"Wire-TT","DocumentType":"Automation","TargetType":"x","Content":`+doc+`}`),
		ssmStep("create text", "CreateDocument", `{"Name":"Wire-Text","DocumentType":"Automation","DocumentFormat":"TEXT","Content":`+doc+`}`),
		ssmStep("create bad version name", "CreateDocument", `{"Name":"Wire-VN","DocumentType":"Automation","VersionName":"a b","Content":`+doc+`}`),
		ssmStep("update", "UpdateDocument", `{"Name":"Wire-Doc","DocumentVersion":"$LATEST","VersionName":"two","Content":`+jsonText(sleepDocV2)+`}`),
		ssmStep("update duplicate", "UpdateDocument", `{"Name":"Wire-Doc","Content":`+jsonText(sleepDocV2)+`}`),
		ssmStep("update old version", "UpdateDocument", `{"Name":"Wire-Doc","DocumentVersion":"1","Content":`+doc+`}`),
		ssmStep("update aws", "UpdateDocument", `{"Name":"AWS-StartEC2Instance","Content":`+doc+`}`),
		ssmStep("update missing", "UpdateDocument", `{"Name":"Wire-None","Content":`+doc+`}`),
		ssmStep("get", "GetDocument", `{"Name":"Wire-Doc"}`),
		ssmStep("get latest yaml", "GetDocument", `{"Name":"Wire-Doc","DocumentVersion":"$LATEST","DocumentFormat":"YAML"}`),
		ssmStep("get by version name", "GetDocument", `{"Name":"Wire-Doc","VersionName":"two"}`),
		ssmStep("get by arn", "GetDocument", `{"Name":"arn:aws:ssm:us-east-1:123456789012:document/Wire-Yaml","DocumentFormat":"JSON"}`),
		ssmStep("get bad version", "GetDocument", `{"Name":"Wire-Doc","DocumentVersion":"7"}`),
		ssmStep("get bad version pattern", "GetDocument", `{"Name":"Wire-Doc","DocumentVersion":"x"}`),
		ssmStep("get no name", "GetDocument", `{}`),
		ssmStep("get wrong type", "GetDocument", `{"Name":7}`),
		ssmStep("describe", "DescribeDocument", `{"Name":"Wire-Doc","DocumentVersion":"2"}`),
		ssmStep("describe yaml", "DescribeDocument", `{"Name":"Wire-Yaml"}`),
		ssmStep("describe aws", "DescribeDocument", `{"Name":"AWS-StopEC2Instance"}`),
		ssmStep("default version", "UpdateDocumentDefaultVersion", `{"Name":"Wire-Doc","DocumentVersion":"2"}`),
		ssmStep("default version bad", "UpdateDocumentDefaultVersion", `{"Name":"Wire-Doc","DocumentVersion":"$LATEST"}`),
		ssmStep("default version aws", "UpdateDocumentDefaultVersion", `{"Name":"AWS-StopEC2Instance","DocumentVersion":"1"}`),
		ssmStep("versions", "ListDocumentVersions", `{"Name":"Wire-Doc"}`),
		ssmStep("versions page", "ListDocumentVersions", `{"Name":"Wire-Doc","MaxResults":1}`),
		ssmStep("versions next", "ListDocumentVersions", `{"Name":"Wire-Doc","MaxResults":1,"NextToken":"b2Zmc2V0OjE"}`),
		ssmStep("versions bad token", "ListDocumentVersions", `{"Name":"Wire-Doc","NextToken":"nope"}`),
		ssmStep("versions max", "ListDocumentVersions", `{"Name":"Wire-Doc","MaxResults":51}`),
		ssmStep("versions missing", "ListDocumentVersions", `{"Name":"Wire-None"}`),
		ssmStep("list self", "ListDocuments", `{"Filters":[{"Key":"Owner","Values":["Self"]}]}`),
		ssmStep("list legacy", "ListDocuments", `{"DocumentFilterList":[{"key":"Name","value":"Wire-Y"}]}`),
		ssmStep("list legacy upper", "ListDocuments", `{"DocumentFilterList":[{"Key":"Owner","Value":"Amazon"}],"MaxResults":2}`),
		ssmStep("list tag", "ListDocuments", `{"Filters":[{"Key":"tag:team","Values":["ops"]}]}`),
		ssmStep("list both", "ListDocuments", `{"Filters":[{"Key":"Owner","Values":["Self"]}],"DocumentFilterList":[{"key":"Name","value":"x"}]}`),
		ssmStep("list bad key", "ListDocuments", `{"Filters":[{"Key":"Colour","Values":["red"]}]}`),
		ssmStep("list max", "ListDocuments", `{"MaxResults":0}`),
		ssmStep("list none", "ListDocuments", `{"Filters":[{"Key":"Name","Values":["Zzz"]}]}`),
		ssmStep("tags empty", "ListTagsForResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc"}`),
		ssmStep("tag", "AddTagsToResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc","Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":""}]}`),
		ssmStep("tag no tags", "AddTagsToResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc"}`),
		ssmStep("tag reserved", "AddTagsToResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc","Tags":[{"Key":"AWS:x","Value":"1"}]}`),
		ssmStep("tag parameter", "AddTagsToResource", `{"ResourceType":"Parameter","ResourceId":"x","Tags":[{"Key":"a","Value":"1"}]}`),
		ssmStep("tag bad type", "AddTagsToResource", `{"ResourceType":"Thing","ResourceId":"x","Tags":[{"Key":"a","Value":"1"}]}`),
		ssmStep("tag no type", "AddTagsToResource", `{"ResourceId":"x","Tags":[{"Key":"a","Value":"1"}]}`),
		ssmStep("tag no id", "AddTagsToResource", `{"ResourceType":"Document","Tags":[{"Key":"a","Value":"1"}]}`),
		ssmStep("tag aws doc", "AddTagsToResource", `{"ResourceType":"Document","ResourceId":"AWS-StopEC2Instance","Tags":[{"Key":"a","Value":"1"}]}`),
		ssmStep("tags", "ListTagsForResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc"}`),
		ssmStep("untag", "RemoveTagsFromResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc","TagKeys":["a","zz"]}`),
		ssmStep("untag no keys", "RemoveTagsFromResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc"}`),
		ssmStep("tags after", "ListTagsForResource", `{"ResourceType":"Document","ResourceId":"Wire-Doc"}`),
		ssmStep("describe tagged", "DescribeDocument", `{"Name":"Wire-Doc"}`),
		ssmStep("shares empty", "DescribeDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share"}`),
		ssmStep("share", "ModifyDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share","AccountIdsToAdd":["111122223333","444455556666"],"SharedDocumentVersion":"2"}`),
		ssmStep("share all", "ModifyDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share","AccountIdsToAdd":["ALL"],"AccountIdsToRemove":["444455556666"]}`),
		ssmStep("share none", "ModifyDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share"}`),
		ssmStep("share bad id", "ModifyDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share","AccountIdsToRemove":["12"]}`),
		ssmStep("share bad version", "ModifyDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share","AccountIdsToAdd":["111122223333"],"SharedDocumentVersion":"9"}`),
		ssmStep("share bad pattern", "ModifyDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share","AccountIdsToAdd":["111122223333"],"SharedDocumentVersion":"v"}`),
		ssmStep("share bad permission", "ModifyDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Own","AccountIdsToAdd":["111122223333"]}`),
		ssmStep("shares", "DescribeDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share"}`),
		ssmStep("shares page", "DescribeDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share","MaxResults":1}`),
		ssmStep("shares max", "DescribeDocumentPermission", `{"Name":"Wire-Doc","PermissionType":"Share","MaxResults":201}`),
		ssmStep("shares no name", "DescribeDocumentPermission", `{"PermissionType":"Share"}`),
		ssmStep("delete shared", "DeleteDocument", `{"Name":"Wire-Doc"}`),
		ssmStep("delete default version", "DeleteDocument", `{"Name":"Wire-Doc","DocumentVersion":"2"}`),
		ssmStep("delete version", "DeleteDocument", `{"Name":"Wire-Doc","VersionName":"one"}`),
		ssmStep("delete aws", "DeleteDocument", `{"Name":"AWS-StopEC2Instance"}`),
		ssmStep("delete yaml", "DeleteDocument", `{"Name":"Wire-Yaml"}`),
		ssmStep("delete missing", "DeleteDocument", `{"Name":"Wire-Yaml"}`),
		ssmStep("versions after", "ListDocumentVersions", `{"Name":"Wire-Doc"}`),
	})
}

// TestWireSTSAndSimulator pins STS's and the policy simulator's
// responses, successes and refusals, byte for byte.
func TestWireSTSAndSimulator(t *testing.T) {
	srv := newServer(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]}`
	bound := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}}`
	q := func(name, action string, v url.Values) wireStep {
		svc, version := "iam", "2010-05-08"
		if strings.HasPrefix(action, "sts:") {
			svc, version = "sts", "2011-06-15"
		}
		v.Set("Action", strings.TrimPrefix(strings.TrimPrefix(action, "sts:"), "iam:"))
		v.Set("Version", version)
		return wireStep{name: name, service: svc, body: v.Encode()}
	}
	converse(t, srv, "sts-simulate", []wireStep{
		q("create role", "iam:CreateRole", url.Values{"RoleName": {"Wire"}, "AssumeRolePolicyDocument": {trust}}),
		q("role policy", "iam:PutRolePolicy", url.Values{"RoleName": {"Wire"}, "PolicyName": {"p"}, "PolicyDocument": {allow}}),
		q("caller", "sts:GetCallerIdentity", url.Values{}),
		q("assume", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Wire"}, "RoleSessionName": {"s-1"}, "DurationSeconds": {"900"}, "ExternalId": {"ext"}}),
		q("assume short arn", "sts:AssumeRole", url.Values{"RoleArn": {"arn:x"}, "RoleSessionName": {"s-1"}}),
		q("assume bad session", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Wire"}, "RoleSessionName": {"a b"}}),
		q("assume bad external id", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Wire"}, "RoleSessionName": {"s-1"}, "ExternalId": {"a b"}}),
		q("assume policy", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Wire"}, "RoleSessionName": {"s-1"}, "Policy": {allow}}),
		q("assume policy arns", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Wire"}, "RoleSessionName": {"s-1"}, "PolicyArns.member.1.arn": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}}),
		q("assume long", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Wire"}, "RoleSessionName": {"s-1"}, "DurationSeconds": {"43200"}}),
		q("assume bad duration", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Wire"}, "RoleSessionName": {"s-1"}, "DurationSeconds": {"ten"}}),
		q("assume missing", "sts:AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/Missing"}, "RoleSessionName": {"s-1"}}),
		q("custom", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "ActionNames.member.2": {"ec2:StartInstances"}}),
		q("custom resources", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "PermissionsBoundaryPolicyInputList.member.1": {bound},
			"ActionNames.member.1": {"ec2:StopInstances"}, "ActionNames.member.2": {"ec2:TerminateInstances"},
			"ResourceArns.member.1": {"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}, "ResourceArns.member.2": {"arn:aws:ec2:us-east-1:123456789012:instance/i-2"},
			"ContextEntries.member.1.ContextKeyName": {"aws:ResourceTag/env"}, "ContextEntries.member.1.ContextKeyType": {"string"}, "ContextEntries.member.1.ContextKeyValues.member.1": {"dev"}}),
		q("custom page", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "ActionNames.member.2": {"ec2:StartInstances"}, "MaxItems": {"1"}}),
		q("custom next", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "ActionNames.member.2": {"ec2:StartInstances"}, "MaxItems": {"1"}, "Marker": {"c2ltMToxOjFyNmZuZnNzc3prNnI"}}),
		q("custom bad marker", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "Marker": {"x"}}),
		q("custom resource policy", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"s3:GetObject"},
			"ResourcePolicy": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/u"},"Action":"s3:GetObject","Resource":"*"}]}`},
			"CallerArn":      {"arn:aws:iam::123456789012:user/u"}, "ResourceArns.member.1": {"arn:aws:s3:::b/k"}, "ResourceOwner": {"123456789012"}}),
		q("custom resource policy no caller", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"s3:GetObject"}, "ResourcePolicy": {allow}}),
		q("custom no policies", "iam:SimulateCustomPolicy", url.Values{"ActionNames.member.1": {"ec2:StopInstances"}}),
		q("custom no actions", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}}),
		q("custom wildcard", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:*"}}),
		q("custom bad policy", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {"{"}, "ActionNames.member.1": {"ec2:StopInstances"}}),
		q("custom bad arn", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "ResourceArns.member.1": {"nope"}}),
		q("custom bad caller", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "CallerArn": {"arn:aws:iam::123456789012:role/r"}}),
		q("custom bad owner", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "ResourceOwner": {"me"}}),
		q("custom bad items", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"}, "MaxItems": {"0"}}),
		q("custom no context type", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"},
			"ContextEntries.member.1.ContextKeyName": {"aws:ResourceTag/env"}, "ContextEntries.member.1.ContextKeyValues.member.1": {"dev"}}),
		q("custom bad context type", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"},
			"ContextEntries.member.1.ContextKeyName": {"aws:ResourceTag/env"}, "ContextEntries.member.1.ContextKeyType": {"colour"}}),
		q("custom twice context", "iam:SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allow}, "ActionNames.member.1": {"ec2:StopInstances"},
			"ContextEntries.member.1.ContextKeyName": {"aws:ResourceTag/env"}, "ContextEntries.member.1.ContextKeyType": {"string"},
			"ContextEntries.member.2.ContextKeyName": {"aws:resourcetag/env"}, "ContextEntries.member.2.ContextKeyType": {"string"}}),
		q("principal", "iam:SimulatePrincipalPolicy", url.Values{"PolicySourceArn": {"arn:aws:iam::123456789012:role/Wire"}, "ActionNames.member.1": {"ec2:StopInstances"},
			"PolicyInputList.member.1": {bound}}),
		q("principal missing", "iam:SimulatePrincipalPolicy", url.Values{"PolicySourceArn": {"arn:aws:iam::123456789012:role/Missing"}, "ActionNames.member.1": {"ec2:StopInstances"}}),
		q("principal no arn", "iam:SimulatePrincipalPolicy", url.Values{"ActionNames.member.1": {"ec2:StopInstances"}}),
		q("principal short arn", "iam:SimulatePrincipalPolicy", url.Values{"PolicySourceArn": {"arn:aws:iam::1"}, "ActionNames.member.1": {"ec2:StopInstances"}}),
		q("principal bad arn", "iam:SimulatePrincipalPolicy", url.Values{"PolicySourceArn": {"arn:aws:s3:::bucket-of-things"}, "ActionNames.member.1": {"ec2:StopInstances"}}),
		q("principal role resource policy", "iam:SimulatePrincipalPolicy", url.Values{"PolicySourceArn": {"arn:aws:iam::123456789012:role/Wire"}, "ActionNames.member.1": {"ec2:StopInstances"}, "ResourcePolicy": {allow}}),
	})
}

// TestWireAutomation pins the Automation operations' responses,
// successes and refusals, byte for byte.
func TestWireAutomation(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Unix(1767323045, 0)) })
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Wire-Sleep", sleepDoc)
	first := rawCall(t, srv, "ssm", "AmazonSSM.StartAutomationExecution", `{"DocumentName":"Wire-Sleep","Parameters":{"Seconds":["PT2S"]},"Tags":[{"Key":"k","Value":"v"}]}`)
	m := regexp.MustCompile(`"AutomationExecutionId":"([0-9a-f-]{36})"`).FindStringSubmatch(first)
	require.NotNil(t, m, first)
	id := m[1]
	waitDone(t, admin, id)
	missing := "00000000-0000-0000-0000-000000000000"
	converse(t, srv, "ssm-automation", []wireStep{
		ssmStep("get", "GetAutomationExecution", `{"AutomationExecutionId":"`+id+`"}`),
		ssmStep("get missing", "GetAutomationExecution", `{"AutomationExecutionId":"`+missing+`"}`),
		ssmStep("get short", "GetAutomationExecution", `{"AutomationExecutionId":"x"}`),
		ssmStep("get none", "GetAutomationExecution", `{}`),
		ssmStep("describe", "DescribeAutomationExecutions", `{"Filters":[{"Key":"DocumentNamePrefix","Values":["Wire-"]}]}`),
		ssmStep("describe nothing", "DescribeAutomationExecutions", `{"Filters":[{"Key":"DocumentNamePrefix","Values":["Zzz"]}]}`),
		ssmStep("describe bad key", "DescribeAutomationExecutions", `{"Filters":[{"Key":"Colour","Values":["red"]}]}`),
		ssmStep("describe no values", "DescribeAutomationExecutions", `{"Filters":[{"Key":"ExecutionId","Values":[]}]}`),
		ssmStep("describe max", "DescribeAutomationExecutions", `{"MaxResults":51}`),
		ssmStep("describe bad token", "DescribeAutomationExecutions", `{"NextToken":"x"}`),
		ssmStep("steps", "DescribeAutomationStepExecutions", `{"AutomationExecutionId":"`+id+`"}`),
		ssmStep("steps reverse", "DescribeAutomationStepExecutions", `{"AutomationExecutionId":"`+id+`","ReverseOrder":true,"MaxResults":1,"Filters":[{"Key":"StepName","Values":["wait"]}]}`),
		ssmStep("steps filtered out", "DescribeAutomationStepExecutions", `{"AutomationExecutionId":"`+id+`","Filters":[{"Key":"StepName","Values":["nope"]}]}`),
		ssmStep("steps bad key", "DescribeAutomationStepExecutions", `{"AutomationExecutionId":"`+id+`","Filters":[{"Key":"Colour","Values":["x"]}]}`),
		ssmStep("steps max", "DescribeAutomationStepExecutions", `{"AutomationExecutionId":"`+id+`","MaxResults":0}`),
		ssmStep("steps missing", "DescribeAutomationStepExecutions", `{"AutomationExecutionId":"`+missing+`"}`),
		ssmStep("stop done", "StopAutomationExecution", `{"AutomationExecutionId":"`+id+`"}`),
		ssmStep("stop bad type", "StopAutomationExecution", `{"AutomationExecutionId":"`+id+`","Type":"Pause"}`),
		ssmStep("stop missing", "StopAutomationExecution", `{"AutomationExecutionId":"`+missing+`","Type":"Complete"}`),
		ssmStep("signal done", "SendAutomationSignal", `{"AutomationExecutionId":"`+id+`","SignalType":"Approve","Payload":{"Comment":"ok"}}`),
		ssmStep("signal no type", "SendAutomationSignal", `{"AutomationExecutionId":"`+id+`"}`),
		ssmStep("signal bad type", "SendAutomationSignal", `{"AutomationExecutionId":"`+id+`","SignalType":"Wave"}`),
		ssmStep("signal missing", "SendAutomationSignal", `{"AutomationExecutionId":"`+missing+`","SignalType":"Resume"}`),
		ssmStep("start missing doc", "StartAutomationExecution", `{"DocumentName":"Wire-None"}`),
		ssmStep("start no doc", "StartAutomationExecution", `{}`),
		ssmStep("start bad version", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","DocumentVersion":"x"}`),
		ssmStep("start missing version", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","DocumentVersion":"4"}`),
		ssmStep("start bad token", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","ClientToken":"x"}`),
		ssmStep("start bad mode", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","Mode":"Fast"}`),
		ssmStep("start bad concurrency", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","MaxConcurrency":"0"}`),
		ssmStep("start targets without name", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","Targets":[{"Key":"tag:a","Values":["b"]}]}`),
		ssmStep("start unknown parameter", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","Parameters":{"Nope":["x"]}}`),
		ssmStep("start scalar parameter", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","Parameters":{"Seconds":"PT1S"},"Mode":"Interactive"}`),
		ssmStep("start number parameter", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","Parameters":{"Seconds":5}}`),
		ssmStep("start alarm", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","AlarmConfiguration":{"Alarms":[{"Name":"a"}]}}`),
		ssmStep("start wrong type", "StartAutomationExecution", `{"DocumentName":"Wire-Sleep","Tags":"x"}`),
	})
}
