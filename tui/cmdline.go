package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/views/common"
)

// commands are the command line's verbs, offered first by tab completion.
var commands = []string{"goto ", "watch ", "help", "quit"}

// Messages the command line produces for the root itself.
type (
	openHelpMsg    struct{}
	quitRequestMsg struct{}
)

// maxHistory bounds the command line history offered for completion.
const maxHistory = 50

// cmdline is the ":" command line: goto, watch, help, quit, with tab completion from the verbs
// and earlier lines.
type cmdline struct {
	prompt  common.Prompt
	history []string
}

func newCmdline(st *common.Styles) cmdline {
	c := cmdline{prompt: common.NewPrompt(st, ":", "goto <path> · watch <prefix> · help · quit")}
	c.prompt.SetSuggestions(commands)
	return c
}

func (c *cmdline) open() tea.Cmd { return c.prompt.Open("") }

// update feeds a key to the open command line and returns the command its submission yields.
func (c *cmdline) update(msg tea.Msg) tea.Cmd {
	res, cmd := c.prompt.Update(msg)
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
	c.prompt.SetSuggestions(append(slices.Clone(commands), c.history...))
}

// parseCommand turns one command line into the message that carries it out.
func parseCommand(line string) (tea.Msg, error) {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "/") {
		return common.GotoMsg{Path: line}, nil
	}
	verb, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch verb {
	case "goto", "g":
		if arg == "" {
			return nil, errors.New("goto needs a key or directory, e.g. goto /registry/pods/")
		}
		return common.GotoMsg{Path: arg}, nil
	case "watch", "w":
		if arg == "" {
			return nil, errors.New("watch needs a prefix, e.g. watch /registry/ (or / for everything)")
		}
		return common.WatchMsg{Prefix: arg}, nil
	case "help", "h":
		return openHelpMsg{}, nil
	case "quit", "q":
		return quitRequestMsg{}, nil
	case "":
		return nil, nil
	}
	return nil, fmt.Errorf("unknown command %q: try goto <path>, watch <prefix>, help or quit", verb)
}
