package runbook

import "bytes"

type bytesBuffer struct{ bytes.Buffer }
