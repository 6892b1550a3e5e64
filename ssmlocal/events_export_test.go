package ssmlocal

// PublishAutomationEvents runs the engine's change callback for an
// execution, as the engine does after each change, so tests can make it
// race with itself.
func (s *Server) PublishAutomationEvents(region, id string) { s.publishAutomationEvents(region, id) }
