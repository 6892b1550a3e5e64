package main

import (
	"context"
	"fmt"
	"io"
)

func cmdPolicy(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ssmdelegate policy: not available in this build")
	return 2
}
