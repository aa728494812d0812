package keymap

import (
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func press(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "ctrl+q":
		return tea.KeyPressMsg{Code: 'q', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestDefaultKeyMapMatches(t *testing.T) {
	km := DefaultKeyMap()
	tests := []struct {
		key  string
		b    key.Binding
		want bool
	}{
		{"q", km.Global.Quit, true},
		{"?", km.Global.Help, true},
		{":", km.Global.Command, true},
		{"tab", km.Global.NextView, true},
		{"3", km.Global.ViewCluster, true},
		{"j", km.Keys.Down, true},
		{"l", km.Keys.Open, true},
		{"G", km.Keys.Bottom, true},
		{"g", km.Keys.Bottom, false},
		{"/", km.Keys.Filter, true},
		{"R", km.Global.RestartMember, false}, // not its key, and disabled until the member exits
	}
	for _, tt := range tests {
		if got := key.Matches(press(tt.key), tt.b); got != tt.want {
			t.Errorf("%q matches %v = %v, want %v", tt.key, tt.b.Keys(), got, tt.want)
		}
	}
}

func TestApplyOverrides(t *testing.T) {
	km := DefaultKeyMap()
	if err := km.Apply(map[string][]string{"global.quit": {"q", "ctrl+q"}, "keys.reload": {}}); err != nil {
		t.Fatal(err)
	}
	if !key.Matches(press("ctrl+q"), km.Global.Quit) {
		t.Errorf("ctrl+q does not quit after override; keys %v", km.Global.Quit.Keys())
	}
	if got := km.Global.Quit.Help().Key; got != "q/ctrl+q" {
		t.Errorf("help label = %q, want q/ctrl+q", got)
	}
	if km.Keys.Reload.Enabled() {
		t.Error("keys.reload still enabled after unbinding it")
	}
	// A fresh keymap is unaffected: no shared state between keymaps.
	if key.Matches(press("ctrl+q"), DefaultKeyMap().Global.Quit) {
		t.Error("override leaked into a new DefaultKeyMap")
	}
}

func TestApplyRejectsUnknownAndLeavesKeymapAlone(t *testing.T) {
	km := DefaultKeyMap()
	err := km.Apply(map[string][]string{"global.quit": {"x"}, "global.qiut": {"q"}})
	if err == nil || !strings.Contains(err.Error(), `unknown action "global.qiut"`) {
		t.Fatalf("err = %v, want unknown action global.qiut", err)
	}
	if !strings.Contains(err.Error(), "global.quit") {
		t.Errorf("error does not list known actions: %v", err)
	}
	if !key.Matches(press("q"), km.Global.Quit) {
		t.Error("a rejected override changed global.quit")
	}
	if err := km.Apply(map[string][]string{"global.quit": {" "}}); err == nil {
		t.Error("an empty key was accepted")
	}
}

func TestApplyKeepsDisabledBindingsDisabled(t *testing.T) {
	km := DefaultKeyMap()
	if err := km.Apply(map[string][]string{"global.restart-member": {"ctrl+t"}}); err != nil {
		t.Fatal(err)
	}
	if km.Global.RestartMember.Enabled() {
		t.Error("overriding a disabled binding enabled it")
	}
}

func TestEveryActionHasHelp(t *testing.T) {
	km := DefaultKeyMap()
	for name, b := range km.Actions() {
		if b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("%s has no help text", name)
		}
		if len(b.Keys()) == 0 {
			t.Errorf("%s has no keys", name)
		}
	}
}

func TestDefaultKeyMapHasNoConflicts(t *testing.T) {
	if c := DefaultKeyMap().Conflicts(); len(c) > 0 {
		t.Errorf("default conflicts: %v", c)
	}
}

func TestApplyRejectsConflicts(t *testing.T) {
	km := DefaultKeyMap()
	err := km.Apply(map[string][]string{"global.quit": {"j"}})
	if err == nil || !strings.Contains(err.Error(), `"j" is bound to both global.quit and keys.down`) {
		t.Fatalf("err = %v, want a conflict between global.quit and keys.down", err)
	}
	if !key.Matches(press("q"), km.Global.Quit) {
		t.Error("a rejected override changed the keymap")
	}
	// The same key in two different views is fine: only one view is active.
	if err := km.Apply(map[string][]string{"watch.clear": {"Z"}, "keys.reload": {"Z"}}); err != nil {
		t.Errorf("same key in two views rejected: %v", err)
	}
	// Moving a key away and reusing it in one go is fine.
	if err := km.Apply(map[string][]string{"watch.clear": {"C"}, "watch.pause": {"c"}}); err != nil {
		t.Errorf("swap rejected: %v", err)
	}
}

// TestEveryFieldDeclaredOnce: every key.Binding field of every view's struct has exactly one
// line in the bindings table, so no binding is left without defaults, name or help.
func TestEveryFieldDeclaredOnce(t *testing.T) {
	km := DefaultKeyMap()
	byPtr := map[*key.Binding]string{}
	for name, b := range km.Actions() {
		if prev, ok := byPtr[b]; ok {
			t.Errorf("%s and %s declare the same field", prev, name)
		}
		byPtr[b] = name
	}
	v := reflect.ValueOf(km).Elem()
	for i := 0; i < v.NumField(); i++ {
		group := v.Field(i)
		for j := 0; j < group.NumField(); j++ {
			b := group.Field(j).Addr().Interface().(*key.Binding)
			if _, ok := byPtr[b]; !ok {
				t.Errorf("%s.%s has no line in the bindings table", v.Type().Field(i).Name, group.Type().Field(j).Name)
			}
		}
	}
	if len(km.Actions()) != len(bindings) {
		t.Errorf("%d actions for %d table lines: a name is declared twice", len(km.Actions()), len(bindings))
	}
}

func TestHelpBuiltFromTable(t *testing.T) {
	km := DefaultKeyMap()
	short := km.Keys.ShortHelp()
	var got []string
	for _, b := range short {
		got = append(got, b.Help().Desc)
	}
	if want := "open parent filter watch history edit value cycle rendering"; strings.Join(got, " ") != want {
		t.Errorf("Keys short help = %q, want %q", strings.Join(got, " "), want)
	}
	full := km.Global.FullHelp()
	if len(full) != 2 || len(full[0]) != 9 || len(full[1]) != 7 { // tab, shift+tab and views 1-7

		t.Errorf("global full help columns = %v", full)
	}
	got = nil
	for _, b := range km.Cluster.ShortHelp() {
		got = append(got, b.Help().Desc)
	}
	// The scroll bindings start disabled (help leaves them out until the details overflow).
	if want := "member details poll now scroll details scroll details back defragment compact alarms"; strings.Join(got, " ") != want {
		t.Errorf("Cluster short help = %q, want %q", strings.Join(got, " "), want)
	}
	got = nil
	for _, b := range km.Snapshots.ShortHelp() {
		got = append(got, b.Help().Key+" "+b.Help().Desc)
	}
	if want := "enter full status, d delete file, o open read-only, R restore into member, P restore plan"; strings.Join(got, ", ") != want {
		t.Errorf("Snapshots short help = %q, want %q", strings.Join(got, ", "), want)
	}
}

func TestActionFor(t *testing.T) {
	km := DefaultKeyMap()
	if err := km.Apply(map[string][]string{"keys.open": {"o"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		scope string
		b     key.Binding
		want  string
	}{
		{"keys", km.Keys.Open, "keys.open"},
		{"keys", km.Keys.Up, "keys.up"},
		{"watch", km.Watch.Up, "watch.up"}, // same keys and help as keys.up: the scope decides
		{"watch", km.Global.Quit, "global.quit"},
		{"keys", km.Watch.Pause, ""},
		{"keys", key.NewBinding(), ""},
	}
	for _, tt := range tests {
		if got := km.ActionFor(tt.scope, tt.b); got != tt.want {
			t.Errorf("ActionFor(%s, %v) = %q, want %q", tt.scope, tt.b.Keys(), got, tt.want)
		}
	}
}
