package execution

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

func TestCheckType(t *testing.T) {
	tests := []struct {
		typ, value string
		want       string // the problem's message, empty when none
	}{
		{"Integer", "42", ""},
		{"Integer", " -7 ", ""},
		{"Integer", "4.2", "an Integer parameter takes a whole number"},
		{"Boolean", "true", ""},
		{"Boolean", "false", ""},
		{"Boolean", "True", "a Boolean parameter takes true or false"},
		{"StringMap", `{"a":"b"}`, ""},
		{"StringMap", `["a"]`, "a StringMap parameter takes a JSON object"},
		{"MapList", `{"a":"b"}`, ""},
		{"MapList", `[{"a":"b"},{}]`, ""},
		{"MapList", `["a"]`, "a MapList parameter takes JSON objects"},
		{"MapList", `a=b`, "a MapList parameter takes JSON objects"},
		{"String", "anything", ""},
		{"StringList", "anything", ""},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+tc.value, func(t *testing.T) {
			var ps problems
			checkType(&ps, field.NewPath("Parameters", "P"), tc.typ, tc.value)
			if tc.want == "" {
				assert.Empty(t, ps)
				return
			}
			assert.Equal(t, problems{{Field: "Parameters.P", Value: tc.value, Message: tc.want}}, ps)
		})
	}
}
