import boto3
from boto3.session import Session

SERVICE = 'ec2'
REGION = "us-east-1"


class Cleaner:
    logs = boto3.client("logs")

    def __init__(self, region):
        self.ec2 = boto3.client(SERVICE, region_name=region)

    def stop(self, ids):
        self.ec2.stop_instances(InstanceIds=ids)
        self.logs.put_log_events(logGroupName="/ops", logStreamName="s", logEvents=[])


def describe(client, ids):
    paginator = client.get_paginator('describe_instances')
    for page in paginator.paginate(InstanceIds=ids):
        print(page)


def make_client(name):
    return boto3.Session().client(name)


def unused():
    boto3.client('iam').delete_role(RoleName='x')


def handler(events, context):
    ids = [events['InstanceId']]
    ec2 = make_client(SERVICE)
    describe(ec2, ids)
    ec2.get_waiter("instance_stopped").wait(InstanceIds=ids)
    Cleaner(REGION).stop(ids)
    s3 = boto3.resource('s3')
    s3.Object('bucket', f"key-{events['InstanceId']}").put(Body=b'x')
    ssm = Session().client(service_name='ssm')
    ssm.get_parameter(Name=events.get('ParamName'), WithDecryption=True)
    return {'ok': True}
