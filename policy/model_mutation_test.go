package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSingleStatementOnlyWithOne checks that the bare-object Statement form
// is reported only for a policy of exactly one statement.
func TestSingleStatementOnlyWithOne(t *testing.T) {
	st := Statement{Effect: Allow, Action: One("s3:GetObject"), Resource: One("*")}
	tests := []struct {
		name   string
		stmts  []Statement
		single bool
		want   bool
	}{
		{"one statement, bare", []Statement{st}, true, true},
		{"one statement, list", []Statement{st}, false, false},
		{"two statements, bare asked", []Statement{st, st}, true, false},
		{"no statement, bare asked", nil, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(tt.stmts...)
			p.SetSingleStatement(tt.single)
			assert.Equal(t, tt.want, p.SingleStatement())
		})
	}
}

// TestStringsConstructors checks List, One, IsZero and Len, and that a
// principal of one identifier is a bare string and of several a list.
func TestStringsConstructors(t *testing.T) {
	tests := []struct {
		name   string
		got    Strings
		values []string
		scalar bool
		zero   bool
	}{
		{"empty list is present", List(), []string{}, false, false},
		{"list of one", List("a"), []string{"a"}, false, false},
		{"list of two", List("a", "b"), []string{"a", "b"}, false, false},
		{"one", One("a"), []string{"a"}, true, false},
		{"absent", Strings{}, nil, false, true},
		{"one AWS principal", AWSPrincipal("111122223333").AWS, []string{"111122223333"}, true, false},
		{"two AWS principals", AWSPrincipal("1", "2").AWS, []string{"1", "2"}, false, false},
		{"one service principal", ServicePrincipal("ssm.amazonaws.com").Service, []string{"ssm.amazonaws.com"}, true, false},
		{"no service principal", ServicePrincipal().Service, []string{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.values, tt.got.Values)
			assert.Equal(t, tt.scalar, tt.got.Scalar)
			assert.Equal(t, tt.zero, tt.got.IsZero())
			assert.Equal(t, len(tt.values), tt.got.Len())
		})
	}
}

func TestValuesScalarOnlyForOne(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		scalar bool
	}{
		{"none", nil, false},
		{"one", []string{"a"}, true},
		{"two", []string{"a", "b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Values(tt.values...)
			assert.Equal(t, tt.scalar, v.Scalar)
			assert.Equal(t, len(tt.values), len(v.Values))
			for _, x := range v.Values {
				assert.Equal(t, KindString, x.Kind)
			}
		})
	}
}

// TestConditionsAdd checks that Add starts from nothing, adds operators and
// keys, merges values under an existing key into a list, and never changes
// the receiver.
func TestConditionsAdd(t *testing.T) {
	var none Conditions
	c1 := none.Add("StringEquals", "aws:SourceAccount", Values("111122223333"))
	require.Nil(t, none)
	assert.Equal(t, Conditions{"StringEquals": {"aws:SourceAccount": {Values: []Value{StringValue("111122223333")}, Scalar: true}}}, c1)

	c2 := c1.Add("ArnLike", "aws:SourceArn", Values("arn:aws:ssm:*:111122223333:automation-execution/*"))
	assert.Len(t, c1, 1, "the receiver is left alone")
	assert.Len(t, c2, 2)
	assert.Equal(t, []string{"arn:aws:ssm:*:111122223333:automation-execution/*"}, c2["ArnLike"]["aws:SourceArn"].Strings())

	c3 := c2.Add("StringEquals", "aws:SourceAccount", Values("444455556666"))
	assert.Equal(t, []string{"111122223333"}, c2["StringEquals"]["aws:SourceAccount"].Strings(), "the receiver is left alone")
	merged := c3["StringEquals"]["aws:SourceAccount"]
	assert.Equal(t, []string{"111122223333", "444455556666"}, merged.Strings())
	assert.False(t, merged.Scalar, "merged values are a list")

	c4 := c3.Add("StringEquals", "aws:PrincipalTag/team", Values("ops"))
	assert.Len(t, c4["StringEquals"], 2)
	assert.Len(t, c3["StringEquals"], 1, "the receiver is left alone")
}

// TestPolicyCloneIsDeep checks that Clone copies every element, keeps absent
// elements absent, and shares nothing with the original.
func TestPolicyCloneIsDeep(t *testing.T) {
	var nilPolicy *Policy
	assert.Nil(t, nilPolicy.Clone())

	empty := &Policy{Version: Version2008, Id: "x"}
	ce := empty.Clone()
	assert.Equal(t, empty, ce)
	assert.Nil(t, ce.Statement, "an absent Statement stays absent")

	p := New(
		Statement{Sid: "A", Effect: Allow, Action: One("s3:GetObject"), Resource: List("arn:aws:s3:::b/*")},
		Statement{
			Sid: "T", Effect: Allow, Principal: ServicePrincipal("ssm.amazonaws.com"),
			NotPrincipal: AWSPrincipal("1", "2"), NotAction: List("iam:*"), NotResource: One("arn:aws:s3:::c"),
			Condition: Conditions{}.Add("StringEquals", "aws:SourceAccount", Values("111122223333")),
		},
	)
	p.SetSingleStatement(true)
	c := p.Clone()
	require.Equal(t, p, c)
	assert.Nil(t, c.Statement[0].Principal, "an absent principal stays absent")
	assert.Nil(t, c.Statement[0].Condition, "an absent condition stays absent")
	assert.True(t, c.Statement[0].NotAction.IsZero(), "an absent element stays absent")

	c.Statement[0].Action.Values[0] = "changed"
	c.Statement[0].Resource.Values[0] = "changed"
	c.Statement[1].Principal.Service.Values[0] = "changed"
	c.Statement[1].NotPrincipal.AWS.Values[0] = "changed"
	c.Statement[1].NotAction.Values[0] = "changed"
	c.Statement[1].NotResource.Values[0] = "changed"
	c.Statement[1].Condition["StringEquals"]["aws:SourceAccount"].Values[0] = StringValue("changed")
	c.Statement[1].Condition["StringEquals"]["new"] = Values("x")
	c.Statement = append(c.Statement[:1], Statement{Sid: "other"})

	assert.Equal(t, "s3:GetObject", p.Statement[0].Action.Values[0])
	assert.Equal(t, "arn:aws:s3:::b/*", p.Statement[0].Resource.Values[0])
	assert.Equal(t, "T", p.Statement[1].Sid)
	assert.Equal(t, "ssm.amazonaws.com", p.Statement[1].Principal.Service.Values[0])
	assert.Equal(t, "1", p.Statement[1].NotPrincipal.AWS.Values[0])
	assert.Equal(t, "iam:*", p.Statement[1].NotAction.Values[0])
	assert.Equal(t, "arn:aws:s3:::c", p.Statement[1].NotResource.Values[0])
	assert.Equal(t, []string{"111122223333"}, p.Statement[1].Condition["StringEquals"]["aws:SourceAccount"].Strings())
	assert.Len(t, p.Statement[1].Condition["StringEquals"], 1)
}
