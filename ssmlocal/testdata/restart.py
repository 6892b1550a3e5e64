"""Provision a service role and run AWS-RestartEC2Instance with boto3.

usage: restart.py ENDPOINT INSTANCE_ID[,INSTANCE_ID...]
Credentials and Region come from the environment.
"""
import json
import sys
import time

import boto3
from botocore.exceptions import ClientError

endpoint, instances = sys.argv[1], sys.argv[2].split(",")
iam = boto3.client("iam", endpoint_url=endpoint)
ssm = boto3.client("ssm", endpoint_url=endpoint)
sts = boto3.client("sts", endpoint_url=endpoint)
ec2 = boto3.client("ec2", endpoint_url=endpoint)

account = sts.get_caller_identity()["Account"]
trust = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ssm.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }],
}
role = iam.create_role(RoleName="Boto3Restart", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
iam.put_role_policy(
    RoleName="Boto3Restart",
    PolicyName="restart",
    PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ec2:StopInstances", "ec2:StartInstances"], "Resource": "*"},
            {"Effect": "Allow", "Action": "ec2:DescribeInstanceStatus", "Resource": "*"},
        ],
    }),
)
got = iam.get_role_policy(RoleName="Boto3Restart", PolicyName="restart")
assert got["PolicyDocument"]["Statement"][1]["Action"] == "ec2:DescribeInstanceStatus", got

try:
    ssm.get_document(Name="Missing-Document")
    raise SystemExit("get_document of a missing document succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidDocument", e.response

states = ec2.describe_instance_status(InstanceIds=instances, IncludeAllInstances=True)["InstanceStatuses"]
assert all(s["InstanceState"]["Name"] == "running" for s in states), states

execution = ssm.start_automation_execution(
    DocumentName="AWS-RestartEC2Instance",
    Parameters={"InstanceId": instances, "AutomationAssumeRole": [role]},
)["AutomationExecutionId"]
for _ in range(2000):
    status = ssm.get_automation_execution(AutomationExecutionId=execution)["AutomationExecution"]["AutomationExecutionStatus"]
    if status not in ("Pending", "InProgress", "Waiting"):
        break
    time.sleep(0.01)
steps = ssm.describe_automation_step_executions(AutomationExecutionId=execution)["StepExecutions"]
print("steps", " ".join(s["StepName"] + "=" + s["StepStatus"] for s in steps))
print("status", status)
