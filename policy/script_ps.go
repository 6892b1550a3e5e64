package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/psscan"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// psCmdlet is what an AWS Tools for PowerShell cmdlet calls: the SDK
// client and the API operations.
type psCmdlet struct {
	service string
	ops     []string
}

// psCmdlets maps AWS Tools for PowerShell cmdlets, in lower case, to the
// operations they call. Each entry is the operation its reference page
// names ("Calls the Amazon Elastic Compute Cloud (EC2) DescribeInstances
// API operation", https://docs.aws.amazon.com/powershell/latest/reference/items/CMDLET.html)
// and the Operation list of the cmdlet's AWSCmdlet attribute in
// github.com/aws/aws-tools-for-powershell, both checked on 2026-12-01.
// Operation names are the service API's (S3 InitiateMultipartUpload is
// CreateMultipartUpload). Cmdlets not listed are not guessed.
var psCmdlets = map[string]psCmdlet{
	"get-ec2instance":              {"ec2", []string{"DescribeInstances"}},
	"start-ec2instance":            {"ec2", []string{"StartInstances"}},
	"stop-ec2instance":             {"ec2", []string{"StopInstances"}},
	"remove-ec2instance":           {"ec2", []string{"TerminateInstances"}},
	"get-ec2instancestatus":        {"ec2", []string{"DescribeInstanceStatus"}},
	"new-ec2snapshot":              {"ec2", []string{"CreateSnapshot"}},
	"copy-ec2snapshot":             {"ec2", []string{"CopySnapshot"}},
	"get-ec2snapshot":              {"ec2", []string{"DescribeSnapshots"}},
	"new-ec2image":                 {"ec2", []string{"CreateImage"}},
	"copy-ec2image":                {"ec2", []string{"CopyImage"}},
	"get-ec2image":                 {"ec2", []string{"DescribeImages"}},
	"get-ec2volume":                {"ec2", []string{"DescribeVolumes"}},
	"new-ec2volume":                {"ec2", []string{"CreateVolume"}},
	"get-ssmparameter":             {"ssm", []string{"GetParameter"}},
	"get-ssmparametervalue":        {"ssm", []string{"GetParameters"}},
	"get-ssmparametersbypath":      {"ssm", []string{"GetParametersByPath"}},
	"write-ssmparameter":           {"ssm", []string{"PutParameter"}},
	"send-ssmcommand":              {"ssm", []string{"SendCommand"}},
	"start-ssmautomationexecution": {"ssm", []string{"StartAutomationExecution"}},
	"get-s3bucket":                 {"s3", []string{"ListBuckets"}},
	"get-s3object":                 {"s3", []string{"ListObjects"}},
	// Read-S3Object names GetObject; with -KeyPrefix or -Folder it
	// downloads every object under the prefix, which lists the bucket
	// first.
	"read-s3object":         {"s3", []string{"GetObject", "ListObjects"}},
	"write-s3object":        {"s3", []string{"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}},
	"remove-s3object":       {"s3", []string{"DeleteObject", "DeleteObjects"}},
	"copy-s3object":         {"s3", []string{"CopyObject", "GetObject"}},
	"get-stscalleridentity": {"sts", []string{"GetCallerIdentity"}},
	"publish-snsmessage":    {"sns", []string{"Publish"}},
	"invoke-lmfunction":     {"lambda", []string{"Invoke"}},
}

// psParamRenames maps cmdlet parameter names, in lower case, to the
// request parameters they fill where the two differ.
var psParamRenames = map[string]string{
	"bucketname": "Bucket",
	"parameter":  "Parameters",
	"serversideencryptionkeymanagementservicekeyid": "SSEKMSKeyId",
}

// psLocalCmdlets are AWS Tools cmdlets that configure the session and
// call no AWS API.
var psLocalCmdlets = map[string]bool{
	"set-awscredential": true, "initialize-awsdefaultconfiguration": true, "set-defaultawsregion": true,
	"get-awsregion": true, "get-awscredential": true, "clear-awscredential": true, "clear-defaultawsregion": true,
}

// psBuiltins are PowerShell's own commands and aliases that a script
// uses without calling AWS: output, objects, text, JSON, time, modules.
var psBuiltins = wordSet(`write-output write-host write-error write-warning write-verbose write-debug write-information
		write-progress out-null out-string out-host out-default format-table format-list format-wide
		select-object where-object foreach-object sort-object group-object measure-object compare-object
		get-member add-member new-object tee-object convertto-json convertfrom-json convertto-csv convertfrom-csv
		convertto-securestring convertfrom-securestring convertfrom-stringdata
		get-date start-sleep get-random new-guid get-variable set-variable new-variable remove-variable clear-variable
		import-module get-module remove-module get-command test-path join-path split-path resolve-path
		get-content set-content add-content get-item get-childitem new-item remove-item copy-item move-item
		get-location set-location push-location pop-location out-file export-csv import-csv
		set-strictmode get-host read-host get-unique select-string get-culture
		write select where foreach sort group measure echo sleep cd ls dir cat type pwd cls
		% ? gm gci gc sc ni ri cp mv ft fl fw gv sv`)

// wordSet is the set of the whitespace-separated words of s.
func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(s) {
		set[w] = true
	}
	return set
}

// powershellScript derives the needs of a PowerShell aws:executeScript
// step from the AWS Tools for PowerShell cmdlets its script runs.
func (d *deriver) powershellScript(name, act, src, declare string, payload runbook.Value) {
	res, err := psscan.Scan([]byte(src))
	if err != nil {
		if errors.Is(err, psscan.ErrTooLarge) {
			d.unresolved(name, act, "the script is larger than %d KiB, the most that is analysed; %s", psscan.MaxScript>>10, declare)
			return
		}
		d.unresolved(name, act, "the script cannot be analysed (%v); %s", err, declare)
		return
	}
	before := len(d.out.Unresolved)
	for _, p := range res.Problems {
		d.unresolved(name, act, "script line %d: %s; %s", p.Line, p.Detail, declare)
	}
	calls := 0
	for _, c := range res.Commands {
		low := strings.ToLower(c.Name)
		cmd, known := psCmdlets[low]
		switch {
		case known:
			calls++
			d.psCall(name, act, c, cmd, payload)
		case res.Functions[low] || psBuiltins[low] || psLocalCmdlets[low] || low == "invoke-expression" || low == "iex":
			// Defined in the script (its body is scanned), PowerShell's
			// own, or reported as a problem already.
		case strings.ContainsAny(c.Name, `\/`) || strings.HasSuffix(low, ".ps1") || strings.HasSuffix(low, ".exe") || low == "aws":
			// Reported as a problem already.
		default:
			d.unresolved(name, act, "script line %d: %s is not a command the derivation knows; if it calls AWS, %s", c.Line, c.Name, declare)
		}
	}
	if calls == 0 && len(d.out.Unresolved) == before {
		d.need(name, act, "the script makes no AWS call", nil, nil, nil)
	}
}

// psCall derives the needs of one AWS Tools cmdlet invocation.
func (d *deriver) psCall(name, act string, c psscan.Command, cmd psCmdlet, payload runbook.Value) {
	param := func(p string) (runbook.Value, bool) {
		for k, a := range c.Args {
			target := k
			if r, ok := psParamRenames[strings.ToLower(k)]; ok {
				target = r
			}
			if !strings.EqualFold(target, p) {
				continue
			}
			switch {
			case a.Event != "":
				// A payload key the runbook does not bind fails the
				// script before the call.
				return payload.Get(a.Event)
			case a.Unknown || a.Switch:
				return runbook.String("*"), true
			}
			return runbook.String(a.Literal), true
		}
		return runbook.Value{}, false
	}
	where := fmt.Sprintf("script line %d: ", c.Line)
	for _, op := range cmd.ops {
		shown := c.Name
		if len(cmd.ops) > 1 {
			shown += " (" + op + ")"
		}
		d.operation(name, act, cmd.service, op, param, where, func(action string) string {
			if action == "" {
				return fmt.Sprintf("line %d: %s -> %s", c.Line, shown, op)
			}
			return fmt.Sprintf("line %d: %s -> %s", c.Line, shown, action)
		})
		d.opExtras(name, act, cmd.service, op, param)
	}
}
