package keys

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// prompts is the pane on the view's last line: a question (delete, delete a directory,
// undelete, a conflict, hex editing) or the new-key prompt (path, TTL, value). While one is open
// it has the focus and takes every key; its answers are what the writes act on.
type prompts struct {
	c       common.Common
	confirm common.Confirm
	prompt  common.Prompt
	step    newStep
	width   int

	newKey string // n: the path typed
	newTTL int64  // n: seconds; 0 no lease

	prefix  string // D: the directory prefix to delete
	undoKey string // u: the key to put back
	undo    []byte // u: the value to put back
	// undoLease: the version put back had a lease (it is not restored, and only then is that said).
	undoLease bool
	target    *deleteT // d: the key and the mod revision to delete at
}

// newStep is where the n flow is: the key's path, its TTL, its value.
type newStep int

const (
	newNone newStep = iota
	newPath
	newTTL
	newValue
)

type deleteT struct {
	key    string
	modRev int64
}

// newKeyDone is what the n flow hands the parent when it ends with something to do: create the
// key with value, or (toEditor) open $EDITOR for its value.
type newKeyDone struct {
	key      string
	ttl      int64
	value    []byte
	toEditor bool
}

func newPrompts(c common.Common) prompts {
	return prompts{c: c, confirm: common.NewConfirm(c.Styles).ForSession(c.SessionID()), prompt: common.NewPrompt(c.Styles, "", "")}
}

func (p *prompts) setWidth(w int) {
	p.width = w
	p.confirm.SetWidth(w)
	p.prompt.SetWidth(w)
}

// active is true while a question or the prompt is open: the pane has the focus.
func (p *prompts) active() bool { return p.confirm.Active() || p.prompt.Active() }

// ask opens a question; the answer comes back as a common.ConfirmMsg with id.
func (p *prompts) ask(id, question string) { p.confirm.Ask(id, question) }

// askTyped opens a question answered by typing want exactly.
func (p *prompts) askTyped(id, question, want string) tea.Cmd {
	return p.confirm.AskTyped(id, question, want)
}

// startNew opens the n flow's first prompt with the open directory filled in.
func (p *prompts) startNew(dir string) tea.Cmd {
	p.step = newPath
	p.prompt = common.NewPrompt(p.c.Styles, "new key: ", "")
	p.prompt.SetWidth(p.width)
	return p.prompt.Open(cluster.EscapeKey(dir))
}

// Update feeds a key or a paste to the open question or prompt. done is set when the n flow
// ends with something for the parent to do.
func (p *prompts) Update(msg tea.Msg) (tea.Cmd, *newKeyDone) {
	if p.confirm.Active() {
		return p.confirm.Update(msg), nil
	}
	if !p.prompt.Active() {
		return nil, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && p.step == newValue && k.String() == "ctrl+e" {
		p.prompt.Close()
		p.step = newNone
		return nil, &newKeyDone{key: p.newKey, ttl: p.newTTL, toEditor: true}
	}
	res, cmd := p.prompt.Update(msg)
	switch res {
	case common.PromptCancelled:
		p.step = newNone
		return common.Flash(common.FlashInfo, "nothing created"), nil
	case common.PromptSubmitted:
	default:
		return cmd, nil
	}
	text := p.prompt.Value()
	switch p.step {
	case newPath:
		raw, err := cluster.UnescapeKey(text)
		if err != nil || raw == "" {
			p.step = newNone
			return common.Flash(common.FlashError, "not a key: "+text), nil
		}
		p.newKey, p.step = raw, newTTL
		p.prompt = common.NewPrompt(p.c.Styles, "ttl: ", "e.g. 30s or 10m; empty: no lease")
	case newTTL:
		ttl, err := parseTTL(text)
		if err != nil {
			p.step = newNone
			return common.Flash(common.FlashError, err.Error()+": nothing created"), nil
		}
		p.newTTL, p.step = ttl, newValue
		p.prompt = common.NewPrompt(p.c.Styles, "value: ", "type it, or ctrl+e for $EDITOR")
	case newValue:
		p.step = newNone
		return nil, &newKeyDone{key: p.newKey, ttl: p.newTTL, value: []byte(text)}
	}
	p.prompt.SetWidth(p.width)
	return p.prompt.Open(""), nil
}

// View is the question or prompt, "" when none is open.
func (p *prompts) View() string {
	switch {
	case p.confirm.Active():
		return p.confirm.View()
	case p.prompt.Active():
		return p.prompt.View()
	}
	return ""
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
