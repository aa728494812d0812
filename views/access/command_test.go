package access

import (
	"testing"

	"github.com/etcdeck/etcdeck/cluster"
)

// TestParseVerbs reads :user, :role and :auth into the changes the keys make, and says what is
// wrong with a bad line.
func TestParseVerbs(t *testing.T) {
	prefix := cluster.Perm{Type: cluster.PermReadWrite, Key: "/ops/", RangeEnd: "/ops0"}
	for _, tt := range []struct {
		parse func(string) (any, error)
		arg   string
		want  change
		err   string
	}{
		{parse: wrap(ParseUser), arg: "add alice", want: change{op: opAddUser, user: "alice"}},
		{parse: wrap(ParseUser), arg: "delete alice", want: change{op: opDeleteUser, user: "alice"}},
		{parse: wrap(ParseUser), arg: "grant alice ops", want: change{op: opGrantRole, user: "alice", role: "ops"}},
		{parse: wrap(ParseUser), arg: "revoke alice ops", want: change{op: opRevokeRole, user: "alice", role: "ops"}},
		{parse: wrap(ParseUser), arg: "add alice s3cret", err: "user add takes one user's name (the password is asked after)"},
		{parse: wrap(ParseUser), arg: "grant alice", err: "user grant takes a user's name and a role's"},
		{parse: wrap(ParseUser), arg: "rename a b", err: "user rename: say add, delete, grant or revoke"},
		{parse: wrap(ParseUser), arg: "", err: "user needs add, delete, grant or revoke and a user's name"},
		{parse: wrap(ParseRole), arg: "add ops", want: change{op: opAddRole, role: "ops"}},
		{parse: wrap(ParseRole), arg: "delete ops", want: change{op: opDeleteRole, role: "ops"}},
		{parse: wrap(ParseRole), arg: "grant ops readwrite /ops/", want: change{op: opGrantPerm, role: "ops", perm: prefix}},
		{parse: wrap(ParseRole), arg: "revoke ops /ops/", want: change{op: opRevokePerm, role: "ops", perm: cluster.Perm{Type: cluster.PermRead, Key: "/ops/", RangeEnd: "/ops0"}}},
		{parse: wrap(ParseRole), arg: "grant ops admin /ops/", err: `role grant ops: permission type "admin": read, write or readwrite`},
		{parse: wrap(ParseRole), arg: "add", err: "role needs add, delete, grant or revoke and a role's name"},
		{parse: wrap(ParseAuth), arg: "enable", want: change{op: opEnableAuth}},
		{parse: wrap(ParseAuth), arg: "disable", want: change{op: opDisableAuth}},
		{parse: wrap(ParseAuth), arg: "on", err: "auth takes enable or disable"},
	} {
		msg, err := tt.parse(tt.arg)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %q", tt.arg, err, tt.err)
			}
			continue
		}
		c, ok := msg.(CommandMsg)
		if err != nil || !ok || c.c != tt.want {
			t.Errorf("%q = %+v, %v; want %+v", tt.arg, msg, err, tt.want)
		}
	}
}

func wrap[M any](f func(string) (M, error)) func(string) (any, error) {
	return func(s string) (any, error) { return f(s) }
}
