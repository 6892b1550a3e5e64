package field

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathString(t *testing.T) {
	base := NewPath("mainSteps").Index(2)
	for _, tc := range []struct {
		name string
		path *Path
		want string
	}{
		{"root", nil, ""},
		{"single", NewPath("assumeRole"), "assumeRole"},
		{"more", NewPath("parameters", "Role", "type"), "parameters.Role.type"},
		{"index", base.Child("inputs").Child("InstanceIds"), "mainSteps[2].inputs.InstanceIds"},
		{"plain key", base.Child("inputs").Key("InstanceIds"), "mainSteps[2].inputs.InstanceIds"},
		{"nested index", base.Child("inputs", "Steps").Index(0).Index(1), "mainSteps[2].inputs.Steps[0][1]"},
		{"quoted key", NewPath("Statement").Index(0).Child("Condition").Key("StringEquals").Key("aws:SourceAccount"),
			`Statement[0].Condition.StringEquals["aws:SourceAccount"]`},
		{"empty key", NewPath("Condition").Key(""), `Condition[""]`},
		{"key at root", (*Path)(nil).Key("a-b"), `["a-b"]`},
		{"plain key at root", (*Path)(nil).Key("Version"), "Version"},
		{"index at root", (*Path)(nil).Index(3), "[3]"},
		{"relative child", NewPath("").Child("Key"), ".Key"},
		{"relative index", NewPath("").Index(2).Child("a"), "[2].a"},
		{"relative bracket key", NewPath("").Child("[x"), ".[x"},
		{"empty child", NewPath("parameters").Child(""), "parameters."},
		{"child with dot", NewPath("parameters").Child("a.b"), "parameters.a.b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.path.String())
		})
	}
}

func TestPathIsImmutable(t *testing.T) {
	base := NewPath("Targets").Index(0)
	k, v := base.Child("Key"), base.Child("Values")
	assert.Equal(t, "Targets[0].Key", k.String())
	assert.Equal(t, "Targets[0].Values", v.String())
	assert.Equal(t, "Targets[0]", base.String())
}

func TestPathRoot(t *testing.T) {
	assert.Equal(t, "", (*Path)(nil).Root())
	assert.Equal(t, "mainSteps", NewPath("mainSteps").Index(1).Child("name").Root())
	assert.Equal(t, "Version", NewPath("Version").Root())
}

func TestErrorRendering(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  Error
		want string
	}{
		{"detail only", Error{Detail: "too large"}, "too large"},
		{"path", New("c", NewPath("a").Index(1), "", "", "bad"), "a[1]: bad"},
		{"warning", Warning("c", NewPath("a"), "", "", "odd"), "a: warning: odd"},
		{"value and allowed", New("c", NewPath("x"), `"v"`, "w", "bad"), `x: bad (got "v"); allowed: w`},
		{"long value", Error{Detail: "d", Value: string(make([]byte, 81))}, "d (got " + string(make([]byte, 80)) + "…)"},
		{"value at limit", Error{Detail: "d", Value: string(make([]byte, 80))}, "d (got " + string(make([]byte, 80)) + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}

func TestSeverityString(t *testing.T) {
	assert.Equal(t, "error", SeverityError.String())
	assert.Equal(t, "warning", SeverityWarning.String())
}

func TestList(t *testing.T) {
	var l List
	l.Errorf("e1", NewPath("a"), "n=%d", 1)
	l.Warnf("w1", NewPath("b"), "m=%s", "x")
	l.Add(New("e2", nil, "v", "", "d"))
	require.Len(t, l, 3)
	assert.Equal(t, Error{Code: "e1", Path: "a", Detail: "n=1"}, l[0])
	assert.Equal(t, Error{Code: "w1", Path: "b", Detail: "m=x", Severity: SeverityWarning}, l[1])
	assert.Equal(t, List{l[0], l[2]}, l.Errors())
	assert.Equal(t, List{l[1]}, l.Warnings())
	assert.Nil(t, List{l[0]}.Warnings())
}

func TestTruncate(t *testing.T) {
	assert.Equal(t, "abc", Truncate("abc", 3))
	assert.Equal(t, "ab…", Truncate("abc", 2))
}
