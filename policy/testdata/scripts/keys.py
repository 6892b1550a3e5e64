import boto3


def handler(events, context):
    ec2 = boto3.client("ec2")
    s3 = boto3.client("s3")
    # A copy encrypted with the key the runbook passes.
    ec2.copy_snapshot(SourceRegion="us-west-2", SourceSnapshotId=events["SnapshotId"],
                      Encrypted=True, KmsKeyId=events["KeyId"])
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, Encrypted=True,
                      KmsKeyId="arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    s3.put_object(Bucket="reports", Key="r.txt", Body=b"x",
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=events["KeyId"])
    # Encrypted with the default key: no customer key to grant.
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, Encrypted=True)


def computed(events, context):
    ec2 = boto3.client("ec2")
    lam = boto3.client("lambda")
    key = lookup_key(events)
    ec2.copy_snapshot(SourceRegion="us-west-2", SourceSnapshotId="snap-1",
                      Encrypted=True, KmsKeyId=key)
    lam.create_function(FunctionName="f", Role=key, Code={}, Runtime="python3.12", Handler="h")


def alias(events, context):
    boto3.client("ec2").copy_image(SourceRegion="us-west-2", SourceImageId="ami-1", Name="n",
                                   Encrypted=True, KmsKeyId="alias/ebs")
