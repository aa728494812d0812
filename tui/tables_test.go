package tui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// TestViewTable walks viewTable: each view is built, its default key is the number its tab
// shows (rising in tab order, a view not landed yet leaving its number free) and shows it, its
// help is titled with it and lists bindings of its scope, and it has golden screens at both sizes.
func TestViewTable(t *testing.T) {
	m := newRealModel(t, testConfig())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for i, v := range viewTable {
		if v.name == "" || v.scope == "" || v.key == nil || v.make == nil {
			t.Fatalf("view %d is missing a name, scope, key or constructor: %+v", i, v)
		}
		b := *v.key(&m.keys.Global)
		num := strconv.Itoa(v.num)
		for j, o := range viewTable[:i] {
			if o.num == v.num || o.num >= v.num {
				t.Errorf("%s: number %d after view %d %s's %d: numbers rise in tab order, once each", v.name, v.num, j, o.name, o.num)
			}
		}
		if !slices.Equal(b.Keys(), []string{num}) || !b.Enabled() {
			t.Errorf("%s: key %v (enabled %v), want %s as its tab shows", v.name, b.Keys(), b.Enabled(), num)
		}
		m.Update(viewtest.Key(num))
		if m.active != i || m.ActiveName() != v.name {
			t.Errorf("%s: key %s shows view %d %s", v.name, num, m.active, m.ActiveName())
		}
		if tabs := m.tabsView(); !strings.Contains(tabs, "["+num+" "+v.name+"]") {
			t.Errorf("%s: the tabs do not show it active: %q", v.name, tabs)
		}
		m.Update(viewtest.Key("?"))
		help := m.render()
		if !strings.Contains(help, "Help · "+v.name+" view") {
			t.Errorf("%s: help not titled with it:\n%s", v.name, help)
		}
		m.Update(viewtest.Key("?"))
		// Its scope's actions are in the keymap (the help lists those that apply now).
		n := len(slices.DeleteFunc(m.keys.ActionNames(), func(a string) bool { return !strings.HasPrefix(a, v.scope+".") }))
		for _, col := range m.views[i].FullHelp() {
			for _, hb := range col { // disabled ones too: a view without data disables some
				if a := m.keys.ActionFor(v.scope, hb); !strings.HasPrefix(a, v.scope+".") && !strings.HasPrefix(a, "global.") {
					t.Errorf("%s: binding %v is no action of scope %q (got %q)", v.name, hb.Keys(), v.scope, a)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no actions of scope %q in the keymap", v.name, v.scope)
		}
		for _, size := range []string{"80x24", "120x40"} {
			p := filepath.Join("testdata", "TestGoldenScreens", v.scope+"_"+size+".golden")
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s: no golden screen: %v", v.name, err)
			}
		}
	}
}

// TestVerbTable walks verbTable: names and aliases are unique, each verb's usage is in the
// placeholder, the help and the unknown-verb error, tab completes it (and its fixed words), a
// path verb's argument completes as a path, an alias does what the name does, and a bad
// argument's error ends with the usage.
func TestVerbTable(t *testing.T) {
	m := newRealModel(t, testConfig())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(viewtest.Key("?"))
	help := m.render()
	unknown := unknownVerbError("frobnicate").Error()
	seen := map[string]bool{}
	for _, v := range verbTable {
		for _, w := range append([]string{v.name}, v.aliases...) {
			if w == "" || strings.ContainsAny(w, " /") || seen[w] {
				t.Errorf("verb %q: name or alias %q empty, duplicated or unparsable", v.name, w)
			}
			seen[w] = true
		}
		if v.run == nil {
			t.Fatalf("verb %q has no run", v.name)
		}
		u := v.usage()
		if !strings.HasPrefix(u, v.name) {
			t.Errorf("verb %q: usage %q", v.name, u)
		}
		if !strings.Contains(cmdPlaceholder(), u) || !strings.Contains(help, ":"+u) || !strings.Contains(unknown, u) {
			t.Errorf("verb %q: usage %q missing from the placeholder, the help or %q", v.name, u, unknown)
		}

		c := newCmdline(m.common.Styles, nil, cluster.DefaultSep)
		typeLine(&c, v.name[:len(v.name)-1])
		c.update(viewtest.Key("tab"))
		if got, want := c.prompt.Value(), v.suggestions()[0]; got != want {
			t.Errorf("verb %q: %q+tab = %q, want %q", v.name, v.name[:len(v.name)-1], got, want)
		}
		for _, w := range v.complete.words {
			c := newCmdline(m.common.Styles, nil, cluster.DefaultSep)
			typeLine(&c, v.name+" "+w[:1])
			c.update(viewtest.Key("tab"))
			if got := c.prompt.Value(); got != v.name+" "+w {
				t.Errorf("verb %q: word %q completes to %q", v.name, w, got)
			}
		}
		for _, w := range append([]string{v.name}, v.aliases...) {
			head, path, ok := pathArg(w + " /a/b")
			if ok != v.complete.path || (ok && (head != w+" " || path != "/a/b")) {
				t.Errorf("verb %q: pathArg(%q) = %q, %q, %v; path completion %v", v.name, w+" /a/b", head, path, ok, v.complete.path)
			}
			arg := ""
			if v.complete.path {
				arg = " /a/"
			}
			want, wantErr := parseCommand(v.name + arg)
			got, err := parseCommand(w + arg)
			if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) {
				t.Errorf("alias %q of %q: %#v, %v; want %#v, %v", w, v.name, got, err, want, wantErr)
			}
		}
	}
	for _, line := range []string{"rev latest", "goto", "watch /a/ --rev 0"} {
		v := findVerb(strings.Fields(line)[0])
		if _, err := parseCommand(line); err == nil || !strings.HasSuffix(err.Error(), "(usage: "+v.usage()+")") {
			t.Errorf("%q: error %v does not end with the usage", line, err)
		}
	}
}

func typeLine(c *cmdline, line string) {
	c.open()
	for _, r := range line {
		c.update(viewtest.Key(string(r)))
	}
}

// TestSessionStackRoundTrip: a snapshot session opened on top gets a frame of its own, and
// closing it brings back the underlying frame whole: its Common, member, views, active view,
// status header, command line history and member panel (a restart runs on the root's one
// Task, whichever session is shown).
func TestSessionStackRoundTrip(t *testing.T) {
	cfg := testConfig()
	cfg.member = &testMember{exited: make(chan struct{})}
	m := newTestModel(t, cfg)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(viewtest.Key("3"))
	typeLine(&m.cmd, "rev 12")
	m.cmd.update(viewtest.Key("enter"))
	m.memberDown = []string{"exit status 1"}
	under := m.leave()
	views := m.views

	// A snapshot's client is read-only (the session asks it); nothing listens at port 1, and
	// the frame needs no answer.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client, err := cluster.Connect(ctx, cluster.ConnConfig{Endpoints: []string{"127.0.0.1:1"}, InsecureTransport: true},
		nil, cluster.WithSnapshot("b.db"), cluster.WithOffline())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	snap := cluster.NewSession(context.Background(), client, "snapshot b.db · read-only", nil)
	released := 0
	m.Update(common.OpenSessionMsg{Session: snap, Close: func() error { released++; return nil }})
	if m.common.Session != snap || m.member != nil || m.active != viewKeys || m.views == views ||
		m.status.header != (header{label: snap.Label, readOnly: true}) || len(m.cmd.history) != 0 ||
		m.memberDown != nil || len(m.stack) != 1 {
		t.Fatalf("the snapshot's frame carries the cluster's state: %+v, header %+v", m.sessionFrame, m.status.header)
	}
	if s := asciiScreen(t, m); !contains(s, "READ-ONLY") || !contains(s, "snapshot b.db") {
		t.Fatalf("the snapshot is not shown:\n%s", s)
	}

	_, cmd := m.Update(common.CloseSessionMsg{})
	if closed, ok := find[common.SessionClosedMsg](t, cmd); !ok || closed.Label != snap.Label || released != 1 {
		t.Fatalf("closing: %+v %v, released %d", closed, ok, released)
	}
	if snap.Context().Err() == nil {
		t.Error("the snapshot's session did not end")
	}
	back := m.leave()
	if len(m.stack) != 0 || back.common != under.common || back.member != under.member || back.views != views ||
		back.active != viewCluster || back.header != under.header || m.status.header != under.header ||
		!slices.Equal(back.cmd.history, []string{"rev 12"}) || !slices.Equal(back.memberDown, under.memberDown) ||
		back.close != nil || !m.memberPanel {
		t.Fatalf("the cluster's frame is not back whole:\n got %+v\nwant %+v", back, under)
	}
}
