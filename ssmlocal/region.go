package ssmlocal

import (
	"context"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/engine"
)

// region holds a Region's documents, instances and automation engine.
// Maps are guarded by Server.mu; the engine has its own locking.
type region struct {
	Name      string
	Instances map[string]*instance
	Documents map[string]*ssmDocument
	// Parameters are the Parameter Store parameters, by name.
	Parameters map[string]*ssmParameter
	// Images, Snapshots and Volumes are the account's EBS resources, by id.
	Images    map[string]*ec2Image
	Snapshots map[string]*ec2Snapshot
	Volumes   map[string]*ec2Volume
	engine    engine.API
	// queues and bus are the Region's SQS queues and EventBridge rules.
	queues sqsQueues
	bus    eventBus
}

func newRegion(name string) *region {
	return &region{Name: name, Instances: map[string]*instance{}, Documents: map[string]*ssmDocument{}, Parameters: map[string]*ssmParameter{},
		Images: map[string]*ec2Image{}, Snapshots: map[string]*ec2Snapshot{}, Volumes: map[string]*ec2Volume{}}
}

// opDef is one simulated operation: its handler, and how the dispatcher
// authorizes it before the handler runs.
type opDef struct {
	service  string
	name     string
	regional bool
	fn       func(s *Server, ctx context.Context, c *call, in map[string]any) (map[string]any, error)
	auth     authSpec
}

func opKey(service, api string) string { return strings.ToLower(service) + ":" + strings.ToLower(api) }

func buildOps() map[string]opDef {
	ops := map[string]opDef{}
	for _, list := range [][]opDef{iamOps(), iamGroupOps(), iamProfileOps(), iamSimulateOps(), stsOps(), ec2Ops(), imageOps(), volumeOps(), ssmDocOps(), ssmDocPermOps(), ssmAutomationOps(), ssmParamOps(),
		sqsOps(), eventsOps()} {
		for _, op := range list {
			ops[opKey(op.service, op.name)] = op
		}
	}
	return ops
}

// lookupOp finds an operation by service and API name, case-insensitively
// (aws:executeAwsApi spells them loosely).
func (s *Server) lookupOp(service, api string) (opDef, bool) {
	op, ok := s.ops[opKey(service, api)]
	return op, ok
}

// Operations lists the simulated operations as "service:Operation", sorted.
func (s *Server) Operations() []string {
	out := make([]string, 0, len(s.ops))
	for _, op := range s.ops {
		out = append(out, op.service+":"+op.name)
	}
	sort.Strings(out)
	return out
}

func newUUID() string { return uuid.NewString() }
