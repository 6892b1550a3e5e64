package ssmlocal

import (
	"strings"
	"testing"
)

// TestTypedSQSHandlersOnTheWire: the queue and message operations read
// typed inputs, so a member of the wrong type is the SerializationException
// naming it; a number given as zero is zero rather than absent (a queue's
// delay does not replace DelaySeconds 0, MaxNumberOfMessages 0 is refused);
// and the answers are what they were, empty lists included. The cases run
// in order, each on what the earlier ones made.
func TestTypedSQSHandlersOnTheWire(t *testing.T) {
	srv := startServer(t)
	url := srv.URL() + "/123456789012/q"
	body := func(fields ...string) string { return "{" + strings.Join(fields, ",") + "}" }
	qURL := `"QueueUrl":"` + url + `"`
	sq := func(op string, fields ...string) wireRequest {
		return wireRequest{service: "sqs", target: "AmazonSQS." + op, body: body(fields...)}
	}
	tests := []struct {
		name     string
		req      wireRequest
		wantCode string
		wantMsg  string
		wantBody []string
	}{
		{"CreateQueue number for an attribute", sq("CreateQueue", `"QueueName":"q"`, `"Attributes":{"DelaySeconds":true}`), "SerializationException", "member Attributes", nil},
		{"CreateQueue with a queue delay", sq("CreateQueue", `"QueueName":"q"`, `"Attributes":{"DelaySeconds":"900"}`), "", "", []string{`"QueueUrl":"` + url + `"`}},
		{"GetQueueUrl", sq("GetQueueUrl", `"QueueName":"q"`), "", "", []string{`"QueueUrl":"` + url + `"`}},
		{"GetQueueUrl other owner", sq("GetQueueUrl", `"QueueName":"q"`, `"QueueOwnerAWSAccountId":"111111111111"`), "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.", nil},
		{"GetQueueAttributes none named", sq("GetQueueAttributes", qURL), "", "", []string{"{}"}},
		{"GetQueueAttributes", sq("GetQueueAttributes", qURL, `"AttributeNames":["DelaySeconds","QueueArn"]`), "", "", []string{`"DelaySeconds":"900"`, `"QueueArn":"arn:aws:sqs:us-east-1:123456789012:q"`}},
		{"GetQueueAttributes unknown", sq("GetQueueAttributes", qURL, `"AttributeNames":["Colour"]`), "com.amazonaws.sqs#InvalidAttributeName", "Unknown Attribute Colour.", nil},
		{"SendMessage boolean for QueueUrl", sq("SendMessage", `"QueueUrl":true`, `"MessageBody":"x"`), "SerializationException", "member QueueUrl", nil},
		{"SendMessage without a QueueUrl", sq("SendMessage", `"MessageBody":"x"`), "com.amazonaws.sqs#MissingRequiredParameterException", "The request must contain the parameter QueueUrl.", nil},
		{"SendMessage delayed by the queue", sq("SendMessage", qURL, `"MessageBody":"later"`), "", "", []string{`"MessageId":`}},
		{"SendMessage with DelaySeconds 0", sq("SendMessage", qURL, `"MessageBody":"now"`, `"DelaySeconds":0`), "", "", []string{`"MD5OfMessageBody":`}},
		{"SendMessage text for DelaySeconds", sq("SendMessage", qURL, `"MessageBody":"x"`, `"DelaySeconds":"soon"`), "SerializationException", `member DelaySeconds: expected an integer, got "soon"`, nil},
		{"ReceiveMessage MaxNumberOfMessages 0", sq("ReceiveMessage", qURL, `"MaxNumberOfMessages":0`), "com.amazonaws.sqs#InvalidParameterValueException", "Value 0 for parameter MaxNumberOfMessages is invalid.", nil},
		{"ReceiveMessage gets only the undelayed", sq("ReceiveMessage", qURL, `"MaxNumberOfMessages":10`, `"WaitTimeSeconds":0`, `"MessageSystemAttributeNames":["ApproximateReceiveCount"]`), "", "", []string{`"Body":"now"`, `"Attributes":{"ApproximateReceiveCount":"1"}`}},
		{"ReceiveMessage none visible", sq("ReceiveMessage", qURL), "", "", []string{`"Messages":[]`}},
		{"SendMessageBatch empty", sq("SendMessageBatch", qURL, `"Entries":[]`), "com.amazonaws.sqs#EmptyBatchRequest", "at least one", nil},
		{"SendMessageBatch repeated id", sq("SendMessageBatch", qURL, `"Entries":[{"Id":"a","MessageBody":"x"},{"Id":"a","MessageBody":"y"}]`), "com.amazonaws.sqs#BatchEntryIdsNotDistinct", "Id a repeated.", nil},
		{"SendMessageBatch", sq("SendMessageBatch", qURL, `"Entries":[{"Id":"a","MessageBody":"x","DelaySeconds":0},{"Id":"b","MessageBody":""}]`), "", "", []string{`"Successful":[{"Id":"a",`, `"Failed":[{"Code":"InvalidParameterValue","Id":"b",`, `"SenderFault":true`}},
		{"DeleteMessage without a handle", sq("DeleteMessage", qURL), "com.amazonaws.sqs#MissingRequiredParameterException", "ReceiptHandle", nil},
		{"DeleteMessage foreign handle", sq("DeleteMessage", qURL, `"ReceiptHandle":"nope"`), "com.amazonaws.sqs#ReceiptHandleIsInvalid", `"nope" is not a valid receipt handle`, nil},
		{"DeleteMessageBatch", sq("DeleteMessageBatch", qURL, `"Entries":[{"Id":"a","ReceiptHandle":"nope"}]`), "", "", []string{`"Successful":[]`, `"Failed":[{"Code":"ReceiptHandleIsInvalid","Id":"a"`}},
		{"SetQueueAttributes", sq("SetQueueAttributes", qURL, `"Attributes":{"DelaySeconds":"0"}`), "", "", nil},
		{"ReceiveMessage gets the batch's", sq("ReceiveMessage", qURL, `"MaxNumberOfMessages":10`), "", "", []string{`"Body":"x"`}},
		{"DeleteQueue", sq("DeleteQueue", qURL), "", "", nil},
		{"DeleteQueue again", sq("DeleteQueue", qURL), "com.amazonaws.sqs#QueueDoesNotExist", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWire(t, send(t, srv, tt.req), tt.wantCode, tt.wantMsg, tt.wantBody)
		})
	}
}
