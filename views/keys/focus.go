package keys

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// The Keys view is a parent of panes, each with its own state, Update, View and keys: the
// directory list (keys.go, load.go, live.go, render.go), the inspector (inspector.go), the
// history (history.go), the inline editor (edit.go) and the prompts on the last line — new key,
// delete, delete a directory, undelete, a conflict (prompts.go). This file routes: keys go to
// the one pane that has the focus, results to the pane that asked for them.

// focus names the pane that receives keys.
type focus int

const (
	focusList focus = iota
	focusInspector
	focusHistory
	focusEditor // the inline editor, in the inspector's place
	focusPrompt // a question or the new-key prompt, on the last line
)

// focused is the pane keys go to now. An open prompt or the inline editor is modal: it has the
// focus until it closes, then m.focus (the parent's choice among list, inspector and history)
// has it again. What is shown (m.pane) is kept apart from what has the focus, so a pane can
// show beside the list while the list keeps the keys.
func (m *Model) focused() focus {
	switch {
	case m.ask.active():
		return focusPrompt
	case m.edit.areaOpen:
		return focusEditor
	}
	return m.focus
}

// Update routes a message: keys and pastes to the focused pane, the wheel to what it scrolls,
// each result to the pane that asked for it. A result of an ended session is dropped here,
// before any pane sees it.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if m.common.Foreign(msg) {
		return m, nil // a result of an ended session: never applied to the current one
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, tea.Batch(m.routeKey(msg), m.schedulePreview())
	case previewMsg:
		return m, m.previewRested(msg)
	case tea.PasteMsg:
		return m, m.routePaste(msg)
	case tea.MouseWheelMsg:
		return m, m.wheel(msg)

	// The list's.
	case common.GotoMsg:
		return m, m.gotoPath(msg.Path)
	case listedMsg:
		return m, tea.Batch(m.listed(msg), m.schedulePreview(), m.countOutside(msg))
	case outsideMsg:
		m.outsideCounted(msg)
		return m, nil
	case common.ClusterBackMsg:
		return m, m.clusterBack(msg)
	case detailsMsg:
		return m, m.detailed(msg)
	case remainingMsg:
		if msg.gen == m.gen && msg.next == m.next {
			m.remaining = msg.n
		}
		return m, nil
	case liveMsg:
		return m, tea.Batch(m.liveBatch(msg), m.inspectedChanged(msg))
	case liveBehindMsg:
		return m, m.liveBehind(msg)
	case TimeTravelMsg:
		return m, m.timeTravel(msg.Rev)
	case revCheckedMsg:
		return m, m.revChecked(msg)

	// The inspector's and the history's.
	case inspectedMsg:
		return m, m.inspected(msg)
	case renderedMsg, ttlTickMsg:
		return m, m.insp.Update(msg)
	case historyMsg, diffMsg:
		return m, m.hist.Update(msg)

	// The writes': what a question needs before it is asked, its answer, the editor, the result.
	case toDeleteMsg:
		return m, m.toDelete(msg)
	case dirCountedMsg:
		return m, m.dirCounted(msg)
	case common.ConfirmMsg:
		if !isOwnQuestion(msg.ID) {
			return m, nil
		}
		return m, m.answered(msg)
	case editorFileMsg:
		return m, runEditor(msg)
	case editorDoneMsg:
		return m, m.editorDone(msg)
	case writtenMsg:
		return m, m.written(msg)
	}
	return m, nil
}

// routeKey gives a key to the focused pane, with help's bindings synced before (what the pane
// matches on) and after (the key may open or close a pane, or move to another row).
func (m *Model) routeKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.filter.Active() {
		return m.updateFilter(msg) // the list's filter field, open over whatever pane
	}
	switch m.focused() {
	case focusPrompt:
		return m.promptsUpdate(msg)
	case focusEditor:
		return m.editorUpdate(msg)
	}
	m.syncBindings()
	defer m.syncBindings()
	switch m.focus {
	case focusInspector:
		return m.inspectorKey(msg)
	case focusHistory:
		return m.historyKey(msg)
	}
	return m.listKey(msg)
}

// isOwnQuestion: the answer is to a question this view asked.
func isOwnQuestion(id string) bool { return strings.HasPrefix(id, "keys.") }

// routePaste gives a paste to the field that takes text: the filter, a prompt or the editor.
func (m *Model) routePaste(msg tea.PasteMsg) tea.Cmd {
	if m.filter.Active() {
		return m.updateFilter(msg)
	}
	switch m.focused() {
	case focusPrompt:
		return m.promptsUpdate(msg)
	case focusEditor:
		return m.editorUpdate(msg)
	}
	return nil
}

// promptsUpdate feeds the prompts pane and acts on the end of the n flow.
func (m *Model) promptsUpdate(msg tea.Msg) tea.Cmd {
	cmd, done := m.ask.Update(msg)
	if done != nil {
		return tea.Batch(cmd, m.newKey(*done))
	}
	return cmd
}

// editorUpdate feeds the inline editor and writes what it saved.
func (m *Model) editorUpdate(msg tea.Msg) tea.Cmd {
	cmd, saved := m.edit.Update(msg)
	if saved {
		return tea.Batch(cmd, m.edited(m.edit.area.Value()))
	}
	return cmd
}

// wheel scrolls the open value when the inspector shows one, the list otherwise.
func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	delta := 0
	switch msg.Button {
	case tea.MouseWheelUp:
		delta = -3
	case tea.MouseWheelDown:
		delta = 3
	default:
		return nil
	}
	if m.focus == focusInspector && m.insp.doc != nil {
		m.insp.offset += delta
		m.insp.clamp() // the wheel scrolls the open value, not the list behind it
		return nil
	}
	return m.move(delta)
}

// inspected hands the inspector its value, then starts the edit e on the list asked for.
func (m *Model) inspected(msg inspectedMsg) tea.Cmd {
	current := msg.gen == m.insp.gen
	cmd := m.insp.Update(msg)
	if m.edit.whenShown && current {
		m.edit.whenShown = false
		return tea.Batch(cmd, m.startEdit())
	}
	return cmd
}
