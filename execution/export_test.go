package execution

// NextDelay exposes the poll schedule to the tests.
var NextDelay = nextDelay
