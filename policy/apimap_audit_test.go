package policy

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ssmdelegate/ssmdelegate/policy/internal/botomodel"
	"github.com/ssmdelegate/ssmdelegate/policy/internal/iamcatalog"
)

// TestAPITableAudit checks the hand-kept operation tables against the two
// embedded data sets they refer to: every IAM action they name is in the
// IAM catalog, every operation they name is an operation of the botocore
// model of a client with that IAM prefix, and every service rename leads
// to a prefix the catalog knows.
func TestAPITableAudit(t *testing.T) {
	models := botomodel.Load()
	cat := iamcatalog.Load()
	d := &deriver{catalog: cat}
	// clients lists, per IAM prefix, the boto3 clients that map to it.
	clients := map[string][]string{}
	for _, c := range models.Services() {
		if p, ok := d.iamPrefix(c); ok {
			clients[p] = append(clients[p], c)
		}
	}
	isOperation := func(prefix, api string) bool {
		for _, c := range clients[prefix] {
			if _, ok := models.Operation(c, api); ok {
				return true
			}
		}
		return false
	}
	t.Run("serviceRenames", func(t *testing.T) {
		for _, client := range slices.Sorted(maps.Keys(serviceRenames)) {
			assert.True(t, cat.HasPrefix(serviceRenames[client]), "%s -> %s: not an IAM prefix", client, serviceRenames[client])
		}
	})
	t.Run("apiRules", func(t *testing.T) {
		for _, k := range slices.Sorted(maps.Keys(apiRules)) {
			prefix, api, _ := strings.Cut(k, ":")
			assert.Equal(t, strings.ToLower(k), k, "keys are lower case")
			assert.True(t, isOperation(prefix, api), "%s: no boto3 client of %s has operation %s", k, prefix, api)
			for _, a := range apiRules[k].actions {
				_, ok := cat.Lookup(a)
				assert.True(t, ok, "%s: %s is not in the IAM catalog", k, a)
			}
			for _, pr := range apiRules[k].passRole {
				assert.NotEmpty(t, pr.service, k)
			}
		}
	})
	t.Run("extras", func(t *testing.T) {
		for _, api := range slices.Sorted(maps.Keys(rdsCopyTags)) {
			assert.True(t, isOperation("rds", api), "rds %s", api)
		}
		for _, api := range slices.Sorted(maps.Keys(s3KeyOps)) {
			assert.True(t, isOperation("s3", api), "s3 %s", api)
		}
		for _, api := range []string{"createvolume", "copyimage", "copysnapshot"} {
			assert.True(t, isOperation("ec2", api), "ec2 %s", api)
		}
		for _, a := range ebsKeyActions {
			_, ok := cat.Lookup(a)
			assert.True(t, ok, a)
		}
	})
	t.Run("script tables", func(t *testing.T) {
		check := func(table map[string][]string) {
			for _, k := range slices.Sorted(maps.Keys(table)) {
				client, _, _ := strings.Cut(k, ".")
				for _, op := range table[k] {
					got, ok := models.Operation(client, op)
					assert.True(t, ok && got == op, "%s: %s is not an operation of %s", k, op, client)
				}
			}
		}
		check(clientHelpers)
		check(resourceActions)
	})
	t.Run("resourceParams", func(t *testing.T) {
		for _, k := range slices.Sorted(maps.Keys(resourceParams)) {
			prefix, _, _ := strings.Cut(k, "/")
			assert.True(t, cat.HasPrefix(prefix), k)
		}
	})
}
