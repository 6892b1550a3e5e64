package arn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ARN
	}{
		{"arn:aws:iam::123456789012:role/service-role/Auto", ARN{"aws", "iam", "", "123456789012", "role/service-role/Auto"}},
		{"arn:aws-cn:ssm:cn-north-1:123456789012:automation-definition/Doc:$DEFAULT",
			ARN{"aws-cn", "ssm", "cn-north-1", "123456789012", "automation-definition/Doc:$DEFAULT"}},
		{"arn:aws:s3:::bucket/key:with:colons", ARN{"aws", "s3", "", "", "bucket/key:with:colons"}},
		{"arn:aws:ssm:us-east-1::document/AWS-RestartEC2Instance", ARN{"aws", "ssm", "us-east-1", "", "document/AWS-RestartEC2Instance"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.in, got.String(), "String inverts Parse")
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"", "arn", "arn:aws:iam::123456789012", "ARN:aws:iam::1:role/x", "arn::iam::1:role/x",
		"arn:aws::::x", "arn:aws:iam::1:", "role/x", "urn:aws:iam::1:role/x",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := Parse(in)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), "is not arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE")
		})
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in    string
		vars  bool
		want  [6]string
		split bool
	}{
		{"arn:aws:s3:::b", false, [6]string{"arn", "aws", "s3", "", "", "b"}, true},
		{"a:b:c:d:e:f:g", false, [6]string{"a", "b", "c", "d", "e", "f:g"}, true},
		{"a:b:c:d", false, [6]string{"a", "b", "c"}, false},
		{"arn:aws:s3:::${aws:username}", true, [6]string{"arn", "aws", "s3", "", "", "${aws:username}"}, true},
		{"arn:${a:b}:s3:::x", true, [6]string{"arn", "${a:b}", "s3", "", "", "x"}, true},
		{"arn:${a:b}:s3:::x", false, [6]string{"arn", "${a", "b}", "s3", "", ":x"}, true},
		{"arn:${a:b:s3:::x", true, [6]string{"arn"}, false},
		{"arn:a}:s3:::x", true, [6]string{"arn", "a}", "s3", "", "", "x"}, true},
		{"$", true, [6]string{}, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := Split(tc.in, tc.vars)
			assert.Equal(t, tc.split, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestResourceParts(t *testing.T) {
	for _, tc := range []struct {
		resource, typ, id, name string
	}{
		{"role/service-role/Auto", "role", "service-role/Auto", "Auto"},
		{"function:Fn:alias", "function", "Fn:alias", "function:Fn:alias"},
		{"automation-definition/Doc:$DEFAULT", "automation-definition", "Doc:$DEFAULT", "Doc:$DEFAULT"},
		{"bucket", "", "bucket", "bucket"},
		{"root", "", "root", "root"},
		{"", "", "", ""},
		{"/x", "", "/x", "x"},
		{":x", "", ":x", ":x"},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			a := ARN{Resource: tc.resource}
			assert.Equal(t, tc.typ, a.ResourceType())
			assert.Equal(t, tc.id, a.ResourceID())
			assert.Equal(t, tc.name, a.Name())
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:role/x", "arn:aws:s3:::b/k", "a:b:c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		require.Equal(t, s, a.String())
		typ, id := a.ResourceType(), a.ResourceID()
		if typ == "" {
			require.Equal(t, a.Resource, id)
			return
		}
		require.Equal(t, a.Resource, typ+a.Resource[len(typ):len(typ)+1]+id)
		require.NotContains(t, typ, "/")
		require.NotContains(t, typ, ":")
	})
}
