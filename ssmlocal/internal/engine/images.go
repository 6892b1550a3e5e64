package engine

import (
	"context"
	"fmt"
)

// The image actions: aws:createImage and aws:copyImage make an AMI and
// wait for it to be available; aws:deleteImage deregisters one and
// deletes its snapshots. Every call goes through the Invoker as the
// execution's principal, so it needs the same permissions as on AWS
// (ec2:CreateImage or ec2:CopyImage and ec2:DescribeImages;
// ec2:DescribeImages, ec2:DeregisterImage and ec2:DeleteSnapshot).
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-create.html

// createImage implements aws:createImage.
func (r *runner) createImage(ctx context.Context, step string, in map[string]any) (actResult, error) {
	params := map[string]any{}
	for from, to := range map[string]string{"InstanceId": "InstanceId", "ImageName": "Name", "ImageDescription": "Description", "NoReboot": "NoReboot", "BlockDeviceMappings": "BlockDeviceMappings"} {
		if v, ok := in[from]; ok && v != nil {
			params[to] = v
		}
	}
	for _, k := range []string{"InstanceId", "ImageName"} {
		if _, err := inString(in, k, true); err != nil {
			return actResult{}, err
		}
	}
	if _, err := inBool(in, "NoReboot"); err != nil {
		return actResult{}, err
	}
	return r.makeImage(ctx, step, "CreateImage", params)
}

// copyImage implements aws:copyImage: the copy is made in the execution's
// Region from SourceRegion.
func (r *runner) copyImage(ctx context.Context, step string, in map[string]any) (actResult, error) {
	params := map[string]any{}
	for from, to := range map[string]string{"SourceImageId": "SourceImageId", "SourceRegion": "SourceRegion", "ImageName": "Name",
		"ImageDescription": "Description", "Encrypted": "Encrypted", "KmsKeyId": "KmsKeyId", "ClientToken": "ClientToken"} {
		if v, ok := in[from]; ok && v != nil {
			params[to] = v
		}
	}
	for _, k := range []string{"SourceImageId", "SourceRegion", "ImageName"} {
		if _, err := inString(in, k, true); err != nil {
			return actResult{}, err
		}
	}
	if _, err := inBool(in, "Encrypted"); err != nil {
		return actResult{}, err
	}
	return r.makeImage(ctx, step, "CopyImage", params)
}

// makeImage calls api and polls DescribeImages until the image is
// available; a failed or vanished image fails the step.
func (r *runner) makeImage(ctx context.Context, step, api string, params map[string]any) (actResult, error) {
	out, err := r.invoke(ctx, step, "ec2", api, params)
	if err != nil {
		return actResult{}, err
	}
	id, _ := out["ImageId"].(string)
	if id == "" {
		return actResult{}, &stepError{msg: api + " returned no image", stage: "Invocation", kind: "Action"}
	}
	for {
		state, err := r.imageState(ctx, step, id)
		if err != nil {
			return actResult{}, err
		}
		switch state {
		case "available":
			return actResult{outputs: map[string]any{"ImageId": id, "ImageState": state}, response: out}, nil
		case "failed", "invalid", "deregistered", "error":
			return actResult{}, &stepError{msg: fmt.Sprintf("image %s is %s", id, state), stage: "Invocation", kind: "Action", permanent: true}
		}
		if err := r.sleep(ctx, pollInterval); err != nil {
			return actResult{}, err
		}
	}
}

// imageState returns an image's state through DescribeImages.
func (r *runner) imageState(ctx context.Context, step, id string) (string, error) {
	im, err := r.describeImage(ctx, step, id)
	if err != nil {
		return "", err
	}
	state, _ := im["State"].(string)
	return state, nil
}

func (r *runner) describeImage(ctx context.Context, step, id string) (map[string]any, error) {
	out, err := r.invoke(ctx, step, "ec2", "DescribeImages", map[string]any{"ImageIds": []any{id}})
	if err != nil {
		return nil, err
	}
	list, _ := out["Images"].([]any)
	if len(list) != 1 {
		return nil, &stepError{msg: fmt.Sprintf("image %s was not found", id), stage: "Invocation", kind: "Action", code: "InvalidAMIID.NotFound"}
	}
	im, _ := list[0].(map[string]any)
	return im, nil
}

// deleteImage implements aws:deleteImage: it reads the image's snapshots,
// deregisters the image, then deletes each snapshot.
func (r *runner) deleteImage(ctx context.Context, step string, in map[string]any) (actResult, error) {
	id, err := inString(in, "ImageId", true)
	if err != nil {
		return actResult{}, err
	}
	im, err := r.describeImage(ctx, step, id)
	if err != nil {
		return actResult{}, err
	}
	var snaps []string
	bdm, _ := im["BlockDeviceMappings"].([]any)
	for _, m := range bdm {
		mm, _ := m.(map[string]any)
		ebs, _ := mm["Ebs"].(map[string]any)
		if s, ok := ebs["SnapshotId"].(string); ok && s != "" {
			snaps = append(snaps, s)
		}
	}
	if _, err := r.invoke(ctx, step, "ec2", "DeregisterImage", map[string]any{"ImageId": id}); err != nil {
		return actResult{}, err
	}
	for _, s := range snaps {
		if _, err := r.invoke(ctx, step, "ec2", "DeleteSnapshot", map[string]any{"SnapshotId": s}); err != nil {
			return actResult{}, err
		}
	}
	return actResult{}, nil
}
