package keys

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// The other writes: new key (n), delete (d), delete directory (D), undelete (u); and the
// routing of the edit flows' keys and results.

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

// toDelete asks about the key d was pressed on, now that its mod revision is known.
func (m *Model) toDelete(msg toDeleteMsg) tea.Cmd {
	if msg.err != nil || !msg.info.Found {
		return common.Flash(common.FlashError, "nothing to delete: the key is gone")
	}
	return m.askDelete(msg.info.Key, msg.info)
}

// dirCounted asks for the prefix D would delete to be typed, now that its keys are counted.
func (m *Model) dirCounted(msg dirCountedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Flash(common.FlashError, "counting "+cluster.EscapeKey(msg.prefix)+": "+msg.err.Error())
	}
	m.ask.prefix = msg.prefix
	p := cluster.EscapeKey(msg.prefix)
	return m.ask.askTyped("keys.delete-dir", fmt.Sprintf("delete %s under %s (and any written meanwhile)?",
		common.Plural(int(msg.n), "key"), p), p)
}

// answered acts on a yes, or says nothing was done.
func (m *Model) answered(msg common.ConfirmMsg) tea.Cmd {
	e, p := &m.edit, &m.ask
	s := m.common.Session
	if !msg.Yes {
		if msg.Cancelled && msg.ID == "keys.delete-dir" {
			return common.Flash(common.FlashInfo, "cancelled: nothing deleted")
		}
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
		t := p.target
		return func() tea.Msg {
			rev, err := s.Client.Delete(s.Context(), t.key, t.modRev)
			return writtenMsg{sid: s.ID, what: "deleted", key: t.key, rev: rev, err: err}
		}
	case "keys.delete-dir":
		prefix := p.prefix
		return func() tea.Msg {
			n, rev, err := s.Client.DeletePrefix(s.Context(), prefix)
			return writtenMsg{sid: s.ID, what: "deleted " + common.Plural(int(n), "key") + " under", key: prefix, rev: rev, err: err}
		}
	case "keys.undelete":
		key, v, hadLease := p.undoKey, p.undo, p.undoLease
		return func() tea.Msg {
			rev, err := s.Client.Put(s.Context(), key, v, cluster.PutOptions{CreateOnly: true})
			return writtenMsg{sid: s.ID, what: "restored", key: key, rev: rev, err: err, hadLease: hadLease}
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
	m.ask.target = &deleteT{key: key, modRev: info.ModRev}
	m.ask.ask("keys.delete", fmt.Sprintf("delete %s (mod rev %d; not if it changed since)?", cluster.EscapeKey(key), info.ModRev))
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
	m.ask.undoKey, m.ask.undo, m.ask.undoLease = key, r.Value, r.Lease != 0
	lease := ""
	if r.Lease != 0 { // said only of a key that had one: "not restored" of nothing misleads
		lease = fmt.Sprintf("its lease %x not restored; ", r.Lease)
	}
	m.ask.ask("keys.undelete", fmt.Sprintf("put %s back (value of rev %d; %screate-only)?",
		cluster.EscapeKey(key), r.Rev, lease))
	return nil
}

// startNew asks for a new key's path (the open directory filled in), then its TTL and value.
func (m *Model) startNew() tea.Cmd {
	if cmd := m.refusal("create", m.dir); cmd != nil {
		return cmd
	}
	return m.ask.startNew(m.dir)
}

// newKey acts on the end of the n flow: creates the key, or opens $EDITOR for its value.
func (m *Model) newKey(d newKeyDone) tea.Cmd {
	if !d.toEditor {
		return m.create(d.key, d.value, d.ttl)
	}
	e := &m.edit
	e.key, e.newTTL, e.isNew, e.hex, e.orig = d.key, d.ttl, true, false, nil
	return m.launchEditor(false)
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

// showDoc shows a document that is not the key's value (a conflict's diff) in the inspector.
func (in *inspector) showDoc(key, label string, d *decode.Doc) {
	in.gen++
	in.open, in.key, in.label, in.loading, in.err, in.ttlTicks, in.note = true, key, label, false, nil, false, ""
	in.info = cluster.KeyInfo{Key: key, Found: true, TTL: -1}
	in.doc, in.choices, in.choice, in.offset = d, []decode.Rendering{d.Rendering}, 0, 0
}
