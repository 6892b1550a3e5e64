"""Create a queue and a rule, send, receive and delete messages with boto3.

usage: events.py ENDPOINT
Credentials and Region come from the environment.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
sqs = boto3.client("sqs", endpoint_url=endpoint)
events = boto3.client("events", endpoint_url=endpoint)

rule = events.put_rule(Name="py-rule", EventPattern=json.dumps({"source": ["aws.ssm"]}))["RuleArn"]
assert rule.endswith(":rule/py-rule"), rule
url = sqs.create_queue(QueueName="py-queue", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
out = events.put_targets(Rule="py-rule", Targets=[{"Id": "q", "Arn": arn}])
assert out["FailedEntryCount"] == 0, out
assert [r["Name"] for r in events.list_rules()["Rules"]] == ["py-rule"]

sqs.send_message(QueueUrl=url, MessageBody="hello")
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
assert [m["Body"] for m in msgs] == ["hello"], msgs
sqs.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])

try:
    sqs.get_queue_url(QueueName="missing")
    raise SystemExit("get_queue_url of a missing queue succeeded")
except sqs.exceptions.QueueDoesNotExist as e:
    assert e.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue", e.response

try:
    events.describe_rule(Name="missing")
    raise SystemExit("describe_rule of a missing rule succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ResourceNotFoundException", e.response
print("ok")
