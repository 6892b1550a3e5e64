package ssmlocal

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// ssmParameter is a Parameter Store parameter with its history, oldest
// version first.
type ssmParameter struct {
	Name     string          `json:"name"`
	Tags     []tag           `json:"tags,omitempty"`
	Versions []*paramVersion `json:"versions"`
}

// paramVersion is one version of a parameter. SecureString values are kept
// as given: no KMS key is simulated.
type paramVersion struct {
	Version        int64     `json:"version"`
	Type           string    `json:"type"`
	Value          string    `json:"value"`
	Description    string    `json:"description,omitempty"`
	AllowedPattern string    `json:"allowedPattern,omitempty"`
	Tier           string    `json:"tier"`
	DataType       string    `json:"dataType"`
	Labels         []string  `json:"labels,omitempty"`
	Modified       time.Time `json:"modified"`
	ModifiedBy     string    `json:"modifiedBy"`
}

func (p *ssmParameter) latest() *paramVersion { return p.Versions[len(p.Versions)-1] }

func (p *ssmParameter) version(n int64) *paramVersion {
	for _, v := range p.Versions {
		if v.Version == n {
			return v
		}
	}
	return nil
}

func (p *ssmParameter) labelled(label string) *paramVersion {
	for _, v := range p.Versions {
		if slices.Contains(v.Labels, label) {
			return v
		}
	}
	return nil
}

// Parameter Store limits, from the Systems Manager quotas.
const (
	maxParamHistory   = 100
	maxParamLevels    = 15
	maxParamNameLen   = 1011
	maxLabelsPerParam = 10
	maxStandardValue  = 4096
	maxAdvancedValue  = 8192
	maxParamsPerCall  = 10
)

var (
	paramNamePattern  = regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)
	paramLabelPattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{1,100}$`)
	paramARNPattern   = regexp.MustCompile(`^arn:[a-z-]+:ssm:[a-z0-9-]*:[0-9]*:parameter/(.+)$`)
	paramTypes        = []string{"String", "StringList", "SecureString"}
	paramTiers        = []string{"Standard", "Advanced", "Intelligent-Tiering"}
)

// errParamNotFound is the ParameterNotFound of a name that holds nothing.
func errParamNotFound(name string) *APIError {
	return apiErr("ParameterNotFound", "Parameter %s not found.", name)
}

// paramARN is a parameter's ARN: a name with a leading slash does not
// double it.
func (s *Server) paramARN(region, name string) string {
	return s.arn("ssm", region, "parameter/"+strings.TrimPrefix(name, "/"))
}

// plainParamName turns a parameter ARN into its name; a name with a slash
// in it is hierarchical, so its leading slash comes back.
func plainParamName(ref string) string {
	if m := paramARNPattern.FindStringSubmatch(ref); m != nil {
		if strings.Contains(m[1], "/") {
			return "/" + m[1]
		}
		return m[1]
	}
	return ref
}

// checkParamName applies the naming rules of PutParameter: the allowed
// characters, fully qualified hierarchies, the reserved prefixes and the
// depth limit.
func checkParamName(name string) error {
	if name == "" {
		return validation("name", "null", "Member must not be null")
	}
	if len(name) > maxParamNameLen {
		return validation("name", name, fmt.Sprintf("Member must have length less than or equal to %d", maxParamNameLen))
	}
	if !paramNamePattern.MatchString(name) {
		return apiErr("ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive) and must contain only a-zA-Z0-9_.-/; got %q", name)
	}
	if strings.Contains(name, "/") && !strings.HasPrefix(name, "/") {
		return apiErr("ValidationException", "Parameter name must be a fully qualified name.")
	}
	if strings.Contains(name, "//") || (len(name) > 1 && strings.HasSuffix(name, "/")) || name == "/" {
		return apiErr("ValidationException", "Parameter name must be a fully qualified name: %q has an empty level", name)
	}
	first := strings.ToLower(strings.SplitN(strings.TrimPrefix(name, "/"), "/", 2)[0])
	if strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm") {
		return apiErr("AccessDeniedException", "No access to reserved parameter name: %s.", name)
	}
	if strings.Count(name, "/") > maxParamLevels {
		return apiErr("HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of %d levels: %s", maxParamLevels, name)
	}
	return nil
}

// paramSelector splits a GetParameter name into the name and the version
// or label after its colon.
func paramSelector(ref string) (name, selector string) {
	name = plainParamName(ref)
	if i := strings.LastIndex(name, ":"); i >= 0 {
		return name[:i], name[i+1:]
	}
	return name, ""
}

// lookupParam resolves a name with an optional :version or :label selector.
// Callers hold s.mu.
func (r *region) lookupParam(ref string) (*ssmParameter, *paramVersion, error) {
	name, sel := paramSelector(ref)
	p, ok := r.Parameters[name]
	if !ok {
		return nil, nil, errParamNotFound(ref)
	}
	if sel == "" {
		return p, p.latest(), nil
	}
	if n, err := strconv.ParseInt(sel, 10, 64); err == nil {
		v := p.version(n)
		if v == nil {
			return nil, nil, apiErr("ParameterVersionNotFound", "Systems Manager could not find version %s of %s. Verify the version and try again.", sel, name)
		}
		return p, v, nil
	}
	v := p.labelled(sel)
	if v == nil {
		return nil, nil, apiErr("ParameterVersionNotFound", "Systems Manager could not find label %s of %s. Verify the label and try again.", sel, name)
	}
	return p, v, nil
}

// shownValue is the value GetParameter returns: a SecureString read
// without decryption gives an opaque token, since no KMS key is simulated.
func shownValue(v *paramVersion, decrypt bool) string {
	if v.Type != "SecureString" || decrypt {
		return v.Value
	}
	return base64.StdEncoding.EncodeToString([]byte("ssmlocal-securestring:v" + strconv.FormatInt(v.Version, 10)))
}

func (s *Server) paramShape(region string, p *ssmParameter, v *paramVersion, selector string, decrypt bool) types.Parameter {
	out := types.Parameter{
		Name: aws.String(p.Name), Type: types.ParameterType(v.Type), Value: aws.String(shownValue(v, decrypt)), Version: v.Version,
		LastModifiedDate: aws.Time(v.Modified), ARN: aws.String(s.paramARN(region, p.Name)), DataType: aws.String(v.DataType),
	}
	if selector != "" {
		out.Selector = aws.String(":" + selector)
	}
	return out
}

func ssmParamOps() []opDef {
	return []opDef{
		{"ssm", "PutParameter", true, typed((*Server).ssmPutParameter), authOnInput("ssm:PutParameter", putParamTarget)},
		{"ssm", "GetParameter", true, typed((*Server).ssmGetParameter), authOnRef("ssm:GetParameter", paramTarget)},
		{"ssm", "GetParameters", true, typed((*Server).ssmGetParameters), authOnRef("ssm:GetParameters", paramsTarget)},
		{"ssm", "GetParametersByPath", true, typed((*Server).ssmGetParametersByPath), authOnInput("ssm:GetParametersByPath", pathTarget)},
		{"ssm", "DeleteParameter", true, typed((*Server).ssmDeleteParameter), authOnRef("ssm:DeleteParameter", paramTarget)},
		{"ssm", "DeleteParameters", true, typed((*Server).ssmDeleteParameters), authOnRef("ssm:DeleteParameters", paramsTarget)},
		{"ssm", "DescribeParameters", true, typed((*Server).ssmDescribeParameters), authAny("ssm:DescribeParameters")},
		{"ssm", "GetParameterHistory", true, typed((*Server).ssmGetParameterHistory), authOnRef("ssm:GetParameterHistory", paramTarget)},
		{"ssm", "LabelParameterVersion", true, typed((*Server).ssmLabelParameterVersion), authOnRef("ssm:LabelParameterVersion", paramTarget)},
	}
}

// paramContext is the condition context of an existing parameter: its
// tags. Callers hold s.mu.
func paramContext(r *region, name string) map[string][]string {
	p, ok := r.Parameters[name]
	if !ok {
		return nil
	}
	return resourceTagContext(p.Tags, "ssm")
}

// paramNameRef is the member naming the parameter of the calls on one.
type paramNameRef struct{ Name *string }

// paramTarget authorizes a call on the parameter Name names, without its
// selector.
func paramTarget(s *Server, c *call, in *paramNameRef) []authTarget {
	name, _ := paramSelector(aws.ToString(in.Name))
	return on(s.paramARN(c.region.Name, name), paramContext(c.region, name))
}

// paramNamesRef is the member naming the parameters of the calls on
// several.
type paramNamesRef struct{ Names []string }

// paramsTarget authorizes a call on every parameter Names names.
func paramsTarget(s *Server, c *call, in *paramNamesRef) []authTarget {
	out := make([]authTarget, 0, len(in.Names))
	for _, n := range in.Names {
		name, _ := paramSelector(n)
		out = append(out, authTarget{resource: s.paramARN(c.region.Name, name), context: paramContext(c.region, name)})
	}
	return out
}

// putParamTarget authorizes PutParameter on the parameter, with the tags it
// is created with.
func putParamTarget(s *Server, c *call, in *ssm.PutParameterInput) []authTarget {
	name := plainParamName(aws.ToString(in.Name))
	tags := ssmTags(in.Tags)
	ctx := merged(paramContext(c.region, name), map[string][]string{"ssm:Overwrite": {strconv.FormatBool(aws.ToBool(in.Overwrite))}})
	if len(tags) > 0 {
		ctx = merged(ctx, requestTagContext(tags, nil))
	}
	return on(s.paramARN(c.region.Name, name), ctx)
}

// pathTarget authorizes GetParametersByPath on the path's ARN.
func pathTarget(s *Server, c *call, in *ssm.GetParametersByPathInput) []authTarget {
	return on(s.paramARN(c.region.Name, aws.ToString(in.Path)), map[string][]string{"ssm:Recursive": {strconv.FormatBool(aws.ToBool(in.Recursive))}})
}

// ssmTags converts the SDK's Parameter Store tags.
func ssmTags(in []types.Tag) []tag {
	var out []tag
	for _, t := range in {
		out = append(out, tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

// newParam is a PutParameter request once its members have been checked.
type newParam struct {
	name, value, ptype, desc, pattern, tier, dataType string
	overwrite                                         bool
	tags                                              []tag
}

func (s *Server) ssmPutParameter(_ context.Context, c *call, in *ssm.PutParameterInput) (*ssm.PutParameterOutput, error) {
	np, err := checkPutParameter(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.storeParam(c, np)
	if err != nil {
		return nil, err
	}
	s.changed()
	return &ssm.PutParameterOutput{Version: v.Version, Tier: types.ParameterTier(v.Tier)}, nil
}

// checkPutParameter checks PutParameter's members in the order Parameter
// Store reports them: the name, the value's presence, the enums and
// lengths, the data type, policies, tags, then the value itself.
func checkPutParameter(in *ssm.PutParameterInput) (newParam, error) {
	np := newParam{name: plainParamName(aws.ToString(in.Name)), value: aws.ToString(in.Value), ptype: string(in.Type),
		desc: aws.ToString(in.Description), pattern: aws.ToString(in.AllowedPattern), tier: string(in.Tier),
		overwrite: aws.ToBool(in.Overwrite), tags: ssmTags(in.Tags)}
	if err := checkParamName(np.name); err != nil {
		return np, err
	}
	if in.Value == nil {
		return np, validation("value", "null", "Member must not be null")
	}
	dataType, dtErr := paramDataType(aws.ToString(in.DataType))
	np.dataType = dataType
	return np, firstError(
		checkEnum("type", np.ptype, paramTypes),
		checkMaxLen("description", np.desc, 1024),
		checkMaxLen("allowedPattern", np.pattern, 1024),
		checkEnum("tier", np.tier, paramTiers),
		dtErr,
		checkParamPolicies(aws.ToString(in.Policies)),
		checkParamTags(np.tags, np.overwrite),
		checkParamValue(np.value, np.pattern),
	)
}

// firstError is the first of errs that is not nil: checks listed in the
// order AWS reports them.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkEnum checks an optional enum member against its values.
func checkEnum(member, v string, allowed []string) error {
	if v != "" && !slices.Contains(allowed, v) {
		return validation(member, v, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	}
	return nil
}

func checkMaxLen(member, v string, limit int) error {
	if len(v) > limit {
		return validation(member, v, fmt.Sprintf("Member must have length less than or equal to %d", limit))
	}
	return nil
}

// paramDataType is the data type stored: text unless said otherwise, and
// only text is simulated.
func paramDataType(dataType string) (string, error) {
	switch dataType {
	case "", "text":
		return "text", nil
	case "aws:ec2:image", "aws:ssm:integration":
		return "", apiErr("ValidationException", "data type %s is not simulated by the local endpoint: only text is", dataType)
	}
	return "", apiErr("ValidationException", "The following data type is not supported: %s (Data type names are all lowercase.)", dataType)
}

func checkParamPolicies(policies string) error {
	if policies != "" {
		return apiErr("InvalidPolicyTypeException", "parameter policies are not simulated by the local endpoint")
	}
	return nil
}

func checkParamTags(tags []tag, overwrite bool) error {
	if len(tags) > 0 && overwrite {
		return apiErr("ValidationException", "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	return nil
}

// checkParamValue checks the value is not empty and matches the allowed
// pattern, when there is one.
func checkParamValue(value, pattern string) error {
	if value == "" {
		return validation("value", value, "Member must have length greater than or equal to 1")
	}
	if pattern == "" {
		return nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return apiErr("InvalidAllowedPatternException", "The allowed pattern %s is not a valid regular expression: %v", pattern, err)
	}
	if !re.MatchString(value) {
		return apiErr("ParameterPatternMismatchException", "Parameter value, cannot be validated against allowedPattern: %s", pattern)
	}
	return nil
}

// storeParam creates the parameter or adds a version to it, dropping the
// oldest version past the history limit. Callers hold s.mu.
func (s *Server) storeParam(c *call, np newParam) (*paramVersion, error) {
	p, exists := c.region.Parameters[np.name]
	if exists && !np.overwrite {
		return nil, apiErr("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	}
	ptype := np.ptype
	if !exists && ptype == "" {
		return nil, apiErr("ValidationException", "A parameter type is required when you create a parameter.")
	}
	if exists && ptype == "" {
		ptype = p.latest().Type
	}
	effTier, err := paramTier(np.tier, np.value, p)
	if err != nil {
		return nil, err
	}
	v := &paramVersion{Version: 1, Type: ptype, Value: np.value, Description: np.desc, AllowedPattern: np.pattern,
		Tier: effTier, DataType: np.dataType, Modified: s.clock.Now().UTC(), ModifiedBy: c.who.ARN}
	if !exists {
		c.region.Parameters[np.name] = &ssmParameter{Name: np.name, Tags: np.tags, Versions: []*paramVersion{v}}
		return v, nil
	}
	if len(p.Versions) >= maxParamHistory {
		if len(p.Versions[0].Labels) > 0 {
			return nil, apiErr("ParameterMaxVersionLimitExceeded", "You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. Version %d, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.", np.name, p.Versions[0].Version)
		}
		p.Versions = slices.Delete(p.Versions, 0, 1)
	}
	v.Version = p.latest().Version + 1
	p.Versions = append(p.Versions, v)
	return v, nil
}

// paramTier is the tier a new version is stored in: Intelligent-Tiering
// picks the cheapest that fits, and an advanced parameter never goes back
// to standard.
func paramTier(asked, value string, p *ssmParameter) (string, error) {
	wasAdvanced := p != nil && p.latest().Tier == "Advanced"
	switch asked {
	case "", "Intelligent-Tiering":
		if asked == "" && !wasAdvanced {
			asked = "Standard"
			break
		}
		if wasAdvanced || len(value) > maxStandardValue {
			asked = "Advanced"
		} else {
			asked = "Standard"
		}
	case "Standard":
		if wasAdvanced {
			return "", apiErr("ValidationException", "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
		}
	}
	limit := maxStandardValue
	if asked == "Advanced" {
		limit = maxAdvancedValue
	}
	if len(value) > limit {
		return "", apiErr("ValidationException", "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.")
	}
	return asked, nil
}

// paramRef reads the required Name member: a name or ARN, with an optional
// version or label selector.
func paramRef(name *string) (string, error) {
	if aws.ToString(name) == "" {
		return "", validation("name", "null", "Member must not be null")
	}
	return *name, nil
}

func (s *Server) ssmGetParameter(_ context.Context, c *call, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
	ref, err := paramRef(in.Name)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, v, err := c.region.lookupParam(ref)
	if err != nil {
		return nil, err
	}
	_, sel := paramSelector(ref)
	shape := s.paramShape(c.region.Name, p, v, sel, aws.ToBool(in.WithDecryption))
	return &ssm.GetParameterOutput{Parameter: &shape}, nil
}

// paramNames checks a Names member of 1 to 10 names.
func paramNames(names []string) error {
	if len(names) == 0 {
		return validation("names", "null", "Member must have length greater than or equal to 1")
	}
	if len(names) > maxParamsPerCall {
		return validation("names", fmt.Sprintf("[%d names]", len(names)), fmt.Sprintf("Member must have length less than or equal to %d", maxParamsPerCall))
	}
	return nil
}

func (s *Server) ssmGetParameters(_ context.Context, c *call, in *ssm.GetParametersInput) (*ssm.GetParametersOutput, error) {
	if err := paramNames(in.Names); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := &ssm.GetParametersOutput{Parameters: []types.Parameter{}, InvalidParameters: []string{}}
	seen := map[string]bool{}
	for _, ref := range in.Names {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		p, v, err := c.region.lookupParam(ref)
		if err != nil {
			out.InvalidParameters = append(out.InvalidParameters, ref)
			continue
		}
		_, sel := paramSelector(ref)
		out.Parameters = append(out.Parameters, s.paramShape(c.region.Name, p, v, sel, aws.ToBool(in.WithDecryption)))
	}
	return out, nil
}

// underPath reports whether a parameter lives under path: directly, or at
// any depth when recursive.
func underPath(name, path string, recursive bool) bool {
	prefix := strings.TrimSuffix(path, "/") + "/"
	if !strings.HasPrefix(name, prefix) || len(name) == len(prefix) {
		return false
	}
	return recursive || !strings.Contains(name[len(prefix):], "/")
}

// paramPage checks MaxResults (1..limit, default limit).
func paramPage(maxResults *int32, limit int64) (int, error) {
	n := limit
	if maxResults != nil {
		n = int64(*maxResults)
	}
	if n < 1 || n > limit {
		return 0, validation("maxResults", n, fmt.Sprintf("Member must have value less than or equal to %d and greater than or equal to 1", limit))
	}
	return int(n), nil
}

// matchingParams pages through the parameters, in name order, that match.
// Callers hold s.mu.
func (r *region) matchingParams(match func(*ssmParameter) bool, maxResults int, next string) ([]*ssmParameter, string, error) {
	var hits []*ssmParameter
	for _, n := range slices.Sorted(maps.Keys(r.Parameters)) {
		if p := r.Parameters[n]; match(p) {
			hits = append(hits, p)
		}
	}
	return paginate(hits, maxResults, next)
}

// optString is a member left out when empty.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) ssmGetParametersByPath(_ context.Context, c *call, in *ssm.GetParametersByPathInput) (*ssm.GetParametersByPathOutput, error) {
	path := aws.ToString(in.Path)
	if path == "" {
		return nil, validation("path", "null", "Member must not be null")
	}
	if !strings.HasPrefix(path, "/") || strings.Contains(path, "//") || !paramNamePattern.MatchString(path) {
		return nil, apiErr("ValidationException", "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.")
	}
	match, err := paramFilters(in.ParameterFilters, true)
	if err != nil {
		return nil, err
	}
	maxResults, err := paramPage(in.MaxResults, 10)
	if err != nil {
		return nil, err
	}
	recursive := aws.ToBool(in.Recursive)
	s.mu.RLock()
	defer s.mu.RUnlock()
	page, token, err := c.region.matchingParams(func(p *ssmParameter) bool {
		return underPath(p.Name, path, recursive) && match(p)
	}, maxResults, aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &ssm.GetParametersByPathOutput{Parameters: make([]types.Parameter, 0, len(page)), NextToken: optString(token)}
	for _, p := range page {
		out.Parameters = append(out.Parameters, s.paramShape(c.region.Name, p, p.latest(), "", aws.ToBool(in.WithDecryption)))
	}
	return out, nil
}

// paramFields are the filter keys that compare a parameter's values.
var paramFields = map[string]func(*ssmParameter) []string{
	"Name":     func(p *ssmParameter) []string { return []string{p.Name} },
	"Type":     func(p *ssmParameter) []string { return []string{p.latest().Type} },
	"Tier":     func(p *ssmParameter) []string { return []string{p.latest().Tier} },
	"DataType": func(p *ssmParameter) []string { return []string{p.latest().DataType} },
	"Label": func(p *ssmParameter) []string {
		var all []string
		for _, v := range p.Versions {
			all = append(all, v.Labels...)
		}
		return all
	},
}

// paramFilters compiles ParameterFilters: Name, Type, Tier, DataType,
// Label, Path and tag:KEY. byPath refuses the keys GetParametersByPath
// does not take.
func paramFilters(filters []types.ParameterStringFilter, byPath bool) (func(*ssmParameter) bool, error) {
	tests := make([]func(*ssmParameter) bool, 0, len(filters))
	for _, f := range filters {
		test, err := paramFilter(aws.ToString(f.Key), aws.ToString(f.Option), f.Values, byPath)
		if err != nil {
			return nil, err
		}
		tests = append(tests, test)
	}
	return func(p *ssmParameter) bool {
		for _, t := range tests {
			if !t(p) {
				return false
			}
		}
		return true
	}, nil
}

// paramFilter compiles one filter.
func paramFilter(key, option string, values []string, byPath bool) (func(*ssmParameter) bool, error) {
	if key == "" {
		return nil, validation("parameterFilters.member.key", "null", "Member must not be null")
	}
	if byPath && (key == "Name" || key == "Path" || key == "Tier") {
		return nil, apiErr("InvalidFilterKey", "The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId, Label, DataType, tag:*].", key)
	}
	if key == "Path" {
		return pathFilter(option, values)
	}
	if k, ok := strings.CutPrefix(key, "tag:"); ok && k != "" {
		return tagFilter(k, option, values)
	}
	field, ok := paramFields[key]
	if !ok {
		return nil, apiErr("InvalidFilterKey", "The following filter key is not valid: %s", key)
	}
	return valueFilter(key, option, values, field)
}

// pathFilter matches the parameters under any of the paths: one level
// down, or any depth with the Recursive option.
func pathFilter(option string, paths []string) (func(*ssmParameter) bool, error) {
	switch option {
	case "", "OneLevel", "Recursive":
	default:
		return nil, apiErr("InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Recursive, OneLevel].", option)
	}
	rec := option == "Recursive"
	return func(p *ssmParameter) bool {
		return slices.ContainsFunc(paths, func(path string) bool { return underPath(p.Name, path, rec) })
	}, nil
}

// tagFilter matches a tag's value, or the tag's presence when no values
// are given.
func tagFilter(key, option string, values []string) (func(*ssmParameter) bool, error) {
	field := func(p *ssmParameter) []string {
		for _, t := range p.Tags {
			if t.Key == key {
				return []string{t.Value}
			}
		}
		return nil
	}
	if len(values) == 0 {
		return func(p *ssmParameter) bool { return field(p) != nil }, nil
	}
	return valueFilter("tag:"+key, option, values, field)
}

// valueFilter matches when any of a parameter's values compares, by the
// option, with any of the filter's.
func valueFilter(key, option string, values []string, field func(*ssmParameter) []string) (func(*ssmParameter) bool, error) {
	if len(values) == 0 {
		return nil, apiErr("InvalidFilterValue", "The following filter values are missing : null for filter key %s.", key)
	}
	cmp, err := filterOption(key, option)
	if err != nil {
		return nil, err
	}
	return func(p *ssmParameter) bool {
		for _, h := range field(p) {
			if slices.ContainsFunc(values, func(w string) bool { return cmp(h, w) }) {
				return true
			}
		}
		return false
	}, nil
}

// filterOption is the comparison an option names: Equals for any key,
// BeginsWith and Contains only for Name.
func filterOption(key, option string) (func(have, want string) bool, error) {
	switch option {
	case "", "Equals":
		return func(h, w string) bool { return h == w }, nil
	case "BeginsWith", "Contains":
		if key != "Name" {
			return nil, apiErr("InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Equals].", option)
		}
		if option == "BeginsWith" {
			return strings.HasPrefix, nil
		}
		return strings.Contains, nil
	}
	return nil, apiErr("InvalidFilterOption", "The following filter option is not valid: %s.", option)
}

func (s *Server) ssmDeleteParameter(_ context.Context, c *call, in *ssm.DeleteParameterInput) (*ssm.DeleteParameterOutput, error) {
	ref, err := paramRef(in.Name)
	if err != nil {
		return nil, err
	}
	name := plainParamName(ref)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := c.region.Parameters[name]; !ok {
		return nil, errParamNotFound(ref)
	}
	delete(c.region.Parameters, name)
	s.changed()
	return &ssm.DeleteParameterOutput{}, nil
}

func (s *Server) ssmDeleteParameters(_ context.Context, c *call, in *ssm.DeleteParametersInput) (*ssm.DeleteParametersOutput, error) {
	if err := paramNames(in.Names); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &ssm.DeleteParametersOutput{DeletedParameters: []string{}, InvalidParameters: []string{}}
	for _, ref := range in.Names {
		name := plainParamName(ref)
		if _, ok := c.region.Parameters[name]; !ok {
			out.InvalidParameters = append(out.InvalidParameters, ref)
			continue
		}
		delete(c.region.Parameters, name)
		out.DeletedParameters = append(out.DeletedParameters, ref)
	}
	if len(out.DeletedParameters) > 0 {
		s.changed()
	}
	return out, nil
}

// legacyFilters turns DescribeParameters' legacy Filters (Name, which
// matches by prefix, and Type) into ParameterFilters.
func legacyFilters(old []types.ParametersFilter) ([]types.ParameterStringFilter, error) {
	var out []types.ParameterStringFilter
	for _, f := range old {
		switch f.Key {
		case "Name":
			out = append(out, types.ParameterStringFilter{Key: aws.String("Name"), Option: aws.String("BeginsWith"), Values: f.Values})
		case "Type":
			out = append(out, types.ParameterStringFilter{Key: aws.String("Type"), Values: f.Values})
		default:
			return nil, validation("filters.member.key", string(f.Key), "Member must satisfy enum value set: [Name, Type, KeyId]")
		}
	}
	return out, nil
}

func (s *Server) ssmDescribeParameters(_ context.Context, c *call, in *ssm.DescribeParametersInput) (*ssm.DescribeParametersOutput, error) {
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, apiErr("ValidationException", "You can use either Filters or ParameterFilters in a single request.")
	}
	old, err := legacyFilters(in.Filters)
	if err != nil {
		return nil, err
	}
	match, err := paramFilters(append(old, in.ParameterFilters...), false)
	if err != nil {
		return nil, err
	}
	maxResults, err := paramPage(in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	page, token, err := c.region.matchingParams(match, maxResults, aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &ssm.DescribeParametersOutput{Parameters: make([]types.ParameterMetadata, 0, len(page)), NextToken: optString(token)}
	for _, p := range page {
		v := p.latest()
		out.Parameters = append(out.Parameters, types.ParameterMetadata{
			Name: aws.String(p.Name), ARN: aws.String(s.paramARN(c.region.Name, p.Name)), Type: types.ParameterType(v.Type), Version: v.Version,
			LastModifiedDate: aws.Time(v.Modified), LastModifiedUser: aws.String(v.ModifiedBy), Tier: types.ParameterTier(v.Tier),
			Policies: []types.ParameterInlinePolicy{}, DataType: aws.String(v.DataType),
			Description: optString(v.Description), AllowedPattern: optString(v.AllowedPattern),
		})
	}
	return out, nil
}

func (s *Server) ssmGetParameterHistory(_ context.Context, c *call, in *ssm.GetParameterHistoryInput) (*ssm.GetParameterHistoryOutput, error) {
	ref, err := paramRef(in.Name)
	if err != nil {
		return nil, err
	}
	maxResults, err := paramPage(in.MaxResults, 50)
	if err != nil {
		return nil, err
	}
	name := plainParamName(ref)
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := c.region.Parameters[name]
	if !ok {
		return nil, errParamNotFound(ref)
	}
	page, token, err := paginate(p.Versions, maxResults, aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &ssm.GetParameterHistoryOutput{Parameters: make([]types.ParameterHistory, 0, len(page)), NextToken: optString(token)}
	for _, v := range page {
		out.Parameters = append(out.Parameters, types.ParameterHistory{
			Name: aws.String(p.Name), Type: types.ParameterType(v.Type), Value: aws.String(shownValue(v, aws.ToBool(in.WithDecryption))), Version: v.Version,
			Labels: append([]string{}, v.Labels...), LastModifiedDate: aws.Time(v.Modified), LastModifiedUser: aws.String(v.ModifiedBy),
			Tier: types.ParameterTier(v.Tier), Policies: []types.ParameterInlinePolicy{}, DataType: aws.String(v.DataType),
			Description: optString(v.Description), AllowedPattern: optString(v.AllowedPattern),
		})
	}
	return out, nil
}

// validLabel applies the label rules: letters, digits, period, hyphen and
// underscore; not only digits, not starting with a digit, aws or ssm.
func validLabel(l string) bool {
	if !paramLabelPattern.MatchString(l) || (l[0] >= '0' && l[0] <= '9') {
		return false
	}
	low := strings.ToLower(l)
	return !strings.HasPrefix(low, "aws") && !strings.HasPrefix(low, "ssm")
}

func (s *Server) ssmLabelParameterVersion(_ context.Context, c *call, in *ssm.LabelParameterVersionInput) (*ssm.LabelParameterVersionOutput, error) {
	ref, err := paramRef(in.Name)
	if err != nil {
		return nil, err
	}
	if len(in.Labels) == 0 || len(in.Labels) > maxLabelsPerParam {
		return nil, validation("labels", fmt.Sprintf("[%d labels]", len(in.Labels)), "Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	name := plainParamName(ref)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := c.region.Parameters[name]
	if !ok {
		return nil, errParamNotFound(ref)
	}
	v := p.latest()
	if in.ParameterVersion != nil {
		if v = p.version(*in.ParameterVersion); v == nil {
			return nil, apiErr("ParameterVersionNotFound", "Systems Manager could not find version %d of %s. Verify the version and try again.", *in.ParameterVersion, name)
		}
	}
	good, invalid := splitLabels(in.Labels)
	if err := p.moveLabels(v, good); err != nil {
		return nil, err
	}
	if len(good) > 0 {
		s.changed()
	}
	return &ssm.LabelParameterVersionOutput{InvalidLabels: invalid, ParameterVersion: v.Version}, nil
}

// splitLabels parts the valid labels, without repeats, from the invalid.
func splitLabels(labels []string) (good, invalid []string) {
	invalid = []string{}
	for _, l := range labels {
		if !validLabel(l) {
			invalid = append(invalid, l)
		} else if !slices.Contains(good, l) {
			good = append(good, l)
		}
	}
	return good, invalid
}

// moveLabels puts labels on version v, taking each off the version it was
// on: a label names one version.
func (p *ssmParameter) moveLabels(v *paramVersion, labels []string) error {
	added := 0
	for _, l := range labels {
		if !slices.Contains(v.Labels, l) {
			added++
		}
	}
	if len(v.Labels)+added > maxLabelsPerParam {
		return apiErr("ParameterVersionLabelLimitExceeded", "An parameter version can have maximum 10 labels.")
	}
	for _, l := range labels {
		for _, o := range p.Versions {
			if o != v {
				o.Labels = slices.DeleteFunc(o.Labels, func(x string) bool { return x == l })
			}
		}
		if !slices.Contains(v.Labels, l) {
			v.Labels = append(v.Labels, l)
		}
	}
	return nil
}

// checkParameter checks a stored parameter: a valid name, versions in
// increasing order with known types and tiers, each label on one version.
func checkParameter(p *ssmParameter) error {
	if err := checkParamName(p.Name); err != nil {
		return fmt.Errorf("name %q: %v", p.Name, err)
	}
	if len(p.Versions) == 0 || len(p.Versions) > maxParamHistory {
		return fmt.Errorf("%d versions", len(p.Versions))
	}
	seen := map[string]bool{}
	var last int64
	for i, v := range p.Versions {
		if v == nil {
			return fmt.Errorf("version %d is null", i)
		}
		if v.Version <= last {
			return fmt.Errorf("version %d follows version %d", v.Version, last)
		}
		last = v.Version
		if !slices.Contains(paramTypes, v.Type) {
			return fmt.Errorf("version %d has type %q", v.Version, v.Type)
		}
		if v.Tier != "Standard" && v.Tier != "Advanced" {
			return fmt.Errorf("version %d has tier %q", v.Version, v.Tier)
		}
		if v.Value == "" {
			return fmt.Errorf("version %d has an empty value", v.Version)
		}
		for _, l := range v.Labels {
			if seen[l] || !validLabel(l) {
				return fmt.Errorf("version %d: label %q is invalid or on two versions", v.Version, l)
			}
			seen[l] = true
		}
	}
	return nil
}

// resolveParamRefs replaces the {{ssm:name}} and {{ssm:name:version}}
// references in the caller's parameter values, and in the string defaults
// of the parameters the caller left out, as StartAutomationExecution does
// before the runbook runs. Each reference is read as the caller, who needs
// ssm:GetParameters on the parameter: a missing parameter, a SecureString
// (which runbook references do not take) or a denial fails the start.
// Callers hold s.mu (read).
func (s *Server) resolveParamRefs(c *call, doc *runbook.Document, given map[string][]string) (map[string][]string, error) {
	var out map[string][]string
	set := func(name string, vals []string) {
		if out == nil {
			out = make(map[string][]string, len(given)+1)
			for k, v := range given {
				out[k] = v
			}
		}
		out[name] = vals
	}
	for _, k := range slices.Sorted(maps.Keys(given)) {
		vals, changed, err := s.resolveEach(c, k, given[k])
		if err != nil {
			return nil, err
		}
		if changed {
			set(k, vals)
		}
	}
	for _, p := range doc.Parameters {
		if _, ok := given[p.Name]; ok || p.Default.IsZero() {
			continue
		}
		var vals []string
		if str, ok := p.Default.AsString(); ok {
			vals = []string{str}
		} else if list, ok := p.Default.AsStrings(); ok {
			vals = list
		} else {
			continue
		}
		resolved, changed, err := s.resolveEach(c, p.Name, vals)
		if err != nil {
			return nil, err
		}
		if !changed {
			continue
		}
		if p.Type.IsList() && len(resolved) == 1 {
			// A StringList default read from one parameter is its
			// comma-separated items.
			resolved = strings.Split(resolved[0], ",")
		}
		set(p.Name, resolved)
	}
	if out == nil {
		return given, nil
	}
	return out, nil
}

// resolveEach resolves the references in each of a parameter's values.
func (s *Server) resolveEach(c *call, param string, vals []string) ([]string, bool, error) {
	var out []string
	for i, v := range vals {
		r, changed, err := s.resolveText(c, param, v)
		if err != nil {
			return nil, false, err
		}
		if changed && out == nil {
			out = slices.Clone(vals)
		}
		if out != nil {
			out[i] = r
		}
	}
	return out, out != nil, nil
}

// resolveText substitutes the Parameter Store references in one value.
func (s *Server) resolveText(c *call, param, text string) (string, bool, error) {
	if !strings.Contains(text, "{{") {
		return text, false, nil
	}
	var b strings.Builder
	rest, changed := text, false
	for _, ref := range runbook.ParseReferences(text) {
		if ref.Kind != runbook.RefSSMParameter {
			continue
		}
		ref.Name = strings.TrimSpace(ref.Name)
		name, _ := paramSelector(ref.Name)
		if err := c.authorize("ssm:GetParameters", s.paramARN(c.region.Name, name), paramContext(c.region, name)); err != nil {
			return "", false, c.deniedAs(err)
		}
		p, v, err := c.region.lookupParam(ref.Name)
		if err != nil {
			return "", false, apiErr("InvalidAutomationExecutionParametersException", "Parameters provided are not valid: parameter %q: %s cannot be resolved: %s", param, ref.Text, asAPIError(err).Message)
		}
		if v.Type == "SecureString" {
			return "", false, apiErr("InvalidAutomationExecutionParametersException", "Parameters provided are not valid: parameter %q: %s names SecureString parameter %s, which runbook parameters cannot reference", param, ref.Text, p.Name)
		}
		i := strings.Index(rest, ref.Text)
		if i < 0 {
			continue
		}
		b.WriteString(rest[:i])
		b.WriteString(v.Value)
		rest = rest[i+len(ref.Text):]
		changed = true
	}
	if !changed {
		return text, false, nil
	}
	b.WriteString(rest)
	return b.String(), true, nil
}
