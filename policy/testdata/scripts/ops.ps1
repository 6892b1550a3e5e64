# Stops the instance, snapshots its volume under the team key and records
# the run. Remove-EC2Instance in this comment is not run.
Import-Module AWS.Tools.EC2, AWS.Tools.SimpleSystemsManagement, AWS.Tools.S3
<#
  Neither is New-EC2Image in this block.
#>
$reservation = Get-EC2Instance -InstanceId i-0a
Stop-EC2Instance -InstanceId i-0a -Force
$volume = $reservation.Instances[0].BlockDeviceMappings[0].Ebs.VolumeId
$snap = Copy-EC2Snapshot -SourceRegion us-west-2 -SourceSnapshotId (Get-SnapshotId $volume) `
    -Encrypted $true -KmsKeyId 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
Write-SSMParameter -Name /ops/last-snapshot -Value $snap -Type String -Overwrite $true
Write-S3Object -BucketName reports -Key "runs/last.txt" -Content "snapshot $snap"
Write-Output 'Remove-EC2Instance is only text here'

function Get-SnapshotId($VolumeId) {
    (Get-EC2Snapshot -Filter @{Name = 'volume-id'; Values = $VolumeId})[0].SnapshotId
}
