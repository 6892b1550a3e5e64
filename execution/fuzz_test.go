package execution_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// FuzzNewStartInput feeds arbitrary names, values, rates, tags and
// parameter declarations to the start checks: they never panic, report
// problems only as *InvalidInputError, and accept again what they built.
func FuzzNewStartInput(f *testing.F) {
	f.Add("Restart-EC2InstanceDemo", "InstanceId", "i-1,i-2", "10%", "0", "team", "ops", "String", `^i-[0-9a-f]+$`, "1")
	f.Add("x", "", "", "0", "101%", "aws:x", "", "Integer", `(`, "$LATEST")
	f.Add("arn:aws:ssm:us-east-1:111122223333:document/Shared", "Flag", "true", "", "", "", "", "Boolean", "", "")
	f.Fuzz(func(t *testing.T, doc, key, value, conc, maxErr, tagKey, tagValue, typ, pattern, version string) {
		rb := &runbook.Document{Parameters: []runbook.Parameter{{Name: key, Type: runbook.ParameterType(typ), AllowedPattern: pattern}}}
		opts := []func(*execution.StartOptions){
			execution.WithParameters(map[string][]string{key: {value}}),
			execution.WithRunbook(rb),
			execution.WithDocumentVersion(version),
		}
		if conc != "" || maxErr != "" {
			opts = append(opts, execution.WithRateControl(key, []types.Target{{Key: aws.String("ParameterValues"), Values: []string{value}}}, conc, maxErr))
		}
		if tagKey != "" {
			opts = append(opts, execution.WithTags(types.Tag{Key: aws.String(tagKey), Value: aws.String(tagValue)}))
		}
		in, err := execution.NewStartInput(doc, opts...)
		if err != nil {
			var invalid *execution.InvalidInputError
			require.ErrorAs(t, err, &invalid)
			require.NotEmpty(t, invalid.Problems, "an invalid input error without problems")
			return
		}
		require.NoError(t, execution.ValidateStartInput(in, rb), "built input rejected")
	})
}
