package execution

// retryBudget counts the failures of one call in a row, throttling and
// transient errors apart: throttling is retried without end (see
// [throttlePause] for a waiter, [nextDelay] for a watcher); transient errors (server errors,
// network failures) are retried up to maxTransient in a row, a negative or
// zero maxTransient retrying none.
type retryBudget struct {
	maxTransient int
	throttles    int // in a row
	transients   int // in a row
}

// allow counts a failure of the given kind and reports whether the call
// may be made again. Only throttling and transient errors may; a transient
// error past the budget is not counted, so transients never exceeds
// maxTransient.
func (b *retryBudget) allow(kind errKind) bool {
	switch kind {
	case errThrottle:
		b.throttles++
		return true
	case errTransient:
		if b.transients >= b.maxTransient {
			return false
		}
		b.transients++
		return true
	}
	return false
}

// reset starts a new run after a success.
func (b *retryBudget) reset() { b.throttles, b.transients = 0, 0 }
