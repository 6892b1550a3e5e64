"""Restarts instances and records the result: helpers, a class, a
paginator, a waiter and module constants."""
import json

import boto3

SERVICE = "ec2"
TOPIC = "arn:aws:sns:us-east-1:111122223333:ops"


class Notifier:
    def __init__(self):
        self.sns = boto3.client("sns")

    def send(self, message):
        self.sns.publish(TopicArn=TOPIC, Message=json.dumps(message))


def instances(client, ids):
    paginator = client.get_paginator("describe_instances")
    return [i for page in paginator.paginate(InstanceIds=ids) for i in page["Reservations"]]


def restart(client, ids):
    client.stop_instances(InstanceIds=ids)
    client.get_waiter("instance_stopped").wait(InstanceIds=ids)
    client.start_instances(InstanceIds=ids)


def never_called():
    boto3.client("iam").delete_role(RoleName="admin")


def handler(events, context):
    ids = [events["InstanceId"]]
    ec2 = boto3.Session().client(SERVICE)
    found = instances(ec2, ids)
    restart(ec2, ids)
    Notifier().send({"restarted": len(found)})
    return {"count": len(found)}
