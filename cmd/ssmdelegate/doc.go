// Command ssmdelegate lints, formats and plans Automation runbooks, derives
// their IAM policies, serves an embedded Automation endpoint and runs
// executions. Run "ssmdelegate help" for the list of subcommands.
//
// # Authoring
//
//	ssmdelegate lint [--format text|json] FILE...
//	ssmdelegate fmt [--to json|yaml] [-w] FILE
//
// lint exits 0 when every runbook is valid, 1 when any is not and 2 on a
// usage error, printing one "FILE: PATH: message" line per problem.
//
// # Administration
//
//	ssmdelegate policy role FILE --account A --region R [--partition P] [--explain]
//	    [--api SERVICE.API=ACTION,...] [--script STEP=ACTION,...] [--stack STEP=ACTION,...]
//	    [--instance-profile PROFILE=ROLE_ARN] [--child NAME=FILE] [--resource-tag KEY=VALUE]
//	ssmdelegate policy operator --account A --region R --document NAME... [--pass-role ARN]
//	    [--version V] [--allow-stop] [--allow-signal]
//	ssmdelegate policy trust --account A [--partition P | --region R]
//	ssmdelegate policy lint [--type identity|trust|resource] [--limit N] FILE
//	ssmdelegate plan --mode embedded|runtime|caller [--role ARN] --account A --region R --name NAME [--format json|cloudformation] FILE
//
// policy role exits 1, naming what to declare with the flags above, when a
// runbook's needs cannot be derived (a script, an unknown API, a child
// runbook).
//
// # Operation
//
//	ssmdelegate run (FILE | --document NAME) [--param K=V]... [--mode … --role ARN] [--wait] [--endpoint URL]
//	ssmdelegate local [--addr 127.0.0.1:4583] [--state FILE] [--export-state FILE] [--audit]
//
// # References
//
//   - Running an automation by using delegated administration:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-delegated.html
//   - Running an automation by using an IAM service role:
//     https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-walk-security-assume.html
//   - Setting up Automation: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup.html
package main
