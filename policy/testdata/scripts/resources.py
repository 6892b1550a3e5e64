import boto3


def handler(events, context):
    ec2 = boto3.resource("ec2")
    for instance in ec2.instances.filter(Filters=[{"Name": "tag:env", "Values": ["dev"]}]):
        instance.stop()
    table = boto3.resource("dynamodb").Table("runs")
    table.put_item(Item={"id": "1"})
    s3 = boto3.resource("s3")
    s3.Object("reports", "latest.json").put(Body=b"{}")
    ec2.Instance("i-0c").stop()
