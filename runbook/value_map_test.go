package runbook

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMapKeepsFirstPositionAndLastValue(t *testing.T) {
	// many returns n distinct members, so the map-backed path runs too.
	many := func(n int) ([]Member, string) {
		ms := make([]Member, n)
		parts := make([]string, n)
		for i := range ms {
			k := "k" + strconv.Itoa(i)
			ms[i] = Member{Key: k, Value: Int(int64(i))}
			parts[i] = `"` + k + `":` + strconv.Itoa(i)
		}
		return ms, strings.Join(parts, ",")
	}
	big, bigJSON := many(20)
	table := []struct {
		name    string
		members []Member
		want    string
	}{
		{"empty", nil, `{}`},
		{"order kept", []Member{{"b", Int(1)}, {"a", Int(2)}}, `{"b":1,"a":2}`},
		{"later value replaces in place", []Member{{"a", Int(1)}, {"b", Int(2)}, {"a", Int(3)}}, `{"a":3,"b":2}`},
		{"absent skipped", []Member{{"a", Value{}}, {"b", Int(2)}}, `{"b":2}`},
		{"absent does not replace", []Member{{"a", Int(1)}, {"a", Value{}}}, `{"a":1}`},
		{"absent first, set later", []Member{{"a", Value{}}, {"b", Int(2)}, {"a", Int(1)}}, `{"b":2,"a":1}`},
		{"escaped key", []Member{{`q"`, Bool(true)}}, `{"q\"":true}`},
		{"many", big, `{` + bigJSON + `}`},
		{"many with repeats", append(append([]Member{{"k3", Null()}}, big...), Member{"k0", String("x")}),
			`{"k3":3,` + strings.Replace(strings.Replace(bigJSON, `"k3":3,`, "", 1), `"k0":0`, `"k0":"x"`, 1) + `}`},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Map(tc.members...).String())
		})
	}
}
