package ssmlocal

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleEvent = `{"version":"0","id":"e1","detail-type":"EC2 Automation Step Status-change Notification","source":"aws.ssm",
 "account":"123456789012","region":"us-east-1","resources":["arn:aws:ssm:us-east-1:123456789012:automation-execution/x"],
 "detail":{"ExecutionId":"x","Definition":"Restart","DefinitionVersion":1.0,"Status":"Success","StepName":"stop","Action":"aws:changeInstanceState","Tags":["a","b"]}}`

func TestEventPatternMatching(t *testing.T) {
	var ev any
	require.NoError(t, json.Unmarshal([]byte(sampleEvent), &ev))
	for name, tc := range map[string]struct {
		pattern string
		want    bool
	}{
		"source":                  {`{"source":["aws.ssm"]}`, true},
		"other source":            {`{"source":["aws.ec2"]}`, false},
		"any of":                  {`{"source":["aws.ec2","aws.ssm"]}`, true},
		"prefix":                  {`{"detail-type":[{"prefix":"EC2 Automation"}]}`, true},
		"prefix misses":           {`{"detail-type":[{"prefix":"EC2 Instance"}]}`, false},
		"suffix":                  {`{"detail":{"Action":[{"suffix":"InstanceState"}]}}`, true},
		"nested exact":            {`{"detail":{"Status":["Success","Failed"]}}`, true},
		"nested miss":             {`{"detail":{"Status":["Failed"]}}`, false},
		"number":                  {`{"detail":{"DefinitionVersion":[1]}}`, true},
		"number miss":             {`{"detail":{"DefinitionVersion":[2]}}`, false},
		"string is not number":    {`{"detail":{"DefinitionVersion":["1"]}}`, false},
		"array value":             {`{"detail":{"Tags":["b"]}}`, true},
		"array value miss":        {`{"detail":{"Tags":["c"]}}`, false},
		"exists":                  {`{"detail":{"StepName":[{"exists":true}]}}`, true},
		"not exists":              {`{"detail":{"EndTime":[{"exists":false}]}}`, true},
		"exists misses":           {`{"detail":{"EndTime":[{"exists":true}]}}`, false},
		"missing field":           {`{"detail":{"EndTime":["x"]}}`, false},
		"missing object":          {`{"nothing":{"here":["x"]}}`, false},
		"anything-but":            {`{"detail":{"Status":[{"anything-but":["Failed","TimedOut"]}]}}`, true},
		"anything-but hit":        {`{"detail":{"Status":[{"anything-but":"Success"}]}}`, false},
		"equals-ignore-case":      {`{"detail":{"Status":[{"equals-ignore-case":"SUCCESS"}]}}`, true},
		"all fields must match":   {`{"source":["aws.ssm"],"detail":{"Status":["Failed"]}}`, false},
		"resources":               {`{"resources":[{"prefix":"arn:aws:ssm:us-east-1:123456789012:automation-execution/"}]}`, true},
		"object where value is":   {`{"source":{"x":["y"]}}`, false},
		"null matches only null":  {`{"detail":{"Status":[null]}}`, false},
		"prefix on number is off": {`{"detail":{"DefinitionVersion":[{"prefix":"1"}]}}`, false},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := parseEventPattern(tc.pattern)
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.matches(ev))
		})
	}
}

func TestEventPatternRefused(t *testing.T) {
	for name, pattern := range map[string]string{
		"not json":        `{`,
		"array root":      `[]`,
		"empty":           `{}`,
		"scalar leaf":     `{"source":"aws.ssm"}`,
		"empty array":     `{"source":[]}`,
		"empty object":    `{"detail":{}}`,
		"numeric":         `{"n":[{"numeric":[">",0]}]}`,
		"cidr":            `{"ip":[{"cidr":"10.0.0.0/8"}]}`,
		"wildcard":        `{"s":[{"wildcard":"a*"}]}`,
		"or":              `{"$or":[{"a":["b"]}]}`,
		"two keys":        `{"s":[{"prefix":"a","suffix":"b"}]}`,
		"prefix not text": `{"s":[{"prefix":1}]}`,
		"exists not bool": `{"s":[{"exists":"yes"}]}`,
		"anything-but of": `{"s":[{"anything-but":{"prefix":"a"}}]}`,
		"nested list":     `{"s":[["a"]]}`,
		"too long":        `{"s":["` + strings.Repeat("a", maxEventPatternBytes) + `"]}`,
		"too deep":        strings.Repeat(`{"a":`, 20) + `["x"]` + strings.Repeat(`}`, 20),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseEventPattern(pattern)
			require.Error(t, err)
			assert.Equal(t, "InvalidEventPatternException", asAPIError(err).Code)
		})
	}
}

func FuzzEventPattern(f *testing.F) {
	f.Add(`{"source":["aws.ssm"],"detail":{"Status":[{"prefix":"Succ"}]}}`, sampleEvent)
	f.Add(`{"detail":{"Tags":[{"anything-but":["a"]}],"EndTime":[{"exists":false}]}}`, `{"detail":{"Tags":[1,{"x":2}]}}`)
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := parseEventPattern(pattern)
		if err != nil {
			return
		}
		var ev any
		if json.Unmarshal([]byte(event), &ev) != nil {
			return
		}
		_ = p.matches(ev) // must not panic, whatever the shapes
	})
}

func TestQueueCap(t *testing.T) {
	q := &sqsQueue{attrs: defaultQueueAttrs(), receipts: map[string]*sqsMessage{}, arrived: make(chan struct{})}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range maxQueueMessages {
		_, err := q.enqueue(now, "m", 0)
		require.NoError(t, err)
	}
	_, err := q.enqueue(now, "one more", 0)
	require.Error(t, err)
	assert.Equal(t, "OverLimit", asAPIError(err).Code)

	later := now.Add(time.Duration(q.attrs.MessageRetentionPeriod) * time.Second)
	_, err = q.enqueue(later, "after retention", 0)
	require.NoError(t, err, "messages past the retention period are gone")
	assert.Len(t, q.msgs, 1)
}

func TestEventDefinitionVersion(t *testing.T) {
	for in, want := range map[string]string{"1": "1.0", "12": "12.0", "0": "0.0", "": "0.0", "$LATEST": "0.0"} {
		assert.Equal(t, want, definitionVersion(in), in)
	}
}
