// Package slowtest keeps the slowest end-to-end suites out of the default
// `go test ./...`, so that a contributor's run finishes in a few minutes on
// a small machine, while CI (.ci/run) still runs everything.
//
// A suite is slow when it drives external programs (the AWS CLI, boto3,
// a freshly built ssmdelegate binary) or loads the local endpoint for
// minutes. Such a test calls [Require] first; it runs when the environment
// variable SSMDELEGATE_SLOW_TESTS is 1.
package slowtest

import (
	"os"
	"testing"
)

// EnvVar is the environment variable that enables the slow suites.
const EnvVar = "SSMDELEGATE_SLOW_TESTS"

// Enabled reports whether the slow suites run.
func Enabled() bool { return os.Getenv(EnvVar) == "1" }

// Require skips t unless the slow suites run; what says what makes the
// test slow.
func Require(t testing.TB, what string) {
	t.Helper()
	if !Enabled() {
		t.Skipf("slow suite (%s): set %s=1 to run it, as .ci/run does", what, EnvVar)
	}
}
