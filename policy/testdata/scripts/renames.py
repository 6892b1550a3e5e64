import boto3

s3 = boto3.client("s3")


def handler(events, context):
    boto3.client("sts").get_caller_identity()
    s3.list_objects_v2(Bucket="logs")
    s3.upload_file("/tmp/x", "logs", "x")
    boto3.client("lambda").invoke(FunctionName="audit")
    boto3.client("stepfunctions").start_execution(stateMachineArn=events["Machine"])
