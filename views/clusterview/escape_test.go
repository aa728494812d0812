package clusterview

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/etcdeck/etcdeck/cluster/member"
	"github.com/etcdeck/etcdeck/cluster/monitor"
	"github.com/etcdeck/etcdeck/keymap"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestMemberStatusTextEscaped: what a member reports about itself (its version, its errors, its
// alarms) and a failed poll's error show by the one escaping rule in the details and the status
// line: ESC as \x1b (never obeyed nor swallowed), bidi and zero-width characters as \u{…}.
func TestMemberStatusTextEscaped(t *testing.T) {
	m := New(common.Common{Styles: common.NewStyles(false), Keys: keymap.DefaultKeyMap()})
	m.SetSize(160, 40)
	mm := member.Info{ID: 0xabc, Name: "m0", ClientURLs: []string{"http://a:2379"}}
	h := monitor.MemberHealth{Member: mm, Endpoint: "http://a:2379", Time: t0, State: monitor.StateUnhealthy,
		MemberIDs: []uint64{mm.ID}, Alarms: []string{"NOSPACE\u2067"},
		Status: &monitor.MemberStatus{Version: "3.7\u2069", StorageVersion: "3.6\x1b[2J", Leader: mm.ID, RaftTerm: 2,
			Errors: []string{"bad\u202adisk"}}}
	m.applyPoll(monitor.Poll{Time: t0, Members: []monitor.MemberHealth{h}}, nil, 0, time.Second)
	viewtest.New(t, m).Press("enter")
	details := m.View()
	m.Update(viewtest.Key("esc"))
	m.applyPoll(monitor.Poll{Time: t0}, errors.New("dial\x1b[31m \u200bfailed"), 3, time.Second)
	status := m.View()
	for where, c := range map[string]struct {
		s    string
		want []string
	}{
		"details":     {details, []string{`etcd 3.7\u{2069}`, `storage 3.6\x1b[2J`, `bad\u{202a}disk`, `NOSPACE\u{2067}`}},
		"status line": {status, []string{`dial\x1b[31m \u{200b}failed`}},
	} {
		for _, r := range c.s {
			if r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Cf, r) {
				t.Errorf("the %s hold %U raw:\n%s", where, r, c.s)
			}
		}
		for _, w := range c.want {
			if !strings.Contains(c.s, w) {
				t.Errorf("the %s lack %q:\n%s", where, w, c.s)
			}
		}
	}
}
