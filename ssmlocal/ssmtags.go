package ssmlocal

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Tags of SSM resources: only documents are simulated, so ResourceType
// Document is the one these operations accept
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html).

// ssmResourceTypes are the values of the ResourceType member.
var ssmResourceTypes = []string{"Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem", "OpsMetadata", "Automation", "Association"}

// maxDocumentTags is how many tags a document may carry.
const maxDocumentTags = 50

func ssmTagOps() []opDef {
	return []opDef{
		{"ssm", "AddTagsToResource", true, typed((*Server).ssmAddTagsToResource), authOnInput("ssm:AddTagsToResource", addTagsTarget)},
		{"ssm", "ListTagsForResource", true, typed((*Server).ssmListTagsForResource), authOnInput("ssm:ListTagsForResource", listTagsTarget)},
		{"ssm", "RemoveTagsFromResource", true, typed((*Server).ssmRemoveTagsFromResource), authOnInput("ssm:RemoveTagsFromResource", removeTagsTarget)},
	}
}

// tagTarget authorizes a tag operation on the document it names, with the
// document's tags and the request's own keys (aws:RequestTag, aws:TagKeys)
// that extra adds.
func tagTarget(s *Server, c *call, rt types.ResourceTypeForTagging, id string, extra func(ctx map[string][]string) map[string][]string) []authTarget {
	if rt != types.ResourceTypeForTaggingDocument {
		return on("*", nil)
	}
	ctx := documentContext(c.region, id)
	if extra != nil {
		ctx = extra(ctx)
	}
	return on(s.docARN(c.region.Name, id), ctx)
}

// addTagsTarget adds the tags being set as aws:RequestTag and aws:TagKeys.
func addTagsTarget(s *Server, c *call, in *ssm.AddTagsToResourceInput) []authTarget {
	return tagTarget(s, c, in.ResourceType, aws.ToString(in.ResourceId), func(ctx map[string][]string) map[string][]string {
		return requestTagContext(ssmTags(in.Tags), ctx)
	})
}

func listTagsTarget(s *Server, c *call, in *ssm.ListTagsForResourceInput) []authTarget {
	return tagTarget(s, c, in.ResourceType, aws.ToString(in.ResourceId), nil)
}

// removeTagsTarget adds the keys being removed as aws:TagKeys.
func removeTagsTarget(s *Server, c *call, in *ssm.RemoveTagsFromResourceInput) []authTarget {
	return tagTarget(s, c, in.ResourceType, aws.ToString(in.ResourceId), func(ctx map[string][]string) map[string][]string {
		if len(in.TagKeys) == 0 {
			return ctx
		}
		if ctx == nil {
			ctx = map[string][]string{}
		}
		ctx["aws:TagKeys"] = in.TagKeys
		return ctx
	})
}

// taggedDocument checks ResourceType and ResourceId and returns the
// customer document they name. Callers hold s.mu.
func (s *Server) taggedDocument(c *call, rt types.ResourceTypeForTagging, resourceID *string) (*ssmDocument, error) {
	id := aws.ToString(resourceID)
	switch {
	case rt == "":
		return nil, validation("resourceType", "null", "Member must not be null")
	case !containsString(ssmResourceTypes, string(rt)):
		return nil, validation("resourceType", rt, "Member must satisfy enum value set: ["+strings.Join(ssmResourceTypes, ", ")+"]")
	case rt != types.ResourceTypeForTaggingDocument:
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

func (s *Server) ssmAddTagsToResource(_ context.Context, c *call, in *ssm.AddTagsToResourceInput) (*ssm.AddTagsToResourceOutput, error) {
	if len(in.Tags) == 0 {
		return nil, validation("tags", "null", "Member must not be null")
	}
	tags, err := checkedDocTags(in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.taggedDocument(c, in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	merged := mergeTags(append([]tag(nil), d.Tags...), tags)
	if len(merged) > maxDocumentTags {
		return nil, apiErr("TooManyTagsError", "A document can have at most %d tags.", maxDocumentTags)
	}
	d.Tags = merged
	s.changed()
	return &ssm.AddTagsToResourceOutput{}, nil
}

func (s *Server) ssmListTagsForResource(_ context.Context, c *call, in *ssm.ListTagsForResourceInput) (*ssm.ListTagsForResourceOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.taggedDocument(c, in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	return &ssm.ListTagsForResourceOutput{TagList: docTagList(d.Tags)}, nil
}

func (s *Server) ssmRemoveTagsFromResource(_ context.Context, c *call, in *ssm.RemoveTagsFromResourceInput) (*ssm.RemoveTagsFromResourceOutput, error) {
	if len(in.TagKeys) == 0 {
		return nil, validation("tagKeys", "null", "Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.taggedDocument(c, in.ResourceType, in.ResourceId)
	if err != nil {
		return nil, err
	}
	kept := make([]tag, 0, len(d.Tags))
	for _, t := range d.Tags {
		if !containsString(in.TagKeys, t.Key) {
			kept = append(kept, t)
		}
	}
	d.Tags = kept
	s.changed()
	return &ssm.RemoveTagsFromResourceOutput{}, nil
}
