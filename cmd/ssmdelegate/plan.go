package main

import (
	"context"
	"fmt"
	"io"
)

func cmdPlan(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ssmdelegate plan: not available in this build")
	return 2
}
