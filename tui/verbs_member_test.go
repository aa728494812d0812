package tui

import (
	"strings"
	"testing"

	"github.com/etcdeck/etcdeck/views/clusterview"
)

// TestMemberAndHashKVVerbs parses :member and :hashkv into the Cluster view's actions, and
// says what is wrong with a bad line, ending with the usage.
func TestMemberAndHashKVVerbs(t *testing.T) {
	for _, tc := range []struct {
		line string
		want clusterview.ActionMsg
	}{
		{"hashkv", clusterview.ActionMsg{Kind: clusterview.Consistency}},
		{"member add m4 http://10.0.0.4:2380", clusterview.ActionMsg{Kind: clusterview.MemberAdd, Member: "m4", PeerURL: "http://10.0.0.4:2380"}},
		{"member add m4 http://10.0.0.4:2380 http://10.0.0.4:2379", clusterview.ActionMsg{Kind: clusterview.MemberAdd, Member: "m4",
			PeerURL: "http://10.0.0.4:2380", ClientURL: "http://10.0.0.4:2379"}},
		{"member promote m4", clusterview.ActionMsg{Kind: clusterview.MemberPromote, Member: "m4"}},
		{"member remove 8e9e05c52164694d", clusterview.ActionMsg{Kind: clusterview.MemberRemove, Member: "8e9e05c52164694d"}},
	} {
		msg, err := parseCommand(tc.line)
		if err != nil || msg != tc.want {
			t.Errorf("%q = %#v, %v; want %#v", tc.line, msg, err, tc.want)
		}
	}
	for _, line := range []string{"member", "member add m4", "member promote", "member remove a b", "member drop m1"} {
		_, err := parseCommand(line)
		if err == nil || !strings.Contains(err.Error(), "(usage: member add <name> <peer-url>") {
			t.Errorf("%q: %v, want an error with the usage", line, err)
		}
	}
}
