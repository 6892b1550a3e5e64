package ssmlocal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ssmdelegate/ssmdelegate/policy"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// ssmDocument is an SSM document with its versions.
type ssmDocument struct {
	Name       string        `json:"name"`
	Owner      string        `json:"owner"`
	Type       string        `json:"type"`
	TargetType string        `json:"targetType,omitempty"`
	Created    time.Time     `json:"created"`
	Default    int           `json:"default"`
	Latest     int           `json:"latest"`
	Tags       []tag         `json:"tags,omitempty"`
	Versions   []*docVersion `json:"versions"`
	// Shared maps the accounts the document is shared with ("all" when
	// public) to the version shared.
	Shared map[string]string `json:"shared,omitempty"`
}

// docVersion is one version of a document.
type docVersion struct {
	Version     int       `json:"version"`
	VersionName string    `json:"versionName,omitempty"`
	Content     string    `json:"content"`
	Format      string    `json:"format"`
	Hash        string    `json:"hash"`
	Created     time.Time `json:"created"`
}

func (d *ssmDocument) version(n int) *docVersion {
	for _, v := range d.Versions {
		if v.Version == n {
			return v
		}
	}
	return nil
}

func (d *ssmDocument) awsOwned() bool { return d.Owner == "Amazon" }

var (
	docNamePattern     = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)
	docRefPattern      = regexp.MustCompile(`^[a-zA-Z0-9_\-.:/]{3,128}$`)
	docVersionPattern  = regexp.MustCompile(`^([$]LATEST|[$]DEFAULT|[1-9][0-9]*)$`)
	versionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{1,128}$`)
	docARNPattern      = regexp.MustCompile(`^arn:[a-z-]+:ssm:[a-z0-9-]*:[0-9]*:document/([a-zA-Z0-9_\-.]{3,128})$`)
)

// docARN is a document's ARN; AWS-owned documents have an empty account.
func (s *Server) docARN(region, name string) string {
	account := s.opts.AccountID
	if policy.IsAWSOwnedDocument(name) {
		account = ""
	}
	return s.arnOf("ssm", region, account, "document/"+name)
}

// definitionARN is the automation-definition ARN a start is authorized on.
func (s *Server) definitionARN(region, name, version string) string {
	account := s.opts.AccountID
	if policy.IsAWSOwnedDocument(name) {
		account = ""
	}
	return s.arnOf("ssm", region, account, "automation-definition/"+name+":"+version)
}

func hashContent(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// docName reads a document name member, which may also be the document's
// ARN, and checks the model's pattern.
func docName(in map[string]any, member string, create bool) (string, error) {
	name, err := str(in, member)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", validation(lowerFirst(member), "null", "Member must not be null")
	}
	if create {
		if !docNamePattern.MatchString(name) {
			return "", validation(lowerFirst(member), name, `Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\-.]{3,128}$`)
		}
		return name, nil
	}
	if m := docARNPattern.FindStringSubmatch(name); m != nil {
		return m[1], nil
	}
	if !docRefPattern.MatchString(name) {
		return "", validation(lowerFirst(member), name, `Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\-.:/]{3,128}$`)
	}
	return name, nil
}

// docSelector reads the Name, DocumentVersion and VersionName that pick one
// version of a document.
func docSelector(in map[string]any) (name, version, versionName string, err error) {
	if name, err = docName(in, "Name", false); err != nil {
		return "", "", "", err
	}
	if version, err = optVersion(in, "DocumentVersion"); err != nil {
		return "", "", "", err
	}
	if versionName, err = optVersionName(in); err != nil {
		return "", "", "", err
	}
	return name, version, versionName, nil
}

func optVersion(in map[string]any, member string) (string, error) {
	v, err := str(in, member)
	if err != nil || v == "" {
		return v, err
	}
	if !docVersionPattern.MatchString(v) {
		return "", validation(lowerFirst(member), v, `Member must satisfy regular expression pattern: ([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`)
	}
	return v, nil
}

func optVersionName(in map[string]any) (string, error) {
	v, err := str(in, "VersionName")
	if err != nil || v == "" {
		return v, err
	}
	if !versionNamePattern.MatchString(v) {
		return "", validation("versionName", v, `Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\-.]{1,128}$`)
	}
	return v, nil
}

func docFormat(in map[string]any, def string) (string, error) {
	f, err := str(in, "DocumentFormat")
	if err != nil {
		return "", err
	}
	switch f {
	case "":
		return def, nil
	case "JSON", "YAML":
		return f, nil
	case "TEXT":
		return "", apiErr("InvalidDocumentSchemaVersion", "TEXT documents are not Automation runbooks")
	}
	return "", validation("documentFormat", f, "Member must satisfy enum value set: [YAML, JSON, TEXT]")
}

// checkContent validates a runbook's content the way SSM does on create and
// update: well-formed in its declared format, a valid schema 0.3 document.
func (s *Server) checkContent(name, content, format string) (*runbook.Document, error) {
	if content == "" {
		return nil, validation("content", "null", "Member must not be null")
	}
	if len(content) > 64*1024 {
		return nil, apiErr("MaxDocumentSizeExceeded", "The content for the document exceeds the maximum size of 64 KB.")
	}
	detected := runbook.DetectFormat([]byte(content))
	if format == "JSON" && detected != runbook.JSON {
		return nil, apiErr("InvalidDocumentContent", "JSON not well-formed. at Line: 1, Column: 1")
	}
	doc, err := runbook.Parse([]byte(content))
	if err != nil {
		return nil, apiErr("InvalidDocumentContent", "%v", err)
	}
	report := doc.Validate(func(o *runbook.ValidateOptions) { o.Name = name })
	if len(report.Errors) > 0 {
		msgs := make([]string, 0, len(report.Errors))
		for _, p := range report.Errors {
			msgs = append(msgs, p.Error())
		}
		return nil, apiErr("InvalidDocumentContent", "%s", strings.Join(msgs, "; "))
	}
	return doc, nil
}

func reservedName(name string) bool {
	l := strings.ToLower(name)
	for _, p := range []string{"aws", "amazon", "amzn"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

func ssmDocOps() []opDef {
	ops := []opDef{
		{"ssm", "CreateDocument", true, (*Server).ssmCreateDocument, authOn("ssm:CreateDocument", createDocumentTarget)},
		{"ssm", "GetDocument", true, (*Server).ssmGetDocument, authOn("ssm:GetDocument", documentTarget)},
		{"ssm", "DescribeDocument", true, (*Server).ssmDescribeDocument, authOn("ssm:DescribeDocument", documentTarget)},
		{"ssm", "UpdateDocument", true, (*Server).ssmUpdateDocument, authOn("ssm:UpdateDocument", documentTarget)},
		{"ssm", "UpdateDocumentDefaultVersion", true, (*Server).ssmUpdateDocumentDefaultVersion, authOn("ssm:UpdateDocumentDefaultVersion", documentTarget)},
		{"ssm", "DeleteDocument", true, (*Server).ssmDeleteDocument, authOn("ssm:DeleteDocument", documentTarget)},
		{"ssm", "ListDocuments", true, (*Server).ssmListDocuments, authAny("ssm:ListDocuments")},
		{"ssm", "ListDocumentVersions", true, (*Server).ssmListDocumentVersions, authOn("ssm:ListDocumentVersions", documentTarget)},
	}
	return append(ops, ssmTagOps()...)
}

// memberDocName reads a document name member leniently, for authorization
// targets: a document ARN gives its name.
func memberDocName(in map[string]any, key string) string {
	name := member(in, key)
	if m := docARNPattern.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return name
}

// documentContext is the condition context of an existing document: its
// type and its tags. Callers hold s.mu.
func documentContext(r *region, name string) map[string][]string {
	d, ok := r.Documents[name]
	if !ok {
		return nil
	}
	ctx := resourceTagContext(d.Tags, "ssm")
	ctx["ssm:DocumentType"] = []string{d.Type}
	return ctx
}

// documentTarget authorizes a document operation on the document Name
// names.
func documentTarget(s *Server, c *call, in map[string]any) []authTarget {
	name := memberDocName(in, "Name")
	return on(s.docARN(c.region.Name, name), documentContext(c.region, name))
}

// createDocumentTarget authorizes CreateDocument on the new document's
// ARN, with its type and the tags it is created with.
func createDocumentTarget(s *Server, c *call, in map[string]any) []authTarget {
	dtype := member(in, "DocumentType")
	if dtype == "" {
		dtype = "Command"
	}
	tl, _ := objects(in, "Tags")
	tags, _ := tagPairs(tl, nil)
	return on(s.docARN(c.region.Name, member(in, "Name")), requestTagContext(tags, map[string][]string{"ssm:DocumentType": {dtype}}))
}

// lookupDoc finds a document and one of its versions: version is a number,
// $DEFAULT, $LATEST or empty ($DEFAULT); versionName selects by name.
func (r *region) lookupDoc(name, version, versionName string) (*ssmDocument, *docVersion, error) {
	d, ok := r.Documents[name]
	if !ok {
		return nil, nil, apiErr("InvalidDocument", "Document with name %s does not exist.", name)
	}
	var v *docVersion
	switch {
	case versionName != "" && version == "":
		for _, e := range d.Versions {
			if e.VersionName == versionName {
				v = e
			}
		}
	case version == "" || version == "$DEFAULT":
		v = d.version(d.Default)
	case version == "$LATEST":
		v = d.version(d.Latest)
	default:
		n, _ := strconv.Atoi(version)
		v = d.version(n)
	}
	if v == nil || (versionName != "" && v.VersionName != versionName) {
		return nil, nil, apiErr("InvalidDocumentVersion", "The document version is not valid or does not exist.")
	}
	return d, v, nil
}

func (s *Server) describeShape(r *region, d *ssmDocument, v *docVersion) map[string]any {
	m := map[string]any{
		"Name": d.Name, "Owner": d.Owner, "DocumentType": d.Type, "DocumentVersion": strconv.Itoa(v.Version),
		"Hash": v.Hash, "HashType": "Sha256", "CreatedDate": v.Created, "Status": "Active",
		"SchemaVersion": "0.3", "LatestVersion": strconv.Itoa(d.Latest), "DefaultVersion": strconv.Itoa(d.Default),
		"DocumentFormat": v.Format, "PlatformTypes": []any{"Windows", "Linux", "MacOS"}, "Tags": tagShapes(d.Tags),
	}
	if v.VersionName != "" {
		m["VersionName"] = v.VersionName
	}
	if dv := d.version(d.Default); dv != nil && dv.VersionName != "" {
		m["DefaultVersionName"] = dv.VersionName
	}
	if d.TargetType != "" {
		m["TargetType"] = d.TargetType
	}
	if doc, err := s.parsed(v); err == nil {
		if doc.Description != "" {
			m["Description"] = doc.Description
		}
		params := make([]any, 0, len(doc.Parameters))
		for _, p := range doc.Parameters {
			pm := map[string]any{"Name": p.Name, "Type": string(p.Type)}
			if p.Description != "" {
				pm["Description"] = p.Description
			}
			if !p.Default.IsZero() {
				if str, ok := p.Default.AsString(); ok {
					pm["DefaultValue"] = str
				} else {
					pm["DefaultValue"] = string(p.Default.JSON())
				}
			}
			params = append(params, pm)
		}
		if len(params) > 0 {
			m["Parameters"] = params
		}
	}
	return m
}

// parsed returns a version's parsed runbook, cached by hash.
func (s *Server) parsed(v *docVersion) (*runbook.Document, error) {
	if d, ok := s.runbooks.Load(v.Hash); ok {
		return d.(*runbook.Document), nil
	}
	d, err := runbook.Parse([]byte(v.Content))
	if err != nil {
		return nil, err
	}
	s.runbooks.Store(v.Hash, d)
	return d, nil
}

func (s *Server) ssmCreateDocument(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, err := docName(in, "Name", true)
	if err != nil {
		return nil, err
	}
	content, err := str(in, "Content")
	if err != nil {
		return nil, err
	}
	dtype, err := str(in, "DocumentType")
	if err != nil {
		return nil, err
	}
	switch dtype {
	case "Automation":
	case "", "Command", "Policy", "Session", "Package", "ApplicationConfiguration", "ApplicationConfigurationSchema",
		"DeploymentStrategy", "ChangeCalendar", "Automation.ChangeTemplate", "ProblemAnalysis", "ProblemAnalysisTemplate",
		"CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy":
		if dtype == "" {
			dtype = "Command"
		}
		return nil, apiErr("InvalidDocumentType", "document type %s is not simulated by the local endpoint: only Automation runbooks are (set DocumentType to Automation)", dtype)
	default:
		return nil, validation("documentType", dtype, "Member must satisfy enum value set")
	}
	format, err := docFormat(in, "JSON")
	if err != nil {
		return nil, err
	}
	versionName, err := optVersionName(in)
	if err != nil {
		return nil, err
	}
	targetType, err := str(in, "TargetType")
	if err != nil {
		return nil, err
	}
	if targetType != "" && (len(targetType) > 200 || !strings.HasPrefix(targetType, "/")) {
		return nil, validation("targetType", targetType, `Member must satisfy regular expression pattern: ^\/[\w\.\-\:\/]*$`)
	}
	tl, err := objects(in, "Tags")
	if err != nil {
		return nil, err
	}
	tags, err := readEC2Tags(tl)
	if err != nil {
		return nil, &APIError{Code: "InvalidParameterValue", Message: asAPIError(err).Message}
	}
	if reservedName(name) {
		return nil, validation("name", name, "Document names must not start with aws, amazon or amzn")
	}
	if _, err := s.checkContent(name, content, format); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := c.region.Documents[name]; ok {
		return nil, apiErr("DocumentAlreadyExists", "Document with same name %s already exists", name)
	}
	if len(c.region.Documents) >= 10000 {
		return nil, apiErr("DocumentLimitExceeded", "You can create up to 10000 documents.")
	}
	now := s.clock.Now().UTC()
	v := &docVersion{Version: 1, VersionName: versionName, Content: content, Format: format, Hash: hashContent(content), Created: now}
	d := &ssmDocument{Name: name, Owner: s.opts.AccountID, Type: dtype, TargetType: targetType, Created: now, Default: 1, Latest: 1, Tags: tags, Versions: []*docVersion{v}}
	c.region.Documents[name] = d
	s.changed()
	return map[string]any{"DocumentDescription": s.describeShape(c.region, d, v)}, nil
}

func (s *Server) ssmGetDocument(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, version, versionName, err := docSelector(in)
	if err != nil {
		return nil, err
	}
	want, err := docFormat(in, "")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, v, err := c.region.lookupDoc(name, version, versionName)
	if err != nil {
		return nil, err
	}
	content, format := v.Content, v.Format
	if want != "" && want != format {
		converted, err := convertContent(content, want)
		if err != nil {
			return nil, apiErr("InvalidDocumentContent", "cannot convert the document to %s: %v", want, err)
		}
		content, format = converted, want
	}
	out := map[string]any{
		"Name": d.Name, "CreatedDate": v.Created, "DocumentVersion": strconv.Itoa(v.Version), "Status": "Active",
		"Content": content, "DocumentType": d.Type, "DocumentFormat": format,
	}
	if v.VersionName != "" {
		out["VersionName"] = v.VersionName
	}
	return out, nil
}

func (s *Server) ssmDescribeDocument(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, version, versionName, err := docSelector(in)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, v, err := c.region.lookupDoc(name, version, versionName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Document": s.describeShape(c.region, d, v)}, nil
}

func (s *Server) ssmUpdateDocument(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, err := docName(in, "Name", true)
	if err != nil {
		return nil, err
	}
	content, err := str(in, "Content")
	if err != nil {
		return nil, err
	}
	version, err := optVersion(in, "DocumentVersion")
	if err != nil {
		return nil, err
	}
	versionName, err := optVersionName(in)
	if err != nil {
		return nil, err
	}
	targetType, err := str(in, "TargetType")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := c.region.Documents[name]
	if !ok {
		return nil, apiErr("InvalidDocument", "Document with name %s does not exist.", name)
	}
	if d.awsOwned() {
		return nil, apiErr("InvalidDocumentOperation", "You can't update documents owned by Amazon.")
	}
	if version != "" && version != "$LATEST" && version != strconv.Itoa(d.Latest) {
		return nil, apiErr("InvalidDocumentVersion", "You can only update the latest version of a document; the latest version is %d.", d.Latest)
	}
	latest := d.version(d.Latest)
	format, err := docFormat(in, latest.Format)
	if err != nil {
		return nil, err
	}
	if _, err := s.checkContent(name, content, format); err != nil {
		return nil, err
	}
	hash := hashContent(content)
	for _, v := range d.Versions {
		if v.Hash == hash {
			return nil, apiErr("DuplicateDocumentContent", "The content of the association document matches another document. Change the content of the document and try again.")
		}
		if versionName != "" && v.VersionName == versionName {
			return nil, apiErr("DuplicateDocumentVersionName", "The version name has already been used in this document. Specify a different version name, and then try again.")
		}
	}
	if len(d.Versions) >= 1000 {
		return nil, apiErr("DocumentVersionLimitExceeded", "The document has too many versions. Delete one or more document versions and try again.")
	}
	v := &docVersion{Version: d.Latest + 1, VersionName: versionName, Content: content, Format: format, Hash: hash, Created: s.clock.Now().UTC()}
	d.Versions = append(d.Versions, v)
	d.Latest = v.Version
	if targetType != "" {
		d.TargetType = targetType
	}
	s.changed()
	return map[string]any{"DocumentDescription": s.describeShape(c.region, d, v)}, nil
}

func (s *Server) ssmUpdateDocumentDefaultVersion(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, err := docName(in, "Name", false)
	if err != nil {
		return nil, err
	}
	version, err := str(in, "DocumentVersion")
	if err != nil {
		return nil, err
	}
	if n, err := strconv.Atoi(version); err != nil || n < 1 || strconv.Itoa(n) != version {
		return nil, validation("documentVersion", version, `Member must satisfy regular expression pattern: (^[1-9][0-9]*$)`)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, v, err := c.region.lookupDoc(name, version, "")
	if err != nil {
		return nil, err
	}
	if d.awsOwned() {
		return nil, apiErr("InvalidDocumentOperation", "You can't update documents owned by Amazon.")
	}
	d.Default = v.Version
	s.changed()
	desc := map[string]any{"Name": d.Name, "DefaultVersion": version}
	if v.VersionName != "" {
		desc["DefaultVersionName"] = v.VersionName
	}
	return map[string]any{"Description": desc}, nil
}

func (s *Server) ssmDeleteDocument(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, version, versionName, err := docSelector(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := c.region.Documents[name]
	if !ok {
		return nil, apiErr("InvalidDocument", "Document with name %s does not exist.", name)
	}
	if d.awsOwned() {
		return nil, apiErr("InvalidDocumentOperation", "You can't delete documents owned by Amazon.")
	}
	if version == "" && versionName == "" {
		if len(d.Shared) > 0 {
			return nil, apiErr("InvalidDocumentOperation", "You must stop sharing the document before you can delete it.")
		}
		delete(c.region.Documents, name)
		s.changed()
		return nil, nil
	}
	_, v, err := c.region.lookupDoc(name, version, versionName)
	if err != nil {
		return nil, err
	}
	if v.Version == d.Default {
		return nil, apiErr("InvalidDocumentOperation", "Default version of the document can't be deleted.")
	}
	kept := d.Versions[:0]
	for _, e := range d.Versions {
		if e != v {
			kept = append(kept, e)
		}
	}
	d.Versions = kept
	if v.Version == d.Latest {
		d.Latest = 0
		for _, e := range d.Versions {
			d.Latest = max(d.Latest, e.Version)
		}
	}
	s.changed()
	return nil, nil
}

// docFilter is one ListDocuments filter: a key and the values it accepts.
type docFilter struct {
	key    string
	values []string
}

// docFilterKeys are the keys ListDocuments filters by, besides "tag:KEY".
var docFilterKeys = []string{"Owner", "Name", "DocumentType", "PlatformTypes", "SchemaVersion", "TargetType", "SearchKeyword"}

// readDocFilters reads Filters, or the legacy DocumentFilterList, which
// cannot be used together.
func readDocFilters(in map[string]any) ([]docFilter, error) {
	filters, err := objects(in, "Filters")
	if err != nil {
		return nil, err
	}
	legacy, err := objects(in, "DocumentFilterList")
	if err != nil {
		return nil, err
	}
	if len(filters) > 0 && len(legacy) > 0 {
		return nil, apiErr("ValidationException", "DocumentFilterList and Filters cannot be used together")
	}
	var fs []docFilter
	for _, f := range filters {
		k, _ := str(f, "Key")
		vals, err := strList(f, "Values")
		if err != nil {
			return nil, err
		}
		fs = append(fs, docFilter{k, vals})
	}
	for _, f := range legacy {
		k, _ := str(f, "key")
		if k == "" {
			k, _ = str(f, "Key")
		}
		v, _ := str(f, "value")
		if v == "" {
			v, _ = str(f, "Value")
		}
		fs = append(fs, docFilter{k, []string{v}})
	}
	for _, f := range fs {
		if !containsString(docFilterKeys, f.key) && !strings.HasPrefix(f.key, "tag:") {
			return nil, apiErr("InvalidFilterKey", "The filter key %s is not valid.", f.key)
		}
	}
	return fs, nil
}

// matches reports whether a document passes the filter.
func (f docFilter) matches(d *ssmDocument) bool {
	if f.key == "Name" && len(f.values) > 0 {
		// Name filters match by prefix.
		for _, w := range f.values {
			if strings.HasPrefix(d.Name, w) {
				return true
			}
		}
		return false
	}
	return anyMatch(f.have(d), f.values)
}

// have is what a document offers the filter's key.
func (f docFilter) have(d *ssmDocument) []string {
	switch f.key {
	case "Owner":
		if d.awsOwned() {
			return []string{"All", "Amazon", "Public"}
		}
		return []string{"All", "Private", "Self"}
	case "Name":
		return []string{d.Name}
	case "DocumentType":
		return []string{d.Type}
	case "PlatformTypes":
		return []string{"Windows", "Linux", "MacOS"}
	case "SchemaVersion":
		return []string{"0.3"}
	case "TargetType":
		return []string{d.TargetType}
	case "SearchKeyword":
		var have []string
		for _, w := range f.values {
			if strings.Contains(strings.ToLower(d.Name), strings.ToLower(w)) {
				have = append(have, w)
			}
		}
		return have
	}
	var have []string
	for _, t := range d.Tags {
		if "tag:"+t.Key == f.key {
			have = append(have, t.Value)
		}
	}
	return have
}

// documentIdentifier is a document's entry in ListDocuments.
func documentIdentifier(d *ssmDocument) map[string]any {
	v := d.version(d.Default)
	m := map[string]any{
		"Name": d.Name, "Owner": d.Owner, "DocumentType": d.Type, "DocumentVersion": strconv.Itoa(v.Version),
		"DocumentFormat": v.Format, "SchemaVersion": "0.3", "PlatformTypes": []any{"Windows", "Linux", "MacOS"},
		"CreatedDate": d.Created, "Tags": tagShapes(d.Tags),
	}
	if v.VersionName != "" {
		m["VersionName"] = v.VersionName
	}
	if d.TargetType != "" {
		m["TargetType"] = d.TargetType
	}
	return m
}

func (s *Server) ssmListDocuments(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	maxResults, err := integer(in, "MaxResults", 50)
	if err != nil {
		return nil, err
	}
	if maxResults < 1 || maxResults > 50 {
		return nil, validation("maxResults", maxResults, "Member must have value between 1 and 50")
	}
	next, err := str(in, "NextToken")
	if err != nil {
		return nil, err
	}
	fs, err := readDocFilters(in)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var docs []*ssmDocument
	for _, name := range slices.Sorted(maps.Keys(c.region.Documents)) {
		d := c.region.Documents[name]
		ok := true
		for _, f := range fs {
			ok = ok && f.matches(d)
		}
		if ok {
			docs = append(docs, d)
		}
	}
	page, token, err := paginate(docs, int(maxResults), next)
	if err != nil {
		return nil, err
	}
	ids := make([]any, 0, len(page))
	for _, d := range page {
		ids = append(ids, documentIdentifier(d))
	}
	out := map[string]any{"DocumentIdentifiers": ids}
	if token != "" {
		out["NextToken"] = token
	}
	return out, nil
}

func (s *Server) ssmListDocumentVersions(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	name, err := docName(in, "Name", false)
	if err != nil {
		return nil, err
	}
	maxResults, err := integer(in, "MaxResults", 50)
	if err != nil {
		return nil, err
	}
	if maxResults < 1 || maxResults > 50 {
		return nil, validation("maxResults", maxResults, "Member must have value between 1 and 50")
	}
	next, err := str(in, "NextToken")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := c.region.Documents[name]
	if !ok {
		return nil, apiErr("InvalidDocument", "Document with name %s does not exist.", name)
	}
	versions := append([]*docVersion(nil), d.Versions...)
	sort.Slice(versions, func(i, j int) bool { return versions[i].Version > versions[j].Version })
	page, token, err := paginate(versions, int(maxResults), next)
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, len(page))
	for _, v := range page {
		m := map[string]any{
			"Name": d.Name, "DocumentVersion": strconv.Itoa(v.Version), "CreatedDate": v.Created,
			"IsDefaultVersion": v.Version == d.Default, "DocumentFormat": v.Format, "Status": "Active",
		}
		if v.VersionName != "" {
			m["VersionName"] = v.VersionName
		}
		list = append(list, m)
	}
	out := map[string]any{"DocumentVersions": list}
	if token != "" {
		out["NextToken"] = token
	}
	return out, nil
}

// paginate returns one page of items and the token of the next one.
func paginate[T any](items []T, maxResults int, token string) ([]T, string, error) {
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || convErr != nil || !bytes.HasPrefix(raw, []byte("offset:")) || n < 0 || n > len(items) {
			return nil, "", apiErr("InvalidNextToken", "The specified token is not valid.")
		}
		start = n
	}
	if maxResults <= 0 {
		maxResults = len(items) - start
	}
	end := min(start+maxResults, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return items[start:end], next, nil
}

// convertContent re-encodes a runbook's content as JSON or YAML, keeping
// its fields and values.
func convertContent(content, format string) (string, error) {
	doc, err := runbook.Parse([]byte(content))
	if err != nil {
		return "", err
	}
	f := runbook.JSON
	if format == "YAML" {
		f = runbook.YAML
	}
	out, err := doc.Encode(f)
	if err != nil {
		return "", err
	}
	if f == runbook.JSON {
		var buf bytes.Buffer
		if json.Indent(&buf, out, "", "  ") == nil {
			out = buf.Bytes()
		}
	}
	return string(out), nil
}
