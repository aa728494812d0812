// Package keymap holds every key binding of the console: one KeyMap per view plus the global
// one, built by DefaultKeyMap and adjusted by the config file's overrides. Each binding is
// declared once, in the table in bindings.go; the defaults, the action names the config file
// uses and the help are all built from it, so a binding disabled here disappears from help too.
package keymap

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is the whole set of bindings: the global ones and one group per view.
type KeyMap struct {
	Global    Global
	Keys      Keys
	Watch     Watch
	Cluster   Cluster
	Snapshots Snapshots
	Leases    Leases
	Find      Find
	Access    Access
}

// DefaultKeyMap returns a fresh KeyMap with the default bindings; callers own it and may change
// it without affecting anyone else.
func DefaultKeyMap() *KeyMap {
	k := &KeyMap{}
	for _, d := range bindings {
		opts := []key.BindingOpt{key.WithKeys(d.keys...), key.WithHelp(d.help, d.desc)}
		if d.opt&disabled != 0 {
			opts = append(opts, key.WithDisabled())
		}
		*d.field(k) = key.NewBinding(opts...)
	}
	return k
}

// Actions maps every action name used in the config file ("global.quit", "keys.open", …) to its
// binding in k. The map is built on each call; it holds pointers into k.
func (k *KeyMap) Actions() map[string]*key.Binding {
	acts := make(map[string]*key.Binding, len(bindings))
	for _, d := range bindings {
		acts[d.name] = d.field(k)
	}
	return acts
}

// ActionNames lists the action names in sorted order, for error messages and documentation.
func (k *KeyMap) ActionNames() []string {
	names := make([]string, 0, len(bindings))
	for _, d := range bindings {
		names = append(names, d.name)
	}
	sort.Strings(names)
	return names
}

// ActionFor names the action ("keys.open") of b, a binding of the view scope ("keys", "watch",
// …) or a global one, as the help shows it; "" when b is none of them. Within a scope and the
// global bindings no key is bound twice (Conflicts), so the keys identify the action.
func (k *KeyMap) ActionFor(scope string, b key.Binding) string {
	if len(b.Keys()) == 0 {
		return ""
	}
	for _, d := range bindings {
		if s := d.scope(); s != scope && s != "global" {
			continue
		}
		if f := d.field(k); slices.Equal(f.Keys(), b.Keys()) && f.Help() == b.Help() {
			return d.name
		}
	}
	return ""
}

// Apply replaces the keys of the named actions (config file `keys:` section). Every name is
// checked before anything changes, so a typo leaves the keymap as it was. An empty key list
// unbinds the action.
func (k *KeyMap) Apply(overrides map[string][]string) error {
	acts := k.Actions()
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := acts[n]; !ok {
			return fmt.Errorf("keys: unknown action %q; known actions are %s", n, strings.Join(k.ActionNames(), ", "))
		}
		for _, kk := range overrides[n] {
			if strings.TrimSpace(kk) == "" || strings.TrimSpace(kk) != kk {
				return fmt.Errorf("keys: action %q has an empty or space-padded key %q; write keys like \"q\", \"ctrl+q\", \"space\"", n, kk)
			}
		}
	}
	// Apply to a copy and check it: a key bound twice where both apply would silently shadow one.
	next := *k
	acts = next.Actions()
	for _, n := range names {
		b := acts[n]
		keys := overrides[n]
		if len(keys) == 0 {
			b.Unbind()
			continue
		}
		enabled := b.Enabled() || len(b.Keys()) == 0
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
		b.SetEnabled(enabled)
	}
	if c := next.Conflicts(); len(c) > 0 {
		return fmt.Errorf("keys: %s", strings.Join(c, "; "))
	}
	*k = next
	return nil
}

// Conflicts lists keys bound to two actions that can apply at the same time: two global ones,
// two of one view, or a global one and a view's (the global one would win). Empty when none.
func (k *KeyMap) Conflicts() []string {
	acts := k.Actions()
	byKey := map[string][]string{} // key -> action names
	for _, n := range k.ActionNames() {
		for _, kk := range acts[n].Keys() {
			byKey[kk] = append(byKey[kk], n)
		}
	}
	scope := func(action string) string { s, _, _ := strings.Cut(action, "."); return s }
	var out []string
	keys := make([]string, 0, len(byKey))
	for kk := range byKey {
		keys = append(keys, kk)
	}
	sort.Strings(keys)
	for _, kk := range keys {
		names := byKey[kk]
		for i := 0; i < len(names); i++ {
			for j := i + 1; j < len(names); j++ {
				a, b := scope(names[i]), scope(names[j])
				if a == b || a == "global" || b == "global" {
					out = append(out, fmt.Sprintf("%q is bound to both %s and %s", kk, names[i], names[j]))
				}
			}
		}
	}
	return out
}
