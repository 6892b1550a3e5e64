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

func (s *Server) paramShape(region string, p *ssmParameter, v *paramVersion, selector string, decrypt bool) map[string]any {
	m := map[string]any{
		"Name": p.Name, "Type": v.Type, "Value": shownValue(v, decrypt), "Version": v.Version,
		"LastModifiedDate": v.Modified, "ARN": s.paramARN(region, p.Name), "DataType": v.DataType,
	}
	if selector != "" {
		m["Selector"] = ":" + selector
	}
	return m
}

func ssmParamOps() []opDef {
	return []opDef{
		{"ssm", "PutParameter", true, (*Server).ssmPutParameter, authOn("ssm:PutParameter", putParamTarget)},
		{"ssm", "GetParameter", true, (*Server).ssmGetParameter, authOn("ssm:GetParameter", paramTarget)},
		{"ssm", "GetParameters", true, (*Server).ssmGetParameters, authOn("ssm:GetParameters", paramsTarget)},
		{"ssm", "GetParametersByPath", true, (*Server).ssmGetParametersByPath, authOn("ssm:GetParametersByPath", pathTarget)},
		{"ssm", "DeleteParameter", true, (*Server).ssmDeleteParameter, authOn("ssm:DeleteParameter", paramTarget)},
		{"ssm", "DeleteParameters", true, (*Server).ssmDeleteParameters, authOn("ssm:DeleteParameters", paramsTarget)},
		{"ssm", "DescribeParameters", true, (*Server).ssmDescribeParameters, authAny("ssm:DescribeParameters")},
		{"ssm", "GetParameterHistory", true, (*Server).ssmGetParameterHistory, authOn("ssm:GetParameterHistory", paramTarget)},
		{"ssm", "LabelParameterVersion", true, (*Server).ssmLabelParameterVersion, authOn("ssm:LabelParameterVersion", paramTarget)},
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

// paramTarget authorizes a call on the parameter Name names, without its
// selector.
func paramTarget(s *Server, c *call, in map[string]any) []authTarget {
	name, _ := paramSelector(member(in, "Name"))
	return on(s.paramARN(c.region.Name, name), paramContext(c.region, name))
}

// paramsTarget authorizes a call on every parameter Names names.
func paramsTarget(s *Server, c *call, in map[string]any) []authTarget {
	names, _ := strList(in, "Names")
	out := make([]authTarget, 0, len(names))
	for _, n := range names {
		name, _ := paramSelector(n)
		out = append(out, authTarget{resource: s.paramARN(c.region.Name, name), context: paramContext(c.region, name)})
	}
	return out
}

// putParamTarget authorizes PutParameter on the parameter, with the tags it
// is created with.
func putParamTarget(s *Server, c *call, in map[string]any) []authTarget {
	name := plainParamName(member(in, "Name"))
	tl, _ := objects(in, "Tags")
	tags, _ := tagPairs(tl, nil)
	overwrite, _ := boolean(in, "Overwrite")
	ctx := merged(paramContext(c.region, name), map[string][]string{"ssm:Overwrite": {strconv.FormatBool(overwrite)}})
	if len(tags) > 0 {
		ctx = merged(ctx, requestTagContext(tags, nil))
	}
	return on(s.paramARN(c.region.Name, name), ctx)
}

// pathTarget authorizes GetParametersByPath on the path's ARN.
func pathTarget(s *Server, c *call, in map[string]any) []authTarget {
	recursive, _ := boolean(in, "Recursive")
	return on(s.paramARN(c.region.Name, member(in, "Path")), map[string][]string{"ssm:Recursive": {strconv.FormatBool(recursive)}})
}

func (s *Server) ssmPutParameter(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ref, err := str(in, "Name")
	if err != nil {
		return nil, err
	}
	name := plainParamName(ref)
	if err := checkParamName(name); err != nil {
		return nil, err
	}
	value, err := str(in, "Value")
	if err != nil {
		return nil, err
	}
	if _, ok := in["Value"]; !ok {
		return nil, validation("value", "null", "Member must not be null")
	}
	ptype, err := str(in, "Type")
	if err != nil {
		return nil, err
	}
	if ptype != "" && !slices.Contains(paramTypes, ptype) {
		return nil, validation("type", ptype, "Member must satisfy enum value set: [String, StringList, SecureString]")
	}
	desc, err := str(in, "Description")
	if err != nil {
		return nil, err
	}
	if len(desc) > 1024 {
		return nil, validation("description", desc, "Member must have length less than or equal to 1024")
	}
	pattern, err := str(in, "AllowedPattern")
	if err != nil {
		return nil, err
	}
	if len(pattern) > 1024 {
		return nil, validation("allowedPattern", pattern, "Member must have length less than or equal to 1024")
	}
	tier, err := str(in, "Tier")
	if err != nil {
		return nil, err
	}
	if tier != "" && !slices.Contains(paramTiers, tier) {
		return nil, validation("tier", tier, "Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]")
	}
	dataType, err := str(in, "DataType")
	if err != nil {
		return nil, err
	}
	switch dataType {
	case "", "text":
		dataType = "text"
	case "aws:ec2:image", "aws:ssm:integration":
		return nil, apiErr("ValidationException", "data type %s is not simulated by the local endpoint: only text is", dataType)
	default:
		return nil, apiErr("ValidationException", "The following data type is not supported: %s (Data type names are all lowercase.)", dataType)
	}
	overwrite, err := boolean(in, "Overwrite")
	if err != nil {
		return nil, err
	}
	if _, err := str(in, "KeyId"); err != nil {
		return nil, err
	}
	if pol, err := str(in, "Policies"); err != nil {
		return nil, err
	} else if pol != "" {
		return nil, apiErr("InvalidPolicyTypeException", "parameter policies are not simulated by the local endpoint")
	}
	tl, err := objects(in, "Tags")
	if err != nil {
		return nil, err
	}
	tags, err := tagPairs(tl, nil)
	if err != nil {
		return nil, err
	}
	if len(tags) > 0 && overwrite {
		return nil, apiErr("ValidationException", "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	if value == "" {
		return nil, validation("value", value, "Member must have length greater than or equal to 1")
	}
	if pattern != "" {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, apiErr("InvalidAllowedPatternException", "The allowed pattern %s is not a valid regular expression: %v", pattern, err)
		}
		if !re.MatchString(value) {
			return nil, apiErr("ParameterPatternMismatchException", "Parameter value, cannot be validated against allowedPattern: %s", pattern)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	p, exists := c.region.Parameters[name]
	if exists && !overwrite {
		return nil, apiErr("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	}
	if !exists && ptype == "" {
		return nil, apiErr("ValidationException", "A parameter type is required when you create a parameter.")
	}
	if exists && ptype == "" {
		ptype = p.latest().Type
	}
	effTier, err := paramTier(tier, value, p)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	v := &paramVersion{Version: 1, Type: ptype, Value: value, Description: desc, AllowedPattern: pattern,
		Tier: effTier, DataType: dataType, Modified: now, ModifiedBy: c.who.ARN}
	if !exists {
		p = &ssmParameter{Name: name, Tags: tags, Versions: []*paramVersion{v}}
		c.region.Parameters[name] = p
	} else {
		if len(p.Versions) >= maxParamHistory {
			if len(p.Versions[0].Labels) > 0 {
				return nil, apiErr("ParameterMaxVersionLimitExceeded", "You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. Version %d, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.", name, p.Versions[0].Version)
			}
			p.Versions = slices.Delete(p.Versions, 0, 1)
		}
		v.Version = p.latest().Version + 1
		p.Versions = append(p.Versions, v)
	}
	s.changed()
	return map[string]any{"Version": v.Version, "Tier": v.Tier}, nil
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
func paramRef(in map[string]any) (string, error) {
	ref, err := str(in, "Name")
	if err == nil && ref == "" {
		err = validation("name", "null", "Member must not be null")
	}
	return ref, err
}

func (s *Server) ssmGetParameter(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ref, err := paramRef(in)
	if err != nil {
		return nil, err
	}
	decrypt, err := boolean(in, "WithDecryption")
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
	return map[string]any{"Parameter": s.paramShape(c.region.Name, p, v, sel, decrypt)}, nil
}

// paramNames reads a Names member of 1 to 10 names.
func paramNames(in map[string]any) ([]string, error) {
	names, err := strList(in, "Names")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, validation("names", "null", "Member must have length greater than or equal to 1")
	}
	if len(names) > maxParamsPerCall {
		return nil, validation("names", fmt.Sprintf("[%d names]", len(names)), fmt.Sprintf("Member must have length less than or equal to %d", maxParamsPerCall))
	}
	return names, nil
}

func (s *Server) ssmGetParameters(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	names, err := paramNames(in)
	if err != nil {
		return nil, err
	}
	decrypt, err := boolean(in, "WithDecryption")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	found, invalid := []any{}, []any{}
	seen := map[string]bool{}
	for _, ref := range names {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		p, v, err := c.region.lookupParam(ref)
		if err != nil {
			invalid = append(invalid, ref)
			continue
		}
		_, sel := paramSelector(ref)
		found = append(found, s.paramShape(c.region.Name, p, v, sel, decrypt))
	}
	return map[string]any{"Parameters": found, "InvalidParameters": invalid}, nil
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

// paramPage reads MaxResults (1..limit, default limit) and NextToken.
func paramPage(in map[string]any, limit int64) (int, string, error) {
	maxResults, err := integer(in, "MaxResults", limit)
	if err != nil {
		return 0, "", err
	}
	if maxResults < 1 || maxResults > limit {
		return 0, "", validation("maxResults", maxResults, fmt.Sprintf("Member must have value less than or equal to %d and greater than or equal to 1", limit))
	}
	next, err := str(in, "NextToken")
	return int(maxResults), next, err
}

func (s *Server) ssmGetParametersByPath(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	path, err := str(in, "Path")
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, validation("path", "null", "Member must not be null")
	}
	if !strings.HasPrefix(path, "/") || strings.Contains(path, "//") || !paramNamePattern.MatchString(path) {
		return nil, apiErr("ValidationException", "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.")
	}
	recursive, err := boolean(in, "Recursive")
	if err != nil {
		return nil, err
	}
	decrypt, err := boolean(in, "WithDecryption")
	if err != nil {
		return nil, err
	}
	filters, err := objects(in, "ParameterFilters")
	if err != nil {
		return nil, err
	}
	match, err := paramFilters(filters, true)
	if err != nil {
		return nil, err
	}
	maxResults, next, err := paramPage(in, 10)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var hits []*ssmParameter
	for _, n := range slices.Sorted(maps.Keys(c.region.Parameters)) {
		p := c.region.Parameters[n]
		if underPath(n, path, recursive) && match(p) {
			hits = append(hits, p)
		}
	}
	page, token, err := paginate(hits, maxResults, next)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(page))
	for _, p := range page {
		out = append(out, s.paramShape(c.region.Name, p, p.latest(), "", decrypt))
	}
	res := map[string]any{"Parameters": out}
	if token != "" {
		res["NextToken"] = token
	}
	return res, nil
}

// paramFilters compiles ParameterFilters: Name, Type, Tier, DataType,
// Label, Path and tag:KEY. byPath refuses the keys GetParametersByPath
// does not take.
func paramFilters(filters []map[string]any, byPath bool) (func(*ssmParameter) bool, error) {
	var tests []func(*ssmParameter) bool
	for _, f := range filters {
		key, err := str(f, "Key")
		if err != nil {
			return nil, err
		}
		option, err := str(f, "Option")
		if err != nil {
			return nil, err
		}
		values, err := strList(f, "Values")
		if err != nil {
			return nil, err
		}
		if key == "" {
			return nil, validation("parameterFilters.member.key", "null", "Member must not be null")
		}
		if byPath && (key == "Name" || key == "Path" || key == "Tier") {
			return nil, apiErr("InvalidFilterKey", "The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId, Label, DataType, tag:*].", key)
		}
		if option == "" {
			option = "Equals"
			if key == "Path" {
				option = "OneLevel"
			}
		}
		field := func(p *ssmParameter) []string { return nil }
		switch {
		case key == "Name":
			field = func(p *ssmParameter) []string { return []string{p.Name} }
		case key == "Type":
			field = func(p *ssmParameter) []string { return []string{p.latest().Type} }
		case key == "Tier":
			field = func(p *ssmParameter) []string { return []string{p.latest().Tier} }
		case key == "DataType":
			field = func(p *ssmParameter) []string { return []string{p.latest().DataType} }
		case key == "Label":
			field = func(p *ssmParameter) []string {
				var all []string
				for _, v := range p.Versions {
					all = append(all, v.Labels...)
				}
				return all
			}
		case strings.HasPrefix(key, "tag:") && len(key) > 4:
			k := key[4:]
			field = func(p *ssmParameter) []string {
				for _, t := range p.Tags {
					if t.Key == k {
						return []string{t.Value}
					}
				}
				return nil
			}
			if len(values) == 0 {
				tests = append(tests, func(p *ssmParameter) bool { return field(p) != nil })
				continue
			}
		case key == "Path":
			if option != "OneLevel" && option != "Recursive" {
				return nil, apiErr("InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Recursive, OneLevel].", option)
			}
			rec := option == "Recursive"
			vals := values
			tests = append(tests, func(p *ssmParameter) bool {
				for _, v := range vals {
					if underPath(p.Name, v, rec) {
						return true
					}
				}
				return false
			})
			continue
		default:
			return nil, apiErr("InvalidFilterKey", "The following filter key is not valid: %s", key)
		}
		if len(values) == 0 {
			return nil, apiErr("InvalidFilterValue", "The following filter values are missing : null for filter key %s.", key)
		}
		var cmp func(have, want string) bool
		switch option {
		case "Equals":
			cmp = func(h, w string) bool { return h == w }
		case "BeginsWith":
			if key != "Name" {
				return nil, apiErr("InvalidFilterOption", "The following filter option is not valid: BeginsWith. Valid options include: [Equals].")
			}
			cmp = strings.HasPrefix
		case "Contains":
			if key != "Name" {
				return nil, apiErr("InvalidFilterOption", "The following filter option is not valid: Contains. Valid options include: [Equals].")
			}
			cmp = strings.Contains
		default:
			return nil, apiErr("InvalidFilterOption", "The following filter option is not valid: %s.", option)
		}
		vals, get := values, field
		tests = append(tests, func(p *ssmParameter) bool {
			for _, h := range get(p) {
				for _, w := range vals {
					if cmp(h, w) {
						return true
					}
				}
			}
			return false
		})
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

func (s *Server) ssmDeleteParameter(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ref, err := paramRef(in)
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
	return map[string]any{}, nil
}

func (s *Server) ssmDeleteParameters(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	names, err := paramNames(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	deleted, invalid := []any{}, []any{}
	for _, ref := range names {
		name := plainParamName(ref)
		if _, ok := c.region.Parameters[name]; !ok {
			invalid = append(invalid, ref)
			continue
		}
		delete(c.region.Parameters, name)
		deleted = append(deleted, ref)
	}
	if len(deleted) > 0 {
		s.changed()
	}
	return map[string]any{"DeletedParameters": deleted, "InvalidParameters": invalid}, nil
}

func (s *Server) ssmDescribeParameters(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	old, err := objects(in, "Filters")
	if err != nil {
		return nil, err
	}
	filters, err := objects(in, "ParameterFilters")
	if err != nil {
		return nil, err
	}
	if len(old) > 0 && len(filters) > 0 {
		return nil, apiErr("ValidationException", "You can use either Filters or ParameterFilters in a single request.")
	}
	for _, f := range old {
		// The legacy Filters take Name (BeginsWith), Type and KeyId.
		key, err := str(f, "Key")
		if err != nil {
			return nil, err
		}
		values, err := strList(f, "Values")
		if err != nil {
			return nil, err
		}
		switch key {
		case "Name":
			filters = append(filters, map[string]any{"Key": "Name", "Option": "BeginsWith", "Values": values})
		case "Type":
			filters = append(filters, map[string]any{"Key": "Type", "Values": values})
		default:
			return nil, validation("filters.member.key", key, "Member must satisfy enum value set: [Name, Type, KeyId]")
		}
	}
	match, err := paramFilters(filters, false)
	if err != nil {
		return nil, err
	}
	maxResults, next, err := paramPage(in, 50)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var hits []*ssmParameter
	for _, n := range slices.Sorted(maps.Keys(c.region.Parameters)) {
		if p := c.region.Parameters[n]; match(p) {
			hits = append(hits, p)
		}
	}
	page, token, err := paginate(hits, maxResults, next)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(page))
	for _, p := range page {
		v := p.latest()
		m := map[string]any{
			"Name": p.Name, "ARN": s.paramARN(c.region.Name, p.Name), "Type": v.Type, "Version": v.Version,
			"LastModifiedDate": v.Modified, "LastModifiedUser": v.ModifiedBy, "Tier": v.Tier,
			"Policies": []any{}, "DataType": v.DataType,
		}
		if v.Description != "" {
			m["Description"] = v.Description
		}
		if v.AllowedPattern != "" {
			m["AllowedPattern"] = v.AllowedPattern
		}
		out = append(out, m)
	}
	res := map[string]any{"Parameters": out}
	if token != "" {
		res["NextToken"] = token
	}
	return res, nil
}

func (s *Server) ssmGetParameterHistory(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ref, err := paramRef(in)
	if err != nil {
		return nil, err
	}
	decrypt, err := boolean(in, "WithDecryption")
	if err != nil {
		return nil, err
	}
	maxResults, next, err := paramPage(in, 50)
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
	page, token, err := paginate(p.Versions, maxResults, next)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(page))
	for _, v := range page {
		m := map[string]any{
			"Name": p.Name, "Type": v.Type, "Value": shownValue(v, decrypt), "Version": v.Version,
			"Labels": slices.Clone(v.Labels), "LastModifiedDate": v.Modified, "LastModifiedUser": v.ModifiedBy,
			"Tier": v.Tier, "Policies": []any{}, "DataType": v.DataType,
		}
		if m["Labels"] == nil {
			m["Labels"] = []any{}
		}
		if v.Description != "" {
			m["Description"] = v.Description
		}
		if v.AllowedPattern != "" {
			m["AllowedPattern"] = v.AllowedPattern
		}
		out = append(out, m)
	}
	res := map[string]any{"Parameters": out}
	if token != "" {
		res["NextToken"] = token
	}
	return res, nil
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

func (s *Server) ssmLabelParameterVersion(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	ref, err := paramRef(in)
	if err != nil {
		return nil, err
	}
	labels, err := strList(in, "Labels")
	if err != nil {
		return nil, err
	}
	if len(labels) == 0 || len(labels) > maxLabelsPerParam {
		return nil, validation("labels", fmt.Sprintf("[%d labels]", len(labels)), "Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	_, hasVersion := in["ParameterVersion"]
	want, err := integer(in, "ParameterVersion", 0)
	if err != nil {
		return nil, err
	}
	name := plainParamName(ref)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := c.region.Parameters[name]
	if !ok {
		return nil, errParamNotFound(ref)
	}
	v := p.latest()
	if hasVersion {
		if v = p.version(want); v == nil {
			return nil, apiErr("ParameterVersionNotFound", "Systems Manager could not find version %d of %s. Verify the version and try again.", want, name)
		}
	}
	var good []string
	invalid := []any{}
	for _, l := range labels {
		if !validLabel(l) {
			invalid = append(invalid, l)
		} else if !slices.Contains(good, l) {
			good = append(good, l)
		}
	}
	added := 0
	for _, l := range good {
		if !slices.Contains(v.Labels, l) {
			added++
		}
	}
	if len(v.Labels)+added > maxLabelsPerParam {
		return nil, apiErr("ParameterVersionLabelLimitExceeded", "An parameter version can have maximum 10 labels.")
	}
	for _, l := range good {
		// A label names one version: moving it takes it off the other.
		for _, o := range p.Versions {
			if o != v {
				o.Labels = slices.DeleteFunc(o.Labels, func(x string) bool { return x == l })
			}
		}
		if !slices.Contains(v.Labels, l) {
			v.Labels = append(v.Labels, l)
		}
	}
	if len(good) > 0 {
		s.changed()
	}
	return map[string]any{"InvalidLabels": invalid, "ParameterVersion": v.Version}, nil
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
