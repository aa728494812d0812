package common

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// PromptResult says what a key did to a Prompt.
type PromptResult int

// What Prompt.Update reports.
const (
	// PromptEditing: the key went into the field (or the prompt is closed).
	PromptEditing PromptResult = iota
	// PromptSubmitted: enter was pressed; the prompt closed and Value holds the text.
	PromptSubmitted
	// PromptCancelled: esc was pressed; the prompt closed.
	PromptCancelled
)

// Prompt is a one-line text field for filters, the command line and questions. While open it
// takes every key; enter submits and esc cancels, as the focus rule requires.
type Prompt struct {
	input  textinput.Model
	open   bool
	styles *Styles
}

// NewPrompt returns a closed prompt showing label before the text.
func NewPrompt(st *Styles, label, placeholder string) Prompt {
	in := textinput.New()
	in.Prompt = label
	in.Placeholder = placeholder
	in.SetStyles(st.TextInput)
	return Prompt{input: in, styles: st}
}

// Open shows the prompt with value and gives it focus.
func (p *Prompt) Open(value string) tea.Cmd {
	p.open = true
	p.input.SetValue(value)
	p.input.CursorEnd()
	return p.input.Focus()
}

// Close hides the prompt; its last value stays readable.
func (p *Prompt) Close() {
	p.open = false
	p.input.Blur()
}

// Active is true while the prompt is open and has focus.
func (p Prompt) Active() bool { return p.open }

// Value is the text typed so far (or submitted).
func (p Prompt) Value() string { return p.input.Value() }

// SetWidth limits the visible text to w cells, label included.
func (p *Prompt) SetWidth(w int) {
	p.input.SetWidth(max(1, w-len([]rune(p.input.Prompt))-1))
}

// SetSuggestions sets the completions offered with tab (prefix match on the whole value).
func (p *Prompt) SetSuggestions(s []string) {
	p.input.ShowSuggestions = len(s) > 0
	p.input.SetSuggestions(s)
}

// Update feeds one message to an open prompt.
func (p *Prompt) Update(msg tea.Msg) (PromptResult, tea.Cmd) {
	if !p.open {
		return PromptEditing, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter":
			p.Close()
			return PromptSubmitted, nil
		case "esc":
			p.Close()
			return PromptCancelled, nil
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return PromptEditing, cmd
}

// View renders the prompt line (empty when closed).
func (p Prompt) View() string {
	if !p.open {
		return ""
	}
	return p.input.View()
}
