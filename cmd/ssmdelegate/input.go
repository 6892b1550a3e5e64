package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// maxStdin bounds what "-" reads from standard input: far above any
// runbook or policy, so a runaway pipe cannot grow memory without bound.
const maxStdin = 16 << 20

// stdin is standard input; tests replace it.
var stdin io.Reader = os.Stdin

// errStdinTooLarge is returned when standard input exceeds maxStdin.
var errStdinTooLarge = errors.New("standard input is larger than 16 MiB")

// readInput reads a FILE argument: the file, or standard input for "-".
func readInput(path string) ([]byte, error) {
	if path != "-" {
		return os.ReadFile(path)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
	if err != nil {
		return nil, fmt.Errorf("read standard input: %w", err)
	}
	if len(data) > maxStdin {
		return nil, errStdinTooLarge
	}
	return data, nil
}
