package ssmlocal

import (
	"context"
	"regexp"
	"slices"
	"sort"
)

// Sharing documents with other accounts (DescribeDocumentPermission,
// ModifyDocumentPermission): a document is shared privately with account
// ids or publicly with "All". At most 20 account ids per call and 1,000
// per document; a shared document cannot be deleted until it is no longer
// shared.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html

const (
	sharePerCall     = 20
	shareMaxAccounts = 1000
)

var (
	shareAccountPattern = regexp.MustCompile(`^((?i)all|[0-9]{12})$`)
	shareVersionPattern = regexp.MustCompile(`^([$]LATEST|[$]DEFAULT|[$]ALL|[1-9][0-9]*)$`)
)

func ssmDocPermOps() []opDef {
	return []opDef{
		{"ssm", "DescribeDocumentPermission", true, (*Server).ssmDescribeDocumentPermission, authOn("ssm:DescribeDocumentPermission", documentTarget)},
		{"ssm", "ModifyDocumentPermission", true, (*Server).ssmModifyDocumentPermission, authOn("ssm:ModifyDocumentPermission", documentTarget)},
	}
}

// sharedDocument finds a document the account owns and may share.
func sharedDocument(r *region, in map[string]any) (*ssmDocument, error) {
	name, err := str(in, "Name")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, validation("name", "null", "Member must not be null")
	}
	pt, err := str(in, "PermissionType")
	if err != nil {
		return nil, err
	}
	if pt != "Share" {
		return nil, apiErr("InvalidPermissionType", "The permission type %q is not valid: only Share is supported.", pt)
	}
	d, ok := r.Documents[name]
	if !ok {
		return nil, apiErr("InvalidDocument", "Document with name %s does not exist.", name)
	}
	if d.awsOwned() {
		// Only the owner shares a document.
		return nil, apiErr("InvalidDocument", "Document %s is owned by Amazon; only documents the account owns can be shared.", name)
	}
	return d, nil
}

func (s *Server) ssmDescribeDocumentPermission(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	maxResults, err := integer(in, "MaxResults", 0)
	if err != nil {
		return nil, err
	}
	if maxResults != 0 && (maxResults < 1 || maxResults > 200) {
		return nil, validation("maxResults", maxResults, "Member must have value less than or equal to 200")
	}
	next, err := str(in, "NextToken")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := sharedDocument(c.region, in)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(d.Shared))
	for id := range d.Shared {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	page, token, err := paginate(ids, int(maxResults), next)
	if err != nil {
		return nil, err
	}
	accounts := make([]any, len(page))
	info := make([]any, len(page))
	for i, id := range page {
		accounts[i] = id
		info[i] = map[string]any{"AccountId": id, "SharedDocumentVersion": d.Shared[id]}
	}
	out := map[string]any{"AccountIds": accounts, "AccountSharingInfoList": info}
	if token != "" {
		out["NextToken"] = token
	}
	return out, nil
}

func (s *Server) ssmModifyDocumentPermission(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	add, err := strList(in, "AccountIdsToAdd")
	if err != nil {
		return nil, err
	}
	remove, err := strList(in, "AccountIdsToRemove")
	if err != nil {
		return nil, err
	}
	for member, list := range map[string][]string{"accountIdsToAdd": add, "accountIdsToRemove": remove} {
		if len(list) > sharePerCall {
			return nil, apiErr("DocumentPermissionLimit", "The document can't be shared with more AWS accounts. You can specify a maximum of %d accounts per API operation (%s).", sharePerCall, member)
		}
		for _, id := range list {
			if !shareAccountPattern.MatchString(id) {
				return nil, validation(member, id, "Member must satisfy regular expression pattern: (?i)all|[0-9]{12}")
			}
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return nil, validation("accountIdsToAdd", "null", "AccountIdsToAdd or AccountIdsToRemove must be specified")
	}
	version, err := str(in, "SharedDocumentVersion")
	if err != nil {
		return nil, err
	}
	if version != "" && !shareVersionPattern.MatchString(version) {
		return nil, validation("sharedDocumentVersion", version, "Member must satisfy regular expression pattern: ([$]LATEST|[$]DEFAULT|[$]ALL)")
	}
	if version == "" {
		version = "$DEFAULT"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := sharedDocument(c.region, in)
	if err != nil {
		return nil, err
	}
	if n, _ := parseVersion(version); n > 0 && d.version(n) == nil {
		return nil, apiErr("InvalidDocumentVersion", "The document %s has no version %s.", d.Name, version)
	}
	// Removing wins over adding the same account.
	next := map[string]string{}
	for id, v := range d.Shared {
		next[id] = v
	}
	for _, id := range add {
		if !containsFold(remove, id) {
			next[canonicalAccount(id)] = version
		}
	}
	for _, id := range remove {
		delete(next, canonicalAccount(id))
	}
	if len(next) > shareMaxAccounts {
		return nil, apiErr("DocumentPermissionLimit", "The document can't be shared with more AWS accounts. A private document can be shared with at most %d accounts.", shareMaxAccounts)
	}
	if len(next) == 0 {
		next = nil
	}
	d.Shared = next
	s.changed()
	return nil, nil
}

// canonicalAccount spells "All" (any case) as the API reports it.
func canonicalAccount(id string) string {
	if len(id) == 3 {
		return "all"
	}
	return id
}

func containsFold(list []string, id string) bool {
	return slices.ContainsFunc(list, func(e string) bool { return canonicalAccount(e) == canonicalAccount(id) })
}

// parseVersion reads a numeric document version; 0 for $LATEST and the
// like.
func parseVersion(v string) (int, bool) {
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' || n > 1<<20 {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, n > 0
}
