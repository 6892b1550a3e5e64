package main

import (
	"context"
	"fmt"
	"io"
)

func cmdLocal(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ssmdelegate local: not available in this build")
	return 2
}
