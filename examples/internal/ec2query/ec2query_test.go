package ec2query

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const describeXML = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
<reservationSet><item><instancesSet>
<item><instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState>
<tagSet><item><key>CostCenter</key><value>CC-1</value></item></tagSet></item>
<item><instanceId>i-2</instanceId><instanceState><code>0</code><name>pending</name></instanceState></item>
</instancesSet></item></reservationSet></DescribeInstancesResponse>`

const errorXML = `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized</Message></Error></Errors><RequestID>r</RequestID></Response>`

// doer is an in-process HTTP client, usable in a synctest bubble.
type doer func(*http.Request) (*http.Response, error)

func (d doer) Do(r *http.Request) (*http.Response, error) { return d(r) }

// server answers with body and status and records each request's form.
func server(t *testing.T, status int, body string, forms *[]url.Values) *Client {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "https://ec2.us-east-1.amazonaws.com/", r.URL.String())
		data, _ := io.ReadAll(r.Body)
		assert.Contains(t, r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/")
		assert.Contains(t, r.Header.Get("Authorization"), "/us-east-1/ec2/aws4_request")
		assert.NotContains(t, string(data), "+", "spaces are sent as %20")
		form, err := url.ParseQuery(string(data))
		assert.NoError(t, err)
		*forms = append(*forms, form)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
	return New(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		HTTPClient: doer(func(r *http.Request) (*http.Response, error) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			return rec.Result(), nil
		}),
	})
}

func TestDescribeInstances(t *testing.T) {
	var forms []url.Values
	c := server(t, 200, describeXML, &forms)
	got, err := c.DescribeInstances(t.Context(), []string{"i-1", "i-2"})
	require.NoError(t, err)
	assert.Equal(t, []Instance{{ID: "i-1", State: "running", Tags: map[string]string{"CostCenter": "CC-1"}}, {ID: "i-2", State: "pending", Tags: map[string]string{}}}, got)
	require.Len(t, forms, 1)
	assert.Equal(t, url.Values{"Action": {"DescribeInstances"}, "Version": {apiVersion}, "InstanceId.1": {"i-1"}, "InstanceId.2": {"i-2"}}, forms[0])
}

func TestRunInstances(t *testing.T) {
	var forms []url.Values
	c := server(t, 200, `<RunInstancesResponse><instancesSet><item><instanceId>i-9</instanceId></item></instancesSet></RunInstancesResponse>`, &forms)
	ids, err := c.RunInstances(t.Context(), "ami-1", "t3.micro", 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"i-9"}, ids)
	assert.Equal(t, url.Values{"Action": {"RunInstances"}, "Version": {apiVersion}, "ImageId": {"ami-1"}, "InstanceType": {"t3.micro"}, "MinCount": {"1"}, "MaxCount": {"1"}}, forms[0])
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		code   string
		fault  smithy.ErrorFault
	}{
		{"error response", 403, errorXML, "UnauthorizedOperation", smithy.FaultClient},
		{"server error without body", 503, "", "Service Unavailable", smithy.FaultServer},
		{"not XML", 400, "<html>", "Bad Request", smithy.FaultClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var forms []url.Values
			err := server(t, tc.status, tc.body, &forms).StopInstances(t.Context(), []string{"i-1 x"})
			var api smithy.APIError
			require.True(t, errors.As(err, &api), "%v", err)
			assert.Equal(t, tc.code, api.ErrorCode())
			assert.Equal(t, tc.fault, api.ErrorFault())
			assert.Equal(t, "i-1 x", forms[0].Get("InstanceId.1"))
		})
	}
	t.Run("bad XML in a success", func(t *testing.T) {
		var forms []url.Values
		_, err := server(t, 200, "<x", &forms).DescribeInstances(t.Context(), nil)
		require.ErrorContains(t, err, "decode response")
	})
	t.Run("no credentials", func(t *testing.T) {
		require.EqualError(t, New(aws.Config{Region: "us-east-1"}).StopInstances(t.Context(), nil), "ec2: no credentials")
	})
}

func TestWaitRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var forms []url.Values
		c := server(t, 200, describeXML, &forms)
		start := time.Now()
		err := c.WaitRunning(t.Context(), []string{"i-1", "i-2"}, time.Second, time.Minute)
		require.ErrorIs(t, err, context.DeadlineExceeded, "i-2 stays pending")
		assert.Equal(t, time.Minute, time.Since(start))
		// Every second from 0 to 60 s, the last one racing the deadline.
		assert.InDelta(t, 60.5, float64(len(forms)), 0.5, "polled every second")

		stopped := server(t, 200, strings.Replace(describeXML, "pending", "terminated", 1), &forms)
		require.ErrorContains(t, stopped.WaitRunning(t.Context(), []string{"i-1", "i-2"}, time.Second, time.Minute), "i-2 is terminated")

		running := server(t, 200, strings.Replace(describeXML, "pending", "running", 1), &forms)
		require.NoError(t, running.WaitRunning(t.Context(), []string{"i-1", "i-2"}, time.Second, time.Minute))
	})
}

func TestEndpoint(t *testing.T) {
	assert.Equal(t, "https://ec2.eu-west-1.amazonaws.com/", New(aws.Config{Region: "eu-west-1"}).endpoint())
	assert.Equal(t, "https://ec2.cn-north-1.amazonaws.com.cn/", New(aws.Config{Region: "cn-north-1"}).endpoint())
	assert.Equal(t, "http://127.0.0.1:9/", New(aws.Config{BaseEndpoint: aws.String("http://127.0.0.1:9/")}).endpoint())
}

func TestCreateTags(t *testing.T) {
	var forms []url.Values
	err := server(t, http.StatusOK, `<CreateTagsResponse><return>true</return></CreateTagsResponse>`, &forms).
		CreateTags(t.Context(), []string{"i-1", "i-2"}, "Team", "web ops")
	require.NoError(t, err)
	require.Len(t, forms, 1)
	assert.Equal(t, "CreateTags", forms[0].Get("Action"))
	assert.Equal(t, []string{"i-1", "i-2"}, []string{forms[0].Get("ResourceId.1"), forms[0].Get("ResourceId.2")})
	assert.Equal(t, "Team", forms[0].Get("Tag.1.Key"))
	assert.Equal(t, "web ops", forms[0].Get("Tag.1.Value"))

	err = server(t, http.StatusForbidden, errorXML, &forms).CreateTags(t.Context(), []string{"i-1"}, "k", "v")
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "UnauthorizedOperation", ae.ErrorCode())
}
