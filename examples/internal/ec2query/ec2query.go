// Package ec2query is the handful of Amazon EC2 calls the walkthroughs
// make (RunInstances, DescribeInstances, StopInstances), spoken directly in
// the EC2 Query protocol and signed with Signature Version 4.
//
// The SDK's service/ec2 package takes minutes to compile on a small
// machine, longer than the rest of the module together; the walkthroughs
// need three calls of it, so a newcomer's first `go run` should not pay
// for the whole service.
//
// # References
//
//   - EC2 Query requests:
//     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html
//   - RunInstances:
//     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html
//   - DescribeInstances:
//     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html
//   - StopInstances:
//     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StopInstances.html
//   - Error responses:
//     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
package ec2query

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// apiVersion is the EC2 API version the requests are written for.
const apiVersion = "2016-11-15"

// maxResponse bounds a response body read into memory.
const maxResponse = 16 << 20

// Client calls EC2 with a configuration's credentials, Region, endpoint
// and HTTP client.
type Client struct {
	cfg aws.Config
}

// New returns a client for cfg.
func New(cfg aws.Config) *Client { return &Client{cfg: cfg} }

// Instance is what the walkthroughs read of an instance.
type Instance struct {
	ID    string
	State string
	Tags  map[string]string
}

// RunInstances launches n instances of an image and returns their ids.
func (c *Client) RunInstances(ctx context.Context, imageID, instanceType string, n int) ([]string, error) {
	form := url.Values{"ImageId": {imageID}, "InstanceType": {instanceType}, "MinCount": {strconv.Itoa(n)}, "MaxCount": {strconv.Itoa(n)}}
	var out struct {
		Instances []xmlInstance `xml:"instancesSet>item"`
	}
	if err := c.call(ctx, "RunInstances", form, &out); err != nil {
		return nil, err
	}
	ids := make([]string, len(out.Instances))
	for i, in := range out.Instances {
		ids[i] = in.ID
	}
	return ids, nil
}

// DescribeInstances returns the instances named by ids.
func (c *Client) DescribeInstances(ctx context.Context, ids []string) ([]Instance, error) {
	form := url.Values{}
	addList(form, "InstanceId", ids)
	var out struct {
		Reservations []struct {
			Instances []xmlInstance `xml:"instancesSet>item"`
		} `xml:"reservationSet>item"`
	}
	if err := c.call(ctx, "DescribeInstances", form, &out); err != nil {
		return nil, err
	}
	var res []Instance
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			inst := Instance{ID: in.ID, State: in.State, Tags: map[string]string{}}
			for _, t := range in.Tags {
				inst.Tags[t.Key] = t.Value
			}
			res = append(res, inst)
		}
	}
	return res, nil
}

// StopInstances stops the instances named by ids.
func (c *Client) StopInstances(ctx context.Context, ids []string) error {
	form := url.Values{}
	addList(form, "InstanceId", ids)
	return c.call(ctx, "StopInstances", form, nil)
}

// CreateTags sets one tag on the resources named by ids.
func (c *Client) CreateTags(ctx context.Context, ids []string, key, value string) error {
	form := url.Values{}
	addList(form, "ResourceId", ids)
	form.Set("Tag.1.Key", key)
	form.Set("Tag.1.Value", value)
	return c.call(ctx, "CreateTags", form, nil)
}

// WaitRunning polls DescribeInstances every delay until every instance
// runs, one of them can no longer run, or maxWait passes.
func (c *Client) WaitRunning(ctx context.Context, ids []string, delay, maxWait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, maxWait)
	defer cancel()
	for {
		got, err := c.DescribeInstances(ctx, ids)
		if err != nil {
			return fmt.Errorf("wait for instances to run: %w", err)
		}
		running := 0
		for _, in := range got {
			switch in.State {
			case "running":
				running++
			case "shutting-down", "terminated", "stopping", "stopped":
				return fmt.Errorf("wait for instances to run: %s is %s", in.ID, in.State)
			}
		}
		if running == len(ids) && len(got) == len(ids) {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wait for instances to run: %w", ctx.Err())
		case <-t.C:
		}
	}
}

type xmlInstance struct {
	ID    string `xml:"instanceId"`
	State string `xml:"instanceState>name"`
	Tags  []struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	} `xml:"tagSet>item"`
}

// addList adds a list parameter in the Query protocol's form: Name.1,
// Name.2, …
func addList(form url.Values, name string, values []string) {
	for i, v := range values {
		form.Set(name+"."+strconv.Itoa(i+1), v)
	}
}

func (c *Client) endpoint() string {
	if e := aws.ToString(c.cfg.BaseEndpoint); e != "" {
		return strings.TrimSuffix(e, "/") + "/"
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(c.cfg.Region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://ec2." + c.cfg.Region + "." + suffix + "/"
}

// call sends one action and decodes its XML response into out (nil: no
// body needed). An error response becomes a smithy.APIError with its code.
func (c *Client) call(ctx context.Context, action string, form url.Values, out any) error {
	if c.cfg.Credentials == nil {
		return errors.New("ec2: no credentials")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("ec2 %s: credentials: %w", action, err)
	}
	form.Set("Action", action)
	form.Set("Version", apiVersion)
	body := []byte(encode(form))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("ec2 %s: %w", action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ec2", c.cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("ec2 %s: sign: %w", action, err)
	}
	var client aws.HTTPClient = http.DefaultClient
	if c.cfg.HTTPClient != nil {
		client = c.cfg.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("ec2 %s: %w", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("ec2 %s: read response: %w", action, err)
	}
	if resp.StatusCode >= 300 {
		return apiError(action, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := xml.Unmarshal(data, out); err != nil {
		return fmt.Errorf("ec2 %s: decode response: %w", action, err)
	}
	return nil
}

// encode is url.Values.Encode with spaces as %20, as Signature Version 4
// canonical forms expect.
func encode(form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range form[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(strings.ReplaceAll(url.QueryEscape(k), "+", "%20"))
			b.WriteByte('=')
			b.WriteString(strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	return b.String()
}

func apiError(action string, status int, data []byte) error {
	var resp struct {
		Errors []struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Errors>Error"`
	}
	if xml.Unmarshal(data, &resp) != nil || len(resp.Errors) == 0 {
		return &smithy.GenericAPIError{Code: http.StatusText(status), Message: fmt.Sprintf("ec2 %s: HTTP %d", action, status), Fault: fault(status)}
	}
	e := resp.Errors[0]
	return &smithy.GenericAPIError{Code: e.Code, Message: e.Message, Fault: fault(status)}
}

func fault(status int) smithy.ErrorFault {
	if status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}
