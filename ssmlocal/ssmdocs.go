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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

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

// docName checks a document name member, which may also be the
// document's ARN (except when creating), against the model's pattern.
func docName(member string, v *string, create bool) (string, error) {
	name := aws.ToString(v)
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

// docSelector checks the Name, DocumentVersion and VersionName that pick
// one version of a document.
func docSelector(name, version, versionName *string) (docRef, error) {
	var ref docRef
	var err error
	if ref.name, err = docName("Name", name, false); err != nil {
		return ref, err
	}
	if ref.version, err = optVersion("DocumentVersion", version); err != nil {
		return ref, err
	}
	ref.versionName, err = optVersionName(versionName)
	return ref, err
}

// docRef is one version of a document as a request names it.
type docRef struct{ name, version, versionName string }

func optVersion(member string, p *string) (string, error) {
	v := aws.ToString(p)
	if v != "" && !docVersionPattern.MatchString(v) {
		return "", validation(lowerFirst(member), v, `Member must satisfy regular expression pattern: ([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`)
	}
	return v, nil
}

func optVersionName(p *string) (string, error) {
	v := aws.ToString(p)
	if v != "" && !versionNamePattern.MatchString(v) {
		return "", validation("versionName", v, `Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\-.]{1,128}$`)
	}
	return v, nil
}

func docFormat(f types.DocumentFormat, def string) (string, error) {
	switch f {
	case "":
		return def, nil
	case types.DocumentFormatJson, types.DocumentFormatYaml:
		return string(f), nil
	case types.DocumentFormatText:
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
		{"ssm", "CreateDocument", true, typed((*Server).ssmCreateDocument), authOnInput("ssm:CreateDocument", createDocumentTarget)},
		{"ssm", "GetDocument", true, typed((*Server).ssmGetDocument),
			authOnInput("ssm:GetDocument", docTarget(func(in *ssm.GetDocumentInput) *string { return in.Name }))},
		{"ssm", "DescribeDocument", true, typed((*Server).ssmDescribeDocument),
			authOnInput("ssm:DescribeDocument", docTarget(func(in *ssm.DescribeDocumentInput) *string { return in.Name }))},
		{"ssm", "UpdateDocument", true, typed((*Server).ssmUpdateDocument),
			authOnInput("ssm:UpdateDocument", docTarget(func(in *ssm.UpdateDocumentInput) *string { return in.Name }))},
		{"ssm", "UpdateDocumentDefaultVersion", true, typed((*Server).ssmUpdateDocumentDefaultVersion),
			authOnInput("ssm:UpdateDocumentDefaultVersion", docTarget(func(in *ssm.UpdateDocumentDefaultVersionInput) *string { return in.Name }))},
		{"ssm", "DeleteDocument", true, typed((*Server).ssmDeleteDocument),
			authOnInput("ssm:DeleteDocument", docTarget(func(in *ssm.DeleteDocumentInput) *string { return in.Name }))},
		{"ssm", "ListDocuments", true, withShape(legacyDocFilterKeys, typed((*Server).ssmListDocuments)), authAny("ssm:ListDocuments")},
		{"ssm", "ListDocumentVersions", true, typed((*Server).ssmListDocumentVersions),
			authOnInput("ssm:ListDocumentVersions", docTarget(func(in *ssm.ListDocumentVersionsInput) *string { return in.Name }))},
	}
	return append(ops, ssmTagOps()...)
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

// createDocumentTarget authorizes CreateDocument on the new document's
// ARN, with its type and the tags it is created with.
func createDocumentTarget(s *Server, c *call, in *ssm.CreateDocumentInput) []authTarget {
	dtype := string(in.DocumentType)
	if dtype == "" {
		dtype = "Command"
	}
	return on(s.docARN(c.region.Name, aws.ToString(in.Name)), requestTagContext(ssmTags(in.Tags), map[string][]string{"ssm:DocumentType": {dtype}}))
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

// platformTypes are the platforms every runbook lists.
var platformTypes = []types.PlatformType{types.PlatformTypeWindows, types.PlatformTypeLinux, types.PlatformTypeMacos}

func (s *Server) description(d *ssmDocument, v *docVersion) *types.DocumentDescription {
	out := &types.DocumentDescription{
		Name: aws.String(d.Name), Owner: aws.String(d.Owner), DocumentType: types.DocumentType(d.Type), DocumentVersion: aws.String(strconv.Itoa(v.Version)),
		Hash: aws.String(v.Hash), HashType: types.DocumentHashTypeSha256, CreatedDate: aws.Time(v.Created), Status: types.DocumentStatusActive,
		SchemaVersion: aws.String("0.3"), LatestVersion: aws.String(strconv.Itoa(d.Latest)), DefaultVersion: aws.String(strconv.Itoa(d.Default)),
		DocumentFormat: types.DocumentFormat(v.Format), PlatformTypes: platformTypes, Tags: docTagList(d.Tags),
		VersionName: optString(v.VersionName), TargetType: optString(d.TargetType),
	}
	if doc, err := s.parsed(v); err == nil {
		out.Description = optString(doc.Description)
		out.Parameters = documentParameters(doc)
	}
	return out
}

// documentParameters describes a runbook's parameters, a default that is
// not a string as its JSON; nil when it has none.
func documentParameters(doc *runbook.Document) []types.DocumentParameter {
	var out []types.DocumentParameter
	for _, p := range doc.Parameters {
		dp := types.DocumentParameter{Name: aws.String(p.Name), Type: types.DocumentParameterType(p.Type), Description: optString(p.Description)}
		if !p.Default.IsZero() {
			if str, ok := p.Default.AsString(); ok {
				dp.DefaultValue = aws.String(str)
			} else {
				dp.DefaultValue = aws.String(string(p.Default.JSON()))
			}
		}
		out = append(out, dp)
	}
	return out
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

// checkCreateDocument checks CreateDocument's members in the order SSM
// reports them and returns the document's name, format and tags.
func checkCreateDocument(in *ssm.CreateDocumentInput) (name, format string, tags []tag, err error) {
	if name, err = docName("Name", in.Name, true); err != nil {
		return "", "", nil, err
	}
	if err = checkDocumentType(in.DocumentType); err != nil {
		return "", "", nil, err
	}
	if format, err = docFormat(in.DocumentFormat, "JSON"); err != nil {
		return "", "", nil, err
	}
	if _, err = optVersionName(in.VersionName); err != nil {
		return "", "", nil, err
	}
	if tt := aws.ToString(in.TargetType); tt != "" && (len(tt) > 200 || !strings.HasPrefix(tt, "/")) {
		return "", "", nil, validation("targetType", tt, `Member must satisfy regular expression pattern: ^\/[\w\.\-\:\/]*$`)
	}
	if tags, err = checkedDocTags(in.Tags); err != nil {
		return "", "", nil, err
	}
	if reservedName(name) {
		return "", "", nil, validation("name", name, "Document names must not start with aws, amazon or amzn")
	}
	return name, format, tags, nil
}

// checkDocumentType accepts Automation: the other document types are
// known but not simulated.
func checkDocumentType(dtype types.DocumentType) error {
	switch dtype {
	case types.DocumentTypeAutomation:
		return nil
	case "":
		dtype = types.DocumentTypeCommand
	case "Command", "Policy", "Session", "Package", "ApplicationConfiguration", "ApplicationConfigurationSchema",
		"DeploymentStrategy", "ChangeCalendar", "Automation.ChangeTemplate", "ProblemAnalysis", "ProblemAnalysisTemplate",
		"CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy":
	default:
		return validation("documentType", dtype, "Member must satisfy enum value set")
	}
	return apiErr("InvalidDocumentType", "document type %s is not simulated by the local endpoint: only Automation runbooks are (set DocumentType to Automation)", dtype)
}

func (s *Server) ssmCreateDocument(_ context.Context, c *call, in *ssm.CreateDocumentInput) (*ssm.CreateDocumentOutput, error) {
	name, format, tags, err := checkCreateDocument(in)
	if err != nil {
		return nil, err
	}
	content := aws.ToString(in.Content)
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
	v := &docVersion{Version: 1, VersionName: aws.ToString(in.VersionName), Content: content, Format: format, Hash: hashContent(content), Created: now}
	d := &ssmDocument{Name: name, Owner: s.opts.AccountID, Type: string(in.DocumentType), TargetType: aws.ToString(in.TargetType), Created: now, Default: 1, Latest: 1, Tags: tags, Versions: []*docVersion{v}}
	c.region.Documents[name] = d
	s.changed()
	return &ssm.CreateDocumentOutput{DocumentDescription: s.description(d, v)}, nil
}

func (s *Server) ssmGetDocument(_ context.Context, c *call, in *ssm.GetDocumentInput) (*ssm.GetDocumentOutput, error) {
	ref, err := docSelector(in.Name, in.DocumentVersion, in.VersionName)
	if err != nil {
		return nil, err
	}
	want, err := docFormat(in.DocumentFormat, "")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, v, err := c.region.lookupDoc(ref.name, ref.version, ref.versionName)
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
	return &ssm.GetDocumentOutput{
		Name: aws.String(d.Name), CreatedDate: aws.Time(v.Created), DocumentVersion: aws.String(strconv.Itoa(v.Version)), Status: types.DocumentStatusActive,
		Content: aws.String(content), DocumentType: types.DocumentType(d.Type), DocumentFormat: types.DocumentFormat(format), VersionName: optString(v.VersionName),
	}, nil
}

func (s *Server) ssmDescribeDocument(_ context.Context, c *call, in *ssm.DescribeDocumentInput) (*ssm.DescribeDocumentOutput, error) {
	ref, err := docSelector(in.Name, in.DocumentVersion, in.VersionName)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, v, err := c.region.lookupDoc(ref.name, ref.version, ref.versionName)
	if err != nil {
		return nil, err
	}
	return &ssm.DescribeDocumentOutput{Document: s.description(d, v)}, nil
}

// ownDocument returns the customer document name names, for the
// operations that change one (verb: "update", "delete"). Callers hold s.mu.
func (r *region) ownDocument(name, verb string) (*ssmDocument, error) {
	d, ok := r.Documents[name]
	if !ok {
		return nil, apiErr("InvalidDocument", "Document with name %s does not exist.", name)
	}
	if d.awsOwned() {
		return nil, apiErr("InvalidDocumentOperation", "You can't %s documents owned by Amazon.", verb)
	}
	return d, nil
}

func (s *Server) ssmUpdateDocument(_ context.Context, c *call, in *ssm.UpdateDocumentInput) (*ssm.UpdateDocumentOutput, error) {
	name, err := docName("Name", in.Name, true)
	if err != nil {
		return nil, err
	}
	version, err := optVersion("DocumentVersion", in.DocumentVersion)
	if err != nil {
		return nil, err
	}
	versionName, err := optVersionName(in.VersionName)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := c.region.ownDocument(name, "update")
	if err != nil {
		return nil, err
	}
	if version != "" && version != "$LATEST" && version != strconv.Itoa(d.Latest) {
		return nil, apiErr("InvalidDocumentVersion", "You can only update the latest version of a document; the latest version is %d.", d.Latest)
	}
	format, err := docFormat(in.DocumentFormat, d.version(d.Latest).Format)
	if err != nil {
		return nil, err
	}
	content := aws.ToString(in.Content)
	if _, err := s.checkContent(name, content, format); err != nil {
		return nil, err
	}
	v := &docVersion{Version: d.Latest + 1, VersionName: versionName, Content: content, Format: format, Hash: hashContent(content), Created: s.clock.Now().UTC()}
	if err := d.addVersion(v); err != nil {
		return nil, err
	}
	if tt := aws.ToString(in.TargetType); tt != "" {
		d.TargetType = tt
	}
	s.changed()
	return &ssm.UpdateDocumentOutput{DocumentDescription: s.description(d, v)}, nil
}

// addVersion makes v the document's latest version, unless its content or
// version name repeats another version's or the document has too many.
func (d *ssmDocument) addVersion(v *docVersion) error {
	for _, e := range d.Versions {
		if e.Hash == v.Hash {
			return apiErr("DuplicateDocumentContent", "The content of the association document matches another document. Change the content of the document and try again.")
		}
		if v.VersionName != "" && e.VersionName == v.VersionName {
			return apiErr("DuplicateDocumentVersionName", "The version name has already been used in this document. Specify a different version name, and then try again.")
		}
	}
	if len(d.Versions) >= 1000 {
		return apiErr("DocumentVersionLimitExceeded", "The document has too many versions. Delete one or more document versions and try again.")
	}
	d.Versions = append(d.Versions, v)
	d.Latest = v.Version
	return nil
}

func (s *Server) ssmUpdateDocumentDefaultVersion(_ context.Context, c *call, in *ssm.UpdateDocumentDefaultVersionInput) (*ssm.UpdateDocumentDefaultVersionOutput, error) {
	name, err := docName("Name", in.Name, false)
	if err != nil {
		return nil, err
	}
	version := aws.ToString(in.DocumentVersion)
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
	return &ssm.UpdateDocumentDefaultVersionOutput{Description: &types.DocumentDefaultVersionDescription{
		Name: aws.String(d.Name), DefaultVersion: aws.String(version), DefaultVersionName: optString(v.VersionName),
	}}, nil
}

func (s *Server) ssmDeleteDocument(_ context.Context, c *call, in *ssm.DeleteDocumentInput) (*ssm.DeleteDocumentOutput, error) {
	ref, err := docSelector(in.Name, in.DocumentVersion, in.VersionName)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := c.region.ownDocument(ref.name, "delete")
	if err != nil {
		return nil, err
	}
	if ref.version == "" && ref.versionName == "" {
		if len(d.Shared) > 0 {
			return nil, apiErr("InvalidDocumentOperation", "You must stop sharing the document before you can delete it.")
		}
		delete(c.region.Documents, ref.name)
		s.changed()
		return &ssm.DeleteDocumentOutput{}, nil
	}
	_, v, err := c.region.lookupDoc(ref.name, ref.version, ref.versionName)
	if err != nil {
		return nil, err
	}
	if v.Version == d.Default {
		return nil, apiErr("InvalidDocumentOperation", "Default version of the document can't be deleted.")
	}
	d.removeVersion(v)
	s.changed()
	return &ssm.DeleteDocumentOutput{}, nil
}

// removeVersion drops v, which is not the default version; the latest
// version becomes the highest one left.
func (d *ssmDocument) removeVersion(v *docVersion) {
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
func readDocFilters(in *ssm.ListDocumentsInput) ([]docFilter, error) {
	if len(in.Filters) > 0 && len(in.DocumentFilterList) > 0 {
		return nil, apiErr("ValidationException", "DocumentFilterList and Filters cannot be used together")
	}
	var fs []docFilter
	for _, f := range in.Filters {
		fs = append(fs, docFilter{aws.ToString(f.Key), f.Values})
	}
	for _, f := range in.DocumentFilterList {
		fs = append(fs, docFilter{string(f.Key), []string{aws.ToString(f.Value)}})
	}
	for _, f := range fs {
		if !containsString(docFilterKeys, f.key) && !strings.HasPrefix(f.key, "tag:") {
			return nil, apiErr("InvalidFilterKey", "The filter key %s is not valid.", f.key)
		}
	}
	return fs, nil
}

// legacyDocFilterKeys spells DocumentFilterList's members key and value,
// lower-case on the wire, as the SDK's field names before the list is
// decoded; the capitalised spelling is taken too, the lower-case one
// first. The request's own elements are left as they are.
func legacyDocFilterKeys(in map[string]any) {
	list, ok := in["DocumentFilterList"].([]any)
	if !ok {
		return
	}
	out := make([]any, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			out[i] = e
			continue
		}
		f := maps.Clone(m)
		for lower, upper := range map[string]string{"key": "Key", "value": "Value"} {
			if v, _ := str(m, lower); v != "" {
				f[upper] = v
			}
			delete(f, lower)
		}
		out[i] = f
	}
	in["DocumentFilterList"] = out
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
func documentIdentifier(d *ssmDocument) types.DocumentIdentifier {
	v := d.version(d.Default)
	return types.DocumentIdentifier{
		Name: aws.String(d.Name), Owner: aws.String(d.Owner), DocumentType: types.DocumentType(d.Type), DocumentVersion: aws.String(strconv.Itoa(v.Version)),
		DocumentFormat: types.DocumentFormat(v.Format), SchemaVersion: aws.String("0.3"), PlatformTypes: platformTypes,
		CreatedDate: aws.Time(d.Created), Tags: docTagList(d.Tags), VersionName: optString(v.VersionName), TargetType: optString(d.TargetType),
	}
}

// docListPage checks a document listing's MaxResults (1 to 50, 50 when
// absent).
func docListPage(maxResults *int32) (int, error) {
	n := int32(50)
	if maxResults != nil {
		n = *maxResults
	}
	if n < 1 || n > 50 {
		return 0, validation("maxResults", n, "Member must have value between 1 and 50")
	}
	return int(n), nil
}

func (s *Server) ssmListDocuments(_ context.Context, c *call, in *ssm.ListDocumentsInput) (*ssm.ListDocumentsOutput, error) {
	maxResults, err := docListPage(in.MaxResults)
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
		if !slices.ContainsFunc(fs, func(f docFilter) bool { return !f.matches(d) }) {
			docs = append(docs, d)
		}
	}
	page, token, err := paginate(docs, maxResults, aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &ssm.ListDocumentsOutput{DocumentIdentifiers: make([]types.DocumentIdentifier, 0, len(page)), NextToken: optString(token)}
	for _, d := range page {
		out.DocumentIdentifiers = append(out.DocumentIdentifiers, documentIdentifier(d))
	}
	return out, nil
}

func (s *Server) ssmListDocumentVersions(_ context.Context, c *call, in *ssm.ListDocumentVersionsInput) (*ssm.ListDocumentVersionsOutput, error) {
	name, err := docName("Name", in.Name, false)
	if err != nil {
		return nil, err
	}
	maxResults, err := docListPage(in.MaxResults)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := c.region.Documents[name]
	if !ok {
		return nil, apiErr("InvalidDocument", "Document with name %s does not exist.", name)
	}
	versions := slices.Clone(d.Versions)
	sort.Slice(versions, func(i, j int) bool { return versions[i].Version > versions[j].Version })
	page, token, err := paginate(versions, maxResults, aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &ssm.ListDocumentVersionsOutput{DocumentVersions: make([]types.DocumentVersionInfo, 0, len(page)), NextToken: optString(token)}
	for _, v := range page {
		out.DocumentVersions = append(out.DocumentVersions, types.DocumentVersionInfo{
			Name: aws.String(d.Name), DocumentVersion: aws.String(strconv.Itoa(v.Version)), CreatedDate: aws.Time(v.Created),
			IsDefaultVersion: v.Version == d.Default, DocumentFormat: types.DocumentFormat(v.Format), Status: types.DocumentStatusActive,
			VersionName: optString(v.VersionName),
		})
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
