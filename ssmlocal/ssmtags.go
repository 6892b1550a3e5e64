package ssmlocal

import (
	"context"
	"strings"
)

// Tags of SSM resources: only documents are simulated, so ResourceType
// Document is the one these operations accept
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html).

// ssmResourceTypes are the values of the ResourceType member.
var ssmResourceTypes = []string{"Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"}

// maxDocumentTags is how many tags a document may carry.
const maxDocumentTags = 50

// tagTarget authorizes a tag operation on the document it names, with the
// document's tags and, for withRequestTags, the tags being set; TagKeys of
// RemoveTagsFromResource become aws:TagKeys.
func tagTarget(withRequestTags bool) func(s *Server, c *call, in map[string]any) []authTarget {
	return func(s *Server, c *call, in map[string]any) []authTarget {
		if member(in, "ResourceType") != "Document" {
			return on("*", nil)
		}
		name := member(in, "ResourceId")
		ctx := documentContext(c.region, name)
		if withRequestTags {
			tl, _ := objects(in, "Tags")
			tags, _ := tagPairs(tl, nil)
			ctx = requestTagContext(tags, ctx)
		} else if keys, _ := strList(in, "TagKeys"); len(keys) > 0 {
			if ctx == nil {
				ctx = map[string][]string{}
			}
			ctx["aws:TagKeys"] = keys
		}
		return on(s.docARN(c.region.Name, name), ctx)
	}
}

// taggedDocument reads ResourceType and ResourceId and returns the customer
// document they name. Callers hold s.mu.
func (s *Server) taggedDocument(c *call, in map[string]any) (*ssmDocument, error) {
	rt, err := str(in, "ResourceType")
	if err != nil {
		return nil, err
	}
	id, err := str(in, "ResourceId")
	if err != nil {
		return nil, err
	}
	switch {
	case rt == "":
		return nil, validation("resourceType", "null", "Member must not be null")
	case !containsString(ssmResourceTypes, rt):
		return nil, validation("resourceType", rt, "Member must satisfy enum value set: ["+strings.Join(ssmResourceTypes, ", ")+"]")
	case rt != "Document":
		return nil, apiErr("InvalidResourceType", "resource type %s is not simulated by the local endpoint: only Document is", rt)
	case id == "":
		return nil, validation("resourceId", "null", "Member must not be null")
	}
	d, ok := c.region.Documents[id]
	if !ok || d.awsOwned() {
		return nil, apiErr("InvalidResourceId", "The resource ID \"%s\" is not valid. Verify the ID and try again.", id)
	}
	return d, nil
}

func (s *Server) ssmAddTagsToResource(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	tl, err := objects(in, "Tags")
	if err != nil {
		return nil, err
	}
	if len(tl) == 0 {
		return nil, validation("tags", "null", "Member must not be null")
	}
	tags, err := readEC2Tags(tl)
	if err != nil {
		return nil, &APIError{Code: "InvalidParameterValue", Message: asAPIError(err).Message}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.taggedDocument(c, in)
	if err != nil {
		return nil, err
	}
	merged := mergeTags(append([]tag(nil), d.Tags...), tags)
	if len(merged) > maxDocumentTags {
		return nil, apiErr("TooManyTagsError", "A document can have at most %d tags.", maxDocumentTags)
	}
	d.Tags = merged
	s.changed()
	return nil, nil
}

func (s *Server) ssmListTagsForResource(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.taggedDocument(c, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"TagList": tagShapes(d.Tags)}, nil
}

func (s *Server) ssmRemoveTagsFromResource(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	keys, err := strList(in, "TagKeys")
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, validation("tagKeys", "null", "Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.taggedDocument(c, in)
	if err != nil {
		return nil, err
	}
	kept := make([]tag, 0, len(d.Tags))
	for _, t := range d.Tags {
		if !containsString(keys, t.Key) {
			kept = append(kept, t)
		}
	}
	d.Tags = kept
	s.changed()
	return nil, nil
}
