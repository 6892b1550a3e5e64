package execution

// runbookDoc stands for the runbook package's document until it lands.
type runbookDoc struct{ params []paramDecl }

func declarations(doc *runbookDoc) []paramDecl { return doc.params }
