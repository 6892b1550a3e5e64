package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// ActionRequest is one IAM authorization an API call needs: an action on
// each of its resources, with the condition keys the call carries for it
// (iam:PassedToService for a role the call hands to a service,
// ec2:CreateAction for tags set at creation, aws:ResourceAccount for S3).
type ActionRequest struct {
	Action    string
	Resources []string
	Context   map[string][]string
	// Reason says why the call needs the action, as the derivation reports
	// it.
	Reason string
}

// ErrUnknownCallAction is matched (errors.Is) by the error of
// ActionsForCall when the IAM action of a call cannot be determined.
var ErrUnknownCallAction = errors.New("policy: the IAM action of the call is unknown")

// CallActionError says why the IAM actions of one API call cannot be
// determined.
type CallActionError struct {
	Service, Operation string
	Detail             string
}

func (e *CallActionError) Error() string {
	return "policy: cannot determine the IAM action of " + e.Service + "." + e.Operation + ": " + e.Detail
}

// Is makes a CallActionError match ErrUnknownCallAction.
func (e *CallActionError) Is(target error) bool { return target == ErrUnknownCallAction }

// ActionsForCall returns what IAM authorizes for one call of API operation
// operation of SDK client service (spelled as aws:executeAwsApi spells
// them, matched case-insensitively) with the request parameters params, as
// a caller in scope makes it. It is the derivation of aws:executeAwsApi
// applied to concrete values: the same operation-to-action table, hidden
// permissions (iam:PassRole, ec2:CreateTags) and resources built from the
// identifying parameters, so a role derived for a runbook allows exactly
// the calls its steps make. RunbookOptions.APIActions, when given, extends
// and overrides the table as it does for ForRunbook. An empty result with
// no error means the call needs no permission (sts:GetCallerIdentity).
//
// When the action cannot be determined (an unknown client, an operation
// with no IAM action of its name) the error is a *CallActionError: a
// caller authorizing the call must deny it. Parameters are taken
// literally; a value holding "{{ }}" stands as "*" in its resource, which
// matches only grants that cover every such resource.
func ActionsForCall(service, operation string, params map[string]any, scope Scope, optFns ...func(*RunbookOptions)) ([]ActionRequest, error) {
	var o RunbookOptions
	for _, f := range optFns {
		f(&o)
	}
	if strings.TrimSpace(service) == "" || strings.TrimSpace(operation) == "" {
		return nil, &CallActionError{Service: service, Operation: operation, Detail: "the service and the operation must both be named"}
	}
	values := make(map[string]runbook.Value, len(params))
	for k, v := range params {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, &CallActionError{Service: service, Operation: operation, Detail: fmt.Sprintf("parameter %s cannot be read: %v", k, err)}
		}
		rv, err := runbook.RawJSON(raw)
		if err != nil {
			return nil, &CallActionError{Service: service, Operation: operation, Detail: fmt.Sprintf("parameter %s cannot be read: %v", k, err)}
		}
		values[k] = rv
	}
	doc := &runbook.Document{}
	d := &deriver{doc: doc, cur: doc, scope: scope, opts: &o, catalog: iamcatalog.Load(), out: &Derived{}}
	param := func(name string) (runbook.Value, bool) {
		v, ok := values[name]
		return v, ok
	}
	const step = "call"
	d.operation(step, "", service, operation, param, "", func(action string) string {
		if action == "" {
			return service + "." + operation
		}
		return service + "." + operation + " needs " + action
	})
	if len(d.out.Unresolved) > 0 {
		return nil, &CallActionError{Service: service, Operation: operation, Detail: d.out.Unresolved[0].Detail}
	}
	var out []ActionRequest
	for _, n := range d.out.Needs {
		ctx := conditionContext(n.Condition)
		for _, a := range n.Actions {
			out = append(out, ActionRequest{Action: a, Resources: slices.Clone(n.Resources), Context: ctx, Reason: n.Reason})
		}
	}
	return out, nil
}

// conditionContext turns the derivation's conditions into the request
// context that satisfies them: each key with its values.
func conditionContext(c Conditions) map[string][]string {
	if len(c) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, keys := range c {
		for k, v := range keys {
			out[k] = append(out[k], v.Strings()...)
		}
	}
	return out
}

// ServicePrefix returns the IAM service prefix of an SDK client name
// ("stepfunctions" is "states", "sns" is "sns"), matched
// case-insensitively, and whether the client is known.
func ServicePrefix(client string) (string, bool) {
	d := &deriver{catalog: iamcatalog.Load()}
	return d.iamPrefix(client)
}
