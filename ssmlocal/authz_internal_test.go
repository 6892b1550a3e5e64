package ssmlocal

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iamActions reads testdata/iam-actions.tsv: the service authorization
// reference's actions, with their condition keys.
func iamActions(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/iam-actions.tsv")
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "action\t") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 5, line)
		var keys []string
		if cols[4] != "" {
			keys = strings.Split(cols[4], ",")
		}
		out[cols[0]] = keys
	}
	require.NoError(t, sc.Err())
	return out
}

func newTestServer(t *testing.T) *Server {
	t.Helper()
	srv, err := New(func(o *Options) { o.Clock = AutoClock(time.Now()) })
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// adminCall is a call of op as the bootstrap administrator.
func adminCall(t *testing.T, srv *Server, op string) *call {
	t.Helper()
	service, api, _ := strings.Cut(op, ":")
	who, _, _, err := srv.credentialsFor(srv.Admin().AccessKeyID, authCodes(service))
	require.NoError(t, err)
	return &call{s: srv, who: who, service: service, api: api, regionNm: srv.Region(), requestID: "test"}
}

// TestEveryOperationHasAuthorization: every registered operation names an
// IAM action of its own service that the service authorization reference
// knows, so the dispatcher can decide it.
func TestEveryOperationHasAuthorization(t *testing.T) {
	srv := newTestServer(t)
	known := iamActions(t)
	for key, op := range srv.ops {
		t.Run(key, func(t *testing.T) {
			require.NotEmpty(t, op.auth.action, "no IAM action")
			_, ok := known[op.auth.action]
			assert.True(t, ok, "%s is not an IAM action", op.auth.action)
			want := op.service + ":" + op.name
			// SQS authorizes its batch operations as the single ones.
			if batch, ok := strings.CutSuffix(want, "Batch"); ok && op.service == "sqs" {
				want = batch
			}
			assert.Equal(t, want, op.auth.action)
		})
	}
}

// TestConditionKeysAreTheActions: the context keys an operation's targets
// set are global keys or keys the reference lists for the action (or its
// resource types: ssm:DocumentType, ssm:ResourceTag/, iam:ResourceTag/).
func TestConditionKeysAreTheActions(t *testing.T) {
	srv := newTestServer(t)
	known := iamActions(t)
	resourceKeys := []string{"ssm:DocumentType", "ssm:ResourceTag/", "iam:ResourceTag/", "ec2:ResourceTag/", "ec2:InstanceType"}
	inputs := map[string]map[string]any{
		"ssm:StartAutomationExecution": {"DocumentName": RestartEC2Instance, "DocumentVersion": "1", "Tags": []any{map[string]any{"Key": "a", "Value": "b"}}},
		"ssm:CreateDocument":           {"Name": "Doc-1", "Tags": []any{map[string]any{"Key": "a", "Value": "b"}}},
		"ssm:AddTagsToResource":        {"ResourceType": "Document", "ResourceId": RestartEC2Instance, "Tags": []any{map[string]any{"Key": "a", "Value": "b"}}},
		"ssm:RemoveTagsFromResource":   {"ResourceType": "Document", "ResourceId": RestartEC2Instance, "TagKeys": []any{"a"}},
		"ssm:GetParameters":            {"Names": []any{"/a", "b"}},
		"ssm:DeleteParameters":         {"Names": []any{"/a"}},
		"iam:CreateUser":               {"UserName": "u", "Tags": []any{map[string]any{"Key": "a", "Value": "b"}}},
		"iam:AttachUserPolicy":         {"UserName": "admin", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
		"sts:AssumeRole":               {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s", "ExternalId": "x"},
		"ec2:RunInstances":             {"ImageId": "ami-12345678", "TagSpecifications": []any{map[string]any{"ResourceType": "instance", "Tags": []any{map[string]any{"Key": "a", "Value": "b"}}}}},
	}
	for key, op := range srv.ops {
		if op.auth.targets == nil {
			continue
		}
		t.Run(key, func(t *testing.T) {
			c := adminCall(t, srv, op.service+":"+op.name)
			c.region = srv.regions[srv.Region()]
			in := inputs[op.auth.action]
			if in == nil {
				in = map[string]any{}
			}
			srv.mu.RLock()
			targets := op.auth.targets(srv, c, in)
			srv.mu.RUnlock()
			require.NotEmpty(t, targets)
			for _, tg := range targets {
				for k := range tg.context {
					if strings.HasPrefix(k, "aws:") {
						continue
					}
					ok := false
					for _, want := range append(known[op.auth.action], resourceKeys...) {
						want = strings.TrimSuffix(want, "${TagKey}")
						ok = ok || strings.EqualFold(k, want) || (strings.HasSuffix(want, "/") && strings.HasPrefix(strings.ToLower(k), strings.ToLower(want)))
					}
					assert.True(t, ok, "%s sets condition key %s", op.auth.action, k)
				}
			}
		})
	}
}

// TestNoPoliciesDeniesEveryOperation: a principal without policies is
// refused every operation (IAM never refuses sts:GetCallerIdentity), with
// the service's access-denied code and a Denied audit event, whatever the
// input.
func TestNoPoliciesDeniesEveryOperation(t *testing.T) {
	srv := newTestServer(t)
	_, err := srv.dispatch(context.Background(), adminCall(t, srv, "iam:CreateUser"), map[string]any{"UserName": "nobody"})
	require.NoError(t, err)
	srv.mu.RLock()
	u := srv.iam.Users["nobody"]
	srv.mu.RUnlock()
	who := identity{ARN: u.ARN, UserID: u.ID, UserName: u.Name}
	inputs := []map[string]any{
		{},
		{"UserName": "nobody", "RoleName": "r", "GroupName": "g", "Name": RestartEC2Instance, "DocumentName": RestartEC2Instance, "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
	}
	for _, name := range srv.Operations() {
		for i, in := range inputs {
			t.Run(fmt.Sprintf("%s/%d", name, i), func(t *testing.T) {
				service, api, _ := strings.Cut(name, ":")
				c := &call{s: srv, who: who, service: service, api: api, regionNm: srv.Region(), requestID: "t-" + name}
				_, err := srv.dispatch(context.Background(), c, in)
				if name == "sts:GetCallerIdentity" {
					require.NoError(t, err)
					assert.Equal(t, "Allowed", c.decision)
					return
				}
				require.Error(t, err)
				code := asAPIError(err).Code
				assert.Contains(t, []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}, code, err.Error())
				assert.Equal(t, "Denied", c.decision)
				ev := auditOf(t, srv, c.requestID)
				assert.Equal(t, "Denied", ev.Decision)
			})
		}
	}
}

// auditOf finds the audit event of a request.
func auditOf(t *testing.T, srv *Server, requestID string) AuditEvent {
	t.Helper()
	events := srv.Audit()
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].RequestID == requestID {
			return events[i]
		}
	}
	require.FailNow(t, "no audit event for "+requestID)
	return AuditEvent{}
}

// TestOperationWithoutMetadataFailsClosed: an operation registered without
// an IAM action is refused before its handler runs, even for the
// administrator, and audited as Denied.
func TestOperationWithoutMetadataFailsClosed(t *testing.T) {
	srv := newTestServer(t)
	ran := false
	srv.ops[opKey("ssm", "Forgotten")] = opDef{service: "ssm", name: "Forgotten", regional: true,
		fn: func(*Server, context.Context, *call, map[string]any) (map[string]any, error) {
			ran = true
			return nil, nil
		}}
	c := adminCall(t, srv, "ssm:Forgotten")
	_, err := srv.dispatch(context.Background(), c, map[string]any{})
	require.Error(t, err)
	assert.Equal(t, "AccessDeniedException", asAPIError(err).Code)
	assert.False(t, ran, "the handler ran")
	assert.Equal(t, "Denied", auditOf(t, srv, "test").Decision)
}

// TestUnreadableStoredPolicyDenies: a stored policy that no longer parses
// denies every call of the principals it applies to, instead of being
// skipped; so does an unreadable trust policy for sts:AssumeRole.
func TestUnreadableStoredPolicyDenies(t *testing.T) {
	tests := []struct {
		name  string
		plant func(s *Server)
		op    string
		in    map[string]any
	}{
		{"inline policy of the caller", func(s *Server) { s.iam.Users["admin"].Inline["broken"] = `{"Version":"2012-10-17","Statement":[` }, "ssm:ListDocuments", map[string]any{}},
		{"managed policy attached to the caller", func(s *Server) {
			p := s.iam.Policies["arn:aws:iam::aws:policy/AdministratorAccess"]
			p.Versions = append(p.Versions, policyVersion{ID: "v9", Document: `{"Statement":"nope"}`})
			p.DefaultVersion = "v9"
		}, "iam:GetUser", map[string]any{}},
		{"trust policy of the role assumed", func(s *Server) {
			s.iam.Roles["r"] = &iamRole{Name: "r", ARN: s.iamARN("role", "/", "r"), Trust: `not json`, MaxSession: 3600, Inline: map[string]string{}}
		}, "sts:AssumeRole", map[string]any{"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t)
			srv.mu.Lock()
			tt.plant(srv)
			srv.mu.Unlock()
			c := adminCall(t, srv, tt.op)
			_, err := srv.dispatch(context.Background(), c, tt.in)
			require.Error(t, err)
			assert.Contains(t, asAPIError(err).Message, "cannot be read")
			assert.Equal(t, "Denied", c.decision)
		})
	}
}

// TestAuthorizeUnderLock runs creates in parallel with writes to the maps
// their authorization reads (the caller's own inline policies, attached
// policies, groups and group members); run with -race.
func TestAuthorizeUnderLock(t *testing.T) {
	srv := newTestServer(t)
	ctx := context.Background()
	run := func(op string, in map[string]any) {
		_, err := srv.dispatch(ctx, adminCall(t, srv, op), in)
		assert.NoError(t, err, op)
	}
	run("iam:CreateGroup", map[string]any{"GroupName": "admins"})
	run("iam:CreatePolicy", map[string]any{"PolicyName": "extra", "PolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:ListDocuments","Resource":"*"}]}`})
	pairs := []struct {
		create func(i int) (string, map[string]any)
		write  func(i int) (string, map[string]any)
	}{
		{func(i int) (string, map[string]any) {
			return "iam:CreateUser", map[string]any{"UserName": fmt.Sprint("u", i)}
		},
			func(i int) (string, map[string]any) {
				return "iam:PutUserPolicy", map[string]any{"UserName": "admin", "PolicyName": fmt.Sprint("p", i), "PolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:ListDocuments","Resource":"*"}]}`}
			}},
		{func(i int) (string, map[string]any) {
			return "iam:CreatePolicy", map[string]any{"PolicyName": fmt.Sprint("p", i), "PolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:ListDocuments","Resource":"*"}]}`}
		}, func(i int) (string, map[string]any) {
			return "iam:PutGroupPolicy", map[string]any{"GroupName": "admins", "PolicyName": fmt.Sprint("g", i), "PolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:ListDocuments","Resource":"*"}]}`}
		}},
		{func(i int) (string, map[string]any) {
			return "iam:CreateRole", map[string]any{"RoleName": fmt.Sprint("r", i), "AssumeRolePolicyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}
		}, func(i int) (string, map[string]any) {
			if i%2 == 0 {
				return "iam:AttachUserPolicy", map[string]any{"UserName": "admin", "PolicyArn": "arn:aws:iam::123456789012:policy/extra"}
			}
			return "iam:AttachGroupPolicy", map[string]any{"GroupName": "admins", "PolicyArn": "arn:aws:iam::123456789012:policy/extra"}
		}},
		{func(i int) (string, map[string]any) {
			return "iam:CreateGroup", map[string]any{"GroupName": fmt.Sprint("g", i)}
		},
			func(int) (string, map[string]any) {
				return "iam:AddUserToGroup", map[string]any{"GroupName": "admins", "UserName": "admin"}
			}},
	}
	var wg sync.WaitGroup
	for _, p := range pairs {
		for i := range 8 {
			wg.Add(2)
			go func() { defer wg.Done(); run(p.create(i)) }()
			go func() { defer wg.Done(); run(p.write(i)) }()
		}
	}
	wg.Wait()
}
