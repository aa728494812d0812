package tui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
	findview "github.com/etcdeck/etcdeck/views/find"
	"github.com/etcdeck/etcdeck/views/keys"
	"github.com/etcdeck/etcdeck/views/leases"
	"github.com/etcdeck/etcdeck/views/usage"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line    string
		want    tea.Msg
		wantErr string
	}{
		{line: "/registry/services", want: common.GotoMsg{Path: "/registry/services"}},
		{line: "  /a/b/  ", want: common.GotoMsg{Path: "/a/b/"}},
		{line: "goto /registry/pods/", want: common.GotoMsg{Path: "/registry/pods/"}},
		{line: "goto   spaced key", want: common.GotoMsg{Path: "spaced key"}},
		{line: "g foo", want: common.GotoMsg{Path: "foo"}},
		{line: "watch /registry/", want: common.WatchMsg{Prefix: "/registry/"}},
		{line: "w /", want: common.WatchMsg{Prefix: "/"}},
		{line: `watch /bin/\x01\xff`, want: common.WatchMsg{Prefix: "/bin/\x01\xff"}}, // escaped as shown
		{line: "rev 1234", want: keys.TimeTravelMsg{Rev: 1234}},
		{line: "rev", want: keys.TimeTravelMsg{}},
		{line: "rev  ", want: keys.TimeTravelMsg{}},
		{line: "rev 0", wantErr: "give a revision number"},
		{line: "rev -3", wantErr: "give a revision number"},
		{line: "rev latest", wantErr: "give a revision number"},
		{line: "help", want: openHelpMsg{}},
		{line: "messages", want: openMessagesMsg{}},
		{line: "quit", want: quitRequestMsg{}},
		{line: "q", want: quitRequestMsg{}},
		{line: "goto", wantErr: "goto needs a key or directory"},
		{line: "watch  ", want: common.WatchMsg{}}, // every key
		{line: "watch /a/ --rev 12", want: common.WatchMsg{Prefix: "/a/", Rev: 12}},
		{line: "watch --rev=3 /a/", want: common.WatchMsg{Prefix: "/a/", Rev: 3}},
		{line: "w --rev 7", want: common.WatchMsg{Rev: 7}},
		{line: "watch /a/ --rev", wantErr: "--rev needs a revision"},
		{line: "watch /a/ --rev 0", wantErr: "whole number from 1"},
		{line: "watch /a/ --rev x", wantErr: "whole number from 1"},
		{line: "watch /a/ /b/", wantErr: "one prefix"},
		{line: "snapshot now", wantErr: `unknown command "snapshot"`},
		{line: "lease revoke 694d7a1e2f3b0c11", want: leases.CommandMsg{Revoke: 0x694d7a1e2f3b0c11}},
		{line: "lease revoke 0x1F", want: leases.CommandMsg{Revoke: 0x1f}},
		{line: "lease grant 60", want: leases.CommandMsg{Grant: time.Minute}},
		{line: "lease grant 10m", want: leases.CommandMsg{Grant: 10 * time.Minute}},
		{line: "lease revoke", wantErr: "revoke and a lease ID, or grant and a TTL"},
		{line: "lease revoke zz", wantErr: "not a lease ID"},
		{line: "lease grant 0", wantErr: "a TTL is from 1 to"},
		{line: "lease grant 500ms", wantErr: "from 1s"},
		{line: "find nginx", want: findview.StartMsg{Text: "nginx"}},
		{line: "f image: nginx --values in /registry/pods/", want: findview.StartMsg{Text: "image: nginx", Values: true, Prefix: "/registry/pods/", InDir: true}},
		{line: `find web-\d+$ --regex --decoded in /a\x20b/`, want: findview.StartMsg{Text: `web-\d+$`, Regex: true, Decoded: true, Values: true, Prefix: "/a b/", InDir: true}},
		{line: "find", wantErr: "find needs something to look for"},
		{line: "find --values in /a/", wantErr: "find needs something to look for"},
		{line: "find x in", wantErr: "needs a prefix"},
		{line: "find x in /a/ in /b/", wantErr: "one prefix"},
		{line: "find x --value", wantErr: "unknown option --value"},
		{line: "find ( --regex", wantErr: "not a regular expression"},
		{line: "lease extend 5", wantErr: "revoke or grant (usage: lease revoke <ID>|grant <TTL>)"},
		{line: "usage", want: usage.OpenMsg{}},
		{line: "usage /registry/", want: usage.OpenMsg{Prefix: "/registry/"}},
		{line: `usage /a\x20b/\xff`, want: usage.OpenMsg{Prefix: "/a b/\xff"}}, // escaped as shown
		{line: "usage /a/ /b/", wantErr: "one prefix"},
	}
	for _, tt := range tests {
		got, err := parseCommand(tt.line)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q = %#v, %v; want %#v", tt.line, got, err, tt.want)
		}
	}
}

// FuzzParseCommand: no input panics, and a line is either a message or an error.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"goto /a", "/x", "watch", "", " ", "help me", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		msg, err := parseCommand(line)
		if strings.TrimSpace(line) != "" && (msg == nil) == (err == nil) {
			t.Fatalf("%q: msg %#v err %v: want exactly one", line, msg, err)
		}
	})
}

func TestCommandHistoryCompletes(t *testing.T) {
	st := common.NewStyles(true)
	c := newCmdline(st, nil, cluster.DefaultSep)
	for _, line := range []string{"goto /registry/pods/", "goto /registry/services/"} {
		c.open()
		for _, r := range line {
			c.update(viewtest.Key(string(r)))
		}
		if cmd := c.update(viewtest.Key("enter")); cmd == nil {
			t.Fatalf("%q gave no command", line)
		}
	}
	c.open()
	for _, r := range "goto /registry/p" {
		c.update(viewtest.Key(string(r)))
	}
	c.update(viewtest.Key("tab"))
	if got := c.prompt.Value(); got != "goto /registry/pods/" {
		t.Errorf("completion = %q, want goto /registry/pods/", got)
	}
}

func TestNewRejectsUnknownKeyOverride(t *testing.T) {
	cfg := testConfig()
	cfg.settings.Keys = map[string][]string{"global.quitt": {"x"}}
	if _, err := New(cfg.settings, nil, nil); err == nil || !strings.Contains(err.Error(), "global.quitt") {
		t.Fatalf("New = %v, want an error naming global.quitt", err)
	}
}

// TestKeyOverrideApplies: an overridden quit key quits and the old one is text for the view.
func TestKeyOverrideApplies(t *testing.T) {
	cfg := testConfig()
	cfg.settings.Keys = map[string][]string{"global.quit": {"Q"}, "global.view-watch": {"W", "2"}}
	m := newTestModel(t, cfg)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if _, cmd := m.Update(viewtest.Key("q")); cmd != nil {
		if _, isQuit := cmd().(tea.QuitMsg); isQuit {
			t.Fatal("q still quits after rebinding quit to Q")
		}
	}
	m.Update(viewtest.Key("W"))
	if m.active != viewWatch {
		t.Errorf("W did not switch to Watch")
	}
	_, cmd := m.Update(viewtest.Key("Q"))
	if cmd == nil {
		t.Fatal("x gave no command")
	}
	if _, isQuit := cmd().(tea.QuitMsg); !isQuit {
		t.Error("x does not quit")
	}
}
