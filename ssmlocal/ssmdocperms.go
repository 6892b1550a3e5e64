package ssmlocal

import (
	"context"
	"maps"
	"regexp"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
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
		{"ssm", "DescribeDocumentPermission", true, typed((*Server).ssmDescribeDocumentPermission),
			authOnInput("ssm:DescribeDocumentPermission", docTarget(func(in *ssm.DescribeDocumentPermissionInput) *string { return in.Name }))},
		{"ssm", "ModifyDocumentPermission", true, typed((*Server).ssmModifyDocumentPermission),
			authOnInput("ssm:ModifyDocumentPermission", docTarget(func(in *ssm.ModifyDocumentPermissionInput) *string { return in.Name }))},
	}
}

// sharedDocument finds a document the account owns and may share.
func sharedDocument(r *region, name *string, pt types.DocumentPermissionType) (*ssmDocument, error) {
	if aws.ToString(name) == "" {
		return nil, validation("name", "null", "Member must not be null")
	}
	if pt != types.DocumentPermissionTypeShare {
		return nil, apiErr("InvalidPermissionType", "The permission type %q is not valid: only Share is supported.", pt)
	}
	d, ok := r.Documents[*name]
	if !ok {
		return nil, apiErr("InvalidDocument", "Document with name %s does not exist.", *name)
	}
	if d.awsOwned() {
		// Only the owner shares a document.
		return nil, apiErr("InvalidDocument", "Document %s is owned by Amazon; only documents the account owns can be shared.", *name)
	}
	return d, nil
}

func (s *Server) ssmDescribeDocumentPermission(_ context.Context, c *call, in *ssm.DescribeDocumentPermissionInput) (*ssm.DescribeDocumentPermissionOutput, error) {
	// A MaxResults of 0 is no limit, as an absent one.
	maxResults := aws.ToInt32(in.MaxResults)
	if maxResults != 0 && (maxResults < 1 || maxResults > 200) {
		return nil, validation("maxResults", maxResults, "Member must have value less than or equal to 200")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := sharedDocument(c.region, in.Name, in.PermissionType)
	if err != nil {
		return nil, err
	}
	ids := slices.Sorted(maps.Keys(d.Shared))
	page, token, err := paginate(ids, int(maxResults), aws.ToString(in.NextToken))
	if err != nil {
		return nil, err
	}
	// Both lists are listed even when empty.
	out := &ssm.DescribeDocumentPermissionOutput{AccountIds: make([]string, len(page)), AccountSharingInfoList: make([]types.AccountSharingInfo, len(page))}
	copy(out.AccountIds, page)
	for i, id := range page {
		out.AccountSharingInfoList[i] = types.AccountSharingInfo{AccountId: aws.String(id), SharedDocumentVersion: aws.String(d.Shared[id])}
	}
	if token != "" {
		out.NextToken = aws.String(token)
	}
	return out, nil
}

// checkShareLists checks AccountIdsToAdd, then AccountIdsToRemove: at most
// sharePerCall account ids each, every one an account id or "All".
func checkShareLists(add, remove []string) error {
	for _, l := range []struct {
		member string
		ids    []string
	}{{"accountIdsToAdd", add}, {"accountIdsToRemove", remove}} {
		if len(l.ids) > sharePerCall {
			return apiErr("DocumentPermissionLimit", "The document can't be shared with more AWS accounts. You can specify a maximum of %d accounts per API operation (%s).", sharePerCall, l.member)
		}
		for _, id := range l.ids {
			if !shareAccountPattern.MatchString(id) {
				return validation(l.member, id, "Member must satisfy regular expression pattern: (?i)all|[0-9]{12}")
			}
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return validation("accountIdsToAdd", "null", "AccountIdsToAdd or AccountIdsToRemove must be specified")
	}
	return nil
}

func (s *Server) ssmModifyDocumentPermission(_ context.Context, c *call, in *ssm.ModifyDocumentPermissionInput) (*ssm.ModifyDocumentPermissionOutput, error) {
	add, remove := in.AccountIdsToAdd, in.AccountIdsToRemove
	if err := checkShareLists(add, remove); err != nil {
		return nil, err
	}
	version := aws.ToString(in.SharedDocumentVersion)
	if version != "" && !shareVersionPattern.MatchString(version) {
		return nil, validation("sharedDocumentVersion", version, "Member must satisfy regular expression pattern: ([$]LATEST|[$]DEFAULT|[$]ALL)")
	}
	if version == "" {
		version = "$DEFAULT"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := sharedDocument(c.region, in.Name, in.PermissionType)
	if err != nil {
		return nil, err
	}
	if n, _ := parseVersion(version); n > 0 && d.version(n) == nil {
		return nil, apiErr("InvalidDocumentVersion", "The document %s has no version %s.", d.Name, version)
	}
	// Removing wins over adding the same account.
	next := maps.Clone(d.Shared)
	if next == nil {
		next = map[string]string{}
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
	return &ssm.ModifyDocumentPermissionOutput{}, nil
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
