package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/policy"
)

// TestContextValueErrorMessages pins each message's shape: the value is
// quoted when there is one, and a problem of the key alone (an unknown
// type, a wrong count) names no value.
func TestContextValueErrorMessages(t *testing.T) {
	tests := []struct {
		name   string
		typ    string
		values []string
		want   string
	}{
		{"unknown type", "integer", []string{"1"},
			"context key aws:Key (integer): unknown type; use one of string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList"},
		{"too many values", "string", []string{"a", "b"},
			"context key aws:Key (string): takes exactly one value, got 2; use stringList for several"},
		{"no value", "boolean", nil,
			"context key aws:Key (boolean): takes exactly one value, got 0; use booleanList for several"},
		{"bad value", "numeric", []string{"ten"},
			`context key aws:Key (numeric): "ten": not a valid numeric value`},
		{"bad value in a list", "ipList", []string{"10.0.0.1", "nope"},
			`context key aws:Key (ipList): "nope": not a valid ip value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := policy.CheckContextValues("aws:Key", tt.typ, tt.values)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
	t.Run("built by hand", func(t *testing.T) {
		assert.Equal(t, `context key k (string): "": `, (&policy.ContextValueError{Key: "k", Type: "string"}).Error())
		assert.Equal(t, `context key k (string): "v": `, (&policy.ContextValueError{Key: "k", Type: "string", Value: "v"}).Error())
		assert.Equal(t, `context key k (string): m`, (&policy.ContextValueError{Key: "k", Type: "string", Msg: "m"}).Error())
	})
}

// TestMissingContextKeysResourceForms checks which statements apply aside
// from their conditions: a trust policy statement, which has no Resource,
// applies to the role, and a NotResource statement applies to every
// resource but the ones it names.
func TestMissingContextKeysResourceForms(t *testing.T) {
	trust := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`)
	deny := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::keep/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
	tests := []struct {
		name     string
		p        *policy.Policy
		action   string
		resource string
		want     []string
	}{
		{"trust statement applies to the role", trust, "sts:AssumeRole", "arn:aws:iam::111122223333:role/r", []string{"aws:SourceAccount"}},
		{"trust statement, other action", trust, "sts:TagSession", "arn:aws:iam::111122223333:role/r", nil},
		{"NotResource leaves out what it names", deny, "s3:GetObject", "arn:aws:s3:::keep/a", nil},
		{"NotResource applies elsewhere", deny, "s3:GetObject", "arn:aws:s3:::other/a", []string{"aws:SecureTransport"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := policy.Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: tt.action, Resource: tt.resource}
			assert.Equal(t, tt.want, policy.MissingContextKeys(req, tt.p))
		})
	}
}
