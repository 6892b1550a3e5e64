package runbook

import (
	"fmt"
	"strconv"
)

// ChoiceOperator compares a branch choice's Variable with its operand.
type ChoiceOperator string

// The operators of aws:branch choices and aws:loop conditions.
const (
	StringEquals           ChoiceOperator = "StringEquals"
	EqualsIgnoreCase       ChoiceOperator = "EqualsIgnoreCase"
	StartsWith             ChoiceOperator = "StartsWith"
	EndsWith               ChoiceOperator = "EndsWith"
	Contains               ChoiceOperator = "Contains"
	NumericEquals          ChoiceOperator = "NumericEquals"
	NumericGreater         ChoiceOperator = "NumericGreater"
	NumericLesser          ChoiceOperator = "NumericLesser"
	NumericGreaterOrEquals ChoiceOperator = "NumericGreaterOrEquals"
	NumericLesserOrEquals  ChoiceOperator = "NumericLesserOrEquals"
	BooleanEquals          ChoiceOperator = "BooleanEquals"
)

// ChoiceOperators lists every operator.
func ChoiceOperators() []ChoiceOperator {
	return []ChoiceOperator{StringEquals, EqualsIgnoreCase, StartsWith, EndsWith, Contains, NumericEquals,
		NumericGreater, NumericLesser, NumericGreaterOrEquals, NumericLesserOrEquals, BooleanEquals}
}

func isOperator(k string) bool {
	for _, o := range ChoiceOperators() {
		if string(o) == k {
			return true
		}
	}
	return false
}

// Choice is one branch choice, or a loop condition, or a nested And/Or/Not
// term. A leaf has Variable, Operator and Operand; a composite has And, Or or
// Not.
type Choice struct {
	// NextStep is the step a top-level choice goes to.
	NextStep string
	Variable Value
	Operator ChoiceOperator
	Operand  Value
	And      []Choice
	Or       []Choice
	Not      *Choice
}

// When returns a leaf choice: variable op operand.
func When(variable Value, op ChoiceOperator, operand Value) Choice {
	return Choice{Variable: variable, Operator: op, Operand: operand}
}

// AllOf returns a choice true when every term is.
func AllOf(terms ...Choice) Choice { return Choice{And: append([]Choice(nil), terms...)} }

// AnyOf returns a choice true when any term is.
func AnyOf(terms ...Choice) Choice { return Choice{Or: append([]Choice(nil), terms...)} }

// NotOf returns a choice true when term is false.
func NotOf(term Choice) Choice { return Choice{Not: &term} }

// Then returns the choice with NextStep set to step.
func (c Choice) Then(step string) Choice { c.NextStep = step; return c }

// Value returns the wire form of the choice.
func (c Choice) Value() Value {
	var ms []Member
	if c.NextStep != "" {
		ms = append(ms, Member{Key: "NextStep", Value: String(c.NextStep)})
	}
	ms = appendMember(ms, "Variable", c.Variable)
	if c.Operator != "" {
		op := c.Operand
		if op.IsZero() {
			op = Null()
		}
		ms = append(ms, Member{Key: string(c.Operator), Value: op})
	}
	if c.And != nil {
		ms = append(ms, Member{Key: "And", Value: choicesValue(c.And)})
	}
	if c.Or != nil {
		ms = append(ms, Member{Key: "Or", Value: choicesValue(c.Or)})
	}
	if c.Not != nil {
		ms = append(ms, Member{Key: "Not", Value: c.Not.Value()})
	}
	return Map(ms...)
}

func choicesValue(cs []Choice) Value {
	vs := make([]Value, len(cs))
	for i, c := range cs {
		vs[i] = c.Value()
	}
	return List(vs...)
}

// parseChoice decodes a choice; path names it in errors.
func parseChoice(v Value, path string) (Choice, error) {
	ms, ok := v.AsMap()
	if !ok {
		return Choice{}, &ParseError{Path: path, Msg: "expected a map, got " + v.Kind().String()}
	}
	var c Choice
	for _, m := range ms {
		p := path + "." + m.Key
		switch {
		case m.Key == "NextStep":
			s, ok := m.Value.AsString()
			if !ok {
				return c, &ParseError{Path: p, Msg: "expected a string, got " + m.Value.Kind().String()}
			}
			c.NextStep = s
		case m.Key == "Variable":
			c.Variable = m.Value
		case m.Key == "And" || m.Key == "Or":
			items, ok := m.Value.AsList()
			if !ok {
				return c, &ParseError{Path: p, Msg: "expected a list, got " + m.Value.Kind().String()}
			}
			terms := make([]Choice, 0, len(items))
			for i, it := range items {
				t, err := parseChoice(it, p+"["+strconv.Itoa(i)+"]")
				if err != nil {
					return c, err
				}
				terms = append(terms, t)
			}
			if m.Key == "And" {
				c.And = terms
			} else {
				c.Or = terms
			}
		case m.Key == "Not":
			t, err := parseChoice(m.Value, p)
			if err != nil {
				return c, err
			}
			c.Not = &t
		case isOperator(m.Key):
			if c.Operator != "" {
				return c, &ParseError{Path: p, Msg: fmt.Sprintf("a choice has one operator, already has %s", c.Operator)}
			}
			c.Operator, c.Operand = ChoiceOperator(m.Key), m.Value
		default:
			return c, &ParseError{Path: p, Msg: fmt.Sprintf("unknown choice key %q: allowed are NextStep, Variable, And, Or, Not and the operators", m.Key)}
		}
	}
	return c, nil
}

// Branch holds the inputs of aws:branch, which goes to the step of the first
// matching choice, or to Default.
type Branch struct {
	Choices []Choice
	// Default is the step taken when no choice matches.
	Default string
	// Unknown holds inputs the action does not define, kept verbatim.
	Unknown []Member
}

// Action returns "aws:branch".
func (Branch) Action() string { return "aws:branch" }
func (Branch) isInputs()      {}

// Members returns the inputs in wire order.
func (in Branch) Members() []Member {
	var ms []Member
	if in.Choices != nil {
		ms = append(ms, Member{Key: "Choices", Value: choicesValue(in.Choices)})
	}
	if in.Default != "" {
		ms = append(ms, Member{Key: "Default", Value: String(in.Default)})
	}
	return append(ms, in.Unknown...)
}

func (in *Branch) set(key string, v Value) error {
	switch key {
	case "Choices":
		items, ok := v.AsList()
		if !ok {
			return &ParseError{Path: "Choices", Msg: "expected a list, got " + v.Kind().String()}
		}
		in.Choices = make([]Choice, 0, len(items))
		for i, it := range items {
			c, err := parseChoice(it, "Choices["+strconv.Itoa(i)+"]")
			if err != nil {
				return err
			}
			in.Choices = append(in.Choices, c)
		}
	case "Default":
		s, ok := v.AsString()
		if !ok {
			return &ParseError{Path: "Default", Msg: "expected a step name, got " + v.Kind().String()}
		}
		in.Default = s
	default:
		in.Unknown = append(in.Unknown, Member{Key: key, Value: v})
	}
	return nil
}

// Loop holds the inputs of aws:loop, which runs Steps for each iterator value
// or while LoopCondition holds.
type Loop struct {
	// Iterators is a list (or a reference to one) to iterate over.
	Iterators Value
	// IteratorDataType is String (default), Integer, Boolean or StringMap
	// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-loop.html).
	IteratorDataType Value
	// LoopCondition keeps looping while it holds.
	LoopCondition *Choice
	// MaxIterations bounds the loop (default 100).
	MaxIterations Value
	Steps         []Step
	// Unknown holds inputs the action does not define, kept verbatim.
	Unknown []Member
}

// Action returns "aws:loop".
func (Loop) Action() string { return "aws:loop" }
func (Loop) isInputs()      {}

// Members returns the inputs in wire order.
func (in Loop) Members() []Member {
	var ms []Member
	ms = appendMember(ms, "Iterators", in.Iterators)
	ms = appendMember(ms, "IteratorDataType", in.IteratorDataType)
	if in.LoopCondition != nil {
		ms = append(ms, Member{Key: "LoopCondition", Value: in.LoopCondition.Value()})
	}
	ms = appendMember(ms, "MaxIterations", in.MaxIterations)
	if in.Steps != nil {
		var b encBuf
		b.steps(in.Steps)
		ms = append(ms, Member{Key: "Steps", Value: Value{raw: b.Bytes()}})
	}
	return append(ms, in.Unknown...)
}

func (in *Loop) set(key string, v Value) error {
	switch key {
	case "Iterators":
		in.Iterators = v
	case "IteratorDataType":
		in.IteratorDataType = v
	case "MaxIterations":
		in.MaxIterations = v
	case "LoopCondition":
		c, err := parseChoice(v, "LoopCondition")
		if err != nil {
			return err
		}
		in.LoopCondition = &c
	case "Steps":
		steps, err := decodeSteps(v.raw, "Steps")
		if err != nil {
			return err
		}
		in.Steps = steps
	default:
		in.Unknown = append(in.Unknown, Member{Key: key, Value: v})
	}
	return nil
}
