package tui

import (
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/views/common"
)

// Messages the command line produces for the root itself.
type (
	openHelpMsg    struct{}
	quitRequestMsg struct{}
)

// maxHistory bounds the command line history offered for completion.
const maxHistory = 50

// cmdline is the ":" command line: the verbs of verbTable, with tab completion from the verbs,
// earlier lines and the children of the directory being typed.
type cmdline struct {
	// sep is the byte keys are split on; completion lists the directory before the last one.
	sep     byte
	prompt  common.Prompt
	history []string

	session *cluster.Session // nil in rendering tests: no completion
	// gen numbers completion listings; a listing for text the user already changed is dropped.
	gen      int
	lastDir  string
	children []string // completions from the last listing: whole lines
}

// completionsMsg carries the children of a directory being typed on the command line.
type completionsMsg struct {
	sid   uint64 // the session that listed them
	gen   int
	lines []string
	err   error
}

// maxCompletions bounds one completion listing.
const maxCompletions = 50

// completeDelay is how long typing must pause before the directory being typed is listed for
// completion. Listing on every key sent a listing per character to the cluster: a pasted path of
// 30 characters listed 30 directories (measured: 50 quick gotos on a 400k-key keyspace took the
// console's RSS past 110 MB in garbage from listings already out of date).
const completeDelay = 150 * time.Millisecond

// completeDueMsg fires completeDelay after an edit; it is dropped when more typing followed.
type completeDueMsg struct {
	gen  int
	line string
}

func newCmdline(st *common.Styles, session *cluster.Session, sep byte) cmdline {
	c := cmdline{prompt: common.NewPrompt(st, ":", cmdPlaceholder()), session: session, sep: sep}
	c.setSuggestions()
	return c
}

func (c *cmdline) open() tea.Cmd {
	c.lastDir, c.children = "", nil
	c.setSuggestions()
	return c.prompt.Open("")
}

func (c *cmdline) setSuggestions() {
	s := append(verbSuggestions(), c.history...)
	c.prompt.SetSuggestions(append(s, c.children...))
}

// update feeds a key to the open command line and returns the command its submission yields.
func (c *cmdline) update(msg tea.Msg) tea.Cmd {
	before := c.prompt.Value()
	res, cmd := c.prompt.Update(msg)
	if res == common.PromptEditing {
		if v := c.prompt.Value(); v != before {
			c.gen++
			gen := c.gen
			return tea.Batch(cmd, tea.Tick(completeDelay, func(time.Time) tea.Msg { return completeDueMsg{gen: gen, line: v} }))
		}
		return cmd
	}
	if res != common.PromptSubmitted {
		return cmd
	}
	line := strings.TrimSpace(c.prompt.Value())
	if line == "" {
		return nil
	}
	out, err := parseCommand(line)
	if err != nil {
		return common.Flash(common.FlashError, err.Error())
	}
	c.remember(line)
	return common.Cmd(out)
}

func (c *cmdline) remember(line string) {
	c.history = slices.DeleteFunc(c.history, func(h string) bool { return h == line })
	c.history = append([]string{line}, c.history...)
	if len(c.history) > maxHistory {
		c.history = c.history[:maxHistory]
	}
	c.setSuggestions()
}

// completeDue lists the typed directory once typing paused on the same text.
func (c *cmdline) completeDue(msg completeDueMsg) tea.Cmd {
	if msg.gen != c.gen || !c.prompt.Active() {
		return nil
	}
	return c.complete(msg.line)
}

// complete lists the directory of the path being typed (its children whose names start with
// what follows the last "/"), so tab can complete it; nil when there is no path or no client.
func (c *cmdline) complete(line string) tea.Cmd {
	head, path, ok := pathArg(line)
	if !ok || c.session == nil {
		return nil
	}
	// The line holds escaped text (as keys are shown); etcd wants the raw bytes, and the
	// suggestions go back to the line escaped again.
	i := strings.LastIndexByte(path, c.sep)
	typedDir := path[:i+1]
	dir, err1 := cluster.UnescapeKey(typedDir)
	partial, err2 := cluster.UnescapeKey(path[i+1:])
	if err1 != nil || err2 != nil {
		return nil
	}
	if dir+"\x00"+partial == c.lastDir {
		return nil
	}
	c.lastDir = dir + "\x00" + partial
	c.gen++
	gen, s, sep := c.gen, c.session, c.sep
	return func() tea.Msg {
		l, err := s.Client.ListDir(s.Context(), dir, cluster.ListOptions{Sep: sep, NamePrefix: partial, Limit: maxCompletions})
		if err != nil {
			return completionsMsg{sid: s.ID, gen: gen, err: err}
		}
		lines := make([]string, 0, len(l.Rows))
		for _, r := range l.Rows {
			name := cluster.EscapeKey(r.Name)
			if r.Leaf {
				lines = append(lines, head+typedDir+name)
			}
			if r.Dir {
				lines = append(lines, head+typedDir+name+cluster.EscapeKey(string(sep)))
			}
		}
		return completionsMsg{sid: s.ID, gen: gen, lines: lines}
	}
}

// completed offers a finished listing's children, unless the user typed on since.
func (c *cmdline) completed(msg completionsMsg) {
	if c.session == nil || msg.sid != c.session.ID || msg.gen != c.gen || !c.prompt.Active() || msg.err != nil {
		return
	}
	c.children = msg.lines
	c.setSuggestions()
}
