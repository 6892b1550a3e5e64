package main

import (
	"context"
	"fmt"
	"io"
)

func cmdLint(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ssmdelegate lint: not available in this build")
	return 2
}
