package keys

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/decode"
	"github.com/etcdeck/etcdeck/views/common"
)

// Edits go through cluster's write API only: it refuses them in read-only mode (ErrReadOnly,
// whose words the view shows) and records each in the audit log. Edits are compare-and-swap on
// the mod revision the user was shown; a conflict writes nothing and shows what changed.

// editor is the value being edited and the inline editor (no $EDITOR), the pane that replaces
// the inspector while it is open and then has the focus: ctrl+s saves, esc drops the edit.
type editor struct {
	c    common.Common
	area textarea.Model
	// areaOpen: the inline editor (no $EDITOR) replaces the inspector.
	areaOpen bool

	// The value being edited: the key, the mod revision and lease it was read with, the bytes
	// shown, and whether the editor holds hex.
	key    string
	modRev int64
	lease  int64
	orig   []byte
	hex    bool
	mine   []byte // the edited value, kept for a re-apply after a conflict
	isNew  bool   // the editor holds a new key's value (n), not an edit
	// whenShown: e was pressed on the list; the edit starts once the inspector has the value.
	whenShown bool
	newTTL    int64 // seconds, for n
}

func newEditor(c common.Common) editor {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	return editor{c: c, area: ta}
}

// Update feeds a key or a paste to the inline editor; saved is true when ctrl+s ended the edit
// (the parent writes e.area's value).
func (e *editor) Update(msg tea.Msg) (cmd tea.Cmd, saved bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "ctrl+s":
			e.areaOpen = false
			e.area.Blur()
			return nil, true
		case "esc":
			e.areaOpen = false
			e.area.Blur()
			return common.Flash(common.FlashInfo, "edit dropped: nothing written"), false
		}
	}
	e.area, cmd = e.area.Update(msg)
	return cmd, false
}

// View is the inline editor in a w×h box (the inspector's place).
func (e *editor) View(w, h int) string {
	st := e.c.Styles
	what := "editing"
	if e.hex {
		what = "editing as hex"
	}
	title := st.TitleLine(w, "Edit", cluster.EscapeKey(e.key), st.Muted.Render(what+" · ctrl+s saves · esc drops ($EDITOR unset)"))
	return common.Fit(title+"\n"+e.area.View(), w, h)
}

// Messages of the edit flows.
type (
	// editorFileMsg: the value was written to path for $EDITOR (or err says why not).
	editorFileMsg struct {
		sid  uint64
		path string
		err  error
	}
	// editorDoneMsg: $EDITOR exited (err when it failed); text is what it left in the file, or
	// readErr why that could not be read.
	editorDoneMsg struct {
		sid     uint64
		text    string
		err     error
		readErr error
	}
	// writtenMsg: a write finished (what says which, for the status bar). A compare-and-swap
	// conflict carries the diff of the value shown against the value now, made off the UI loop.
	writtenMsg struct {
		sid  uint64
		what string
		key  string
		rev  int64
		err  error
		diff *decode.Doc
		// hadLease: an undelete put back a version that had a lease (not restored).
		hadLease bool
	}
)

func (m editorFileMsg) ResultSession() uint64 { return m.sid }
func (m editorDoneMsg) ResultSession() uint64 { return m.sid }
func (m writtenMsg) ResultSession() uint64    { return m.sid }

// refusal is the command that says why no edit of key (action as the audit log names it) can
// start now, or nil when one can: the view shows the past, there is no session, or the session is
// read-only or the user's roles do not let it write there — then the write gate itself (cluster's CheckWrite) refuses, off the UI loop, so the
// refusal is in the audit log like any other.
func (m *Model) refusal(action, key string) tea.Cmd {
	if r := m.pinnedRefusal(); r != "" {
		return common.Flash(common.FlashError, r)
	}
	return m.writeRefusal(action, key)
}

// writeRefusal is refusal without the time-travel check (undelete works from any revision).
func (m *Model) writeRefusal(action, key string) tea.Cmd {
	s := m.common.Session
	if s == nil || s.Client == nil {
		return common.Flash(common.FlashError, "not connected")
	}
	if !s.Client.Refuses(action, key) {
		return nil
	}
	return func() tea.Msg {
		return common.FlashMsg{Level: common.FlashError, Text: cluster.EscapeText(s.Client.CheckWrite(action, key, "").Error())}
	}
}

// startEdit edits the value shown in the inspector: in $EDITOR, or inline without one. Values
// that are not text (Kubernetes protobuf, encrypted, binary) are offered as hex, never as a
// re-encoding of their rendering.
func (m *Model) startEdit() tea.Cmd {
	if cmd := m.refusal("put", m.insp.key); cmd != nil {
		return cmd
	}
	in := &m.insp
	if in.loading || !in.info.Found || in.label != "" || in.rev != 0 {
		return common.Flash(common.FlashWarn, "open the key's current value first (enter on it)")
	}
	e := &m.edit
	e.key, e.modRev, e.lease, e.orig, e.isNew = in.key, in.info.ModRev, in.info.Lease, in.info.Value, false
	why := ""
	switch in.choices[0] {
	case decode.Kubernetes:
		why = "Kubernetes protobuf is never re-encoded from its YAML (the apiserver expects its own bytes)."
	case decode.Encrypted:
		why = "the value is encrypted at rest: editing it as text would destroy it."
	case decode.Hex:
		why = "the value is binary."
	}
	if why != "" {
		m.ask.ask("keys.hex-edit", why+" Edit the raw bytes as hex instead?")
		return nil
	}
	return m.launchEditor(false)
}

// maxInline is the largest text the inline editor takes: bubbles' textarea redraws the whole
// value on each key.
const maxInline = 64 << 10

// launchEditor opens the value in $EDITOR through tea.ExecProcess (the terminal is handed over
// and restored), or in the inline editor when $EDITOR is unset.
func (m *Model) launchEditor(hex bool) tea.Cmd {
	e := &m.edit
	e.hex = hex
	text := string(e.orig)
	if hex {
		text = decode.HexText(e.orig)
	}
	if os.Getenv("EDITOR") == "" {
		if len(text) > maxInline {
			return common.Flash(common.FlashError, fmt.Sprintf("the value is %s: set $EDITOR to edit values over %s (the inline editor is for small ones)",
				cluster.FormatBytes(int64(len(text))), cluster.FormatBytes(maxInline)))
		}
		e.areaOpen = true
		e.area.SetWidth(max(10, m.insp.width-2))
		e.area.SetHeight(max(3, m.insp.height-3))
		e.area.SetValue(text)
		return e.area.Focus()
	}
	return writeEditorFileCmd(m.common.SessionID(), text)
}

// writeEditorFileCmd writes the text to edit into a temporary file, off the UI loop.
func writeEditorFileCmd(sid uint64, text string) tea.Cmd {
	return func() tea.Msg {
		f, err := os.CreateTemp("", "etcdeck-*.txt")
		if err != nil {
			return editorFileMsg{sid: sid, err: fmt.Errorf("cannot make a file for $EDITOR: %w", err)}
		}
		_, err = f.WriteString(text)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			return editorFileMsg{sid: sid, err: fmt.Errorf("cannot write the file for $EDITOR: %w", err)}
		}
		return editorFileMsg{sid: sid, path: f.Name()}
	}
}

// runEditor hands the terminal to $EDITOR on the file; what it leaves is read and the file
// removed when it exits, before the result reaches Update.
func runEditor(msg editorFileMsg) tea.Cmd {
	if msg.err != nil {
		return common.Flash(common.FlashError, msg.err.Error())
	}
	sid, path := msg.sid, msg.path
	// $EDITOR may hold arguments ("code -w"): the shell splits it, the path stays one argument.
	cmd := exec.Command("sh", "-c", `$EDITOR "$1"`, "etcdeck-editor", path)
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		data, rerr := os.ReadFile(path)
		os.Remove(path)
		return editorDoneMsg{sid: sid, text: string(data), err: err, readErr: rerr}
	})
}

// editorDone writes what $EDITOR left.
func (m *Model) editorDone(msg editorDoneMsg) tea.Cmd {
	if msg.err != nil {
		return common.Flash(common.FlashError, "$EDITOR failed: "+msg.err.Error()+": nothing written")
	}
	if msg.readErr != nil {
		return common.Flash(common.FlashError, "reading the edited file: "+msg.readErr.Error()+": nothing written")
	}
	return m.edited(msg.text)
}

// edited takes the edited text (from $EDITOR or the inline editor) and writes it.
func (m *Model) edited(text string) tea.Cmd {
	e := &m.edit
	v := []byte(text)
	if e.hex {
		var err error
		if v, err = decode.ParseHex(text); err != nil {
			return common.Flash(common.FlashError, "not hex: "+err.Error()+": nothing written")
		}
	}
	if e.isNew {
		return m.create(e.key, v, e.newTTL)
	}
	if bytes.Equal(v, e.orig) {
		return common.Flash(common.FlashInfo, "no change: nothing written")
	}
	e.mine = v
	return m.putCAS(e.key, v, e.modRev, e.lease)
}

// putCAS writes v at key only if its mod revision is still modRev, keeping its lease.
func (m *Model) putCAS(key string, v []byte, modRev, lease int64) tea.Cmd {
	s, orig := m.common.Session, m.edit.orig
	return func() tea.Msg {
		rev, err := s.Client.Put(s.Context(), key, v, cluster.PutOptions{ModRev: modRev, KeepLease: lease != 0})
		msg := writtenMsg{sid: s.ID, what: "saved", key: key, rev: rev, err: err}
		var ce *cluster.ConflictError
		if errors.As(err, &ce) {
			shown := "shown (rev " + strconv.FormatInt(ce.Expected, 10) + ")"
			if ce.Current == nil {
				msg.diff = decode.Diff(shown, "now (deleted)", orig, nil)
			} else {
				msg.diff = decode.Diff(shown, "now (rev "+strconv.FormatInt(ce.Current.ModRevision, 10)+")", orig, ce.Current.Value)
			}
		}
		return msg
	}
}

// written reports a write; a compare-and-swap conflict shows both versions and offers to
// re-apply the edit onto the new one.
func (m *Model) written(msg writtenMsg) tea.Cmd {
	var ce *cluster.ConflictError
	switch {
	case errors.As(msg.err, &ce) && msg.what == "saved":
		return m.conflict(ce, msg.diff)
	case errors.Is(msg.err, cluster.ErrExists) && msg.what == "restored":
		return common.Flash(common.FlashError, cluster.EscapeKey(msg.key)+" exists now (recreated since?): not overwritten — undelete only puts back a deleted key")
	case errors.Is(msg.err, cluster.ErrExists):
		return common.Flash(common.FlashError, cluster.EscapeKey(msg.key)+" already exists: nothing written ("+
			common.BindingHint(m.common.Keys.Keys.Edit, "edits it")+")")
	case msg.err != nil:
		return common.Flash(common.FlashError, cluster.EscapeKey(msg.key)+": "+msg.err.Error())
	}
	text := fmt.Sprintf("%s %s at rev %d", msg.what, cluster.EscapeKey(msg.key), msg.rev)
	if msg.what == "restored" && msg.hadLease {
		text += " (its old lease is not restored)"
	}
	var cmd tea.Cmd
	if m.pane == paneInspector && m.insp.key == msg.key && msg.what != "deleted" {
		cmd = m.insp.show(msg.key, 0)
	} else if msg.what == "deleted" && m.insp.key == msg.key {
		m.setPane(paneNone)
	}
	return tea.Batch(common.Flash(common.FlashInfo, text), cmd)
}

// conflict shows the value as it was shown against the value now, and asks whether to put the
// edit onto the new version.
func (m *Model) conflict(ce *cluster.ConflictError, diff *decode.Doc) tea.Cmd {
	e := &m.edit
	m.setPane(paneInspector)
	if ce.Current == nil {
		m.insp.showDoc(e.key, "conflict: deleted since", diff)
		m.ask.ask("keys.recreate", cluster.EscapeKey(e.key)+" was deleted since you opened it: nothing written. Create it again with your edit (create-only)?")
		return nil
	}
	m.insp.showDoc(e.key, "conflict: changed since", diff)
	e.orig, e.modRev, e.lease = ce.Current.Value, ce.Current.ModRevision, ce.Current.Lease
	m.ask.ask("keys.reapply", fmt.Sprintf("%s changed since you opened it (rev %d → %d): nothing written. Overwrite it with your version, replacing rev %d whole (n drops your edit)?",
		cluster.EscapeKey(e.key), ce.Expected, ce.Current.ModRevision, ce.Current.ModRevision))
	return nil
}
