package runbook

// rules runs the document checks beyond the basics of run.
func (v *validator) rules() {}
