package main

import (
	"context"
	"fmt"
	"io"
)

func cmdFmt(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ssmdelegate fmt: not available in this build")
	return 2
}
