package keys

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// The other writes: new key (n), delete (d), delete directory (D), undelete (u); and the
// routing of the edit flows' keys and results.

// newStep is where the n flow is: the key's path, its TTL, its value.
type newStep int

const (
	newNone newStep = iota
	newPath
	newTTL
	newValue
)

// Messages that carry what a question needs before it is asked.
type (
	// toDeleteMsg: the key d was pressed on, read for the mod revision the question names.
	toDeleteMsg struct {
		sid  uint64
		info cluster.KeyInfo
		err  error
	}
	// dirCountedMsg: how many keys D would delete.
	dirCountedMsg struct {
		sid    uint64
		prefix string
		n      int64
		err    error
	}
)

func (m toDeleteMsg) ResultSession() uint64   { return m.sid }
func (m dirCountedMsg) ResultSession() uint64 { return m.sid }

// updateEdit handles the edit flows' keys (while a question, prompt or the inline editor is
// open) and results; ok is false for what they do not own.
func (m *Model) updateEdit(msg tea.Msg) (tea.Cmd, bool) {
	e := &m.edit
	switch msg := msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		switch {
		case e.confirm.Active():
			return e.confirm.Update(msg), true
		case e.prompt.Active():
			return m.updatePrompt(msg), true
		case e.areaOpen:
			return m.updateArea(msg), true
		}
		return nil, false
	case common.ConfirmMsg:
		if !strings.HasPrefix(msg.ID, "keys.") {
			return nil, false
		}
		return m.answered(msg), true
	case editorFileMsg:
		return runEditor(msg), true
	case editorDoneMsg:
		return m.editorDone(msg), true
	case writtenMsg:
		return m.written(msg), true
	case toDeleteMsg:
		if msg.err != nil || !msg.info.Found {
			return common.Flash(common.FlashError, "nothing to delete: the key is gone"), true
		}
		return m.askDelete(msg.info.Key, msg.info), true
	case dirCountedMsg:
		if msg.err != nil {
			return common.Flash(common.FlashError, "counting "+cluster.EscapeKey(msg.prefix)+": "+msg.err.Error()), true
		}
		e.prefix = msg.prefix
		p := cluster.EscapeKey(msg.prefix)
		return e.confirm.AskTyped("keys.delete-dir", fmt.Sprintf("delete %s under %s (and any written meanwhile)?",
			common.Plural(int(msg.n), "key"), p), p), true
	}
	return nil, false
}

// answered acts on a yes, or says nothing was done.
func (m *Model) answered(msg common.ConfirmMsg) tea.Cmd {
	e := &m.edit
	s := m.common.Session
	if !msg.Yes {
		switch msg.ID {
		case "keys.delete-dir":
			return common.Flash(common.FlashInfo, "not deleted: type the prefix exactly, with its trailing "+cluster.EscapeKey(string(m.sep)))
		case "keys.reapply", "keys.recreate":
			return common.Flash(common.FlashInfo, "edit dropped: nothing written")
		}
		return common.Flash(common.FlashInfo, "nothing done")
	}
	if s == nil {
		return nil
	}
	switch msg.ID {
	case "keys.hex-edit":
		return m.launchEditor(true)
	case "keys.reapply":
		return m.putCAS(e.key, e.mine, e.modRev, e.lease)
	case "keys.recreate":
		return m.create(e.key, e.mine, 0)
	case "keys.delete":
		t := e.target
		return func() tea.Msg {
			rev, err := s.Client.Delete(s.Context(), t.key, t.modRev)
			return writtenMsg{sid: s.ID, what: "deleted", key: t.key, rev: rev, err: err}
		}
	case "keys.delete-dir":
		prefix := e.prefix
		return func() tea.Msg {
			n, rev, err := s.Client.DeletePrefix(s.Context(), prefix)
			return writtenMsg{sid: s.ID, what: "deleted " + common.Plural(int(n), "key") + " under", key: prefix, rev: rev, err: err}
		}
	case "keys.undelete":
		key, v := e.key, e.undo
		return func() tea.Msg {
			rev, err := s.Client.Put(s.Context(), key, v, cluster.PutOptions{CreateOnly: true})
			return writtenMsg{sid: s.ID, what: "restored", key: key, rev: rev, err: err}
		}
	}
	return nil
}

// askDeleteSelected reads the selected key for its mod revision, then asks.
func (m *Model) askDeleteSelected() tea.Cmd {
	r, _ := m.selected()
	if cmd := m.refusal("delete", m.dir+r.Name); cmd != nil {
		return cmd
	}
	s, key := m.common.Session, m.dir+r.Name
	return func() tea.Msg {
		info, err := s.Client.GetKey(s.Context(), key, 0)
		return toDeleteMsg{sid: s.ID, info: info, err: err}
	}
}

// askDelete asks before deleting key at the mod revision shown.
func (m *Model) askDelete(key string, info cluster.KeyInfo) tea.Cmd {
	if cmd := m.refusal("delete", key); cmd != nil {
		return cmd
	}
	if !info.Found || info.ModRev == 0 || m.insp.label != "" && m.pane == paneInspector && m.insp.key == key {
		return common.Flash(common.FlashWarn, "open the key's current value first (enter on it)")
	}
	m.edit.target = &deleteT{key: key, modRev: info.ModRev}
	m.edit.confirm.Ask("keys.delete", fmt.Sprintf("delete %s (mod rev %d; not if it changed since)?", cluster.EscapeKey(key), info.ModRev))
	return nil
}

// askDeleteDir counts the selected directory's keys, then asks for its prefix to be typed.
func (m *Model) askDeleteDir() tea.Cmd {
	r, ok := m.selected()
	if cmd := m.refusal("delete-prefix", m.dir+r.Name+string(m.sep)); cmd != nil {
		return cmd
	}
	if !ok || !r.Dir {
		return common.Flash(common.FlashWarn, "select a directory to delete")
	}
	s, prefix := m.common.Session, m.dir+r.Name+string(m.sep)
	return func() tea.Msg {
		n, err := s.Client.CountPrefix(s.Context(), prefix, 0)
		return dirCountedMsg{sid: s.ID, prefix: prefix, n: n, err: err}
	}
}

// askUndelete asks before putting back r's value at key, create-only.
func (m *Model) askUndelete(key string, r cluster.Revision) tea.Cmd {
	if cmd := m.writeRefusal("create", key); cmd != nil {
		return cmd
	}
	if r.Value == nil && r.Deleted {
		return common.Flash(common.FlashError, "etcd no longer holds the deleted value (compacted): nothing to put back")
	}
	m.edit.key, m.edit.undo = key, r.Value
	m.edit.confirm.Ask("keys.undelete", fmt.Sprintf("put %s back (value of rev %d; lease not restored; create-only)?",
		cluster.EscapeKey(key), r.Rev))
	return nil
}

// startNew asks for a new key's path (the open directory filled in), then its TTL and value.
func (m *Model) startNew() tea.Cmd {
	if cmd := m.refusal("create", m.dir); cmd != nil {
		return cmd
	}
	e := &m.edit
	e.step = newPath
	e.prompt = common.NewPrompt(m.common.Styles, "new key: ", "")
	e.prompt.SetWidth(m.fullW)
	return e.prompt.Open(cluster.EscapeKey(m.dir))
}

// updatePrompt feeds the n flow's prompt; enter moves to the next step.
func (m *Model) updatePrompt(msg tea.Msg) tea.Cmd {
	e := &m.edit
	if k, ok := msg.(tea.KeyPressMsg); ok && e.step == newValue && k.String() == "ctrl+e" {
		e.prompt.Close()
		e.step, e.isNew, e.hex, e.orig = newNone, true, false, nil
		return m.launchEditor(false)
	}
	res, cmd := e.prompt.Update(msg)
	switch res {
	case common.PromptCancelled:
		e.step = newNone
		return common.Flash(common.FlashInfo, "nothing created")
	case common.PromptSubmitted:
	default:
		return cmd
	}
	text := e.prompt.Value()
	switch e.step {
	case newPath:
		raw, err := cluster.UnescapeKey(text)
		if err != nil || raw == "" {
			e.step = newNone
			return common.Flash(common.FlashError, "not a key: "+text)
		}
		e.key, e.step = raw, newTTL
		e.prompt = common.NewPrompt(m.common.Styles, "ttl: ", "e.g. 30s or 10m; empty: no lease")
	case newTTL:
		ttl, err := parseTTL(text)
		if err != nil {
			e.step = newNone
			return common.Flash(common.FlashError, err.Error()+": nothing created")
		}
		e.newTTL, e.step = ttl, newValue
		e.prompt = common.NewPrompt(m.common.Styles, "value: ", "type it, or ctrl+e for $EDITOR")
	case newValue:
		e.step = newNone
		return m.create(e.key, []byte(text), e.newTTL)
	}
	e.prompt.SetWidth(m.fullW)
	return e.prompt.Open("")
}

// parseTTL reads "30s", "10m" or a bare number of seconds; "" is no lease.
func parseTTL(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("ttl %q: write a duration of a second or more, like 30s or 10m", s)
	}
	return int64((d + time.Second - 1) / time.Second), nil
}

// create puts a new key, create-only; with a TTL it first grants a lease (revoked again when
// the key could not be created, so no empty lease is left behind).
func (m *Model) create(key string, v []byte, ttl int64) tea.Cmd {
	s := m.common.Session
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		ctx := s.Context()
		var lease int64
		if ttl > 0 {
			id, err := s.Client.GrantLease(ctx, time.Duration(ttl)*time.Second)
			if err != nil {
				return writtenMsg{sid: s.ID, what: "created", key: key, err: err}
			}
			lease = id
		}
		rev, err := s.Client.Put(ctx, key, v, cluster.PutOptions{CreateOnly: true, Lease: lease})
		if err != nil && lease != 0 {
			s.Client.RevokeLease(ctx, lease)
		}
		return writtenMsg{sid: s.ID, what: "created", key: key, rev: rev, err: err}
	}
}

// editLine is the question or prompt shown on the view's last line, "" when none is open.
func (m *Model) editLine() string {
	e := &m.edit
	switch {
	case e.confirm.Active():
		return e.confirm.View()
	case e.prompt.Active():
		return e.prompt.View()
	}
	return ""
}

// showDoc shows a document that is not the key's value (a conflict's diff) in the inspector.
func (in *inspector) showDoc(key, label string, d *decode.Doc) {
	in.gen++
	in.open, in.key, in.label, in.loading, in.err, in.ttlTicks = true, key, label, false, nil, false
	in.info = cluster.KeyInfo{Key: key, Found: true, TTL: -1}
	in.doc, in.choices, in.choice, in.offset = d, []decode.Rendering{d.Rendering}, 0, 0
}
